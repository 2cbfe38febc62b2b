"""Constant folding: a pure node whose inputs are all constants becomes a constant.

The node's own kernel computes the value, so folding agrees with run time by construction. Shape
queries (`Shape`, `Size`, `Rank`) of inputs with a fully known static shape fold too. Stateful
nodes and variable reads never fold; a node whose kernel fails is left for run time (which
reports the error with the user's line); results above `MAX_ELEMENTS` stay computed.

Before::

    graph f(%x: float32[3]) {
      %0 = Const {value=2.0} : float32[]
      %1 = Const {value=3.0} : float32[]
      %2 = Mul(%0, %1) : float32[]
      %3 = Mul(%x, %2) : float32[3]
      return %3
    }

After::

    graph f(%x: float32[3]) {
      %0 = Const {value=6.0} : float32[]
      %1 = Mul(%x, %0) : float32[3]
      return %1
    }
"""
from __future__ import annotations

import numpy as np

from ..ir import STATE_READERS, STATIC_SHAPE_OPS
from ..rewrite import const_value, new_const, rewrite

__all__ = ["run", "MAX_ELEMENTS"]

MAX_ELEMENTS = 1 << 20


def _fold(op, ins):
    """The output values of `op` if they can be computed now, else None."""
    static = STATIC_SHAPE_OPS.get(op.type)
    if static is not None:
        v = static(ins[0].shape.as_tuple(), op.attrs)
        return None if v is None else [v]
    if op.prim.kernel is None or op.prim.stateful or op.type in STATE_READERS or not op.outputs:
        return None
    if any(hasattr(v, "get_operations") for v in op.attrs.values()):
        return None  # nested graphs: control flow folds through its own kernels at run time
    values = [const_value(t) for t in ins]
    if any(v is None for v in values):
        return None
    try:
        with np.errstate(all="ignore"):
            out = op.prim.kernel(*values, **op.attrs)
    except Exception:  # noqa: BLE001 - the error is reported when the graph runs
        return None
    outs = list(out) if op.prim.multiple_results else [out]
    outs = [np.asarray(v) for v in outs]
    if sum(v.size for v in outs) > MAX_ELEMENTS:
        return None
    return outs


def run(graph):
    def visit(op, ins, new_graph):
        if op.type == "Const":
            return None
        values = _fold(op, ins)
        if values is None:
            return None
        return [new_const(new_graph, v.astype(o.dtype._np, copy=False) if o.dtype._np is not None else v, o.dtype, op)
                for v, o in zip(values, op.outputs)]

    return rewrite(graph, visit)
