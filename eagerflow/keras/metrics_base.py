"""The Keras metric base class and the reduction metrics (`Sum`, `Mean`, `MeanMetricWrapper`).

Users reach these through `tf.keras.metrics`; concrete metrics build on them in `metrics.py` and
`confusion_metrics.py`.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..context import name_scope
from ..ops import array as _array, math as _math, reduce as _reduce
from ..tensor import Tensor, convert_to_tensor
from ..variables import Variable as _TFVariable
from . import backend as _backend
from . import losses as _losses
from .variables import Variable as _KerasVariable

__all__ = ["Metric", "Sum", "Mean", "MeanMetricWrapper", "reduce_to_samplewise_values"]


def _floatx():
    return _dt.as_dtype(_backend.floatx())


def _tensor(x, dtype=None) -> Tensor:
    t = x if isinstance(x, Tensor) else convert_to_tensor(x)
    if dtype is not None and t.dtype is not dtype:
        t = _math.cast(t, dtype)
    return t


class Metric:
    """Base class: `update_state(...)` accumulates into variables, `result()` reads them.

    Variables created with `add_variable`/`add_weight`, and metrics assigned as attributes, are tracked.

    >>> import eagerflow as tf
    >>> class Count(tf.keras.metrics.Metric):
    ...     def __init__(self, name="count"):
    ...         super().__init__(name=name)
    ...         self.n = self.add_variable((), initializer="zeros", name="n")
    ...     def update_state(self, values):
    ...         self.n.assign_add(tf.cast(tf.size(values), tf.float32))
    ...     def result(self):
    ...         return self.n.value()
    >>> c = Count()
    >>> c.update_state([1, 2, 3])
    >>> float(c.result())
    3.0
    """

    def __init__(self, dtype=None, name=None):
        object.__setattr__(self, "_variables", [])
        object.__setattr__(self, "_metrics", [])
        self.name = name or _backend.unique_name(_losses._snake(type(self).__name__))
        self._dtype = _backend.standardize_dtype(dtype)

    def __setattr__(self, name, value):
        if "_variables" in self.__dict__:  # track sub-metrics and variables assigned as attributes
            if isinstance(value, Metric) and all(m is not value for m in self._metrics):
                self._metrics.append(value)
            elif isinstance(value, _TFVariable) and all(v is not value for v in self._variables):
                self._variables.append(value)
        object.__setattr__(self, name, value)

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def variables(self) -> list:
        """This metric's variables, then those of its sub-metrics."""
        out = list(self._variables)
        for m in self._metrics:
            out.extend(m.variables)
        return out

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A new non-trainable state variable (`initializer`: 'zeros', 'ones', a number or a callable)."""
        if "_variables" not in self.__dict__:
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` method. Go add it!")
        shape = tuple(int(d) for d in shape)
        dtype = _backend.standardize_dtype(dtype or self._dtype)
        if initializer is None or initializer == "zeros":
            initializer = 0
        elif initializer == "ones":
            initializer = 1
        value = initializer if callable(initializer) else np.full(shape, initializer, _dt.as_dtype(dtype).as_numpy_dtype)
        with name_scope(self.name.replace("/", ">") + "/"):
            variable = _KerasVariable(value, shape=shape, dtype=dtype, trainable=False, name=name or "variable")
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self) -> None:
        """Sets every state variable back to zero."""
        for v in self.variables:
            v.assign(_array.zeros(v.shape.as_list(), dtype=v.dtype), read_value=False)

    def __call__(self, *args, **kwargs):
        """`update_state(*args, **kwargs)`, then `result()`."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__


# ---- reduction metrics ----------------------------------------------------------------------------------------

def _reduce_axes(fn, x, first: int):
    rank = x.shape.rank
    if rank is None or rank <= first:
        return x
    return fn(x, axis=list(range(first, rank)))


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """One (weighted) value per sample: extra axes reduced with `reduce_fn`, weights broadcast."""
    values = _tensor(values, _dt.as_dtype(dtype))
    mask = getattr(values, "_keras_mask", None)
    if sample_weight is not None:
        sample_weight = _tensor(sample_weight, values.dtype)
        if mask is not None:
            sample_weight = _losses._mask_to_weight(sample_weight, mask, values.dtype, "sum")
        values, sample_weight = _losses.squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_rank = sample_weight.shape.rank
        values = _reduce_axes(reduce_fn, values, weight_rank)
        sample_weight = _array.broadcast_to(sample_weight, _array.shape(values))
        values = values * sample_weight
        if weight_rank > 1:
            sample_weight = _reduce_axes(reduce_fn, sample_weight, 1)
    values = _reduce_axes(reduce_fn, values, 1)
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the values seen.

    >>> import eagerflow as tf
    >>> s = tf.keras.metrics.Sum()
    >>> s.update_state([1.0, 2.0], sample_weight=[1.0, 0.5])
    >>> float(s.result())
    2.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), initializer="zeros", dtype=self.dtype, name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, _reduce.reduce_sum, self.dtype)
        self.total.assign_add(_reduce.reduce_sum(values), read_value=False)

    def result(self):
        return self.total.value()


class Mean(Metric):
    """The (weighted) mean of the values seen: `total / count`.

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.Mean()
    >>> m.update_state([1.0, 3.0], sample_weight=[1.0, 3.0])
    >>> float(m.result())
    2.5
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), initializer="zeros", dtype=self.dtype, name="total")
        self.count = self.add_variable((), initializer="zeros", dtype=self.dtype, name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, _reduce.reduce_mean, self.dtype)
        self.total.assign_add(_reduce.reduce_sum(values), read_value=False)
        if sample_weight is not None:
            n = _reduce.reduce_sum(sample_weight)
        elif values.shape.rank:
            n = _math.cast(_array.shape(values)[0], values.dtype)
        else:
            n = _math.cast(1, values.dtype)
        self.count.assign_add(_tensor(n, self.count.dtype), read_value=False)

    def result(self):
        return _math.divide_no_nan(self.total.value(), self.count.value())


class MeanMetricWrapper(Mean):
    """The weighted mean of `fn(y_true, y_pred, **kwargs)` over all samples seen.

    >>> import eagerflow as tf
    >>> m = tf.keras.metrics.MeanMetricWrapper(tf.keras.metrics.binary_accuracy, name="acc")
    >>> m.update_state([[1.0], [0.0]], [[0.9], [0.8]])
    >>> float(m.result())
    0.5
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = getattr(y_pred, "_keras_mask", None)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if mask is not None:
            sample_weight = _losses._mask_to_weight(sample_weight, mask, _dt.as_dtype(self.dtype), "sum")
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = {**super().get_config(), **self._fn_kwargs}
        if type(self) is MeanMetricWrapper:
            config["fn"] = getattr(self._fn, "__name__", self._fn)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), str):
            config["fn"] = METRIC_FUNCTIONS[config["fn"]]
        return cls(**config)


# Per-sample metric functions by name (filled by metrics.py), for MeanMetricWrapper.from_config.
METRIC_FUNCTIONS: dict = {}
