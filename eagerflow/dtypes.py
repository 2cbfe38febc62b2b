"""TensorFlow dtypes as objects, and TF's rules for inferring them from Python values.

>>> import eagerflow as tf
>>> tf.float32.name, tf.as_dtype("int64").is_integer
('float32', True)
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "DType", "as_dtype", "float16", "bfloat16", "float32", "float64", "half", "double",
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool",
    "complex64", "complex128", "string", "variant", "resource",
]


class DType:
    """A tensor element type, compared by identity (one object per dtype)."""

    __slots__ = ("name", "_np", "size")

    def __init__(self, name: str, np_dtype):
        self.name = name
        self._np = np.dtype(np_dtype) if np_dtype is not None else None
        self.size = self._np.itemsize if self._np is not None and name != "string" else 0

    # --- TF's public properties -------------------------------------------------
    @property
    def as_numpy_dtype(self):
        return self._np.type if self._np is not None else None

    @property
    def is_floating(self) -> bool:
        return self.name in ("float16", "bfloat16", "float32", "float64")

    @property
    def is_integer(self) -> bool:
        return self.name.startswith(("int", "uint"))

    @property
    def is_unsigned(self) -> bool:
        return self.name.startswith("uint") or self.name == "bool"

    @property
    def is_complex(self) -> bool:
        return self.name.startswith("complex")

    @property
    def is_bool(self) -> bool:
        return self.name == "bool"

    @property
    def is_numeric(self) -> bool:
        return self.is_floating or self.is_integer or self.is_complex

    @property
    def is_differentiable(self) -> bool:
        """Gradients flow only through floating and complex tensors."""
        return self.is_floating or self.is_complex

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def real_dtype(self) -> "DType":
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    @property
    def min(self):
        if self.is_floating:
            return np.finfo(self._np).min
        if self.is_integer:
            return np.iinfo(self._np).min
        if self.is_bool:
            return False
        raise TypeError(f"Cannot find minimum value of {self.name}.")

    @property
    def max(self):
        if self.is_floating:
            return np.finfo(self._np).max
        if self.is_integer:
            return np.iinfo(self._np).max
        if self.is_bool:
            return True
        raise TypeError(f"Cannot find maximum value of {self.name}.")

    def is_compatible_with(self, other) -> bool:
        return self is as_dtype(other)

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if other is None:
            return False
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.name)

    def __reduce__(self):
        return as_dtype, (self.name,)


float16 = half = DType("float16", np.float16)
# NumPy has no bfloat16; eagerflow stores it as float32 (documented difference).
bfloat16 = DType("bfloat16", np.float32)
float32 = DType("float32", np.float32)
float64 = double = DType("float64", np.float64)
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
uint32 = DType("uint32", np.uint32)
uint64 = DType("uint64", np.uint64)
bool = DType("bool", np.bool_)  # noqa: A001  (TF's public name)
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)
string = DType("string", np.object_)
variant = DType("variant", None)
resource = DType("resource", None)

_ALL = [float16, bfloat16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32,
        uint64, bool, complex64, complex128, string, variant, resource]
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update(half=float16, double=float64)
# NumPy dtype -> DType. bfloat16 shares float32's storage, so float32 wins the mapping.
_BY_NP = {d._np: d for d in reversed(_ALL) if d._np is not None and d is not bfloat16}
_BY_NP[np.dtype(np.bytes_)] = string
_BY_NP[np.dtype(np.str_)] = string


def as_dtype(value) -> DType:
    """Converts a DType, name, NumPy dtype or Python type to a DType."""
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        d = _BY_NAME.get(value)
        if d is not None:
            return d
    if value is float:
        return float32
    if value is int:
        return int32
    if value is builtins_bool:
        return bool
    if value is complex:
        return complex128
    if value is bytes or value is str:
        return string
    try:
        npd = np.dtype(value)
    except TypeError:
        raise TypeError(f"Cannot convert {value!r} to EagerTensor dtype: not a TensorFlow dtype.") from None
    d = _BY_NP.get(npd)
    if d is None:
        if npd.kind in "SU":
            return string
        raise TypeError(f"Cannot convert {value!r} to a TensorFlow DType.")
    return d


def from_numpy(npd) -> DType:
    """The DType of a NumPy dtype (fast path for kernels' results)."""
    d = _BY_NP.get(npd)
    return d if d is not None else as_dtype(npd)


builtins_bool = type(True)
