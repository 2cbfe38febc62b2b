"""Fisher's iris measurements, shipped with eagerflow (150 rows, 3 classes; see data/README.md).

>>> import eagerflow as tf
>>> (x_train, y_train), (x_test, y_test) = tf.keras.datasets.iris.load_data()
>>> x_train.shape, x_train.dtype, y_train.dtype, x_test.shape
((120, 4), dtype('float32'), dtype('uint8'), (30, 4))
"""
from __future__ import annotations

from . import _files

FEATURE_NAMES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
CLASS_NAMES = ("setosa", "versicolor", "virginica")


def load_data(test_split=0.2, seed=113):
    """Loads the iris data set: four flower measurements and the species, 50 flowers per species.

    Works offline: the table ships inside the package. The rows are the ones of Fisher's paper
    (as in R and scikit-learn), which fix two rows of the UCI file.

    Args:
        test_split: fraction of the 150 rows kept for the test set, in [0, 1).
        seed: shuffles the rows before the split (same seed, same split); None keeps the file's
            order, which is sorted by species.

    Returns:
        `((x_train, y_train), (x_test, y_test))`: x arrays of shape `(n, 4)`, dtype float32, the
        measurements in `FEATURE_NAMES` order, in centimetres; y arrays of shape `(n,)`, dtype
        uint8, indices into `CLASS_NAMES` (0 setosa, 1 versicolor, 2 virginica).

    >>> import eagerflow as tf
    >>> (x, y), (x_test, y_test) = tf.keras.datasets.iris.load_data(test_split=0.0)
    >>> x.shape, x_test.shape, [int((y == k).sum()) for k in range(3)]
    ((150, 4), (0, 4), [50, 50, 50])
    """
    arrays = _files.bundled("iris", ("features", "labels"))
    return _files.shuffle_split(arrays["features"], arrays["labels"], test_split, seed,
                                "iris.load_data")
