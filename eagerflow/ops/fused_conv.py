"""Fused convolution blocks: Conv2D (+ BiasAdd) (+ Relu) + side-by-side MaxPool, forward and backward.

Graphs only: these primitives are created by the remapping pass (`graph/passes/remapper.py`), never
by user code, and have no gradient of their own (differentiation happens on the unfused graph).

Why fuse: unfused, a CNN block makes a full-size pass over its activations for each of Conv2D's
output, BiasAdd, Relu, MaxPool, MaxPoolGrad (four masked passes) and BiasAddGrad, and recomputes
the im2col copy for the filter gradient. Fused:

- conv outputs no pool window covers (the last row and column of an odd 11x11 output) are never
  computed: 17% fewer matmul rows in the usual 3x3 conv + 2x2 pool block;
- the bias is added after the pool, and Relu runs after it (both on a quarter of the elements):
  rounding is monotonic, so max(z + b) == max(z) + b exactly, and max and relu commute;
- when no input gradient is needed (a network's first layer), the conv output rows are ordered
  **pool tap first** ("pool" order: row (t, n, i, j) is pooled position (i, j), window tap t), so
  the pool and its gradient are T passes over contiguous [M, O] slabs; otherwise rows follow the
  image ("image" order), so the input gradient is one matmul per filter tap whose result is added
  to contiguous rows (a col2im with long runs instead of C floats at a time);
- the im2col copy made by the forward is kept for the filter gradient; the bias gradient sums the
  pooled gradient (each window's gradient lands on exactly one element);
- the batch runs in two chunks, on two threads inside graph runs (see `_threads`).

Results: the forward values are those of the unfused graph; gradients go to the same window
element (TF's first maximum of Relu's output), except that a tie created only by adding the bias
(z_a + b == z_b + b with z_a != z_b) goes to the larger z; the matmuls' row blocking and the
order of the filter and bias gradients' sums differ (float rounding, ~1e-7 relative in float32).

    _FusedConv2DMaxPool(x, w[, b])  -> (p, q, z, cols)
        q = MaxPool(Conv2D(x, w)); p = q + b, then Relu if `relu`: what the unfused block outputs
    _FusedConv2DMaxPoolGrad(x, cols, w, z, q, p, d) -> (dw, db, dx)
        d: the gradient w.r.t. the pooled output (of Relu's output if `relu`); dx empty unless `need_dx`.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import _threads, dtypes as _dt
from ..primitive import Primitive
from . import conv as _conv, nn as _nn, rules as R, windows as W

__all__ = ["fused_conv2d_max_pool_p", "fused_conv2d_max_pool_grad_p", "FUSABLE_TYPES"]

FUSABLE_TYPES = frozenset([_dt.float16, _dt.float32, _dt.float64])
_FWD, _BWD = "_FusedConv2DMaxPool", "_FusedConv2DMaxPoolGrad"


def _pooled_view(xp: np.ndarray, ksize, pooled, pool, strides, dilations) -> np.ndarray:
    """View (pool taps..., N, pooled..., filter taps..., C) of a padded input: the "pool" row order."""
    r = len(pool)
    st = xp.strides
    steps = (tuple(st[1 + i] * strides[i] for i in range(r)) + (st[0],)
             + tuple(st[1 + i] * strides[i] * pool[i] for i in range(r))
             + tuple(st[1 + i] * dilations[i] for i in range(r)) + (st[-1],))
    shape = tuple(pool) + (xp.shape[0],) + tuple(pooled) + tuple(ksize) + (xp.shape[-1],)
    return as_strided(xp, shape, steps, writeable=False)


def _few_channels(c) -> bool:
    return c is not None and c < _conv._FEW_CHANNELS  # the "taps" im2col layout, as Conv2D picks it


def _geometry(x_shape, w_shape, strides, padding, dilations, pool):
    outs, pads, groups = _conv._conv_check(_FWD, x_shape, w_shape, strides, dilations, padding)
    if groups != 1:
        R.fail(_FWD, "grouped convolutions are not fused")
    pooled = tuple(None if o is None else o // p for o, p in zip(outs, pool))
    return pooled, pads


def _slabs(z: np.ndarray, order: str, n: int, pooled, pool) -> list:
    """The conv output rows of each pool tap: contiguous [M, O] ("pool") or strided [N, *pooled, O]."""
    t, o = int(np.prod(pool)), z.shape[-1]
    if order == "pool":
        return list(z.reshape(t, z.shape[0] // t, o))
    split = z.reshape((n,) + tuple(d for p, k in zip(pooled, pool) for d in (p, k)) + (o,))
    return [split[(slice(None),) + sum(((slice(None), i) for i in tap), ()) + (slice(None),)]
            for tap in np.ndindex(*pool)]


def _view(a: np.ndarray, shape) -> np.ndarray:
    """`a` reshaped without a copy (raises where NumPy would copy: writes must reach `a`)."""
    v = a.view()
    v.shape = shape
    return v


def _layout(x_shape, w_shape, strides, padding, dilations, pool):
    """Geometry shared by both kernels: (pooled sizes, pads, conv outputs covered by a pool window,
    conv rows per image)."""
    pooled, pads = _geometry(x_shape, w_shape, strides, padding, dilations, pool)
    covered = tuple(p * s for p, s in zip(pooled, pool))  # conv outputs some pool window reads
    return pooled, pads, covered, int(np.prod(covered))


def _windows(xp, ksize, pooled, covered, pool, strides, dilations, order):
    """The im2col view of a (chunk of a) padded input and the number of its axes before the filter taps."""
    if order == "pool":
        return _pooled_view(xp, ksize, pooled, pool, strides, dilations), 2 * len(pool) + 1
    return W.windows(xp, ksize, covered, strides, dilations), len(pool) + 1


def _fwd_kernel(x, w, *bias, strides, padding, dilations, pool, order, relu):
    pooled, pads, covered, per = _layout(x.shape, w.shape, strides, padding, dilations, pool)
    ksize, n, c, o, r = w.shape[:-2], x.shape[0], x.shape[-1], w.shape[-1], len(pool)
    k, taps, t = int(np.prod(ksize)) * c, _few_channels(c), int(np.prod(pool))
    xp, wm = W.pad(x, pads), w.reshape(-1, o)
    # [K*C, rows] for few channels (the copy then moves whole image rows, not C floats at a time)
    cols = np.empty((k, n * per) if taps else (n * per, k), x.dtype)
    z = np.empty((n * per, o), x.dtype)
    q = np.empty((n,) + pooled + (o,), x.dtype)

    def chunk(lo, hi):
        a, b = lo * per, hi * per
        view, lead = _windows(xp[lo:hi], ksize, pooled, covered, pool, strides, dilations, order)
        if taps:
            perm = tuple(range(lead, lead + r + 1)) + tuple(range(lead))
            np.copyto(_view(cols[:, a:b], tuple(view.shape[i] for i in perm)), view.transpose(perm))
        else:
            np.copyto(_view(cols[a:b], view.shape), view)
        if a == b:
            return
        if order == "pool":  # one matmul per pool tap, so each slab is pooled while still in cache
            m = (b - a) // t
            qc = _view(q[lo:hi], (m, o))
            for i, s0 in enumerate(range(a, b, m)):
                zi = z[s0:s0 + m]
                np.matmul(cols[:, s0:s0 + m].T if taps else cols[s0:s0 + m], wm, out=zi)
                if i:
                    np.maximum(z[a:a + m] if i == 1 else qc, zi, out=qc)
            if t == 1:
                np.copyto(qc, z[a:b])
            return
        np.matmul(cols[:, a:b].T if taps else cols[a:b], wm, out=z[a:b])
        slabs = _slabs(z[a:b], order, hi - lo, pooled, pool)
        qc = _view(q[lo:hi], slabs[0].shape)
        if len(slabs) == 1:
            np.copyto(qc, slabs[0])
        else:
            np.maximum(slabs[0], slabs[1], out=qc)
        for sl in slabs[2:]:
            np.maximum(qc, sl, out=qc)

    _threads.run_chunks(chunk, _threads.batch_chunks(n, per * k))
    # rounding is monotonic, so max(z + b) == max(z) + b exactly: the bias goes on the pooled values
    p = _nn._bias_add_kernel(q, bias[0], data_format="NHWC") if bias else q
    if relu:  # and Relu commutes with max
        p = np.maximum(p, 0, out=p) if bias else _nn._relu_kernel(p)
    return p, q, z, cols


def _grad_kernel(x, cols, w, z, q, p, d, *, strides, padding, dilations, pool, order, relu, need_dx):
    if need_dx and order != "image":
        R.fail(_BWD, "the input gradient needs the image row order")
    pooled, pads, covered, per = _layout(x.shape, w.shape, strides, padding, dilations, pool)
    ksize, n, c, o = w.shape[:-2], x.shape[0], x.shape[-1], w.shape[-1]
    taps = _few_channels(c)
    g = np.empty(z.shape, d.dtype)
    if need_dx:
        dxp = np.zeros((n,) + tuple(m + lo + hi for m, (lo, hi) in zip(x.shape[1:-1], pads)) + (c,), d.dtype)
        wk = [np.ascontiguousarray(wt.T) for wt in w.reshape(-1, c, o)]

    def chunk(lo, hi):
        a, b = lo * per, hi * per
        zs, gs = _slabs(z[a:b], order, hi - lo, pooled, pool), _slabs(g[a:b], order, hi - lo, pooled, pool)
        qf, df = q[lo:hi].reshape(zs[0].shape), d[lo:hi].reshape(zs[0].shape)
        free = hit = dw = None
        m = (b - a) // len(zs) if b > a else 0
        for i, (zi, gi) in enumerate(zip(zs, gs)):  # TF's first maximum per window (of Relu's output if `relu`)
            hit = zi == qf
            if i == 0 and relu:  # the window's Relu outputs are all 0: the first one takes the gradient
                hit |= p[lo:hi].reshape(qf.shape) <= 0
            if free is not None:
                hit &= free
            if i + 1 < len(zs):
                free = ~hit if free is None else np.logical_xor(free, hit, out=free)
            np.multiply(df, hit, out=gi)
            if order == "pool":  # this slab's part of the filter gradient, while it is in cache
                s0 = a + i * m
                part = cols[:, s0:s0 + m] @ gi if taps else cols[s0:s0 + m].T @ gi
                dw = part if dw is None else dw + part
        # each window's gradient lands on exactly one element, unless its max is NaN (then on none)
        missed = (~hit if free is None else free ^ hit).any()
        db = _nn._column_sums(g[a:b] if missed else d[lo:hi].reshape(-1, o))
        if order != "pool":
            dw = cols[:, a:b] @ g[a:b] if taps else cols[a:b].T @ g[a:b]
        if need_dx and b > a:  # one matmul per filter tap, each result contiguous, added to the rows that tap read
            dxc = dxp[lo:hi]
            for i, (_, sl) in enumerate(W.taps(ksize, covered, strides, dilations)):
                dxc[sl] += (g[a:b] @ wk[i]).reshape((hi - lo,) + covered + (c,))
        return dw, db

    parts = _threads.run_chunks(chunk, _threads.batch_chunks(n, per * int(np.prod(ksize)) * c))
    dw, db = parts[0]
    for pw, pb in parts[1:]:
        dw, db = dw + pw, db + pb
    dx = dxp[W.interior(x.shape, pads)] if need_dx else np.zeros((0,), d.dtype)
    return dw.reshape(w.shape), db, dx


def _fwd_dtype(xd, wd, *bd, **_):
    dt = R.same(_FWD, FUSABLE_TYPES)(xd, wd, *bd)
    return dt, dt, dt, dt


def _fwd_shape(xs, ws, *bs, strides, padding, dilations, pool, order, relu):
    if xs is None or ws is None:
        R.fail(_FWD, "needs inputs of known rank")
    pooled, _ = _geometry(xs, ws, strides, padding, dilations, pool)
    n, c, o = xs[0], xs[-1], ws[-1]
    k = None if None in ws[:-2] or c is None else int(np.prod(ws[:-2])) * c
    m = None if n is None or None in pooled else n * int(np.prod(pooled))
    rows = None if m is None else m * int(np.prod(pool))
    cols = (k, rows) if _few_channels(c) else (rows, k)
    return (n,) + pooled + (o,), (n,) + pooled + (o,), (rows, o), cols


def _grad_dtype(*dts, **_):
    dt = R.same(_BWD, FUSABLE_TYPES)(*dts)
    return dt, dt, dt


def _grad_shape(xs, cs, ws, zs, qs, ps, ds, *, need_dx, **_):
    return ws, (None if ws is None else ws[-1],), (xs if need_dx else (0,))


fused_conv2d_max_pool_p = Primitive(_FWD, _fwd_kernel, dtype_rule=_fwd_dtype, shape_rule=_fwd_shape,
                                    multiple_results=True)
fused_conv2d_max_pool_grad_p = Primitive(_BWD, _grad_kernel, dtype_rule=_grad_dtype, shape_rule=_grad_shape,
                                         multiple_results=True)
_threads.PARALLEL_PRIMS.update([fused_conv2d_max_pool_p, fused_conv2d_max_pool_grad_p])
