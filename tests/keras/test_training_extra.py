"""CosineDecayRestarts, pad_sequences and BackupAndRestore vs TF 2.21 (Keras 3).

TF_SCHEDULE holds CosineDecayRestarts values at STEPS for the configs in SCHEDULES, measured with
tensorflow-cpu 2.21.0.
"""
import os

import numpy as np
import pytest

import eagerflow as tf

S = tf.keras.optimizers.schedules
SCHEDULES = [dict(initial_learning_rate=0.1, first_decay_steps=10),
             dict(initial_learning_rate=0.5, first_decay_steps=7, t_mul=1.0, m_mul=0.8, alpha=0.1),
             dict(initial_learning_rate=0.2, first_decay_steps=4, t_mul=1.5, m_mul=0.5, alpha=0.05)]
STEPS = [0, 1, 3, 4, 6, 9, 10, 13, 25, 31, 60, 101]
TF_SCHEDULE = {0: [0.10000000149011612, 0.0975528284907341, 0.07938926666975021, 0.06545084714889526,
                   0.03454914316534996, 0.0024471760261803865, 0.10000000149011612, 0.09455032646656036,
                   0.014644661918282509, 0.09984587132930756, 0.014644661918282509, 0.06730584800243378],
               1: [0.5, 0.47771796584129333, 0.3250671923160553, 0.2249327450990677, 0.07228199392557144,
                   0.3422281742095947, 0.2700537145137787, 0.06782560795545578, 0.1395656019449234, 0.16266758739948273,
                   0.07934888452291489, 0.06209757924079895],
               2: [0.20000000298023224, 0.17217515408992767, 0.037824857980012894, 0.10499999672174454,
                   0.08125000447034836, 0.01636379398405552, 0.057500001043081284, 0.0456249974668026,
                   0.02393707074224949, 0.010716150514781475, 0.015141265466809273, 0.011977004818618298]}


# ---- CosineDecayRestarts -------------------------------------------------------------------------------------

@pytest.mark.parametrize("i", range(len(SCHEDULES)))
def test_cosine_decay_restarts_matches_tf(i):
    schedule = S.CosineDecayRestarts(**SCHEDULES[i])
    got = [float(schedule(step)) for step in STEPS]
    np.testing.assert_allclose(got, TF_SCHEDULE[i], rtol=1e-6)  # two values differ from TF's by one ulp (cos)


@pytest.mark.parametrize("i", range(len(SCHEDULES)))
def test_cosine_decay_restarts_tf_function_matches_eager(i):
    schedule = S.CosineDecayRestarts(**SCHEDULES[i])
    traced = tf.function(lambda step: schedule(step))
    for step in STEPS:
        assert float(traced(tf.constant(step, tf.int64))) == float(schedule(tf.constant(step, tf.int64)))


def test_cosine_decay_restarts_config():
    schedule = S.CosineDecayRestarts(0.1, 5)
    assert S.serialize(schedule) == {
        "module": "keras.optimizers.schedules", "class_name": "CosineDecayRestarts",
        "config": {"initial_learning_rate": 0.1, "first_decay_steps": 5, "t_mul": 2.0, "m_mul": 1.0, "alpha": 0.0,
                   "name": "SGDRDecay"}, "registered_name": None}
    clone = S.deserialize(S.serialize(S.CosineDecayRestarts(**SCHEDULES[2])))
    assert clone.get_config() == {**SCHEDULES[2], "name": "SGDRDecay"}
    assert float(clone(13)) == float(S.CosineDecayRestarts(**SCHEDULES[2])(13))


def test_cosine_decay_restarts_error_and_optimizer_use():
    with pytest.raises(ValueError, match=r"^Argument `first_decay_steps` must be > 0. Received: first_decay_steps=0$"):
        S.CosineDecayRestarts(0.1, 0)
    opt = tf.keras.optimizers.SGD(learning_rate=S.CosineDecayRestarts(**SCHEDULES[0]))
    w = tf.Variable(1.0)
    for _ in range(4):
        opt.apply_gradients([(tf.constant(1.0), w)])
    np.testing.assert_allclose(float(opt.learning_rate), TF_SCHEDULE[0][3], rtol=1e-6)  # step 4


# ---- pad_sequences ------------------------------------------------------------------------------------------

SEQS = [[1, 2, 3], [4, 5], [], [6, 7, 8, 9, 10]]


@pytest.mark.parametrize("kwargs, dtype, expected", [
    ({}, "int32", [[0, 0, 1, 2, 3], [0, 0, 0, 4, 5], [0, 0, 0, 0, 0], [6, 7, 8, 9, 10]]),
    ({"maxlen": 3}, "int32", [[1, 2, 3], [0, 4, 5], [0, 0, 0], [8, 9, 10]]),
    ({"maxlen": 3, "padding": "post"}, "int32", [[1, 2, 3], [4, 5, 0], [0, 0, 0], [8, 9, 10]]),
    ({"maxlen": 3, "truncating": "post"}, "int32", [[1, 2, 3], [0, 4, 5], [0, 0, 0], [6, 7, 8]]),
    ({"maxlen": 2, "padding": "post", "truncating": "post", "value": -1}, "int32",
     [[1, 2], [4, 5], [-1, -1], [6, 7]]),
    ({"dtype": "float32", "value": 0.5}, "float32",
     [[0.5, 0.5, 1.0, 2.0, 3.0], [0.5, 0.5, 0.5, 4.0, 5.0], [0.5, 0.5, 0.5, 0.5, 0.5], [6.0, 7.0, 8.0, 9.0, 10.0]]),
])
def test_pad_sequences_matches_keras(kwargs, dtype, expected):
    out = tf.keras.utils.pad_sequences(SEQS, **kwargs)
    assert isinstance(out, np.ndarray) and out.dtype == np.dtype(dtype)
    assert out.tolist() == expected
    assert tf.keras.preprocessing.sequence.pad_sequences(SEQS, **kwargs).tolist() == expected


def test_pad_sequences_items_and_strings():
    out = tf.keras.utils.pad_sequences([np.ones((2, 2)), np.zeros((1, 2))], dtype="float32")
    assert out.shape == (2, 2, 2)
    assert out.tolist() == [[[1.0, 1.0], [1.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]]]
    assert tf.keras.utils.pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>").tolist() == [
        ["a", "b"], ["<pad>", "c"]]


@pytest.mark.parametrize("call, message", [
    (lambda p: p(5), "`sequences` must be iterable."),
    (lambda p: p([[1], 2]), "`sequences` must be a list of iterables. Found non-iterable: 2"),
    (lambda p: p([[1]], value="x"), "`dtype` int32 is not compatible with `value`'s type: <class 'str'>\nYou should "
                                    "set "
                                    "`dtype=object` for variable length strings."),
    (lambda p: p([[1, 2]], maxlen=1, truncating="mid"), 'Truncating type "mid" not understood'),
    (lambda p: p([[1]], padding="mid"), 'Padding type "mid" not understood'),
    (lambda p: p([np.ones((2, 2)), np.ones((1, 3))]),
     "Shape of sample (3,) of sequence at position 1 is different from expected shape (2,)"),
])
def test_pad_sequences_errors_match_keras(call, message):
    with pytest.raises(ValueError) as info:
        call(tf.keras.utils.pad_sequences)
    assert str(info.value) == message


# ---- BackupAndRestore -------------------------------------------------------------------------------------

X = np.random.RandomState(0).rand(16, 3).astype("float32")
Y = X.sum(axis=1, keepdims=True)


def _model():
    tf.keras.utils.set_random_seed(1)
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
    model.compile(tf.keras.optimizers.Adam(0.1), "mse")
    return model


class _Interrupt(tf.keras.callbacks.Callback):
    def __init__(self, epoch=None, batch=None):
        super().__init__()
        self.epoch, self.batch, self.seen = epoch, batch, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.batch is not None and self.seen == self.batch:
            raise RuntimeError("interrupted")

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise RuntimeError("interrupted")


def _interrupted_fit(backup_dir, **interrupt):
    model = _model()
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(X, Y, epochs=5, batch_size=4, shuffle=False, verbose=0,
                  callbacks=[tf.keras.callbacks.BackupAndRestore(backup_dir, **interrupt.pop("backup", {})),
                             _Interrupt(**interrupt)])
    return model


def test_backup_restores_model_optimizer_and_epoch(tmp_path):
    backup_dir = str(tmp_path / "backup")
    interrupted = _interrupted_fit(backup_dir, epoch=2)  # three epochs done, then a crash
    assert os.listdir(backup_dir) == ["latest.index"]
    saved = [v.numpy() for v in interrupted.weights]
    saved_slots = [v.numpy() for v in interrupted.optimizer.variables]

    resumed = _model()
    callback = tf.keras.callbacks.BackupAndRestore(backup_dir)
    callback.set_model(resumed)
    callback.on_train_begin()
    for v, want in zip(resumed.weights, saved):
        np.testing.assert_array_equal(v.numpy(), want)
    for v, want in zip(resumed.optimizer.variables, saved_slots):
        np.testing.assert_array_equal(v.numpy(), want)
    assert int(resumed.optimizer.iterations) == 12
    assert resumed._initial_epoch == 3  # what Keras's fit resumes from


def test_resumed_fit_runs_only_the_remaining_epochs(tmp_path):
    backup_dir = str(tmp_path / "backup")
    _interrupted_fit(backup_dir, epoch=2)
    resumed = _model()
    history = resumed.fit(X, Y, epochs=5, batch_size=4, shuffle=False, verbose=0,
                          callbacks=[tf.keras.callbacks.BackupAndRestore(backup_dir)])
    assert len(history.history["loss"]) == 2
    assert int(resumed.optimizer.iterations) == 20


def test_resumed_training_equals_uninterrupted_training(tmp_path):
    # Three epochs, crash, a new fit resuming for the last two == five epochs in one go.
    backup_dir = str(tmp_path / "backup")
    _interrupted_fit(backup_dir, epoch=2)
    resumed = _model()
    resumed.fit(X, Y, epochs=5, batch_size=4, shuffle=False, verbose=0,
                callbacks=[tf.keras.callbacks.BackupAndRestore(backup_dir)])
    straight = _model()
    straight.fit(X, Y, epochs=5, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(resumed.weights, straight.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    history = resumed.fit(X, Y, epochs=2, batch_size=4, verbose=0)  # a later fit starts from epoch 0 again
    assert len(history.history["loss"]) == 2


def test_checkpoint_deleted_after_successful_fit(tmp_path):
    backup_dir = str(tmp_path / "backup")
    _interrupted_fit(backup_dir, epoch=0)
    assert os.path.exists(backup_dir)
    _model().fit(X, Y, epochs=2, batch_size=4, verbose=0, callbacks=[tf.keras.callbacks.BackupAndRestore(backup_dir)])
    assert not os.path.exists(backup_dir)
    kept = str(tmp_path / "kept")
    _model().fit(X, Y, epochs=2, batch_size=4, verbose=0,
                 callbacks=[tf.keras.callbacks.BackupAndRestore(kept, delete_checkpoint=False)])
    assert os.listdir(kept) == ["latest.index"]


def test_save_freq_in_batches(tmp_path):
    backup_dir = str(tmp_path / "backup")
    # 4 batches an epoch; saves after batches 3, 6 (epoch 1, batch 1); the crash comes at batch 7.
    model = _interrupted_fit(backup_dir, batch=7, backup={"save_freq": 3})
    resumed = _model()
    callback = tf.keras.callbacks.BackupAndRestore(backup_dir)
    callback.set_model(resumed)
    callback.on_train_begin()
    assert int(resumed.optimizer.iterations) == 6
    assert resumed._initial_epoch == 1  # the epoch in progress is run again
    assert int(model.optimizer.iterations) == 7


def test_double_checkpoint_falls_back_to_previous(tmp_path):
    backup_dir = str(tmp_path / "backup")
    _interrupted_fit(backup_dir, epoch=2, backup={"double_checkpoint": True})
    assert sorted(os.listdir(backup_dir)) == ["latest.bkp.index", "latest.index"]
    with open(os.path.join(backup_dir, "latest.index"), "wb") as f:
        f.write(b"corrupt")
    resumed = _model()
    callback = tf.keras.callbacks.BackupAndRestore(backup_dir)
    callback.set_model(resumed)
    callback.on_train_begin()
    assert int(resumed.optimizer.iterations) == 8  # the backup written after the second epoch
    assert resumed._initial_epoch == 2


def test_backup_and_restore_errors():
    with pytest.raises(ValueError, match="^Empty `backup_dir` argument passed$"):
        tf.keras.callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match=r"^Invalid value for argument `save_freq`. Received: save_freq=often. "
                                         r"Expected either 'epoch' or an integer value.$"):
        tf.keras.callbacks.BackupAndRestore("/tmp/x", save_freq="often")
    unbuilt = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    callback = tf.keras.callbacks.BackupAndRestore("/tmp/never_created_backup")
    callback.set_model(unbuilt)
    with pytest.raises(ValueError, match="To use the BackupAndRestore callback, you model must be built"):
        callback.on_train_begin()
