"""examples/: each of the chapter's programs runs as a standalone script and prints what it should."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_example(name, *args):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", name), *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out


def test_every_example_is_tested():
    tested = {"eager_control_flow.py", "autograph_cond.py", "keras_fit.py", "custom_training_loop.py",
              "gradient_tape.py"}
    assert {f for f in os.listdir(os.path.join(ROOT, "examples")) if f.endswith(".py")} == tested


def test_eager_control_flow():
    out = run_example("eager_control_flow.py")
    assert out.stdout == "tf.Tensor(10, shape=(), dtype=int32)\ntf.Tensor(-3, shape=(), dtype=int32)\n10\n"
    # the chapter's deprecated switch logs TF's deprecation line (on stderr, through logging)
    assert "WARNING:eagerflow:From " in out.stderr and "experimental_run_functions_eagerly" in out.stderr
    assert "Use `tf.config.run_functions_eagerly` instead" in out.stderr


def test_autograph_cond():
    text = run_example("autograph_cond.py").stdout
    pair = "tf.Tensor(10, shape=(), dtype=int32) tf.Tensor(20, shape=(), dtype=int32)\n"
    assert "eager: " + pair in text and "tf.cond: " + pair in text
    assert "AutoGraph: " + pair in text
    assert "ag__.if_stmt(" in text and "def my_function(condition):" in text
    assert re.search(r"= StatelessIf\(%condition\) \{then_branch=", text)


def test_keras_fit_on_random_data():
    text = run_example("keras_fit.py", "--epochs", "3").stdout
    assert "Epoch 1/3\n" in text and "Epoch 3/3\n" in text and "Epoch 4/3" not in text
    # not a terminal: one final progress-bar line per epoch, 100 samples in batches of 32 = 4 steps
    assert len(re.findall(r"^4/4 \S+ \d+s \d+[mu]?s/step - accuracy: 0\.\d{4} - loss: \d\.\d{4}$", text, re.M)) == 3
    first, last = map(float, re.search(r"^loss (\S+) -> (\S+) after 3 epochs$", text, re.M).groups())
    assert last < first


def test_custom_training_loop():
    out = run_example("custom_training_loop.py")
    text = out.stdout
    # the chapter's input_shape=(None, 32) on a (64, 32) batch: warned once, as Keras 2, then run
    assert out.stderr.count("WARNING:eagerflow:Model was constructed with shape (None, None, 32)") == 1
    steps = re.findall(r"^Step (\d+), Loss: (\d+\.\d+)$", text, re.M)
    assert [int(s) for s, _ in steps] == list(range(0, 100, 10))
    losses = [float(value) for _, value in steps]
    assert all(b < a for a, b in zip(losses, losses[1:])), losses  # full-batch Adam on a convex loss
    assert losses[-1] < 0.7 * losses[0]


def test_gradient_tape():
    text = run_example("gradient_tape.py").stdout
    assert "d(x*x + 2x)/dx at 3: tf.Tensor(8.0, shape=(), dtype=float32)" in text
    assert "first and second derivative of x**3 at 2: 12.0 12.0" in text
    w, b = [float(part.split("=")[1]) for part in text.strip().splitlines()[-1].replace("fitted ", "").split(",")]
    assert abs(w - 3.0) < 0.05 and abs(b - 0.5) < 0.05
