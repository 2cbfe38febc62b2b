"""The shared checks every Keras layer test runs (the layer counterpart of tests/helpers.check_op).

`check_layer(make, x, expected_shape, n_weights)` checks, for a layer factory and a sample input:

1. the output shape, and the number of weights after the first call;
2. `compute_output_shape` and a functional call on `Input` with an unknown (None) batch dimension;
3. the config round trip: `from_config(get_config())` gives an equal config and, with the same
   weights, the same outputs;
4. the same output eagerly and under tf.function;
5. gradients in float64 (w.r.t. the input and every trainable weight) against finite differences.
"""
from __future__ import annotations

import numpy as np

import eagerflow as tf
from tests.helpers import check_grad


def det(shape, scale=0.1):
    """Deterministic values (-3..3 times `scale`): the inputs and weights the TF 2.21 reference runs used."""
    n = int(np.prod(shape))
    return ((np.arange(n) % 7 - 3) * scale).reshape(shape).astype("float32")


def det_weights(layer):
    """det() values for every weight: 0.1 steps for biases, 0.3 for kernels."""
    return [det(tuple(w.shape), 0.1 if "bias" in w.path else 0.3) for w in layer.weights]


def _flat(x):
    return tf.nest.flatten(x)


def _shapes(out):
    return [tuple(o.shape) for o in _flat(out)]


def _none_batch(shape):
    return (None,) + tuple(shape[1:])


def check_weight_grads(layer, x, eps=1e-6, rtol=1e-4, atol=1e-6, seed=0):
    """Tape gradients w.r.t. the layer's trainable weights vs central finite differences."""
    x = tf.constant(x)
    rng = np.random.RandomState(seed)
    outs = [o for o in _flat(layer(x)) if o.dtype.is_floating]
    weights = [rng.uniform(0.5, 1.5, size=tuple(o.shape)) for o in outs]

    def total():
        return sum(float(np.sum(o.numpy() * w)) for o, w in zip(
            [o for o in _flat(layer(x)) if o.dtype.is_floating], weights))

    with tf.GradientTape() as tape:
        res = [o for o in _flat(layer(x)) if o.dtype.is_floating]
        loss = tf.add_n([tf.reduce_sum(o * tf.constant(w, o.dtype)) for o, w in zip(res, weights)])
    grads = tape.gradient(loss, layer.trainable_weights)
    for variable, grad in zip(layer.trainable_weights, grads):
        base = variable.numpy().copy()
        numeric = np.zeros_like(base)
        flat, nflat = base.reshape(-1), numeric.reshape(-1)
        for i in range(flat.size):
            plus = flat.copy()
            plus[i] += eps
            variable.assign(plus.reshape(base.shape))
            up = total()
            plus[i] -= 2 * eps
            variable.assign(plus.reshape(base.shape))
            down = total()
            nflat[i] = (up - down) / (2 * eps)
        variable.assign(base)
        actual = np.zeros_like(base) if grad is None else tf.convert_to_tensor(grad).numpy()
        np.testing.assert_allclose(actual, numeric, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of {variable.path} differs from finite differences")


def check_layer(make, x, expected_shape, n_weights, *, n_trainable=None, grad=True, weight_grad=True,
                graph=True, symbolic=True, config=True, input_dtype=None, rtol=1e-5, atol=1e-6):
    """All checks for one layer factory `make(**overrides)` on the sample input `x` (NumPy)."""
    expected = [tuple(s) for s in expected_shape] if isinstance(expected_shape, list) else [tuple(expected_shape)]
    layer = make()
    out = layer(x)
    assert _shapes(out) == expected, f"output shapes {_shapes(out)} != {expected}"
    assert layer.built
    assert len(layer.weights) == n_weights, [w.path for w in layer.weights]
    if n_trainable is not None:
        assert len(layer.trainable_weights) == n_trainable
    shape_in = _none_batch(x.shape)
    inferred = layer.compute_output_shape(shape_in)
    inferred = inferred if isinstance(inferred, list) else [inferred]
    assert [tuple(s) for s in inferred] == [_none_batch(s) for s in expected]
    if symbolic:
        kt = tf.keras.Input(batch_shape=shape_in, dtype=input_dtype or ("float32" if x.dtype.kind == "f" else
                                                                        str(x.dtype)))
        sym = make()(kt)
        assert [tuple(t.shape) for t in _flat(sym)] == [_none_batch(s) for s in expected]
    if config:
        cfg = layer.get_config()
        clone = type(layer).from_config(cfg)
        assert clone.get_config() == cfg
        clone(x)
        clone.set_weights(layer.get_weights())
        for a, b in zip(_flat(clone(x)), _flat(layer(x))):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=atol)
    if graph:
        traced = tf.function(lambda t: layer(t))(tf.constant(x))
        for a, b in zip(_flat(traced), _flat(layer(x))):
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=atol, err_msg="graph vs eager")
    if grad:
        layer64 = make(dtype="float64")
        x64 = x.astype(np.float64) if x.dtype.kind == "f" else x
        layer64(x64)
        if x.dtype.kind == "f":
            check_grad(lambda t: layer64(t), x64)
        if weight_grad and layer64.trainable_weights:
            check_weight_grads(layer64, x64)
    return layer, out
