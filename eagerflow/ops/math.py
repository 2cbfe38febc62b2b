"""Elementwise arithmetic: `tf.math` add/subtract/multiply/divide, powers, min/max and friends.

Each primitive is one block: TF op name, NumPy kernel, dtype rule, shape rule, gradient.
Comparisons, logic, selection and casting live in `math_logic`; transcendental functions,
rounding and clipping in `math_special`. Both are re-exported at the bottom of this module, so
`eagerflow.ops.math` is the whole of `tf.math` for the rest of the package.

>>> import eagerflow as tf
>>> print(tf.constant([1.0, 2.0]) * 3)
tf.Tensor([3. 6.], shape=(2,), dtype=float32)
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from ..primitive import Primitive, bind
from ..tensor import EagerTensor, Tensor, convert_operand, convert_to_tensor
from . import array as _array, rules as R

__all__ = [
    "add", "subtract", "multiply", "divide", "truediv", "realdiv", "floordiv", "floormod", "mod",
    "truncatediv", "truncatemod", "pow", "negative", "abs", "sign", "square", "sqrt", "rsqrt", "exp", "log",
    "reciprocal", "maximum", "minimum", "squared_difference", "add_n", "scalar_mul", "divide_no_nan",
    "multiply_no_nan", "xlogy", "xdivy",
]

_SIGNED_INTS = frozenset([_dt.int8, _dt.int16, _dt.int32, _dt.int64])


# ---- operand conversion and broadcasting helpers -------------------------------------------------------

def _tensor_like(v) -> bool:
    return hasattr(v, "__tf_tensor__") and not isinstance(v, type)


def operand(value, like: Tensor, op: str, index: int) -> Tensor:
    """`value` converted to `like`'s dtype (TF: a Python scalar takes the tensor's dtype).

    A value that does not fit that dtype (1.5 for an int32 tensor) is a TypeError, as in TF.
    """
    try:
        return convert_operand(value, like, op, index)
    except InvalidArgumentError:
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {R.tf_name(like.dtype)}") from None


def pair(x, y, op: str) -> tuple:
    """(x, y) as tensors for a binary op; a non-tensor operand takes its partner's dtype."""
    if isinstance(x, Tensor):
        return x, (y if isinstance(y, Tensor) else operand(y, x, op, 1))
    if isinstance(y, Tensor):
        return operand(x, y, op, 0), y
    if _tensor_like(y) and not _tensor_like(x):  # a Variable on the right fixes the dtype
        y = convert_to_tensor(y)
        return operand(x, y, op, 0), y
    x = convert_to_tensor(x)
    return x, operand(y, x, op, 1)


def binary(prim: Primitive, x, y) -> Tensor:
    """Binds a binary primitive after TF's operand conversion (see `pair`)."""
    if not (isinstance(x, Tensor) and isinstance(y, Tensor)):
        x, y = pair(x, y, prim.name)
    return bind(prim, x, y)


def unary_op(prim: Primitive, x) -> Tensor:
    return bind(prim, x if isinstance(x, Tensor) else convert_to_tensor(x))


def _same_static_shape(a: Tensor, b: Tensor) -> bool:
    sa, sb = a.shape.as_tuple(), b.shape.as_tuple()
    return sa == sb and sa is not None and None not in sa


def _sum_to_shape(g, ref):
    shape = np.shape(ref)
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, d in enumerate(shape) if d == 1 and g.shape[i + lead] != 1)
    out = np.sum(g, axis=axes, keepdims=True, dtype=g.dtype) if axes else g
    return np.reshape(out, shape) if out.shape != shape else out


def _unbroadcast_grad(g, out, x, ref):
    return broadcast_like(g, x), None


unbroadcast_p = Primitive("UnbroadcastTo", _sum_to_shape, dtype_rule=R.first_input("UnbroadcastTo"),
                          shape_rule=lambda g, ref: ref, grad=_unbroadcast_grad)


def _broadcast_like_kernel(v, ref):
    shape = np.shape(ref)
    return v if np.shape(v) == shape else np.broadcast_to(v, shape)


def _broadcast_like_grad(g, out, v, ref):
    return unbroadcast(g, v), None


broadcast_like_p = Primitive("BroadcastLike", _broadcast_like_kernel, dtype_rule=R.first_input("BroadcastLike"),
                             shape_rule=lambda v, ref: R.broadcast_shapes("BroadcastLike", v, ref),
                             grad=_broadcast_like_grad)


def unbroadcast(g: Tensor, x: Tensor) -> Tensor:
    """Sums the gradient `g` down to `x`'s shape (undoing broadcasting); free when shapes match."""
    if g is None:
        return None
    if isinstance(g, EagerTensor) and isinstance(x, EagerTensor):
        if g._value.shape == x._value.shape:
            return g
    elif _same_static_shape(g, x):
        return g
    return bind(unbroadcast_p, g, x)


def broadcast_like(v: Tensor, ref: Tensor) -> Tensor:
    """Broadcasts `v` to the shape of `ref` (dynamic shapes allowed)."""
    if _same_static_shape(v, ref):
        return v
    return bind(broadcast_like_p, v, ref)


def _int_divisor_check(op: str, y) -> None:
    if not np.all(y):
        R.fail(op, "Integer division by zero")


# ---- add, subtract, multiply -----------------------------------------------------------------------------

add_p = Primitive("AddV2", np.add, dtype_rule=R.same("AddV2", R.NUMERIC), shape_rule=R.broadcast("AddV2"),
                  grad=lambda g, out, x, y: (unbroadcast(g, x), unbroadcast(g, y)))


def _string_add_kernel(x, y):
    out = np.add(x, y)
    return out if isinstance(out, np.ndarray) else np.array(out, dtype=object)


string_add_p = Primitive("Add", _string_add_kernel, dtype_rule=R.same("Add", {_dt.string}),
                         shape_rule=R.broadcast("Add"))


def add(x, y, name=None) -> Tensor:
    """x + y elementwise with broadcasting; string tensors concatenate.

    >>> import eagerflow as tf
    >>> print(tf.add(tf.constant([1, 2]), 10))
    tf.Tensor([11 12], shape=(2,), dtype=int32)
    """
    if isinstance(x, EagerTensor) and isinstance(y, EagerTensor) and x._dtype is not _dt.string:
        return bind(add_p, x, y)
    try:
        x, y = pair(x, y, "AddV2")
    except TypeError:
        if not isinstance(x, Tensor):  # `1.5 + int_tensor` (__radd__): TypeError, as TF
            raise
        # `int_tensor + 1.5`: TF's add converts the misfit on its own, so the op reports the mismatch
        y = _as_tensor(y)
    return bind(string_add_p if x.dtype is _dt.string else add_p, x, y)


def _as_tensor(v) -> Tensor:
    return v if isinstance(v, Tensor) else convert_to_tensor(v)


sub_p = Primitive("Sub", np.subtract, dtype_rule=R.same("Sub", R.NUMERIC), shape_rule=R.broadcast("Sub"),
                  grad=lambda g, out, x, y: (unbroadcast(g, x), unbroadcast(negative(g), y)))


def subtract(x, y, name=None) -> Tensor:
    """x - y elementwise with broadcasting.

    >>> import eagerflow as tf
    >>> print(tf.subtract(5.0, tf.constant([1.0, 2.0])))
    tf.Tensor([4. 3.], shape=(2,), dtype=float32)
    """
    return binary(sub_p, x, y)


mul_p = Primitive("Mul", np.multiply, dtype_rule=R.same("Mul", R.NUMERIC), shape_rule=R.broadcast("Mul"),
                  grad=lambda g, out, x, y: (unbroadcast(multiply(g, conj(y)), x),
                                             unbroadcast(multiply(conj(x), g), y)))


def multiply(x, y, name=None) -> Tensor:
    """x * y elementwise with broadcasting.

    >>> import eagerflow as tf
    >>> print(tf.multiply(tf.constant([1, 2]), 3))
    tf.Tensor([3 6], shape=(2,), dtype=int32)
    """
    return binary(mul_p, x, y)


def scalar_mul(scalar, x, name=None) -> Tensor:
    """`scalar * x` where `scalar` is 0-D and takes x's dtype.

    >>> import eagerflow as tf
    >>> print(tf.math.scalar_mul(2, tf.constant([1.0, 2.0])))
    tf.Tensor([2. 4.], shape=(2,), dtype=float32)
    """
    x = _as_tensor(x)
    s = convert_to_tensor(scalar, dtype=x.dtype) if isinstance(scalar, Tensor) else operand(scalar, x, "Mul", 0)
    if s.shape.rank != 0:
        raise ValueError(f"The input scalar must be a 0-D value. Received shape {s.shape}.")
    return bind(mul_p, s, x)


# ---- division ---------------------------------------------------------------------------------------------

def _realdiv_kernel(x, y):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.true_divide(x, y)


realdiv_p = Primitive("RealDiv", _realdiv_kernel, dtype_rule=R.same("RealDiv", R.INEXACT),
                      shape_rule=R.broadcast("RealDiv"),
                      grad=lambda g, out, x, y: (unbroadcast(realdiv(g, conj(y)), x),
                                                 unbroadcast(negative(multiply(g, conj(realdiv(out, y)))), y)))


def realdiv(x, y, name=None) -> Tensor:
    """x / y for floating or complex tensors (no integer conversion)."""
    return binary(realdiv_p, x, y)


# TF's truediv converts integers first: 8/16-bit to float32, 32/64-bit to float64.
_TRUEDIV_TARGET = {_dt.int8: _dt.float32, _dt.uint8: _dt.float32, _dt.int16: _dt.float32,
                   _dt.uint16: _dt.float32, _dt.int32: _dt.float64, _dt.uint32: _dt.float64,
                   _dt.int64: _dt.float64, _dt.uint64: _dt.float64}
_TRUEDIV_DTYPES = "{" + ", ".join(repr(d) for d in [*_TRUEDIV_TARGET, *sorted(R.INEXACT, key=str)]) + "}"


def _div_operands(x, y, op: str) -> tuple:
    """Operands of truediv-like ops: same dtype, integers converted to float (TF's table)."""
    try:
        x, y = pair(x, y, op)
    except TypeError:  # TF falls back to the operand's own dtype, then reports the mismatch
        x, y = _as_tensor(x), _as_tensor(y)
    dt = x.dtype
    if dt is not y.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {dt!r} != {y.dtype!r}.")
    target = _TRUEDIV_TARGET.get(dt)
    if target is not None:
        return cast(x, target), cast(y, target)
    if dt not in R.INEXACT:
        raise TypeError(f"Invalid dtype {dt!r} in __truediv__. Expected one of {_TRUEDIV_DTYPES}.")
    return x, y


def truediv(x, y, name=None) -> Tensor:
    """x / y; integers are first converted to float (int8/16 -> float32, int32/64 -> float64).

    >>> import eagerflow as tf
    >>> print(tf.constant(3) / tf.constant(2))
    tf.Tensor(1.5, shape=(), dtype=float64)
    """
    if isinstance(x, Tensor) and isinstance(y, Tensor) and x.dtype is y.dtype and x.dtype in R.INEXACT:
        return bind(realdiv_p, x, y)
    return bind(realdiv_p, *_div_operands(x, y, "RealDiv"))


def divide(x, y, name=None) -> Tensor:
    """x / y (`tf.math.divide`, the same as `truediv`).

    >>> import eagerflow as tf
    >>> print(tf.math.divide(1.0, tf.constant([2.0, 4.0])))
    tf.Tensor([0.5  0.25], shape=(2,), dtype=float32)
    """
    return truediv(x, y)


def _floordiv_kernel(x, y):
    if x.dtype.kind in "iu":
        _int_divisor_check("FloorDiv", y)
        with np.errstate(over="ignore"):  # INT_MIN // -1 wraps, as TF
            return np.floor_divide(x, y)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.floor(np.true_divide(x, y))  # TF: floor(x / y), so 1 // 0.1 == 10


floordiv_p = Primitive("FloorDiv", _floordiv_kernel, dtype_rule=R.same("FloorDiv", R.REAL),
                       shape_rule=R.broadcast("FloorDiv"), grad=lambda g, out, x, y: (None, None))


def floordiv(x, y, name=None) -> Tensor:
    """x // y rounding toward negative infinity (integer division by zero is an error).

    >>> import eagerflow as tf
    >>> print(tf.math.floordiv(tf.constant([-7, 7]), 2))
    tf.Tensor([-4  3], shape=(2,), dtype=int32)
    """
    return binary(floordiv_p, x, y)


def _floormod_kernel(x, y):
    if x.dtype.kind in "iu":
        _int_divisor_check("FloorMod", y)
        return np.mod(x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.mod(x, y)


def _floormod_grad(g, out, x, y):
    # x mod y = x - floor(x / y) * y
    return unbroadcast(g, x), unbroadcast(negative(multiply(g, floordiv(x, y))), y)


floormod_p = Primitive("FloorMod", _floormod_kernel, dtype_rule=R.same("FloorMod", R.REAL),
                       shape_rule=R.broadcast("FloorMod"), grad=_floormod_grad)


def floormod(x, y, name=None) -> Tensor:
    """Remainder of floor division: the result has the sign of `y` (Python's `%`).

    >>> import eagerflow as tf
    >>> print(tf.math.floormod(tf.constant([-7, 7]), 3))
    tf.Tensor([2 1], shape=(2,), dtype=int32)
    """
    return binary(floormod_p, x, y)


mod = floormod


def _truncatemod_kernel(x, y):
    if x.dtype.kind in "iu":
        _int_divisor_check("TruncateMod", y)
        return np.fmod(x, y)
    with np.errstate(invalid="ignore"):
        return np.fmod(x, y)


def _truncatediv_kernel(x, y):
    if x.dtype.kind in "iu":
        _int_divisor_check("TruncateDiv", y)
        with np.errstate(over="ignore"):
            # x - fmod(x, y) is an exact multiple of y, so floor division of it truncates.
            return np.floor_divide(np.subtract(x, np.fmod(x, y)), y)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.trunc(np.true_divide(x, y))


truncatediv_p = Primitive("TruncateDiv", _truncatediv_kernel, dtype_rule=R.same("TruncateDiv", R.REAL),
                          shape_rule=R.broadcast("TruncateDiv"), grad=lambda g, out, x, y: (None, None))
truncatemod_p = Primitive("TruncateMod", _truncatemod_kernel,
                          dtype_rule=R.same("TruncateMod", R.FLOATS | {_dt.int32, _dt.int64}),
                          shape_rule=R.broadcast("TruncateMod"))


def truncatediv(x, y, name=None) -> Tensor:
    """x / y rounded toward zero (C semantics).

    >>> import eagerflow as tf
    >>> print(tf.truncatediv(tf.constant([-7, 7]), 2))
    tf.Tensor([-3  3], shape=(2,), dtype=int32)
    """
    return binary(truncatediv_p, x, y)


def truncatemod(x, y, name=None) -> Tensor:
    """Remainder of truncating division: the result has the sign of `x` (C's `fmod`).

    >>> import eagerflow as tf
    >>> print(tf.truncatemod(tf.constant([-7, 7]), 3))
    tf.Tensor([-1  1], shape=(2,), dtype=int32)
    """
    return binary(truncatemod_p, x, y)


def _divnonan_kernel(x, y):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.true_divide(x, y)
    return np.where(y == 0, np.zeros((), out.dtype), out)


def _divnonan_grad(g, out, x, y):
    cx, cy = conj(x), conj(y)
    gy = multiply(g, divide_no_nan(divide_no_nan(negative(cx), cy), cy))
    return unbroadcast(divide_no_nan(g, cy), x), unbroadcast(gy, y)


div_no_nan_p = Primitive("DivNoNan", _divnonan_kernel, dtype_rule=R.same("DivNoNan", R.INEXACT),
                         shape_rule=R.broadcast("DivNoNan"), grad=_divnonan_grad)


def divide_no_nan(x, y, name=None) -> Tensor:
    """x / y, but 0 wherever y is 0 (integers are converted to float as in `truediv`).

    >>> import eagerflow as tf
    >>> print(tf.math.divide_no_nan(tf.constant([1.0, 1.0]), tf.constant([0.0, 4.0])))
    tf.Tensor([0.   0.25], shape=(2,), dtype=float32)
    """
    return bind(div_no_nan_p, *_div_operands(x, y, "DivNoNan"))


def _mulnonan_kernel(x, y):
    with np.errstate(invalid="ignore", over="ignore"):
        out = np.multiply(x, y)
    return np.where(y == 0, np.zeros((), out.dtype), out)


mul_no_nan_p = Primitive("MulNoNan", _mulnonan_kernel, dtype_rule=R.same("MulNoNan", R.INEXACT),
                         shape_rule=R.broadcast("MulNoNan"),
                         grad=lambda g, out, x, y: (unbroadcast(multiply_no_nan(g, y), x),
                                                    unbroadcast(multiply_no_nan(x, g), y)))


def multiply_no_nan(x, y, name=None) -> Tensor:
    """x * y, but 0 wherever y is 0 even if x is inf or nan.

    >>> import eagerflow as tf
    >>> print(tf.math.multiply_no_nan(tf.constant([float("inf"), 2.0]), tf.constant([0.0, 3.0])))
    tf.Tensor([0. 6.], shape=(2,), dtype=float32)
    """
    return binary(mul_no_nan_p, x, y)


def _xlogy_kernel(x, y):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.multiply(x, np.log(y))
    return np.where(x == 0, np.zeros((), out.dtype), out)


def _xlogy_grad(g, out, x, y):
    nonzero = cast(not_equal(x, 0), x.dtype)
    return (unbroadcast(multiply(g, xlogy(nonzero, y)), x),
            unbroadcast(multiply(g, xdivy(x, y)), y))


xlogy_p = Primitive("Xlogy", _xlogy_kernel, dtype_rule=R.same("Xlogy", R.INEXACT),
                    shape_rule=R.broadcast("Xlogy"), grad=_xlogy_grad)


def xlogy(x, y, name=None) -> Tensor:
    """x * log(y), but 0 wherever x is 0.

    >>> import eagerflow as tf
    >>> print(tf.math.xlogy(tf.constant([0.0, 2.0]), tf.constant([0.0, 1.0])))
    tf.Tensor([0. 0.], shape=(2,), dtype=float32)
    """
    return binary(xlogy_p, x, y)


def _xdivy_kernel(x, y):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.true_divide(x, y)
    return np.where(x == 0, np.zeros((), out.dtype), out)


def _xdivy_grad(g, out, x, y):
    nonzero = cast(not_equal(x, 0), x.dtype)
    return (unbroadcast(multiply(g, xdivy(nonzero, y)), x),
            unbroadcast(multiply(g, xdivy(negative(x), square(y))), y))


xdivy_p = Primitive("Xdivy", _xdivy_kernel, dtype_rule=R.same("Xdivy", R.INEXACT),
                    shape_rule=R.broadcast("Xdivy"), grad=_xdivy_grad)


def xdivy(x, y, name=None) -> Tensor:
    """x / y, but 0 wherever x is 0.

    >>> import eagerflow as tf
    >>> print(tf.math.xdivy(tf.constant([0.0, 2.0]), tf.constant([0.0, 4.0])))
    tf.Tensor([0.  0.5], shape=(2,), dtype=float32)
    """
    return binary(xdivy_p, x, y)


# ---- powers and roots -----------------------------------------------------------------------------------

def _pow_kernel(x, y):
    if x.dtype.kind == "i" and np.any(y < 0):
        R.fail("Pow", "Integers to negative integer powers are not allowed")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.power(x, y)


def _pow_grad(g, out, x, y):
    gx = multiply(g, conj(multiply(y, pow(x, subtract(y, 1)))))
    # d/dy x^y = x^y log x, taken as 0 where x <= 0 (x == 0 for complex), as TF
    positive = greater(x, 0) if x.dtype in R.FLOATS else not_equal(x, 0)
    log_x = where(positive, log(where(positive, x, _array.ones_like(x))), _array.zeros_like(x))
    gy = multiply(g, conj(multiply(out, log_x)))
    return unbroadcast(gx, x), unbroadcast(gy, y)


pow_p = Primitive("Pow", _pow_kernel, dtype_rule=R.same("Pow", R.INEXACT | _SIGNED_INTS),
                  shape_rule=R.broadcast("Pow"), grad=_pow_grad)


def pow(x, y, name=None) -> Tensor:  # noqa: A001 - TF's public name
    """x ** y elementwise (integers to negative integer powers are an error).

    >>> import eagerflow as tf
    >>> print(tf.pow(tf.constant([2, 3]), 2))
    tf.Tensor([4 9], shape=(2,), dtype=int32)
    """
    return binary(pow_p, x, y)


square_p = Primitive("Square", np.square, dtype_rule=R.unary("Square", R.NUMERIC), shape_rule=R.same_shape,
                     grad=lambda g, out, x: (multiply(g, multiply(conj(x), 2)),))


def square(x, name=None) -> Tensor:
    """x * x elementwise.

    >>> import eagerflow as tf
    >>> print(tf.square(tf.constant([2, -3])))
    tf.Tensor([4 9], shape=(2,), dtype=int32)
    """
    return unary_op(square_p, x)


def _sqrt_kernel(x):
    with np.errstate(invalid="ignore"):
        return np.sqrt(x)


sqrt_p = Primitive("Sqrt", _sqrt_kernel, dtype_rule=R.unary("Sqrt", R.INEXACT), shape_rule=R.same_shape,
                   grad=lambda g, out, x: (realdiv(multiply(g, 0.5), conj(out)),))


def sqrt(x, name=None) -> Tensor:
    """Square root (nan for negative reals).

    >>> import eagerflow as tf
    >>> print(tf.sqrt(tf.constant([4.0, 9.0])))
    tf.Tensor([2. 3.], shape=(2,), dtype=float32)
    """
    return unary_op(sqrt_p, x)


def _rsqrt_kernel(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.reciprocal(np.sqrt(x))


rsqrt_p = Primitive("Rsqrt", _rsqrt_kernel, dtype_rule=R.unary("Rsqrt", R.INEXACT), shape_rule=R.same_shape,
                    grad=lambda g, out, x: (multiply(g, conj(multiply(pow(out, 3), -0.5))),))


def rsqrt(x, name=None) -> Tensor:
    """1 / sqrt(x).

    >>> import eagerflow as tf
    >>> print(tf.math.rsqrt(tf.constant([4.0])))
    tf.Tensor([0.5], shape=(1,), dtype=float32)
    """
    return unary_op(rsqrt_p, x)


def _reciprocal_kernel(x):
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        return np.reciprocal(x)


reciprocal_p = Primitive("Reciprocal", _reciprocal_kernel, dtype_rule=R.unary("Reciprocal", R.INEXACT),
                         shape_rule=R.same_shape,
                         grad=lambda g, out, x: (negative(multiply(g, conj(square(out)))),))


def reciprocal(x, name=None) -> Tensor:
    """1 / x.

    >>> import eagerflow as tf
    >>> print(tf.math.reciprocal(tf.constant([2.0, 4.0])))
    tf.Tensor([0.5  0.25], shape=(2,), dtype=float32)
    """
    return unary_op(reciprocal_p, x)


def _exp_kernel(x):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(x)


exp_p = Primitive("Exp", _exp_kernel, dtype_rule=R.unary("Exp", R.INEXACT), shape_rule=R.same_shape,
                  grad=lambda g, out, x: (multiply(g, conj(out)),))


def exp(x, name=None) -> Tensor:
    """e ** x.

    >>> import eagerflow as tf
    >>> print(tf.exp(tf.constant([0.0])))
    tf.Tensor([1.], shape=(1,), dtype=float32)
    """
    return unary_op(exp_p, x)


def _log_kernel(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


log_p = Primitive("Log", _log_kernel, dtype_rule=R.unary("Log", R.INEXACT), shape_rule=R.same_shape,
                  grad=lambda g, out, x: (realdiv(g, conj(x)),))


def log(x, name=None) -> Tensor:
    """Natural logarithm (-inf at 0, nan for negative reals).

    >>> import eagerflow as tf
    >>> print(tf.math.log(tf.constant([1.0])))
    tf.Tensor([0.], shape=(1,), dtype=float32)
    """
    return unary_op(log_p, x)


# ---- sign, magnitude, extremes ---------------------------------------------------------------------------

neg_p = Primitive("Neg", np.negative, dtype_rule=R.unary("Neg", R.SIGNED), shape_rule=R.same_shape,
                  grad=lambda g, out, x: (negative(g),))


def negative(x, name=None) -> Tensor:
    """-x elementwise.

    >>> import eagerflow as tf
    >>> print(tf.negative(tf.constant([1, -2])))
    tf.Tensor([-1  2], shape=(2,), dtype=int32)
    """
    return unary_op(neg_p, x)


abs_p = Primitive("Abs", np.abs, dtype_rule=R.unary("Abs", R.FLOATS | _SIGNED_INTS), shape_rule=R.same_shape,
                  grad=lambda g, out, x: (multiply(g, sign(x)),))


def _complex_abs_grad(g, out, x):
    # d|x| = Re(conj(x/|x|) dx): the gradient is g * x / |x|, and 0 at x == 0
    return (divide_no_nan(multiply(complex(g, _array.zeros_like(g)), x), complex(out, _array.zeros_like(out))),)


def _complex_abs_dtype(d, **_):
    R.check_allowed("ComplexAbs", d, R.COMPLEX)
    return d.real_dtype


complex_abs_p = Primitive("ComplexAbs", np.abs, dtype_rule=_complex_abs_dtype, shape_rule=R.same_shape,
                          grad=_complex_abs_grad)


def abs(x, name=None) -> Tensor:  # noqa: A001 - TF's public name
    """|x| elementwise; for complex tensors the (real) magnitude.

    >>> import eagerflow as tf
    >>> print(tf.abs(tf.constant([-1.5, 2.0])))
    tf.Tensor([1.5 2. ], shape=(2,), dtype=float32)
    """
    x = _as_tensor(x)
    return bind(complex_abs_p if x.dtype.is_complex else abs_p, x)


sign_p = Primitive("Sign", np.sign, dtype_rule=R.unary("Sign", R.FLOATS | _SIGNED_INTS), shape_rule=R.same_shape,
                   grad=lambda g, out, x: (_array.zeros_like(x),))


def sign(x, name=None) -> Tensor:
    """-1, 0 or 1 by the sign of x (x / |x| for complex).

    >>> import eagerflow as tf
    >>> print(tf.sign(tf.constant([-3.0, 0.0, 2.0])))
    tf.Tensor([-1.  0.  1.], shape=(3,), dtype=float32)
    """
    x = _as_tensor(x)
    if x.dtype.is_complex:  # x / |x| as a composite, so it has TF's (non-zero) gradient
        return divide_no_nan(x, cast(abs(x), x.dtype))
    return bind(sign_p, x)


def _minmax_grad(pick_x):
    # Ties send the gradient to x, as TF (x >= y for Maximum, x <= y for Minimum).
    def grad(g, out, x, y):
        mask = pick_x(x, y)
        zeros = _array.zeros_like(g)
        return unbroadcast(where(mask, g, zeros), x), unbroadcast(where(mask, zeros, g), y)
    return grad


maximum_p = Primitive("Maximum", np.maximum, dtype_rule=R.same("Maximum", R.REAL),
                      shape_rule=R.broadcast("Maximum"), grad=_minmax_grad(lambda x, y: greater_equal(x, y)))
minimum_p = Primitive("Minimum", np.minimum, dtype_rule=R.same("Minimum", R.REAL),
                      shape_rule=R.broadcast("Minimum"), grad=_minmax_grad(lambda x, y: less_equal(x, y)))


def maximum(x, y, name=None) -> Tensor:
    """Elementwise max with broadcasting (nan wins).

    >>> import eagerflow as tf
    >>> print(tf.maximum(tf.constant([1, 5]), 3))
    tf.Tensor([3 5], shape=(2,), dtype=int32)
    """
    return binary(maximum_p, x, y)


def minimum(x, y, name=None) -> Tensor:
    """Elementwise min with broadcasting (nan wins).

    >>> import eagerflow as tf
    >>> print(tf.minimum(tf.constant([1, 5]), 3))
    tf.Tensor([1 3], shape=(2,), dtype=int32)
    """
    return binary(minimum_p, x, y)


def _squared_difference_kernel(x, y):
    d = np.subtract(x, y)
    return d * np.conj(d) if d.dtype.kind == "c" else np.square(d)


squared_difference_p = Primitive(
    "SquaredDifference", _squared_difference_kernel,
    dtype_rule=R.same("SquaredDifference", R.INEXACT | {_dt.int32, _dt.int64}),
    shape_rule=R.broadcast("SquaredDifference"),
    grad=lambda g, out, x, y: (unbroadcast(multiply(g, multiply(subtract(x, y), 2)), x),
                               unbroadcast(multiply(g, multiply(subtract(y, x), 2)), y)))


def squared_difference(x, y, name=None) -> Tensor:
    """(x - y) * conj(x - y) elementwise.

    >>> import eagerflow as tf
    >>> print(tf.math.squared_difference(tf.constant([1, 2]), 4))
    tf.Tensor([9 4], shape=(2,), dtype=int32)
    """
    return binary(squared_difference_p, x, y)


# ---- AddN ----------------------------------------------------------------------------------------------

def _add_n_mismatch(shapes, i):
    R.fail("AddN", f"Inputs to operation AddN of type AddN must have the same size and shape.  Input 0: "
                   f"{list(shapes[0])} != input {i}: {list(shapes[i])}")


def _add_n_kernel(*xs):
    first = np.shape(xs[0])
    out = xs[0]
    for i, x in enumerate(xs[1:], 1):
        if np.shape(x) != first:
            _add_n_mismatch([np.shape(v) for v in xs], i)
        out = np.add(out, x)
    return out


def _add_n_shape(*shapes):
    first = shapes[0]
    for i, s in enumerate(shapes[1:], 1):
        if first is not None and s is not None and (len(s) != len(first) or any(
                a is not None and b is not None and a != b for a, b in zip(first, s))):
            _add_n_mismatch(shapes, i)
    if first is None:
        return next((s for s in shapes if s is not None), None)
    # Any input may know a dim the first one does not.
    return tuple(next((s[j] for s in shapes if s is not None and s[j] is not None), None)
                 for j in range(len(first)))


add_n_p = Primitive("AddN", _add_n_kernel, dtype_rule=R.same("AddN", R.NUMERIC), shape_rule=_add_n_shape,
                    grad=lambda g, out, *xs: (g,) * len(xs))


def add_n(inputs, name=None) -> Tensor:
    """Sums a list of tensors of the same shape and dtype.

    >>> import eagerflow as tf
    >>> print(tf.add_n([tf.constant([1, 2]), tf.constant([3, 4]), tf.constant([5, 6])]))
    tf.Tensor([ 9 12], shape=(2,), dtype=int32)
    """
    if isinstance(inputs, Tensor) or _tensor_like(inputs):  # a tensor is the list of its rows
        inputs = _array.unstack(_as_tensor(inputs))
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError("Inputs must be an iterable of at least one Tensor/IndexedSlices with the same dtype "
                         "and shape.")
    inputs = [_as_tensor(x) for x in inputs]
    if len(inputs) == 1:
        return inputs[0]
    return bind(add_n_p, *inputs)


# Comparisons, logic, selection, casting and complex parts; then transcendental functions, rounding
# and clipping. Both modules build on the helpers above, so they are imported once those exist.
from . import math_logic as _logic  # noqa: E402
from .math_logic import *  # noqa: E402,F401,F403
from .math_logic import (bitwise_or_logical, cast, complex, conj, greater, greater_equal, invert,  # noqa: E402,F401
                         less_equal, not_equal, tensor_equals, tensor_not_equals, where)
from . import math_special as _special  # noqa: E402
from .math_special import *  # noqa: E402,F401,F403

__all__ += _logic.__all__ + _special.__all__
