"""Tensors: the `Tensor` base (operators, TF's Python protocol), `EagerTensor` (wraps a NumPy
value), and conversion of Python/NumPy values with TF's dtype inference.

>>> import eagerflow as tf
>>> t = tf.constant([[1.0, 2.0]])
>>> print(t * 2)
tf.Tensor([[2. 4.]], shape=(1, 2), dtype=float32)
"""
from __future__ import annotations

import numpy as np

from . import dtypes as _dt
from .context import _state
from .errors import InvalidArgumentError, OperatorNotAllowedInGraphError
from .shapes import TensorShape

__all__ = ["Tensor", "EagerTensor", "constant", "convert_to_tensor", "is_tensor", "infer_dtype"]

CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
_INT32_MIN, _INT32_MAX = -(2 ** 31), 2 ** 31 - 1


class Tensor:
    """Base of eager and symbolic tensors: TF's operators and Python protocol live here."""

    __slots__ = ()
    __array_priority__ = 100  # NumPy defers `ndarray + tensor` to us

    # ---- operators (all go through the op library, hence through bind) -------------------
    def __add__(self, other): return _math.add(self, other)
    def __radd__(self, other): return _math.add(other, self)
    def __sub__(self, other): return _math.subtract(self, other)
    def __rsub__(self, other): return _math.subtract(other, self)
    def __mul__(self, other): return _math.multiply(self, other)
    def __rmul__(self, other): return _math.multiply(other, self)
    def __truediv__(self, other): return _math.truediv(self, other)
    def __rtruediv__(self, other): return _math.truediv(other, self)
    def __floordiv__(self, other): return _math.floordiv(self, other)
    def __rfloordiv__(self, other): return _math.floordiv(other, self)
    def __mod__(self, other): return _math.floormod(self, other)
    def __rmod__(self, other): return _math.floormod(other, self)
    def __pow__(self, other): return _math.pow(self, other)
    def __rpow__(self, other): return _math.pow(other, self)
    def __matmul__(self, other): return _linalg.matmul(self, other)
    def __rmatmul__(self, other): return _linalg.matmul(other, self)
    def __neg__(self): return _math.negative(self)
    def __pos__(self): return self
    def __abs__(self): return _math.abs(self)
    def __lt__(self, other): return _math.less(self, other)
    def __le__(self, other): return _math.less_equal(self, other)
    def __gt__(self, other): return _math.greater(self, other)
    def __ge__(self, other): return _math.greater_equal(self, other)
    def __and__(self, other): return _math.bitwise_or_logical("and", self, other)
    def __rand__(self, other): return _math.bitwise_or_logical("and", other, self)
    def __or__(self, other): return _math.bitwise_or_logical("or", self, other)
    def __ror__(self, other): return _math.bitwise_or_logical("or", other, self)
    def __xor__(self, other): return _math.bitwise_or_logical("xor", self, other)
    def __rxor__(self, other): return _math.bitwise_or_logical("xor", other, self)
    def __invert__(self): return _math.invert(self)
    def __getitem__(self, key): return _array.getitem(self, key)

    def __eq__(self, other):
        """Elementwise equality as TF 2 (`None` and incompatible shapes compare False)."""
        if other is None:
            return False
        return _math.tensor_equals(self, other)

    def __ne__(self, other):
        if other is None:
            return True
        return _math.tensor_not_equals(self, other)

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def ref(self) -> "Reference":
        """A hashable handle comparing by identity (for dict keys and sets)."""
        return Reference(self)

    experimental_ref = ref

    # ---- shape helpers shared by eager and symbolic tensors ---------------------------------
    @property
    def ndim(self) -> int:
        return self.shape.rank

    @property
    def rank(self):
        return self.shape.rank

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def is_eager(self) -> bool:
        return False

    def __tf_tensor__(self, dtype=None, name=None):
        return self


class Reference:
    """What `tensor.ref()` returns: hashable by identity, `.deref()` gives the object back."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __hash__(self):
        return id(self._obj)

    def __eq__(self, other):
        return isinstance(other, Reference) and other._obj is self._obj

    def __repr__(self):
        return f"<Reference wrapping {self._obj!r}>"


class EagerTensor(Tensor):
    """A concrete, immutable value: a NumPy array (or NumPy scalar) plus its TF dtype."""

    __slots__ = ("_value", "_dtype")

    def __init__(self, value, dtype=None):
        arr, dt = to_array(value, dtype)
        self._value = arr
        self._dtype = dt

    @classmethod
    def _make(cls, value, dtype):
        """Fast constructor for kernel results (no inference, no copy)."""
        t = _new(cls)
        t._value = value
        t._dtype = dtype
        return t

    # ---- data access ------------------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return TensorShape._from_tuple(self._value.shape)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def device(self) -> str:
        return CPU_DEVICE

    @property
    def is_eager(self) -> bool:
        return True

    def numpy(self):
        """The value as NumPy: a copy for arrays, a NumPy scalar for 0-d tensors (as TF)."""
        v = self._value
        if isinstance(v, np.ndarray):
            return v[()] if v.ndim == 0 else v.copy()
        return v

    _numpy = numpy

    def __array__(self, dtype=None, copy=None):
        v = np.asarray(self._value)
        if dtype is not None and v.dtype != dtype:
            return v.astype(dtype)
        return v.copy() if copy else v

    def __bool__(self):
        return bool(self._value)

    def __nonzero__(self):
        return self.__bool__()

    def __index__(self):
        if not self._dtype.is_integer:
            raise TypeError(f"Only integer scalar tensors can be used as an index, got {self._dtype.name}")
        return int(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __complex__(self):
        return complex(self._value)

    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return (self[i] for i in range(self._value.shape[0]))

    def __format__(self, spec):
        if self._value.ndim == 0:
            return format(self._value[()] if isinstance(self._value, np.ndarray) else self._value, spec)
        return format(str(self), spec)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return EagerTensor, (self.numpy(), self._dtype.name)

    # ---- printing exactly as TF ---------------------------------------------------------------
    def _numpy_text(self, is_repr: bool) -> str:
        v = self._value
        if v.ndim == 0:
            text = str(v[()] if isinstance(v, np.ndarray) else v)
        else:
            text = repr(v) if is_repr else str(v)
        return ("\n" + text) if "\n" in text else text

    def __str__(self):
        return f"tf.Tensor({self._numpy_text(False)}, shape={self.shape}, dtype={self._dtype.name})"

    def __repr__(self):
        return f"<tf.Tensor: shape={self.shape}, dtype={self._dtype.name}, numpy={self._numpy_text(True)}>"


_new = object.__new__


def is_tensor(x) -> bool:
    """True for eagerflow tensors (eager or symbolic)."""
    return isinstance(x, Tensor)


# ---- conversion: TF's dtype inference ---------------------------------------------------------

def infer_dtype(value) -> _dt.DType:
    """TF's rule: Python float -> float32, int -> int32 (int64 if too big), NumPy keeps its dtype."""
    if isinstance(value, (bool, np.bool_)):
        return _dt.bool
    if isinstance(value, (np.ndarray, np.generic)):
        return _dt.from_numpy(value.dtype)
    if isinstance(value, int):
        return _dt.int32 if _INT32_MIN <= value <= _INT32_MAX else _dt.int64
    if isinstance(value, float):
        return _dt.float32
    if isinstance(value, complex):
        return _dt.complex128
    if isinstance(value, (str, bytes)):
        return _dt.string
    return _infer_nested(value)


def _infer_nested(value) -> _dt.DType:
    arr = np.asarray(value)
    if arr.dtype == object or arr.dtype.kind in "SU":
        return _dt.string
    if arr.dtype == np.float64:
        return _dt.float64 if _has_numpy_leaf(value, np.float64) else _dt.float32
    if arr.dtype == np.int64:
        if arr.size and (arr.min() < _INT32_MIN or arr.max() > _INT32_MAX):
            return _dt.int64
        return _dt.int64 if _has_numpy_leaf(value, np.int64) else _dt.int32
    return _dt.from_numpy(arr.dtype)


def _has_numpy_leaf(value, np_type) -> bool:
    """Whether a nested list holds NumPy values of `np_type` (those keep their dtype in TF)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.dtype == np_type
    if isinstance(value, (list, tuple)):
        return any(_has_numpy_leaf(v, np_type) for v in value)
    return False


def _string_array(value) -> np.ndarray:
    """Strings are stored as object arrays of bytes, as TF's `.numpy()` returns them."""
    arr = np.asarray(value, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i, s in enumerate(flat_in):
        if isinstance(s, str):
            s = s.encode("utf-8")
        elif isinstance(s, np.bytes_):
            s = bytes(s)
        elif not isinstance(s, bytes):
            raise TypeError(f"Failed to convert elements of {value!r} to Tensor: expected bytes or str, "
                            f"got {type(s).__name__}.")
        flat_out[i] = s
    return out


def to_array(value, dtype=None):
    """(ndarray-or-NumPy-scalar, DType) for a Python/NumPy value, applying TF's conversion rules."""
    target = _dt.as_dtype(dtype) if dtype is not None else infer_dtype(value)
    if target is _dt.string:
        return _string_array(value), _dt.string
    npd = target._np
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype == npd:
        return np.array(value, copy=True), target
    if dtype is not None:
        src = infer_dtype(value)
        if src is _dt.string:
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {target.name}")
        if not _representable(value, src, target):
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {target.name}")
    try:
        arr = np.asarray(value)
        if arr.dtype != npd:
            arr = arr.astype(npd)
        elif arr is value:
            arr = arr.copy()
    except (TypeError, ValueError) as e:
        raise ValueError(f"Can't convert non-rectangular Python sequence to Tensor: {e}") from None
    return arr, target


def _representable(value, src: _dt.DType, target: _dt.DType) -> bool:
    """TF refuses silent lossy conversion of Python values (1.5 -> int32, 1j -> float32)."""
    if src.is_complex and not target.is_complex:
        return False
    if src.is_floating and (target.is_integer or target.is_bool):
        arr = np.asarray(value)
        return bool(np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))) and not target.is_bool
    return True


def constant(value, dtype=None, shape=None, name="Const") -> Tensor:
    """Creates a constant tensor from a Python or NumPy value (TF's dtype inference).

    >>> import eagerflow as tf
    >>> print(tf.constant(10))
    tf.Tensor(10, shape=(), dtype=int32)
    """
    if isinstance(value, Tensor):
        t = convert_to_tensor(value, dtype)
        if shape is not None:
            t = _array.reshape(t, shape)
        return t
    arr, dt = to_array(value, dtype)
    if shape is not None:
        shape = tuple(int(d) for d in shape)
        if arr.size == 1 and arr.shape != shape:
            arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
        elif arr.shape != shape:
            if arr.size != int(np.prod(shape)):
                raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor {value!r} "
                                f"(converted from {value!r}) has {arr.size} elements, but got `shape` "
                                f"{shape} with {int(np.prod(shape))} elements).")
            arr = arr.reshape(shape)
    graph = _state.graph
    if graph is not None:
        return graph.constant(arr, dt, name)
    return EagerTensor._make(arr, dt)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None, preferred_dtype=None) -> Tensor:
    """Converts tensors, variables, NumPy arrays and Python values to a Tensor.

    >>> import eagerflow as tf
    >>> tf.convert_to_tensor([1, 2]).dtype
    tf.int32
    """
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype is not _dt.as_dtype(dtype):
            raise ValueError(f"Tensor conversion requested dtype {_dt.as_dtype(dtype).name} for Tensor with "
                             f"dtype {value.dtype.name}: {value!r}")
        return value
    conv = getattr(value, "__tf_tensor__", None)
    if conv is not None and not isinstance(value, type):
        return conv(dtype=dtype, name=name)
    if isinstance(value, (list, tuple)) and value and _contains_tensor(value):
        return _array.stack([convert_to_tensor(v, dtype, dtype_hint) for v in value])
    hint = dtype_hint if dtype_hint is not None else preferred_dtype
    if dtype is None and hint is not None:
        try:
            return constant(value, hint)
        except (TypeError, ValueError):
            pass
    if value is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type (<class 'NoneType'>) "
                         "to a Tensor.")
    if callable(value) and not isinstance(value, (np.ndarray, np.generic)):
        raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                         f"({type(value)}) to a Tensor.")
    return constant(value, dtype)


def _contains_tensor(seq) -> bool:
    for v in seq:
        if isinstance(v, Tensor) or hasattr(v, "__tf_tensor__"):
            return True
        if isinstance(v, (list, tuple)) and _contains_tensor(v):
            return True
    return False


def convert_operand(value, like: Tensor, op_name: str, index: int) -> Tensor:
    """Converts the non-tensor operand of a binary op to its tensor partner's dtype (TF's rule)."""
    if isinstance(value, Tensor):
        return value
    if hasattr(value, "__tf_tensor__") and not isinstance(value, type):
        return value.__tf_tensor__()
    target = like.dtype
    src = infer_dtype(value) if value is not None else None
    if src is None or (src is _dt.string) != (target is _dt.string) or not _representable(value, src, target):
        got = "None" if src is None else src.name
        raise InvalidArgumentError(
            None, None, f"cannot compute {op_name} as input #{index}(zero-based) was expected to be a "
            f"{target.name} tensor but is a {got} tensor [Op:{op_name}]")
    if target is _dt.string:
        return constant(value, target)
    arr = np.asarray(value)
    if arr.dtype != target._np:
        with np.errstate(over="ignore", invalid="ignore"):
            arr = arr.astype(target._np)
    graph = _state.graph
    if graph is not None:
        return graph.constant(arr, target, "Const")
    return EagerTensor._make(arr, target)


def get_static_value(tensor, partial=False):
    """The NumPy value of `tensor` if it is known without running a graph, else None.

    Eager tensors always have one; a symbolic tensor has one when its graph can tell
    (a Const node, or a shape that is fully known).
    """
    if isinstance(tensor, EagerTensor):
        return tensor.numpy()
    if isinstance(tensor, Tensor):
        static = getattr(tensor, "_static_value", None)
        return static() if static is not None else None
    if hasattr(tensor, "__tf_tensor__"):
        return None
    return np.asarray(tensor)


def raise_symbolic_bool(what: str):
    raise OperatorNotAllowedInGraphError(
        f"Using a symbolic `tf.Tensor` as a Python `{what}` is not allowed in graph execution. "
        "Use Eager execution or decorate this function with @tf.function (AutoGraph converts `if`, "
        "`while` and `for` on tensors), or use tf.cond / tf.while_loop explicitly.")


# The operators above call into the op library, which itself builds on EagerTensor: importing it
# after the classes exist keeps one direction of definition (tensor -> ops) without lazy imports.
from .ops import array as _array, linalg as _linalg, math as _math  # noqa: E402
