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
from ..tensor_spec import TensorSpec

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
        if variables and not _takes_variables(grad_fn):
            raise TypeError("@tf.custom_gradient grad_fn must accept keyword argument 'variables', since "
                            f"function uses variables: {variables}")
        with tapes_paused():
            outs = bind(identity_n_p, *flat)

        def gradients(*dys):
            return _call_grad_fn(grad_fn, dys, inputs, variables)

        if st.graph is not None:  # a tape around the function call replays the graph: keep the rule in it
            own = [_own(st.graph, x) for x in inputs]
            _attach(st.graph, outs[0].op, _traced_rule(gradients, flat, own, variables))
        if outer:
            _record(outer, lambda gs: gradients(*gs), inputs, variables, variables, outs)
        return nest.pack_sequence_as(result, list(outs))

    return decorated


def _takes_variables(grad_fn) -> bool:
    params = inspect.signature(grad_fn).parameters.values()
    return any(p.name == "variables" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def _call_grad_fn(grad_fn, dys, inputs, variables) -> list:
    """grad_fn's gradients for `inputs + variables`, checked, as one flat list (None allowed)."""
    if variables:
        dx, dvars = grad_fn(*dys, variables=variables)
    else:
        dx, dvars = grad_fn(*dys), []
    dx = list(dx) if isinstance(dx, (list, tuple)) else [dx]
    if len(dx) != len(inputs):
        raise ValueError(f"custom_gradient: grad_fn returned {len(dx)} gradients for {len(inputs)} tensor inputs")
    if len(dvars) != len(variables):
        raise ValueError(f"custom_gradient: grad_fn returned {len(dvars)} variable gradients for "
                         f"{len(variables)} variables")
    return [_as_grad(g, x) for g, x in zip(list(dx) + list(dvars), inputs + variables)]


def _record(tapes, grads_of, inputs, variables, sources, outs) -> None:
    """Lets `tapes` see the custom rule: the outputs `outs` of `inputs + sources`, whose gradients
    `grads_of(output gradients)` computes (`sources` stand for `variables` on the tape)."""
    for tape in tapes:
        for v in variables:
            if tape._watch_accessed:
                tape._watch_variable(v)

    def grad(gs, outs_, *xs):
        return tuple(grads_of(gs if len(gs) > 1 else (gs[0],)))

    rule = Primitive("CustomGradient", None, dtype_rule=_identity_n_dtypes, shape_rule=_identity_n_shapes,
                     grad=grad, multiple_results=True, register=False)
    record(tapes, rule, tuple(inputs) + tuple(sources), {}, tuple(outs))


# ---- inside graphs: the rule as a traced sub-graph, replayed with the graph --------------------------------

class _Rule:
    """A custom gradient kept in a graph: `sub` maps output gradients (then `externals`, the values of
    its captures) to the gradients of `inputs + variables`; `present` marks those grad_fn did not
    leave None. Tensors are the graph's own: a replay maps them to its values."""

    __slots__ = ("sub", "externals", "inputs", "variables", "present", "error")

    def __init__(self, sub, externals, inputs, variables, present, error=None):
        self.sub, self.externals, self.inputs = sub, externals, inputs
        self.variables, self.present, self.error = variables, present, error


def _traced_rule(gradients, flat, inputs, variables) -> _Rule:
    """grad_fn traced now into a sub-graph of the current graph (TF keeps it as a function too)."""
    from ..graph.subgraph import as_output, trace_subgraph
    present = []

    def fn(*dys):
        grads = gradients(*dys)
        present.extend(g is not None for g in grads)
        return [g for g in grads if g is not None]

    try:
        with tapes_paused():
            sub, result = trace_subgraph(fn, [TensorSpec(t.shape, t.dtype) for t in flat], "custom_gradient")
            sub.outputs = [as_output(sub, r) for r in result]
    except Exception as e:  # noqa: BLE001 - raised if a gradient is ever asked for, not while tracing forward
        return _Rule(None, [], inputs, variables, [], e)
    return _Rule(sub, sub.external_captures, inputs, variables, present)


def _own(graph, x):
    """`x` as a tensor of `graph` (what a replay of `graph` has a value for): captured if it is not."""
    if getattr(x, "graph", None) is graph or not hasattr(graph, "capture"):
        return x
    return graph.capture(x)


def _attach(graph, op, rule: _Rule) -> None:
    graph.__dict__.setdefault("_custom_gradients", {})[id(op)] = rule


def replay_rule(graph, op, new_outs, env, sim) -> None:
    """For `replay`: re-creates the custom gradient of `op` (an IdentityN of `graph`) for its replayed
    outputs `new_outs`, on the tapes recording now and, when tracing, in the graph being built."""
    rule = getattr(graph, "_custom_gradients", {}).get(id(op))
    if rule is None:
        return
    from ..graph.replay import replay

    def mapped(t):
        return env.get(id(t), t)

    inputs = [mapped(t) for t in rule.inputs]

    def grads_of(dys):
        if rule.error is not None:
            raise rule.error
        feeds = list(dys) + [mapped(e) for e in rule.externals]
        values = iter(replay(rule.sub, feeds, sim=sim))
        return [next(values) if p else None for p in rule.present]

    st = _state
    if st.tapes:
        sources = [sim.read(v) if sim is not None else v for v in rule.variables]
        _record(st.tapes, grads_of, inputs, rule.variables, sources, new_outs)
    if st.graph is not None and new_outs and not new_outs[0].is_eager:  # inlined into a graph being built
        _attach(st.graph, new_outs[0].op, _Rule(rule.sub, [mapped(e) for e in rule.externals], inputs,
                                                rule.variables, rule.present, rule.error))


