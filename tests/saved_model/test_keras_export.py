"""tf.saved_model.save of Keras models: the call is exported as `serve`, `__call__` and the
`serving_default` signature (keyword `inputs`, dict of outputs, as TF 2.21 names them); the loaded
object predicts like the model, exposes its variables and fine-tunes, also in a fresh process."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import eagerflow as tf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
X = np.random.RandomState(0).rand(4, 3).astype("float32")


def _model():
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(4, activation="relu"),
                                 tf.keras.layers.BatchNormalization(), tf.keras.layers.Dropout(0.5),
                                 tf.keras.layers.Dense(2)])
    model.compile(tf.keras.optimizers.Adam(0.01), "mse")
    model.fit(X, np.ones((4, 2), "float32"), epochs=2, verbose=0)
    return model


def test_sequential_exports_its_inference_call(tmp_path):
    model = _model()
    tf.saved_model.save(model, str(tmp_path / "m"))
    loaded = tf.saved_model.load(str(tmp_path / "m"))
    expected = model.predict(X, verbose=0)            # inference mode: no dropout, moving statistics
    np.testing.assert_allclose(loaded(X).numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(loaded.serve(tf.constant(X)).numpy(), expected, rtol=1e-6)
    serving = loaded.signatures["serving_default"]
    assert serving.structured_input_signature == ((), {"inputs": tf.TensorSpec([None, 3], tf.float32, "inputs")})
    np.testing.assert_allclose(serving(inputs=tf.constant(X))["output_0"].numpy(), expected, rtol=1e-6)
    assert len(loaded.trainable_variables) == len(model.trainable_variables)
    assert sorted(v.shape.as_list() for v in loaded.variables) == sorted(v.shape.as_list() for v in
                                                                      model.variables + model.optimizer.variables)
    with pytest.raises(TypeError, match=r"argument inputs must be TensorSpec\(shape=\(None, 3\)"):
        serving(inputs=np.ones((2, 4), "float32"))


def test_functional_dict_inputs_and_outputs(tmp_path):
    a, b = tf.keras.Input((2,), name="a"), tf.keras.Input((3,), name="b")
    out = tf.keras.layers.Dense(1)(tf.keras.layers.Concatenate()([a, b]))
    model = tf.keras.Model({"a": a, "b": b}, {"score": out})
    tf.saved_model.save(model, str(tmp_path / "m"))
    serving = tf.saved_model.load(str(tmp_path / "m")).signatures["serving_default"]
    assert sorted(serving.structured_input_signature[1]) == ["a", "b"]
    feed = {"a": np.ones((2, 2), "float32"), "b": np.ones((2, 3), "float32")}
    np.testing.assert_allclose(serving(**feed)["score"].numpy(), model(feed)["score"].numpy(), rtol=1e-6)


def test_unbuilt_model_cannot_be_exported(tmp_path):
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="its input shape is unknown"):
        tf.saved_model.save(model, str(tmp_path / "m"))


def test_subclassed_model_exports_from_its_build_shape(tmp_path):
    class Net(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = tf.keras.layers.Dense(4, activation="tanh")
            self.out = tf.keras.layers.Dense(1)

        def call(self, x):
            return self.out(self.hidden(x))

    net = Net()
    net(X)
    tf.saved_model.save(net, str(tmp_path / "m"))
    loaded = tf.saved_model.load(str(tmp_path / "m"))
    np.testing.assert_allclose(loaded(X).numpy(), net(X).numpy(), rtol=1e-6)


LOADER = textwrap.dedent("""
    import json, sys
    import numpy as np
    import eagerflow as tf
    loaded = tf.saved_model.load(sys.argv[1])
    x = tf.constant(np.load(sys.argv[2]))
    y = tf.ones([4, 2])
    opt = tf.keras.optimizers.SGD(0.1)
    losses = []
    for _ in range(3):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((loaded(x) - y) ** 2)
        grads = tape.gradient(loss, loaded.trainable_variables)
        opt.apply_gradients(zip(grads, loaded.trainable_variables))
        losses.append(float(loss))
    print(json.dumps({"losses": losses, "pred": loaded.serve(x).numpy().tolist(),
                      "modules": sorted(m for m in sys.modules if m.startswith("tests"))}))
""")


def test_fine_tune_an_exported_keras_model_in_a_fresh_process(tmp_path):
    model = _model()
    tf.saved_model.save(model, str(tmp_path / "m"))
    np.save(tmp_path / "x.npy", X)
    (tmp_path / "loader.py").write_text(LOADER)
    proc = subprocess.run([sys.executable, str(tmp_path / "loader.py"), str(tmp_path / "m"), str(tmp_path / "x.npy")],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=REPO), cwd=str(tmp_path),
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["modules"] == []
    losses = got["losses"]
    assert losses[0] == pytest.approx(float(np.mean((model.predict(X, verbose=0) - 1.0) ** 2)), rel=1e-5)
    assert losses[2] < losses[1] < losses[0]     # the loaded model trains
