"""Fashion-MNIST from a local `.npz` file (eagerflow never downloads).

>>> import eagerflow as tf
>>> tf.keras.datasets.fashion_mnist.load_data(path="/nonexistent/fashion_mnist.npz")
Traceback (most recent call last):
...
FileNotFoundError: fashion_mnist.load_data: no dataset file at /nonexistent/fashion_mnist.npz. ...
"""
from __future__ import annotations

from . import _files

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot")
HOW_TO = ("To make it where Keras is installed: (a, b), (c, d) = keras.datasets.fashion_mnist.load_data(); "
          "numpy.savez_compressed('fashion_mnist.npz', x_train=a, y_train=b, x_test=c, y_test=d).")


def load_data(path="fashion_mnist.npz"):
    """Loads Fashion-MNIST (60,000 training and 10,000 test 28x28 images of clothes) from a local file.

    Args:
        path: the `.npz` file, holding the arrays x_train, y_train, x_test and y_test. A relative
            path that does not exist as given is looked up in `~/.keras/datasets/` (or
            `$KERAS_HOME/datasets/`).

    Returns:
        `((x_train, y_train), (x_test, y_test))` as stored: x arrays of shape `(n, 28, 28)`, dtype
        uint8, values 0..255; y arrays of shape `(n,)`, dtype uint8, indices into `CLASS_NAMES`.

    Raises:
        FileNotFoundError: the file is missing; the message says where to put it.
        ValueError: the file is not an `.npz` with the four arrays.
    """
    return _files.local_split("fashion_mnist", path, HOW_TO)
