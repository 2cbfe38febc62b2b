"""More `tf.keras.optimizers`: Ftrl, Lion and Adafactor (Keras 3 update rules and slot names).

Unlike the built-ins in `optimizers.py` these are written with plain eagerflow ops (no fused update
primitive): the same Python runs eagerly and inside a traced train step. Each operation follows
Keras's, in Keras's order, so float32 results agree with TF's.

>>> import eagerflow as tf
>>> w = tf.Variable([1.0, -1.0])
>>> _ = tf.keras.optimizers.Lion(learning_rate=0.1).apply_gradients([(tf.constant([0.5, -0.5]), w)])
>>> w.numpy()
array([ 0.9, -0.9], dtype=float32)
"""
from __future__ import annotations

import eagerflow as tf  # public API only; attributes are read at call time
from ..context import name_scope
from .base_optimizer import Optimizer, _store
from .schedules import LearningRateSchedule
from .variables import Variable as _KerasVariable

__all__ = ["Ftrl", "Lion", "Adafactor"]


def _cast(value, dtype):
    return value if getattr(value, "dtype", None) is dtype else tf.cast(value, dtype)


class Ftrl(Optimizer):
    """Follow-the-regularized-leader (McMahan et al.), with L1, L2 and L2-shrinkage regularization.

    Slots: `accumulator` (sum of squared gradients, starting at `initial_accumulator_value`) and `linear`.

    >>> import eagerflow as tf
    >>> w = tf.Variable(1.0)
    >>> _ = tf.keras.optimizers.Ftrl(learning_rate=0.1).apply_gradients([(tf.constant(1.0), w)])
    >>> round(float(w), 4)
    0.6031
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        checks = (("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
                  ("learning_rate_power", -learning_rate_power, "negative or zero"),
                  ("l1_regularization_strength", l1_regularization_strength, "positive or zero"),
                  ("l2_regularization_strength", l2_regularization_strength, "positive or zero"),
                  ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength, "positive or zero"))
        for arg, value, wanted in checks:
            if value < 0.0:
                shown = -value if arg == "learning_rate_power" else value
                raise ValueError(f"`{arg}` needs to be {wanted}. Received: {arg}={shown}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = [], []
        for v in var_list:  # Keras's order: each variable's accumulator, then its linear slot
            self._accumulators.append(self.add_variable_from_reference(
                v, "accumulator", initializer=float(self.initial_accumulator_value)))
            self._linears.append(self.add_variable_from_reference(v, "linear"))

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr, g = _cast(learning_rate, dtype), _cast(gradient, dtype)
        i = self._get_variable_index(variable)
        accum_var, linear_var = self._accumulators[i], self._linears[i]
        accum, var = accum_var.value(), variable.value()
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        grad_to_use = g + 2 * self.l2_shrinkage_regularization_strength * var
        new_accum = accum + tf.square(g)
        new_power = tf.pow(new_accum, _cast(power, dtype))
        linear = linear_var.value() + (grad_to_use - (new_power - tf.pow(accum, _cast(power, dtype))) / lr * var)
        quadratic = new_power / lr + 2 * l2
        l1 = self.l1_regularization_strength
        clipped = tf.clip_by_value(linear, _cast(-l1, dtype), _cast(l1, dtype))
        _store(linear_var, linear)
        _store(variable, (clipped - linear) / quadratic)
        _store(accum_var, new_accum)

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}


class Lion(Optimizer):
    """Lion (evolved sign momentum): `w -= lr * sign(b1 * m + (1 - b1) * g)`, then `m = b2 * m + (1 - b2) * g`.

    >>> import eagerflow as tf
    >>> w = tf.Variable(1.0)
    >>> _ = tf.keras.optimizers.Lion(learning_rate=0.1).apply_gradients([(tf.constant(-3.0), w)])
    >>> round(float(w), 4)
    1.1
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to "
                             f"SignSGD. Received: beta_1={beta_1}.")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr, g = _cast(learning_rate, dtype), _cast(gradient, dtype)
        b1, b2 = tf.cast(self.beta_1, dtype), tf.cast(self.beta_2, dtype)
        m_var = self._momentums[self._get_variable_index(variable)]
        m = m_var.value()
        _store(variable, variable.value() - lr * tf.sign(m * b1 + g * (1.0 - b1)))
        _store(m_var, m * b2 + g * (1.0 - b2))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}


class Adafactor(Optimizer):
    """Adafactor: Adam-like steps with the second moment of a matrix kept as row and column factors.

    For a variable of rank >= 2 the last two axes are factored (slots `r`, `c`, both named after
    the variable); smaller variables keep the full `velocity`, and get two unused scalar
    placeholders in their place, as in Keras. Steps scale with the variable's RMS.

    >>> import eagerflow as tf
    >>> w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    >>> opt = tf.keras.optimizers.Adafactor(learning_rate=0.1)
    >>> _ = opt.apply_gradients([(tf.ones((2, 2)), w)])
    >>> [round(float(x), 4) for x in tf.reshape(w, [-1])]
    [0.7261, 1.7261, 2.7261, 3.7261]
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0,
                 relative_step=True, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._r, self._c, self._v = [], [], []
        for v in var_list:
            shape = v.shape.as_list()
            if len(shape) < 2:
                # Keras keeps two unused int32 scalars in the factors' place.
                for factors in (self._r, self._c):
                    with name_scope(self.name + "/"):
                        placeholder = _KerasVariable(0, shape=(), dtype="int32", trainable=False, name=v.name)
                    self._variables.append(placeholder)
                    factors.append(placeholder)
            else:
                self._r.append(self.add_variable(shape[:-1], dtype=v.dtype, name=v.name))
                self._c.append(self.add_variable(shape[:-2] + shape[-1:], dtype=v.dtype, name=v.name))
            self._v.append(self.add_variable_from_reference(v, "velocity"))

    @staticmethod
    def _rms(x):
        return tf.sqrt(tf.reduce_mean(tf.square(x)))

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr, g = _cast(learning_rate, dtype), _cast(gradient, dtype)
        one = tf.cast(1.0, dtype)
        local_step = tf.cast(self._step() + 1, dtype)
        inv_sqrt_step = 1 / tf.sqrt(local_step)
        schedule = isinstance(self._learning_rate, LearningRateSchedule) or (
            callable(self._learning_rate) and not isinstance(self._learning_rate, _KerasVariable))
        if self.relative_step and not schedule:
            lr = tf.minimum(lr, inv_sqrt_step)
        i = self._get_variable_index(variable)
        r_var, c_var, v_var = self._r[i], self._c[i], self._v[i]
        var = variable.value()
        rho_t = tf.minimum(lr, inv_sqrt_step)
        alpha_t = tf.maximum(tf.cast(self.epsilon_2, dtype), self._rms(var)) * rho_t
        grad_square = tf.square(g) + tf.cast(self.epsilon_1, dtype)
        beta_2_t = 1 - tf.pow(local_step, tf.cast(self.beta_2_decay, dtype))
        if var.shape.rank >= 2:
            r = beta_2_t * r_var.value() + (1 - beta_2_t) * tf.reduce_mean(grad_square, axis=-1)
            c = beta_2_t * c_var.value() + (1 - beta_2_t) * tf.reduce_mean(grad_square, axis=-2)
            _store(r_var, r)
            _store(c_var, c)
            v = tf.expand_dims(r / tf.reduce_mean(r, axis=-1, keepdims=True), -1) * tf.expand_dims(c, -2)
        else:
            v = beta_2_t * v_var.value() + (1 - beta_2_t) * grad_square
        _store(v_var, v)
        u = g / tf.sqrt(v)
        u_hat = u / tf.maximum(one, self._rms(u) / tf.cast(self.clip_threshold, dtype))
        _store(variable, var - alpha_t * u_hat)

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step}
