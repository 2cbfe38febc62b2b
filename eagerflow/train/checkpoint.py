"""`tf.train.Checkpoint`: save and restore the variables of an object graph.

A checkpoint stores the object graph (`trackable.py`) and one value per variable in a single
eagerflow archive, `<prefix>.index` (one file, so replacing it is one atomic rename). Restoring
matches the saved graph against the live objects from the root; values whose objects do not exist
yet (a layer that is built on first call, optimizer slots created by the first update) wait and
are assigned the moment those variables appear, as in TF.

>>> import os, tempfile
>>> import eagerflow as tf
>>> m = tf.Module()
>>> m.w = tf.Variable([1.0, 2.0])
>>> ckpt = tf.train.Checkpoint(model=m)
>>> path = ckpt.save(os.path.join(tempfile.mkdtemp(), "ckpt"))
>>> _ = m.w.assign([0.0, 0.0])
>>> ckpt.restore(path).assert_consumed().expect_partial() is not None
True
>>> m.w.numpy()
array([1., 2.], dtype=float32)
"""
from __future__ import annotations

import os
import weakref

import numpy as np

from .. import dtypes as _dt
from .. import io_format
from ..context import init_scope, logger, resolve_pending_restores, settings
from ..errors import DataLossError, InvalidArgumentError, NotFoundError
from ..variables import Variable
from . import state as _state_file
from . import trackable
from .trackable import MISSING

__all__ = ["Checkpoint", "CheckpointOptions", "CheckpointReader", "load_checkpoint", "list_variables",
           "load_variable"]

KIND = "eagerflow.checkpoint"
GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


class CheckpointOptions:
    """Accepted for TF compatibility; eagerflow has one device and no I/O options to set."""

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False, experimental_sharding_callback=None,
                 experimental_skip_slot_variables=False):
        self.experimental_io_device = experimental_io_device
        self.enable_async = bool(enable_async or experimental_enable_async_checkpoint)


def _fspath(path, what: str) -> str:
    try:
        return os.fspath(path)
    except TypeError:
        raise TypeError(f"{what} must be a string or path-like object, got {path!r}") from None


# ---- writing --------------------------------------------------------------------------------------------

def write_object_graph(path: str, root) -> None:
    """Writes the object graph reachable from `root`, with every variable's value, to the archive `path`."""
    nodes, objects = trackable.object_graph(root)
    arrays = {node["key"]: (obj.dtype, obj._tensor._value) for node, obj in zip(nodes, objects)
              if node["key"] is not None}
    io_format.write_archive(path, KIND, {"nodes": nodes}, arrays)


def read_checkpoint_archive(prefix: str) -> io_format.Archive:
    """The archive of checkpoint `prefix` (NotFoundError with TF's hint when it does not exist)."""
    index = prefix + ".index"
    if not os.path.exists(index):
        hint = ""
        if os.path.isdir(prefix):
            hint = " It is a directory: pass a checkpoint prefix, e.g. tf.train.latest_checkpoint(directory)."
        elif os.path.exists(prefix + ".data-00000-of-00001"):
            hint = " Its data file exists but its index does not (a TensorFlow checkpoint, or an incomplete copy)."
        raise NotFoundError(None, None, f"Error when restoring from checkpoint at {prefix}: Failed to find any "
                            f"matching files for {prefix}.{hint} Please double-check that the path is correct. "
                            "You may be missing the checkpoint suffix (e.g. the '-1' in 'path/to/ckpt-1').")
    archive = io_format.read_archive(index)
    if archive.kind != KIND:
        raise DataLossError(None, None, f"Unable to read {index!r}: it holds a {archive.kind!r}, not a checkpoint")
    try:
        nodes = archive.meta["nodes"]
        for n in nodes:
            for name, cid in n["children"]:
                if not (isinstance(name, str) and isinstance(cid, int) and 0 <= cid < len(nodes)):
                    raise ValueError(name)
            if n["key"] is not None and n["key"] not in archive.arrays:
                raise ValueError(n["key"])
    except Exception:  # noqa: BLE001 - any inconsistency in the stored graph
        raise DataLossError(None, None, f"Unable to read {index!r}: its object graph is malformed") from None
    return archive


# ---- restoring --------------------------------------------------------------------------------------------

class _Progress:
    """What a restoration has done, shared with the finalizer that warns about unused values."""

    def __init__(self, nodes, path):
        self.nodes = nodes
        self.path = path
        self.matched: set = set()   # node ids bound to a live object
        self.expect_partial = False


def _forget_anchor(ref) -> None:
    """Weak-reference callback: an object waited on died, so nothing can claim values under it."""
    with settings.lock:
        for key, (r, _) in list(settings.pending_restores.items()):
            if r is ref:
                del settings.pending_restores[key]


def _weak(obj):
    try:
        return weakref.ref(obj)
    except TypeError:
        return None


def _warn_unused(progress: _Progress) -> None:
    if progress.expect_partial:
        return
    unused = [i for i, n in enumerate(progress.nodes) if n["key"] is not None and i not in progress.matched]
    if unused:
        shown = ", ".join(trackable.readable_path(progress.nodes, i) for i in unused[:5])
        more = f" (and {len(unused) - 5} more)" if len(unused) > 5 else ""
        logger.warning("Values in checkpoint %s were never restored because the Python program has no matching "
                       "objects: %s%s. Call expect_partial() on the load status to silence this.",
                       progress.path, shown, more)


class _Ref:
    """A matched object held without keeping it alive: weakly, or (for lists, tuples and dicts, which
    cannot be weakly referenced) as a path of dependency names from the nearest object that can."""

    __slots__ = ("anchor", "names")

    def __init__(self, anchor, names: tuple):
        self.anchor = anchor    # weakref.ref
        self.names = names

    def get(self):
        obj = self.anchor()
        for name in self.names:
            if obj is None or obj is MISSING:
                return None
            obj = trackable.lookup(obj, name)
        return None if obj is MISSING else obj


class Restoration:
    """Matches one checkpoint's object graph against live objects, now and as objects appear.

    Values whose objects are missing wait in `pending`. The restoration holds live objects only
    weakly; it is kept alive by the objects it waits on (`settings.pending_restores`) and by its load
    status, so it lives exactly as long as something can still claim its values.
    """

    def __init__(self, archive: io_format.Archive, root, path: str):
        self.archive = archive
        self.progress = _Progress(archive.meta["nodes"], path)
        self.refs: dict = {}        # node id -> _Ref of its live object
        self.pending: list = []     # (node id, edge name, child node id) whose live child is missing
        self._owner = None
        self._warned_inconsistent = False
        self._visit(0, root, _Ref(weakref.ref(root), ()))
        finalizer = weakref.finalize(self, _warn_unused, self.progress)
        finalizer.atexit = False    # at interpreter exit the warning would only be noise

    @property
    def nodes(self):
        return self.progress.nodes

    def _visit(self, nid: int, obj, ref: _Ref) -> None:
        """Matches the subtree under `nid` to `obj`; values are checked first and assigned only if all fit."""
        assignments = []
        queue = [(nid, obj, ref)]
        while queue:
            nid, obj, ref = queue.pop(0)
            if nid in self.refs:
                if self.refs[nid].get() is not obj:
                    self._inconsistent(nid)
                continue
            weak = _weak(obj)
            if weak is not None:
                ref = _Ref(weak, ())
            self.refs[nid] = ref
            self.progress.matched.add(nid)
            node = self.nodes[nid]
            if node["key"] is not None:
                assignments.append((obj, self._checked_value(nid, obj, node["key"])))
            for name, cid in node["children"]:
                child = trackable.lookup(obj, name)
                if child is MISSING:
                    self.pending.append((nid, name, cid))
                else:
                    queue.append((cid, child, _Ref(ref.anchor, ref.names + (name,))))
        with init_scope():
            for var, value in assignments:
                var.assign(value, read_value=False)

    def _inconsistent(self, nid: int) -> None:
        if not self._warned_inconsistent:
            self._warned_inconsistent = True
            logger.warning("Inconsistent references when loading the checkpoint %s into this object graph: in the "
                           "checkpoint, %s is reached through several paths (one object), while in the current "
                           "program these paths hold different objects; only the first is restored.",
                           self.progress.path, trackable.readable_path(self.nodes, nid))

    def _checked_value(self, nid: int, var, key: str):
        where = trackable.readable_path(self.nodes, nid)
        if not isinstance(var, Variable):
            raise ValueError(f"Checkpoint {self.progress.path} holds a variable at {where}, but the Python object "
                             f"there is a {type(var).__name__}, not a tf.Variable.")
        value, dtype = self.archive.arrays[key], self.archive.dtypes[key]
        if dtype is not var.dtype:
            raise InvalidArgumentError(None, None, f"Restoring {where} from {self.progress.path}: the variable "
                                       f"{var.name} has dtype {var.dtype.name} but the checkpoint holds "
                                       f"{dtype.name} (key {key}).")
        if not var.shape.is_compatible_with(value.shape):
            raise ValueError(f"Received incompatible tensor with shape {value.shape} when attempting to restore "
                             f"variable with shape {var.shape} and name {var.name} (checkpoint {self.progress.path}, "
                             f"at {where}).")
        return value if value.ndim else value[()]

    def resolve(self) -> None:
        """Retries the values whose objects were missing (called when objects gain dependencies)."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        for nid, name, cid in pending:
            if cid in self.refs:
                continue
            parent = self.refs[nid].get()
            if parent is None:
                continue  # the parent is gone: nothing can claim this value any more
            child = trackable.lookup(parent, name)
            if child is MISSING:
                self.pending.append((nid, name, cid))
            else:
                ref = self.refs[nid]
                self._visit(cid, child, _Ref(ref.anchor, ref.names + (name,)))
        self._register()

    def _register(self) -> None:
        """Lists this restoration under each object it still waits on (and nowhere else)."""
        table = settings.pending_restores
        with settings.lock:
            for key, (_, entries) in list(table.items()):
                entries[:] = [r for r in entries if r is not self]
                if not entries:
                    del table[key]
            for nid, _, _ in self.pending:
                anchor = self.refs[nid].anchor()
                if anchor is None:
                    continue
                entry = table.get(id(anchor))
                if entry is None or entry[0]() is not anchor:
                    entry = table[id(anchor)] = (weakref.ref(anchor, _forget_anchor), [])
                if all(r is not self for r in entry[1]):
                    entry[1].append(self)

    def attach(self, owner) -> None:
        """Starts waiting for missing objects; an earlier restoration by the same `owner` stops waiting."""
        self._owner = weakref.ref(owner)
        table = settings.pending_restores
        with settings.lock:
            for key, (_, entries) in list(table.items()):
                entries[:] = [r for r in entries if r._owner is None or r._owner() is not owner]
                if not entries:
                    del table[key]
        self._register()

    # ---- what the status asserts -------------------------------------------------------------------
    def unresolved_nodes(self) -> list:
        return [i for i in range(len(self.nodes)) if i not in self.refs]

    def unmatched_objects(self, root) -> list:
        """Live variables and modules reachable from `root` that the checkpoint gave nothing to."""
        matched_ids = {id(r.get()) for r in self.refs.values()}
        _, objects = trackable.object_graph(root)
        return [o for o in objects if id(o) not in matched_ids and not isinstance(o, (list, tuple, dict))]


class CheckpointLoadStatus:
    """What `Checkpoint.restore` returns: assertions about how the checkpoint matched the program."""

    def __init__(self, restoration: Restoration, root):
        self._restoration = restoration
        self._root = root

    def assert_consumed(self) -> "CheckpointLoadStatus":
        """Every checkpoint value was restored and every Python object got a value (else AssertionError)."""
        r = self._restoration
        r.resolve()
        unresolved = r.unresolved_nodes()
        if unresolved:
            paths = [trackable.readable_path(r.nodes, i) for i in unresolved]
            raise AssertionError(f"Unresolved object in checkpoint {r.progress.path}: {paths[0]}"
                                 + (f" (and {len(paths) - 1} more: {paths[1:6]})" if len(paths) > 1 else "")
                                 + ". The Python program has no object there (yet); build the model (or call "
                                 "the optimizer) first, or use assert_existing_objects_matched().")
        return self.assert_existing_objects_matched()

    def assert_existing_objects_matched(self) -> "CheckpointLoadStatus":
        """Every existing Python variable and module reachable from the root got a value from the checkpoint."""
        r = self._restoration
        r.resolve()
        missing = r.unmatched_objects(self._root)
        if missing:
            raise AssertionError(f"Found {len(missing)} Python objects that were not bound to checkpointed values, "
                                 "likely due to changes in the Python program. Showing "
                                 f"{min(len(missing), 10)} of {len(missing)} unmatched objects: {missing[:10]}")
        return self

    def assert_nontrivial_match(self) -> "CheckpointLoadStatus":
        """Something besides the root object was matched."""
        if len(self._restoration.progress.matched) <= 1:
            raise AssertionError(f"Nothing except the root object matched a checkpointed value in "
                                 f"{self._restoration.progress.path}. Typically this means that the checkpoint does "
                                 "not match the Python program.")
        return self

    def expect_partial(self) -> "CheckpointLoadStatus":
        """Silences the warning about checkpoint values that no object claimed."""
        self._restoration.progress.expect_partial = True
        return self

    def run_restore_ops(self, session=None) -> None:
        """Nothing to run: eager restores assign values immediately."""

    def initialize_or_restore(self, session=None) -> None:
        """Nothing to run: eager restores assign values immediately."""


class InitializationOnlyStatus:
    """What `restore(None)` returns: nothing is restored, assertions fail."""

    def assert_consumed(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being restored.")

    assert_existing_objects_matched = assert_nontrivial_match = assert_consumed

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None) -> None:
        """Nothing to run."""

    def initialize_or_restore(self, session=None) -> None:
        """Nothing to run: variables are initialized when created."""


def restore_object_graph(archive, root, path: str, owner=None) -> Restoration:
    """Restores `archive` into the objects reachable from `root`; pending values wait for their objects."""
    restoration = Restoration(archive, root, path)
    restoration.attach(owner if owner is not None else root)
    return restoration


# ---- the Checkpoint object ---------------------------------------------------------------------------------

class Checkpoint:
    """Groups trackable objects (modules, variables, Keras models and optimizers) to save and restore.

    >>> import os, tempfile
    >>> import eagerflow as tf
    >>> v = tf.Variable(1.0)
    >>> ckpt = tf.train.Checkpoint(v=v)
    >>> prefix = os.path.join(tempfile.mkdtemp(), "ckpt")
    >>> os.path.basename(ckpt.save(prefix)), os.path.basename(ckpt.save(prefix))
    ('ckpt-1', 'ckpt-2')
    """

    def __init__(self, root=None, **kwargs):
        self.__dict__["_ckpt_root"] = root
        self.__dict__["_ckpt_counter"] = None
        if root is not None and not trackable.is_trackable(root):
            raise ValueError(f"`Checkpoint` was expecting root to be a trackable object (an object derived from "
                             f"`Trackable`), got {root!r}. If you believe this object should be trackable (i.e. it "
                             "is part of the TensorFlow Python API and manages state), please open an issue.")
        for k, v in sorted(kwargs.items()):
            if not trackable.is_trackable(v):
                raise ValueError(f"`Checkpoint` was expecting {k} to be a trackable object (an object derived from "
                                 f"`Trackable`), got {v!r}. If you believe this object should be trackable (i.e. "
                                 "it is part of the TensorFlow Python API and manages state), please open an issue.")
            setattr(self, k, v)

    def __setattr__(self, name, value):
        if name.startswith("_ckpt_"):
            raise AttributeError(f"{name} is reserved by tf.train.Checkpoint")
        self.__dict__[name] = value
        if settings.pending_restores:
            resolve_pending_restores()

    def _trackable_children(self) -> dict:
        out = dict(trackable.children(self._ckpt_root)) if self._ckpt_root is not None else {}
        out.update((k, v) for k, v in vars(self).items() if not k.startswith("_"))
        if self._ckpt_counter is not None:
            out["save_counter"] = self._ckpt_counter
        return out

    @property
    def save_counter(self) -> Variable:
        """An int64 variable counting `save()` calls (created on first use, restored with the checkpoint)."""
        if self._ckpt_counter is None:
            with init_scope():
                self.__dict__["_ckpt_counter"] = Variable(np.int64(0), trainable=False, name="save_counter",
                                                          dtype=_dt.int64)
        return self._ckpt_counter

    # ---- writing ------------------------------------------------------------------------------------------
    def write(self, file_prefix, options=None) -> str:
        """Writes `<file_prefix>.index` (no counter, no `checkpoint` state file); returns the prefix."""
        prefix = _fspath(file_prefix, "file_prefix")
        write_object_graph(prefix + ".index", self)
        return prefix

    def save(self, file_prefix, options=None) -> str:
        """Writes `<file_prefix>-<n>` (n counts saves) and records it in the directory's `checkpoint` file."""
        from_prefix = _fspath(file_prefix, "file_prefix")
        counter = self.save_counter
        counter.assign_add(1)
        path = self.write(f"{from_prefix}-{int(counter.numpy())}")
        _state_file.update_checkpoint_state(os.path.dirname(path) or ".", path, [path])
        return path

    # ---- reading ------------------------------------------------------------------------------------------
    def read(self, save_path, options=None) -> CheckpointLoadStatus:
        """Restores from `save_path` (a prefix written by `write` or `save`)."""
        path = _fspath(save_path, "save_path")
        archive = read_checkpoint_archive(path)
        restoration = restore_object_graph(archive, self, path, owner=self)
        return CheckpointLoadStatus(restoration, self)

    def restore(self, save_path, options=None):
        """Restores from `save_path`; None restores nothing (fresh start). Returns a load status.

        Values for objects that do not exist yet are assigned when they are created.
        """
        if save_path is None:
            return InitializationOnlyStatus()
        path = _fspath(save_path, "save_path")
        archive = read_checkpoint_archive(path)
        if any(name == "save_counter" for name, _ in archive.meta["nodes"][0]["children"]):
            self.save_counter  # noqa: B018 - created so the saved count is restored into it
        restoration = restore_object_graph(archive, self, path, owner=self)
        return CheckpointLoadStatus(restoration, self)

    def __repr__(self):
        names = ", ".join(sorted(self._trackable_children()))
        return f"<tf.train.Checkpoint ({names})>"


# ---- reading checkpoints as data --------------------------------------------------------------------------

class CheckpointReader:
    """Reads the values of a checkpoint by key (what `tf.train.load_checkpoint` returns)."""

    def __init__(self, prefix: str):
        self._archive = read_checkpoint_archive(prefix)

    def get_variable_to_shape_map(self) -> dict:
        out = {k: list(v.shape) for k, v in self._archive.arrays.items()}
        out[GRAPH_KEY] = []
        return out

    def get_variable_to_dtype_map(self) -> dict:
        out = dict(self._archive.dtypes)
        out[GRAPH_KEY] = _dt.string
        return out

    def has_tensor(self, key: str) -> bool:
        return key in self._archive.arrays

    def get_tensor(self, key: str):
        try:
            value = self._archive.arrays[key]
        except KeyError:
            raise NotFoundError(None, None, f"Key {key} not found in checkpoint") from None
        return value[()] if value.ndim == 0 else value.copy()


def _prefix_of(ckpt_dir_or_file) -> str:
    path = _fspath(ckpt_dir_or_file, "ckpt_dir_or_file")
    if os.path.isdir(path):
        latest = _state_file.latest_checkpoint(path)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory {path}")
        return latest
    return path


def load_checkpoint(ckpt_dir_or_file) -> CheckpointReader:
    """A reader for a checkpoint prefix, or the latest checkpoint of a directory."""
    return CheckpointReader(_prefix_of(ckpt_dir_or_file))


def list_variables(ckpt_dir_or_file) -> list:
    """Sorted `[(key, shape)]` of the values in a checkpoint.

    >>> import os, tempfile
    >>> import eagerflow as tf
    >>> path = tf.train.Checkpoint(v=tf.Variable([1.0, 2.0])).write(os.path.join(tempfile.mkdtemp(), "c"))
    >>> tf.train.list_variables(path)
    [('_CHECKPOINTABLE_OBJECT_GRAPH', []), ('v/.ATTRIBUTES/VARIABLE_VALUE', [2])]
    """
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return sorted(shapes.items())


def load_variable(ckpt_dir_or_file, name: str):
    """The value stored under key `name` (a trailing `:0` is ignored)."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)

