"""Per-op overhead of eagerflow's eager core, as microseconds and as ratios to raw NumPy.

    python benchmarks/bench_core.py               # eagerflow vs NumPy (+ TF / PyTorch if found)
    python benchmarks/bench_core.py --quick       # fewer repeats
    python benchmarks/bench_core.py --tf-python /path/to/python   # a Python that has TensorFlow

Cases (each also done in raw NumPy in the same run, so ratios are machine independent):
  add     scalar `a + b` on float32 tensors            (NumPy: `a + b` on 0-d arrays)
  matmul  `tf.matmul` of two 64x64 float32 matrices     (NumPy: `a @ b`)
  tape    GradientTape gradient of `x*x + 2*x` with tape.watch(x), x a float32 scalar
          (NumPy: the forward value and the hand-written derivative `2*x + 2`)

TensorFlow is timed in a subprocess (it is usually installed in another environment), PyTorch in
this process when importable; either is skipped with a note when missing. Each figure is the best
of several repeats of an auto-sized loop (the least disturbed run).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import timeit

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # run from a checkout without installing

import eagerflow as tf  # noqa: E402

DEFAULT_TF_PYTHON = "/tmp/tfref/bin/python"
CASES = ("add", "matmul", "tape")


def best_us(fn, repeat: int) -> float:
    """Microseconds per call: the best of `repeat` runs of an auto-sized loop."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(number, 10)
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def numpy_cases() -> dict:
    a, b = np.array(1.5, np.float32), np.array(2.5, np.float32)
    m1 = np.random.RandomState(0).rand(64, 64).astype(np.float32)
    m2 = np.random.RandomState(1).rand(64, 64).astype(np.float32)
    x = np.array(3.0, np.float32)

    def tape():
        y = x * x + 2 * x
        return y, 2 * x + 2

    return {"add": lambda: a + b, "matmul": lambda: m1 @ m2, "tape": tape}


def eagerflow_cases() -> dict:
    a, b = tf.constant(1.5), tf.constant(2.5)
    m1 = tf.constant(np.random.RandomState(0).rand(64, 64).astype(np.float32))
    m2 = tf.constant(np.random.RandomState(1).rand(64, 64).astype(np.float32))
    x = tf.constant(3.0)

    def tape():
        with tf.GradientTape() as t:
            t.watch(x)
            y = x * x + 2 * x
        return t.gradient(y, x)

    assert float(tape()) == 8.0
    return {"add": lambda: a + b, "matmul": lambda: tf.matmul(m1, m2), "tape": tape}


def torch_cases():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    a, b = torch.tensor(1.5), torch.tensor(2.5)
    m1, m2 = torch.rand(64, 64), torch.rand(64, 64)

    def tape():
        x = torch.tensor(3.0, requires_grad=True)
        y = x * x + 2 * x
        (g,) = torch.autograd.grad(y, x)
        return g

    return {"add": lambda: a + b, "matmul": lambda: torch.matmul(m1, m2), "tape": tape}


# Run by the TensorFlow interpreter: the same three cases, printed as JSON.
TF_SCRIPT = r"""
import json, os, sys, timeit
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
repeat = int(sys.argv[1])
a, b = tf.constant(1.5), tf.constant(2.5)
m1 = tf.constant(np.random.RandomState(0).rand(64, 64).astype(np.float32))
m2 = tf.constant(np.random.RandomState(1).rand(64, 64).astype(np.float32))
x = tf.constant(3.0)
def tape():
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x + 2 * x
    return t.gradient(y, x)
def best(fn):
    timer = timeit.Timer(fn)
    number = max(timer.autorange()[0], 10)
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6
cases = {"add": lambda: a + b, "matmul": lambda: tf.matmul(m1, m2), "tape": tape}
print(json.dumps({"version": tf.__version__, **{k: best(f) for k, f in cases.items()}}))
"""


def tensorflow_times(python: str, repeat: int):
    """(version, {case: us}) measured by `python`, or (None, reason) when unavailable."""
    if not python or not os.path.exists(python):
        return None, f"no TensorFlow interpreter at {python!r} (pass --tf-python)"
    try:
        out = subprocess.run([python, "-c", TF_SCRIPT, str(repeat)], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"TensorFlow run failed: {e}"
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return None, "TensorFlow run failed: " + (out.stderr.strip().splitlines() or ["no output"])[-1]
    data = json.loads(lines[-1])
    return data.pop("version"), data


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    cpu = cpu_model()
    return (f"{platform.system()} {platform.machine()} ({cpu}), {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, NumPy {np.__version__}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 9")
    parser.add_argument("--tf-python", default=DEFAULT_TF_PYTHON, help="a Python interpreter with TensorFlow")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 9

    print(f"eagerflow {tf.__version__} core benchmarks on {machine()}")
    np_us = {k: best_us(f, repeat) for k, f in numpy_cases().items()}
    ef_us = {k: best_us(f, repeat) for k, f in eagerflow_cases().items()}
    columns = [("eagerflow", ef_us)]
    notes = []
    tcases = torch_cases()
    if tcases is None:
        notes.append("PyTorch: not importable here, skipped")
    else:
        import torch
        columns.append((f"torch {torch.__version__}", {k: best_us(f, repeat) for k, f in tcases.items()}))
    tf_version, tf_us = tensorflow_times(args.tf_python, repeat)
    if tf_version is None:
        notes.append(f"TensorFlow: {tf_us}, skipped")
    else:
        columns.append((f"tensorflow {tf_version}", tf_us))

    header = f"{'case':<8}{'numpy us':>10}" + "".join(f"{name + ' us':>22}{'x numpy':>9}" for name, _ in columns)
    print(header)
    print("-" * len(header))
    for case in CASES:
        row = f"{case:<8}{np_us[case]:>10.2f}"
        for _, times in columns:
            row += f"{times[case]:>22.2f}{times[case] / np_us[case]:>8.1f}x"
        print(row)
    for note in notes:
        print(note)
    print(f"targets: eagerflow add <= 1.5 us ({ef_us['add']:.2f}), tape <= 20 us ({ef_us['tape']:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
