"""`tf.keras.initializers`: objects `init(shape, dtype) -> tensor` that give weights their first values.

A seeded initializer gives the same values at every call (stateless random ops); an unseeded one
draws from TF's global random state, so `tf.random.set_seed` makes model construction repeatable.

>>> import eagerflow as tf
>>> tf.keras.initializers.Constant(3.0)((2,)).numpy()
array([3., 3.], dtype=float32)
"""
from __future__ import annotations

import math

import eagerflow as tf  # public ops only; attributes are read at call time

from . import backend as _backend
from . import serialization as _ser

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal",
           "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal",
           "LecunUniform", "Orthogonal", "Identity", "zeros", "ones", "constant", "random_normal",
           "random_uniform", "truncated_normal", "variance_scaling", "glorot_uniform", "glorot_normal",
           "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "orthogonal", "identity",
           "get", "serialize", "deserialize"]


class Initializer:
    """Base class: subclasses implement `__call__(shape, dtype=None)` and `get_config()`."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"Initializer {type(self).__name__} does not implement __call__().")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())

    def __repr__(self):
        return f"<{type(self).__name__} {self.get_config()}>"


def _shape(shape) -> tuple:
    return tuple(int(d) for d in shape)


def _float_dtype(cls_name: str, dtype) -> str:
    dtype = _backend.standardize_dtype(dtype)
    if not _backend.is_float_dtype(dtype):
        raise ValueError(f"{cls_name} only supports floating point dtypes. Received: dtype={dtype}")
    return dtype


def _uniform(shape, minval, maxval, dtype, seed):
    if seed is not None:
        return tf.random.stateless_uniform(shape, seed=[seed, 0], minval=minval, maxval=maxval, dtype=dtype)
    return tf.random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype)


def _normal(shape, mean, stddev, dtype, seed):
    if seed is not None:
        return tf.random.stateless_normal(shape, seed=[seed, 0], mean=mean, stddev=stddev, dtype=dtype)
    return tf.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype)


def _truncated(shape, mean, stddev, dtype, seed):
    if seed is not None:
        return tf.random.stateless_truncated_normal(shape, seed=[seed, 0], mean=mean, stddev=stddev, dtype=dtype)
    return tf.random.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype)


class Zeros(Initializer):
    """All zeros.

    >>> import eagerflow as tf
    >>> tf.keras.initializers.Zeros()((2,)).numpy()
    array([0., 0.], dtype=float32)
    """

    def __call__(self, shape, dtype=None):
        return tf.zeros(_shape(shape), dtype=_backend.standardize_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return tf.ones(_shape(shape), dtype=_backend.standardize_dtype(dtype))


class Constant(Initializer):
    """Every element equal to `value`."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        dtype = _backend.standardize_dtype(dtype)
        return tf.cast(tf.broadcast_to(tf.constant(self.value), _shape(shape)), dtype)

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    """Normal(mean, stddev) samples."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return _normal(_shape(shape), self.mean, self.stddev, _float_dtype("RandomNormal", dtype), self.seed)

    def get_config(self):
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


class RandomUniform(Initializer):
    """Uniform[minval, maxval) samples."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None):
        return _uniform(_shape(shape), self.minval, self.maxval, _float_dtype("RandomUniform", dtype), self.seed)

    def get_config(self):
        return {"seed": self.seed, "minval": self.minval, "maxval": self.maxval}


class TruncatedNormal(Initializer):
    """Normal(mean, stddev) samples redrawn when more than two stddevs from the mean."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return _truncated(_shape(shape), self.mean, self.stddev, _float_dtype("TruncatedNormal", dtype), self.seed)

    def get_config(self):
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


def compute_fans(shape) -> tuple:
    """(fan_in, fan_out) of a weight shape: dense (in, out), conv (*kernel, in, out)."""
    shape = _shape(shape)
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(Initializer):
    """Samples scaled to the weight's fan: variance `scale / n` with n = fan_in, fan_out or their mean."""

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, input_axes=None,
                 output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in self._MODES:
            raise ValueError(f"Invalid `mode` argument: expected one of {set(self._MODES)}. Received: mode={mode}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(f"Invalid `distribution` argument: expected one of {set(self._DISTRIBUTIONS)}. "
                             f"Received: distribution={distribution}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed
        self.input_axes, self.output_axes = input_axes, output_axes

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        dtype = _float_dtype(type(self).__name__, dtype)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        var = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            return _truncated(shape, 0.0, math.sqrt(var) / 0.87962566103423978, dtype, self.seed)
        if self.distribution == "untruncated_normal":
            return _normal(shape, 0.0, math.sqrt(var), dtype, self.seed)
        limit = math.sqrt(3.0 * var)
        return _uniform(shape, -limit, limit, dtype, self.seed)

    def get_config(self):
        return {"seed": self.seed, "scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "input_axes": self.input_axes, "output_axes": self.output_axes}


class _FixedVarianceScaling(VarianceScaling):
    """The named schemes (Glorot, He, LeCun): only the seed is configurable."""

    _SCHEME = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        scale, mode, distribution = self._SCHEME
        super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_FixedVarianceScaling):
    """Uniform in ±sqrt(6 / (fan_in + fan_out)) (the default kernel initializer).

    >>> import eagerflow as tf
    >>> w = tf.keras.initializers.GlorotUniform(seed=1)((3, 3))
    >>> bool(tf.reduce_all(tf.abs(w) <= 1.0))
    True
    """

    _SCHEME = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out))."""

    _SCHEME = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_FixedVarianceScaling):
    """Truncated normal with stddev sqrt(2 / fan_in) (for ReLU networks)."""

    _SCHEME = (2.0, "fan_in", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """Uniform in ±sqrt(6 / fan_in)."""

    _SCHEME = (2.0, "fan_in", "uniform")


class LecunNormal(_FixedVarianceScaling):
    """Truncated normal with stddev sqrt(1 / fan_in) (for SELU networks)."""

    _SCHEME = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """Uniform in ±sqrt(3 / fan_in)."""

    _SCHEME = (1.0, "fan_in", "uniform")


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times `gain`, for the weight flattened to (prod(shape[:-1]), shape[-1])."""

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        dtype = _float_dtype("Orthogonal", dtype)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = _normal((max(rows, cols), min(rows, cols)), 0.0, 1.0, "float64", self.seed)
        q, r = tf.linalg.qr(a)
        q = q * tf.sign(tf.linalg.diag_part(r))
        if rows < cols:
            q = tf.transpose(q)
        return tf.cast(tf.reshape(q * self.gain, shape), dtype)

    def get_config(self):
        return {"seed": self.seed, "gain": self.gain}


class Identity(Initializer):
    """`gain` times the identity matrix (2-D weights only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        return tf.eye(shape[0], shape[1], dtype=_backend.standardize_dtype(dtype)) * self.gain

    def get_config(self):
        return {"gain": self.gain}


# Keras's snake-case aliases are the classes themselves.
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal, identity = VarianceScaling, Orthogonal, Identity
glorot_uniform, glorot_normal, he_normal, he_uniform = GlorotUniform, GlorotNormal, HeNormal, HeUniform
lecun_normal, lecun_uniform = LecunNormal, LecunUniform

_NAMESPACE = {name: globals()[name] for name in __all__ if name not in ("get", "serialize", "deserialize")}
_NAMESPACE.update(uniform=RandomUniform, normal=RandomNormal)


def serialize(initializer):
    """The Keras config dict of an initializer."""
    return _ser.serialize(initializer, "keras.initializers")


def deserialize(config, custom_objects=None):
    """The initializer a config dict (or name) describes."""
    obj = _ser.deserialize(config, _NAMESPACE, "initializer", custom_objects)
    return obj() if isinstance(obj, type) else obj


def get(identifier):
    """An initializer from a name ('glorot_uniform'), config dict, instance, class or callable.

    >>> import eagerflow as tf
    >>> type(tf.keras.initializers.get("he_normal")).__name__
    'HeNormal'
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")
