"""Activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax), regularization layers (GaussianNoise,
GaussianDropout, AlphaDropout, SpatialDropout1D/2D/3D, ActivityRegularization), TimeDistributed,
Masking, GroupNormalization and UnitNormalization; values, masks, configs and errors pinned against
TensorFlow 2.21 (Keras 3.15)."""
import doctest
import importlib
import warnings

import numpy as np
import pytest

import eagerflow as tf
from tests.keras.layer_checks import check_layer, det

L = tf.keras.layers
RNG = np.random.RandomState(5)


def rand(*shape):
    """Uniform in [-2, 2): away from the kinks of the piecewise activations for finite differences."""
    return RNG.uniform(-2, 2, size=shape).astype("float32")


def det_weights(layer):
    return [det(tuple(w.shape), 0.2) + 0.05 * (i + 1) for i, w in enumerate(layer.weights)]


X = det((2, 3, 4), 0.5)

# tf.keras (TF 2.21) outputs on X with the weights set by det_weights.
TF_REFERENCE = {
    'L.ReLU()': [[[0.0, 0.0, 0.0, 0.0], [0.5, 1.0, 1.5, 0.0], [0.0, 0.0, 0.0, 0.5]],
                 [[1.0, 1.5, 0.0, 0.0], [0.0, 0.0, 0.5, 1.0], [1.5, 0.0, 0.0, 0.0]]],
    'L.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.5)': [
        [[-0.2, -0.15, -0.1, -0.05], [0.0, 1.0, 1.0, -0.2], [-0.15, -0.1, -0.05, 0.0]],
        [[1.0, 1.0, -0.2, -0.15], [-0.1, -0.05, 0.0, 1.0], [1.0, -0.2, -0.15, -0.1]]],
    'L.ReLU(max_value=0.7)': [[[0.0, 0.0, 0.0, 0.0], [0.5, 0.7, 0.7, 0.0], [0.0, 0.0, 0.0, 0.5]],
                              [[0.7, 0.7, 0.0, 0.0], [0.0, 0.0, 0.5, 0.7], [0.7, 0.0, 0.0, 0.0]]],
    'L.LeakyReLU()': [[[-0.45, -0.3, -0.15, 0.0], [0.5, 1.0, 1.5, -0.45], [-0.3, -0.15, 0.0, 0.5]],
                      [[1.0, 1.5, -0.45, -0.3], [-0.15, 0.0, 0.5, 1.0], [1.5, -0.45, -0.3, -0.15]]],
    'L.LeakyReLU(negative_slope=0.2)': [[[-0.3, -0.2, -0.1, 0.0], [0.5, 1.0, 1.5, -0.3], [-0.2, -0.1, 0.0, 0.5]],
                                        [[1.0, 1.5, -0.3, -0.2], [-0.1, 0.0, 0.5, 1.0], [1.5, -0.3, -0.2, -0.1]]],
    'L.PReLU()': [[[0.825, 0.35, 0.075, 0.0], [0.5, 1.0, 1.5, 0.825], [0.35, 0.075, 0.0, 0.5]],
                  [[1.0, 1.5, 0.225, -0.05], [-0.125, 0.0, 0.5, 1.0], [1.5, 0.225, -0.05, -0.125]]],
    'L.PReLU(shared_axes=[1])': [[[0.825, 0.35, 0.075, 0.0], [0.5, 1.0, 1.5, -0.075], [0.55, 0.175, 0.0, 0.5]],
                                 [[1.0, 1.5, 0.225, -0.05], [0.275, 0.0, 0.5, 1.0], [1.5, 0.525, 0.15, -0.025]]],
    'L.ELU()': [[[-0.77687, -0.632121, -0.393469, 0.0], [0.5, 1.0, 1.5, -0.77687], [-0.632121, -0.393469, 0.0, 0.5]],
                [[1.0, 1.5, -0.77687, -0.632121], [-0.393469, 0.0, 0.5, 1.0], [1.5, -0.77687, -0.632121, -0.393469]]],
    'L.ELU(alpha=0.5)': [
        [[-0.388435, -0.31606, -0.196735, 0.0], [0.5, 1.0, 1.5, -0.388435], [-0.31606, -0.196735, 0.0, 0.5]],
        [[1.0, 1.5, -0.388435, -0.31606], [-0.196735, 0.0, 0.5, 1.0], [1.5, -0.388435, -0.31606, -0.196735]]],
    'L.Softmax()': [
        [[0.101536, 0.167405, 0.276004, 0.455054], [0.181741, 0.29964, 0.494023, 0.024596],
         [0.101536, 0.167405, 0.276004, 0.455054]],
        [[0.348901, 0.575241, 0.02864, 0.047219], [0.101536, 0.167405, 0.276004, 0.455054],
         [0.789137, 0.039289, 0.064776, 0.106798]]],
    'L.Softmax(axis=1)': [
        [[0.099624, 0.099624, 0.099624, 0.348207], [0.736125, 0.736125, 0.736125, 0.077696],
         [0.164252, 0.164252, 0.164252, 0.574097]],
        [[0.348207, 0.785597, 0.099624, 0.099624], [0.077696, 0.17529, 0.736125, 0.736125],
         [0.574097, 0.039113, 0.164252, 0.164252]]],
    'L.Softmax(axis=[1, 2])': [
        [[0.014983, 0.024702, 0.040727, 0.067148], [0.110708, 0.182527, 0.300936, 0.014983],
         [0.024702, 0.040727, 0.067148, 0.110708]],
        [[0.139802, 0.230495, 0.011476, 0.01892], [0.031194, 0.05143, 0.084794, 0.139802],
         [0.230495, 0.011476, 0.01892, 0.031194]]],
    'L.UnitNormalization()': [
        [[-0.801784, -0.534522, -0.267261, 0.0], [0.208514, 0.417029, 0.625543, -0.625543],
         [-0.816497, -0.408248, 0.0, 0.408248]],
        [[0.392232, 0.588348, -0.588348, -0.392232], [-0.408248, 0.0, 0.408248, 0.816497],
         [0.625543, -0.625543, -0.417029, -0.208514]]],
    'L.UnitNormalization(axis=[1, 2])': [
        [[-0.457496, -0.304997, -0.152499, 0.0], [0.152499, 0.304997, 0.457496, -0.457496],
         [-0.304997, -0.152499, 0.0, 0.152499]],
        [[0.26968, 0.40452, -0.40452, -0.26968], [-0.13484, 0.0, 0.13484, 0.26968],
         [0.40452, -0.40452, -0.26968, -0.13484]]],
    'L.GroupNormalization(groups=2)': [
        [[0.172187, -0.06967, -0.017891, 0.1], [-1.068774, -0.859373, -0.346327, 0.017891],
         [-0.138053, -0.267096, -0.1, 0.12737]],
        [[-0.831527, -0.6692, 0.083324, 0.067096], [-0.085591, -0.194514, -0.25512, 0.17991],
         [-1.080172, 0.280172, -0.001287, 0.095299]]],
    'L.GroupNormalization(groups=-1)': [
        [[0.038946, 0.042966, 0.046985, 0.119598], [-1.254525, -0.780152, -0.30578, 0.031407],
         [-0.284422, -0.162814, -0.041206, 0.148995]],
        [[-0.715579, -0.728518, 0.046985, 0.051005], [0.254525, -0.3, -0.30578, 0.168593],
         [-1.038946, 0.128518, -0.041206, 0.080402]]],
    'L.GroupNormalization(groups=1, center=False)': [
        [[0.769005, 0.299934, 0.047358, 0.011276], [-0.421712, -0.457795, -0.277383, -0.06991],
         [0.471326, 0.110502, -0.033827, 0.038337]],
        [[-0.53539, -0.50424, 0.204422, -0.044778], [0.235572, -0.013628, -0.075928, 0.048672],
         [-0.792377, 0.476984, 0.134334, -0.021416]]],
    'L.GroupNormalization(groups=3, axis=1, epsilon=0.01)': [
        [[0.226372, -0.257876, -0.742124, -1.226372], [-0.33827, -0.491351, -0.644432, 0.274053],
         [0.098101, -0.033966, -0.166034, -0.298101]],
        [[-0.930134, -1.145201, 0.145201, -0.069866], [0.162237, -0.145921, -0.454079, -0.762237],
         [-0.346023, 0.047614, -0.017992, -0.083598]]],
    'L.TimeDistributed(L.Dense(2))': [[[0.35, -0.05], [-1.525, 1.075], [0.45, -0.25]],
                                      [[-2.3, -0.7], [0.55, -0.45], [-1.675, -1.075]]],
    "L.TimeDistributed(L.Dense(3, activation='tanh', use_bias=False))": [
        [[0.421899, 0.50052, -0.049958], [0.750893, -0.677782, -0.48155], [0.421899, 0.244919, 0.049958]],
        [[-0.861723, 0.664037, 0.664037], [0.421899, -0.049958, 0.148885], [-0.900527, -0.358357, -0.588259]]],
}

# Softmax with a mask (TF 2.21): masked logits get -1e9 and the masked outputs are zeroed.
SOFTMAX_MASK = np.array([[1, 1, 0, 1], [0, 1, 1, 1], [1, 0, 0, 0]] * 2, bool).reshape(2, 3, 4)
TF_SOFTMAX_MASKED = [
    [[0.140244, 0.231224, 0.0, 0.628532], [0.0, 0.366192, 0.603749, 0.030059], [1.0, 0.0, 0.0, 0.0]],
    [[0.359188, 0.592201, 0.0, 0.048611], [0.0, 0.186324, 0.307196, 0.50648], [1.0, 0.0, 0.0, 0.0]]]
TF_SOFTMAX_AXIS1_MASKED = [  # Softmax(axis=1), mask of shape (2, 3, 1) broadcast over the last axis
    [[0.377541, 0.377541, 0.377541, 0.377541], [0.0, 0.0, 0.0, 0.0], [0.622459, 0.622459, 0.622459, 0.622459]],
    [[0.817575, 0.817575, 0.119203, 0.119203], [0.182426, 0.182426, 0.880797, 0.880797], [0.0, 0.0, 0.0, 0.0]]]

# Sequential([Input((3, 4)), Masking(), TimeDistributed(Dense(2)), SimpleRNN(2)]) on X with rows [0, 1] and
# [1, 2] zeroed, weights det_weights; and the same model without Masking (the zero rows are then real steps).
TF_MASKED_SEQUENCE = [[-0.33955, -0.249458], [-0.676029, -0.393961]]
TF_UNMASKED_SEQUENCE = [[-0.515732, -0.309705], [0.15905, -0.013586]]

# AlphaDropout(rate) in training on a constant input: the two values TF 2.21 produces (kept, dropped).
TF_ALPHA_DROPOUT = {(0.5, 1.0): (1.665599, -0.779194), (0.2, 2.0): (2.066847, -1.23616)}


@pytest.mark.parametrize("src", sorted(TF_REFERENCE))
def test_values_match_tensorflow(src):
    layer = eval(src)
    layer(X)
    layer.set_weights(det_weights(layer))
    np.testing.assert_allclose(layer(X).numpy(), TF_REFERENCE[src], rtol=1e-5, atol=2e-6)
    traced = tf.function(lambda t: layer(t))(tf.constant(X))
    np.testing.assert_allclose(traced.numpy(), TF_REFERENCE[src], rtol=1e-5, atol=2e-6)


# ---- the shared layer checks ----------------------------------------------------------------------------------

CHECKS = {
    "relu": (lambda **kw: L.ReLU(**kw), (2, 3, 4), 0),
    "relu_capped": (lambda **kw: L.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.5, **kw), (2, 3, 4), 0),
    "leaky_relu": (lambda **kw: L.LeakyReLU(negative_slope=0.2, **kw), (2, 3, 4), 0),
    "prelu": (lambda **kw: L.PReLU(alpha_initializer="ones", **kw), (2, 3, 4), 1),
    "prelu_shared": (lambda **kw: L.PReLU(alpha_initializer="glorot_uniform", shared_axes=[1, 2], **kw),
                     (2, 3, 4, 2), 1),
    "elu": (lambda **kw: L.ELU(alpha=0.5, **kw), (2, 3, 4), 0),
    "softmax": (lambda **kw: L.Softmax(**kw), (2, 3, 4), 0),
    "softmax_axes": (lambda **kw: L.Softmax(axis=[1, 2], **kw), (2, 3, 4), 0),
    "gaussian_noise": (lambda **kw: L.GaussianNoise(0.3, seed=1, **kw), (2, 3, 4), 0),
    "gaussian_dropout": (lambda **kw: L.GaussianDropout(0.3, **kw), (2, 3, 4), 0),
    "alpha_dropout": (lambda **kw: L.AlphaDropout(0.3, noise_shape=(None, 1, 4), **kw), (2, 3, 4), 0),
    "spatial_dropout1d": (lambda **kw: L.SpatialDropout1D(0.3, **kw), (2, 3, 4), 0),
    "spatial_dropout2d": (lambda **kw: L.SpatialDropout2D(0.3, data_format="channels_first", **kw), (2, 3, 2, 2), 0),
    "spatial_dropout3d": (lambda **kw: L.SpatialDropout3D(0.3, **kw), (2, 2, 2, 2, 3), 0),
    "activity_regularization": (lambda **kw: L.ActivityRegularization(l1=0.1, l2=0.01, **kw), (2, 3, 4), 0),
    "masking": (lambda **kw: L.Masking(**kw), (2, 3, 4), 0),
    "unit_normalization": (lambda **kw: L.UnitNormalization(axis=[1, 2], **kw), (2, 3, 4), 0),
    "group_normalization": (lambda **kw: L.GroupNormalization(groups=2, beta_initializer="glorot_uniform",
                                                              gamma_initializer="glorot_uniform", **kw), (2, 3, 4), 2),
    "group_normalization_image": (lambda **kw: L.GroupNormalization(groups=3, axis=1, **kw), (2, 6, 2, 2), 2),
    "time_distributed": (lambda **kw: L.TimeDistributed(L.Dense(3, activation="tanh", **kw), **kw), (2, 3, 4), 2),
    "time_distributed_conv": (lambda **kw: L.TimeDistributed(L.Conv1D(2, 2, **kw), **kw), (2, 3, 5, 2), 2),
}
OUT_SHAPES = {"time_distributed": (2, 3, 3), "time_distributed_conv": (2, 3, 4, 2)}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_check_layer(name):
    make, shape, n_weights = CHECKS[name]
    check_layer(make, rand(*shape), OUT_SHAPES.get(name, shape), n_weights)


# ---- activations ------------------------------------------------------------------------------------------------

def test_prelu_weight_and_input_spec():
    layer = L.PReLU(shared_axes=[1, 2], name="p")
    layer(rand(2, 3, 4, 5))
    assert [(w.path, tuple(w.shape)) for w in layer.weights] == [("p/alpha", (1, 1, 5))]
    np.testing.assert_array_equal(layer.alpha.numpy(), np.zeros((1, 1, 5)))  # Keras's "Zeros" default
    layer(rand(7, 6, 1, 5))  # shared axes may change size
    with pytest.raises(ValueError, match="expected axis 3 of input shape to have value 5"):
        layer(rand(2, 3, 4, 6))
    assert L.PReLU(shared_axes=1).shared_axes == [1]


def test_leaky_relu_accepts_deprecated_alpha():
    with pytest.warns(UserWarning, match="Argument `alpha` is deprecated. Use `negative_slope` instead."):
        layer = L.LeakyReLU(alpha=0.1)
    assert layer.get_config()["negative_slope"] == 0.1
    np.testing.assert_allclose(layer(np.array([-2.0, 3.0], "float32")).numpy(), [-0.2, 3.0], rtol=1e-6)


def test_softmax_mask_matches_tensorflow():
    layer = L.Softmax()
    np.testing.assert_allclose(layer(X, mask=SOFTMAX_MASK).numpy(), TF_SOFTMAX_MASKED, atol=2e-6)
    # A float mask counts as "keep" above 0.5, as Keras.
    np.testing.assert_allclose(layer(X, mask=SOFTMAX_MASK.astype("float32") * 0.8).numpy(), TF_SOFTMAX_MASKED,
                               atol=2e-6)
    mask1 = np.array([[1, 0, 1], [1, 1, 0]], bool)[:, :, None]
    np.testing.assert_allclose(L.Softmax(axis=1)(X, mask=mask1).numpy(), TF_SOFTMAX_AXIS1_MASKED, atol=2e-6)
    f = tf.function(lambda t, m: layer(t, mask=m))
    np.testing.assert_allclose(f(tf.constant(X), tf.constant(SOFTMAX_MASK)).numpy(), TF_SOFTMAX_MASKED, atol=2e-6)


def test_softmax_gets_the_mask_in_a_model():
    # Masking's (batch, steps) mask reaches Softmax, which (as in TF 2.21) rejects it for (batch, steps, 2)
    # inputs: a mask must broadcast from the right.
    model = tf.keras.Sequential([L.Input((3, 2)), L.Masking(), L.Softmax(axis=1)])
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 1.0]]], "float32")
    with pytest.raises(ValueError, match=r"Each mask dimension must be 1 or match the corresponding input dimension. "
                                         r"Received: inputs.shape=\(1, 3, 2\), mask.shape=\(1, 3\)"):
        model(x)


def test_activation_errors():
    cases = [
        (lambda: L.ReLU(max_value=-1), "max_value of a ReLU layer cannot be a negative value. Received: max_value=-1"),
        (lambda: L.ReLU(negative_slope=-1), "negative_slope of a ReLU layer cannot be None or a negative value. "
                                            "Received: negative_slope=-1"),
        (lambda: L.ReLU(threshold=None), "threshold of a ReLU layer cannot be None or a negative value. "
                                         "Received: threshold=None"),
        (lambda: L.LeakyReLU(negative_slope=-1), "The negative_slope value of a Leaky ReLU layer cannot be None or "
                                                 "negative value. Expected a float. Received: negative_slope=-1"),
        (lambda: L.Softmax()(X, mask=np.ones((2, 3, 5), bool)),
         "The `mask` must be broadcastable to `inputs`. Each mask dimension must be 1 or match the corresponding "
         "input dimension. Received: inputs.shape=(2, 3, 4), mask.shape=(2, 3, 5)"),
        (lambda: L.Softmax()(X, mask=np.ones((1, 2, 3, 4), bool)),
         "The `mask` must be broadcastable to `inputs` and must not have more dimensions. Received: "
         "inputs.shape=(2, 3, 4), mask.shape=(1, 2, 3, 4)"),
    ]
    for make, message in cases:
        with pytest.raises(ValueError) as info:
            make()
        assert str(info.value) == message


# ---- regularization layers ------------------------------------------------------------------------------------

def test_gaussian_noise_training_and_inference():
    x = np.full((400, 50), 2.0, "float32")
    layer = L.GaussianNoise(0.5, seed=4)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    noise = layer(x, training=True).numpy() - 2.0
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.5) < 0.01
    assert not np.array_equal(layer(x, training=True).numpy(), layer(x, training=True).numpy())
    np.testing.assert_array_equal(L.GaussianNoise(0.0)(x, training=True).numpy(), x)
    tf.random.set_seed(7)
    a = L.GaussianNoise(0.5, seed=4)(x, training=True).numpy()
    tf.random.set_seed(7)
    b = L.GaussianNoise(0.5, seed=4)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)  # global + layer seed: reproducible, as Dropout


def test_gaussian_dropout_training_and_inference():
    x = np.full((400, 50), 3.0, "float32")
    layer = L.GaussianDropout(0.2)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    factor = layer(x, training=True).numpy() / 3.0
    assert abs(factor.mean() - 1.0) < 0.01 and abs(factor.std() - np.sqrt(0.2 / 0.8)) < 0.01
    f = tf.function(lambda t: layer(t, training=True))
    assert not np.array_equal(f(tf.constant(x)).numpy(), f(tf.constant(x)).numpy())


def test_alpha_dropout_matches_tensorflow_constants():
    for (rate, value), (kept, dropped) in TF_ALPHA_DROPOUT.items():
        x = np.full((4000,), value, "float32")
        layer = L.AlphaDropout(rate, seed=1)
        np.testing.assert_array_equal(layer(x).numpy(), x)
        y = layer(x, training=True).numpy()
        got = np.unique(np.round(y, 5))
        np.testing.assert_allclose(got, sorted([dropped, kept]), atol=2e-5)
        assert abs((np.abs(y - dropped) < 1e-4).mean() - rate) < 0.03
    y = L.AlphaDropout(0.5, noise_shape=(None, 1))(np.ones((60, 7), "float32"), training=True).numpy()
    assert all(len(set(row)) == 1 for row in y)  # one decision per row


@pytest.mark.parametrize("make, shape, shared", [
    (lambda: L.SpatialDropout1D(0.5), (20, 6, 8), (1,)),
    (lambda: L.SpatialDropout2D(0.5), (20, 3, 4, 8), (1, 2)),
    (lambda: L.SpatialDropout2D(0.5, data_format="channels_first"), (20, 8, 3, 4), (2, 3)),
    (lambda: L.SpatialDropout3D(0.5), (20, 2, 3, 2, 8), (1, 2, 3)),
    (lambda: L.SpatialDropout3D(0.5, data_format="channels_first"), (20, 8, 2, 3, 2), (2, 3, 4)),
])
def test_spatial_dropout_drops_whole_channels(make, shape, shared):
    layer = make()
    x = np.ones(shape, "float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    first = y[tuple(slice(0, 1) if a in shared else slice(None) for a in range(len(shape)))]
    np.testing.assert_array_equal(y, np.broadcast_to(first, shape))  # constant along the spatial axes
    f = tf.function(lambda t: layer(t, training=True))
    np.testing.assert_array_equal(np.unique(f(tf.constant(x)).numpy()), [0.0, 2.0])


def test_spatial_dropout_seeds_unknown_batch_and_rate_one():
    x = np.ones((6, 5, 4), "float32")
    tf.random.set_seed(3)
    a = L.SpatialDropout1D(0.5, seed=2)(x, training=True).numpy()
    tf.random.set_seed(3)
    b = L.Dropout(0.5, noise_shape=(6, 1, 4), seed=2)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)  # the same draw as Dropout with the matching noise_shape
    layer = L.SpatialDropout2D(0.5)
    f = tf.function(lambda t: layer(t, training=True), input_signature=[tf.TensorSpec((None, 2, 2, 8))])
    y = f(tf.ones((10, 2, 2, 8))).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    np.testing.assert_array_equal(y, np.broadcast_to(y[:, :1, :1, :], y.shape))
    np.testing.assert_array_equal(L.SpatialDropout1D(1.0)(x, training=True).numpy(), np.zeros_like(x))
    alpha = L.AlphaDropout(0.5, noise_shape=(None, 1))
    g = tf.function(lambda t: alpha(t, training=True), input_signature=[tf.TensorSpec((None, 4))])
    z = g(tf.ones((30, 4))).numpy()
    assert all(len(set(row)) == 1 for row in z) and len(np.unique(z.round(5))) == 2
    with pytest.raises(ZeroDivisionError):  # as Keras: these two have no rate=1 case
        L.GaussianDropout(1.0)(x, training=True)


def test_spatial_dropout_input_rank():
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        L.SpatialDropout1D(0.1)(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        L.SpatialDropout2D(0.1)(np.ones((2, 3, 4), "float32"))


def test_noise_layers_in_models_follow_the_training_flag():
    model = tf.keras.Sequential([L.Input((4,)), L.GaussianNoise(1.0), L.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer=tf.keras.optimizers.SGD(0.0), loss="mse")
    x, y = np.ones((8, 4), "float32"), np.full((8, 1), 4.0, "float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), y)  # inference: no noise
    assert model.evaluate(x, y, verbose=0) == 0.0
    history = model.fit(x, y, epochs=1, verbose=0)
    assert history.history["loss"][0] > 0.1  # fit trains with noise (lr 0: the weights stay)
    assert not np.allclose(model(x, training=True).numpy(), 4.0)


def test_activity_regularization_loss_matches_tensorflow():
    layer = L.ActivityRegularization(l1=0.1, l2=0.01)
    np.testing.assert_array_equal(layer(X).numpy(), X)
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), 1.1725, rtol=1e-6)  # TF 2.21: per-example mean
    layer(X[:1])
    assert len(layer.losses) == 1  # replaced at each call


def test_regularization_errors():
    cases = [
        (lambda: L.GaussianNoise(2), "Invalid value received for argument `stddev`. Expected a float value between "
                                     "0 and 1. Received: stddev=2"),
        (lambda: L.GaussianDropout(-0.1), "Invalid value received for argument `rate`. Expected a float value "
                                          "between 0 and 1. Received: rate=-0.1"),
        (lambda: L.AlphaDropout(1.5), "Invalid value received for argument `rate`. Expected a float value between "
                                      "0 and 1. Received: rate=1.5"),
        (lambda: L.SpatialDropout1D(2), "Invalid value received for argument `rate`. Expected a float value between "
                                        "0 and 1. Received: rate=2"),
        (lambda: L.SpatialDropout2D(0.1, data_format="x"), "The `data_format` argument must be one of "
                                                           "{'channels_first', 'channels_last'}. Received: "
                                                           "data_format=x"),
        (lambda: L.GaussianNoise(0.1, noise_shape=(1,)), "Unrecognized keyword arguments passed to GaussianNoise: "
                                                         "{'noise_shape': (1,)}"),
    ]
    for make, message in cases:
        with pytest.raises(ValueError) as info:
            make()
        assert str(info.value) == message
    with pytest.raises(TypeError, match="unexpected keyword argument 'noise_shape'"):
        L.SpatialDropout2D(0.1, noise_shape=(1,))


# ---- Masking and TimeDistributed ----------------------------------------------------------------------------

def masked_x():
    x = X.copy()
    x[0, 1, :] = 0
    x[1, 2, :] = 0
    return x


def test_masking_output_and_mask():
    x = masked_x()
    x[0, 2, 0] = 0  # one zero feature does not mask the step
    layer = L.Masking()
    out = layer(x)
    expected = x.copy()
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(layer.compute_mask(x).numpy(), [[True, False, True], [True, True, False]])
    np.testing.assert_array_equal(out._keras_mask.numpy(), [[True, False, True], [True, True, False]])
    layer = L.Masking(mask_value=-1.5)
    y = np.array([[[-1.5, -1.5], [-1.5, 2.0]]], "float32")
    np.testing.assert_array_equal(layer(y).numpy(), [[[0.0, 0.0], [-1.5, 2.0]]])  # masked steps are zeroed
    np.testing.assert_array_equal(layer.compute_mask(y).numpy(), [[False, True]])


def test_masking_and_time_distributed_mask_an_rnn_as_tensorflow():
    def build(masking):
        layers = [L.Input((3, 4))] + ([L.Masking()] if masking else []) + [L.TimeDistributed(L.Dense(2)),
                                                                            L.SimpleRNN(2)]
        model = tf.keras.Sequential(layers)
        model.set_weights(det_weights(model))
        return model

    x = masked_x()
    masked = build(True)
    np.testing.assert_allclose(masked(x).numpy(), TF_MASKED_SEQUENCE, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tf.function(masked)(tf.constant(x)).numpy(), TF_MASKED_SEQUENCE, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(build(False)(x).numpy(), TF_UNMASKED_SEQUENCE, rtol=1e-5, atol=1e-6)
    inputs = tf.keras.Input((3, 4))
    out = L.SimpleRNN(2)(L.TimeDistributed(L.Dense(2))(L.Masking()(inputs)))
    functional = tf.keras.Model(inputs, out)
    functional.set_weights(det_weights(functional))
    np.testing.assert_allclose(functional(x).numpy(), TF_MASKED_SEQUENCE, rtol=1e-5, atol=1e-6)


class MaskRecorder(L.Layer):
    """Zeroes the masked positions: shows which mask TimeDistributed passes to its inner layer."""

    def call(self, inputs, mask=None):
        return inputs * tf.cast(mask, inputs.dtype)[..., None]


def test_time_distributed_slices_the_mask_per_step():
    x = det((2, 3, 2, 2), 0.5)
    mask = np.array([[[1, 0], [1, 1], [0, 1]], [[0, 0], [1, 0], [1, 1]]], bool)
    layer = L.TimeDistributed(MaskRecorder())
    # TF 2.21's output for the same layer, input and mask.
    expected = [[[[-1.5, -1.0], [0.0, 0.0]], [[0.5, 1.0], [1.5, -1.5]], [[0.0, 0.0], [0.0, 0.5]]],
                [[[0.0, 0.0], [0.0, 0.0]], [[-0.5, 0.0], [0.0, 0.0]], [[1.5, -1.5], [-1.0, -0.5]]]]
    np.testing.assert_array_equal(layer(x, mask=mask).numpy(), expected)
    np.testing.assert_array_equal(layer.compute_mask(x, mask), mask)  # the mask passes through
    f = tf.function(lambda t, m: layer(t, mask=m))
    np.testing.assert_array_equal(f(tf.constant(x), tf.constant(mask)).numpy(), expected)
    with pytest.raises(ValueError, match=r"must be at least 2D \(e.g., `\(batch_size, timesteps\)`\), but it has 1 "
                                         r"dimension\(s\) with shape \(2,\)"):
        layer(x, mask=np.ones((2,), bool))
    with pytest.raises(ValueError, match=r"has a shape \(2, 4\) that is incompatible with the input shape "
                                         r"\(2, 3, 2, 2\).*Expected mask shape prefix: \(2, 3\)"):
        layer(x, mask=np.ones((2, 4), bool))


def test_time_distributed_unknown_timesteps():
    inputs = tf.keras.Input((None, 4))
    layer = L.TimeDistributed(L.Dense(3))
    model = tf.keras.Model(inputs, layer(inputs))
    assert tuple(model.output.shape) == (None, None, 3)
    x = rand(2, 5, 4)
    kernel, bias = layer.layer.get_weights()
    expected = x @ kernel + bias
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    traced = tf.function(lambda t: layer(t), input_signature=[tf.TensorSpec((None, None, 4))])
    np.testing.assert_allclose(traced(tf.constant(x)).numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(traced(tf.constant(x[:, :2])).numpy(), expected[:, :2], rtol=1e-5, atol=1e-6)


def test_time_distributed_weights_config_and_errors():
    layer = L.TimeDistributed(L.Dense(2, name="inner"), name="td")
    layer(X)
    assert [(w.path, tuple(w.shape)) for w in layer.weights] == [("td/inner/kernel", (4, 2)), ("td/inner/bias", (2,))]
    cfg = layer.get_config()
    assert list(cfg) == ["name", "trainable", "dtype", "layer"]
    assert set(cfg["layer"]) == {"module", "class_name", "config", "registered_name", "build_config"}
    assert (cfg["layer"]["module"], cfg["layer"]["class_name"]) == ("keras.layers", "Dense")
    assert cfg["layer"]["build_config"] == {"input_shape": (2, 4)}
    clone = L.deserialize(L.serialize(layer))
    assert isinstance(clone.layer, L.Dense) and clone.layer.built
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(X).numpy(), layer(X).numpy())
    with pytest.raises(ValueError, match="Please initialize `TimeDistributed` layer with a `keras.layers.Layer` "
                                         "instance. Received: x"):
        L.TimeDistributed("x")
    with pytest.raises(ValueError, match=r"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                                         r"dimensions, received: \(2, 3\)"):
        L.TimeDistributed(L.Dense(2))(np.ones((2, 3), "float32"))


def test_time_distributed_passes_training():
    layer = L.TimeDistributed(L.Dropout(0.5))
    x = np.ones((4, 3, 10), "float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    assert set(np.unique(layer(x, training=True).numpy())) == {0.0, 2.0}


# ---- normalization ------------------------------------------------------------------------------------------

def test_group_normalization_weights_and_groups():
    layer = L.GroupNormalization(groups=-1, name="gn")
    layer(X)
    assert [(w.path, tuple(w.shape)) for w in layer.weights] == [("gn/gamma", (4,)), ("gn/beta", (4,))]
    assert layer.get_config()["groups"] == 4  # Keras: -1 becomes the channel count when built
    plain = L.GroupNormalization(groups=2, center=False, scale=False)
    plain(X)
    assert plain.weights == []
    # float16 inputs are normalized in float32 and cast back.
    out16 = L.GroupNormalization(groups=2, dtype="float16")(X.astype("float16"))
    assert out16.dtype == tf.float16
    ref = L.GroupNormalization(groups=2)(X).numpy()
    np.testing.assert_allclose(out16.numpy().astype("float32"), ref, atol=2e-3)


def test_group_normalization_unknown_spatial_dims():
    inputs = tf.keras.Input((None, None, 4))
    layer = L.GroupNormalization(groups=2)
    model = tf.keras.Model(inputs, layer(inputs))
    x = rand(2, 3, 5, 4)
    np.testing.assert_allclose(tf.function(model)(tf.constant(x)).numpy(), layer(x).numpy(), rtol=1e-5, atol=1e-6)
    g = x.reshape(2, 15, 2, 2)
    mean, var = g.mean(axis=(1, 3), keepdims=True), g.var(axis=(1, 3), keepdims=True)
    np.testing.assert_allclose(layer(x).numpy(), ((g - mean) / np.sqrt(var + 1e-3)).reshape(x.shape), rtol=1e-4,
                               atol=1e-5)


def test_normalization_errors():
    with pytest.raises(ValueError) as info:
        L.GroupNormalization(groups=0)
    assert str(info.value) == ("Received an invalid value for argument `groups`, expected a positive integer (or "
                               "`-1` for instance normalization). Received: groups=0")
    with pytest.raises(ValueError, match=r"^Number of groups \(3\) must be a multiple of the number of channels "
                                         r"\(4\).$"):
        L.GroupNormalization(groups=3)(X)
    with pytest.raises(ValueError, match=r"^Number of groups \(8\) cannot be more than the number of channels "
                                         r"\(4\).$"):
        L.GroupNormalization(groups=8)(X)
    with pytest.raises(TypeError) as info:
        L.UnitNormalization(axis="a")
    assert str(info.value) == ("Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                               "Received: axis=a")
    with pytest.raises(ValueError, match=r"Axis 3 is out of bounds for input shape \(2, 3, 4\)."):
        L.UnitNormalization(axis=3)(X)


def test_unit_normalization_zero_vector():
    out = L.UnitNormalization()(np.array([[0.0, 0.0], [3.0, 4.0]], "float32")).numpy()
    np.testing.assert_allclose(out, [[0.0, 0.0], [0.6, 0.8]], rtol=1e-6)


# ---- configs --------------------------------------------------------------------------------------------------

def _init(name):
    return {"module": "keras.initializers", "class_name": name, "config": {}, "registered_name": None}


DTYPE = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
# get_config() of a fresh layer in TF 2.21 (besides name, trainable and dtype, present unless noted).
KERAS_CONFIGS = {
    "ReLU()": {"max_value": None, "negative_slope": 0.0, "threshold": 0.0},
    "LeakyReLU()": {"negative_slope": 0.3},
    "PReLU()": {"alpha_initializer": _init("Zeros"), "alpha_regularizer": None, "alpha_constraint": None,
                "shared_axes": None},
    "ELU()": {"alpha": 1.0},
    "Softmax()": {"axis": -1},
    "GaussianNoise(0.1)": {"stddev": 0.1, "seed": None},
    "GaussianDropout(0.1)": {"rate": 0.1, "seed": None},
    "AlphaDropout(0.1)": {"rate": 0.1, "seed": None, "noise_shape": None},
    "ActivityRegularization()": {"l1": 0.0, "l2": 0.0},
    "Masking()": {"mask_value": 0.0},
    "UnitNormalization()": {"axis": -1},
    "GroupNormalization()": {"groups": 32, "axis": -1, "epsilon": 0.001, "center": True, "scale": True,
                             "beta_initializer": _init("Zeros"), "gamma_initializer": _init("Ones"),
                             "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
                             "gamma_constraint": None},
}
# Keras 3's spatial dropout configs are short: no `trainable`, and the dtype as a plain string.
KERAS_SPATIAL_CONFIGS = {
    "SpatialDropout1D(0.1)": {"rate": 0.1, "seed": None, "name": "sd", "dtype": "float32"},
    "SpatialDropout2D(0.1)": {"rate": 0.1, "seed": None, "name": "sd", "dtype": "float32",
                              "data_format": "channels_last"},
    "SpatialDropout3D(0.1)": {"rate": 0.1, "seed": None, "name": "sd", "dtype": "float32",
                              "data_format": "channels_last"},
}


@pytest.mark.parametrize("src", sorted(KERAS_CONFIGS))
def test_config_matches_keras(src):
    layer = eval("L." + src).from_config({**eval("L." + src).get_config(), "name": "n"})
    assert layer.get_config() == {"name": "n", "trainable": True, "dtype": DTYPE, **KERAS_CONFIGS[src]}
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


@pytest.mark.parametrize("src", sorted(KERAS_SPATIAL_CONFIGS))
def test_spatial_dropout_config_matches_keras(src):
    layer = eval("L." + src.replace(")", ", name='sd')"))
    assert layer.get_config() == KERAS_SPATIAL_CONFIGS[src]
    assert type(layer).from_config(layer.get_config()).get_config() == KERAS_SPATIAL_CONFIGS[src]


def test_time_distributed_config_matches_keras():
    cfg = L.TimeDistributed(L.Dense(2, name="dense"), name="td").get_config()
    assert cfg["name"] == "td" and cfg["dtype"] == DTYPE and cfg["trainable"] is True
    assert cfg["layer"] == {"module": "keras.layers", "class_name": "Dense", "config": L.Dense(2, name="dense")
                            .get_config(), "registered_name": None}  # unbuilt: no build_config, as Keras


def test_deserialize_by_name():
    for name in ["ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "GaussianNoise", "GaussianDropout", "AlphaDropout",
                 "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "ActivityRegularization", "Masking",
                 "TimeDistributed", "UnitNormalization", "GroupNormalization"]:
        assert getattr(L, name).__name__ == name
    layer = L.deserialize({"module": "keras.layers", "class_name": "GaussianNoise",
                           "config": {"name": "g", "stddev": 0.2, "seed": 3}, "registered_name": None})
    assert (type(layer).__name__, layer.stddev, layer.seed) == ("GaussianNoise", 0.2, 3)


@pytest.mark.parametrize("module", ["activations", "regularization", "wrappers", "normalization"])
def test_docstring_examples(module):
    mod = importlib.import_module(f"eagerflow.keras.layers.{module}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
