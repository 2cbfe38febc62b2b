"""Keras training: the `Trainer` mixin that gives `tf.keras.Model` compile/fit/evaluate/predict.

`fit` is a loop over batches and callbacks around ONE step function: `train_step(data)` (tape, loss,
`apply_gradients`, metric updates) wrapped in `tf.function` unless `run_eagerly`. The step takes the
batch as a flat list of tensors (tf.function's fastest call path) and is traced once per data
structure with an unknown batch dimension, so a ragged last batch needs no second trace. Logs are
dicts of metric results with sorted keys, as Keras's TF backend prints them.

>>> import numpy as np
>>> import eagerflow as tf
>>> model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
>>> model.compile(optimizer="sgd", loss="mse")
>>> history = model.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=2, verbose=0)
>>> sorted(history.history), len(history.history["loss"])
(['loss'], 2)
"""
from __future__ import annotations

import inspect

import numpy as np

from .. import dtypes as _dt
from .. import nest
from ..autodiff.tape import GradientTape
from ..context import logger
from ..function import function as _tf_function
from ..ops import array as _array, math as _math, reduce as _reduce
from ..tensor import Tensor
from . import callbacks as _callbacks
from . import optimizers as _optimizers
from .base_optimizer import Optimizer
from .compile_utils import CompileLoss, CompileMetrics
from .data_adapter import ArrayAdapter, get_adapter, train_validation_split, unpack_x_y_sample_weight
from .metrics_base import Mean, Metric

__all__ = ["Trainer"]


def _structure_key(s):
    """A hashable description of a nested structure (types and dict keys, not values)."""
    if isinstance(s, dict):
        return ("dict", tuple((k, _structure_key(s[k])) for k in sorted(s)))
    if isinstance(s, (list, tuple)):
        return (type(s).__name__, tuple(_structure_key(v) for v in s))
    return None if s is None else "leaf"


class _Step:
    """A train/test/predict step callable on flat tensors: one tf.function per data structure.

    With `specs` (TensorSpecs with a None batch dim) the function is traced once up front, so batches
    of every size reuse that trace.
    """

    def __init__(self, step, compiled: bool, name: str, jit_compile=None):
        self._step = step
        self._compiled = compiled
        self._name = name
        self._jit_compile = jit_compile
        self._fns: dict = {}

    def get(self, structure, specs=None):
        key = _structure_key(structure)
        fn = self._fns.get(key)
        if fn is None:
            template = nest.map_structure(lambda _: 0, structure)
            step = self._step

            def run(*flat):
                return step(nest.pack_sequence_as(template, list(flat)))

            run.__name__ = run.__qualname__ = self._name
            if self._compiled:
                fn = _tf_function(run, reduce_retracing=True, jit_compile=self._jit_compile)
                if specs:
                    fn.get_concrete_function(*specs)
            else:
                fn = run
            self._fns[key] = fn
        return fn

    def __call__(self, data):
        """Runs the step on one batch given as nested tensors."""
        return self.get(data)(*nest.flatten(data))

    def experimental_get_tracing_count(self) -> int:
        """Traces so far, over all data structures (0 when running eagerly)."""
        return sum(f.experimental_get_tracing_count() for f in self._fns.values()
                   if hasattr(f, "experimental_get_tracing_count"))


def _sorted_logs(logs) -> dict:
    return dict(sorted(logs.items())) if isinstance(logs, dict) else logs


def _to_numpy(value):
    return value.numpy() if hasattr(value, "numpy") else np.asarray(value)


def _batch_size(x):
    first = next(t for t in nest.flatten(x) if t is not None)
    return _array.shape(first)[0]


class Trainer:
    """compile/fit/evaluate/predict for models (mixed into `tf.keras.Model`).

    Override `train_step(data)` / `test_step(data)` (returning a dict of logs) to customize training;
    `fit` keeps handling batching, callbacks, progress output and compilation.
    """

    def __init__(self):
        """Sets the compile state (Model.__init__ calls it before Layer.__init__)."""
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self._run_eagerly = False
        self._jit_compile = None
        self.steps_per_execution = 1
        self.stop_training = False
        self.history = None
        self.train_function = None
        self.test_function = None
        self.predict_function = None
        self._compile_config = None

    # ---- compile --------------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True):
        """Configures training: optimizer, loss(es), metrics (names or objects).

        'accuracy' becomes binary, categorical or sparse categorical accuracy from the shapes of the
        first batch. `jit_compile` is accepted and ignored (no XLA; train steps are always compiled
        to graphs unless `run_eagerly=True`).

        >>> import eagerflow as tf
        >>> model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(3)])
        >>> model.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"])
        >>> type(model.optimizer).__name__
        'Adam'
        """
        self.optimizer = _optimizers.get(optimizer)
        output_names = self._output_names_for_compile()
        self._compile_loss = None
        if loss is not None:
            self._compile_loss = CompileLoss(loss, loss_weights, output_names=output_names)
            self.loss = loss
        self._compile_metrics = None
        if metrics is not None or weighted_metrics is not None:
            self._compile_metrics = CompileMetrics(metrics, weighted_metrics, output_names=output_names)
        if jit_compile == "auto":
            jit_compile = False
        if jit_compile and run_eagerly:
            logger.warning("If `run_eagerly` is True, then `jit_compile` cannot also be True. Disabling "
                           "`jit_compile`.")
            jit_compile = False
        self._jit_compile = jit_compile
        self._run_eagerly = bool(run_eagerly)
        self.stop_training = False
        self.compiled = True
        self._loss_tracker = Mean(name="loss")
        self.steps_per_execution = steps_per_execution
        self.train_function = self.test_function = self.predict_function = None
        self._compile_config = {"optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
                                "metrics": metrics, "weighted_metrics": weighted_metrics,
                                "run_eagerly": run_eagerly, "steps_per_execution": steps_per_execution,
                                "jit_compile": jit_compile}

    def _output_names_for_compile(self):
        """`output_names`, or the names of the layers producing a functional model's outputs."""
        names = getattr(self, "output_names", None)
        if names:
            return list(names)
        try:
            outputs = getattr(self, "outputs", None)
        except (AttributeError, ValueError):
            outputs = None
        if not outputs:
            return None
        names = []
        for t in outputs:
            history = getattr(t, "_keras_history", None)
            names.append(history.operation.name if history is not None else getattr(t, "name", None))
        return names

    @property
    def run_eagerly(self) -> bool:
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value) -> None:
        self._run_eagerly = bool(value)
        self.train_function = self.test_function = self.predict_function = None

    @property
    def jit_compile(self):
        return self._jit_compile

    @jit_compile.setter
    def jit_compile(self, value) -> None:
        self._jit_compile = value

    def get_compile_config(self):
        """The arguments `compile()` was called with (None before compiling)."""
        return dict(self._compile_config) if self._compile_config is not None else None

    def compile_from_config(self, config) -> None:
        self.compile(**config)

    def _assert_compile_called(self, method: str) -> None:
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before using the model (before calling `{method}()`).")

    # ---- metrics ----------------------------------------------------------------------------------------
    @property
    def metrics(self) -> list:
        """Loss tracker, compiled metrics, per-output loss trackers, then metrics set as attributes."""
        out = []
        if self.compiled:
            if self._loss_tracker is not None:
                out.append(self._loss_tracker)
            if self._compile_metrics is not None:
                out.append(self._compile_metrics)
            if self._compile_loss is not None:
                out.extend(self._compile_loss.metrics)
        for value in vars(self).values():
            if isinstance(value, Metric) and value is not self._loss_tracker and value is not self._compile_metrics \
                    and all(value is not m for m in out):
                out.append(value)
        return out

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def _flat_compile_metrics(self) -> list:
        return list(self._compile_metrics.metrics) if self._compile_metrics is not None else []

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self) -> dict:
        """Every metric's current result (compiled metrics flattened into the dict)."""
        out = {}
        for m in self.metrics:
            if isinstance(m, CompileMetrics) and not m.built:
                continue
            r = m.result()
            if isinstance(r, dict):
                out.update(r)
            else:
                out[m.name] = r
        return out

    # ---- the steps ----------------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss plus the model's added losses (regularizers, `add_loss`)."""
        losses = []
        if self._compile_loss is not None:
            value = self._compile_loss(y, y_pred, sample_weight)
            if value is not None:
                losses.append(value)
        for extra in self.losses:
            extra = extra if isinstance(extra, Tensor) else _array.identity(extra)
            if not extra.dtype.is_floating:
                extra = _math.cast(extra, _dt.float32)
            losses.append(_reduce.reduce_sum(extra))
        if not losses:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total = losses[0]
        for value in losses[1:]:
            total = total + _math.cast(value, total.dtype)
        return total

    def _compute_loss(self, x, y, y_pred, sample_weight, training):
        if "training" in inspect.signature(self.compute_loss).parameters:
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Updates the compiled metrics; returns every metric's result."""
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def train_step(self, data) -> dict:
        """One optimization step on a batch `(x, y, sample_weight)`; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self._compute_loss(x, y, y_pred, sample_weight, training=True)
            scaled = self.optimizer.scale_loss(loss) if self.optimizer is not None else loss
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        trainable = self.trainable_weights
        if trainable:
            grads = tape.gradient(scaled, trainable)
            self.optimizer.apply_gradients(zip(grads, trainable))
        else:
            logger.warning("The model does not have any trainable weights.")
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data) -> dict:
        """Loss and metrics on a batch, no update; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self._compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The model's outputs on a batch (inference mode)."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def make_train_function(self, force=False) -> _Step:
        if self.train_function is None or force:
            self.train_function = _Step(self.train_step, not self._run_eagerly, "train_function", self._jit_compile)
        return self.train_function

    def make_test_function(self, force=False) -> _Step:
        if self.test_function is None or force:
            self.test_function = _Step(self.test_step, not self._run_eagerly, "test_function", self._jit_compile)
        return self.test_function

    def make_predict_function(self, force=False) -> _Step:
        if self.predict_function is None or force:
            self.predict_function = _Step(self.predict_step, not self._run_eagerly, "predict_function",
                                          self._jit_compile)
        return self.predict_function

    # ---- building before the first step --------------------------------------------------------------------
    def _symbolic_build(self, adapter, with_targets=True) -> None:
        """Builds the model, compiled loss/metrics and optimizer eagerly from the first batch.

        (Keras builds from symbolic shapes; one eager forward pass on the batch's first sample does
        the same here.) Then checks sparse labels against the number of predicted classes.
        """
        unbuilt = not getattr(self, "built", True) or (
            with_targets and ((self._compile_loss is not None and not self._compile_loss.built)
                              or (self._compile_metrics is not None and not self._compile_metrics.built)))
        if unbuilt and isinstance(adapter, ArrayAdapter) and adapter.num_samples:
            flat, structure = next(iter(adapter.batches()))
            carried = [v for layer in self._flatten_layers() for v in (getattr(layer, "states", None) or [])
                       if getattr(layer, "stateful", False)]
            if not carried:  # one sample builds the same weights as a batch, for less
                flat = [v[:1] for v in flat]
            x, y, _ = unpack_x_y_sample_weight(nest.pack_sequence_as(structure, flat))
            saved = [v.numpy() for v in carried]
            y_pred = self(x, training=False)
            for v, value in zip(carried, saved):  # building must not advance a stateful layer's states
                v.assign(value)
            if with_targets and y is not None:
                if self._compile_loss is not None and not self._compile_loss.built:
                    self._compile_loss.build(y, y_pred)
                if self._compile_metrics is not None and not self._compile_metrics.built:
                    self._compile_metrics.build(y, y_pred)
        if self.optimizer is not None and not self.optimizer.built and getattr(self, "built", True):
            self.optimizer.build(self.trainable_weights)
        if with_targets and isinstance(adapter, ArrayAdapter) and self._compile_loss is not None:
            _, y, _ = unpack_x_y_sample_weight(adapter.structure)
            if y is not None:
                self._compile_loss.check_labels(y)

    # ---- fit ------------------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1):
        """Trains for `epochs` epochs; returns the `History` callback (also `model.history`).

        `x`/`y` are arrays, tensors, lists/dicts of them (several inputs/outputs), or a dataset or
        generator yielding `(x, y[, sample_weight])` batches.
        """
        self._assert_compile_called("fit")
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = train_validation_split((x, y, sample_weight), validation_split)
        adapter = get_adapter(x, y, sample_weight, batch_size=batch_size, steps=steps_per_epoch, shuffle=shuffle,
                              class_weight=class_weight)
        val_adapter = None
        if validation_data is not None:
            if isinstance(validation_data, (tuple, list)):
                vx, vy, vsw = unpack_x_y_sample_weight(tuple(validation_data))
                val_adapter = get_adapter(vx, vy, vsw, batch_size=validation_batch_size or batch_size,
                                          steps=validation_steps)
            else:
                val_adapter = get_adapter(validation_data, steps=validation_steps)
        self._symbolic_build(adapter)
        if not isinstance(callbacks, _callbacks.CallbackList):
            callbacks = _callbacks.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                                verbose=verbose, epochs=epochs, steps=adapter.num_batches,
                                                model=self)
        self.stop_training = False
        step = self.make_train_function()
        callbacks.on_train_begin()
        # BackupAndRestore's on_train_begin sets where a resumed fit starts (read once: a later fit starts anew)
        initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch
        training_logs = None
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            logs = self._run_epoch(step, adapter, callbacks, "train")
            epoch_logs = _callbacks.pythonify_logs(logs)
            if val_adapter is not None and self._should_eval(epoch, validation_freq):
                val_logs = self.evaluate(callbacks=callbacks, return_dict=True, _adapter=val_adapter)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training:
                break
        if isinstance(self.optimizer, Optimizer) and epochs > 0:
            self.optimizer.finalize_variable_values(self.trainable_weights)
        callbacks.on_train_end(logs=training_logs)
        return self.history

    def _run_epoch(self, step: _Step, adapter, callbacks, kind: str) -> dict:
        """One pass of `step` over `adapter`'s batches with the per-batch callbacks; the last logs."""
        begin = getattr(callbacks, f"on_{kind}_batch_begin")
        end = getattr(callbacks, f"on_{kind}_batch_end")
        hooks = callbacks.has_batch_hooks(kind)
        specs = adapter.specs()
        fn, structure_seen, logs = None, None, {}
        for i, (flat, structure) in enumerate(adapter.batches()):
            if structure is not structure_seen:
                fn, structure_seen = step.get(structure, specs), structure
            if hooks:
                begin(i)
            logs = fn(*flat)
            if hooks:
                end(i, _sorted_logs(logs))
            if kind == "train" and self.stop_training:
                break
        return _sorted_logs(logs)

    @staticmethod
    def _should_eval(epoch, validation_freq) -> bool:
        if isinstance(validation_freq, int):
            return (epoch + 1) % validation_freq == 0
        if isinstance(validation_freq, (list, tuple, set)):
            return (epoch + 1) in validation_freq
        raise ValueError(f"Expected `validation_freq` to be a list or int. Received: validation_freq="
                         f"{validation_freq} of the type {type(validation_freq)}.")

    # ---- evaluate and predict -----------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False, **kwargs):
        """Loss and metrics over the data: a scalar, a list in `metrics_names` order, or a dict."""
        self._assert_compile_called("evaluate")
        adapter = kwargs.pop("_adapter", None)
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        if adapter is None:
            adapter = get_adapter(x, y, sample_weight, batch_size=batch_size, steps=steps, shuffle=False)
        self._symbolic_build(adapter)
        if not isinstance(callbacks, _callbacks.CallbackList):
            callbacks = _callbacks.CallbackList(callbacks, add_progbar=verbose != 0, verbose=verbose, epochs=1,
                                                steps=adapter.num_batches, model=self)
        step = self.make_test_function()
        self.reset_metrics()
        callbacks.on_test_begin()
        logs = _callbacks.pythonify_logs(self._run_epoch(step, adapter, callbacks, "test"))
        callbacks.on_test_end(logs)
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def _flatten_metrics_in_order(self, logs):
        names = []
        for m in self.metrics:
            names.extend(sub.name for sub in m.metrics) if isinstance(m, CompileMetrics) else names.append(m.name)
        results = [logs[n] for n in names if n in logs]
        results += [logs[k] for k in sorted(logs) if k not in names]
        return results[0] if len(results) == 1 else results

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for all samples, as NumPy arrays (nested like the outputs).

        A single batch runs eagerly (no tracing); more batches run a compiled predict step.
        """
        adapter = get_adapter(x, batch_size=batch_size, steps=steps, shuffle=False)
        self._symbolic_build(adapter, with_targets=False)
        if not isinstance(callbacks, _callbacks.CallbackList):
            callbacks = _callbacks.CallbackList(callbacks, add_progbar=verbose != 0, verbose=verbose, epochs=1,
                                                steps=adapter.num_batches, model=self)
        eager = self._run_eagerly or adapter.num_batches == 1
        step = _Step(self.predict_step, False, "predict_function") if eager else self.make_predict_function()
        hooks = callbacks.has_batch_hooks("predict")
        specs, fn, seen, outputs = adapter.specs(), None, None, []
        callbacks.on_predict_begin()
        for i, (flat, structure) in enumerate(adapter.batches()):
            if structure is not seen:
                fn, seen = step.get(structure, specs), structure
            if hooks:
                callbacks.on_predict_batch_begin(i)
            out = fn(*flat)
            outputs.append(nest.map_structure(_to_numpy, out))
            if hooks:
                callbacks.on_predict_batch_end(i, {"outputs": out})
        callbacks.on_predict_end()
        if not outputs:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). Please use "
                             "`Model.compile(..., run_eagerly=True)`, or `tf.config.run_functions_eagerly(True)` "
                             "for more information of where went wrong, or file a issue/bug to `tf.keras`.")
        return nest.map_structure(lambda *parts: np.concatenate(parts, axis=0), *outputs)

    # ---- single batches ----------------------------------------------------------------------------------------
    def _single_batch(self, x, y=None, sample_weight=None, class_weight=None) -> ArrayAdapter:
        adapter = ArrayAdapter(x, y, sample_weight, class_weight=class_weight)
        adapter.batch_size, adapter.num_batches = max(adapter.num_samples, 1), 1
        return adapter

    def _run_single(self, step: _Step, adapter) -> dict:
        flat, structure = next(iter(adapter.batches()))
        return step.get(structure, adapter.specs())(*flat)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on this batch; returns the logs (metrics keep accumulating across calls)."""
        self._assert_compile_called("train_on_batch")
        adapter = self._single_batch(x, y, sample_weight, class_weight)
        self._symbolic_build(adapter)
        logs = _callbacks.pythonify_logs(_sorted_logs(self._run_single(self.make_train_function(), adapter)))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics on this batch (accumulated with earlier calls' metric state)."""
        self._assert_compile_called("test_on_batch")
        adapter = self._single_batch(x, y, sample_weight)
        self._symbolic_build(adapter)
        logs = _callbacks.pythonify_logs(_sorted_logs(self._run_single(self.make_test_function(), adapter)))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict_on_batch(self, x):
        """The model's outputs on this batch, as NumPy arrays."""
        adapter = self._single_batch(x)
        self._symbolic_build(adapter, with_targets=False)
        return nest.map_structure(_to_numpy, self._run_single(self.make_predict_function(), adapter))

    # ---- Keras 2 compatibility ------------------------------------------------------------------------------------
    def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
        """Deprecated (Keras 2): the compiled loss plus `regularization_losses`."""
        loss = self._compile_loss(y, y_pred, sample_weight)
        for extra in regularization_losses or ():
            loss = loss + _reduce.reduce_sum(extra)
        return loss

    @property
    def compiled_metrics(self):
        """Deprecated (Keras 2): `model.compiled_metrics.update_state(y, y_pred)` still works."""
        return self._compile_metrics

    @property
    def distribute_strategy(self):
        return None

