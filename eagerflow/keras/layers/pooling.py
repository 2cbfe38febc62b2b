"""Pooling layers: Max/Average pooling (1-D, 2-D, 3-D) and their global versions.

>>> import eagerflow as tf
>>> tf.keras.layers.MaxPooling2D()(tf.ones((1, 4, 4, 3))).shape
TensorShape([1, 2, 2, 3])
"""
from __future__ import annotations

import eagerflow as tf  # public ops only; attributes are read at call time
from .base import Layer
from .conv import conv_output_length, normalize_data_format, normalize_padding, normalize_tuple
from .input_spec import InputSpec

__all__ = ["MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "GlobalAveragePooling1D",
           "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "MaxPool1D", "MaxPool2D",
           "AvgPool1D", "AvgPool2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D",
           "MaxPooling3D", "AveragePooling3D", "GlobalMaxPooling3D", "GlobalAveragePooling3D", "MaxPool3D", "AvgPool3D",
           "GlobalMaxPool3D", "GlobalAvgPool3D"]


class _Pooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        x = inputs
        first = self.data_format == "channels_first"
        if first:
            x = tf.transpose(x, [0] + list(range(2, self.rank + 2)) + [1])
        pool = {(1, "max"): tf.nn.max_pool1d, (2, "max"): tf.nn.max_pool2d,
                (1, "avg"): tf.nn.avg_pool1d, (2, "avg"): tf.nn.avg_pool2d,
                (3, "max"): tf.nn.max_pool3d, (3, "avg"): tf.nn.avg_pool3d}[(self.rank, self.mode)]
        x = pool(x, self.pool_size, self.strides, self.padding.upper())
        if first:
            x = tf.transpose(x, [0, self.rank + 1] + list(range(1, self.rank + 1)))
        return x

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        out = tuple(conv_output_length(n, k, self.padding, s) for n, k, s in
                    zip(spatial, self.pool_size, self.strides))
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(f"Computed output size would be negative. Received: inputs.shape={input_shape} and "
                             f"pool_size={self.pool_size}.")
        channels = input_shape[-1] if last else input_shape[1]
        return (input_shape[0],) + out + (channels,) if last else (input_shape[0], channels) + out

    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "padding": self.padding, "strides": self.strides,
                       "data_format": self.data_format})
        return config


class MaxPooling1D(_Pooling):
    """Max over windows of `pool_size` steps.

    >>> import eagerflow as tf
    >>> tf.keras.layers.MaxPooling1D()(tf.constant([[[1.0], [3.0], [2.0], [0.0]]])).numpy().ravel()
    array([3., 2.], dtype=float32)
    """

    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(_Pooling):
    """Max over `pool_size` windows of (height, width)."""

    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_Pooling):
    """Mean over windows of `pool_size` steps ('same' padding averages the real elements only)."""

    rank, mode = 1, "avg"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pooling):
    """Mean over `pool_size` windows of (height, width)."""

    rank, mode = 2, "avg"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class _GlobalPooling(Layer):
    rank = 2
    mode = "avg"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self) -> list:
        if self.data_format == "channels_last":
            return list(range(1, self.rank + 1))
        return list(range(2, self.rank + 2))

    def call(self, inputs):
        reduce = tf.reduce_mean if self.mode == "avg" else tf.reduce_max
        return reduce(inputs, axis=self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps axis (over the unmasked steps only, given a mask).

    >>> import eagerflow as tf
    >>> tf.keras.layers.GlobalAveragePooling1D()(tf.ones((2, 5, 3))).shape
    TensorShape([2, 3])
    """

    rank, mode = 1, "avg"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format, keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        axis = self._axes()[0]
        weights = tf.cast(mask, inputs.dtype)
        weights = tf.expand_dims(weights, 2 if self.data_format == "channels_last" else 1)
        total = tf.reduce_sum(inputs * weights, axis=axis, keepdims=self.keepdims)
        return total / tf.reduce_sum(weights, axis=axis, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over height and width."""

    rank, mode = 2, "avg"


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over the steps axis."""

    rank, mode = 1, "max"


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over height and width."""

    rank, mode = 2, "max"


MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D


class MaxPooling3D(_Pooling):
    """Max over `pool_size` windows of (depth, height, width).

    >>> import eagerflow as tf
    >>> tf.keras.layers.MaxPooling3D()(tf.ones((1, 4, 4, 4, 3))).shape
    TensorShape([1, 2, 2, 2, 3])
    """

    rank, mode = 3, "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(_Pooling):
    """Mean over `pool_size` windows of (depth, height, width).

    >>> import eagerflow as tf
    >>> tf.keras.layers.AveragePooling3D(2, padding="same")(tf.ones((1, 3, 3, 3, 1))).shape
    TensorShape([1, 2, 2, 2, 1])
    """

    rank, mode = 3, "avg"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over depth, height and width.

    >>> import eagerflow as tf
    >>> tf.keras.layers.GlobalAveragePooling3D(keepdims=True)(tf.ones((2, 3, 3, 3, 4))).shape
    TensorShape([2, 1, 1, 1, 4])
    """

    rank, mode = 3, "avg"


class GlobalMaxPooling3D(_GlobalPooling):
    """Max over depth, height and width.

    >>> import eagerflow as tf
    >>> tf.keras.layers.GlobalMaxPooling3D()(tf.ones((2, 3, 3, 3, 4))).shape
    TensorShape([2, 4])
    """

    rank, mode = 3, "max"


MaxPool3D, AvgPool3D, GlobalMaxPool3D, GlobalAvgPool3D = (MaxPooling3D, AveragePooling3D, GlobalMaxPooling3D,
                                                          GlobalAveragePooling3D)
