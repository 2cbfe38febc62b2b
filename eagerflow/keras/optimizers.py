"""`tf.keras.optimizers`: SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Nadam, Adamax (Keras 3 semantics).

Each built-in optimizer updates a variable with ONE primitive (`AdamUpdate`, `SGDUpdate`, ...): a
NumPy kernel computing the new variable and slot values together, followed by assignments. Eagerly
that is one kernel call per variable; inside a traced train step it is one graph node per variable
plus the `AssignVariableOp`s, so eager and graph updates agree by construction. Update rules and
defaults follow Keras 3 step for step (float32 arithmetic in the same order).

Optimizer state (`iterations`, the learning rate, slots such as Adam's momentum) lives in
`tf.keras.Variable`s, listed by `optimizer.variables` in Keras's order.

>>> import eagerflow as tf
>>> w = tf.Variable([1.0, 2.0])
>>> opt = tf.keras.optimizers.SGD(learning_rate=0.1)
>>> _ = opt.apply_gradients([(tf.constant([1.0, 1.0]), w)])
>>> w.numpy(), int(opt.iterations)
(array([0.9, 1.9], dtype=float32), 1)
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..ops import math as _math, rules as R
from ..primitive import Primitive
from . import backend as _backend
from . import schedules
from .base_optimizer import Optimizer, _as_tensor, clip_by_global_norm, global_norm  # noqa: F401
from .optimizers_extra import Adafactor, Ftrl, Lion  # noqa: F401

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Nadam", "Adamax", "get",
           "serialize", "deserialize", "schedules"]


# ---- fused update primitives -------------------------------------------------------------------------
#
# Inputs: (variable, gradient, *slots, learning_rate, iterations); outputs: (variable, *slots), new values.
# The learning rate arrives as a 0-d array of the variable's dtype, iterations as int64 (the step count
# before this update, so Keras's `local_step` is iterations + 1).

def _update_primitive(name: str, kernel, scalars: int = 2) -> Primitive:
    """An update primitive whose last `scalars` inputs are 0-d (learning rate, ..., iterations)."""
    def dtype_rule(var, grad, *rest, **_):
        R.check_allowed(name, var, R.FLOATS)
        for i, d in enumerate((grad,) + rest[:-1], 1):
            if d is not var:
                R.fail(name, f"cannot compute {name} as input #{i}(zero-based) was expected to be a "
                             f"{R.tf_name(var)} tensor but is a {R.tf_name(d)} tensor")
        return (var,) * (len(rest) - scalars + 1)

    def shape_rule(var, grad, *rest, **_):
        if var is not None and grad is not None and (
                len(var) != len(grad) or any(a is not None and b is not None and a != b for a, b in zip(var, grad))):
            R.fail(name, f"var and grad do not have the same shape {list(var)} {list(grad)}")
        return (var,) * (len(rest) - scalars + 1)

    return Primitive(name, kernel, dtype_rule=dtype_rule, shape_rule=shape_rule, multiple_results=True)


def _sgd_kernel(var, grad, *rest, momentum, nesterov):
    lr = rest[-2]
    if len(rest) == 2:
        return (var - grad * lr,)
    m = rest[0] * var.dtype.type(momentum) - grad * lr
    if nesterov:
        return var + (m * var.dtype.type(momentum) - grad * lr), m
    return var + m, m


_CHUNK = 1 << 16  # elements: a big update runs chunk by chunk, so its dozen passes over a chunk stay in cache


def _in_chunks(body, inputs, n_out: int, scratch: int = 0):
    """`body(*input_chunks, *output_chunks, *scratch_chunks)` over flat chunks of same-shaped arrays.

    Returns the `n_out` new arrays, shaped like the inputs. Memory-bound update rules (Adam: about a
    dozen elementwise passes) run several times faster on large weights this way, with the very same
    floating-point operations. The results are views of ONE new block: glibc hands a few separate
    arrays of a large weight's size back to the OS on every step (thousands of page faults per epoch,
    half the update's time in a training loop) but keeps reusing a single block of their total size.
    """
    shape, dtype = np.shape(inputs[0]), np.asarray(inputs[0]).dtype
    flat_in = [np.asarray(a).reshape(-1) for a in inputs]
    block = np.empty((n_out,) + shape, dtype)
    outs = [block[i, ...] for i in range(n_out)]  # views, 0-d ones included
    flat_out = [o.reshape(-1) for o in outs]
    n = flat_in[0].size
    temps = [np.empty(min(n, _CHUNK), dtype) for _ in range(scratch)]
    for start in range(0, max(n, 1), _CHUNK):
        stop = min(start + _CHUNK, n)
        body(*[a[start:stop] for a in flat_in], *[o[start:stop] for o in flat_out],
             *[t[:stop - start] for t in temps])
    return outs


def _adam_kernel(var, grad, m, v, *rest, beta_1, beta_2, epsilon):
    lr, step = rest[-2], rest[-1]
    f = np.asarray(var).dtype.type
    t = f(step + 1)
    alpha = lr * np.sqrt(f(1) - f(beta_2) ** t) / (f(1) - f(beta_1) ** t)
    c1, c2, eps = f(1 - beta_1), f(1 - beta_2), f(epsilon)
    amsgrad = len(rest) == 3

    # Keras's operations in Keras's order: m + (g - m) * (1 - b1), v + (g*g - v) * (1 - b2),
    # var - m * alpha / (sqrt(v) + eps) (amsgrad: with the running maximum of v).
    def body(var, grad, m, v, *rest):
        if amsgrad:
            v_hat, new_var, new_m, new_v, new_v_hat, denominator = rest
        else:
            new_var, new_m, new_v, denominator = rest
        np.subtract(grad, m, out=new_m)
        new_m *= c1
        new_m += m
        np.square(grad, out=new_v)
        new_v -= v
        new_v *= c2
        new_v += v
        if amsgrad:
            np.maximum(v_hat, new_v, out=new_v_hat)
        np.sqrt(new_v_hat if amsgrad else new_v, out=denominator)
        denominator += eps
        np.multiply(new_m, alpha, out=new_var)
        new_var /= denominator
        np.subtract(var, new_var, out=new_var)

    inputs = (var, grad, m, v) + ((rest[0],) if amsgrad else ())
    return tuple(_in_chunks(body, inputs, 4 if amsgrad else 3, scratch=1))


def _rmsprop_kernel(var, grad, vel, *rest, rho, momentum, centered, epsilon):
    lr = rest[-2]
    f = var.dtype.type
    vel = f(rho) * vel + f(1 - rho) * np.square(grad)
    outs = [vel]
    if centered:
        avg = f(rho) * rest[-3] + f(1 - rho) * grad
        denominator = vel - np.square(avg) + f(epsilon)
    else:
        denominator = vel + f(epsilon)
    increment = lr * grad / np.sqrt(denominator)
    if momentum > 0:
        mom = f(momentum) * rest[0] + increment
        outs.append(mom)
        var = var - mom
    else:
        var = var - increment
    if centered:
        outs.append(avg)
    return (var, *outs)


def _adagrad_kernel(var, grad, acc, lr, step, *, epsilon):
    acc = acc + np.square(grad)
    return var - lr * grad / np.sqrt(acc + var.dtype.type(epsilon)), acc


def _adadelta_kernel(var, grad, acc_grad, acc_delta, lr, step, *, rho, epsilon):
    f = var.dtype.type
    acc_grad = f(rho) * acc_grad + f(1 - rho) * np.square(grad)
    delta = -(np.sqrt(acc_delta + f(epsilon)) * grad) / np.sqrt(acc_grad + f(epsilon))
    acc_delta = f(rho) * acc_delta + f(1 - rho) * np.square(delta)
    return var + lr * delta, acc_grad, acc_delta


def _nadam_kernel(var, grad, m, v, u_product, lr, step, *, beta_1, beta_2, epsilon):
    # `u_product` already includes this step's factor u_t (updated before the variables, as Keras).
    f = var.dtype.type
    t = f(step + 1)
    u_t = f(beta_1) * (f(1.0) - f(0.5) * f(0.96) ** t)
    u_t_1 = f(beta_1) * (f(1.0) - f(0.5) * f(0.96) ** (t + f(1)))
    u_product_t_1 = u_product * u_t_1
    m = m + (grad - m) * (f(1) - f(beta_1))  # Nadam's betas are float32 first (Adam's are Python floats)
    v = v + (np.square(grad) - v) * (f(1) - f(beta_2))
    m_hat = u_t_1 * m / (f(1) - u_product_t_1) + (f(1) - u_t) * grad / (f(1) - u_product)
    v_hat = v / (f(1) - f(beta_2) ** t)
    return var - m_hat * lr / (np.sqrt(v_hat) + f(epsilon)), m, v


def _adamax_kernel(var, grad, m, u, lr, step, *, beta_1, beta_2, epsilon):
    f = var.dtype.type
    b1_power = f(beta_1) ** f(step + 1)
    m = m + (grad - m) * f(1 - beta_1)
    u = np.maximum(f(beta_2) * u, np.abs(grad))
    return var - lr * m / ((f(1) - b1_power) * (u + f(epsilon))), m, u


sgd_update_p = _update_primitive("SGDUpdate", _sgd_kernel)
adam_update_p = _update_primitive("AdamUpdate", _adam_kernel)
rmsprop_update_p = _update_primitive("RMSPropUpdate", _rmsprop_kernel)
adagrad_update_p = _update_primitive("AdagradUpdate", _adagrad_kernel)
adadelta_update_p = _update_primitive("AdadeltaUpdate", _adadelta_kernel)
nadam_update_p = _update_primitive("NadamUpdate", _nadam_kernel, scalars=3)
adamax_update_p = _update_primitive("AdamaxUpdate", _adamax_kernel)


# ---- the optimizers ------------------------------------------------------------------------------------------
#
# Each takes the base class's keyword arguments too: weight_decay, clipnorm, clipvalue, global_clipnorm,
# use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor, name.

class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum: `m = momentum * m - lr * g; w += m`.

    >>> import eagerflow as tf
    >>> w = tf.Variable(1.0)
    >>> opt = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     _ = opt.apply_gradients([(tf.constant(1.0), w)])
    >>> round(float(w), 4)
    0.71
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        if not isinstance(momentum, (int, float)) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self.momentums = self.add_optimizer_variables(var_list, "momentum") if self.momentum != 0 else []

    def update_step(self, gradient, variable, learning_rate):
        slots = [self.momentums[self._get_variable_index(variable)]] if self.momentum != 0 else []
        self._fused_update(sgd_update_p, gradient, variable, slots, learning_rate,
                           momentum=float(self.momentum), nesterov=bool(self.nesterov))

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam: bias-corrected first and second moment estimates (`amsgrad` keeps the running max of v).

    >>> import eagerflow as tf
    >>> w = tf.Variable(1.0)
    >>> _ = tf.keras.optimizers.Adam(learning_rate=0.1).apply_gradients([(tf.constant(2.0), w)])
    >>> round(float(w), 4)
    0.9
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat") if self.amsgrad else []

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        slots = [self._momentums[i], self._velocities[i]] + ([self._velocity_hats[i]] if self.amsgrad else [])
        self._fused_update(adam_update_p, gradient, variable, slots, learning_rate, beta_1=float(self.beta_1),
                           beta_2=float(self.beta_2), epsilon=float(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (`w -= lr * weight_decay * w` before each update).

    >>> import eagerflow as tf
    >>> tf.keras.optimizers.AdamW().weight_decay
    0.004
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad,
                         weight_decay=weight_decay, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


class RMSprop(Optimizer):
    """RMSprop: divides by a moving root mean square of gradients (`centered` subtracts the mean).

    >>> import eagerflow as tf
    >>> w = tf.Variable(1.0)
    >>> _ = tf.keras.optimizers.RMSprop(learning_rate=0.1).apply_gradients([(tf.constant(1.0), w)])
    >>> round(float(w), 4)
    0.6838
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = self.add_optimizer_variables(var_list, "momentum") if self.momentum > 0 else []
        self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient") if self.centered else []

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        slots = [self._velocities[i]]
        if self.momentum > 0:
            slots.append(self._momentums[i])
        if self.centered:
            slots.append(self._average_gradients[i])
        self._fused_update(rmsprop_update_p, gradient, variable, slots, learning_rate, rho=float(self.rho),
                           momentum=float(self.momentum), centered=bool(self.centered), epsilon=float(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}


class Adagrad(Optimizer):
    """Adagrad: per-parameter rates scaled by the accumulated squared gradients.

    >>> import eagerflow as tf
    >>> w = tf.Variable(1.0)
    >>> _ = tf.keras.optimizers.Adagrad(learning_rate=0.1).apply_gradients([(tf.constant(1.0), w)])
    >>> round(float(w), 4)
    0.9047
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(var_list, "accumulator",
                                                          initializer=float(self.initial_accumulator_value))

    def update_step(self, gradient, variable, learning_rate):
        self._fused_update(adagrad_update_p, gradient, variable, [self._accumulators[self._get_variable_index(variable)]],
                           learning_rate, epsilon=float(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Adadelta: step sizes from moving averages of squared gradients and squared updates.

    >>> import eagerflow as tf
    >>> w = tf.Variable(1.0)
    >>> _ = tf.keras.optimizers.Adadelta(learning_rate=1.0).apply_gradients([(tf.constant(1.0), w)])
    >>> round(float(w), 5)
    0.99859
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        self._fused_update(adadelta_update_p, gradient, variable,
                           [self._accumulated_grads[i], self._accumulated_delta_vars[i]], learning_rate,
                           rho=float(self.rho), epsilon=float(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Nadam(Optimizer):
    """Adam with Nesterov momentum (Dozat's schedule of momentum factors).

    >>> import eagerflow as tf
    >>> w = tf.Variable(1.0)
    >>> _ = tf.keras.optimizers.Nadam(learning_rate=0.1).apply_gradients([(tf.constant(1.0), w)])
    >>> round(float(w), 4)
    0.8937
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        if self.built:
            return
        dtype = var_list[0].dtype.name if var_list else _backend.floatx()
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        self._u_product = self.add_variable((), initializer=1.0, dtype=dtype, name="variable")

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        u = self._u_product
        step = _math.cast(self._step() + _as_tensor(1, _dt.int64), u.dtype)
        factor = 1.0 - 0.5 * _math.pow(_math.cast(0.96, u.dtype), step)
        u.assign(u.value() * _math.cast(self.beta_1, u.dtype) * factor, read_value=False)
        super()._backend_update_step(grads, trainable_variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        u = _as_tensor(self._u_product.value(), variable.dtype)
        self._fused_update(nadam_update_p, gradient, variable, [self._momentums[i], self._velocities[i]],
                           learning_rate, extra=(u,), beta_1=float(self.beta_1), beta_2=float(self.beta_2),
                           epsilon=float(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class Adamax(Optimizer):
    """Adamax: Adam with the infinity norm in place of the second moment.

    >>> import eagerflow as tf
    >>> w = tf.Variable(1.0)
    >>> _ = tf.keras.optimizers.Adamax(learning_rate=0.1).apply_gradients([(tf.constant(1.0), w)])
    >>> round(float(w), 4)
    0.9
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        self._fused_update(adamax_update_p, gradient, variable, [self._m[i], self._u[i]], learning_rate,
                           beta_1=float(self.beta_1), beta_2=float(self.beta_2), epsilon=float(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


# ---- lookup by name ------------------------------------------------------------------------------------------

_ALL = {c.__name__: c for c in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Nadam, Adamax, Ftrl, Lion,
                                 Adafactor)}
_BY_LOWER = {k.lower(): v for k, v in _ALL.items()}


def serialize(optimizer) -> dict:
    """The optimizer as Keras's config dict (`module`, `class_name`, `config`, `registered_name`)."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__, "config": optimizer.get_config(),
            "registered_name": None}


def deserialize(config, custom_objects=None):
    """The optimizer a `serialize()` dict (or just a class name) describes."""
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    name = config.get("class_name")
    table = dict(_ALL, **(custom_objects or {}))
    cls = table.get(name) or _BY_LOWER.get(str(name).lower())
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: {name}")
    return cls.from_config(config.get("config", {}))


def get(identifier):
    """An optimizer from a name ('adam', 'SGD', ...), a config dict, or an optimizer (returned as is).

    >>> import eagerflow as tf
    >>> type(tf.keras.optimizers.get("rmsprop")).__name__
    'RMSprop'
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier.lower() in _BY_LOWER:
        return _BY_LOWER[identifier.lower()]()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
