"""Convolution, pooling and reshaping layers: shapes, weights, configs, gradients, graph vs eager, and
values pinned against TensorFlow 2.21 (deterministic weights, outputs computed with tf.keras)."""
import numpy as np
import pytest

import eagerflow as tf
from tests.keras.layer_checks import check_layer, det

L = tf.keras.layers
RNG = np.random.RandomState(1)


def rand(*shape):
    return RNG.rand(*shape).astype("float32")


# Outputs of TF 2.21's tf.keras on det() inputs, with weights det(kernel, 0.3) and det(bias, 0.5).
TF_REFERENCE = {
    "conv1d_causal": ("L.Conv1D(2, 3, padding='causal', dilation_rate=2)", (1, 6, 2), [[
        [-1.32, -0.97], [-1.44, -0.97], [-1.83, -0.97], [-1.71, -1.24], [-0.84, -0.91], [-1.59, -0.46]]]),
    "conv2d_same_s2": ("L.Conv2D(2, 3, strides=2, padding='same')", (1, 5, 5, 2), [[
        [[-1.26, -1.18], [-0.6, -0.7], [-1.17, -0.7]], [[-1.53, -1.09], [-2.19, -1.42], [-1.41, -1.33]],
        [[-1.71, -0.52], [-1.71, -0.88], [-1.5, -1.18]]]]),
    "convT_same_op": ("L.Conv2DTranspose(2, 3, strides=2, padding='same', output_padding=1)", (1, 2, 2, 2), [[
        [[-1.11, -0.91], [-1.71, -1.09], [-1.17, -1.03], [-1.53, -1.09]],
        [[-1.86, -0.61], [-1.41, -1.21], [-1.65, -0.67], [-1.47, -1.03]],
        [[-1.77, -1.39], [-0.96, -1.0], [-1.92, -1.18], [-1.5, -0.43]],
        [[-1.26, -1.21], [-1.53, -0.85], [-1.68, -1.21], [-1.59, -1.09]]]]),
    "convT_valid": ("L.Conv2DTranspose(1, 2, strides=2)", (1, 2, 2, 1), [[
        [[-1.23], [-1.32], [-1.32], [-1.38]], [[-1.41], [-1.5], [-1.44], [-1.5]],
        [[-1.41], [-1.44], [-1.5], [-1.5]], [[-1.47], [-1.5], [-1.5], [-1.5]]]]),
    # (filters != output width: with equal sizes TF 2.21 adds a channels_first bias along the wrong axis)
    "conv2d_cf": ("L.Conv2D(3, 2, data_format='channels_first')", (1, 2, 4, 5), [[
        [[-1.35, -1.65, -1.53, -1.2], [-1.38, -2.1, -1.35, -1.65], [-1.2, -1.29, -1.38, -2.1]],
        [[-0.34, -1.03, -1.3, -1.15], [-1.27, -0.7, -0.34, -1.03], [-1.15, -1.21, -1.27, -0.7]],
        [[-0.17, -1.25, -0.44, -0.47], [-0.53, -0.14, -0.17, -1.25], [-0.47, -0.5, -0.53, -0.14]]]]),
    "upsample_bilinear": ("L.UpSampling2D((2, 2), interpolation='bilinear')", (1, 2, 3, 1), [[
        [[-3.0], [-2.75], [-2.25], [-1.75], [-1.25], [-1.0]], [[-2.25], [-2.0], [-1.5], [-1.0], [-0.5], [-0.25]],
        [[-0.75], [-0.5], [0.0], [0.5], [1.0], [1.25]], [[0.0], [0.25], [0.75], [1.25], [1.75], [2.0]]]]),
    "avgpool_same": ("L.AveragePooling2D(2, strides=2, padding='same')", (1, 3, 3, 1), [[[[-1.0], [0.5]],
                                                                                       [[0.0], [-2.0]]]]),
}


@pytest.mark.parametrize("name", sorted(TF_REFERENCE))
def test_values_match_tensorflow(name):
    src, shape, expected = TF_REFERENCE[name]
    layer = eval(src)
    x = det(shape, 1.0) if "pool" in name or "upsample" in name else det(shape)
    layer(x)
    layer.set_weights([det(tuple(w.shape), 0.3 if i == 0 else 0.5) for i, w in enumerate(layer.weights)])
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-5, atol=1e-6)


# ---- convolutions --------------------------------------------------------------------------------------

def test_conv1d():
    layer, _ = check_layer(lambda **kw: L.Conv1D(2, 3, **kw), rand(2, 6, 3), (2, 4, 2), 2)
    assert tuple(layer.kernel.shape) == (3, 3, 2)
    check_layer(lambda **kw: L.Conv1D(2, 2, padding="causal", **kw), rand(1, 5, 2), (1, 5, 2), 2)


def test_conv2d():
    layer, _ = check_layer(lambda **kw: L.Conv2D(2, 3, activation="relu", **kw), rand(2, 5, 5, 2), (2, 3, 3, 2), 2)
    assert tuple(layer.kernel.shape) == (3, 3, 2, 2)
    check_layer(lambda **kw: L.Conv2D(2, (2, 3), strides=2, padding="same", use_bias=False, **kw), rand(1, 5, 6, 1),
                (1, 3, 3, 2), 1)
    check_layer(lambda **kw: L.Conv2D(4, 2, groups=2, dilation_rate=2, **kw), rand(1, 5, 5, 2), (1, 3, 3, 4), 2)


def test_conv2d_transpose():
    layer, _ = check_layer(lambda **kw: L.Conv2DTranspose(2, 3, strides=2, **kw), rand(2, 3, 3, 2), (2, 7, 7, 2), 2)
    assert tuple(layer.kernel.shape) == (3, 3, 2, 2)
    check_layer(lambda **kw: L.Conv2DTranspose(1, 2, padding="same", strides=2, **kw), rand(1, 2, 3, 1),
                (1, 4, 6, 1), 2)
    assert "output_padding" in L.Conv2DTranspose(1, 2).get_config()
    assert "groups" not in L.Conv2DTranspose(1, 2).get_config()


def test_conv_with_unknown_batch_in_graph():
    layer = L.Conv2DTranspose(2, 3, strides=2, padding="same")
    f = tf.function(lambda t: layer(t), input_signature=[tf.TensorSpec([None, 4, 4, 3])])
    assert f(tf.ones((2, 4, 4, 3))).shape == (2, 8, 8, 2)
    assert f.get_concrete_function().structured_outputs.shape.as_list() == [None, 8, 8, 2]


def test_conv_errors():
    with pytest.raises(ValueError, match=r"expected min_ndim=4, found ndim=3. Full shape received: \(2, 4, 4\)"):
        L.Conv2D(3, 3)(np.ones((2, 4, 4), "f"))
    with pytest.raises(ValueError, match="must be evenly divisible by the number of groups"):
        L.Conv2D(3, 3, groups=2)
    with pytest.raises(ValueError, match="The `kernel_size` argument must be a tuple of 2 integers"):
        L.Conv2D(3, (1, 2, 3))
    with pytest.raises(ValueError, match="padding"):
        L.Conv2D(3, 3, padding="causal")
    with pytest.raises(ValueError, match="Computed output size would be zero or negative"):
        L.Conv2D(1, 5)(np.ones((1, 3, 3, 1), "f"))


# ---- pooling -----------------------------------------------------------------------------------------------

def test_pooling_layers_values():
    x = rand(2, 4, 4, 3)
    blocks = x.reshape(2, 2, 2, 2, 2, 3)
    np.testing.assert_allclose(L.MaxPooling2D()(x).numpy(), blocks.max(axis=(2, 4)), rtol=1e-6)
    np.testing.assert_allclose(L.AveragePooling2D(2)(x).numpy(), blocks.mean(axis=(2, 4)), rtol=1e-6)
    np.testing.assert_allclose(L.GlobalAveragePooling2D()(x).numpy(), x.mean(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(L.GlobalMaxPooling2D(keepdims=True)(x).numpy(), x.max(axis=(1, 2), keepdims=True))
    s = rand(2, 6, 3)
    np.testing.assert_allclose(L.MaxPooling1D(3)(s).numpy(), s.reshape(2, 2, 3, 3).max(axis=2))
    np.testing.assert_allclose(L.GlobalAveragePooling1D()(s).numpy(), s.mean(axis=1), rtol=1e-6)
    np.testing.assert_allclose(L.GlobalMaxPooling1D()(s).numpy(), s.max(axis=1))


@pytest.mark.parametrize("make,shape,out", [
    (lambda **kw: L.MaxPooling1D(**kw), (2, 6, 3), (2, 3, 3)),
    (lambda **kw: L.AveragePooling1D(3, strides=1, padding="same", **kw), (2, 5, 2), (2, 5, 2)),
    (lambda **kw: L.MaxPooling2D((2, 3), **kw), (1, 4, 6, 2), (1, 2, 2, 2)),
    (lambda **kw: L.AveragePooling2D(2, padding="same", **kw), (1, 5, 5, 1), (1, 3, 3, 1)),
    (lambda **kw: L.GlobalAveragePooling1D(**kw), (2, 5, 3), (2, 3)),
    (lambda **kw: L.GlobalMaxPooling1D(**kw), (2, 5, 3), (2, 3)),
    (lambda **kw: L.GlobalAveragePooling2D(**kw), (2, 3, 3, 4), (2, 4)),
    (lambda **kw: L.GlobalMaxPooling2D(data_format="channels_first", **kw), (2, 4, 3, 3), (2, 4)),
])
def test_pooling_checks(make, shape, out):
    check_layer(make, rand(*shape), out, 0)


def test_pooling_config_matches_keras():
    assert L.MaxPooling2D().get_config()["pool_size"] == (2, 2)
    assert L.MaxPooling2D().get_config()["strides"] == (2, 2)
    assert list(L.GlobalAveragePooling1D().get_config())[3:] == ["data_format", "keepdims"]
    with pytest.raises(TypeError):
        L.AveragePooling2D()  # Keras 3: pool_size is required for average pooling


# ---- reshaping ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make,shape,out", [
    (lambda **kw: L.Flatten(**kw), (2, 3, 4), (2, 12)),
    (lambda **kw: L.Flatten(data_format="channels_first", **kw), (2, 3, 4), (2, 12)),
    (lambda **kw: L.Reshape((2, 6), **kw), (3, 12), (3, 2, 6)),
    (lambda **kw: L.Reshape((-1, 3), **kw), (2, 4, 3), (2, 4, 3)),
    (lambda **kw: L.Permute((2, 1), **kw), (2, 3, 4), (2, 4, 3)),
    (lambda **kw: L.RepeatVector(3, **kw), (2, 4), (2, 3, 4)),
    (lambda **kw: L.ZeroPadding1D(2, **kw), (2, 3, 2), (2, 7, 2)),
    (lambda **kw: L.ZeroPadding2D(((1, 0), (2, 3)), **kw), (1, 3, 3, 2), (1, 4, 8, 2)),
    (lambda **kw: L.UpSampling1D(3, **kw), (2, 2, 3), (2, 6, 3)),
    (lambda **kw: L.UpSampling2D(**kw), (1, 2, 3, 2), (1, 4, 6, 2)),
    (lambda **kw: L.UpSampling2D((1, 2), interpolation="bilinear", **kw), (1, 2, 3, 2), (1, 2, 6, 2)),
    (lambda **kw: L.Cropping1D((1, 2), **kw), (2, 6, 2), (2, 3, 2)),
    (lambda **kw: L.Cropping2D(((1, 0), (0, 2)), **kw), (1, 4, 5, 2), (1, 3, 3, 2)),
])
def test_reshaping_checks(make, shape, out):
    check_layer(make, rand(*shape), out, 0)


def test_reshaping_values():
    x = rand(2, 3, 4)
    np.testing.assert_array_equal(L.Flatten()(x).numpy(), x.reshape(2, 12))
    np.testing.assert_array_equal(L.Permute((2, 1))(x).numpy(), x.transpose(0, 2, 1))
    np.testing.assert_array_equal(L.RepeatVector(2)(x[:, 0]).numpy(), np.stack([x[:, 0]] * 2, axis=1))
    img = rand(1, 2, 2, 1)
    np.testing.assert_array_equal(L.UpSampling2D()(img).numpy(), img.repeat(2, axis=1).repeat(2, axis=2))
    np.testing.assert_array_equal(L.ZeroPadding2D()(img).numpy(), np.pad(img, [(0, 0), (1, 1), (1, 1), (0, 0)]))
    assert L.ZeroPadding2D().get_config()["padding"] == ((1, 1), (1, 1))
    assert L.Flatten().compute_output_shape((None, None, 4)) == (None, None)


def test_flatten_and_reshape_with_unknown_dims_in_graph():
    flat, reshape = L.Flatten(), L.Reshape((-1, 2))
    f = tf.function(lambda t: (flat(t), reshape(t)), input_signature=[tf.TensorSpec([None, None, 4])])
    a, b = f(tf.ones((2, 3, 4)))
    assert a.shape == (2, 12) and b.shape == (2, 6, 2)


def test_reshaping_errors():
    with pytest.raises(ValueError, match=r"The total size of the tensor must be unchanged. Received: "
                                         r"input_shape=\(4,\), target_shape=\(5,\)"):
        L.Reshape((5,))(np.ones((2, 4), "f"))
    with pytest.raises(ValueError, match="Invalid permutation argument `dims` for Permute Layer"):
        L.Permute((1, 3))
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        L.RepeatVector(2)(np.ones((1, 2, 3), "f"))
    with pytest.raises(ValueError, match="`interpolation` argument should be one of"):
        L.UpSampling2D(interpolation="bicubic")
