"""Common-subexpression elimination: a pure node identical to an earlier one reuses its outputs.

Two nodes are identical when they apply the same primitive with equal attributes to the same
inputs; constants are identical when dtype, shape and bytes agree. Stateful nodes (random, print,
assignments) and variable reads (an assignment may sit between two reads) are never merged.

Before::

    graph f(%x: float32[3]) {
      %0 = Exp(%x) : float32[3]
      %1 = Exp(%x) : float32[3]
      %2 = AddV2(%0, %1) : float32[3]
      return %2
    }

After::

    graph f(%x: float32[3]) {
      %0 = Exp(%x) : float32[3]
      %1 = AddV2(%0, %0) : float32[3]
      return %1
    }
"""
from __future__ import annotations

from ..ir import STATE_READERS
from ..rewrite import rewrite

__all__ = ["run"]

_MAX_CONST_KEY_BYTES = 1 << 12  # larger constants are not compared byte by byte


def _key(op, ins):
    if op.type == "Const":
        v = op.attrs["value"]
        if v.nbytes > _MAX_CONST_KEY_BYTES or v.dtype == object:
            return None
        return ("Const", op.attrs["dtype"], v.shape, v.tobytes())
    try:
        attrs = tuple(sorted(op.attrs.items()))
        hash(attrs)
    except TypeError:  # an unhashable attribute: leave the node alone
        return None
    return (op.prim, tuple(id(t) for t in ins), attrs)


def run(graph):
    seen: dict = {}

    def visit(op, ins, new_graph):
        if op.prim.stateful or op.type in STATE_READERS or op.control_inputs:
            return None
        key = _key(op, ins)
        if key is None:
            return None
        hit = seen.get(key)
        if hit is not None:
            return hit
        seen[key] = new_graph.copy_op(op, ins).outputs
        return seen[key]

    return rewrite(graph, visit)
