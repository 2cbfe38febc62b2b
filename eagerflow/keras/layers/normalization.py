"""BatchNormalization, LayerNormalization, GroupNormalization and UnitNormalization.

BatchNormalization normalizes with the batch's statistics in training (and moves its non-trainable
`moving_mean` / `moving_variance` towards them), with the moving statistics in inference. A frozen
layer (`trainable=False`) always runs in inference mode, as in Keras.

>>> import eagerflow as tf
>>> bn = tf.keras.layers.BatchNormalization()
>>> y = bn(tf.constant([[1.0], [3.0]]), training=True)
>>> [w.name for w in bn.weights]
['gamma', 'beta', 'moving_mean', 'moving_variance']
"""
from __future__ import annotations

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import constraints as _constraints
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from .base import Layer
from .input_spec import InputSpec

__all__ = ["BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization"]


def _normalize_axes(axis, ndim: int, layer: str) -> list:
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    out = []
    for a in axes:
        if not isinstance(a, int) or not -ndim <= a < ndim:
            raise ValueError(f"Invalid axis {a} for {layer}: the input has rank {ndim}.")
        out.append(a % ndim)
    return sorted(set(out))


def _param_shape(input_shape, axes) -> tuple:
    return tuple(input_shape[a] for a in axes)


def _broadcast(param, ndim: int, axes):
    """`param` (shaped like the kept axes) reshaped to broadcast against the input."""
    if axes == [ndim - 1]:
        return param
    shape = [1] * ndim
    for a, n in zip(axes, param.shape.as_list()):
        shape[a] = n
    return tf.reshape(param, shape)


class _ScaleShift(Layer):
    """The learned scale (gamma) and shift (beta) both normalization layers share: settings, weights, config."""

    def _set_scale_shift(self, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                         beta_constraint, gamma_constraint) -> None:
        self.beta_initializer = _initializers.get(beta_initializer)
        self.gamma_initializer = _initializers.get(gamma_initializer)
        self.beta_regularizer = _regularizers.get(beta_regularizer)
        self.gamma_regularizer = _regularizers.get(gamma_regularizer)
        self.beta_constraint = _constraints.get(beta_constraint)
        self.gamma_constraint = _constraints.get(gamma_constraint)

    def _add_scale_shift(self, shape, scale: bool, center: bool) -> None:
        self.gamma = self.beta = None
        if scale:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if center:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)

    def _scale_shift_config(self) -> dict:
        return {"beta_initializer": _initializers.serialize(self.beta_initializer),
                "gamma_initializer": _initializers.serialize(self.gamma_initializer),
                "beta_regularizer": _regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": _regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": _constraints.serialize(self.beta_constraint),
                "gamma_constraint": _constraints.serialize(self.gamma_constraint)}


class BatchNormalization(_ScaleShift):
    """Normalizes each feature (along `axis`) to zero mean and unit variance, then scales and shifts."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 synchronized=False, **kwargs):
        kwargs.pop("renorm", None)
        kwargs.pop("renorm_clipping", None)
        kwargs.pop("renorm_momentum", None)
        super().__init__(**kwargs)
        self.axis = int(axis) if not isinstance(axis, (list, tuple)) else list(axis)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.synchronized = bool(synchronized)
        self._set_scale_shift(beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                              beta_constraint, gamma_constraint)
        self.moving_mean_initializer = _initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = _initializers.get(moving_variance_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        self._axes = _normalize_axes(self.axis, ndim, "BatchNormalization")
        shape = _param_shape(input_shape, self._axes)
        if None in shape:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f"received an input with shape {tuple(input_shape)}.")
        self._reduce = [a for a in range(ndim) if a not in self._axes]
        self._add_scale_shift(shape, self.scale, self.center)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean", initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer, trainable=False)
        given = self.axis if isinstance(self.axis, list) else [self.axis]
        self.input_spec = InputSpec(ndim=ndim, axes={a: input_shape[a] for a in given})
        self.built = True

    def call(self, inputs, training=None, mask=None):
        ndim = len(self._reduce) + len(self._axes)
        if training and self.trainable:
            mean, variance = tf.nn.moments(inputs, axes=self._reduce)
            m = self.momentum
            self.moving_mean.assign(self.moving_mean * m + tf.stop_gradient(mean) * (1.0 - m))
            self.moving_variance.assign(self.moving_variance * m + tf.stop_gradient(variance) * (1.0 - m))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        gamma = None if self.gamma is None else _broadcast(tf.convert_to_tensor(self.gamma), ndim, self._axes)
        beta = None if self.beta is None else _broadcast(tf.convert_to_tensor(self.beta), ndim, self._axes)
        mean = _broadcast(tf.convert_to_tensor(mean), ndim, self._axes)
        variance = _broadcast(tf.convert_to_tensor(variance), ndim, self._axes)
        return tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale, **self._scale_shift_config(),
            "moving_mean_initializer": _initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": _initializers.serialize(self.moving_variance_initializer),
            "synchronized": self.synchronized, "renorm": False, "renorm_clipping": None, "renorm_momentum": 0.99})
        return config


class LayerNormalization(_ScaleShift):
    """Normalizes each example over `axis` (the last by default), then scales and shifts.

    >>> import eagerflow as tf
    >>> y = tf.keras.layers.LayerNormalization(epsilon=0.0)(tf.constant([[1.0, 3.0]]))
    >>> y.numpy()
    array([[-1.,  1.]], dtype=float32)
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.epsilon = float(epsilon)
        self.center, self.scale, self.rms_scaling = bool(center), bool(scale), bool(rms_scaling)
        self._set_scale_shift(beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                              beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        self._axes = _normalize_axes(self.axis, ndim, "LayerNormalization")
        shape = _param_shape(input_shape, self._axes)
        if None in shape:
            raise ValueError(f"The normalized axes {self.axis} of the input to LayerNormalization must be defined; "
                             f"received input shape {tuple(input_shape)}.")
        self._add_scale_shift(shape, self.scale or self.rms_scaling, self.center and not self.rms_scaling)
        self.built = True

    def call(self, inputs):
        ndim = inputs.shape.rank
        x = inputs
        if self.rms_scaling:  # Keras 3's (deprecated) definition: scaled by the variance, not the RMS
            _, variance = tf.nn.moments(x, axes=self._axes, keepdims=True)
            out = x * tf.math.rsqrt(variance + self.epsilon)
            return out * _broadcast(tf.convert_to_tensor(self.gamma), ndim, self._axes)
        mean, variance = tf.nn.moments(x, axes=self._axes, keepdims=True)
        gamma = None if self.gamma is None else _broadcast(tf.convert_to_tensor(self.gamma), ndim, self._axes)
        beta = None if self.beta is None else _broadcast(tf.convert_to_tensor(self.beta), ndim, self._axes)
        return tf.nn.batch_normalization(x, mean, variance, beta, gamma, self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis, "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
            "rms_scaling": self.rms_scaling, **self._scale_shift_config()})
        return config


class GroupNormalization(_ScaleShift):
    """Splits the channels (`axis`) into `groups` and normalizes each example over every group's
    channels and all non-batch axes, then scales and shifts per channel. `groups=-1` is instance
    normalization (one group per channel); `groups=1` normalizes like LayerNormalization over all axes.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.GroupNormalization(groups=2, epsilon=0.0)
    >>> layer(tf.constant([[1.0, 3.0, 5.0, 9.0]])).numpy()
    array([[-1.,  1., -1.,  1.]], dtype=float32)
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError("Received an invalid value for argument `groups`, expected a positive integer (or `-1` "
                             f"for instance normalization). Received: groups={groups}")
        super().__init__(**kwargs)
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center, self.scale = center, scale
        self._set_scale_shift(beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                              beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        self._axis = _normalize_axes(self.axis, ndim, "GroupNormalization")[0]
        dim = input_shape[self._axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f"received an input with shape {tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = dim  # as Keras: the config then shows the number of groups used
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number of channels ({dim}).")
        if dim % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the number of channels ({dim}).")
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})
        self._add_scale_shift((dim,), self.scale, self.center)
        self.built = True

    def call(self, inputs):
        ndim, a, groups = inputs.shape.rank, self._axis, self.groups
        per_group = inputs.shape[a] // groups
        dynamic = tf.shape(inputs)
        # The input with the channel axis split in two: (..., groups, channels per group, ...).
        split = [-1] + [d if d is not None else dynamic[i] for i, d in enumerate(inputs.shape.as_list()[1:], 1)]
        split[a:a + 1] = [groups, per_group]
        x = inputs
        if x.dtype == tf.float16 or x.dtype == tf.bfloat16:  # statistics in float32 at least, as Keras
            x = tf.cast(x, tf.float32)
        x = tf.reshape(x, tf.stack(split) if any(tf.is_tensor(d) for d in split) else split)
        reduce = [i for i in range(1, ndim + 1) if i != a]
        mean, variance = tf.nn.moments(x, axes=reduce, keepdims=True)
        inv = tf.math.rsqrt(variance + tf.cast(self.epsilon, x.dtype))
        param_shape = [1] * (ndim + 1)
        param_shape[a:a + 2] = [groups, per_group]
        if self.gamma is not None:
            inv = inv * tf.cast(tf.reshape(self.gamma, param_shape), x.dtype)
        shift = -mean * inv
        if self.beta is not None:
            shift = shift + tf.cast(tf.reshape(self.beta, param_shape), x.dtype)
        out = tf.reshape(x * inv + shift, dynamic)
        return tf.cast(out, inputs.dtype)

    def compute_output_shape(self, input_shape):
        axis = self.axis
        if axis >= len(input_shape) or axis < -len(input_shape):
            raise ValueError(f"Axis {axis} is out of bounds for input shape {tuple(input_shape)}. "
                             f"Received: axis={self.axis}")
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"groups": self.groups, "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                       "scale": self.scale, **self._scale_shift_config()})
        return config


class UnitNormalization(Layer):
    """Scales each example to unit L2 norm over `axis` (an int or a list of axes).

    >>> import eagerflow as tf
    >>> tf.keras.layers.UnitNormalization()(tf.constant([[3.0, 4.0]])).numpy()
    array([[0.6, 0.8]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError("Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                            f"Received: axis={axis}")
        self.supports_masking = True

    def _check_axes(self, input_shape) -> None:
        ndim = len(input_shape)
        for a in (self.axis if isinstance(self.axis, list) else [self.axis]):
            if a >= ndim or a < -ndim:
                raise ValueError(f"Axis {self.axis} is out of bounds for input shape {tuple(input_shape)}.")

    def build(self, input_shape):
        self._check_axes(input_shape)
        self.built = True

    def call(self, inputs):
        square_sum = tf.reduce_sum(tf.square(inputs), axis=self.axis, keepdims=True)
        # rsqrt(0) is inf: the cap (1 / 1e-12) keeps an all-zero example at zero instead of nan.
        inv_norm = tf.minimum(tf.math.rsqrt(square_sum), tf.cast(1e12, inputs.dtype))
        return inputs * inv_norm

    def compute_output_shape(self, input_shape):
        self._check_axes(input_shape)
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
