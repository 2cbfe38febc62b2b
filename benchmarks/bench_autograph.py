"""AutoGraph loops: a tensor-dependent `while` in tf.function vs eager, NumPy and plain Python.

Target (issue 4): the AutoGraph while loop of collatz(27) (111 steps) <= 150 us per call; TF 2.21
takes 721 us on a 2-core machine. The loop becomes one While node whose cond and body are compiled
into a single Python loop over NumPy scalars (`eagerflow/graph/loops.py`), so a step costs a few
NumPy scalar operations.

Rows (microseconds per call, min and median over interleaved rounds):

- collatz(27): Python ints (the floor: the same loop on Python integers), NumPy 0-d int32 arrays,
  eagerflow eager (the Python function on eager tensors), AutoGraph tf.function, explicit
  tf.while_loop + tf.cond in tf.function, and TensorFlow 2.21's AutoGraph tf.function when
  `--tf-python` points at an interpreter with TensorFlow (timed there, in a subprocess);
- a float loop (Newton's square root to 1e-4, 5 steps) and a vector loop (running sum of 64
  rows of a 64x16 matrix written to a TensorArray), AutoGraph tf.function vs eager.

Run: python benchmarks/bench_autograph.py [--rounds N] [--tf-python PATH] [--show-code]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import timeit

import numpy as np

import eagerflow as tf


def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def collatz_explicit(n):
    def body(n, steps):
        return tf.cond(n % 2 == 0, lambda: n // 2, lambda: 3 * n + 1), steps + 1
    return tf.while_loop(lambda n, steps: n != 1, body, (n, tf.constant(0)))[1]


def collatz_numpy(n):
    n, steps = np.array(n, np.int32), np.array(0, np.int32)
    one, two, three = np.array(1, np.int32), np.array(2, np.int32), np.array(3, np.int32)
    while n != one:
        n = n // two if n % two == 0 else three * n + one
        steps = steps + one
    return steps


def newton_sqrt(a):
    x = a
    while tf.abs(x * x - a) > 1e-4:
        x = 0.5 * (x + a / x)
    return x


def running_sums(m):
    out = tf.TensorArray(tf.float32, size=m.shape[0])
    total = tf.zeros([m.shape[1]])
    for i in tf.range(m.shape[0]):
        total = total + m[i]
        out = out.write(i, total)
    return out.stack()


_TF_SCRIPT = """
import os, sys, timeit
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow as tf
@tf.function
def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps
n = tf.constant(27)
assert int(collatz(n)) == 111
best = min(timeit.repeat(lambda: collatz(n), number=200, repeat=5)) / 200 * 1e6
print(best)
"""


def tf_reference(python: str):
    """TensorFlow 2.21's time for the AutoGraph collatz, or None if that interpreter cannot run it."""
    if not python or not os.path.exists(python):
        return None
    with tempfile.TemporaryDirectory() as tmp:  # a file: AutoGraph needs the function's source
        script = os.path.join(tmp, "tf_collatz.py")
        with open(script, "w") as f:
            f.write(_TF_SCRIPT)
        try:
            out = subprocess.run([python, script], capture_output=True, text=True, timeout=600)
            return float(out.stdout.strip().splitlines()[-1])
        except (subprocess.SubprocessError, ValueError, IndexError):
            return None


def measure(cases, rounds: int) -> dict:
    times: dict = {name: [] for name, _, _ in cases}
    for _ in range(rounds):
        for name, fn, number in cases:
            times[name].append(min(timeit.repeat(fn, number=number, repeat=3)) / number * 1e6)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tf-python", default="/tmp/tfref/bin/python")
    parser.add_argument("--show-code", action="store_true", help="print the generated loop")
    opts = parser.parse_args()

    n = tf.constant(27)
    auto, explicit = tf.function(collatz), tf.function(collatz_explicit)
    assert int(auto(n)) == int(explicit(n)) == int(collatz(n)) == collatz(27) == int(collatz_numpy(27)) == 111
    a = tf.constant(2.0)
    sqrt_fn = tf.function(newton_sqrt)
    np.testing.assert_allclose(sqrt_fn(a).numpy(), newton_sqrt(a).numpy())
    m = tf.constant(np.random.RandomState(0).rand(64, 16).astype(np.float32))
    sums_fn = tf.function(running_sums)
    np.testing.assert_allclose(sums_fn(m).numpy(), running_sums(m).numpy(), rtol=1e-6)
    if opts.show_code:
        from eagerflow.graph.loops import loop_source
        node = next(op for op in auto.get_concrete_function(n).optimized_graph.get_operations()
                    if op.type.endswith("While"))
        print(loop_source(node.attrs["cond"], node.attrs["body"]))

    cases = [
        ("collatz(27): Python ints", lambda: collatz(27), 2000),
        ("collatz(27): NumPy 0-d arrays", lambda: collatz_numpy(27), 100),
        ("collatz(27): eager", lambda: collatz(n), 20),
        ("collatz(27): AutoGraph tf.function", lambda: auto(n), 500),
        ("collatz(27): tf.while_loop + tf.cond", lambda: explicit(n), 500),
        ("newton sqrt: eager", lambda: newton_sqrt(a), 100),
        ("newton sqrt: AutoGraph tf.function", lambda: sqrt_fn(a), 1000),
        ("running sums 64x16: eager", lambda: running_sums(m), 20),
        ("running sums 64x16: AutoGraph tf.function", lambda: sums_fn(m), 200),
    ]
    times = measure(cases, opts.rounds)
    t = {name: min(v) for name, v in times.items()}
    print(f"{'case':<44}{'min us':>10}{'median us':>11}   ({opts.rounds} rounds)")
    for name, v in times.items():
        print(f"{name:<44}{min(v):>10.2f}{statistics.median(v):>11.2f}")
    reference = tf_reference(opts.tf_python)
    if reference is not None:
        print(f"{'collatz(27): TensorFlow 2.21 AutoGraph':<44}{reference:>10.2f}")
    ag = t["collatz(27): AutoGraph tf.function"]
    print()
    print(f"AutoGraph collatz(27): {ag:.1f} us per call (target <= 150 us; TF 2.21 reference 721 us"
          + (f", here {reference:.0f} us, {reference / ag:.0f}x slower" if reference else "") + ")")
    print(f"  {ag / t['collatz(27): Python ints']:.1f}x the plain-Python floor, "
          f"{t['collatz(27): NumPy 0-d arrays'] / ag:.1f}x faster than the same loop on NumPy 0-d arrays, "
          f"{t['collatz(27): eager'] / ag:.0f}x faster than eager")
    print(f"newton sqrt: function {t['newton sqrt: eager'] / t['newton sqrt: AutoGraph tf.function']:.1f}x "
          f"faster than eager; running sums: "
          f"{t['running sums 64x16: eager'] / t['running sums 64x16: AutoGraph tf.function']:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
