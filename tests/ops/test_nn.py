"""tf.nn activations, softmax family, cross-entropies, bias_add, dropout, losses and normalization:
values vs NumPy, gradients vs finite differences, dtypes, TF's numerics for large logits, errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.special import erf as sp_erf

import eagerflow as tf
from eagerflow.ops import nn as nn_ops
from tests.helpers import assert_close, check_grad, check_op

RNG = np.random.RandomState(0)


def away_from(points, *shape, margin=0.1):
    """Random float64 values at least `margin` from every kink in `points` (finite differences)."""
    x = RNG.uniform(-3, 8, size=shape)
    for p in points:
        near = np.abs(x - p) < margin
        x[near] = p + np.where(x[near] >= p, margin, -margin) * 2
    return x


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis=-1):
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


# ---- activations ---------------------------------------------------------------------------------------------

SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805
ACTIVATIONS = [
    ("relu", tf.nn.relu, lambda x: np.maximum(x, 0), [0]),
    ("relu6", tf.nn.relu6, lambda x: np.clip(x, 0, 6), [0, 6]),
    ("elu", tf.nn.elu, lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))), [0]),
    ("selu", tf.nn.selu, lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(np.minimum(x, 0))), [0]),
    ("leaky_relu", lambda x: tf.nn.leaky_relu(x, alpha=0.3), lambda x: np.where(x > 0, x, 0.3 * x), [0]),
    ("gelu", tf.nn.gelu, lambda x: 0.5 * x * (1 + sp_erf(x / np.sqrt(2))), []),
    ("gelu_tanh", lambda x: tf.nn.gelu(x, approximate=True),
     lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))), []),
    ("silu", tf.nn.silu, lambda x: x / (1 + np.exp(-x)), []),
    ("swish_beta", lambda x: tf.nn.swish(x, beta=2.0), lambda x: x / (1 + np.exp(-2 * x)), []),
    ("crelu", tf.nn.crelu, lambda x: np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], -1), [0]),
]


@pytest.mark.parametrize("name,fn,ref,kinks", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation(name, fn, ref, kinks):
    check_op(fn, away_from(kinks, 3, 4), ref=ref, dtype=tf.float64)
    y = fn(tf.constant([[-1.5, 0.5, 7.0]]))
    assert y.dtype == tf.float32 and y.numpy().dtype == np.float32
    assert_close(y, ref(np.array([[-1.5, 0.5, 7.0]])), rtol=1e-5)


def test_activation_values_match_tf():
    assert_close(tf.nn.gelu([1.0, -1.0]), [0.8413447, -0.15865526])
    assert_close(tf.nn.gelu([1.0, -1.0], approximate=True), [0.841192, -0.158808])
    assert_close(tf.nn.elu([-1.0, 1.0]), [-0.63212055, 1.0])
    assert_close(tf.nn.selu([-1.0, 1.0]), [-1.1113307, 1.050701])
    assert_close(tf.nn.silu([-1.0, 7.0], beta=2.0), [-0.11920292, 6.9999943])
    assert_close(tf.nn.swish([-1.0, 7.0]), [-0.26894143, 6.993623])
    assert_close(tf.nn.elu(tf.constant([1000.0, -1000.0])), [1000.0, -1.0])


def test_rectifiers_keep_integer_dtypes():
    r = tf.nn.relu(tf.constant([-1, 2]))
    assert r.dtype == tf.int32 and r.numpy().tolist() == [0, 2]
    r6 = tf.nn.relu6(tf.constant([-1, 7]))
    assert r6.dtype == tf.int32 and r6.numpy().tolist() == [0, 6]
    assert tf.nn.relu(tf.constant([3], tf.uint8)).dtype == tf.uint8
    lr = tf.nn.leaky_relu(tf.constant([-1, 2]))  # TF casts ints to float32 here
    assert lr.dtype == tf.float32 and lr.numpy().tolist() == pytest.approx([-0.2, 2.0])


def test_activation_dtype_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Value for attr 'T' of int32 .*\[Op:Elu\]"):
        tf.nn.elu(tf.constant([1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:Selu\]"):
        tf.nn.selu(tf.constant([1, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Value for attr 'T' of bool .*\[Op:Relu\]"):
        tf.nn.relu(tf.constant([True]))
    with pytest.raises(ValueError, match="must be a floating point tensor"):
        tf.nn.gelu(tf.constant([1, 2]))


def test_second_order_through_relu_and_elu():
    def d_dx(fn):
        def grad(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.reduce_sum(fn(x) * fn(x))
            return tape.gradient(y, x)
        return grad
    check_grad(d_dx(tf.nn.relu), away_from([0], 5))
    check_grad(d_dx(tf.nn.elu), away_from([0], 5))
    check_grad(d_dx(tf.nn.relu6), away_from([0, 6], 5))


def test_smooth_aliases_are_math_functions():
    x = tf.constant([-2.0, 0.0, 3.0])
    assert_close(tf.nn.sigmoid(x), 1 / (1 + np.exp(-x.numpy())))
    assert_close(tf.nn.tanh(x), np.tanh(x.numpy()))
    assert_close(tf.nn.softplus(x), np.log1p(np.exp(x.numpy())), rtol=1e-5)
    assert_close(tf.nn.softsign(x), x.numpy() / (1 + np.abs(x.numpy())))


# ---- softmax ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_log_softmax(axis):
    x = RNG.randn(3, 4, 2)
    check_op(lambda a: tf.nn.softmax(a, axis=axis), x, ref=lambda a: np_softmax(a, axis))
    check_op(lambda a: tf.nn.log_softmax(a, axis=axis), x, ref=lambda a: np_log_softmax(a, axis))


def test_softmax_large_logits_are_stable():
    x = tf.constant([1000.0, 0.0, -1000.0])
    assert_close(tf.nn.softmax(x), [1.0, 0.0, 0.0])
    assert_close(tf.nn.log_softmax(x), [0.0, -1000.0, -2000.0])
    big = tf.constant([[3e38, 3e38]])
    assert_close(tf.nn.softmax(big), [[0.5, 0.5]])
    assert tf.nn.softmax(tf.zeros([2, 0])).shape == (2, 0)


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), data=st.data(),
       scale=st.sampled_from([1.0, 100.0, 1e4]))
def test_softmax_matches_numpy_hypothesis(shape, data, scale):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.RandomState(len(shape)).randn(*shape) * scale
    s = tf.nn.softmax(tf.constant(x), axis=axis).numpy()
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s, np_softmax(x, axis), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(s.sum(axis=axis), 1.0, rtol=1e-12)
    np.testing.assert_allclose(tf.nn.log_softmax(tf.constant(x), axis=axis).numpy(), np_log_softmax(x, axis),
                               rtol=1e-10, atol=1e-9)


def test_softmax_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"`dim` must be in the range \[-1, 1\) where 1 is the "
                                                             r"number of dimensions in the input. Received: dim=3"):
        tf.nn.softmax(tf.constant([1.0, 2.0]), axis=3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"logits must have >= 1 dimension, got \[\] "
                                                             r"\[Op:LogSoftmax\]"):
        tf.nn.log_softmax(tf.constant(1.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Value for attr 'T' of int32 .*\[Op:Softmax\]"):
        tf.nn.softmax(tf.constant([1, 2]))


# ---- cross-entropies ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_cross_entropy(axis):
    logits = RNG.randn(4, 5)
    labels = np_softmax(RNG.randn(4, 5), axis)
    check_op(lambda y, x: tf.nn.softmax_cross_entropy_with_logits(y, x, axis=axis), labels, logits,
             ref=lambda y, x: -(y * np_log_softmax(x, axis)).sum(axis=axis))


@pytest.mark.parametrize("loss", ["dense", "sparse", "softmax", "log_softmax"])
def test_second_order_through_softmax_family(loss):
    labels = [2, 0, 1]

    def fn(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            if loss == "dense":
                y = tf.nn.softmax_cross_entropy_with_logits(tf.one_hot(labels, 4, dtype=x.dtype), x)
            elif loss == "sparse":
                y = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, x)
            else:
                y = getattr(tf.nn, loss)(x) ** 2
            total = tf.reduce_sum(y * y)
        return tape.gradient(total, x)
    check_grad(fn, RNG.randn(3, 4))


def test_softmax_cross_entropy_broadcasts_and_casts_labels_as_tf():
    out = tf.nn.softmax_cross_entropy_with_logits(labels=[0.0, 1.0], logits=tf.zeros([3, 2]))
    assert_close(out, [0.6931472] * 3)
    out64 = tf.nn.softmax_cross_entropy_with_logits(labels=tf.constant([[0.0, 1.0]]),
                                                    logits=tf.zeros([1, 2], tf.float64))
    assert out64.dtype == tf.float64
    out3 = tf.nn.softmax_cross_entropy_with_logits(labels=tf.ones([2, 3, 4]), logits=tf.zeros([2, 3, 4]), axis=1)
    assert out3.shape == (2, 4) and np.allclose(out3.numpy(), 3.295837)
    assert_close(tf.nn.softmax_cross_entropy_with_logits([0.0, 1.0, 0.0], [1000.0, 0.0, -1000.0]), 1000.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"logits and labels must be broadcastable: "
                                                             r"logits_size=\[3,2\] labels_size=\[1,3\]"):
        tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0, 0.0]], logits=tf.zeros([3, 2]))


def test_sparse_softmax_cross_entropy():
    logits = RNG.randn(2, 3, 5)
    labels = RNG.randint(0, 5, size=(2, 3)).astype(np.int32)
    ref = lambda y, x: -np.take_along_axis(np_log_softmax(x), y[..., None].astype(int), -1)[..., 0]  # noqa: E731
    check_op(lambda y, x: tf.nn.sparse_softmax_cross_entropy_with_logits(y, x), labels, logits, ref=ref)
    out = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([2], tf.int64),
                                                         logits=[[1000.0, 0.0, -1000.0]])
    assert_close(out, [2000.0])
    assert tf.nn.sparse_softmax_cross_entropy_with_logits(labels=3, logits=tf.zeros([5])).shape == ()


def test_sparse_softmax_cross_entropy_gradient_is_softmax_minus_onehot():
    x = tf.constant(RNG.randn(3, 4))
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits([0, 3, 1], x))
    expected = np_softmax(x.numpy()) - np.eye(4)[[0, 3, 1]]
    assert_close(tape.gradient(loss, x), expected)


def test_sparse_label_out_of_range():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Received a label value of 10 which is outside the valid range of \[0, 10\)\.  "
                             r"Label values: 10 1 \[Op:SparseSoftmaxCrossEntropyWithLogits\]"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[10, 1], logits=tf.zeros([2, 10]))
    # TF names the smallest value when one is negative, else the largest
    for labels, bad in [([-1, 7, 6], -1), ([7, -1, 9], -1), ([2, 6, 5], 6), (list(range(5, 40)), 39)]:
        with pytest.raises(tf.errors.InvalidArgumentError, match=rf"Received a label value of {bad} which"):
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=tf.zeros([len(labels), 5]))


def test_sparse_softmax_cross_entropy_bad_arguments():
    with pytest.raises(ValueError, match=r"`labels.shape` must equal `logits.shape` except for the last dimension. "
                                         r"Received: labels.shape=\(3,\) and logits.shape=\(2, 10\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 1, 1], logits=tf.zeros([2, 10]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'Tlabels' of float is not in the list "
                                                             "of allowed values: int32, int64"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1.0, 1.0], logits=tf.zeros([2, 10]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of int32"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1], logits=tf.zeros([1, 5], tf.int32))


def test_sigmoid_cross_entropy():
    labels, logits = RNG.uniform(0, 1, (3, 4)), away_from([0], 3, 4) - 2.5
    ref = lambda z, x: np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))  # noqa: E731
    check_op(lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x), labels, logits, ref=ref)
    assert_close(tf.nn.sigmoid_cross_entropy_with_logits([0.0, 1.0, 0.0], [1000.0, 0.0, -1000.0]),
                 [1000.0, 0.6931472, 0.0])
    x = tf.constant([0.0, 0.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.25], logits=x)
    assert_close(tape.gradient(loss, x), [-0.5, 0.25])  # sigmoid(0) - z exactly at the kink


def test_sigmoid_cross_entropy_errors():
    with pytest.raises(ValueError,
                       match=r"`logits` and `labels` must have the same shape, received \(\(3,\) vs \(2,\)\)"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0], logits=[1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected to be a float tensor but is a int32 tensor"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant([1, 0]), logits=[1.0, 2.0])


def test_weighted_cross_entropy():
    labels, logits = RNG.uniform(0, 1, (2, 3)), away_from([0], 2, 3) - 2.5
    ref = lambda z, x: z * -np.log(1 / (1 + np.exp(-x))) * 3.0 + (1 - z) * -np.log(1 - 1 / (1 + np.exp(-x)))  # noqa
    check_op(lambda z, x: tf.nn.weighted_cross_entropy_with_logits(z, x, pos_weight=3.0), labels, logits, ref=ref)


# ---- bias_add, losses, dropout ----------------------------------------------------------------------------------

@pytest.mark.parametrize("data_format,shape,axis", [(None, (2, 3, 4), -1), ("NHWC", (2, 3, 2, 4), -1),
                                                    ("NCHW", (2, 4, 3, 2), 1), ("NCW", (2, 4, 3), 1)])
def test_bias_add(data_format, shape, axis):
    x, b = RNG.randn(*shape), RNG.randn(4)
    bshape = [1] * len(shape)
    bshape[axis] = 4
    check_op(lambda v, c: tf.nn.bias_add(v, c, data_format=data_format), x, b, ref=lambda v, c: v + c.reshape(bshape))


def test_bias_add_gradient_on_tall_inputs():
    # BiasAddGrad folds rows together for speed; 1001 rows leave a remainder after folding
    x, b = RNG.randn(1001, 5), RNG.randn(5)
    check_op(tf.nn.bias_add, x, b, ref=lambda v, c: v + c, wrt=[1])
    g = tf.constant(RNG.randn(64, 26, 26, 16).astype(np.float32))
    with tf.GradientTape() as tape:
        bias = tf.zeros([16])
        tape.watch(bias)
        y = tf.nn.bias_add(tf.zeros([64, 26, 26, 16]), bias)
    assert_close(tape.gradient(y, bias, output_gradients=g), g.numpy().astype(np.float64).sum(axis=(0, 1, 2)),
                 rtol=1e-5, atol=1e-3)


def test_bias_add_second_order_and_ints():
    def grad_b(v, c):
        with tf.GradientTape() as tape:
            tape.watch(c)
            loss = tf.reduce_sum(tf.nn.bias_add(v, c) ** 2)
        return tape.gradient(loss, c)
    check_grad(grad_b, RNG.randn(3, 2), RNG.randn(2))
    y = tf.nn.bias_add(tf.constant([[1, 2]]), tf.constant([10, 20]))
    assert y.dtype == tf.int32 and y.numpy().tolist() == [[11, 22]]


SPECIAL = np.array([0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, 1e-45, -1e-38, 3e38], np.float32)


def _bits(a):
    return np.ascontiguousarray(a).view(np.uint32 if a.dtype == np.float32 else np.uint64)


@pytest.mark.parametrize("shape", [(64, 26, 26, 32), (128, 256), (3, 1000), (7, 513)])
def test_relu_and_bias_add_row_paths_equal_numpy_bitwise(shape):
    # large contiguous floats run as rows against a vector (relu) or a tiled bias: same bits as NumPy
    x = RNG.choice(SPECIAL, size=shape).astype(np.float32)
    b = RNG.choice(SPECIAL, size=shape[-1]).astype(np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        np.testing.assert_array_equal(_bits(tf.nn.relu(x).numpy()), _bits(np.maximum(x, np.float32(0))))
        np.testing.assert_array_equal(_bits(tf.nn.bias_add(x, b).numpy()), _bits(x + b))
    x64 = x.astype(np.float64)
    assert tf.nn.relu(x64).dtype == tf.float64 and tf.nn.bias_add(x64, b.astype(np.float64)).dtype == tf.float64
    np.testing.assert_array_equal(tf.nn.relu(x[::2]).numpy(), np.maximum(x[::2], 0))  # strided: plain path


def test_bias_add_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Must provide as many biases as the last dimension of "
                                                             r"the input tensor: \[2\] vs. \[2,3\] \[Op:BiasAdd\]"):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Input tensor must be at least 2D: \[2\]"):
        tf.nn.bias_add(tf.ones([2]), tf.ones([2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Biases must be 1D: \[1,3\]"):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([1, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="cannot compute BiasAdd as input #1"):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([3], tf.int32))
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([3]), data_format="HWNC")


def test_l2_loss_and_l2_normalize():
    check_op(tf.nn.l2_loss, RNG.randn(3, 4), ref=lambda a: np.sum(a ** 2) / 2, dtype=tf.float64)
    assert tf.nn.l2_loss(tf.zeros([0])).numpy() == 0.0
    assert tf.nn.l2_loss(tf.constant([1.0, 2.0])).dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:L2Loss\]"):
        tf.nn.l2_loss(tf.constant([1, 2]))
    check_op(lambda a: tf.nn.l2_normalize(a, axis=1), RNG.randn(3, 4),
             ref=lambda a: a / np.sqrt((a ** 2).sum(axis=1, keepdims=True)))


def test_dropout_scales_kept_values_and_drops_about_rate():
    x = tf.ones([100, 100])
    y = tf.nn.dropout(x, rate=0.25, seed=3).numpy()
    kept = y != 0
    assert 0.7 < kept.mean() < 0.8
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    y2 = tf.nn.dropout(tf.ones([50, 20]), rate=0.5, noise_shape=[50, 1]).numpy()
    assert all(len(set(row)) == 1 for row in y2.tolist())  # one decision per row
    y3 = tf.nn.dropout(tf.ones([50, 20]), rate=0.5, noise_shape=[None, 1]).numpy()
    assert all(len(set(row)) == 1 for row in y3.tolist())
    same = tf.ones([3])
    assert tf.nn.dropout(same, rate=0.0) is same
    assert tf.nn.dropout(tf.ones([4], tf.float64), rate=0.5).dtype == tf.float64


def test_dropout_gradient_is_the_mask():
    x = tf.constant(RNG.uniform(1, 2, (20, 5)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.dropout(x, rate=0.4)
    assert_close(tape.gradient(y, x), y.numpy() / x.numpy())


def test_dropout_errors():
    for rate in (1.0, -0.1, 1):
        with pytest.raises(ValueError, match=r"`rate` must be a scalar tensor or a float in the range \[0, 1\)"):
            tf.nn.dropout(tf.ones([3]), rate=rate)
    with pytest.raises(ValueError, match="`x.dtype` must be a floating point tensor as `x` will be scaled"):
        tf.nn.dropout(tf.ones([3], tf.int32), rate=0.5)


# ---- normalization ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("axes,keepdims", [([0], False), ([0, 2], True), ([1], False), ([0, 1, 2], False)])
def test_moments(axes, keepdims):
    x = RNG.randn(3, 4, 2)
    check_op(lambda a: tf.nn.moments(a, axes, keepdims=keepdims), x,
             ref=lambda a: (a.mean(axis=tuple(axes), keepdims=keepdims), a.var(axis=tuple(axes), keepdims=keepdims)))


def test_moments_dtypes_as_tf():
    mean, var = tf.nn.moments(tf.constant([[1.0, 2.0], [3.0, 5.0]]), axes=[0])
    assert_close(mean, [2.0, 3.5])
    assert_close(var, [1.0, 2.25])
    m16, v16 = tf.nn.moments(tf.ones([2, 3], tf.float16), [0, 1])
    assert m16.dtype == tf.float16 and v16.dtype == tf.float16
    mi, vi = tf.nn.moments(tf.constant([[1, 2], [3, 5]]), axes=[0])
    assert mi.dtype == tf.int32 and mi.numpy().tolist() == [2, 3] and vi.numpy().tolist() == [1, 2]


def test_batch_normalization():
    x, mean, var, offset, scale = RNG.randn(4, 3), RNG.randn(3), RNG.uniform(0.5, 2, 3), RNG.randn(3), RNG.randn(3)
    check_op(lambda a, m, v, o, s: tf.nn.batch_normalization(a, m, v, o, s, 1e-3), x, mean, var, offset, scale,
             ref=lambda a, m, v, o, s: (a - m) / np.sqrt(v + 1e-3) * s + o)
    y = tf.nn.batch_normalization(tf.constant([1.0, 2.0]), 1.0, 2.0, None, None, 1e-3)
    assert_close(y, [0.0, 0.7069301])


def test_compute_average_loss():
    assert_close(tf.nn.compute_average_loss(tf.constant([1.0, 2.0, 3.0])), 2.0)
    assert_close(tf.nn.compute_average_loss(tf.constant([1.0, 2.0]), global_batch_size=4), 0.75)


def test_primitive_op_names_are_tfs():
    names = {p.name for p in (nn_ops.relu_p, nn_ops.relu6_p, nn_ops.elu_p, nn_ops.selu_p, nn_ops.softmax_p,
                              nn_ops.log_softmax_p, nn_ops.bias_add_p, nn_ops.sce_p, nn_ops.sparse_sce_p,
                              nn_ops.l2_loss_p, nn_ops.leaky_relu_p)}
    assert names == {"Relu", "Relu6", "Elu", "Selu", "Softmax", "LogSoftmax", "BiasAdd", "L2Loss", "LeakyRelu",
                     "SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits"}
