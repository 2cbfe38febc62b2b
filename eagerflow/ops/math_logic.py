"""Comparisons, logic, bitwise ops, selection, casting and complex parts (part of `tf.math`).

Each primitive is one block: TF op name, NumPy kernel, dtype rule, shape rule, gradient.
Re-exported by `eagerflow.ops.math`, which the rest of the package imports.

>>> import eagerflow as tf
>>> print(tf.constant([1, 2, 3]) > 1)
tf.Tensor([False  True  True], shape=(3,), dtype=bool)
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError, UnimplementedError
from ..primitive import Primitive, bind
from ..tensor import Tensor, convert_to_tensor
from . import array as _array, rules as R
from .math import binary, maximum, minimum, operand, pair, unary_op, unbroadcast

__all__ = [
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_not", "logical_xor", "where", "cast", "saturate_cast",
    "real", "imag", "conj", "complex",
]


# ---- comparisons (no gradients) ---------------------------------------------------------------------------

def _broadcastable(a: tuple, b: tuple) -> bool:
    for x, y in zip(reversed(a), reversed(b)):
        if x != y and x != 1 and y != 1:
            return False
    return True


def _equality(name: str, ufunc, on_mismatch: bool) -> Primitive:
    """Equal / NotEqual; with incompatible_shape_error=False (Python's ==, !=) shapes that do not
    broadcast give a scalar `on_mismatch` instead of an error, as TF 2."""
    def kernel(x, y, *, incompatible_shape_error=True):
        if not incompatible_shape_error and not _broadcastable(np.shape(x), np.shape(y)):
            return np.array(on_mismatch)
        out = ufunc(x, y)
        return out if out.dtype == np.bool_ else np.asarray(out, dtype=np.bool_)  # string inputs

    def shape_rule(sx, sy, *, incompatible_shape_error=True):
        if incompatible_shape_error:
            return R.broadcast_shapes(name, sx, sy)
        try:
            return R.broadcast_shapes(name, sx, sy)
        except InvalidArgumentError:
            return ()

    return Primitive(name, kernel, dtype_rule=R.same(name, R.ALL, out=_dt.bool), shape_rule=shape_rule)


def _compare(name: str, kernel) -> Primitive:
    return Primitive(name, kernel, dtype_rule=R.same(name, R.REAL, out=_dt.bool), shape_rule=R.broadcast(name))


equal_p = _equality("Equal", np.equal, False)
not_equal_p = _equality("NotEqual", np.not_equal, True)
less_p = _compare("Less", np.less)
less_equal_p = _compare("LessEqual", np.less_equal)
greater_p = _compare("Greater", np.greater)
greater_equal_p = _compare("GreaterEqual", np.greater_equal)


def equal(x, y, name=None) -> Tensor:
    """x == y elementwise with broadcasting (any dtype, strings included).

    >>> import eagerflow as tf
    >>> print(tf.equal(tf.constant([1, 2]), 2))
    tf.Tensor([False  True], shape=(2,), dtype=bool)
    """
    return binary(equal_p, x, y)


def not_equal(x, y, name=None) -> Tensor:
    """x != y elementwise with broadcasting.

    >>> import eagerflow as tf
    >>> print(tf.not_equal(tf.constant([1, 2]), 2))
    tf.Tensor([ True False], shape=(2,), dtype=bool)
    """
    return binary(not_equal_p, x, y)


def less(x, y, name=None) -> Tensor:
    """x < y elementwise (real dtypes).

    >>> import eagerflow as tf
    >>> print(tf.less(tf.constant([1, 2]), 2))
    tf.Tensor([ True False], shape=(2,), dtype=bool)
    """
    return binary(less_p, x, y)


def less_equal(x, y, name=None) -> Tensor:
    """x <= y elementwise (real dtypes).

    >>> import eagerflow as tf
    >>> print(tf.less_equal(tf.constant([1, 2]), 1))
    tf.Tensor([ True False], shape=(2,), dtype=bool)
    """
    return binary(less_equal_p, x, y)


def greater(x, y, name=None) -> Tensor:
    """x > y elementwise (real dtypes).

    >>> import eagerflow as tf
    >>> print(tf.greater(tf.constant([1, 2]), 1))
    tf.Tensor([False  True], shape=(2,), dtype=bool)
    """
    return binary(greater_p, x, y)


def greater_equal(x, y, name=None) -> Tensor:
    """x >= y elementwise (real dtypes).

    >>> import eagerflow as tf
    >>> print(tf.greater_equal(tf.constant([1, 2]), 2))
    tf.Tensor([False  True], shape=(2,), dtype=bool)
    """
    return binary(greater_equal_p, x, y)


def tensor_equals(x: Tensor, other) -> Tensor:
    """`x == other` as TF 2: elementwise, but shapes that do not broadcast give a scalar False.

    A dtype mismatch is an error (TypeError for a Python value that does not fit x's dtype).
    """
    y = other if isinstance(other, Tensor) else operand(other, x, "Equal", 1)
    return bind(equal_p, x, y, incompatible_shape_error=False)


def tensor_not_equals(x: Tensor, other) -> Tensor:
    """`x != other` as TF 2 (a scalar True when shapes do not broadcast)."""
    y = other if isinstance(other, Tensor) else operand(other, x, "NotEqual", 1)
    return bind(not_equal_p, x, y, incompatible_shape_error=False)


# ---- logic ---------------------------------------------------------------------------------------------

def _bool_inputs(op: str):
    """Dtype rule of an op whose inputs are all bool (TF names the first offending input)."""
    def rule(*dts, **_):
        for i, d in enumerate(dts):
            if d is not _dt.bool:
                R.fail(op, f"cannot compute {op} as input #{i}(zero-based) was expected to be a bool tensor "
                           f"but is a {R.tf_name(d)} tensor")
        return _dt.bool
    return rule


def _bool(x) -> Tensor:
    """Python values convert straight to bool (1 does not: TF refuses it), as for TF's bool-only ops."""
    return x if isinstance(x, Tensor) else convert_to_tensor(x, dtype=_dt.bool)


logical_and_p = Primitive("LogicalAnd", np.logical_and, dtype_rule=_bool_inputs("LogicalAnd"),
                          shape_rule=R.broadcast("LogicalAnd"))
logical_or_p = Primitive("LogicalOr", np.logical_or, dtype_rule=_bool_inputs("LogicalOr"),
                         shape_rule=R.broadcast("LogicalOr"))
logical_not_p = Primitive("LogicalNot", np.logical_not, dtype_rule=_bool_inputs("LogicalNot"),
                          shape_rule=R.same_shape)


def logical_and(x, y, name=None) -> Tensor:
    """Elementwise AND of bool tensors.

    >>> import eagerflow as tf
    >>> print(tf.logical_and(tf.constant([True, False]), True))
    tf.Tensor([ True False], shape=(2,), dtype=bool)
    """
    return bind(logical_and_p, _bool(x), _bool(y))


def logical_or(x, y, name=None) -> Tensor:
    """Elementwise OR of bool tensors.

    >>> import eagerflow as tf
    >>> print(tf.logical_or(tf.constant([True, False]), False))
    tf.Tensor([ True False], shape=(2,), dtype=bool)
    """
    return bind(logical_or_p, _bool(x), _bool(y))


def logical_not(x, name=None) -> Tensor:
    """Elementwise NOT of a bool tensor.

    >>> import eagerflow as tf
    >>> print(tf.logical_not(tf.constant([True, False])))
    tf.Tensor([False  True], shape=(2,), dtype=bool)
    """
    return bind(logical_not_p, _bool(x))


def logical_xor(x, y, name="LogicalXor") -> Tensor:
    """Elementwise exclusive OR of bool tensors (composite, as TF).

    >>> import eagerflow as tf
    >>> print(tf.math.logical_xor(tf.constant([True, True]), tf.constant([True, False])))
    tf.Tensor([False  True], shape=(2,), dtype=bool)
    """
    x, y = _bool(x), _bool(y)
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


# ---- bitwise (the operators &, |, ^, ~ on integer tensors) ---------------------------------------------

def _bitwise(name, fn):
    return Primitive(name, fn, dtype_rule=R.same(name, R.INTS), shape_rule=R.broadcast(name))


bitwise_and_p = _bitwise("BitwiseAnd", np.bitwise_and)
bitwise_or_p = _bitwise("BitwiseOr", np.bitwise_or)
bitwise_xor_p = _bitwise("BitwiseXor", np.bitwise_xor)
invert_p = Primitive("Invert", np.invert, dtype_rule=R.unary("Invert", R.INTS), shape_rule=R.same_shape)
_BITWISE = {"and": bitwise_and_p, "or": bitwise_or_p, "xor": bitwise_xor_p}
_LOGICAL = {"and": logical_and, "or": logical_or, "xor": logical_xor}


def bitwise_or_logical(kind: str, x, y) -> Tensor:
    """`&`, `|`, `^`: logical on bool tensors, bitwise on integers (as TF's operators)."""
    t = x if isinstance(x, Tensor) else y
    if t.dtype is _dt.bool:
        return _LOGICAL[kind](x, y)
    return binary(_BITWISE[kind], x, y)


def invert(x) -> Tensor:
    """`~x`: logical not on bool, bitwise invert on integers."""
    if x.dtype is _dt.bool:
        return logical_not(x)
    return unary_op(invert_p, x)


# ---- selection --------------------------------------------------------------------------------------------

def _select_dtype(c, x, y, **_):
    if c is not _dt.bool:
        R.fail("SelectV2", f"cannot compute SelectV2 as input #0(zero-based) was expected to be a bool tensor "
                           f"but is a {R.tf_name(c)} tensor")
    if x is not y:
        R.fail("SelectV2", f"cannot compute SelectV2 as input #2(zero-based) was expected to be a "
                           f"{R.tf_name(x)} tensor but is a {R.tf_name(y)} tensor")
    return x


def _select_grad(g, out, c, x, y):
    zeros = _array.zeros_like(g)
    return None, unbroadcast(where(c, g, zeros), x), unbroadcast(where(c, zeros, g), y)


def _select_shape(c, x, y):
    try:
        return R.broadcast_shapes("SelectV2", c, x, y)
    except InvalidArgumentError:
        R.fail("SelectV2", f"condition {list(c)}, then {list(x)}, and else {list(y)} must be broadcastable")


select_p = Primitive("SelectV2", np.where, dtype_rule=_select_dtype, shape_rule=_select_shape, grad=_select_grad)


def where(condition, x=None, y=None, name=None) -> Tensor:
    """With x and y: elementwise `x if condition else y` (broadcasting). Alone: the coordinates of
    the true elements, as an int64 [num_true, rank] tensor.

    >>> import eagerflow as tf
    >>> print(tf.where(tf.constant([True, False]), 1.0, 2.0))
    tf.Tensor([1. 2.], shape=(2,), dtype=float32)
    """
    if x is None and y is None:
        return _array.where_indices(condition if isinstance(condition, Tensor) else convert_to_tensor(condition))
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    condition = _bool(condition)
    if not (isinstance(x, Tensor) and isinstance(y, Tensor)):
        x, y = pair(x, y, "SelectV2")
    return bind(select_p, condition, x, y)


# ---- casting ----------------------------------------------------------------------------------------------

# Float -> narrow integer goes through int32 (int64 for uint32) and wraps, as TF's kernels do on CPU.
_NARROW_VIA = {np.dtype(np.int8): np.int32, np.dtype(np.int16): np.int32, np.dtype(np.uint8): np.int32,
               np.dtype(np.uint16): np.int32, np.dtype(np.uint32): np.int64}


def _round_to_bfloat16(x):
    """Rounds float32 values to bfloat16 precision (nearest, ties to even); storage stays float32."""
    f = np.asarray(x, dtype=np.float32)
    bits = f.view(np.uint32)
    bits = (bits + (np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1)))) & np.uint32(0xFFFF0000)
    return np.where(np.isnan(f), f, bits.view(np.float32))


def _cast_kernel(x, *, dtype):
    if x.dtype.kind == "c" and not dtype.is_complex:
        x = x.real
    target = dtype._np
    with np.errstate(invalid="ignore", over="ignore"):
        if x.dtype.kind == "f" and dtype.is_integer:
            via = _NARROW_VIA.get(target)
            if via is not None:
                return x.astype(via).astype(target)
        if dtype is _dt.bfloat16:
            return _round_to_bfloat16(x)
        return x.astype(target)


def _cast_dtype(d, *, dtype):
    if (d is _dt.string) != (dtype is _dt.string) or d is _dt.string:
        if d is not dtype:
            raise UnimplementedError(None, None, f"Cast {R.tf_name(d)} to {R.tf_name(dtype)} is not supported "
                                                 f"[Op:Cast]")
    return dtype


def _cast_grad(g, out, x, *, dtype):
    if x.dtype.is_differentiable and dtype.is_differentiable:
        return (cast(g, x.dtype),)
    return (None,)


cast_p = Primitive("Cast", _cast_kernel, dtype_rule=_cast_dtype, shape_rule=lambda s, **_: s, grad=_cast_grad)


def cast(x, dtype, name=None) -> Tensor:
    """Casts `x` to `dtype`: float -> int truncates toward zero, complex -> real keeps the real part.

    >>> import eagerflow as tf
    >>> print(tf.cast(tf.constant([1.7, -1.7]), tf.int32))
    tf.Tensor([ 1 -1], shape=(2,), dtype=int32)
    """
    dtype = _dt.as_dtype(dtype)
    x = x if isinstance(x, Tensor) else convert_to_tensor(x, dtype_hint=dtype)
    if x.dtype is dtype:
        return x
    return bind(cast_p, x, dtype=dtype)


def _limits(d: _dt.DType):
    if d.is_integer:
        info = np.iinfo(d._np)
        return int(info.min), int(info.max)
    if d is _dt.bfloat16:
        return -3.3895313892515355e38, 3.3895313892515355e38
    if d.is_floating:
        info = np.finfo(d._np)
        return float(info.min), float(info.max)
    return None


def _inside(bound, d: _dt.DType, toward: float):
    """`bound` as a value of dtype `d`, nudged toward `toward` if rounding pushed it outside."""
    v = np.array(bound, dtype=d._np)
    if d.is_floating and np.isfinite(v):
        exact = int(v) if isinstance(bound, int) else float(v)
        if (exact > bound and toward < bound) or (exact < bound and toward > bound):
            v = np.nextafter(v, np.array(toward, dtype=d._np))
    return v


def saturate_cast(value, dtype, name=None) -> Tensor:
    """Casts to `dtype`, first clamping values to the range `dtype` can hold.

    >>> import eagerflow as tf
    >>> print(tf.saturate_cast(tf.constant([-5.0, 300.0]), tf.uint8))
    tf.Tensor([  0 255], shape=(2,), dtype=uint8)
    """
    x = value if isinstance(value, Tensor) else convert_to_tensor(value)
    dtype = _dt.as_dtype(dtype)
    if x.dtype.is_complex and not dtype.is_complex:
        x = real(x)
    for d in (x.dtype, dtype):
        if d is _dt.bool:  # TF looks up the range of both dtypes, and bool has none
            raise TypeError("Cannot find minimum value of <dtype: 'bool'> with type <dtype: 'bool'>.")
    src, dst = _limits(x.dtype), _limits(dtype)
    if src is not None and dst is not None:
        if dst[0] > src[0]:
            x = maximum(x, _inside(dst[0], x.dtype, toward=0.0))
        if dst[1] < src[1]:
            x = minimum(x, _inside(dst[1], x.dtype, toward=0.0))
    return cast(x, dtype)


# ---- complex parts ----------------------------------------------------------------------------------------

def _part_dtype(op: str):
    def rule(d, **_):
        R.check_allowed(op, d, R.COMPLEX)
        return d.real_dtype
    return rule


def _numeric(x, what: str) -> Tensor:
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    if not x.dtype.is_numeric:
        raise TypeError(f"{what}, but got tensor with dtype <dtype: '{x.dtype.name}'>")
    return x


real_p = Primitive("Real", np.real, dtype_rule=_part_dtype("Real"), shape_rule=R.same_shape,
                   grad=lambda g, out, x: (complex(g, _array.zeros_like(g)),))
imag_p = Primitive("Imag", np.imag, dtype_rule=_part_dtype("Imag"), shape_rule=R.same_shape,
                   grad=lambda g, out, x: (complex(_array.zeros_like(g), g),))


def real(input, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """The real part of a complex tensor; a real tensor is returned as is.

    >>> import eagerflow as tf
    >>> print(tf.math.real(tf.constant([1 + 2j])))
    tf.Tensor([1.], shape=(1,), dtype=float64)
    """
    x = _numeric(input, "input must be a numeric tensor")
    return bind(real_p, x) if x.dtype.is_complex else x


def imag(input, name=None) -> Tensor:  # noqa: A002
    """The imaginary part of a complex tensor; zeros for a real tensor.

    >>> import eagerflow as tf
    >>> print(tf.math.imag(tf.constant([1 + 2j])))
    tf.Tensor([2.], shape=(1,), dtype=float64)
    """
    x = _numeric(input, "input must be a numeric tensor")
    return bind(imag_p, x) if x.dtype.is_complex else _array.zeros_like(x)


conj_p = Primitive("Conj", np.conjugate, dtype_rule=R.unary("Conj", R.COMPLEX), shape_rule=R.same_shape,
                   grad=lambda g, out, x: (conj(g),))


def conj(x, name=None) -> Tensor:
    """Complex conjugate; the identity (no op at all) for real tensors.

    >>> import eagerflow as tf
    >>> print(tf.math.conj(tf.constant([1 + 2j])))
    tf.Tensor([1.-2.j], shape=(1,), dtype=complex128)
    """
    if isinstance(x, Tensor) and not x.dtype.is_complex and x.dtype.is_numeric:
        return x
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    if x.dtype.is_complex:
        return bind(conj_p, x)
    if not x.dtype.is_numeric:
        raise TypeError(f"Expected numeric or variant tensor, got dtype {x.dtype!r}.")
    return x


_COMPLEX_OF = {_dt.float32: _dt.complex64, _dt.float64: _dt.complex128}


def _complex_dtype(re, im, **_):
    if re is not im or re not in _COMPLEX_OF:
        R.fail("Complex", f"The `real` and `imag` components have incorrect types: {re.name} {im.name}. They must "
                          "be consistent, and one of [tf.float32, tf.float64]")
    return _COMPLEX_OF[re]


def _complex_kernel(re, im):
    out = np.empty(np.broadcast_shapes(np.shape(re), np.shape(im)), dtype=np.result_type(re, np.complex64))
    out.real, out.imag = re, im
    return out


complex_p = Primitive("Complex", _complex_kernel, dtype_rule=_complex_dtype, shape_rule=R.broadcast("Complex"),
                      grad=lambda g, out, re, im: (unbroadcast(real(g), re), unbroadcast(imag(g), im)))


def complex(real, imag, name=None) -> Tensor:  # noqa: A001 - TF's public name
    """Builds complex numbers from real and imaginary parts (float32 -> complex64, float64 -> complex128).

    >>> import eagerflow as tf
    >>> print(tf.complex(1.0, 2.0))
    tf.Tensor((1+2j), shape=(), dtype=complex64)
    """
    re = real if isinstance(real, Tensor) else convert_to_tensor(real)
    im = imag if isinstance(imag, Tensor) else convert_to_tensor(imag)
    if re.dtype is not im.dtype or re.dtype not in _COMPLEX_OF:
        raise TypeError(f"The `real` and `imag` components have incorrect types: {re.dtype.name} {im.dtype.name}. "
                        "They must be consistent, and one of [tf.float32, tf.float64]")
    return bind(complex_p, re, im)
