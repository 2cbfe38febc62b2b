"""Tracing: running a Python function with symbolic placeholders to build its FuncGraph.

While tracing, the thread's context says "graph" (so `bind()` adds nodes and
`tf.executing_eagerly()` is False), tapes recording outside the function are paused (a tape inside
the function records symbolically), the name scope starts empty, and tf.function's variable-creation
rule is installed as a variable hook.

A *signature* is the argument structure with each leaf replaced by what the graph needs to know:
a TensorSpec (a placeholder is made for it), a Variable (passed through; its uses are captured), or
a Python value (passed through; it is part of the cache key).
"""
from __future__ import annotations

import contextlib

import numpy as np

from .. import nest
from ..context import _state
from ..tensor import Tensor, constant
from ..tensor_spec import TensorSpec
from .func_graph import FuncGraph
from .ir import Operation, SymbolicTensor

__all__ = ["tracing", "trace_function", "trace_flat", "is_variable"]


def is_variable(x) -> bool:
    return hasattr(x, "_is_eagerflow_variable")


@contextlib.contextmanager
def tracing(graph: FuncGraph, variable_hook=None):
    """Makes `graph` the graph being built for the block (tapes paused, fresh name scope)."""
    st = _state
    saved = st.graph, st.tapes, st.control_deps, st.name_scope, st.variable_hooks
    st.graph, st.tapes, st.control_deps, st.name_scope = graph, (), (), ""
    if variable_hook is not None:
        st.variable_hooks = st.variable_hooks + (variable_hook,)
    try:
        yield graph
    finally:
        st.graph, st.tapes, st.control_deps, st.name_scope, st.variable_hooks = saved


def _placeholders(graph: FuncGraph, signature, name: str):
    """`signature` with each TensorSpec leaf replaced by a new placeholder named after its argument."""
    leaves = nest.flatten(signature)
    out = []
    for leaf in leaves:
        if isinstance(leaf, TensorSpec):
            out.append(graph.placeholder(leaf.dtype, leaf.shape, name=leaf.name or name))
            graph.inputs.append(out[-1])
        else:
            out.append(leaf)
    return nest.pack_sequence_as(signature, out)


def _output(graph: FuncGraph, value, fn_name: str):
    if value is None:
        return None
    if isinstance(value, SymbolicTensor) and value.graph is graph:
        return value
    if isinstance(value, Tensor):
        return graph.capture(value)
    if is_variable(value):
        return value.value()
    if isinstance(value, Operation):
        raise TypeError("To be compatible with tf.function, Python functions must return zero or more Tensors or "
                        f"ExtensionTypes or None values; in compilation of {fn_name}, found return value of type "
                        "Operation, which is not a Tensor or ExtensionType.")
    if isinstance(value, (bool, int, float, complex, str, bytes, np.ndarray, np.generic)):
        return constant(value)
    raise TypeError("To be compatible with tf.function, Python functions must return zero or more Tensors or "
                    f"ExtensionTypes or None values; in compilation of {fn_name}, found return value of type "
                    f"{type(value).__name__}, which is not a Tensor or ExtensionType.")


def trace_function(python_function, name: str, sig_args: tuple, sig_kwargs: dict, arg_names=(),
                   variable_hook=None) -> FuncGraph:
    """Builds the FuncGraph of `python_function` called with `sig_args`/`sig_kwargs` (a signature)."""
    graph = FuncGraph(name, outer_graph=_state.graph)
    with tracing(graph, variable_hook):
        args = []
        for i, a in enumerate(sig_args):
            arg_name = arg_names[i] if i < len(arg_names) else f"args_{i}"
            args.append(_placeholders(graph, a, arg_name))
        kwargs = {k: _placeholders(graph, v, k) for k, v in sig_kwargs.items()}
        result = python_function(*args, **kwargs)
        fn_name = repr(python_function)
        flat = [_output(graph, v, fn_name) for v in nest.flatten(result)]
    graph.structured_outputs = nest.pack_sequence_as(result, flat)
    graph.outputs = [t for t in flat if t is not None]
    graph.structured_input_signature = (tuple(sig_args), dict(sig_kwargs))
    return graph


def trace_flat(python_function, specs, name: str) -> FuncGraph:
    """Traces `python_function(*placeholders)` for a flat list of TensorSpecs (used for gradients)."""
    return trace_function(python_function, name, tuple(specs), {}, tuple(f"arg{i}" for i in range(len(specs))))
