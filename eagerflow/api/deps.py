"""Control dependencies: `tf.control_dependencies`, `tf.no_op` and `tf.group`.

Eagerly, ops run in the order they are called, so these do nothing. In a graph they add control
edges: an op created inside `control_dependencies([a])` runs only after `a`. tf.function runs every
node in program order anyway; a TF1 Session runs only what its fetches need, following control
edges, so `tf.group(...)` is how TF1 programs bundle several updates into one op to run.

>>> import eagerflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     v = tf.Variable(1.0)
...     with tf.control_dependencies([v.assign_add(1.0)]):
...         y = v.read_value() * 10.0
>>> with tf.compat.v1.Session(graph=g) as sess:
...     _ = sess.run(v.initializer)
...     print(sess.run(y))
20.0
"""
from __future__ import annotations

import contextlib

from ..context import _state
from ..graph.ir import Operation, SymbolicTensor
from ..primitive import Primitive
from ..tensor import EagerTensor

__all__ = ["control_dependencies", "no_op", "group", "no_op_p"]


def _no_outputs(*_, **__):
    return []


def _no_op_kernel():
    return ()


no_op_p = Primitive("NoOp", _no_op_kernel, dtype_rule=_no_outputs, shape_rule=_no_outputs, multiple_results=True)


def _as_control_op(x, graph) -> Operation | None:
    """The op that `x` (an op, a tensor or a variable of `graph`) stands for as a control input."""
    if hasattr(x, "_is_eagerflow_variable"):
        x = getattr(x, "_graph_element", None) or x.value()
    if isinstance(x, SymbolicTensor):
        x = x.op
    if isinstance(x, Operation):
        if x.graph is not graph:
            raise ValueError(f"Control input {x.name!r} must be from the same graph as the ops it controls.")
        return x
    if isinstance(x, EagerTensor) or x is None:
        return None  # already computed: nothing to wait for
    raise TypeError(f"Control input must be an Operation or a Tensor, got {x!r} ({type(x).__name__})")


@contextlib.contextmanager
def _control_scope(ops):
    st = _state
    saved = st.control_deps
    st.control_deps = () if ops is None else saved + tuple(op for op in ops if op not in saved)
    try:
        yield
    finally:
        st.control_deps = saved


def control_dependencies(control_inputs):
    """Ops created in the block run after `control_inputs` (ops or tensors); None clears them.

    Eagerly it does nothing (callables in the list are called, as TF does).
    """
    graph = _state.graph
    if graph is None:
        for c in control_inputs or ():
            if callable(c):
                c()
        return contextlib.nullcontext()
    if control_inputs is None:
        return _control_scope(None)
    ops = [_as_control_op(c, graph) for c in control_inputs]
    return _control_scope([op for op in ops if op is not None])


def _no_op_node(graph, deps, name):
    deps = tuple(dict.fromkeys(tuple(_state.control_deps) + tuple(deps)))
    deps = tuple(d if isinstance(d, Operation) else d.op for d in deps)
    return graph.add_op(no_op_p, (), {}, [], [], name=name or "NoOp", control_inputs=deps)


def no_op(name=None):
    """An op that does nothing (None eagerly); in a graph, a node other ops can depend on."""
    graph = _state.graph
    if graph is None:
        return None
    return _no_op_node(graph, (), name)


def group(*inputs, name=None):
    """One op that runs all of `inputs` (ops or tensors, nested lists allowed); None eagerly.

    >>> import eagerflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     a, b = tf.Variable(1.0), tf.Variable(2.0)
    ...     step = tf.group(a.assign_add(1.0), b.assign_add(1.0), name="step")
    >>> step.type, len(step.control_inputs)
    ('NoOp', 2)
    """
    graph = _state.graph
    if graph is None:
        return None
    flat = []
    stack = list(inputs)
    while stack:
        x = stack.pop(0)
        if isinstance(x, (list, tuple)):
            stack[:0] = list(x)
        elif isinstance(x, dict):
            stack[:0] = [x[k] for k in sorted(x)]
        else:
            flat.append(x)
    ops = [_as_control_op(x, graph) for x in flat]
    return _no_op_node(graph, [op for op in ops if op is not None], name)
