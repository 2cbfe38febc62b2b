"""`tf.keras.optimizers.schedules`: learning rates that change with the optimizer's step count.

A schedule is called with the step (the optimizer's `iterations`, a tensor) and returns the learning
rate as a tensor; it is written with eagerflow ops, so it runs eagerly and inside the traced train step
alike (the rate then changes without retracing).

>>> import eagerflow as tf
>>> lr = tf.keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> round(float(lr(10)), 4)
0.05
"""
from __future__ import annotations

import math as _pymath

from .. import dtypes as _dt
from ..context import name_scope
from ..ops import math as _math
from ..tensor import convert_to_tensor

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
           "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts", "serialize", "deserialize"]


def _check_decay_steps(decay_steps) -> None:
    if decay_steps <= 0:
        raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")


def _as_float(value):
    """`value` as a float tensor (Python numbers become float32, as Keras)."""
    t = convert_to_tensor(value)
    return t if t.dtype.is_floating else _math.cast(t, _dt.float32)


class LearningRateSchedule:
    """Base class: subclasses define `__call__(step)` and `get_config()`.

    >>> import eagerflow as tf
    >>> class Halve(tf.keras.optimizers.schedules.LearningRateSchedule):
    ...     def __call__(self, step):
    ...         return 0.1 / (1.0 + tf.cast(step, tf.float32))
    ...     def get_config(self):
    ...         return {}
    >>> round(float(Halve()(1)), 3)
    0.05
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "`__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
                                  "in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _StepDecay(LearningRateSchedule):
    """Decays `initial_learning_rate` by a function of `step / decay_steps` (floored when `staircase`)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name or type(self).__name__
        _check_decay_steps(decay_steps)

    def _decay(self, lr, rate, progress):
        raise NotImplementedError

    def __call__(self, step):
        with name_scope(self.name):
            lr = _as_float(self.initial_learning_rate)
            p = _math.cast(step, lr.dtype) / _math.cast(self.decay_steps, lr.dtype)
            if self.staircase:
                p = _math.floor(p)
            return self._decay(lr, _math.cast(self.decay_rate, lr.dtype), p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_StepDecay):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)` (floored exponent when `staircase`).

    >>> import eagerflow as tf
    >>> s = tf.keras.optimizers.schedules.ExponentialDecay(1.0, 2, 0.5, staircase=True)
    >>> [float(s(i)) for i in (0, 1, 2)]
    [1.0, 1.0, 0.5]
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def _decay(self, lr, rate, progress):
        return lr * _math.pow(rate, progress)


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[i]` while `boundaries[i-1] < step <= boundaries[i]`.

    >>> import eagerflow as tf
    >>> s = tf.keras.optimizers.schedules.PiecewiseConstantDecay([5, 10], [1.0, 0.5, 0.1])
    >>> [float(s(i)) for i in (5, 6, 11)]
    [1.0, 0.5, 0.10000000149011612]
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of values. Received: "
                             f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length "
                             f"{len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        with name_scope(self.name):
            step = convert_to_tensor(step)
            bounds = [_math.cast(b, step.dtype) for b in self.boundaries]
            values = [convert_to_tensor(v) for v in self.values]
            dtype = values[0].dtype
            out = _math.cast(step <= bounds[0], dtype) * values[0]
            out = out + _math.cast(step > bounds[-1], dtype) * values[-1]
            for low, high, value in zip(bounds[:-1], bounds[1:], values[1:-1]):
                inside = _math.logical_and(step > low, step <= high)
                out = out + _math.cast(inside, dtype) * value
            return out

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Decays from `initial_learning_rate` to `end_learning_rate` as `(1 - step / decay_steps) ** power`.

    >>> import eagerflow as tf
    >>> s = tf.keras.optimizers.schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.0)
    >>> round(float(s(5)), 4)
    0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_decay_steps(decay_steps)

    def __call__(self, step):
        with name_scope(self.name):
            lr = _as_float(self.initial_learning_rate)
            dtype = lr.dtype
            end = _math.cast(self.end_learning_rate, dtype)
            step = _math.cast(step, dtype)
            steps = _math.cast(self.decay_steps, dtype)
            if self.cycle:
                cycles = _math.where(_math.equal(step, 0.0), _math.cast(1.0, dtype), _math.ceil(step / steps))
                steps = steps * cycles
            else:
                step = _math.minimum(step, steps)
            p = step / steps
            return (lr - end) * _math.pow(1.0 - p, _math.cast(self.power, dtype)) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class InverseTimeDecay(_StepDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    >>> import eagerflow as tf
    >>> s = tf.keras.optimizers.schedules.InverseTimeDecay(0.1, 10, 1.0)
    >>> round(float(s(10)), 4)
    0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def _decay(self, lr, rate, progress):
        return lr / (1.0 + rate * progress)


class CosineDecay(LearningRateSchedule):
    """Cosine decay to `alpha * initial_learning_rate` over `decay_steps`, after an optional linear warmup
    from `initial_learning_rate` to `warmup_target` over `warmup_steps`.

    >>> import eagerflow as tf
    >>> s = tf.keras.optimizers.schedules.CosineDecay(0.1, 20)
    >>> round(float(s(10)), 4)
    0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_decay_steps(decay_steps)

    def _decayed(self, step, steps, start):
        fraction = step / steps
        cosine = 0.5 * (1.0 + _math.cos(_math.cast(_pymath.pi, start.dtype) * fraction))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        with name_scope(self.name):
            lr = _as_float(self.initial_learning_rate)
            dtype = lr.dtype
            steps = _math.cast(self.decay_steps, dtype)
            step = _math.cast(step, dtype)
            if self.warmup_target is None:
                return self._decayed(_math.minimum(step, steps), steps, lr)
            target = _math.cast(self.warmup_target, dtype)
            warmup = _math.cast(self.warmup_steps, dtype)
            step = _math.minimum(step, steps + warmup)
            # Both branches are finite everywhere, so a select stands in for tf.cond.
            warm = (target - lr) * _math.divide_no_nan(step, warmup) + lr
            return _math.where(step < warmup, warm, self._decayed(step - warmup, steps, target))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): each period is `t_mul` times longer than the last and starts
    from `m_mul` times the previous peak; each decays to `alpha` times its peak.

    >>> import eagerflow as tf
    >>> s = tf.keras.optimizers.schedules.CosineDecayRestarts(0.1, 10)
    >>> [round(float(s(k)), 4) for k in (0, 5, 10, 20)]
    [0.1, 0.05, 0.1, 0.05]
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        if first_decay_steps <= 0:
            raise ValueError("Argument `first_decay_steps` must be > 0. Received: "
                             f"first_decay_steps={first_decay_steps}")

    def __call__(self, step):
        with name_scope(self.name):
            lr = convert_to_tensor(self.initial_learning_rate)
            dtype = lr.dtype
            alpha = _math.cast(self.alpha, dtype)
            t_mul = _math.cast(self._t_mul, dtype)
            fraction = _math.cast(step, dtype) / _math.cast(self.first_decay_steps, dtype)
            if float(self._t_mul) == 1.0:  # equal periods: the restart index is the whole part
                restart = _math.floor(fraction)
                fraction = fraction - restart
            else:  # periods grow geometrically: invert their partial sums
                restart = _math.floor(_math.log(1.0 - fraction * (1.0 - t_mul)) / _math.log(t_mul))
                done = (1.0 - _math.pow(t_mul, restart)) / (1.0 - t_mul)
                fraction = (fraction - done) / _math.pow(t_mul, restart)
            peak = _math.pow(_math.cast(self._m_mul, dtype), restart)
            cosine = 0.5 * peak * (1.0 + _math.cos(_math.cast(_pymath.pi, dtype) * fraction))
            return lr * ((1 - alpha) * cosine + alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self._t_mul, "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_ALL = {c.__name__: c for c in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay,
                                 CosineDecay, CosineDecayRestarts)}


def serialize(learning_rate_schedule) -> dict:
    """The schedule as Keras's config dict (`module`, `class_name`, `config`, `registered_name`)."""
    return {"module": "keras.optimizers.schedules", "class_name": type(learning_rate_schedule).__name__,
            "config": learning_rate_schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """The schedule a `serialize()` dict describes."""
    table = dict(_ALL, **(custom_objects or {}))
    name = config.get("class_name")
    if name not in table:
        raise ValueError(f"Could not interpret learning rate schedule: {config!r}")
    return table[name].from_config(config.get("config", {}))
