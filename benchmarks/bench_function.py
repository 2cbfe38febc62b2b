"""tf.function vs eager vs raw NumPy, measured in one run (microseconds per call, best of 5).

Targets (issue 3): call overhead of a traced `a + b` <= 10 us (TF 2.21: 242 us); a chain of 100
small elementwise ops on a 16-element tensor: function >= 10x faster than eager and no slower than
the same 100 raw NumPy calls (TF 2.21: eager 2304 us, function 232 us, NumPy 76 us).

Run: python benchmarks/bench_function.py
"""
from __future__ import annotations

import timeit

import numpy as np

import eagerflow as tf

CHAIN = 100


def best_us(fn, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def chain_tf(x):
    """100 elementwise ops, cycling multiply/add/subtract/maximum with scalars."""
    for i in range(CHAIN // 4):
        x = x * 1.001
        x = x + 0.01
        x = x - 0.005
        x = tf.maximum(x, -1.0)
    return x


def chain_np(x):
    for i in range(CHAIN // 4):
        x = np.multiply(x, 1.001)
        x = np.add(x, 0.01)
        x = np.subtract(x, 0.005)
        x = np.maximum(x, -1.0)
    return x


def main() -> None:
    a_np = np.arange(16, dtype=np.float32)
    b_np = np.ones(16, dtype=np.float32)
    a, b = tf.constant(a_np), tf.constant(b_np)
    add_fn = tf.function(lambda x, y: x + y)
    chain_fn = tf.function(chain_tf)
    add_fn(a, b), chain_fn(a)  # trace once
    np.testing.assert_allclose(chain_fn(a).numpy(), chain_tf(a).numpy(), rtol=1e-6)
    np.testing.assert_allclose(chain_fn(a).numpy(), chain_np(a_np), rtol=1e-5)

    rows = [
        ("a + b: NumPy np.add", best_us(lambda: np.add(a_np, b_np), 20000)),
        ("a + b: eager", best_us(lambda: a + b, 20000)),
        ("a + b: tf.function call", best_us(lambda: add_fn(a, b), 20000)),
        (f"chain of {CHAIN} ops: NumPy", best_us(lambda: chain_np(a_np), 500)),
        (f"chain of {CHAIN} ops: eager", best_us(lambda: chain_tf(a), 200)),
        (f"chain of {CHAIN} ops: tf.function", best_us(lambda: chain_fn(a), 500)),
    ]
    t = dict(rows)
    print(f"{'case':<34}{'us/call':>10}")
    for name, us in rows:
        print(f"{name:<34}{us:>10.2f}")
    np_chain, eager_chain, fn_chain = t[f"chain of {CHAIN} ops: NumPy"], t[f"chain of {CHAIN} ops: eager"], \
        t[f"chain of {CHAIN} ops: tf.function"]
    overhead = t["a + b: tf.function call"]
    print()
    print(f"traced a + b call: {overhead:.2f} us (target <= 10 us; {overhead / t['a + b: NumPy np.add']:.1f}x np.add)")
    print(f"chain: function is {eager_chain / fn_chain:.1f}x faster than eager (target >= 10x)")
    print(f"chain: function / NumPy = {fn_chain / np_chain:.2f} (target <= 1.0)")
    print(f"nodes in the chain's optimized graph: {len(chain_fn.get_concrete_function(a).optimized_graph)}")


if __name__ == "__main__":
    main()
