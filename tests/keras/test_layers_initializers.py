"""Keras initializers, regularizers, constraints, backend settings and serialization helpers."""
import numpy as np
import pytest

import eagerflow as tf

I = tf.keras.initializers  # noqa: E741 - Keras's own short alias


# ---- initializers -------------------------------------------------------------------------------------------

def test_constant_initializers():
    np.testing.assert_array_equal(I.Zeros()((2, 2)).numpy(), np.zeros((2, 2)))
    np.testing.assert_array_equal(I.Ones()((3,), dtype="float64").numpy(), np.ones(3))
    assert I.Ones()((3,), dtype="float64").dtype == tf.float64
    np.testing.assert_array_equal(I.Constant(2.5)((2,)).numpy(), [2.5, 2.5])
    assert I.Zeros()((2,), dtype="int32").dtype == tf.int32
    np.testing.assert_array_equal(I.Identity(2.0)((2, 3)).numpy(), 2 * np.eye(2, 3))


@pytest.mark.parametrize("name,check", [
    ("glorot_uniform", lambda w: np.abs(w).max() <= np.sqrt(6 / (200 + 300))),
    ("he_uniform", lambda w: np.abs(w).max() <= np.sqrt(6 / 200)),
    ("lecun_uniform", lambda w: np.abs(w).max() <= np.sqrt(3 / 200)),
    ("glorot_normal", lambda w: abs(w.std() - np.sqrt(2 / 500)) < 0.1 * np.sqrt(2 / 500)),
    ("he_normal", lambda w: abs(w.std() - np.sqrt(2 / 200)) < 0.1 * np.sqrt(2 / 200)),
    ("lecun_normal", lambda w: abs(w.std() - np.sqrt(1 / 200)) < 0.1 * np.sqrt(1 / 200)),
    ("random_normal", lambda w: abs(w.std() - 0.05) < 0.005),
    ("random_uniform", lambda w: np.abs(w).max() <= 0.05),
    ("truncated_normal", lambda w: np.abs(w).max() <= 0.1),
])
def test_random_initializers_statistics(name, check):
    w = I.get(name)((200, 300)).numpy()
    assert w.shape == (200, 300) and w.dtype == np.float32
    assert check(w)


def test_seeded_initializers_repeat_and_unseeded_do_not():
    np.testing.assert_array_equal(I.GlorotUniform(seed=3)((4, 4)).numpy(), I.GlorotUniform(seed=3)((4, 4)).numpy())
    init = I.RandomNormal()
    assert not np.array_equal(init((4, 4)).numpy(), init((4, 4)).numpy())
    tf.random.set_seed(7)
    a = tf.keras.layers.Dense(3)
    a.build((None, 2))
    tf.random.set_seed(7)
    b = tf.keras.layers.Dense(3)
    b.build((None, 2))
    np.testing.assert_array_equal(a.kernel.numpy(), b.kernel.numpy())


def test_orthogonal():
    w = I.Orthogonal(gain=2.0, seed=1)((5, 3)).numpy()
    np.testing.assert_allclose(w.T @ w, 4 * np.eye(3), atol=1e-5)
    w = I.Orthogonal(seed=1)((3, 5)).numpy()
    np.testing.assert_allclose(w @ w.T, np.eye(3), atol=1e-5)
    assert I.Orthogonal()((2, 3, 4)).shape == (2, 3, 4)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        I.Orthogonal()((3,))


def test_variance_scaling_config_and_errors():
    init = I.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=4)
    cfg = I.serialize(init)
    assert cfg == {"module": "keras.initializers", "class_name": "VarianceScaling", "registered_name": None,
                   "config": {"seed": 4, "scale": 2.0, "mode": "fan_out", "distribution": "uniform",
                              "input_axes": None, "output_axes": None}}
    np.testing.assert_array_equal(I.deserialize(cfg)((3, 3)).numpy(), init((3, 3)).numpy())
    with pytest.raises(ValueError, match="Invalid `mode` argument"):
        I.VarianceScaling(mode="fan")
    with pytest.raises(ValueError, match="only supports floating point dtypes"):
        I.GlorotUniform()((2, 2), dtype="int32")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: nope"):
        I.get("nope")
    assert type(I.get("uniform")).__name__ == "RandomUniform"
    assert I.RandomUniform().get_config() == {"seed": None, "minval": -0.05, "maxval": 0.05}


# ---- regularizers and constraints ----------------------------------------------------------------------------

def test_regularizers():
    R = tf.keras.regularizers
    w = tf.constant([[1.0, -2.0], [3.0, 0.0]])
    np.testing.assert_allclose(float(R.L1(0.1)(w)), 0.6, rtol=1e-6)
    np.testing.assert_allclose(float(R.L2(0.1)(w)), 1.4, rtol=1e-6)
    np.testing.assert_allclose(float(R.L1L2(l1=0.1, l2=0.1)(w)), 2.0, rtol=1e-6)
    assert float(R.OrthogonalRegularizer(1.0)(tf.eye(3))) == 0.0
    assert R.serialize(R.L2(0.1)) == {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.1},
                                      "registered_name": None}
    assert R.get("l2").get_config() == {"l2": 0.01}
    assert R.L1().get_config() == {"l1": 0.009999999776482582}  # Keras 3 reports l1 as float32
    assert R.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: foo"):
        R.get("foo")
    with pytest.raises(ValueError, match="non-negative"):
        R.L2(-1.0)


def test_constraints():
    C = tf.keras.constraints
    w = tf.constant([[3.0, -1.0], [4.0, 0.0]])
    np.testing.assert_allclose(C.NonNeg()(w).numpy(), [[3, 0], [4, 0]])
    np.testing.assert_allclose(np.linalg.norm(C.UnitNorm()(w).numpy(), axis=0), [1.0, 1.0], rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(C.MaxNorm(2.0)(w).numpy(), axis=0), [2.0, 1.0], rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(C.MinMaxNorm(2.0, 3.0)(w).numpy(), axis=0), [3.0, 2.0], rtol=1e-5)
    assert C.serialize(C.MaxNorm()) == {"module": "keras.constraints", "class_name": "MaxNorm",
                                        "config": {"max_value": 2, "axis": 0}, "registered_name": None}
    layer = tf.keras.layers.Dense(2, kernel_constraint="non_neg")
    layer.build((None, 2))
    assert layer.kernel.constraint is not None


# ---- backend, utils and registration -----------------------------------------------------------------------------

def test_backend_settings():
    K = tf.keras.backend
    assert K.floatx() == "float32" and K.epsilon() == 1e-7 and K.image_data_format() == "channels_last"
    K.set_floatx("float64")
    try:
        assert tf.keras.layers.Dense(2)(np.ones((1, 2))).dtype == tf.float64
    finally:
        K.set_floatx("float32")
    with pytest.raises(ValueError, match="Unknown `floatx` value"):
        K.set_floatx("int8")
    assert K.int_shape(tf.keras.Input((3,))) == (None, 3)
    assert K.is_keras_tensor(tf.keras.Input((3,))) and not K.is_keras_tensor(tf.ones(2))


def test_utils():
    np.testing.assert_array_equal(tf.keras.utils.to_categorical([[1], [0]], 3), [[0, 1, 0], [1, 0, 0]])
    tf.keras.utils.set_random_seed(5)
    a = tf.random.uniform((2,)).numpy()
    tf.keras.utils.set_random_seed(5)
    np.testing.assert_array_equal(a, tf.random.uniform((2,)).numpy())


def test_registered_custom_layer_round_trips_through_a_model_config():
    @tf.keras.utils.register_keras_serializable(package="tests")
    class Twice(tf.keras.layers.Layer):
        def call(self, x):
            return 2 * x

    assert tf.keras.utils.get_registered_name(Twice) == "tests>Twice"
    model = tf.keras.Sequential([tf.keras.Input((2,)), Twice()])
    clone = tf.keras.Sequential.from_config(model.get_config())
    assert type(clone.layers[0]) is Twice
    np.testing.assert_allclose(clone(np.ones((1, 2), "f")).numpy(), [[2.0, 2.0]])
