"""`.weights.h5` and `.keras` files move between eagerflow and TensorFlow 2.21's Keras 3, both ways.

The same model-building source runs in both frameworks. eagerflow trains and saves; a TensorFlow
subprocess loads those files into the same architectures (predictions and optimizer iteration
counts must match), continues training one epoch from the `.keras` file, then trains and saves
its own; eagerflow loads TensorFlow's files and checks the same, including that one more epoch
from the restored optimizer state gives what TensorFlow computed.

Runs only where a TensorFlow interpreter is available (the reference venv at /tmp/tfref, or
$EAGERFLOW_TF_PYTHON); skipped otherwise (CI installs no TensorFlow).
"""
import json
import os
import subprocess
import textwrap

import numpy as np
import pytest

import eagerflow as tf
from eagerflow.keras import saving_weights

TF_PYTHON = os.environ.get("EAGERFLOW_TF_PYTHON", "/tmp/tfref/bin/python")

pytestmark = [
    pytest.mark.skipif(not os.path.exists(TF_PYTHON), reason=f"no TensorFlow interpreter at {TF_PYTHON} "
                       "(set EAGERFLOW_TF_PYTHON to a Python with tensorflow installed)"),
    pytest.mark.skipif(saving_weights.h5py is None, reason="h5py is not installed (pip install eagerflow[h5])"),
]

MODELS = textwrap.dedent('''
    import numpy as np

    def make_models(tf):
        keras = tf.keras

        @keras.utils.register_keras_serializable(package="interop")
        class Tower(keras.Model):
            def __init__(self, width=3, **kwargs):
                super().__init__(**kwargs)
                self.width = width
                self.enc = keras.layers.Dense(width, activation="relu")
                self.blocks = [keras.layers.Dense(width), keras.layers.Dense(width)]
                self.heads = {"b": keras.layers.Dense(2), "a": keras.layers.Dense(2)}
                self.offset = self.add_weight(shape=(2,), initializer="zeros", name="offset")

            def call(self, x):
                h = self.enc(x)
                for block in self.blocks:
                    h = block(h)
                return self.heads["a"](h) + self.heads["b"](h) + self.offset

            def get_config(self):
                return {**super().get_config(), "width": self.width}

        models = {}
        # (no bias before BatchNormalization: its gradient is rounding noise that Adam would amplify)
        models["mlp"] = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, use_bias=False),
                                          keras.layers.BatchNormalization(), keras.layers.Activation("relu"),
                                          keras.layers.Dense(3)])
        a, b = keras.Input((4,), name="a"), keras.Input((2,), name="b")
        h = keras.layers.Concatenate()([keras.layers.Dense(5)(a), b])
        inner = keras.Sequential([keras.layers.Dense(4, activation="tanh"), keras.layers.LayerNormalization()],
                                 name="inner")
        models["functional"] = keras.Model([a, b], keras.layers.Dense(1)(inner(h)))
        models["conv"] = keras.Sequential([keras.Input((8, 8, 2)), keras.layers.Conv2D(3, 3, padding="same"),
                                           keras.layers.MaxPooling2D(), keras.layers.Flatten(), keras.layers.Dense(2)])
        models["rnn"] = keras.Sequential([keras.Input((5, 3)), keras.layers.LSTM(3, return_sequences=True),
                                          keras.layers.GRU(2)])
        models["embedding"] = keras.Sequential([keras.Input((5,), dtype="int32"), keras.layers.Embedding(10, 4),
                                                keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(2)])
        tower = Tower()
        tower(np.zeros((1, 6), "float32"))
        models["subclassed"] = tower
        return models

    def data(name):
        rng = np.random.RandomState(0)
        if name == "functional":
            x = [rng.rand(8, 4).astype("float32"), rng.rand(8, 2).astype("float32")]
            return x, rng.rand(8, 1).astype("float32")
        if name == "conv":
            return rng.rand(8, 8, 8, 2).astype("float32"), rng.rand(8, 2).astype("float32")
        if name == "rnn":
            return rng.rand(8, 5, 3).astype("float32"), rng.rand(8, 2).astype("float32")
        if name == "embedding":
            return rng.randint(0, 10, size=(8, 5)).astype("int32"), rng.rand(8, 2).astype("float32")
        if name == "mlp":
            return rng.rand(8, 6).astype("float32"), rng.rand(8, 3).astype("float32")
        return rng.rand(8, 6).astype("float32"), rng.rand(8, 2).astype("float32")

    def compile_and_fit(tf, model, name, epochs):
        x, y = data(name)
        model.compile(tf.keras.optimizers.Adam(0.01), "mse")
        if epochs:
            model.fit(x, y, epochs=epochs, batch_size=4, shuffle=False, verbose=0)
''')

TF_SIDE = textwrap.dedent('''
    import json, sys
    import numpy as np
    import tensorflow as tf
    sys.path.insert(0, sys.argv[1])
    from interop_models import make_models, data, compile_and_fit

    d = sys.argv[1]
    report = {}
    for name, model in make_models(tf).items():
        x, _ = data(name)
        want = np.load(f"{d}/ef_{name}.npy")
        compile_and_fit(tf, model, name, epochs=0)
        model.optimizer.build(model.trainable_variables)
        model.load_weights(f"{d}/ef_{name}.weights.h5")
        r = {"weights_pred": float(np.max(np.abs(model.predict(x, verbose=0) - want))),
             "weights_iterations": int(model.optimizer.iterations)}
        loaded = tf.keras.models.load_model(f"{d}/ef_{name}.keras")
        r["keras_pred"] = float(np.max(np.abs(loaded.predict(x, verbose=0) - want)))
        r["keras_iterations"] = int(loaded.optimizer.iterations)
        r["keras_class"] = type(loaded).__name__
        loaded.fit(x, data(name)[1], epochs=1, batch_size=4, shuffle=False, verbose=0)
        np.save(f"{d}/tf_continued_{name}.npy", loaded.predict(x, verbose=0))
        fresh = make_models(tf)[name]
        compile_and_fit(tf, fresh, name, epochs=2)
        fresh.save_weights(f"{d}/tf_{name}.weights.h5")
        fresh.save(f"{d}/tf_{name}.keras")
        np.save(f"{d}/tf_{name}.npy", fresh.predict(x, verbose=0))
        report[name] = r
    print(json.dumps(report))
''')


def _namespace():
    scope = {}
    exec(compile(MODELS, "interop_models.py", "exec"), scope)  # noqa: S102 - the test's own model source
    return scope


@pytest.fixture(scope="module")
def exchanged(tmp_path_factory):
    d = tmp_path_factory.mktemp("interop")
    (d / "interop_models.py").write_text(MODELS)
    (d / "tf_side.py").write_text(TF_SIDE)
    ns = _namespace()
    for name, model in ns["make_models"](tf).items():
        ns["compile_and_fit"](tf, model, name, epochs=2)
        model.save_weights(str(d / f"ef_{name}.weights.h5"))
        model.save(str(d / f"ef_{name}.keras"))
        np.save(d / f"ef_{name}.npy", model.predict(ns["data"](name)[0], verbose=0))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH="")
    proc = subprocess.run([TF_PYTHON, str(d / "tf_side.py"), str(d)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return d, ns, json.loads(proc.stdout.strip().splitlines()[-1])


NAMES = ["mlp", "functional", "conv", "rnn", "embedding", "subclassed"]
# TF's Keras gives an Embedding an IndexedSlices gradient, and its Adam squares each looked-up row
# separately before summing repeated ids (sum of squares, not square of sums), so training an
# embedding diverges from a dense gradient's update; the saved state itself crosses over exactly.
CONTINUED = [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="TF's Adam treats repeated embedding ids "
                                                     "in an IndexedSlices gradient differently (training semantics, "
                                                     "not persistence)"))
             if n == "embedding" else n for n in NAMES]


@pytest.mark.parametrize("name", NAMES)
def test_tensorflow_reads_eagerflow_files(exchanged, name):
    _, _, report = exchanged
    r = report[name]
    assert r["weights_pred"] < 1e-5 and r["keras_pred"] < 1e-5
    assert r["weights_iterations"] == r["keras_iterations"] == 4   # optimizer state crossed over
    assert r["keras_class"] == {"subclassed": "Tower", "functional": "Functional"}.get(name, "Sequential")


@pytest.mark.parametrize("name", NAMES)
def test_eagerflow_reads_tensorflow_files(exchanged, name):
    d, ns, _ = exchanged
    x, y = ns["data"](name)
    want = np.load(d / f"tf_{name}.npy")
    model = ns["make_models"](tf)[name]
    ns["compile_and_fit"](tf, model, name, epochs=0)
    model.optimizer.build(model.trainable_variables)
    model.load_weights(str(d / f"tf_{name}.weights.h5"))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, atol=1e-5)
    assert int(model.optimizer.iterations) == 4
    loaded = tf.keras.models.load_model(str(d / f"tf_{name}.keras"))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), want, atol=1e-5)
    assert int(loaded.optimizer.iterations) == 4


@pytest.mark.parametrize("name", CONTINUED)
def test_training_continues_alike_in_both_frameworks(exchanged, name):
    d, ns, _ = exchanged
    x, y = ns["data"](name)
    loaded = tf.keras.models.load_model(str(d / f"ef_{name}.keras"))
    loaded.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), np.load(d / f"tf_continued_{name}.npy"),
                               rtol=1e-4, atol=1e-5)
