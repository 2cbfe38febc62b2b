"""`python -m eagerflow`: the eager tour runs and prints the chapter's real results."""
import os
import subprocess
import sys

import pytest

import eagerflow as tf
from eagerflow.__main__ import SECTIONS, main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_tour(*args):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "eagerflow", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def tour():
    out = run_tour()
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_tour_sections_have_headings(tour):
    for number, section in enumerate(SECTIONS, 1):
        heading = f"{number}. {section.title}"
        assert f"{heading}\n{'=' * len(heading)}\n" in tour


def test_tour_if_on_a_tensor(tour):
    assert ">>> print(compute(tf.constant(5)))\ntf.Tensor(10, shape=(), dtype=int32)\n" in tour
    assert ">>> print(compute(tf.constant(-1)))\ntf.Tensor(-3, shape=(), dtype=int32)\n" in tour


def test_tour_python_loop_over_range_of_a_tensor(tour):
    assert ">>> n = tf.constant(5)\n>>> result = compute_sum(n)\n>>> print(result)\n10\n" in tour


def test_tour_numpy_and_gradients(tour):
    assert ">>> print(np.square(t))\n[1. 4. 9.]\n" in tour
    assert ">>> print(tape.gradient(y, x))\ntf.Tensor(8.0, shape=(), dtype=float32)\n" in tour
    assert "tf.Tensor(\n[[66.]\n [88.]], shape=(2, 1), dtype=float32)" in tour


def test_tour_mentions_run_functions_eagerly(tour):
    assert "experimental_run_functions_eagerly(True)" in tour


def test_help_and_list():
    out = run_tour("--help")
    assert out.returncode == 0 and "--section" in out.stdout and "usage: python -m eagerflow" in out.stdout
    listed = run_tour("--list")
    assert listed.returncode == 0 and [line.split()[0] for line in listed.stdout.splitlines()] == \
        [s.name for s in SECTIONS]
    bad = run_tour("--section", "nope")
    assert bad.returncode == 2 and "invalid choice: 'nope'" in bad.stderr


def test_one_section_in_process(capsys):
    assert main(["--section", "gradients"]) == 0
    text = capsys.readouterr().out
    assert "1. Automatic differentiation with GradientTape" in text and "Python control flow" not in text


def test_control_flow_section_leaves_settings_as_found(capsys):
    assert main(["--section", "control-flow"]) == 0
    text = capsys.readouterr().out
    assert "tf.Tensor(10, shape=(), dtype=int32)" in text
    config = getattr(tf, "config", None)
    if config is not None and hasattr(config, "functions_run_eagerly"):
        assert config.functions_run_eagerly() is False


def run_example(name):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", name)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_example_eager_control_flow():
    assert run_example("eager_control_flow.py") == ("tf.Tensor(10, shape=(), dtype=int32)\n"
                                                    "tf.Tensor(-3, shape=(), dtype=int32)\n10\n")


def test_example_gradient_tape():
    text = run_example("gradient_tape.py")
    assert "d(x*x + 2x)/dx at 3: tf.Tensor(8.0, shape=(), dtype=float32)" in text
    assert "first and second derivative of x**3 at 2: 12.0 12.0" in text
    w, b = [float(part.split("=")[1]) for part in text.strip().splitlines()[-1].replace("fitted ", "").split(",")]
    assert abs(w - 3.0) < 0.05 and abs(b - 0.5) < 0.05
