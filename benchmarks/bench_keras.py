"""Keras training speed: the seed's programs, an MLP and a small CNN, against targets and NumPy's BLAS.

    python benchmarks/bench_keras.py                  # eagerflow (+ TensorFlow if found)
    python benchmarks/bench_keras.py --quick          # fewer repeats, smaller CNN
    python benchmarks/bench_keras.py --tf-python /path/to/python   # a Python that has TensorFlow
    python benchmarks/bench_keras.py --backend tensorflow          # run the cases with TF itself

Cases (issue 5's workloads):
  seed_fit   Sequential(Dense(64, relu, input_shape=(32,)), Dense(10)), adam, sparse CE from logits,
             accuracy; fit on 100x32 random data, 5 epochs, batch 32 (progress output discarded)
  seed_loop  the seed's eager loop: Sequential(Dense(10, input_shape=(None, 32))), MeanSquaredError,
             Adam; 100 GradientTape steps on 64x32 inputs
  mlp        784-256-128-10 ReLU MLP, adam, 20,000 samples, 2 epochs, batch 128
  cnn        Conv2D(32,3,relu) > MaxPool > Conv2D(64,3,relu) > MaxPool > Flatten > Dense(10),
             one epoch on 4,096 28x28x1 images, batch 64

Each figure is the best of a few runs of a fresh model (build + compile outside the timer; the
first trace inside it). For `mlp` the script also times the same matrix products in raw NumPy
(the BLAS floor: forward and backward products of every step), so the ratio holds across machines.
TensorFlow runs the same code in a subprocess with its own interpreter.

The header names the OpenBLAS kernels NumPy runs: machines that pin OPENBLAS_CORETYPE to an older
kernel set (some do, for old OpenBLAS builds) run matrix products up to 2x slower than a current
NumPy would on the same CPU; `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python ...` times the
latter.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import platform
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TF_PYTHON = "/tmp/tfref/bin/python"
TARGETS = {"seed_fit": 0.10, "seed_loop": 0.035, "mlp": 0.45, "cnn": 0.40}  # seconds, issue 5
REFERENCE_TF = {"seed_fit": 0.78, "seed_loop": 0.66, "mlp": 1.37, "cnn": 0.67}  # the 2-core machine
REFERENCE_TORCH = {"seed_loop": 0.035, "mlp": 0.74, "cnn": 0.39}


def load_backend(name: str):
    if name == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        return tf
    sys.path.insert(0, os.path.dirname(HERE))  # run from a checkout without installing
    import eagerflow as tf
    return tf


def best_of(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        times.append(run())
    return min(times)


def case_seed_fit(tf, repeat):
    rng = np.random.RandomState(0)
    x, y = rng.rand(100, 32), rng.randint(0, 10, size=(100,))

    def run():
        model = tf.keras.Sequential([tf.keras.layers.Dense(64, activation="relu", input_shape=(32,)),
                                     tf.keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
        with contextlib.redirect_stdout(io.StringIO()):
            start = time.perf_counter()
            model.fit(x, y, epochs=5, batch_size=32)
            return time.perf_counter() - start
    return best_of(run, repeat)


def case_seed_loop(tf, repeat):
    x = tf.random.normal((64, 32))
    y = tf.random.normal((64, 10))

    # Keras 3 refuses the seed's input_shape=(None, 32) on (64, 32) data (eagerflow warns, as Keras 2 did).
    shape = (None, 32) if tf.__name__ == "eagerflow" else (32,)

    def run():
        model = tf.keras.Sequential([tf.keras.layers.Dense(10, input_shape=shape)])
        loss_fn = tf.keras.losses.MeanSquaredError()
        optimizer = tf.keras.optimizers.Adam()
        model(x)
        start = time.perf_counter()
        for _ in range(100):
            with tf.GradientTape() as tape:
                predictions = model(x, training=True)
                loss = loss_fn(y, predictions)
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return time.perf_counter() - start
    return best_of(run, repeat)


def case_mlp(tf, repeat):
    rng = np.random.RandomState(0)
    x, y = rng.rand(20000, 784).astype(np.float32), rng.randint(0, 10, 20000)

    def run():
        model = tf.keras.Sequential([tf.keras.Input((784,)), tf.keras.layers.Dense(256, activation="relu"),
                                     tf.keras.layers.Dense(128, activation="relu"), tf.keras.layers.Dense(10)])
        model.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(x, y, epochs=2, batch_size=128, verbose=0)
        return time.perf_counter() - start
    return best_of(run, repeat)


def case_cnn(tf, repeat, n=4096):
    if not hasattr(tf.keras.layers, "Conv2D"):
        return None
    rng = np.random.RandomState(0)
    x, y = rng.rand(n, 28, 28, 1).astype(np.float32), rng.randint(0, 10, n)
    layers = tf.keras.layers

    def run():
        model = tf.keras.Sequential([tf.keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
                                     layers.MaxPooling2D(), layers.Conv2D(64, 3, activation="relu"),
                                     layers.MaxPooling2D(), layers.Flatten(), layers.Dense(10)])
        model.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=64, verbose=0)
        return time.perf_counter() - start
    return best_of(run, repeat)


def blas_floor_mlp(repeat) -> float:
    """The MLP's matrix products alone, in NumPy: 2 epochs x 157 steps of forward and backward."""
    rng = np.random.RandomState(0)
    x = rng.rand(128, 784).astype(np.float32)
    w1, w2, w3 = (rng.rand(*s).astype(np.float32) for s in ((784, 256), (256, 128), (128, 10)))

    def step():
        h1 = x @ w1
        h2 = h1 @ w2
        g3 = h2 @ w3
        _ = h2.T @ g3
        g2 = g3 @ w3.T
        _ = h1.T @ g2
        g1 = g2 @ w2.T
        _ = x.T @ g1

    def run():
        start = time.perf_counter()
        for _ in range(2 * 157):
            step()
        return time.perf_counter() - start
    return best_of(run, repeat)


def warm_up(seconds: float = 2.0) -> None:
    """Keeps BLAS busy for a moment: cold CPUs (and VMs) run the first second of work several times slower."""
    a = np.random.RandomState(0).rand(256, 256).astype(np.float32)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        a @ a


def torch_cases(repeat: int):
    """The same four workloads written for PyTorch (when importable), for a same-machine comparison."""
    try:
        import torch
    except ImportError:
        return None
    if hasattr(os, "sched_getaffinity"):  # as many threads as CPUs we may run on (taskset -c 0,1: two)
        torch.set_num_threads(len(os.sched_getaffinity(0)))
    nn = torch.nn

    def train(model, x, y, epochs, batch, loss_fn):
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        start = time.perf_counter()
        for _ in range(epochs):
            order = torch.randperm(len(x))
            for i in range(0, len(x), batch):
                idx = order[i:i + batch]
                opt.zero_grad()
                out = model(x[idx])
                loss = loss_fn(out, y[idx])
                loss.backward()
                opt.step()
                (out.argmax(-1) == y[idx]).float().mean().item()  # the accuracy metric
        return time.perf_counter() - start

    rng = np.random.RandomState(0)
    out = {}
    xs, ys = torch.tensor(rng.rand(100, 32), dtype=torch.float32), torch.tensor(rng.randint(0, 10, 100))
    out["seed_fit"] = best_of(lambda: train(nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10)), xs, ys,
                                            5, 32, nn.CrossEntropyLoss()), repeat)
    x, y = torch.randn(64, 32), torch.randn(64, 10)

    def loop():
        model, loss_fn = nn.Linear(32, 10), nn.MSELoss()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        start = time.perf_counter()
        for _ in range(100):
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        return time.perf_counter() - start
    out["seed_loop"] = best_of(loop, repeat)
    xm, ym = torch.tensor(rng.rand(20000, 784), dtype=torch.float32), torch.tensor(rng.randint(0, 10, 20000))
    out["mlp"] = best_of(lambda: train(nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                                                     nn.Linear(128, 10)), xm, ym, 2, 128, nn.CrossEntropyLoss()),
                         repeat)
    xc, yc = torch.tensor(rng.rand(4096, 1, 28, 28), dtype=torch.float32), torch.tensor(rng.randint(0, 10, 4096))
    cnn = lambda: nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),  # noqa
                                nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 5 * 5, 10))
    out["cnn"] = best_of(lambda: train(cnn(), xc, yc, 1, 64, nn.CrossEntropyLoss()), repeat)
    return out


def run_cases(backend: str, quick: bool) -> dict:
    tf = load_backend(backend)
    if backend == "eagerflow":
        logging.getLogger("eagerflow").setLevel(logging.ERROR)  # the seed's input_shape warning, once per model
    warm_up()
    repeat = 2 if quick else 3
    out = {"seed_fit": case_seed_fit(tf, repeat + 2), "seed_loop": case_seed_loop(tf, repeat + 2),
           "mlp": case_mlp(tf, repeat)}
    out["cnn"] = case_cnn(tf, repeat)
    return out


def run_tensorflow(python: str, quick: bool):
    if not os.path.exists(python):
        return None, f"TensorFlow skipped: {python} not found (use --tf-python)"
    cmd = [python, os.path.abspath(__file__), "--backend", "tensorflow", "--json"] + (["--quick"] if quick else [])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, "TensorFlow run failed: " + proc.stderr.strip().splitlines()[-1]
    return json.loads(proc.stdout.strip().splitlines()[-1]), None


def fmt(v) -> str:
    return "   n/a" if v is None else f"{v:6.3f}"


def blas_kernels() -> str:
    """Which OpenBLAS kernels NumPy runs here (and whether OPENBLAS_CORETYPE forced them)."""
    try:
        from eagerflow import _blas
    except ImportError:
        return "BLAS kernels unknown"
    name, forced = _blas.corename(), os.environ.get("OPENBLAS_CORETYPE")
    if name is None:
        return "BLAS: not OpenBLAS"
    return f"OpenBLAS {name} kernels" + (f" (OPENBLAS_CORETYPE={forced})" if forced else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backend", default="eagerflow", choices=("eagerflow", "tensorflow"))
    parser.add_argument("--tf-python", default=DEFAULT_TF_PYTHON)
    parser.add_argument("--no-tf", action="store_true")
    parser.add_argument("--torch", action="store_true", help="also time the workloads in PyTorch (if importable)")
    parser.add_argument("--json", action="store_true", help="print only the results as JSON")
    args = parser.parse_args()
    ours = run_cases(args.backend, args.quick)
    if args.json:
        print(json.dumps(ours))
        return
    floor = blas_floor_mlp(5)
    theirs, note = (None, "TensorFlow skipped (--no-tf)") if args.no_tf or args.backend != "eagerflow" \
        else run_tensorflow(args.tf_python, args.quick)
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, NumPy {np.__version__}, "
          f"{blas_kernels()}")
    print(f"{'case':<10}{args.backend + ' s':>14}{'target s':>10}{'x target':>10}{'TF here s':>11}{'TF/ours':>9}"
          f"{'TF (issue) s':>14}")
    for name in ("seed_fit", "seed_loop", "mlp", "cnn"):
        v, tf_v = ours.get(name), (theirs or {}).get(name)
        ratio = "" if v is None else f"{v / TARGETS[name]:9.2f}x"
        speedup = "" if v is None or tf_v is None else f"{tf_v / v:8.1f}x"
        print(f"{name:<10}{fmt(v):>14}{TARGETS[name]:10.3f}{ratio:>10}{fmt(tf_v):>11}{speedup:>9}"
              f"{REFERENCE_TF[name]:14.2f}")
    print(f"mlp BLAS floor (NumPy matmuls alone): {floor:.3f} s; eagerflow mlp = {ours['mlp'] / floor:.2f}x the floor "
          f"(the issue: TF 4.6x, PyTorch 2.5x, target 1.5x)")
    torch_times = torch_cases(2 if args.quick else 3) if args.torch else None
    if torch_times:
        print("PyTorch, same machine: " + ", ".join(
            f"{k} {v:.3f} s (eagerflow {ours[k] / v:.2f}x)" for k, v in torch_times.items() if ours.get(k)))
    elif args.torch:
        print("PyTorch skipped: not importable")
    if note:
        print(note)


if __name__ == "__main__":
    main()
