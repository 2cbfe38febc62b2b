"""The one tool every optimization pass uses: copy a graph node by node, letting a visitor decide.

`rewrite(graph, visit)` builds a new graph of the same kind. For each node, in program order,
`visit(op, inputs, new_graph)` sees the node and its inputs already mapped into the new graph and
returns one of:

- None: copy the node unchanged (the default);
- DROP: leave it out (its outputs must be unused);
- a list of tensors of the new graph that replace the node's outputs; GONE in place of an output
  means that no node left reads it (a fusing pass replaces its readers too).

Placeholders are always copied, so inputs and captures keep their order; outputs, structured
outputs and captures are mapped at the end. The original graph is never modified.
"""
from __future__ import annotations

from .ir import const_p

__all__ = ["rewrite", "DROP", "GONE", "const_value", "new_const", "emit"]

DROP = object()
GONE = object()


def rewrite(graph, visit=None):
    new = graph.empty_like()
    env: dict = {}      # id(old tensor) -> new tensor
    op_env: dict = {}   # id(old op) -> new op, for control inputs
    for op in graph.get_operations():
        if any(id(t) not in env for t in op.inputs):
            continue  # reads a dropped value, so it is dropped too (a needed one fails at the outputs)
        ins = [env[id(t)] for t in op.inputs]
        res = None if (visit is None or op.type == "Placeholder") else visit(op, ins, new)
        if res is DROP:
            continue
        if res is None:
            ctrl = tuple(op_env[id(c)] for c in op.control_inputs if id(c) in op_env)
            copied = new.copy_op(op, ins, ctrl)
            op_env[id(op)] = copied
            res = copied.outputs
        elif res and id(op) not in op_env and res[0] is not GONE:
            op_env[id(op)] = res[0].op  # control edges on a replaced node move to its replacement
        for o, r in zip(op.outputs, res):
            env[id(o)] = r
    new.finish_copy(graph, env)
    return new


def const_value(t):
    """The NumPy value of `t` if it is the output of a Const node, else None."""
    op = t.op
    return op.attrs["value"] if op.type == "Const" else None


def new_const(graph, value, dtype, like):
    """A Const node in `graph` replacing node `like` (keeps its name and source line)."""
    return graph.add_op(const_p, (), {"value": value, "dtype": dtype}, [dtype], [value.shape], name=like.name,
                        source=like.source, scoped=False).outputs[0]


def emit(graph, prim, inputs, attrs, like):
    """A new node applying `prim` (its rules give the output types), attributed to node `like`."""
    dtypes, shapes = prim.abstract_eval([t.dtype for t in inputs], [t.shape.as_tuple() for t in inputs], attrs)
    op = graph.add_op(prim, inputs, attrs, dtypes, shapes, name=like.name, source=like.source, scoped=False)
    return op.outputs if prim.multiple_results else op.outputs[:1]
