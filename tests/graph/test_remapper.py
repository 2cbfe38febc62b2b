"""The remapping pass: Conv2D (+BiasAdd) (+Relu) + MaxPool and their gradients fused, same results."""
import numpy as np
import pytest
from hypothesis import example, given, settings as hyp_settings, strategies as st

import eagerflow as tf
from eagerflow import _threads
from eagerflow.context import settings
from eagerflow.graph.passes import dce
from eagerflow.ops import fused_conv

FUSED = {"_FusedConv2DMaxPool", "_FusedConv2DMaxPoolGrad"}


def _types(fn, *args):
    return [op.type for op in fn.get_concrete_function(*args).optimized_graph.get_operations()]


def _run(fn, args, remapping: bool):
    saved = settings.optimizer_options
    tf.config.optimizer.set_experimental_options({"remapping": remapping})
    try:
        f = tf.function(fn)
        out = f(*args)
        return [o.numpy() for o in out if o is not None], _types(f, *args)
    finally:
        settings.optimizer_options = saved


def _block_step(strides=1, padding="VALID", dilations=1, pool=2, bias=True, relu=True, watch_x=True):
    def step(x, w, b):
        with tf.GradientTape() as tape:
            tape.watch([x, w, b] if watch_x else [w, b])
            h = tf.nn.conv2d(x, w, strides, padding, dilations=dilations)
            if bias:
                h = tf.nn.bias_add(h, b)
            if relu:
                h = tf.nn.relu(h)
            h = tf.nn.max_pool2d(h, pool, pool, "VALID")
            loss = tf.reduce_sum(h * tf.cos(h))
        return [h, loss] + tape.gradient(loss, [x, w, b] if watch_x else [w, b])
    return step


def _args(dtype, n=3, size=11, c=4, o=5, k=3, seed=0):
    rng = np.random.RandomState(seed)
    return [tf.constant(rng.randn(n, size, size, c).astype(dtype)), tf.constant((rng.randn(k, k, c, o) * 0.4).astype(dtype)),
            tf.constant((rng.randn(o) * 0.1).astype(dtype))]


def _check(step, args, rtol):
    fused, types = _run(step, args, True)
    plain, plain_types = _run(step, args, False)
    assert FUSED <= set(types) and not FUSED & set(plain_types)
    assert "MaxPoolGrad" not in types and "Conv2DBackpropFilter" not in types
    for a, b in zip(fused, plain):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(1.0, float(np.abs(b).max())))
    eager = [o.numpy() for o in step(*args) if o is not None]
    for a, b in zip(fused, eager):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(1.0, float(np.abs(b).max())))
    return fused, plain


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 2e-5)])
@pytest.mark.parametrize("geometry", [
    dict(), dict(padding="SAME"), dict(strides=2, padding="SAME"), dict(dilations=2), dict(pool=3),
    dict(bias=False), dict(relu=False), dict(bias=False, relu=False), dict(watch_x=False),
])
def test_fused_block_matches_unfused_and_eager(dtype, rtol, geometry):
    _check(_block_step(**geometry), _args(dtype), rtol)


@pytest.mark.parametrize("c", [1, 3, 16])  # few channels use the tap-major im2col layout
def test_channel_counts(c):
    _check(_block_step(), _args(np.float64, c=c), 1e-10)
    _check(_block_step(watch_x=False), _args(np.float64, c=c), 1e-10)


def test_batches_split_in_chunks_give_the_same_bits_with_and_without_threads(monkeypatch):
    monkeypatch.setattr(_threads, "MIN_CHUNK_WORK", 1)  # small inputs split in two chunks too
    args = _args(np.float32, n=5)
    step = _block_step()
    assert _threads.batch_chunks(5, 1) == [(0, 3), (3, 5)]
    outs = []
    for threads in (1, 0):
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        try:
            outs.append(_run(step, args, True)[0])
        finally:
            tf.config.threading.set_intra_op_parallelism_threads(0)
    for a, b in zip(*outs):
        assert np.array_equal(a, b)
    _check(step, args, 2e-5)


def test_ties_go_to_the_first_maximum_as_unfused():
    # constant images: every window's four conv outputs are equal (ties), and all-negative windows
    # (Relu output all zero) must send the gradient to the first element, as MaxPoolGrad does
    x = np.ones((2, 10, 10, 2))
    x[1] = -1.0
    w = np.full((3, 3, 2, 3), 0.25)
    w[..., 1] = -0.25
    args = [tf.constant(x), tf.constant(w), tf.constant(np.array([0.1, 0.2, -0.3]))]
    fused, plain = _check(_block_step(), args, 1e-12)
    for a, b in zip(fused, plain):
        np.testing.assert_array_equal(a, b)


def test_nan_windows_behave_as_unfused():
    x = np.random.RandomState(1).randn(2, 8, 8, 2)
    x[0, 2, 3, 1] = np.nan
    args = [tf.constant(x), tf.constant(np.random.RandomState(2).randn(3, 3, 2, 4)), tf.constant(np.zeros(4))]
    fused, _ = _run(_block_step(), args, True)
    plain, _ = _run(_block_step(), args, False)
    for a, b in zip(fused, plain):
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        np.testing.assert_allclose(np.nan_to_num(a), np.nan_to_num(b), rtol=1e-10, atol=1e-10)


def test_not_fused_when_an_intermediate_is_used_elsewhere():
    x, w, b = _args(np.float64)

    def returns_relu(x, w, b):
        r = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "VALID"), b))
        return tf.nn.max_pool2d(r, 2, 2, "VALID"), r

    def reuses_conv(x, w, b):
        c = tf.nn.conv2d(x, w, 1, "VALID")
        return tf.nn.max_pool2d(tf.nn.relu(c), 2, 2, "VALID") + tf.reduce_sum(c)

    def gradient_of_conv_output(x, w, b):
        with tf.GradientTape() as tape:
            tape.watch(x)
            c = tf.nn.conv2d(x, w, 1, "VALID")
            out = tf.reduce_sum(tf.nn.max_pool2d(tf.nn.relu(c), 2, 2, "VALID"))
        return tape.gradient(out, [x, c])

    for fn in (returns_relu, reuses_conv, gradient_of_conv_output):
        f = tf.function(fn)
        assert not FUSED & set(_types(f, x, w, b))
        for a, e in zip(tf.nest.flatten(f(x, w, b)), tf.nest.flatten(fn(x, w, b))):
            np.testing.assert_allclose(a.numpy(), e.numpy(), rtol=1e-12)


def test_other_layouts_and_pools_are_left_alone():
    x = tf.constant(np.random.RandomState(0).randn(2, 3, 8, 8))  # NCHW is not fused
    w = tf.constant(np.random.RandomState(1).randn(3, 3, 3, 4))

    def nchw(x):
        return tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(x, w, 1, "VALID", data_format="NCHW")), 2, 2, "VALID",
                                data_format="NCHW")

    def overlapping(x):
        return tf.nn.max_pool2d(tf.nn.conv2d(tf.transpose(x, [0, 2, 3, 1]), w, 1, "VALID"), 3, 2, "VALID")

    for fn in (nchw, overlapping):
        assert not FUSED & set(_types(tf.function(fn), x))


def test_tape_around_function_differentiates_the_unfused_graph():
    x, w, b = _args(np.float64)
    v = tf.Variable(w)

    @tf.function
    def block(x):
        return tf.reduce_sum(tf.nn.max_pool2d(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, v, 1, "VALID"), b)), 2, 2,
                                              "VALID") ** 2)

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = block(x)
    gx, gv = tape.gradient(y, [x, v])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y2 = block.python_function(x)
    ex, ev = tape.gradient(y2, [x, v])
    np.testing.assert_allclose(gx.numpy(), ex.numpy(), rtol=1e-10)
    np.testing.assert_allclose(gv.numpy(), ev.numpy(), rtol=1e-10)


def test_graph_listing_and_report():
    x, w, b = _args(np.float32)
    f = tf.function(_block_step())
    cf = f.get_concrete_function(x, w, b)
    rows = {r[0]: r[1:] for r in cf.pass_report()}
    assert rows["remapping"][1] < rows["remapping"][0]
    text = str(cf.optimized_graph)
    assert "_FusedConv2DMaxPool(" in text and "_FusedConv2DMaxPoolGrad(" in text and "pool=(2, 2)" in text
    cf.optimized_graph.lint()  # raises on a broken graph


def test_keras_cnn_train_step_is_fused():
    model = tf.keras.Sequential([tf.keras.Input((12, 12, 1)), tf.keras.layers.Conv2D(4, 3, activation="relu"),
                                 tf.keras.layers.MaxPooling2D(), tf.keras.layers.Conv2D(6, 3, activation="relu"),
                                 tf.keras.layers.MaxPooling2D(), tf.keras.layers.Flatten(), tf.keras.layers.Dense(3)])
    model.compile("sgd", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.RandomState(0)
    x, y = rng.rand(16, 12, 12, 1).astype(np.float32), rng.randint(0, 3, 16)
    model.fit(x, y, batch_size=8, verbose=0)
    step = next(iter(model.train_function._fns.values()))
    cf = next(iter(step._concretes.values())) if isinstance(step._concretes, dict) else step._concretes[0]
    types = [op.type for op in cf.optimized_graph.get_operations()]
    assert types.count("_FusedConv2DMaxPool") == 2 and types.count("_FusedConv2DMaxPoolGrad") == 2
    assert len(dce.run(cf.optimized_graph)) == len(cf.optimized_graph)  # the replaced nodes' inputs went too


def test_fused_kernels_check_their_inputs():
    x = np.zeros((1, 6, 6, 4), np.float32)
    attrs = dict(strides=(1, 1), padding="VALID", dilations=(1, 1), pool=(2, 2), order="pool")
    with pytest.raises(tf.errors.InvalidArgumentError, match="grouped"):
        fused_conv._fwd_kernel(x, np.zeros((3, 3, 2, 4), np.float32), relu=True, **attrs)
    qb, q, z, cols = fused_conv._fwd_kernel(x, np.zeros((3, 3, 4, 2), np.float32), relu=True, **attrs)
    with pytest.raises(tf.errors.InvalidArgumentError, match="image row order"):
        fused_conv._grad_kernel(x, cols, np.zeros((3, 3, 4, 2), np.float32), z, q, qb, qb, relu=True,
                                need_dx=True, **attrs)


@hyp_settings(max_examples=25, deadline=None)
@example(n=0, size=3, c=1, o=1, k=1, stride=2, dilation=1, padding="VALID", pool=3, bias=False, relu=False,
         watch_x=True)  # no pool window at all: empty slabs, an empty input gradient
@given(n=st.integers(0, 3), size=st.integers(3, 12), c=st.sampled_from([1, 2, 9]), o=st.integers(1, 4),
       k=st.integers(1, 3), stride=st.integers(1, 2), dilation=st.integers(1, 2),
       padding=st.sampled_from(["VALID", "SAME"]), pool=st.integers(1, 3), bias=st.booleans(), relu=st.booleans(),
       watch_x=st.booleans())
def test_random_geometries_match_unfused(n, size, c, o, k, stride, dilation, padding, pool, bias, relu, watch_x):
    if stride > 1 and dilation > 1:
        dilation = 1  # TF refuses strides and dilations both above 1
    if (size - (k - 1) * dilation) < 1 and padding == "VALID":
        return  # no output at all
    step = _block_step(strides=stride, padding=padding, dilations=dilation, pool=pool, bias=bias, relu=relu,
                       watch_x=watch_x)
    args = _args(np.float64, n=n, size=size, c=c, o=o, k=k, seed=size * 7 + c)
    fused, types = _run(step, args, True)
    plain, _ = _run(step, args, False)
    assert FUSED <= set(types)
    for a, b in zip(fused, plain):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
