"""Gradients through tf.function: a tape around a call and a tape inside, equal to eager."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf


def _grads(fn, x, variables=()):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return [g.numpy() if g is not None else None for g in tape.gradient(y, [x, *variables])]


def _assert_same(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        if u is None or v is None:
            assert u is None and v is None
        else:
            np.testing.assert_allclose(u, v, rtol=1e-6)


def test_tape_around_a_call_equals_eager():
    w = tf.Variable([[1.0, -2.0], [0.5, 3.0]])
    b = tf.Variable([0.1, -0.2])

    def model(x):
        h = tf.matmul(x, w) + b
        return tf.reduce_sum(tf.exp(-h * h) * h)

    x = tf.constant([[0.3, -0.7], [1.1, 0.2]])
    _assert_same(_grads(tf.function(model), x, [w, b]), _grads(model, x, [w, b]))


def test_second_and_third_order_equal_eager():
    def f(x):
        return tf.reduce_sum(x * x * x + tf.exp(x))

    def orders(fn, x):
        with tf.GradientTape() as t3:
            t3.watch(x)
            with tf.GradientTape() as t2:
                t2.watch(x)
                with tf.GradientTape() as t1:
                    t1.watch(x)
                    y = fn(x)
                g1 = t1.gradient(y, x)
            g2 = t2.gradient(g1, x)
        g3 = t3.gradient(g2, x)
        return [g1.numpy(), g2.numpy(), g3.numpy()]

    x = tf.constant([0.5, -1.0, 2.0])
    _assert_same(orders(tf.function(f), x), orders(f, x))
    np.testing.assert_allclose(orders(tf.function(f), x)[2], 6 + np.exp([0.5, -1.0, 2.0]), rtol=1e-6)


def test_second_order_with_respect_to_variables():
    v = tf.Variable([1.0, 2.0])

    @tf.function
    def f(x):
        return tf.reduce_sum(x * v * v)

    x = tf.constant([3.0, 4.0])
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = f(x)
        g = inner.gradient(y, v)
    np.testing.assert_allclose(g.numpy(), [6.0, 16.0])
    np.testing.assert_allclose(outer.gradient(g, v).numpy(), [6.0, 8.0])


def test_tape_inside_the_function():
    @tf.function
    def grad_of_cube(x):
        with tf.GradientTape() as t:
            t.watch(x)
            y = x * x * x
        return t.gradient(y, x)

    np.testing.assert_allclose(grad_of_cube(tf.constant([1.0, 2.0])).numpy(), [3.0, 12.0])

    v = tf.Variable(3.0)

    @tf.function
    def train_step(x):
        with tf.GradientTape() as t:
            loss = (v * x - 1.0) ** 2
        g = t.gradient(loss, v)
        v.assign_sub(0.1 * g)
        return loss

    train_step(tf.constant(1.0))
    np.testing.assert_allclose(v.numpy(), 3.0 - 0.1 * 2 * (3.0 - 1.0))
    train_step(tf.constant(1.0))
    assert train_step.experimental_get_tracing_count() == 1


def test_second_order_inside_the_function():
    @tf.function
    def hessian_diag(x):
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.reduce_sum(x ** 3)
            g = t1.gradient(y, x)
        return t2.gradient(g, x)

    np.testing.assert_allclose(hessian_diag(tf.constant([1.0, 2.0])).numpy(), [6.0, 12.0])


def test_assignment_inside_the_function_matches_eager_gradients():
    w = tf.Variable(2.0)

    def f(a):
        r1 = w * a
        w.assign(5.0)            # later reads see 5; no gradient flows through the assignment
        r2 = w * a
        w.assign_add(a)          # nor through this one
        return r1 + r2 + w * w

    a = tf.constant(3.0)
    w.assign(2.0)
    eager = _grads(f, a, [w])
    w.assign(2.0)
    graph = _grads(tf.function(f), a, [w])
    _assert_same(graph, eager)
    assert w.numpy() == 8.0


def test_random_values_in_the_gradient_are_those_of_the_forward_run():
    @tf.function
    def dropout_like(x):
        mask = tf.cast(tf.random.uniform([64]) > 0.5, tf.float32)
        return x * mask * 2.0, mask

    x = tf.ones([64])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y, mask = dropout_like(x)
    g = tape.gradient(y, x)
    np.testing.assert_array_equal(g.numpy(), mask.numpy() * 2.0)
    assert 0 < mask.numpy().sum() < 64


def test_print_does_not_run_again_for_the_gradient(capsys):
    @tf.function
    def f(x):
        tf.print("forward")
        return x * x

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert tape.gradient(y, x).numpy() == 6.0
    assert capsys.readouterr().err == "forward\n"


def test_captured_tensor_receives_gradients():
    c = tf.constant([1.0, 2.0])

    @tf.function
    def f(x):
        return tf.reduce_sum(c * c * x)

    with tf.GradientTape() as tape:
        tape.watch(c)
        y = f(tf.constant(3.0))
    np.testing.assert_allclose(tape.gradient(y, c).numpy(), [6.0, 12.0])


def test_structured_outputs_unconnected_and_integer_outputs():
    @tf.function
    def f(x, y):
        return {"a": x * 2.0, "n": tf.size(x), "b": [x * y, None]}

    x, y, z = tf.constant([1.0, 2.0]), tf.constant(3.0), tf.constant(4.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, y, z])
        out = f(x, y)
    assert out["n"].dtype == tf.int32 and out["b"][1] is None
    gx, gy, gz = tape.gradient([out["a"], out["b"][0]], [x, y, z])
    np.testing.assert_allclose(gx.numpy(), [5.0, 5.0])
    assert gy.numpy() == 3.0 and gz is None
    gx_only_a = tape.gradient(out["a"], x)
    np.testing.assert_allclose(gx_only_a.numpy(), [2.0, 2.0])
    assert tape.gradient(out["a"], y).numpy() == 0.0  # connected through the call op: zero, as TF

    @tf.function
    def g(x, y):
        return x * 2.0

    with tf.GradientTape() as tape:
        tape.watch([x, y])
        out = g(x, y)
    assert tape.gradient(out, y) is None  # not used by the function at all: None, as TF


def test_unwatched_call_records_nothing():
    @tf.function
    def f(x):
        return x * 2.0

    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        y = f(x)
    assert tape.gradient(y, x) is None and not tape._entries


def test_nested_functions_and_none_dims():
    @tf.function
    def inner(x):
        return tf.reduce_sum(x * x, axis=1)

    @tf.function(input_signature=[tf.TensorSpec([None, 2])])
    def outer(x):
        return tf.reduce_mean(inner(x) * 3.0)

    x = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    _assert_same(_grads(outer, x), _grads(lambda t: tf.reduce_mean(tf.reduce_sum(t * t, axis=1) * 3.0), x))


def test_jacobian_through_a_function():
    f = tf.function(lambda x: x * x)
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    np.testing.assert_allclose(tape.jacobian(y, x).numpy(), np.diag([2.0, 4.0, 6.0]))


def _clip_grad():
    @tf.custom_gradient
    def clip_grad(x):
        def grad(dy):
            return tf.clip_by_value(dy, -1.0, 1.0)
        return tf.identity(x), grad
    return clip_grad


def test_custom_gradient_inside_a_function_with_a_tape_inside():
    clip_grad = _clip_grad()

    @tf.function
    def f(x):
        with tf.GradientTape() as t:
            t.watch(x)
            y = clip_grad(x) * 10.0
        return t.gradient(y, x)

    assert f(tf.constant(2.0)).numpy() == 1.0


def test_custom_gradient_inside_a_function_with_a_tape_around():
    clip_grad = _clip_grad()
    f = tf.function(lambda x: clip_grad(x) * 10.0)
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert tape.gradient(y, x).numpy() == 1.0


_UNARY = [tf.exp, tf.sin, tf.tanh, tf.square, lambda t: t * 0.5, lambda t: -t, tf.sigmoid]
_BINARY = [tf.add, tf.multiply, tf.subtract, tf.maximum, lambda a, b: a * b + a]


@settings(max_examples=25, deadline=None)
@given(program=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 6), st.integers(0, 4)), min_size=1, max_size=8),
       values=st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
def test_random_programs_agree_eager_and_traced(program, values):
    """Differential test: the same program eagerly and under tf.function, value and gradient."""
    def run(x, y):
        a, b = x, y
        for kind, u, v in program:
            a, b = (_UNARY[u](a), a) if kind == 0 else (_BINARY[v](a, b), a)
        return tf.reduce_sum(a * b)

    x = tf.constant(np.array(values, np.float64))
    y = tf.constant(np.array(values[::-1], np.float64))

    def value_and_grads(fn):
        with tf.GradientTape() as tape:
            tape.watch([x, y])
            out = fn(x, y)
        return [out.numpy()] + [g.numpy() if g is not None else None for g in tape.gradient(out, [x, y])]

    _assert_same(value_and_grads(tf.function(run)), value_and_grads(run))


def test_custom_gradient_with_variables_and_captured_tensors_through_a_function():
    v = tf.Variable(3.0)

    @tf.custom_gradient
    def scaled(x):
        y = x * v

        def grad(dy, variables):
            return dy * 100.0 * x, [dy * -1.0 * x]  # deliberately not the true gradients
        return y, grad

    f = tf.function(lambda x: scaled(x) * 2.0)
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    gx, gv = tape.gradient(y, [x, v])
    assert y.numpy() == 12.0 and gx.numpy() == 400.0 and gv.numpy() == -4.0


def test_custom_gradient_none_gradients_and_inlined_functions():
    @tf.custom_gradient
    def first_only(a, b):
        def grad(dy):
            return dy * 7.0, None
        return a * b, grad

    inner = tf.function(lambda a, b: first_only(a, b))
    outer = tf.function(lambda a, b: inner(a, b) + 0.0)  # inner is inlined into outer's graph
    clip = _clip_grad()
    nested = tf.function(lambda x: tf.function(lambda t: clip(t) * 10.0)(x) * 1.0)
    a, b = tf.constant(2.0), tf.constant(5.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([a, b])
        y = outer(a, b)
        z = nested(a)
    ga, gb = tape.gradient(y, [a, b])
    assert ga.numpy() == 7.0 and gb is None
    assert tape.gradient(z, a).numpy() == 1.0


def test_custom_gradient_in_a_cond_branch():
    clip = _clip_grad()

    @tf.function
    def f(x):
        return tf.cond(x > 0, lambda: clip(x) * 10.0, lambda: x * 3.0)

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert tape.gradient(y, x).numpy() == 1.0


def test_custom_gradient_whose_grad_fn_cannot_trace_fails_only_when_asked():
    @tf.custom_gradient
    def odd(x):
        def grad(dy):
            raise RuntimeError("no gradient for you")
        return tf.identity(x), grad

    f = tf.function(lambda x: odd(x) * 2.0)
    x = tf.constant(1.0)
    assert f(x).numpy() == 2.0
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    with pytest.raises(RuntimeError, match="no gradient for you"):
        tape.gradient(y, x)
