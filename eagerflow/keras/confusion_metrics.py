"""Confusion-matrix metrics: TruePositives & co., Precision, Recall and AUC (Keras 3 semantics).

Each keeps per-threshold counts in variables. A prediction counts as positive at threshold `t`
when `y_pred > t`; labels count as positive when nonzero. Counts are updated with one comparison
of every prediction against every threshold (a [thresholds, values] boolean matrix), written with
eagerflow ops so the update runs eagerly and in traced train steps alike.

>>> import eagerflow as tf
>>> p = tf.keras.metrics.Precision()
>>> p.update_state([0, 1, 1, 1], [1.0, 1.0, 0.0, 1.0])
>>> round(float(p.result()), 4)
0.6667
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..ops import array as _array, manip as _manip, math as _math, reduce as _reduce
from ..ops import sort as _sort
from . import backend as _backend
from . import losses as _losses
from .metrics_base import Metric, _tensor

__all__ = ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "Precision", "Recall", "AUC"]

NEG_INF = -1e10
_KINDS = ("tp", "fp", "tn", "fn")


def _thresholds_list(thresholds, default):
    values = [default] if thresholds is None else (list(thresholds) if isinstance(thresholds, (list, tuple))
                                                    else [thresholds])
    if thresholds is not None:
        bad = [t for t in values if t is None or not 0 <= t <= 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return [float(t) for t in values]


def _filter_top_k(x, k):
    """Keeps the `k` largest scores per row; the rest become -1e10."""
    _, idx = _sort.top_k(x, k)
    mask = _reduce.reduce_sum(_manip.one_hot(idx, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * mask + NEG_INF * (1.0 - mask)


def _prepare(y_true, y_pred, sample_weight, dtype, top_k=None, class_id=None):
    """Labels, predictions and weights cast to `dtype`, filtered by top_k/class_id, weights broadcast."""
    y_true = _tensor(y_true, dtype)
    y_pred = _tensor(y_pred, dtype)
    y_pred, y_true = _losses.squeeze_or_expand_to_same_rank(y_pred, y_true)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.shape.rank == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape (num_samples, "
                             f"num_classes), found shape: {y_pred.shape}")
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    if sample_weight is not None:
        w = _tensor(sample_weight, dtype)
        while w.shape.rank is not None and y_pred.shape.rank is not None and w.shape.rank < y_pred.shape.rank:
            w = _array.expand_dims(w, -1)
        sample_weight = _array.broadcast_to(w, _array.shape(y_pred))
    return y_true, y_pred, sample_weight


def confusion_counts(y_true, y_pred, thresholds, kinds, sample_weight=None, multi_label=False):
    """{kind: counts} for kinds among 'tp', 'fp', 'tn', 'fn': per threshold (and per label if multi_label)."""
    dtype = y_pred.dtype
    t = _tensor(np.asarray(thresholds, dtype=dtype.as_numpy_dtype))
    label = _math.cast(y_true, _dt.bool)
    if multi_label:  # [T, N, L]: reduce over N
        t = _array.reshape(t, [-1, 1, 1])
        pred, lab = _array.expand_dims(y_pred, 0), _array.expand_dims(label, 0)
        w = None if sample_weight is None else _array.expand_dims(sample_weight, 0)
        axis = 1
    else:  # [T, N*L]
        t = _array.reshape(t, [-1, 1])
        pred, lab = _array.reshape(y_pred, [1, -1]), _array.reshape(label, [1, -1])
        w = None if sample_weight is None else _array.reshape(sample_weight, [1, -1])
        axis = 1
    pred_pos = _math.greater(pred, t)
    lab = _math.logical_and(lab, _array.ones_like(pred_pos))  # broadcast labels to [T, ...]
    cases = {"tp": (lab, pred_pos), "fp": (_math.logical_not(lab), pred_pos),
             "tn": (_math.logical_not(lab), _math.logical_not(pred_pos)), "fn": (lab, _math.logical_not(pred_pos))}
    out = {}
    for kind in kinds:
        hit = _math.logical_and(*cases[kind])
        values = _math.cast(hit, dtype)
        if w is not None:
            values = values * w
        out[kind] = _reduce.reduce_sum(values, axis=axis)
    return out


class _ConfusionCount(Metric):
    _kind = "tp"

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _thresholds_list(thresholds, 0.5)
        self.accumulator = self.add_variable((len(self.thresholds),), initializer="zeros", name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred, w = _prepare(y_true, y_pred, sample_weight, _dt.as_dtype(self.dtype))
        counts = confusion_counts(y_true, y_pred, self.thresholds, (self._kind,), w)
        self.accumulator.assign_add(counts[self._kind], read_value=False)

    def result(self):
        value = self.accumulator.value()
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """The (weighted) number of true positives.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.TruePositives()([0, 1, 1], [1.0, 1.0, 0.0]))
    1.0
    """
    _kind = "tp"


class FalsePositives(_ConfusionCount):
    """The (weighted) number of false positives.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.FalsePositives()([0, 1, 1], [1.0, 1.0, 0.0]))
    1.0
    """
    _kind = "fp"


class TrueNegatives(_ConfusionCount):
    """The (weighted) number of true negatives.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.TrueNegatives()([0, 0, 1], [0.0, 1.0, 0.0]))
    1.0
    """
    _kind = "tn"


class FalseNegatives(_ConfusionCount):
    """The (weighted) number of false negatives.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.FalseNegatives()([0, 1, 1], [1.0, 1.0, 0.0]))
    1.0
    """
    _kind = "fn"


class _PrecisionRecall(Metric):
    _kinds = ("tp", "fp")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _thresholds_list(thresholds, 0.5 if top_k is None else NEG_INF)
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), initializer="zeros", name="true_positives")
        other = "false_positives" if self._kinds[1] == "fp" else "false_negatives"
        setattr(self, other, self.add_variable((n,), initializer="zeros", name=other))
        self._other = getattr(self, other)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred, w = _prepare(y_true, y_pred, sample_weight, _dt.as_dtype(self.dtype), self.top_k,
                                     self.class_id)
        counts = confusion_counts(y_true, y_pred, self.thresholds, self._kinds, w)
        self.true_positives.assign_add(counts["tp"], read_value=False)
        self._other.assign_add(counts[self._kinds[1]], read_value=False)

    def result(self):
        tp = self.true_positives.value()
        value = _math.divide_no_nan(tp, tp + self._other.value())
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """`tp / (tp + fp)`: how many predicted positives are right (per threshold; `top_k`, `class_id` filter).

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.Precision()([0, 1, 1, 1], [1.0, 0.0, 1.0, 1.0]))
    0.6666666865348816
    """

    _direction = "up"
    _kinds = ("tp", "fp")


class Recall(_PrecisionRecall):
    """`tp / (tp + fn)`: how many actual positives are found.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.Recall()([0, 1, 1, 1], [1.0, 0.0, 1.0, 1.0]))
    0.6666666865348816
    """

    _direction = "up"
    _kinds = ("tp", "fn")


class AUC(Metric):
    """Area under the ROC or PR curve, from counts at `num_thresholds` thresholds.

    >>> import eagerflow as tf
    >>> float(tf.keras.metrics.AUC()([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]))
    0.75
    """

    _direction = "up"

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        curve, summation_method = str(curve).upper(), str(summation_method).lower()
        if curve not in ("ROC", "PR"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["ROC", "PR"]')
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". Expected values are '
                             '["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_thresholds_list(thresholds, 0.5))
            self.num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        eps = _backend.epsilon()
        self._thresholds = np.array([0.0 - eps] + inner + [1.0 + eps])
        self.curve = curve
        self.summation_method = summation_method
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=np.float32)
        self._from_logits = from_logits
        self._built = False
        if num_labels and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        if not multi_label:
            self._build(None)
        elif num_labels:
            self._build([None, num_labels])

    @property
    def thresholds(self) -> list:
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                                 f"Full shape received for `y_pred`: {shape}")
            self._num_labels = shape[1]
            var_shape = (self.num_thresholds, self._num_labels)
        else:
            var_shape = (self.num_thresholds,)
        for name in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, name, self.add_variable(var_shape, initializer="zeros", name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self._built:
            self._build(tuple(_tensor(y_pred).shape.as_list()))
        y_true, y_pred, w = _prepare(y_true, y_pred, sample_weight, _dt.as_dtype(self.dtype))
        if self._from_logits:
            y_pred = _math.sigmoid(y_pred)
        y_pred = _math.clip_by_value(y_pred, _math.cast(0.0, y_pred.dtype), _math.cast(1.0, y_pred.dtype))
        if self.label_weights is not None and not self.multi_label:
            lw = _tensor(self.label_weights, y_pred.dtype)
            w = _array.broadcast_to(lw, _array.shape(y_pred)) if w is None else w * lw
        counts = confusion_counts(y_true, y_pred, self._thresholds, _KINDS, w, self.multi_label)
        for kind, var in zip(_KINDS, (self.true_positives, self.false_positives, self.true_negatives,
                                      self.false_negatives)):
            var.assign_add(counts[kind], read_value=False)

    def _by_label(self, terms):
        if not self.multi_label:
            return _reduce.reduce_sum(terms)
        per_label = _reduce.reduce_sum(terms, axis=0)
        if self.label_weights is None:
            return _reduce.reduce_mean(per_label)
        lw = _tensor(self.label_weights, per_label.dtype)
        return _math.divide_no_nan(_reduce.reduce_sum(per_label * lw), _reduce.reduce_sum(lw))

    def _interpolate_pr_auc(self, tp, fp, fn):
        n = self.num_thresholds
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = _math.divide_no_nan(dtp, _math.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both = _math.logical_and(p[:n - 1] > 0.0, p[1:] > 0.0)
        ratio = _math.where(both, _math.divide_no_nan(p[:n - 1], _math.maximum(p[1:], 0.0)), _array.ones_like(p[1:]))
        increments = _math.divide_no_nan(slope * (dtp + intercept * _math.log(ratio)),
                                         _math.maximum(tp[1:] + fn[1:], 0.0))
        return self._by_label(increments)

    def result(self):
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = _math.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _math.divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _math.divide_no_nan(tp, tp + fp)
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = _math.minimum(y[:n - 1], y[1:])
        else:
            heights = _math.maximum(y[:n - 1], y[1:])
        return self._by_label((x[:n - 1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}
