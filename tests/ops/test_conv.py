"""Convolution and pooling (tf.nn.conv*, *_pool*): values vs naive NumPy loops, gradients vs finite
differences, output shapes vs TensorFlow 2.21, TF's max-pool tie rule, errors."""
import itertools

import numpy as np
import pytest

import eagerflow as tf
from eagerflow.ops import conv
from tests.helpers import assert_close, check_grad, check_op

RNG = np.random.RandomState(0)


def rand(*shape):
    return RNG.randn(*shape)


# ---- naive references (loops over output pixels: slow but obviously right) --------------------------------

def same_pads(sizes, ksize, strides, dilations):
    pads = []
    for n, k, s, d in zip(sizes, ksize, strides, dilations):
        out = -(-n // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def ref_conv(x, w, strides, padding, dilations=None):
    """N-d channels-last convolution; grouped when w's input depth divides x's."""
    r = x.ndim - 2
    dilations = dilations or (1,) * r
    if padding == "SAME":
        pads = same_pads(x.shape[1:-1], w.shape[:r], strides, dilations)
    elif padding == "VALID":
        pads = [(0, 0)] * r
    else:
        pads = padding
    xp = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)])
    fc, o = w.shape[-2], w.shape[-1]
    groups = x.shape[-1] // fc
    og = o // groups
    outs = [(xp.shape[1 + i] - (w.shape[i] - 1) * dilations[i] - 1) // strides[i] + 1 for i in range(r)]
    y = np.zeros([x.shape[0]] + outs + [o])
    for pos in itertools.product(*[range(n) for n in outs]):
        for tap in itertools.product(*[range(k) for k in w.shape[:r]]):
            idx = tuple(p * s + t * d for p, s, t, d in zip(pos, strides, tap, dilations))
            v = xp[(slice(None),) + idx]
            for j in range(groups):
                y[(slice(None),) + pos + (slice(j * og, (j + 1) * og),)] += \
                    v[:, j * fc:(j + 1) * fc] @ w[tap][:, j * og:(j + 1) * og]
    return y


def ref_pool(x, ksize, strides, padding, kind):
    r = x.ndim - 2
    pads = same_pads(x.shape[1:-1], ksize, strides, (1,) * r) if padding == "SAME" else \
        ([(0, 0)] * r if padding == "VALID" else padding)
    fill = -np.inf if kind == "max" else np.nan
    xp = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)], constant_values=fill)
    outs = [(xp.shape[1 + i] - ksize[i]) // strides[i] + 1 for i in range(r)]
    y = np.zeros([x.shape[0]] + outs + [x.shape[-1]])
    for pos in itertools.product(*[range(n) for n in outs]):
        win = xp[(slice(None),) + tuple(slice(p * s, p * s + k) for p, s, k in zip(pos, strides, ksize))]
        axes = tuple(range(1, r + 1))
        y[(slice(None),) + pos] = win.max(axis=axes) if kind == "max" else np.nanmean(win, axis=axes)
    return y


def nchw(a):
    return np.moveaxis(a, -1, 1).copy()


# ---- conv2d ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("channels", [1, 3, 9])  # below and above the tap-major im2col threshold
@pytest.mark.parametrize("strides,dilations", [((1, 1), (1, 1)), ((2, 1), (1, 1)), ((1, 1), (2, 1)), ((2, 3), (1, 1))])
@pytest.mark.parametrize("padding", ["SAME", "VALID", ((1, 2), (0, 1))])
def test_conv2d_values_and_gradients(channels, strides, dilations, padding):
    x, w = rand(2, 6, 7, channels), rand(3, 2, channels, 2)
    tf_pad = padding if isinstance(padding, str) else [[0, 0], list(padding[0]), list(padding[1]), [0, 0]]
    check_op(lambda a, b: tf.nn.conv2d(a, b, strides, tf_pad, dilations=dilations), x, w,
             ref=lambda a, b: ref_conv(a, b, strides, padding, dilations), dtype=tf.float64)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_conv2d_nchw_matches_nhwc(padding):
    x, w = rand(2, 5, 6, 3), rand(3, 3, 3, 4)
    check_op(lambda a, b: tf.nn.conv2d(a, b, 2, padding, data_format="NCHW"), nchw(x), w,
             ref=lambda a, b: nchw(ref_conv(x, b, (2, 2), padding)))


def test_conv2d_nchw_explicit_padding_order():
    x, w = rand(1, 4, 5, 2), rand(2, 2, 2, 3)
    pads = [[0, 0], [0, 0], [1, 0], [2, 1]]  # NCHW: batch, channel, height, width
    y = tf.nn.conv2d(nchw(x), w, 1, pads, data_format="NCHW")
    assert_close(y, nchw(ref_conv(x, w, (1, 1), [(1, 0), (2, 1)])))


def test_grouped_conv2d():
    x, w = rand(2, 5, 5, 6), rand(3, 3, 2, 9)  # 3 groups of 2 input channels -> 3 outputs each
    check_op(lambda a, b: tf.nn.conv2d(a, b, 1, "SAME"), x, w, ref=lambda a, b: ref_conv(a, b, (1, 1), "SAME"))


def test_conv2d_float32_and_int32():
    x, w = rand(1, 5, 5, 2).astype(np.float32), rand(3, 3, 2, 3).astype(np.float32)
    y = tf.nn.conv2d(x, w, 1, "VALID")
    assert y.dtype == tf.float32 and y.numpy().dtype == np.float32
    assert_close(y, ref_conv(x.astype(np.float64), w.astype(np.float64), (1, 1), "VALID"), rtol=1e-4, atol=1e-5)
    xi, wi = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1), np.ones((2, 2, 1, 1), np.int32)
    yi = tf.nn.conv2d(xi, wi, 1, "VALID")
    assert yi.dtype == tf.int32
    np.testing.assert_array_equal(yi.numpy()[0, :, :, 0], [[10, 14, 18], [26, 30, 34], [42, 46, 50]])


# TF 2.21 output shapes for x [2, 9, 10, 3] and w [3, 2, 3, 4].
TF_CONV_SHAPES = [("SAME", 1, 1, (2, 9, 10, 4)), ("SAME", 1, 2, (2, 9, 10, 4)), ("SAME", 2, 1, (2, 5, 5, 4)),
                  ("SAME", 2, 2, (2, 5, 5, 4)), ("SAME", 3, 1, (2, 3, 4, 4)), ("SAME", 3, 2, (2, 3, 4, 4)),
                  ("VALID", 1, 1, (2, 7, 9, 4)), ("VALID", 1, 2, (2, 5, 8, 4)), ("VALID", 2, 1, (2, 4, 5, 4)),
                  ("VALID", 2, 2, (2, 3, 4, 4)), ("VALID", 3, 1, (2, 3, 3, 4)), ("VALID", 3, 2, (2, 2, 3, 4))]


@pytest.mark.parametrize("padding,stride,dilation,shape", TF_CONV_SHAPES)
def test_conv2d_output_shapes_match_tf(padding, stride, dilation, shape):
    y = tf.nn.conv2d(tf.ones([2, 9, 10, 3]), tf.ones([3, 2, 3, 4]), stride, padding, dilations=dilation)
    assert tuple(y.shape) == shape


def test_conv2d_explicit_padding_shape_matches_tf():
    y = tf.nn.conv2d(tf.ones([2, 9, 10, 3]), tf.ones([3, 2, 3, 4]), [1, 2, 1, 1], [[0, 0], [1, 2], [0, 3], [0, 0]])
    assert tuple(y.shape) == (2, 5, 12, 4)


def test_conv2d_second_order_gradients():
    def grad_of(which):
        def fn(a, b):
            with tf.GradientTape() as tape:
                tape.watch(a if which == 0 else b)
                y = tf.nn.conv2d(a, b, 2, "SAME")
                loss = tf.reduce_sum(y * y)
            return tape.gradient(loss, a if which == 0 else b)
        return fn
    x, w = rand(1, 5, 4, 2), rand(3, 2, 2, 3)
    check_grad(grad_of(0), x, w)
    check_grad(grad_of(1), x, w)


def test_conv2d_gradient_op_types():
    x, w = tf.constant(rand(1, 4, 4, 2)), tf.constant(rand(3, 3, 2, 2))
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        y = tf.nn.conv2d(x, w, 1, "SAME")
    gx, gw = tape.gradient(y, [x, w])
    assert gx.shape == x.shape and gw.shape == w.shape
    assert conv.conv2d_p.name == "Conv2D"
    assert conv.conv2d_backprop_input_p.name == "Conv2DBackpropInput"
    assert conv.conv2d_backprop_filter_p.name == "Conv2DBackpropFilter"


# ---- conv1d / conv3d / convolution --------------------------------------------------------------------------

@pytest.mark.parametrize("stride,padding,dilation", [(1, "SAME", 1), (2, "SAME", 1), (1, "VALID", 2)])
def test_conv1d(stride, padding, dilation):
    x, w = rand(2, 9, 3), rand(3, 3, 4)
    check_op(lambda a, b: tf.nn.conv1d(a, b, stride, padding, dilations=dilation), x, w,
             ref=lambda a, b: ref_conv(a[:, None], b[None], (1, stride), padding, (1, dilation))[:, 0])


def test_conv1d_shapes_match_tf_and_ncw():
    assert tuple(tf.nn.conv1d(tf.ones([2, 9, 3]), tf.ones([3, 3, 4]), 2, "SAME").shape) == (2, 5, 4)
    assert tuple(tf.nn.conv1d(tf.ones([2, 9, 3]), tf.ones([3, 3, 4]), 1, "VALID", dilations=2).shape) == (2, 5, 4)
    x, w = rand(2, 7, 3), rand(2, 3, 2)
    y = tf.nn.conv1d(np.moveaxis(x, -1, 1).copy(), w, 1, "VALID", data_format="NCW")
    assert_close(y, np.moveaxis(ref_conv(x[:, None], w[None], (1, 1), "VALID")[:, 0], -1, 1))


def test_conv3d():
    x, w = rand(1, 3, 4, 4, 2), rand(2, 2, 3, 2, 3)
    check_op(lambda a, b: tf.nn.conv3d(a, b, [1, 1, 2, 1, 1], "SAME"), x, w,
             ref=lambda a, b: ref_conv(a, b, (1, 2, 1), "SAME"))


def test_convolution_dispatches_on_rank():
    x, w = rand(1, 5, 5, 2), rand(3, 3, 2, 2)
    assert_close(tf.nn.convolution(x, w, padding="SAME"), ref_conv(x, w, (1, 1), "SAME"))
    assert tuple(tf.nn.convolution(tf.ones([1, 6, 2]), tf.ones([3, 2, 1])).shape) == (1, 4, 1)


# ---- transposed and depthwise ---------------------------------------------------------------------------------

# (padding, stride, output size) accepted by TF 2.21 for a [1, 5, 5, 2] input and 3x3 filter.
TF_TRANSPOSE_SIZES = [("SAME", 1, 5), ("SAME", 2, 9), ("SAME", 2, 10), ("SAME", 3, 13), ("SAME", 3, 14),
                      ("SAME", 3, 15), ("VALID", 1, 7), ("VALID", 2, 11), ("VALID", 2, 12), ("VALID", 3, 15)]


@pytest.mark.parametrize("padding,stride,size", TF_TRANSPOSE_SIZES)
def test_conv2d_transpose_shapes_match_tf(padding, stride, size):
    y = tf.nn.conv2d_transpose(tf.ones([1, 5, 5, 2]), tf.ones([3, 3, 1, 2]), [1, size, size, 1], stride, padding)
    assert tuple(y.shape) == (1, size, size, 1)


def test_conv2d_transpose_rejects_inconsistent_size():
    with pytest.raises(tf.errors.InvalidArgumentError, match="out_backprop"):
        tf.nn.conv2d_transpose(tf.ones([1, 5, 5, 2]), tf.ones([3, 3, 1, 2]), [1, 13, 13, 1], 2, "VALID")


def test_conv2d_transpose_value_matches_tf():
    x = np.arange(18, dtype=np.float32).reshape(1, 3, 3, 2)
    w = np.arange(18, dtype=np.float32).reshape(3, 3, 1, 2)
    y = tf.nn.conv2d_transpose(x, w, [1, 6, 6, 1], 2, "SAME")
    expected = [[1, 3, 8, 13, 28, 23], [7, 9, 44, 43, 112, 77], [20, 48, 148, 116, 284, 184],
                [85, 111, 248, 145, 316, 179], [176, 252, 556, 320, 692, 388], [163, 213, 452, 247, 520, 281]]
    assert_close(y.numpy()[0, :, :, 0], expected)


def test_conv2d_transpose_is_the_input_gradient_of_conv2d():
    x, w = rand(2, 7, 6, 3), rand(3, 2, 3, 4)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.conv2d(xt, w, 2, "SAME")
    g = rand(*y.shape)
    expected = tape.gradient(y, xt, output_gradients=tf.constant(g))
    check_op(lambda a, b: tf.nn.conv2d_transpose(a, b, [2, 7, 6, 3], 2, "SAME"), g, w, expected=expected.numpy())


def test_conv2d_transpose_in_graph_with_dynamic_batch():
    fn = tf.function(lambda a, b: tf.nn.conv2d_transpose(a, b, [tf.shape(a)[0], 10, 10, 3], 2))
    cf = fn.get_concrete_function(tf.TensorSpec([None, 5, 5, 4]), tf.TensorSpec([3, 3, 3, 4]))
    assert cf.structured_outputs.shape.as_list() == [None, 10, 10, 3]
    assert fn(tf.ones([2, 5, 5, 4]), tf.ones([3, 3, 3, 4])).shape == (2, 10, 10, 3)


def test_conv1d_and_conv3d_transpose():
    y = tf.nn.conv1d_transpose(tf.ones([2, 5, 4]), tf.ones([3, 3, 4]), [2, 10, 3], 2, "SAME")
    assert tuple(y.shape) == (2, 10, 3)
    g, w = rand(1, 2, 3, 2, 3), rand(2, 2, 2, 2, 3)
    xt = tf.constant(np.zeros((1, 4, 5, 4, 2)))
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.conv3d(xt, w, [1, 2, 2, 2, 1], "SAME")
    expected = tape.gradient(y, xt, output_gradients=tf.constant(g)).numpy()
    check_op(lambda a, b: tf.nn.conv3d_transpose(a, b, [1, 4, 5, 4, 2], [1, 2, 2, 2, 1], "SAME"), g, w,
             expected=expected)


def ref_depthwise(x, w, strides, padding):
    kh, kw, c, m = w.shape
    return np.concatenate([ref_conv(x[..., i:i + 1], w[:, :, i:i + 1, :], strides, padding) for i in range(c)],
                          axis=-1)


@pytest.mark.parametrize("strides,padding", [([1, 1, 1, 1], "SAME"), ([1, 2, 2, 1], "VALID")])
def test_depthwise_conv2d(strides, padding):
    x, w = rand(2, 5, 6, 3), rand(3, 2, 3, 2)
    check_op(lambda a, b: tf.nn.depthwise_conv2d(a, b, strides, padding), x, w,
             ref=lambda a, b: ref_depthwise(a, b, tuple(strides[1:3]), padding))


def test_depthwise_conv2d_shapes_match_tf():
    x = tf.ones([2, 9, 10, 3])
    assert tuple(tf.nn.depthwise_conv2d(x, tf.ones([3, 3, 3, 2]), [1, 1, 1, 1], "SAME").shape) == (2, 9, 10, 6)
    assert tuple(tf.nn.depthwise_conv2d(x, tf.ones([3, 3, 3, 2]), [1, 2, 2, 1], "VALID").shape) == (2, 4, 4, 6)
    assert tuple(tf.nn.depthwise_conv2d(x, tf.ones([3, 3, 3, 2]), [1, 1, 1, 1], "VALID",
                                        dilations=[2, 2]).shape) == (2, 5, 6, 6)


# ---- pooling ------------------------------------------------------------------------------------------------------

POOL_CASES = [(2, 2, "VALID"), (3, 2, "SAME"), (3, 1, "VALID"), (2, 1, "SAME"), ((2, 3), (1, 2), "SAME")]


@pytest.mark.parametrize("ksize,strides,padding", POOL_CASES)
def test_max_pool2d(ksize, strides, padding):
    x = rand(2, 5, 6, 3)
    k = (ksize, ksize) if isinstance(ksize, int) else ksize
    s = (strides, strides) if isinstance(strides, int) else strides
    check_op(lambda a: tf.nn.max_pool2d(a, ksize, strides, padding), x,
             ref=lambda a: ref_pool(a, k, s, padding, "max"))


@pytest.mark.parametrize("ksize,strides,padding", POOL_CASES)
def test_avg_pool2d(ksize, strides, padding):
    x = rand(2, 5, 6, 3)
    k = (ksize, ksize) if isinstance(ksize, int) else ksize
    s = (strides, strides) if isinstance(strides, int) else strides
    check_op(lambda a: tf.nn.avg_pool2d(a, ksize, strides, padding), x,
             ref=lambda a: ref_pool(a, k, s, padding, "avg"))


def test_max_pool2d_explicit_padding():
    x = rand(1, 4, 5, 2)
    check_op(lambda a: tf.nn.max_pool2d(a, 2, 1, [[0, 0], [1, 1], [1, 0], [0, 0]]), x,
             ref=lambda a: ref_pool(a, (2, 2), (1, 1), [(1, 1), (1, 0)], "max"))


def test_pool_nchw():
    x = rand(2, 5, 6, 3)
    assert_close(tf.nn.max_pool2d(nchw(x), 2, 2, "SAME", data_format="NCHW"),
                 nchw(ref_pool(x, (2, 2), (2, 2), "SAME", "max")))
    check_op(lambda a: tf.nn.avg_pool2d(a, 3, 2, "SAME", data_format="NCHW"), nchw(x),
             ref=lambda a: nchw(ref_pool(x, (3, 3), (2, 2), "SAME", "avg")))


def test_pool_values_match_tf():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    assert_close(tf.nn.avg_pool2d(x, 3, 2, "SAME").numpy()[0, :, :, 0], [[5.0, 6.5], [11.0, 12.5]])
    assert_close(tf.nn.max_pool2d(-x, 3, 2, "SAME").numpy()[0, :, :, 0], [[0.0, -2.0], [-8.0, -10.0]])


def test_max_pool_gradient_goes_to_first_max_as_tf():
    x = np.array([[1, 1, 0, 2], [1, 1, 2, 2], [3, 0, 0, 0], [0, 3, 0, 0]], np.float32).reshape(1, 4, 4, 1)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.max_pool2d(xt, 2, 2, "VALID")
    expected = [[1, 0, 0, 1], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]  # TF 2.21
    assert_close(tape.gradient(y, xt).numpy()[0, :, :, 0], expected)
    ones = tf.ones([1, 3, 3, 1])
    with tf.GradientTape() as tape:
        tape.watch(ones)
        y = tf.nn.max_pool2d(ones, 2, 1, "VALID")  # overlapping windows, all tied
    assert_close(tape.gradient(y, ones).numpy()[0, :, :, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_second_order(kind):
    pool = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d

    def fn(a):
        with tf.GradientTape() as tape:
            tape.watch(a)
            loss = tf.reduce_sum(pool(a, 3, 2, "SAME") ** 2)
        return tape.gradient(loss, a)
    check_grad(fn, rand(1, 5, 4, 2))


def ref_max_pool_grad(x, g, ksize, strides):
    """VALID max-pool gradient by loops: each window's gradient to its first max in row-major order."""
    dx = np.zeros_like(x)
    for pos in itertools.product(*[range(n) for n in g.shape[1:-1]]):
        sl = tuple(slice(p * s, p * s + k) for p, s, k in zip(pos, strides, ksize))
        win = x[(slice(None),) + sl]
        for n in range(x.shape[0]):
            for c in range(x.shape[-1]):
                w = win[n, ..., c]
                first = np.unravel_index(np.argmax(w), w.shape)  # argmax: the first max, row-major
                idx = (n,) + tuple(p * s + f for p, s, f in zip(pos, strides, first)) + (c,)
                dx[idx] += g[(n,) + pos + (c,)]
    return dx


@pytest.mark.parametrize("shape,ksize", [((2, 8, 6, 3), (2, 2)), ((2, 7, 9, 3), (2, 2)), ((1, 7, 8, 2), (2, 3)),
                                         ((2, 5, 4, 7, 2), (2, 2, 2)), ((1, 6, 6, 2), (1, 3))])
def test_side_by_side_max_pool_with_ties(shape, ksize):
    # stride == ksize: the reshaped fast path, odd sizes leaving rows no window covers, many tied windows
    x = np.maximum(RNG.randint(-3, 3, size=shape), 0).astype(np.float32)
    fn = tf.nn.max_pool2d if len(shape) == 4 else tf.nn.max_pool3d
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = fn(xt, ksize, ksize, "VALID")
    g = RNG.randn(*y.shape).astype(np.float32)
    np.testing.assert_array_equal(y.numpy(), ref_pool(x, ksize, ksize, "VALID", "max"))
    np.testing.assert_array_equal(tape.gradient(y, xt, output_gradients=g).numpy(),
                                  ref_max_pool_grad(x, g, ksize, ksize))
    check_op(lambda a: fn(a, ksize, ksize, "VALID"), rand(*shape),
             ref=lambda a: ref_pool(a, ksize, ksize, "VALID", "max"))
    if len(shape) == 4:  # channels-first runs on a strided view
        xc = tf.constant(nchw(x))
        with tf.GradientTape() as tape:
            tape.watch(xc)
            yc = fn(xc, ksize, ksize, "VALID", data_format="NCHW")
        np.testing.assert_array_equal(yc.numpy(), nchw(y.numpy()))
        np.testing.assert_array_equal(tape.gradient(yc, xc, output_gradients=nchw(g)).numpy(),
                                      nchw(ref_max_pool_grad(x, g, ksize, ksize)))


def _relu_pool_loss(x):
    return tf.reduce_sum(tf.nn.max_pool2d(tf.nn.relu(x), 2, 2, "VALID") ** 2)


def test_relu_gradient_through_max_pool_runs_pooled_in_graphs():
    # ReluGrad(MaxPoolGrad(r, p, dp), r) runs as MaxPoolGrad(r, p, ReluGrad(dp, p)): equal bit for bit
    x = np.maximum(RNG.randint(-2, 3, size=(3, 6, 7, 4)), -1).astype(np.float32) * 0.5

    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = _relu_pool_loss(x)
        return tape.gradient(loss, x)
    f = tf.function(grad)
    np.testing.assert_array_equal(f(x).numpy(), grad(tf.constant(x)).numpy())
    ops = f.get_concrete_function(tf.TensorSpec([None, 6, 7, 4])).optimized_graph.get_operations()
    kinds = [(op.type, op.outputs[0].shape.as_list()) for op in ops if op.type in ("ReluGrad", "MaxPoolGrad")]
    assert kinds == [("ReluGrad", [None, 3, 3, 4]), ("MaxPoolGrad", [None, 6, 7, 4])]
    check_grad(_relu_pool_loss, RNG.randn(1, 4, 4, 2))


def test_relu_gradient_through_max_pool_with_other_users():
    # the relu output also feeds a sum: its gradient is no longer MaxPoolGrad's output alone
    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            r = tf.nn.relu(x)
            loss = tf.reduce_sum(tf.nn.max_pool2d(r, 2, 2, "VALID")) + tf.reduce_sum(r * r)
        return tape.gradient(loss, x)
    x = RNG.randn(2, 4, 6, 3).astype(np.float32)
    np.testing.assert_array_equal(tf.function(grad)(x).numpy(), grad(tf.constant(x)).numpy())


# TF 2.21 output shapes for x [2, 9, 10, 3]: (padding, ksize, stride, shape).
TF_POOL_SHAPES = [("SAME", 2, 2, (2, 5, 5, 3)), ("SAME", 3, 2, (2, 5, 5, 3)), ("SAME", 3, 1, (2, 9, 10, 3)),
                  ("SAME", 3, 3, (2, 3, 4, 3)), ("SAME", 4, 3, (2, 3, 4, 3)), ("VALID", 2, 2, (2, 4, 5, 3)),
                  ("VALID", 3, 2, (2, 4, 4, 3)), ("VALID", 3, 1, (2, 7, 8, 3)), ("VALID", 2, 1, (2, 8, 9, 3)),
                  ("VALID", 3, 3, (2, 3, 3, 3)), ("VALID", 4, 3, (2, 2, 3, 3))]


@pytest.mark.parametrize("padding,ksize,stride,shape", TF_POOL_SHAPES)
def test_pool_shapes_match_tf(padding, ksize, stride, shape):
    x = tf.ones([2, 9, 10, 3])
    assert tuple(tf.nn.max_pool2d(x, ksize, stride, padding).shape) == shape
    assert tuple(tf.nn.avg_pool2d(x, ksize, stride, padding).shape) == shape


def test_pool1d_pool3d_and_generic():
    x1, x3 = rand(2, 9, 3), rand(1, 4, 5, 3, 2)
    check_op(lambda a: tf.nn.max_pool1d(a, 2, 2, "SAME"), x1,
             ref=lambda a: ref_pool(a[:, None], (1, 2), (1, 2), "SAME", "max")[:, 0])
    check_op(lambda a: tf.nn.avg_pool1d(a, 3, 1, "VALID"), x1,
             ref=lambda a: ref_pool(a[:, None], (1, 3), (1, 1), "VALID", "avg")[:, 0])
    check_op(lambda a: tf.nn.max_pool3d(a, 2, 2, "SAME"), x3,
             ref=lambda a: ref_pool(a, (2,) * 3, (2,) * 3, "SAME", "max"))
    check_op(lambda a: tf.nn.avg_pool3d(a, 2, 1, "SAME"), x3,
             ref=lambda a: ref_pool(a, (2,) * 3, (1,) * 3, "SAME", "avg"))
    assert tuple(tf.nn.max_pool(tf.ones([2, 9, 3]), 2, 2, "SAME").shape) == (2, 5, 3)
    assert tuple(tf.nn.avg_pool(tf.ones([2, 9, 9, 9, 3]), 2, 2, "SAME").shape) == (2, 5, 5, 5, 3)


def test_max_pool_int_dtype():
    x = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1)
    y = tf.nn.max_pool2d(x, 2, 2, "VALID")
    assert y.dtype == tf.int32
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[5, 7], [13, 15]])


# ---- errors ----------------------------------------------------------------------------------------------------

def test_conv_errors():
    x = tf.ones([2, 9, 10, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"input depth must be evenly divisible by filter depth: "
                                                             r"3 vs 2 \[Op:Conv2D\]"):
        tf.nn.conv2d(x, tf.ones([3, 3, 2, 4]), 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Computed output size would be negative: -20 \[input_size: 9, effective_filter_size: 30, "
                             r"stride: 1\]"):
        tf.nn.conv2d(x, tf.ones([30, 3, 3, 4]), 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"filter must be 4-dimensional: \[3, 3, 4\]"):
        tf.nn.conv2d(x, tf.ones([3, 3, 4]), 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="output depth must be evenly divisible by number of "
                                                             "groups: 4 vs 3"):
        tf.nn.conv2d(x, tf.ones([3, 2, 1, 4]), 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'padding' of \"same\""):
        tf.nn.conv2d(x, tf.ones([3, 2, 3, 4]), 1, "same")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'data_format' of \"NWHC\""):
        tf.nn.conv2d(x, tf.ones([3, 2, 3, 4]), 1, "SAME", data_format="NWHC")
    with pytest.raises(ValueError, match=r"strides should be of length 1, 2 or 4. Received: strides=\[1, 1, 1\]"):
        tf.nn.conv2d(x, tf.ones([3, 2, 3, 4]), [1, 1, 1], "SAME")
    with pytest.raises(tf.errors.UnimplementedError, match="strides in the batch and depth"):
        tf.nn.conv2d(x, tf.ones([3, 2, 3, 4]), [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="When padding is a list, it must be of size 4"):
        tf.nn.conv2d(x, tf.ones([3, 2, 3, 4]), 1, [[1, 2], [0, 3]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Stride must be > 0, but got 0"):
        tf.nn.conv2d(x, tf.ones([3, 2, 3, 4]), 0, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"cannot compute Conv2D as input #1\(zero-based\) was "
                                                             r"expected to be a float tensor but is a double tensor"):
        tf.nn.conv2d(x, tf.ones([3, 2, 3, 4], tf.float64), 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must be 4-dimensional"):
        tf.nn.conv2d(tf.ones([9, 10, 3]), tf.ones([3, 2, 3, 4]), 1, "SAME")


def test_pool_errors():
    x = tf.ones([2, 9, 10, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Computed output size would be negative: -4 "
                                                             r"\[input_size: 9, effective_filter_size: 20, stride: 2\] "
                                                             r"\[Op:MaxPool\]"):
        tf.nn.max_pool2d(x, 20, 2, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Sliding window ksize must be positive"):
        tf.nn.max_pool2d(x, 0, 1, "SAME")
    with pytest.raises(tf.errors.UnimplementedError, match="pooling across depth"):
        tf.nn.max_pool2d(x, [1, 2, 2, 2], 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Top padding 2 needs to be smaller than the window size 2"):
        tf.nn.max_pool2d(x, 2, 1, [[0, 0], [2, 2], [1, 1], [0, 0]])
    with pytest.raises(TypeError, match="Expected string for argument 'padding'"):
        tf.nn.avg_pool2d(x, 2, 1, [[0, 0], [1, 1], [1, 1], [0, 0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of int32"):
        tf.nn.avg_pool2d(tf.ones([2, 9, 9, 3], tf.int32), 2, 2, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"input must be 4-dimensional: \[2, 9, 3\]"):
        tf.nn.max_pool2d(tf.ones([2, 9, 3]), 2, 2, "SAME")
    with pytest.raises(ValueError, match="rank 3, 4 or 5"):
        tf.nn.max_pool(tf.ones([2, 9]), 2, 2, "SAME")
