"""Shape manipulation: transpose, reverse, concat/stack and their inverses, tile, pad, meshgrid.

Each primitive is one block: TF op name, NumPy kernel, dtype rule, shape rule, gradient.
Gradients that need a shape known only at run time take the reference tensor as an input
(SplitLike, TileGrad) so they also work inside graphs with unknown dimensions.

>>> import eagerflow as tf
>>> tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], axis=1).shape
TensorShape([2, 7])
"""
from __future__ import annotations

import builtins

import numpy as np

from .. import dtypes as _dt
from ..primitive import Primitive, bind
from ..tensor import Tensor, constant, convert_operand, convert_to_tensor, get_static_value, infer_dtype
from . import array as _array, indexing as _indexing, math as _math, rules as R

__all__ = ["transpose", "reverse", "concat", "stack", "unstack", "split", "tile", "pad", "meshgrid", "one_hot"]

_pyrange = builtins.range
_pyslice = builtins.slice
dims_str = _array.dims_str


# ---- transpose and reverse --------------------------------------------------------------------------------

def _transpose_shape(s, *, perm):
    if s is None:
        return tuple(None for _ in perm)
    if len(perm) != len(s):
        R.fail("Transpose", f"transpose expects a vector of size {len(s)}. But input(1) is a vector of size "
                            f"{len(perm)}")
    return tuple(s[p] for p in perm)


def _inverse(perm) -> tuple:
    return tuple(int(i) for i in np.argsort(perm))


transpose_p = Primitive("Transpose", lambda x, *, perm: np.transpose(x, perm), dtype_rule=R.unary("Transpose"),
                        shape_rule=_transpose_shape,
                        grad=lambda g, out, x, *, perm: (bind(transpose_p, g, perm=_inverse(perm)),))
conj_transpose_p = Primitive(
    "ConjugateTranspose", lambda x, *, perm: np.conjugate(np.transpose(x, perm)),
    dtype_rule=R.unary("ConjugateTranspose"), shape_rule=_transpose_shape,
    grad=lambda g, out, x, *, perm: (bind(conj_transpose_p, g, perm=_inverse(perm)),))


def transpose(a, perm=None, conjugate=False, name="transpose") -> Tensor:
    """Permutes dimensions (reverses them when `perm` is None); `conjugate` also conjugates complex values.

    >>> import eagerflow as tf
    >>> tf.transpose(tf.zeros([2, 3, 4]), [0, 2, 1]).shape
    TensorShape([2, 4, 3])
    """
    x = convert_to_tensor(a)
    r = _array.known_rank("Transpose", x)
    if perm is None:
        perm = tuple(_pyrange(r - 1, -1, -1))
    else:
        static, dyn = _array.shape_arg("Transpose", perm, "perm")
        if dyn:
            raise TypeError("transpose: perm must be static (Python ints or a constant tensor)")
        if len(static) != r:
            R.fail("Transpose", f"transpose expects a vector of size {r}. But input(1) is a vector of size "
                                f"{len(static)}")
        for p in static:
            if not -r <= p < r:
                R.fail("Transpose", f"{p} is out of range [0 .. {r})")
        perm = tuple(p % r for p in static)
        for i in _pyrange(r):
            if i not in perm:
                R.fail("Transpose", f"{i} is missing from {{{','.join(str(p) for p in static)}}}.")
    prim = conj_transpose_p if conjugate and x.dtype.is_complex else transpose_p
    return bind(prim, x, perm=perm)


reverse_p = Primitive("ReverseV2", lambda x, *, axis: np.flip(x, axis) if axis else x,
                      dtype_rule=R.unary("ReverseV2"), shape_rule=lambda s, **_: s,
                      grad=lambda g, out, x, *, axis: (bind(reverse_p, g, axis=axis),))


def reverse(tensor, axis, name=None) -> Tensor:
    """Reverses the order of elements along the given axes.

    >>> import eagerflow as tf
    >>> print(tf.reverse([[1, 2, 3]], [1]))
    tf.Tensor([[3 2 1]], shape=(1, 3), dtype=int32)
    """
    x = convert_to_tensor(tensor)
    r = _array.known_rank("ReverseV2", x)
    static, dyn = _array.shape_arg("ReverseV2", axis, "axis")
    if dyn:
        raise TypeError("reverse: axis must be static (Python ints or a constant tensor)")
    axes = []
    for i, a in enumerate(static):
        if not -r <= a < r:
            R.fail("ReverseV2", f"'axis'[{i}] = {a} is out of valid range [0, {r - 1}")
        if a % r in axes:
            R.fail("ReverseV2", f"axis {a % r} specified more than once.")
        axes.append(a % r)
    return bind(reverse_p, x, axis=tuple(axes))


# ---- joining and splitting -----------------------------------------------------------------------------------

def convert_values(values, op: str) -> list:
    """Converts a list for stack/concat: Python values take the dtype of the first tensor (TF's rule)."""
    values = [convert_to_tensor(v) if hasattr(v, "__tf_tensor__") and not isinstance(v, Tensor) else v
              for v in values]  # variables are read once, here
    like = next((v for v in values if isinstance(v, Tensor)), None)
    if like is None:
        try:
            dt = infer_dtype(values)
        except (TypeError, ValueError):
            dt = None
        return [convert_to_tensor(v, dt) if dt is not None and dt is not _dt.string else convert_to_tensor(v)
                for v in values]
    return [v if isinstance(v, Tensor) else convert_operand(v, like, op, i) for i, v in enumerate(values)]


def _concat_shape(*shapes, axis):
    known = [(i, s) for i, s in enumerate(shapes) if s is not None]
    if not known:
        return None
    i0, first = known[0]
    r = len(first)
    if r == 0:
        R.fail("ConcatV2", "ConcatOp : Can't concatenate scalars (use tf.stack instead)")
    if not -r <= axis < r:
        R.fail("ConcatV2", f"ConcatOp : Expected concatenating dimensions in the range [{-r}, {r}), but got {axis}")
    ax = axis % r
    out = list(first)
    for i, s in known[1:]:
        if len(s) != r:
            R.fail("ConcatV2", f"ConcatOp : Ranks of all input tensors should match: shape[{i0}] = {dims_str(first)} "
                               f"vs. shape[{i}] = {dims_str(s)}")
        for d in _pyrange(r):
            if d == ax:
                out[d] = None if out[d] is None or s[d] is None else out[d] + s[d]
            elif out[d] is None:
                out[d] = s[d]
            elif s[d] is not None and s[d] != out[d]:
                R.fail("ConcatV2", f"ConcatOp : Dimension {d} in both shapes must be equal: shape[{i0}] = "
                                   f"{dims_str(first)} vs. shape[{i}] = {dims_str(s)}")
    if len(known) < len(shapes):
        out[ax] = None
    return tuple(out)


def _concat_grad(g, out, *xs, axis):
    sizes = [x.shape[axis] for x in xs]
    if None not in sizes:
        return tuple(bind(split_v_p, g, sizes=tuple(sizes), axis=axis))
    return tuple(bind(split_like_p, g, *xs, axis=axis))


concat_p = Primitive("ConcatV2", lambda *xs, axis: np.concatenate(xs, axis=axis),
                     dtype_rule=lambda *ds, axis: _same_concat(*ds), shape_rule=_concat_shape, grad=_concat_grad)
_same_concat = R.same("ConcatV2")


def concat(values, axis, name="concat") -> Tensor:
    """Joins tensors along an existing axis.

    >>> import eagerflow as tf
    >>> tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], axis=1).shape
    TensorShape([2, 7])
    """
    if isinstance(values, Tensor):
        values = [values]
    values = convert_values(values, "ConcatV2")
    if not values:
        raise ValueError("tf.concat needs at least one tensor")
    axis = _array.static_int("ConcatV2", axis, "axis")
    if len(values) == 1:
        return _array.identity(values[0])
    r = next((v.shape.rank for v in values if v.shape.rank is not None), None)
    if r is None:
        raise ValueError("concat needs tensors of known rank")
    if r == 0:
        R.fail("ConcatV2", "ConcatOp : Can't concatenate scalars (use tf.stack instead)")
    if not -r <= axis < r:
        R.fail("ConcatV2", f"ConcatOp : Expected concatenating dimensions in the range [{-r}, {r}), but got {axis}")
    return bind(concat_p, *values, axis=axis % r)  # the shape rule checks the other dims


def _split_like_kernel(g, *refs, axis):
    cuts = np.cumsum([np.shape(r)[axis] for r in refs])[:-1]
    return tuple(np.split(g, cuts, axis=axis))


def _split_like_shape(g, *refs, axis):
    out = []
    for r in refs:
        if r is None or g is None:
            out.append(r)
        else:
            out.append(tuple(rd if i == axis or rd is not None else gd for i, (gd, rd) in enumerate(zip(g, r))))
    return out


split_like_p = Primitive("SplitLike", _split_like_kernel, dtype_rule=lambda g, *refs, axis: [g] * len(refs),
                         shape_rule=_split_like_shape, multiple_results=True,
                         grad=lambda gs, outs, g, *refs, axis: (concat(list(gs), axis),) + (None,) * len(refs))


def _stack_dtype(*ds, axis):
    return _same_pack(*ds)


_same_pack = R.same("Pack")


def _pack_shape(*shapes, axis):
    known = [(i, s) for i, s in enumerate(shapes) if s is not None]
    if not known:
        return None
    i0, first = known[0]
    out = list(first)
    for i, s in known[1:]:
        if len(s) != len(first) or any(a is not None and b is not None and a != b for a, b in zip(first, s)):
            R.fail("Pack", f"Shapes of all inputs must match: values[{i0}].shape = {dims_str(first)} != "
                           f"values[{i}].shape = {dims_str(s)}")
        out = [b if a is None else a for a, b in zip(out, s)]
    out.insert(axis, len(shapes))
    return tuple(out)


def _pack_grad(g, out, *xs, axis):
    return tuple(unstack(g, num=len(xs), axis=axis))


pack_p = Primitive("Pack", lambda *xs, axis: np.stack(xs, axis=axis), dtype_rule=_stack_dtype,
                   shape_rule=_pack_shape, grad=_pack_grad)


def stack(values, axis=0, name="stack") -> Tensor:
    """Stacks a list of rank-R tensors into one rank-(R+1) tensor.

    >>> import eagerflow as tf
    >>> print(tf.stack([1, 2]))
    tf.Tensor([1 2], shape=(2,), dtype=int32)
    """
    values = convert_values(values, "Pack")
    if not values:
        raise ValueError("tf.stack needs at least one tensor")
    r = next((v.shape.rank for v in values if v.shape.rank is not None), None)
    axis = _array.static_int("Pack", axis, "axis") if isinstance(axis, Tensor) else _array.as_int("Pack", axis, "axis")
    if r is not None:
        if not -r - 1 <= axis < r + 1:
            raise ValueError(f"Argument `axis` = {axis} not in range [{-r - 1}, {r + 1})")
        axis %= r + 1
    elif axis < 0:
        raise ValueError("tf.stack with a negative axis needs tensors of known rank")
    return bind(pack_p, *values, axis=axis)


def _unpack_kernel(x, *, num, axis):
    if x.shape[axis] != num:
        R.fail("Unpack", f"Input shape axis {axis} must equal {num}, got shape {dims_str(x.shape)}")
    return tuple(np.moveaxis(x, axis, 0)) if num else ()


def _unpack_shape(s, *, num, axis):
    if s is None:
        return [None] * num
    if s[axis] is not None and s[axis] != num:
        R.fail("Unpack", f"Input shape axis {axis} must equal {num}, got shape {dims_str(s)}")
    return [s[:axis] + s[axis + 1:]] * num


unpack_p = Primitive("Unpack", _unpack_kernel, dtype_rule=lambda d, *, num, axis: [d] * num,
                     shape_rule=_unpack_shape, multiple_results=True,
                     grad=lambda gs, outs, x, *, num, axis: (stack(list(gs), axis=axis),))


def unstack(value, num=None, axis=0, name="unstack") -> list:
    """Splits a tensor into a list of tensors along `axis` (the inverse of `stack`).

    >>> import eagerflow as tf
    >>> [t.numpy().tolist() for t in tf.unstack([[1, 2], [3, 4]])]
    [[1, 2], [3, 4]]
    """
    value = convert_to_tensor(value)
    s = value.shape
    if s.rank is None:
        if num is None:
            raise ValueError("Cannot infer argument `num` from shape <unknown>")
        if axis < 0:
            raise ValueError("unstack with a negative axis needs a tensor of known rank")
    else:
        if not -s.rank <= axis < s.rank:
            raise ValueError(f"Argument `axis` = {axis} not in range [{-s.rank}, {s.rank})")
        axis = axis % s.rank
        if num is None:
            num = s[axis]
            if num is None:
                raise ValueError(f"Cannot infer argument `num` from shape {s}")
    return list(bind(unpack_p, value, num=int(num), axis=int(axis)))


def _split_sizes(op: str, dim, sizes):
    """Resolves a -1 in `sizes` against the split dimension (None when unknown)."""
    minus = [i for i, s in enumerate(sizes) if s == -1]
    if len(minus) > 1:
        R.fail(op, "There can only be one -1 in the input.")
    total = sum(s for s in sizes if s != -1)
    if any(s < -1 for s in sizes):
        R.fail(op, f"Split sizes must be >= -1, got {list(sizes)}")
    if dim is None:
        return tuple(None if s == -1 else s for s in sizes)
    if (not minus and total != dim) or (minus and total > dim):
        R.fail(op, "Determined shape must either match input shape along split_dim exactly if fully specified, "
                   "or be less than the size of the input along split_dim if not fully specified.  "
                   f"Got: {total}")
    return tuple(dim - total if s == -1 else s for s in sizes)


def _split_v_shape(s, *, sizes, axis):
    if s is None:
        return [None] * len(sizes)
    resolved = _split_sizes("SplitV", s[axis], sizes)
    return [s[:axis] + (d,) + s[axis + 1:] for d in resolved]


def _split_v_kernel(x, *, sizes, axis):
    resolved = _split_sizes("SplitV", x.shape[axis], sizes)
    return tuple(np.split(x, np.cumsum(resolved)[:-1], axis=axis))


def _split_grad(gs, outs, x, *, axis, **_):
    return (concat(list(gs), axis),)


split_v_p = Primitive("SplitV", _split_v_kernel, dtype_rule=lambda d, *, sizes, axis: [d] * len(sizes),
                      shape_rule=_split_v_shape, grad=_split_grad, multiple_results=True)


def _split_num_shape(s, *, num, axis):
    if s is None:
        return [None] * num
    d = s[axis]
    if d is not None and d % num:
        R.fail("Split", "Number of ways to split should evenly divide the split dimension, but got split_dim "
                        f"{axis} (size = {d}) and num_split {num}")
    return [s[:axis] + (None if d is None else d // num,) + s[axis + 1:]] * num


def _split_num_kernel(x, *, num, axis):
    _split_num_shape(x.shape, num=num, axis=axis)
    return tuple(np.split(x, num, axis=axis))


split_p = Primitive("Split", _split_num_kernel, dtype_rule=lambda d, *, num, axis: [d] * num,
                    shape_rule=_split_num_shape, grad=_split_grad, multiple_results=True)


def split(value, num_or_size_splits, axis=0, num=None, name="split") -> list:
    """Splits into `num` equal pieces, or pieces of the given sizes (one size may be -1).

    >>> import eagerflow as tf
    >>> [t.shape.as_list() for t in tf.split(tf.zeros([6, 2]), [1, -1, 2])]
    [[1, 2], [3, 2], [2, 2]]
    """
    x = convert_to_tensor(value)
    axis = _array.normalize_axis("Split", axis, _array.known_rank("Split", x))
    spec = get_static_value(num_or_size_splits) if isinstance(num_or_size_splits, Tensor) else num_or_size_splits
    if spec is None:
        raise TypeError("split: num_or_size_splits must be static (an int, a list, or a constant tensor)")
    if np.ndim(spec) == 0:
        n = _array.as_int("Split", spec if not isinstance(spec, np.ndarray) else spec[()], "num_or_size_splits")
        if n < 1:
            R.fail("Split", f"Value for attr 'num_split' of {n} must be at least minimum 1")
        return list(bind(split_p, x, num=n, axis=axis))
    sizes = tuple(_array.as_int("SplitV", s, "size_splits") for s in np.asarray(spec).reshape(-1).tolist())
    if num is not None and num != len(sizes):
        raise ValueError(f"num={num} does not match the {len(sizes)} size_splits")
    return list(bind(split_v_p, x, sizes=sizes, axis=axis))


# ---- tile -----------------------------------------------------------------------------------------------------

def _tile_shape(s, *dyn, multiples):
    if s is None:
        return None if multiples is None else tuple(None for _ in multiples)
    if multiples is None:
        return tuple(None for _ in s)
    if len(multiples) != len(s):
        R.fail("Tile", f"Expected multiples argument to be a vector of length {len(s)} but got length "
                       f"{len(multiples)}")
    for i, m in enumerate(multiples):
        if m is not None and m < 0:
            R.fail("Tile", f"Expected multiples[{i}] >= 0, but got {m}")
    return tuple(None if d is None or m is None else d * m for d, m in zip(s, multiples))


def _tile_kernel(x, *dyn, multiples):
    multiples = _array.dyn_value(dyn, multiples)
    _tile_shape(x.shape, multiples=multiples)
    return np.tile(x, multiples) if x.ndim else x.copy()


def _tile_grad(g, out, x, *dyn, multiples):
    return (bind(tile_grad_p, g, x, *dyn, multiples=multiples),) + (None,) * len(dyn)


tile_p = Primitive("Tile", _tile_kernel, dtype_rule=_array.with_index_inputs("Tile"), shape_rule=_tile_shape,
                   grad=_tile_grad)


def _tile_grad_kernel(g, x, *dyn, multiples):
    multiples = _array.dyn_value(dyn, multiples)
    split = [n for pair in zip(multiples, np.shape(x)) for n in pair]
    total = np.sum(np.reshape(g, split), axis=tuple(_pyrange(0, 2 * len(multiples), 2)))
    return np.asarray(total, dtype=g.dtype)


# The gradient of Tile: sums the tiled copies back onto x's (possibly run-time) shape.
tile_grad_p = Primitive("TileGrad", _tile_grad_kernel, dtype_rule=lambda g, x, *dyn, **_: g,
                        shape_rule=lambda g, x, *dyn, **_: x,
                        grad=lambda gg, out, g, x, *dyn, multiples:
                        (bind(tile_p, gg, *dyn, multiples=multiples), None) + (None,) * len(dyn))


def tile(input, multiples, name=None) -> Tensor:  # noqa: A002
    """Repeats `input` `multiples[i]` times along each dimension i.

    >>> import eagerflow as tf
    >>> print(tf.tile([[1, 2]], [2, 1]))
    tf.Tensor(
    [[1 2]
     [1 2]], shape=(2, 2), dtype=int32)
    """
    x = convert_to_tensor(input)
    static, dyn = _array.shape_arg("Tile", multiples, "multiples")
    if not dyn:
        _tile_shape(x.shape.as_tuple(), multiples=static)
    return bind(tile_p, x, *dyn, multiples=static)


# ---- pad --------------------------------------------------------------------------------------------------------

_PAD_MODES = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}


def _check_paddings(op: str, s, paddings, mode: str) -> None:
    if s is None or paddings is None:
        return
    if len(paddings) != len(s):
        R.fail(op, f"The first dimension of paddings must be the rank of inputs[{len(paddings)},2] {dims_str(s)}")
    for d, (lo, hi) in zip(s, paddings):
        if lo is None or hi is None:
            continue
        if lo < 0 or hi < 0:
            R.fail(op, f"Paddings must be non-negative: {lo} {hi}")
        if d is None or mode == "CONSTANT":
            continue
        if mode == "REFLECT" and (lo >= d or hi >= d):
            R.fail(op, f"paddings must be less than the dimension size: {lo}, {hi} not less than {d}")
        if mode == "SYMMETRIC" and (lo > d or hi > d):
            R.fail(op, f"paddings must be no greater than the dimension size: {lo}, {hi} greater than {d}")


def _pad_shape(s, *rest, paddings, mode):
    _check_paddings("PadV2" if mode == "CONSTANT" else "MirrorPad", s, paddings, mode)
    if s is None:
        return None if paddings is None else tuple(None for _ in paddings)
    if paddings is None:
        return tuple(None for _ in s)
    return tuple(None if d is None or lo is None or hi is None else d + lo + hi for d, (lo, hi) in zip(s, paddings))


def _pad_values(dyn, paddings):
    return tuple(tuple(p) for p in dyn[0].tolist()) if dyn else paddings


def _pad_kernel(x, cv, *dyn, paddings, mode):
    paddings = _pad_values(dyn, paddings)
    _check_paddings("PadV2", x.shape, paddings, mode)
    x = np.asarray(x)
    out = np.full([d + lo + hi for d, (lo, hi) in zip(x.shape, paddings)], cv, dtype=x.dtype)
    out[tuple(_pyslice(lo, lo + d) for d, (lo, _) in zip(x.shape, paddings))] = x  # faster than np.pad
    return out


def _mirror_pad_kernel(x, *dyn, paddings, mode):
    paddings = _pad_values(dyn, paddings)
    _check_paddings("MirrorPad", x.shape, paddings, mode)
    return np.pad(x, paddings, mode=_PAD_MODES[mode])


def _unpad(g, x, dyn, paddings):
    """g[lo_0 : dim_0 - hi_0, ...]: the gradient of any pad w.r.t. the padded tensor."""
    r = len(paddings) if paddings is not None else _array.known_rank("Pad", x)
    if dyn:
        lo = _indexing.strided_slice(dyn[0], [0, 0], [0, 1], [1, 1], begin_mask=1, end_mask=1, shrink_axis_mask=2)
        hi = _indexing.strided_slice(dyn[0], [0, 1], [0, 2], [1, 1], begin_mask=1, end_mask=1, shrink_axis_mask=2)
        end = _math.subtract(_array.shape(g, out_type=dyn[0].dtype), hi)
        return _indexing.strided_slice(g, lo, end, _array.ones([r], dyn[0].dtype))
    end_mask = sum(1 << i for i, (lo, hi) in enumerate(paddings) if hi == 0)
    return _indexing.strided_slice(g, [lo for lo, _ in paddings], [-hi for _, hi in paddings], [1] * r,
                                   end_mask=end_mask)


pad_p = Primitive("PadV2", _pad_kernel,
                  dtype_rule=lambda d, cv, *dyn, **_: _same_pad(d, cv), shape_rule=_pad_shape,
                  grad=lambda g, out, x, cv, *dyn, paddings, mode:
                  (_unpad(g, x, dyn, paddings), None) + (None,) * len(dyn))
_same_pad = R.same("PadV2")


def _mirror_pad_grad_kernel(g, *dyn, paddings, mode):
    paddings = _pad_values(dyn, paddings)
    g = np.array(g, copy=True)
    shift = 1 if mode == "REFLECT" else 0
    for axis, (lo, hi) in enumerate(paddings):
        g = np.moveaxis(g, axis, 0)
        n = g.shape[0] - lo - hi
        for i in _pyrange(lo):  # padded slot i mirrors slot 2*lo - i - 1 + shift
            g[2 * lo - i - 1 + shift] += g[i]
        for i in _pyrange(hi):
            src = lo + n + i
            g[lo + n - 1 - i - shift] += g[src]
        g = np.moveaxis(g[lo:lo + n], 0, axis)
    return np.ascontiguousarray(g)


def _mirror_grad_shape(s, *dyn, paddings, mode):
    if s is None or paddings is None:
        return None if s is None else tuple(None for _ in s)
    return tuple(None if d is None or lo is None or hi is None else d - lo - hi for d, (lo, hi) in zip(s, paddings))


mirror_pad_p = Primitive("MirrorPad", _mirror_pad_kernel, dtype_rule=_array.with_index_inputs("MirrorPad"),
                         shape_rule=_pad_shape,
                         grad=lambda g, out, x, *dyn, paddings, mode:
                         (bind(mirror_pad_grad_p, g, *dyn, paddings=paddings, mode=mode),) + (None,) * len(dyn))
mirror_pad_grad_p = Primitive("MirrorPadGrad", _mirror_pad_grad_kernel,
                              dtype_rule=_array.with_index_inputs("MirrorPadGrad"),
                              shape_rule=_mirror_grad_shape,
                              grad=lambda gg, out, g, *dyn, paddings, mode:
                              (bind(mirror_pad_p, gg, *dyn, paddings=paddings, mode=mode),) + (None,) * len(dyn))


def _paddings_arg(paddings):
    if isinstance(paddings, Tensor) and get_static_value(paddings) is None:
        if paddings.dtype not in _array.INDEX_DTYPES:
            raise TypeError(f"pad: paddings must be an int32 or int64 tensor, got {paddings.dtype.name}")
        n = paddings.shape[0] if paddings.shape.rank == 2 else None
        return (None if n is None else ((None, None),) * n), (paddings,)
    if isinstance(paddings, (list, tuple)) and any(isinstance(v, Tensor) for row in paddings
                                                   for v in (row if isinstance(row, (list, tuple)) else [row])):
        return _paddings_arg(convert_to_tensor(paddings))  # rows holding tensors: one int tensor
    value = get_static_value(paddings) if isinstance(paddings, Tensor) else paddings
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu" and arr.size:
        raise TypeError(f"pad: paddings must be integers, got {value!r}")
    if arr.ndim != 2 or arr.shape[1] != 2:
        R.fail("Pad", f"paddings must be a matrix with 2 columns: {dims_str(arr.shape)}")
    return tuple((int(a), int(b)) for a, b in arr.tolist()), ()


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None) -> Tensor:
    """Pads with `constant_values` (CONSTANT) or mirrored values (REFLECT, SYMMETRIC).

    >>> import eagerflow as tf
    >>> print(tf.pad([1, 2], [[1, 2]]))
    tf.Tensor([0 1 2 0 0], shape=(5,), dtype=int32)
    """
    x = convert_to_tensor(tensor)
    mode_key = str(mode).upper()
    if mode_key not in _PAD_MODES:
        raise ValueError('Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", or "SYMMETRIC". '
                         f"Received `mode` = {mode_key}")
    static, dyn = _paddings_arg(paddings)
    if mode_key == "CONSTANT":
        if x.dtype is _dt.string and isinstance(constant_values, int) and constant_values == 0:
            constant_values = b""  # the default pads strings with empty strings
        cv = constant_values if isinstance(constant_values, Tensor) else convert_operand(constant_values, x, "PadV2", 1)
        if cv.shape.rank not in (0, None):
            R.fail("PadV2", f"constant_values must be a scalar. Got shape {cv.shape}")
        return bind(pad_p, x, cv, *dyn, paddings=static, mode=mode_key)
    return bind(mirror_pad_p, x, *dyn, paddings=static, mode=mode_key)


# ---- meshgrid -----------------------------------------------------------------------------------------------------

def meshgrid(*args, **kwargs) -> list:
    """Coordinate grids from 1-D vectors; `indexing="xy"` (default, Cartesian) or `"ij"` (matrix).

    >>> import eagerflow as tf
    >>> [g.shape.as_list() for g in tf.meshgrid([1, 2, 3], [4, 5])]
    [[2, 3], [2, 3]]
    """
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Invalid keywords for meshgrid: {', '.join(sorted(kwargs))}")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Argument `indexing` parameter must be either 'xy' or 'ij', got '{indexing}'")
    xs = [_array.reshape(convert_to_tensor(a), [-1]) for a in args]
    n = len(xs)
    if n == 0:
        return []
    sizes = [x.shape[0] if x.shape[0] is not None else _array.size(x) for x in xs]
    order = list(_pyrange(n))
    if indexing == "xy" and n > 1:
        order[0], order[1] = 1, 0  # x varies along columns: input 0 goes to axis 1
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, x in enumerate(xs):
        s = [1] * n
        s[order[i]] = -1
        out.append(_array.broadcast_to(_array.reshape(x, s), sizes))
    return out


# ---- one_hot ----------------------------------------------------------------------------------------------

def _one_hot_kernel(indices, on, off, *dyn, depth, axis):
    depth = int(np.reshape(dyn[0], -1)[0]) if dyn else depth
    if depth < 0:
        R.fail("OneHot", f"depth must be non-negative, got: {depth}")
    hot = np.expand_dims(indices, -1) == np.arange(depth)
    out = np.where(hot, on, off).astype(on.dtype, copy=False)
    return out if axis == -1 else np.moveaxis(out, -1, axis)


def _one_hot_shape(i, on, off, *dyn, depth, axis):
    if i is None:
        return None
    out = list(i)
    out.insert(len(i) if axis == -1 else axis, depth)
    return tuple(out)


def _one_hot_dtype(i, on, off, *dyn, **_):
    if i not in (_dt.uint8, _dt.int8, _dt.int32, _dt.int64):
        R.fail("OneHot", f"Value for attr 'TI' of {R.tf_name(i)} is not in the list of allowed values: "
                         "uint8, int8, int32, int64")
    return _same_one_hot(on, off)


_same_one_hot = R.same("OneHot")
one_hot_p = Primitive("OneHot", _one_hot_kernel, dtype_rule=_one_hot_dtype, shape_rule=_one_hot_shape)


def _one_hot_value(value, dtype):
    if isinstance(value, Tensor):
        return value
    return convert_to_tensor(value, dtype_hint=dtype)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None) -> Tensor:
    """A one-hot encoding: `on_value` where the new axis equals the index, `off_value` elsewhere.

    >>> import eagerflow as tf
    >>> print(tf.one_hot([0, 2], 3))
    tf.Tensor(
    [[1. 0. 0.]
     [0. 0. 1.]], shape=(2, 3), dtype=float32)
    """
    indices = convert_to_tensor(indices)
    dtype = None if dtype is None else _dt.as_dtype(dtype)
    on = None if on_value is None else _one_hot_value(on_value, dtype)
    off = None if off_value is None else _one_hot_value(off_value, dtype)
    for what, t in (("on_value", on), ("off_value", off)):
        if t is not None and dtype is not None and t.dtype is not dtype:
            raise TypeError(f"dtype {t.dtype} of {what} does not match dtype parameter {dtype}")
    if on is not None and off is not None and on.dtype is not off.dtype:
        raise TypeError(f"dtype {on.dtype} of on_value does not match dtype {off.dtype} of off_value")
    dtype = dtype or (on.dtype if on is not None else off.dtype if off is not None else _dt.float32)
    on = on if on is not None else constant(1, dtype)
    off = off if off is not None else constant(0, dtype)
    static, dyn = _array.shape_arg("OneHot", depth, "depth")
    if len(static) != 1:
        raise ValueError(f"one_hot: depth must be a scalar, got {depth!r}")
    r = indices.shape.rank
    axis = -1 if axis is None else int(axis)
    if r is not None and not (axis == -1 or 0 <= axis <= r):
        R.fail("OneHot", f"Expected axis to be -1 or between [0, {r + 1}).  But received: {axis}")
    if static[0] is not None and static[0] < 0:
        R.fail("OneHot", f"depth must be non-negative, got: {static[0]}")
    return bind(one_hot_p, indices, on, off, *dyn, depth=static[0], axis=axis)
