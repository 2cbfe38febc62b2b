"""tf.TensorSpec: the dtype and (partially known) shape a tensor argument must have.

>>> import eagerflow as tf
>>> spec = tf.TensorSpec([None, 3], tf.float32, name="x")
>>> spec
TensorSpec(shape=(None, 3), dtype=tf.float32, name='x')
>>> spec.is_compatible_with(tf.zeros([5, 3]))
True
"""
from __future__ import annotations

from . import dtypes as _dt
from .shapes import TensorShape, as_shape

__all__ = ["TensorSpec"]


class TensorSpec:
    """Describes a tensor: shape (None dims allowed), dtype and an optional name."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=_dt.float32, name=None):
        self._shape = as_shape(shape)
        self._dtype = _dt.as_dtype(dtype)
        self._name = name

    @classmethod
    def from_tensor(cls, tensor, name=None) -> "TensorSpec":
        """The spec of an existing tensor (or variable)."""
        return cls(tensor.shape, tensor.dtype, name if name is not None else None)

    @classmethod
    def from_spec(cls, spec, name=None) -> "TensorSpec":
        return cls(spec.shape, spec.dtype, name if name is not None else spec.name)

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self):
        return self._name

    # ---- type relations (used by tf.function's cache) ------------------------------------------
    def is_compatible_with(self, spec_or_tensor) -> bool:
        """Same dtype and compatible shapes (None dims match anything)."""
        other_dtype = getattr(spec_or_tensor, "dtype", None)
        if other_dtype is None or _dt.as_dtype(other_dtype) is not self._dtype:
            return False
        return self._shape.is_compatible_with(spec_or_tensor.shape)

    def is_subtype_of(self, other: "TensorSpec") -> bool:
        """True when every tensor this spec admits is admitted by `other`."""
        if not isinstance(other, TensorSpec) or other._dtype is not self._dtype:
            return False
        od, sd = other._shape.as_tuple(), self._shape.as_tuple()
        if od is None:
            return True
        if sd is None or len(sd) != len(od):
            return False
        return all(o is None or o == s for s, o in zip(sd, od))

    def most_specific_common_supertype(self, others) -> "TensorSpec | None":
        """The narrowest spec admitting self and all `others` (None if dtypes differ)."""
        shape = self._shape
        for o in others:
            if not isinstance(o, TensorSpec) or o._dtype is not self._dtype:
                return None
            shape = shape.most_specific_compatible_shape(o._shape)
        return TensorSpec(shape, self._dtype, self._name)

    def most_specific_compatible_type(self, other) -> "TensorSpec":
        res = self.most_specific_common_supertype([other])
        if res is None:
            raise ValueError(f"No TypeSpec is compatible with both {self} and {other}")
        return res

    # ---- value semantics -------------------------------------------------------------------------
    def __eq__(self, other) -> bool:
        return (isinstance(other, TensorSpec) and other._dtype is self._dtype
                and other._shape.as_tuple() == self._shape.as_tuple() and other._name == self._name)

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash((self._shape.as_tuple(), self._dtype, self._name))

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self._shape}, dtype={self._dtype!r}, name={self._name!r})"

    __str__ = __repr__

    def __reduce__(self):
        return TensorSpec, (self._shape.dims, self._dtype.name, self._name)
