"""`tf.saved_model.save`: an object's variables and traced functions, as data, in one file.

The export directory holds `saved_model.eagerflow`, an eagerflow archive with

- the object graph of the exported object (the same as a checkpoint's: modules, containers and
  variables, with each variable's value, name and trainable flag);
- every traced function found on those objects (`tf.function` attributes and methods, with all
  the signatures they were traced for; a function with an `input_signature` is traced now), as
  graphs: op type names, attributes, inputs, dtypes and shapes, constants as arrays;
- the serving signatures: functions of keyword arguments returning a dict of tensors.

No Python source or bytecode is stored; `tf.saved_model.load` rebuilds everything from the data.

>>> import os, tempfile
>>> import eagerflow as tf
>>> class Scale(tf.Module):
...     def __init__(self):
...         super().__init__()
...         self.w = tf.Variable(2.0)
...     @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
...     def __call__(self, x):
...         return x * self.w
>>> path = os.path.join(tempfile.mkdtemp(), "scale")
>>> tf.saved_model.save(Scale(), path)
>>> tf.saved_model.load(path)(tf.constant([1.0, 2.0])).numpy()
array([2., 4.], dtype=float32)
"""
from __future__ import annotations

import inspect
import os

from .. import io_format, nest
from ..context import init_scope
from ..function import Function
from ..graph.concrete import ConcreteFunction
from ..graph.ir import SymbolicTensor
from ..graph.trace import is_variable, trace_function
from ..module import Module
from ..tensor_spec import TensorSpec
from ..train import trackable
from . import codec
from .restored import RestoredFunction

__all__ = ["save", "SaveOptions", "FILENAME", "KIND", "VERSION"]

FILENAME = "saved_model.eagerflow"
KIND = "eagerflow.saved_model"
VERSION = 1
DEFAULT_SIGNATURE = "serving_default"


class SaveOptions:
    """Accepted for TF compatibility (eagerflow has no devices or namespaces to configure)."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None,
                 experimental_debug_stripper=False, experimental_io_device=None, experimental_variable_policy=None,
                 experimental_custom_gradients=True, experimental_image_format=False,
                 experimental_skip_saver=False, experimental_sharding_callback=None, extra_tags=None):
        self.function_aliases = dict(function_aliases or {})
        self.save_debug_info = bool(save_debug_info)


# ---- what gets saved ---------------------------------------------------------------------------------------

def functions_of(obj) -> dict:
    """`{attribute: Function / ConcreteFunction}` defined on `obj` (methods and instance attributes)."""
    out = {}
    if isinstance(obj, (list, tuple, dict)) or is_variable(obj):
        return out
    for name in sorted(dir(type(obj))):
        try:
            static = inspect.getattr_static(type(obj), name)
        except AttributeError:
            continue
        if isinstance(static, Function):
            out[name] = getattr(obj, name)
    for name, value in sorted(getattr(obj, "__dict__", {}).items()):
        if isinstance(value, (Function, ConcreteFunction, RestoredFunction)):
            out[name] = value
    return out


def concretes_of(fn) -> list:
    """The ConcreteFunctions to export for a Function (tracing its input_signature if needed)."""
    if isinstance(fn, ConcreteFunction):
        return [fn]
    if isinstance(fn, RestoredFunction):
        return list(fn.concrete_functions)
    if fn.input_signature is not None:
        fn.get_concrete_function()
    return list(fn._concretes)


def _signature_of(fn):
    """The Python signature calls are bound with (None for a bare ConcreteFunction)."""
    if isinstance(fn, Function):
        return fn._signature
    if isinstance(fn, ConcreteFunction):
        return getattr(fn, "_python_signature", None)
    return None


# ---- signatures ----------------------------------------------------------------------------------------------

def _as_concrete(fn, name: str) -> ConcreteFunction:
    if isinstance(fn, ConcreteFunction):
        return fn
    if isinstance(fn, Function):
        if fn.input_signature is None:
            raise ValueError(f"Signature {name!r}: tf.function {fn.function_name!r} has no input_signature. Pass "
                             "fn.get_concrete_function(tf.TensorSpec(...)) or decorate it with an input_signature.")
        return fn.get_concrete_function()
    raise ValueError(f"Signature {name!r} must be a tf.function with an input_signature or a ConcreteFunction, "
                     f"got {fn!r}")


def _output_dict(result, name: str) -> dict:
    if isinstance(result, dict):
        if not all(isinstance(k, str) for k in result):
            raise ValueError(f"Signature {name!r}: output dict keys must be strings, got {list(result)}")
        return dict(result)
    flat = nest.flatten(result)
    return {f"output_{i}": t for i, t in enumerate(flat) if t is not None}


def signature_function(fn, name: str) -> ConcreteFunction:
    """A keyword-argument function returning a dict of tensors, wrapping `fn` (TF's signature form)."""
    cf = _as_concrete(fn, name)
    n_args = len(cf.graph.inputs) - len(cf.graph.captures)
    placeholders = cf.graph.inputs[:n_args]
    names = [p.op.name for p in placeholders]
    specs = {n: TensorSpec(p.shape, p.dtype, n) for n, p in zip(names, placeholders)}

    def body(**kwargs):
        return _output_dict(cf._call_flat([kwargs[n] for n in names]), name)
    with init_scope():
        graph = trace_function(body, name, (), specs, ())
    wrapped = ConcreteFunction(graph)
    wrapped._python_signature = inspect.Signature(
        [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in names])
    return wrapped


def _default_function(root):
    """The function a Keras model serves (`_default_save_signature`), or None."""
    default = getattr(root, "_default_save_signature", None)
    return default() if callable(default) else None


def _signatures(root, signatures, default) -> dict:
    if signatures is None:
        if default is not None:
            return {DEFAULT_SIGNATURE: signature_function(default, DEFAULT_SIGNATURE)}
        found = [f for f in functions_of(root).values() if isinstance(f, Function) and f.input_signature is not None]
        return {DEFAULT_SIGNATURE: signature_function(found[0], DEFAULT_SIGNATURE)} if len(found) == 1 else {}
    if not isinstance(signatures, dict):
        signatures = {DEFAULT_SIGNATURE: signatures}
    return {str(k): signature_function(v, str(k)) for k, v in signatures.items()}


# ---- encoding ------------------------------------------------------------------------------------------------

def _encode_python_signature(sig) -> list | None:
    if sig is None:
        return None
    out = []
    for p in sig.parameters.values():
        entry = [p.name, int(p.kind)]
        if p.default is not inspect.Parameter.empty:
            arrays = {}
            try:
                encoded = codec.encode_value(p.default, arrays, "default")
            except TypeError:
                encoded = arrays = None
            if not arrays and arrays is not None:  # defaults that are not plain data make the argument required
                entry.append(encoded)
        out.append(entry)
    return out


def _encode_concrete(cf: ConcreteFunction, sig, arrays: dict, prefix: str, var_ids: dict, where: str,
                     sources: bool) -> dict:
    graph = cf.graph
    out_pos = {}
    for k, t in enumerate(graph.outputs):
        out_pos.setdefault(id(t), k)

    def refs(v):
        if isinstance(v, SymbolicTensor):
            return {"out": out_pos[id(v)]}
        if is_variable(v):
            nid = var_ids.get(id(v))
            if nid is None:
                raise TypeError(f"variable {v.name!r} (an argument it was traced with) is not part of the object")
            return {"var": nid}
        return None
    try:
        inputs = codec.encode_value(graph.structured_input_signature or ((), {}), arrays, prefix, refs)
        outputs = codec.encode_value(graph.structured_outputs, arrays, prefix, refs)
    except TypeError as e:
        raise ValueError(f"Cannot export {where}: {e}") from None
    return {"graph": codec.encode_graph(graph, arrays, prefix, var_ids, where, sources), "inputs": inputs,
            "outputs": outputs, "signature": _encode_python_signature(sig)}


def _collect(objects, var_ids, arrays, root_extra: dict, sources: bool) -> tuple:
    """(per-node function tables, function records, concrete records) for the objects' functions."""
    tables, functions, concretes, seen = [], [], [], {}
    for nid, obj in enumerate(objects):
        table = {}
        found = functions_of(obj)
        if nid == 0:
            found = {**root_extra, **found}
        for attr, fn in found.items():
            indices = []
            for cf in concretes_of(fn):
                if id(cf) not in seen:
                    where = f"function {attr!r} of {type(obj).__name__} ({cf.name})"
                    seen[id(cf)] = len(concretes)
                    concretes.append(_encode_concrete(cf, _signature_of(fn), arrays, f"c{len(concretes)}",
                                                      var_ids, where, sources))
                indices.append(seen[id(cf)])
            table[attr] = len(functions)
            functions.append({"name": attr, "concretes": indices})
        tables.append(table)
    return tables, functions, concretes


def save(obj, export_dir, signatures=None, options=None) -> None:
    """Exports `obj` (a tf.Module, Keras model or other trackable) to the directory `export_dir`.

    `signatures`: a tf.function with an input_signature, a ConcreteFunction, or a dict of them by
    name; without it a Keras model exports its call (also as `serve` and `__call__`, so the loaded
    object is callable), and a module with exactly one tf.function that has an input_signature
    exports that one as `serving_default`.
    """
    if not isinstance(obj, Module) and not hasattr(type(obj), "_trackable_children"):
        raise ValueError(f"Expected an object of type `Trackable`, such as `tf.Module` or a subclass of the "
                         f"`Trackable` class, for export. Got {obj!r} with type {type(obj)}.")
    export_dir = os.fspath(export_dir)
    default = _default_function(obj)
    sigs = _signatures(obj, signatures, default)
    nodes, objects = trackable.object_graph(obj)
    var_ids = {id(o): i for i, o in enumerate(objects) if is_variable(o)}
    arrays = {}
    for node, o in zip(nodes, objects):
        if node["key"] is not None:
            arrays[node["key"]] = (o.dtype, o._tensor._value)
            node["variable"] = {"name": o.name.split(":")[0], "trainable": bool(o.trainable)}
        elif isinstance(o, Module):
            node["module_name"] = o.name
    extra = {"serve": default, "__call__": default} if default is not None else {}
    sources = bool(getattr(options, "save_debug_info", False))
    tables, functions, concretes = _collect(objects, var_ids, arrays, extra, sources)
    for node, table in zip(nodes, tables):
        node["functions"] = table
    sig_table = {}
    for name, cf in sigs.items():
        sig_table[name] = len(concretes)
        concretes.append(_encode_concrete(cf, cf._python_signature, arrays, f"s{len(concretes)}", var_ids,
                                          f"signature {name!r}", sources))
    meta = {"version": VERSION, "nodes": nodes, "functions": functions, "concretes": concretes,
            "signatures": sig_table}
    if os.path.exists(export_dir) and not os.path.isdir(export_dir):
        raise ValueError(f"Cannot save a SavedModel to {export_dir!r}: it exists and is not a directory.")
    os.makedirs(export_dir, exist_ok=True)
    io_format.write_archive(os.path.join(export_dir, FILENAME), KIND, meta, arrays)
