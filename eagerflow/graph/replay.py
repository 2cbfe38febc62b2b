"""Replaying a graph through `bind()`: each node is re-applied in the current context.

Two uses:

- *inlining*: a tf.function called while another graph is being built replays its traced graph
  into that graph (its captures become the outer graph's captures, tapes record every node);
- *gradients*: the backward function of a tf.function call replays the forward graph under a
  GradientTape. There, state is simulated instead of touched (`VariableSimulation`): reads see
  the values assigned earlier in the replay, nothing is written, and stateful nodes (random,
  print) reuse the outputs the forward run saved instead of running again.

Control dependencies are not replayed: program order already orders every stateful node.
"""
from __future__ import annotations

from ..autodiff import custom_gradient as _custom
from ..context import _state, tapes_paused
from ..primitive import bind
from ..tensor import constant
from ..ops import array as _array, math as _math
from .ir import ASSIGN_PRIMS

__all__ = ["replay", "VariableSimulation", "stateful_nodes"]

_ASSIGN_KIND = {p: kind for kind, p in ASSIGN_PRIMS.items()}


def stateful_nodes(graph) -> list:
    """The stateful nodes with outputs, in program order (their outputs are saved for gradients).

    Control-flow nodes (a primitive with a `replay` method: If, While, ...) are not saved: a
    replay rebuilds them from their sub-graphs, so gradients flow through them.
    """
    return [op for op in graph.get_operations()
            if op.prim.stateful and op.outputs and getattr(op.prim, "replay", None) is None]


class VariableSimulation:
    """Variable values during a gradient replay, keyed by variable; every value is a tape leaf.

    Reading a variable in eager code gives a fresh tensor whose gradient goes to the variable;
    assigning breaks any gradient path from the assigned value. The simulation does the same:
    each assignment makes a new leaf (computed with tapes paused) that `tape` watches, and the
    variable's gradient is the sum over all its leaves (`versions`).
    """

    def __init__(self, tape, initial: dict):
        self.tape = tape
        self.current = dict(initial)                     # id(var) -> tensor
        self.versions = {k: [v] for k, v in initial.items()}

    def read(self, var):
        return self.current[id(var)]

    def assign(self, var, kind: str, value) -> None:
        old = self.current[id(var)]
        with tapes_paused():
            if kind == "assign":
                new = _array.identity(value)
            elif kind == "assign_add":
                new = _math.add(old, value)
            else:
                new = _math.subtract(old, value)
            if new.shape.as_tuple() != old.shape.as_tuple() and old.shape.is_fully_defined():
                new = _array.broadcast_to(new, old.shape.as_list())
        if new.dtype.is_differentiable:
            self.tape.watch(new)
        self.current[id(var)] = new
        self.versions[id(var)].append(new)


def replay(graph, feeds, saved=None, sim: VariableSimulation | None = None) -> list:
    """Re-applies `graph`'s nodes to `feeds` (aligned with `graph.inputs`); returns its outputs.

    Resource placeholders are fed with Variable objects. With `sim`, state is simulated and
    `saved` (the outputs of `stateful_nodes(graph)`, flat, in order) replaces stateful nodes.
    """
    env = {id(p): v for p, v in zip(graph.inputs, feeds)}
    saved_iter = iter(saved) if saved is not None else None
    current = _state.graph
    try:
        for op in graph.get_operations():
            kind = op.type
            if kind == "Placeholder":
                if id(op.outputs[0]) not in env:
                    raise ValueError(f"replay of graph {getattr(graph, 'name', '')}: placeholder {op.name} was "
                                     "not fed")
                continue
            if current is not None:
                current._forced_source = op.source
            ins = [env[id(t)] for t in op.inputs]
            if kind == "Const":
                outs = (constant(op.attrs["value"], op.attrs["dtype"]),)
            elif kind == "ReadVariableOp":
                outs = (sim.read(ins[0]) if sim is not None else ins[0].value(),)
            elif op.prim in _ASSIGN_KIND:
                assign_kind = _ASSIGN_KIND[op.prim]
                if sim is not None:
                    sim.assign(ins[0], assign_kind, ins[1])
                else:
                    getattr(ins[0], assign_kind)(ins[1], read_value=False)
                outs = ()
            elif getattr(op.prim, "replay", None) is not None:  # control flow: rebuilt from its sub-graphs
                outs = op.prim.replay(ins, op.attrs, sim)
            elif sim is not None and op.prim.stateful:
                outs = tuple(next(saved_iter) for _ in op.outputs)
            else:
                res = bind(op.prim, *ins, **op.attrs)
                outs = res if op.prim.multiple_results else (res,)
            for o, v in zip(op.outputs, outs):
                env[id(o)] = v
            if kind == "IdentityN":  # tf.custom_gradient's rule, if the node carries one
                _custom.replay_rule(graph, op, outs, env, sim)
    finally:
        if current is not None:
            current._forced_source = None
    return [env[id(t)] for t in graph.outputs]
