"""Remapping: a convolution block and its gradient become two fused nodes (TF's "remapping" option).

Pattern, in graph order (all NHWC, one group, float; BiasAdd and Relu optional)::

    %c = Conv2D(%x, %w)                           %p, %q, %z, %cols = _FusedConv2DMaxPool(%x, %w, %b)
    %b2 = BiasAdd(%c, %b)                  ->
    %r = Relu(%b2)
    %p = MaxPool(%r)         (windows side by side: ksize == strides, VALID)
    ...
    %g = MaxPoolGrad(%r, %p, %d)                  %dw, %db, %dx = _FusedConv2DMaxPoolGrad(%x, %cols, %w, %z, %q, %p, %d)
    %db = BiasAddGrad(%g)
    %dw = Conv2DBackpropFilter(%x, _, %g)
    %dx = Conv2DBackpropInput(_, %w, %g)          (each of the three optional)

It fires only when every intermediate (%c, %b2, %r, %g) is used by the pattern alone, is not a
graph output and carries no control edges, so nothing else can observe the difference. See
`ops/fused_conv.py` for why the fused kernels are faster and how their results compare.

Before (a forward-only block)::

    %0 = Conv2D(%x, %w) {...} : float32[None,26,26,32]
    %1 = BiasAdd(%0, %b) {data_format='NHWC'} : float32[None,26,26,32]
    %2 = Relu(%1) : float32[None,26,26,32]
    %3 = MaxPool(%2) {ksize=(2, 2), strides=(2, 2), padding='VALID', data_format='NHWC'} : float32[None,13,13,32]

After::

    %0, %1, %2, %3 = _FusedConv2DMaxPool(%x, %w, %b) {..., pool=(2, 2), order='pool', relu=True} : float32[None,13,13,32], ...
"""
from __future__ import annotations

from ...ops import fused_conv as F
from ..rewrite import GONE, emit, rewrite

__all__ = ["run"]


def _only_feeds(t, op, outputs) -> bool:
    """`t` is read by `op` alone (once) and is not a graph output."""
    users = t.consumers()
    return id(t) not in outputs and len(users) == 1 and users[0] is op


def _conv_attrs(op) -> dict | None:
    a = op.attrs
    if a.get("data_format") != "NHWC":
        return None
    return {"strides": a["strides"], "padding": a["padding"], "dilations": a["dilations"]}


def _match(pool_op, outputs):
    """The block ending in MaxPool `pool_op`, as a dict, or None."""
    a = pool_op.attrs
    if a.get("data_format") != "NHWC" or a.get("padding") != "VALID" or tuple(a["ksize"]) != tuple(a["strides"]) \
            or pool_op.control_inputs:
        return None
    r = pool_op.inputs[0]
    chain = []  # intermediate ops from the pool back to the conv, each only feeding the next
    relu = r.op.type == "Relu"
    t = r.op.inputs[0] if relu else r
    if relu:
        chain.append(r.op)
    bias = None
    if t.op.type == "BiasAdd" and t.op.attrs.get("data_format") in ("NHWC", None):
        chain.append(t.op)
        bias = t.op.inputs[1]
        t = t.op.inputs[0]
    conv = t.op
    if conv.type != "Conv2D" or _conv_attrs(conv) is None or any(o.control_inputs for o in chain + [conv]):
        return None
    x, w = conv.inputs
    if x.dtype not in F.FUSABLE_TYPES or w.dtype is not x.dtype or not w.shape.is_fully_defined() \
            or x.shape.rank != 4 or x.shape[-1] != w.shape[-2]:
        return None
    ops = [conv] + chain[::-1]
    if not all(_only_feeds(prev.outputs[0], nxt, outputs) for prev, nxt in zip(ops, ops[1:])):
        return None
    # r feeds the pool and at most one MaxPoolGrad(r, p, d), whose users are the conv block's gradients
    grads = [c for c in r.consumers() if c is not pool_op]
    if id(r) in outputs or len(grads) > 1 or r.consumers().count(pool_op) != 1:
        return None
    m = {"conv": conv, "pool": pool_op, "intermediate": ops[1:], "x": x, "w": w, "bias": bias,
         "relu": relu, "attrs": {**_conv_attrs(conv), "pool": tuple(a["ksize"])}, "grad": None}
    if grads:
        g_op = grads[0]
        if g_op.type != "MaxPoolGrad" or g_op.inputs[0] is not r or g_op.inputs[1] is not pool_op.outputs[0] \
                or g_op.attrs != pool_op.attrs or g_op.control_inputs:
            return None
        users = _gradient_users(g_op.outputs[0], m, outputs)
        if users is None:
            return None
        m["grad"], m["grad_users"] = g_op, users
    return m


def _gradient_users(g, m, outputs):
    """{op id: which gradient it is} for the users of MaxPoolGrad's output `g`, or None."""
    if id(g) in outputs:
        return None
    users, seen = {}, set()
    conv_attrs = _conv_attrs(m["conv"])
    for c in g.consumers():
        if c.control_inputs or id(c) in users:
            return None
        if c.type == "BiasAddGrad" and m["bias"] is not None and c.attrs.get("data_format") in ("NHWC", None):
            kind = "db"
        elif c.type == "Conv2DBackpropFilter" and c.inputs[0] is m["x"] and c.inputs[2] is g \
                and _conv_attrs(c) == conv_attrs:
            kind = "dw"
        elif c.type == "Conv2DBackpropInput" and c.inputs[1] is m["w"] and c.inputs[2] is g \
                and _conv_attrs(c) == conv_attrs and c.outputs[0].shape.is_compatible_with(m["x"].shape):
            kind = "dx"
        else:
            return None
        if kind in seen:
            return None
        seen.add(kind)
        users[id(c)] = kind
    return users


def _need_dx(m) -> bool:
    return m["grad"] is not None and "dx" in m["grad_users"].values()


def _fwd_attrs(m) -> dict:
    # rows in pool-tap order make the pool and its gradient contiguous; the input gradient wants image order
    return {**m["attrs"], "order": "image" if _need_dx(m) else "pool", "relu": m["relu"]}


def run(graph):
    outputs = {id(t) for t in graph.outputs}
    ops = graph.get_operations()
    ordered = {id(c) for op in ops for c in op.control_inputs}  # nodes others wait for stay as they are
    blocks = {}  # id(op) -> (role, match)
    for op in ops:
        if op.type != "MaxPool":
            continue
        m = _match(op, outputs)
        if m is None:
            continue
        gone = [m["conv"]] + m["intermediate"] + ([m["grad"]] if m["grad"] is not None else [])
        if any(id(o) in ordered for o in gone + [op]):
            continue
        blocks[id(op)] = ("pool", m)
        for o in gone:
            blocks[id(o)] = ("gone", m)
        if m["grad"] is not None:
            blocks[id(m["grad"])] = ("grad", m)
            for uid, kind in m["grad_users"].items():
                blocks[uid] = (kind, m)
    replaced = {k for k, (role, _) in blocks.items() if role in ("db", "dw", "dx")}
    for op in ops:  # the gradients' size inputs (Shape, Const) that only replaced nodes read go too
        if id(op) in replaced:
            for t in op.inputs:
                src = t.op
                if src.type in ("Shape", "Const") and id(src) not in blocks and id(src) not in ordered \
                        and id(t) not in outputs and all(id(c) in replaced for c in t.consumers()):
                    blocks[id(src)] = ("gone", blocks[id(op)][1])
    if not blocks:
        return graph
    fused = {}  # id(match) -> the block's tensors in the new graph

    def visit(op, ins, g):
        hit = blocks.get(id(op))
        if hit is None:
            return None
        role, m = hit
        new = fused.setdefault(id(m), {})
        if role == "gone":  # the block's conv and bias nodes hand over their inputs
            if op is m["conv"]:
                new.update(x=ins[0], w=ins[1])
            elif op.type == "BiasAdd":
                new["bias"] = ins[1]
            return [GONE] * len(op.outputs)
        if role == "pool":
            args = [new["x"], new["w"]] + ([new["bias"]] if m["bias"] is not None else [])
            new["p"], new["q"], new["z"], new["cols"] = emit(g, F.fused_conv2d_max_pool_p, args, _fwd_attrs(m), op)
            return [new["p"]]
        if role == "grad":
            attrs = {**_fwd_attrs(m), "need_dx": _need_dx(m)}
            new["dw"], new["db"], new["dx"] = emit(g, F.fused_conv2d_max_pool_grad_p,
                                                   [new["x"], new["cols"], new["w"], new["z"], new["q"], new["p"], ins[2]],
                                                   attrs, op)
            return [GONE]
        return [new[role]]  # "dw", "db" or "dx"

    return rewrite(graph, visit)
