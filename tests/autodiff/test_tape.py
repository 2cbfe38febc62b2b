"""GradientTape against TensorFlow 2.21: recording rules, errors, warnings, higher order, jacobians."""
import logging

import numpy as np
import pytest

import eagerflow as tf
from helpers import numeric_grad

LOGGER = "eagerflow" if tf.__name__ == "eagerflow" else "tensorflow"


@pytest.fixture
def warnings_log(caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    return caplog


def test_basic_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x + 2 * x
    g = tape.gradient(y, x)
    assert g.dtype == tf.float32 and g.numpy() == 8.0


def test_non_persistent_tape_is_single_use():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient(y, x).numpy() == 6.0
    with pytest.raises(RuntimeError, match=r"A non-persistent GradientTape can only be used to compute one set of "
                                           r"gradients \(or jacobians\)"):
        tape.gradient(y, x)


def test_persistent_tape():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * x
    assert tape.gradient(y, x).numpy() == 6.0
    assert tape.gradient(z, x).numpy() == 27.0
    assert tape.jacobian(y, x).numpy() == 6.0


def test_unwatched_tensors_give_none():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None


def test_watch_accessed_variables_false():
    v = tf.Variable(2.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        y = v * v
    assert tape.gradient(y, v) is None and tape.watched_variables() == ()
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(v)
        y = v * v
    assert tape.gradient(y, v).numpy() == 4.0


def test_watched_variables_order_and_explicit_watch():
    v, w = tf.Variable(1.0), tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * w
        tape.watch(w)
    assert tape.watched_variables() == (v, w)


def test_nested_sources_keep_their_structure():
    v, w = tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * w
    g = tape.gradient(y, [v, {"w": w, "v": (v,)}])
    assert isinstance(g, list) and isinstance(g[1], dict) and isinstance(g[1]["v"], tuple)
    assert [float(g[0]), float(g[1]["w"]), float(g[1]["v"][0])] == [3.0, 2.0, 3.0]
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert [float(a) for a in tape.gradient(y, [x, x])] == [6.0, 6.0]


def test_multiple_and_nested_targets_are_summed():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient([y, y * 2], x).numpy() == 6.0   # y * 2 was computed after the block: not recorded
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * 2
    assert tape.gradient([y, z], x).numpy() == 18.0
    assert tape.gradient({"a": y}, x).numpy() == 6.0


def test_output_gradients():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * tf.constant([1.0, 2.0])
        z = x * x
    assert tape.gradient(y, x, output_gradients=tf.constant([10.0, 100.0])).numpy() == 210.0
    assert tape.gradient(z, x, output_gradients=2.0).numpy() == 12.0


def test_unconnected_gradients():
    x, y0 = tf.constant(3.0), tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, y0])
        z = x * 2
    assert tape.gradient(z, y0) is None
    zero = tape.gradient(z, y0, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert zero.numpy().tolist() == [0.0, 0.0] and zero.dtype == tf.float32
    assert tape.gradient(z, y0, unconnected_gradients="zero").numpy().tolist() == [0.0, 0.0]
    assert tape.gradient(z, y0, unconnected_gradients="none") is None
    v = tf.Variable([[1.0]])
    assert tape.gradient(z, v, unconnected_gradients="zero").numpy().tolist() == [[0.0]]
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: 'foo'"):
        tape.gradient(z, y0, unconnected_gradients="foo")


def test_constant_target_with_zero_unconnected():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.constant(2.0) * 3
    assert tape.gradient(y, x, unconnected_gradients="zero").numpy() == 0.0


def test_target_is_source():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
    assert tape.gradient(x, x).numpy() == 1.0


def test_integer_watch_warns_and_gives_none(warnings_log):
    i = tf.constant(3)
    with tf.GradientTape() as tape:
        tape.watch(i)
        y = i * i
    assert tape.gradient(y, i) is None
    msgs = [r.getMessage() for r in warnings_log.records if r.name == LOGGER]
    assert any("The dtype of the watched tensor must be floating (e.g. tf.float32), got tf.int32" in m for m in msgs)


def test_integer_target_gives_none(warnings_log):
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(x, tf.int32) * 2
    assert tape.gradient(y, x) is None


def test_integer_target_is_explained_once(warnings_log):
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(x, tf.int32) * 2
    tape.gradient(y, x)
    msgs = [r for r in warnings_log.records if r.name == "eagerflow" and "target tensor must be floating" in
            r.getMessage()]
    assert len(msgs) == 1 and msgs[0].levelname == "WARNING"


def test_stop_recording():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        with tape.stop_recording():
            y = x * x
        z = x * 3 + y
    assert tape.gradient(y, x) is None and tape.gradient(z, x).numpy() == 3.0
    with pytest.raises(RuntimeError, match="Trying to stop recording a tape which is not recording."):
        tf.GradientTape().stop_recording().__enter__()


def test_reset():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
        tape.watch(x)
        z = x * 5
    assert tape.gradient(z, x).numpy() == 5.0
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
        z = x * 5          # x is no longer watched
    assert tape.gradient(z, x) is None


def test_reentering():
    x = tf.constant(3.0)
    tape = tf.GradientTape()
    with tape:
        pass
    with tape:
        tape.watch(x)
        y = x * 4
    assert tape.gradient(y, x).numpy() == 4.0
    with pytest.raises(ValueError, match="Tape is still recording, This can happen if you try to re-enter an "
                                         "already-active tape."):
        with tf.GradientTape() as t:
            with t:
                pass


def test_watch_refuses_non_tensors():
    with pytest.raises(ValueError, match=r"Passed in object 3.0 of type 'float', not tf.Tensor or tf.Variable or "
                                         r"ExtensionType."):
        with tf.GradientTape() as tape:
            tape.watch(3.0)


def test_second_and_third_order_with_nested_tapes():
    x = tf.constant(3.0)
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = x * x * x * x
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    assert [float(d1), float(d2), float(d3)] == [108.0, 108.0, 72.0]


def test_persistent_tape_differentiates_its_own_gradient(warnings_log):
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        g = tape.gradient(y, x)
    assert g.numpy() == 6.0 and tape.gradient(g, x).numpy() == 2.0
    assert any("persistent tape inside its context" in r.getMessage() for r in warnings_log.records)


def test_non_persistent_tape_stops_recording_at_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        g = tape.gradient(y, x)
        with pytest.raises(RuntimeError, match="Trying to stop recording a tape which is not recording."):
            with tape.stop_recording():
                pass
    assert g.numpy() == 6.0


def test_stop_gradient():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.stop_gradient(x * x) + x
        z = tf.stop_gradient(x) * x
    assert tape.gradient(y, x).numpy() == 1.0 and tape.gradient(z, x).numpy() == 2.0


def test_gradient_accumulates_over_many_uses():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x * x + x * 3.0 + x)
    assert tape.gradient(y, x).numpy().tolist() == [6.0, 8.0]


def test_gradients_through_broadcasting_match_finite_differences():
    rng = np.random.RandomState(0)
    a, b = rng.randn(3, 4), rng.randn(4)

    def f(a_, b_):
        return float(np.sum(np.tanh(a_) * b_ + a_ * a_ / (1.0 + b_ * b_)))

    ta, tb = tf.constant(a), tf.constant(b)
    with tf.GradientTape() as tape:
        tape.watch([ta, tb])
        y = tf.reduce_sum(tf.tanh(ta) * tb + ta * ta / (1.0 + tb * tb))
    ga, gb = tape.gradient(y, [ta, tb])
    np.testing.assert_allclose(ga.numpy(), numeric_grad(f, [a, b], 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gb.numpy(), numeric_grad(f, [a, b], 1), rtol=1e-6, atol=1e-8)


# ---- jacobians ----------------------------------------------------------------------------------------

def _fd_jacobian(f, x, eps=1e-6):
    x = np.array(x, dtype=np.float64)
    y0 = np.asarray(f(x))
    jac = np.zeros(y0.shape + x.shape)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        jac[(Ellipsis,) + idx] = (np.asarray(f(xp)) - np.asarray(f(xm))) / (2 * eps)
    return jac


def test_jacobian_matches_finite_differences():
    x0 = np.array([[0.5, -1.0], [2.0, 0.3]])
    x = tf.constant(x0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.matmul(x, x) * tf.constant([1.0, 3.0], tf.float64)
    j = tape.jacobian(y, x)
    assert j.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(j.numpy(), _fd_jacobian(lambda a: (a @ a) * np.array([1.0, 3.0]), x0), rtol=1e-6)


def test_jacobian_basic_cases():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        s = tf.reduce_sum(y)
    np.testing.assert_array_equal(tape.jacobian(y, x).numpy(), np.diag([2.0, 4.0, 6.0]))
    assert tape.jacobian(s, x).numpy().tolist() == [2.0, 4.0, 6.0]
    j = tape.jacobian(y, [x, {"k": x}])
    assert isinstance(j[1], dict) and j[1]["k"].shape == (3, 3)
    z = tf.constant([1.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, z])
        y = x * 2
    assert tape.jacobian(y, z) is None
    assert tape.jacobian(y, z, unconnected_gradients="zero").numpy().tolist() == [[0.0], [0.0], [0.0]]


def test_jacobian_of_variable():
    A = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    v = tf.Variable([1.0, -1.0])
    with tf.GradientTape() as tape:
        y = tf.reshape(tf.matmul(A, tf.reshape(v, [2, 1])), [3])
    np.testing.assert_array_equal(tape.jacobian(y, v).numpy(), A.numpy())
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used"):
        tape.jacobian(y, v)


def test_batch_jacobian_matches_finite_differences():
    x0 = np.array([[1.0, 2.0, 0.5], [3.0, -4.0, 1.5]])
    w = np.array([[1.0, 0.5], [2.0, -1.0], [0.3, 0.7]])
    x = tf.constant(x0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.tanh(tf.matmul(x, tf.constant(w)))
    bj = tape.batch_jacobian(y, x)
    assert bj.shape == (2, 2, 3)
    for b in range(2):
        expected = _fd_jacobian(lambda r: np.tanh(r @ w), x0[b])
        np.testing.assert_allclose(bj.numpy()[b], expected, rtol=1e-6, atol=1e-9)


def test_batch_jacobian_cases_and_errors():
    xb = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(xb)
        y = xb * xb * tf.constant([1.0, 10.0])
        k = tf.reduce_sum(xb, axis=1, keepdims=True)
        r = tf.reduce_sum(xb, axis=1)
        head = xb[:1]
    assert tape.batch_jacobian(y, xb).numpy().tolist() == [[[2.0, 0.0], [0.0, 40.0]], [[6.0, 0.0], [0.0, 80.0]]]
    assert tape.batch_jacobian(k, xb).numpy().tolist() == [[[1.0, 1.0]], [[1.0, 1.0]]]
    with pytest.raises(ValueError, match=r"Shape \(2,\) must have rank at least 2"):
        tape.batch_jacobian(r, xb)
    with pytest.raises(ValueError, match=r"Need first dimension of target shape \(\(1, 2\)\) and source shape "
                                         r"\(\(2, 2\)\) to match."):
        tape.batch_jacobian(head, xb)


def test_gradient_of_a_variable_with_respect_to_itself_is_one():
    v = tf.Variable([3.0, 4.0])
    with tf.GradientTape(persistent=True) as tape:
        y = v * 2.0
    np.testing.assert_array_equal(tape.gradient(v, v).numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(tape.gradient([y, v], v).numpy(), [3.0, 3.0])
