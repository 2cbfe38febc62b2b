"""Preprocessing layers: Rescaling and Normalization (with `adapt`).

>>> import eagerflow as tf
>>> norm = tf.keras.layers.Normalization()
>>> norm.adapt([[1.0], [3.0]])
>>> norm(tf.constant([[1.0], [3.0]])).numpy().ravel()
array([-1.,  1.], dtype=float32)
"""
from __future__ import annotations

import numpy as np

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import backend as _backend
from .base import Layer

__all__ = ["Rescaling", "Normalization"]


class Rescaling(Layer):
    """`inputs * scale + offset` in the layer's float dtype (e.g. 1/255 for pixels).

    >>> import eagerflow as tf
    >>> tf.keras.layers.Rescaling(1 / 255)(tf.constant([255.0])).numpy()
    array([1.], dtype=float32)
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset
        self.supports_masking = True

    def call(self, inputs):
        x = tf.cast(inputs, self.compute_dtype) if inputs.dtype != tf.as_dtype(self.compute_dtype) else inputs
        scale = tf.cast(self.scale, x.dtype) if not isinstance(self.scale, (int, float)) else self.scale
        offset = tf.cast(self.offset, x.dtype) if not isinstance(self.offset, (int, float)) else self.offset
        return x * scale + offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"scale": _plain(self.scale), "offset": _plain(self.offset)})
        return config


def _plain(value):
    if isinstance(value, (int, float)):
        return value
    arr = np.asarray(value)
    return arr.item() if arr.ndim == 0 else arr.tolist()


class Normalization(Layer):
    """Standardizes features: `(x - mean) / sqrt(variance)` per index of `axis` (the kept axes).

    The statistics come from `mean`/`variance` arguments or from `adapt(data)`; they are stored as
    non-trainable weights. `invert=True` maps standardized values back.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        if (mean is None) != (variance is None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. Received: "
                             f"mean={mean} and variance={variance}")
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self.supports_masking = True

    def build(self, input_shape):
        if input_shape is None:
            return
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim={ndim}"
                             f", while axis={self.axis}")
        self._keep_axis = sorted(a % ndim for a in self.axis)
        shape = tuple(input_shape[a] for a in self._keep_axis)
        if None in shape:
            raise ValueError(f"All `axis` values to be kept must have a known shape. Received axis={self.axis}, "
                             f"inputs.shape={tuple(input_shape)}, with unknown axis at index "
                             f"{[a for a in self._keep_axis if input_shape[a] is None][0]}")
        self._broadcast_shape = [input_shape[a] if a in self._keep_axis else 1 for a in range(ndim)]
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=shape, initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=shape, initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros", trainable=False)
        else:
            # NumPy, not tensors: a tensor made while tracing would belong to that one graph.
            dtype = self.compute_dtype
            self._const_mean = np.broadcast_to(np.asarray(self.input_mean, dtype), shape)
            self._const_variance = np.broadcast_to(np.asarray(self.input_variance, dtype), shape)
        self.built = True

    def adapt(self, data, batch_size=None, steps=None):
        """Computes the mean and variance of `data` (an array, tensor, or iterable of batches)."""
        if isinstance(data, (np.ndarray, list, tuple)) or tf.is_tensor(data):
            batches = [np.asarray(data, dtype=np.float64)]
        else:
            batches = [np.asarray(b, dtype=np.float64) for b in (data if steps is None else
                                                                  (b for i, b in enumerate(data) if i < steps))]
        if not batches:
            raise ValueError("`adapt()` received no data.")
        if not self.built:
            self.build((None,) + batches[0].shape[1:])
        if self.input_mean is not None:
            raise ValueError("Cannot adapt a Normalization layer created with explicit `mean` and `variance`.")
        ndim = batches[0].ndim
        reduce = tuple(a for a in range(ndim) if a not in self._keep_axis)
        total = sum(int(np.prod([b.shape[a] for a in reduce])) for b in batches)
        mean = sum(b.sum(axis=reduce) for b in batches) / total
        var = sum(((b - mean.reshape(self._broadcast_shape)) ** 2).sum(axis=reduce) for b in batches) / total
        self.adapt_mean.assign(mean.astype(self.adapt_mean.dtype.as_numpy_dtype))
        self.adapt_variance.assign(var.astype(self.adapt_variance.dtype.as_numpy_dtype))
        self.count.assign(np.int64(total))

    def _stats(self):
        if self.input_mean is None:
            mean, variance = tf.convert_to_tensor(self.adapt_mean), tf.convert_to_tensor(self.adapt_variance)
        else:
            mean, variance = tf.constant(self._const_mean), tf.constant(self._const_variance)
        return tf.reshape(mean, self._broadcast_shape), tf.reshape(variance, self._broadcast_shape)

    def call(self, inputs):
        x = tf.cast(inputs, self.compute_dtype) if inputs.dtype != tf.as_dtype(self.compute_dtype) else inputs
        mean, variance = self._stats()
        std = tf.maximum(tf.sqrt(variance), _backend.epsilon())
        if self.invert:
            return mean + x * std
        return (x - mean) / std

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "invert": self.invert, "mean": _maybe_list(self.input_mean),
                       "variance": _maybe_list(self.input_variance)})
        return config


def _maybe_list(value):
    if value is None:
        return None
    arr = np.asarray(value)
    return arr.item() if arr.ndim == 0 else arr.tolist()
