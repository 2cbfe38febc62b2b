"""Layers traced by tf.function with unknown dimensions: the static output shape inferred in the graph
agrees with what runs, values equal eager ones, and layers that need a known dimension say so."""
import doctest
import importlib

import numpy as np
import pytest

import eagerflow as tf

L = tf.keras.layers
RNG = np.random.RandomState(6)

# (factory, input shape, dims that may be unknown while tracing: "batch" or "all")
CASES = {
    "dense": (lambda: L.Dense(3, activation="relu"), (2, 5, 4), "all_but_last"),
    "dropout_train": (lambda: L.Dropout(0.0), (2, 3), "all"),
    "activation": (lambda: L.Activation("softmax"), (2, 3), "all"),
    "conv1d": (lambda: L.Conv1D(2, 3, padding="same"), (2, 6, 3), "all_but_last"),
    "conv2d": (lambda: L.Conv2D(2, 3, strides=2), (2, 7, 7, 3), "all_but_last"),
    "maxpool2d": (lambda: L.MaxPooling2D(), (2, 4, 6, 3), "all_but_last"),
    "avgpool1d": (lambda: L.AveragePooling1D(2), (2, 6, 3), "all_but_last"),
    "global_avg": (lambda: L.GlobalAveragePooling2D(), (2, 3, 3, 4), "all"),
    "global_max1d": (lambda: L.GlobalMaxPooling1D(), (2, 5, 4), "all"),
    "batch_norm": (lambda: L.BatchNormalization(), (4, 3), "all_but_last"),
    "layer_norm": (lambda: L.LayerNormalization(), (2, 5, 3), "all_but_last"),
    "flatten": (lambda: L.Flatten(), (2, 3, 4), "all"),
    "reshape": (lambda: L.Reshape((-1, 2)), (2, 3, 4), "all"),
    "permute": (lambda: L.Permute((2, 1)), (2, 3, 4), "all"),
    "repeat": (lambda: L.RepeatVector(3), (2, 4), "all"),
    "zero_pad": (lambda: L.ZeroPadding2D(1), (1, 3, 3, 2), "all"),
    "upsample": (lambda: L.UpSampling2D(2), (1, 2, 3, 2), "all"),
    "embedding": (lambda: L.Embedding(10, 3), (2, 4), "all"),
    "lstm": (lambda: L.LSTM(3, return_sequences=True), (2, 4, 3), "batch"),
    "bidirectional": (lambda: L.Bidirectional(L.GRU(2)), (2, 4, 3), "batch"),
    "conv_transpose": (lambda: L.Conv2DTranspose(2, 3, strides=2), (2, 3, 3, 2), "batch"),
    "rescaling": (lambda: L.Rescaling(0.5, offset=1.0), (2, 3), "all"),
}


def _signature(shape, unknown, dtype):
    if unknown == "all":
        dims = [None] * len(shape)
    elif unknown == "all_but_last":
        dims = [None] * (len(shape) - 1) + [shape[-1]]
    else:
        dims = [None] + list(shape[1:])
    return tf.TensorSpec(dims, dtype)


@pytest.mark.parametrize("name", sorted(CASES))
def test_traced_with_unknown_dims(name):
    make, shape, unknown = CASES[name]
    x = RNG.randint(0, 10, shape).astype("int32") if name == "embedding" else RNG.rand(*shape).astype("float32")
    layer = make()
    eager = layer(x)
    f = tf.function(lambda t: layer(t), input_signature=[_signature(shape, unknown, tf.as_dtype(x.dtype))])
    static = f.get_concrete_function().structured_outputs
    assert static.shape.is_compatible_with(eager.shape), (static.shape, eager.shape)
    np.testing.assert_allclose(f(tf.constant(x)).numpy(), eager.numpy(), rtol=1e-5, atol=1e-6)


def test_layers_needing_static_dims_say_so():
    conv = L.Conv2DTranspose(2, 3)
    f = tf.function(lambda t: conv(t), input_signature=[tf.TensorSpec([None, None, None, 3])])
    with pytest.raises(ValueError, match="static spatial dimensions"):
        f.get_concrete_function()
    dense = L.Dense(2)
    g = tf.function(lambda t: dense(t), input_signature=[tf.TensorSpec([None, None])])
    with pytest.raises(ValueError, match="The last dimension of the inputs to a Dense layer should be defined"):
        g.get_concrete_function()


MODULES = ["activations", "backend", "constraints", "initializers", "regularizers", "serialization", "variables",
           "node", "functional", "models", "summary", "utils", "layers", "layers.base", "layers.core",
           "layers.conv", "layers.pooling", "layers.normalization", "layers.reshaping", "layers.merging",
           "layers.preprocessing", "layers.rnn", "layers.rnn_cells", "layers.input_layer", "layers.input_spec"]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    mod = importlib.import_module(f"eagerflow.keras.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
