"""Reductions, arg-reductions and scans: values vs NumPy, gradients vs finite differences, TF's dtype
rules and error messages (checked against TensorFlow 2.21)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf
from eagerflow.ops import reduce as red
from helpers import assert_close, check_grad, check_op

RNG = np.random.RandomState(0)
X3 = RNG.uniform(0.5, 2.0, size=(2, 3, 4)).astype(np.float32)
AXES = [None, 0, 1, -1, (0, 2), [-1, 0], ()]


def _np_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _np_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


REDUCTIONS = {
    "sum": (tf.reduce_sum, np.sum),
    "mean": (tf.reduce_mean, np.mean),
    "max": (tf.reduce_max, np.max),
    "min": (tf.reduce_min, np.min),
    "prod": (tf.reduce_prod, np.prod),
    "logsumexp": (tf.reduce_logsumexp, _np_logsumexp),
    "euclidean_norm": (red.reduce_euclidean_norm, lambda x, axis=None, keepdims=False:
                       np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))),
    "std": (red.reduce_std, np.std),
    "variance": (red.reduce_variance, np.var),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_value_and_gradient(name, axis, keepdims):
    fn, ref = REDUCTIONS[name]
    # std over no axis is sqrt(0): its gradient is NaN (as TF), see test_std_gradient_at_zero_variance
    grad = not (name == "std" and axis == ())
    out = check_op(lambda x: fn(x, axis=axis, keepdims=keepdims), X3,
                   ref=lambda x: ref(x, axis=_np_axis(axis), keepdims=keepdims).astype(np.float32),
                   dtype=tf.float32, rtol=1e-5, grad_rtol=1e-4, grad=grad)
    assert out.shape == np.sum(X3, axis=_np_axis(axis), keepdims=keepdims).shape


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "prod"])
def test_reduction_of_1d_and_scalar(name):
    fn, ref = REDUCTIONS[name]
    v = np.array([1.5, -2.0, 3.0], dtype=np.float64)
    check_op(fn, v, ref=lambda x: ref(x), dtype=tf.float64)
    check_op(lambda x: fn(x, axis=[]), np.array(2.5), ref=lambda x: x)


def test_axis_forms():
    x = tf.constant([[1, 2], [3, 4]])
    for axis in (1, -1, [1], (-1,), [[1]], np.int64(1), tf.constant(1), tf.constant([1], tf.int64)):
        assert tf.reduce_sum(x, axis=axis).numpy().tolist() == [3, 7]
    assert tf.reduce_sum(x, axis=[]).numpy().tolist() == [[1, 2], [3, 4]]
    assert tf.reduce_sum(x, axis=[0, 1]).numpy() == 10
    assert tf.reduce_sum(x, keepdims=None).shape == ()
    assert tf.reduce_sum(x, axis=0, keepdims=True).shape == (1, 2)


@pytest.mark.parametrize("fn, op", [(tf.reduce_sum, "Sum"), (tf.reduce_mean, "Mean"), (tf.reduce_max, "Max"),
                                    (tf.reduce_prod, "Prod"), (red.reduce_euclidean_norm, "EuclideanNorm")])
def test_invalid_axis_errors(fn, op):
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=rf"Invalid reduction dimension \(3 for input with 1 dimension\(s\) \[Op:{op}\]"):
        fn(tf.constant([1.0, 2.0]), axis=3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Invalid reduction dimension \(-2 for input with 1"):
        fn(tf.constant([1.0, 2.0]), axis=-2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Invalid reduction dimension \(0 for input with 0"):
        fn(tf.constant(1.0), axis=0)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=rf"Axes contains duplicate dimension: 0 \[Op:{op}\]"):
        fn(tf.constant([[1.0, 2.0]]), axis=[0, -2])


def test_axis_type_errors():
    x = tf.constant([1.0])
    with pytest.raises(TypeError, match="Cannot convert 1.0 to EagerTensor of dtype int32"):
        tf.reduce_sum(x, axis=1.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'Tidx' of float32 .* int32, int64"):
        tf.reduce_sum(x, axis=tf.constant([0.0]))


def test_dtype_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of bool is not in the list.*\[Op:Sum\]"):
        tf.reduce_sum(tf.constant([True]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of string .*\[Op:Mean\]"):
        tf.reduce_mean(tf.constant(["a"]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of complex128 .*\[Op:Max\]"):
        tf.reduce_max(tf.constant([1 + 2j]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute Any as input #0\(zero-based\) was expected to be a bool tensor but is "
                             r"a int32 tensor \[Op:Any\]"):
        tf.reduce_any(tf.constant([1, 0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"expected to be a bool tensor but is a float32"):
        tf.reduce_all(tf.constant([1.0]))
    with pytest.raises(TypeError, match=r"Input must be either real or complex. Received integer type "
                                        r"<dtype: 'int32'>"):
        red.reduce_std(tf.constant([1, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'T' of int32"):
        tf.reduce_logsumexp(tf.constant([1, 2]))


def test_integer_results_follow_tf():
    c = tf.constant
    assert tf.reduce_sum(c([200, 100], tf.uint8)).numpy() == 44  # wraps in the input type
    assert tf.reduce_sum(c([2 ** 31 - 1, 1])).numpy() == -2 ** 31
    assert tf.reduce_mean(c([1, 2])).numpy() == 1
    assert tf.reduce_mean(c([-3, 0])).numpy() == -1  # truncates toward zero
    assert tf.reduce_mean(c([-7, 0])).numpy() == -3
    assert tf.reduce_mean(c([200, 100], tf.uint8)).numpy() == 150  # accumulates wide
    assert tf.reduce_mean(c([2 ** 31 - 1, 2 ** 31 - 1])).numpy() == 2 ** 31 - 1
    assert tf.reduce_mean(c([-100, -100, -100], tf.int8)).numpy() == -100
    assert tf.reduce_mean(c([[1, 2], [3, 5]]), axis=0).numpy().tolist() == [2, 3]
    assert tf.reduce_prod(c([2, 3])).numpy() == 6
    for fn in (tf.reduce_sum, tf.reduce_mean, tf.reduce_max, tf.reduce_min, tf.reduce_prod):
        for dt in (tf.int8, tf.uint8, tf.int32, tf.int64, tf.float16, tf.float64):
            assert fn(c([1, 2], dt)).dtype == dt
    assert red.reduce_euclidean_norm(c([2, 3])).numpy() == 3
    assert red.reduce_euclidean_norm(c([-3, -4], tf.int8)).numpy() == 5
    assert red.reduce_euclidean_norm(c([100, 100], tf.int8)).numpy() == 5  # squares wrap in int8, as TF


def test_empty_reductions():
    e = tf.constant([], tf.float32)
    assert np.isnan(tf.reduce_mean(e).numpy())
    assert tf.reduce_mean(tf.constant([], tf.int32)).numpy() == 0
    assert tf.reduce_max(e).numpy() == -np.inf
    assert tf.reduce_min(e).numpy() == np.inf
    assert tf.reduce_max(tf.constant([], tf.int32)).numpy() == -2 ** 31
    assert tf.reduce_prod(e).numpy() == 1
    assert tf.reduce_sum(tf.zeros([0, 3]), axis=0).numpy().tolist() == [0, 0, 0]
    assert tf.reduce_max(tf.zeros([2, 0]), axis=1).numpy().tolist() == [-np.inf, -np.inf]
    assert tf.reduce_all(tf.constant([], tf.bool)).numpy()
    assert not tf.reduce_any(tf.constant([], tf.bool)).numpy()
    assert np.isnan(red.reduce_variance(e).numpy())
    assert tf.reduce_logsumexp(e).numpy() == -np.inf


def test_nan_propagates_through_max_min():
    x = tf.constant([1.0, np.nan, 2.0])
    assert np.isnan(tf.reduce_max(x).numpy()) and np.isnan(tf.reduce_min(x).numpy())


def test_float16_mean_matches_tf():
    assert tf.reduce_mean(tf.constant([65504.0, 65504.0], tf.float16)).numpy() == np.inf
    assert tf.reduce_mean(tf.ones([3000], tf.float16)).numpy() == 1.0
    assert np.isnan(tf.reduce_mean(tf.ones([70000], tf.float16)).numpy())  # TF: inf / inf, the count overflows


@pytest.mark.parametrize("fn", [tf.reduce_any, tf.reduce_all])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_logical_reductions(fn, axis, keepdims):
    b = RNG.rand(2, 3, 4) > 0.6
    ref = np.any if fn is tf.reduce_any else np.all
    check_op(lambda x: fn(x, axis=axis, keepdims=keepdims), b,
             ref=lambda x: ref(x, axis=_np_axis(axis), keepdims=keepdims), dtype=tf.bool, grad=False)


def test_max_min_gradient_ties_are_shared_as_tf():
    def grad(fn, x, **kw):
        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x, **kw)
        return tape.gradient(y, x).numpy()

    assert_close(grad(tf.reduce_max, [1.0, 3.0, 3.0, 2.0]), [0, 0.5, 0.5, 0])
    assert_close(grad(tf.reduce_min, [1.0, 1.0, 3.0, 2.0]), [0.5, 0.5, 0, 0])
    assert_close(grad(tf.reduce_max, [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], axis=1),
                 [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    assert_close(grad(tf.reduce_max, [[1.0, 3.0], [3.0, 2.0]], axis=None, keepdims=True), [[0, 0.5], [0.5, 0]])
    assert np.isnan(grad(tf.reduce_max, [1.0, np.nan, 3.0])).all()  # as TF


def _tape_grad(fn, x):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x).numpy()


def test_prod_gradient_with_zeros():
    assert_close(_tape_grad(tf.reduce_prod, [1.0, 0.0, 3.0, 2.0]), [0, 6, 0, 0])
    assert_close(_tape_grad(tf.reduce_prod, [1.0, 0.0, 3.0, 0.0]), [0, 0, 0, 0])
    x = np.array([[0.0, 2.0, 3.0], [1.5, 0.5, 2.0], [0.0, 0.0, 4.0]])
    for axis in (None, 0, 1, -1):
        check_grad(lambda t: tf.reduce_prod(t, axis=axis), x)
    g = _tape_grad(lambda t: tf.reduce_prod(t, axis=1), x)
    assert np.all(np.isfinite(g))
    assert_close(g, [[6, 0, 0], [1, 3, 0.75], [0, 0, 0]])


def test_prod_complex_gradient_matches_tf():
    assert_close(_tape_grad(tf.reduce_prod, np.array([1 + 1j, 2.0])), np.array([2.0, 1 - 1j]))
    assert_close(_tape_grad(tf.reduce_mean, np.array([1 + 1j, 2.0])), np.array([0.5, 0.5], dtype=complex))
    assert_close(_tape_grad(red.reduce_euclidean_norm, np.array([3 + 4j])), np.array([0.6 + 0.8j]))


def test_complex_statistics():
    x = tf.constant([1 + 1j, 2.0])
    assert red.reduce_variance(x).dtype == tf.float64
    assert_close(red.reduce_variance(x), 0.5)
    assert_close(red.reduce_std(x), np.sqrt(0.5))
    assert red.reduce_euclidean_norm(tf.constant([3 + 4j])).numpy() == 5 + 0j


def test_std_variance_keepdims_and_float16():
    out = red.reduce_std(tf.constant([1.0, 2.0, 4.0]), axis=0, keepdims=True)
    assert out.shape == (1,)
    assert_close(out, [1.2472192])
    assert red.reduce_std(tf.constant([1.0, 2.0], tf.float16)).dtype == tf.float16


def test_std_gradient_at_zero_variance():
    assert np.isnan(_tape_grad(red.reduce_std, [1.0, 1.0])).all()  # as TF
    assert np.isnan(_tape_grad(red.reduce_euclidean_norm, [0.0, 0.0])).all()  # as TF


def test_logsumexp_is_stable():
    assert_close(tf.reduce_logsumexp(tf.constant([1000.0, 1000.0])), 1000.0 + np.log(2.0), rtol=1e-6)
    assert_close(tf.reduce_logsumexp(tf.constant([-1000.0, -1000.0])), -1000.0 + np.log(2.0), rtol=1e-6)
    assert tf.reduce_logsumexp(tf.constant([-np.inf, -np.inf])).numpy() == -np.inf
    assert tf.reduce_logsumexp(tf.constant([np.inf, 1.0])).numpy() == np.inf
    assert_close(_tape_grad(tf.reduce_logsumexp, [1000.0, 1000.0]), [0.5, 0.5])
    assert_close(_tape_grad(tf.reduce_logsumexp, [-np.inf, 1.0]), [0.0, 1.0])
    assert_close(_tape_grad(tf.reduce_logsumexp, [np.inf, 1.0]), [np.nan, 0.0])  # as TF
    out = tf.reduce_logsumexp(tf.constant([[1.0, 2.0], [3.0, 4.0]]), axis=1, keepdims=True)
    assert_close(out, [[2.3132617], [4.3132615]])


def test_second_order_gradients():
    x0 = np.array([[0.5, 1.5, 2.0], [1.2, 0.7, 0.9]])

    def hessian_diag(fn):
        x = tf.constant(x0)
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = fn(x)
            g = inner.gradient(y, x)
            s = tf.reduce_sum(g)
        return outer.gradient(s, x).numpy()

    def numeric(fn):
        eps = 1e-5
        h = np.zeros_like(x0)
        for idx in np.ndindex(*x0.shape):
            up, dn = x0.copy(), x0.copy()
            up[idx] += eps
            dn[idx] -= eps
            gu = _tape_grad(fn, up).sum()
            gd = _tape_grad(fn, dn).sum()
            h[idx] = (gu - gd) / (2 * eps)
        return h

    for fn in (lambda t: tf.reduce_prod(t, axis=1), lambda t: tf.reduce_logsumexp(t, axis=0),
               lambda t: red.cumprod(t, axis=1), lambda t: red.reduce_std(t, axis=1),
               lambda t: tf.reduce_max(t * t, axis=1), lambda t: red.reduce_euclidean_norm(t)):
        assert_close(hessian_diag(fn), numeric(fn), rtol=1e-4, atol=1e-5)


def test_count_nonzero():
    x = tf.constant([[3.0, 0.0], [1.0, 1.0]])
    out = red.count_nonzero(x)
    assert out.dtype == tf.int64 and out.numpy() == 3
    check_op(lambda t: red.count_nonzero(t, axis=0, dtype=tf.float32), np.array([[3.0, 0.0], [1.0, 1.0]]),
             expected=np.array([2.0, 1.0], dtype=np.float32), grad=False)
    assert red.count_nonzero(tf.constant([[3, 0]]), axis=1, keepdims=True).shape == (1, 1)
    assert red.count_nonzero(tf.constant([True, False])).numpy() == 1
    assert red.count_nonzero(tf.constant(["a", ""])).numpy() == 1
    assert red.count_nonzero(tf.constant([1.0, np.nan])).numpy() == 2
    assert red.count_nonzero(tf.constant([1 + 0j, 0j])).numpy() == 1


# ---- argmax / argmin ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn, ref", [(tf.argmax, np.argmax), (tf.argmin, np.argmin)])
@pytest.mark.parametrize("axis", [None, 0, 1, 2, -1, -3])
def test_arg_reductions(fn, ref, axis):
    x = RNG.randn(3, 4, 5).astype(np.float32)
    check_op(lambda t: fn(t, axis=axis), x, ref=lambda a: ref(a, axis=0 if axis is None else axis),
             dtype=tf.int64, grad=False)
    out = fn(tf.constant(x), axis=axis, output_type=tf.int32)
    assert out.dtype == tf.int32


def test_arg_reduction_semantics():
    assert tf.argmax(tf.constant([[1, 3], [4, 2]])).numpy().tolist() == [1, 0]
    assert tf.argmax(tf.constant([1, 3, 3])).numpy() == 1  # first of ties
    assert tf.argmin(tf.constant([2, 1, 1])).numpy() == 1
    assert tf.argmax(tf.constant([np.nan, 1.0, 0.0])).numpy() == 1  # NaN is skipped, as TF
    assert tf.argmax(tf.constant([1.0, np.nan, 3.0])).numpy() == 2
    assert tf.argmin(tf.constant([1.0, np.nan, 0.0])).numpy() == 2
    assert tf.argmax(tf.constant([True, False])).numpy() == 0
    assert tf.argmax(tf.constant([[1, 9], [8, 2]]), axis=tf.constant(1)).numpy().tolist() == [1, 0]
    for dt in (tf.int16, tf.uint16, tf.int32, tf.int64):
        assert tf.argmax(tf.constant([1.0, 2.0]), output_type=dt).dtype == dt
    assert tf.argmax(tf.constant([1, 2], tf.uint8)).numpy() == 1


def test_arg_reduction_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Expected dimension in the range \[-1, 1\), but got 1 \[Op:ArgMax\]"):
        tf.argmax(tf.constant([1.0]), axis=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected dimension in the range \[0, 0\), but got 0"):
        tf.argmin(tf.constant(1.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Reduction axis 0 is empty in shape \[0\]"):
        tf.argmax(tf.constant([], tf.float32))
    with pytest.raises(TypeError, match="axis must be int or Tensor with integer datatype"):
        tf.argmax(tf.constant([[1.0]]), axis=[1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'output_type' of float32"):
        tf.argmax(tf.constant([1.0]), output_type=tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of complex128 .*\[Op:ArgMax\]"):
        tf.argmax(tf.constant([1 + 1j]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of string"):
        tf.argmin(tf.constant(["a"]))


# ---- cumsum / cumprod ---------------------------------------------------------------------------------------

def _np_scan(fn, identity):
    def ref(x, axis, exclusive, reverse):
        if reverse:
            x = np.flip(x, axis)
        out = fn(x, axis=axis)
        if exclusive:
            first = np.full_like(np.take(x, [0], axis=axis), identity)
            out = np.concatenate([first, np.delete(out, -1, axis=axis)], axis=axis)
        return np.flip(out, axis) if reverse else out
    return ref


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("axis", [0, 1, -1, -2])
@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_scans(name, axis, exclusive, reverse):
    fn = tf.cumsum if name == "cumsum" else red.cumprod
    ref = _np_scan(np.cumsum, 0) if name == "cumsum" else _np_scan(np.cumprod, 1)
    x = RNG.uniform(0.5, 1.5, size=(3, 4)).astype(np.float32)
    check_op(lambda t: fn(t, axis=axis, exclusive=exclusive, reverse=reverse), x,
             ref=lambda a: ref(a, axis, exclusive, reverse), dtype=tf.float32)


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumprod_gradient_with_zeros(exclusive, reverse):
    for x in ([1.0, 0.0, 3.0, 2.0], [0.0, 2.0, 0.0, 3.0], [2.0, 3.0, 1.5, 0.0], [0.0, 0.0, 0.0, 1.0]):
        check_grad(lambda t: red.cumprod(t, exclusive=exclusive, reverse=reverse), np.array(x))
    x = np.array([[1.0, 0.0, 3.0], [0.0, 2.0, 0.5]])
    check_grad(lambda t: red.cumprod(t, axis=1, exclusive=exclusive, reverse=reverse), x)
    # sum(cumprod([1, 0, 3, 2])) has gradient [1, 1 + 3 + 6, 0, 0]
    assert_close(_tape_grad(red.cumprod, [1.0, 0.0, 3.0, 2.0]), [1.0, 10.0, 0.0, 0.0])


def test_scan_dtypes_and_values():
    assert tf.cumsum(tf.constant([1, 2, 3]), exclusive=True, reverse=True).numpy().tolist() == [5, 3, 0]
    assert tf.cumsum(tf.constant([[1, 2, 3]]), axis=-1).numpy().tolist() == [[1, 3, 6]]
    out = red.cumprod(tf.constant([2, 3, 4], tf.uint8), reverse=True, exclusive=True)
    assert out.dtype == tf.uint8 and out.numpy().tolist() == [12, 4, 1]
    assert tf.cumsum(tf.constant([100, 100], tf.int8)).numpy().tolist() == [100, -56]  # wraps in int8
    assert tf.cumsum(tf.constant([1.0, 2.0], tf.float16)).dtype == tf.float16
    assert tf.cumsum(tf.constant([1 + 1j, 2]), reverse=True).numpy().tolist() == [3 + 1j, 2 + 0j]
    assert tf.cumsum(tf.constant([1, 2]), axis=tf.constant(0)).numpy().tolist() == [1, 3]
    assert tf.cumsum(tf.zeros([2, 0]), axis=1, exclusive=True).shape == (2, 0)


def test_scan_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"ScanOp: Expected scan axis in the range \[-2, 2\), but got 2 \[Op:Cumsum\]"):
        tf.cumsum(tf.constant([[1, 2, 3]]), axis=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"range \[0, 0\), but got 0 \[Op:Cumprod\]"):
        red.cumprod(tf.constant(1.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of bool .*\[Op:Cumsum\]"):
        tf.cumsum(tf.constant([True]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"ScanOp: axis must be a scalar, not \[1\]"):
        tf.cumsum(tf.constant([1, 2]), axis=[0])
    with pytest.raises(TypeError, match="Cannot convert 0.0"):
        tf.cumsum(tf.constant([1, 2]), axis=0.0)


# ---- property test: any valid axis list agrees with NumPy ---------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=4), data=st.data())
def test_reductions_match_numpy_for_any_axes(shape, data):
    rank = len(shape)
    axes = data.draw(st.lists(st.integers(-rank, rank - 1), max_size=rank,
                              unique_by=lambda a: a % rank))
    keepdims = data.draw(st.booleans())
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape) - 3.5
    for fn, ref in ((tf.reduce_sum, np.sum), (tf.reduce_max, np.max), (tf.reduce_mean, np.mean)):
        got = fn(tf.constant(x), axis=axes, keepdims=keepdims)
        assert_close(got, ref(x, axis=tuple(axes), keepdims=keepdims))
