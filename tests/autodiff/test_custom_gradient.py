"""tf.custom_gradient against TensorFlow 2.21, including variables and higher order."""
import numpy as np
import pytest

import eagerflow as tf


def test_clipped_gradient():
    @tf.custom_gradient
    def clip(x):
        def grad(dy):
            return tf.clip_by_value(dy, -1.0, 1.0)
        return tf.identity(x), grad

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = clip(x) * 10.0
    assert tape.gradient(y, x).numpy() == 1.0


def test_numerically_stable_gradient():
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))
        return tf.math.log(1 + e), grad

    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    assert tape.gradient(y, x).numpy() == 1.0   # the plain formula gives nan here


def test_several_inputs():
    @tf.custom_gradient
    def f(x, y):
        def grad(dz):
            return dz * 2.0, dz * 3.0
        return x * y, grad

    a, b = tf.constant(2.0), tf.constant(5.0)
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        z = f(a, b)
    assert z.numpy() == 10.0
    assert [float(g) for g in tape.gradient(z, [a, b])] == [2.0, 3.0]


def test_several_outputs():
    @tf.custom_gradient
    def f(x):
        def grad(dy1, dy2):
            return dy1 * 2 + dy2 * 3
        return [x * 2, x * 3], grad

    a = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(a)
        u, w = f(a)
        z = u * 10 + w
    assert tape.gradient(z, a).numpy() == 23.0


def test_with_variables():
    v = tf.Variable(3.0)

    @tf.custom_gradient
    def f(x):
        def grad(dy, variables=None):
            return dy * 7.0, [dy * 11.0 for _ in variables]
        return x * v, grad

    a = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(a)
        z = f(a)
    assert z.numpy() == 6.0
    assert [float(g) for g in tape.gradient(z, [a, v])] == [7.0, 11.0]


def test_variables_require_the_variables_argument():
    v = tf.Variable(3.0)

    @tf.custom_gradient
    def f(x):
        def grad(dy):
            return dy
        return x * v, grad

    a = tf.constant(2.0)
    with pytest.raises(TypeError, match="@tf.custom_gradient grad_fn must accept keyword argument 'variables', "
                                        "since function uses variables"):
        with tf.GradientTape() as tape:
            tape.watch(a)
            f(a)


def test_second_order_through_custom_gradient():
    @tf.custom_gradient
    def f(x):
        def grad(dy):
            return dy * x * 2
        return x * x, grad

    a = tf.constant(3.0)
    with tf.GradientTape() as t2:
        t2.watch(a)
        with tf.GradientTape() as t1:
            t1.watch(a)
            z = f(a)
        g = t1.gradient(z, a)
    assert g.numpy() == 6.0 and t2.gradient(g, a).numpy() == 2.0


def test_without_a_tape_it_is_just_the_function():
    @tf.custom_gradient
    def f(x):
        def grad(dy):
            return dy * 5
        return x * 2, grad

    out = f(tf.constant([1.0, 2.0]))
    assert isinstance(out, tf.Tensor) and out.numpy().tolist() == [2.0, 4.0]


def test_inner_ops_are_not_recorded():
    calls = []

    @tf.custom_gradient
    def f(x):
        def grad(dy):
            calls.append(1)
            return dy * 0.5
        return tf.sin(x) * 100.0, grad

    x = tf.constant(np.array([0.1, 0.2]))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(f(x))
    assert tape.gradient(y, x).numpy().tolist() == [0.5, 0.5] and calls == [1]
