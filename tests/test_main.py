"""`python -m eagerflow`: the tour runs end to end and prints the chapter's real results."""
import os
import re
import subprocess
import sys

import pytest

import eagerflow as tf
from eagerflow.__main__ import DEFAULT_EPOCHS, SECTIONS, main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_tour(*args):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "eagerflow", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def tour():
    # The whole tour with its default epochs: the digits CNN trains in a few seconds on 2 cores.
    out = run_tour()
    assert out.returncode == 0, out.stderr
    return out.stdout


def training_results(text):
    trained = re.search(r"^(\d+) epochs in [\d.]+ s: test accuracy (\d\.\d{4})$", text, re.M)
    fresh = re.search(r"^fresh model: test accuracy (\d\.\d{4})$", text, re.M)
    restored = re.search(r"^restored from digits-1: test accuracy (\d\.\d{4})$", text, re.M)
    assert trained and fresh and restored, text[-2000:]
    return int(trained.group(1)), float(trained.group(2)), float(fresh.group(1)), float(restored.group(1))


def test_sections_in_the_chapter_order():
    assert [s.name for s in SECTIONS] == ["eager", "numpy", "control-flow", "gradients", "graph", "autograph",
                                         "train"]


def test_tour_sections_have_headings(tour):
    for number, section in enumerate(SECTIONS, 1):
        heading = f"{number}. {section.title}"
        assert f"\n{heading}\n{'=' * len(heading)}\n" in tour


def test_tour_if_on_a_tensor(tour):
    assert ">>> tf.config.experimental_run_functions_eagerly(True)\n" in tour
    assert ">>> print(compute(tf.constant(5)))\ntf.Tensor(10, shape=(), dtype=int32)\n" in tour
    assert ">>> print(compute(tf.constant(-1)))\ntf.Tensor(-3, shape=(), dtype=int32)\n" in tour


def test_tour_python_loop_over_range_of_a_tensor(tour):
    assert ">>> n = tf.constant(5)\n>>> result = compute_sum(n)\n>>> print(result)\n10\n" in tour


def test_tour_numpy_and_gradients(tour):
    assert ">>> print(np.square(t))\n[1. 4. 9.]\n" in tour
    assert ">>> print(tape.gradient(y, x))\ntf.Tensor(8.0, shape=(), dtype=float32)\n" in tour
    assert "tf.Tensor(\n[[66.]\n [88.]], shape=(2, 1), dtype=float32)" in tour


def test_tour_custom_training_loop_loss_falls(tour):
    losses = [float(v) for v in re.findall(r"^Step (?:0|25|50|75), Loss: (\d\.\d{4})$", tour, re.M)]
    assert len(losses) == 4 and all(b < a for a, b in zip(losses, losses[1:])), losses


def test_tour_graph_and_timing(tour):
    assert "  %2 = Relu(%1) : float32[4,2]\n" in tour
    assert re.search(r"\neager \d+ us, tf\.function \d+ us per call: \d+\.\dx faster\n", tour)


def test_tour_autograph(tour):
    # decorators are echoed with the function they decorate
    assert ">>> @tf.function\n... def my_function(condition):\n...     return tf.cond(condition," in tour
    pair = "tf.Tensor(10, shape=(), dtype=int32) tf.Tensor(20, shape=(), dtype=int32)\n"
    assert tour.count(pair) == 2         # tf.cond by hand, then the chapter's `if` through AutoGraph
    assert ">>> print(tf.autograph.to_code(compute_sum))\ndef compute_sum(n):\n" in tour
    assert "ag__.for_stmt(" in tour
    assert ">>> print(graph_sum(tf.constant(5)))\ntf.Tensor(10, shape=(), dtype=int32)\n" in tour
    assert re.search(r"= \w*While\(", tour)


def test_tour_trains_the_digits_cnn_to_97_percent_and_restores_it(tour):
    epochs, accuracy, fresh, restored = training_results(tour)
    assert epochs == DEFAULT_EPOCHS
    assert accuracy >= 0.97
    assert restored == accuracy          # the checkpoint holds every weight
    assert fresh < 0.5                   # and it is the restore that brings the accuracy back
    # progress bars (one final line per epoch when stdout is not a terminal) with validation metrics
    assert f"Epoch {DEFAULT_EPOCHS}/{DEFAULT_EPOCHS}\n" in tour
    bars = re.findall(r"^41/41 .* - accuracy: \d\.\d{4} - loss: \d\.\d{4} - val_accuracy: \d\.\d{4} - "
                      r"val_loss: \d\.\d{4}$", tour, re.M)
    assert len(bars) == DEFAULT_EPOCHS
    assert "(1437, 8, 8) uint8 16 [" in tour


def test_train_section_with_few_epochs_quiet():
    out = run_tour("--section", "train", "--epochs", "2", "--quiet", "--seed", "3")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("\n1. Training a CNN on the bundled digits with Keras\n") == 1
    assert "Epoch 1/" not in out.stdout and "41/41" not in out.stdout
    assert "tf.keras.utils.set_random_seed(3)" in out.stdout and "epochs=2," in out.stdout
    epochs, accuracy, _, restored = training_results(out.stdout)
    assert epochs == 2 and accuracy > 0.5 and restored == accuracy


def test_help_and_list():
    out = run_tour("--help")
    assert out.returncode == 0 and "usage: python -m eagerflow" in out.stdout
    for option in ("--section NAME", "--list", "--epochs N", "--seed N", "--quiet"):
        assert option in out.stdout
    listed = run_tour("--list")
    assert listed.returncode == 0 and [line.split()[0] for line in listed.stdout.splitlines()] == \
        [s.name for s in SECTIONS]


@pytest.mark.parametrize("args, message", [
    (["--section", "nope"], "invalid choice: 'nope'"),
    (["--epochs", "0"], "argument --epochs: must be a positive integer, got 0"),
    (["--epochs", "two"], "argument --epochs: invalid positive_int value: 'two'"),
])
def test_bad_arguments(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_one_section_in_process(capsys):
    assert main(["--section", "gradients"]) == 0
    text = capsys.readouterr().out
    assert "1. Automatic differentiation with GradientTape" in text and "Python control flow" not in text


def test_sections_run_in_tour_order_whatever_the_argument_order(capsys):
    assert main(["--section", "numpy", "--section", "eager"]) == 0
    text = capsys.readouterr().out
    assert "1. Eager evaluation\n" in text and "2. NumPy interoperability\n" in text


def test_control_flow_section_leaves_settings_as_found(capsys):
    assert main(["--section", "control-flow"]) == 0
    assert "tf.Tensor(10, shape=(), dtype=int32)" in capsys.readouterr().out
    assert tf.config.functions_run_eagerly() is False
