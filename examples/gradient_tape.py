"""Automatic differentiation in eager mode with tf.GradientTape.

    python examples/gradient_tape.py

Fits y = w*x + b to noisy data with a hand-written gradient-descent loop: the tape records the
forward pass as it runs, then `tape.gradient` differentiates it.
"""
import numpy as np

import eagerflow as tf


def fit_line(steps=200, learning_rate=0.1, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, size=(100,)).astype(np.float32)
    y = (3.0 * x + 0.5 + rng.normal(scale=0.05, size=100)).astype(np.float32)
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    for step in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w * x + b - y) ** 2)
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(learning_rate * dw)
        b.assign_sub(learning_rate * db)
        if step % 50 == 0:
            print(f"step {step:3d}  loss {float(loss):.4f}")
    return w, b


if __name__ == "__main__":
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x + 2 * x
    print("d(x*x + 2x)/dx at 3:", tape.gradient(y, x))   # tf.Tensor(8.0, ...)

    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x ** 3
        dy = inner.gradient(y, x)
    print("first and second derivative of x**3 at 2:", float(dy), float(outer.gradient(dy, x)))  # 12.0 12.0

    w, b = fit_line()
    print(f"fitted w = {float(w):.2f}, b = {float(b):.2f}")   # about 3.00 and 0.50
