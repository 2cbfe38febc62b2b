"""tf.function vs eager vs raw NumPy, measured in one run (microseconds per call).

Targets (issue 3): call overhead of a traced `a + b` <= 10 us (TF 2.21: 242 us); a chain of 100
small elementwise ops on a 16-element tensor: function >= 10x faster than eager and no slower than
the same 100 raw NumPy calls (TF 2.21: eager 2304 us, function 232 us, NumPy 76 us).

Cases are timed in interleaved rounds (so a burst of load on a shared machine hits all of them);
each round takes the best of 3 repeats, and the table shows the minimum and the median over rounds.
Ratios use the minimums. The "NumPy floor" row is the code the executor generates for the chain,
written by hand: 100 ufunc calls on float32 arrays, in place where the executor reuses buffers. A
graph executor that calls one NumPy kernel per node cannot beat it.

Run: python benchmarks/bench_function.py [--rounds N] [--show-code]
"""
from __future__ import annotations

import argparse
import statistics
import timeit

import numpy as np

import eagerflow as tf

CHAIN = 100


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


_C = [np.array(v, np.float32) for v in (1.001, 0.01, 0.005, -1.0)]


def chain_np_floor(x, c=_C):
    """The chain as the executor runs it: float32 constants, results written into dying buffers."""
    mul, add, sub, maximum = np.multiply, np.add, np.subtract, np.maximum
    c0, c1, c2, c3 = c
    y = mul(x, c0)
    add(y, c1, y)
    sub(y, c2, y)
    y = maximum(y, c3)
    for i in range(CHAIN // 4 - 1):
        mul(y, c0, y)
        add(y, c1, y)
        sub(y, c2, y)
        y = maximum(y, c3)
    return y


def measure(cases, rounds: int) -> dict:
    """{name: [us per call, one per round]}, the cases interleaved within each round."""
    times: dict = {name: [] for name, _, _ in cases}
    for _ in range(rounds):
        for name, fn, number in cases:
            times[name].append(min(timeit.repeat(fn, number=number, repeat=3)) / number * 1e6)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--show-code", action="store_true", help="print the chain's generated code")
    opts = parser.parse_args()
    a_np = np.arange(16, dtype=np.float32)
    b_np = np.ones(16, dtype=np.float32)
    a, b = tf.constant(a_np), tf.constant(b_np)
    add_fn = tf.function(lambda x, y: x + y)
    chain_fn = tf.function(chain_tf)
    add_fn(a, b), chain_fn(a)  # trace once
    eager, fn = chain_tf(a).numpy(), chain_fn(a).numpy()
    np.testing.assert_array_equal(fn.view(np.uint32), eager.view(np.uint32))  # bitwise as eager
    np.testing.assert_array_equal(chain_np_floor(a_np), fn)
    np.testing.assert_allclose(fn, chain_np(a_np), rtol=1e-5)
    if opts.show_code:
        print(chain_fn.get_concrete_function(a)._exe.source)

    cases = [
        ("a + b: NumPy np.add", lambda: np.add(a_np, b_np), 20000),
        ("a + b: eager", lambda: a + b, 20000),
        ("a + b: tf.function call", lambda: add_fn(a, b), 20000),
        (f"chain of {CHAIN} ops: NumPy", lambda: chain_np(a_np), 500),
        (f"chain of {CHAIN} ops: NumPy floor", lambda: chain_np_floor(a_np), 500),
        (f"chain of {CHAIN} ops: eager", lambda: chain_tf(a), 100),
        (f"chain of {CHAIN} ops: tf.function", lambda: chain_fn(a), 500),
    ]
    times = measure(cases, opts.rounds)
    t = {name: min(v) for name, v in times.items()}
    print(f"{'case':<36}{'min us':>10}{'median us':>11}   ({opts.rounds} rounds)")
    for name, v in times.items():
        print(f"{name:<36}{min(v):>10.2f}{statistics.median(v):>11.2f}")
    np_chain, floor = t[f"chain of {CHAIN} ops: NumPy"], t[f"chain of {CHAIN} ops: NumPy floor"]
    eager_chain, fn_chain = t[f"chain of {CHAIN} ops: eager"], t[f"chain of {CHAIN} ops: tf.function"]
    overhead = t["a + b: tf.function call"]
    print()
    print(f"traced a + b call: {overhead:.2f} us (target <= 10 us; {overhead / t['a + b: NumPy np.add']:.1f}x np.add)")
    print(f"chain: function is {eager_chain / fn_chain:.1f}x faster than eager (target >= 10x; "
          f"the NumPy floor is {eager_chain / floor:.1f}x)")
    print(f"chain: function / NumPy = {fn_chain / np_chain:.2f} (target <= 1.0); function / NumPy floor = "
          f"{fn_chain / floor:.2f}")
    print(f"nodes in the chain's optimized graph: {len(chain_fn.get_concrete_function(a).optimized_graph)}")


if __name__ == "__main__":
    main()
