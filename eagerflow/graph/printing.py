"""Text forms of a graph: the jaxpr-like listing and TF's GraphDef/NodeDef records.

The listing numbers intermediate values (`%0`, `%1`, ...) and names placeholders after the
argument or captured value they stand for::

    graph f(%x: float32[2,3], %w: float32[3,4]) {
      %0 = MatMul(%x, %w) {transpose_a=False, transpose_b=False} : float32[2,4]
      %1 = Const {value=1.0} : float32[]
      %2 = AddV2(%0, %1) : float32[2,4]
      return %2
    }
"""
from __future__ import annotations

import numpy as np

from ..dtypes import DType
from ..shapes import format_dims

__all__ = ["pretty", "node_def", "graph_def", "NodeDef", "GraphDef", "format_attr", "type_text"]

_MAX_INLINE = 6  # constants with more elements print as <dtype[shape]>
# Attributes already visible in the type text of the output.
_HIDDEN_ATTRS = {"Placeholder": ("dtype", "shape"), "Const": ("dtype",), "ReadVariableOp": ("dtype", "shape")}


def type_text(t) -> str:
    return f"{t.dtype.name}{format_dims(t.shape.as_tuple())}"


def format_attr(v) -> str:
    if isinstance(v, DType):
        return v.name
    if isinstance(v, np.ndarray):
        if v.size > _MAX_INLINE:
            return f"<{v.dtype.name}{format_dims(v.shape)}>"
        return str(v[()]) if v.ndim == 0 else np.array2string(v, separator=", ").replace("\n", "")
    if isinstance(v, tuple):
        return "(" + ", ".join(format_attr(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if hasattr(v, "get_operations") and hasattr(v, "name"):
        return f"<graph {v.name}>"
    return repr(v)


class _Namer:
    """Listing names: placeholders keep their node name, other values are numbered in order."""

    def __init__(self):
        self.names: dict = {}
        self.count = 0

    def define(self, t) -> str:
        if t.op.type == "Placeholder":
            name = f"%{t.op.name}"
        else:
            name = f"%{self.count}"
            self.count += 1
        self.names[id(t)] = name
        return name

    def use(self, t) -> str:
        return self.names.get(id(t), f"%<{t.name}>")


def pretty(graph, source: bool = False, indent: str = "") -> str:
    """The listing of `graph` (nested graphs in attributes are listed under their node)."""
    namer = _Namer()
    inputs = list(getattr(graph, "inputs", ()) or ())
    header_ids = {id(t) for t in inputs}
    params = ", ".join(f"{namer.define(t)}: {type_text(t)}" for t in inputs)
    name = getattr(graph, "name", "")
    lines = [f"{indent}graph {name}({params}) {{" if name else f"{indent}graph({params}) {{"]
    nested = []
    for op in graph.get_operations():
        if op.type == "Placeholder" and all(id(o) in header_ids for o in op.outputs):
            continue
        lines.append(indent + "  " + _node_line(op, namer, source))
        nested.extend(v for v in op.attrs.values() if hasattr(v, "get_operations") and v is not graph)
    outputs = getattr(graph, "outputs", None)
    if outputs is not None:
        lines.append(f"{indent}  return " + ", ".join(namer.use(t) for t in outputs))
    lines.append(indent + "}")
    for sub in nested:
        lines.append(pretty(sub, source=source, indent=indent + "  "))
    return "\n".join(lines)


def _node_line(op, namer: _Namer, source: bool) -> str:
    args = ", ".join(namer.use(t) for t in op.inputs)
    hidden = _HIDDEN_ATTRS.get(op.type, ())
    attrs = {k: v for k, v in op.attrs.items() if k not in hidden}
    text = op.type + (f"({args})" if op.inputs else "")
    if attrs:
        text += " {" + ", ".join(f"{k}={format_attr(v)}" for k, v in attrs.items()) + "}"
    if op.control_inputs:
        text += " ^[" + ", ".join(c.name for c in op.control_inputs) + "]"
    if op.outputs:
        lhs = ", ".join(namer.define(t) for t in op.outputs)
        text = f"{lhs} = {text} : " + ", ".join(type_text(t) for t in op.outputs)
    if source and op.source is not None:
        text += f"  # {op.source[0].rsplit('/', 1)[-1]}:{op.source[1]}"
    return text


# ---- GraphDef / NodeDef records ----------------------------------------------------------------------------

class NodeDef:
    """A plain record of one node, shaped like TF's NodeDef (name, op, input, attr, device)."""

    __slots__ = ("name", "op", "input", "attr", "device")

    def __init__(self, name, op, input, attr, device=""):  # noqa: A002 - TF's field name
        self.name, self.op, self.input, self.attr, self.device = name, op, input, attr, device

    def __repr__(self):
        return f"NodeDef(name={self.name!r}, op={self.op!r}, input={self.input!r})"

    def __str__(self):
        out = [f'name: "{self.name}"', f'op: "{self.op}"']
        out += [f'input: "{i}"' for i in self.input]
        for k, v in self.attr.items():
            out.append(f'attr {{\n  key: "{k}"\n  value: {format_attr(v)}\n}}')
        if self.device:
            out.append(f'device: "{self.device}"')
        return "\n".join(out) + "\n"


class GraphDef:
    """A plain record of a graph: `.node` is a list of NodeDef."""

    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node

    def __str__(self):
        return "".join(f"node {{\n{_indent(str(n))}}}\n" for n in self.node)

    def __repr__(self):
        return f"GraphDef(<{len(self.node)} nodes>)"


def _indent(text: str) -> str:
    return "".join("  " + line + "\n" for line in text.splitlines())


def _input_name(t) -> str:
    return t.op.name if t.value_index == 0 else f"{t.op.name}:{t.value_index}"


def node_def(op) -> NodeDef:
    inputs = [_input_name(t) for t in op.inputs] + [f"^{c.name}" for c in op.control_inputs]
    attrs = dict(op.attrs)
    if op.type == "Placeholder" and attrs.get("shape") is not None:
        attrs["shape"] = tuple(-1 if d is None else d for d in attrs["shape"])
    return NodeDef(op.name, op.type, inputs, attrs, op.device or "")


def graph_def(graph) -> GraphDef:
    return GraphDef([node_def(op) for op in graph.get_operations()])
