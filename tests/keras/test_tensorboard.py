"""tf.keras.callbacks.TensorBoard: fit writes train/ and validation/ event files with Keras 3's tags.

The files are read back with the record reader of tests/test_summary.py (CRCs checked).
KERAS_TAGS lists the (step, tag) sequence TF 2.21 / Keras 3 wrote for the same fit (2 epochs, 2
batches each), without its `keras` model-config event (write_graph writes nothing in eagerflow).
"""
import importlib.util
import os

import numpy as np
import pytest

import eagerflow as tf

_spec = importlib.util.spec_from_file_location(
    "summary_reader", os.path.join(os.path.dirname(__file__), os.pardir, "test_summary.py"))
reader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reader)

KERAS_TAGS = {
    "epoch": {
        "train": [(0, "epoch_loss"), (0, "epoch_mae"), (0, "epoch_learning_rate"),
                  (1, "epoch_loss"), (1, "epoch_mae"), (1, "epoch_learning_rate")],
        "validation": [(2, "evaluation_loss_vs_iterations"), (2, "evaluation_mae_vs_iterations"),
                       (0, "epoch_loss"), (0, "epoch_mae"),
                       (4, "evaluation_loss_vs_iterations"), (4, "evaluation_mae_vs_iterations"),
                       (1, "epoch_loss"), (1, "epoch_mae")],
    },
    "batch": {
        "train": [(1, "batch_loss"), (1, "batch_mae"), (2, "batch_loss"), (2, "batch_mae"),
                  (0, "epoch_loss"), (0, "epoch_mae"), (0, "epoch_learning_rate"),
                  (0, "d1/kernel/histogram"), (0, "d1/bias/histogram"),
                  (0, "out/kernel/histogram"), (0, "out/bias/histogram"),
                  (3, "batch_loss"), (3, "batch_mae"), (4, "batch_loss"), (4, "batch_mae"),
                  (1, "epoch_loss"), (1, "epoch_mae"), (1, "epoch_learning_rate"),
                  (1, "d1/kernel/histogram"), (1, "d1/bias/histogram"),
                  (1, "out/kernel/histogram"), (1, "out/bias/histogram")],
    },
    "every 2 with steps_per_second": {
        "train": [(2, "batch_steps_per_second"), (2, "batch_loss"), (2, "batch_mae"),
                  (0, "epoch_loss"), (0, "epoch_mae"), (0, "epoch_learning_rate"), (0, "epoch_steps_per_second"),
                  (4, "batch_steps_per_second"), (4, "batch_loss"), (4, "batch_mae"),
                  (1, "epoch_loss"), (1, "epoch_mae"), (1, "epoch_learning_rate"), (1, "epoch_steps_per_second")],
    },
}
CONFIGS = {"epoch": {}, "batch": {"update_freq": "batch", "histogram_freq": 1},
           "every 2 with steps_per_second": {"update_freq": 2, "write_steps_per_second": True}}


def _model():
    m = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2, name="d1"),
                             tf.keras.layers.Dense(1, name="out")], name="seq")
    m.compile(tf.keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    return m


def _data():
    return np.arange(24, dtype="float32").reshape(8, 3) / 10, np.ones((8, 1), "float32")


def _tags(logdir):
    return [(e["step"], e["tag"].replace("seq/", "", 1)) for e in reader.summaries(logdir)]


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_fit_writes_keras_tags(tmp_path, case):
    x, y = _data()
    model = _model()
    history = model.fit(x, y, batch_size=4, epochs=2, validation_data=(x, y), verbose=0,
                        callbacks=[tf.keras.callbacks.TensorBoard(str(tmp_path), **CONFIGS[case])])
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    assert _tags(tmp_path / "train") == KERAS_TAGS[case]["train"]
    if "validation" in KERAS_TAGS[case]:
        assert _tags(tmp_path / "validation") == KERAS_TAGS[case]["validation"]
    train = reader.summaries(tmp_path / "train")
    epoch_loss = [float(e["value"]) for e in train if e["tag"] == "epoch_loss"]
    np.testing.assert_allclose(epoch_loss, history.history["loss"], rtol=1e-6)
    lr = [float(e["value"]) for e in train if e["tag"] == "epoch_learning_rate"]
    np.testing.assert_allclose(lr, [0.05, 0.05], rtol=1e-6)
    val = reader.summaries(tmp_path / "validation")
    np.testing.assert_allclose([float(e["value"]) for e in val if e["tag"] == "epoch_mae"],
                               history.history["val_mae"], rtol=1e-6)
    assert all(e["plugin"] in ("scalars", "histograms") for e in train + val)


def test_histograms_are_the_final_weights(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=4, epochs=1, verbose=0,
              callbacks=[tf.keras.callbacks.TensorBoard(str(tmp_path), histogram_freq=1)])
    hist = {e["tag"]: e["value"] for e in reader.summaries(tmp_path / "train") if e["plugin"] == "histograms"}
    kernel = model.get_layer("d1").kernel.numpy()
    h = hist["seq/d1/kernel/histogram"]
    assert h.shape == (30, 3) and h[:, 2].sum() == kernel.size
    assert h[0, 0] == pytest.approx(kernel.min()) and h[-1, 1] == pytest.approx(kernel.max())


def test_histogram_freq_two_and_write_images(tmp_path):
    x, y = _data()
    _model().fit(x, y, batch_size=8, epochs=3, verbose=0,
                 callbacks=[tf.keras.callbacks.TensorBoard(str(tmp_path), histogram_freq=2, write_images=True)])
    ev = reader.summaries(tmp_path / "train")
    assert sorted({e["step"] for e in ev if e["plugin"] == "histograms"}) == [0, 2]
    images = [e for e in ev if e["tag"] == "seq/d1/kernel/image"]
    assert [e["step"] for e in images] == [0, 2]
    assert images[0]["value"][:2].tolist() == [b"3", b"2"]  # the 3x2 kernel, transposed to 2 rows of 3
    assert images[0]["value"][2].startswith(b"\x89PNG")


def test_custom_summaries_inside_batches(tmp_path):
    class Logs(tf.keras.layers.Layer):
        def call(self, inputs):
            tf.summary.scalar("mean_input", tf.reduce_mean(inputs))
            return inputs

    x, y = _data()
    model = tf.keras.Sequential([tf.keras.Input((3,)), Logs(), tf.keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.run_eagerly = True
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False,
              callbacks=[tf.keras.callbacks.TensorBoard(str(tmp_path), update_freq="batch")])
    means = [(e["step"], float(e["value"])) for e in reader.summaries(tmp_path / "train")
             if e["tag"].endswith("mean_input")]
    assert means == [(1, pytest.approx(x[:4].mean())), (2, pytest.approx(x[4:].mean()))]


def test_arguments():
    cb = tf.keras.callbacks.TensorBoard()
    assert (cb.log_dir, cb.histogram_freq, cb.write_graph, cb.update_freq) == ("logs", 0, True, "epoch")
    assert tf.keras.callbacks.TensorBoard(update_freq="batch").update_freq == 1
    with pytest.raises(NotImplementedError, match="profile_batch"):
        tf.keras.callbacks.TensorBoard(profile_batch=2)
    with pytest.raises(NotImplementedError, match="embeddings_freq"):
        tf.keras.callbacks.TensorBoard(embeddings_freq=1)
    with pytest.raises(ValueError, match="update_freq"):
        tf.keras.callbacks.TensorBoard(update_freq="sometimes")
    tf.keras.callbacks.TensorBoard(profile_batch=None, embeddings_freq=None)
