"""Graphs, attributes and nested structures as plain data (JSON values plus named arrays).

A traced function's graph is stored node by node: op type name (`MatMul`), attributes, inputs as
`[node index, output index]`, control inputs, output dtypes and shapes, and the user source line
that created it. Placeholders carry a role: an argument, a captured variable (a node of the
SavedModel's object graph) or a captured constant (an array). Decoding rebuilds the graph with
the primitives registered in this process and re-checks every node's dtype/shape rule, so a
damaged or hand-edited file fails with an error naming it instead of computing garbage.

Every JSON object is a tagged value (`{"tuple": [...]}`, `{"dtype": "float32"}`, ...); JSON
numbers, strings, booleans and null stand for themselves.

>>> from eagerflow.saved_model import codec
>>> arrays = {}
>>> data = codec.encode_value((1, "a", None), arrays, "demo")
>>> data, codec.decode_value(data, arrays)
({'tuple': [1, 'a', None]}, (1, 'a', None))
"""
from __future__ import annotations

import base64
import collections
import keyword

import numpy as np

from .. import dtypes as _dt
from ..graph.func_graph import FuncGraph
from ..graph.ir import ASSIGN_PRIMS, SymbolicTensor, const_p, placeholder_p, read_variable_p
from ..graph.lint import LintError
from ..graph.subgraph import SubGraph
from ..graph.trace import is_variable
from ..primitive import REGISTRY
from ..shapes import TensorShape
from ..tensor import EagerTensor
from ..tensor_spec import TensorSpec

__all__ = ["encode_value", "decode_value", "encode_graph", "decode_graph", "FormatError"]

GRAPH_ONLY = {p.name: p for p in (placeholder_p, const_p, read_variable_p, *ASSIGN_PRIMS.values())}


class FormatError(ValueError):
    """Stored data that does not describe a valid value or graph (the loader adds the file name)."""


# ---- values ------------------------------------------------------------------------------------------------

def _shape_data(shape):
    dims = TensorShape(shape).as_tuple() if not isinstance(shape, tuple) else shape
    return None if dims is None else list(dims)


def encode_value(v, arrays: dict, prefix: str, refs=None):
    """`v` as JSON data; arrays go into `arrays` under `prefix/...`; `refs(obj)` encodes variables/tensors."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v if np.isfinite(v) else {"float": repr(v)}
    if refs is not None:
        ref = refs(v)
        if ref is not None:
            return ref
    if isinstance(v, _dt.DType):
        return {"dtype": v.name}
    if isinstance(v, TensorSpec):
        return {"spec": [_shape_data(v.shape), v.dtype.name, v.name]}
    if isinstance(v, TensorShape):
        return {"shape": _shape_data(v)}
    if isinstance(v, bytes):
        return {"bytes": base64.b64encode(v).decode("ascii")}
    if isinstance(v, complex):
        return {"complex": [v.real, v.imag]}
    if isinstance(v, (np.ndarray, np.generic)):
        key = f"{prefix}/{len(arrays)}"
        arrays[key] = np.asarray(v)
        return {"array" if isinstance(v, np.ndarray) else "scalar": key}
    if isinstance(v, tuple) and hasattr(type(v), "_fields"):
        return {"namedtuple": [type(v).__name__, list(v._fields),
                               [encode_value(x, arrays, prefix, refs) for x in v]]}
    if isinstance(v, (tuple, list)):
        return {type(v).__name__: [encode_value(x, arrays, prefix, refs) for x in v]}
    if isinstance(v, dict):
        return {"dict": [[encode_value(k, arrays, prefix, refs), encode_value(x, arrays, prefix, refs)]
                         for k, x in v.items()]}
    if isinstance(v, slice):
        return {"slice": [encode_value(x, arrays, prefix, refs) for x in (v.start, v.stop, v.step)]}
    raise TypeError(f"{type(v).__name__} value {v!r:.80} cannot be stored as data")


def _decode_array(key, arrays):
    try:
        return arrays[key]
    except (KeyError, TypeError):
        raise FormatError(f"refers to array {key!r}, which the file does not hold") from None


def decode_value(d, arrays: dict, refs=None):
    """The value `encode_value` stored; `refs(tag, payload)` resolves variables and tensors."""
    if d is None or isinstance(d, (bool, int, float, str)):
        return d
    if isinstance(d, list) or not isinstance(d, dict) or len(d) != 1:
        raise FormatError(f"malformed value {str(d)[:80]}")
    (tag, p), = d.items()
    rec = lambda x: decode_value(x, arrays, refs)  # noqa: E731
    if tag in ("tuple", "list"):
        items = [rec(x) for x in p]
        return tuple(items) if tag == "tuple" else items
    if tag == "dict":
        return {_hashable(rec(k)): rec(x) for k, x in p}
    if tag == "dtype":
        return _dt.as_dtype(str(p))
    if tag == "spec":
        shape, dtype, name = p
        return TensorSpec(shape, _dt.as_dtype(dtype), name)
    if tag == "shape":
        return TensorShape(p)
    if tag == "float":
        return float(p)
    if tag == "bytes":
        return base64.b64decode(p)
    if tag == "complex":
        return complex(p[0], p[1])
    if tag == "array":
        return _decode_array(p, arrays)
    if tag == "scalar":
        return _decode_array(p, arrays)[()]
    if tag == "slice":
        return slice(*[rec(x) for x in p])
    if tag == "namedtuple":
        name, fields, items = p
        if not all(isinstance(s, str) and s.isidentifier() and not keyword.iskeyword(s) for s in [name, *fields]):
            raise FormatError(f"invalid namedtuple {name!r} {fields!r}")
        return collections.namedtuple(name, fields)(*[rec(x) for x in items])
    if refs is not None:
        return refs(tag, p)
    raise FormatError(f"unknown value tag {tag!r}")


def _hashable(k):
    return tuple(_hashable(x) for x in k) if isinstance(k, list) else k


# ---- graphs --------------------------------------------------------------------------------------------------

def encode_graph(graph, arrays: dict, prefix: str, variable_ids: dict, where: str, sources: bool = False) -> dict:
    """A FuncGraph as data. `variable_ids` maps id(variable) to its object-graph node id; `sources` keeps
    each node's user source line (file paths of the exporting machine, so only on request)."""
    index, op_index = {}, {}
    captured = {id(i): e for e, i in graph.captures}
    n_args = len(graph.inputs) - len(graph.captures)
    arg_pos = {id(t): i for i, t in enumerate(graph.inputs[:n_args])}
    nodes = []
    for k, op in enumerate(graph.get_operations()):
        op_index[id(op)] = k
        for j, o in enumerate(op.outputs):
            index[id(o)] = [k, j]
        node = {"name": op.name, "op": op.type, "in": [index[id(t)] for t in op.inputs],
                "ctrl": [op_index[id(c)] for c in op.control_inputs],
                "out": [[o.dtype.name, _shape_data(o.shape.as_tuple())] for o in op.outputs],
                "src": list(op.source) if op.source and sources else None}
        if op.type == "Placeholder":
            node["role"] = _placeholder_role(op, captured, arg_pos, arrays, prefix, variable_ids, where)
        try:
            node["attrs"] = {k2: _encode_attr(v, arrays, f"{prefix}/{k}", variable_ids, where, sources)
                             for k2, v in op.attrs.items()}
        except TypeError as e:
            raise ValueError(f"Cannot export {where}: node {op.name} ({op.type}) has an attribute that is not data: "
                             f"{e}. Such ops cannot be saved in a SavedModel.") from None
        nodes.append(node)
    return {"name": getattr(graph, "name", "graph"), "class": type(graph).__name__, "nodes": nodes,
            "inputs": [index[id(t)] for t in graph.inputs], "outputs": [index[id(t)] for t in graph.outputs],
            "n_args": getattr(graph, "n_args", n_args)}


def _encode_attr(v, arrays, prefix, variable_ids, where, sources):
    if isinstance(v, FuncGraph):
        return {"graph": encode_graph(v, arrays, f"{prefix}/g", variable_ids, where, sources)}
    return encode_value(v, arrays, prefix)


def _placeholder_role(op, captured, arg_pos, arrays, prefix, variable_ids, where) -> list:
    t = op.outputs[0]
    if id(t) in arg_pos:
        return ["arg", arg_pos[id(t)]]
    external = captured.get(id(t))
    if is_variable(external):
        nid = variable_ids.get(id(external))
        if nid is None:
            raise ValueError(f"Cannot export {where}: it uses the variable {external.name!r} "
                             f"(shape {external.shape}, {external.dtype.name}), which is not reachable from the "
                             "exported object. Assign it to an attribute of the object (or one of its submodules) "
                             "so it is saved with it.")
        return ["variable", nid]
    if isinstance(external, EagerTensor):
        key = f"{prefix}/capture{len(arrays)}"
        arrays[key] = (external.dtype, external._value)
        return ["constant", key]
    return ["input"]  # a sub-graph's explicit input standing for an enclosing graph's value


# ---- decoding graphs -----------------------------------------------------------------------------------------

def _primitive(name: str, where: str):
    prim = GRAPH_ONLY.get(name) or REGISTRY.get(name)
    if prim is None:
        raise FormatError(f"{where} uses op type {name!r}, which this eagerflow does not define (the file was "
                          "written by a newer eagerflow, or by code that registered its own primitive: import that "
                          "module before loading)")
    return prim


def _decode_attrs(attrs, arrays, variables, where):
    out = {}
    for key, v in attrs.items():
        if not (isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key)):
            raise FormatError(f"{where}: invalid attribute name {key!r}")
        if isinstance(v, dict) and set(v) == {"graph"}:
            out[key] = decode_graph(v["graph"], arrays, variables, f"{where}/{key}")
        else:
            out[key] = decode_value(v, arrays)
    return out


def decode_graph(data: dict, arrays: dict, variables: list, where: str) -> FuncGraph:
    """Rebuilds a graph encoded by `encode_graph`; `variables[node id]` gives the live variables."""
    try:
        return _decode_graph(data, arrays, variables, where)
    except FormatError:
        raise
    except Exception as e:  # noqa: BLE001 - any inconsistency in the stored data
        raise FormatError(f"{where}: malformed graph ({type(e).__name__}: {e})") from None


def _decode_graph(data, arrays, variables, where) -> FuncGraph:
    cls = SubGraph if data.get("class") == "SubGraph" else FuncGraph
    g = cls(str(data["name"]))
    outs: list = []
    ops: list = []
    n_args = int(data["n_args"])
    args: dict = {}
    for k, node in enumerate(data["nodes"]):
        here = f"{where}, node {node.get('name')!r}"
        prim = _primitive(node["op"], here)
        if prim is placeholder_p:
            t = _decode_placeholder(g, node, arrays, variables, args, here)
        else:
            inputs = [outs[i][j] for i, j in node["in"]]
            attrs = _decode_attrs(node["attrs"], arrays, variables, here)
            dtypes = [_dt.as_dtype(d) for d, _ in node["out"]]
            shapes = [None if s is None else tuple(s) for _, s in node["out"]]
            ctrl = [ops[i] for i in node["ctrl"]]
            src = tuple(node["src"]) if node.get("src") else (f"<saved model: {where}>", 0, g.name)
            if prim is const_p and attrs["value"].dtype != attrs["dtype"]._np:
                raise FormatError(f"{here}: constant of dtype {attrs['dtype'].name} holds {attrs['value'].dtype} data")
            op = g.add_op(prim, inputs, attrs, dtypes, shapes, name=str(node["name"]), control_inputs=ctrl,
                          source=src, scoped=False)
            outs.append(op.outputs)
            ops.append(op)
            continue
        outs.append((t,))
        ops.append(t.op)
    if sorted(args) != list(range(len(args))):
        raise FormatError(f"{where}: argument placeholders are not numbered 0..n-1")
    if cls is SubGraph:
        g.n_args = n_args
    g.inputs[:0] = [args[i] for i in range(len(args))]
    stored_inputs = [outs[i][j] for i, j in data["inputs"]]
    if [id(t) for t in stored_inputs] != [id(t) for t in g.inputs]:
        raise FormatError(f"{where}: the stored input list does not match the placeholders")
    g.outputs = [outs[i][j] for i, j in data["outputs"]]
    try:
        g.lint()  # replays every node's dtype/shape rule against what the file says
    except LintError as e:
        raise FormatError(f"{where}: the stored graph is inconsistent: {e}") from None
    return g


def _decode_placeholder(g, node, arrays, variables, args, where) -> SymbolicTensor:
    role = node["role"]
    (dtype, shape), = node["out"]
    dtype = _dt.as_dtype(dtype)
    name = str(node["name"])
    if role[0] == "arg" or role[0] == "input":
        t = g.placeholder(dtype, shape, name=name)
        if role[0] == "arg":
            args[int(role[1])] = t
        else:
            g.inputs.append(t)
        return t
    if role[0] == "variable":
        var = variables[int(role[1])]
        if not is_variable(var):
            raise FormatError(f"{where}: captures object {role[1]}, which is not a variable")
        return g.capture_variable(var)
    if role[0] == "constant":
        value = _decode_array(role[1], arrays)
        if value.dtype != dtype._np:
            raise FormatError(f"{where}: captured constant of dtype {dtype.name} holds {value.dtype} data")
        return g.capture(EagerTensor._make(value, dtype))
    raise FormatError(f"{where}: unknown placeholder role {role!r}")
