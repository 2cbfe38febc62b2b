"""A SavedModel loads, runs and fine-tunes in a fresh process that never imports the module that
defined the exported class: everything it needs is data in the export directory."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np

import eagerflow as tf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Regressor(tf.Module):
    """Defined here only: the loading process cannot import this test module."""

    def __init__(self):
        super().__init__()
        self.hidden = tf.Variable(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4), name="hidden")
        self.out = tf.Variable(np.linspace(0.5, -0.5, 4, dtype=np.float32).reshape(4, 1), name="out")
        self.calls = tf.Variable(np.int64(0), trainable=False, name="calls")

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="features")])
    def __call__(self, x):
        self.calls.assign_add(1)
        h = tf.nn.relu(tf.matmul(x, self.hidden))
        h = tf.cond(tf.reduce_sum(h) > 100.0, lambda: h / 100.0, lambda: h)
        return tf.matmul(h, self.out)


LOADER = textwrap.dedent("""
    import json, sys
    import numpy as np
    import eagerflow as tf

    export_dir, x_path = sys.argv[1], sys.argv[2]
    x = tf.constant(np.load(x_path))
    loaded = tf.saved_model.load(export_dir)
    pred = loaded(x).numpy().tolist()
    serve = loaded.signatures["serving_default"](features=x)["output_0"].numpy().tolist()
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(loaded(x) ** 2)
    grads = tape.gradient(loss, loaded.trainable_variables)
    for v, g in zip(loaded.trainable_variables, grads):
        v.assign_sub(0.05 * g)
    after = float(tf.reduce_mean(loaded(x) ** 2))
    foreign = [m for m in sys.modules if "test_fresh_process" in m or m.startswith("tests")]
    print(json.dumps({"pred": pred, "serve": serve, "loss": float(loss), "after": after,
                      "calls": int(loaded.calls), "foreign": foreign,
                      "names": sorted(v.name for v in loaded.variables)}))
""")


def test_load_and_fine_tune_in_a_fresh_process(tmp_path):
    model = Regressor()
    export_dir = str(tmp_path / "export")
    tf.saved_model.save(model, export_dir)
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], np.float32)
    np.save(tmp_path / "x.npy", x)
    (tmp_path / "loader.py").write_text(LOADER)
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run([sys.executable, str(tmp_path / "loader.py"), export_dir, str(tmp_path / "x.npy")],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["foreign"] == []

    expected = model(tf.constant(x)).numpy()
    np.testing.assert_allclose(got["pred"], expected, rtol=1e-6)
    np.testing.assert_allclose(got["serve"], expected, rtol=1e-6)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(tf.constant(x)) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    for v, g in zip(model.trainable_variables, grads):
        v.assign_sub(0.05 * g)
    after = float(tf.reduce_mean(model(tf.constant(x)) ** 2))
    assert abs(got["loss"] - float(loss)) < 1e-6 and abs(got["after"] - after) < 1e-6
    assert got["after"] < got["loss"]
    assert got["calls"] == 4 and got["names"] == ["calls:0", "hidden:0", "out:0"]
    stored = open(os.path.join(export_dir, "saved_model.eagerflow"), "rb").read()
    assert b"tf.nn.relu" not in stored and b"reduce_sum(h)" not in stored  # no Python source inside
