"""tf.custom_gradient: a function that supplies its own gradient.

>>> import eagerflow as tf
>>> @tf.custom_gradient
... def clip_grad(x):
...     def grad(dy):
...         return tf.clip_by_value(dy, -1.0, 1.0)
...     return tf.identity(x), grad
>>> x = tf.constant(2.0)
>>> with tf.GradientTape() as t:
...     t.watch(x)
...     y = clip_grad(x) * 10.0
>>> print(t.gradient(y, x))
tf.Tensor(1.0, shape=(), dtype=float32)
"""
from __future__ import annotations

import functools
import inspect

from .. import nest
from ..context import _state, tapes_paused
from ..primitive import Primitive, bind, record
from ..tensor import Tensor, convert_to_tensor

from .tape import GradientTape

__all__ = ["custom_gradient"]


def _identity_n_dtypes(*dts, **_):
    return list(dts)


def _identity_n_shapes(*shapes, **_):
    return list(shapes)


# The forward outputs pass through IdentityN so the custom rule owns their gradient.
identity_n_p = Primitive("IdentityN", lambda *xs: tuple(xs), dtype_rule=_identity_n_dtypes,
                         shape_rule=_identity_n_shapes, multiple_results=True)


def _as_grad(g, like):
    """A gradient returned by grad_fn, as a tensor of its input's dtype (None stays None)."""
    if g is None or isinstance(g, Tensor):
        return g
    return convert_to_tensor(g, dtype=like.dtype)


def custom_gradient(f=None):
    """Decorator: `f(*x)` returns `(y, grad_fn)`; `grad_fn(*dy)` returns the gradients for `x`.

    If `f` reads variables, `grad_fn` must accept `variables=` and return `(dx, dvariables)`.
    """
    if f is None:
        return custom_gradient


    @functools.wraps(f)
    def decorated(*args, **kwargs):
        inputs = [a for a in nest.flatten(args) if isinstance(a, Tensor)]
        st = _state
        outer = st.tapes
        with tapes_paused():
            with GradientTape(watch_accessed_variables=True) as probe:
                result, grad_fn = f(*args, **kwargs)
        variables = [v for v in probe.watched_variables() if v.trainable]
        flat = [convert_to_tensor(r) for r in nest.flatten(result)]
        with tapes_paused():
            outs = bind(identity_n_p, *flat)
        if outer:
            takes_vars = "variables" in inspect.signature(grad_fn).parameters or any(
                p.kind is inspect.Parameter.VAR_KEYWORD for p in inspect.signature(grad_fn).parameters.values())
            if variables and not takes_vars:
                raise TypeError("@tf.custom_gradient grad_fn must accept keyword argument 'variables', since "
                                f"function uses variables: {variables}")

            def grad(gs, outs_, *xs):
                dys = gs if len(gs) > 1 else (gs[0],)
                if variables:
                    dx, dvars = grad_fn(*dys, variables=variables)
                else:
                    dx, dvars = grad_fn(*dys), []
                dx = list(dx) if isinstance(dx, (list, tuple)) else [dx]
                if len(dx) != len(inputs):
                    raise ValueError(f"custom_gradient: grad_fn returned {len(dx)} gradients for "
                                     f"{len(inputs)} tensor inputs")
                if len(dvars) != len(variables):
                    raise ValueError(f"custom_gradient: grad_fn returned {len(dvars)} variable gradients for "
                                     f"{len(variables)} variables")
                return tuple(_as_grad(g, x) for g, x in zip(list(dx) + list(dvars), inputs + variables))

            for tape in outer:
                for v in variables:
                    if tape._watch_accessed:
                        tape._watch_variable(v)
            rule = Primitive("CustomGradient", None, dtype_rule=_identity_n_dtypes, shape_rule=_identity_n_shapes,
                             grad=grad, multiple_results=True, register=False)
            record(outer, rule, tuple(inputs) + tuple(variables), {}, tuple(outs))
        return nest.pack_sequence_as(result, list(outs))

    return decorated


