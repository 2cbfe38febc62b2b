"""Activation layers with settings of their own: ReLU, LeakyReLU, PReLU, ELU and Softmax.

(`Activation("relu")` in core.py covers the plain case; these add thresholds, slopes, a learned
slope and Softmax's mask.)

>>> import eagerflow as tf
>>> tf.keras.layers.ReLU(max_value=1.0)(tf.constant([-1.0, 0.5, 3.0])).numpy()
array([0. , 0.5, 1. ], dtype=float32)
"""
from __future__ import annotations

import warnings

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import activations as _activations
from .. import constraints as _constraints
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from .base import Layer
from .input_spec import InputSpec

__all__ = ["ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax"]


def _non_negative(value, message: str):
    """`value` unchanged, or ValueError(`message`) when it is None, not a number or below zero."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(message)
    return value


class _ElementWise(Layer):
    """An activation that keeps the input's shape and passes its mask on."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


class ReLU(_ElementWise):
    """Rectified linear unit with an optional cap (`max_value`), a slope below `threshold`
    (`negative_slope`) and a threshold: `x` in [threshold, max_value), `negative_slope * (x - threshold)`
    below it.

    >>> import eagerflow as tf
    >>> tf.keras.layers.ReLU(negative_slope=0.5)(tf.constant([-2.0, 3.0])).numpy()
    array([-1.,  3.], dtype=float32)
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None:
            _non_negative(max_value, "max_value of a ReLU layer cannot be a negative value. "
                                     f"Received: max_value={max_value}")
        _non_negative(negative_slope, "negative_slope of a ReLU layer cannot be None or a negative value. "
                                      f"Received: negative_slope={negative_slope}")
        _non_negative(threshold, "threshold of a ReLU layer cannot be None or a negative value. "
                                 f"Received: threshold={threshold}")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        return _activations.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                                 threshold=self.threshold)

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config


class LeakyReLU(_ElementWise):
    """`x` for x >= 0, `negative_slope * x` below (`alpha` is the deprecated name of the slope).

    >>> import eagerflow as tf
    >>> tf.keras.layers.LeakyReLU(negative_slope=0.5)(tf.constant([-2.0, 3.0])).numpy()
    array([-1.,  3.], dtype=float32)
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.", stacklevel=2)
        super().__init__(**kwargs)
        _non_negative(negative_slope, "The negative_slope value of a Leaky ReLU layer cannot be None or negative "
                                      f"value. Expected a float. Received: negative_slope={negative_slope}")
        self.negative_slope = negative_slope

    def call(self, inputs):
        return tf.nn.leaky_relu(inputs, alpha=self.negative_slope)

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


class PReLU(_ElementWise):
    """Leaky ReLU whose slope `alpha` is learned, one per input element (sharing it along
    `shared_axes`, e.g. `[1, 2]` for one slope per channel of an image).

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.PReLU(shared_axes=[1])
    >>> layer(tf.ones((2, 5, 3))).shape, layer.alpha.shape
    (TensorShape([2, 5, 3]), TensorShape([1, 3]))
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = _initializers.get(alpha_initializer)
        self.alpha_regularizer = _regularizers.get(alpha_regularizer)
        self.alpha_constraint = _constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape):
        shape = list(input_shape[1:])
        shared = self.shared_axes or []
        for axis in shared:
            if not isinstance(axis, int) or not 1 <= axis < len(input_shape):
                raise ValueError(f"Invalid value in `shared_axes` of PReLU: {axis}. Axes must be in "
                                 f"[1, {len(input_shape) - 1}] for inputs of shape {tuple(input_shape)}.")
            shape[axis - 1] = 1
        if None in shape:
            raise ValueError("PReLU needs the non-shared input dimensions defined (or listed in `shared_axes`). "
                             f"Received input shape {tuple(input_shape)}.")
        self.alpha = self.add_weight(shape=shape, name="alpha", initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        axes = {i: input_shape[i] for i in range(1, len(input_shape)) if shared and i not in shared}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        return tf.nn.relu(inputs) - self.alpha * tf.nn.relu(-inputs)

    def get_config(self):
        config = super().get_config()
        config.update({
            "alpha_initializer": _initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": _regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": _constraints.serialize(self.alpha_constraint), "shared_axes": self.shared_axes})
        return config


class ELU(_ElementWise):
    """Exponential linear unit: `x` for x >= 0, `alpha * (exp(x) - 1)` below.

    >>> import eagerflow as tf
    >>> tf.keras.layers.ELU(alpha=2.0)(tf.constant([0.0, 1.0])).numpy()
    array([0., 1.], dtype=float32)
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return _activations.elu(inputs, alpha=self.alpha)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


def _check_softmax_mask(inputs, mask) -> None:
    m_shape, i_shape = mask.shape.as_list(), inputs.shape.as_list()
    if len(m_shape) > len(i_shape):
        raise ValueError("The `mask` must be broadcastable to `inputs` and must not have more dimensions. "
                         f"Received: inputs.shape={tuple(i_shape)}, mask.shape={tuple(m_shape)}")
    for m, i in zip(reversed(m_shape), reversed(i_shape)):
        if m is not None and i is not None and m not in (1, i):
            raise ValueError("The `mask` must be broadcastable to `inputs`. Each mask dimension must be 1 or "
                             "match the corresponding input dimension. Received: "
                             f"inputs.shape={tuple(i_shape)}, mask.shape={tuple(m_shape)}")


class Softmax(_ElementWise):
    """Softmax along `axis` (an int or a list of axes). With a `mask` (True = keep), masked positions
    get a large negative logit before the softmax and 0 after it.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.Softmax()
    >>> layer(tf.constant([[1.0, 1.0, 5.0]]), mask=tf.constant([[True, True, False]])).numpy()
    array([[0.5, 0.5, 0. ]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = tf.convert_to_tensor(mask)
            _check_softmax_mask(inputs, mask)
            if mask.dtype != tf.bool:
                mask = tf.greater(mask, tf.cast(0.5, mask.dtype))
            # float16 cannot hold -1e9; Keras uses -3e4 there.
            low = -3e4 if inputs.dtype == tf.float16 else -1e9
            inputs = tf.where(mask, inputs, tf.cast(low, inputs.dtype))
        axis = self.axis
        if isinstance(axis, (list, tuple)) and len(axis) > 1:
            outputs = tf.exp(inputs - tf.reduce_logsumexp(inputs, axis=list(axis), keepdims=True))
        else:
            axis = axis[0] if isinstance(axis, (list, tuple)) else axis
            outputs = tf.nn.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = tf.where(mask, outputs, tf.zeros_like(outputs))
        return outputs

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
