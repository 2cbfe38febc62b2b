"""Pooling: `tf.nn.max_pool*` and `tf.nn.avg_pool*` (1-D, 2-D, 3-D, and by rank).

Kernels loop over the window's taps (never over pixels) with whole-array NumPy ops on strided
views of the padded, channels-last input. The max-pool gradient routes each output's gradient to
the first maximum of its window in row-major order, as TF does; MaxPoolGrad and MaxPoolGradGrad are
each other's gradients, and AvgPoolGrad's gradient is AvgPool, so every order of gradient works.

>>> import eagerflow as tf
>>> tf.nn.max_pool2d(tf.ones([1, 28, 28, 8]), ksize=2, strides=2, padding="VALID").shape
TensorShape([1, 14, 14, 8])
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import dtypes as _dt
from ..primitive import Primitive, bind
from ..tensor import Tensor, convert_to_tensor
from . import array as _array, rules as R, windows as W

__all__ = [
    "max_pool", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool", "avg_pool1d", "avg_pool2d", "avg_pool3d",
]

MAX_POOL_TYPES = R.REAL


# ---- pooling kernels ---------------------------------------------------------------------------------------

def _pool_check(op: str, xs, ksize, strides, padding):
    """Validates a channels-last input shape; returns (output spatial sizes, pads)."""
    r = len(ksize)
    if xs is not None and len(xs) != r + 2:
        R.fail(op, f"input must be {r + 2}-dimensional: {list(xs)}")
    if any(k < 1 for k in ksize):
        R.fail(op, f"Sliding window ksize must be positive. The specified or inferred ksize is: "
                   f"{','.join(map(str, (1,) + tuple(ksize) + (1,)))}")
    if any(s < 1 for s in strides):
        R.fail(op, f"Sliding window stride must be positive, got strides {list(strides)}")
    if not isinstance(padding, str):
        for (lo, hi), k in zip(padding, ksize):
            if lo >= k or hi >= k:
                side = "Top" if lo >= k else "Bottom"
                R.fail(op, f"{side} padding {lo if lo >= k else hi} needs to be smaller than the window size {k}")
    spatial = xs[1:-1] if xs is not None else (None,) * r
    return W.geometry(op, spatial, ksize, strides, (1,) * r, padding)


def _lowest(dtype: np.dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _pool_taps(ksize, outs, strides):
    return W.taps(ksize, outs, strides, (1,) * len(ksize))


def _side_by_side(ksize, strides, pads) -> bool:
    """Windows that tile the input without overlap, gaps or padding (the 2x2 / stride 2 pool)."""
    return tuple(ksize) == tuple(strides) and not any(lo or hi for lo, hi in pads)


def _tiled_max(v: np.ndarray, r: int) -> np.ndarray:
    """The window maxima of a `W.tiles` view: reduces the window axes one at a time, the outermost
    (longest contiguous runs) first, so most of the work runs in long SIMD loops."""
    fresh = False
    for i in range(r):
        ax = 2 + i  # the window axis of dim i once dims 0..i-1 are reduced
        parts = [v[(slice(None),) * ax + (j,)] for j in range(v.shape[ax])]
        if len(parts) == 1:
            v = parts[0]
            continue
        v = np.maximum(parts[0], parts[1])
        for p in parts[2:]:
            np.maximum(v, p, out=v)
        fresh = True
    return v if fresh else v.copy()


def _tiled_max_grad(x, y, g, ksize, outs) -> np.ndarray:
    """MaxPoolGrad for side-by-side windows: each input element is written once (no zero fill but
    the rows no window covers), each window's gradient to its first max in row-major order."""
    dx = np.empty(x.shape, g.dtype)
    for i, (o, k) in enumerate(zip(outs, ksize)):
        if o * k < x.shape[1 + i]:
            dx[(slice(None),) * (1 + i) + (slice(o * k, None),)] = 0
    v, dv = W.tiles(x, ksize, outs), W.tiles(dx, ksize, outs)
    free = None
    taps = list(np.ndindex(*ksize))
    for n, tap in enumerate(taps):
        idx = W.tile_tap(tap)
        hit = v[idx] == y
        if free is not None:
            hit &= free
        if n + 1 < len(taps):
            if free is None:
                free = ~hit
            else:
                free ^= hit
        np.multiply(g, hit, out=dv[idx])
    return dx


def _max_pool_kernel(x, *, ksize, strides, padding, data_format, op):
    x = W.to_last(x, data_format)
    outs, pads = _pool_check(op, x.shape, ksize, strides, padding)
    if _side_by_side(ksize, strides, pads):
        return W.from_last(_tiled_max(W.tiles(x, ksize, outs), len(ksize)), data_format)
    xp = W.pad(x, pads, _lowest(x.dtype))
    out = None
    for _, sl in _pool_taps(ksize, outs, strides):
        if out is None:
            out = xp[sl].copy()
        else:
            np.maximum(out, xp[sl], out=out)
    return W.from_last(out, data_format)


def _argmax_taps(xp, y, ksize, outs, strides):
    """For each tap, (slices, mask of outputs whose window max sits at that tap): TF's first max."""
    free = None
    for _, sl in _pool_taps(ksize, outs, strides):
        hit = xp[sl] == y
        if free is None:
            free = ~hit
        else:
            hit &= free
            free ^= hit
        yield sl, hit


def _max_pool_grad_kernel(x, y, g, *, ksize, strides, padding, data_format, op):
    x, y, g = W.to_last(x, data_format), W.to_last(y, data_format), W.to_last(g, data_format)
    outs, pads = _pool_check(op, x.shape, ksize, strides, padding)
    if _side_by_side(ksize, strides, pads) and y.shape == g.shape == x.shape[:1] + outs + x.shape[-1:]:
        return W.from_last(_tiled_max_grad(x, y, g, ksize, outs), data_format)
    xp = W.pad(x, pads, _lowest(x.dtype))
    dxp = np.zeros(xp.shape, g.dtype)
    overlap = any(k > s for k, s in zip(ksize, strides))
    for sl, hit in _argmax_taps(xp, y, ksize, outs, strides):
        if overlap:
            dxp[sl] += g * hit
        else:  # disjoint windows: plain stores (ufunc `where=` is many times slower)
            np.multiply(g, hit, out=dxp[sl])
    return W.from_last(dxp[W.interior(x.shape, pads)], data_format)


def _max_pool_grad_grad_kernel(x, y, gg, *, ksize, strides, padding, data_format, op):
    x, y, gg = W.to_last(x, data_format), W.to_last(y, data_format), W.to_last(gg, data_format)
    outs, pads = _pool_check(op, x.shape, ksize, strides, padding)
    xp, ggp = W.pad(x, pads, _lowest(x.dtype)), W.pad(gg, pads)
    out = np.zeros(y.shape, gg.dtype)
    for sl, hit in _argmax_taps(xp, y, ksize, outs, strides):
        out += ggp[sl] * hit
    return W.from_last(out, data_format)


def _window_counts(spatial, ksize, outs, strides, pads, dtype):
    """How many real (unpadded) elements each window holds: the divisor of an average pool."""
    if not any(lo or hi for lo, hi in pads):
        return dtype.type(int(np.prod(ksize)))
    ones = W.pad(np.ones((1,) + tuple(spatial) + (1,), dtype), pads)
    counts = None
    for _, sl in _pool_taps(ksize, outs, strides):
        counts = ones[sl].copy() if counts is None else counts + ones[sl]
    return counts


def _avg_pool_kernel(x, *, ksize, strides, padding, data_format, op):
    x = W.to_last(x, data_format)
    outs, pads = _pool_check(op, x.shape, ksize, strides, padding)
    xp = W.pad(x, pads)
    acc = None
    for _, sl in _pool_taps(ksize, outs, strides):
        if acc is None:
            acc = xp[sl].copy()
        else:
            np.add(acc, xp[sl], out=acc)
    acc /= _window_counts(x.shape[1:-1], ksize, outs, strides, pads, x.dtype)
    return W.from_last(acc, data_format)


def _avg_pool_grad_kernel(sizes, g, *, input_shape, ksize, strides, padding, data_format, op):
    xs = W.shape_to_last(tuple(int(v) for v in sizes), data_format)
    g = W.to_last(g, data_format)
    outs, pads = _pool_check(op, xs, ksize, strides, padding)
    if g.shape[1:-1] != outs or g.shape[0] != xs[0] or g.shape[-1] != xs[-1]:
        R.fail(op, f"out_backprop has shape {list(g.shape)} but the pooled input {list(xs)} gives "
                   f"{[xs[0], *outs, xs[-1]]}")
    gs = g / _window_counts(xs[1:-1], ksize, outs, strides, pads, g.dtype)
    dxp = np.zeros((xs[0],) + tuple(n + lo + hi for n, (lo, hi) in zip(xs[1:-1], pads)) + (xs[-1],), g.dtype)
    for _, sl in _pool_taps(ksize, outs, strides):
        dxp[sl] += gs
    return W.from_last(dxp[W.interior(xs, pads)], data_format)


# ---- pooling primitives ----------------------------------------------------------------------------------

def _pool_shape(xs, *, ksize, strides, padding, data_format, op):
    if xs is None:
        return None
    if len(xs) != len(ksize) + 2:
        R.fail(op, f"input must be {len(ksize) + 2}-dimensional: {list(xs)}")
    xl = W.shape_to_last(xs, data_format)
    outs, _ = _pool_check(op, xl, ksize, strides, padding)
    return W.shape_from_last((xl[0],) + outs + (xl[-1],), data_format)


def _first_shape(s, *_, **__):
    return s


def _second_shape(_, s, *__, **___):
    return s


def _pool_grad_shape(ss, gs, *, input_shape, ksize, data_format, **_):
    s = list(W.shape_to_last(input_shape or (None,) * (len(ksize) + 2), data_format))
    gl = W.shape_to_last(gs, data_format) if gs is not None else None
    if gl is not None:
        s[0] = s[0] if s[0] is not None else gl[0]
        s[-1] = s[-1] if s[-1] is not None else gl[-1]
    return W.shape_from_last(tuple(s), data_format)


def _max_pool_grad(g, out, x, **attrs):
    prims = _MAX_POOL[len(attrs["ksize"])]
    return (bind(prims[1], x, out, g, **attrs),)


def _max_pool_grad_grad(gg, out, x, y, g, **attrs):
    prims = _MAX_POOL[len(attrs["ksize"])]
    return None, None, bind(prims[2], x, y, gg, **attrs)


def _max_pool_grad_grad_grad(ggg, out, x, y, gg, **attrs):
    prims = _MAX_POOL[len(attrs["ksize"])]
    return None, None, bind(prims[1], x, y, ggg, **attrs)


def through_max_pool(g: Tensor, x: Tensor, mask):
    """`mask(g, x)` for a gradient `g = MaxPoolGrad(x, y, dy)` traced into a graph, computed on the
    pooled side instead: `MaxPoolGrad(x, y, mask(dy, y))`; None when `g` is anything else.

    For masks `v * h(x)` with `h` elementwise (ReluGrad: `v * (x > 0)`) both are equal element for
    element: the pool routes each window's gradient to an element equal to the window's max `y`,
    and zeros stay zeros. The mask then runs on a quarter of the elements for 2x2 pools; the first
    MaxPoolGrad is left without users, for dead-code elimination. Only when `g` has no other users.
    """
    if g.is_eager:
        return None
    op = g.op
    if op.prim not in _MAX_POOL_GRADS or op.inputs[0] is not x or g.consumers():
        return None
    _, y, dy = op.inputs
    return bind(op.prim, x, y, mask(dy, y), **op.attrs)


def _avg_pool_grad(g, out, x, **attrs):
    prims = _AVG_POOL[len(attrs["ksize"])]
    return (bind(prims[1], _array.shape(x), g, input_shape=x.shape.as_tuple(), **attrs),)


def _avg_pool_grad_grad(gg, out, sizes, g, *, input_shape, **attrs):
    return None, bind(_AVG_POOL[len(attrs["ksize"])][0], gg, **attrs)


def _pool_grad_dtype(op):
    def rule(sd, gd, **_):
        if sd not in (_dt.int32, _dt.int64):
            R.fail(op, f"orig_input_shape must be int32 or int64, got {sd.name}")
        return R.unary(op, R.FLOATS)(gd)
    return rule


def _max_pool_prims(fwd: str, bwd: str, bwd2: str):
    return (
        Primitive(fwd, partial(_max_pool_kernel, op=fwd), dtype_rule=R.unary(fwd, MAX_POOL_TYPES),
                  shape_rule=partial(_pool_shape, op=fwd), grad=_max_pool_grad),
        Primitive(bwd, partial(_max_pool_grad_kernel, op=bwd), dtype_rule=R.same(bwd, R.REAL),
                  shape_rule=_first_shape, grad=_max_pool_grad_grad),
        Primitive(bwd2, partial(_max_pool_grad_grad_kernel, op=bwd2), dtype_rule=R.same(bwd2, R.REAL),
                  shape_rule=_second_shape, grad=_max_pool_grad_grad_grad),
    )


def _avg_pool_prims(fwd: str, bwd: str):
    return (
        Primitive(fwd, partial(_avg_pool_kernel, op=fwd), dtype_rule=R.unary(fwd, R.FLOATS),
                  shape_rule=partial(_pool_shape, op=fwd), grad=_avg_pool_grad),
        Primitive(bwd, partial(_avg_pool_grad_kernel, op=bwd), dtype_rule=_pool_grad_dtype(bwd),
                  shape_rule=_pool_grad_shape, grad=_avg_pool_grad_grad),
    )


max_pool_p, max_pool_grad_p, max_pool_grad_grad_p = _max_pool_prims("MaxPool", "MaxPoolGrad", "MaxPoolGradGrad")
max_pool3d_p, max_pool3d_grad_p, max_pool3d_grad_grad_p = _max_pool_prims(
    "MaxPool3D", "MaxPool3DGrad", "MaxPool3DGradGrad")
avg_pool_p, avg_pool_grad_p = _avg_pool_prims("AvgPool", "AvgPoolGrad")
avg_pool3d_p, avg_pool3d_grad_p = _avg_pool_prims("AvgPool3D", "AvgPool3DGrad")
_MAX_POOL = {2: (max_pool_p, max_pool_grad_p, max_pool_grad_grad_p),
             3: (max_pool3d_p, max_pool3d_grad_p, max_pool3d_grad_grad_p)}
_AVG_POOL = {2: (avg_pool_p, avg_pool_grad_p), 3: (avg_pool3d_p, avg_pool3d_grad_p)}
_MAX_POOL_GRADS = frozenset([max_pool_grad_p, max_pool3d_grad_p])


# ---- public pooling ---------------------------------------------------------------------------------------

def _pool(prims: dict, r: int, input, ksize, strides, padding, data_format) -> Tensor:
    prim = prims[max(r, 2)][0]
    explicit = prims is _MAX_POOL
    x = convert_to_tensor(input)
    if r == 1:
        fmt, axis = W.one_d_format(data_format, prim.name)
        attrs = dict(ksize=W.one_d_spatial("ksize", ksize, fmt, prim.name),
                     strides=W.one_d_spatial("strides", strides, fmt, prim.name),
                     padding=W.one_d_padding(padding, fmt, prim.name, explicit), data_format=fmt)
        W.check_rank(x, 1, f"{prim.name} input")
        return _array.squeeze(bind(prim, _array.expand_dims(x, axis), **attrs), [axis])
    fmt = W.format_arg(data_format, r, prim.name)
    attrs = dict(ksize=W.spatial_arg("ksize", ksize, r, fmt, prim.name),
                 strides=W.spatial_arg("strides", strides, r, fmt, prim.name),
                 padding=W.padding_arg(padding, r, fmt, prim.name, explicit), data_format=fmt)
    return bind(prim, x, **attrs)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:  # noqa: A002
    """Max over sliding windows of `input` [N, H, W, C]; `padding` "SAME", "VALID" or explicit pairs.

    >>> import eagerflow as tf
    >>> tf.nn.max_pool2d(tf.ones([1, 28, 28, 8]), ksize=2, strides=2, padding="VALID").shape
    TensorShape([1, 14, 14, 8])
    """
    return _pool(_MAX_POOL, 2, input, ksize, strides, padding, data_format)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None) -> Tensor:  # noqa: A002
    """Max over sliding windows of `input` [N, W, C] (runs as MaxPool on a unit height, as TF).

    >>> import eagerflow as tf
    >>> tf.nn.max_pool1d(tf.ones([2, 9, 3]), 2, 2, "SAME").shape
    TensorShape([2, 5, 3])
    """
    return _pool(_MAX_POOL, 1, input, ksize, strides, padding, data_format)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None) -> Tensor:  # noqa: A002
    """Max over sliding windows of `input` [N, D, H, W, C]."""
    return _pool(_MAX_POOL, 3, input, ksize, strides, padding, data_format)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:  # noqa: A002
    """Mean over sliding windows of `input` [N, H, W, C]; SAME padding averages only real elements.

    >>> import eagerflow as tf
    >>> print(tf.nn.avg_pool2d(tf.reshape(tf.range(16.0), [1, 4, 4, 1]), 2, 2, "VALID")[0, :, :, 0])
    tf.Tensor(
    [[ 2.5  4.5]
     [10.5 12.5]], shape=(2, 2), dtype=float32)
    """
    return _pool(_AVG_POOL, 2, input, ksize, strides, padding, data_format)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None) -> Tensor:  # noqa: A002
    """Mean over sliding windows of `input` [N, W, C]."""
    return _pool(_AVG_POOL, 1, input, ksize, strides, padding, data_format)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None) -> Tensor:  # noqa: A002
    """Mean over sliding windows of `input` [N, D, H, W, C]."""
    return _pool(_AVG_POOL, 3, input, ksize, strides, padding, data_format)


def _pool_rank(input) -> tuple:
    x = convert_to_tensor(input)
    if x.shape.rank not in (3, 4, 5):
        raise ValueError(f"`input` must have rank 3, 4 or 5 (known statically), got shape {x.shape}")
    return x, x.shape.rank - 2


def max_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:  # noqa: A002
    """max_pool1d/2d/3d chosen by the rank of `input`."""
    x, r = _pool_rank(input)
    return _pool(_MAX_POOL, r, x, ksize, strides, padding, data_format)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:  # noqa: A002
    """avg_pool1d/2d/3d chosen by the rank of `input`."""
    x, r = _pool_rank(input)
    return _pool(_AVG_POOL, r, x, ksize, strides, padding, data_format)
