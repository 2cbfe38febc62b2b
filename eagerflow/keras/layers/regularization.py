"""Regularization layers: GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D/2D/3D and
ActivityRegularization.

The noise layers act only in training (`training=True`, as `fit` passes it) and are the identity
at inference. Their randomness comes from eagerflow's random ops with the layer's `seed` as the
op seed, the same way `Dropout` draws its mask.

>>> import eagerflow as tf
>>> layer = tf.keras.layers.GaussianNoise(0.1)
>>> layer(tf.ones((2, 2))).numpy()   # inference: the identity
array([[1., 1.],
       [1., 1.]], dtype=float32)
"""
from __future__ import annotations

import math

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import regularizers as _regularizers
from .base import Layer
from .conv import normalize_data_format
from .core import Dropout
from .input_spec import InputSpec

__all__ = ["GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D", "SpatialDropout2D",
           "SpatialDropout3D", "ActivityRegularization"]

# SELU's constants: AlphaDropout sets dropped units to SELU's negative saturation value.
_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


def _dims(inputs) -> list:
    """The input's dimensions: ints where static, scalar tensors where unknown."""
    static = inputs.shape.as_list()
    if None not in static:
        return static
    dynamic = tf.shape(inputs)
    return [dynamic[i] if d is None else d for i, d in enumerate(static)]


def _unit_interval(name: str, value):
    """`value` when it is a number in [0, 1], else Keras's ValueError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"Invalid value received for argument `{name}`. Expected a float value between 0 and 1. "
                         f"Received: {name}={value}")
    return value


class _Noise(Layer):
    """Shape-keeping, mask-passing layers with a `seed`."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


class GaussianNoise(_Noise):
    """Adds zero-mean Gaussian noise of standard deviation `stddev` in training.

    >>> import eagerflow as tf
    >>> y = tf.keras.layers.GaussianNoise(0.5, seed=1)(tf.zeros((1000,)), training=True)
    >>> 0.4 < float(tf.math.reduce_std(y)) < 0.6
    True
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.stddev = _unit_interval("stddev", stddev)

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noise = tf.random.normal(tf.shape(inputs), mean=0.0, stddev=self.stddev, dtype=inputs.dtype,
                                 seed=self.seed)
        return inputs + noise

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config


class GaussianDropout(_Noise):
    """Multiplies the inputs by Gaussian noise of mean 1 and variance `rate / (1 - rate)` in training.

    >>> import eagerflow as tf
    >>> y = tf.keras.layers.GaussianDropout(0.5, seed=1)(tf.ones((1000,)), training=True)
    >>> 0.8 < float(tf.math.reduce_std(y)) < 1.2
    True
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _unit_interval("rate", rate)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))  # rate=1: ZeroDivisionError, as Keras
        noise = tf.random.normal(tf.shape(inputs), mean=1.0, stddev=stddev, dtype=inputs.dtype, seed=self.seed)
        return inputs * noise

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


class AlphaDropout(_Noise):
    """Dropout for SELU networks: dropped units take SELU's saturation value and an affine correction
    keeps the inputs' mean and variance (in training only).

    >>> import eagerflow as tf
    >>> y = tf.keras.layers.AlphaDropout(0.2, seed=1)(tf.ones((4, 4)), training=True)
    >>> len(set(y.numpy().ravel().round(4).tolist())) <= 2
    True
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _unit_interval("rate", rate)
        self.noise_shape = noise_shape

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = tf.shape(inputs)
        if self.noise_shape is not None:
            dims = _dims(inputs)
            shape = [dims[i] if d is None else d for i, d in enumerate(self.noise_shape)]
        kept = tf.cast(tf.greater_equal(tf.random.uniform(shape, dtype=inputs.dtype, seed=self.seed), self.rate),
                       inputs.dtype)
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        rate = self.rate
        a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config


class _SpatialDropout(Dropout):
    """Dropout of whole feature maps: one keep/drop draw per (example, channel).

    Keras 3's config for these layers holds only rate, seed, name, dtype (and data_format).
    """

    _ndim = 3

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)  # Dropout checks `rate`
        self.input_spec = InputSpec(ndim=self._ndim)

    def _channels_first(self) -> bool:
        return False

    def _noise_shape(self, inputs) -> list:
        shape = _dims(inputs)
        if self._channels_first():
            return [shape[0], shape[1]] + [1] * (self._ndim - 2)
        return [shape[0]] + [1] * (self._ndim - 2) + [shape[-1]]

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return tf.zeros_like(inputs)
        noise_shape = self._noise_shape(inputs)
        if all(isinstance(d, int) for d in noise_shape):
            return tf.nn.dropout(inputs, rate=self.rate, noise_shape=noise_shape, seed=self.seed)
        # tf.nn.dropout takes only a static noise_shape; an unknown batch size draws the same way by hand.
        keep = tf.greater_equal(tf.random.uniform(noise_shape, dtype=inputs.dtype, seed=self.seed), self.rate)
        return inputs * (tf.cast(keep, inputs.dtype) / (1.0 - self.rate))

    def get_config(self):
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of `(batch, steps, channels)` inputs in training.

    >>> import eagerflow as tf
    >>> y = tf.keras.layers.SpatialDropout1D(0.5, seed=3)(tf.ones((2, 4, 3)), training=True).numpy()
    >>> bool(((y == y[:, :1, :])).all())   # the same along the steps
    True
    """

    _ndim = 3


class _SpatialDropoutND(_SpatialDropout):
    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = normalize_data_format(data_format)

    def _channels_first(self) -> bool:
        return self.data_format == "channels_first"

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class SpatialDropout2D(_SpatialDropoutND):
    """Drops whole feature maps of 4D image inputs (`data_format` says where the channels are).

    >>> import eagerflow as tf
    >>> tf.keras.layers.SpatialDropout2D(0.5)(tf.ones((1, 2, 2, 3))).shape
    TensorShape([1, 2, 2, 3])
    """

    _ndim = 4


class SpatialDropout3D(_SpatialDropoutND):
    """Drops whole feature maps of 5D volume inputs (`data_format` says where the channels are).

    >>> import eagerflow as tf
    >>> tf.keras.layers.SpatialDropout3D(0.5)(tf.ones((1, 2, 2, 2, 3))).shape
    TensorShape([1, 2, 2, 2, 3])
    """

    _ndim = 5


class ActivityRegularization(Layer):
    """The identity, adding an L1/L2 penalty on its inputs to `layer.losses` (per example).

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.ActivityRegularization(l1=0.5)
    >>> _ = layer(tf.constant([[1.0, -3.0]]))
    >>> float(layer.losses[0])
    2.0
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=_regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"l1": self.l1, "l2": self.l2})
        return config
