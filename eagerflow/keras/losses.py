"""`tf.keras.losses`: loss functions and `Loss` classes with Keras 3's reductions and sample weights.

Loss functions return one value per sample (the mean or sum over the last axis); `Loss` objects
weight those by `sample_weight` and reduce them: 'sum_over_batch_size' (default: the weighted sum
divided by the number of values), 'sum', 'mean_with_sample_weight', or 'none'. Everything is
written with eagerflow ops, so losses differentiate and trace like any other code.

>>> import eagerflow as tf
>>> mse = tf.keras.losses.MeanSquaredError()
>>> float(mse([[0.0, 1.0]], [[1.0, 1.0]]))
0.5
"""
from __future__ import annotations

import inspect

from .. import dtypes as _dt
from ..context import name_scope
from ..ops import array as _array, math as _math, nn as _nn, reduce as _reduce
from ..tensor import Tensor, convert_to_tensor
from . import backend as _backend, serialization as _ser

__all__ = ["Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
           "MeanSquaredLogarithmicError", "CosineSimilarity", "Huber", "LogCosh", "Hinge", "SquaredHinge",
           "CategoricalHinge", "KLDivergence", "Poisson", "BinaryCrossentropy", "CategoricalCrossentropy",
           "SparseCategoricalCrossentropy", "mean_squared_error", "mean_absolute_error",
           "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "cosine_similarity", "huber",
           "log_cosh", "hinge", "squared_hinge", "categorical_hinge", "kl_divergence", "poisson",
           "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "mse", "mae",
           "mape", "msle", "kld", "MSE", "MAE", "MAPE", "MSLE", "KLD", "get", "serialize", "deserialize"]

_REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


# ---- helpers ------------------------------------------------------------------------------------------

def _tensor(x, dtype=None) -> Tensor:
    t = x if isinstance(x, Tensor) else convert_to_tensor(x)
    if dtype is not None and t.dtype is not dtype:
        t = _math.cast(t, dtype)
    return t


def _float_pair(y_true, y_pred):
    """y_pred as a float tensor and y_true cast to its dtype."""
    y_pred = _tensor(y_pred)
    if not y_pred.dtype.is_floating:
        y_pred = _math.cast(y_pred, _dt.as_dtype(_backend.floatx()))
    return _tensor(y_true, y_pred.dtype), y_pred


def _rank(x):
    return x.ndim  # EagerTensor: the array's ndim (cheap); symbolic: the static rank or None


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Drops (or adds) a trailing size-1 axis so two tensors whose ranks differ by one line up."""
    r1, r2 = _rank(x1), _rank(x2)
    if r1 is None or r2 is None or r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = _array.expand_dims(x2, -1)
        else:
            x1 = _array.squeeze(x1, axis=-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = _array.expand_dims(x1, -1)
        else:
            x2 = _array.squeeze(x2, axis=-1)
    return x1, x2


def _check_same_shape(fn: str, y_true, y_pred) -> None:
    a, b = y_true.shape.as_tuple(), y_pred.shape.as_tuple()
    if a is None or b is None:
        return
    if len(a) != len(b):
        raise ValueError(f"Arguments `target` and `output` must have the same rank (ndim). Received: "
                         f"target.shape={y_true.shape}, output.shape={y_pred.shape}")
    if any(x is not None and y is not None and x != y for x, y in zip(a, b)):
        raise ValueError(f"Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={y_true.shape}, output.shape={y_pred.shape}")


def _logits_of(output, op_type: str):
    """The pre-activation logits when `output` came straight from a Softmax/Sigmoid, else None.

    Keras layers attach them to eager outputs as `_keras_logits`; in a graph the producing node says.
    """
    logits = getattr(output, "_keras_logits", None)
    if logits is not None:
        return logits
    op = getattr(output, "op", None)
    if op is not None and getattr(op, "type", None) == op_type and len(op.inputs) == 1:
        return op.inputs[0]
    return None


def _epsilon(dtype):
    return _math.cast(_backend.epsilon(), dtype)


# ---- loss functions -------------------------------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred), axis=-1)`.

    >>> import eagerflow as tf
    >>> tf.keras.losses.mean_squared_error([[0.0, 2.0]], [[1.0, 1.0]]).numpy()
    array([1.], dtype=float32)
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))
    return _reduce.reduce_mean(_math.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))
    return _reduce.reduce_mean(_math.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))
    diff = _math.abs((y_true - y_pred) / _math.maximum(_math.abs(y_true), _epsilon(y_pred.dtype)))
    return 100.0 * _reduce.reduce_mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(y_pred + 1) - log(y_true + 1)), axis=-1)` (values below epsilon clipped)."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))
    eps = _epsilon(y_pred.dtype)
    first = _math.log(_math.maximum(y_pred, eps) + 1.0)
    second = _math.log(_math.maximum(y_true, eps) + 1.0)
    return _reduce.reduce_mean(_math.square(first - second), axis=-1)


def _l2_normalize(x, axis):
    inv = _math.rsqrt(_reduce.reduce_sum(_math.square(x), axis=axis, keepdims=True))
    return x * _math.minimum(inv, _math.cast(1.0 / _backend.epsilon(), x.dtype))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Negative cosine similarity along `axis` (-1 means same direction, 0 orthogonal or zero vectors).

    >>> import eagerflow as tf
    >>> tf.keras.losses.cosine_similarity([[0.0, 1.0]], [[0.0, 3.0]]).numpy()
    array([-1.], dtype=float32)
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))
    return -_reduce.reduce_sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def huber(y_true, y_pred, delta=1.0):
    """Quadratic for |error| <= delta, linear beyond: mean over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))
    delta = _math.cast(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = _math.abs(error)
    half = _math.cast(0.5, y_pred.dtype)
    values = _math.where(abs_error <= delta, half * _math.square(error),
                         delta * abs_error - half * _math.square(delta))
    return _reduce.reduce_mean(values, axis=-1)


def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, computed stably."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))
    x = y_pred - y_true
    log2 = _math.cast(0.6931471805599453, y_pred.dtype)
    return _reduce.reduce_mean(x + _math.softplus(x * -2.0) - log2, axis=-1)


def _hinge_labels(y_true):
    """{0, 1} labels become {-1, 1}; labels already in {-1, 1} are kept."""
    is_binary = _reduce.reduce_all(_math.logical_or(_math.equal(y_true, 0.0), _math.equal(y_true, 1.0)))
    return _math.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """`mean(maximum(1 - y_true * y_pred, 0), axis=-1)` with labels in {-1, 1} (or {0, 1}).

    >>> import eagerflow as tf
    >>> tf.keras.losses.hinge([[1.0, 0.0]], [[0.5, -0.5]]).numpy()
    array([0.5], dtype=float32)
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return _reduce.reduce_mean(_math.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """`mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return _reduce.reduce_mean(_math.square(_math.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """`maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)` over the last axis."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    pos = _reduce.reduce_sum(y_true * y_pred, axis=-1)
    neg = _reduce.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return _math.maximum(neg - pos + 1.0, _math.cast(0.0, y_pred.dtype))


def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred), axis=-1)`, both clipped to [epsilon, 1]."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    eps, one = _epsilon(y_pred.dtype), _math.cast(1.0, y_pred.dtype)
    y_true = _math.clip_by_value(y_true, eps, one)
    y_pred = _math.clip_by_value(y_pred, eps, one)
    return _reduce.reduce_sum(y_true * _math.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    return _reduce.reduce_mean(y_pred - y_true * _math.log(y_pred + _epsilon(y_pred.dtype)), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy averaged over `axis`; `label_smoothing` squeezes labels towards 0.5.

    >>> import eagerflow as tf
    >>> round(float(tf.keras.losses.binary_crossentropy([[1.0]], [[0.0]], from_logits=True)[0]), 4)
    0.6931
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _check_same_shape("binary_crossentropy", y_true, y_pred)
    logits = _logits_of(y_pred, "Sigmoid")
    if logits is not None:
        y_pred, from_logits = logits, True
    if from_logits:
        values = _nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        eps = _epsilon(y_pred.dtype)
        p = _math.clip_by_value(y_pred, eps, 1.0 - eps)
        values = -(y_true * _math.log(p) + (1.0 - y_true) * _math.log(1.0 - p))
    return _reduce.reduce_mean(values, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy of one-hot (or soft) labels against probabilities or logits along `axis`.

    >>> import eagerflow as tf
    >>> loss = tf.keras.losses.categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])
    >>> round(float(loss[0]), 4)
    0.6931
    """
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_true, y_pred = _float_pair(y_true, y_pred)
    if label_smoothing:
        classes = _math.cast(_array.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / classes
    if y_true.shape.rank is not None and y_true.shape.rank < 1:
        raise ValueError(f"Arguments `target` and `output` must be at least rank 1. Received: "
                         f"target.shape={y_true.shape}, output.shape={y_pred.shape}")
    _check_same_shape("categorical_crossentropy", y_true, y_pred)
    logits = _logits_of(y_pred, "Softmax")
    if logits is not None:
        y_pred, from_logits = logits, True
    if from_logits:
        return _nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    p = y_pred / _reduce.reduce_sum(y_pred, axis=axis, keepdims=True)
    eps = _epsilon(y_pred.dtype)
    p = _math.clip_by_value(p, eps, 1.0 - eps)
    return -_reduce.reduce_sum(y_true * _math.log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Cross-entropy of integer class labels against probabilities or logits (classes on the last axis).

    `ignore_class` drops the samples with that label (their loss is 0 and they do not count in the mean).

    >>> import eagerflow as tf
    >>> loss = tf.keras.losses.sparse_categorical_crossentropy([1], [[0.5, 0.5]])
    >>> round(float(loss[0]), 4)
    0.6931
    """
    y_pred = _tensor(y_pred)
    if not y_pred.dtype.is_floating:
        y_pred = _math.cast(y_pred, _dt.as_dtype(_backend.floatx()))
    y_true = _tensor(y_true)
    rank = y_pred.shape.rank
    if rank is not None:
        if rank < 1:
            raise ValueError(f"Argument `output` must be at least rank 1. Received: output.shape={y_pred.shape}")
        if axis not in (-1, rank - 1):
            raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    if y_true.shape.rank is not None and y_true.shape.rank == rank and y_true.shape[-1] == 1:
        y_true = _array.squeeze(y_true, axis=-1)
    if y_true.shape.rank is not None and rank is not None:
        if y_true.shape.rank != rank - 1:
            raise ValueError(f"Argument `output` must have rank (ndim) `target.ndim - 1`. Received: "
                             f"target.shape={y_true.shape}, output.shape={y_pred.shape}")
        if not y_true.shape.is_compatible_with(y_pred.shape[:-1]):
            raise ValueError(f"Arguments `target` and `output` must have the same shape up until the last "
                             f"dimension: target.shape={y_true.shape}, output.shape={y_pred.shape}")
    valid = None
    if ignore_class is not None:
        valid = _math.not_equal(y_true, _math.cast(ignore_class, y_true.dtype))
        y_true = _math.where(valid, y_true, _array.zeros_like(y_true))
    labels = y_true if y_true.dtype in (_dt.int32, _dt.int64) else _math.cast(y_true, _dt.int64)
    logits = _logits_of(y_pred, "Softmax")
    if logits is not None:
        y_pred, from_logits = logits, True
    if not from_logits:
        eps = _epsilon(y_pred.dtype)
        y_pred = _math.log(_math.clip_by_value(y_pred, eps, 1.0 - eps))
    values = _nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=y_pred)
    if valid is not None:
        values = _math.where(valid, values, _array.zeros_like(values))
        try:
            values._keras_mask = valid
        except AttributeError:  # symbolic tensors take no attributes: the zeros still drop the samples
            pass
    return values


# Keras's short names.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
bce = BCE = binary_crossentropy


# ---- reduction -------------------------------------------------------------------------------------------

def standardize_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {set(_REDUCTIONS)}. Received: "
                         f"reduction={reduction}")
    return reduction


def _mask_to_weight(sample_weight, mask, dtype, reduction):
    """Folds a Keras mask into the sample weights (masked values count 0; means divide by valid ones)."""
    if mask is None:
        return sample_weight
    mask_f = _math.cast(mask, dtype)
    if reduction in ("mean", "sum_over_batch_size"):
        total = _math.cast(_array.size(mask_f), dtype)
        mask_f = mask_f * _math.divide_no_nan(total, _reduce.reduce_sum(mask_f))
    if sample_weight is None:
        return mask_f
    mask_f, sample_weight = squeeze_or_expand_to_same_rank(mask_f, _math.cast(sample_weight, dtype))
    return sample_weight * mask_f


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype=None):
    """Weights per-sample loss `values` by `sample_weight` (and a mask) and applies `reduction`."""
    reduction = standardize_reduction(reduction)
    values = _tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = _tensor(sample_weight, values.dtype)
    sample_weight = _mask_to_weight(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    dims = values.shape.as_tuple()
    if reduction is None or reduction == "none" or dims == () or dims == (0,):
        return values
    loss = _reduce.reduce_sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return _math.divide_no_nan(loss, _math.cast(_reduce.reduce_sum(sample_weight), loss.dtype))
    count = values.shape.num_elements()
    if count is not None:  # a static count: one division (an empty batch sums to 0, and 0 it stays)
        return loss / float(count) if count else loss
    return _math.divide_no_nan(loss, _math.cast(_array.size(values), loss.dtype))


# ---- Loss classes -----------------------------------------------------------------------------------------

class Loss:
    """Base class: subclasses implement `call(y_true, y_pred)` returning per-sample losses.

    >>> import eagerflow as tf
    >>> class Absolute(tf.keras.losses.Loss):
    ...     def call(self, y_true, y_pred):
    ...         return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)
    >>> float(Absolute()([[1.0], [3.0]], [[0.0], [0.0]]))
    2.0
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _backend.unique_name(_snake(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = _dt.as_dtype(_backend.standardize_dtype(dtype))

    @property
    def dtype(self) -> str:
        return self._dtype.name

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = getattr(y_pred, "_keras_mask", None)
        with name_scope(self.name):
            y_pred = _tensor(y_pred, self._dtype)
            y_true = _tensor(y_true, self._dtype)
            losses = self.call(y_true, y_pred)
            out_mask = getattr(losses, "_keras_mask", None)
            if in_mask is not None and out_mask is not None:
                mask = _math.logical_and(_tensor(in_mask, _dt.bool), _tensor(out_mask, _dt.bool))
            else:
                mask = in_mask if in_mask is not None else out_mask
            return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask,
                                          reduction=self.reduction, dtype=self._dtype)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _snake(name: str) -> str:
    out = []
    for i, c in enumerate(name):
        if c.isupper() and i and (name[i - 1].islower() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(c.lower())
    return "".join(out)


class LossFunctionWrapper(Loss):
    """A `Loss` from a per-sample function `fn(y_true, y_pred, **kwargs)`.

    >>> import eagerflow as tf
    >>> loss = tf.keras.losses.LossFunctionWrapper(tf.keras.losses.mean_absolute_error, name="mae")
    >>> float(loss([[1.0]], [[3.0]]))
    2.0
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs)
        if type(self) is LossFunctionWrapper:
            config["fn"] = getattr(self.fn, "__name__", self.fn)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is LossFunctionWrapper and isinstance(config.get("fn"), str):
            config["fn"] = _FUNCTIONS[config["fn"]]
        return cls(**config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


_R = "sum_over_batch_size"


class MeanSquaredError(LossFunctionWrapper):
    """Mean of squared errors.

    >>> import eagerflow as tf
    >>> float(tf.keras.losses.MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
    0.5
    """

    def __init__(self, reduction=_R, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors.

    >>> import eagerflow as tf
    >>> float(tf.keras.losses.MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 1.0]]))
    0.5
    """

    def __init__(self, reduction=_R, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """`100 * mean(|y_true - y_pred| / |y_true|)`.

    >>> import eagerflow as tf
    >>> float(tf.keras.losses.MeanAbsolutePercentageError()([[2.0]], [[1.0]]))
    50.0
    """

    def __init__(self, reduction=_R, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction, dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """Mean of squared differences of `log(1 + x)`.

    >>> import eagerflow as tf
    >>> round(float(tf.keras.losses.MeanSquaredLogarithmicError()([[0.0]], [[1.0]])), 4)
    0.4805
    """

    def __init__(self, reduction=_R, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction, dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity along `axis`.

    >>> import eagerflow as tf
    >>> float(tf.keras.losses.CosineSimilarity()([[0.0, 1.0]], [[0.0, 2.0]]))
    -1.0
    """

    def __init__(self, axis=-1, reduction=_R, name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic below `delta`, linear above.

    >>> import eagerflow as tf
    >>> float(tf.keras.losses.Huber()([[0.0]], [[3.0]]))
    2.5
    """

    def __init__(self, delta=1.0, reduction=_R, name="huber_loss", dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)


class LogCosh(LossFunctionWrapper):
    """Mean of `log(cosh(error))`.

    >>> import eagerflow as tf
    >>> round(float(tf.keras.losses.LogCosh()([[0.0]], [[1.0]])), 4)
    0.4338
    """

    def __init__(self, reduction=_R, name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)


class Hinge(LossFunctionWrapper):
    """Hinge loss for labels in {-1, 1} (or {0, 1}).

    >>> import eagerflow as tf
    >>> float(tf.keras.losses.Hinge()([[1.0]], [[0.25]]))
    0.75
    """

    def __init__(self, reduction=_R, name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss.

    >>> import eagerflow as tf
    >>> float(tf.keras.losses.SquaredHinge()([[1.0]], [[0.5]]))
    0.25
    """

    def __init__(self, reduction=_R, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge loss.

    >>> import eagerflow as tf
    >>> float(tf.keras.losses.CategoricalHinge()([[0.0, 1.0]], [[0.5, 0.5]]))
    1.0
    """

    def __init__(self, reduction=_R, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence of `y_pred` from `y_true`.

    >>> import eagerflow as tf
    >>> float(tf.keras.losses.KLDivergence()([[0.5, 0.5]], [[0.5, 0.5]]))
    0.0
    """

    def __init__(self, reduction=_R, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """Poisson loss `y_pred - y_true * log(y_pred)`.

    >>> import eagerflow as tf
    >>> round(float(tf.keras.losses.Poisson()([[1.0]], [[1.0]])), 4)
    1.0
    """

    def __init__(self, reduction=_R, name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy of probabilities (or logits with `from_logits=True`).

    >>> import eagerflow as tf
    >>> round(float(tf.keras.losses.BinaryCrossentropy(from_logits=True)([[1.0]], [[0.0]])), 4)
    0.6931
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_R, name="binary_crossentropy",
                 dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy of one-hot labels against probabilities (or logits).

    >>> import eagerflow as tf
    >>> round(float(tf.keras.losses.CategoricalCrossentropy()([[0.0, 1.0]], [[0.5, 0.5]])), 4)
    0.6931
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_R,
                 name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy of integer labels against probabilities (or logits).

    >>> import eagerflow as tf
    >>> loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    >>> round(float(loss([1], [[0.0, 0.0]])), 4)
    0.6931
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction=_R, axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis


# ---- lookup by name ------------------------------------------------------------------------------------------

_CLASSES = {c.__name__: c for c in (Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError,
                                     MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity,
                                     Huber, LogCosh, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
                                     BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy)}
_FUNCTIONS = {f.__name__: f for f in (mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
                                       mean_squared_logarithmic_error, cosine_similarity, huber, log_cosh, hinge,
                                       squared_hinge, categorical_hinge, kl_divergence, poisson, binary_crossentropy,
                                       categorical_crossentropy, sparse_categorical_crossentropy)}
_ALIASES = {"mse": mse, "MSE": mse, "mae": mae, "MAE": mae, "mape": mape, "MAPE": mape, "msle": msle, "MSLE": msle,
            "kld": kld, "KLD": kld, "bce": bce, "BCE": bce, "logcosh": log_cosh,
            "kullback_leibler_divergence": kl_divergence}
_ALL = {**_CLASSES, **_FUNCTIONS, **_ALIASES}


def serialize(loss) -> dict | str:
    """A `Loss` as Keras's config dict; a built-in loss function as its name."""
    return _ser.serialize(loss, "keras.losses") if isinstance(loss, Loss) else getattr(loss, "__name__", loss)


def deserialize(name, custom_objects=None):
    """The loss a `serialize()` result (dict or function name) describes."""
    return _ser.deserialize(name, _ALL, "loss", custom_objects)


def get(identifier):
    """A loss from a name ('mse', 'sparse_categorical_crossentropy', 'Huber', ...), a config dict, a callable
    or a `Loss`; None stays None. Class names give instances, function names give functions.

    >>> import eagerflow as tf
    >>> tf.keras.losses.get("mse").__name__
    'mean_squared_error'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _ALL.get(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret loss identifier: {identifier}")
