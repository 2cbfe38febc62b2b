"""Keras models: Sequential, functional (multi-input/output, nested, shared layers), subclassed; summary()
text pinned against TF 2.21; weights, configs, tf.function and gradients; Keras's errors and warnings."""
import logging

import numpy as np
import pytest

import eagerflow as tf

L = tf.keras.layers
RNG = np.random.RandomState(5)


def rand(*shape):
    return RNG.rand(*shape).astype("float32")


@pytest.fixture(autouse=True)
def fresh_names():
    tf.keras.backend.clear_session()


def summary_text(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "".join(lines)


# ---- Sequential ---------------------------------------------------------------------------------------------

def test_sequential_with_input_is_built_at_construction():
    model = tf.keras.Sequential([L.Input((4,)), L.Dense(8, activation="relu"), L.Dense(2)])
    assert model.built and model.input_shape == (None, 4) and model.output_shape == (None, 2)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dense"]  # no InputLayer
    assert len(model.weights) == 4 and model.count_params() == 4 * 8 + 8 + 8 * 2 + 2
    assert model.inputs[0].shape == (None, 4) and model.outputs[0].shape == (None, 2)
    x = rand(3, 4)
    d1, d2 = model.layers
    expected = np.maximum(x @ d1.kernel.numpy() + d1.bias.numpy(), 0) @ d2.kernel.numpy() + d2.bias.numpy()
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-5)
    assert [w.path for w in model.weights][:2] == ["sequential/dense/kernel", "sequential/dense/bias"]


def test_sequential_add_input_shape_and_pop():
    model = tf.keras.Sequential(name="stack")
    model.add(L.Dense(3, input_shape=(5,)))
    assert model.built and model.output_shape == (None, 3)
    model.add(L.Dense(1))
    assert model.output_shape == (None, 1)
    popped = model.pop()
    assert popped.name == "dense_1" and model.output_shape == (None, 3)


def test_sequential_builds_lazily_on_first_call():
    model = tf.keras.Sequential([L.Dense(4), L.Dense(2)])
    assert not model.built and model.weights == []
    assert model(rand(3, 5)).shape == (3, 2)
    assert model.built and model.input_shape == (3, 5)  # Keras 3 keeps the first call's full shape
    assert model(rand(7, 5)).shape == (7, 2)             # other batch sizes run without warnings
    assert model.get_config()["build_input_shape"] == (3, 5)


def test_sequential_warns_and_runs_on_rank_mismatch(caplog):
    """The seed program: Dense(10, input_shape=(None, 32)) called on a (64, 32) batch (Keras 2 behaviour)."""
    model = tf.keras.Sequential([L.Dense(10, input_shape=(None, 32))])
    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        out = model(rand(64, 32))
        model(rand(64, 32))
    assert out.shape == (64, 10)
    warnings = [r for r in caplog.records if r.name == "eagerflow"]
    assert len(warnings) == 1  # once per input shape
    assert warnings[0].getMessage().startswith("Model was constructed with shape (None, None, 32) for input "
                                               "<KerasTensor shape=(None, None, 32), dtype=float32")
    assert "but it was called on an input with incompatible shape (64, 32)." in warnings[0].getMessage()


def test_sequential_errors():
    with pytest.raises(ValueError, match=r"Only instances of `keras.Layer` can be added to a Sequential model. "
                                         r"Received: 1 \(of type <class 'int'>\)"):
        tf.keras.Sequential([1])
    with pytest.raises(ValueError, match="should have unique names. Name 'same' is already the name of a layer"):
        tf.keras.Sequential([L.Dense(1, name="same"), L.Dense(1, name="same")])
    model = tf.keras.Sequential([L.Input((8,)), L.Dense(2)])
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 8, but received input "
                                         r"with shape \(2, 5\)"):
        model(rand(2, 5))
    with pytest.raises(ValueError, match=r"Layer sequential\w* weight shape \(8, 2\) is not compatible with "
                                         r"provided weight shape \(8, 3\)"):
        model.set_weights([np.ones((8, 3)), np.ones(2)])
    with pytest.raises(ValueError, match=r"with a weight list of length 1, but the layer was expecting 2 weights"):
        model.set_weights([np.ones((8, 2))])


def test_get_set_weights_round_trip():
    model = tf.keras.Sequential([L.Input((3,)), L.Dense(4), L.BatchNormalization(), L.Dense(1)])
    other = tf.keras.Sequential([L.Input((3,)), L.Dense(4), L.BatchNormalization(), L.Dense(1)])
    other.set_weights(model.get_weights())
    x = rand(5, 3)
    np.testing.assert_allclose(other(x).numpy(), model(x).numpy(), rtol=1e-6)
    assert len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 2


# ---- functional -------------------------------------------------------------------------------------------------

def two_input_model():
    a, b = tf.keras.Input((4,), name="a"), tf.keras.Input((4,), name="b")
    c = L.Concatenate()([a, b])
    d = L.Dense(3)(c)
    e = L.Add()([d, L.Dense(3)(b)])
    return tf.keras.Model([a, b], [e, d], name="two")


def test_functional_single_input():
    x = tf.keras.Input((8,))
    h = L.Dense(4, activation="relu")(x)
    model = tf.keras.Model(x, L.Dense(2)(h))
    assert type(model).__name__ == "Functional" and isinstance(model, tf.keras.Model)
    assert [layer.name for layer in model.layers] == ["input_layer", "dense", "dense_1"]
    data = rand(3, 8)
    d1, d2 = model.layers[1:]
    np.testing.assert_allclose(model(data).numpy(), d2(d1(data)).numpy(), rtol=1e-6)
    assert model.input_shape == (None, 8) and model.output_shape == (None, 2)
    assert model.get_layer("dense") is d1 and model.get_layer(index=2) is d2


def test_functional_multiple_inputs_and_outputs():
    model = two_input_model()
    a, b = rand(2, 4), rand(2, 4)
    e, d = model([a, b])
    concat, dense, dense_b, add = (model.get_layer(n) for n in ("concatenate", "dense", "dense_1", "add"))
    np.testing.assert_allclose(d.numpy(), dense(np.concatenate([a, b], 1)).numpy(), rtol=1e-6)
    np.testing.assert_allclose(e.numpy(), d.numpy() + dense_b(b).numpy(), rtol=1e-6)
    e2, _ = model({"a": a, "b": b})  # inputs by name
    np.testing.assert_allclose(e2.numpy(), e.numpy())
    assert model.output_shape == [(None, 3), (None, 3)]
    del concat, add


def test_functional_dict_inputs_and_shared_layer():
    x1, x2 = tf.keras.Input((3,), name="left"), tf.keras.Input((3,), name="right")
    shared = L.Dense(2, name="shared")
    out = L.Subtract()([shared(x1), shared(x2)])
    model = tf.keras.Model({"left": x1, "right": x2}, out)
    a, b = rand(2, 3), rand(2, 3)
    np.testing.assert_allclose(model({"left": a, "right": b}).numpy(), (shared(a) - shared(b)).numpy(), rtol=1e-6)
    assert len(model.weights) == 2 and len(shared._inbound_nodes) == 2


def test_functional_models_nest():
    inner_in = tf.keras.Input((4,))
    inner = tf.keras.Model(inner_in, L.Dense(3)(inner_in), name="inner")
    x = tf.keras.Input((4,))
    outer = tf.keras.Model(x, L.Dense(1)(inner(x)))
    assert len(outer.weights) == 4
    data = rand(2, 4)
    np.testing.assert_allclose(outer(data).numpy(), outer.layers[-1](inner(data)).numpy(), rtol=1e-6)
    seq = tf.keras.Sequential([L.Input((4,)), inner, L.Dense(2)])
    assert seq(data).shape == (2, 2) and seq.count_params() == 15 + 8


def test_functional_errors():
    x = tf.keras.Input((8,))
    model = tf.keras.Model(x, L.Dense(2)(x))
    with pytest.raises(ValueError, match=r"Input 0 with name 'input_layer' of layer 'functional' is incompatible "
                                         r"with the layer: expected shape=\(None, 8\), found shape=\(2, 5\)"):
        model(rand(2, 5))
    with pytest.raises(ValueError, match=r"expected shape=\(None, 8\), found shape=\(2, 3, 8\)"):
        model(rand(2, 3, 8))
    with pytest.raises(ValueError, match="is not connected to `inputs`"):
        tf.keras.Model(x, L.Dense(1)(tf.keras.Input((3,))))
    with pytest.raises(ValueError, match=r"No such layer: nope. Existing layers are: \['input_layer', 'dense'\]"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="must be KerasTensors"):
        tf.keras.Model(x, tf.ones((1, 2)))
    with pytest.raises(ValueError, match="A KerasTensor cannot be used as input to a TensorFlow function"):
        tf.nn.relu(x)


def test_functional_rank_adjustment():
    x = tf.keras.Input((3, 1))
    model = tf.keras.Model(x, L.Flatten()(x))
    assert model(rand(2, 3)).shape == (2, 3)  # a missing trailing axis of size 1 is added, as Keras


def test_functional_config_round_trip():
    model = two_input_model()
    config = model.get_config()
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["output_layers"] == [["add", 0, 0], ["dense", 0, 0]]
    dense_entry = next(e for e in config["layers"] if e["name"] == "dense")
    assert dense_entry["inbound_nodes"] == [{"args": ({"class_name": "__keras_tensor__", "config": {
        "shape": (None, 8), "dtype": "float32", "keras_history": ["concatenate", 0, 0]}},), "kwargs": {}}]
    clone = tf.keras.Model.from_config(config)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    clone.set_weights(model.get_weights())
    a, b = rand(2, 4), rand(2, 4)
    for x, y in zip(clone([a, b]), model([a, b])):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-6)
    copy = tf.keras.models.clone_model(model)
    assert copy.count_params() == model.count_params()


def test_sequential_config_round_trip():
    model = tf.keras.Sequential([L.Input((4,)), L.Dense(3, activation="relu"), L.Dropout(0.1), L.Dense(1)])
    config = model.get_config()
    assert config["layers"][0]["class_name"] == "InputLayer"
    assert config["layers"][0]["config"]["batch_shape"] == (None, 4)
    assert config["layers"][1]["build_config"] == {"input_shape": (None, 4)}
    clone = tf.keras.Sequential.from_config(config)
    assert clone.get_config() == config
    clone.set_weights(model.get_weights())
    x = rand(2, 4)
    np.testing.assert_allclose(clone(x).numpy(), model(x).numpy(), rtol=1e-6)
    again = tf.keras.models.model_from_config(tf.keras.layers.serialize(model))
    assert type(again) is tf.keras.Sequential and again.count_params() == model.count_params()


# ---- subclassed ------------------------------------------------------------------------------------------------

class MLP(tf.keras.Model):
    def __init__(self, hidden=4, **kwargs):
        super().__init__(**kwargs)
        self.hidden = L.Dense(hidden, activation="relu")
        self.dropout = L.Dropout(0.5)
        self.out = L.Dense(1)

    def call(self, x, training=False):
        return self.out(self.dropout(self.hidden(x), training=training))


def test_subclassed_model():
    model = MLP()
    assert not model.built and model.layers == [model.hidden, model.dropout, model.out]
    x = rand(3, 2)
    y = model(x)
    assert y.shape == (3, 1) and model.built
    assert len(model.trainable_variables) == 4
    assert [w.path for w in model.weights][:1] == ["mlp/dense/kernel"]
    np.testing.assert_allclose(model(x).numpy(), y.numpy())  # inference: dropout off
    # positive weights: no hidden unit is dead for these inputs (a random init kills all 4 once in 16)
    model.hidden.kernel.assign(np.full((2, 4), 0.5, "f"))
    model.out.kernel.assign(np.arange(1, 5, dtype="f").reshape(4, 1))
    assert not np.allclose(model(np.ones((50, 2), "f"), training=True).numpy(),
                           model(np.ones((50, 2), "f")).numpy())
    assert model.get_config()["hidden"] == 4
    assert MLP.from_config(model.get_config()).hidden.units == 4


def test_subclassed_build_with_input_shape_and_summary(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    model = MLP(name="mlp")
    model.build((None, 2))
    assert model.built and len(model.weights) == 4
    text = summary_text(model)
    assert 'Model: "mlp"' in text and "│ dense (Dense)" in text and "Total params: 17 (68.00 B)" in text


def test_model_without_call_raises():
    with pytest.raises(NotImplementedError, match="does not have a `call\\(\\)` method implemented"):
        tf.keras.Model()(rand(1, 2))


def test_models_trace_and_differentiate():
    model = tf.keras.Sequential([L.Input((3,)), L.Dense(4, activation="tanh"), L.Dense(1)])
    x = tf.constant(rand(5, 3))
    f = tf.function(lambda t: model(t))
    np.testing.assert_allclose(f(x).numpy(), model(x).numpy(), rtol=1e-6)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(x) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    assert all(g is not None for g in grads) and len(grads) == 4

    @tf.function
    def step(t):
        with tf.GradientTape() as inner:
            value = tf.reduce_mean(model(t) ** 2)
        return inner.gradient(value, model.trainable_variables)

    for a, b in zip(step(x), grads):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-7)


def test_model_losses_collect_regularization():
    model = tf.keras.Sequential([L.Input((2,)), L.Dense(2, kernel_regularizer="l2"), L.Dense(1, activity_regularizer="l1")])
    model(rand(4, 2))
    assert len(model.losses) == 2  # the activity loss of the last call, then the kernel penalty


# ---- summary --------------------------------------------------------------------------------------------------

FUNCTIONAL_SUMMARY = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ x (InputLayer)                  │ (None, 8)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 16)             │           144 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ batch_normalization             │ (None, 16)             │            64 │
│ (BatchNormalization)            │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 2)              │            34 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 242 (968.00 B)
 Trainable params: 210 (840.00 B)
 Non-trainable params: 32 (128.00 B)
"""

TWO_INPUT_SUMMARY = """\
Model: "two"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)      │ (None, 4)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ b (InputLayer)      │ (None, 4)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, 8)         │          0 │ a[0][0], b[0][0]  │
│ (Concatenate)       │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, 3)         │         27 │ concatenate[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_1 (Dense)     │ (None, 3)         │         15 │ b[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ add (Add)           │ (None, 3)         │          0 │ dense[0][0],      │
│                     │                   │            │ dense_1[0][0]     │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 42 (168.00 B)
 Trainable params: 42 (168.00 B)
 Non-trainable params: 0 (0.00 B)
"""

SEED_SUMMARY_WIDE = """\
Model: "seed"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ dense (Dense)                        │ (None, 64)                  │           2,112 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dropout (Dropout)                    │ (None, 64)                  │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_1 (Dense)                      │ (None, 10)                  │             650 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 2,762 (10.79 KB)
 Trainable params: 2,762 (10.79 KB)
 Non-trainable params: 0 (0.00 B)
"""

NESTED_SUMMARY_WIDE = """\
Model: "outer"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━┓
┃ Layer (type)                          ┃ Output Shape                  ┃        Param # ┃ Traina… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━┩
│ inner (Sequential)                    │ (None, 3)                     │             15 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│    └ inner_dense (Dense)              │ (None, 3)                     │             15 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│ head (Dense)                          │ (None, 1)                     │              4 │    Y    │
└───────────────────────────────────────┴───────────────────────────────┴────────────────┴─────────┘
 Total params: 19 (76.00 B)
 Trainable params: 19 (76.00 B)
 Non-trainable params: 0 (0.00 B)
"""


def test_summary_functional_matches_tensorflow(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    inp = tf.keras.Input((8,), name="x")
    h = L.BatchNormalization()(L.Dense(16, activation="relu")(inp))
    model = tf.keras.Model(inp, L.Dense(2)(h))
    assert summary_text(model) == FUNCTIONAL_SUMMARY


def test_summary_multi_input_has_connections(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    two_input_model().summary()
    assert capsys.readouterr().out == TWO_INPUT_SUMMARY


def test_summary_sequential_on_a_wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    model = tf.keras.Sequential([L.Input((32,)), L.Dense(64, activation="relu"), L.Dropout(0.2), L.Dense(10)],
                                name="seed")
    assert summary_text(model) == SEED_SUMMARY_WIDE


def test_summary_nested_expanded_with_trainable_column(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    inner = tf.keras.Sequential([L.Input((4,)), L.Dense(3, name="inner_dense")], name="inner")
    outer = tf.keras.Sequential([L.Input((4,)), inner, L.Dense(1, name="head")], name="outer")
    assert summary_text(outer, expand_nested=True, show_trainable=True) == NESTED_SUMMARY_WIDE


def test_summary_unbuilt_and_multi_output_layers(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    text = summary_text(tf.keras.Sequential([L.Dense(3)]))
    assert "│ dense (Dense)                   │ ?                      │   0 (unbuilt) │" in text
    x = tf.keras.Input((5, 3))
    model = tf.keras.Model(x, L.LSTM(2, return_state=True)(x))
    assert "[(None, 2), (None, 2), (None, 2)]" in summary_text(model, line_length=120)
    assert "Total params: 48 (192.00 B)" in summary_text(model)


OPERATIONS_SUMMARY = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ input_layer         │ (None, 3)         │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ multiply (Multiply) │ (None, 3)         │          0 │ input_layer[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ add (Add)           │ (None, 3)         │          0 │ multiply[0][0]    │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, 2)         │          8 │ add[0][0]         │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ get_item (GetItem)  │ (None, 1)         │          0 │ dense[0][0]       │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ get_item_1          │ (None, 1)         │          0 │ dense[0][0]       │
│ (GetItem)           │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ subtract (Subtract) │ (None, 1)         │          0 │ get_item[0][0],   │
│                     │                   │            │ get_item_1[0][0]  │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 8 (32.00 B)
 Trainable params: 8 (32.00 B)
 Non-trainable params: 0 (0.00 B)
"""


def test_operators_on_keras_tensors(monkeypatch):
    """`x * 2.0 + 1.0`, slicing and `-` on KerasTensors become operations of the graph (Keras 3)."""
    monkeypatch.setenv("COLUMNS", "80")
    x = tf.keras.Input((3,))
    y = L.Dense(2)(x * 2.0 + 1.0)
    model = tf.keras.Model(x, y[:, :1] - y[:, 1:])
    assert [layer.name for layer in model.layers] == ["input_layer", "dense"]  # operations are not layers
    assert summary_text(model) == OPERATIONS_SUMMARY
    data = rand(4, 3)
    dense = model.get_layer("dense")
    expected = dense(data * 2 + 1).numpy()
    np.testing.assert_allclose(model(data).numpy(), expected[:, :1] - expected[:, 1:], rtol=1e-5)
    clone = tf.keras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone(data).numpy(), model(data).numpy(), rtol=1e-6)
    assert (1.0 - abs(-x)).shape == (None, 3) and (x > 0).dtype == "bool" and (x @ tf.ones((3, 4))
                                                                               if False else x).shape == (None, 3)


def test_summary_layout_invariants():
    """Column widths always fill the line exactly; wrapped cells never overflow and keep every word."""
    from hypothesis import given, settings, strategies as st
    from eagerflow.keras import summary as S

    @settings(max_examples=200, deadline=None)
    @given(st.integers(40, 200), st.sampled_from([[0.45, 0.80, 1.0], [0.3, 0.56, 0.74, 1.0],
                                                   [0.405, 0.72, 0.9, 1.0]]))
    def widths_fill_the_line(line_length, positions):
        widths = S._column_widths(line_length, positions)
        assert sum(widths) + len(widths) + 1 == line_length

    words = st.text(alphabet="abcdefgh_[]0(),", min_size=1, max_size=12)

    @settings(max_examples=200, deadline=None)
    @given(st.lists(words, min_size=1, max_size=6), st.integers(12, 30))
    def wrap_keeps_words(parts, width):
        lines = S._wrap(" ".join(parts), width)
        assert all(len(line) <= width for line in lines)
        if all(len(p) <= width for p in parts):
            assert " ".join(lines).split() == " ".join(parts).split()

    widths_fill_the_line()
    wrap_keeps_words()


def test_functional_inputs_as_lists():
    x = tf.keras.Input((2,))
    model = tf.keras.Model(x, L.Dense(1)(x))
    data = rand(3, 2)
    np.testing.assert_allclose(model([data]).numpy(), model(data).numpy())   # [x] for the one input
    assert model([[1.0, 2.0]]).shape == (1, 1)                                 # a nested list is data


def test_keras_utils_exports_progbar_and_data_helpers():
    assert tf.keras.utils.unpack_x_y_sample_weight((1, 2)) == (1, 2, None)
    assert tf.keras.utils.pack_x_y_sample_weight(1, 2) == (1, 2)
    bar = tf.keras.utils.Progbar(3, verbose=0)
    bar.update(3)
