"""Model.compile/fit/evaluate/predict: the seed's programs, convergence, printed output, trace counts,
multi-input/output models, custom train steps, datasets, sample/class weights, and bad input."""
import re

import numpy as np
import pytest

import eagerflow as tf

L = tf.keras.layers
BAR = "\u2501" * 20


def seed_model():
    model = tf.keras.Sequential([L.Dense(64, activation="relu", input_shape=(32,)), L.Dense(10)])
    model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def seed_data(n=100):
    rng = np.random.RandomState(0)
    return rng.rand(n, 32), rng.randint(0, 10, size=(n,))


def blobs(n=200, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, n)
    x = rng.randn(n, 2).astype("f") * 0.5 + np.where(y[:, None] == 1, 2.0, -2.0)
    return x, y


# ---- the seed's programs ---------------------------------------------------------------------------------

def test_seed_fit_runs_and_lowers_the_loss(capsys):
    tf.random.set_seed(0)
    x, y = seed_data()
    model = seed_model()
    history = model.fit(x, y, epochs=5, batch_size=32)
    assert isinstance(history, tf.keras.callbacks.History) and model.history is history
    assert sorted(history.history) == ["accuracy", "loss"] and history.epoch == [0, 1, 2, 3, 4]
    losses = history.history["loss"]
    assert losses[-1] < losses[0]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0::2] == [f"Epoch {i}/5" for i in range(1, 6)]
    pattern = re.compile(rf"^4/4 {BAR} \d+s \d+(us|ms|s)/step - accuracy: \d\.\d{{4}} - loss: \d\.\d{{4}}$")
    assert all(pattern.match(line) for line in lines[1::2]), lines
    assert lines[-1].endswith(f"loss: {losses[-1]:.4f}")


def test_seed_eager_loop_runs_and_lowers_the_loss():
    model = tf.keras.Sequential([L.Dense(10, input_shape=(None, 32))])
    loss_fn = tf.keras.losses.MeanSquaredError()
    optimizer = tf.keras.optimizers.Adam()
    x = tf.random.normal((64, 32))
    y = tf.random.normal((64, 10))
    losses = []
    for _ in range(100):
        with tf.GradientTape() as tape:
            predictions = model(x, training=True)
            loss = loss_fn(y, predictions)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        losses.append(float(loss.numpy()))
    assert losses[-1] < 0.8 * losses[0]
    assert int(optimizer.iterations) == 100


def test_converges_on_a_separable_problem():
    tf.random.set_seed(1)
    x, y = blobs()
    model = tf.keras.Sequential([tf.keras.Input((2,)), L.Dense(8, activation="relu"), L.Dense(2)])
    model.compile(tf.keras.optimizers.Adam(0.05), tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc >= 0.97 and loss < 0.2
    xt, yt = blobs(100, seed=5)
    assert np.mean(np.argmax(model.predict(xt, verbose=0), -1) == yt) >= 0.95


# ---- output formats -----------------------------------------------------------------------------------------

def test_verbose_modes(capsys):
    x, y = seed_data(40)
    model = seed_model()
    model.fit(x, y, epochs=1, batch_size=16, verbose=1)  # one epoch: no "Epoch 1/1" line, as Keras 3
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith(f"3/3 {BAR} ")
    model.fit(x, y, epochs=2, batch_size=16, verbose=2, validation_data=(x, y))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2" and re.match(r"^3/3 - \d+s - \d+(us|ms|s)/step - accuracy: \d\.\d{4} - loss: "
                                               r"\d\.\d{4} - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}$", out[1])
    model.fit(x, y, epochs=2, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""
    model.evaluate(x, y, batch_size=16)
    assert re.match(rf"^3/3 {BAR} \d+s \d+(us|ms|s)/step - accuracy: \d\.\d{{4}} - loss: \d\.\d{{4}}$",
                    capsys.readouterr().out.strip())
    model.predict(x, batch_size=16)
    assert re.match(rf"^3/3 {BAR} \d+s \d+(us|ms|s)/step$", capsys.readouterr().out.strip())


def test_small_values_use_scientific_notation(capsys):
    x = np.zeros((8, 2), "f")
    model = tf.keras.Sequential([tf.keras.Input((2,)), L.Dense(1, kernel_initializer="zeros")])
    model.compile("sgd", "mse")
    model.fit(x, np.full((8, 1), 1e-3, "f"), epochs=1, verbose=2)
    assert "loss: 1.0000e-06" in capsys.readouterr().out


# ---- trace counts --------------------------------------------------------------------------------------------

def test_train_step_traced_once_per_fit_with_a_ragged_last_batch():
    x, y = seed_data(100)  # 32, 32, 32, 4
    model = seed_model()
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert model.train_function.experimental_get_tracing_count() == 1
    model.fit(x[:50], y[:50], epochs=1, batch_size=16, verbose=0, validation_data=(x, y))
    assert model.train_function.experimental_get_tracing_count() == 1
    assert model.test_function.experimental_get_tracing_count() == 1
    model.evaluate(x, y, batch_size=7, verbose=0)
    assert model.test_function.experimental_get_tracing_count() == 1


def test_dataset_input_traces_at_most_twice():
    x, y = blobs(50)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)  # 16, 16, 16, 2
    model = tf.keras.Sequential([tf.keras.Input((2,)), L.Dense(2)])
    model.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(ds, epochs=3, verbose=0, validation_data=ds)
    assert model.train_function.experimental_get_tracing_count() <= 2
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert model.predict(ds.map(lambda a, b: a), verbose=0).shape == (50, 2)


def test_run_eagerly_matches_compiled():
    x, y = blobs(40)
    results = []
    for eager in (False, True):
        tf.keras.utils.set_random_seed(3)
        model = tf.keras.Sequential([tf.keras.Input((2,)), L.Dense(4, activation="relu"), L.Dense(1)])
        model.compile(tf.keras.optimizers.SGD(0.1), "mse", metrics=["mae"], run_eagerly=eager)
        history = model.fit(x, y.astype("f"), epochs=3, batch_size=8, shuffle=False, verbose=0)
        results.append((history.history["loss"], model.predict(x, verbose=0)))
        assert (model.train_function.experimental_get_tracing_count() == 0) == eager
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5, atol=1e-6)


# ---- return values -------------------------------------------------------------------------------------------

def test_evaluate_predict_and_single_batch_methods():
    x, y = seed_data(40)
    model = seed_model()
    model.fit(x, y, epochs=1, verbose=0)
    loss, acc = model.evaluate(x, y, verbose=0)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(logs) == ["accuracy", "loss"] and logs["loss"] == pytest.approx(loss) and logs["accuracy"] == acc
    assert model.metrics_names == ["loss", "compile_metrics"]
    many = model.predict(x, batch_size=8, verbose=0)  # compiled, five batches
    one = model.predict(x, batch_size=64, verbose=0)  # one batch: eager
    assert many.shape == (40, 10) and many.dtype == np.float32
    np.testing.assert_allclose(many, one, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), one[:5], rtol=1e-5, atol=1e-6)
    out = model.train_on_batch(x[:8], y[:8])
    assert isinstance(out, list) and len(out) == 2
    assert sorted(model.test_on_batch(x[:8], y[:8], return_dict=True)) == ["accuracy", "loss"]
    loss_only = tf.keras.Sequential([tf.keras.Input((32,)), L.Dense(1)])
    loss_only.compile("sgd", "mse")
    assert isinstance(loss_only.evaluate(x, y.astype("f"), verbose=0), float)


def test_validation_split_holds_out_the_last_samples():
    x, y = seed_data(50)
    model = seed_model()
    history = model.fit(x, y, epochs=2, validation_split=0.2, verbose=0, shuffle=False)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x[40:], y[40:], verbose=0)[0], rel=1e-6)


def test_accuracy_resolution_by_shapes():
    x = np.ones((6, 3), "f")
    cases = [(1, np.ones((6, 1), "f"), "binary_crossentropy", "BinaryAccuracy"),
             (3, np.eye(3, dtype="f")[[0, 1, 2, 0, 1, 2]], "categorical_crossentropy", "CategoricalAccuracy"),
             (3, np.array([0, 1, 2, 0, 1, 2]), "sparse_categorical_crossentropy", "SparseCategoricalAccuracy")]
    for units, y, loss, expected in cases:
        model = tf.keras.Sequential([tf.keras.Input((3,)), L.Dense(units, activation="softmax" if units > 1
                                                                     else "sigmoid")])
        model.compile("sgd", loss, metrics=["accuracy", "acc"])
        model.fit(x, y, verbose=0)
        assert [(type(m).__name__, m.name) for m in model.metrics[1].metrics] == [(expected, "accuracy"),
                                                                                 (expected, "acc")]


def test_sample_weight_and_class_weight():
    x = np.array([[1.0], [2.0], [3.0], [4.0]], "f")
    y = np.array([[0.0], [0.0], [0.0], [0.0]], "f")
    model = tf.keras.Sequential([tf.keras.Input((1,)), L.Dense(1, use_bias=False, kernel_initializer="ones")])
    model.compile("sgd", "mse")
    w = np.array([1.0, 0.0, 2.0, 0.5], "f")
    # sum_over_batch_size: sum(w * se) / batch size, then averaged over batches weighted by their size
    expected = np.sum(w * x[:, 0] ** 2) / 4
    assert model.evaluate(x, y, sample_weight=w, verbose=0) == pytest.approx(expected)
    labels = np.array([0, 1, 1, 0])
    clf = tf.keras.Sequential([tf.keras.Input((1,)), L.Dense(2, kernel_initializer="zeros")])
    clf.compile("sgd", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = clf.fit(x, labels, class_weight={0: 1.0, 1: 3.0}, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(np.log(2) * (1 + 3 + 3 + 1) / 4, rel=1e-5)


def test_regularization_losses_are_added():
    x = np.ones((4, 2), "f")
    model = tf.keras.Sequential([tf.keras.Input((2,)), L.Dense(1, kernel_initializer="ones", use_bias=False,
                                                               kernel_regularizer=tf.keras.regularizers.l2(0.1))])
    model.compile("sgd", "mse")
    assert model.evaluate(x, np.zeros((4, 1), "f"), verbose=0) == pytest.approx(4.0 + 0.1 * 2)


def test_batchnorm_statistics_update_in_the_compiled_step():
    x = np.random.RandomState(0).randn(32, 3).astype("f") * 2 + 5
    model = tf.keras.Sequential([tf.keras.Input((3,)), L.BatchNormalization(), L.Dense(1)])
    model.compile("sgd", "mse")
    bn = model.layers[0]
    before = bn.moving_mean.numpy().copy()
    model.fit(x, np.zeros((32, 1), "f"), epochs=2, batch_size=8, verbose=0)
    assert np.all(bn.moving_mean.numpy() > before + 0.3)  # momentum 0.99, 8 steps towards ~5


# ---- several inputs and outputs ----------------------------------------------------------------------------------

def two_headed_model():
    a, b = tf.keras.Input((3,), name="a"), tf.keras.Input((2,), name="b")
    h = L.Concatenate()([a, b])
    model = tf.keras.Model([a, b], [L.Dense(1, name="reg")(h), L.Dense(3, name="cls")(h)])
    model.compile("adam", loss={"reg": "mse", "cls": tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)},
                  loss_weights={"reg": 0.5, "cls": 2.0}, metrics={"cls": ["accuracy"], "reg": ["mae"]})
    return model


def test_multi_input_multi_output():
    rng = np.random.RandomState(0)
    xa, xb = rng.rand(20, 3).astype("f"), rng.rand(20, 2).astype("f")
    yr, yc = rng.rand(20, 1).astype("f"), rng.randint(0, 3, 20)
    model = two_headed_model()
    history = model.fit([xa, xb], [yr, yc], epochs=2, batch_size=8, verbose=0, validation_split=0.25)
    assert sorted(history.history) == ["cls_accuracy", "cls_loss", "loss", "reg_loss", "reg_mae", "val_cls_accuracy",
                                       "val_cls_loss", "val_loss", "val_reg_loss", "val_reg_mae"]
    logs = model.evaluate({"a": xa, "b": xb}, {"reg": yr, "cls": yc}, batch_size=20, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(0.5 * logs["reg_loss"] + 2.0 * logs["cls_loss"], rel=1e-5)
    preds = model.predict([xa, xb], verbose=0)
    assert [p.shape for p in preds] == [(20, 1), (20, 3)]
    assert model.metrics_names == ["loss", "compile_metrics", "reg_loss", "cls_loss"]


def test_loss_list_for_outputs_and_errors():
    a = tf.keras.Input((2,))
    model = tf.keras.Model(a, [L.Dense(1, name="o1")(a), L.Dense(1, name="o2")(a)])
    model.compile("sgd", ["mse", "mae"])
    x, y = np.ones((4, 2), "f"), np.zeros((4, 1), "f")
    assert sorted(model.fit(x, [y, y], verbose=0).history) == ["loss", "o1_loss", "o2_loss"]
    model.compile("sgd", ["mse", "mae", "mse"])
    with pytest.raises(ValueError, match="one entry per output: the model has 2 outputs, got 3"):
        model.fit(x, [y, y], verbose=0)
    model.compile("sgd", {"o1": "mse", "nope": "mae"})
    with pytest.raises(ValueError, match=r"Expected keys \['o1', 'o2'\]"):
        model.fit(x, [y, y], verbose=0)


# ---- custom steps and other inputs ----------------------------------------------------------------------------------

class CustomStep(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = L.Dense(1)
        self.tracker = tf.keras.metrics.Mean(name="my_loss")
        self.traces = 0

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        self.traces += 1  # Python side effect: runs only while tracing
        x, y = data
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.tracker.update_state(loss)
        return {"my_loss": self.tracker.result()}


def test_overridden_train_step():
    x = np.random.RandomState(0).rand(30, 2).astype("f")
    y = x @ np.array([[1.0], [-1.0]], "f")
    model = CustomStep()
    model.compile(tf.keras.optimizers.SGD(0.5))
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert list(history.history) == ["my_loss"]
    assert history.history["my_loss"][-1] < history.history["my_loss"][0]
    assert model.traces == 1
    assert model.tracker in model.metrics


def test_generator_and_steps_per_epoch():
    x, y = blobs(40)

    def batches():
        while True:
            for i in range(0, 40, 10):
                yield x[i:i + 10], y[i:i + 10]
    model = tf.keras.Sequential([tf.keras.Input((2,)), L.Dense(2)])
    model.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    seen = []
    cb = tf.keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    model.fit(x, y, batch_size=10, steps_per_epoch=2, epochs=2, verbose=0, callbacks=[cb])
    assert seen == [0, 1, 0, 1]


# ---- bad input -------------------------------------------------------------------------------------------------------

def test_errors_name_what_was_given_and_expected():
    x, y = seed_data(8)
    model = seed_model()
    with pytest.raises(ValueError, match=r"Data cardinality is ambiguous.*'x' sizes: 8\n'y' sizes: 9"):
        model.fit(x, np.zeros(9), verbose=0)
    with pytest.raises(ValueError, match=r"label value of 12 which is outside the valid range of \[0, 10\).*"
                                         r"from 0 to 12"):
        model.fit(x, np.array([0, 1, 2, 3, 4, 5, 6, 12]), verbose=0)
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 32.*\((None|8), 5\)"):
        model.fit(np.ones((8, 5)), y, verbose=0)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: adamx"):
        model.compile("adamx", "mse")
    with pytest.raises(ValueError, match="Could not interpret loss identifier: msex"):
        model.compile("adam", "msex")
    with pytest.raises(ValueError, match="Could not interpret metric identifier: accx"):
        model.compile("adam", "mse", metrics=["accx"])
    fresh = tf.keras.Sequential([tf.keras.Input((32,)), L.Dense(10)])
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before using the model"):
        fresh.fit(x, y)
    fresh.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"received targets `y` of shape \(None, 3\).*output has shape \(None, 10\)"):
        fresh.fit(x, np.ones((8, 3)), verbose=0)
    fresh.compile("sgd")
    with pytest.raises(ValueError, match="No loss to compute"):
        fresh.fit(x, np.ones((8, 10)), verbose=0)
    with pytest.raises(ValueError, match="not sufficient to split"):
        model.fit(x[:1], y[:1], validation_split=0.5, verbose=0)
    with pytest.raises(ValueError, match="Unrecognized data type"):
        model.fit("data", verbose=0)


# ---- docstring examples ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("module", ["trainer", "optimizers", "base_optimizer", "schedules", "losses", "metrics",
                                    "metrics_base", "confusion_metrics", "callbacks", "progbar", "data_adapter",
                                    "compile_utils"])
def test_docstring_examples(module):
    import doctest
    import importlib
    mod = importlib.import_module(f"eagerflow.keras.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_overridden_test_step_drives_evaluate_and_validation():
    class Scored(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(1)

        def call(self, x):
            return self.dense(x)

        def test_step(self, data):
            x, y = data
            return {"score": tf.reduce_mean(tf.abs(self(x) - y))}

    x = np.ones((8, 2), "f")
    model = Scored()
    model.compile("sgd", "mse")
    assert list(model.evaluate(x, np.zeros((8, 1), "f"), verbose=0, return_dict=True)) == ["score"]
    history = model.fit(x, np.zeros((8, 1), "f"), validation_data=(x, np.zeros((8, 1), "f")), verbose=0)
    assert sorted(history.history) == ["loss", "val_score"]


def test_fit_on_a_dataset_equals_fit_on_the_same_arrays():
    x, y = blobs(50)
    results = []
    for use_dataset in (False, True):
        tf.keras.utils.set_random_seed(5)
        model = tf.keras.Sequential([tf.keras.Input((2,)), L.Dense(4, activation="relu"), L.Dense(2)])
        model.compile(tf.keras.optimizers.SGD(0.1), tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
        if use_dataset:
            data = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
            history = model.fit(data, epochs=3, verbose=0)
        else:
            history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        results.append((history.history, model.get_weights()))
    (h_arrays, w_arrays), (h_ds, w_ds) = results
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(h_ds[key], h_arrays[key], rtol=1e-6)
    for a, b in zip(w_arrays, w_ds):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)
