"""Keras 3's weight files: which object's variables go where, and the two containers that hold them.

Keras 3 addresses weights by the *object structure* of a model, not by layer names:

- a Sequential or functional model first visits `layers` (its layer list), then every other
  attribute in sorted order that a bare `Layer` does not have (`optimizer`, a subclassed model's
  `self.encoder`, `self.blocks`, ...); plain layers and optimizers likewise;
- a layer inside a list or dict is named after its class, snake_case, numbered within that
  container (`layers/dense`, `layers/dense_1`, `blocks/conv2d`);
- each visited layer stores its own variables (trainable, then non-trainable, in creation order)
  as `<path>/vars/0`, `<path>/vars/1`, ...; the optimizer stores `optimizer.variables`; the group
  `<path>/vars` carries the object's name as an attribute.

`.weights.h5` files use this layout in HDF5 (through h5py, the `h5` extra), exactly as TF 2.21's
Keras writes and reads it; other paths use eagerflow's archive format with the same keys.

>>> import os, tempfile
>>> import eagerflow as tf
>>> model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
>>> sorted(path for path, _ in walk(model))
['', 'layers/dense']
"""
from __future__ import annotations

import io
import os
import zipfile

import numpy as np

from .. import io_format
from ..context import logger
from .base_optimizer import Optimizer
from .layers.base import Layer, to_snake_case
from .losses import Loss
from .metrics_base import Metric

try:  # optional: `pip install eagerflow[h5]`
    import h5py
except ImportError:  # pragma: no cover - depends on the environment
    h5py = None

__all__ = ["walk", "collect", "apply", "write_h5", "read_h5", "write_native", "read_native", "require_h5py",
           "NATIVE_KIND"]

NATIVE_KIND = "eagerflow.keras_weights"
_SEQUENTIAL_SKIP = ("_functional", "_input_layer", "_graph", "_graph_layers")
_FUNCTIONAL_SKIP = ("operations", "_operations", "_graph", "_graph_layers")
_MODEL_SKIP = ("_compile_config",)  # holds the compile() arguments (Keras keeps them unwalkable too)


def require_h5py(what: str):
    if h5py is None:
        raise ImportError(f"{what} needs h5py, which is not installed. Install it with `pip install eagerflow[h5]` "
                          "(or `pip install h5py`), or use a path not ending in `.h5` for eagerflow's own "
                          "dependency-free format.")
    return h5py


# ---- the object walk ----------------------------------------------------------------------------------------

def _is_keras_trackable(obj) -> bool:
    return isinstance(obj, (Layer, Optimizer, Metric, Loss))


def _kind(obj) -> str:
    names = {c.__name__ for c in type(obj).__mro__ if c.__module__.startswith("eagerflow.keras")}
    if "Sequential" in names:
        return "Sequential"
    if "Model" in names and getattr(obj, "_graph", None) is not None:
        return "Functional"
    return "Optimizer" if isinstance(obj, Optimizer) else "Layer"


class _SkipSets:
    """Per kind, the attributes a bare instance of the base class has (they are not walked)."""

    def __init__(self):
        self._cache = {}

    def get(self, kind: str) -> frozenset:
        if kind not in self._cache:
            if kind == "Optimizer":
                names = set(dir(Optimizer(1.0, name="skipset_probe"))) - {"variables"}
            else:
                names = set(dir(Layer(name="skipset_probe"))) | set(_MODEL_SKIP)
                names |= set(_SEQUENTIAL_SKIP if kind == "Sequential" else _FUNCTIONAL_SKIP if kind == "Functional"
                             else ())
            self._cache[kind] = frozenset(names)
        return self._cache[kind]


def _children(obj, kind: str, skip: frozenset):
    if kind in ("Sequential", "Functional"):
        yield "layers", obj.layers
    for attr in sorted(dir(obj)):
        if attr.startswith("__") or attr in skip:
            continue
        try:
            child = getattr(obj, attr)
        except Exception:  # noqa: BLE001 - properties that do not apply to this object (as Keras)
            continue
        yield attr, child


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def walk(model) -> list:
    """[(path, object)] for every layer and optimizer whose variables a weight file holds, in Keras's order."""
    out, visited, skipsets = [], set(), _SkipSets()

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        out.append((path, obj))
        kind = _kind(obj)
        for attr, child in _children(obj, kind, skipsets.get(kind)):
            if isinstance(child, (Layer, Optimizer)):
                visit(child, _join(path, attr))
            elif isinstance(child, (list, tuple, dict, set)):
                container(child, _join(path, attr))

    def container(items, path):
        used = {}
        for item in (items.values() if isinstance(items, dict) else items):
            if not _is_keras_trackable(item):
                continue
            name = to_snake_case(type(item).__name__)
            if name in used:
                used[name] += 1
                name = f"{name}_{used[name]}"
            else:
                used[name] = 0
            if isinstance(item, (Layer, Optimizer)):
                visit(item, _join(path, name))
    visit(model, "")
    return out


def own_variables(obj) -> list:
    """The variables `obj` itself stores (not its sublayers'), in Keras's order."""
    if isinstance(obj, Optimizer):
        return list(obj.variables)
    return list(obj._trainable_variables) + list(obj._non_trainable_variables)


def collect(model) -> dict:
    """`{path: (object name, [arrays])}`: what a weight file for `model` holds."""
    groups = {}
    for path, obj in walk(model):
        arrays = [np.asarray(v.numpy()) for v in own_variables(obj)]
        groups[path] = (getattr(obj, "name", type(obj).__name__), arrays)
    return groups


# ---- loading: check everything, then assign ------------------------------------------------------------------

def _shape(x) -> tuple:
    return tuple(np.shape(x))


def _layer_problem(obj, path, variables, arrays) -> str | None:
    kind = "Optimizer" if isinstance(obj, Optimizer) else "Layer"
    label = f"{kind} '{obj.name}'" + (f" (weights at '{path}')" if path else "")
    if len(arrays) != len(variables):
        if not variables and not getattr(obj, "built", True):
            return (f"{label} was never built and thus it doesn't have any variables. However the weights file "
                    f"lists {len(arrays)} variables for this layer. Build the model (call it on data, or give it an "
                    "Input) before loading weights.")
        return (f"{label} expected {len(variables)} variables, but received {len(arrays)} variables during loading. "
                f"Expected: {[v.name for v in variables]}")
    for v, a in zip(variables, arrays):
        if tuple(v.shape.as_list()) != _shape(a):
            return (f"{label}: the shape of variable '{v.name}' is {tuple(v.shape.as_list())} but the weights file "
                    f"holds shape {_shape(a)}.")
    return None


def plan(model, groups: dict, source: str, skip_mismatch: bool = False) -> list:
    """[(variable, array)] to assign; raises ValueError (naming layers and shapes) on any mismatch."""
    assignments, problems, used = [], [], set()
    for path, obj in walk(model):
        variables = own_variables(obj)
        arrays = groups.get(path, ("", []))[1]
        used.add(path)
        if isinstance(obj, Optimizer) and len(arrays) != len(variables):
            if arrays:  # an optimizer not built yet (or built differently): Keras skips it with this warning
                logger.warning("Skipping variable loading for optimizer '%s', because it has %d variables whereas "
                               "the saved optimizer has %d variables.", obj.name, len(variables), len(arrays))
            continue
        problem = _layer_problem(obj, path, variables, arrays)
        if problem is None:
            assignments.extend(zip(variables, arrays))
        elif skip_mismatch:
            logger.warning("Skipping loading weights for %s: %s", path or "the model", problem)
        else:
            problems.append(problem)
    # Optimizer state for a model without (that) optimizer is ignored, as Keras does.
    unused = [p for p, (_, arrays) in groups.items()
              if arrays and p not in used and p != "optimizer" and not p.endswith("/optimizer")]
    if unused and not skip_mismatch:
        shown = ", ".join(f"'{p}' ({groups[p][0]}, {len(groups[p][1])} variables)" for p in unused[:5])
        problems.append(f"The weights file has weights for {len(unused)} objects the model does not have: {shown}. "
                        "It was saved from a different architecture.")
    if problems:
        detail = "\n".join(f"- {p}" for p in problems)
        raise ValueError(f"Cannot load weights from {source} into model '{model.name}':\n{detail}")
    return assignments


def apply(assignments: list) -> None:
    for v, a in assignments:
        v.assign(np.asarray(a, dtype=v.dtype.as_numpy_dtype))


# ---- containers ----------------------------------------------------------------------------------------------

def write_h5(target, groups: dict) -> None:
    """Writes `groups` in Keras 3's HDF5 layout to a path or a binary file object."""
    h5 = require_h5py("Writing a `.weights.h5` file")
    with h5.File(target, "w") as f:
        for path, (name, arrays) in groups.items():
            group = f.require_group(_join(path, "vars"))
            group.attrs["name"] = str(name)
            for i, a in enumerate(arrays):
                group.create_dataset(str(i), data=a)


def read_h5(source, label: str) -> dict:
    """`{path: (name, [arrays])}` from a Keras 3 `.weights.h5` (path or file object)."""
    h5 = require_h5py("Reading a `.weights.h5` file")
    try:
        f = h5.File(source, "r")
    except OSError as e:
        raise ValueError(f"Unable to read the weights file {label}: it is not a readable HDF5 file ({e}).") from None
    groups = {}
    with f:
        found = []
        f.visititems(lambda name, obj: found.append(name) if name == "vars" or name.endswith("/vars") else None)
        for name in found:
            group = f[name]
            if not isinstance(group, h5.Group):
                continue
            keys = sorted((k for k in group.keys() if k.isdigit()), key=int)
            if [int(k) for k in keys] != list(range(len(keys))):
                raise ValueError(f"Unable to read the weights file {label}: group '{name}' has variables "
                                 f"{list(group.keys())}, not 0..n-1.")
            path = name[:-len("/vars")] if name.endswith("/vars") else ""
            label_name = group.attrs.get("name", path)
            groups[path] = (label_name.decode() if isinstance(label_name, bytes) else str(label_name),
                            [np.asarray(group[k][()]) for k in keys])
    return groups


def _native_content(groups: dict) -> tuple:
    arrays = {}
    meta = {"groups": {}}
    for p, (name, values) in groups.items():
        meta["groups"][p] = {"name": str(name), "count": len(values)}
        for i, a in enumerate(values):
            arrays[f"{_join(p, 'vars')}/{i}"] = a
    return meta, arrays


def write_native(path: str, groups: dict) -> None:
    io_format.write_archive(path, NATIVE_KIND, *_native_content(groups))


def native_bytes(groups: dict) -> bytes:
    return io_format.archive_bytes(NATIVE_KIND, *_native_content(groups))


def read_native(path: str) -> dict:
    return _groups_of(io_format.read_archive(path, NATIVE_KIND), path)


def _groups_of(archive, path: str) -> dict:
    try:
        groups = {}
        for p, info in archive.meta["groups"].items():
            groups[p] = (str(info["name"]), [archive.arrays[f"{_join(p, 'vars')}/{i}"] for i in range(info["count"])])
    except (KeyError, TypeError) as e:
        raise io_format.DataLossError(None, None, f"Unable to read {path!r}: its weight table is malformed "
                                      f"({e})") from None
    return groups


def read_any(path: str) -> dict:
    """The weight groups of a `.weights.h5`, eagerflow weights file or `.keras` archive (by content)."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"No weights file found at {path!r}.")
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return read_h5(path, repr(path))
    if head.startswith(io_format.MAGIC):
        return read_native(path)
    if head.startswith(b"PK\x03\x04"):
        return read_keras_archive_weights(path)
    raise ValueError(f"Unable to read the weights file {path!r}: it is {io_format.describe_foreign(head)}, neither "
                     "a Keras `.weights.h5`/`.keras` file nor an eagerflow weights file.")


def read_keras_archive_weights(path: str) -> dict:
    """The weights inside a `.keras` zip archive."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "model.weights.h5" in names:
                return read_h5(io.BytesIO(z.read("model.weights.h5")), f"{path!r} (model.weights.h5)")
            if "model.weights.eagerflow" in names:
                return _read_native_bytes(z.read("model.weights.eagerflow"), path)
    except zipfile.BadZipFile as e:
        raise ValueError(f"Unable to read {path!r}: it is not a valid `.keras` zip archive ({e}).") from None
    raise ValueError(f"Unable to read {path!r}: the `.keras` archive holds no model weights.")


def _read_native_bytes(data: bytes, path: str) -> dict:
    label = f"{path} (model.weights.eagerflow)"
    return _groups_of(io_format.parse_archive(data, label, NATIVE_KIND), label)
