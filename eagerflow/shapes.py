"""TensorShape: a possibly partially known shape, with None for unknown dimensions.

>>> import eagerflow as tf
>>> s = tf.TensorShape([None, 3])
>>> s.rank, s.as_list(), str(s)
(2, [None, 3], '(None, 3)')
"""
from __future__ import annotations

from typing import Iterable, Optional

import numpy as np

__all__ = ["TensorShape", "Dimension"]


class Dimension:
    """TF1-style dimension (what `TensorShape.dims` holds): `.value` is an int or None (unknown).

    Arithmetic and comparisons propagate unknowns: `Dimension(None) + 1` is unknown, and
    comparing with an unknown dimension gives None.
    """

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = _dim(value.value if isinstance(value, Dimension) else value)

    def __eq__(self, other):
        other = _other_value(other)
        if self.value is None or other is None:
            return None
        return self.value == other

    def __ne__(self, other):
        eq = self.__eq__(other)
        return None if eq is None else not eq

    def __lt__(self, other):
        other = _other_value(other)
        return None if self.value is None or other is None else self.value < other

    def __le__(self, other):
        other = _other_value(other)
        return None if self.value is None or other is None else self.value <= other

    def __gt__(self, other):
        other = _other_value(other)
        return None if self.value is None or other is None else self.value > other

    def __ge__(self, other):
        other = _other_value(other)
        return None if self.value is None or other is None else self.value >= other

    def _arith(self, other, fn):
        other = _other_value(other)
        return Dimension(None if self.value is None or other is None else fn(self.value, other))

    def __add__(self, other):
        return self._arith(other, lambda a, b: a + b)

    __radd__ = __add__

    def __sub__(self, other):
        return self._arith(other, lambda a, b: a - b)

    def __mul__(self, other):
        return self._arith(other, lambda a, b: a * b)

    __rmul__ = __mul__

    def __floordiv__(self, other):
        return self._arith(other, lambda a, b: a // b)

    def __hash__(self):
        return hash(self.value)

    def __int__(self):
        return self.value

    def __index__(self):
        return self.value

    def __repr__(self):
        return f"Dimension({self.value})"

    def __str__(self):
        return "?" if self.value is None else str(self.value)


def _other_value(other):
    return other.value if isinstance(other, Dimension) else _dim(other)


def _dim(d) -> Optional[int]:
    """A dimension as int or None; TF refuses floats, strings and negative sizes."""
    if d is None:
        return None
    if isinstance(d, Dimension):
        return d.value
    index = getattr(d, "__index__", None)
    if index is None:
        raise TypeError(f"Dimension value must be integer or None or have an __index__ method, got value "
                        f"'{d!r}' with type '{type(d)}'")
    v = int(index())
    if v < 0:
        raise ValueError(f"Dimension {v} must be >= 0")
    return v


class TensorShape:
    """The static shape of a tensor; `dims is None` means even the rank is unknown."""

    __slots__ = ("_dims",)

    def __init__(self, dims: Iterable | None):
        if dims is None:
            self._dims = None
        elif isinstance(dims, TensorShape):
            self._dims = dims._dims
        elif isinstance(dims, (int, Dimension)) and not isinstance(dims, bool):
            self._dims = (_dim(dims),)
        else:
            if hasattr(dims, "__array__") and not isinstance(dims, (list, tuple)):
                dims = np.asarray(dims).tolist()  # a NumPy array or eager int tensor of sizes
                dims = dims if isinstance(dims, list) else [dims]
            self._dims = tuple(_dim(d) for d in dims)

    @classmethod
    def _from_tuple(cls, dims: tuple) -> "TensorShape":
        s = object.__new__(cls)
        s._dims = dims
        return s

    # --- queries ---------------------------------------------------------------
    @property
    def rank(self) -> Optional[int]:
        return None if self._dims is None else len(self._dims)

    ndims = rank

    @property
    def dims(self):
        """The dimensions as a list of `Dimension` (None when the rank is unknown), as TF."""
        return None if self._dims is None else [Dimension(d) for d in self._dims]

    def as_list(self) -> list:
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def as_tuple(self):
        return self._dims

    def is_fully_defined(self) -> bool:
        return self._dims is not None and None not in self._dims

    def num_elements(self) -> Optional[int]:
        if not self.is_fully_defined():
            return None
        n = 1
        for d in self._dims:
            n *= d
        return n

    def assert_is_fully_defined(self):
        if not self.is_fully_defined():
            raise ValueError(f"Shape {self} is not fully defined")

    # --- compatibility -----------------------------------------------------------
    def is_compatible_with(self, other) -> bool:
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return True
        if len(self._dims) != len(other._dims):
            return False
        return all(a is None or b is None or a == b for a, b in zip(self._dims, other._dims))

    def assert_is_compatible_with(self, other):
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are incompatible")

    def merge_with(self, other) -> "TensorShape":
        other = as_shape(other)
        if self._dims is None:
            return other
        if other._dims is None:
            return self
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        return TensorShape([a if a is not None else b for a, b in zip(self._dims, other._dims)])

    def is_subtype_of(self, other) -> bool:
        """True when every value of this shape is also one of `other` (other's None dims match anything)."""
        other = as_shape(other)
        if other._dims is None:
            return True
        if self._dims is None or len(self._dims) != len(other._dims):
            return False
        return all(b is None or a == b for a, b in zip(self._dims, other._dims))

    def most_specific_compatible_shape(self, other) -> "TensorShape":
        """The relaxed shape covering both (unequal dims become None)."""
        other = as_shape(other)
        if self._dims is None or other._dims is None or len(self._dims) != len(other._dims):
            return TensorShape(None)
        return TensorShape([a if a == b else None for a, b in zip(self._dims, other._dims)])

    def concatenate(self, other) -> "TensorShape":
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + other._dims)

    def with_rank(self, rank: int) -> "TensorShape":
        if self._dims is None:
            return TensorShape([None] * rank)
        if len(self._dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")
        return self

    def with_rank_at_least(self, rank: int) -> "TensorShape":
        if self._dims is not None and len(self._dims) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    # --- sequence protocol ---------------------------------------------------------
    def __len__(self) -> int:
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __iter__(self):
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter(self._dims)

    def __getitem__(self, key):
        if self._dims is None:
            if isinstance(key, slice):
                return TensorShape(None)
            return None
        if isinstance(key, slice):
            return TensorShape._from_tuple(self._dims[key])
        return self._dims[key]

    def __bool__(self) -> bool:
        return self._dims is not None

    def __eq__(self, other) -> bool:
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._dims == other._dims

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self):
        return hash(self._dims)

    def __add__(self, other):
        return self.concatenate(other)

    def __radd__(self, other):
        return as_shape(other).concatenate(self)

    def __repr__(self) -> str:
        if self._dims is None:
            return "TensorShape(None)"
        return f"TensorShape({list(self._dims)})"

    def __str__(self) -> str:
        if self._dims is None:
            return "<unknown>"
        if len(self._dims) == 1:
            return f"({self._dims[0]},)"
        return "(" + ", ".join(str(d) for d in self._dims) + ")"

    def __reduce__(self):
        return TensorShape, (self.dims,)


def as_shape(shape) -> TensorShape:
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def format_dims(dims) -> str:
    """`float32[None,3]`-style dims text used by graph listings and error messages."""
    if dims is None:
        return "[?]"
    return "[" + ",".join("None" if d is None else str(d) for d in dims) + "]"
