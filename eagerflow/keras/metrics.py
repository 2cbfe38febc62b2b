"""`tf.keras.metrics`: stateful metrics (`update_state`, `result`, `reset_state`) as in Keras 3.

A metric accumulates statistics in non-trainable `tf.keras.Variable`s; `update_state` is written with
eagerflow ops, so it runs eagerly and inside the traced train step (the assignments become graph
nodes). Accuracy-like metrics are `MeanMetricWrapper`s: a per-sample function averaged with weights.
Confusion-matrix metrics (Precision, Recall, AUC, ...) live in `confusion_metrics.py`.

>>> import eagerflow as tf
>>> m = tf.keras.metrics.Mean()
>>> m.update_state([1.0, 2.0, 3.0])
>>> float(m.result())
2.0
"""
from __future__ import annotations

from .. import dtypes as _dt
from ..ops import array as _array, indexing as _indexing, math as _math, reduce as _reduce
from ..tensor import Tensor, convert_to_tensor
from . import backend as _backend
from . import losses as _losses, serialization as _ser
from .confusion_metrics import (AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives,  # noqa: F401
                                TruePositives)
from .metrics_base import METRIC_FUNCTIONS, Mean, MeanMetricWrapper, Metric, Sum  # noqa: F401
from .metrics_extra import (BinaryIoU, F1Score, FBetaScore, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU,  # noqa: F401
                            PrecisionAtRecall, R2Score, RecallAtPrecision, SensitivityAtSpecificity,
                            SpecificityAtSensitivity)

__all__ = ["Metric", "Sum", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
           "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
           "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
           "RootMeanSquaredError", "CosineSimilarity", "LogCoshError", "BinaryCrossentropy",
           "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence", "Poisson", "Hinge",
           "SquaredHinge", "CategoricalHinge", "accuracy", "binary_accuracy", "categorical_accuracy",
           "sparse_categorical_accuracy", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
           "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "Precision", "Recall", "AUC", "get",
           "serialize", "deserialize"]


def _floatx():
    return _dt.as_dtype(_backend.floatx())


def _tensor(x, dtype=None) -> Tensor:
    t = x if isinstance(x, Tensor) else convert_to_tensor(x)
    if dtype is not None and t.dtype is not dtype:
        t = _math.cast(t, dtype)
    return t


# ---- accuracy functions --------------------------------------------------------------------------------------

def accuracy(y_true, y_pred):
    """1.0 where `y_true == y_pred` exactly, else 0.0."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _math.cast(_math.equal(y_true, y_pred), _floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `(y_pred > threshold) == y_true`, else 0.0 (one value per element).

    >>> import eagerflow as tf
    >>> tf.keras.metrics.binary_accuracy([[1.0, 0.0]], [[0.7, 0.6]]).numpy()
    array([[1., 0.]], dtype=float32)
    """
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true)
    y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = _math.cast(_math.greater(y_pred, _math.cast(threshold, y_pred.dtype)), y_true.dtype)
    return _math.cast(_math.equal(y_true, predicted), _floatx())


def _matches(y_true, y_pred_classes, reshape_to=None):
    if y_pred_classes.dtype is not y_true.dtype:
        y_pred_classes = _math.cast(y_pred_classes, y_true.dtype)
    matches = _math.cast(_math.equal(y_true, y_pred_classes), _floatx())
    return matches if reshape_to is None else _array.reshape(matches, reshape_to)


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_true) == argmax(y_pred) over the last axis.

    >>> import eagerflow as tf
    >>> tf.keras.metrics.categorical_accuracy([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]]).numpy()
    array([1., 0.], dtype=float32)
    """
    y_true = _reduce.argmax(_tensor(y_true), axis=-1)
    y_pred = _tensor(y_pred)
    y_true = _math.cast(y_true, y_pred.dtype)
    return _matches(y_true, _reduce.argmax(y_pred, axis=-1))


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals argmax(y_pred) over the last axis.

    >>> import eagerflow as tf
    >>> tf.keras.metrics.sparse_categorical_accuracy([1, 0], [[0.2, 0.8], [0.3, 0.7]]).numpy()
    array([1., 0.], dtype=float32)
    """
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    reshape_to = None
    if y_true.shape.rank is not None and y_true.shape.rank == y_pred.shape.rank and y_true.shape[-1] == 1:
        reshape_to = _array.shape(y_true)
        y_true = _array.squeeze(y_true, axis=-1)
    matches = _matches(y_true, _reduce.argmax(y_pred, axis=-1), reshape_to)
    if matches.shape.rank is not None and matches.shape.rank > 1 and matches.shape[-1] == 1:
        matches = _array.squeeze(matches, axis=-1)
    return matches


def _in_top_k(labels, y_pred, k):
    """True where the label's score is among the `k` largest (ties at the boundary count as in)."""
    target = _indexing.gather(y_pred, labels, batch_dims=1)
    higher = _reduce.reduce_sum(_math.cast(_math.greater(y_pred, _array.expand_dims(target, -1)), _dt.int32),
                                axis=-1)
    return _math.logical_and(_math.less(higher, k), _math.is_finite(target))


def _flatten_top_k_inputs(y_true, y_pred):
    reshape_to = None
    if y_pred.shape.rank is not None and y_pred.shape.rank > 2:
        y_pred = _array.reshape(y_pred, [-1, y_pred.shape[-1]])
    if y_true.shape.rank is not None and y_true.shape.rank > 1:
        reshape_to = _array.shape(y_true)
        y_true = _array.reshape(y_true, [-1])
    return y_true, y_pred, reshape_to


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target class is among the `k` highest predictions."""
    y_pred = _tensor(y_pred)
    y_true = _math.cast(_reduce.argmax(_tensor(y_true, y_pred.dtype), axis=-1), _dt.int32)
    y_true, y_pred, reshape_to = _flatten_top_k_inputs(y_true, y_pred)
    matches = _math.cast(_in_top_k(y_true, y_pred, k), _floatx())
    return matches if reshape_to is None else _array.reshape(matches, reshape_to)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the `k` highest predictions (or the first `k` sorted ids)."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype if from_sorted_ids else _dt.int32)
    y_true, y_pred, reshape_to = _flatten_top_k_inputs(y_true, y_pred)
    if from_sorted_ids:
        hits = _reduce.reduce_any(_math.equal(_array.expand_dims(y_true, 1), y_pred[:, :k]), axis=1)
    else:
        hits = _in_top_k(y_true, y_pred, k)
    matches = _math.cast(hits, _floatx())
    return matches if reshape_to is None else _array.reshape(matches, reshape_to)


def _cosine_similarity(y_true, y_pred, axis=-1):
    return -_losses.cosine_similarity(y_true, y_pred, axis=axis)


# ---- metric classes -------------------------------------------------------------------------------------------

class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.Accuracy()([1, 2, 3], [1, 2, 4]))
    0.6666666865348816
    """

    _direction = "up"

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` matches binary labels.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.BinaryAccuracy()([[1.0], [0.0]], [[0.7], [0.6]]))
    0.5
    """

    _direction = "up"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) matches one-hot labels.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.CategoricalAccuracy()([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]]))
    0.5
    """

    _direction = "up"

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) matches integer labels.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.SparseCategoricalAccuracy()([1, 0], [[0.2, 0.8], [0.3, 0.7]]))
    0.5
    """

    _direction = "up"

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is among the top `k` predictions.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.TopKCategoricalAccuracy(k=1)([[0, 1]], [[0.2, 0.8]]))
    1.0
    """

    _direction = "up"

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the top `k` predictions.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.SparseTopKCategoricalAccuracy(k=1)([1], [[0.2, 0.8]]))
    1.0
    """

    _direction = "up"

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config


class MeanSquaredError(MeanMetricWrapper):
    """Mean of squared errors.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
    0.5
    """

    _direction = "down"

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(_losses.mean_squared_error, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean of absolute errors.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 1.0]]))
    0.5
    """

    _direction = "down"

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(_losses.mean_absolute_error, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Mean absolute percentage error.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.MeanAbsolutePercentageError()([[2.0]], [[1.0]]))
    50.0
    """

    _direction = "down"

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(_losses.mean_absolute_percentage_error, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Mean squared logarithmic error.

    >>> import eagerflow as tf
    >>> round(float(tf.keras.metrics.MeanSquaredLogarithmicError()([[0.0]], [[1.0]])), 4)
    0.4805
    """

    _direction = "down"

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(_losses.mean_squared_logarithmic_error, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class LogCoshError(MeanMetricWrapper):
    """Mean of log(cosh(error)).

    >>> import eagerflow as tf
    >>> round(float(tf.keras.metrics.LogCoshError()([[0.0]], [[1.0]])), 4)
    0.4338
    """

    _direction = "down"

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(_losses.log_cosh, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class KLDivergence(MeanMetricWrapper):
    """Mean Kullback-Leibler divergence.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.KLDivergence()([[0.5, 0.5]], [[0.5, 0.5]]))
    0.0
    """

    _direction = "down"

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(_losses.kl_divergence, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class Poisson(MeanMetricWrapper):
    """Mean Poisson loss.

    >>> import eagerflow as tf
    >>> round(float(tf.keras.metrics.Poisson()([[1.0]], [[1.0]])), 4)
    1.0
    """

    _direction = "down"

    def __init__(self, name="poisson", dtype=None):
        super().__init__(_losses.poisson, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class Hinge(MeanMetricWrapper):
    """Mean hinge loss.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.Hinge()([[1.0]], [[0.25]]))
    0.75
    """

    _direction = "down"

    def __init__(self, name="hinge", dtype=None):
        super().__init__(_losses.hinge, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SquaredHinge(MeanMetricWrapper):
    """Mean squared hinge loss.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.SquaredHinge()([[1.0]], [[0.5]]))
    0.25
    """

    _direction = "down"

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(_losses.squared_hinge, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class CategoricalHinge(MeanMetricWrapper):
    """Mean categorical hinge loss.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.CategoricalHinge()([[0.0, 1.0]], [[0.5, 0.5]]))
    1.0
    """

    _direction = "down"

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(_losses.categorical_hinge, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class CosineSimilarity(MeanMetricWrapper):
    """Mean cosine similarity between labels and predictions along `axis` (1 = same direction)."""

    _direction = "up"

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_cosine_similarity, name=name, dtype=dtype, axis=axis)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class RootMeanSquaredError(Mean):
    """sqrt of the mean squared error over all values seen.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.RootMeanSquaredError()([[0.0, 0.0]], [[3.0, 3.0]]))
    3.0
    """

    _direction = "down"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = _dt.as_dtype(self.dtype)
        y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(_tensor(y_true, dtype), _tensor(y_pred, dtype))
        super().update_state(_math.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return _math.sqrt(super().result())


class _CrossentropyMetric(MeanMetricWrapper):
    _direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}


class BinaryCrossentropy(_CrossentropyMetric):
    """Mean binary cross-entropy."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(_losses.binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(_CrossentropyMetric):
    """Mean categorical cross-entropy."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(_losses.categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_CrossentropyMetric):
    """Mean sparse categorical cross-entropy."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, axis=-1):
        super().__init__(_losses.sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         axis=axis)


METRIC_FUNCTIONS.update({f.__name__: f for f in (accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
                                       top_k_categorical_accuracy, sparse_top_k_categorical_accuracy)})


# ---- lookup by name ------------------------------------------------------------------------------------------

_CLASSES = {c.__name__: c for c in (
    Metric, Sum, Mean, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, RootMeanSquaredError, CosineSimilarity, LogCoshError,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson, Hinge,
    SquaredHinge, CategoricalHinge, TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall,
    AUC, FBetaScore, F1Score, R2Score, IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU, PrecisionAtRecall,
    RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity)}
_ALL = {**METRIC_FUNCTIONS, **_CLASSES, **{_losses._snake(k): v for k, v in _CLASSES.items()},
        "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError, "MSE": MeanSquaredError,
        "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
        "MAPE": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError,
        "MSLE": MeanSquaredLogarithmicError, "auc": AUC, "kld": KLDivergence, "KLD": KLDivergence,
        "logcosh": LogCoshError, "huber": _losses.huber}
# Keras's module also exports the loss functions under their metric names.
binary_crossentropy = _losses.binary_crossentropy
categorical_crossentropy = _losses.categorical_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy
hinge, squared_hinge, categorical_hinge = _losses.hinge, _losses.squared_hinge, _losses.categorical_hinge
kld = kullback_leibler_divergence = _losses.kl_divergence
mse, mae, mape, msle = _losses.mse, _losses.mae, _losses.mape, _losses.msle
poisson, huber, logcosh = _losses.poisson, _losses.huber, _losses.log_cosh


def serialize(metric) -> dict | str:
    """A `Metric` as Keras's config dict; a metric function as its name."""
    return _ser.serialize(metric, "keras.metrics") if isinstance(metric, Metric) else getattr(metric, "__name__", metric)


def deserialize(config, custom_objects=None):
    """The metric a `serialize()` result describes."""
    return _ser.deserialize(config, _ALL, "metric", custom_objects)


def get(identifier):
    """A metric from a name ('mae', 'AUC', 'binary_accuracy', ...), a config dict, a callable or a `Metric`.

    Class names and their snake_case forms give new instances (also 'accuracy', 'binary_accuracy', ...).

    >>> import eagerflow as tf
    >>> tf.keras.metrics.get("mse")
    <MeanSquaredError name=mean_squared_error>
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
        return obj() if isinstance(obj, type) else obj
    raise ValueError(f"Could not interpret metric identifier: {identifier}")
