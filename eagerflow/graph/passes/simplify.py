"""Arithmetic simplification: peephole rewrites from a table of (op type, rule).

Each rule looks at one node (inputs already rewritten) and returns the tensors replacing its
outputs, or None when its pattern does not match. Rules are exact: identities only fire when the
result has the operand's dtype and static shape (`x + zeros([3])` with x of shape [1] broadcasts, so
it stays), and results stay bitwise what eager computes, -0.0 included: for floats `x + (-0.0)` and
`x - (+0.0)` are identities, while `x + 0.0` and `x - (-0.0)` turn -0.0 into +0.0 and stay.

    x + 0, 0 + x, x - 0 (signed zeros as above), x * 1, 1 * x, x / 1, x ** 1  ->  x
    -(-x), ~~b, conj(conj(x))                         ->  x
    identity(x)                                       ->  x
    reshape(reshape(x, s1), s2)                       ->  reshape(x, s2)
    reshape(x, shape of x)                            ->  x
    transpose(transpose(x, p), q)                     ->  transpose(x, p∘q)   (or x if p∘q is identity)

Before::

    graph f(%x: float32[2,3]) {
      %0 = Const {value=1.0} : float32[]
      %1 = Mul(%x, %0) : float32[2,3]
      %2 = Neg(%1) : float32[2,3]
      %3 = Neg(%2) : float32[2,3]
      %4 = Reshape(%3) {shape=(3, 2)} : float32[3,2]
      %5 = Reshape(%4) {shape=(6,)} : float32[6]
      return %5
    }

After (dead nodes are left for dead-code elimination)::

    graph f(%x: float32[2,3]) {
      %0 = Const {value=1.0} : float32[]
      %1 = Neg(%x) : float32[2,3]
      %2 = Reshape(%x) {shape=(6,)} : float32[6]
      return %2
    }
"""
from __future__ import annotations

import numpy as np

from ..rewrite import const_value, emit, rewrite

__all__ = ["run", "RULES"]


def _passes_through(x, out) -> bool:
    """`out` has exactly `x`'s dtype and static shape (so returning `x` changes nothing)."""
    xs = x.shape.as_tuple()
    return x.dtype is out.dtype and xs is not None and xs == out.shape.as_tuple()


def _is_filled(t, value) -> bool:
    c = const_value(t)
    if c is None or c.size == 0 or c.dtype == object or not bool(np.all(c == value)):
        return False
    if isinstance(value, _SignedZero) and c.dtype.kind in "fc":  # the sign of a float zero matters
        return bool(np.all(np.signbit(np.real(c)) == value.negative))
    return True


class _SignedZero(float):
    """0 for integers; for floats only the zero of the given sign (the one that is an identity)."""

    def __new__(cls, negative: bool):
        z = super().__new__(cls, 0.0)
        z.negative = negative
        return z


ADD_ZERO, SUB_ZERO = _SignedZero(True), _SignedZero(False)  # x + (-0.0) == x, x - (+0.0) == x


def right_identity(value):
    """`x op value -> x`."""
    def rule(op, ins, g):
        x, c = ins
        return [x] if _is_filled(c, value) and _passes_through(x, op.outputs[0]) else None
    return rule


def left_identity(value):
    """`value op x -> x`."""
    def rule(op, ins, g):
        c, x = ins
        return [x] if _is_filled(c, value) and _passes_through(x, op.outputs[0]) else None
    return rule


def involution(op_type: str):
    """`f(f(x)) -> x` for f its own inverse."""
    def rule(op, ins, g):
        inner = ins[0].op
        if inner.type == op_type and not inner.control_inputs and _passes_through(inner.inputs[0], op.outputs[0]):
            return [inner.inputs[0]]
        return None
    return rule


def drop_identity(op, ins, g):
    return [ins[0]]


def reshape_rule(op, ins, g):
    x = ins[0]
    inner = x.op
    if inner.type == "Reshape" and not inner.control_inputs:  # keep the outer reshape's run-time shape input
        return emit(g, op.prim, [inner.inputs[0]] + list(ins[1:]), op.attrs, op)
    if x.shape.is_fully_defined() and _passes_through(x, op.outputs[0]):
        return [x]
    return None


def transpose_rule(op, ins, g):
    perm = op.attrs.get("perm")
    if not isinstance(perm, tuple) or op.attrs.get("conjugate"):
        return None
    x = ins[0]
    if perm == tuple(range(len(perm))) and _passes_through(x, op.outputs[0]):
        return [x]
    inner = x.op
    inner_perm = inner.attrs.get("perm")
    if inner.type != "Transpose" or not isinstance(inner_perm, tuple) or inner.attrs.get("conjugate") \
            or len(inner_perm) != len(perm) or inner.control_inputs:
        return None
    combined = tuple(inner_perm[p] for p in perm)
    if combined == tuple(range(len(perm))):
        return [inner.inputs[0]] if _passes_through(inner.inputs[0], op.outputs[0]) else None
    return emit(g, op.prim, [inner.inputs[0]], {**op.attrs, "perm": combined}, op)


RULES = {
    "AddV2": (right_identity(ADD_ZERO), left_identity(ADD_ZERO)),
    "Sub": (right_identity(SUB_ZERO),),
    "Mul": (right_identity(1), left_identity(1)),
    "RealDiv": (right_identity(1),),
    "Pow": (right_identity(1),),
    "Neg": (involution("Neg"),),
    "LogicalNot": (involution("LogicalNot"),),
    "Conj": (involution("Conj"),),
    "Identity": (drop_identity,),
    "Reshape": (reshape_rule,),
    "Transpose": (transpose_rule,),
}


def run(graph):
    def visit(op, ins, g):
        if op.control_inputs:
            return None
        for rule in RULES.get(op.type, ()):
            res = rule(op, ins, g)
            if res is not None:
                return res
        return None

    return rewrite(graph, visit)
