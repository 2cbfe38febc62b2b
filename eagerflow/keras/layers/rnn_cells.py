"""Recurrent cells: SimpleRNNCell, LSTMCell, GRUCell.

Each cell can run one step on its own (`cell(x_t, states)`, as in Keras) and also offers the fused
protocol the RNN layer uses: `project` maps the whole sequence through the input kernel in one
matmul, then `step` applies the recurrence to one projected timestep.

>>> import eagerflow as tf
>>> cell = tf.keras.layers.LSTMCell(3)
>>> h, (h2, c) = cell(tf.ones((2, 4)), [tf.zeros((2, 3)), tf.zeros((2, 3))])
>>> h.shape, c.shape
(TensorShape([2, 3]), TensorShape([2, 3]))
"""
from __future__ import annotations

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import activations as _activations
from .. import initializers as _initializers
from .base import Layer
from .core import positive_int
from .weight_options import set_weight_options, weight_options_config

__all__ = ["FusedCell", "SimpleRNNCell", "LSTMCell", "GRUCell"]

_COMMON_ORDER = ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                 "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout")


def _rate(name: str, value) -> float:
    value = float(value)
    if not 0 <= value <= 1:
        raise ValueError(f"The `{name}` argument must be a float between 0 and 1. Received: {name}={value}")
    return value


class FusedCell(Layer):
    """Shared weights, dropout masks and config of the built-in cells."""

    GATES = 1
    CONFIG_ORDER = ()

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.units = positive_int("units", units)
        self.activation = _activations.get(activation)
        self.recurrent_activation = _activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        set_weight_options(self, ("kernel", "recurrent", "bias"), locals())
        self.dropout = _rate("dropout", dropout)
        self.recurrent_dropout = _rate("recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self._input_mask = self._state_mask = None

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def _bias_shape(self) -> tuple:
        return (self.GATES * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"The last dimension of the inputs to {type(self).__name__} should be defined. "
                             f"Received input shape {tuple(input_shape)}.")
        width = self.GATES * self.units
        self.kernel = self.add_weight(shape=(input_dim, width), name="kernel", initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, width), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=self._bias_shape(), name="bias", initializer=self._bias_initializer(),
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    # ---- the fused protocol -----------------------------------------------------------------------------
    def start(self, sequences, batch, training: bool) -> None:
        """Draws this call's dropout masks (one per sequence, shared by all timesteps, as Keras)."""
        self._input_mask = self._state_mask = None
        dtype = sequences.dtype
        if training and 0 < self.dropout < 1:
            ones = tf.ones(tf.stack([batch, sequences.shape[-1]]) if tf.is_tensor(batch)
                           else (batch, sequences.shape[-1]), dtype)
            self._input_mask = tf.expand_dims(tf.nn.dropout(ones, self.dropout, seed=self.seed), 1)
        if training and 0 < self.recurrent_dropout < 1:
            ones = tf.ones(tf.stack([batch, self.units]) if tf.is_tensor(batch) else (batch, self.units), dtype)
            self._state_mask = tf.nn.dropout(ones, self.recurrent_dropout, seed=self.seed)

    def finish(self) -> None:
        self._input_mask = self._state_mask = None

    def _input_bias(self):
        return self.bias

    def project(self, sequences):
        """The input kernel applied to every timestep: (batch, time, gates * units)."""
        x = sequences if self._input_mask is None else sequences * self._input_mask
        xw = tf.matmul(x, self.kernel)
        bias = self._input_bias()
        return xw if bias is None else xw + bias

    def _recurrent_input(self, h):
        return h if self._state_mask is None else h * self._state_mask

    def step(self, xw_t, states):
        raise NotImplementedError

    def call(self, inputs, states, training=False):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        batch = inputs.shape[0] if inputs.shape[0] is not None else tf.shape(inputs)[0]
        sequence = tf.expand_dims(inputs, 1)
        self.start(sequence, batch, bool(training))
        try:
            out, new_states = self.step(self.project(sequence)[:, 0], states)
        finally:
            self.finish()
        return out, new_states

    def get_initial_state(self, batch_size=None):
        return [tf.zeros((batch_size, self.units), self.compute_dtype)]

    def get_config(self):
        config = super().get_config()
        values = {
            "units": self.units, "activation": _activations.serialize(self.activation),
            "recurrent_activation": _activations.serialize(self.recurrent_activation), "use_bias": self.use_bias,
            **weight_options_config(self, ("kernel", "recurrent", "bias"), activity=False), "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}
        values.update(self._extra_config())
        config.update({k: values[k] for k in self.CONFIG_ORDER if k in values})
        return config

    def _extra_config(self) -> dict:
        return {}


class SimpleRNNCell(FusedCell):
    """h_t = activation(x_t W + h_{t-1} U + b)."""

    GATES = 1
    CONFIG_ORDER = ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                    "bias_initializer") + _COMMON_ORDER + ("seed",)

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)

    def step(self, xw_t, states):
        h = self.activation(xw_t + tf.matmul(self._recurrent_input(states[0]), self.recurrent_kernel))
        return h, [h]

    def get_config(self):
        config = super().get_config()
        config.pop("recurrent_activation", None)
        return config


class _ForgetBiasInitializer(_initializers.Initializer):
    """LSTM's `unit_forget_bias`: the bias initializer's values, with ones for the forget gate."""

    def __init__(self, base, units: int):
        self.base, self.units = base, units

    def __call__(self, shape, dtype=None):
        u = self.units
        return tf.concat([self.base((u,), dtype=dtype), tf.ones((u,), dtype=dtype),
                          self.base((2 * u,), dtype=dtype)], axis=0)


class LSTMCell(FusedCell):
    """One LSTM step: gates i, f, c, o (Keras's order); states [h, c]."""

    GATES = 4
    CONFIG_ORDER = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                    "recurrent_initializer", "bias_initializer", "unit_forget_bias") + _COMMON_ORDER + ("seed",)

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         seed=seed, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_initializer(self):
        if self.unit_forget_bias:
            return _ForgetBiasInitializer(self.bias_initializer, self.units)
        return self.bias_initializer

    def step(self, xw_t, states):
        h_prev, c_prev = states[0], states[1]
        z = xw_t + tf.matmul(self._recurrent_input(h_prev), self.recurrent_kernel)
        zi, zf, zc, zo = tf.split(z, 4, axis=-1)
        gate = self.recurrent_activation
        c = gate(zf) * c_prev + gate(zi) * self.activation(zc)
        h = gate(zo) * self.activation(c)
        return h, [h, c]

    def get_initial_state(self, batch_size=None):
        return [tf.zeros((batch_size, self.units), self.compute_dtype) for _ in range(2)]

    def _extra_config(self):
        return {"unit_forget_bias": self.unit_forget_bias}


class GRUCell(FusedCell):
    """One GRU step (update gate z, reset gate r; with `reset_after` the reset applies after the
    recurrent matmul and the bias has an input row and a recurrent row)."""

    GATES = 3
    CONFIG_ORDER = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                    "recurrent_initializer", "bias_initializer") + _COMMON_ORDER + ("reset_after", "seed")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 reset_after=True, seed=None, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         seed=seed, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        if self.bias is None or not self.reset_after:
            return self.bias
        return self.bias[0]

    def step(self, xw_t, states):
        h_prev = states[0]
        u = self.units
        gate = self.recurrent_activation
        x_z, x_r, x_h = tf.split(xw_t, 3, axis=-1)
        h_in = self._recurrent_input(h_prev)
        if self.reset_after:
            inner = tf.matmul(h_in, self.recurrent_kernel)
            if self.bias is not None:
                inner = inner + self.bias[1]
            r_z, r_r, r_h = tf.split(inner, 3, axis=-1)
            z, r = gate(x_z + r_z), gate(x_r + r_r)
            candidate = self.activation(x_h + r * r_h)
        else:
            inner = tf.matmul(h_in, self.recurrent_kernel[:, :2 * u])
            r_z, r_r = tf.split(inner, 2, axis=-1)
            z, r = gate(x_z + r_z), gate(x_r + r_r)
            candidate = self.activation(x_h + tf.matmul(r * h_in, self.recurrent_kernel[:, 2 * u:]))
        h = z * h_prev + (1 - z) * candidate
        return h, [h]

    def _extra_config(self):
        return {"reset_after": self.reset_after}
