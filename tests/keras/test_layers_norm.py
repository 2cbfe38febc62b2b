"""Normalization and preprocessing layers: BatchNormalization (training vs inference, moving statistics,
frozen layers, tf.function), LayerNormalization, Normalization.adapt and Rescaling."""
import numpy as np
import pytest

import eagerflow as tf
from tests.keras.layer_checks import check_layer

L = tf.keras.layers
RNG = np.random.RandomState(3)


def rand(*shape):
    return RNG.rand(*shape).astype("float32")


# ---- BatchNormalization -----------------------------------------------------------------------------------

def test_batch_norm_checks():
    layer, _ = check_layer(lambda **kw: L.BatchNormalization(**kw), rand(4, 3), (4, 3), 4, n_trainable=2)
    assert [w.name for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    check_layer(lambda **kw: L.BatchNormalization(axis=1, center=False, **kw), rand(2, 3, 4), (2, 3, 4), 3)


def test_batch_norm_training_uses_batch_statistics_and_updates_moving_ones():
    x = np.arange(12, dtype="float32").reshape(4, 3)
    bn = L.BatchNormalization(momentum=0.5)
    y = bn(x, training=True).numpy()
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [2.25, 2.75, 3.25])        # TF 2.21's values
    np.testing.assert_allclose(bn.moving_variance.numpy(), [6.125, 6.125, 6.125])  # biased batch variance
    inference = bn(x).numpy()
    np.testing.assert_allclose(inference, (x - bn.moving_mean.numpy()) / np.sqrt(6.125 + 1e-3), rtol=1e-5)
    before = bn.moving_mean.numpy()
    bn(x, training=False)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)


def test_frozen_batch_norm_runs_in_inference_mode():
    bn = L.BatchNormalization()
    x = rand(8, 2) * 10
    bn(x)
    bn.trainable = False
    np.testing.assert_allclose(bn(x, training=True).numpy(), bn(x).numpy())
    np.testing.assert_array_equal(bn.moving_mean.numpy(), [0.0, 0.0])


def test_batch_norm_under_tf_function_updates_statistics():
    bn = L.BatchNormalization(momentum=0.0)
    step = tf.function(lambda t: bn(t, training=True))
    x = rand(6, 3)
    step(tf.constant(x))
    np.testing.assert_allclose(bn.moving_mean.numpy(), x.mean(0), rtol=1e-5)
    step(tf.constant(x * 2))
    np.testing.assert_allclose(bn.moving_mean.numpy(), 2 * x.mean(0), rtol=1e-5)


def test_batch_norm_gradient_in_training_mode():
    from tests.helpers import check_grad
    bn = L.BatchNormalization(dtype="float64")
    check_grad(lambda t: bn(t, training=True), RNG.rand(5, 3))


def test_batch_norm_errors_and_config():
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        bn = L.BatchNormalization()
        bn(rand(2, 3))
        bn(rand(2, 4))
    with pytest.raises(ValueError, match="Invalid axis 3"):
        L.BatchNormalization(axis=3)(rand(2, 3))
    cfg = L.BatchNormalization().get_config()
    assert cfg["momentum"] == 0.99 and cfg["epsilon"] == 0.001 and cfg["synchronized"] is False
    assert cfg["moving_variance_initializer"]["class_name"] == "Ones"


# ---- LayerNormalization -------------------------------------------------------------------------------------

def test_layer_norm():
    layer, out = check_layer(lambda **kw: L.LayerNormalization(**kw), rand(3, 4), (3, 4), 2)
    x = rand(3, 4)
    expected = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(layer(x).numpy(), expected * layer.gamma.numpy() + layer.beta.numpy(), rtol=1e-5)
    check_layer(lambda **kw: L.LayerNormalization(axis=[1, 2], **kw), rand(2, 3, 2), (2, 3, 2), 2)
    check_layer(lambda **kw: L.LayerNormalization(rms_scaling=True, **kw), rand(2, 3), (2, 3), 1)
    assert L.LayerNormalization().get_config()["rms_scaling"] is False


# ---- Normalization, Rescaling ---------------------------------------------------------------------------------

def test_normalization_adapt():
    data = np.arange(12, dtype="float32").reshape(4, 3)
    norm = L.Normalization()
    norm.adapt(data)
    np.testing.assert_allclose(norm(data).numpy(), (data - data.mean(0)) / data.std(0), rtol=1e-5)
    assert [w.name for w in norm.weights] == ["mean", "variance", "count"]
    assert norm.trainable_weights == []
    np.testing.assert_allclose(norm.adapt_mean.numpy(), [4.5, 5.5, 6.5])
    inverse = L.Normalization(invert=True)
    inverse.adapt(data)
    np.testing.assert_allclose(inverse(norm(data)).numpy(), data, rtol=1e-5, atol=1e-5)
    whole = L.Normalization(axis=None)
    whole.adapt(data)
    np.testing.assert_allclose(whole.adapt_mean.numpy(), 5.5)
    batches = L.Normalization()
    batches.adapt([data[:2], data[2:]] and iter([data[:2], data[2:]]))
    np.testing.assert_allclose(batches.adapt_variance.numpy(), data.var(0), rtol=1e-5)


def test_normalization_with_given_statistics():
    norm = L.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0])
    x = np.arange(12, dtype="float32").reshape(4, 3)
    np.testing.assert_allclose(norm(x).numpy(), (x - [1, 2, 3]) / [1, 2, 3], rtol=1e-6)
    assert norm.weights == []
    cfg = norm.get_config()
    assert cfg["mean"] == [1.0, 2.0, 3.0] and cfg["axis"] == (-1,)
    check_layer(lambda **kw: L.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0], **kw), x, (4, 3), 0)
    with pytest.raises(ValueError, match="both `mean` and `variance` must be set"):
        L.Normalization(mean=[1.0])


def test_rescaling():
    check_layer(lambda **kw: L.Rescaling(1 / 255, offset=-1.0, **kw), rand(2, 3), (2, 3), 0)
    np.testing.assert_allclose(L.Rescaling(2.0, offset=1.0)(np.ones(2, "int32")).numpy(), [3.0, 3.0])
    assert L.Rescaling(2.0)(np.ones(2, "int32")).dtype == tf.float32
    assert L.Rescaling(1 / 255).get_config()["scale"] == 1 / 255
