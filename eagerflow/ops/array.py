"""Array ops: creation, shape manipulation, indexing and gathering.

Each primitive is one block: TF op name, NumPy kernel, dtype rule, shape rule, gradient.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..context import _state
from ..primitive import Primitive, bind
from ..tensor import EagerTensor, Tensor, constant, convert_to_tensor
from . import math as _math, rules as R

__all__ = [
    "zeros", "ones", "fill", "zeros_like", "ones_like", "identity", "shape", "size", "rank",
    "reshape", "stack",
]


def _static_shape_arg(op: str, shape) -> tuple:
    """A shape argument (list, tuple, TensorShape or 1-D int tensor) as a tuple of ints (-1 allowed)."""
    if isinstance(shape, Tensor):
        if not isinstance(shape, EagerTensor):
            raise TypeError(f"{op}: a symbolic shape tensor needs the dynamic form of this op")
        shape = shape._value.tolist()
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        return tuple(-1 if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: shape must be a list of integers, got {shape!r}") from None


# ---- creation ----------------------------------------------------------------------------------------

def fill(dims, value, name=None) -> Tensor:
    """A tensor of shape `dims` filled with `value` (dtype inferred from value, as TF)."""
    value = convert_to_tensor(value)
    shape = _static_shape_arg("Fill", dims)
    if any(d < 0 for d in shape):
        R.fail("Fill", f"dims must be non-negative, got {list(shape)}")
    if isinstance(value, EagerTensor) and _state.graph is None:
        if value._value.ndim != 0:
            R.fail("Fill", f"value must be a scalar, got shape {value.shape}")
        return EagerTensor._make(np.full(shape, value._value, dtype=value._value.dtype), value.dtype)
    return broadcast_to(value, shape)


def zeros(shape, dtype=_dt.float32, name=None) -> Tensor:
    dtype = _dt.as_dtype(dtype)
    return constant(np.zeros(_static_shape_arg("Zeros", shape), dtype=dtype._np) if dtype is not _dt.string
                    else np.full(_static_shape_arg("Zeros", shape), b"", dtype=object), dtype)


def ones(shape, dtype=_dt.float32, name=None) -> Tensor:
    dtype = _dt.as_dtype(dtype)
    return constant(np.ones(_static_shape_arg("Ones", shape), dtype=dtype._np), dtype)


zeros_like_p = Primitive("ZerosLike", lambda x: np.zeros_like(x), dtype_rule=R.unary("ZerosLike"),
                         shape_rule=R.same_shape, grad=lambda g, out, x: (None,))
ones_like_p = Primitive("OnesLike", lambda x: np.ones_like(x), dtype_rule=R.unary("OnesLike"),
                        shape_rule=R.same_shape, grad=lambda g, out, x: (None,))


def zeros_like(x, dtype=None, name=None) -> Tensor:
    x = convert_to_tensor(x)
    if isinstance(x, EagerTensor):
        dt = _dt.as_dtype(dtype) if dtype is not None else x._dtype
        return EagerTensor._make(np.zeros(x._value.shape, dtype=dt._np), dt)
    out = bind(zeros_like_p, x)
    return out if dtype is None else _math.cast(out, dtype)


def ones_like(x, dtype=None, name=None) -> Tensor:
    x = convert_to_tensor(x)
    if isinstance(x, EagerTensor):
        dt = _dt.as_dtype(dtype) if dtype is not None else x._dtype
        return EagerTensor._make(np.ones(x._value.shape, dtype=dt._np), dt)
    out = bind(ones_like_p, x)
    return out if dtype is None else _math.cast(out, dtype)


identity_p = Primitive("Identity", lambda x: x, dtype_rule=R.unary("Identity"), shape_rule=R.same_shape,
                       grad=lambda g, out, x: (g,))


def identity(x, name=None) -> Tensor:
    return bind(identity_p, convert_to_tensor(x))


# ---- shape queries --------------------------------------------------------------------------------------

def _shape_dtype(d, *, out_type):
    return out_type


shape_p = Primitive("Shape", lambda x, *, out_type: np.array(np.shape(x), dtype=out_type._np),
                    dtype_rule=_shape_dtype, shape_rule=lambda s, **_: (None if s is None else len(s),))


def shape(input, out_type=_dt.int32, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """The dynamic shape of `input` as a 1-D int tensor."""
    return bind(shape_p, convert_to_tensor(input), out_type=_dt.as_dtype(out_type))


size_p = Primitive("Size", lambda x, *, out_type: np.array(np.size(x), dtype=out_type._np),
                   dtype_rule=_shape_dtype, shape_rule=R.scalar)


def size(input, out_type=_dt.int32, name=None) -> Tensor:  # noqa: A002
    return bind(size_p, convert_to_tensor(input), out_type=_dt.as_dtype(out_type))


rank_p = Primitive("Rank", lambda x: np.array(np.ndim(x), dtype=np.int32),
                   dtype_rule=lambda d: _dt.int32, shape_rule=R.scalar)


def rank(input, name=None) -> Tensor:  # noqa: A002
    return bind(rank_p, convert_to_tensor(input))


# ---- reshape and broadcast -------------------------------------------------------------------------------

def _reshape_kernel(x, *, shape):
    try:
        return np.reshape(x, shape)
    except ValueError:
        known = [d for d in shape if d != -1]
        R.fail("Reshape", f"Input to reshape is a tensor with {np.size(x)} values, but the requested shape "
                          f"{'requires a multiple of' if -1 in shape else 'has'} {int(np.prod(known))}")


def _reshape_shape(s, *, shape):
    if shape.count(-1) > 1:
        R.fail("Reshape", f"only one input size may be -1, not both in {list(shape)}")
    if -1 not in shape:
        n = R.num_elements(s) if s is not None else None
        if n is not None and n != R.num_elements(shape):
            R.fail("Reshape", f"Input to reshape is a tensor with {n} values, but the requested shape has "
                              f"{R.num_elements(shape)}")
        return shape
    n = R.num_elements(s) if s is not None else None
    rest = R.num_elements([d for d in shape if d != -1])
    if n is None:
        return tuple(None if d == -1 else d for d in shape)
    if rest == 0 or n % rest:
        R.fail("Reshape", f"Input to reshape is a tensor with {n} values, but the requested shape requires a "
                          f"multiple of {rest}")
    return tuple(n // rest if d == -1 else d for d in shape)


reshape_p = Primitive("Reshape", _reshape_kernel, dtype_rule=R.unary("Reshape"), shape_rule=_reshape_shape,
                      grad=lambda g, out, x, *, shape: (reshape_like(g, x),))


def _reshape_like_kernel(x, ref):
    return np.reshape(x, np.shape(ref))


reshape_like_p = Primitive("ReshapeLike", _reshape_like_kernel, dtype_rule=R.first_input("ReshapeLike"),
                           shape_rule=lambda s, ref: ref,
                           grad=lambda g, out, x, ref: (reshape_like(g, x), None))


def reshape_like(x: Tensor, ref: Tensor) -> Tensor:
    """Reshapes `x` to `ref`'s (possibly dynamic) shape; used by gradients."""
    rs = ref.shape
    if rs.is_fully_defined():
        if x.shape.as_tuple() == rs.as_tuple():
            return x
        return bind(reshape_p, x, shape=rs.as_tuple())
    return bind(reshape_like_p, x, ref)


def reshape(tensor, shape, name=None) -> Tensor:
    """Reshapes `tensor`; one dimension may be -1.

    >>> import eagerflow as tf
    >>> tf.reshape(tf.range(6), [2, -1]).shape
    TensorShape([2, 3])
    """
    tensor = convert_to_tensor(tensor)
    return bind(reshape_p, tensor, shape=_static_shape_arg("Reshape", shape))


def _broadcast_to_shape(s, *, shape):
    try:
        return R.broadcast_shapes("BroadcastTo", s, shape) if s is not None else shape
    except Exception:  # noqa: BLE001
        R.fail("BroadcastTo", f"Unable to broadcast tensor of shape {list(s)} to tensor of shape {list(shape)}")


def _broadcast_to_kernel(x, *, shape):
    try:
        return np.broadcast_to(x, shape)
    except ValueError:
        R.fail("BroadcastTo", f"Unable to broadcast tensor of shape {list(np.shape(x))} to tensor of shape "
                              f"{list(shape)}")


broadcast_to_p = Primitive("BroadcastTo", _broadcast_to_kernel, dtype_rule=R.unary("BroadcastTo"),
                           shape_rule=_broadcast_to_shape,
                           grad=lambda g, out, x, *, shape: (_math.unbroadcast(g, x),))


def broadcast_to(input, shape, name=None) -> Tensor:  # noqa: A002
    return bind(broadcast_to_p, convert_to_tensor(input), shape=_static_shape_arg("BroadcastTo", shape))


# ---- stacking ---------------------------------------------------------------------------------------------

def _pack_kernel(*xs, axis):
    return np.stack(xs, axis=axis)


def _pack_shape(*shapes, axis):
    if any(s is None for s in shapes):
        return None
    first = shapes[0]
    for s in shapes[1:]:
        if len(s) != len(first) or any(a is not None and b is not None and a != b for a, b in zip(first, s)):
            R.fail("Pack", f"Shapes of all inputs must match: values[0].shape = {list(first)} != "
                           f"values[{shapes.index(s)}].shape = {list(s)}")
    rank = len(first) + 1
    if not -rank <= axis < rank:
        R.fail("Pack", f"axis = {axis} not in [{-rank}, {rank})")
    out = list(first)
    out.insert(axis % rank, len(shapes))
    return tuple(out)


def _pack_grad(g, out, *xs, axis):
    return tuple(unstack(g, num=len(xs), axis=axis))


pack_p = Primitive("Pack", _pack_kernel, dtype_rule=lambda *d, **a: R.same("Pack")(*d), shape_rule=_pack_shape,
                   grad=_pack_grad)


def stack(values, axis=0, name="stack") -> Tensor:
    """Stacks a list of rank-R tensors into one rank-(R+1) tensor."""
    values = [convert_to_tensor(v) for v in values]
    if not values:
        raise ValueError("tf.stack needs at least one tensor")
    return bind(pack_p, *values, axis=int(axis))


def _unpack_kernel(x, *, num, axis):
    return tuple(np.moveaxis(x, axis, 0)) if x.shape[axis] == num else R.fail(
        "Unpack", f"Input shape axis {axis} must equal {num}, got shape {list(x.shape)}")


def _unpack_shape(s, *, num, axis):
    if s is None:
        return [None] * num
    out = tuple(d for i, d in enumerate(s) if i != axis % len(s))
    return [out] * num


def _unpack_grad(g, out, x, *, num, axis):
    gs = [gi if gi is not None else zeros_like(o) for gi, o in zip(g, out)]
    return (stack(gs, axis=axis),)


unpack_p = Primitive("Unpack", _unpack_kernel, dtype_rule=lambda d, **a: [d] * a["num"],
                     shape_rule=_unpack_shape, grad=_unpack_grad, multiple_results=True)


def unstack(value, num=None, axis=0, name="unstack") -> list:
    value = convert_to_tensor(value)
    s = value.shape
    if s.rank is None and num is None:
        raise ValueError("Cannot infer argument `num` from shape <unknown>")
    if s.rank is not None:
        if not -s.rank <= axis < s.rank:
            raise ValueError(f"Argument `axis` = {axis} not in range [{-s.rank}, {s.rank})")
        axis = axis % s.rank
        if num is None:
            num = s[axis]
            if num is None:
                raise ValueError(f"Cannot infer argument `num` from shape {s}")
    return list(bind(unpack_p, value, num=int(num), axis=int(axis)))


def getitem(tensor: Tensor, key) -> Tensor:
    """`tensor[key]` with TF's strided-slice semantics (filled in by the strided_slice block)."""
    raise NotImplementedError("tensor[...] (StridedSlice) is not implemented yet")


def where_indices(condition: Tensor) -> Tensor:
    raise NotImplementedError("tf.where(condition) with one argument is not implemented yet")
