"""More convolution layers: depthwise and separable convolutions (1-D, 2-D), Conv3D and the 1-D / 3-D
transposed convolutions. They share the argument checks and channels_first handling of conv.py.

>>> import eagerflow as tf
>>> tf.keras.layers.SeparableConv2D(4, 3, padding="same")(tf.ones((1, 6, 6, 2))).shape
TensorShape([1, 6, 6, 4])
"""
from __future__ import annotations

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import activations as _activations
from .base import Layer
from .conv import (_Conv, Conv2DTranspose, conv_output_length, normalize_data_format, normalize_padding,
                   normalize_tuple)
from .input_spec import InputSpec
from .weight_options import set_weight_options, weight_options_config

__all__ = ["DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "Conv1DTranspose",
           "Conv3D", "Conv3DTranspose", "Convolution3D", "SeparableConvolution1D", "SeparableConvolution2D",
           "Convolution3DTranspose"]


def _strictly_positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Invalid value for argument `{name}`. Expected a strictly positive value. "
                         f"Received {name}={value}.")
    return value


# ---- depthwise and separable convolutions ------------------------------------------------------------------

class _DepthwiseBase(_Conv):
    """Per-channel spatial filtering (`depth_multiplier` filters per input channel), 1-D or 2-D.

    Reuses _Conv's channel-layout helpers; the weights and arguments are the depthwise ones.
    """

    rank = 2

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        Layer.__init__(self, activity_regularizer=activity_regularizer, **kwargs)
        self.depth_multiplier = _strictly_positive("depth_multiplier", depth_multiplier)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_options(self, ("depthwise", "bias"), locals())
        self.input_spec = InputSpec(min_ndim=self.rank + 2)

    def _in_channels(self, input_shape) -> int:
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"The channel dimension of the inputs to {type(self).__name__} should be defined. "
                             f"Found None. Full input shape received: {tuple(input_shape)}")
        return int(channels)

    def _out_channels(self, in_channels):
        return None if in_channels is None else in_channels * self.depth_multiplier

    def build(self, input_shape):
        channels = self._in_channels(input_shape)
        self.compute_output_shape(input_shape)
        self._build_kernels(channels)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self._out_channels(channels),),
                                        initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def _build_kernels(self, channels: int) -> None:
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
                                      initializer=self.depthwise_initializer,
                                      regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)

    def _depthwise(self, x, kernel):
        """Depthwise convolution of channels_last `x`; 1-D runs as 2-D over a unit height."""
        if self.rank == 1:
            y = tf.nn.depthwise_conv2d(tf.expand_dims(x, 1), tf.expand_dims(kernel, 0),
                                       [1, 1, self.strides[0], 1], self.padding.upper(),
                                       dilations=(1, self.dilation_rate[0]))
            return tf.squeeze(y, [1])
        return tf.nn.depthwise_conv2d(x, kernel, [1, *self.strides, 1], self.padding.upper(),
                                      dilations=self.dilation_rate)

    def _convolve(self, x):
        return self._depthwise(x, self.kernel)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        out = tuple(conv_output_length(n, k, self.padding, s, d) for n, k, s, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(f"Computed output size would be zero or negative. Received `inputs shape={input_shape}`"
                             f", `kernel shape={self.kernel_size}`, `dilation_rate={self.dilation_rate}`, "
                             f"`strides={self.strides}`, `padding={self.padding}`.")
        channels = self._out_channels(input_shape[-1 if last else 1])
        return (input_shape[0],) + out + (channels,) if last else (input_shape[0], channels) + out

    def _head_config(self) -> dict:
        return {"depth_multiplier": self.depth_multiplier, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "activation": _activations.serialize(self.activation),
                "use_bias": self.use_bias}

    def get_config(self):
        config = Layer.get_config(self)
        config.update(self._head_config())
        config.update({
            **weight_options_config(self, ("depthwise", "bias"))})
        return config


class DepthwiseConv1D(_DepthwiseBase):
    """1-D depthwise convolution: each input channel gets its own `depth_multiplier` filters.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.DepthwiseConv1D(3, depth_multiplier=2)
    >>> layer(tf.ones((1, 6, 2))).shape, layer.kernel.shape
    (TensorShape([1, 4, 4]), TensorShape([3, 2, 2]))
    """

    rank = 1


class DepthwiseConv2D(_DepthwiseBase):
    """2-D depthwise convolution: output channel `c * depth_multiplier + m` filters input channel `c`.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.DepthwiseConv2D(3)
    >>> layer(tf.ones((1, 5, 5, 2))).shape, layer.kernel.shape
    (TensorShape([1, 3, 3, 2]), TensorShape([3, 3, 2, 1]))
    """

    rank = 2

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), **kwargs):
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate, **kwargs)


class _SeparableBase(_DepthwiseBase):
    """A depthwise convolution followed by a pointwise (1x1) convolution to `filters` channels."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)
        self.filters = _strictly_positive("filters", filters)
        set_weight_options(self, ("pointwise",), locals())

    def _out_channels(self, in_channels):
        return self.filters

    def _build_kernels(self, channels: int) -> None:
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel", shape=(1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)

    def _convolve(self, x):
        y = self._depthwise(x, self.depthwise_kernel)
        if self.rank == 1:
            return tf.nn.conv1d(y, self.pointwise_kernel, 1, "VALID")
        return tf.nn.conv2d(y, self.pointwise_kernel, 1, "VALID")

    def _head_config(self) -> dict:
        config = {"depth_multiplier": self.depth_multiplier, "filters": self.filters}
        config.update({k: v for k, v in super()._head_config().items() if k != "depth_multiplier"})
        return config

    def get_config(self):
        config = Layer.get_config(self)
        config.update(self._head_config())
        config.update({
            **weight_options_config(self, ("depthwise", "pointwise", "bias"))})
        return config


class SeparableConv1D(_SeparableBase):
    """1-D separable convolution: depthwise (per channel) then pointwise to `filters` channels.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.SeparableConv1D(4, 3)
    >>> layer(tf.ones((1, 6, 2))).shape, [w.shape.as_list() for w in layer.weights]
    (TensorShape([1, 4, 4]), [[3, 2, 1], [1, 2, 4], [4]])
    """

    rank = 1


class SeparableConv2D(_SeparableBase):
    """2-D separable convolution: depthwise (per channel) then a 1x1 convolution to `filters` channels.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.SeparableConv2D(4, 3, depth_multiplier=2)
    >>> layer(tf.ones((1, 5, 5, 2))).shape, [w.shape.as_list() for w in layer.weights]
    (TensorShape([1, 3, 3, 4]), [[3, 3, 2, 2], [1, 1, 4, 4], [4]])
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                         **kwargs)


# ---- Conv3D and the 1-D / 3-D transposed convolutions ------------------------------------------------------

class Conv3D(_Conv):
    """3-D convolution over (batch, depth, height, width, channels).

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.Conv3D(4, 2)
    >>> layer(tf.ones((1, 3, 3, 3, 2))).shape, layer.kernel.shape
    (TensorShape([1, 2, 2, 2, 4]), TensorShape([2, 2, 2, 2, 4]))
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, **kwargs)

    def _convolve(self, x):
        return tf.nn.conv3d(x, self.kernel, [1, *self.strides, 1], self.padding.upper(),
                            dilations=[1, *self.dilation_rate, 1])


class _ConvTransposeN(Conv2DTranspose):
    """Conv2DTranspose's shape rules and config for another rank; `_convolve` picks the op."""

    def _check_output_padding(self):
        if self.output_padding is None:
            return
        for i, (p, s) in enumerate(zip(self.output_padding, self.strides)):
            if p >= s:
                raise ValueError("`output_padding` must be strictly less than `strides` for all dimensions. At "
                                 f"dimension {i}, `output_padding` is {p} but `strides` is {s}. Received: "
                                 f"output_padding={self.output_padding}, strides={self.strides}")

    def _convolve(self, x):
        static = x.shape.as_list()
        out = self._spatial_out(static[1:-1])
        if None in out:
            raise ValueError(f"{type(self).__name__} needs static spatial dimensions; got input shape {static}.")
        batch = static[0] if static[0] is not None else tf.shape(x)[0]
        output_shape = [batch, *out, self.filters]
        if self.rank == 1:
            return tf.nn.conv1d_transpose(x, self.kernel, output_shape, self.strides[0],
                                          padding=self.padding.upper(), dilations=self.dilation_rate[0])
        return tf.nn.conv3d_transpose(x, self.kernel, output_shape, [1, *self.strides, 1],
                                      padding=self.padding.upper(), dilations=[1, *self.dilation_rate, 1])


class Conv1DTranspose(_ConvTransposeN):
    """Transposed 1-D convolution (the gradient of Conv1D): upsamples the steps by `strides`.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.Conv1DTranspose(4, 3, strides=2)
    >>> layer(tf.ones((1, 6, 2))).shape, layer.kernel.shape
    (TensorShape([1, 13, 4]), TensorShape([3, 4, 2]))
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, **kwargs):
        # the base checks output_padding against strides before the rank is known: check it here instead
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, self.rank, "output_padding", allow_zero=True)
        self._check_output_padding()


class Conv3DTranspose(_ConvTransposeN):
    """Transposed 3-D convolution (the gradient of Conv3D): upsamples depth, height and width by `strides`.

    >>> import eagerflow as tf
    >>> tf.keras.layers.Conv3DTranspose(4, 2, strides=2)(tf.ones((1, 3, 3, 3, 2))).shape
    TensorShape([1, 6, 6, 6, 4])
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 output_padding=None, dilation_rate=(1, 1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, self.rank, "output_padding", allow_zero=True)
        self._check_output_padding()


Convolution3D, Convolution3DTranspose = Conv3D, Conv3DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
