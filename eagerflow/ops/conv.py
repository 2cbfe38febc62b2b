"""Convolutions: `tf.nn.conv1d/2d/3d`, `convolution`, `conv*_transpose`, `depthwise_conv2d`.

A convolution is im2col (one strided window view of the padded input, copied once into a matrix)
times the filter as a single BLAS matmul. Its two backward primitives (`Conv2DBackpropInput`,
`Conv2DBackpropFilter`) are that matmul transposed, plus a col2im scatter that loops over kernel taps,
never over pixels. Each backward primitive has a gradient written with these three primitives, so
higher-order gradients and graphs work. Backward primitives take the size they produce as an int
tensor (as TF's ops do, so unknown batch sizes work in graphs) plus its static part as an attribute
for shape inference. Pooling lives in `pool.py`; this module re-exports it so that `tf.nn`
(ops.nn + ops.conv) has both.

>>> import eagerflow as tf
>>> tf.nn.conv2d(tf.ones([1, 5, 5, 1]), tf.ones([3, 3, 1, 2]), strides=1, padding="VALID").shape
TensorShape([1, 3, 3, 2])
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import dtypes as _dt
from ..primitive import Primitive, bind
from ..tensor import Tensor, convert_to_tensor, get_static_value
from . import array as _array, pool as _pool, rules as R, windows as W
from .pool import *  # noqa: F401,F403 - tf.nn = ops.nn + ops.conv

__all__ = [
    "conv1d", "conv2d", "conv3d", "convolution", "conv1d_transpose", "conv2d_transpose",
    "conv3d_transpose", "depthwise_conv2d",
] + _pool.__all__

CONV_TYPES = frozenset([_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64, _dt.int32])


# ---- convolution kernels ---------------------------------------------------------------------------------

def _conv_check(op: str, xs, ws, strides, dilations, padding):
    """Validates channels-last shapes (tuples, None allowed); returns (outs, pads, groups)."""
    r = len(strides)
    if xs is not None and len(xs) != r + 2:
        R.fail(op, f"input must be {r + 2}-dimensional: {list(xs)}")
    if ws is not None and len(ws) != r + 2:
        R.fail(op, f"filter must be {r + 2}-dimensional: {list(ws)}")
    if any(s < 1 for s in strides):
        R.fail(op, f"Stride must be > 0, but got {min(strides)}")
    if any(d < 1 for d in dilations):
        R.fail(op, "Dilated rates should be larger than 0.")
    groups = 1
    if xs is not None and ws is not None and xs[-1] is not None and ws[-2] is not None:
        if ws[-2] == 0 or xs[-1] % ws[-2]:
            R.fail(op, f"input depth must be evenly divisible by filter depth: {xs[-1]} vs {ws[-2]}")
        groups = xs[-1] // ws[-2]
        if ws[-1] is not None and ws[-1] % groups:
            R.fail(op, f"output depth must be evenly divisible by number of groups: {ws[-1]} vs {groups}")
    spatial = xs[1:-1] if xs is not None else (None,) * r
    ksize = ws[:r] if ws is not None else (None,) * r
    outs, pads = W.geometry(op, spatial, ksize, strides, dilations, padding)
    return outs, pads, groups


# Below this many input channels im2col is built tap-major ([K*C, P]): a row-major [P, K*C] copy would
# move C floats at a time, which is several times slower for 1-3 channel images.
_FEW_CHANNELS = 8


def _im2col(x: np.ndarray, ksize, outs, pads, strides, dilations, layout: str) -> np.ndarray:
    """The one copy a convolution makes of its input, as [P, K*C] ("rows"), [K*C, P] ("taps") or
    [P, K, C] ("groups"), with P = N * prod(outs) and K = prod(ksize)."""
    win = W.windows(W.pad(x, pads), ksize, outs, strides, dilations)
    k, c = int(np.prod(ksize)), x.shape[-1]
    if layout == "taps":
        r = len(ksize)
        perm = tuple(range(1 + r, 2 + 2 * r)) + (0,) + tuple(range(1, 1 + r))
        return win.transpose(perm).reshape(k * c, -1)
    return win.reshape(-1, k * c) if layout == "rows" else win.reshape(-1, k, c)


def _layout(groups: int, channels: int) -> str:
    if groups > 1:
        return "groups"
    return "taps" if channels < _FEW_CHANNELS else "rows"


def _conv_kernel(x, w, *, strides, padding, dilations, data_format, op):
    x = W.to_last(x, data_format)
    r = len(strides)
    outs, pads, groups = _conv_check(op, x.shape, w.shape, strides, dilations, padding)
    layout = _layout(groups, x.shape[-1])
    cols = _im2col(x, w.shape[:r], outs, pads, strides, dilations, layout)
    o = w.shape[-1]
    if layout == "rows":
        y = cols @ w.reshape(-1, o)
    elif layout == "taps":
        y = cols.T @ w.reshape(-1, o)
    else:  # group j: its input channels times its slice of the filter's outputs
        fc, og = w.shape[-2], o // groups
        wm = w.reshape(-1, fc, o)
        y = np.concatenate([cols[:, :, j * fc:(j + 1) * fc].reshape(len(cols), -1)
                            @ wm[:, :, j * og:(j + 1) * og].reshape(-1, og) for j in range(groups)], axis=-1)
    return W.from_last(y.reshape((x.shape[0],) + outs + (o,)), data_format)


def _check_out_backprop(op: str, g_shape, n: int, outs, o: int) -> None:
    if g_shape[1:-1] != outs or g_shape[-1] != o or g_shape[0] != n:
        R.fail(op, f"Size of out_backprop doesn't match computed: actual = {list(g_shape)}, computed = "
                   f"{[n, *outs, o]}")


def _conv_input_kernel(sizes, w, g, *, input_shape, strides, padding, dilations, data_format, op):
    xs = W.shape_to_last(tuple(int(v) for v in sizes), data_format)
    g = W.to_last(g, data_format)
    r = len(strides)
    outs, pads, groups = _conv_check(op, xs, w.shape, strides, dilations, padding)
    _check_out_backprop(op, g.shape, xs[0], outs, w.shape[-1])
    n, c, o = xs[0], xs[-1], w.shape[-1]
    ksize = w.shape[:r]
    padded = tuple(d + lo + hi for d, (lo, hi) in zip(xs[1:-1], pads))
    gm = g.reshape(-1, o)
    layout = _layout(groups, c)
    if layout == "taps":  # [K, C, N, *outs] from one matmul, scattered into a [C, N, *padded] buffer
        dct = (w.reshape(-1, o) @ gm.T).reshape(tuple(ksize) + (c, n) + outs)
        dxp = np.zeros((c, n) + padded, g.dtype)
        for tap, sl in W.taps(ksize, outs, strides, dilations):
            dxp[(slice(None),) + sl[:-1]] += dct[tap]
        dxp = np.moveaxis(dxp, 0, -1)
    else:
        dxp = np.zeros((n,) + padded + (c,), g.dtype)
        wk = w.reshape(-1, w.shape[-2], o)
        og = o // groups
        for i, (tap, sl) in enumerate(W.taps(ksize, outs, strides, dilations)):
            if groups == 1:
                part = gm @ wk[i].T
            else:
                part = np.concatenate([gm[:, j * og:(j + 1) * og] @ wk[i][:, j * og:(j + 1) * og].T
                                       for j in range(groups)], axis=-1)
            dxp[sl] += part.reshape((n,) + outs + (c,))
    return W.from_last(dxp[W.interior(xs, pads)], data_format)


def _conv_filter_kernel(x, sizes, g, *, filter_shape, strides, padding, dilations, data_format, op):
    ws = tuple(int(v) for v in sizes)
    x, g = W.to_last(x, data_format), W.to_last(g, data_format)
    r = len(strides)
    outs, pads, groups = _conv_check(op, x.shape, ws, strides, dilations, padding)
    _check_out_backprop(op, g.shape, x.shape[0], outs, ws[-1])
    layout = _layout(groups, x.shape[-1])
    cols = _im2col(x, ws[:r], outs, pads, strides, dilations, layout)
    gm = g.reshape(-1, ws[-1])
    if layout == "rows":
        dw = cols.T @ gm
    elif layout == "taps":
        dw = cols @ gm
    else:
        fc, og = ws[-2], ws[-1] // groups
        dw = np.concatenate([(cols[:, :, j * fc:(j + 1) * fc].reshape(len(cols), -1).T
                              @ gm[:, j * og:(j + 1) * og]).reshape(-1, fc, og) for j in range(groups)], axis=-1)
    return dw.reshape(ws)


# ---- convolution primitives (2-D and 3-D share kernels; the rank picks the TF op name) -----------------

def _conv_shape(xs, ws, *, strides, padding, dilations, data_format, op):
    if xs is not None and len(xs) != len(strides) + 2:
        R.fail(op, f"input must be {len(strides) + 2}-dimensional: {list(xs)}")
    xl = W.shape_to_last(xs, data_format) if xs is not None else None
    outs, _, _ = _conv_check(op, xl, ws, strides, dilations, padding)
    n = xl[0] if xl is not None else None
    o = ws[-1] if ws is not None else None
    return W.shape_from_last((n,) + outs + (o,), data_format)


def _conv_input_shape(ss, ws, gs, *, input_shape, strides, data_format, **_):
    s = list(W.shape_to_last(input_shape or (None,) * (len(strides) + 2), data_format))
    if gs is not None and s[0] is None:
        s[0] = gs[0]
    if ws is not None and s[-1] is None and ws[-2] is not None:
        s[-1] = ws[-2]
    return W.shape_from_last(tuple(s), data_format)


def _conv_filter_shape(xs, ss, gs, *, filter_shape, strides, data_format, **_):
    s = list(filter_shape or (None,) * (len(strides) + 2))
    gl = W.shape_to_last(gs, data_format) if gs is not None else None
    if gl is not None and s[-1] is None:
        s[-1] = gl[-1]
    return tuple(s)


def _conv_grad(g, out, x, w, **attrs):
    prims = _CONV[len(attrs["strides"])]
    dx = bind(prims[1], _array.shape(x), w, g, input_shape=x.shape.as_tuple(), **attrs)
    dw = bind(prims[2], x, _array.shape(w), g, filter_shape=w.shape.as_tuple(), **attrs)
    return dx, dw


def _conv_input_grad(gg, out, sizes, w, g, *, input_shape, **attrs):
    prims = _CONV[len(attrs["strides"])]
    dw = bind(prims[2], gg, _array.shape(w), g, filter_shape=w.shape.as_tuple(), **attrs)
    return None, dw, bind(prims[0], gg, w, **attrs)


def _conv_filter_grad(gg, out, x, sizes, g, *, filter_shape, **attrs):
    prims = _CONV[len(attrs["strides"])]
    dx = bind(prims[1], _array.shape(x), gg, g, input_shape=x.shape.as_tuple(), **attrs)
    return dx, None, bind(prims[0], x, gg, **attrs)


def _sizes_dtype(op):
    def rule(sd, wd, gd, **_):
        if sd not in (_dt.int32, _dt.int64):
            R.fail(op, f"sizes must be int32 or int64, got {sd.name}")
        return R.same(op, CONV_TYPES)(wd, gd)
    return rule


def _filter_sizes_dtype(op):
    def rule(xd, sd, gd, **_):
        if sd not in (_dt.int32, _dt.int64):
            R.fail(op, f"filter_sizes must be int32 or int64, got {sd.name}")
        return R.same(op, CONV_TYPES)(xd, gd)
    return rule


def _conv_prims(fwd: str, bwd_in: str, bwd_filter: str):
    return (
        Primitive(fwd, partial(_conv_kernel, op=fwd), dtype_rule=R.same(fwd, CONV_TYPES),
                  shape_rule=partial(_conv_shape, op=fwd), grad=_conv_grad),
        Primitive(bwd_in, partial(_conv_input_kernel, op=bwd_in), dtype_rule=_sizes_dtype(bwd_in),
                  shape_rule=_conv_input_shape, grad=_conv_input_grad),
        Primitive(bwd_filter, partial(_conv_filter_kernel, op=bwd_filter), dtype_rule=_filter_sizes_dtype(bwd_filter),
                  shape_rule=_conv_filter_shape, grad=_conv_filter_grad),
    )


conv2d_p, conv2d_backprop_input_p, conv2d_backprop_filter_p = _conv_prims(
    "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter")
conv3d_p, conv3d_backprop_input_p, conv3d_backprop_filter_p = _conv_prims(
    "Conv3D", "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2")
_CONV = {2: (conv2d_p, conv2d_backprop_input_p, conv2d_backprop_filter_p),
         3: (conv3d_p, conv3d_backprop_input_p, conv3d_backprop_filter_p)}


def _conv_attrs(r: int, op: str, strides, padding, data_format, dilations) -> dict:
    data_format = W.format_arg(data_format, r, op)
    return dict(strides=W.spatial_arg("strides", strides, r, data_format, op),
                padding=W.padding_arg(padding, r, data_format, op),
                dilations=W.spatial_arg("dilations", dilations, r, data_format, op), data_format=data_format)


# ---- public convolutions ---------------------------------------------------------------------------------

def _conv(r: int, input, filters, strides, padding, data_format, dilations) -> Tensor:
    prim = _CONV[r][0]
    attrs = _conv_attrs(r, prim.name, strides, padding, data_format, dilations)
    x = convert_to_tensor(input)
    w = convert_to_tensor(filters, dtype_hint=x.dtype)
    return bind(prim, x, w, **attrs)


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None) -> Tensor:  # noqa: A002
    """2-D convolution (cross-correlation, as TF) of `input` [N, H, W, C] with `filters` [KH, KW, C, O].

    `padding` is "SAME", "VALID" or explicit [[0, 0], [top, bottom], [left, right], [0, 0]]; a filter
    depth dividing C gives a grouped convolution.

    >>> import eagerflow as tf
    >>> tf.nn.conv2d(tf.ones([2, 8, 8, 3]), tf.ones([3, 3, 3, 4]), strides=2, padding="SAME").shape
    TensorShape([2, 4, 4, 4])
    """
    return _conv(2, input, filters, strides, padding, data_format, dilations)


def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None, name=None) -> Tensor:  # noqa: A002
    """3-D convolution of `input` [N, D, H, W, C] with `filters` [KD, KH, KW, C, O].

    >>> import eagerflow as tf
    >>> tf.nn.conv3d(tf.ones([1, 4, 4, 4, 1]), tf.ones([2, 2, 2, 1, 3]), [1, 1, 1, 1, 1], "VALID").shape
    TensorShape([1, 3, 3, 3, 3])
    """
    return _conv(3, input, filters, strides, padding, data_format, dilations)


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None, name=None) -> Tensor:  # noqa: A002
    """1-D convolution of `input` [N, W, C] with `filters` [K, C, O] (runs as Conv2D, as TF does).

    >>> import eagerflow as tf
    >>> tf.nn.conv1d(tf.ones([2, 10, 3]), tf.ones([3, 3, 4]), stride=1, padding="VALID").shape
    TensorShape([2, 8, 4])
    """
    fmt, axis = W.one_d_format(data_format, "Conv2D")
    attrs = dict(strides=W.one_d_spatial("stride", stride, fmt, "Conv2D"),
                 padding=W.one_d_padding(padding, fmt, "Conv2D"),
                 dilations=W.one_d_spatial("dilations", dilations, fmt, "Conv2D"), data_format=fmt)
    x = convert_to_tensor(input)
    w = convert_to_tensor(filters, dtype_hint=x.dtype)
    W.check_rank(x, 1, "conv1d input")
    W.check_rank(w, 1, "conv1d filters")
    y = bind(conv2d_p, _array.expand_dims(x, axis), _array.expand_dims(w, 0), **attrs)
    return _array.squeeze(y, [axis])


def convolution(input, filters, strides=None, padding="VALID", data_format=None, dilations=None,  # noqa: A002
                name=None) -> Tensor:
    """N-d convolution: conv1d, conv2d or conv3d chosen by the rank of `input`."""
    x = convert_to_tensor(input)
    rank = x.shape.rank
    if rank == 3:
        return conv1d(x, filters, 1 if strides is None else strides, padding, data_format, dilations)
    if rank in (4, 5):
        return _conv(rank - 2, x, filters, strides, padding, data_format, dilations)
    raise ValueError(f"`input` must have rank 3, 4 or 5 (known statically), got shape {x.shape}")


def _output_sizes(output_shape, r: int):
    sizes = convert_to_tensor(output_shape, dtype_hint=_dt.int32)
    if sizes.dtype not in (_dt.int32, _dt.int64):
        raise TypeError(f"output_shape must be int32 or int64, got {sizes.dtype.name}")
    if sizes.shape.rank != 1 or sizes.shape[0] not in (None, r + 2):
        raise ValueError(f"output_shape must have shape ({r + 2},), got {sizes.shape}")
    static = get_static_value(sizes)
    if static is not None:
        return sizes, tuple(int(v) for v in static)
    if isinstance(output_shape, (list, tuple)) and len(output_shape) == r + 2:  # e.g. [tf.shape(x)[0], 8, 8, 3]
        known = [get_static_value(v) if isinstance(v, Tensor) else v for v in output_shape]
        return sizes, tuple(None if v is None else int(v) for v in known)
    return sizes, (None,) * (r + 2)


def _conv_transpose(r: int, input, filters, output_shape, strides, padding, data_format, dilations) -> Tensor:
    prim = _CONV[r][1]
    attrs = _conv_attrs(r, prim.name, strides, padding, data_format, dilations)
    x = convert_to_tensor(input)
    w = convert_to_tensor(filters, dtype_hint=x.dtype)
    sizes, static = _output_sizes(output_shape, r)
    return bind(prim, sizes, w, x, input_shape=static, **attrs)


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NHWC",  # noqa: A002
                     dilations=None, name=None) -> Tensor:
    """The gradient of conv2d w.r.t. its input: `filters` is [KH, KW, out_channels, in_channels].

    >>> import eagerflow as tf
    >>> tf.nn.conv2d_transpose(tf.ones([1, 4, 4, 8]), tf.ones([3, 3, 2, 8]), [1, 8, 8, 2], 2).shape
    TensorShape([1, 8, 8, 2])
    """
    return _conv_transpose(2, input, filters, output_shape, strides, padding, data_format, dilations)


def conv3d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NDHWC",  # noqa: A002
                     dilations=None, name=None) -> Tensor:
    """The gradient of conv3d w.r.t. its input: `filters` is [KD, KH, KW, out_channels, in_channels]."""
    return _conv_transpose(3, input, filters, output_shape, strides, padding, data_format, dilations)


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NWC",  # noqa: A002
                     dilations=None, name=None) -> Tensor:
    """The gradient of conv1d w.r.t. its input: `filters` is [K, out_channels, in_channels].

    >>> import eagerflow as tf
    >>> tf.nn.conv1d_transpose(tf.ones([2, 5, 4]), tf.ones([3, 3, 4]), [2, 10, 3], 2).shape
    TensorShape([2, 10, 3])
    """
    op = "Conv2DBackpropInput"
    fmt, axis = W.one_d_format(data_format, op)
    attrs = dict(strides=W.one_d_spatial("strides", strides, fmt, op), padding=W.one_d_padding(padding, fmt, op),
                 dilations=W.one_d_spatial("dilations", dilations, fmt, op), data_format=fmt)
    x = convert_to_tensor(input)
    w = convert_to_tensor(filters, dtype_hint=x.dtype)
    W.check_rank(x, 1, "conv1d_transpose input")
    W.check_rank(w, 1, "conv1d_transpose filters")
    sizes, static = _output_sizes(output_shape, 1)
    static = static[:axis] + (1,) + static[axis:]
    if None not in static:
        sizes = convert_to_tensor(list(static), dtype=sizes.dtype)
    else:
        sizes = _array.concat([sizes[:axis], _array.ones([1], sizes.dtype), sizes[axis:]], 0)
    y = bind(conv2d_backprop_input_p, sizes, _array.expand_dims(w, 0), _array.expand_dims(x, axis),
             input_shape=static, **attrs)
    return _array.squeeze(y, [axis])


def depthwise_conv2d(input, filter, strides, padding, data_format=None, dilations=None,  # noqa: A002
                     name=None) -> Tensor:
    """Convolves each input channel with its own `channel_multiplier` filters: `filter` is [KH, KW, C, M].

    Runs as a grouped Conv2D (one group per input channel); output channel c * M + m as TF.

    >>> import eagerflow as tf
    >>> tf.nn.depthwise_conv2d(tf.ones([1, 5, 5, 3]), tf.ones([3, 3, 3, 2]), [1, 1, 1, 1], "SAME").shape
    TensorShape([1, 5, 5, 6])
    """
    attrs = _conv_attrs(2, "DepthwiseConv2dNative", strides, padding, data_format, dilations)
    x = convert_to_tensor(input)
    w = convert_to_tensor(filter, dtype_hint=x.dtype)
    ws = w.shape
    if ws.rank != 4 or not ws.is_fully_defined():
        raise ValueError(f"depthwise_conv2d needs a rank-4 filter with a static shape, got shape {ws}")
    kh, kw, c, m = ws.as_list()
    xc = x.shape[1 if attrs["data_format"] == "NCHW" else -1] if x.shape.rank == 4 else None
    if xc is not None and xc != c:
        R.fail("DepthwiseConv2dNative", f"input and filter must have the same depth: {xc} vs {c}")
    return bind(conv2d_p, x, _array.reshape(w, [kh, kw, 1, c * m]), **attrs)
