"""The UCI 8x8 handwritten digits, shipped with eagerflow (1,797 images, CC BY 4.0; see data/README.md).

>>> import eagerflow as tf
>>> (x_train, y_train), (x_test, y_test) = tf.keras.datasets.digits.load_data()
>>> x_train.shape, x_train.dtype, y_train.shape, x_test.shape
((1437, 8, 8), dtype('uint8'), (1437,), (360, 8, 8))
"""
from __future__ import annotations

from . import _files

NUM_IMAGES = 1797


def load_data(test_split=0.2, seed=113):
    """Loads the UCI optical-recognition digits: 8x8 grey images of the digits 0 to 9.

    Works offline: the images ship inside the package. Each pixel counts the inked pixels of a 4x4
    block of the original 32x32 bitmap, so values run from 0 to 16 (not 0 to 255 as in MNIST):
    divide by 16 to scale to [0, 1].

    Args:
        test_split: fraction of the 1,797 images kept for the test set, in [0, 1).
        seed: shuffles the images before the split (same seed, same split); None keeps the order
            of the original file.

    Returns:
        `((x_train, y_train), (x_test, y_test))`: x arrays of shape `(n, 8, 8)`, dtype uint8, values
        0..16; y arrays of shape `(n,)`, dtype uint8, the digit 0..9.

    >>> import eagerflow as tf
    >>> (x, y), _ = tf.keras.datasets.digits.load_data(test_split=0.5, seed=0)
    >>> int(x.max()), sorted(set(y.tolist())) == list(range(10))
    (16, True)
    """
    arrays = _files.bundled("digits", ("images", "labels"))
    return _files.shuffle_split(arrays["images"], arrays["labels"], test_split, seed,
                                "digits.load_data")
