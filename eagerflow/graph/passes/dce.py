"""Dead-code elimination: drop nodes whose values nothing needs.

A node is live if it is stateful (assignments, random, print: they must run even when unused),
a placeholder (the signature), or feeds a live node or a graph output.

Before::

    graph f(%x: float32[3]) {
      %0 = Exp(%x) : float32[3]
      %1 = Neg(%x) : float32[3]
      return %1
    }

After::

    graph f(%x: float32[3]) {
      %0 = Neg(%x) : float32[3]
      return %0
    }
"""
from __future__ import annotations

from ..rewrite import DROP, rewrite

__all__ = ["run"]


def run(graph):
    live = {id(t.op) for t in graph.outputs}
    for op in reversed(graph.get_operations()):
        if id(op) in live or op.prim.stateful or op.type == "Placeholder":
            live.add(id(op))
            live.update(id(t.op) for t in op.inputs)
            live.update(id(c) for c in op.control_inputs)
    return rewrite(graph, lambda op, ins, g: None if id(op) in live else DROP)
