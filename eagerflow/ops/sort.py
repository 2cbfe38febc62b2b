"""Ordering and grouping ops: sort, argsort, top_k, unique, segment sums and bincount.

Ordering conventions (TF leaves NaN order unspecified; eagerflow picks one and keeps it everywhere):
sorts are stable (ties keep their input order, in both directions), and NaN counts as larger than
every number, so it comes last in ascending sorts and first in descending sorts and in `top_k`.

The gradients of sort and top_k move the incoming gradient back to the positions the values came
from, with a pair of private primitives (TakeAlongAxis / ScatterAlongAxis) that are each other's
gradient, so derivatives of any order work, eagerly and in graphs.

>>> import eagerflow as tf
>>> print(tf.sort(tf.constant([3, 1, 2]), direction="DESCENDING"))
tf.Tensor([3 2 1], shape=(3,), dtype=int32)
"""
from __future__ import annotations

import collections

import numpy as np

from .. import dtypes as _dt
from ..primitive import Primitive, bind
from ..tensor import Tensor, convert_to_tensor, get_static_value
from . import math as _math, reduce as _reduce, rules as R

# TF puts sort/argsort/unique/unique_with_counts at the top level; top_k, bincount, segment_sum and
# unsorted_segment_sum live in tf.math (top_k also in tf.nn): see MATH_ONLY.
__all__ = ["sort", "argsort", "unique", "unique_with_counts"]
MATH_ONLY = ("top_k", "bincount", "segment_sum", "unsorted_segment_sum")

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])
Unique = collections.namedtuple("Unique", ["y", "idx"])
UniqueWithCounts = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])

_INDEX_DTYPES = (_dt.int32, _dt.int64)


def _descending_order(x: np.ndarray, axis: int) -> np.ndarray:
    """Stable descending argsort along `axis` (NaN first): a stable ascending sort of the reversed array,
    reversed back, keeps tied elements in input order."""
    n = x.shape[axis]
    return np.flip((n - 1) - np.argsort(np.flip(x, axis), axis=axis, kind="stable"), axis)


# ---- moving values along an axis (gradients of sort and top_k) ----------------------------------------------

def _take_along_axis_kernel(x, idx, *, axis):
    return np.take_along_axis(x, idx.astype(np.intp, copy=False), axis)


def _take_along_axis_grad(g, out, x, idx, *, axis):
    return bind(scatter_along_axis_p, g, idx, x, axis=axis), None


take_along_axis_p = Primitive("TakeAlongAxis", _take_along_axis_kernel, dtype_rule=R.first_input("TakeAlongAxis"),
                              shape_rule=lambda s, si, *, axis: si, grad=_take_along_axis_grad)


def _scatter_along_axis_kernel(u, idx, ref, *, axis):
    """Zeros shaped like `ref` with `u` placed at `idx` along `axis` (indices distinct along the axis)."""
    out = np.zeros(np.shape(ref), dtype=u.dtype)
    np.put_along_axis(out, idx.astype(np.intp, copy=False), u, axis)
    return out


def _scatter_along_axis_grad(g, out, u, idx, ref, *, axis):
    return bind(take_along_axis_p, g, idx, axis=axis), None, None


scatter_along_axis_p = Primitive("ScatterAlongAxis", _scatter_along_axis_kernel,
                                 dtype_rule=R.first_input("ScatterAlongAxis"),
                                 shape_rule=lambda s, si, sr, *, axis: sr, grad=_scatter_along_axis_grad)


# ---- top_k --------------------------------------------------------------------------------------------------

def _topk_dtype(d, *, k, sorted, index_type):  # noqa: A002 - TF's attribute name
    R.check_allowed("TopKV2", d, R.REAL)
    if index_type not in (_dt.int16, _dt.int32, _dt.int64):
        R.fail("TopKV2", f"Value for attr 'index_type' of {index_type.name} is not in the list of allowed values: "
                         "int16, int32, int64")
    return [d, index_type]


def _topk_shape(s, *, k, sorted, index_type):  # noqa: A002
    if s is None:
        return [None, None]
    if not s:
        R.fail("TopKV2", "input must be >= 1-D, got shape []")
    if k < 0:
        R.fail("TopKV2", f"Need k >= 0, got {k}")
    if s[-1] is not None and s[-1] < k:
        R.fail("TopKV2", f"input must have at least k columns. Had {s[-1]}, needed {k}")
    out = s[:-1] + (k,)
    return [out, out]


def _topk_kernel(x, *, k, sorted, index_type):  # noqa: A002
    _topk_shape(x.shape, k=k, sorted=sorted, index_type=index_type)
    if k == 1:  # argmax already returns the first of tied maxima (and the first NaN)
        idx = np.expand_dims(np.argmax(x, axis=-1), -1)
    else:
        idx = _descending_order(x, -1)[..., :k]
    return np.take_along_axis(x, idx, -1), idx.astype(index_type._np, copy=False)


def _topk_grad(g, out, x, *, k, sorted, index_type):  # noqa: A002
    return (bind(scatter_along_axis_p, g[0], out[1], x, axis=-1),)


top_k_p = Primitive("TopKV2", _topk_kernel, dtype_rule=_topk_dtype, shape_rule=_topk_shape, grad=_topk_grad,
                    multiple_results=True)


def _static_int(op: str, arg: str, value) -> int:
    """A static integer argument given as a Python int or a constant scalar int tensor."""
    if isinstance(value, Tensor):
        if value.dtype not in _INDEX_DTYPES + (_dt.int16,):
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype int32")
        static = get_static_value(value)
        if static is None:
            raise TypeError(f"{op}: `{arg}` must be statically known (a Python int or a constant tensor), "
                            f"got the symbolic tensor {value!r}")
        if np.ndim(static) != 0:
            R.fail(op, f"{arg} must be scalar, got shape {list(np.shape(static))}")
        return int(static)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (list, tuple, np.ndarray)):
            R.fail(op, f"{arg} must be scalar, got shape {list(np.shape(value))}")
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype int32")
    return int(value)


def top_k(input, k=1, sorted=True, index_type=_dt.int32, name=None) -> TopKV2:  # noqa: A002
    """The `k` largest entries along the last axis and their indices (ties: lower index first).

    `sorted=False` is accepted; the result is then still sorted (TF leaves the order unspecified).

    >>> import eagerflow as tf
    >>> values, indices = tf.math.top_k(tf.constant([1.0, 3.0, 2.0, 3.0]), k=2)
    >>> print(values, indices)
    tf.Tensor([3. 3.], shape=(2,), dtype=float32) tf.Tensor([1 3], shape=(2,), dtype=int32)
    """
    x = convert_to_tensor(input)
    k = _static_int("TopKV2", "k", k)
    values, indices = bind(top_k_p, x, k=k, sorted=bool(sorted), index_type=_dt.as_dtype(index_type))
    return TopKV2(values, indices)


# ---- sort and argsort --------------------------------------------------------------------------------------

def _sort_shape(op: str):
    def rule(s, *, axis, descending):
        if s is not None and not -len(s) <= axis < len(s):
            R.fail(op, f"axis {axis} is out of range for a tensor of rank {len(s)}: expected a value in "
                       f"[{-len(s)}, {len(s)})")
        return s
    return rule


def _sort_kernel(x, *, axis, descending):
    _sort_shape("Sort")(x.shape, axis=axis, descending=descending)
    out = np.sort(x, axis=axis)
    return np.flip(out, axis) if descending else out


def _sort_grad(g, out, x, *, axis, descending):
    order = bind(argsort_p, x, axis=axis, descending=descending)
    return (bind(scatter_along_axis_p, g, order, x, axis=axis),)


sort_p = Primitive("Sort", _sort_kernel, dtype_rule=R.unary("Sort", R.REAL), shape_rule=_sort_shape("Sort"),
                   grad=_sort_grad)


def _argsort_kernel(x, *, axis, descending):
    _sort_shape("ArgSort")(x.shape, axis=axis, descending=descending)
    order = _descending_order(x, axis) if descending else np.argsort(x, axis=axis, kind="stable")
    return order.astype(np.int32, copy=False)


argsort_p = Primitive("ArgSort", _argsort_kernel, dtype_rule=R.unary("ArgSort", R.REAL, out=_dt.int32),
                      shape_rule=_sort_shape("ArgSort"))


def _sort_args(direction, axis):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError("Argument `direction` should be one of ASCENDING, DESCENDING. "
                         f"Received: direction={direction}")
    if axis is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type (<class 'NoneType'>) to a "
                         "Tensor.")
    return direction == "DESCENDING", _reduce.scalar_axis(axis)


def sort(values, axis=-1, direction="ASCENDING", name=None) -> Tensor:
    """Sorts along `axis` (last by default); NaN sorts as the largest value.

    >>> import eagerflow as tf
    >>> print(tf.sort(tf.constant([[3, 1], [0, 2]]), axis=0))
    tf.Tensor(
    [[0 1]
     [3 2]], shape=(2, 2), dtype=int32)
    """
    descending, axis = _sort_args(direction, axis)
    return bind(sort_p, convert_to_tensor(values), axis=axis, descending=descending)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None) -> Tensor:
    """Indices (int32) that sort `values` along `axis`; always stable (`stable=True` is the only behaviour).

    >>> import eagerflow as tf
    >>> print(tf.argsort(tf.constant([3, 1, 3, 2]), direction="DESCENDING"))
    tf.Tensor([0 2 3 1], shape=(4,), dtype=int32)
    """
    descending, axis = _sort_args(direction, axis)
    return bind(argsort_p, convert_to_tensor(values), axis=axis, descending=descending)


# ---- unique ------------------------------------------------------------------------------------------------

def _unique_groups(x: np.ndarray):
    """(first index of each distinct value in order of appearance, group of each element, group sizes).

    Built on a stable sort rather than np.unique so that NaNs stay distinct, as in TF.
    """
    order = np.argsort(x, kind="stable")
    xs = x[order]
    new = np.ones(len(x), dtype=bool)
    new[1:] = xs[1:] != xs[:-1]
    firsts = order[new]
    by_appearance = np.argsort(firsts, kind="stable")
    label = np.empty(len(firsts), dtype=np.intp)
    label[by_appearance] = np.arange(len(firsts))
    idx = np.empty(len(x), dtype=np.intp)
    idx[order] = label[np.cumsum(new) - 1]
    return firsts[by_appearance], idx, np.bincount(idx, minlength=len(firsts))


def _unique_dtype(op: str, n_out: int):
    def rule(d, *, out_idx):
        if out_idx not in _INDEX_DTYPES:
            R.fail(op, f"Value for attr 'out_idx' of {out_idx.name} is not in the list of allowed values: "
                       "int32, int64")
        return [d] + [out_idx] * (n_out - 1)
    return rule


def _unique_shape(op: str, n_out: int):
    def rule(s, *, out_idx):
        if s is not None and len(s) != 1:
            R.fail(op, "unique expects a 1D vector.")
        return [(None,), s if s is not None else (None,), (None,)][:n_out]
    return rule


def _unique_kernel(x, *, out_idx):
    _unique_shape("Unique", 2)(x.shape, out_idx=out_idx)
    firsts, idx, _ = _unique_groups(x)
    return x[firsts], idx.astype(out_idx._np)


def _unique_counts_kernel(x, *, out_idx):
    _unique_shape("UniqueWithCounts", 3)(x.shape, out_idx=out_idx)
    firsts, idx, counts = _unique_groups(x)
    return x[firsts], idx.astype(out_idx._np), counts.astype(out_idx._np)


unique_p = Primitive("Unique", _unique_kernel, dtype_rule=_unique_dtype("Unique", 2),
                     shape_rule=_unique_shape("Unique", 2), multiple_results=True)
unique_with_counts_p = Primitive("UniqueWithCounts", _unique_counts_kernel,
                                 dtype_rule=_unique_dtype("UniqueWithCounts", 3),
                                 shape_rule=_unique_shape("UniqueWithCounts", 3), multiple_results=True)


def unique(x, out_idx=_dt.int32, name=None) -> Unique:
    """Distinct values of a 1-D tensor in order of first appearance, and each element's index into them.

    >>> import eagerflow as tf
    >>> y, idx = tf.unique(tf.constant([1, 1, 2, 4, 4, 4, 7, 8, 8]))
    >>> print(y, idx)
    tf.Tensor([1 2 4 7 8], shape=(5,), dtype=int32) tf.Tensor([0 0 1 2 2 2 3 4 4], shape=(9,), dtype=int32)
    """
    y, idx = bind(unique_p, convert_to_tensor(x), out_idx=_dt.as_dtype(out_idx))
    return Unique(y, idx)


def unique_with_counts(x, out_idx=_dt.int32, name=None) -> UniqueWithCounts:
    """Like `unique`, plus how often each distinct value occurs.

    >>> import eagerflow as tf
    >>> print(tf.unique_with_counts(tf.constant([5, 3, 5])).count)
    tf.Tensor([2 1], shape=(2,), dtype=int32)
    """
    y, idx, count = bind(unique_with_counts_p, convert_to_tensor(x), out_idx=_dt.as_dtype(out_idx))
    return UniqueWithCounts(y, idx, count)


# ---- segment sums ------------------------------------------------------------------------------------------

def _dims(shape) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _check_ids_dtype(op: str, d) -> None:
    if d not in _INDEX_DTYPES:
        R.fail(op, f"Value for attr 'Tindices' of {d.name} is not in the list of allowed values: int32, int64")


def _uss_dtype(d, ids, *num, num_segments):
    R.check_allowed("UnsortedSegmentSum", d, R.NUMERIC)
    _check_ids_dtype("UnsortedSegmentSum", ids)
    if num and num[0] not in _INDEX_DTYPES:
        R.fail("UnsortedSegmentSum", f"Value for attr 'Tnumsegments' of {num[0].name} is not in the list of "
                                     "allowed values: int32, int64")
    return d


def _uss_shape(s, si, *num, num_segments):
    if num_segments is not None and num_segments < 0:
        R.fail("UnsortedSegmentSum", f"Input num_segments == {num_segments} must not be negative.")
    if num and num[0] is not None and len(num[0]) != 0:
        R.fail("UnsortedSegmentSum", f"num_segments should be a scalar, not shape {_dims(num[0])}")
    if s is None or si is None:
        return None
    if len(si) > len(s) or any(a is not None and b is not None and a != b for a, b in zip(s, si)):
        R.fail("UnsortedSegmentSum", f"data.shape = {_dims(s)} does not start with segment_ids.shape = {_dims(si)}")
    return (num_segments,) + tuple(s[len(si):])


def _segment_add(data, ids, n: int):
    """Sums rows of `data` (leading dims shaped like `ids`) into `n` segments; negative ids are dropped."""
    flat = ids.reshape(-1)
    rows = data.reshape((flat.size,) + data.shape[ids.ndim:])
    out = np.zeros((n,) + data.shape[ids.ndim:], dtype=data.dtype)
    keep = flat >= 0
    if not keep.all():
        flat, rows = flat[keep], rows[keep]
    np.add.at(out, flat, rows)
    return out


def _uss_kernel(data, ids, *num, num_segments):
    n = num_segments
    if num:
        _uss_shape(data.shape, ids.shape, num[0].shape, num_segments=None)
        n = int(num[0])
    _uss_shape(data.shape, ids.shape, num_segments=n)
    bad = ids >= n
    if bad.any():
        at = np.unravel_index(int(np.argmax(bad)), ids.shape)
        R.fail("UnsortedSegmentSum", f"segment_ids[{','.join(str(int(i)) for i in at)}] = {ids[at]} is out of "
                                     f"range [0, {n})")
    return _segment_add(data, ids, n)


def _uss_grad(g, out, data, ids, *num, num_segments):
    return (bind(segment_gather_p, g, ids), None) + (None,) * len(num)


unsorted_segment_sum_p = Primitive("UnsortedSegmentSum", _uss_kernel, dtype_rule=_uss_dtype, shape_rule=_uss_shape,
                                   grad=_uss_grad)


def _segment_gather_kernel(params, ids):
    neg = ids < 0
    if not neg.any():
        return params[ids]
    out = params[np.where(neg, 0, ids)] if params.shape[0] else np.zeros(ids.shape + params.shape[1:], params.dtype)
    out[neg] = 0
    return out


def _segment_gather_shape(s, si):
    if s is None or si is None:
        return None
    return tuple(si) + tuple(s[1:])


_dim0_p = Primitive("LeadingDim", lambda x: np.array(np.shape(x)[0], dtype=np.int32),
                    dtype_rule=lambda d: _dt.int32, shape_rule=R.scalar)


def _segment_gather_grad(g, out, params, ids):
    n = params.shape[0] if params.shape.rank is not None else None
    if n is not None:
        return bind(unsorted_segment_sum_p, g, ids, num_segments=n), None
    return bind(unsorted_segment_sum_p, g, ids, bind(_dim0_p, params), num_segments=None), None


# Rows of `params` picked by segment ids, zero for negative ids: the gradient of the segment sums.
segment_gather_p = Primitive("SegmentGather", _segment_gather_kernel, dtype_rule=R.first_input("SegmentGather"),
                             shape_rule=_segment_gather_shape, grad=_segment_gather_grad)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> Tensor:
    """Sums the rows of `data` that share a segment id; ids may repeat in any order, negative ids are dropped.

    `segment_ids.shape` must be a prefix of `data.shape`; the result has shape
    `[num_segments] + data.shape[segment_ids.ndim:]`.

    >>> import eagerflow as tf
    >>> print(tf.math.unsorted_segment_sum(tf.constant([1, 2, 3, 4]), tf.constant([0, 3, 0, 1]), 4))
    tf.Tensor([4 4 0 2], shape=(4,), dtype=int32)
    """
    data, ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    if isinstance(num_segments, Tensor) and get_static_value(num_segments) is None:
        return bind(unsorted_segment_sum_p, data, ids, num_segments, num_segments=None)
    if np.ndim(get_static_value(num_segments)) != 0:
        R.fail("UnsortedSegmentSum", "num_segments should be a scalar, not shape "
                                     f"{_dims(np.shape(get_static_value(num_segments)))}")
    n = _static_int("UnsortedSegmentSum", "num_segments", num_segments)
    return bind(unsorted_segment_sum_p, data, ids, num_segments=n)


def _segment_sum_shape(s, si):
    if s is not None and len(s) == 0:
        R.fail("SegmentSum", "input must be at least rank 1")
    if si is not None and len(si) != 1:
        R.fail("SegmentSum", "segment_ids should be a vector.")
    if s is not None and si is not None and None not in (s[0], si[0]) and s[0] != si[0]:
        R.fail("SegmentSum", "segment_ids should be the same size as dimension 0 of input.")
    return None if s is None else (None,) + tuple(s[1:])


def _segment_sum_kernel(data, ids):
    _segment_sum_shape(data.shape, ids.shape)
    n = 0
    if ids.size:
        if np.any(ids[1:] < ids[:-1]):
            R.fail("SegmentSum", "segment ids are not increasing")
        n = int(ids[-1]) + 1
        if ids[0] < 0:
            R.fail("SegmentSum", f"Segment id {ids[0]} out of range [0, {n}), possibly because 'segment_ids' "
                                 "input is not sorted.")
    return _segment_add(data, ids, n)


def _segment_sum_dtype(d, ids):
    R.check_allowed("SegmentSum", d, R.NUMERIC)
    _check_ids_dtype("SegmentSum", ids)
    return d


segment_sum_p = Primitive("SegmentSum", _segment_sum_kernel, dtype_rule=_segment_sum_dtype,
                          shape_rule=_segment_sum_shape,
                          grad=lambda g, out, data, ids: (bind(segment_gather_p, g, ids), None))


def segment_sum(data, segment_ids, name=None) -> Tensor:
    """Sums rows of `data` by sorted segment id; the result has `segment_ids[-1] + 1` rows.

    >>> import eagerflow as tf
    >>> print(tf.math.segment_sum(tf.constant([1, 2, 3, 4]), tf.constant([0, 0, 2, 2])))
    tf.Tensor([3 0 7], shape=(3,), dtype=int32)
    """
    return bind(segment_sum_p, convert_to_tensor(data), convert_to_tensor(segment_ids))


# ---- bincount ----------------------------------------------------------------------------------------------

def _bincount_dtype(d, *w, minlength, maxlength, dtype, binary_output, per_row):
    _check_ids_dtype("DenseBincount", d)
    return w[0] if w else dtype


def _bincount_shape(s, *w, minlength, maxlength, dtype, binary_output, per_row):
    if per_row and s is not None and len(s) > 2:
        R.fail("DenseBincount", f"Shape must be at most rank 2 but is rank {len(s)}")
    if w and w[0] is not None and s is not None and len(w[0]) and tuple(w[0]) != tuple(s):
        R.fail("DenseBincount", "`weights` must be the same shape as `arr` or a length-0 `Tensor`, in which case it "
                                f"acts as all weights equal to 1. Received {_dims(w[0])}")
    if per_row and s is not None and len(s) == 2:
        return (s[0], None)
    return (None,)


def _bincount_kernel(arr, *w, minlength, maxlength, dtype, binary_output, per_row):
    _bincount_shape(arr.shape, *(x.shape for x in w), minlength=minlength, maxlength=maxlength, dtype=dtype,
                    binary_output=binary_output, per_row=per_row)
    if arr.size and arr.min() < 0:
        R.fail("DenseBincount", "Input arr must be non-negative!")
    size = int(arr.max()) + 1 if arr.size else 0
    size = max(size, minlength if minlength is not None else 0)
    size = min(size, maxlength) if maxlength is not None else size
    weights = w[0] if w and w[0].size else None
    rows = arr.shape[0] if per_row and arr.ndim == 2 else 1
    offsets = (np.arange(rows) * size).reshape((rows,) + (1,) * (arr.ndim - 1)) if rows > 1 else 0
    keep = arr < size
    flat = (arr + offsets)[keep]
    counts = np.bincount(flat, weights=None if weights is None else weights[keep], minlength=rows * size)
    if binary_output:
        counts = counts > 0
    out = counts.reshape((rows, size)) if per_row and arr.ndim == 2 else counts
    return out.astype(weights.dtype if weights is not None else dtype._np)


bincount_p = Primitive("DenseBincount", _bincount_kernel, dtype_rule=_bincount_dtype, shape_rule=_bincount_shape)


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=_dt.int32, name=None, axis=None,
             binary_output=False) -> Tensor:
    """Counts occurrences of each non-negative integer in `arr` (or sums `weights` per value).

    The output has max(arr) + 1 bins, at least `minlength` and at most `maxlength` (larger values are
    dropped). `axis=-1` counts each row of a 2-D `arr` separately.

    >>> import eagerflow as tf
    >>> print(tf.math.bincount(tf.constant([1, 1, 3])))
    tf.Tensor([0 2 0 1], shape=(4,), dtype=int32)
    """
    if axis not in (None, 0, -1):
        raise ValueError(f"Unsupported value for argument axis={axis}. Only 0 and -1 are currently supported.")
    if binary_output and weights is not None:
        raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. Please specify only one.")
    arr = convert_to_tensor(arr)
    if arr.dtype not in _INDEX_DTYPES:
        arr = _math.cast(arr, _dt.int32)
    attrs = dict(minlength=None if minlength is None else int(minlength),
                 maxlength=None if maxlength is None else int(maxlength), dtype=_dt.as_dtype(dtype),
                 binary_output=bool(binary_output), per_row=axis == -1)
    if weights is None:
        return bind(bincount_p, arr, **attrs)
    return bind(bincount_p, arr, convert_to_tensor(weights), **attrs)
