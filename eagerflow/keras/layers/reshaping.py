"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, ZeroPadding1D/2D, UpSampling1D/2D,
Cropping1D/2D.

>>> import eagerflow as tf
>>> tf.keras.layers.Flatten()(tf.ones((2, 3, 4))).shape
TensorShape([2, 12])
"""
from __future__ import annotations

import math

import numpy as np

import eagerflow as tf  # public ops only; attributes are read at call time
from .base import Layer
from .conv import normalize_data_format, normalize_tuple
from .core import positive_int
from .input_spec import InputSpec

__all__ = ["Flatten", "Reshape", "Permute", "RepeatVector", "ZeroPadding1D", "ZeroPadding2D", "UpSampling1D",
           "UpSampling2D", "Cropping1D", "Cropping2D"]


def _dims(x) -> list:
    """The shape of `x` as a list: static ints where known, scalar tensors where not."""
    static = x.shape.as_list()
    if None not in static:
        return static
    dynamic = tf.shape(x)
    return [d if d is not None else dynamic[i] for i, d in enumerate(static)]


def _to_channels_last(x, data_format, rank):
    if data_format == "channels_last":
        return x
    return tf.transpose(x, [0] + list(range(2, rank + 2)) + [1])


def _from_channels_last(x, data_format, rank):
    if data_format == "channels_last":
        return x
    return tf.transpose(x, [0, rank + 1] + list(range(1, rank + 1)))


class Flatten(Layer):
    """Flattens every axis but the batch axis.

    >>> import eagerflow as tf
    >>> tf.keras.layers.Flatten().compute_output_shape((None, 3, 4))
    (None, 12)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        x = inputs
        rank = x.shape.rank
        if self.data_format == "channels_first" and rank > 2:
            x = tf.transpose(x, [0] + list(range(2, rank)) + [1])
        static = x.shape.as_list()
        if rank == 1:
            return tf.expand_dims(x, 1)
        rest = static[1:]
        if None not in rest:
            batch = static[0] if static[0] is not None else -1
            return tf.reshape(x, [batch, math.prod(rest)])
        return tf.reshape(x, [_dims(x)[0], -1])

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        if not rest:
            return (input_shape[0], 1)
        return (input_shape[0], None if None in rest else math.prod(rest))

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshapes the non-batch axes to `target_shape` (one entry may be -1).

    >>> import eagerflow as tf
    >>> tf.keras.layers.Reshape((2, 6))(tf.ones((3, 12))).shape
    TensorShape([3, 2, 6])
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        if sum(1 for d in target_shape if d == -1) > 1:
            raise ValueError(f"There must be at most one unknown dimension (-1) in target_shape. Received: "
                             f"target_shape={target_shape}")
        self.target_shape = target_shape

    def _resolve(self, input_shape) -> tuple:
        rest = tuple(input_shape[1:])
        target = self.target_shape
        if None in rest:
            return tuple(None if d == -1 else d for d in target)
        total = math.prod(rest)
        known = math.prod(d for d in target if d != -1)
        if -1 in target:
            if known == 0 or total % known:
                raise ValueError(f"The total size of the tensor must be unchanged. Received: input_shape={rest}, "
                                 f"target_shape={target}")
            return tuple(total // known if d == -1 else d for d in target)
        if known != total:
            raise ValueError(f"The total size of the tensor must be unchanged. Received: input_shape={rest}, "
                             f"target_shape={target}")
        return target

    def call(self, inputs):
        target = self._resolve(inputs.shape.as_list())
        batch = inputs.shape[0]
        if batch is None:
            batch = tf.shape(inputs)[0]
        if None in target:
            target = self.target_shape
        return tf.reshape(inputs, [batch] + list(target))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(input_shape)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Permute(Layer):
    """Permutes the non-batch axes; `dims` counts them from 1.

    >>> import eagerflow as tf
    >>> tf.keras.layers.Permute((2, 1))(tf.ones((5, 3, 4))).shape
    TensorShape([5, 4, 3])
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` "
                             f"must be consecutive and start from 1. Received dims={dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return tf.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config


class RepeatVector(Layer):
    """Repeats a (batch, features) input `n` times: (batch, n, features).

    >>> import eagerflow as tf
    >>> tf.keras.layers.RepeatVector(3)(tf.ones((2, 4))).shape
    TensorShape([2, 3, 4])
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = positive_int("n", n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return tf.tile(tf.expand_dims(inputs, 1), [1, self.n, 1])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


def _pairs(padding, rank: int, name: str) -> tuple:
    """An int, a rank-tuple of ints, or a rank-tuple of (before, after) pairs, as pairs."""
    if isinstance(padding, int):
        return ((padding, padding),) * rank
    if rank == 1 and len(padding) == 2 and all(isinstance(p, int) for p in padding):
        return (tuple(padding),)
    padding = tuple(padding)
    if len(padding) != rank:
        raise ValueError(f"`{name}` should have {rank} elements. Received: {name}={padding}.")
    out = []
    for p in padding:
        out.append((p, p) if isinstance(p, int) else normalize_tuple(p, 2, f"{name} entry", allow_zero=True))
    return tuple(out)


class _ZeroPadding(Layer):
    rank = 2

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, self.rank, "padding")
        self.data_format = normalize_data_format(data_format) if self.rank > 1 else "channels_last"
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        pads = [[0, 0]] + [list(p) for p in self.padding] + [[0, 0]]
        if self.data_format == "channels_first":
            pads = [[0, 0], [0, 0]] + [list(p) for p in self.padding]
        return tf.pad(inputs, pads)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        start = 1 if self.data_format == "channels_last" else 2
        for i, (a, b) in enumerate(self.padding):
            if shape[start + i] is not None:
                shape[start + i] += a + b
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config["padding"] = self.padding if self.rank > 1 else self.padding[0]
        if self.rank > 1:
            config["data_format"] = self.data_format
        return config


class ZeroPadding1D(_ZeroPadding):
    """Pads the steps axis with zeros."""

    rank = 1

    def __init__(self, padding=1, **kwargs):
        super().__init__(padding, None, **kwargs)


class ZeroPadding2D(_ZeroPadding):
    """Pads height and width with zeros (`padding` int, (h, w), or ((top, bottom), (left, right))).

    >>> import eagerflow as tf
    >>> tf.keras.layers.ZeroPadding2D()(tf.ones((1, 4, 4, 3))).shape
    TensorShape([1, 6, 6, 3])
    """

    rank = 2


def _repeat(x, rep: int, axis: int):
    """Each element repeated `rep` times along `axis` (nearest-neighbour upsampling)."""
    dims = _dims(x)
    multiples = [1] * (len(dims) + 1)
    multiples[axis + 1] = rep
    tiled = tf.tile(tf.expand_dims(x, axis + 1), multiples)
    return tf.reshape(tiled, dims[:axis] + [dims[axis] * rep] + dims[axis + 1:])


def _bilinear(x, scale: int, axis: int):
    """Linear interpolation along `axis` to `scale` times its length (half-pixel centres, as tf.image)."""
    n = x.shape[axis]
    if n is None:
        raise ValueError("Bilinear upsampling needs static spatial dimensions; got input shape "
                         f"{x.shape.as_list()}.")
    src = (np.arange(n * scale) + 0.5) / scale - 0.5
    src = np.clip(src, 0, n - 1)
    lo = np.floor(src).astype(np.int32)
    hi = np.minimum(lo + 1, n - 1)
    frac = (src - lo).astype(x.dtype.as_numpy_dtype)
    shape = [1] * x.shape.rank
    shape[axis] = n * scale
    w = tf.constant(frac.reshape(shape))
    return tf.gather(x, lo, axis=axis) * (1 - w) + tf.gather(x, hi, axis=axis) * w


class UpSampling1D(Layer):
    """Repeats each step `size` times."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = positive_int("size", size)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return _repeat(inputs, self.size, 1)

    def compute_output_shape(self, input_shape):
        steps = input_shape[1] * self.size if input_shape[1] is not None else None
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config


class UpSampling2D(Layer):
    """Scales height and width by `size` ('nearest' repeats rows/columns, 'bilinear' interpolates).

    >>> import eagerflow as tf
    >>> tf.keras.layers.UpSampling2D()(tf.ones((1, 2, 2, 3))).shape
    TensorShape([1, 4, 4, 3])
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "size")
        self.data_format = normalize_data_format(data_format)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError("`interpolation` argument should be one of: 'nearest', 'bilinear'. Received: "
                             f"interpolation={interpolation}")
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        x = _to_channels_last(inputs, self.data_format, 2)
        resize = _repeat if self.interpolation == "nearest" else _bilinear
        x = resize(resize(x, self.size[0], 1), self.size[1], 2)
        return _from_channels_last(x, self.data_format, 2)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        start = 1 if self.data_format == "channels_last" else 2
        for i, s in enumerate(self.size):
            if shape[start + i] is not None:
                shape[start + i] *= s
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format, "interpolation": self.interpolation})
        return config


class _Cropping(Layer):
    rank = 2

    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, self.rank, "cropping")
        self.data_format = normalize_data_format(data_format) if self.rank > 1 else "channels_last"
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        start = 1 if self.data_format == "channels_last" else 2
        index = [slice(None)] * (self.rank + 2)
        for i, (a, b) in enumerate(self.cropping):
            index[start + i] = slice(a, -b if b else None)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        start = 1 if self.data_format == "channels_last" else 2
        for i, (a, b) in enumerate(self.cropping):
            n = shape[start + i]
            if n is not None:
                if n - a - b <= 0:
                    raise ValueError(f"`cropping` parameter of {type(self).__name__} layer must be smaller than the "
                                     f"input size. Received: inputs.shape={tuple(input_shape)}, "
                                     f"cropping={self.cropping}")
                shape[start + i] = n - a - b
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config["cropping"] = self.cropping if self.rank > 1 else self.cropping[0]
        if self.rank > 1:
            config["data_format"] = self.data_format
        return config


class Cropping1D(_Cropping):
    """Removes steps from the start and end of the sequence."""

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, None, **kwargs)


class Cropping2D(_Cropping):
    """Removes rows/columns from the borders of images."""

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)
