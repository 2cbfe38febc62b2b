"""The object graph a checkpoint saves: which objects depend on which, under what names.

An object is *trackable* when it is a `tf.Variable` (a leaf holding a value), a `tf.Module` or a
`tf.train.Checkpoint` (their attributes are their dependencies), a Python list, tuple or dict
holding trackables (its indices or keys are the names), or any object with a
`_trackable_children()` method returning `{name: child}` (Keras optimizers and layers use it to
name their state).

Saving walks the graph breadth first from the root; every object is one node, reached through
its first (shortest) path, which also names the checkpoint key of a variable:
`model/layers/0/kernel/.ATTRIBUTES/VARIABLE_VALUE`. Restoring matches the saved graph against the
live objects edge by edge from the root, so renaming a Python variable (`tf.Variable(name=...)`)
never matters, only the attribute structure does.
"""
from __future__ import annotations

from ..module import Module
from ..variables import Variable

__all__ = ["children", "lookup", "is_trackable", "object_graph", "escape", "MISSING", "VALUE_SUFFIX"]

VALUE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
MISSING = object()
_CONTAINERS = (list, tuple, dict)


def escape(name: str) -> str:
    """A dependency name made safe for a `/`-separated key (`.` -> `..`, `/` -> `.S`, as TF)."""
    return name.replace(".", "..").replace("/", ".S")


def is_trackable(obj) -> bool:
    """True for objects that are nodes of a checkpoint's object graph."""
    if isinstance(obj, (Variable, Module)) or hasattr(type(obj), "_trackable_children"):
        return True
    if isinstance(obj, _CONTAINERS) and not isinstance(obj, (str, bytes)):
        return _holds_trackable(obj, set())
    return False


def _holds_trackable(container, seen: set) -> bool:
    if id(container) in seen:
        return False
    seen.add(id(container))
    items = container.values() if isinstance(container, dict) else container
    for x in items:
        if isinstance(x, (Variable, Module)) or hasattr(type(x), "_trackable_children"):
            return True
        if isinstance(x, _CONTAINERS) and _holds_trackable(x, seen):
            return True
    return False


def _attribute_children(obj) -> list:
    ignored = getattr(obj, "_TF_MODULE_IGNORED_PROPERTIES", ())
    out = []
    for name in sorted(vars(obj)):
        if name in ignored:
            continue
        value = vars(obj)[name]
        if is_trackable(value):
            out.append((name, value))
    return out


def children(obj) -> list:
    """[(name, child)] of one node, in a deterministic order (trackable children only)."""
    if isinstance(obj, Variable):
        return []
    own = getattr(obj, "_trackable_children", None)
    if own is not None:
        return [(str(k), v) for k, v in own().items() if is_trackable(v)]
    if isinstance(obj, dict):
        keys = sorted(obj, key=str)
        return [(str(k), obj[k]) for k in keys if is_trackable(obj[k])]
    if isinstance(obj, (list, tuple)):
        return [(str(i), x) for i, x in enumerate(obj) if is_trackable(x)]
    if isinstance(obj, Module) or hasattr(obj, "__dict__"):
        return _attribute_children(obj)
    return []


def lookup(obj, name: str):
    """The live child of `obj` named `name` (MISSING when it does not exist yet or is not trackable)."""
    own = getattr(obj, "_trackable_children", None)
    if own is not None:
        child = own().get(name, MISSING)
    elif isinstance(obj, dict):
        child = next((v for k, v in obj.items() if str(k) == name), MISSING)
    elif isinstance(obj, (list, tuple)):
        child = obj[int(name)] if name.isdigit() and int(name) < len(obj) else MISSING
    elif isinstance(obj, Variable):
        child = MISSING
    else:
        child = getattr(obj, "__dict__", {}).get(name, MISSING)
    if child is MISSING or not is_trackable(child):
        return MISSING
    return child


def object_graph(root) -> tuple:
    """(nodes, objects): the graph reachable from `root`, breadth first.

    `nodes[i]` is `{"children": [[name, id], ...], "key": checkpoint key or None, "class": ...}`;
    `objects[i]` is the live object of node i (node 0 is the root).
    """
    ids = {id(root): 0}
    objects, paths = [root], [""]
    nodes = []
    i = 0
    while i < len(objects):
        obj = objects[i]
        edges = []
        for name, child in children(obj):
            cid = ids.get(id(child))
            if cid is None:
                cid = ids[id(child)] = len(objects)
                objects.append(child)
                paths.append(f"{paths[i]}/{escape(name)}" if paths[i] else escape(name))
            edges.append([name, cid])
        key = paths[i] + VALUE_SUFFIX if isinstance(obj, Variable) else None
        nodes.append({"children": edges, "key": key, "class": type(obj).__name__})
        i += 1
    return nodes, objects


def readable_path(nodes: list, target: int) -> str:
    """`(root).model.dense.kernel`: the first path to node `target`, for messages."""
    parent = {}
    queue = [0]
    for nid in queue:
        for name, cid in nodes[nid]["children"]:
            if cid not in parent and cid != 0:
                parent[cid] = (nid, name)
                queue.append(cid)
    parts = []
    while target in parent:
        target, name = parent[target]
        parts.append(name)
    return ".".join(["(root)"] + parts[::-1])
