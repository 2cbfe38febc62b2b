"""MNIST from a local `.npz` file (eagerflow never downloads; Keras's own `mnist.npz` works as-is).

>>> import eagerflow as tf
>>> tf.keras.datasets.mnist.load_data(path="/nonexistent/mnist.npz")
Traceback (most recent call last):
...
FileNotFoundError: mnist.load_data: no dataset file at /nonexistent/mnist.npz. ...
"""
from __future__ import annotations

from . import _files

HOW_TO = ("Keras's file https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz has this "
          "layout: download it once on a machine with network access and copy it there.")


def load_data(path="mnist.npz"):
    """Loads MNIST (60,000 training and 10,000 test images of 28x28 digits) from a local file.

    Args:
        path: the `.npz` file, holding the arrays x_train, y_train, x_test and y_test. A relative
            path that does not exist as given is looked up in `~/.keras/datasets/` (or
            `$KERAS_HOME/datasets/`), where Keras caches its download.

    Returns:
        `((x_train, y_train), (x_test, y_test))` as stored: for Keras's file, x arrays of shape
        `(n, 28, 28)`, dtype uint8, values 0..255, and y arrays of shape `(n,)`, dtype uint8.

    Raises:
        FileNotFoundError: the file is missing; the message says where to put it.
        ValueError: the file is not an `.npz` with the four arrays.
    """
    return _files.local_split("mnist", path, HOW_TO)
