"""Sliding-window geometry shared by convolution and pooling: output sizes and pads as TF computes
them, channels-last views, strided window views and per-tap slices, and the normalization of TF's
`strides` / `dilations` / `ksize` / `padding` / `data_format` arguments.

Kernels work channels-last; `to_last` / `from_last` convert "NC..." arrays with views, not copies.
Shapes are tuples with None for unknown dims, so shape rules share this code with the kernels.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..errors import UnimplementedError
from ..tensor import Tensor, get_static_value
from . import rules as R

FORMATS = {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}


# ---- geometry (shared by kernels and shape rules) -------------------------------------------------------

def out_size(op: str, size, k, s: int, d: int, padding, i: int):
    """(output size, pad before, pad after) of one spatial dim; None where not yet known."""
    if padding == "SAME":
        if size is None:
            return None, None, None
        out = -(-size // s)
        if k is None:
            return out, None, None
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        return out, total // 2, total - total // 2
    lo, hi = (0, 0) if padding == "VALID" else padding[i]
    if size is None or k is None:
        return None, lo, hi
    eff = (k - 1) * d + 1
    n = size + lo + hi - eff + s
    out = n // s if n >= 0 else -(-n // s)  # C++ truncation, as TF computes it
    if out < 0:
        R.fail(op, f"Computed output size would be negative: {out} [input_size: {size}, "
                   f"effective_filter_size: {eff}, stride: {s}]")
    return out, lo, hi


def geometry(op: str, spatial, ksize, strides, dilations, padding):
    """Output spatial sizes and (lo, hi) pads for each spatial dim."""
    res = [out_size(op, n, k, s, d, padding, i)
           for i, (n, k, s, d) in enumerate(zip(spatial, ksize, strides, dilations))]
    return tuple(r[0] for r in res), tuple((r[1], r[2]) for r in res)


def to_last(x: np.ndarray, data_format: str) -> np.ndarray:
    """Channels-last view of an array in `data_format`."""
    return x if data_format[-1] == "C" else np.moveaxis(x, 1, -1)


def from_last(y: np.ndarray, data_format: str) -> np.ndarray:
    return y if data_format[-1] == "C" else np.moveaxis(y, -1, 1)


def shape_to_last(s, data_format: str):
    return s if data_format[-1] == "C" else (s[0],) + tuple(s[2:]) + (s[1],)


def shape_from_last(s, data_format: str):
    return s if data_format[-1] == "C" else (s[0], s[-1]) + tuple(s[1:-1])


def pad(x: np.ndarray, pads, value=0) -> np.ndarray:
    """Pads the spatial dims of a channels-last array (no copy when all pads are zero)."""
    if not any(lo or hi for lo, hi in pads):
        return x
    shape = (x.shape[0],) + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[1:-1], pads)) + (x.shape[-1],)
    out = np.zeros(shape, x.dtype) if value == 0 else np.full(shape, value, x.dtype)
    out[interior(x.shape, pads)] = x
    return out


def interior(shape, pads) -> tuple:
    return (slice(None),) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(shape[1:-1], pads)) + (slice(None),)


def windows(xp: np.ndarray, ksize, outs, strides, dilations) -> np.ndarray:
    """Read-only view (N, *outs, *ksize, C) of every window of the padded input: no copy."""
    r = len(ksize)
    st = xp.strides
    shape = (xp.shape[0],) + tuple(outs) + tuple(ksize) + (xp.shape[-1],)
    steps = ((st[0],) + tuple(st[1 + i] * strides[i] for i in range(r))
             + tuple(st[1 + i] * dilations[i] for i in range(r)) + (st[-1],))
    return as_strided(xp, shape, steps, writeable=False)


def tiles(x: np.ndarray, ksize, outs) -> np.ndarray:
    """View (N, O1, K1, ..., Or, Kr, C) of the part of a channels-last array that windows of size
    `ksize` placed side by side (stride == ksize) cover: no copy. Window (o1, ..., or), tap
    (k1, ..., kr) is `[:, o1, k1, ..., or, kr, :]`; trailing rows no window reaches are left out."""
    covered = x[(slice(None),) + tuple(slice(0, o * k) for o, k in zip(outs, ksize))]
    shape = (x.shape[0],) + tuple(d for o, k in zip(outs, ksize) for d in (o, k)) + (x.shape[-1],)
    return covered.reshape(shape)  # splitting axes of a basic slice: always a view


def tile_tap(tap) -> tuple:
    """The index of one tap (k1, ..., kr) of every window in a `tiles` view."""
    return (slice(None),) + sum(((slice(None), t) for t in tap), ()) + (slice(None),)


def taps(ksize, outs, strides, dilations):
    """For each kernel tap, the slices of the padded input that the tap reads for all outputs."""
    for tap in np.ndindex(*ksize):
        yield tap, (slice(None),) + tuple(
            slice(t * d, t * d + (o - 1) * s + 1, s) for t, o, s, d in zip(tap, outs, strides, dilations)
        ) + (slice(None),)


# ---- argument normalization ------------------------------------------------------------------------------

def static_ints(name: str, value) -> tuple:
    if type(value) is int:
        return (value,)
    if type(value) in (list, tuple) and all(type(v) is int for v in value):
        return tuple(value)
    if isinstance(value, Tensor):
        static = get_static_value(value)
        if static is None:
            raise ValueError(f"`{name}` must be known statically (Python ints), got the symbolic tensor {value}")
        value = static
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu" and not (arr.dtype.kind == "f" and np.all(arr == np.round(arr))):
        raise TypeError(f"`{name}` must be an int or a list of ints, got {value!r}")
    return tuple(int(v) for v in arr.reshape(-1))


def spatial_arg(name: str, value, r: int, data_format: str, op: str) -> tuple:
    """strides / dilations / ksize as r spatial ints (TF accepts 1, r or r + 2 entries)."""
    if value is None:
        return (1,) * r
    v = static_ints(name, value)
    if len(v) == 1:
        return v * r
    if len(v) == r:
        return v
    if len(v) == r + 2:
        channels_last = data_format[-1] == "C"
        if ((v[0], v[-1]) if channels_last else v[:2]) != (1, 1):
            what = ("MaxPooling supports exactly one of pooling across depth or pooling across width/height."
                    if name == "ksize" else
                    f"Current implementation does not yet support {name} in the batch and depth dimensions.")
            raise UnimplementedError(None, None, f"{what} [Op:{op}]")
        return v[1:-1] if channels_last else v[2:]
    raise ValueError(f"{name} should be of length 1, {r} or {r + 2}. Received: {name}={list(v)} of length {len(v)}")


def padding_arg(padding, r: int, data_format: str, op: str, explicit: bool = True):
    """'SAME', 'VALID', or r (lo, hi) pairs from TF's explicit [[0, 0], [lo, hi], ..., [0, 0]] form."""
    if isinstance(padding, (str, bytes)):
        padding = padding.decode() if isinstance(padding, bytes) else padding
        if padding in ("SAME", "VALID"):
            return padding
        R.fail(op, f"Value for attr 'padding' of \"{padding}\" is not in the list of allowed values: "
                   f"\"SAME\", \"VALID\"" + (", \"EXPLICIT\"" if explicit else ""))
    if not explicit:
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    try:
        pads = [tuple(int(a) for a in p) for p in padding]
    except TypeError:
        raise ValueError(f"padding must be 'SAME', 'VALID' or a list of [before, after] pairs, "
                         f"got {padding!r}") from None
    if len(pads) != r + 2 or any(len(p) != 2 for p in pads):
        raise ValueError(f"When padding is a list, it must be of size {r + 2}. Received: padding={padding} "
                         f"of size {len(pads)}")
    channels_last = data_format[-1] == "C"
    outer = (pads[0], pads[-1]) if channels_last else (pads[0], pads[1])
    if outer != ((0, 0), (0, 0)):
        raise ValueError(f"The padding of the batch and channel dimensions must be 0. Received: padding={padding}")
    spatial = tuple(pads[1:-1] if channels_last else pads[2:])
    if any(a < 0 for p in spatial for a in p):
        raise ValueError(f"All elements of explicit padding must be non-negative. Received: padding={padding}")
    return spatial


def format_arg(data_format, r: int, op: str) -> str:
    if data_format is None:
        return FORMATS[r][0]
    if data_format not in FORMATS[r]:
        a, b = FORMATS[r]
        R.fail(op, f"Value for attr 'data_format' of \"{data_format}\" is not in the list of allowed values: "
                   f"\"{a}\", \"{b}\"")
    return data_format


def one_d_format(data_format, op: str):
    """The 2-D format a 1-D op runs in (as TF: expand a unit height dim) and the axis it inserts."""
    if data_format in (None, "NWC", "NHWC"):
        return "NHWC", 1
    if data_format in ("NCW", "NCHW"):
        return "NCHW", 2
    R.fail(op, f"Value for attr 'data_format' of \"{data_format}\" is not in the list of allowed values: "
               "\"NWC\", \"NCW\"")


def one_d_spatial(name: str, value, fmt: str, op: str) -> tuple:
    if value is None:
        return (1, 1)
    v = static_ints(name, value)
    if len(v) == 3:  # [1, s, 1] in NWC (or [1, 1, s] in NCW): check like the 2-D op would
        return spatial_arg(name, (v[0], 1, v[1], v[2]) if fmt == "NHWC" else (v[0], v[1], 1, v[2]), 2, fmt, op)
    if len(v) != 1:
        raise ValueError(f"{name} should be of length 1 or 3. Received: {name}={list(v)} of length {len(v)}")
    return (1, v[0])


def one_d_padding(padding, fmt: str, op: str, explicit: bool = True):
    if isinstance(padding, (str, bytes)) or not explicit:
        return padding_arg(padding, 2, fmt, op, explicit)
    pads = [list(p) for p in padding]
    if len(pads) != 3:
        raise ValueError(f"When padding is a list, it must be of size 3. Received: padding={padding} of size "
                         f"{len(pads)}")
    return padding_arg(pads[:1] + [[0, 0]] + pads[1:] if fmt == "NHWC" else pads[:2] + [[0, 0]] + pads[2:],
                        2, fmt, op)


def check_rank(x: Tensor, r: int, what: str) -> None:
    if x.shape.rank is not None and x.shape.rank != r + 2:
        raise ValueError(f"{what} must be a rank-{r + 2} tensor, got shape {x.shape}")
