"""Depthwise / separable convolutions, Conv3D, Conv1DTranspose / Conv3DTranspose and the 3-D pooling layers:
shapes, weights, configs, gradients, graph vs eager, and values pinned against TensorFlow 2.21 (deterministic
weights, outputs computed with tf.keras)."""
import numpy as np
import pytest

import eagerflow as tf
from tests.keras.layer_checks import check_layer, det, det_weights

L = tf.keras.layers
RNG = np.random.RandomState(2)


def rand(*shape):
    return RNG.rand(*shape).astype("float32")


# Outputs of TF 2.21's tf.keras (rounded to 5 decimals) on det(shape, 0.1) inputs (det(shape, 1.0) for the
# pooling layers), with the weights of det_weights().
TF_REFERENCE = {
    "dw1d_same_s2": ("L.DepthwiseConv1D(3, strides=2, padding='same', depth_multiplier=2)", (1, 6, 2), [[[[-0.12,
        -0.11, -0.04, 0.06], [-0.18, -0.02, -0.43, 0.24], [-0.12, -0.08, 0.02, -0.09]]]]),
    "dw2d_dilated": ("L.DepthwiseConv2D(2, depth_multiplier=2, dilation_rate=2)", (1, 4, 4, 2), [[[[[0.24, 0.34,
        0.41, 0.0], [-0.3, -0.17, -0.28, 0.39]], [[-0.24, -0.23, 0.38, -0.12], [-0.57, -0.53, -0.31, 0.27]]]]]),
    "dw2d_cf": ("L.DepthwiseConv2D(2, data_format='channels_first', activation='relu')", (1, 2, 3, 4), [[[[[0.24,
        0.24, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.31, 0.0, 0.0]]]]]),
    "sep1d_dilated": ("L.SeparableConv1D(3, 2, depth_multiplier=2, dilation_rate=2)", (1, 6, 2), [[[[-0.3, -0.524,
        -0.244], [-0.786, 0.007, 0.233], [-0.327, -0.029, -0.046], [0.132, -0.254, -0.262]]]]),
    "sep2d_same_s2": ("L.SeparableConv2D(3, 2, strides=2, padding='same')", (1, 5, 5, 2), [[[[[-0.732, -0.515,
        -0.298], [0.024, -0.056, -0.136], [-0.489, -0.272, -0.055]], [[-0.165, -0.11, -0.055], [-0.165, -0.155,
        -0.145], [-0.543, -0.308, -0.073]], [[-0.219, -0.2, -0.181], [-0.354, -0.236, -0.118], [-0.057, 0.016,
        0.089]]]]]),
    "convT1d_same_op": ("L.Conv1DTranspose(2, 3, strides=2, padding='same', output_padding=1)", (1, 4, 2), [[[[0.09,
        -0.11], [-0.51, -0.29], [0.03, -0.23], [-0.33, -0.29], [-0.45, -0.23], [-0.15, -0.29], [-0.51, -0.23],
        [-0.39, 0.34]]]]),
    "convT1d_valid": ("L.Conv1DTranspose(2, 2, strides=3)", (1, 3, 2), [[[[0.09, -0.11], [-0.51, -0.29], [-0.3,
        -0.2], [-0.21, -0.17], [-0.33, -0.29], [-0.3, -0.2], [-0.51, -0.23], [-0.15, -0.29], [-0.3, -0.2]]]]),
    "conv3d_same": ("L.Conv3D(2, 2, strides=(1, 2, 1), padding='same')", (1, 3, 4, 3, 2), [[[[[[-0.33, -0.68],
        [-0.15, 0.25], [-0.6, -0.53]], [[-0.51, -0.14], [-0.33, -0.68], [0.06, 0.28]]], [[[0.15, 0.19], [-0.51,
        -0.14], [-0.12, -0.17]], [[0.39, -0.32], [0.15, 0.19], [-0.72, -0.62]]], [[[-0.75, -0.53], [0.12, -0.23],
        [-0.27, -0.17]], [[-0.78, 0.22], [-0.75, -0.53], [0.09, -0.05]]]]]]),
    "conv3d_cf": ("L.Conv3D(3, 2, data_format='channels_first')", (1, 2, 3, 3, 5), [[[[[[0.48, 0.6, -0.33, -0.84],
        [-0.39, -0.69, 0.48, 0.6]], [[0.6, -0.33, -0.84, -0.93], [-0.69, 0.48, 0.6, -0.33]]], [[[0.7, 0.46, -0.83,
        -0.23], [-0.71, -0.11, 0.7, 0.46]], [[0.46, -0.83, -0.23, -0.68], [-0.11, 0.7, 0.46, -0.83]]], [[[-0.13,
        -0.73, 0.56, 0.8], [-0.61, -0.58, -0.13, -0.73]], [[-0.73, 0.56, 0.8, -0.01], [-0.58, -0.13, -0.73,
        0.56]]]]]]),
    "convT3d": ("L.Conv3DTranspose(2, 2, strides=2)", (1, 2, 2, 2, 1), [[[[[[-0.03, -0.02], [-0.21, -0.2], [-0.12,
        -0.08], [-0.24, -0.2]], [[-0.39, -0.38], [-0.57, 0.07], [-0.36, -0.32], [-0.48, -0.02]], [[-0.21, -0.14],
        [-0.27, -0.2], [-0.3, -0.2], [-0.3, -0.2]], [[-0.33, -0.26], [-0.39, -0.11], [-0.3, -0.2], [-0.3, -0.2]]],
        [[[-0.12, -0.11], [-0.3, -0.29], [-0.18, -0.14], [-0.3, -0.26]], [[-0.48, -0.47], [-0.03, -0.02], [-0.42,
        -0.38], [-0.12, -0.08]], [[-0.24, -0.17], [-0.3, -0.23], [-0.3, -0.2], [-0.3, -0.2]], [[-0.36, -0.29],
        [-0.21, -0.14], [-0.3, -0.2], [-0.3, -0.2]]], [[[-0.39, -0.26], [-0.33, -0.2], [-0.48, -0.32], [-0.36,
        -0.2]], [[-0.27, -0.14], [-0.21, -0.29], [-0.24, -0.08], [-0.12, -0.38]], [[-0.57, -0.38], [-0.39, -0.2],
        [-0.03, -0.02], [-0.21, -0.2]], [[-0.21, -0.02], [-0.03, -0.47], [-0.39, -0.38], [-0.57, 0.07]]], [[[-0.36,
        -0.23], [-0.3, -0.17], [-0.42, -0.26], [-0.3, -0.14]], [[-0.24, -0.11], [-0.39, -0.26], [-0.18, -0.02],
        [-0.48, -0.32]], [[-0.48, -0.29], [-0.3, -0.11], [-0.12, -0.11], [-0.3, -0.29]], [[-0.12, 0.07], [-0.57,
        -0.38], [-0.48, -0.47], [-0.03, -0.02]]]]]]),
    "convT3d_same": ("L.Conv3DTranspose(1, 3, strides=(2, 1, 2), padding='same')", (1, 2, 2, 2, 2), [[[[[[-0.6],
        [-0.09], [-0.39], [-0.33]], [[-0.75], [-0.03], [0.33], [-0.3]]], [[[-0.21], [-0.75], [-0.12], [0.18]],
        [[-0.15], [-0.27], [-0.66], [-0.42]]], [[[-0.48], [-0.06], [0.24], [-0.3]], [[-0.9], [-0.06], [-0.24],
        [-0.15]]], [[[-0.09], [-0.6], [-0.45], [-0.3]], [[-0.15], [-0.03], [-0.81], [-0.6]]]]]]),
    "maxpool3d_s1": ("L.MaxPooling3D(2, strides=1)", (1, 3, 3, 3, 1), [[[[[[3.0], [3.0]], [[3.0], [3.0]]], [[[3.0],
        [3.0]], [[3.0], [3.0]]]]]]),
    "avgpool3d_same": ("L.AveragePooling3D(2, padding='same')", (1, 3, 3, 3, 1), [[[[[[0.0], [-0.25]], [[-0.75],
        [-1.0]]], [[[-0.5], [1.0]], [[0.5], [2.0]]]]]]),
    "gap3d_cf_keep": ("L.GlobalAveragePooling3D(data_format='channels_first', keepdims=True)", (1, 2, 2, 3, 2),
        [[[[[[-0.41667]]], [[[-0.08333]]]]]]),
    "gmp3d": ("L.GlobalMaxPooling3D()", (1, 2, 3, 2, 2), [[[3.0, 3.0]]]),
}


@pytest.mark.parametrize("name", sorted(TF_REFERENCE))
def test_values_match_tensorflow(name):
    src, shape, expected = TF_REFERENCE[name]
    layer = eval(src)
    x = det(shape, 1.0 if "pool" in name or name.startswith("g") else 0.1)
    layer(x)
    layer.set_weights(det_weights(layer))
    np.testing.assert_allclose(layer(x).numpy(), expected[0], rtol=1e-4, atol=2e-5)


# ---- every layer through the shared checker ------------------------------------------------------------

def test_depthwise_conv1d():
    layer, _ = check_layer(lambda **kw: L.DepthwiseConv1D(3, depth_multiplier=2, **kw), rand(2, 6, 2), (2, 4, 4), 2)
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]
    assert tuple(layer.kernel.shape) == (3, 2, 2)
    check_layer(lambda **kw: L.DepthwiseConv1D(2, strides=2, padding="same", use_bias=False, **kw), rand(1, 5, 3),
                (1, 3, 3), 1)


def test_depthwise_conv2d():
    layer, _ = check_layer(lambda **kw: L.DepthwiseConv2D(3, depth_multiplier=2, **kw), rand(2, 5, 5, 2),
                           (2, 3, 3, 4), 2)
    assert tuple(layer.kernel.shape) == (3, 3, 2, 2) and tuple(layer.bias.shape) == (4,)
    check_layer(lambda **kw: L.DepthwiseConv2D(2, dilation_rate=2, data_format="channels_first", **kw),
                rand(1, 2, 4, 5), (1, 2, 2, 3), 2)


def test_separable_conv1d():
    layer, _ = check_layer(lambda **kw: L.SeparableConv1D(4, 3, depth_multiplier=2, **kw), rand(2, 6, 2),
                           (2, 4, 4), 3)
    name = layer.name
    assert [(w.path, tuple(w.shape)) for w in layer.weights] == [
        (f"{name}/depthwise_kernel", (3, 2, 2)), (f"{name}/pointwise_kernel", (1, 4, 4)), (f"{name}/bias", (4,))]


def test_separable_conv2d():
    layer, _ = check_layer(lambda **kw: L.SeparableConv2D(4, 3, **kw), rand(2, 5, 5, 2), (2, 3, 3, 4), 3)
    assert [tuple(w.shape) for w in layer.weights] == [(3, 3, 2, 1), (1, 1, 2, 4), (4,)]
    check_layer(lambda **kw: L.SeparableConv2D(3, 2, strides=2, padding="same", use_bias=False,
                                               data_format="channels_first", **kw), rand(1, 2, 5, 4), (1, 3, 3, 2), 2)


def test_conv1d_transpose():
    layer, _ = check_layer(lambda **kw: L.Conv1DTranspose(4, 3, strides=2, **kw), rand(2, 6, 2), (2, 13, 4), 2)
    assert tuple(layer.kernel.shape) == (3, 4, 2)
    check_layer(lambda **kw: L.Conv1DTranspose(2, 3, strides=2, padding="same", output_padding=1, **kw),
                rand(1, 4, 3), (1, 8, 2), 2)


def test_conv3d():
    layer, _ = check_layer(lambda **kw: L.Conv3D(3, 2, **kw), rand(2, 3, 3, 3, 2), (2, 2, 2, 2, 3), 2)
    assert tuple(layer.kernel.shape) == (2, 2, 2, 2, 3)
    check_layer(lambda **kw: L.Conv3D(4, 2, groups=2, strides=(1, 2, 1), padding="same", **kw),
                rand(1, 2, 3, 2, 2), (1, 2, 2, 2, 4), 2)


def test_conv3d_transpose():
    layer, _ = check_layer(lambda **kw: L.Conv3DTranspose(2, 2, strides=2, **kw), rand(2, 2, 2, 2, 3),
                           (2, 4, 4, 4, 2), 2)
    assert tuple(layer.kernel.shape) == (2, 2, 2, 2, 3)
    check_layer(lambda **kw: L.Conv3DTranspose(1, 2, strides=(1, 2, 2), padding="same",
                                               data_format="channels_first", **kw), rand(1, 2, 2, 2, 2),
                (1, 1, 2, 4, 4), 2)


def test_pooling_3d():
    check_layer(lambda **kw: L.MaxPooling3D(**kw), rand(2, 4, 4, 4, 2), (2, 2, 2, 2, 2), 0)
    check_layer(lambda **kw: L.MaxPooling3D(2, strides=1, padding="same", data_format="channels_first", **kw),
                rand(1, 2, 3, 3, 3), (1, 2, 3, 3, 3), 0)
    check_layer(lambda **kw: L.AveragePooling3D(2, **kw), rand(2, 4, 4, 4, 2), (2, 2, 2, 2, 2), 0)
    check_layer(lambda **kw: L.AveragePooling3D((1, 2, 2), padding="same", **kw), rand(1, 3, 3, 3, 1),
                (1, 3, 2, 2, 1), 0)
    check_layer(lambda **kw: L.GlobalMaxPooling3D(**kw), rand(2, 2, 3, 2, 3), (2, 3), 0)
    check_layer(lambda **kw: L.GlobalAveragePooling3D(keepdims=True, **kw), rand(2, 2, 3, 2, 3), (2, 1, 1, 1, 3), 0)
    check_layer(lambda **kw: L.GlobalAveragePooling3D(data_format="channels_first", **kw), rand(2, 3, 2, 2, 2),
                (2, 3), 0)


def test_aliases():
    assert L.MaxPool3D is L.MaxPooling3D and L.AvgPool3D is L.AveragePooling3D
    assert L.GlobalMaxPool3D is L.GlobalMaxPooling3D and L.GlobalAvgPool3D is L.GlobalAveragePooling3D
    assert L.Convolution3D is L.Conv3D and L.Convolution3DTranspose is L.Conv3DTranspose
    assert L.SeparableConvolution1D is L.SeparableConv1D and L.SeparableConvolution2D is L.SeparableConv2D


# ---- configs as TF 2.21's ------------------------------------------------------------------------------

_INIT = ["bias_initializer", "bias_regularizer", "activity_regularizer", "bias_constraint"]
KERAS_CONFIG_KEYS = {
    "DepthwiseConv2D": ["name", "trainable", "dtype", "depth_multiplier", "kernel_size", "strides", "padding",
                        "data_format", "dilation_rate", "activation", "use_bias", "depthwise_initializer",
                        "bias_initializer", "depthwise_regularizer", "bias_regularizer", "activity_regularizer",
                        "depthwise_constraint", "bias_constraint"],
    "SeparableConv1D": ["name", "trainable", "dtype", "depth_multiplier", "filters", "kernel_size", "strides",
                        "padding", "data_format", "dilation_rate", "activation", "use_bias", "depthwise_initializer",
                        "pointwise_initializer", "bias_initializer", "depthwise_regularizer",
                        "pointwise_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_constraint",
                        "pointwise_constraint", "bias_constraint"],
    "Conv3DTranspose": ["name", "trainable", "dtype", "filters", "kernel_size", "strides", "padding",
                        "output_padding", "data_format", "dilation_rate", "activation", "use_bias",
                        "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
                        "activity_regularizer", "kernel_constraint", "bias_constraint"],
    "Conv3D": ["name", "trainable", "dtype", "filters", "kernel_size", "strides", "padding", "data_format",
               "dilation_rate", "groups", "activation", "use_bias", "kernel_initializer", "bias_initializer",
               "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
               "bias_constraint"],
    "MaxPooling3D": ["name", "trainable", "dtype", "pool_size", "padding", "strides", "data_format"],
    "GlobalAveragePooling3D": ["name", "trainable", "dtype", "data_format", "keepdims"],
}


def test_config_keys_and_defaults_match_keras():
    layers = {"DepthwiseConv2D": L.DepthwiseConv2D(3), "SeparableConv1D": L.SeparableConv1D(4, 3),
              "Conv3DTranspose": L.Conv3DTranspose(4, 2), "Conv3D": L.Conv3D(4, 2), "MaxPooling3D": L.MaxPooling3D(),
              "GlobalAveragePooling3D": L.GlobalAveragePooling3D()}
    for name, layer in layers.items():
        assert list(layer.get_config()) == KERAS_CONFIG_KEYS[name], name
    cfg = L.SeparableConv2D(4, 3).get_config()
    assert (cfg["kernel_size"], cfg["strides"], cfg["dilation_rate"], cfg["depth_multiplier"]) == ((3, 3), (1, 1),
                                                                                                   (1, 1), 1)
    assert cfg["pointwise_initializer"]["class_name"] == "GlorotUniform" and cfg["activation"] == "linear"
    assert L.Conv1DTranspose(4, 3).get_config()["strides"] == (1,)
    assert L.MaxPooling3D().get_config()["strides"] == (2, 2, 2)
    assert L.DepthwiseConv1D(3).get_config()["kernel_size"] == (3,)


def test_serialize_round_trip():
    for layer in (L.DepthwiseConv1D(3, depth_multiplier=2), L.SeparableConv2D(4, 3), L.Conv3DTranspose(2, 2),
                  L.AveragePooling3D(2)):
        clone = L.deserialize(L.serialize(layer))
        assert type(clone) is type(layer) and clone.get_config() == layer.get_config()


# ---- errors --------------------------------------------------------------------------------------------

def test_bad_arguments():
    with pytest.raises(ValueError, match="depth_multiplier"):
        L.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match="filters"):
        L.SeparableConv2D(0, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        L.DepthwiseConv2D(0)
    with pytest.raises(ValueError, match="padding"):
        L.DepthwiseConv1D(3, padding="causal")
    with pytest.raises(ValueError, match="output_padding"):
        L.Conv3DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="output_padding"):
        L.Conv1DTranspose(2, 3, strides=1, output_padding=1)
    with pytest.raises(ValueError, match="strides"):
        L.Conv3D(2, 2, strides=(1, 1))
    with pytest.raises(ValueError, match="pool_size"):
        L.MaxPooling3D((2, 2))


def test_bad_inputs():
    with pytest.raises(ValueError, match="zero or negative"):
        L.DepthwiseConv2D(4)(np.ones((1, 3, 3, 2), "float32"))
    with pytest.raises(ValueError):
        L.Conv3D(2, 2)(np.ones((1, 3, 3, 2), "float32"))  # rank 4 input
    layer = L.SeparableConv1D(2, 2)
    layer(np.ones((1, 4, 3), "float32"))
    with pytest.raises(ValueError):
        layer(np.ones((1, 4, 2), "float32"))  # the channel count is fixed at build


def test_in_a_model_fit():
    model = tf.keras.Sequential([tf.keras.Input((4, 4, 4, 1)), L.Conv3D(2, 2, activation="relu"),
                                 L.MaxPooling3D(1), L.GlobalAveragePooling3D(), L.Dense(1)])
    model.compile("sgd", "mse")
    x, y = rand(8, 4, 4, 4, 1), rand(8, 1)
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert len(history.history["loss"]) == 2
    seq = tf.keras.Sequential([tf.keras.Input((6, 3)), L.SeparableConv1D(4, 3, padding="same"),
                               L.DepthwiseConv1D(2), L.Conv1DTranspose(2, 2, strides=2)])
    assert seq.output_shape == (None, 10, 2)
    assert seq(rand(2, 6, 3)).shape == (2, 10, 2)
