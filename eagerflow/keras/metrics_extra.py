"""More `tf.keras.metrics`: F-scores, R2Score, IoU family, and the "X at fixed Y" threshold metrics.

Same contract as `metrics.py` (Keras 3 semantics): state lives in non-trainable variables created
with `add_variable`, `update_state` is written with eagerflow ops so it runs eagerly and inside a
traced train step. The threshold metrics (`PrecisionAtRecall`, ...) share `confusion_metrics.py`'s
per-threshold counting.

>>> import eagerflow as tf
>>> m = tf.keras.metrics.F1Score(average="micro", threshold=0.5)
>>> m.update_state([[1.0, 0.0], [0.0, 1.0]], [[0.9, 0.2], [0.7, 0.6]])
>>> round(float(m.result()), 4)
0.8
"""
from __future__ import annotations

import warnings

import eagerflow as tf  # public API only; attributes are read at call time
from ..tensor import EagerTensor
from . import backend as _backend
from . import losses as _losses
from .confusion_metrics import _prepare, confusion_counts
from .metrics_base import Metric, _tensor

__all__ = ["FBetaScore", "F1Score", "R2Score", "IoU", "MeanIoU", "BinaryIoU", "OneHotIoU", "OneHotMeanIoU",
           "PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity"]


def _check_2d(cls_name: str, y_true_shape, y_pred_shape) -> None:
    """Keras's errors for F-score / R2 inputs that are not (batch, output_dim) with a known output_dim."""
    if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
        raise ValueError(f"{cls_name} expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                         f"y_pred.shape={tuple(y_pred_shape)} and y_true.shape={tuple(y_true_shape)}.")
    if y_pred_shape[-1] is None or y_true_shape[-1] is None:
        raise ValueError(f"{cls_name} expects 2D inputs with shape (batch_size, output_dim), with output_dim fully "
                         f"defined (not None). Received input shapes: y_pred.shape={tuple(y_pred_shape)} and "
                         f"y_true.shape={tuple(y_true_shape)}.")


# ---- F-scores ---------------------------------------------------------------------------------------------

class FBetaScore(Metric):
    """F-beta score per class (`average=None`) or averaged ("micro", "macro", "weighted").

    Without `threshold`, the highest-scoring class of each row counts as predicted; with it, every
    score above `threshold`. Variables are created on the first update (their shape needs the
    number of classes).

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.FBetaScore(beta=2.0, threshold=0.5)
    >>> m.update_state([[1.0, 0.0], [1.0, 1.0]], [[0.9, 0.2], [0.3, 0.8]])
    >>> [round(float(v), 4) for v in m.result()]
    [0.5556, 1.0]
    """

    _direction = "up"

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                             f"'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python float. "
                                 f"Received: threshold={threshold} of type '{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                                 f"Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        _check_2d("FBetaScore", y_true_shape, y_pred_shape)
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
            setattr(self, name, self.add_variable(shape, initializer="zeros", dtype=self.dtype, name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = tf.as_dtype(self.dtype)
        y_true, y_pred = _tensor(y_true, dtype), _tensor(y_pred, dtype)
        if not self._built:
            self._build(y_true.shape.as_list() if y_true.shape.rank is not None else (),
                        y_pred.shape.as_list() if y_pred.shape.rank is not None else ())
        if self.threshold is None:
            # The row's maximum is predicted; an all-zero row predicts nothing.
            top = tf.reduce_max(y_pred, axis=-1, keepdims=True)
            hit = tf.logical_and(y_pred >= top, tf.abs(y_pred) > tf.cast(1e-9, dtype))
        else:
            hit = y_pred > tf.cast(self.threshold, dtype)
        y_pred = tf.cast(hit, dtype)
        weight = None if sample_weight is None else tf.expand_dims(_tensor(sample_weight, dtype), 1)

        def total(values):
            if weight is not None:
                values = values * weight
            return tf.reduce_sum(values, axis=self.axis)

        self.true_positives.assign_add(total(y_pred * y_true), read_value=False)
        self.false_positives.assign_add(total(y_pred * (1.0 - y_true)), read_value=False)
        self.false_negatives.assign_add(total((1.0 - y_pred) * y_true), read_value=False)
        self.intermediate_weights.assign_add(total(y_true), read_value=False)

    def result(self):
        if not self._built:
            raise ValueError(f"Cannot get result() of {type(self).__name__} before `update_state()` (its variables "
                             "are created on the first update).")
        eps = _backend.epsilon()
        tp = self.true_positives.value()
        precision = tp / (tp + self.false_positives.value() + eps)
        recall = tp / (tp + self.false_negatives.value() + eps)
        b2 = self.beta ** 2
        f_score = precision * recall / (b2 * precision + recall + eps) * (1 + b2)
        if self.average == "weighted":
            w = self.intermediate_weights.value()
            return tf.reduce_sum(f_score * (w / (tf.reduce_sum(w) + eps)))
        if self.average is not None:
            return tf.reduce_mean(f_score)
        return f_score

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score (harmonic mean of precision and recall): `FBetaScore` with `beta=1`.

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.F1Score(average="macro")
    >>> m.update_state([[1.0, 0.0], [0.0, 1.0]], [[0.9, 0.2], [0.7, 0.6]])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


# ---- R2 ----------------------------------------------------------------------------------------------------

class R2Score(Metric):
    """Coefficient of determination per output column, aggregated by `class_aggregation`.

    `num_regressors > 0` gives the adjusted R2 (falling back to plain R2, with a warning, when there
    are too few samples).

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.R2Score()
    >>> m.update_state([[1.0], [2.0], [3.0]], [[1.0], [2.0], [4.0]])
    >>> float(m.result())
    0.5
    """

    _direction = "up"

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of {valid}. "
                             f"Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             f"Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), initializer="zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        _check_2d("R2Score", y_true_shape, y_pred_shape)
        n = (y_pred_shape[-1],)
        self.squared_sum = self.add_variable(n, initializer="zeros", name="squared_sum")
        self.sum = self.add_variable(n, initializer="zeros", name="sum")
        self.total_mse = self.add_variable(n, initializer="zeros", name="residual")
        self.count = self.add_variable(n, initializer="zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = tf.as_dtype(self.dtype)
        y_true, y_pred = _tensor(y_true, dtype), _tensor(y_pred, dtype)
        y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape.as_list(), y_pred.shape.as_list())
        w = _tensor(1.0 if sample_weight is None else sample_weight, dtype)
        if w.shape.rank == 1:
            w = tf.expand_dims(w, 1)
        w = tf.broadcast_to(w, tf.shape(y_true))
        weighted = y_true * w
        self.sum.assign_add(tf.reduce_sum(weighted, axis=0), read_value=False)
        self.squared_sum.assign_add(tf.reduce_sum(y_true * weighted, axis=0), read_value=False)
        self.total_mse.assign_add(tf.reduce_sum(tf.square(y_true - y_pred) * w, axis=0), read_value=False)
        self.count.assign_add(tf.reduce_sum(w, axis=0), read_value=False)
        self.num_samples.assign_add(tf.cast(tf.size(y_true), self.num_samples.dtype), read_value=False)

    def result(self):
        if not self._built:
            raise ValueError("Cannot get result() of R2Score before `update_state()` (its variables are created on "
                             "the first update).")
        total_sum = self.sum.value()
        total = self.squared_sum.value() - total_sum * (total_sum / self.count.value())
        raw = 1.0 - self.total_mse.value() / total
        raw = tf.where(tf.math.is_inf(raw), tf.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = tf.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = tf.reduce_sum(total * raw) / tf.reduce_sum(total)
        else:
            score = raw
        if self.num_regressors == 0:
            return score
        n = tf.cast(self.num_samples.value(), tf.float32)
        p = tf.cast(self.num_regressors, tf.float32)
        if isinstance(n, EagerTensor):
            samples = float(n.numpy())
            if self.num_regressors > samples - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
                return score
            if self.num_regressors == samples - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                              stacklevel=2)
                return score
            return 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        # Traced: the fallback is a select, as the sample count is only known when the graph runs.
        adjusted = 1.0 - (1.0 - score) * (n - 1.0) / tf.where(n - p - 1.0 > 0.0, n - p - 1.0, tf.ones_like(n))
        return tf.where(p < n - 1.0, adjusted, score)

    def reset_state(self):
        for v in self.variables:
            v.assign(tf.zeros(v.shape.as_list(), dtype=v.dtype), read_value=False)

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


# ---- intersection over union ------------------------------------------------------------------------------

class _IoUBase(Metric):
    """Accumulates a (num_classes, num_classes) confusion matrix: rows are labels, columns predictions."""

    _direction = "up"

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int64")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable((num_classes, num_classes), initializer="zeros", dtype=self.dtype,
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = tf.as_dtype(self.dtype)
        if not self.sparse_y_true:
            y_true = tf.argmax(_tensor(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = tf.argmax(_tensor(y_pred), axis=self.axis)
        y_true = tf.reshape(_tensor(y_true, dtype), [-1])
        y_pred = tf.reshape(_tensor(y_pred, dtype), [-1])
        if sample_weight is not None and dtype.is_integer and _tensor(sample_weight).dtype.is_floating:
            warnings.warn("You are passing weight as `float`, but dtype is `int`. This may result in an incorrect "
                          "weight due to type casting Consider using integer weights.")
        w = tf.reshape(_tensor(1 if sample_weight is None else sample_weight, dtype), [-1])
        w = tf.broadcast_to(w, tf.shape(y_true))
        n = tf.cast(self.num_classes, dtype)
        zero = tf.zeros_like(y_true)
        valid = tf.logical_and(tf.logical_and(y_true >= zero, y_true < n), tf.logical_and(y_pred >= zero, y_pred < n))
        if self.ignore_class is not None:
            valid = tf.logical_and(valid, tf.not_equal(y_true, tf.cast(self.ignore_class, dtype)))
        y_true, y_pred = tf.where(valid, y_true, zero), tf.where(valid, y_pred, zero)
        w = tf.where(valid, w, tf.zeros_like(w))
        cell = tf.cast(y_true, tf.int64) * self.num_classes + tf.cast(y_pred, tf.int64)
        counts = tf.math.unsorted_segment_sum(w, cell, self.num_classes * self.num_classes)
        self.total_cm.assign_add(tf.reshape(counts, [self.num_classes, self.num_classes]), read_value=False)

    def reset_state(self):
        self.total_cm.assign(tf.zeros_like(self.total_cm.value()), read_value=False)


class IoU(_IoUBase):
    """Intersection over union `tp / (tp + fp + fn)`, averaged over `target_class_ids`.

    Labels and predictions are class ids (or one-hot / scores with `sparse_y_true=False` /
    `sparse_y_pred=False`); classes that never occur are left out of the mean.

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.IoU(num_classes=2, target_class_ids=[0])
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        cm = self.total_cm.value()
        tp = tf.linalg.diag_part(cm)
        denominator = tf.reduce_sum(cm, axis=0) + tf.reduce_sum(cm, axis=1) - tp
        ids = tf.constant(self.target_class_ids, dtype=tf.int32)
        tp = tf.cast(tf.gather(tp, ids), tf.float32)
        denominator = tf.cast(tf.gather(denominator, ids), tf.float32)
        valid = denominator > 1e-9
        iou = tf.where(valid, tp / (denominator + _backend.epsilon()), tf.zeros_like(tp))
        return tf.reduce_sum(iou, axis=self.axis) / (tf.reduce_sum(tf.cast(valid, tf.float32))
                                                     + _backend.epsilon())

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of a binary task: predictions `>= threshold` are class 1.

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.BinaryIoU(target_class_ids=[1])
    >>> m.update_state([0, 1, 1], [0.2, 0.7, 0.4])
    >>> round(float(m.result()), 4)
    0.5
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = tf.as_dtype(self.dtype)
        y_pred = tf.cast(_tensor(y_pred, tf.float32) >= self.threshold, dtype)
        super().update_state(_tensor(y_true, dtype), y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over all `num_classes` classes.

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU for one-hot labels and per-class scores (the argmax is the predicted class).

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.OneHotIoU(num_classes=2, target_class_ids=[1])
    >>> m.update_state([[1, 0], [0, 1]], [[0.8, 0.2], [0.3, 0.7]])
    >>> round(float(m.result()), 4)
    1.0
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """MeanIoU for one-hot labels and per-class scores.

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.OneHotMeanIoU(num_classes=2)
    >>> m.update_state([[1, 0], [0, 1]], [[0.8, 0.2], [0.6, 0.4]])
    >>> float(m.result())
    0.25
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


# ---- one rate at a fixed value of another ------------------------------------------------------------------

class _AtFixedRate(Metric):
    """Counts tp/fp/tn/fn at `num_thresholds` evenly spaced thresholds in [0, 1]; `result()` takes the best
    `_dependent` rate among thresholds whose `_constrained` rate is at least `value`."""

    _direction = "up"
    _arg = "value"
    _constrained, _dependent = "recall", "precision"

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if value < 0 or value > 1:
            raise ValueError(f"Argument `{self._arg}` must be in the range [0, 1]. Received: {self._arg}={value}")
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        setattr(self, self._arg, value)
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
        n = (len(self.thresholds),)
        for kind in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, kind, self.add_variable(n, initializer="zeros", name=kind))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred, w = _prepare(y_true, y_pred, sample_weight, tf.as_dtype(self.dtype), class_id=self.class_id)
        counts = confusion_counts(y_true, y_pred, self.thresholds, ("tp", "fp", "tn", "fn"), w)
        for kind, var in (("tp", self.true_positives), ("fp", self.false_positives), ("tn", self.true_negatives),
                          ("fn", self.false_negatives)):
            var.assign_add(counts[kind], read_value=False)

    def _rates(self) -> dict:
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        recall = tf.math.divide_no_nan(tp, tp + fn)
        return {"recall": recall, "sensitivity": recall, "precision": tf.math.divide_no_nan(tp, tp + fp),
                "specificity": tf.math.divide_no_nan(tn, tn + fp)}

    def result(self):
        rates = self._rates()
        dependent = rates[self._dependent]
        feasible = rates[self._constrained] >= tf.cast(self.value, dependent.dtype)
        return tf.reduce_max(tf.concat([tf.where(feasible, dependent, tf.zeros_like(dependent)),
                                        tf.zeros([1], dependent.dtype)], axis=0))

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id, "num_thresholds": self.num_thresholds,
                self._arg: self.value}


class PrecisionAtRecall(_AtFixedRate):
    """The best precision over thresholds where recall is at least `recall`.

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.PrecisionAtRecall(0.5, num_thresholds=5)
    >>> m.update_state([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    >>> float(m.result())
    1.0
    """

    _arg = "recall"
    _constrained, _dependent = "recall", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)


class RecallAtPrecision(_AtFixedRate):
    """The best recall over thresholds where precision is at least `precision`.

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.RecallAtPrecision(0.6, num_thresholds=5)
    >>> m.update_state([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    >>> round(float(m.result()), 4)
    1.0
    """

    _arg = "precision"
    _constrained, _dependent = "precision", "recall"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)


class SensitivityAtSpecificity(_AtFixedRate):
    """The best sensitivity (recall) over thresholds where specificity is at least `specificity`.

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.SensitivityAtSpecificity(0.5, num_thresholds=5)
    >>> m.update_state([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    >>> float(m.result())
    1.0
    """

    _arg = "specificity"
    _constrained, _dependent = "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)


class SpecificityAtSensitivity(_AtFixedRate):
    """The best specificity over thresholds where sensitivity (recall) is at least `sensitivity`.

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.SpecificityAtSensitivity(0.5, num_thresholds=5)
    >>> m.update_state([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    >>> float(m.result())
    1.0
    """

    _arg = "sensitivity"
    _constrained, _dependent = "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)
