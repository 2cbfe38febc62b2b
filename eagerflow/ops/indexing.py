"""Indexing ops: strided slices (`tensor[...]`), slice, gather/scatter, boolean masks, one-hot.

`tensor[key]` follows TF, not NumPy: ints, slices (any step), `...`, `tf.newaxis` and scalar int
tensors select a strided slice; a bool tensor or array is a boolean mask; lists of ints are *not*
fancy indices (use `tf.gather`).

>>> import eagerflow as tf
>>> x = tf.reshape(tf.range(12), [3, 4])
>>> print(x[1:, ::-2])
tf.Tensor(
[[ 7  5]
 [11  9]], shape=(2, 2), dtype=int32)
"""
from __future__ import annotations

import builtins
import functools

import numpy as np

from .. import dtypes as _dt
from ..context import _state
from ..primitive import Primitive, bind
from ..tensor import EagerTensor, Tensor, constant, convert_operand, convert_to_tensor, get_static_value
from . import array as _array, math as _math, rules as R

__all__ = [
    "strided_slice", "slice", "gather", "gather_nd", "scatter_nd", "tensor_scatter_nd_update",
    "tensor_scatter_nd_add", "boolean_mask",
]

# `slice` is a public name of this module: Python's slice objects are built through this alias.
_pyslice = builtins.slice
_ALL = _pyslice(None)
_INDEX_TYPES = (_dt.int16, _dt.int32, _dt.int64)
_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
_BAD_INDEX = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/tf.int64 "
              "tensors are valid indices, got {!r}")


# ---- strided slice: TF's canonicalization ---------------------------------------------------------------

def _dim_slice(i, dim, b, e, s, bm, em, shrink):
    """(index entry, output size or -1 for a shrunk dim) for one input dim; None values are unknown."""
    if s == 0:
        R.fail("StridedSlice", f"strides[{i}] must be non-zero")
    if shrink:
        if s is not None and s < 0:
            R.fail("StridedSlice", "only stride 1 allowed on non-range indexing.")
        if b is None or dim is None:
            return b, -1
        fwd = b + dim if b < 0 else b
        if not 0 <= fwd < dim:
            R.fail("StridedSlice", f"slice index {fwd} of dimension {i} out of bounds.")
        return fwd, -1
    if dim is None or s is None or (b is None and not bm) or (e is None and not em):
        return None, None
    lo, hi = (0, dim) if s > 0 else (-1, dim - 1)
    b = (0 if s > 0 else dim - 1) if bm else min(max(b + dim if b < 0 else b, lo), hi)
    e = (dim if s > 0 else -1) if em else min(max(e + dim if e < 0 else e, lo), hi)
    length = e - b
    if length == 0 or (length < 0) != (s < 0):
        return _pyslice(0, 0), 0
    return _pyslice(b, e if e >= 0 else None, s), -(-abs(length) // abs(s))


@functools.lru_cache(maxsize=4096)
def _plan(shape, begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask):
    """(NumPy basic index, output shape) of a strided slice of a tensor of `shape`.

    Dims of `shape` and entries of begin/end/strides may be None (unknown): the output dims they
    decide are then None, and the index is only meaningful when everything is known (kernels).
    """
    n = len(begin)
    if len(end) != n or len(strides) != n:
        R.fail("StridedSlice", f"Expected begin, end, and strides to be 1D equal size tensors, but got shapes "
                               f"[{n}], [{len(end)}], and [{len(strides)}] instead.")
    ellipses = [i for i in builtins.range(n) if ellipsis_mask >> i & 1]
    if len(ellipses) > 1:
        R.fail("StridedSlice", "Multiple ellipses in slice spec not allowed")
    if shape is None:
        return None, None
    rank = len(shape)
    ell = ellipses[0] if ellipses else n  # no ellipsis: an implicit one after the last entry
    consumed_after = sum(1 for i in builtins.range(ell + 1, n) if not new_axis_mask >> i & 1)
    if rank == 0 and any(not (new_axis_mask | ellipsis_mask) >> i & 1 for i in builtins.range(n)):
        R.fail("StridedSlice", "Attempting to slice scalar input.")
    dense, full = [], 0  # (sparse entry, input dim) pairs, or (entry, None) for a new axis
    for i in builtins.range(max(n, ell + 1)):
        if i == ell:
            stop = max(full, rank - consumed_after)
            dense.extend((None, d) for d in builtins.range(full, stop))
            full = stop
        elif new_axis_mask >> i & 1:
            dense.append((i, None))
        else:
            if full >= rank:
                R.fail("StridedSlice", f"Index out of range using input dim {full}; input has only {rank} dims")
            dense.append((i, full))
            full += 1
    index, out = [], []
    for i, d in dense:
        if d is None:
            index.append(None)
            out.append(1)
        elif i is None:
            index.append(_ALL)
            out.append(shape[d])
        else:
            entry, size = _dim_slice(d, shape[d], begin[i], end[i], strides[i], begin_mask >> i & 1,
                                     end_mask >> i & 1, shrink_axis_mask >> i & 1)
            index.append(entry)
            if size != -1:
                out.append(size)
    return tuple(index), tuple(out)


def _run_values(dyn, begin, end, strides):
    if dyn:
        return tuple(tuple(int(v) for v in np.reshape(a, -1)) for a in dyn)
    return begin, end, strides


def _ss_kernel(x, *dyn, begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
               shrink_axis_mask):
    begin, end, strides = _run_values(dyn, begin, end, strides)
    index, _ = _plan(np.shape(x), begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
                     shrink_axis_mask)
    return x[index]


def _ss_shape(s, *dyn, begin, end, strides, **masks):
    for d in dyn:
        if d is not None and len(d) != 1:
            R.fail("StridedSlice", f"Expected begin, end, and strides to be 1D equal size tensors, but got "
                                   f"shapes {', '.join(_array.dims_str(x) for x in dyn)} instead.")
    if begin is None:
        return None
    return _plan(s, begin, end, strides, *[masks[m] for m in _MASKS])[1]


def _ss_dtype(d, *dyn, **_):
    for t in dyn:
        if t not in _INDEX_TYPES:
            R.fail("StridedSlice", f"Value for attr 'Index' of {R.tf_name(t)} is not in the list of allowed values: "
                                   "int16, int32, int64")
    return d


def _ss_grad(g, out, x, *dyn, **attrs):
    return (bind(strided_slice_grad_p, g, x, *dyn, **attrs),) + (None,) * len(dyn)


strided_slice_p = Primitive("StridedSlice", _ss_kernel, dtype_rule=_ss_dtype, shape_rule=_ss_shape, grad=_ss_grad)


def _ss_grad_kernel(g, x, *dyn, begin, end, strides, **masks):
    begin, end, strides = _run_values(dyn, begin, end, strides)
    index, _ = _plan(np.shape(x), begin, end, strides, *[masks[m] for m in _MASKS])
    out = np.zeros(np.shape(x), dtype=g.dtype)
    out[index] = g
    return out


# The gradient of StridedSlice: g scattered into zeros shaped like x (x may have a run-time shape).
strided_slice_grad_p = Primitive(
    "StridedSliceGrad", _ss_grad_kernel, dtype_rule=lambda g, x, *dyn, **_: g,
    shape_rule=lambda g, x, *dyn, **_: x,
    grad=lambda gg, out, g, x, *dyn, **attrs: (bind(strided_slice_p, gg, *dyn, **attrs), None) + (None,) * len(dyn))


def _fold(x: Tensor, index) -> Tensor | None:
    """Slices of constant int tensors (`tf.shape(x)[0]` while tracing) stay constants, as in TF."""
    if _state.graph is None or isinstance(x, EagerTensor) or not x.dtype.is_integer:
        return None
    value = get_static_value(x)
    if value is None:
        return None
    return constant(np.asarray(value)[index], x.dtype)


def _strided(x: Tensor, begin, end, strides, masks: tuple, dynamic: bool = True) -> Tensor:
    """Binds StridedSlice: static entries as attributes, scalar tensors as run-time inputs."""
    bm, em, ell, new, shrink = masks
    if dynamic:
        dynamic = any(isinstance(v, Tensor) for vec in (begin, end, strides) for v in vec)
    if not dynamic:
        begin, end, strides = tuple(begin), tuple(end), tuple(strides)
        if _state.graph is not None:
            folded = _fold(x, _plan(x.shape.as_tuple(), begin, end, strides, *masks)[0])  # also validates
            if folded is not None:
                return folded
        return bind(strided_slice_p, x, begin=begin, end=end, strides=strides, begin_mask=bm, end_mask=em,
                    ellipsis_mask=ell, new_axis_mask=new, shrink_axis_mask=shrink)
    static = [tuple(None if isinstance(v, Tensor) else v for v in vec) for vec in (begin, end, strides)]
    dyn = [_array.index_tensor(vec) for vec in (begin, end, strides)]
    if len({t.dtype for t in dyn}) > 1:
        dyn = [_math.cast(t, _dt.int64) for t in dyn]
    return bind(strided_slice_p, x, *dyn, begin=static[0], end=static[1], strides=static[2], begin_mask=bm,
                end_mask=em, ellipsis_mask=ell, new_axis_mask=new, shrink_axis_mask=shrink)


def _index_vector(value, what: str) -> tuple:
    """begin/end/strides of strided_slice as a tuple of ints and scalar tensors."""
    if isinstance(value, Tensor):
        v = get_static_value(value)
        if v is None:
            if value.shape.rank != 1 or value.shape[0] is None:
                raise ValueError(f"strided_slice: {what} must be a 1-D tensor of known length")
            return tuple(_array.unstack(value))
        value = v
    return tuple(_index_value(v) for v in np.asarray(value).reshape(-1).tolist()) if not isinstance(
        value, (list, tuple)) else tuple(_index_value(v) for v in value)


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                  shrink_axis_mask=0, var=None, name=None) -> Tensor:
    """TF's general strided slice (what `tensor[...]` builds); the masks are bit fields over entries.

    >>> import eagerflow as tf
    >>> print(tf.strided_slice(tf.range(10), [1], [8], [3]))
    tf.Tensor([1 4 7], shape=(3,), dtype=int32)
    """
    x = convert_to_tensor(input_)
    begin, end = _index_vector(begin, "begin"), _index_vector(end, "end")
    strides = (1,) * len(begin) if strides is None else _index_vector(strides, "strides")
    masks = tuple(int(m) for m in (begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask))
    return _strided(x, begin, end, strides, masks)


def _index_value(k):
    """An index entry as a Python int, or a scalar int tensor whose value is known only at run time."""
    if k.__class__ is int:
        return k
    if isinstance(k, (int, np.integer)):
        return int(k)
    if isinstance(k, np.ndarray) and k.ndim == 0 and k.dtype.kind in "iu":
        return int(k)
    if hasattr(k, "__tf_tensor__") and not isinstance(k, Tensor):
        k = convert_to_tensor(k)
    if isinstance(k, Tensor) and k.dtype in _INDEX_TYPES and k.shape.rank == 0:
        if isinstance(k, EagerTensor):
            return int(k._value)
        v = get_static_value(k)
        return k if v is None else int(v)
    raise TypeError(_BAD_INDEX.format(k))


def getitem(tensor: Tensor, key) -> Tensor:
    """`tensor[key]` with TF's strided-slice semantics (a bool key is a boolean mask).

    >>> import eagerflow as tf
    >>> x = tf.reshape(tf.range(6), [2, 3])
    >>> print(x[-1, tf.newaxis, ::2])
    tf.Tensor([[3 5]], shape=(1, 2), dtype=int32)
    """
    if isinstance(key, (bool, np.bool_)) or (isinstance(key, Tensor) and key.dtype is _dt.bool) or (
            isinstance(key, np.ndarray) and key.dtype == np.bool_):
        return boolean_mask(tensor, key)
    if not isinstance(key, (tuple, list)):
        key = (key,)
    elif key and all(isinstance(k, bool) for k in key):  # TF packs them into a bool index tensor
        R.fail("StridedSlice", "Value for attr 'Index' of bool is not in the list of allowed values: "
                               "int16, int32, int64")
    begin, end, strides = [], [], []
    bm = em = ell = new = shrink = 0
    dynamic = False
    for i, k in enumerate(key):
        bit = 1 << i
        if isinstance(k, _pyslice):
            if k.start is None:
                bm |= bit
            if k.stop is None:
                em |= bit
            begin.append(0 if k.start is None else _index_value(k.start))
            end.append(0 if k.stop is None else _index_value(k.stop))
            strides.append(1 if k.step is None else _index_value(k.step))
            dynamic = dynamic or not (begin[-1].__class__ is end[-1].__class__ is strides[-1].__class__ is int)
            continue
        if k is Ellipsis:
            ell |= bit
        elif k is None:
            new |= bit
        else:
            v = _index_value(k)
            begin.append(v)
            if v.__class__ is int:
                end.append(v + 1)
            else:
                end.append(0)  # shrunk dims ignore `end`
                dynamic = True
            strides.append(1)
            shrink |= bit
            continue
        begin.append(0)
        end.append(0)
        strides.append(1)
    return _strided(tensor, begin, end, strides, (bm, em, ell, new, shrink), dynamic)


# ---- slice -------------------------------------------------------------------------------------------------

def _slice_bounds(s, begin, size, check=True):
    if s is not None and (len(begin) != len(s) or len(size) != len(s)):
        R.fail("Slice", f"Expected begin and size arguments to be 1-D tensors of size {len(s)}, but got shapes "
                        f"[{len(begin)}] and [{len(size)}] instead.")
    out = []
    for i, (b, n) in enumerate(zip(begin, size)):
        d = None if s is None else s[i]
        if d is not None and not 0 <= b <= d:
            R.fail("Slice", f"Expected begin[{i}] in [0, {d}], but got {b}")
        if n == -1:
            out.append(None if d is None else d - b)
            continue
        if n < -1 or (d is not None and n > d - b):
            R.fail("Slice", f"Expected size[{i}] in [0, {'?' if d is None else d - b}], but got {n}")
        out.append(n)
    return tuple(out)


def _slice_kernel(x, *, begin, size):
    sizes = _slice_bounds(x.shape, begin, size)
    return x[tuple(_pyslice(b, b + n) for b, n in zip(begin, sizes))]


def _slice_as_strided(begin, size) -> dict:
    return dict(begin=begin, end=tuple(b + n if n != -1 else 0 for b, n in zip(begin, size)),
                strides=(1,) * len(begin), begin_mask=0, end_mask=sum(1 << i for i, n in enumerate(size) if n == -1),
                ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0)


slice_p = Primitive("Slice", _slice_kernel, dtype_rule=R.unary("Slice"),
                    shape_rule=lambda s, *, begin, size: _slice_bounds(s, begin, size),
                    grad=lambda g, out, x, *, begin, size:
                    (bind(strided_slice_grad_p, g, x, **_slice_as_strided(begin, size)),))


def slice(input_, begin, size, name=None) -> Tensor:  # noqa: A001 - TF's public name
    """The block of `size` elements starting at `begin` (a size of -1 takes the rest of the dim).

    >>> import eagerflow as tf
    >>> print(tf.slice(tf.reshape(tf.range(6), [2, 3]), [0, 1], [-1, 2]))
    tf.Tensor(
    [[1 2]
     [4 5]], shape=(2, 2), dtype=int32)
    """
    x = convert_to_tensor(input_)
    b_static, b_dyn = _array.shape_arg("Slice", begin, "begin")
    s_static, s_dyn = _array.shape_arg("Slice", size, "size")
    if not b_dyn and not s_dyn:
        return bind(slice_p, x, begin=b_static, size=s_static)
    # Run-time bounds: the equivalent strided slice (a size of -1 reaches past the end, which clamps).
    b = b_dyn[0] if b_dyn else constant(b_static, _dt.int32)
    n = s_dyn[0] if s_dyn else constant(s_static, b.dtype)
    b, n = (_math.cast(t, _dt.int64) for t in (b, n)) if b.dtype is not n.dtype else (b, n)
    e = _math.where(_math.less(n, 0), constant(np.iinfo(b.dtype._np).max, b.dtype), _math.add(b, n))
    count = len(b_static) if b_static is not None else (len(s_static) if s_static is not None else None)
    unknown = None if count is None else (None,) * count
    return bind(strided_slice_p, x, b, e, _array.ones_like(b), begin=unknown, end=unknown,
                strides=None if count is None else (1,) * count, **dict.fromkeys(_MASKS, 0))


# ---- gather ----------------------------------------------------------------------------------------------------

def _check_indices(op: str, indices: np.ndarray, limit: int) -> None:
    bad = (indices < 0) | (indices >= limit)
    if bad.any():
        pos = np.argwhere(bad)[0]
        R.fail(op, f"indices[{','.join(str(int(p)) for p in pos)}] = {indices[tuple(pos)]} is not in [0, {limit})")


def _gather_layout(pshape, ishape, axis, batch_dims):
    """How a batched gather indexes params with its batch dims flattened into one.

    Returns (flat params shape, batch index array, number of dims between batch and axis, and the
    permutation from NumPy's result layout to TF's, or None when they agree).
    """
    outer = axis - batch_dims
    bn = int(np.prod(pshape[:batch_dims], dtype=np.int64))
    k = len(ishape) - batch_dims
    flat = (bn,) + tuple(pshape[batch_dims:])
    bidx = np.arange(bn).reshape((bn,) + (1,) * k)
    if not outer:
        return flat, bidx, outer, None
    # A slice between the two index arrays makes NumPy put the broadcast (batch, indices) dims
    # first: (batch, indices, outer, rest) -> TF's (batch, outer, indices, rest).
    dims = list(builtins.range(len(pshape) - batch_dims + k))
    perm = tuple(dims[:1] + dims[1 + k:1 + k + outer] + dims[1:1 + k] + dims[1 + k + outer:])
    return flat, bidx, outer, perm


def _gather_kernel(params, indices, *, axis, batch_dims):
    _check_indices("GatherV2", indices, params.shape[axis])
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    flat, bidx, outer, perm = _gather_layout(params.shape, indices.shape, axis, batch_dims)
    ix = indices.reshape((flat[0],) + indices.shape[batch_dims:])
    out = params.reshape(flat)[(bidx,) + (_ALL,) * outer + (ix,)]
    if perm is not None:
        out = out.transpose(perm)
    return out.reshape(params.shape[:axis] + indices.shape[batch_dims:] + params.shape[axis + 1:])


def _gather_shape(p, i, *, axis, batch_dims):
    if p is None or i is None:
        return None
    for k in builtins.range(batch_dims):
        if p[k] is not None and i[k] is not None and p[k] != i[k]:
            R.fail("GatherV2", f"params.shape[{k}]: {p[k]} should be equal to indices.shape[{k}]: {i[k]}")
    return p[:axis] + i[batch_dims:] + p[axis + 1:]


def _gather_grad_kernel(g, indices, params, *, axis, batch_dims):
    out = np.zeros(params.shape, dtype=g.dtype)
    if batch_dims == 0:
        np.add.at(out, (_ALL,) * axis + (indices,), g)
        return out
    flat, bidx, outer, perm = _gather_layout(params.shape, indices.shape, axis, batch_dims)
    ix = indices.reshape((flat[0],) + indices.shape[batch_dims:])
    g = g.reshape((flat[0],) + params.shape[batch_dims:axis] + indices.shape[batch_dims:] + params.shape[axis + 1:])
    if perm is not None:
        g = g.transpose(np.argsort(perm))
    np.add.at(out.reshape(flat), (bidx,) + (_ALL,) * outer + (ix,), g)
    return out


def _gather_dtype(p, i, **_):
    if i not in _INDEX_TYPES:
        R.fail("GatherV2", f"Value for attr 'Tindices' of {R.tf_name(i)} is not in the list of allowed values: "
                           "int16, int32, int64")
    return p


gather_p = Primitive("GatherV2", _gather_kernel, dtype_rule=_gather_dtype, shape_rule=_gather_shape,
                     grad=lambda g, out, p, i, **attrs: (bind(gather_grad_p, g, i, p, **attrs), None))

# The gradient of GatherV2: a scatter-add of g into zeros shaped like params (duplicates accumulate).
gather_grad_p = Primitive("GatherV2Grad", _gather_grad_kernel, dtype_rule=lambda g, i, p, **_: g,
                          shape_rule=lambda g, i, p, **_: p,
                          grad=lambda gg, out, g, i, p, **attrs: (bind(gather_p, gg, i, **attrs), None, None))


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None) -> Tensor:
    """Picks slices of `params` along `axis` at `indices` (with `batch_dims` leading batch dims).

    >>> import eagerflow as tf
    >>> print(tf.gather([10, 20, 30], [2, 0]))
    tf.Tensor([30 10], shape=(2,), dtype=int32)
    """
    params = params if isinstance(params, Tensor) else convert_to_tensor(params)
    indices = indices if isinstance(indices, Tensor) else convert_to_tensor(indices)
    _gather_dtype(params.dtype, indices.dtype)
    pr, ir = _array.known_rank("GatherV2", params), _array.known_rank("GatherV2", indices)
    if batch_dims.__class__ is not int:
        batch_dims = _array.static_int("GatherV2", batch_dims, "batch_dims")
    if not -ir <= batch_dims <= ir:
        R.fail("GatherV2", f"Expected batch_dims in the range [{-ir}, {ir}], but got {batch_dims}")
    if batch_dims < 0:
        batch_dims += ir
    if axis is None:
        axis = batch_dims
    elif axis.__class__ is not int:
        axis = _array.static_int("GatherV2", axis, "axis")
    if not -pr <= axis < pr:
        R.fail("GatherV2", f"Shape must be at least rank {axis + 1 if axis >= 0 else -axis} but is rank {pr}")
    axis %= pr
    if batch_dims > axis:
        R.fail("GatherV2", f"batch_dims ({batch_dims}) must be less than or equal to axis ({axis})")
    return bind(gather_p, params, indices, axis=axis, batch_dims=batch_dims)


# ---- gather_nd and scatters ---------------------------------------------------------------------------------------

def _nd_index(op: str, shape, indices, batch_dims, where: str):
    """Index tuple (into shape with its batch dims flattened), checked against `shape`, and that shape."""
    k = indices.shape[-1]
    bn = int(np.prod(shape[:batch_dims], dtype=np.int64))
    rows = int(np.prod(indices.shape[batch_dims:-1], dtype=np.int64))
    ix = indices.reshape(bn, rows, k)
    for t in builtins.range(k):
        col, limit = ix[..., t], shape[batch_dims + t]
        bad = (col < 0) | (col >= limit)
        if bad.any():
            pos = np.unravel_index(int(np.argmax(bad.reshape(-1))), indices.shape[:-1])
            row = ", ".join(str(int(v)) for v in indices[pos])
            R.fail(op, f"indices[{','.join(str(int(p)) for p in pos)}] = [{row}] does not index into {where} "
                       f"{_array.dims_str(shape)}" + (", node name: GatherNd" if op == "GatherNd" else ""))
    bidx = np.broadcast_to(np.arange(bn)[:, None], (bn, rows))
    return (bidx,) + tuple(ix[..., t] for t in builtins.range(k)), (bn,) + tuple(shape[batch_dims:])


def _gather_nd_shape(p, i, *, batch_dims):
    if i is not None and len(i) == 0:
        R.fail("GatherNd", "indices must be at least a vector")
    if p is None or i is None:
        return None
    if _differ(p[:batch_dims], i[:batch_dims]):
        R.fail("GatherNd", f"params.shape[:batch_dims] = {_array.dims_str(p[:batch_dims])} must equal "
                           f"indices.shape[:batch_dims] = {_array.dims_str(i[:batch_dims])}")
    if i[-1] is None:
        return None
    if i[-1] > len(p) - batch_dims:
        R.fail("GatherNd", f"index innermost dimension length must be <= params rank; saw: {i[-1]} vs. {len(p)}")
    return i[:-1] + p[batch_dims + i[-1]:]


def _gather_nd_kernel(params, indices, *, batch_dims):
    out_shape = _gather_nd_shape(params.shape, indices.shape, batch_dims=batch_dims)
    index, flat = _nd_index("GatherNd", params.shape, indices, batch_dims, "param shape")
    return params.reshape(flat)[index].reshape(out_shape)


def _gather_nd_grad_kernel(g, indices, params, *, batch_dims):
    index, flat = _nd_index("GatherNd", params.shape, indices, batch_dims, "param shape")
    out = np.zeros(flat, dtype=g.dtype)
    np.add.at(out, index, g.reshape(index[0].shape + flat[1 + indices.shape[-1]:]))
    return out.reshape(params.shape)


def _nd_dtype(op: str):
    def rule(p, i, *rest, **_):
        if i not in (_dt.int16, _dt.int32, _dt.int64):
            R.fail(op, f"Value for attr 'Tindices' of {R.tf_name(i)} is not in the list of allowed values: "
                       "int16, int32, int64")
        return p
    return rule


gather_nd_p = Primitive("GatherNd", _gather_nd_kernel, dtype_rule=_nd_dtype("GatherNd"),
                        shape_rule=_gather_nd_shape,
                        grad=lambda g, out, p, i, *, batch_dims:
                        (bind(gather_nd_grad_p, g, i, p, batch_dims=batch_dims), None))

# The gradient of GatherNd: g scatter-added into zeros shaped like params.
gather_nd_grad_p = Primitive("GatherNdGrad", _gather_nd_grad_kernel, dtype_rule=lambda g, i, p, **_: g,
                             shape_rule=lambda g, i, p, **_: p,
                             grad=lambda gg, out, g, i, p, *, batch_dims:
                             (bind(gather_nd_p, gg, i, batch_dims=batch_dims), None, None))


def gather_nd(params, indices, batch_dims=0, name=None) -> Tensor:
    """Gathers slices of `params` at the multi-indices in the last dimension of `indices`.

    >>> import eagerflow as tf
    >>> print(tf.gather_nd([[1, 2], [3, 4]], [[1, 0], [0, 1]]))
    tf.Tensor([3 2], shape=(2,), dtype=int32)
    """
    params, indices = convert_to_tensor(params), convert_to_tensor(indices)
    batch_dims = _array.static_int("GatherNd", batch_dims, "batch_dims")
    if batch_dims < 0:
        raise ValueError("tf.gather_nd does not allow negative batch_dims.")
    r = indices.shape.rank
    if batch_dims and r is not None and batch_dims >= r:
        raise ValueError(f"Argument `batch_dims` = {batch_dims} must be less than rank(`indices`) = {r}")
    return bind(gather_nd_p, params, indices, batch_dims=batch_dims)


def _differ(a, b) -> bool:
    return len(a) != len(b) or any(x is not None and y is not None and x != y for x, y in zip(a, b))


def _scatter_check(op: str, out, i, u) -> None:
    """TF's shape contract: updates.shape == indices.shape[:-1] + out.shape[indices.shape[-1]:].

    ScatterNd and the TensorScatter* ops word their complaints differently, as in TF.
    """
    if out is None or i is None or u is None or i[-1] is None:
        return
    lead, k, ds = len(i) - 1, i[-1], _array.dims_str
    outer_bad, inner_bad = _differ(i[:-1], u[:lead]), k > len(out) or _differ(out[k:], u[lead:])
    if op == "ScatterNd":
        if outer_bad:
            R.fail(op, f"Dimensions [0,{lead}) of indices[shape={ds(i)}] must match dimensions [0,{lead}) of "
                       f"updates[shape={ds(u)}]")
        if inner_bad:
            R.fail(op, f"Dimensions [{k},{len(out)}) of input[shape={ds(out)}] must match dimensions "
                       f"[{lead},{len(u)}) of updates[shape={ds(u)}]")
        return
    if len(u) - lead != len(out) - k:
        R.fail(op, "Inner dimensions of output shape must match inner dimensions of updates shape. "
                   f"Output: {ds(out)} updates: {ds(u)}")
    if outer_bad:
        R.fail(op, f"Outer dimensions of indices and update must match. Indices shape: {ds(i)}, "
                   f"updates shape:{ds(u)}")
    if inner_bad:
        n = len(out) - k
        R.fail(op, f"The inner {n} dimensions of output.shape={ds(out)} must match the inner {n} dimensions of "
                   f"updates.shape={ds(u)}")


def _scatter_apply(op: str, out: np.ndarray, indices, updates, add: bool) -> np.ndarray:
    _scatter_check(op, out.shape, indices.shape, updates.shape)
    index, flat = _nd_index(op, out.shape, indices, 0, "shape")
    upd = updates.reshape(index[0].shape + flat[1 + indices.shape[-1]:])
    view = out.reshape(flat)
    if add:
        np.add.at(view, index, upd)
    else:
        view[index] = upd
    return out


def _scatter_nd_kernel(indices, updates, *dyn, shape):
    shape = _array.dyn_value(dyn, shape)
    return _scatter_apply("ScatterNd", np.zeros(shape, dtype=updates.dtype), indices, updates, add=True)


def _scatter_nd_shape(i, u, *dyn, shape):
    _scatter_check("ScatterNd", shape, i, u)
    return shape


def _scatter_nd_dtype(i, u, *dyn, **_):
    _nd_dtype("ScatterNd")(u, i)
    return u


scatter_nd_p = Primitive("ScatterNd", _scatter_nd_kernel, dtype_rule=_scatter_nd_dtype, shape_rule=_scatter_nd_shape,
                         grad=lambda g, out, i, u, *dyn, shape: (None, gather_nd(g, i)) + (None,) * len(dyn))


def scatter_nd(indices, updates, shape, name=None) -> Tensor:
    """Zeros of `shape` with `updates` added at `indices` (duplicates accumulate).

    >>> import eagerflow as tf
    >>> print(tf.scatter_nd([[1], [3]], [5, 6], [5]))
    tf.Tensor([0 5 0 6 0], shape=(5,), dtype=int32)
    """
    indices, updates = convert_to_tensor(indices), convert_to_tensor(updates)
    static, dyn = _array.shape_arg("ScatterNd", shape)
    _array.check_dims(static, "ScatterNd")
    return bind(scatter_nd_p, indices, updates, *dyn, shape=static)


def _tensor_scatter(op: str, add: bool):
    def kernel(tensor, indices, updates):
        return _scatter_apply(op, np.array(tensor, copy=True), indices, updates, add)

    def shape_rule(t, i, u):
        _scatter_check(op, t, i, u)
        return t

    index_rule, same = _nd_dtype(op), R.same(op)

    def dtype_rule(t, i, u):
        index_rule(t, i)
        return same(t, u)
    return kernel, shape_rule, dtype_rule


def _update_grad(g, out, t, i, u):
    return tensor_scatter_nd_update(g, i, _array.zeros_like(u)), None, gather_nd(g, i)


_k, _s, _d = _tensor_scatter("TensorScatterUpdate", add=False)
tensor_scatter_update_p = Primitive("TensorScatterUpdate", _k, dtype_rule=_d, shape_rule=_s, grad=_update_grad)
_k, _s, _d = _tensor_scatter("TensorScatterAdd", add=True)
tensor_scatter_add_p = Primitive("TensorScatterAdd", _k, dtype_rule=_d, shape_rule=_s,
                                 grad=lambda g, out, t, i, u: (g, None, gather_nd(g, i)))


def _scatter_args(op, tensor, indices, updates):
    tensor = convert_to_tensor(tensor)
    updates = updates if isinstance(updates, Tensor) else convert_operand(updates, tensor, op, 2)
    return tensor, convert_to_tensor(indices), updates


def tensor_scatter_nd_update(tensor, indices, updates, name=None) -> Tensor:
    """A copy of `tensor` with the elements/slices at `indices` replaced by `updates`.

    >>> import eagerflow as tf
    >>> print(tf.tensor_scatter_nd_update([1, 2, 3], [[0]], [9]))
    tf.Tensor([9 2 3], shape=(3,), dtype=int32)
    """
    return bind(tensor_scatter_update_p, *_scatter_args("TensorScatterUpdate", tensor, indices, updates))


def tensor_scatter_nd_add(tensor, indices, updates, name=None) -> Tensor:
    """A copy of `tensor` with `updates` added at `indices` (duplicates accumulate).

    >>> import eagerflow as tf
    >>> print(tf.tensor_scatter_nd_add([1, 2, 3], [[0], [0]], [5, 5]))
    tf.Tensor([11  2  3], shape=(3,), dtype=int32)
    """
    return bind(tensor_scatter_add_p, *_scatter_args("TensorScatterAdd", tensor, indices, updates))


# ---- where (coordinates), boolean_mask ---------------------------------------------------------------------------

def _where_kernel(x):
    if x.ndim == 0:
        R.fail("Where", "WhereOp : Unhandled input dimensions: 0")
    return np.argwhere(x).astype(np.int64, copy=False)


def _where_dtype(d):
    R.check_allowed("Where", d, R.NUMERIC | {_dt.bool})
    return _dt.int64


where_p = Primitive("Where", _where_kernel, dtype_rule=_where_dtype,
                    shape_rule=lambda s: None if s is None else (None, len(s)))


def where_indices(condition: Tensor) -> Tensor:
    """The int64 coordinates of the true (non-zero) elements, one row each: `tf.where(condition)`."""
    return bind(where_p, convert_to_tensor(condition))


def boolean_mask(tensor, mask, axis=None, name="boolean_mask") -> Tensor:
    """The elements (or slices from `axis` on) of `tensor` where `mask` is true, flattened along the mask dims.

    >>> import eagerflow as tf
    >>> print(tf.boolean_mask([1, 2, 3], [True, False, True]))
    tf.Tensor([1 3], shape=(2,), dtype=int32)
    """
    tensor, mask = convert_to_tensor(tensor), convert_to_tensor(mask)
    nm = mask.shape.rank
    if nm is None:
        raise ValueError("Number of mask dimensions must be specified, even if some dimensions are None.  "
                         "E.g. shape=[None] is ok, but shape=None is not.")
    if nm == 0:
        raise ValueError("mask cannot be scalar.")
    rank = _array.known_rank("boolean_mask", tensor)
    axis = 0 if axis is None else _array.static_int("boolean_mask", axis, "axis")
    axis = axis + rank if axis < 0 else axis
    ts = tensor.shape
    ts[axis:axis + nm].assert_is_compatible_with(mask.shape)
    dims = ts.as_list()
    lead = [d if d is not None else _strided(_array.shape(tensor), [i], [i + 1], [1], (0, 0, 0, 0, 1))
            for i, d in enumerate(dims[:axis])]
    tail = [d if d is not None else _strided(_array.shape(tensor), [i], [i + 1], [1], (0, 0, 0, 0, 1))
            for i, d in enumerate(dims[axis + nm:], axis + nm)]
    flat = _array.reshape(tensor, lead + [-1] + tail)
    picked = _array.reshape(where_indices(_array.reshape(mask, [-1])), [-1])
    return gather(flat, picked, axis=axis)
