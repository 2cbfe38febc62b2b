"""`python -m eagerflow`: a tour of TF 2's execution model, run for real.

Each section shows a snippet (the programs of the TF 2.x Eager Execution chapter) and then what
running it prints: eager evaluation, NumPy interop, Python control flow, GradientTape, tf.function's
graphs, AutoGraph, and finally a small CNN trained with Keras `fit` on the bundled digits,
checkpointed and restored.

    python -m eagerflow                        # the whole tour
    python -m eagerflow --section train        # one section (repeatable)
    python -m eagerflow --list                 # section names
    python -m eagerflow --section train --epochs 3 --quiet
"""
from __future__ import annotations

import argparse
import ast
import itertools
import linecache
import shutil
import sys
import tempfile
import textwrap
from typing import Callable, NamedTuple

import numpy as np

import eagerflow as tf

DEFAULT_EPOCHS = 15
_snippet_ids = itertools.count()


class Section(NamedTuple):
    name: str
    title: str
    run: Callable[[dict, argparse.Namespace], None]


def show(code: str, namespace: dict) -> None:
    """Runs `code` statement by statement, echoing each as the interactive interpreter shows it."""
    code = textwrap.dedent(code).strip("\n")
    # Registering the snippet with linecache gives its functions a source, as if they were in a
    # file: inspect.getsource (and so tf.autograph) can read them back.
    filename = f"<eagerflow-tour-{next(_snippet_ids)}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    source_lines = code.splitlines()
    for stmt in ast.parse(code).body:
        first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", ())])
        lines = source_lines[first - 1:stmt.end_lineno]
        print(">>> " + lines[0])
        for line in lines[1:]:
            print("... " + line if line.strip() else "...")
        if isinstance(stmt, (ast.FunctionDef, ast.ClassDef, ast.With, ast.For, ast.If, ast.While)):
            print("...")
        exec(compile(ast.Module([stmt], []), filename, "exec"), namespace)  # noqa: S102 - the tour's own code
    print()


# ---- sections ----------------------------------------------------------------------------------------

def eager_evaluation(ns: dict, opts) -> None:
    print("Every operation runs as soon as it is called and returns a concrete tensor:\n")
    show("""
        print(tf.executing_eagerly())
        a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        print(a + 1)
        print(tf.matmul(a, a))
    """, ns)


def numpy_interop(ns: dict, opts) -> None:
    print("Tensors and NumPy arrays mix freely; .numpy() gives an array back.\n")
    ns["np"] = np
    show("""
        t = tf.constant([1.0, 2.0, 3.0])
        print(np.square(t))
        print(tf.reduce_sum(np.arange(4.0)))
        print(t.numpy(), t.dtype, t.shape)
    """, ns)


def control_flow(ns: dict, opts) -> None:
    print("Tensors work with Python's own `if` and `for`: no tf.cond or tf.while_loop needed.\n"
          "The chapter makes even tf.function-decorated code run eagerly with:\n")
    show("tf.config.experimental_run_functions_eagerly(True)", ns)
    try:
        show("""
            def compute(x):
                if x > 0:
                    return x * 2
                else:
                    return x * 3

            print(compute(tf.constant(5)))
            print(compute(tf.constant(-1)))
        """, ns)
    finally:
        tf.config.experimental_run_functions_eagerly(False)
    print("A loop over range() of a tensor is a Python loop too; a debugger can stop in it:\n")
    show("""
        def compute_sum(n):
            total = 0
            for i in range(n):
                total += i
            return total

        n = tf.constant(5)
        result = compute_sum(n)
        print(result)
    """, ns)


def gradients(ns: dict, opts) -> None:
    print("GradientTape records the operations as they run, then differentiates them.\n")
    show("""
        x = tf.constant(3.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x + 2 * x
        print(tape.gradient(y, x))
    """, ns)
    show("""
        w = tf.Variable([[1.0], [2.0]])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.matmul(tf.constant([[3.0, 4.0]]), w) ** 2)
        print(tape.gradient(loss, w))
    """, ns)
    print("A custom training loop is the same pattern around a Keras model and optimizer:\n")
    show("""
        tf.keras.utils.set_random_seed(%d)
        model = tf.keras.Sequential([tf.keras.Input(shape=(32,)), tf.keras.layers.Dense(10)])
        loss_fn = tf.keras.losses.MeanSquaredError()
        optimizer = tf.keras.optimizers.Adam()
        x = tf.random.normal((64, 32))
        y = tf.random.normal((64, 10))
        for step in range(100):
            with tf.GradientTape() as tape:
                predictions = model(x, training=True)
                loss = loss_fn(y, predictions)
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables))
            if step %% 25 == 0:
                print(f"Step {step}, Loss: {loss.numpy():.4f}")
    """ % opts.seed, ns)


def graph_execution(ns: dict, opts) -> None:
    print("tf.function traces a Python function once into a dataflow graph, then runs the graph:\n")
    show("""
        def dense(x, w, b):
            return tf.nn.relu(tf.matmul(x, w) + b)

        graph_dense = tf.function(dense)
        x, w, b = tf.ones((4, 3)), tf.ones((3, 2)), tf.zeros(2)
        print(graph_dense(x, w, b))
        print(graph_dense.get_concrete_function(x, w, b).graph)
    """, ns)
    print("The graph runs the same NumPy kernels without per-op Python overhead, so small ops get faster:\n")
    show("""
        import time

        def chain(x):
            for _ in range(20):
                x = tf.tanh(x) * 0.5 + 0.1
            return x

        graph_chain = tf.function(chain)
        v = tf.constant([0.5] * 16)
        graph_chain(v)

        def microseconds(fn, calls=200):
            start = time.perf_counter()
            for _ in range(calls):
                fn(v)
            return (time.perf_counter() - start) / calls * 1e6

        eager_us, graph_us = microseconds(chain), microseconds(graph_chain)
        print(f"eager {eager_us:.0f} us, tf.function {graph_us:.0f} us per call: {eager_us / graph_us:.1f}x faster")
    """, ns)
    print("TF1 had only graphs: build everything first, then run it through a Session (tf.compat.v1):\n")
    show("""
        g = tf.Graph()
        with g.as_default():
            x = tf.compat.v1.placeholder(tf.float32, shape=(None, 3), name="x")
            W = tf.Variable(tf.ones((3, 2)), name="W")
            b = tf.Variable(tf.zeros(2), name="b")
            y = tf.matmul(x, W) + b
            init = tf.compat.v1.global_variables_initializer()

        print(y)
        with tf.compat.v1.Session(graph=g) as sess:
            sess.run(init)
            print(sess.run(y, feed_dict={x: [[1.0, 2.0, 3.0]]}))
    """, ns)


def autograph(ns: dict, opts) -> None:
    print("Under tf.function a Python `if` on a tensor cannot run at trace time: the graph needs the\n"
          "branch as a graph op. Written out by hand, the chapter's my_function is a tf.cond:\n")
    show("""
        @tf.function
        def my_function(condition):
            return tf.cond(condition, lambda: tf.constant(10), lambda: tf.constant(20))

        print(my_function(tf.constant(True)), my_function(tf.constant(False)))
    """, ns)
    print("AutoGraph writes that for you: tf.function converts `if`, `for` and `while` into calls that\n"
          "pick a graph op when the condition is a tensor, and plain Python otherwise:\n")
    show("""
        @tf.function
        def my_function(condition):
            if condition:
                return tf.constant(10)
            else:
                return tf.constant(20)

        print(my_function(tf.constant(True)), my_function(tf.constant(False)))
    """, ns)
    print("This is the chapter's loop over range(n), converted, and the graph it traces to:\n")
    show("""
        def compute_sum(n):
            total = 0
            for i in range(n):
                total += i
            return total

        print(tf.autograph.to_code(compute_sum))
        graph_sum = tf.function(compute_sum)
        print(graph_sum(tf.constant(5)))
        print(graph_sum.get_concrete_function(tf.constant(5)).graph)
    """, ns)


def train_digits(ns: dict, opts) -> None:
    print("Keras runs on the same machinery: fit() wraps each training step (GradientTape + optimizer)\n"
          "in a tf.function. A small CNN on the 8x8 UCI digits that ship with eagerflow:\n")
    ns["np"] = np
    show("""
        (x_train, y_train), (x_test, y_test) = tf.keras.datasets.digits.load_data(test_split=0.2, seed=113)
        print(x_train.shape, x_train.dtype, x_train.max(), y_train[:10])
        x_train = x_train[..., np.newaxis].astype("float32") / 16
        x_test = x_test[..., np.newaxis].astype("float32") / 16

        def make_model():
            model = tf.keras.Sequential([
                tf.keras.Input(shape=(8, 8, 1)),
                tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
                tf.keras.layers.MaxPooling2D(),
                tf.keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
                tf.keras.layers.MaxPooling2D(),
                tf.keras.layers.Flatten(),
                tf.keras.layers.Dense(64, activation="relu"),
                tf.keras.layers.Dense(10),
            ])
            model.compile(optimizer="adam", metrics=["accuracy"],
                          loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            return model
    """, ns)
    quiet = ", verbose=0" if opts.quiet else ""
    show(f"""
        import time
        tf.keras.utils.set_random_seed({opts.seed})
        model = make_model()
        start = time.perf_counter()
        history = model.fit(x_train, y_train, epochs={opts.epochs}, batch_size=32, validation_split=0.1{quiet})
        seconds = time.perf_counter() - start
        loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
        print(f"{{len(history.epoch)}} epochs in {{seconds:.1f}} s: test accuracy {{accuracy:.4f}}")
        print("predicted:", np.argmax(model.predict(x_test[:12], verbose=0), axis=-1))
        print("true:     ", y_test[:12])
    """, ns)
    print("A checkpoint saves the weights; restoring them into a fresh model gives the same accuracy:\n")
    workdir = tempfile.mkdtemp(prefix="eagerflow-tour-")
    ns["workdir"] = workdir
    try:
        show("""
            import os
            path = tf.train.Checkpoint(model=model).save(os.path.join(workdir, "digits"))
            fresh = make_model()
            print(f"fresh model: test accuracy {fresh.evaluate(x_test, y_test, verbose=0)[1]:.4f}")
            tf.train.Checkpoint(model=fresh).restore(path).assert_consumed()
            loss, accuracy = fresh.evaluate(x_test, y_test, verbose=0)
            print(f"restored from {os.path.basename(path)}: test accuracy {accuracy:.4f}")
        """, ns)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


SECTIONS = [
    Section("eager", "Eager evaluation", eager_evaluation),
    Section("numpy", "NumPy interoperability", numpy_interop),
    Section("control-flow", "Python control flow on tensors", control_flow),
    Section("gradients", "Automatic differentiation with GradientTape", gradients),
    Section("graph", "Graph execution with tf.function", graph_execution),
    Section("autograph", "AutoGraph: Python control flow in graphs", autograph),
    Section("train", "Training a CNN on the bundled digits with Keras", train_digits),
]


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def parse_args(argv) -> argparse.Namespace:
    names = [s.name for s in SECTIONS]
    parser = argparse.ArgumentParser(
        prog="python -m eagerflow",
        description="A tour of eagerflow: TensorFlow 2's eager execution on NumPy, with real results.")
    parser.add_argument("--section", action="append", choices=names, metavar="NAME",
                        help="run only this section (repeatable); one of: " + ", ".join(names))
    parser.add_argument("--list", action="store_true", help="list the sections and exit")
    parser.add_argument("--epochs", type=positive_int, default=DEFAULT_EPOCHS, metavar="N",
                        help=f"epochs for the digits CNN in the train section (default {DEFAULT_EPOCHS})")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="random seed for weights and shuffling (default 0)")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bars while training (the results are still printed)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    opts = parse_args(argv)
    if opts.list:
        for s in SECTIONS:
            print(f"{s.name:<14} {s.title}")
        return 0
    chosen = [s for s in SECTIONS if not opts.section or s.name in opts.section]
    print(f"eagerflow {tf.__version__}: TensorFlow 2's execution model on NumPy {np.__version__}\n")
    ns: dict = {"tf": tf}
    for number, section in enumerate(chosen, 1):
        heading = f"{number}. {section.title}"
        print(f"{heading}\n{'=' * len(heading)}\n")
        section.run(ns, opts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
