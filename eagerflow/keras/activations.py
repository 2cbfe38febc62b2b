"""`tf.keras.activations`: activation functions, looked up by name with `get`.

>>> import eagerflow as tf
>>> f = tf.keras.activations.get("relu")
>>> f(tf.constant([-1.0, 2.0])).numpy()
array([0., 2.], dtype=float32)
"""
from __future__ import annotations

import eagerflow as tf  # public ops only; attributes are read at call time, after the package is built

from . import serialization as _ser

__all__ = ["relu", "relu6", "sigmoid", "softmax", "log_softmax", "tanh", "linear", "gelu", "elu", "selu",
           "silu", "swish", "softplus", "softsign", "leaky_relu", "exponential", "hard_sigmoid", "hard_silu",
           "hard_swish", "mish", "log_sigmoid", "get", "serialize", "deserialize"]


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0), with an optional slope below `threshold` and a cap at `max_value`.

    >>> import eagerflow as tf
    >>> tf.keras.activations.relu(tf.constant([-2.0, 1.0, 8.0]), max_value=6.0).numpy()
    array([0., 1., 6.], dtype=float32)
    """
    x = tf.convert_to_tensor(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return tf.nn.relu(x)
    if threshold != 0.0:
        y = tf.where(x > threshold, x, tf.zeros_like(x))
    else:
        y = tf.nn.relu(x)
    if max_value is not None:
        y = tf.minimum(y, tf.cast(max_value, y.dtype))
    if negative_slope != 0.0:
        y = y + tf.where(x < threshold, (x - threshold) * negative_slope, tf.zeros_like(x))
    return y


def relu6(x):
    """min(max(x, 0), 6)."""
    return tf.nn.relu6(x)


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return tf.sigmoid(x)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`.

    >>> import eagerflow as tf
    >>> tf.keras.activations.softmax(tf.constant([[0.0, 0.0]])).numpy()
    array([[0.5, 0.5]], dtype=float32)
    """
    return tf.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    """log(softmax(x)) along `axis`, computed stably."""
    return tf.nn.log_softmax(x, axis=axis)


def tanh(x):
    """Hyperbolic tangent."""
    return tf.tanh(x)


def linear(x):
    """The identity (what `activation=None` means)."""
    return x


def gelu(x, approximate=False):
    """Gaussian error linear unit (exact, or the tanh approximation)."""
    return tf.nn.gelu(x, approximate=approximate)


def elu(x, alpha=1.0):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    y = tf.nn.elu(x)
    if alpha == 1.0:
        return y
    return tf.where(y > 0, y, y * alpha)


def selu(x):
    """Scaled ELU (self-normalizing)."""
    return tf.nn.selu(x)


def silu(x):
    """x * sigmoid(x) (a.k.a. swish)."""
    return tf.nn.silu(x)


swish = silu


def softplus(x):
    """log(1 + exp(x))."""
    return tf.math.softplus(x)


def softsign(x):
    """x / (1 + |x|)."""
    return tf.math.softsign(x)


def leaky_relu(x, negative_slope=0.2):
    """x if x > 0 else negative_slope * x."""
    return tf.nn.leaky_relu(x, alpha=negative_slope)


def exponential(x):
    """exp(x)."""
    return tf.exp(x)


def hard_sigmoid(x):
    """relu6(x + 3) / 6: a piecewise-linear sigmoid."""
    x = tf.convert_to_tensor(x)
    return tf.nn.relu6(x + 3.0) / 6.0


def hard_silu(x):
    """x * hard_sigmoid(x)."""
    x = tf.convert_to_tensor(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def mish(x):
    """x * tanh(softplus(x))."""
    x = tf.convert_to_tensor(x)
    return x * tf.tanh(tf.math.softplus(x))


def log_sigmoid(x):
    """log(sigmoid(x)), computed stably."""
    return tf.math.log_sigmoid(x)


# Names as Keras 3 writes them into configs (aliases resolve to the canonical function).
_CANONICAL = {"swish": "silu", "hard_swish": "hard_silu", None: "linear"}
_BY_NAME = {name: globals()[name] for name in __all__ if name not in ("get", "serialize", "deserialize")}


def serialize(activation):
    """The activation's config value: its Keras name for built-ins, else the function's name.

    >>> import eagerflow as tf
    >>> tf.keras.activations.serialize(tf.keras.activations.get("swish"))
    'silu'
    """
    if activation is None:
        return "linear"
    for name, fn in _BY_NAME.items():
        if fn is activation and name not in _CANONICAL:
            return name
    if hasattr(activation, "get_config"):
        return _ser.serialize(activation, "keras.activations")
    for name, fn in _BY_NAME.items():  # TF's own functions (tf.nn.relu) serialize by their Keras name
        if getattr(activation, "__name__", None) == name:
            return _CANONICAL.get(name, name)
    name = getattr(activation, "__name__", None)
    if name is None or name == "<lambda>":
        return _ser.serialize_function(activation)
    return name


def deserialize(config, custom_objects=None, safe_mode=True):
    """The activation function a config value names.

    A lambda stored as bytecode is refused unless `safe_mode=False`: loading it would run code
    from the config (files are data).
    """
    if isinstance(config, dict) and config.get("class_name") == "__lambda__":
        return _ser.deserialize_function(config, custom_objects, safe_mode=safe_mode)
    return _ser.deserialize(config, _BY_NAME, "activation function", custom_objects)


def get(identifier):
    """An activation from a name ('relu'), a config, a callable, or None (linear).

    >>> import eagerflow as tf
    >>> tf.keras.activations.get(None) is tf.keras.activations.linear
    True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")
