"""Sub-graphs: the branches and loop bodies that control-flow nodes (If, Case, While) hold.

A `SubGraph` is a FuncGraph whose every input is explicit: first its arguments (loop variables,
or nothing for a cond branch), then one placeholder per captured value. The node holding it
passes the captured values as ordinary inputs, so dead-code elimination, CSE and the executor
need no special case: an outer value a branch uses is an input edge of the node.

Several sub-graphs of one node (both branches of an If, the cond and body of a While) must take
the same inputs: `align_captures` gives them one shared capture list, adding an unused
placeholder where a graph does not use a value another one captured.

At run time the node's kernel calls `SubGraph.runner()`: the sub-graph optimized by the same
passes as any function graph and compiled once into straight-line Python (`execute.py`), cached
for the current optimizer options.

>>> import eagerflow as tf
>>> from eagerflow.graph.subgraph import trace_subgraph
>>> @tf.function
... def f(x):
...     g, out = trace_subgraph(lambda a: a * x, [tf.TensorSpec([], tf.float32)], "body")
...     return tf.constant(len(g.inputs))
>>> int(f(tf.constant(2.0)))
2
"""
from __future__ import annotations

from ..context import _state, graph_scope, settings
from ..tensor import EagerTensor, Tensor, constant
from . import passes
from .execute import compile_graph
from .func_graph import FuncGraph
from .ir import SymbolicTensor, placeholder_p
from .trace import is_variable, tracing

__all__ = ["SubGraph", "trace_subgraph", "align_captures", "as_output", "node_inputs"]


class SubGraph(FuncGraph):
    """A branch or loop body: explicit inputs (arguments, then captures), compiled on first run."""

    def __init__(self, name: str, outer_graph=None):
        super().__init__(name, outer_graph)
        self.n_args = 0
        self._compiled = None   # (optimizer options, optimized graph, Executable)

    @property
    def stateful(self) -> bool:
        """True if running it has effects beyond its outputs (prints, assignments, random draws)."""
        return any(op.prim.stateful for op in self._ops)

    def _prepare(self):
        opts = settings.optimizer_options
        entry = self._compiled
        if entry is None or entry[0] is not opts:
            graph, _ = passes.optimize(self, opts)
            exe = compile_graph(graph, graph.inputs, graph.outputs, name=self.name)
            entry = self._compiled = (opts, graph, exe, _checked(exe))
        return entry

    def optimized(self):
        """This graph after the optimization passes (what `runner()` runs)."""
        return self._prepare()[1]

    def runner(self):
        """`run(*input_arrays) -> tuple of output arrays`; errors name the failing node and user line."""
        entry = self._compiled
        if entry is None or entry[0] is not settings.optimizer_options:
            entry = self._prepare()
        return entry[3]

    def empty_like(self) -> FuncGraph:
        return FuncGraph(self.name, self.outer_graph)

    def __repr__(self):
        return f"<SubGraph {self.name!r} ({len(self._ops)} nodes)>"


def _checked(exe):
    run = exe.run

    def checked_run(*args):
        try:
            return run(*args)
        except Exception as e:  # noqa: BLE001 - the TF error naming the inner node and its user line
            raise exe.translate_error(e) from None
    return checked_run


def trace_subgraph(fn, arg_specs, name: str):
    """(SubGraph, raw result): traces `fn(*placeholders)` in a new sub-graph of the current graph.

    `arg_specs` are TensorSpec-like (dtype, shape) for the arguments. Outer tensors `fn` uses are
    captured; the raw result still needs `as_output` for each leaf.
    """
    g = SubGraph(name, outer_graph=_state.graph)
    with tracing(g):
        args = [g.placeholder(s.dtype, s.shape, name=getattr(s, "name", None) or "arg") for s in arg_specs]
        g.inputs = list(args)
        g.n_args = len(args)
        result = fn(*args)
    return g, result


def as_output(g: SubGraph, value):
    """`value` as a tensor of `g` (captured, converted or read), for use as one of its outputs."""
    if type(value) is SymbolicTensor and value.graph is g:
        return value
    with graph_scope(g):
        if isinstance(value, (SymbolicTensor, EagerTensor)):
            return g.capture(value)
        if is_variable(value):
            return value.value()
        if isinstance(value, Tensor):
            return value
        return constant(value)


def align_captures(graphs) -> list:
    """Gives `graphs` one shared capture list; returns its external values (tensors, variables).

    Each graph's inputs become its own arguments followed by one placeholder per shared capture.
    """
    externals, seen = [], {}
    for g in graphs:
        for ext, _ in g._capture_order:
            if id(ext) not in seen:
                seen[id(ext)] = len(externals)
                externals.append(ext)
    for g in graphs:
        mine = {id(e): i for e, i in g._capture_order}
        order = []
        for ext in externals:
            internal = mine.get(id(ext))
            if internal is None:
                internal = _unused_placeholder(g, ext)
            order.append((ext, internal))
        g.inputs = g.inputs[:g.n_args] + [i for _, i in order]
        g._capture_order = order
        g._tensor_captures = {id(e): (e, i) for e, i in order if isinstance(e, Tensor)}
    return externals


def _unused_placeholder(g: SubGraph, ext):
    if is_variable(ext):
        handle = g.capture_variable(ext)
        g._capture_order.pop()   # capture_variable recorded it; align_captures lays out the order
        g.inputs.pop()
        return handle
    dims = ext.shape.as_tuple()
    return g.add_op(placeholder_p, (), {"dtype": ext.dtype, "shape": dims}, [ext.dtype], [dims], name="unused",
                    scoped=False).outputs[0]


def node_inputs(externals) -> list:
    """The values a control-flow node in the current graph takes for `externals` (variables as handles)."""
    graph = _state.graph
    return [graph.capture_variable(e) if is_variable(e) else e for e in externals]
