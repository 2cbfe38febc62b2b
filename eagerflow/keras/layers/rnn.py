"""Recurrent layers: the cells (SimpleRNNCell, LSTMCell, GRUCell), the RNN loop, SimpleRNN, LSTM, GRU
and Bidirectional.

The loop is unrolled over the time axis when its length is known (always eagerly), and is one
`tf.while_loop` in a graph whose inputs have an unknown number of timesteps (`Input((None, 8))`);
the input projection of the built-in cells is one matmul over the whole sequence.

>>> import eagerflow as tf
>>> tf.keras.layers.LSTM(4, return_sequences=True)(tf.ones((2, 5, 3))).shape
TensorShape([2, 5, 4])
"""
from __future__ import annotations

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import layers as _layers  # the package: `deserialize` is looked up at call time
from .. import regularizers as _regularizers
from . import rnn_cells as _cells
from .base import Layer
from .input_spec import InputSpec
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell

__all__ = ["RNN", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "SimpleRNNCell", "LSTMCell", "GRUCell"]


def _state_sizes(cell) -> list:
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


class RNN(Layer):
    """Runs `cell` over the time axis of (batch, time, features) inputs.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.RNN(tf.keras.layers.SimpleRNNCell(3), return_state=True)
    >>> output, state = layer(tf.ones((2, 4, 5)))
    >>> output.shape, state.shape
    (TensorShape([2, 3]), TensorShape([2, 3]))
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        if not (hasattr(cell, "call") and hasattr(cell, "state_size")):
            raise ValueError("Argument `cell` should have a `call` method and a `state_size` attribute. Received: "
                             f"cell={cell}")
        self.cell = cell
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        object.__setattr__(self, "_states", None)  # stateful: one variable per state (not weights, as Keras)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)

    def build(self, sequences_shape, initial_state_shape=None):
        if not self.cell.built:
            with self.cell._weight_scope():
                self.cell.build((sequences_shape[0],) + tuple(sequences_shape[2:]))
            self.cell.built = True
        if self.stateful and self._states is None:
            batch = sequences_shape[0]
            if batch is None:
                raise ValueError("When using `stateful=True` in a RNN, the batch size must be static. Found dynamic "
                                 f"batch size: sequence.shape={tuple(sequences_shape)}")
            with tf.init_scope():
                object.__setattr__(self, "_states", [
                    tf.Variable(tf.zeros((batch, n), self.cell.compute_dtype), trainable=False, name=f"state_{i}")
                    for i, n in enumerate(_state_sizes(self.cell))])
        self.built = True

    @property
    def states(self):
        """The state variables of a stateful layer (carried from call to call), else None."""
        return self._states

    def reset_states(self, states=None):
        """Zeros (or sets to `states`) the carried states of a stateful layer."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful to reset its states.")
        if self._states is None:
            return
        values = [None] * len(self._states) if states is None else \
            (list(states) if isinstance(states, (list, tuple)) else [states])
        if len(values) != len(self._states):
            raise ValueError(f"Layer {self.name} expects {len(self._states)} states, got {len(values)}")
        for var, value in zip(self._states, values):
            var.assign(tf.zeros_like(var) if value is None else value)

    reset_state = reset_states

    def get_initial_state(self, batch_size):
        dtype = self.cell.compute_dtype
        return [tf.zeros(tf.stack([batch_size, n]) if tf.is_tensor(batch_size) else (batch_size, n), dtype)
                for n in _state_sizes(self.cell)]

    def call(self, sequences, initial_state=None, mask=None, training=False):
        batch = sequences.shape[0] if sequences.shape[0] is not None else tf.shape(sequences)[0]
        if self.stateful and initial_state is None:
            initial_state = self._carried_states(sequences)
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else \
            [initial_state] if initial_state is not None else self.get_initial_state(batch)
        cell = self.cell
        fused = isinstance(cell, _cells.FusedCell)
        if fused:
            cell.start(sequences, batch, bool(training))
            inputs = cell.project(sequences)

            def step(x_t, states):
                return cell.step(x_t, states)
        else:
            inputs = sequences

            def step(x_t, states):
                return cell(x_t, states if len(states) > 1 else states[0], training=training)
        mask = tf.cast(mask, "bool") if mask is not None else None
        try:
            if sequences.shape[1] is None:  # a graph with an unknown number of timesteps: a while_loop
                output, states = self._loop(step, inputs, states, mask)
            else:
                output, states = self._unrolled(step, inputs, states, mask)
        finally:
            if fused:
                cell.finish()
        if self.stateful:
            for var, value in zip(self._states, states):
                var.assign(value)
        if self.return_state:
            return [output] + states
        return output

    def _carried_states(self, sequences) -> list:
        carried = self._states
        n = carried[0].shape[0]
        message = (f"{type(self).__name__} is stateful with a batch size of {n} (its states have shape "
                   f"{carried[0].shape}), but received inputs of shape {sequences.shape}. Stateful layers need "
                   "the same batch size in every call (fit and predict: a batch_size dividing the data).")
        if sequences.shape[0] is None:  # known when the graph runs
            tf.debugging.Assert(tf.equal(tf.shape(sequences)[0], n), [message])
        elif sequences.shape[0] != n:
            raise ValueError(message)
        return [v.value() for v in carried]

    def _masked(self, keep, out, new_states, states, previous):
        """A masked timestep keeps the states and repeats the previous output (or zeros)."""
        keep = tf.expand_dims(keep, -1)
        new_states = [tf.where(keep, n, s) for n, s in zip(new_states, states)]
        fallback = tf.zeros_like(out) if previous is None or self.zero_output_for_mask else previous
        return tf.where(keep, out, fallback), new_states

    def _unrolled(self, step, inputs, states, mask):
        """The loop over a static number of timesteps, unrolled (eagerly, or into a graph)."""
        steps = inputs.shape[1]
        per_step = tf.unstack(inputs, num=steps, axis=1)
        masks = tf.unstack(mask, num=steps, axis=1) if mask is not None else None
        outputs, previous = [], None
        for t in (range(steps - 1, -1, -1) if self.go_backwards else range(steps)):
            out, new_states = step(per_step[t], states)
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
            if masks is not None:
                out, new_states = self._masked(masks[t], out, new_states, states, previous)
            states, previous = new_states, out
            outputs.append(out)
        if not outputs:
            raise ValueError(f"{type(self).__name__} received inputs with 0 timesteps: {inputs.shape.as_list()}")
        return (tf.stack(outputs, axis=1) if self.return_sequences else outputs[-1]), states

    def _loop(self, step, inputs, states, mask):
        """The loop over an unknown number of timesteps: one while_loop, outputs in a TensorArray."""
        steps = tf.shape(inputs)[1]
        xs = tf.transpose(inputs, [1, 0, 2])  # time major: one gather per step
        ms = tf.transpose(mask, [1, 0]) if mask is not None else None
        probe, _ = step(xs[0], states)  # the output's static shape and dtype (dead code once traced)
        outputs = tf.TensorArray(probe.dtype, size=steps, element_shape=probe.shape)
        batch = tf.shape(inputs)[0]
        first = tf.zeros(tf.stack([batch, probe.shape[-1]]), probe.dtype) if probe.shape[-1] is not None \
            else tf.zeros_like(probe)
        n = len(states)

        def body(i, previous, outputs, *states):
            t = steps - 1 - i if self.go_backwards else i
            out, new_states = step(tf.gather(xs, t), list(states))
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
            if ms is not None:
                out, new_states = self._masked(tf.gather(ms, t), out, new_states, list(states), previous)
            return (i + 1, out, outputs.write(i, out) if self.return_sequences else outputs) + tuple(new_states)

        loop_vars = (tf.constant(0), first, outputs) + tuple(states)
        result = tf.while_loop(lambda i, *_: i < steps, body, loop_vars)
        last, outputs, states = result[1], result[2], list(result[3:3 + n])
        if self.return_sequences:
            return tf.transpose(outputs.stack(), [1, 0, 2]), states
        return last, states

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        size = self.cell.output_size if hasattr(self.cell, "output_size") else _state_sizes(self.cell)[0]
        out = (batch, steps, size) if self.return_sequences else (batch, size)
        if self.return_state:
            return [out] + [(batch, n) for n in _state_sizes(self.cell)]
        return out

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def get_config(self):
        config = super().get_config()
        config.update({"return_sequences": self.return_sequences, "return_state": self.return_state,
                       "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                       "zero_output_for_mask": self.zero_output_for_mask})
        if type(self) is RNN:
            from_cell = {"module": "keras.layers", "class_name": type(self.cell).__name__,
                         "config": self.cell.get_config(), "registered_name": None}
            config["cell"] = from_cell
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if cls is RNN:
            config["cell"] = _layers.deserialize(config["cell"], custom_objects=custom_objects)
        return super().from_config(config)


_CELL_KEYS = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
              "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
              "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
              "bias_constraint", "dropout", "recurrent_dropout", "reset_after", "seed")


class _BuiltinRNN(RNN):
    """SimpleRNN, LSTM and GRU: an RNN around the matching cell, configured by the cell's arguments."""

    _CELL = SimpleRNNCell
    _CELL_NAME = "simple_rnn_cell"
    _LAYER_KEYS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll")
    _DROPPED_KEYS = ()

    def __init__(self, units, **kwargs):
        layer_args = {k: kwargs.pop(k) for k in self._LAYER_KEYS if k in kwargs}
        kwargs.pop("use_cudnn", None)
        kwargs.pop("time_major", None)
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        cell_args = {k: kwargs.pop(k) for k in list(kwargs) if k in _CELL_KEYS}
        cell = self._CELL(units, name=self._CELL_NAME, dtype=kwargs.get("dtype"),
                          trainable=kwargs.get("trainable", True), **cell_args)
        super().__init__(cell, activity_regularizer=activity_regularizer, **layer_args, **kwargs)

    def __getattr__(self, name):
        if name in _CELL_KEYS and "cell" in self.__dict__:
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def get_config(self):
        config = super().get_config()
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config.update(cell_config)
        config["activity_regularizer"] = _regularizers.serialize(self.activity_regularizer)
        return {k: config[k] for k in self._config_order() if k in config and k not in self._DROPPED_KEYS}

    def _config_order(self):
        return ("name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards", "stateful",
                "unroll", "zero_output_for_mask") + self._CELL.CONFIG_ORDER


class SimpleRNN(_BuiltinRNN):
    """Fully connected recurrence: h_t = activation(x_t W + h_{t-1} U + b).

    >>> import eagerflow as tf
    >>> tf.keras.layers.SimpleRNN(3)(tf.ones((2, 4, 5))).shape
    TensorShape([2, 3])
    """

    _CELL, _CELL_NAME = SimpleRNNCell, "simple_rnn_cell"
    _DROPPED_KEYS = ("seed",)  # Keras 3 leaves it out of SimpleRNN's config

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False,
                 seed=None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         seed=seed, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)


class LSTM(_BuiltinRNN):
    """Long short-term memory (gates in Keras's order i, f, c, o; states [h, c]).

    >>> import eagerflow as tf
    >>> out, h, c = tf.keras.layers.LSTM(3, return_state=True)(tf.ones((2, 4, 5)))
    >>> out.shape, c.shape
    (TensorShape([2, 3]), TensorShape([2, 3]))
    """

    _CELL, _CELL_NAME = LSTMCell, "lstm_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_cudnn="auto", **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         seed=seed, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)


class GRU(_BuiltinRNN):
    """Gated recurrent unit (Keras 3 default `reset_after=True`: bias of shape (2, 3 * units)).

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.GRU(3)
    >>> layer(tf.ones((2, 4, 5))).shape, layer.cell.bias.shape
    (TensorShape([2, 3]), TensorShape([2, 9]))
    """

    _CELL, _CELL_NAME = GRUCell, "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, reset_after=True, use_cudnn="auto", **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         reset_after=reset_after, **kwargs)


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy backwards, merging their outputs.

    >>> import eagerflow as tf
    >>> tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(3))(tf.ones((2, 4, 5))).shape
    TensorShape([2, 6])
    """

    _MODES = ("sum", "mul", "ave", "concat", None)

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        if merge_mode not in self._MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                             "{'sum', 'mul', 'ave', 'concat', None}")
        dtype = kwargs.get("dtype")  # an explicit dtype applies to both directions
        self.forward_layer = _copy_layer(layer, "forward_" + layer.name.removeprefix("forward_"), layer.go_backwards,
                                         dtype)
        if backward_layer is None:
            self.backward_layer = _copy_layer(layer, "backward_" + layer.name.removeprefix("backward_"),
                                              not layer.go_backwards, dtype)
        else:
            self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)
        self._initial_weights = weights

    def build(self, sequences_shape, initial_state_shape=None):
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                with layer._weight_scope():
                    layer.build(sequences_shape)
                layer.built = True
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {"training": training, "mask": mask}
        if initial_state is not None:
            half = len(initial_state) // 2
            forward = self.forward_layer.call(sequences, initial_state=initial_state[:half], **kwargs)
            backward = self.backward_layer.call(sequences, initial_state=initial_state[half:], **kwargs)
        else:
            forward = self.forward_layer.call(sequences, **kwargs)
            backward = self.backward_layer.call(sequences, **kwargs)
        states = []
        if self.return_state:
            forward, states_f = forward[0], forward[1:]
            backward, states_b = backward[0], backward[1:]
            states = list(states_f) + list(states_b)
        if self.return_sequences:
            backward = tf.reverse(backward, [1])
        if self.merge_mode == "concat":
            output = tf.concat([forward, backward], axis=-1)
        elif self.merge_mode == "sum":
            output = forward + backward
        elif self.merge_mode == "ave":
            output = (forward + backward) / 2
        elif self.merge_mode == "mul":
            output = forward * backward
        else:
            output = [forward, backward]
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
            states = states * 2
        if self.merge_mode == "concat":
            out = tuple(shape[:-1]) + (shape[-1] * 2,)
        elif self.merge_mode is None:
            out = [tuple(shape), tuple(shape)]
        else:
            out = tuple(shape)
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states
        return out

    def get_config(self):
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = _layer_entry(self.forward_layer)
        config["backward_layer"] = _layer_entry(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = _layers.deserialize(config.pop("layer"), custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = _layers.deserialize(backward, custom_objects=custom_objects)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"]["config"]["name"]
        bidi = cls(layer, backward_layer=backward, **config)
        return bidi


def _layer_entry(layer) -> dict:
    return {"module": "keras.layers", "class_name": type(layer).__name__, "config": layer.get_config(),
            "registered_name": None}


def _copy_layer(layer, name: str, go_backwards: bool, dtype=None):
    """A fresh layer with `layer`'s configuration, renamed and with the given direction."""
    config = layer.get_config()
    config["name"] = name
    config["go_backwards"] = go_backwards
    if dtype is not None:
        config["dtype"] = dtype
    return type(layer).from_config(config)
