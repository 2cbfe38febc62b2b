"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot (and their
functional shortcuts `add`, `concatenate`, ...).

>>> import eagerflow as tf
>>> tf.keras.layers.Add()([tf.ones((2, 3)), tf.ones((2, 3))]).numpy()[0]
array([2., 2., 2.], dtype=float32)
"""
from __future__ import annotations

import eagerflow as tf  # public ops only; attributes are read at call time
from .base import Layer

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot", "add",
           "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]


def _check_list(input_shape, minimum: int = 1):
    if not isinstance(input_shape, (list, tuple)) or not input_shape or \
            not all(isinstance(s, (list, tuple)) for s in input_shape):
        raise ValueError("A merge layer should be called on a list of inputs. Received: "
                         f"input_shape={input_shape} (not a list of shapes)")
    if len(input_shape) < minimum:
        raise ValueError(f"A merge layer should be called on a list of at least {minimum} inputs. Got "
                         f"{len(input_shape)} inputs. Full input_shape received: {input_shape}")


def _broadcast_shapes(a: tuple, b: tuple) -> tuple:
    """The broadcast of two non-batch shapes (None matches anything), or ValueError."""
    if len(a) < len(b):
        a, b = b, a
    b = (1,) * (len(a) - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x is None or y is None:
            out.append(None if x in (None, 1) or y in (None, 1) else x)
        elif x == 1 or y == 1 or x == y:
            out.append(max(x, y) if 1 in (x, y) else x)
        else:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes {tuple(a)} and {tuple(b)}")
    return tuple(out)


class _Merge(Layer):
    """Elementwise merges: inputs broadcast against each other (batch axes must agree)."""

    _MIN_INPUTS = 1

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        _check_list(input_shape, self._MIN_INPUTS)
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        _check_list(input_shape, self._MIN_INPUTS)
        batch = [s[0] for s in input_shape if len(s) and s[0] is not None]
        out = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            out = _broadcast_shapes(out, tuple(shape[1:]))
        return (batch[0] if batch and len(set(batch)) == 1 else None,) + out

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A merge layer should be called on a list of inputs. Received: inputs={inputs} (not a "
                             "list of tensors)")
        result = inputs[0]
        for x in inputs[1:]:
            result = self._merge(result, x)
        return self._finish(result, len(inputs))

    def _finish(self, result, n):
        return result


class Add(_Merge):
    """Elementwise sum of a list of inputs."""

    def _merge(self, a, b):
        return a + b


class Subtract(_Merge):
    """`inputs[0] - inputs[1]` (exactly two inputs)."""

    _MIN_INPUTS = 2

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. Received: "
                             f"input_shape={input_shape}")

    def _merge(self, a, b):
        return a - b


class Multiply(_Merge):
    """Elementwise product of a list of inputs."""

    def _merge(self, a, b):
        return a * b


class Average(_Merge):
    """Elementwise mean of a list of inputs."""

    def _merge(self, a, b):
        return a + b

    def _finish(self, result, n):
        return result / n


class Maximum(_Merge):
    """Elementwise maximum of a list of inputs."""

    def _merge(self, a, b):
        return tf.maximum(a, b)


class Minimum(_Merge):
    """Elementwise minimum of a list of inputs."""

    def _merge(self, a, b):
        return tf.minimum(a, b)


class Concatenate(Layer):
    """Joins a list of inputs along `axis`; the other axes must match.

    >>> import eagerflow as tf
    >>> tf.keras.layers.Concatenate()([tf.ones((2, 3)), tf.ones((2, 1))]).shape
    TensorShape([2, 4])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.supports_masking = True

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        _check_list(input_shape)
        shapes = [tuple(s) for s in input_shape]
        ranks = {len(s) for s in shapes}
        error = ValueError("A `Concatenate` layer requires inputs with matching shapes except for the "
                           f"concatenation axis. Received: input_shape={list(shapes)}")
        if len(ranks) != 1:
            raise error
        rank = ranks.pop()
        axis = self.axis % rank if -rank <= self.axis < rank else None
        if axis is None:
            raise ValueError(f"Invalid `axis` {self.axis} for a Concatenate layer on inputs of rank {rank}.")
        out = list(shapes[0])
        for shape in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, shape)):
                if i == axis:
                    out[i] = None if a is None or b is None else a + b
                elif a is not None and b is not None and a != b:
                    raise error
                elif a is None:
                    out[i] = b
        return tuple(out)

    def call(self, inputs):
        return tf.concat(list(inputs), axis=self.axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Dot(Layer):
    """Dot products between samples of two inputs along `axes` (cosine similarity with `normalize`)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes = axes if isinstance(axes, int) else tuple(axes)
        self.normalize = bool(normalize)

    def _axes(self, shapes) -> tuple:
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        return tuple(a % len(s) for a, s in zip(axes, shapes))

    def compute_output_shape(self, input_shape):
        _check_list(input_shape, 2)
        a, b = (tuple(s) for s in input_shape)
        ax, bx = self._axes((a, b))
        if a[ax] is not None and b[bx] is not None and a[ax] != b[bx]:
            raise ValueError(f"Incompatible input shapes: axis values {a[ax]} (at axis {ax}) != {b[bx]} (at axis "
                             f"{bx}). Full input shapes: {a}, {b}")
        out = a[:ax] + a[ax + 1:] + b[1:bx] + b[bx + 1:]
        return out if len(out) > 1 else out + (1,)

    def call(self, inputs):
        a, b = inputs
        ax, bx = self._axes((a.shape.as_list(), b.shape.as_list()))
        if self.normalize:
            a, b = tf.math.l2_normalize(a, axis=ax), tf.math.l2_normalize(b, axis=bx)
        # Batched matmul: a as (batch, rest_a, k), b as (batch, k, rest_b).
        a = tf.transpose(a, [0] + [i for i in range(1, a.shape.rank) if i != ax] + [ax])
        b = tf.transpose(b, [0, bx] + [i for i in range(1, b.shape.rank) if i != bx])
        batch = tf.shape(a)[0]
        out = tf.matmul(tf.reshape(a, [batch, -1, a.shape[-1]]), tf.reshape(b, [batch, b.shape[1], -1]))
        shape = self.compute_output_shape((inputs[0].shape.as_list(), inputs[1].shape.as_list()))
        return tf.reshape(out, [batch] + [d if d is not None else -1 for d in shape[1:]])

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def _shortcut(cls):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)
    merge.__name__ = cls.__name__.lower()
    merge.__doc__ = f"Functional shortcut: `{cls.__name__}(**kwargs)(inputs)`."
    return merge


add, subtract, multiply, average = _shortcut(Add), _shortcut(Subtract), _shortcut(Multiply), _shortcut(Average)
maximum, minimum = _shortcut(Maximum), _shortcut(Minimum)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional shortcut: `Concatenate(axis=axis, **kwargs)(inputs)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """Functional shortcut: `Dot(axes, normalize, **kwargs)(inputs)`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
