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
from .ops.rules import tf_name as _tf_name
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
    def __mul__(self, other):
        # TF: `*` on bool tensors is logical_and (tf.multiply itself rejects bool)
        if self.dtype is _dt.bool:
            return _math.logical_and(self, other)
        return _math.multiply(self, other)

    def __rmul__(self, other):
        if self.dtype is _dt.bool:
            return _math.logical_and(other, self)
        return _math.multiply(other, self)

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

    # __dict__ lets users (and Keras, e.g. `_keras_mask`) attach attributes, as on TF's EagerTensor.
    __slots__ = ("_value", "_dtype", "__dict__", "__weakref__")

    def __init__(self, value, dtype=None):
        arr, dt = to_array(value, dtype)
        self._value = arr
        self._dtype = dt

    @staticmethod
    def _make(value, dtype):
        """Fast constructor for kernel results (no inference, no copy); bind() calls it for every op."""
        t = _new(EagerTensor)
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
        """A read-only view (tensors are immutable), or a fresh array when a copy or cast is asked."""
        v = self._value
        if dtype is not None and v.dtype != dtype:
            return np.asarray(v).astype(dtype)
        if copy:
            return np.array(v, copy=True)
        v = np.asarray(v).view()
        v.flags.writeable = False
        return v

    def __bool__(self):
        v = self._value
        return False if v.size == 0 else bool(v)

    def __nonzero__(self):
        return self.__bool__()

    def __index__(self):
        if not self._dtype.is_integer or self._value.ndim != 0:
            # TF raises AttributeError for non-integers (an accident of its implementation);
            # a TypeError is what Python itself raises for `range(1.5)`.
            raise TypeError(f"only integer scalar tensors can be converted to a scalar index, got a "
                            f"{self._dtype.name} tensor of shape {self.shape}")
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
        v = self._value
        if v.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        if v.shape[0] == 0:
            return iter(())
        # Unpack (not one slice per row): one op, recorded by tapes, gradients flow to `self`.
        return iter(_array.unstack(self, num=v.shape[0]))

    def __format__(self, spec):
        v = self._value
        return (v[()] if v.ndim == 0 else v).__format__(spec)  # the NumPy value's formatting, as TF

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
            # TF's repr shows the Python value (float32 0.1 -> 0.10000000149011612); str the NumPy one.
            text = repr(v.item()) if is_repr else str(v[()])
        else:
            text = repr(v) if is_repr else str(v)
        return ("\n" + text) if "\n" in text else text

    def __str__(self):
        return f"tf.Tensor({self._numpy_text(False)}, shape={self.shape}, dtype={self._dtype.name})"

    def __repr__(self):
        return f"<tf.Tensor: shape={self.shape}, dtype={self._dtype.name}, numpy={self._numpy_text(True)}>"


_new = object.__new__


def is_tensor(x) -> bool:
    """True for tensors (eager or symbolic) and tensor-like values such as variables, as TF.

    >>> import eagerflow as tf
    >>> tf.is_tensor(tf.constant(1)), tf.is_tensor(tf.Variable(1)), tf.is_tensor([1])
    (True, True, False)
    """
    return isinstance(x, Tensor) or getattr(x, "_is_eagerflow_variable", False)


# ---- conversion: TF's dtype inference ---------------------------------------------------------
#
# TF's rules, checked against TensorFlow 2.21:
# - top-level NumPy values keep their dtype (and are copied: tensors are immutable);
# - Python scalars and nested lists: bool -> bool, int -> int32 (int64 when a value needs it),
#   float -> float32, complex -> complex128, str/bytes -> string; ints and floats mix to float,
#   anything else mixed (bool and int, str and int, None) is refused;
# - inside lists NumPy integers count as Python ints, NumPy floats keep their precision;
# - with an explicit dtype, Python values must fit the kind (1.0 -> int32 is refused, ints wrap
#   modulo 2**bits); NumPy values are cast with NumPy's astype.

_INT64_MIN, _INT64_MAX, _UINT64_MAX = -(2 ** 63), 2 ** 63 - 1, 2 ** 64 - 1
_FLOAT32_MAX, _INF = float(np.finfo(np.float32).max), float("inf")
_KIND_ORDER = ("str", "bool", "complex", "float", "int")
_ALLOWED_KINDS = {"string": {"str"}, "bool": {"bool"}, "int": {"bool", "int"},
                  "float": {"bool", "int", "float"}, "complex": {"bool", "int", "float", "complex"}}


class _Scan:
    """What a walk over a nested Python value found: its shape and the kinds of its leaves."""

    __slots__ = ("dims", "leaf_depth", "kinds", "np_inexact", "lo", "hi", "fmax", "bad")

    def __init__(self):
        self.dims: list = []
        self.leaf_depth = None
        self.kinds: set = set()
        self.np_inexact: list = []   # NumPy float/complex dtypes seen (they keep their precision)
        self.lo = self.hi = 0
        self.fmax = 0.0              # the largest finite |Python float| (float32 inference refuses overflow)
        self.bad = None              # the first leaf of an unsupported type


def _non_rectangular():
    return ValueError("Can't convert non-rectangular Python sequence to Tensor.")


def _float_out_of_range():
    return ValueError("Can't convert Python sequence with a value out of range for a double-precision float.")


def _mixed_types():
    return ValueError("Can't convert Python sequence with mixed types to Tensor.")


def _enter_dims(scan: _Scan, depth: int, dims) -> None:
    for i, n in enumerate(dims, depth):
        if scan.leaf_depth is not None and i >= scan.leaf_depth:
            raise _mixed_types()         # a scalar was seen where this sequence is
        if i < len(scan.dims):
            if scan.dims[i] != n:
                raise _non_rectangular()
        else:
            scan.dims.append(n)


def _scan(value, depth: int, scan: _Scan) -> None:
    if isinstance(value, (list, tuple, range)):
        _enter_dims(scan, depth, (len(value),))
        for v in value:
            _scan(v, depth + 1, scan)
        return
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            _scan(value.tolist(), depth, scan)
            return
        _enter_dims(scan, depth, value.shape)
        depth += value.ndim
        if value.size:
            _leaf(value.dtype, value, depth, scan)
        return
    _leaf(getattr(value, "dtype", None), value, depth, scan)


def _leaf(npd, value, depth: int, scan: _Scan) -> None:
    if scan.leaf_depth is None:
        if depth != len(scan.dims):
            raise _non_rectangular()
        scan.leaf_depth = depth
    elif depth != scan.leaf_depth:
        raise _non_rectangular()
    kind = _leaf_kind(npd, value)
    if kind == "int":
        lo, hi = (min(value.min(), 0), max(value.max(), 0)) if npd is not None else (value, value)
        scan.lo, scan.hi = min(scan.lo, int(lo)), max(scan.hi, int(hi))
    elif kind in ("float", "complex") and npd is not None:
        scan.np_inexact.append(npd)
    elif kind == "float" and abs(value) > scan.fmax and value not in (_INF, -_INF):
        scan.fmax = abs(value)
    elif kind == "bad" and scan.bad is None:
        scan.bad = (value,)
    scan.kinds.add(kind)


def _leaf_kind(npd, value) -> str:
    if npd is not None:  # a NumPy scalar or array
        k = npd.kind
        return {"b": "bool", "i": "int", "u": "int", "f": "float", "c": "complex", "S": "str",
                "U": "str"}.get(k, "bad")
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, complex):
        return "complex"
    if isinstance(value, (str, bytes)):
        return "str"
    return "bad"


def _unsupported(value, leaf) -> ValueError:
    return ValueError(f"Attempt to convert a value ({leaf!r}) with an unsupported type ({type(leaf)}) "
                      f"to a Tensor.")


def _dtype_of_scan(scan: _Scan, value) -> _dt.DType:
    kinds = scan.kinds
    if not kinds:
        return _dt.float32
    if "bad" in kinds:
        raise _unsupported(value, scan.bad[0]) if len(kinds) == 1 else _mixed_types()
    if len(kinds) > 1 and ("str" in kinds or "bool" in kinds):
        raise _mixed_types()
    kind = next(k for k in _KIND_ORDER if k in kinds)
    if kind in ("float", "complex") and scan.np_inexact:
        npd = np.result_type(*scan.np_inexact)
        if kind == "complex" and npd.kind != "c":
            npd = np.result_type(npd, np.complex64)
        return _dt.from_numpy(npd)
    if kind == "int":
        if scan.lo < _INT64_MIN or scan.hi > _INT64_MAX:
            raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
        return _dt.int32 if _INT32_MIN <= scan.lo and scan.hi <= _INT32_MAX else _dt.int64
    if kind == "float" and scan.fmax > _FLOAT32_MAX:
        raise _float_out_of_range()
    return {"str": _dt.string, "bool": _dt.bool, "complex": _dt.complex128, "float": _dt.float32}[kind]


def _kind_of_dtype(d: _dt.DType) -> str:
    if d is _dt.string or d is _dt.bool:
        return d.name
    return "int" if d.is_integer else "float" if d.is_floating else "complex" if d.is_complex else "none"


def infer_dtype(value) -> _dt.DType:
    """The DType `tf.constant(value)` gives (TF's inference rules, see above)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return _dt.string if value.dtype.kind in "SUO" else _dt.from_numpy(value.dtype)
    scan = _Scan()
    _scan(value, 0, scan)
    return _dtype_of_scan(scan, value)


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


def _cannot_convert(value, target: _dt.DType) -> TypeError:
    return TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {_tf_name(target)}")


def to_array(value, dtype=None):
    """(ndarray, DType) for a Python/NumPy value, applying TF's conversion rules."""
    target = _dt.as_dtype(dtype) if dtype is not None else None
    if isinstance(value, (np.ndarray, np.generic)):
        return _numpy_to_array(value, target)
    vt = type(value)
    if target is None:  # fast paths: Python scalars, nested lists of plain ints/floats
        if vt is int and _INT32_MIN <= value <= _INT32_MAX:
            return np.array(value, dtype=np.int32), _dt.int32
        kind = _PY_SCALAR_KIND.get(vt)
        if kind == "str":
            return _string_array(value), _dt.string
        if kind == "float" and -_FLOAT32_MAX <= value <= _FLOAT32_MAX or kind == "bool":
            d = _PY_SCALAR_DTYPE[kind]
            return np.array(value, dtype=d._np), d
        if (vt is list or vt is tuple) and value:
            done = _plain_numbers_array(value)
            if done is not None:
                return done
    scan = _Scan()
    _scan(value, 0, scan)
    if target is None:
        target = _dtype_of_scan(scan, value)
    elif scan.kinds - _ALLOWED_KINDS.get(_kind_of_dtype(target), set()):
        if "bad" in scan.kinds:
            raise _unsupported(value, scan.bad[0])
        raise _cannot_convert(value, target)
    if target is _dt.string:
        return _string_array(value), target
    return _python_ints_safe_array(value, scan, target), target


def _plain_numbers_array(value):
    """(array, DType) for nested lists of plain Python ints/floats (the common case), else None.

    Checks leaf types level by level with C-speed set(map(type, ...)) instead of a Python walk.
    """
    level = value
    while True:
        types = set(map(type, level))
        if types <= _SEQ_TYPES and types:
            level = [x for seq in level for x in seq]
            continue
        if not types <= _NUMBER_TYPES or not types:
            return None
        break
    try:
        arr = np.array(value)
        if float in types:
            big = np.abs(arr[np.isfinite(arr)]).max(initial=0.0) if arr.size else 0.0
            if big > _FLOAT32_MAX:
                raise _float_out_of_range()  # TF refuses to infer float32 for 1e40
            return arr.astype(np.float32), _dt.float32
    except (ValueError, OverflowError):  # ragged or huge ints: the full walk gives TF's message
        return None
    if arr.dtype != np.int64:
        return None
    if arr.size and (arr.min() < _INT32_MIN or arr.max() > _INT32_MAX):
        return arr, _dt.int64
    return arr.astype(np.int32), _dt.int32


_SEQ_TYPES, _NUMBER_TYPES = frozenset([list, tuple]), frozenset([int, float])
_PLAIN_LEAF_TYPES = frozenset([int, float, bool, complex, str, bytes, type(None)])
_PY_SCALAR_KIND = {float: "float", bool: "bool", complex: "complex", int: "int", str: "str", bytes: "str"}
_PY_SCALAR_DTYPE = {"float": _dt.float32, "bool": _dt.bool, "complex": _dt.complex128}


def _python_ints_safe_array(value, scan: _Scan, target: _dt.DType) -> np.ndarray:
    """np.array(value, target), wrapping out-of-range Python ints modulo 2**bits as TF does."""
    npd = target._np
    limit_hi = _UINT64_MAX if target is _dt.uint64 else _INT64_MAX
    if scan.lo < _INT64_MIN or scan.hi > limit_hi:
        raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
    with np.errstate(over="ignore", invalid="ignore"):  # 1e40 -> float32 is inf, as TF
        try:
            return np.array(value, dtype=npd)
        except OverflowError:  # 300 -> uint8: TF wraps
            return np.array(value, dtype=np.int64).astype(npd)


def _numpy_to_array(value, target):
    src = value.dtype
    if src.kind in "SUO":
        if target is not None and target is not _dt.string:
            raise ValueError(f"Failed to convert a NumPy array of {src} to a Tensor of dtype {target.name}.")
        return _string_array(value), _dt.string
    if target is None:
        return np.array(value, copy=True), _dt.from_numpy(src)
    if target is _dt.string:
        raise ValueError(f"Failed to convert a NumPy array to a Tensor (Unsupported object type "
                         f"{type(value.reshape(-1)[0].item()).__name__ if value.size else src}).")
    if src.kind == "c" and not target.is_complex:
        value = value.real  # TF drops the imaginary part when casting NumPy complex to real
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array(value, dtype=target._np, copy=True), target


def constant(value, dtype=None, shape=None, name="Const") -> Tensor:
    """Creates a constant tensor from a Python or NumPy value (TF's dtype inference).

    >>> import eagerflow as tf
    >>> print(tf.constant(10))
    tf.Tensor(10, shape=(), dtype=int32)
    >>> print(tf.constant(0, shape=[2, 2]))
    tf.Tensor(
    [[0 0]
     [0 0]], shape=(2, 2), dtype=int32)
    """
    if isinstance(value, Tensor) or _is_tensor_like(value) or (
            isinstance(value, (list, tuple)) and _contains_tensor(value)):
        t = convert_to_tensor(value)
        if dtype is not None and t.dtype is not _dt.as_dtype(dtype):
            shown = t.numpy() if isinstance(t, EagerTensor) else t
            raise TypeError(f"Expected tensor {shown} with dtype {_dt.as_dtype(dtype)!r}, but got dtype "
                            f"{t.dtype!r}.")
        return t if shape is None else _array.reshape(t, shape)
    arr, dt = to_array(value, dtype)
    if shape is not None:
        arr = _fit_shape(arr, value, shape)
    graph = _state.graph
    if graph is not None:
        return graph.constant(arr, dt, name)
    return EagerTensor._make(arr, dt)


def _fit_shape(arr: np.ndarray, value, shape) -> np.ndarray:
    """tf.constant's `shape=`: a single value fills the shape, otherwise the sizes must agree."""
    shape = tuple(TensorShape(shape).as_list())
    if None in shape:
        raise TypeError(f"tf.constant needs a fully defined `shape`, got {shape}")
    if arr.shape == shape:
        return arr
    n = int(np.prod(shape))
    if arr.size == 1:
        return np.full(shape, arr.reshape(()), dtype=arr.dtype)
    if arr.size != n:
        raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor {arr} (converted from "
                        f"{value!r}) has {arr.size} elements, but got `shape` {shape} with {n} elements).")
    return arr.reshape(shape)


def _is_tensor_like(value) -> bool:
    return hasattr(value, "__tf_tensor__") and not isinstance(value, type)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None, preferred_dtype=None) -> Tensor:
    """Converts tensors, variables, NumPy arrays and Python values (nested lists may hold tensors).

    >>> import eagerflow as tf
    >>> tf.convert_to_tensor([1, 2]).dtype
    tf.int32
    >>> tf.convert_to_tensor([tf.constant(1.0), 2]).dtype
    tf.float32
    """
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype is not _dt.as_dtype(dtype):
            raise ValueError(f"Tensor conversion requested dtype {_dt.as_dtype(dtype).name} for Tensor with "
                             f"dtype {value.dtype.name}: {value!r}")
        return value
    if _is_tensor_like(value):
        return value.__tf_tensor__(dtype=dtype, name=name)
    if isinstance(value, (list, tuple)) and value and _contains_tensor(value):
        return _autopack(value, dtype)
    hint = dtype_hint if dtype_hint is not None else preferred_dtype
    if dtype is None and hint is not None:
        try:
            return constant(value, hint)
        except (TypeError, ValueError):
            pass
    if callable(value) and not isinstance(value, (np.ndarray, np.generic)):
        raise _unsupported(value, value)
    return constant(value, dtype)


def _contains_tensor(seq) -> bool:
    if set(map(type, seq)) <= _PLAIN_LEAF_TYPES:  # C-speed check for the common case
        return False
    for v in seq:
        if isinstance(v, Tensor) or _is_tensor_like(v):
            return True
        if isinstance(v, (list, tuple)) and _contains_tensor(v):
            return True
    return False


def _first_tensor_dtype(seq):
    for v in seq:
        if isinstance(v, Tensor) or _is_tensor_like(v):
            return v.dtype
        if isinstance(v, (list, tuple)):
            d = _first_tensor_dtype(v)
            if d is not None:
                return d
    return None


def _autopack(seq, dtype) -> Tensor:
    """A nested list holding tensors: Python leaves take the first tensor's dtype, then Pack (as TF)."""
    leaf_dtype = dtype if dtype is not None else _first_tensor_dtype(seq)
    parts = []
    for v in seq:
        if isinstance(v, (list, tuple)) and _contains_tensor(v):
            parts.append(_autopack(v, leaf_dtype))
        elif isinstance(v, Tensor) or _is_tensor_like(v):
            parts.append(convert_to_tensor(v, dtype))  # a dtype clash shows up as Pack's error
        else:
            parts.append(convert_to_tensor(v, leaf_dtype))
    return _array.stack(parts)


def convert_operand(value, like: Tensor, op_name: str, index: int) -> Tensor:
    """Converts the non-tensor operand of a binary op to its tensor partner's dtype (TF's rule)."""
    target = like.dtype
    vt = type(value)
    if (vt is float or vt is int) and (target.is_floating and -65504 <= value <= 65504 or (
            vt is int and target.is_integer and 0 <= value <= 127)):
        arr = np.array(value, dtype=target._np)  # fast path: `x * 2`, `x + 1.0` (no cast can overflow)
    elif isinstance(value, Tensor):
        return value
    elif _is_tensor_like(value):
        return value.__tf_tensor__()
    elif isinstance(value, (np.ndarray, np.generic)):  # NumPy operands are cast, as TF
        arr, _ = _numpy_to_array(value, target)
    elif isinstance(value, (list, tuple)) and _contains_tensor(value):  # `[x]` holding tensors: pack
        return convert_to_tensor(value, dtype_hint=target)
    else:
        arr = _python_operand_array(value, target, op_name, index)
    graph = _state.graph
    if graph is not None:
        return graph.constant(arr, target, "Const")
    return EagerTensor._make(arr, target)


def _python_operand_array(value, target: _dt.DType, op_name: str, index: int) -> np.ndarray:
    if value is None:
        raise _unsupported(value, value)
    scan = _Scan()
    _scan(value, 0, scan)
    bad = scan.kinds - _ALLOWED_KINDS.get(_kind_of_dtype(target), set())
    if bad:
        got = _dtype_of_scan(scan, value) if "bad" not in bad else None
        raise InvalidArgumentError(
            None, None, f"cannot compute {op_name} as input #{index}(zero-based) was expected to be a "
            f"{_tf_name(target)} tensor but is a {_tf_name(got) if got else type(value).__name__} tensor "
            f"[Op:{op_name}]")
    if target is _dt.string:
        return _string_array(value)
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            return np.array(value, dtype=target._np)
        except OverflowError:  # Python ints wrap modulo 2**bits, as TF
            return np.array(value, dtype=object).astype(np.int64).astype(target._np)


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
