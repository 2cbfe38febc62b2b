"""`python -m eagerflow`: a short tour of eager execution, run for real.

Each section shows a snippet (the examples of the TF 2.x Eager Execution chapter) and then what
running it prints. Sections are plain functions listed in SECTIONS; later chapters add theirs.

    python -m eagerflow                      # the whole tour
    python -m eagerflow --section gradients  # one section (repeatable)
    python -m eagerflow --list               # section names
"""
from __future__ import annotations

import argparse
import ast
import sys
import textwrap
from typing import Callable, NamedTuple

import numpy as np

import eagerflow as tf


class Section(NamedTuple):
    name: str
    title: str
    run: Callable[[dict], None]


def show(code: str, namespace: dict) -> None:
    """Runs `code` statement by statement, echoing each as the interactive interpreter shows it."""
    code = textwrap.dedent(code).strip("\n")
    for stmt in ast.parse(code).body:
        lines = ast.get_source_segment(code, stmt, padded=True).splitlines()
        print(">>> " + lines[0])
        for line in lines[1:]:
            print("... " + line if line.strip() else "...")
        if isinstance(stmt, (ast.FunctionDef, ast.ClassDef, ast.With, ast.For, ast.If, ast.While)):
            print("...")
        exec(compile(ast.Module([stmt], []), "<tour>", "exec"), namespace)  # noqa: S102 - the tour's own code
    print()


# ---- sections ----------------------------------------------------------------------------------------

def eager_evaluation(ns: dict) -> None:
    print("Every operation runs as soon as it is called and returns a concrete tensor:\n")
    show("""
        print(tf.executing_eagerly())
        a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        print(a + 1)
        print(tf.matmul(a, a))
    """, ns)


def control_flow(ns: dict) -> None:
    print("Tensors work with Python's own `if` and `for`: no tf.cond or tf.while_loop needed.\n")
    config = getattr(tf, "config", None)
    if config is not None and hasattr(config, "experimental_run_functions_eagerly"):
        show("tf.config.experimental_run_functions_eagerly(True)", ns)
        restore = True
    else:
        print("(tf.config is not available in this build, so the chapter's "
              "tf.config.experimental_run_functions_eagerly(True) line is skipped:\n"
              " functions are eager by default anyway.)\n")
        restore = False
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
        if restore:
            config.experimental_run_functions_eagerly(False)
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


def numpy_interop(ns: dict) -> None:
    print("Tensors and NumPy arrays mix freely; .numpy() gives an array back.\n")
    ns["np"] = np
    show("""
        t = tf.constant([1.0, 2.0, 3.0])
        print(np.square(t))
        print(tf.reduce_sum(np.arange(4.0)))
        print(t.numpy(), t.dtype, t.shape)
    """, ns)


def gradients(ns: dict) -> None:
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


def graph_execution(ns: dict) -> None:
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


SECTIONS = [
    Section("eager", "Eager evaluation", eager_evaluation),
    Section("control-flow", "Python control flow on tensors", control_flow),
    Section("numpy", "NumPy interoperability", numpy_interop),
    Section("gradients", "Automatic differentiation with GradientTape", gradients),
    Section("graph", "Graph execution with tf.function", graph_execution),
]


def main(argv=None) -> int:
    names = [s.name for s in SECTIONS]
    parser = argparse.ArgumentParser(
        prog="python -m eagerflow",
        description="A tour of eagerflow: TensorFlow 2's eager execution on NumPy, with real results.")
    parser.add_argument("--section", action="append", choices=names, metavar="NAME",
                        help="run only this section (repeatable); one of: " + ", ".join(names))
    parser.add_argument("--list", action="store_true", help="list the sections and exit")
    args = parser.parse_args(argv)
    if args.list:
        for s in SECTIONS:
            print(f"{s.name:<14} {s.title}")
        return 0
    chosen = [s for s in SECTIONS if not args.section or s.name in args.section]
    print(f"eagerflow {tf.__version__}: TensorFlow 2's execution model on NumPy {np.__version__}\n")
    ns: dict = {"tf": tf}
    for number, section in enumerate(chosen, 1):
        heading = f"{number}. {section.title}"
        print(f"{heading}\n{'=' * len(heading)}\n")
        section.run(ns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
