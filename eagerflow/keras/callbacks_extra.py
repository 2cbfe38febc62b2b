"""More `tf.keras.callbacks`: BackupAndRestore (fault-tolerant training, Keras 3 semantics).

>>> import eagerflow as tf
>>> cb = tf.keras.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
>>> cb.save_freq
'epoch'
"""
from __future__ import annotations

import os
import shutil

import numpy as np

import eagerflow as tf  # public API only; attributes are read at call time
from ..io_format import atomic_path
from .callbacks import Callback

__all__ = ["BackupAndRestore"]


class _TrainingProgress(tf.Module):
    """The epoch to resume at and the last batch seen, saved in the same checkpoint as the model."""

    def __init__(self):
        super().__init__(name="training_progress")
        self.epoch = tf.Variable(np.int64(0), trainable=False, name="epoch")
        self.batch = tf.Variable(np.int64(0), trainable=False, name="batch")


def _copy_atomically(src: str, dst: str) -> None:
    with atomic_path(dst) as tmp:
        shutil.copyfile(src, tmp)


class BackupAndRestore(Callback):
    """Backs up the model, its optimizer and the epoch reached into `backup_dir` during `fit`; the next
    `fit` with the same `backup_dir` restores them at its start and continues from that epoch.

    The backup is a `tf.train.Checkpoint` (`<backup_dir>/latest.index`), written atomically at every
    epoch end (`save_freq="epoch"`) or every `save_freq` batches. `double_checkpoint=True` keeps the
    previous backup as `latest.bkp.index`, used if the latest one cannot be read. The directory is
    deleted when `fit` ends normally (unless `delete_checkpoint=False`). The model must be built
    before `fit`.

    >>> import eagerflow as tf, tempfile
    >>> model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> cb = tf.keras.callbacks.BackupAndRestore(tempfile.mkdtemp() + "/bk")
    >>> len(model.fit(tf.ones((4, 2)), tf.ones((4, 1)), epochs=2, callbacks=[cb], verbose=0).history["loss"])
    2
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self._prefix = os.path.join(self.backup_dir, "latest")
        self._prev_prefix = self._prefix + ".bkp"
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. Expected "
                             "either 'epoch' or an integer value.")
        self._progress = _TrainingProgress()

    def _checkpoint(self):
        state = {"model": self.model, "training_progress": self._progress}
        if getattr(self.model, "optimizer", None) is not None:
            state["optimizer"] = self.model.optimizer
        return tf.train.Checkpoint(**state)

    # ---- restoring ------------------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        try:
            self._load()
        except (OSError, tf.errors.OpError):
            if not os.path.exists(self._prev_prefix + ".index"):
                raise
            _copy_atomically(self._prev_prefix + ".index", self._prefix + ".index")
            self._load()

    def _load(self) -> None:
        if not getattr(self.model, "built", False):
            raise ValueError("To use the BackupAndRestore callback, you model must be built before you call `fit()`. "
                             f"Model {self.model} is unbuilt. You can build it beforehand by calling it on a batch "
                             "of data.")
        if not os.path.exists(self._prefix + ".index"):
            return
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and not optimizer.built:
            optimizer.build(self.model.trainable_variables)
        self._checkpoint().read(self._prefix).expect_partial()
        # Keras's contract with fit: it starts at `_initial_epoch` when a callback sets it in on_train_begin.
        self.model._initial_epoch = int(self._progress.epoch.numpy())

    # ---- saving ---------------------------------------------------------------------------------------------
    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save()

    def _should_save_on_batch(self, batch) -> bool:
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:  # a new epoch started: batches count from 0 again
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save(self) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._prefix + ".index"):
            _copy_atomically(self._prefix + ".index", self._prev_prefix + ".index")
        self._progress.epoch.assign(np.int64(self._current_epoch))
        self._progress.batch.assign(np.int64(self._last_batch_seen))
        self._checkpoint().write(self._prefix)  # one archive, replaced by an atomic rename

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
