"""tf.train.Checkpoint: round trips, object-graph matching, deferred restores, status assertions,
TF's keys and error classes, and clear errors for missing, corrupted and foreign files."""
import gc
import logging
import os
import weakref

import numpy as np
import pytest

import eagerflow as tf


class Dense(tf.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.w = tf.Variable(np.arange(n_in * n_out, dtype=np.float32).reshape(n_in, n_out))
        self.b = tf.Variable(np.zeros(n_out, np.float32), trainable=False)


class Net(tf.Module):
    def __init__(self):
        super().__init__()
        self.first = Dense(2, 3)
        self.blocks = [Dense(3, 3), {"gate": tf.Variable(1.5), "steps": tf.Variable(np.int64(7))}]
        self.flags = tf.Variable([True, False])
        self.label = tf.Variable(b"hello")


def _scramble(net):
    for v in net.variables:
        if v.dtype.is_floating:
            v.assign(tf.zeros_like(v))
        elif v.dtype == tf.int64:
            v.assign(np.int64(0))
        elif v.dtype == tf.bool:
            v.assign([False, False])
        else:
            v.assign(b"")


def _values(net):
    return [np.asarray(v.numpy()).tolist() for v in net.variables]


def test_round_trip_restores_every_dtype_and_nesting(tmp_path):
    net = Net()
    before = _values(net)
    ckpt = tf.train.Checkpoint(model=net)
    path = ckpt.save(str(tmp_path / "ckpt"))
    assert path == str(tmp_path / "ckpt-1")
    _scramble(net)
    assert _values(net) != before
    status = ckpt.restore(path)
    status.assert_consumed()
    assert _values(net) == before
    assert net.blocks[1]["steps"].dtype == tf.int64


def test_keys_follow_tf_object_paths(tmp_path):
    net = Net()
    path = tf.train.Checkpoint(model=net).write(str(tmp_path / "c"))
    keys = dict(tf.train.list_variables(path))
    assert keys["model/first/w/.ATTRIBUTES/VARIABLE_VALUE"] == [2, 3]
    assert keys["model/blocks/0/w/.ATTRIBUTES/VARIABLE_VALUE"] == [3, 3]
    assert keys["model/blocks/1/gate/.ATTRIBUTES/VARIABLE_VALUE"] == []
    assert "_CHECKPOINTABLE_OBJECT_GRAPH" in keys
    assert "save_counter/.ATTRIBUTES/VARIABLE_VALUE" not in keys  # write() keeps no counter
    np.testing.assert_array_equal(tf.train.load_variable(path, "model/first/w/.ATTRIBUTES/VARIABLE_VALUE"),
                                  net.first.w.numpy())


def test_save_numbers_and_records_state(tmp_path):
    v = tf.Variable(1.0)
    ckpt = tf.train.Checkpoint(v=v)
    prefix = str(tmp_path / "ckpt")
    assert [os.path.basename(ckpt.save(prefix)) for _ in range(3)] == ["ckpt-1", "ckpt-2", "ckpt-3"]
    assert int(ckpt.save_counter) == 3
    assert ckpt.save_counter.dtype == tf.int64 and not ckpt.save_counter.trainable
    state = (tmp_path / "checkpoint").read_text()
    assert 'model_checkpoint_path: "ckpt-3"' in state
    assert tf.train.latest_checkpoint(str(tmp_path)) == prefix + "-3"
    assert tf.train.get_checkpoint_state(str(tmp_path)).model_checkpoint_path == prefix + "-3"
    fresh = tf.train.Checkpoint(v=tf.Variable(0.0))
    fresh.restore(prefix + "-2").assert_consumed()
    assert int(fresh.save_counter) == 2 and float(fresh.v) == 1.0


def test_write_touches_neither_counter_nor_state_file(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    assert ckpt.write(str(tmp_path / "w")) == str(tmp_path / "w")
    assert not (tmp_path / "checkpoint").exists()
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    assert os.listdir(tmp_path) == ["w.index"]


def test_matching_is_by_structure_not_variable_names(tmp_path):
    a = tf.Module()
    a.x = tf.Variable([1.0, 2.0], name="first_name")
    path = tf.train.Checkpoint(m=a).write(str(tmp_path / "c"))
    b = tf.Module()
    b.x = tf.Variable([0.0, 0.0], name="other_name")
    tf.train.Checkpoint(m=b).read(path).assert_consumed()
    np.testing.assert_array_equal(b.x.numpy(), [1.0, 2.0])


def test_shared_variable_is_saved_once(tmp_path, caplog):
    shared = tf.Variable(3.0)
    m = tf.Module()
    m.a, m.b = shared, [shared]
    path = tf.train.Checkpoint(m=m).write(str(tmp_path / "c"))
    keys = [k for k, _ in tf.train.list_variables(path) if k != "_CHECKPOINTABLE_OBJECT_GRAPH"]
    assert keys == ["m/a/.ATTRIBUTES/VARIABLE_VALUE"]
    same = tf.Module()
    same.a = tf.Variable(0.0)
    same.b = [same.a]
    tf.train.Checkpoint(m=same).read(path).assert_consumed()
    assert float(same.a) == 3.0
    # As TF: where the program holds two objects for one checkpointed object, the first path is
    # restored and the inconsistency is reported.
    split = tf.Module()
    split.a = tf.Variable(0.0)
    split.b = [tf.Variable(0.0)]
    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        tf.train.Checkpoint(m=split).read(path)
    assert float(split.a) == 3.0 and float(split.b[0]) == 0.0
    assert "Inconsistent references" in caplog.text


def test_root_argument_checkpoints_the_root_itself(tmp_path):
    net = Dense(2, 2)
    path = tf.train.Checkpoint(root=net).write(str(tmp_path / "c"))
    assert "w/.ATTRIBUTES/VARIABLE_VALUE" in dict(tf.train.list_variables(path))
    other = Dense(2, 2)
    other.w.assign(tf.zeros([2, 2]))
    tf.train.Checkpoint(root=other).read(path).assert_consumed()
    np.testing.assert_array_equal(other.w.numpy(), net.w.numpy())


def test_deferred_restore_reaches_variables_created_later(tmp_path):
    src = tf.Module()
    src.sub = tf.Module()
    src.sub.w = tf.Variable([1.0, 2.0, 3.0])
    src.v = tf.Variable(4.0)
    path = tf.train.Checkpoint(m=src).write(str(tmp_path / "c"))

    lazy = tf.Module()
    status = tf.train.Checkpoint(m=lazy).read(path)
    with pytest.raises(AssertionError, match=r"Unresolved object in checkpoint .*\(root\)\.m\.(sub|v)"):
        status.assert_consumed()
    lazy.v = tf.Variable(0.0)           # created after the restore: gets the saved value at once
    assert float(lazy.v) == 4.0
    lazy.sub = tf.Module()
    lazy.sub.w = tf.Variable(tf.zeros([3]))
    np.testing.assert_array_equal(lazy.sub.w.numpy(), [1.0, 2.0, 3.0])
    status.assert_consumed()


def test_later_restore_replaces_pending_values_of_an_earlier_one(tmp_path):
    m = tf.Module()
    m.v = tf.Variable(1.0)
    first = tf.train.Checkpoint(m=m).write(str(tmp_path / "a"))
    m.v.assign(2.0)
    second = tf.train.Checkpoint(m=m).write(str(tmp_path / "b"))
    target = tf.Module()
    ckpt = tf.train.Checkpoint(m=target)
    ckpt.read(first).expect_partial()
    ckpt.read(second).expect_partial()
    target.v = tf.Variable(0.0)
    assert float(target.v) == 2.0


def test_shape_mismatch_names_both_shapes_and_assigns_nothing(tmp_path):
    path = tf.train.Checkpoint(a=tf.Variable(5.0), v=tf.Variable([1.0, 2.0])).write(str(tmp_path / "c"))
    a = tf.Variable(0.0)
    with pytest.raises(ValueError, match=r"incompatible tensor with shape \(2,\) .* variable with shape \(\) "
                                         r"and name Variable:0"):
        tf.train.Checkpoint(a=a, v=tf.Variable(1.0)).read(path)
    assert float(a) == 0.0   # checked before anything is assigned


def test_dtype_mismatch_is_invalid_argument(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable([1.0, 2.0])).write(str(tmp_path / "c"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="dtype float64 but the checkpoint holds float32"):
        tf.train.Checkpoint(v=tf.Variable([1.0, 2.0], dtype=tf.float64)).read(path)


def test_value_where_program_has_a_module(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable(1.0)).write(str(tmp_path / "c"))
    with pytest.raises(ValueError, match=r"holds a variable at \(root\)\.v, but the Python object there is a Module"):
        tf.train.Checkpoint(v=tf.Module()).read(path)


def test_status_assertions(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable([1.0, 2.0])).write(str(tmp_path / "c"))
    extra = tf.Variable(3.0)
    status = tf.train.Checkpoint(v=tf.Variable([0.0, 0.0]), extra=extra).read(path)
    with pytest.raises(AssertionError, match=r"Found 1 Python objects that were not bound to checkpointed values"):
        status.assert_existing_objects_matched()
    with pytest.raises(AssertionError, match="Found 1 Python objects"):
        status.assert_consumed()
    assert status.assert_nontrivial_match() is status
    unrelated = tf.train.Checkpoint(w=tf.Variable(1.0)).read(path).expect_partial()
    with pytest.raises(AssertionError, match="Nothing except the root object matched"):
        unrelated.assert_nontrivial_match()


def test_restore_none_is_initialization_only():
    status = tf.train.Checkpoint(v=tf.Variable(1.0)).restore(None)
    with pytest.raises(AssertionError, match=r"No checkpoint specified \(save_path=None\)"):
        status.assert_consumed()
    assert status.expect_partial() is status
    status.initialize_or_restore()
    status.run_restore_ops()


def test_unused_values_are_logged_unless_expect_partial(tmp_path, caplog):
    src = tf.Module()
    src.a, src.b = tf.Variable(1.0), tf.Variable(2.0)
    path = tf.train.Checkpoint(m=src).write(str(tmp_path / "c"))

    def restore_partially(expect_partial):
        target = tf.Module()
        target.a = tf.Variable(0.0)
        status = tf.train.Checkpoint(m=target).read(path)
        if expect_partial:
            status.expect_partial()
        assert float(target.a) == 1.0
        # leaving: target, its checkpoint and the status die, so `b` can never be claimed
    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        restore_partially(True)
        gc.collect()
        assert "never restored" not in caplog.text
        restore_partially(False)
        gc.collect()
    messages = [r.getMessage() for r in caplog.records if "never restored" in r.getMessage()]
    assert len(messages) == 1 and "(root).m.b" in messages[0] and "(root).m.a" not in messages[0]


def test_pending_restore_lives_with_the_objects_it_waits_for(tmp_path):
    src = tf.Module()
    src.late = tf.Variable(5.0)
    path = tf.train.Checkpoint(m=src).write(str(tmp_path / "c"))
    target = tf.Module()
    tf.train.Checkpoint(m=target).read(path)    # checkpoint object and status dropped at once
    gc.collect()
    target.late = tf.Variable(0.0)              # still restored: `target` keeps the restoration alive
    assert float(target.late) == 5.0
    ref = weakref.ref(target)
    other = tf.Module()
    tf.train.Checkpoint(m=other).read(path).expect_partial()
    del other, target
    gc.collect()
    assert ref() is None                        # and pending restorations never keep objects alive


def test_non_trackable_arguments_are_refused():
    with pytest.raises(ValueError, match="`Checkpoint` was expecting x to be a trackable object"):
        tf.train.Checkpoint(x=1.0)
    with pytest.raises(TypeError, match="file_prefix must be a string"):
        tf.train.Checkpoint(v=tf.Variable(1.0)).write(3)


def test_missing_checkpoint_is_not_found_with_tf_hint(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    with pytest.raises(tf.errors.NotFoundError, match=r"Failed to find any matching files for .*nothing.*'-1'"):
        ckpt.restore(str(tmp_path / "nothing"))
    with pytest.raises(tf.errors.NotFoundError, match="It is a directory"):
        ckpt.restore(str(tmp_path))


def _saved(tmp_path):
    m = tf.Module()
    m.w = tf.Variable(np.arange(100, dtype=np.float32))
    return tf.train.Checkpoint(m=m).write(str(tmp_path / "c")), m


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "zip", "hdf5"])
def test_damaged_or_foreign_files_raise_data_loss_naming_the_file(tmp_path, damage):
    path, _ = _saved(tmp_path)
    index = path + ".index"
    data = open(index, "rb").read()
    if damage == "truncate":
        data = data[:len(data) // 2]
    elif damage == "flip":
        data = bytearray(data)
        data[-100] ^= 0xFF   # inside the array data
        data = bytes(data)
    elif damage == "garbage":
        data = b"garbage" * 10
    elif damage == "empty":
        data = b""
    elif damage == "zip":
        data = b"PK\x03\x04" + b"\0" * 40
    else:
        data = b"\x89HDF\r\n\x1a\n" + b"\0" * 40
    open(index, "wb").write(data)
    target = tf.Module()
    target.w = tf.Variable(tf.zeros([100]))
    with pytest.raises(tf.errors.DataLossError, match=r"Unable to read '.*c\.index'") as info:
        tf.train.Checkpoint(m=target).restore(path)
    expected = {"truncate": "truncated", "flip": "corrupted", "garbage": "bad magic number",
                "empty": "an empty file", "zip": "a zip archive", "hdf5": "an HDF5 file"}[damage]
    assert expected in str(info.value)
    np.testing.assert_array_equal(target.w.numpy(), np.zeros(100))  # nothing half-restored


def test_reader_maps_and_missing_key(tmp_path):
    path, m = _saved(tmp_path)
    reader = tf.train.load_checkpoint(str(tmp_path / "c"))
    key = "m/w/.ATTRIBUTES/VARIABLE_VALUE"
    assert reader.has_tensor(key) and not reader.has_tensor("nope")
    assert reader.get_variable_to_shape_map()[key] == [100]
    assert reader.get_variable_to_dtype_map()[key] == tf.float32
    with pytest.raises(tf.errors.NotFoundError, match="Key nope not found in checkpoint"):
        reader.get_tensor("nope")
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file or checkpoints in given directory"):
        tf.train.list_variables(str(tmp_path))


def test_list_variables_of_a_directory_uses_the_latest(tmp_path):
    v = tf.Variable([1.0])
    ckpt = tf.train.Checkpoint(v=v)
    ckpt.save(str(tmp_path / "ckpt"))
    v.assign([5.0])
    ckpt.save(str(tmp_path / "ckpt"))
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path), "v/.ATTRIBUTES/VARIABLE_VALUE"), [5.0])


def test_corrupt_state_file_is_ignored_with_a_warning(tmp_path, caplog):
    (tmp_path / "checkpoint").write_text("model_checkpoint_path: not quoted\n")
    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        assert tf.train.latest_checkpoint(str(tmp_path)) is None
    assert "could not be read" in caplog.text


def test_state_file_escapes_paths(tmp_path):
    odd = tmp_path / 'we"ird\\dir'
    v = tf.Variable(1.0)
    path = tf.train.Checkpoint(v=v).save(str(odd / "ck"))
    assert tf.train.latest_checkpoint(str(odd)) == path


def test_random_generator_state_resumes_its_stream(tmp_path):
    gen = tf.random.Generator.from_seed(7)
    gen.normal([3])
    path = tf.train.Checkpoint(gen=gen).write(str(tmp_path / "c"))
    assert "gen/_state_var/.ATTRIBUTES/VARIABLE_VALUE" in dict(tf.train.list_variables(path))
    expected = gen.normal([4]).numpy()
    other = tf.random.Generator.from_seed(123)
    tf.train.Checkpoint(gen=other).read(path).assert_consumed()
    np.testing.assert_array_equal(other.normal([4]).numpy(), expected)


def test_restore_inside_tf_function_trace_is_not_needed_for_eager_values(tmp_path):
    # Restores assign eagerly even when called while a tape records: the tape sees no ops.
    v = tf.Variable(1.0)
    path = tf.train.Checkpoint(v=v).write(str(tmp_path / "c"))
    with tf.GradientTape() as tape:
        tf.train.Checkpoint(v=v).read(path)
        y = v * 2.0
    assert float(tape.gradient(y, v)) == 2.0


def test_tampered_object_graph_and_other_archive_kinds(tmp_path):
    from eagerflow import io_format
    path, _ = _saved(tmp_path)
    archive = io_format.read_archive(path + ".index")
    meta = {"nodes": [{"children": [["m", 99]], "key": None, "class": "Checkpoint"}]}
    io_format.write_archive(path + ".index", archive.kind, meta, {})
    with pytest.raises(tf.errors.DataLossError, match=r"c\.index'.*object graph is malformed"):
        tf.train.Checkpoint(m=tf.Module()).restore(path)
    tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)]).save_weights(path + ".index")
    with pytest.raises(tf.errors.DataLossError, match="holds a 'eagerflow.keras_weights', not a checkpoint"):
        tf.train.Checkpoint(m=tf.Module()).restore(path)
