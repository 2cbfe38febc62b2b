"""`tf.keras.regularizers`: penalties on weights, added to `layer.losses`.

>>> import eagerflow as tf
>>> float(tf.keras.regularizers.L2(0.1)(tf.ones((2, 2))))
0.4000000059604645
"""
from __future__ import annotations

import numpy as np

import eagerflow as tf  # public ops only; attributes are read at call time

from . import serialization as _ser

__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "orthogonal_regularizer", "get", "serialize", "deserialize"]


def _check(name: str, value) -> float:
    if value is None:
        return 0.0
    if not isinstance(value, (int, float, np.floating, np.integer)) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. Received: "
                         f"{name}={value}")
    return value


class Regularizer:
    """Base class: `__call__(weight) -> scalar penalty` and `get_config()`."""

    def __call__(self, x):
        return 0.0

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1(Regularizer):
    """l1 * sum(|x|)."""

    def __init__(self, l1=0.01):
        self.l1 = _check("l1", l1)

    def __call__(self, x):
        return self.l1 * tf.reduce_sum(tf.abs(x))

    def get_config(self):
        return {"l1": float(np.float32(self.l1))}  # Keras 3 reports l1 as a float32 value


class L2(Regularizer):
    """l2 * sum(x ** 2)."""

    def __init__(self, l2=0.01):
        self.l2 = _check("l2", l2)

    def __call__(self, x):
        return self.l2 * tf.reduce_sum(tf.square(x))

    def get_config(self):
        return {"l2": float(self.l2)}


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x ** 2)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = _check("l1", l1), _check("l2", l2)

    def __call__(self, x):
        x = tf.convert_to_tensor(x)
        total = tf.zeros((), x.dtype)
        if self.l1:
            total = total + self.l1 * tf.reduce_sum(tf.abs(x))
        if self.l2:
            total = total + self.l2 * tf.reduce_sum(tf.square(x))
        return total

    def get_config(self):
        return {"l1": float(self.l1), "l2": float(self.l2)}


class OrthogonalRegularizer(Regularizer):
    """factor * mean |off-diagonal of normalized W W^T| (rows, mode='rows') or of W^T W ('columns')."""

    def __init__(self, factor=0.01, mode="rows"):
        if mode not in ("rows", "columns"):
            raise ValueError(f"Invalid value for argument `mode`. Expected one of {{'rows', 'columns'}}. "
                             f"Received: mode={mode}")
        self.factor, self.mode = _check("factor", factor), mode

    def __call__(self, x):
        x = tf.convert_to_tensor(x)
        if x.shape.rank != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape={x.shape}")
        if self.mode == "columns":
            x = tf.transpose(x)
        x = tf.math.l2_normalize(x, axis=1)
        product = tf.matmul(x, x, transpose_b=True)
        n = x.shape[0]
        off = product * (1.0 - tf.eye(n, dtype=x.dtype))
        return self.factor * tf.reduce_sum(tf.abs(off)) / (n * (n - 1))

    def get_config(self):
        return {"factor": float(self.factor), "mode": self.mode}


l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer
_NAMESPACE = {name: globals()[name] for name in __all__ if name not in ("get", "serialize", "deserialize")}


def serialize(regularizer):
    """The Keras config dict of a regularizer (None stays None)."""
    return _ser.serialize(regularizer, "keras.regularizers")


def deserialize(config, custom_objects=None):
    obj = _ser.deserialize(config, _NAMESPACE, "regularizer", custom_objects)
    return obj() if isinstance(obj, type) else obj


def get(identifier):
    """A regularizer from a name ('l2'), config dict, instance or callable (None: no penalty).

    >>> import eagerflow as tf
    >>> tf.keras.regularizers.get("l2").get_config()
    {'l2': 0.01}
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
