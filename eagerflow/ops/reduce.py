"""Reductions: `tf.reduce_*` over axes with keepdims, plus cumulative ops and arg-reductions."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..primitive import Primitive, bind
from ..tensor import EagerTensor, Tensor, convert_to_tensor
from . import array as _array, math as _math, rules as R

__all__ = ["reduce_sum", "reduce_mean"]


def normalize_axes(op: str, axis, rank) -> tuple | None:
    """TF's axis argument (None, int, list, or int tensor) as a sorted tuple of non-negative axes.

    None means "all axes"; with unknown rank the axes are kept as given.
    """
    if axis is None:
        return None if rank is None else tuple(range(rank))
    if isinstance(axis, Tensor):
        if not isinstance(axis, EagerTensor):
            raise TypeError(f"{op}: axis must be a constant (a Python int or list), got a symbolic tensor")
        axis = axis._value.tolist()
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    axes = []
    for a in axis:
        a = int(a)
        if rank is not None:
            if not -rank <= a < max(rank, 1):
                R.fail(op, f"Invalid reduction dimension ({a} for input with {rank} dimension(s)")
            a = a % rank if rank else 0
        axes.append(a)
    return tuple(sorted(set(axes)))


def reduced_shape(op: str):
    def rule(s, *, axis, keepdims):
        if s is None:
            return None
        axes = normalize_axes(op, axis, len(s))
        if keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(s))
        return tuple(d for i, d in enumerate(s) if i not in axes)
    return rule


def _sum_kernel(x, *, axis, keepdims):
    r = np.sum(x, axis=axis, keepdims=keepdims)
    return r.astype(x.dtype, copy=False) if r.dtype != x.dtype else r


def _sum_grad(g, out, x, *, axis, keepdims):
    if not keepdims:
        g = _array.reshape_like(g, bind(_keep_shape_p, x, axis=axis)) if not x.shape.is_fully_defined() \
            else _array.reshape(g, reduced_shape("Sum")(x.shape.as_tuple(), axis=axis, keepdims=True))
    return (_math.broadcast_like(g, x),)


sum_p = Primitive("Sum", _sum_kernel, dtype_rule=R.unary("Sum", R.NUMERIC), shape_rule=reduced_shape("Sum"),
                  grad=_sum_grad)

# A tensor of x's reduced-with-keepdims shape: lets gradients reshape when x's shape is only known at run time.
_keep_shape_p = Primitive("ReducedShapeLike", lambda x, *, axis: np.empty(
    [1 if i in axis else d for i, d in enumerate(np.shape(x))], dtype=np.int8),
    dtype_rule=lambda d, **_: _dt.int8,
    shape_rule=lambda s, *, axis: reduced_shape("Sum")(s, axis=axis, keepdims=True))


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Sum over `axis` (all axes when None).

    >>> import eagerflow as tf
    >>> print(tf.reduce_sum(tf.constant([[1, 2], [3, 4]]), axis=1))
    tf.Tensor([3 7], shape=(2,), dtype=int32)
    """
    x = convert_to_tensor(input_tensor)
    axes = normalize_axes("Sum", axis, x.shape.rank)
    return bind(sum_p, x, axis=axes, keepdims=bool(keepdims))


def _count(x: Tensor, axes) -> Tensor:
    """Number of reduced elements, as x's dtype (dynamic when x's shape is not fully known)."""
    s = x.shape
    if s.is_fully_defined():
        n = 1
        for a in (axes if axes is not None else range(s.rank)):
            n *= s[a]
        return _math.cast(convert_to_tensor(n), x.dtype)
    sz_all = _array.size(x)
    kept = _array.size(bind(_keep_shape_p, x, axis=axes)) if axes is not None else 1
    return _math.cast(_math.floordiv(sz_all, kept), x.dtype)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Mean over `axis`; integer tensors use integer division, as TF."""
    x = convert_to_tensor(input_tensor)
    axes = normalize_axes("Mean", axis, x.shape.rank)
    total = bind(sum_p, x, axis=axes, keepdims=bool(keepdims))
    n = _count(x, axes)
    if x.dtype.is_integer:
        return _math.floordiv(total, n)
    return _math.realdiv(total, n)
