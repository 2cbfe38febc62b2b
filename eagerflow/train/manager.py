"""`tf.train.CheckpointManager`: numbered checkpoints in a directory, old ones deleted.

Each `save()` writes a complete checkpoint first, then records it in the `checkpoint` state file,
then deletes checkpoints beyond `max_to_keep` and records the state again: a process killed at
any point leaves the state file naming a complete checkpoint.

>>> import tempfile
>>> import eagerflow as tf
>>> v = tf.Variable(0.0)
>>> manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), tempfile.mkdtemp(), max_to_keep=2)
>>> for step in range(3):
...     _ = v.assign(float(step))
...     _ = manager.save()
>>> [p.rsplit("-", 1)[1] for p in manager.checkpoints]
['2', '3']
"""
from __future__ import annotations

import collections
import os
import time

from ..context import logger
from ..variables import Variable
from .checkpoint import Checkpoint
from .state import checkpoint_exists, get_checkpoint_state, latest_checkpoint, update_checkpoint_state

__all__ = ["CheckpointManager", "latest_checkpoint"]


def _step_value(step) -> int:
    if isinstance(step, Variable):
        return int(step.numpy())
    if hasattr(step, "numpy"):
        return int(step.numpy())
    return int(step)


class CheckpointManager:
    """Keeps the last `max_to_keep` checkpoints of `checkpoint` in `directory` (None keeps all).

    `keep_checkpoint_every_n_hours` additionally preserves one checkpoint per that many hours;
    with `step_counter` and `checkpoint_interval`, `save()` only writes every that many steps.
    """

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None, init_fn=None):
        if not isinstance(checkpoint, Checkpoint):
            raise TypeError(f"CheckpointManager expects a tf.train.Checkpoint, got {checkpoint!r}")
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"Expected a positive integer or `None` for `max_to_keep`, got {max_to_keep}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not None.")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_every_n_hours = keep_checkpoint_every_n_hours
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._checkpoint_interval = checkpoint_interval
        self._init_fn = init_fn
        self._last_checkpoint_step = None
        self._maybe_delete: collections.OrderedDict = collections.OrderedDict()
        now = time.time()
        state = get_checkpoint_state(self._directory)
        if state is None:
            self._latest_checkpoint = None
            self._last_preserved_timestamp = now
            return
        self._latest_checkpoint = state.model_checkpoint_path
        self._last_preserved_timestamp = state.last_preserved_timestamp or now
        if now < self._last_preserved_timestamp:
            logger.warning("time.time() returned a value %f seconds behind the last preserved checkpoint timestamp.",
                           self._last_preserved_timestamp - now)
            self._last_preserved_timestamp = now
        stamps = list(state.all_model_checkpoint_timestamps)
        stamps += [now] * (len(state.all_model_checkpoint_paths) - len(stamps))
        for path, stamp in zip(state.all_model_checkpoint_paths, stamps):
            self._maybe_delete[path] = stamp

    # ---- properties ----------------------------------------------------------------------------------
    @property
    def directory(self) -> str:
        return self._directory

    @property
    def checkpoint(self) -> Checkpoint:
        return self._checkpoint

    @property
    def latest_checkpoint(self):
        """The prefix of the newest checkpoint this manager knows of (None before the first save)."""
        return self._latest_checkpoint

    @property
    def checkpoints(self) -> list:
        """The prefixes of the checkpoints still managed, oldest first."""
        return list(self._maybe_delete)

    @property
    def checkpoint_interval(self):
        return self._checkpoint_interval

    # ---- saving --------------------------------------------------------------------------------------
    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Writes `<directory>/<checkpoint_name>-<n>`; returns its prefix (None when skipped by the interval).

        `n` is `checkpoint_number` (an int or an integer variable such as a step counter) or else
        the checkpoint's save counter.
        """
        if self._checkpoint_interval is not None:
            step = _step_value(self._step_counter)
            last = self._last_checkpoint_step
            if last is not None and (step == last or (check_interval and step < last + self._checkpoint_interval)):
                return None
            self._last_checkpoint_step = step
        counter = self._checkpoint.save_counter
        counter.assign_add(1)
        number = _step_value(counter if checkpoint_number is None else checkpoint_number)
        path = self._checkpoint.write(f"{self._prefix}-{number}")
        self._maybe_delete.pop(path, None)  # re-saved: it becomes the newest
        self._maybe_delete[path] = time.time()
        self._latest_checkpoint = path
        self._record_state()  # the new checkpoint is recorded before anything is deleted
        self._sweep()
        self._record_state()
        return path

    def _record_state(self) -> None:
        update_checkpoint_state(self._directory, self._latest_checkpoint, list(self._maybe_delete),
                                list(self._maybe_delete.values()), self._last_preserved_timestamp)

    def _sweep(self) -> None:
        if self._max_to_keep is None:
            return
        while len(self._maybe_delete) > self._max_to_keep:
            path, stamp = self._maybe_delete.popitem(last=False)
            if self._keep_every_n_hours and stamp - self._last_preserved_timestamp >= \
                    self._keep_every_n_hours * 3600.0:
                self._last_preserved_timestamp = stamp
                continue
            _delete_checkpoint(path)

    # ---- restoring -----------------------------------------------------------------------------------
    def restore_or_initialize(self):
        """Restores the latest checkpoint and returns its prefix, or runs `init_fn` and returns None."""
        if self._latest_checkpoint is not None and checkpoint_exists(self._latest_checkpoint):
            self._checkpoint.restore(self._latest_checkpoint)
            return self._latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
        return None


def _delete_checkpoint(prefix: str) -> None:
    for suffix in (".index", ".data-00000-of-00001"):
        try:
            os.remove(prefix + suffix)
        except FileNotFoundError:
            pass
        except OSError as e:
            logger.warning("Could not delete old checkpoint file %s: %s", prefix + suffix, e)
