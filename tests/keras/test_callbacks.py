"""tf.keras.callbacks and the progress bar: hook order, History, EarlyStopping (restore_best_weights),
ModelCheckpoint, LearningRateScheduler, ReduceLROnPlateau, CSVLogger, TerminateOnNaN, LambdaCallback,
stop_training, and Keras 3's exact progress-bar bytes on a terminal."""
import io
import logging
import re
import sys

import numpy as np
import pytest

import eagerflow as tf
from eagerflow.keras.progbar import Progbar

C = tf.keras.callbacks
L = tf.keras.layers


def linear_data(n=40):
    x = np.random.RandomState(0).rand(n, 3).astype("f")
    return x, x @ np.array([[1.0], [2.0], [-1.0]], "f")


def linear_model(lr=0.1, metrics=("mae",)):
    model = tf.keras.Sequential([tf.keras.Input((3,)), L.Dense(1)])
    model.compile(tf.keras.optimizers.SGD(lr), "mse", metrics=list(metrics))
    return model


class Recorder(C.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin",))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch, sorted(logs)))

    def on_test_begin(self, logs=None):
        self.calls.append(("test_begin",))

    def on_test_batch_end(self, batch, logs=None):
        self.calls.append(("test_batch_end", batch))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, sorted(logs)))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end", sorted(logs)))


def test_hook_order_params_and_logs():
    x, y = linear_data(40)
    model = linear_model()
    rec = Recorder()
    model.fit(x, y, epochs=2, batch_size=20, verbose=0, callbacks=[rec], validation_data=(x, y))
    train_logs, val_logs = ["loss", "mae"], ["loss", "mae", "val_loss", "val_mae"]
    epoch = [("batch_end", 0, train_logs), ("batch_end", 1, train_logs), ("test_begin",), ("test_batch_end", 0),
             ("test_batch_end", 1)]
    assert rec.calls == ([("train_begin",), ("epoch_begin", 0)] + epoch + [("epoch_end", 0, val_logs),
                         ("epoch_begin", 1)] + epoch + [("epoch_end", 1, val_logs), ("train_end", val_logs)])
    assert rec.params == {"verbose": 0, "epochs": 2, "steps": 2}
    assert rec.model is model


def test_logs_are_python_floats():
    x, y = linear_data(8)
    seen = []
    model = linear_model()
    model.fit(x, y, verbose=0, callbacks=[C.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(logs))])
    assert all(type(v) is float for v in seen[0].values())
    assert all(type(v) is float for v in model.history.history["loss"])


def test_history_collects_epochs():
    x, y = linear_data(8)
    model = linear_model()
    history = model.fit(x, y, epochs=3, verbose=0, initial_epoch=1)
    assert history.epoch == [1, 2] and len(history.history["loss"]) == 2


def test_stop_training_from_a_callback():
    x, y = linear_data(40)
    model = linear_model()

    class StopAfterTwoBatches(C.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True
    batches = []
    cb = C.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(b))
    history = model.fit(x, y, epochs=5, batch_size=10, verbose=0, callbacks=[StopAfterTwoBatches(), cb])
    assert batches == [0, 1] and len(history.history["loss"]) == 1


def test_early_stopping_restores_the_best_weights(capsys):
    x, y = linear_data(40)
    model = linear_model(lr=3.0)  # diverges: the first epoch is the best
    stop = C.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True, verbose=1)
    saved = []
    record = C.LambdaCallback(on_epoch_end=lambda e, logs: saved.append(model.get_weights()))
    history = model.fit(x, y, epochs=10, verbose=0, callbacks=[record, stop])
    assert len(history.history["loss"]) == 2 and stop.stopped_epoch == 1 and stop.best_epoch == 0
    for w, best in zip(model.get_weights(), saved[0]):
        np.testing.assert_array_equal(w, best)
    assert capsys.readouterr().out == ("Epoch 2: early stopping\n"
                                       "Restoring model weights from the end of the best epoch: 1.\n")


def test_early_stopping_patience_min_delta_and_mode():
    stop = C.EarlyStopping(monitor="val_accuracy", patience=2, min_delta=0.01)
    model = linear_model()
    stop.set_model(model)
    model.compile("sgd", "mse", metrics=["accuracy"])
    model.fit(np.ones((2, 3)), np.ones((2, 1)), verbose=0)  # builds the accuracy metric
    stop.on_train_begin()
    for epoch, acc in enumerate([0.5, 0.505, 0.52, 0.525, 0.528]):
        stop.on_epoch_end(epoch, {"val_accuracy": acc})
    assert stop.best == 0.52 and model.stop_training and stop.stopped_epoch == 4
    with pytest.raises(ValueError, match="maximized or minimized"):
        odd = C.EarlyStopping(monitor="weird_metric")
        odd.set_model(model)
        odd.on_epoch_end(0, {"weird_metric": 1.0})


def test_early_stopping_missing_metric_warns(caplog):
    x, y = linear_data(8)
    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        linear_model().fit(x, y, epochs=2, verbose=0, callbacks=[C.EarlyStopping()])
    assert "Early stopping conditioned on metric `val_loss` which is not available" in caplog.text


def test_learning_rate_scheduler_and_reduce_on_plateau(capsys):
    x, y = linear_data(16)
    model = linear_model(lr=0.1)
    sched = C.LearningRateScheduler(lambda epoch, lr: lr * 0.5, verbose=1)
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[sched])
    np.testing.assert_allclose(history.history["learning_rate"], [0.05, 0.025, 0.0125], rtol=1e-6)
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.05" in capsys.readouterr().out
    assert model.train_function.experimental_get_tracing_count() == 1  # the rate is a variable: no retrace
    model = linear_model(lr=1e-4)
    plateau = C.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0)
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[plateau])
    np.testing.assert_allclose(history.history["learning_rate"], [1e-4, 1e-4, 5e-5], rtol=1e-6)
    assert float(model.optimizer.learning_rate) == pytest.approx(2.5e-5)
    with pytest.raises(ValueError, match="factor >= 1.0"):
        C.ReduceLROnPlateau(factor=2.0)
    with pytest.raises(ValueError, match="should be a float"):
        linear_model().fit(x, y, verbose=0, callbacks=[C.LearningRateScheduler(lambda epoch: "fast")])


def test_csv_logger(tmp_path):
    x, y = linear_data(16)
    path = tmp_path / "log.csv"
    linear_model().fit(x, y, epochs=2, verbose=0, validation_split=0.25, callbacks=[C.CSVLogger(str(path))])
    rows = path.read_text().splitlines()
    assert rows[0] == "epoch,loss,mae,val_loss,val_mae" and rows[1].startswith("0,") and len(rows) == 3
    linear_model().fit(x, y, epochs=1, verbose=0, callbacks=[C.CSVLogger(str(path), append=True)])
    assert len(path.read_text().splitlines()) == 4  # no second header when appending


def test_terminate_on_nan(capsys):
    x, y = linear_data(16)
    model = linear_model(lr=1e8)
    with np.errstate(all="ignore"):
        history = model.fit(x, y, epochs=3, batch_size=4, verbose=0, callbacks=[C.TerminateOnNaN()])
        assert len(history.history["loss"]) == 1 and "Invalid loss, terminating training" in capsys.readouterr().out
        with pytest.raises(RuntimeError, match="NaN or Inf loss encountered"):
            linear_model(lr=1e8).fit(x, y, epochs=3, batch_size=4, verbose=0,
                                     callbacks=[C.TerminateOnNaN(raise_error=True)])


def test_model_checkpoint(tmp_path):
    x, y = linear_data(8)
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        C.ModelCheckpoint(str(tmp_path / "w.h5"), save_weights_only=True)
    with pytest.raises(ValueError, match="must end in `.keras`"):
        C.ModelCheckpoint(str(tmp_path / "m.bin"))
    model = linear_model()
    if not hasattr(model, "save_weights"):
        with pytest.raises(NotImplementedError, match=r"model.save_weights\(\).*persistence issue"):
            model.fit(x, y, verbose=0, callbacks=[C.ModelCheckpoint(str(tmp_path / "w.weights.h5"),
                                                                    save_weights_only=True, monitor="loss")])
        return
    path = tmp_path / "ep{epoch:02d}.weights.h5"
    model.fit(x, y, epochs=2, verbose=0, callbacks=[C.ModelCheckpoint(str(path), save_weights_only=True,
                                                                       monitor="loss")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ep01.weights.h5", "ep02.weights.h5"]


def test_model_checkpoint_save_best_only_decisions(capsys):
    saves = []

    class Saver:
        def save_weights(self, path, overwrite=True):
            saves.append(path)
    checkpoint = C.ModelCheckpoint("best.weights.h5", monitor="val_loss", save_best_only=True,
                                   save_weights_only=True, verbose=1, mode="min")
    checkpoint.set_model(Saver())
    for epoch, value in enumerate([1.0, 0.5, 0.7, 0.2]):
        checkpoint.on_epoch_end(epoch, {"val_loss": value})
    assert len(saves) == 3
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from None to 1.00000, saving model to best.weights.h5" in out
    assert "Epoch 3: val_loss did not improve from 0.50000" in out


def test_lambda_callback_and_callback_list():
    events = []
    cb = C.LambdaCallback(on_train_begin=lambda logs: events.append("begin"),
                          on_train_end=lambda logs: events.append("end"))
    x, y = linear_data(8)
    linear_model().fit(x, y, epochs=1, verbose=0, callbacks=C.CallbackList([cb]))
    assert events == ["begin", "end"]
    cbl = C.CallbackList([C.Callback()], add_history=True, add_progbar=True)
    assert [type(c).__name__ for c in cbl.callbacks] == ["Callback", "History", "ProgbarLogger"]
    assert not cbl.has_batch_hooks("test") or isinstance(cbl.callbacks[-1], C.ProgbarLogger)


# ---- the progress bar on a terminal: Keras 3's bytes ---------------------------------------------------------

class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progbar_terminal_bytes_match_keras(monkeypatch):
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", term)
    bar = Progbar(3, stateless_metrics=set())
    bar._start -= 10  # pretend each step took a while: deterministic "Xs" texts
    bar.update(1, [("loss", 0.5)])
    bar._last_update = 0  # bypass the 0.05 s redraw throttle
    bar._time_after_first_step -= 20
    bar.update(3, [("loss", 0.25), ("acc", 0.0001)])
    text = term.getvalue()
    green, grey, bold, reset = "\x1b[32m", "\x1b[37m", "\x1b[1m", "\x1b[0m"
    first = (f"\r{bold}1/3{reset} {green}{'━' * 6}{reset}{grey}{'━' * 14}{reset} {bold}20s{reset} 10s/step"
             " - loss: 0.5000")
    assert text.startswith(first)
    second = (f"\r{bold}3/3{reset} {green}{'━' * 20}{reset}{grey}{reset} {bold}10s{reset} 10s/step - loss: 0.2500"
              " - acc: 1.0000e-04\n")
    assert text[len(first):] == "\b" * 52 + second  # 52: the visible width of the first line


def test_progbar_plain_output_and_verbose_2(capsys):
    bar = Progbar(2)
    bar.update(1, [("loss", 1.0)])
    assert capsys.readouterr().out == ""  # not a terminal: only the final line
    bar.update(2, [("loss", 3.0)])
    out = capsys.readouterr().out
    assert re.match(r"^2/2 ━{20} 0s \d+us/step - loss: 3\.0000\n$", out)  # the final update shows its value
    unknown = Progbar(None, verbose=1)
    unknown.update(5, finalize=True)
    assert re.match(r"^      5/Unknown 0s \d+us/step\n$", capsys.readouterr().out)
    averaged = Progbar(2, verbose=2, stateful_metrics=[])
    averaged.update(1, [("loss", 1.0)])
    averaged.update(2, [("loss", 3.0)], finalize=False)
    averaged.update(2, [], finalize=True)
    assert re.match(r"^2/2 - 0s - \d+us/step - loss: 2\.0000\n$", capsys.readouterr().out)


@pytest.mark.skipif(not hasattr(tf.keras.Model, "save"), reason="model files come with the persistence layer")
def test_model_checkpoint_whole_model_best_only(tmp_path):
    x, y = linear_data(16)
    model = linear_model()
    checkpoint = C.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="loss", save_best_only=True)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[checkpoint])
    assert [p.name for p in tmp_path.iterdir()] == ["best.keras"]
    assert checkpoint.best == pytest.approx(min(model.history.history["loss"]))
