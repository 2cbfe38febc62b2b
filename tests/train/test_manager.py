"""tf.train.CheckpointManager: numbering, max_to_keep, keep_checkpoint_every_n_hours, intervals,
recovering state from the directory, restore_or_initialize, and TF's argument errors."""
import os

import numpy as np
import pytest

import eagerflow as tf
from eagerflow.train import manager as manager_module


def _indexes(directory):
    return sorted(f for f in os.listdir(directory) if f.endswith(".index"))


def test_keeps_the_last_max_to_keep(tmp_path):
    v = tf.Variable(0.0)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path), max_to_keep=2)
    assert manager.latest_checkpoint is None and manager.checkpoints == []
    paths = []
    for step in range(4):
        v.assign(float(step))
        paths.append(manager.save())
    assert paths == [str(tmp_path / f"ckpt-{i}") for i in range(1, 5)]
    assert manager.checkpoints == paths[2:]
    assert manager.latest_checkpoint == paths[-1] == tf.train.latest_checkpoint(str(tmp_path))
    assert _indexes(tmp_path) == ["ckpt-3.index", "ckpt-4.index"]
    state = (tmp_path / "checkpoint").read_text()
    assert state.count("all_model_checkpoint_paths") == 2 and 'model_checkpoint_path: "ckpt-4"' in state
    restored = tf.Variable(-1.0)
    tf.train.Checkpoint(v=restored).restore(manager.latest_checkpoint).assert_consumed()
    assert float(restored) == 3.0


def test_max_to_keep_none_keeps_all_and_validation(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(0.0))
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=None, checkpoint_name="model")
    for _ in range(3):
        manager.save()
    assert _indexes(tmp_path) == ["model-1.index", "model-2.index", "model-3.index"]
    with pytest.raises(ValueError, match="Expected a positive integer or `None` for `max_to_keep`, got 0."):
        tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=0)
    with pytest.raises(ValueError, match="`step_counter` should be passed if `checkpoint_interval` is not None."):
        tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=1, checkpoint_interval=5)
    with pytest.raises(TypeError, match="expects a tf.train.Checkpoint"):
        tf.train.CheckpointManager(tf.Module(), str(tmp_path), max_to_keep=1)


def test_a_new_manager_recovers_the_directory_state(tmp_path):
    v = tf.Variable(0.0)
    ckpt = tf.train.Checkpoint(v=v)
    first = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=3)
    for _ in range(3):
        first.save()
    second = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=3)
    assert second.checkpoints == first.checkpoints
    assert second.latest_checkpoint == str(tmp_path / "ckpt-3")
    second.save()                       # continues the numbering and deletes the oldest
    assert second.checkpoints == [str(tmp_path / f"ckpt-{i}") for i in (2, 3, 4)]
    assert _indexes(tmp_path) == ["ckpt-2.index", "ckpt-3.index", "ckpt-4.index"]


def test_checkpoint_number_from_int_or_step_variable(tmp_path):
    step = tf.Variable(np.int64(100))
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(step=step), str(tmp_path), max_to_keep=5)
    assert manager.save(checkpoint_number=7) == str(tmp_path / "ckpt-7")
    assert manager.save(checkpoint_number=step) == str(tmp_path / "ckpt-100")
    assert manager.save(checkpoint_number=7) == str(tmp_path / "ckpt-7")   # re-saved: now the newest
    assert manager.checkpoints == [str(tmp_path / "ckpt-100"), str(tmp_path / "ckpt-7")]


def test_checkpoint_interval_skips_until_enough_steps(tmp_path):
    step = tf.Variable(np.int64(0))
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(step=step), str(tmp_path), max_to_keep=None,
                                         step_counter=step, checkpoint_interval=3)
    saved = []
    for i in range(8):
        step.assign(np.int64(i))
        saved.append(manager.save() is not None)
    assert saved == [True, False, False, True, False, False, True, False]
    assert manager.save(check_interval=False) is not None   # forced, at a new step
    assert manager.save(check_interval=False) is None       # but never twice at one step
    assert manager.checkpoint_interval == 3


def test_keep_checkpoint_every_n_hours_preserves_old_ones(tmp_path, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(manager_module.time, "time", lambda: clock[0])
    ckpt = tf.train.Checkpoint(v=tf.Variable(0.0))
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=1, keep_checkpoint_every_n_hours=1)
    for _ in range(6):                   # one save every 25 minutes
        manager.save()
        clock[0] += 25 * 60
    # Saves at 0, 25, 50, 75, 100, 125 min: the one from 75 minutes is the first an hour past the
    # start, so it is preserved (besides the newest); the others are deleted.
    assert _indexes(tmp_path) == ["ckpt-4.index", "ckpt-6.index"]
    assert manager.checkpoints == [str(tmp_path / "ckpt-6")]


def test_restore_or_initialize(tmp_path):
    v = tf.Variable(0.0)
    calls = []
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path), max_to_keep=1,
                                         init_fn=lambda: calls.append("init"))
    assert manager.restore_or_initialize() is None and calls == ["init"]
    v.assign(4.0)
    path = manager.save()
    v.assign(0.0)
    again = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path), max_to_keep=1,
                                       init_fn=lambda: calls.append("init"))
    assert again.restore_or_initialize() == path and calls == ["init"]
    assert float(v) == 4.0


def test_deleted_latest_checkpoint_is_reported_missing(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(0.0))
    path = ckpt.save(str(tmp_path / "ckpt"))
    os.remove(path + ".index")
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
