"""`tf.saved_model.load`: rebuild an exported object from data alone.

Variables are recreated with their saved values, modules as plain user objects carrying the saved
attributes, and every traced function from its stored graph, bound to the recreated variables.
Nothing from the file is executed as code: op types are looked up among the primitives this
process has registered, attributes are plain values, and every node's dtype/shape rule is
re-checked, so a damaged file raises an error naming it.

>>> import os, tempfile
>>> import eagerflow as tf
>>> m = tf.Module()
>>> m.v = tf.Variable([1.0, 2.0])
>>> m.double = tf.function(lambda: m.v * 2.0)
>>> _ = m.double()
>>> path = os.path.join(tempfile.mkdtemp(), "m")
>>> tf.saved_model.save(m, path)
>>> loaded = tf.saved_model.load(path)
>>> loaded.double().numpy(), [v.numpy().tolist() for v in loaded.variables]
(array([2., 4.], dtype=float32), [[1.0, 2.0]])
"""
from __future__ import annotations

import inspect
import os

from .. import io_format
from ..errors import DataLossError
from ..graph.concrete import ConcreteFunction
from ..variables import Variable
from . import codec
from .restored import RestoredFunction, SignatureMap, UserObject, make_binder
from .save import FILENAME, KIND, VERSION

__all__ = ["load", "LoadOptions"]

_KINDS = {int(k): k for k in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                               inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.KEYWORD_ONLY,
                               inspect.Parameter.VAR_KEYWORD)}


class LoadOptions:
    """Accepted for TF compatibility (no options apply)."""

    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None,
                 experimental_skip_checkpoint=False, experimental_variable_policy=None,
                 experimental_load_function_aliases=False):
        self.experimental_skip_checkpoint = experimental_skip_checkpoint


def _read(export_dir: str) -> io_format.Archive:
    path = os.path.join(export_dir, FILENAME)
    if not os.path.exists(path):
        if any(os.path.exists(os.path.join(export_dir, f)) for f in ("saved_model.pb", "saved_model.pbtxt")):
            raise ValueError(f"{export_dir} holds a SavedModel written by TensorFlow (saved_model.pb). eagerflow "
                             "loads only SavedModels written by eagerflow's tf.saved_model.save (TensorFlow's "
                             "protobuf graphs are not supported); export the weights with Keras "
                             "(model.save('m.keras') / save_weights('w.weights.h5')) to move a model across.")
        raise OSError(f"SavedModel file does not exist at: {export_dir}{os.sep}{{{FILENAME}}}")
    archive = io_format.read_archive(path)
    if archive.kind != KIND:
        raise DataLossError(None, None, f"Unable to read {path!r}: it holds a {archive.kind!r}, not a SavedModel")
    meta = archive.meta
    if not isinstance(meta, dict) or not isinstance(meta.get("version"), int):
        raise DataLossError(None, None, f"Unable to read {path!r}: its metadata is malformed")
    if meta["version"] > VERSION:
        raise DataLossError(None, None, f"Unable to read {path!r}: it was written by a newer eagerflow (SavedModel "
                            f"version {meta['version']}, this one reads up to {VERSION})")
    return archive


# ---- objects ----------------------------------------------------------------------------------------------

def _make_variable(node, archive):
    info = node.get("variable") or {}
    key = node["key"]
    value, dtype = archive.arrays[key], archive.dtypes[key]
    name = info.get("name") or "Variable"
    return Variable(value if value.ndim else value[()], trainable=bool(info.get("trainable", True)), dtype=dtype,
                    name=name.split("/")[-1])


def _build_objects(nodes, archive) -> list:
    """One live object per node: variables, user objects and containers, with their edges set."""
    objects: list = [None] * len(nodes)
    for i, node in enumerate(nodes):
        cls = node.get("class")
        if node.get("key") is not None:
            objects[i] = _make_variable(node, archive)
        elif cls in ("list", "ListWrapper"):
            objects[i] = []
        elif cls in ("dict", "_DictWrapper"):
            objects[i] = {}
        elif cls != "tuple":
            objects[i] = UserObject(str(node.get("module_name") or "user_object"))
    for i, node in enumerate(nodes):
        if node.get("class") == "tuple":
            _build_tuple(i, nodes, objects, set())
    for i, node in enumerate(nodes):
        obj = objects[i]
        if isinstance(obj, list):
            obj.extend(objects[cid] for _, cid in sorted(node["children"], key=lambda e: int(e[0])))
        elif isinstance(obj, dict):
            obj.update((name, objects[cid]) for name, cid in node["children"])
        elif isinstance(obj, UserObject):
            for name, cid in node["children"]:
                setattr(obj, name, objects[cid])
    return objects


def _build_tuple(i, nodes, objects, visiting):
    if objects[i] is not None:
        return objects[i]
    if i in visiting:
        raise ValueError("a tuple contains itself")
    visiting.add(i)
    items = []
    for _, cid in sorted(nodes[i]["children"], key=lambda e: int(e[0])):
        items.append(_build_tuple(cid, nodes, objects, visiting) if nodes[cid].get("class") == "tuple"
                     else objects[cid])
    objects[i] = tuple(items)
    return objects[i]


# ---- functions ---------------------------------------------------------------------------------------------

def _decode_signature(data):
    if data is None:
        return None
    params = []
    for entry in data:
        name, kind = str(entry[0]), _KINDS[int(entry[1])]
        if len(entry) > 2:
            params.append(inspect.Parameter(name, kind, default=codec.decode_value(entry[2], {})))
        else:
            params.append(inspect.Parameter(name, kind))
    return inspect.Signature(params)


def _build_concrete(record, archive, objects, where) -> ConcreteFunction:
    graph = codec.decode_graph(record["graph"], archive.arrays, objects, where)

    def refs(tag, payload):
        if tag == "out":
            return graph.outputs[int(payload)]
        if tag == "var":
            return objects[int(payload)]
        raise codec.FormatError(f"unknown value tag {tag!r}")
    sig_args, sig_kwargs = codec.decode_value(record["inputs"], archive.arrays, refs)
    graph.structured_input_signature = (tuple(sig_args), dict(sig_kwargs))
    graph.structured_outputs = codec.decode_value(record["outputs"], archive.arrays, refs)
    signature = _decode_signature(record.get("signature"))
    binder = make_binder(signature, tuple(sig_args), dict(sig_kwargs), name=str(record["graph"].get("name", "f")))
    params = [(p.name, p.kind.name) for p in signature.parameters.values()] if signature is not None else None
    return ConcreteFunction(graph, binder=binder, params=params)


def load(export_dir, tags=None, options=None):
    """Loads a SavedModel written by `tf.saved_model.save` from the directory `export_dir`.

    Returns an object with the saved attributes: variables, submodules, restored tf.functions
    (called like the originals, for the signatures they were traced with) and `signatures`.
    """
    export_dir = os.fspath(export_dir)
    archive = _read(export_dir)
    path = archive.path
    try:
        meta = archive.meta
        nodes = meta["nodes"]
        objects = _build_objects(nodes, archive)
        concretes = [_build_concrete(rec, archive, objects, f"{path}: function {i}")
                     for i, rec in enumerate(meta["concretes"])]
        functions = [RestoredFunction(str(f["name"]), [concretes[int(c)] for c in f["concretes"]])
                     for f in meta["functions"]]
        for node, obj in zip(nodes, objects):
            for attr, index in (node.get("functions") or {}).items():
                if isinstance(obj, UserObject):
                    setattr(obj, attr, functions[int(index)])
        root = objects[0]
        if isinstance(root, UserObject):
            root.signatures = SignatureMap({str(k): concretes[int(v)] for k, v in meta["signatures"].items()})
    except codec.FormatError as e:
        raise DataLossError(None, None, f"Unable to load the SavedModel {path!r}: {e}") from None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as e:
        raise DataLossError(None, None, f"Unable to load the SavedModel {path!r}: its metadata is malformed "
                            f"({type(e).__name__}: {e})") from None
    return root

