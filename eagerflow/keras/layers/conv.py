"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose (channels_last computation; channels_first
inputs are transposed around it).

>>> import eagerflow as tf
>>> tf.keras.layers.Conv2D(4, 3, padding="same")(tf.ones((1, 8, 8, 2))).shape
TensorShape([1, 8, 8, 4])
"""
from __future__ import annotations

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import activations as _activations
from .. import backend as _backend
from .base import Layer
from .core import positive_int
from .input_spec import InputSpec
from .weight_options import set_weight_options, weight_options_config

__all__ = ["Conv1D", "Conv2D", "Conv2DTranspose", "Convolution1D", "Convolution2D", "Conv2DTranspose",
           "normalize_tuple", "normalize_padding", "normalize_data_format", "conv_output_length",
           "deconv_output_length"]


def normalize_tuple(value, n: int, name: str, allow_zero=False) -> tuple:
    """An int or an n-sequence of ints as an n-tuple (Keras's argument rules)."""
    values = (value,) * n if isinstance(value, int) else tuple(value) if isinstance(value, (list, tuple)) else None
    low = 0 if allow_zero else 1
    if values is None or len(values) != n or not all(isinstance(v, int) and v >= low for v in values):
        req = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value} "
                         f"(each value must be an integer {req})")
    return values


def normalize_padding(value, allowed=("valid", "same")) -> str:
    padding = str(value).lower()
    if padding not in allowed:
        raise ValueError(f"The `padding` argument must be a list/tuple or one of {allowed}. Received: {value}")
    return padding


def normalize_data_format(value) -> str:
    data_format = _backend.image_data_format() if value is None else str(value).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
                         f"Received: data_format={value}")
    return data_format


def conv_output_length(length, kernel, padding: str, stride: int, dilation: int = 1):
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    if padding == "valid":
        out = (length - span) // stride + 1
    else:  # same, causal
        out = (length + stride - 1) // stride
    return max(out, 0)


def deconv_output_length(length, kernel, padding: str, output_padding, stride: int, dilation: int = 1):
    if length is None:
        return None
    span = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        return length * stride + max(span - stride, 0) if padding == "valid" else length * stride
    pad = span // 2 if padding == "same" else 0
    return (length - 1) * stride + span - 2 * pad + output_padding


class _Conv(Layer):
    """Shared arguments, weights and shape logic of the N-D convolutions."""

    rank = 2
    _PADDINGS = ("valid", "same")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters = positive_int("filters", filters)
        self.groups = positive_int("groups", groups)
        if self.filters % self.groups:
            raise ValueError("The number of filters must be evenly divisible by the number of groups. Received: "
                             f"groups={groups}, filters={filters}.")
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        self.padding = normalize_padding(padding, self._PADDINGS)
        if self.padding == "causal" and self.rank != 1:
            raise ValueError("Causal padding is only supported for `Conv1D`.")
        self.data_format = normalize_data_format(data_format)
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_options(self, ("kernel", "bias"), locals())
        self.input_spec = InputSpec(min_ndim=self.rank + 2)

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _kernel_shape(self, in_channels: int) -> tuple:
        return self.kernel_size + (in_channels // self.groups, self.filters)

    def build(self, input_shape):
        in_channels = input_shape[self._channel_axis]
        if in_channels is None:
            raise ValueError(f"The channel dimension of the inputs to {type(self).__name__} should be defined. "
                             f"Found None. Full input shape received: {tuple(input_shape)}")
        if in_channels % self.groups:
            raise ValueError("The number of input channels must be evenly divisible by the number of groups. "
                             f"Received groups={self.groups}, but the input has {in_channels} channels (full input "
                             f"shape is {tuple(input_shape)}).")
        self.compute_output_shape(input_shape)  # an input too small for the kernel: ValueError before weights
        self.kernel = self.add_weight(name="kernel", shape=self._kernel_shape(in_channels),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis: in_channels})
        self.built = True

    def _to_channels_last(self, x):
        if self.data_format == "channels_last":
            return x
        return tf.transpose(x, [0] + list(range(2, self.rank + 2)) + [1])

    def _from_channels_last(self, x):
        if self.data_format == "channels_last":
            return x
        return tf.transpose(x, [0, self.rank + 1] + list(range(1, self.rank + 1)))

    def _convolve(self, x):
        padding = self.padding.upper()
        if self.rank == 1:
            if self.padding == "causal":
                x = tf.pad(x, [[0, 0], [(self.kernel_size[0] - 1) * self.dilation_rate[0], 0], [0, 0]])
                padding = "VALID"
            return tf.nn.conv1d(x, self.kernel, self.strides[0], padding, dilations=self.dilation_rate[0])
        return tf.nn.conv2d(x, self.kernel, self.strides, padding, dilations=self.dilation_rate)

    def call(self, inputs):
        if not inputs.dtype.is_floating:
            inputs = tf.cast(inputs, self.compute_dtype)
        x = self._convolve(self._to_channels_last(inputs))
        if self.bias is not None:
            x = tf.nn.bias_add(x, self.bias)
        x = self._from_channels_last(x)
        return x if self.activation is _activations.linear else self.activation(x)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        out = tuple(conv_output_length(n, k, self.padding, s, d) for n, k, s, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(f"Computed output size would be zero or negative. Received `inputs shape={input_shape}`"
                             f", `kernel shape={self.kernel_size}`, `dilation_rate={self.dilation_rate}`, "
                             f"`strides={self.strides}`, `padding={self.padding}`.")
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (self.filters,)
        return (input_shape[0], self.filters) + out

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format, "dilation_rate": self.dilation_rate,
            "groups": self.groups, "activation": _activations.serialize(self.activation), "use_bias": self.use_bias,
            **weight_options_config(self, ("kernel", "bias"))})
        return config


class Conv1D(_Conv):
    """1-D convolution over (batch, steps, channels) (padding 'valid', 'same' or 'causal').

    >>> import eagerflow as tf
    >>> tf.keras.layers.Conv1D(2, 3)(tf.ones((1, 8, 3))).shape
    TensorShape([1, 6, 2])
    """

    rank = 1
    _PADDINGS = ("valid", "same", "causal")


class Conv2D(_Conv):
    """2-D convolution over (batch, height, width, channels).

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.Conv2D(2, 3)
    >>> layer(tf.ones((1, 8, 8, 3))).shape, layer.kernel.shape
    (TensorShape([1, 6, 6, 2]), TensorShape([3, 3, 3, 2]))
    """

    rank = 2


class Conv2DTranspose(_Conv):
    """Transposed 2-D convolution (the gradient of Conv2D): upsamples by `strides`.

    >>> import eagerflow as tf
    >>> tf.keras.layers.Conv2DTranspose(2, 3, strides=2, padding="same")(tf.ones((1, 4, 4, 3))).shape
    TensorShape([1, 8, 8, 2])
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, self.rank, "output_padding", allow_zero=True)
            for p, s in zip(self.output_padding, self.strides):
                if p >= s:
                    raise ValueError(f"Strides {self.strides} must be greater than output padding "
                                     f"{self.output_padding}.")

    def _kernel_shape(self, in_channels: int) -> tuple:
        return self.kernel_size + (self.filters, in_channels)

    def _spatial_out(self, spatial) -> tuple:
        pads = self.output_padding or (None,) * self.rank
        return tuple(deconv_output_length(n, k, self.padding, p, s, d) for n, k, p, s, d in
                     zip(spatial, self.kernel_size, pads, self.strides, self.dilation_rate))

    def _convolve(self, x):
        static = x.shape.as_list()
        out = self._spatial_out(static[1:-1])
        dynamic = tf.shape(x)
        batch = static[0] if static[0] is not None else dynamic[0]
        sizes = [o if o is not None else None for o in out]
        if None in sizes:
            raise ValueError(f"{type(self).__name__} needs static spatial dimensions; got input shape {static}.")
        return tf.nn.conv2d_transpose(x, self.kernel, [batch] + sizes + [self.filters], self.strides,
                                      padding=self.padding.upper(), dilations=self.dilation_rate)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        out = self._spatial_out(spatial)
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (self.filters,)
        return (input_shape[0], self.filters) + out

    def get_config(self):
        config = super().get_config()
        config.pop("groups")
        ordered = {}
        for key, value in config.items():
            ordered[key] = value
            if key == "padding":
                ordered["output_padding"] = self.output_padding
        return ordered


Convolution1D, Convolution2D = Conv1D, Conv2D
