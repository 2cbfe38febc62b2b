"""Reductions: `tf.reduce_*` over axes with keepdims, arg-reductions and cumulative sums/products.

Every reduction primitive takes the attributes ``axis`` (a sorted tuple of non-negative axes, or None
for "all axes" when the rank is unknown) and ``keepdims``; `normalize_axes` turns TF's many axis forms
(None, int, nested list, int tensor, negative values) into that tuple and raises TF's errors.
Gradients first give the incoming gradient the keepdims shape (`_expand_reduced`), then broadcast.

>>> import eagerflow as tf
>>> print(tf.reduce_max(tf.constant([[1, 5], [7, 2]]), axis=-1))
tf.Tensor([5 7], shape=(2,), dtype=int32)
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..primitive import Primitive, bind
from ..tensor import EagerTensor, Tensor, constant, convert_to_tensor, get_static_value
from . import array as _array, math as _math, rules as R

__all__ = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any", "reduce_all",
           "reduce_logsumexp", "argmax", "argmin", "cumsum"]
# TF has these only under tf.math, not at the top level (eagerflow/api/math.py imports them by name).
MATH_ONLY = ("reduce_std", "reduce_variance", "reduce_euclidean_norm", "count_nonzero", "cumprod")

_INDEX_DTYPES = (_dt.int32, _dt.int64)


# ---- axis handling ----------------------------------------------------------------------------------------

def _rank(x: Tensor):
    return x._value.ndim if isinstance(x, EagerTensor) else x.shape.rank


def _axis_values(op: str, axis) -> list:
    """TF's axis argument (int, nested list, or int tensor) as a list of Python ints."""
    if isinstance(axis, Tensor):
        if axis.dtype not in _INDEX_DTYPES:
            R.fail(op, f"Value for attr 'Tidx' of {axis.dtype.name} is not in the list of allowed values: "
                       "int32, int64")
        value = get_static_value(axis)
        if value is None:
            raise TypeError(f"{op}: the reduction axis must be statically known (a Python int, a list or a "
                            f"constant tensor), got the symbolic tensor {axis!r}")
        return [int(a) for a in np.reshape(value, -1)]
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, (bool, np.bool_)):
        return [int(axis)]
    arr = np.asarray(axis)
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"Cannot convert {axis!r} to EagerTensor of dtype int32")
    return [int(a) for a in arr.reshape(-1)]


def normalize_axes(op: str, axis, rank) -> tuple | None:
    """TF's axis argument as a sorted tuple of non-negative axes (None: all axes of an unknown rank).

    Raises TF's InvalidArgumentError for out-of-range or repeated axes. With unknown rank the axes
    are kept as given (possibly negative).
    """
    if axis is None:
        return None if rank is None else tuple(range(rank))
    if type(axis) is int and rank is not None:  # the common case, kept short
        if not -rank <= axis < rank:
            R.fail(op, f"Invalid reduction dimension ({axis} for input with {rank} dimension(s)")
        return (axis % rank,)
    axes = _axis_values(op, axis)
    if rank is not None:
        for a in axes:
            if not -rank <= a < rank:
                R.fail(op, f"Invalid reduction dimension ({a} for input with {rank} dimension(s)")
        axes = [a % rank for a in axes]
    if len(set(axes)) != len(axes):
        dup = next(a for a in axes if axes.count(a) > 1)
        R.fail(op, f"Invalid reduction arguments: Axes contains duplicate dimension: {dup}")
    return tuple(sorted(axes))


def reduced_shape(op: str):
    """Shape rule of a reduction with attributes (axis, keepdims)."""
    def rule(s, *, axis, keepdims):
        if s is None:
            return None
        axes = normalize_axes(op, axis, len(s))
        if keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(s))
        return tuple(d for i, d in enumerate(s) if i not in axes)
    return rule


def _keep_shape_kernel(x, *, axis):
    shape = list(np.shape(x))
    for a in (range(len(shape)) if axis is None else axis):
        shape[a] = 1
    return np.broadcast_to(np.int8(0), shape)  # a zero-copy stand-in: only its shape is used


# A tensor of x's reduced-with-keepdims shape: lets gradients reshape when x's shape is only known at run time.
_keep_shape_p = Primitive("ReducedShapeLike", _keep_shape_kernel, dtype_rule=lambda d, **_: _dt.int8,
                          shape_rule=lambda s, *, axis: reduced_shape("Sum")(s, axis=axis, keepdims=True))


def _expand_reduced(t: Tensor, x: Tensor, axes, keepdims: bool) -> Tensor:
    """`t`, a reduction of `x` over `axes`, reshaped so that it broadcasts against `x` (keepdims form)."""
    if keepdims or axes is None or t.shape.rank == 0:
        return t
    if axes == tuple(range(len(axes))):  # only leading axes were reduced: t already broadcasts
        return t
    xs = x.shape
    if xs.is_fully_defined():
        return _array.reshape(t, reduced_shape("Sum")(xs.as_tuple(), axis=axes, keepdims=True))
    return _array.reshape_like(t, bind(_keep_shape_p, x, axis=axes))


def _count_kernel(x, *, axis, dtype):
    shape = np.shape(x)
    n = 1
    for a in (range(len(shape)) if axis is None else axis):
        n *= shape[a]
    return np.array(n, dtype=dtype._np)


_count_p = Primitive("ReducedCount", _count_kernel, dtype_rule=lambda d, *, axis, dtype: dtype,
                     shape_rule=R.scalar)


def _count(x: Tensor, axes) -> Tensor:
    """Number of reduced elements as a scalar of x's dtype (computed at run time if x's shape is unknown)."""
    s = x.shape
    if s.is_fully_defined():
        n = 1
        for a in (range(s.rank) if axes is None else axes):
            n *= s[a]
        return constant(n, x.dtype)
    return bind(_count_p, x, axis=axes, dtype=x.dtype)


def _reduce(prim: Primitive, input_tensor, axis, keepdims) -> Tensor:
    x = input_tensor if isinstance(input_tensor, Tensor) else convert_to_tensor(input_tensor)
    return bind(prim, x, axis=normalize_axes(prim.name, axis, _rank(x)), keepdims=bool(keepdims))


def _reduction(name: str, kernel, allowed, grad=None, dtype_rule=None) -> Primitive:
    return Primitive(name, kernel, dtype_rule=dtype_rule or R.unary(name, allowed),
                     shape_rule=reduced_shape(name), grad=grad)


# ---- sum and mean ------------------------------------------------------------------------------------------

def _sum_kernel(x, *, axis, keepdims):
    r = np.sum(x, axis=axis, keepdims=keepdims)
    return r.astype(x.dtype, copy=False) if r.dtype != x.dtype else r  # small ints wrap as in TF


def _sum_grad(g, out, x, *, axis, keepdims):
    return (_math.broadcast_like(_expand_reduced(g, x, axis, keepdims), x),)


sum_p = _reduction("Sum", _sum_kernel, R.NUMERIC, _sum_grad)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Sum over `axis` (all axes when None); integer sums wrap around like TF's.

    >>> import eagerflow as tf
    >>> print(tf.reduce_sum(tf.constant([[1, 2], [3, 4]]), axis=1))
    tf.Tensor([3 7], shape=(2,), dtype=int32)
    """
    return _reduce(sum_p, input_tensor, axis, keepdims)


def _num_reduced(x, axis) -> int:
    n = 1
    for a in (range(x.ndim) if axis is None else axis):
        n *= x.shape[a]
    return n


def _mean_kernel(x, *, axis, keepdims):
    n = _num_reduced(x, axis)
    if x.dtype.kind in "iu":  # accumulate wide, divide truncating toward zero (TF's integer mean)
        s = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64 if x.dtype.kind == "i" else np.uint64)
        if n == 0:
            return np.zeros(np.shape(s), dtype=x.dtype)
        q = s // n
        if x.dtype.kind == "i":
            q = q + ((q * n != s) & (s < 0))
        return np.asarray(q).astype(x.dtype)
    if n and x.dtype != np.float16:
        return np.asarray(np.sum(x, axis=axis, keepdims=keepdims) / n, dtype=x.dtype)
    with np.errstate(invalid="ignore", over="ignore"):  # 0/0 for empty slices; float16 sums and counts overflow
        return np.asarray(np.sum(x, axis=axis, keepdims=keepdims) / np.asarray(n, dtype=x.dtype), dtype=x.dtype)


def _mean_grad(g, out, x, *, axis, keepdims):
    g = _math.realdiv(_expand_reduced(g, x, axis, keepdims), _count(x, axis))
    return (_math.broadcast_like(g, x),)


mean_p = _reduction("Mean", _mean_kernel, R.NUMERIC, _mean_grad)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Mean over `axis`; integer tensors give an integer mean truncated toward zero, as TF.

    >>> import eagerflow as tf
    >>> print(tf.reduce_mean(tf.constant([1, 2, 4])))
    tf.Tensor(2, shape=(), dtype=int32)
    """
    return _reduce(mean_p, input_tensor, axis, keepdims)


# ---- max, min, prod ----------------------------------------------------------------------------------------

def _extreme_kernel(fn, lowest: bool):
    def kernel(x, *, axis, keepdims):
        if x.size == 0:  # TF's identities: max of nothing is the lowest value, min the highest
            info = np.finfo(x.dtype) if x.dtype.kind == "f" else np.iinfo(x.dtype)
            initial = (-np.inf if lowest else np.inf) if x.dtype.kind == "f" else (info.min if lowest else info.max)
            return fn(x, axis=axis, keepdims=keepdims, initial=initial)
        return fn(x, axis=axis, keepdims=keepdims)
    return kernel


def _extreme_grad(g, out, x, *, axis, keepdims):
    """The gradient goes to the elements equal to the result, shared equally among ties (TF's rule)."""
    g = _expand_reduced(g, x, axis, keepdims)
    out = _expand_reduced(out, x, axis, keepdims)
    hits = _math.cast(_math.equal(x, out), x.dtype)
    ties = bind(sum_p, hits, axis=axis, keepdims=True)
    return (_math.multiply(hits, _math.realdiv(g, ties)),)


max_p = _reduction("Max", _extreme_kernel(np.max, True), R.REAL, _extreme_grad)
min_p = _reduction("Min", _extreme_kernel(np.min, False), R.REAL, _extreme_grad)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Maximum over `axis`; the gradient is shared equally among tied maxima, as TF.

    >>> import eagerflow as tf
    >>> print(tf.reduce_max(tf.constant([1.0, 3.0, 2.0])))
    tf.Tensor(3.0, shape=(), dtype=float32)
    """
    return _reduce(max_p, input_tensor, axis, keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Minimum over `axis`; the gradient is shared equally among tied minima, as TF.

    >>> import eagerflow as tf
    >>> print(tf.reduce_min(tf.constant([[1, 5], [7, 2]]), axis=0))
    tf.Tensor([1 2], shape=(2,), dtype=int32)
    """
    return _reduce(min_p, input_tensor, axis, keepdims)


def _prod_kernel(x, *, axis, keepdims):
    r = np.prod(x, axis=axis, keepdims=keepdims)
    return r.astype(x.dtype, copy=False) if r.dtype != x.dtype else r


def _prod_grad(g, out, x, *, axis, keepdims):
    """d prod / d x_i = product of the other elements, computed without dividing by zero.

    With no zero in the slice it is prod(x) / x_i; with exactly one zero only that element gets
    the product of the rest; with two or more zeros everything is 0.
    """
    g = _expand_reduced(g, x, axis, keepdims)
    zero = _math.equal(x, 0)
    safe = _math.where(zero, _array.ones_like(x), x)
    p_rest = bind(prod_p, safe, axis=axis, keepdims=True)  # product of the non-zero elements
    n_zero = bind(sum_p, _math.cast(zero, x.dtype.real_dtype), axis=axis, keepdims=True)
    lone_zero = _math.logical_and(zero, _math.equal(n_zero, 1))
    others = _math.where(_math.equal(n_zero, 0), _math.realdiv(p_rest, safe),
                         _math.where(lone_zero, p_rest, _array.zeros_like(x)))
    return (_math.multiply(g, _math.conj(others)),)


prod_p = _reduction("Prod", _prod_kernel, R.NUMERIC, _prod_grad)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Product over `axis`; its gradient is exact with zeros in the input.

    >>> import eagerflow as tf
    >>> print(tf.reduce_prod(tf.constant([[1, 2], [3, 4]]), axis=1))
    tf.Tensor([ 2 12], shape=(2,), dtype=int32)
    """
    return _reduce(prod_p, input_tensor, axis, keepdims)


# ---- logical reductions ----------------------------------------------------------------------------------

def _bool_only(op: str):
    def rule(d, **_):
        if d is not _dt.bool:
            R.fail(op, f"cannot compute {op} as input #0(zero-based) was expected to be a bool tensor but is a "
                       f"{d.name} tensor")
        return d
    return rule


any_p = _reduction("Any", lambda x, *, axis, keepdims: np.any(x, axis=axis, keepdims=keepdims), None,
                   dtype_rule=_bool_only("Any"))
all_p = _reduction("All", lambda x, *, axis, keepdims: np.all(x, axis=axis, keepdims=keepdims), None,
                   dtype_rule=_bool_only("All"))


def reduce_any(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Logical or over `axis` (bool tensors only).

    >>> import eagerflow as tf
    >>> print(tf.reduce_any(tf.constant([[True, False], [False, False]]), axis=1))
    tf.Tensor([ True False], shape=(2,), dtype=bool)
    """
    return _reduce(any_p, input_tensor, axis, keepdims)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Logical and over `axis` (bool tensors only).

    >>> import eagerflow as tf
    >>> print(tf.reduce_all(tf.constant([True, False])))
    tf.Tensor(False, shape=(), dtype=bool)
    """
    return _reduce(all_p, input_tensor, axis, keepdims)


def count_nonzero(input, axis=None, keepdims=None, dtype=_dt.int64, name=None) -> Tensor:  # noqa: A002
    """Number of non-zero (non-empty for strings, True for bool) elements over `axis`, as `dtype`.

    >>> import eagerflow as tf
    >>> print(tf.math.count_nonzero(tf.constant([[0.0, 1.5], [2.0, 0.0]]), axis=1))
    tf.Tensor([1 1], shape=(2,), dtype=int64)
    """
    x = convert_to_tensor(input)
    zero = b"" if x.dtype is _dt.string else (False if x.dtype is _dt.bool else 0)
    counts = _reduce(sum_p, _math.cast(_math.not_equal(x, zero), _dt.int64), axis, keepdims)
    return _math.cast(counts, dtype)


# ---- statistics and norms ------------------------------------------------------------------------------

def _check_real_or_complex(x: Tensor) -> None:
    if not (x.dtype.is_floating or x.dtype.is_complex):
        kind = "integer" if x.dtype.is_integer else x.dtype.name
        raise TypeError(f"Input must be either real or complex. Received {kind} type <dtype: '{x.dtype.name}'>.")


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Population variance over `axis`; complex input gives a real variance (mean of |x - mean|^2).

    >>> import eagerflow as tf
    >>> print(tf.math.reduce_variance(tf.constant([1.0, 2.0, 3.0, 4.0])))
    tf.Tensor(1.25, shape=(), dtype=float32)
    """
    x = convert_to_tensor(input_tensor)
    _check_real_or_complex(x)
    axes = normalize_axes("Mean", axis, _rank(x))
    dev = _math.subtract(x, bind(mean_p, x, axis=axes, keepdims=True))
    sq = _math.square(_math.abs(dev) if x.dtype.is_complex else dev)
    return bind(mean_p, sq, axis=axes, keepdims=bool(keepdims))


def reduce_std(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Population standard deviation over `axis` (square root of `reduce_variance`).

    >>> import eagerflow as tf
    >>> print(tf.math.reduce_std(tf.constant([1.0, 3.0])))
    tf.Tensor(1.0, shape=(), dtype=float32)
    """
    return _math.sqrt(reduce_variance(input_tensor, axis, keepdims))


def _euclidean_kernel(x, *, axis, keepdims):
    if x.dtype.kind == "c":
        s = np.sum(x.real * x.real + x.imag * x.imag, axis=axis, keepdims=keepdims)
        return np.asarray(np.sqrt(s), dtype=x.dtype)
    if x.dtype.kind in "iu":  # TF squares and sums in the input type (wrapping), then truncates the root
        s = np.sum(x * x, axis=axis, keepdims=keepdims, dtype=x.dtype)
        with np.errstate(invalid="ignore"):
            return np.asarray(np.sqrt(np.abs(np.asarray(s, dtype=np.float64))), dtype=x.dtype)
    with np.errstate(over="ignore"):
        return np.asarray(np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims)), dtype=x.dtype)


def _euclidean_grad(g, out, x, *, axis, keepdims):
    g = _expand_reduced(g, x, axis, keepdims)
    out = _expand_reduced(out, x, axis, keepdims)
    return (_math.multiply(_math.realdiv(x, out), g),)  # x / |x|: NaN at a zero norm, as TF


euclidean_norm_p = _reduction("EuclideanNorm", _euclidean_kernel, R.NUMERIC, _euclidean_grad)


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """sqrt(sum(|x|^2)) over `axis`; keeps the input dtype (integer roots are truncated, as TF).

    >>> import eagerflow as tf
    >>> print(tf.math.reduce_euclidean_norm(tf.constant([3.0, 4.0])))
    tf.Tensor(5.0, shape=(), dtype=float32)
    """
    return _reduce(euclidean_norm_p, input_tensor, axis, keepdims)


def _logsumexp_kernel(x, *, axis, keepdims):
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, np.zeros((), x.dtype))  # all -inf (or empty) slices give -inf, not NaN
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        out = np.squeeze(out, axis=axis)
    return np.asarray(out, dtype=x.dtype)


def _logsumexp_grad(g, out, x, *, axis, keepdims):
    """softmax(x) * g. Shifting by the (finite) max rather than using exp(x - out) keeps full precision
    when |out| is large (x - out would lose the low bits)."""
    g = _expand_reduced(g, x, axis, keepdims)
    m = bind(max_p, x, axis=axis, keepdims=True)
    m = _math.where(_math.less(_math.abs(m), np.inf), m, _array.zeros_like(m))
    e = _math.exp(_math.subtract(x, m))
    return (_math.multiply(g, _math.realdiv(e, bind(sum_p, e, axis=axis, keepdims=True))),)


# A primitive rather than a composite for stability: max-shifting inside the kernel, softmax gradient.
logsumexp_p = _reduction("ReduceLogSumExp", _logsumexp_kernel, R.FLOATS, _logsumexp_grad)


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """log(sum(exp(x))) over `axis`, computed stably (no overflow for large inputs).

    >>> import eagerflow as tf
    >>> print(tf.reduce_logsumexp(tf.constant([0.0, 0.0])))
    tf.Tensor(0.6931472, shape=(), dtype=float32)
    """
    return _reduce(logsumexp_p, input_tensor, axis, keepdims)


# ---- arg-reductions -------------------------------------------------------------------------------------

_ARG_OUTPUT_TYPES = (_dt.int16, _dt.uint16, _dt.int32, _dt.int64)


def _arg_dtype(op: str):
    def rule(d, *, axis, output_type):
        if d not in R.REAL and d is not _dt.bool:
            R.check_allowed(op, d, R.REAL | {_dt.bool})
        if output_type not in _ARG_OUTPUT_TYPES:
            R.fail(op, f"Value for attr 'output_type' of {output_type.name} is not in the list of allowed "
                       "values: int16, uint16, int32, int64")
        return output_type
    return rule


def _check_arg_axis(op: str, rank: int, axis: int) -> None:
    if not -rank <= axis < rank:
        R.fail(op, f"Expected dimension in the range [{-rank}, {rank}), but got {axis}")


def _arg_shape(op: str):
    def rule(s, *, axis, output_type):
        if s is None:
            return None
        r = len(s)
        _check_arg_axis(op, r, axis)
        a = axis % r
        if s[a] == 0:
            R.fail(op, f"Reduction axis {axis} is empty in shape [{','.join(str(d) for d in s)}]")
        return s[:a] + s[a + 1:]
    return rule


def _arg_kernel(op: str, fn, nan_fill):
    def kernel(x, *, axis, output_type):
        _check_arg_axis(op, x.ndim, axis)
        if x.dtype.kind == "f":  # TF skips NaN (NumPy would return the first NaN)
            nan = np.isnan(x)
            if nan.any():
                x = np.where(nan, nan_fill, x)
        return np.asarray(fn(x, axis=axis)).astype(output_type._np, copy=False)
    return kernel


argmax_p = Primitive("ArgMax", _arg_kernel("ArgMax", np.argmax, -np.inf), dtype_rule=_arg_dtype("ArgMax"),
                     shape_rule=_arg_shape("ArgMax"))
argmin_p = Primitive("ArgMin", _arg_kernel("ArgMin", np.argmin, np.inf), dtype_rule=_arg_dtype("ArgMin"),
                     shape_rule=_arg_shape("ArgMin"))


def scalar_axis(axis, default=0) -> int:
    """A single axis given as a Python int or an int scalar tensor (TypeError otherwise)."""
    if axis is None:
        return default
    if isinstance(axis, Tensor):
        value = get_static_value(axis) if axis.dtype in _INDEX_DTYPES else None
        if value is None or np.ndim(value) != 0:
            raise TypeError("axis must be int or Tensor with integer datatype (a statically known scalar), "
                            f"got {axis!r}")
        return int(value)
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, (bool, np.bool_)):
        return int(axis)
    raise TypeError("axis must be int or Tensor with integer datatype")


def argmax(input, axis=None, output_type=_dt.int64, name=None) -> Tensor:  # noqa: A002
    """Index of the largest value along `axis` (0 by default); ties give the first index, NaN is skipped.

    >>> import eagerflow as tf
    >>> print(tf.argmax(tf.constant([[1, 9], [8, 2]]), axis=1))
    tf.Tensor([1 0], shape=(2,), dtype=int64)
    """
    return bind(argmax_p, convert_to_tensor(input), axis=scalar_axis(axis),
                output_type=_dt.as_dtype(output_type))


def argmin(input, axis=None, output_type=_dt.int64, name=None) -> Tensor:  # noqa: A002
    """Index of the smallest value along `axis` (0 by default); ties give the first index.

    >>> import eagerflow as tf
    >>> print(tf.argmin(tf.constant([3, 1, 2]), output_type=tf.int32))
    tf.Tensor(1, shape=(), dtype=int32)
    """
    return bind(argmin_p, convert_to_tensor(input), axis=scalar_axis(axis),
                output_type=_dt.as_dtype(output_type))


# ---- cumulative sums and products ----------------------------------------------------------------------

def _check_scan_axis(op: str, rank: int, axis: int) -> None:
    if not -rank <= axis < rank:
        R.fail(op, f"ScanOp: Expected scan axis in the range [{-rank}, {rank}), but got {axis}")


def _scan_shape(op: str):
    def rule(s, *, axis, exclusive, reverse):
        if s is not None:
            _check_scan_axis(op, len(s), axis)
        return s
    return rule


def _scan_kernel(op: str, ufunc, identity):
    def kernel(x, *, axis, exclusive, reverse):
        _check_scan_axis(op, x.ndim, axis)
        axis %= x.ndim
        if reverse:
            x = np.flip(x, axis)
        if exclusive:  # out[0] = identity, out[i] = scan(x[:i])
            out = np.empty(x.shape, dtype=x.dtype)
            head = (slice(None),) * axis
            out[head + (slice(0, 1),)] = identity
            ufunc.accumulate(x[head + (slice(0, -1),)], axis=axis, dtype=x.dtype, out=out[head + (slice(1, None),)])
        else:
            out = ufunc.accumulate(x, axis=axis, dtype=x.dtype)
        return np.flip(out, axis) if reverse else out
    return kernel


def _cumsum_grad(g, out, x, *, axis, exclusive, reverse):
    return (bind(cumsum_p, g, axis=axis, exclusive=exclusive, reverse=not reverse),)


cumsum_p = Primitive("Cumsum", _scan_kernel("Cumsum", np.add, 0), dtype_rule=R.unary("Cumsum", R.NUMERIC),
                     shape_rule=_scan_shape("Cumsum"), grad=_cumsum_grad)


def _cumprod_grad(g, out, x, *, axis, exclusive, reverse):
    """Exact with zeros: out_j / x_i where the scan has met no zero yet, a rescan at the first zero.

    Past the first zero every product that involves x_i also involves that zero, so the division
    form (with a safe divisor) is already 0 there.
    """
    attrs = dict(axis=axis, exclusive=exclusive)
    zero = _math.equal(x, 0)
    zeros_before = bind(cumsum_p, _math.cast(zero, x.dtype.real_dtype), axis=axis, exclusive=True, reverse=reverse)
    first_zero = _math.logical_and(zero, _math.equal(zeros_before, 0))
    ones = _array.ones_like(x)
    safe = _math.where(zero, ones, x)
    direct = _math.realdiv(bind(cumsum_p, _math.multiply(g, _math.conj(out)), reverse=not reverse, **attrs),
                           _math.conj(safe))
    rescan = bind(cumprod_p, _math.where(first_zero, ones, x), reverse=reverse, **attrs)
    at_zero = bind(cumsum_p, _math.multiply(g, _math.conj(rescan)), reverse=not reverse, **attrs)
    return (_math.where(first_zero, at_zero, direct),)


cumprod_p = Primitive("Cumprod", _scan_kernel("Cumprod", np.multiply, 1), dtype_rule=R.unary("Cumprod", R.NUMERIC),
                      shape_rule=_scan_shape("Cumprod"), grad=_cumprod_grad)


def _scan_axis(op: str, axis) -> int:
    if isinstance(axis, (list, tuple)) or (isinstance(axis, Tensor) and axis.shape.rank not in (0, None)):
        shape = [len(axis)] if isinstance(axis, (list, tuple)) else axis.shape.as_list()
        R.fail(op, f"ScanOp: axis must be a scalar, not {shape}")
    if isinstance(axis, float):
        raise TypeError(f"Cannot convert {axis!r} to EagerTensor of dtype int32")
    return scalar_axis(axis)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Cumulative sum along `axis`; `exclusive` starts from 0, `reverse` scans from the end.

    >>> import eagerflow as tf
    >>> print(tf.cumsum(tf.constant([1, 2, 3]), exclusive=True, reverse=True))
    tf.Tensor([5 3 0], shape=(3,), dtype=int32)
    """
    return bind(cumsum_p, convert_to_tensor(x), axis=_scan_axis("Cumsum", axis), exclusive=bool(exclusive),
                reverse=bool(reverse))


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Cumulative product along `axis`; its gradient is exact with zeros in `x`.

    >>> import eagerflow as tf
    >>> print(tf.math.cumprod(tf.constant([1.0, 2.0, 3.0]), exclusive=True))
    tf.Tensor([1. 1. 2.], shape=(3,), dtype=float32)
    """
    return bind(cumprod_p, convert_to_tensor(x), axis=_scan_axis("Cumprod", axis), exclusive=bool(exclusive),
                reverse=bool(reverse))
