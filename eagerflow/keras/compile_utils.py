"""What `compile(loss=..., metrics=...)` turns into: `CompileLoss` and `CompileMetrics`.

Both resolve their identifiers lazily, on the first batch (`build(y_true, y_pred)`), because
'accuracy' and 'crossentropy' depend on the shapes: a last dimension of 1 means binary, labels of
lower rank (or a last dimension of 1 against several classes) mean sparse categorical, anything else
categorical (Keras 3's rule). Models with several outputs take a loss (and metrics) per output as a
list or a dict keyed by output name; a single loss applies to every output.

>>> import eagerflow as tf
>>> from eagerflow.keras.compile_utils import get_metric
>>> get_metric("accuracy", tf.zeros([4]), tf.zeros([4, 3]))
<SparseCategoricalAccuracy name=accuracy>
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .. import nest
from ..ops import math as _math
from . import losses as _losses
from . import metrics as _metrics
from .metrics_base import Mean, MeanMetricWrapper, Metric

__all__ = ["CompileLoss", "CompileMetrics", "get_metric", "get_loss", "is_binary_or_sparse_categorical"]


def _dims(t):
    shape = t.shape
    return tuple(shape.as_list()) if hasattr(shape, "as_list") and shape.rank is not None else tuple(shape)


def is_binary_or_sparse_categorical(y_true, y_pred):
    """(binary?, sparse categorical?) from the shapes of labels and predictions."""
    t, p = _dims(y_true), _dims(y_pred)
    t_last = t[-1] if t else None
    p_last = p[-1] if p else None
    is_binary = p_last == 1
    is_sparse = len(t) < len(p) or (t_last == 1 and p_last is not None and p_last > 1)
    return is_binary, is_sparse


def get_metric(identifier, y_true, y_pred):
    """A Metric for a compile() entry; 'accuracy'/'acc' picks binary, sparse or categorical accuracy."""
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        cls = (_metrics.BinaryAccuracy if is_binary else _metrics.SparseCategoricalAccuracy if is_sparse
               else _metrics.CategoricalAccuracy)
        metric = cls(name=str(identifier))
    else:
        metric = _metrics.get(identifier)
    if isinstance(identifier, str):
        name = identifier
    else:
        name = getattr(metric, "name", None) or getattr(metric, "__name__", type(metric).__name__)
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric, name=name)
    metric.name = name
    return metric


def get_loss(identifier, y_true, y_pred):
    """A Loss for a compile() entry; 'crossentropy'/'ce' picks binary, sparse or categorical."""
    if identifier is None:
        return None
    if str(identifier).lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        fn = (_losses.binary_crossentropy if is_binary else _losses.sparse_categorical_crossentropy if is_sparse
              else _losses.categorical_crossentropy)
    else:
        fn = _losses.get(identifier)
    if isinstance(fn, _losses.Loss):
        return fn
    name = identifier if isinstance(identifier, str) else getattr(fn, "__name__", type(fn).__name__)
    return _losses.LossFunctionWrapper(fn, name=name)


def _output_names(y_pred, names):
    """Names of the flat outputs (None where unknown)."""
    if isinstance(y_pred, dict):
        return list(names) if names and set(names) == set(y_pred) else sorted(y_pred)
    n = len(nest.flatten(y_pred))
    return list(names) if names and len(names) == n else [None] * n


def flatten_outputs(y, names, like):
    """`y` (labels, weights or predictions) as a flat list in the order of the model's outputs."""
    if isinstance(y, dict) and isinstance(like, dict):
        return [y[k] for k in names]
    if isinstance(y, dict) and names and all(n in y for n in names):
        return [y[k] for k in names]
    if not isinstance(like, (list, tuple, dict)):
        return [y]
    if isinstance(y, (list, tuple)):
        return list(y)
    return [y] * len(nest.flatten(like))


def _per_output(spec, names, what: str):
    """A loss/metric/weight specification spread over the outputs (None where not given)."""
    n = len(names)
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise ValueError(f"Expected keys {names} in `{what}` dict, but found {what}.keys()={list(spec)}")
        return [spec.get(name) for name in names]
    if isinstance(spec, (list, tuple)) and n > 1:
        if len(spec) != n:
            raise ValueError(f"`{what}` must have one entry per output: the model has {n} outputs, got "
                             f"{len(spec)} entries ({spec}).")
        return list(spec)
    return [spec] * n


def _check_target_shape(loss, output_name, y_true, y_pred) -> None:
    """Targets whose last dimension cannot meet the output's: a ValueError naming both shapes."""
    if y_true is None or getattr(loss, "fn", None) is _losses.sparse_categorical_crossentropy:
        return
    t, p = _dims(y_true), _dims(y_pred)
    if len(t) != len(p) or not t:
        return
    a, b = t[-1], p[-1]
    if a is not None and b is not None and a != b and a != 1 and b != 1:
        t, p = (None,) + tuple(t[1:]), (None,) + tuple(p[1:])  # per sample (built from one), as Keras's symbolic shapes
        raise ValueError(f"The loss '{loss.name}' of output '{output_name}' received targets `y` of shape "
                         f"{t}, but the model's output has shape {p}: the last dimensions must match ({a} vs {b}).")


class CompileLoss:
    """The compiled loss: one loss per output, weighted and summed (per-output trackers when several)."""

    def __init__(self, loss, loss_weights=None, output_names=None):
        if loss_weights is not None and not isinstance(loss_weights, (list, tuple, dict, float, int)):
            raise ValueError("Expected `loss_weights` argument to be a float (single output case) or a list, tuple, "
                             f"or dict (multiple output case). Received instead: loss_weights={loss_weights} of type "
                             f"{type(loss_weights)}")
        for item in nest.flatten(loss):
            if isinstance(item, str) and item.lower() not in ("crossentropy", "ce"):
                _losses.get(item)  # an unknown name fails now, at compile time
        self._user_loss = loss
        self._user_loss_weights = loss_weights
        self.output_names = output_names
        self.built = False
        self.metrics: list = []
        self._entries: list = []  # (output index, Loss, weight, name)
        self._names: list = []
        self._pred_last_dims: list = []

    def build(self, y_true, y_pred) -> None:
        names = _output_names(y_pred, self.output_names)
        flat_pred = flatten_outputs(y_pred, names, y_pred)
        flat_true = flatten_outputs(y_true, names, y_pred)
        losses = _per_output(self._user_loss, names, "loss")
        weights = self._user_loss_weights
        if isinstance(weights, (list, tuple)) and len(weights) == 1 and len(names) == 1:
            weights = weights[0]
        weights = _per_output(weights, names, "loss_weights")
        bad = [w for w in weights if w is not None and (isinstance(w, bool) or not isinstance(w, (int, float)))]
        if bad:
            raise ValueError(f"`loss_weights` must hold numbers (one per output), got {self._user_loss_weights!r}")
        for i, (loss, weight) in enumerate(zip(losses, weights)):
            if loss is None:
                continue
            resolved = get_loss(loss, flat_true[i], flat_pred[i])
            name = names[i] if names[i] is not None else resolved.name
            _check_target_shape(resolved, name, flat_true[i], flat_pred[i])
            self._entries.append((i, resolved, weight, name))
        if not self._entries:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        if len(self._entries) > 1:
            self.metrics = [Mean(name=f"{name}_loss") for _, _, _, name in self._entries]
        self._names = names
        self._pred_last_dims = [(_dims(p)[-1] if _dims(p) else None) for p in flat_pred]
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        names = self._names
        flat_pred = flatten_outputs(y_pred, names, y_pred)
        flat_true = flatten_outputs(y_true, names, y_pred)
        if len(flat_true) != len(flat_pred):
            raise ValueError(f"y_true and y_pred have different structures: the model has {len(flat_pred)} outputs but "
                             f"{len(flat_true)} targets were given.")
        flat_weight = (flatten_outputs(sample_weight, names, y_pred) if sample_weight is not None
                       else [None] * len(flat_pred))
        total = None
        for k, (i, loss, weight, _) in enumerate(self._entries):
            value = loss(flat_true[i], flat_pred[i], flat_weight[i])
            if value.dtype is not _dt.float32:
                value = _math.cast(value, _dt.float32)
            if self.metrics:  # per-output trackers, weighted by the static batch size as Keras does
                self.metrics[k].update_state(value, sample_weight=flat_pred[i].shape[0])
            if weight is not None:
                value = value * float(weight)
            total = value if total is None else total + value
        return total

    def check_labels(self, y_true) -> None:
        """Sparse-categorical labels outside [0, classes): a ValueError before training starts."""
        if not self.built:
            return
        if len(self._names) == 1:
            flat_true = [y_true]
        elif isinstance(y_true, dict):
            flat_true = [y_true.get(n) for n in self._names]
        else:
            flat_true = list(y_true) if isinstance(y_true, (list, tuple)) else [y_true] * len(self._names)
        for i, loss, _, name in self._entries:
            fn = getattr(loss, "fn", None)
            n = self._pred_last_dims[i]
            if fn is not _losses.sparse_categorical_crossentropy or n is None or i >= len(flat_true) \
                    or flat_true[i] is None:
                continue
            labels = np.asarray(flat_true[i])
            ignore = loss._fn_kwargs.get("ignore_class")
            if ignore is not None:
                labels = labels[labels != ignore]
            if labels.size == 0 or labels.dtype.kind not in "iuf":
                continue
            lo, hi = labels.min(), labels.max()
            if lo < 0 or hi >= n:
                bad = lo if lo < 0 else hi
                raise ValueError(f"Received a label value of {bad:g} which is outside the valid range of [0, {n}) for "
                                 f"the loss '{loss.name}' (output '{name}'): the model predicts {n} classes, so "
                                 f"`y` must hold class indices 0..{n - 1}, but it holds values from {lo:g} to "
                                 f"{hi:g}.")


class CompileMetrics(Metric):
    """The compiled metrics (and weighted metrics), per output; `result()` is a dict."""

    def __init__(self, metrics, weighted_metrics, output_names=None):
        super().__init__(name="compile_metrics")
        for arg, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value and not isinstance(value, (list, tuple, dict)):
                raise ValueError(f"Expected `{arg}` argument to be a list, tuple, or dict. Received instead: "
                                 f"{arg}={value} of type {type(value)}")
        for item in nest.flatten([metrics, weighted_metrics]):
            if isinstance(item, str) and item.lower() not in ("accuracy", "acc"):
                _metrics.get(item)  # an unknown name fails now, at compile time
        self._user_metrics = metrics
        self._user_weighted_metrics = weighted_metrics
        self.output_names = output_names
        self.built = False
        self._flat: list = []           # per output: [Metric]
        self._flat_weighted: list = []
        self._names: list = []

    @property
    def metrics(self) -> list:
        out = []
        for group in self._flat + self._flat_weighted:
            out.extend(group)
        return out

    @property
    def variables(self) -> list:
        return [v for m in self.metrics for v in m.variables]

    def _build_set(self, spec, names, flat_true, flat_pred) -> list:
        if not spec:
            return [[] for _ in names]
        if len(names) == 1:
            items = list(nest.flatten(spec)) if not isinstance(spec, dict) else list(nest.flatten(list(spec.values())))
            return [[get_metric(m, flat_true[0], flat_pred[0]) for m in items]]
        per = _per_output(spec, names, "metrics")
        return [[get_metric(m, flat_true[i], flat_pred[i]) for m in nest.flatten(entry)] if entry else []
                for i, entry in enumerate(per)]

    def build(self, y_true, y_pred) -> None:
        names = _output_names(y_pred, self.output_names)
        flat_pred = flatten_outputs(y_pred, names, y_pred)
        flat_true = flatten_outputs(y_true, names, y_pred)
        self._names = names
        self._flat = self._build_set(self._user_metrics, names, flat_true, flat_pred)
        self._flat_weighted = self._build_set(self._user_weighted_metrics, names, flat_true, flat_pred)
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        names = self._names
        flat_pred = flatten_outputs(y_pred, names, y_pred)
        flat_true = flatten_outputs(y_true, names, y_pred)
        flat_weight = (flatten_outputs(sample_weight, names, y_pred) if sample_weight is not None
                       else [None] * len(flat_pred))
        for i, group in enumerate(self._flat):
            for m in group:
                m.update_state(flat_true[i], flat_pred[i])
        for i, group in enumerate(self._flat_weighted):
            for m in group:
                m.update_state(flat_true[i], flat_pred[i], sample_weight=flat_weight[i])

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()

    def result(self) -> dict:
        if not self.built:
            raise ValueError("Cannot get result() since the metric has not yet been built.")
        results = {}
        multi = len(self._names) > 1
        for weighted, groups in ((False, self._flat), (True, self._flat_weighted)):
            for i, group in enumerate(groups):
                prefix = f"{self._names[i]}_" if multi and self._names[i] else ""
                for m in group:
                    name = prefix + m.name
                    if name in results:
                        name = prefix + (f"weighted_{m.name}" if weighted else m.name)
                        base, k = name, 1
                        while name in results:
                            name, k = f"{base}_{k}", k + 1
                    results[name] = m.result()
        return results
