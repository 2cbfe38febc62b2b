"""The Keras optimizer base class: variable tracking, the apply loop, clipping, weight decay, EMA.

Concrete optimizers (`tf.keras.optimizers.Adam`, ...) live in `optimizers.py`; users subclass
`tf.keras.optimizers.Optimizer` (this class) with `build` and `update_step`.
"""
from __future__ import annotations

import re

import numpy as np

from .. import dtypes as _dt
from ..autodiff.tape import GradientTape
from ..context import _state, logger, name_scope, resolve_pending_restores
from ..context import settings as _settings
from ..module import camel_to_snake
from ..ops import array as _array, control_flow as _control_flow, manip as _manip, math as _math, reduce as _reduce
from ..primitive import bind
from ..tensor import EagerTensor, Tensor, convert_to_tensor
from . import backend as _backend
from . import schedules
from .schedules import LearningRateSchedule
from .variables import Variable as _KerasVariable

__all__ = ["Optimizer", "global_norm", "clip_by_global_norm"]


def _as_tensor(value, dtype=None):
    if isinstance(value, Tensor) and (dtype is None or value.dtype is dtype):
        return value
    if isinstance(value, Tensor):
        return _math.cast(value, dtype)
    t = convert_to_tensor(value)
    return t if dtype is None or t.dtype is dtype else _math.cast(t, dtype)


_ONE = EagerTensor(np.int64(1))  # the iterations increment (an immutable constant)


def _store(variable, value) -> None:
    """`variable.assign(value)` for a fresh update-kernel result of the variable's dtype and shape.

    Eagerly the new tensor simply becomes the variable's value (what the graph executor's
    AssignVariableOp does): the kernel's arrays are new and referenced nowhere else, so the copy and
    the checks `assign` makes for arbitrary values are skipped. In a graph it is an ordinary assign.
    """
    if _state.graph is None and type(value) is EagerTensor and value._dtype is variable._dtype:
        variable._tensor = value
    else:
        variable.assign(value, read_value=False)


def _variable_label(v) -> str:
    return getattr(v, "path", None) or v.name


class Optimizer:
    """Base class of Keras optimizers: variable tracking, clipping, weight decay, EMA and the apply loop.

    Subclasses create their slots in `build(var_list)` (with `add_optimizer_variables`) and implement
    `update_step(gradient, variable, learning_rate)`.

    >>> import eagerflow as tf
    >>> class PlainSGD(tf.keras.optimizers.Optimizer):
    ...     def update_step(self, gradient, variable, learning_rate):
    ...         variable.assign_sub(gradient * tf.cast(learning_rate, variable.dtype))
    >>> w = tf.Variable(1.0)
    >>> _ = PlainSGD(learning_rate=0.5).apply_gradients([(tf.constant(1.0), w)])
    >>> float(w)
    0.5
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            logger.warning("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if gradient_accumulation_steps is not None and (
                isinstance(gradient_accumulation_steps, bool) or not isinstance(gradient_accumulation_steps, int)
                or gradient_accumulation_steps < 2):
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                             f"gradient_accumulation_steps={gradient_accumulation_steps}")
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                                 f"ema_overwrite_frequency={ema_overwrite_frequency}")
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                             f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        self.name = name if name is not None else _backend.unique_name(camel_to_snake(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables: list = []
        self._trainable_variables: list = []
        self._trainable_variables_indices: dict = {}
        self._exclude_ids: set = set()
        self._exclude_pattern = None
        self._iterations = self.add_variable((), initializer=0, dtype="int64", name="iteration")
        self._learning_rate = self._make_learning_rate(learning_rate)

    def _make_learning_rate(self, learning_rate):
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            return learning_rate
        if isinstance(learning_rate, (Tensor, _KerasVariable)) or hasattr(learning_rate, "_is_eagerflow_variable"):
            learning_rate = float(np.asarray(learning_rate))
        if isinstance(learning_rate, (bool, np.bool_)) or not isinstance(learning_rate, (int, float, np.number)):
            raise ValueError("Argument `learning_rate` should be float, or an instance of LearningRateSchedule, or a "
                             "callable (that takes in the current iteration value and returns the corresponding "
                             f"learning rate value). Received instead: learning_rate={learning_rate}")
        return self.add_variable((), initializer=float(learning_rate), dtype=_backend.floatx(), name="learning_rate")

    # ---- state ------------------------------------------------------------------------------------------
    def _trackable_children(self) -> dict:
        """What tf.train.Checkpoint saves (train/trackable.py): iterations, and every variable by its position in
        `variables` (slots restored before `build` wait until it creates them)."""
        return {"iterations": self._iterations, "_variables": self._variables}

    @property
    def iterations(self):
        """The number of update steps applied so far (an int64 variable; with gradient accumulation, the
        tensor `applies // gradient_accumulation_steps`, as Keras)."""
        if self.gradient_accumulation_steps:
            return self._step()
        return self._iterations

    def _step(self):
        """Update steps so far, as a tensor: what schedules, bias corrections and EMA count."""
        applies = self._iterations.value()
        if self.gradient_accumulation_steps:
            return _math.floordiv(applies, _as_tensor(self.gradient_accumulation_steps, applies.dtype))
        return applies

    @property
    def variables(self) -> list:
        """All optimizer state: iterations, the learning rate (unless a schedule), then the slots."""
        return list(self._variables)

    @property
    def learning_rate(self):
        """The current learning rate: the variable, or the schedule's value at `iterations`."""
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, LearningRateSchedule) or (callable(value) and not isinstance(value, Tensor)
                                                        and not hasattr(value, "_is_eagerflow_variable")):
            old = self._learning_rate
            self._learning_rate = value
            if isinstance(old, _KerasVariable):
                self._variables = [v for v in self._variables if v is not old]
            return
        if not isinstance(self._learning_rate, _KerasVariable):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                            "constructor argument, hence its learning rate is not settable. If you need the learning "
                            "rate to be settable, you should instantiate the optimizer with a float `learning_rate` "
                            "argument.")
        self._learning_rate.assign(_as_tensor(value, self._learning_rate.dtype))

    lr = learning_rate

    def _get_current_learning_rate(self):
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return lr(self._step())
        if isinstance(lr, _KerasVariable):
            return lr
        return lr()

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none", name=None):
        """A new non-trainable optimizer variable (`initializer`: 'zeros', 'ones', a number or a callable)."""
        shape = tuple(int(d) for d in shape)
        dtype = _backend.standardize_dtype(dtype)
        if isinstance(initializer, str):
            if initializer not in ("zeros", "ones"):
                raise ValueError(f"Unknown initializer for an optimizer variable: {initializer!r} (use 'zeros', "
                                 "'ones', a number or a callable (shape, dtype) -> value)")
            initializer = 0 if initializer == "zeros" else 1
        if callable(initializer):
            value = initializer
        else:
            value = np.full(shape, initializer, dtype=_dt.as_dtype(dtype).as_numpy_dtype)
        with name_scope(self.name + "/"):
            variable = _KerasVariable(value, shape=shape, dtype=dtype, trainable=False, name=name or "variable")
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot shaped like `reference_variable`, named after it (`dense_kernel_momentum`)."""
        name = name or "var"
        path = getattr(reference_variable, "path", None)
        if path is not None:
            full = f"{path.replace('/', '_')}_{name}"
        else:
            full = f"{str(reference_variable.name).replace('/', '_').replace(':', '_')}_{name}"
        return self.add_variable(reference_variable.shape.as_list(), initializer=initializer,
                                 dtype=reference_variable.dtype, name=full)

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable for each name in `name` (a string or a list): lists, in variable order."""
        names = [name] if isinstance(name, str) else list(name)
        out = [[] for _ in names]
        for v in trainable_variables:
            for i, n in enumerate(names):
                out[i].append(self.add_variable_from_reference(v, name=n, initializer=initializer))
        return out[0] if isinstance(name, str) else tuple(out)

    def build(self, var_list):
        """Creates the optimizer's state for `var_list` (subclasses add their slots after calling this)."""
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(var_list, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self.add_optimizer_variables(var_list, "gradient_accumulator")
        for i, v in enumerate(var_list):
            self._trainable_variables_indices[id(v)] = i
        self._trainable_variables = list(var_list)
        self.built = True

    def _get_variable_index(self, variable) -> int:
        return self._trainable_variables_indices[id(variable)]

    # ---- applying gradients -----------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Applies `(gradient, variable)` pairs; returns `iterations`.

        None gradients are skipped with a warning; when all are None a ValueError names the variables.
        """
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Updates `trainable_variables` (default: those the optimizer was built with) with `grads`."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built on a "
                                 "list of variables. Call `optimizer.build(trainable_variables)` first. ")
            if len(grads) != len(self._trainable_variables):
                raise ValueError("When passing `grads` as a list of gradient tensors, the gradients must match "
                                 f"`optimizer.variables` one-to-one. Received a list of {len(grads)} gradients, but "
                                 f"the optimizer is tracking {len(self._trainable_variables)} trainable variables.")
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if len(grads) != len(trainable_variables):
                raise ValueError(f"Got {len(grads)} gradients for {len(trainable_variables)} variables.")
            if not self.built:
                self.build(trainable_variables)
                self.built = True
            self._check_variables_are_known(trainable_variables)
        if _settings.pending_restores:  # a checkpoint restored before the slots existed: values arrive now
            resolve_pending_restores()
        grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
        grads = [_as_tensor(g) for g in grads]
        if self.loss_scale_factor is not None:
            grads = [g / _math.cast(self.loss_scale_factor, g.dtype) for g in grads]
        if self.gradient_accumulation_steps:
            self._accumulate_or_update(grads, trainable_variables)
        else:
            self._update(grads, trainable_variables)
        self._iterations.assign_add(_ONE, read_value=False)

    def _update(self, grads, trainable_variables) -> None:
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(trainable_variables)
        self._backend_update_step(grads, trainable_variables, self._current_lr_tensor())
        if self.use_ema:
            self._update_model_variables_moving_average(self._trainable_variables)
        for v in trainable_variables:
            if getattr(v, "constraint", None) is not None:
                v.assign(v.constraint(v))

    def _accumulate_or_update(self, grads, trainable_variables) -> None:
        """Every `gradient_accumulation_steps`-th apply updates with the mean of the gradients since the
        last update (clipped, as one gradient); the others only add theirs to the accumulators."""
        steps = self.gradient_accumulation_steps
        acc = [self._accumulated_gradients[self._get_variable_index(v)] for v in trainable_variables]

        def update():
            self._update([(g + a.value()) / _math.cast(steps, g.dtype) for g, a in zip(grads, acc)],
                         trainable_variables)
            for a in acc:
                a.assign(_array.zeros_like(a.value()), read_value=False)
            return _ONE

        def accumulate():
            for g, a in zip(grads, acc):
                a.assign_add(_math.cast(g, a.dtype), read_value=False)
            return _ONE

        applies = self._iterations.value()
        due = _math.equal(_math.floormod(applies + _ONE, _as_tensor(steps, applies.dtype)),
                          _as_tensor(0, applies.dtype))
        if isinstance(due, EagerTensor):
            (update if bool(due) else accumulate)()
        else:
            _control_flow.cond(due, update, accumulate)

    def _current_lr_tensor(self):
        lr = self._get_current_learning_rate()
        return lr.value() if isinstance(lr, _KerasVariable) else _as_tensor(lr)

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        for g, v in zip(grads, trainable_variables):
            self.update_step(g, v, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        """Updates one variable (and its slots) from its gradient; subclasses implement it."""
        raise NotImplementedError

    def _fused_update(self, prim, gradient, variable, slots, learning_rate, extra=(), **attrs) -> None:
        """Runs `prim` on (variable, gradient, *slots, *extra, lr, iterations); writes variable and slots back."""
        dtype = variable.dtype
        g = gradient if gradient.dtype is dtype else _math.cast(gradient, dtype)
        lr = learning_rate if learning_rate.dtype is dtype else _math.cast(learning_rate, dtype)
        outs = bind(prim, variable.value(), g, *[s.value() for s in slots], *extra, lr, self._step(),
                    **attrs)
        _store(variable, outs[0])
        for s, new in zip(slots, outs[1:]):
            _store(s, new)

    def _check_variables_are_known(self, variables) -> None:
        for v in variables:
            if id(v) not in self._trainable_variables_indices:
                raise ValueError(f"Unknown variable: {v}. This optimizer can only be called for the variables it was "
                                 "originally built with. When working with a new set of variables, you should "
                                 "recreate a new optimizer instance.")

    @staticmethod
    def _filter_empty_gradients(grads, variables):
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            names = [_variable_label(v) for v in variables]
            raise ValueError(f"No gradients provided for any variable. Variables: {names}. Check that the loss "
                             "is computed from them inside the GradientTape.")
        if len(kept) < len(grads):
            missing = [_variable_label(v) for g, v in zip(grads, variables) if g is None]
            logger.warning("Gradients do not exist for variables %s when minimizing the loss. If using "
                           "`model.compile()`, did you forget to provide a `loss` argument?", missing)
        return [g for g, _ in kept], [v for _, v in kept]

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [self._clip_by_norm(g) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            v = self.clipvalue
            return [_math.clip_by_value(g, _math.cast(-v, g.dtype), _math.cast(v, g.dtype)) for g in grads]
        return grads

    def _clip_by_norm(self, g):
        l2sum = _reduce.reduce_sum(_math.square(g))
        positive = l2sum > _math.cast(0, l2sum.dtype)
        safe = _math.where(positive, l2sum, _math.cast(1, l2sum.dtype))
        l2norm = _math.where(positive, _math.sqrt(safe), l2sum)
        clip = _math.cast(self.clipnorm, g.dtype)
        return g * clip / _math.maximum(l2norm, clip)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Skips weight decay for these variables, or for variables whose name contains one of `var_names`."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_ids = {id(v) for v in (var_list or ())}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        return not (self._exclude_pattern is not None and self._exclude_pattern.search(variable.name))

    def _apply_weight_decay(self, variables) -> None:
        if self.weight_decay is None:
            return
        for v in variables:
            if self._use_weight_decay(v):
                lr = _as_tensor(self._current_lr_tensor(), v.dtype)
                wd = _as_tensor(self.weight_decay, v.dtype)
                value = v.value()
                v.assign(value - value * wd * lr, read_value=False)

    def _update_model_variables_moving_average(self, variables) -> None:
        step = self._step()
        for var, average in zip(variables, self._model_variables_moving_average):
            momentum = _math.cast(_math.not_equal(step, _as_tensor(0, step.dtype)), var.dtype) * \
                _math.cast(self.ema_momentum, var.dtype)
            average.assign(momentum * average.value() + (1.0 - momentum) * var.value(), read_value=False)
        if self.ema_overwrite_frequency:
            due = _math.equal(_math.floormod(step + 1, _as_tensor(self.ema_overwrite_frequency, step.dtype)),
                              _as_tensor(0, step.dtype))
            for var, average in zip(variables, self._model_variables_moving_average):
                var.assign(_math.where(due, average.value(), var.value()), read_value=False)

    def finalize_variable_values(self, var_list):
        """With `use_ema`, overwrites the model variables with their moving averages (fit calls it)."""
        if self.use_ema and self.built:
            for var, average in zip(var_list, self._model_variables_moving_average):
                var.assign(average.value(), read_value=False)

    def scale_loss(self, loss):
        """The loss multiplied by `loss_scale_factor` (unchanged when it is None)."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def minimize(self, loss, var_list, tape=None):
        """Computes gradients of `loss` for `var_list` and applies them; returns `iterations`.

        `loss` is a zero-argument callable (run under a new tape) or a tensor computed under `tape`;
        `var_list` may also be a callable returning the list.

        >>> import eagerflow as tf
        >>> w = tf.Variable(3.0)
        >>> _ = tf.keras.optimizers.SGD(0.25).minimize(lambda: w * w, [w])
        >>> float(w)
        1.5
        """
        if not callable(loss) and tape is None:
            raise ValueError(f"`tape` is required when a `Tensor` loss is passed. Received: loss={loss}, tape={tape}.")
        if callable(loss):
            tape = GradientTape()
            with tape:
                if callable(var_list):
                    var_list = var_list()
                tape.watch(var_list)
                loss = loss()
        elif callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss, var_list)
        return self.apply_gradients(zip(grads, var_list))

    # ---- weights and config ------------------------------------------------------------------------------
    def get_weights(self) -> list:
        return [v.numpy() for v in self._variables]

    def set_weights(self, weights) -> None:
        """Sets every optimizer variable (in `variables` order) from a list of arrays."""
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet been built. Please "
                             "call `optimizer.build(trainable_variables)` to create the optimizer weights before "
                             "calling `set_weights()`.")
        for v, w in zip(self._variables, weights):
            if tuple(v.shape.as_list()) != tuple(np.shape(w)):
                raise ValueError(f"Optimizer variable {_variable_label(v)} has shape {v.shape} not compatible with "
                                 f"provided weight shape {np.shape(w)}.")
            v.assign(np.asarray(w, dtype=v.dtype.as_numpy_dtype))

    def save_own_variables(self, store) -> None:
        for i, v in enumerate(self._variables):
            store[str(i)] = v.numpy()

    def load_own_variables(self, store) -> None:
        if len(store.keys()) != len(self._variables):
            logger.warning("Skipping variable loading for optimizer '%s', because it has %d variables whereas the "
                           "saved optimizer has %d variables.", self.name, len(self._variables), len(store.keys()))
            return
        for i, v in enumerate(self._variables):
            v.assign(store[str(i)])

    def get_config(self) -> dict:
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = schedules.serialize(lr)
        elif isinstance(lr, _KerasVariable):
            lr = float(lr.numpy())
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency, "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)


def global_norm(value_list):
    """sqrt of the sum of squares of every element of every tensor (None entries skipped)."""
    squares = [_reduce.reduce_sum(_math.square(v)) for v in value_list if v is not None]
    return _math.sqrt(_reduce.reduce_sum(_manip.stack(squares)))


def clip_by_global_norm(value_list, clip_norm):
    """Scales all tensors by `clip_norm / max(global_norm, clip_norm)` (NaN when the norm is not finite)."""
    norm = global_norm(value_list)
    clip = _math.cast(clip_norm, norm.dtype)
    scale = clip * _math.minimum(1.0 / norm, 1.0 / clip)
    scale = scale + (norm - norm)
    return [v if v is None else v * _math.cast(scale, v.dtype) for v in value_list]
