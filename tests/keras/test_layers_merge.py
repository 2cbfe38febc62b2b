"""Merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot) and their
functional shortcuts: values, broadcasting, symbolic shapes, gradients, configs and Keras's errors."""
import numpy as np
import pytest

import eagerflow as tf
from tests.helpers import check_grad

L = tf.keras.layers
RNG = np.random.RandomState(4)


def rand(*shape):
    return RNG.rand(*shape).astype("float32")


CASES = {
    "Add": (lambda a, b: a + b), "Subtract": (lambda a, b: a - b), "Multiply": (lambda a, b: a * b),
    "Average": (lambda a, b: (a + b) / 2), "Maximum": np.maximum, "Minimum": np.minimum,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_elementwise_merge(name):
    a, b = rand(2, 3), rand(2, 3)
    layer = getattr(L, name)()
    np.testing.assert_allclose(layer([a, b]).numpy(), CASES[name](a, b), rtol=1e-6)
    np.testing.assert_allclose(tf.function(lambda x, y: layer([x, y]))(a, b).numpy(), CASES[name](a, b), rtol=1e-6)
    x, y = tf.keras.Input((3,)), tf.keras.Input((3,))
    assert getattr(L, name)()([x, y]).shape == (None, 3)
    assert layer.get_config()["name"] == layer.name
    assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
    ops = getattr(L, name)(dtype="float64")
    check_grad(lambda p, q: ops([p, q]), RNG.rand(2, 3), RNG.rand(2, 3) + 0.5)


def test_merge_of_three_and_broadcasting():
    a, b, c = rand(2, 3), rand(2, 3), rand(2, 3)
    np.testing.assert_allclose(L.Add()([a, b, c]).numpy(), a + b + c, rtol=1e-6)
    np.testing.assert_allclose(L.Multiply()([rand(2, 1) * 0 + 2, a]).numpy(), 2 * a, rtol=1e-6)
    assert L.Add().compute_output_shape([(None, 1, 4), (None, 3, 1)]) == (None, 3, 4)
    assert L.add([tf.keras.Input((3,)), tf.keras.Input((3,))]).shape == (None, 3)


def test_concatenate():
    a, b = rand(2, 3), rand(2, 1)
    np.testing.assert_allclose(L.Concatenate()([a, b]).numpy(), np.concatenate([a, b], -1))
    np.testing.assert_allclose(L.concatenate([a, a], axis=0).numpy(), np.concatenate([a, a], 0))
    x, y = tf.keras.Input((4, 3)), tf.keras.Input((4, 5))
    assert L.Concatenate()([x, y]).shape == (None, 4, 8)
    assert L.Concatenate(axis=1).get_config()["axis"] == 1
    layer = L.Concatenate(dtype="float64")
    check_grad(lambda p, q: layer([p, q]), RNG.rand(2, 2), RNG.rand(2, 3))


def test_dot():
    a, b = rand(2, 3), rand(2, 3)
    np.testing.assert_allclose(L.Dot(axes=1)([a, b]).numpy(), np.sum(a * b, 1, keepdims=True), rtol=1e-6)
    norm = L.Dot(axes=1, normalize=True)([a, b]).numpy()
    cos = np.sum(a * b, 1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(norm[:, 0], cos, rtol=1e-5)
    m, n = rand(2, 3, 4), rand(2, 4, 5)
    np.testing.assert_allclose(L.dot([m, n], axes=(2, 1)).numpy(), m @ n, rtol=1e-5)
    assert L.Dot(axes=(2, 1)).compute_output_shape([(None, 3, 4), (None, 4, 5)]) == (None, 3, 5)


def test_merge_errors():
    with pytest.raises(ValueError, match=r"A merge layer should be called on a list of inputs. Received: "
                                         r"input_shape=\(2, 3\) \(not a list of shapes\)"):
        L.Add()(np.ones((2, 3), "f"))
    with pytest.raises(ValueError, match=r"Inputs have incompatible shapes. Received shapes \(3,\) and \(4,\)"):
        L.Add()([np.ones((2, 3), "f"), np.ones((2, 4), "f")])
    with pytest.raises(ValueError, match=r"A `Concatenate` layer requires inputs with matching shapes except for "
                                         r"the concatenation axis. Received: input_shape=\[\(2, 3\), \(3, 3\)\]"):
        L.Concatenate()([np.ones((2, 3), "f"), np.ones((3, 3), "f")])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        L.Subtract()([np.ones((1, 2), "f")] * 3)
