"""Neural-network ops (`tf.nn`): activations, softmax family, cross-entropies, dropout, normalization.

Activations with a TF op of their own (Relu, Relu6, Elu, Selu, LeakyRelu, Softmax, LogSoftmax) are
primitives; so are the cross-entropies (numerically stable in one kernel), BiasAdd and L2Loss. The
rest (gelu, silu, dropout, moments, batch_normalization, ...) are plain Python over primitives.

>>> import eagerflow as tf
>>> print(tf.nn.relu(tf.constant([-1.0, 2.0])))
tf.Tensor([0. 2.], shape=(2,), dtype=float32)
"""
from __future__ import annotations

import math as _pymath

import numpy as np

from .. import dtypes as _dt
from ..primitive import Primitive, bind
from ..shapes import format_dims
from ..tensor import Tensor, convert_to_tensor, get_static_value
from . import array as _array, math as _math, pool as _pool, random as _random, reduce as _reduce, rules as R
from .math import sigmoid, softplus, softsign, tanh  # noqa: F401 - tf.nn exports them too

__all__ = [
    "relu", "relu6", "elu", "selu", "gelu", "leaky_relu", "silu", "swish", "crelu",
    "sigmoid", "tanh", "softplus", "softsign",
    "softmax", "log_softmax", "sigmoid_cross_entropy_with_logits", "weighted_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits",
    "bias_add", "dropout", "l2_loss", "l2_normalize", "moments", "batch_normalization",
    "compute_average_loss",
]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _require_float(x: Tensor, what: str = "features") -> None:
    if not x.dtype.is_floating:
        raise ValueError(f"`{what}.dtype` must be a floating point tensor. Received: {what}.dtype={x.dtype!r}")


# ---- rectifiers --------------------------------------------------------------------------------------------

_ROW = 4096  # elements per row of the row views below


def _rows(x: np.ndarray, unit: int = 1):
    """A contiguous float array viewed as [-1, width] rows, width a multiple of `unit` dividing its size
    and at most _ROW (`unit * 2**k`); None when no such width reaches 256 elements.

    NumPy runs `np.maximum(x, 0)` (a scalar operand) and `x + bias` for a few dozen channels in slow
    loops; against a vector as long as the rows it takes its SIMD loop, 1.5-2.5x faster on
    activation-sized arrays. The values computed are the same, element for element.
    """
    if x.dtype.kind != "f" or unit > _ROW or not x.flags.c_contiguous:
        return None
    width = unit * _pymath.gcd(x.size // unit, _ROW // unit)
    return x.reshape(-1, width) if width >= 256 else None


def _relu_kernel(x):
    rows = _rows(x)
    if rows is None:
        return np.maximum(x, 0)
    return np.maximum(rows, np.zeros(rows.shape[1], x.dtype)).reshape(x.shape)


def _relu_grad_kernel(g, y):
    return np.multiply(g, y > 0)


relu_grad_p = Primitive("ReluGrad", _relu_grad_kernel, dtype_rule=R.same("ReluGrad", R.REAL),
                        shape_rule=lambda g, y: R.broadcast_shapes("ReluGrad", g, y),
                        grad=lambda gg, out, g, y: (bind(relu_grad_p, gg, y), None))


def _relu_grad(g, out, x):
    # Relu > MaxPool in a graph: mask the pooled gradient before the pool's gradient spreads it out
    def mask(v, y):
        return bind(relu_grad_p, v, y)
    pooled = _pool.through_max_pool(g, out, mask)
    return (mask(g, out) if pooled is None else pooled,)


relu_p = Primitive("Relu", _relu_kernel, dtype_rule=R.unary("Relu", R.REAL), shape_rule=R.same_shape,
                   grad=_relu_grad)


def relu(features, name=None) -> Tensor:
    """max(features, 0) elementwise.

    >>> import eagerflow as tf
    >>> print(tf.nn.relu(tf.constant([-2, 3])))
    tf.Tensor([0 3], shape=(2,), dtype=int32)
    """
    return bind(relu_p, _t(features))


def _relu6_grad_kernel(g, x):
    return np.multiply(g, (x > 0) & (x < 6))


relu6_grad_p = Primitive("Relu6Grad", _relu6_grad_kernel, dtype_rule=R.same("Relu6Grad", R.REAL),
                         shape_rule=lambda g, x: R.broadcast_shapes("Relu6Grad", g, x),
                         grad=lambda gg, out, g, x: (bind(relu6_grad_p, gg, x), None))

relu6_p = Primitive("Relu6", lambda x: np.clip(x, 0, 6), dtype_rule=R.unary("Relu6", R.REAL),
                    shape_rule=R.same_shape, grad=lambda g, out, x: (bind(relu6_grad_p, g, x),))


def relu6(features, name=None) -> Tensor:
    """min(max(features, 0), 6) elementwise.

    >>> import eagerflow as tf
    >>> print(tf.nn.relu6(tf.constant([-1.0, 3.0, 9.0])))
    tf.Tensor([0. 3. 6.], shape=(3,), dtype=float32)
    """
    return bind(relu6_p, _t(features))


def _elu_kernel(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


def _elu_grad(g, out, x):
    # d elu / dx is 1 for x > 0 and exp(x) = out + 1 otherwise
    return (_math.where(_math.greater(out, 0), g, _math.multiply(g, _math.add(out, 1))),)


elu_p = Primitive("Elu", _elu_kernel, dtype_rule=R.unary("Elu", R.FLOATS), shape_rule=R.same_shape,
                  grad=_elu_grad)


def elu(features, name=None) -> Tensor:
    """x if x > 0 else exp(x) - 1.

    >>> import eagerflow as tf
    >>> print(tf.nn.elu(tf.constant([-1.0, 2.0])))
    tf.Tensor([-0.63212055  2.        ], shape=(2,), dtype=float32)
    """
    return bind(elu_p, _t(features))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _selu_kernel(x):
    neg = (_SELU_SCALE * _SELU_ALPHA) * np.expm1(np.minimum(x, 0))
    return np.where(x > 0, _SELU_SCALE * x, neg).astype(x.dtype, copy=False)


def _selu_grad(g, out, x):
    # slope: scale for x > 0, scale * alpha * exp(x) = out + scale * alpha otherwise
    neg = _math.multiply(g, _math.add(out, _SELU_SCALE * _SELU_ALPHA))
    return (_math.where(_math.greater(x, 0), _math.multiply(g, _SELU_SCALE), neg),)


selu_p = Primitive("Selu", _selu_kernel, dtype_rule=R.unary("Selu", R.FLOATS), shape_rule=R.same_shape,
                   grad=_selu_grad)


def selu(features, name=None) -> Tensor:
    """Scaled ELU: scale * (x if x > 0 else alpha * (exp(x) - 1)), with TF's fixed alpha and scale.

    >>> import eagerflow as tf
    >>> print(tf.nn.selu(tf.constant([1.0])))
    tf.Tensor([1.050701], shape=(1,), dtype=float32)
    """
    return bind(selu_p, _t(features))


def _leaky_kernel(x, *, alpha):
    return np.where(x > 0, x, x * x.dtype.type(alpha))


def _leaky_grad(g, out, x, *, alpha):
    return (_math.where(_math.greater(x, 0), g, _math.multiply(g, alpha)),)


leaky_relu_p = Primitive("LeakyRelu", _leaky_kernel, dtype_rule=R.unary("LeakyRelu", R.FLOATS),
                         shape_rule=R.same_shape, grad=_leaky_grad)


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """x if x > 0 else alpha * x (integer inputs are first cast to float32, as TF).

    >>> import eagerflow as tf
    >>> print(tf.nn.leaky_relu(tf.constant([-1.0, 2.0]), alpha=0.1))
    tf.Tensor([-0.1  2. ], shape=(2,), dtype=float32)
    """
    x = _t(features)
    if x.dtype.is_integer:
        x = _math.cast(x, _dt.float32)
    return bind(leaky_relu_p, x, alpha=float(alpha))


def crelu(features, axis=-1, name=None) -> Tensor:
    """Concatenated ReLU: concat([relu(x), relu(-x)], axis)."""
    x = _t(features)
    return _array.concat([relu(x), relu(_math.negative(x))], axis)


# ---- smooth activations (sigmoid, tanh, softplus, softsign are math's, re-exported here) --------------

def gelu(features, approximate=False, name=None) -> Tensor:
    """Gaussian error linear unit: x * Phi(x), or its tanh approximation when `approximate`.

    >>> import eagerflow as tf
    >>> print(tf.nn.gelu(tf.constant([1.0, -1.0])))
    tf.Tensor([ 0.8413447  -0.15865526], shape=(2,), dtype=float32)
    """
    x = _t(features)
    _require_float(x)
    half_x = _math.multiply(x, 0.5)
    if approximate:
        inner = _math.multiply(_math.add(x, _math.multiply(_math.pow(x, 3), 0.044715)), 0.7978845608028654)
        return _math.multiply(half_x, _math.add(_math.tanh(inner), 1))
    return _math.multiply(half_x, _math.add(_math.erf(_math.multiply(x, 0.7071067811865476)), 1))


def silu(features, beta=1.0, name=None) -> Tensor:
    """x * sigmoid(beta * x) (a.k.a. swish).

    >>> import eagerflow as tf
    >>> print(tf.nn.silu(tf.constant([0.0, 1.0])))
    tf.Tensor([0.        0.7310586], shape=(2,), dtype=float32)
    """
    x = _t(features)
    if not isinstance(beta, Tensor) and beta == 1.0:
        return _math.multiply(x, _math.sigmoid(x))
    return _math.multiply(x, _math.sigmoid(_math.multiply(x, beta)))


swish = silu


# ---- softmax family -------------------------------------------------------------------------------------

def _softmax_shape(op):
    def rule(s, *, axis):
        if s is not None:
            if len(s) == 0:
                R.fail(op, "logits must have >= 1 dimension, got []")
            _check_axis(op, axis, len(s))
        return s
    return rule


def _check_axis(op: str, axis: int, rank: int) -> None:
    if not -rank <= axis < rank:
        R.fail(op, f"`dim` must be in the range [{-rank}, {rank}) where {rank} is the number of dimensions "
                          f"in the input. Received: dim={axis}")


def _softmax_kernel(x, *, axis):
    if x.size == 0:
        return x.copy()
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def _softmax_grad(g, out, x, *, axis):
    gy = _math.multiply(g, out)
    return (_math.subtract(gy, _math.multiply(out, _reduce.reduce_sum(gy, axis, keepdims=True))),)


softmax_p = Primitive("Softmax", _softmax_kernel, dtype_rule=R.unary("Softmax", R.FLOATS),
                      shape_rule=_softmax_shape("Softmax"), grad=_softmax_grad)


def _log_softmax_kernel(x, *, axis):
    if x.size == 0:
        return x.copy()
    shifted = x - np.max(x, axis=axis, keepdims=True)
    shifted -= np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return shifted


def _log_softmax_grad(g, out, x, *, axis):
    total = _reduce.reduce_sum(g, axis, keepdims=True)
    return (_math.subtract(g, _math.multiply(_math.exp(out), total)),)


log_softmax_p = Primitive("LogSoftmax", _log_softmax_kernel, dtype_rule=R.unary("LogSoftmax", R.FLOATS),
                          shape_rule=_softmax_shape("LogSoftmax"), grad=_log_softmax_grad)


def _softmax_like(prim, logits, axis) -> Tensor:
    x = _t(logits)
    axis = -1 if axis is None else int(axis)
    rank = x.shape.rank
    if rank is not None:
        if rank == 0:
            R.fail(prim.name, "logits must have >= 1 dimension, got []")
        _check_axis(prim.name, axis, rank)
    return bind(prim, x, axis=axis)


def softmax(logits, axis=None, name=None) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis` (default -1), computed stably (max subtracted first).

    >>> import eagerflow as tf
    >>> print(tf.nn.softmax(tf.constant([1000.0, 0.0])))
    tf.Tensor([1. 0.], shape=(2,), dtype=float32)
    """
    return _softmax_like(softmax_p, logits, axis)


def log_softmax(logits, axis=None, name=None) -> Tensor:
    """x - log(sum(exp(x))) along `axis` (default -1), computed stably.

    >>> import eagerflow as tf
    >>> print(tf.nn.log_softmax(tf.constant([1000.0, 0.0])))
    tf.Tensor([    0. -1000.], shape=(2,), dtype=float32)
    """
    return _softmax_like(log_softmax_p, logits, axis)


# ---- cross-entropies ---------------------------------------------------------------------------------------

def _sce_shape(ls, ys, *, axis):
    try:
        s = R.broadcast_shapes("SoftmaxCrossEntropyWithLogits", ls, ys)
    except Exception:  # noqa: BLE001 - restate in TF's words
        R.fail("SoftmaxCrossEntropyWithLogits", f"logits and labels must be broadcastable: logits_size="
                                                f"{format_dims(ls)} labels_size={format_dims(ys)}")
    if s is None:
        return None
    if len(s) == 0:
        R.fail("SoftmaxCrossEntropyWithLogits", "logits and labels must have rank >= 1, got []")
    ax = axis % len(s)
    return s[:ax] + s[ax + 1:]


def _sce_kernel(logits, labels, *, axis):
    shifted = logits - np.max(logits, axis=axis, keepdims=True)
    neg_log_p = np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True)) - shifted
    return np.sum(labels * neg_log_p, axis=axis)


def _sce_grad(g, out, logits, labels, *, axis):
    g = _array.expand_dims(g, axis)
    d_logits = _math.multiply(g, _math.subtract(softmax(logits, axis), labels))
    d_labels = _math.multiply(g, _math.negative(log_softmax(logits, axis)))
    return _math.unbroadcast(d_logits, logits), _math.unbroadcast(d_labels, labels)


sce_p = Primitive("SoftmaxCrossEntropyWithLogits", _sce_kernel,
                  dtype_rule=R.same("SoftmaxCrossEntropyWithLogits", R.FLOATS), shape_rule=_sce_shape,
                  grad=_sce_grad)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None) -> Tensor:
    """-sum(labels * log_softmax(logits)) along `axis`, stable for large logits; labels may be soft.

    >>> import eagerflow as tf
    >>> print(tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0]], logits=[[0.0, 0.0]]))
    tf.Tensor([0.6931472], shape=(1,), dtype=float32)
    """
    x = _t(logits)
    y = convert_to_tensor(labels, dtype_hint=x.dtype)
    if y.dtype is not x.dtype:
        y = _math.cast(y, x.dtype)
    axis = int(axis)
    rank = x.shape.rank
    if rank is not None:
        if rank == 0:
            raise ValueError(f"`logits` must have rank >= 1, got shape {x.shape}")
        _check_axis("SoftmaxCrossEntropyWithLogits", axis, rank)
        axis %= rank
    return bind(sce_p, x, y, axis=axis)


def _label_error(labels, n: int) -> None:
    flat = labels.reshape(-1)
    bad = flat.min() if flat.min() < 0 else flat.max()
    shown = " ".join(str(v) for v in flat[:1000]) + (" ..." if flat.size > 1000 else "")
    R.fail("SparseSoftmaxCrossEntropyWithLogits", f"Received a label value of {bad} which is outside the valid "
                                                  f"range of [0, {n}).  Label values: {shown}")


def _sparse_sce_kernel(logits, labels):
    n = logits.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= n):
        _label_error(labels, n)
    if labels.shape != logits.shape[:-1]:
        _sparse_sce_shape(logits.shape, labels.shape)
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    lse = np.log(np.sum(np.exp(shifted), axis=-1))
    picked = np.take_along_axis(shifted, labels[..., None].astype(np.intp), axis=-1)[..., 0]
    return lse - picked


def _sparse_sce_shape(ls, ys):
    if ls is None or ys is None:
        return ys if ls is None else ls[:-1]
    if len(ls) == 0:
        R.fail("SparseSoftmaxCrossEntropyWithLogits", "logits must have rank >= 1, got []")
    if len(ys) != len(ls) - 1 or any(a is not None and b is not None and a != b for a, b in zip(ys, ls)):
        R.fail("SparseSoftmaxCrossEntropyWithLogits",
               f"logits and labels must have the same first dimension, got logits shape {format_dims(ls)} "
               f"and labels shape {format_dims(ys)}")
    return tuple(b if a is None else a for a, b in zip(ys, ls))


def _sparse_sce_dtype(ld, yd):
    R.check_allowed("SparseSoftmaxCrossEntropyWithLogits", ld, R.FLOATS)
    if yd not in (_dt.int32, _dt.int64):
        R.fail("SparseSoftmaxCrossEntropyWithLogits",
               f"Value for attr 'Tlabels' of {R.tf_name(yd)} is not in the list of allowed values: int32, int64")
    return ld


def _one_hot_like_kernel(labels, logits):
    out = np.zeros(logits.shape, logits.dtype)
    np.put_along_axis(out, labels[..., None].astype(np.intp), 1, axis=-1)
    return out


# The one-hot form of sparse labels, shaped like the logits (works with shapes known only at run time).
one_hot_like_p = Primitive("SparseLabelsOneHot", _one_hot_like_kernel, dtype_rule=lambda yd, ld: ld,
                           shape_rule=lambda ys, ls: ls)


def _sparse_sce_grad(g, out, logits, labels):
    dense = bind(one_hot_like_p, labels, logits)
    return _math.multiply(_array.expand_dims(g, -1), _math.subtract(softmax(logits), dense)), None


sparse_sce_p = Primitive("SparseSoftmaxCrossEntropyWithLogits", _sparse_sce_kernel, dtype_rule=_sparse_sce_dtype,
                         shape_rule=_sparse_sce_shape, grad=_sparse_sce_grad)


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None) -> Tensor:
    """Cross-entropy of integer class `labels` [d0..dn] against `logits` [d0..dn, classes].

    A label outside [0, classes) raises InvalidArgumentError.

    >>> import eagerflow as tf
    >>> print(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1], logits=[[0.0, 0.0]]))
    tf.Tensor([0.6931472], shape=(1,), dtype=float32)
    """
    x = _t(logits)
    y = _t(labels)
    ls, ys = x.shape, y.shape
    if ls.rank is not None and ys.rank is not None:
        if ls.rank == 0:
            raise ValueError(f"`logits` must have rank >= 1, got shape {ls}")
        if ys.rank != ls.rank - 1 or not ys.is_compatible_with(ls[:-1]):
            raise ValueError("`labels.shape` must equal `logits.shape` except for the last dimension. Received: "
                             f"labels.shape={ys} and logits.shape={ls}")
    return bind(sparse_sce_p, x, y)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """Elementwise logistic loss, stable for large |logits|: max(x, 0) - x * z + log(1 + exp(-|x|)).

    >>> import eagerflow as tf
    >>> print(tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0], logits=[0.0, 0.0]))
    tf.Tensor([0.6931472 0.6931472], shape=(2,), dtype=float32)
    """
    if labels is None or logits is None:
        raise ValueError("Both `labels` and `logits` must be provided.")
    x = _t(logits)
    z = convert_to_tensor(labels, dtype_hint=x.dtype)
    if not x.shape.is_compatible_with(z.shape):
        raise ValueError(f"`logits` and `labels` must have the same shape, received ({x.shape} vs {z.shape}).")
    # where() rather than relu/abs keeps the gradient exact at x == 0 (sigmoid(0) - z)
    nonneg = _math.greater_equal(x, _array.zeros_like(x))
    relu_x = _math.where(nonneg, x, _array.zeros_like(x))
    neg_abs = _math.where(nonneg, _math.negative(x), x)
    return _math.add(_math.subtract(relu_x, _math.multiply(x, z)), _math.log1p(_math.exp(neg_abs)))


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None) -> Tensor:
    """Like sigmoid_cross_entropy_with_logits with the positive term weighted by `pos_weight`.

    >>> import eagerflow as tf
    >>> print(tf.nn.weighted_cross_entropy_with_logits([1.0], [0.0], pos_weight=2.0))
    tf.Tensor([1.3862944], shape=(1,), dtype=float32)
    """
    x = _t(logits)
    z = convert_to_tensor(labels, dtype_hint=x.dtype)
    if not x.shape.is_compatible_with(z.shape):
        raise ValueError(f"`logits` and `labels` must have the same shape, received ({x.shape} vs {z.shape}).")
    # (1 - z) * x + (1 + (q - 1) * z) * (log1p(exp(-|x|)) + max(-x, 0))
    q = convert_to_tensor(pos_weight, dtype_hint=x.dtype)
    log_weight = _math.add(_math.multiply(z, _math.subtract(q, 1)), 1)
    soft = _math.add(_math.log1p(_math.exp(_math.negative(_math.abs(x)))), relu(_math.negative(x)))
    return _math.add(_math.multiply(_math.subtract(1, z), x), _math.multiply(log_weight, soft))


# ---- bias, regularization, dropout ------------------------------------------------------------------------

def _channel_axis(data_format, rank) -> int:
    return 1 if data_format is not None and data_format.startswith("NC") else -1


def _bias_add_shape(vs, bs, *, data_format):
    if vs is not None and len(vs) < 2:
        R.fail("BiasAdd", f"Input tensor must be at least 2D: {format_dims(vs)}")
    if bs is not None and len(bs) != 1:
        R.fail("BiasAdd", f"Biases must be 1D: {format_dims(bs)}")
    if vs is None or bs is None:
        return vs
    c = vs[_channel_axis(data_format, len(vs))]
    if c is not None and bs[0] is not None and c != bs[0]:
        where = "last" if _channel_axis(data_format, len(vs)) == -1 else "channel"
        R.fail("BiasAdd", f"Must provide as many biases as the {where} dimension of the input tensor: "
                          f"{format_dims(bs)} vs. {format_dims(vs)}")
    return vs


def _bias_add_kernel(v, b, *, data_format):
    if v.ndim < 2 or b.ndim != 1 or v.shape[_channel_axis(data_format, v.ndim)] != b.shape[0]:
        _bias_add_shape(v.shape, b.shape, data_format=data_format)
    if _channel_axis(data_format, v.ndim) == 1:
        b = b.reshape((-1,) + (1,) * (v.ndim - 2))
    elif 0 < b.size < 256 and v.dtype == b.dtype:  # narrow channels: rows of whole bias copies (see _rows)
        rows = _rows(v, b.size)
        if rows is not None:
            return np.add(rows, np.tile(b, rows.shape[1] // b.size)).reshape(v.shape)
    return v + b


def _column_sums(m: np.ndarray) -> np.ndarray:
    """Sums an [M, C] matrix over its rows, fast for narrow C.

    NumPy's axis-0 sum adds one C-wide row at a time (for conv activations, C is 8-64 and M is in the
    tens of thousands); folding k rows into one long row first makes every step a long vector add:
    about ten times faster, and more accurate.
    """
    rows, cols = m.shape
    k = max(1, min(rows, 4096 // max(cols, 1)))
    main = rows - rows % k
    out = np.sum(m[:main].reshape(main // k, k * cols), axis=0, dtype=m.dtype).reshape(k, cols)
    out = np.sum(out, axis=0, dtype=m.dtype)
    if main < rows:
        out += np.sum(m[main:], axis=0, dtype=m.dtype)
    return out


def _bias_add_grad_kernel(g, *, data_format):
    if _channel_axis(data_format, g.ndim) == -1:
        return _column_sums(np.ascontiguousarray(g).reshape(-1, g.shape[-1]))
    return np.sum(g, axis=(0,) + tuple(range(2, g.ndim)), dtype=g.dtype)


def _bias_add_grad_shape(s, *, data_format):
    return None if s is None else (s[_channel_axis(data_format, len(s))],)


bias_add_grad_p = Primitive("BiasAddGrad", _bias_add_grad_kernel, dtype_rule=R.unary("BiasAddGrad", R.NUMERIC),
                            shape_rule=_bias_add_grad_shape,
                            grad=lambda gg, out, g, *, data_format: (
                                bind(bias_add_p, _array.zeros_like(g), gg, data_format=data_format),))

bias_add_p = Primitive("BiasAdd", _bias_add_kernel, dtype_rule=R.same("BiasAdd", R.NUMERIC),
                       shape_rule=_bias_add_shape,
                       grad=lambda g, out, v, b, *, data_format: (
                           g, bind(bias_add_grad_p, g, data_format=data_format)))


def bias_add(value, bias, data_format=None, name=None) -> Tensor:
    """Adds the 1-D `bias` along the channel dimension (last, or axis 1 for "NC..." formats).

    >>> import eagerflow as tf
    >>> print(tf.nn.bias_add(tf.zeros([2, 3]), [1.0, 2.0, 3.0]))
    tf.Tensor(
    [[1. 2. 3.]
     [1. 2. 3.]], shape=(2, 3), dtype=float32)
    """
    if data_format is not None:
        if data_format.startswith("NC"):
            data_format = "NCHW"
        elif data_format.startswith("N") and data_format.endswith("C"):
            data_format = "NHWC"
        else:
            raise ValueError(f"data_format must be of the form `N...C` or `NC...`, got {data_format!r}")
    v = _t(value)
    b = bias if isinstance(bias, Tensor) else convert_to_tensor(bias, dtype_hint=v.dtype)
    return bind(bias_add_p, v, b, data_format=data_format or "NHWC")


def _l2_loss_kernel(x):
    flat = x.reshape(-1)
    return x.dtype.type(np.dot(flat, flat) / 2)


l2_loss_p = Primitive("L2Loss", _l2_loss_kernel, dtype_rule=R.unary("L2Loss", R.FLOATS), shape_rule=R.scalar,
                      grad=lambda g, out, x: (_math.multiply(x, g),))


def l2_loss(t, name=None) -> Tensor:
    """sum(t ** 2) / 2, a scalar.

    >>> import eagerflow as tf
    >>> print(tf.nn.l2_loss(tf.constant([1.0, 2.0])))
    tf.Tensor(2.5, shape=(), dtype=float32)
    """
    return bind(l2_loss_p, _t(t))


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """x / sqrt(max(sum(x ** 2, axis), epsilon)).

    >>> import eagerflow as tf
    >>> print(tf.nn.l2_normalize(tf.constant([3.0, 4.0])))
    tf.Tensor([0.6 0.8], shape=(2,), dtype=float32)
    """
    x = _t(x)
    axis = dim if axis is None else axis
    square_sum = _reduce.reduce_sum(_math.square(x), axis, keepdims=True)
    return _math.multiply(x, _math.rsqrt(_math.maximum(square_sum, epsilon)))


def _rate_value(rate):
    """The dropout rate as a Python float when known, validated as TF does."""
    static = get_static_value(rate) if isinstance(rate, Tensor) else rate
    if static is None:
        return None
    value = float(np.asarray(static))
    if np.ndim(static) != 0 or not 0 <= value < 1:
        raise ValueError(f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate={rate}")
    return value


def _noise_shape(x: Tensor, noise_shape):
    """The shape of the keep/drop noise: a list of ints, or an int32 tensor when some size is only
    known when a graph runs (None entries take x's size in that dimension)."""
    if noise_shape is None:
        return x.shape.as_list() if x.shape.is_fully_defined() else _array.shape(x)
    if isinstance(noise_shape, Tensor):
        static = get_static_value(noise_shape)
        if static is None:
            return noise_shape
        ns = static.tolist()
    else:
        ns = list(noise_shape.as_list() if hasattr(noise_shape, "as_list") else noise_shape)
    xs = x.shape.as_list() if x.shape.rank is not None else None
    if xs is not None and len(ns) == len(xs):
        ns = [x_dim if n is None else n for n, x_dim in zip(ns, xs)]
        if any(n is None for n in ns):  # x's own size is unknown there: its size at run time
            dynamic = _array.shape(x)
            ns = [dynamic[i] if n is None else n for i, n in enumerate(ns)]
    if any(n is None for n in ns):
        raise ValueError(f"noise_shape {noise_shape} has unknown dimensions that `x` {x.shape} cannot fill in")
    if any(isinstance(n, Tensor) for n in ns):
        return _array.stack([_math.cast(n, _dt.int32) if isinstance(n, Tensor) else int(n) for n in ns])
    return [int(n) for n in ns]


def dropout(x, rate, noise_shape=None, seed=None, name=None) -> Tensor:
    """Zeroes each element with probability `rate` and scales the rest by 1 / (1 - rate).

    `noise_shape` (broadcastable to x's shape) shares one keep/drop decision along its unit dims.

    >>> import eagerflow as tf
    >>> y = tf.nn.dropout(tf.ones([4, 4]), rate=0.5, seed=1)
    >>> sorted(set(y.numpy().ravel().tolist())) in ([0.0, 2.0], [2.0], [0.0])
    True
    """
    x = _t(x)
    if not x.dtype.is_floating:
        raise ValueError(f"`x.dtype` must be a floating point tensor as `x` will be scaled. Received: "
                         f"x_dtype={x.dtype!r}")
    value = _rate_value(rate)
    if value == 0:
        return x
    shape = _noise_shape(x, noise_shape)
    noise = _random.uniform(shape, dtype=x.dtype, seed=seed)
    if value is not None:
        keep = _math.greater_equal(noise, value)
        return _math.multiply(x, _math.multiply(_math.cast(keep, x.dtype), 1.0 / (1.0 - value)))
    rate_t = _math.cast(rate, x.dtype)
    keep = _math.cast(_math.greater_equal(noise, rate_t), x.dtype)
    return _math.multiply(x, _math.realdiv(keep, _math.subtract(1, rate_t)))


# ---- normalization ------------------------------------------------------------------------------------------

def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) of `x` over `axes`; float16 is computed in float32 and cast back, as TF.

    >>> import eagerflow as tf
    >>> mean, var = tf.nn.moments(tf.constant([[1.0, 2.0], [3.0, 6.0]]), axes=[0])
    >>> print(mean, var)
    tf.Tensor([2. 4.], shape=(2,), dtype=float32) tf.Tensor([1. 4.], shape=(2,), dtype=float32)
    """
    x = _t(x)
    y = _math.cast(x, _dt.float32) if x.dtype is _dt.float16 else x
    mean = _reduce.reduce_mean(y, axes, keepdims=True)
    variance = _reduce.reduce_mean(_math.square(_math.subtract(y, mean)), axes, keepdims=True)
    if not keepdims:
        rank = x.shape.rank
        squeeze_axes = _reduce.normalize_axes("Mean", axes, rank)
        mean, variance = _array.squeeze(mean, squeeze_axes), _array.squeeze(variance, squeeze_axes)
    if x.dtype is _dt.float16:
        return _math.cast(mean, _dt.float16), _math.cast(variance, _dt.float16)
    return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None) -> Tensor:
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, with `offset`/`scale` optional (None).

    >>> import eagerflow as tf
    >>> print(tf.nn.batch_normalization(tf.constant([1.0, 3.0]), 2.0, 1.0, None, None, 0.0))
    tf.Tensor([-1.  1.], shape=(2,), dtype=float32)
    """
    x = _t(x)
    inv = _math.rsqrt(_math.add(convert_to_tensor(variance, dtype_hint=x.dtype), variance_epsilon))
    if scale is not None:
        inv = _math.multiply(inv, scale)
    shift = _math.multiply(convert_to_tensor(mean, dtype_hint=x.dtype), inv)
    shift = _math.negative(shift) if offset is None else _math.subtract(offset, shift)
    return _math.add(_math.multiply(x, inv), shift)


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None) -> Tensor:
    """Sum of (weighted) per-example losses divided by the global batch size (default: the batch)."""
    loss = _t(per_example_loss)
    if sample_weight is not None:
        loss = _math.multiply(loss, sample_weight)
    total = _reduce.reduce_sum(loss)
    if global_batch_size is None:
        rows = loss.shape[0] if loss.shape.rank else 1
        n = _math.cast(_array.shape(loss)[0] if rows is None else rows, loss.dtype)
    else:
        n = _math.cast(global_batch_size, loss.dtype)
    return _math.realdiv(total, n)
