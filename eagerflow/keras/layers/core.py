"""Core layers: Dense, Activation, Dropout, Lambda, Embedding, Identity.

>>> import eagerflow as tf
>>> tf.keras.layers.Dense(4, activation="relu")(tf.ones((2, 3))).shape
TensorShape([2, 4])
"""
from __future__ import annotations

import inspect

import eagerflow as tf  # public ops only; attributes are read at call time
from ... import nest
from .. import activations as _activations
from .. import regularizers as _regularizers
from .. import serialization as _ser
from .base import Layer, is_shape
from .input_spec import InputSpec
from .weight_options import set_weight_options, weight_options_config

__all__ = ["Dense", "Activation", "Dropout", "Lambda", "Embedding", "Identity", "positive_int"]


def positive_int(name: str, value) -> int:
    """`value` as an int > 0, or Keras's ValueError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        try:
            if float(value) == int(value) and int(value) > 0 and not isinstance(value, bool):
                return int(value)
        except (TypeError, ValueError):
            pass
        raise ValueError(f"Received an invalid value for `{name}`, expected a positive integer. "
                         f"Received: {name}={value}")
    return value


def _last_dim(layer, input_shape) -> int:
    dim = input_shape[-1] if input_shape else None
    if dim is None:
        raise ValueError(f"The last dimension of the inputs to a {type(layer).__name__} layer should be defined. "
                         f"Found None. Full input shape received: {tuple(input_shape)}")
    return int(dim)


class Dense(Layer):
    """A fully connected layer: `activation(inputs @ kernel + bias)` on the last axis.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.Dense(3)
    >>> layer(tf.ones((2, 5))).shape, [w.shape.as_list() for w in layer.weights]
    (TensorShape([2, 3]), [[5, 3], [3]])
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = positive_int("units", units)
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_options(self, ("kernel", "bias"), locals())
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = _last_dim(self, input_shape)
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        if not inputs.dtype.is_floating:
            inputs = tf.cast(inputs, self.compute_dtype)
        x = tf.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = tf.nn.bias_add(x, self.bias)
        activation = self.activation
        return x if activation is _activations.linear else activation(x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units, "activation": _activations.serialize(self.activation), "use_bias": self.use_bias,
            **weight_options_config(self, ("kernel", "bias"), activity=False), "quantization_config": None})
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = _regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("quantization_config", None)
        return super().from_config(config)


class Activation(Layer):
    """Applies an activation function (by name or callable).

    >>> import eagerflow as tf
    >>> tf.keras.layers.Activation("relu")(tf.constant([-1.0, 2.0])).numpy()
    array([0., 2.], dtype=float32)
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = _activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["activation"] = _activations.serialize(self.activation)
        return config


class Dropout(Layer):
    """Randomly zeroes a fraction `rate` of the inputs in training (scaling the rest by 1/(1-rate)).

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.Dropout(0.5)
    >>> layer(tf.ones((2, 2))).numpy()   # inference: the identity
    array([[1., 1.],
           [1., 1.]], dtype=float32)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float value between 0 and "
                             f"1. Received: rate={rate}")
        self.rate = rate
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return tf.zeros_like(inputs)
        noise_shape = None
        if self.noise_shape is not None:
            dynamic = tf.shape(inputs)
            noise_shape = [dynamic[i] if d is None else d for i, d in enumerate(self.noise_shape)]
        return tf.nn.dropout(inputs, rate=self.rate, noise_shape=noise_shape, seed=self.seed)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config


class Identity(Layer):
    """Returns its input unchanged."""

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


class Lambda(Layer):
    """Wraps a function of tensors as a layer (`arguments` are extra keyword arguments).

    >>> import eagerflow as tf
    >>> tf.keras.layers.Lambda(lambda x: x * 2)(tf.constant([1.0])).numpy()
    array([2.], dtype=float32)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Argument `function` must be callable. Received: function={function}")
        self.function = function
        self.output_shape_arg = output_shape
        self.mask = mask
        self.arguments = dict(arguments or {})
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_takes_training = "training" in params
        self._fn_takes_mask = "mask" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_training:
            kwargs["training"] = training
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        return self.function(inputs, **kwargs)

    def compute_output_spec(self, *args, **kwargs):
        if self.output_shape_arg is None:
            return self._trace_output_spec(args, kwargs)
        return super().compute_output_spec(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        out = self.output_shape_arg
        if out is None:
            return super().compute_output_shape(input_shape)
        if callable(out):
            return out(input_shape)
        first = input_shape if is_shape(input_shape) else nest.flatten(input_shape)[0]
        return (first[0],) + tuple(out) if is_shape(out) else out

    def get_config(self):
        config = super().get_config()
        output_shape = self.output_shape_arg
        if callable(output_shape):
            output_shape = _ser.serialize_function(output_shape)
        config.update({"function": _ser.serialize_function(self.function), "arguments": self.arguments})
        if output_shape is not None:
            config["output_shape"] = output_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=True):
        """Named functions come from `custom_objects`; lambdas need `safe_mode=False` (bytecode)."""
        config = dict(config)
        config["function"] = _ser.deserialize_function(config["function"], custom_objects, safe_mode)
        if isinstance(config.get("output_shape"), (dict, str)):
            config["output_shape"] = _ser.deserialize_function(config["output_shape"], custom_objects, safe_mode)
        return super().from_config(config)


class Embedding(Layer):
    """Maps integer ids to dense vectors: a lookup in an `(input_dim, output_dim)` table.

    >>> import eagerflow as tf
    >>> tf.keras.layers.Embedding(10, 4)(tf.constant([[1, 2, 3]])).shape
    TensorShape([1, 3, 4])
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, lora_rank=None, **kwargs):
        kwargs.pop("input_length", None)  # Keras 2 argument, ignored by Keras 3
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim = positive_int("input_dim", input_dim)
        self.output_dim = positive_int("output_dim", output_dim)
        set_weight_options(self, ("embeddings",), locals())
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.autocast = False
        self._initial_weights = weights

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer, name="embeddings",
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs):
        if not inputs.dtype.is_integer:
            inputs = tf.cast(inputs, "int32")
        return tf.gather(self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return tf.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim, "output_dim": self.output_dim,
            **weight_options_config(self, ("embeddings",)),
            "mask_zero": self.mask_zero, "quantization_config": None})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("quantization_config", None)
        return super().from_config(config)
