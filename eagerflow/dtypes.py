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

    # The kind flags are plain attributes, not properties: ops and tapes test them on every call.
    __slots__ = ("name", "_np", "size", "as_datatype_enum", "as_numpy_dtype", "is_floating", "is_integer",
                 "is_unsigned", "is_complex", "is_bool", "is_numeric", "is_quantized", "is_differentiable")

    def __init__(self, name: str, np_dtype, enum: int, size: int | None = None):
        self.name = name
        self._np = np.dtype(np_dtype) if np_dtype is not None else None
        if size is None:
            size = self._np.itemsize if self._np is not None and name != "string" else 0
        self.size = size
        self.as_datatype_enum = enum  # TF's DataType proto number; tf.as_dtype(1) is tf.float32
        # The NumPy scalar type (`object` for strings, as TF).
        self.as_numpy_dtype = None if self._np is None else object if name == "string" else self._np.type
        self.is_floating = name in ("float16", "bfloat16", "float32", "float64")
        self.is_integer = name.startswith(("int", "uint"))
        self.is_unsigned = name.startswith("uint")
        self.is_complex = name.startswith("complex")
        self.is_bool = name == "bool"
        self.is_numeric = self.is_floating or self.is_integer or self.is_complex
        self.is_quantized = False
        self.is_differentiable = self.is_floating or self.is_complex  # gradients flow only through these

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def real_dtype(self) -> "DType":
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    @property
    def min(self):
        """The smallest representable value (TypeError for bool, complex and string, as TF)."""
        if self is bfloat16:
            return np.float32(-3.38953139e38)
        if self.is_floating:
            return np.finfo(self._np).min
        if self.is_integer:
            return int(np.iinfo(self._np).min)
        raise TypeError(f"Cannot find minimum value of {self} with type {self}.")

    @property
    def max(self):
        """The largest representable value (TypeError for bool, complex and string, as TF)."""
        if self is bfloat16:
            return np.float32(3.38953139e38)
        if self.is_floating:
            return np.finfo(self._np).max
        if self.is_integer:
            return int(np.iinfo(self._np).max)
        raise TypeError(f"Cannot find maximum value of {self} with type {self}.")

    def is_compatible_with(self, other) -> bool:
        return self is as_dtype(other)

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: '{self.name}'>"

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

    # DTypes are singletons (pickling returns the same object), so identity hashing is consistent
    # with `==` between DTypes, and C-level hashing keeps dtype-set lookups in dtype rules cheap.
    __hash__ = object.__hash__

    def __reduce__(self):
        return as_dtype, (self.name,)


float16 = half = DType("float16", np.float16, 19)
# NumPy has no bfloat16; eagerflow stores it as float32 (documented difference).
bfloat16 = DType("bfloat16", np.float32, 14, size=2)
float32 = DType("float32", np.float32, 1)
float64 = double = DType("float64", np.float64, 2)
int8 = DType("int8", np.int8, 6)
int16 = DType("int16", np.int16, 5)
int32 = DType("int32", np.int32, 3)
int64 = DType("int64", np.int64, 9)
uint8 = DType("uint8", np.uint8, 4)
uint16 = DType("uint16", np.uint16, 17)
uint32 = DType("uint32", np.uint32, 22)
uint64 = DType("uint64", np.uint64, 23)
bool = DType("bool", np.bool_, 10)  # noqa: A001  (TF's public name)
complex64 = DType("complex64", np.complex64, 8)
complex128 = DType("complex128", np.complex128, 18)
string = DType("string", np.object_, 7)
variant = DType("variant", None, 21)
resource = DType("resource", None, 20)

_ALL = [float16, bfloat16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32,
        uint64, bool, complex64, complex128, string, variant, resource]
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update(half=float16, float=float32, double=float64)
# NumPy dtype -> DType. bfloat16 shares float32's storage, so float32 wins the mapping.
_BY_NP = {d._np: d for d in reversed(_ALL) if d._np is not None and d is not bfloat16}
_BY_NP[np.dtype(np.bytes_)] = string
_BY_NP[np.dtype(np.str_)] = string
_BY_ENUM = {d.as_datatype_enum: d for d in _ALL}
builtins_bool, builtins_int = type(True), type(1)
# TF accepts these Python types; int, complex, str and bytes are refused as ambiguous.
_PY_TYPES = {float: float32, builtins_bool: bool, object: string}


def as_dtype(type_value) -> DType:
    """Converts a DType, name, NumPy dtype/type, TF enum number, `float`, `bool` or `object` to a DType.

    As in TF, Python `int`, `complex`, `str` and `bytes` are refused (their width is ambiguous).

    >>> import eagerflow as tf
    >>> tf.as_dtype("float32"), tf.as_dtype(np.int64), tf.as_dtype(float)
    (tf.float32, tf.int64, tf.float32)
    """
    if isinstance(type_value, DType):
        return type_value
    d = None
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
    elif isinstance(type_value, builtins_int) and not isinstance(type_value, builtins_bool):
        d = _BY_ENUM.get(type_value)
    elif isinstance(type_value, type) and type_value in _PY_TYPES:
        d = _PY_TYPES[type_value]
    elif isinstance(type_value, np.dtype) or (isinstance(type_value, type) and issubclass(type_value, np.generic)):
        npd = np.dtype(type_value)
        d = _BY_NP.get(npd) or (string if npd.kind in "SUO" else None)
    if d is None:
        raise TypeError(f"Cannot convert the argument `type_value`: {type_value!r} to a TensorFlow DType.")
    return d


def from_numpy(npd) -> DType:
    """The DType of a NumPy dtype (fast path for kernels' results)."""
    d = _BY_NP.get(npd)
    return d if d is not None else as_dtype(npd)

