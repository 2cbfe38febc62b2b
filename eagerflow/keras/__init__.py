"""`tf.keras`: Keras 3's layers, models and training on eagerflow.

>>> import eagerflow as tf
>>> model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
>>> model(tf.ones((2, 3))).shape
TensorShape([2, 1])
"""
from . import activations, backend, constraints, initializers, regularizers, utils  # noqa: F401
from . import layers, models  # noqa: F401
from . import saving  # noqa: F401
from . import callbacks, losses, metrics, optimizers  # noqa: F401
from . import datasets  # noqa: F401
from .initializers import Initializer  # noqa: F401
from .layers import Input, InputSpec, Layer  # noqa: F401
from .models import Model, Sequential  # noqa: F401
from .node import KerasTensor  # noqa: F401
from .regularizers import Regularizer  # noqa: F401
from .variables import Variable  # noqa: F401

__version__ = "3.15.1"
