"""Elementwise math: `tf.math` arithmetic, comparisons, logic and unary functions.

Each primitive is one block: TF op name, NumPy kernel, dtype rule, shape rule, gradient.
Composites (subtract-free forms, sigmoid via tanh, ...) are plain Python over primitives.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..primitive import Primitive, bind
from ..tensor import EagerTensor, Tensor, convert_operand, convert_to_tensor
from . import array as _array, rules as R

__all__ = [
    "add", "add_n", "subtract", "multiply", "divide", "truediv", "realdiv", "floordiv", "floormod", "mod",
    "pow", "negative", "abs", "exp", "log", "square", "sqrt", "maximum", "minimum",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_not", "logical_xor", "cast", "unbroadcast", "broadcast_like",
]


# ---- helpers ------------------------------------------------------------------------------------

def binary(prim: Primitive, x, y) -> Tensor:
    """Converts a non-tensor operand to its partner's dtype (TF's rule), then binds."""
    if not isinstance(x, Tensor):
        if not isinstance(y, Tensor):
            x = convert_to_tensor(x)
        else:
            x = convert_operand(x, y, prim.name, 0)
    if not isinstance(y, Tensor):
        y = convert_operand(y, x, prim.name, 1)
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
    out = np.sum(g, axis=axes, keepdims=True) if axes else g
    return np.reshape(out, shape) if out.shape != shape else out


def _unbroadcast_shape(g, ref):
    return ref


def _unbroadcast_grad(g, out, x, ref):
    return broadcast_like(g, x), None


unbroadcast_p = Primitive("UnbroadcastTo", _sum_to_shape, dtype_rule=R.first_input("UnbroadcastTo"),
                          shape_rule=_unbroadcast_shape, grad=_unbroadcast_grad)


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
    if _same_static_shape(g, x):
        return g
    if isinstance(g, EagerTensor) and isinstance(x, EagerTensor) and g._value.shape == x._value.shape:
        return g
    return bind(unbroadcast_p, g, x)


def broadcast_like(v: Tensor, ref: Tensor) -> Tensor:
    """Broadcasts `v` to the shape of `ref` (dynamic shapes allowed)."""
    if _same_static_shape(v, ref):
        return v
    return bind(broadcast_like_p, v, ref)


# ---- arithmetic ------------------------------------------------------------------------------------

add_p = Primitive("AddV2", np.add, dtype_rule=R.same("AddV2", R.NUMERIC), shape_rule=R.broadcast("AddV2"),
                  grad=lambda g, out, x, y: (unbroadcast(g, x), unbroadcast(g, y)))


def _string_add_kernel(x, y):
    return np.frompyfunc(lambda a, b: a + b, 2, 1)(x, y).astype(object)


string_add_p = Primitive("Add", _string_add_kernel, dtype_rule=R.same("Add", {_dt.string}),
                         shape_rule=R.broadcast("Add"))


def add(x, y, name=None) -> Tensor:
    """x + y elementwise with broadcasting; string tensors concatenate.

    >>> import eagerflow as tf
    >>> print(tf.add(tf.constant(1), 2))
    tf.Tensor(3, shape=(), dtype=int32)
    """
    if isinstance(x, EagerTensor) and isinstance(y, EagerTensor) and x._dtype is not _dt.string:
        return bind(add_p, x, y)
    t = x if isinstance(x, Tensor) else y
    if isinstance(t, Tensor) and t.dtype is _dt.string:
        return binary(string_add_p, x, y)
    return binary(add_p, x, y)


sub_p = Primitive("Sub", np.subtract, dtype_rule=R.same("Sub", R.NUMERIC), shape_rule=R.broadcast("Sub"),
                  grad=lambda g, out, x, y: (unbroadcast(g, x), unbroadcast(negative(g), y)))


def subtract(x, y, name=None) -> Tensor:
    return binary(sub_p, x, y)


mul_p = Primitive("Mul", np.multiply, dtype_rule=R.same("Mul", R.NUMERIC), shape_rule=R.broadcast("Mul"),
                  grad=lambda g, out, x, y: (unbroadcast(multiply(g, conj(y)), x),
                                             unbroadcast(multiply(conj(x), g), y)))


def multiply(x, y, name=None) -> Tensor:
    return binary(mul_p, x, y)


def _realdiv_kernel(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(x, y)


realdiv_p = Primitive("RealDiv", _realdiv_kernel, dtype_rule=R.same("RealDiv", R.INEXACT),
                      shape_rule=R.broadcast("RealDiv"),
                      grad=lambda g, out, x, y: (unbroadcast(realdiv(g, conj(y)), x),
                                                 unbroadcast(negative(multiply(g, conj(realdiv(out, y)))), y)))


def realdiv(x, y, name=None) -> Tensor:
    return binary(realdiv_p, x, y)


_INT_DIV_TARGET = {"int8": _dt.float32, "uint8": _dt.float32, "int16": _dt.float32, "uint16": _dt.float32,
                   "int32": _dt.float64, "uint32": _dt.float64, "int64": _dt.float64, "uint64": _dt.float64}


def truediv(x, y, name=None) -> Tensor:
    """x / y; integer inputs are first cast to float (int8/16 -> float32, int32/64 -> float64) as TF."""
    if not isinstance(x, Tensor):
        x = convert_to_tensor(x) if not isinstance(y, Tensor) else convert_operand(x, y, "RealDiv", 0)
    if not isinstance(y, Tensor):
        y = convert_operand(y, x, "RealDiv", 1)
    if x.dtype is not y.dtype:
        R.fail("RealDiv", f"x and y must have the same dtype, got {x.dtype.name} != {y.dtype.name}")
    target = _INT_DIV_TARGET.get(x.dtype.name)
    if target is not None:
        x, y = cast(x, target), cast(y, target)
    return bind(realdiv_p, x, y)


divide = truediv


def _floordiv_kernel(x, y):
    if x.dtype.kind in "iu":
        if np.any(np.asarray(y) == 0):
            R.fail("FloorDiv", "Integer division by zero")
        return np.floor_divide(x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.floor_divide(x, y)


floordiv_p = Primitive("FloorDiv", _floordiv_kernel, dtype_rule=R.same("FloorDiv", R.REAL),
                       shape_rule=R.broadcast("FloorDiv"))


def floordiv(x, y, name=None) -> Tensor:
    return binary(floordiv_p, x, y)


def _floormod_kernel(x, y):
    if x.dtype.kind in "iu":
        if np.any(np.asarray(y) == 0):
            R.fail("FloorMod", "Integer division by zero")
        return np.mod(x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.mod(x, y)


def _floormod_grad(g, out, x, y):
    # x mod y = x - floor(x / y) * y
    return unbroadcast(g, x), unbroadcast(negative(multiply(g, floor(realdiv(x, y)))), y)


floormod_p = Primitive("FloorMod", _floormod_kernel, dtype_rule=R.same("FloorMod", R.REAL),
                       shape_rule=R.broadcast("FloorMod"), grad=_floormod_grad)


def floormod(x, y, name=None) -> Tensor:
    return binary(floormod_p, x, y)


mod = floormod


def _pow_kernel(x, y):
    if x.dtype.kind in "iu" and np.any(np.asarray(y) < 0):
        R.fail("Pow", "Integers to negative integer powers are not allowed")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.power(x, y)


def _pow_grad(g, out, x, y):
    gx = multiply(g, multiply(y, pow(x, subtract(y, 1))))
    # d/dy x^y = x^y log x, defined as 0 where x == 0 (TF's convention)
    safe_x = where(greater(x, 0) if x.dtype in R.FLOATS else not_equal(x, 0), x, ones_like(x))
    gy = multiply(g, multiply(out, log(safe_x)))
    return unbroadcast(gx, x), unbroadcast(gy, y)


pow_p = Primitive("Pow", _pow_kernel, dtype_rule=R.same("Pow", R.NUMERIC), shape_rule=R.broadcast("Pow"),
                  grad=_pow_grad)


def pow(x, y, name=None) -> Tensor:  # noqa: A001 - TF's public name
    return binary(pow_p, x, y)


neg_p = Primitive("Neg", np.negative, dtype_rule=R.unary("Neg", R.SIGNED), shape_rule=R.same_shape,
                  grad=lambda g, out, x: (negative(g),))


def negative(x, name=None) -> Tensor:
    return unary_op(neg_p, x)


def _abs_kernel(x):
    return np.abs(x)


def _abs_dtype(d, **_):
    R.check_allowed("Abs", d, R.SIGNED | R.INTS)
    return d.real_dtype


abs_p = Primitive("Abs", _abs_kernel, dtype_rule=_abs_dtype, shape_rule=R.same_shape,
                  grad=lambda g, out, x: (multiply(g, sign(x)),))


def abs(x, name=None) -> Tensor:  # noqa: A001
    return unary_op(abs_p, x)


sign_p = Primitive("Sign", np.sign, dtype_rule=R.unary("Sign", R.NUMERIC), shape_rule=R.same_shape,
                   grad=lambda g, out, x: (zeros_like(x),))


def sign(x, name=None) -> Tensor:
    return unary_op(sign_p, x)


def _exp_kernel(x):
    with np.errstate(over="ignore"):
        return np.exp(x)


exp_p = Primitive("Exp", _exp_kernel, dtype_rule=R.unary("Exp", R.INEXACT), shape_rule=R.same_shape,
                  grad=lambda g, out, x: (multiply(g, conj(out)),))


def exp(x, name=None) -> Tensor:
    return unary_op(exp_p, x)


def _log_kernel(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


log_p = Primitive("Log", _log_kernel, dtype_rule=R.unary("Log", R.INEXACT), shape_rule=R.same_shape,
                  grad=lambda g, out, x: (realdiv(g, conj(x)),))


def log(x, name=None) -> Tensor:
    return unary_op(log_p, x)


square_p = Primitive("Square", np.square, dtype_rule=R.unary("Square", R.NUMERIC), shape_rule=R.same_shape,
                     grad=lambda g, out, x: (multiply(g, multiply(conj(x), 2)),))


def square(x, name=None) -> Tensor:
    return unary_op(square_p, x)


def _sqrt_kernel(x):
    with np.errstate(invalid="ignore"):
        return np.sqrt(x)


sqrt_p = Primitive("Sqrt", _sqrt_kernel, dtype_rule=R.unary("Sqrt", R.INEXACT), shape_rule=R.same_shape,
                   grad=lambda g, out, x: (realdiv(multiply(g, 0.5), conj(out)),))


def sqrt(x, name=None) -> Tensor:
    return unary_op(sqrt_p, x)


def _minmax_grad(select_x):
    def grad(g, out, x, y):
        mask = select_x(x, y)
        zeros = zeros_like(g)
        return unbroadcast(where(mask, g, zeros), x), unbroadcast(where(mask, zeros, g), y)
    return grad


maximum_p = Primitive("Maximum", np.maximum, dtype_rule=R.same("Maximum", R.REAL),
                      shape_rule=R.broadcast("Maximum"), grad=_minmax_grad(lambda x, y: greater_equal(x, y)))
minimum_p = Primitive("Minimum", np.minimum, dtype_rule=R.same("Minimum", R.REAL),
                      shape_rule=R.broadcast("Minimum"), grad=_minmax_grad(lambda x, y: less_equal(x, y)))


def maximum(x, y, name=None) -> Tensor:
    return binary(maximum_p, x, y)


def minimum(x, y, name=None) -> Tensor:
    return binary(minimum_p, x, y)


conj_p = Primitive("Conj", np.conjugate, dtype_rule=R.unary("Conj", R.NUMERIC), shape_rule=R.same_shape,
                   grad=lambda g, out, x: (conj(g),))


def conj(x, name=None) -> Tensor:
    """Complex conjugate; the identity (no op at all) for real tensors."""
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    return bind(conj_p, x) if x.dtype.is_complex else x


def _add_n_kernel(*xs):
    out = xs[0]
    for x in xs[1:]:
        out = np.add(out, x)
    return out


def _add_n_shape(*shapes):
    first = shapes[0]
    for s in shapes[1:]:
        if first is not None and s is not None and (len(s) != len(first) or any(
                a is not None and b is not None and a != b for a, b in zip(first, s))):
            R.fail("AddN", "Inputs to operation AddN must have the same size and shape: "
                           + " vs. ".join(str(list(x)) for x in shapes))
    return first


add_n_p = Primitive("AddN", _add_n_kernel, dtype_rule=R.same("AddN", R.NUMERIC), shape_rule=_add_n_shape,
                    grad=lambda g, out, *xs: (g,) * len(xs))


def add_n(inputs, name=None) -> Tensor:
    """Sums a list of tensors of the same shape and dtype."""
    inputs = [convert_to_tensor(x) for x in inputs]
    if not inputs:
        raise ValueError("inputs must be a non-empty list of tensors")
    if len(inputs) == 1:
        return inputs[0]
    return bind(add_n_p, *inputs)


def floor(x, name=None) -> Tensor:
    return unary_op(floor_p, x)


floor_p = Primitive("Floor", np.floor, dtype_rule=R.unary("Floor", R.FLOATS), shape_rule=R.same_shape)


# ---- comparisons and logic (no gradients) ------------------------------------------------------------

def _compare(name, kernel, allowed=R.ALL):
    return Primitive(name, kernel, dtype_rule=R.same(name, allowed, out=_dt.bool), shape_rule=R.broadcast(name))


equal_p = _compare("Equal", np.equal)
not_equal_p = _compare("NotEqual", np.not_equal)
less_p = _compare("Less", np.less, R.REAL)
less_equal_p = _compare("LessEqual", np.less_equal, R.REAL)
greater_p = _compare("Greater", np.greater, R.REAL)
greater_equal_p = _compare("GreaterEqual", np.greater_equal, R.REAL)
logical_and_p = _compare("LogicalAnd", np.logical_and, {_dt.bool})
logical_or_p = _compare("LogicalOr", np.logical_or, {_dt.bool})
logical_not_p = Primitive("LogicalNot", np.logical_not, dtype_rule=R.unary("LogicalNot", {_dt.bool}),
                          shape_rule=R.same_shape)


def equal(x, y, name=None) -> Tensor:
    return binary(equal_p, x, y)


def not_equal(x, y, name=None) -> Tensor:
    return binary(not_equal_p, x, y)


def less(x, y, name=None) -> Tensor:
    return binary(less_p, x, y)


def less_equal(x, y, name=None) -> Tensor:
    return binary(less_equal_p, x, y)


def greater(x, y, name=None) -> Tensor:
    return binary(greater_p, x, y)


def greater_equal(x, y, name=None) -> Tensor:
    return binary(greater_equal_p, x, y)


def logical_and(x, y, name=None) -> Tensor:
    return binary(logical_and_p, x, y)


def logical_or(x, y, name=None) -> Tensor:
    return binary(logical_or_p, x, y)


def logical_not(x, name=None) -> Tensor:
    return unary_op(logical_not_p, x)


def logical_xor(x, y, name=None) -> Tensor:
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


def _eq_compatible(x, y) -> bool:
    try:
        R.broadcast_shapes("Equal", x.shape.as_tuple(), y.shape.as_tuple())
        return True
    except Exception:  # noqa: BLE001 - incompatible shapes compare unequal, as TF's __eq__
        return False


def tensor_equals(x: Tensor, other) -> Tensor:
    """`x == other` (TF 2 semantics: incompatible shapes give a scalar False)."""
    try:
        y = other if isinstance(other, Tensor) else convert_operand(other, x, "Equal", 1)
    except Exception:  # noqa: BLE001 - e.g. comparing to a string or an object: not equal
        return False
    if x.dtype is not y.dtype or not _eq_compatible(x, y):
        return convert_to_tensor(False)
    return bind(equal_p, x, y)


def tensor_not_equals(x: Tensor, other) -> Tensor:
    r = tensor_equals(x, other)
    return True if r is False else logical_not(r)


_BIT_KERNELS = {"and": (logical_and, np.bitwise_and), "or": (logical_or, np.bitwise_or),
                "xor": (logical_xor, np.bitwise_xor)}


def _bitwise(name, fn):
    return Primitive(name, fn, dtype_rule=R.same(name, R.INTS), shape_rule=R.broadcast(name))


bitwise_and_p = _bitwise("BitwiseAnd", np.bitwise_and)
bitwise_or_p = _bitwise("BitwiseOr", np.bitwise_or)
bitwise_xor_p = _bitwise("BitwiseXor", np.bitwise_xor)
invert_p = Primitive("Invert", np.invert, dtype_rule=R.unary("Invert", R.INTS), shape_rule=R.same_shape)
_BITWISE = {"and": bitwise_and_p, "or": bitwise_or_p, "xor": bitwise_xor_p}


def bitwise_or_logical(kind: str, x, y) -> Tensor:
    """`&`, `|`, `^`: logical on bool tensors, bitwise on integers (as TF's operators)."""
    t = x if isinstance(x, Tensor) else y
    if t.dtype is _dt.bool:
        x = x if isinstance(x, Tensor) else convert_operand(x, y, "Logical", 0)
        y = y if isinstance(y, Tensor) else convert_operand(y, x, "Logical", 1)
        return _BIT_KERNELS[kind][0](x, y)
    return binary(_BITWISE[kind], x, y)


def invert(x) -> Tensor:
    """`~x`: logical not on bool, bitwise invert on integers."""
    if x.dtype is _dt.bool:
        return logical_not(x)
    return unary_op(invert_p, x)


# ---- selection and casting ---------------------------------------------------------------------------

def _select_dtype(c, x, y, **_):
    if c is not _dt.bool:
        R.fail("SelectV2", f"condition must be bool, got {c.name}")
    return R.same("SelectV2")(x, y)


def _select_grad(g, out, c, x, y):
    zeros = zeros_like(g)
    return None, unbroadcast(where(c, g, zeros), x), unbroadcast(where(c, zeros, g), y)


select_p = Primitive("SelectV2", np.where, dtype_rule=_select_dtype,
                     shape_rule=lambda c, x, y: R.broadcast_shapes("SelectV2", c, x, y), grad=_select_grad)


def where(condition, x=None, y=None, name=None) -> Tensor:
    """3-arg: elementwise select with broadcasting; 1-arg: coordinates of true elements (int64)."""
    condition = convert_to_tensor(condition)
    if x is None and y is None:
        return _array.where_indices(condition)
    if x is None or y is None:
        raise ValueError("tf.where: x and y must both be given, or both be None")
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        x = convert_to_tensor(x)
    x = x if isinstance(x, Tensor) else convert_operand(x, y, "SelectV2", 1)
    y = y if isinstance(y, Tensor) else convert_operand(y, x, "SelectV2", 2)
    return bind(select_p, condition, x, y)


def _cast_kernel(x, *, dtype):
    if dtype is _dt.string:
        raise TypeError("Cast to string is not supported; use tf.strings.as_string")
    if x.dtype == object:
        raise TypeError("Cast from string is not supported; use tf.strings.to_number")
    with np.errstate(invalid="ignore", over="ignore"):
        if dtype.is_integer and x.dtype.kind == "f":
            x = np.trunc(x)
        if x.dtype.kind == "c" and not dtype.is_complex:
            x = x.real
        return x.astype(dtype._np)


def _cast_dtype(d, *, dtype):
    if (d is _dt.string) != (dtype is _dt.string):
        R.fail("Cast", f"Cast from {d.name} to {dtype.name} is not supported")
    return dtype


def _cast_grad(g, out, x, *, dtype):
    if x.dtype.is_differentiable and dtype.is_differentiable:
        return (cast(g, x.dtype),)
    return (None,)


cast_p = Primitive("Cast", _cast_kernel, dtype_rule=_cast_dtype, shape_rule=lambda s, **_: s, grad=_cast_grad)


def cast(x, dtype, name=None) -> Tensor:
    """Casts `x` to `dtype` (float -> int truncates toward zero, as TF).

    >>> import eagerflow as tf
    >>> print(tf.cast(tf.constant(1.7), tf.int32))
    tf.Tensor(1, shape=(), dtype=int32)
    """
    dtype = _dt.as_dtype(dtype)
    x = x if isinstance(x, Tensor) else convert_to_tensor(x, dtype_hint=dtype)
    if x.dtype is dtype:
        return x
    return bind(cast_p, x, dtype=dtype)


def zeros_like(x, dtype=None, name=None) -> Tensor:
    return _array.zeros_like(x, dtype)


def ones_like(x, dtype=None, name=None) -> Tensor:
    return _array.ones_like(x, dtype)

