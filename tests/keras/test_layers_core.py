"""Core Keras layers (Dense, Activation, Dropout, Lambda, Embedding, Identity) and the base Layer
contract: tracking, building, training flag, losses, weights, names and configs (Keras 3 as in TF 2.21)."""
import numpy as np
import pytest

import eagerflow as tf
from tests.keras.layer_checks import check_layer

L = tf.keras.layers
RNG = np.random.RandomState(0)


def rand(*shape):
    return RNG.rand(*shape).astype("float32")


# ---- Dense ---------------------------------------------------------------------------------------------------

def test_dense_checks():
    layer, out = check_layer(lambda **kw: L.Dense(3, activation="tanh", **kw), rand(2, 4), (2, 3), 2)
    kernel, bias = layer.weights
    assert (kernel.name, kernel.path, tuple(kernel.shape)) == ("kernel", f"{layer.name}/kernel", (4, 3))
    x = rand(5, 4)
    np.testing.assert_allclose(layer(x).numpy(), np.tanh(x @ kernel.numpy() + bias.numpy()), rtol=1e-5)


def test_dense_on_rank3_and_without_bias():
    check_layer(lambda **kw: L.Dense(2, use_bias=False, **kw), rand(2, 3, 4), (2, 3, 2), 1)


def test_dense_casts_inputs_to_its_dtype():
    assert L.Dense(3)(np.ones((2, 2))).dtype == tf.float32            # NumPy float64 is autocast
    assert L.Dense(3)(tf.ones((2, 2), tf.float64)).dtype == tf.float32
    assert L.Dense(3)(np.ones((2, 2), "int32")).dtype == tf.float32   # ints are cast in call
    assert L.Dense(3, dtype="float64")(np.ones((2, 2), "float32")).dtype == tf.float64


def test_dense_config_matches_keras():
    cfg = L.Dense(3, name="d").get_config()
    assert list(cfg) == ["name", "trainable", "dtype", "units", "activation", "use_bias", "kernel_initializer",
                         "bias_initializer", "kernel_regularizer", "bias_regularizer", "kernel_constraint",
                         "bias_constraint", "quantization_config"]
    assert cfg["dtype"] == {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                            "registered_name": None}
    assert cfg["kernel_initializer"] == {"module": "keras.initializers", "class_name": "GlorotUniform",
                                         "config": {"seed": None, "input_axes": None, "output_axes": None},
                                         "registered_name": None}
    assert cfg["activation"] == "linear"


def test_dense_errors():
    with pytest.raises(ValueError, match=r"invalid value for `units`, expected a positive integer. Received: units=0"):
        L.Dense(0)
    with pytest.raises(ValueError, match="Could not interpret activation function identifier: foo"):
        L.Dense(3, activation="foo")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: foo"):
        L.Dense(3, kernel_initializer="foo")
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments passed to Dense: \{'foo': 1\}"):
        L.Dense(3, foo=1)
    d = L.Dense(3)
    d(np.ones((2, 4), "f"))
    with pytest.raises(ValueError, match=r"Input 0 with name 'None' of layer 'dense\w*' is incompatible with the "
                                         r"layer: expected axis -1 of input shape to have value 4, but received "
                                         r"input with shape \(2, 5\)"):
        d(np.ones((2, 5), "f"))
    with pytest.raises(ValueError, match=r"expected min_ndim=2, found ndim=1. Full shape received: \(4,\)"):
        L.Dense(3)(np.ones((4,), "f"))


def test_dense_regularizer_losses():
    d = L.Dense(2, kernel_regularizer=tf.keras.regularizers.L2(0.5), activity_regularizer="l2")
    x = rand(4, 3)
    y = d(x)
    kernel_loss = 0.5 * np.sum(d.kernel.numpy() ** 2)
    activity_loss = 0.01 * np.sum(y.numpy() ** 2) / 4  # divided by the batch size, as Keras
    losses = [float(v) for v in d.losses]
    np.testing.assert_allclose(losses, [activity_loss, kernel_loss], rtol=1e-5)
    d(x)
    assert len(d.losses) == 2  # activity losses are replaced at each call, not accumulated


# ---- Activation / activations --------------------------------------------------------------------------------

ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "linear": lambda x: x,
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "relu6": lambda x: np.clip(x, 0, 6),
    "exponential": np.exp,
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_values_and_gradients(name):
    x = np.linspace(-3, 3, 12).reshape(2, 6).astype("float64") + 0.05
    check_layer(lambda **kw: L.Activation(name, **kw), x.astype("float32"), (2, 6), 0)
    np.testing.assert_allclose(tf.keras.activations.get(name)(tf.constant(x)).numpy(), ACTIVATIONS[name](x),
                               rtol=1e-6, atol=1e-7)


def test_activation_names_and_options():
    acts = tf.keras.activations
    assert acts.serialize(acts.get("swish")) == "silu"
    assert acts.serialize(acts.get("hard_swish")) == "hard_silu"
    assert acts.serialize(tf.nn.relu) == "relu"
    assert acts.get(None) is acts.linear
    assert L.Dense(2, activation=None).get_config()["activation"] == "linear"
    x = tf.constant([-2.0, 0.5, 3.0, 8.0])
    np.testing.assert_allclose(acts.relu(x, negative_slope=0.1, max_value=6.0, threshold=1.0).numpy(),
                               [-0.3, -0.05, 3.0, 6.0], rtol=1e-6)
    np.testing.assert_allclose(acts.elu(x, alpha=2.0).numpy()[0], 2 * (np.exp(-2.0) - 1), rtol=1e-6)
    np.testing.assert_allclose(acts.gelu(x, approximate=True).numpy(),
                               0.5 * x.numpy() * (1 + np.tanh(0.7978845608 * (x.numpy() + 0.044715 * x.numpy() ** 3))),
                               rtol=1e-5)
    with pytest.raises(ValueError, match="Could not interpret activation function identifier: 3"):
        acts.get(3)


# ---- Dropout ------------------------------------------------------------------------------------------------

def test_dropout_inference_and_training():
    check_layer(lambda **kw: L.Dropout(0.5, **kw), rand(3, 4), (3, 4), 0)
    x = np.ones((200, 50), "float32")
    layer = L.Dropout(0.25)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.03
    np.testing.assert_array_equal(L.Dropout(0.0)(x, training=True).numpy(), x)
    np.testing.assert_array_equal(L.Dropout(1.0)(x, training=True).numpy(), 0 * x)


def test_dropout_noise_shape_and_graph():
    y = L.Dropout(0.5, noise_shape=(None, 1))(np.ones((50, 8), "float32"), training=True).numpy()
    assert all(len(set(row)) == 1 for row in y)  # one decision per row
    layer = L.Dropout(0.5)
    f = tf.function(lambda t: layer(t, training=True))
    a, b = f(tf.ones((20, 20))).numpy(), f(tf.ones((20, 20))).numpy()
    assert not np.array_equal(a, b)  # a new mask at every call of the graph
    assert L.Dropout(0.5, noise_shape=(None, 1), seed=3).get_config()["noise_shape"] == (None, 1)
    shared = L.Dropout(0.5, noise_shape=(None, 1, 3))  # in a graph whose batch size is unknown
    g = tf.function(lambda t: shared(t, training=True), input_signature=[tf.TensorSpec([None, 4, 3])])
    y = g(tf.ones((64, 4, 3))).numpy()
    assert np.array_equal(y, np.broadcast_to(y[:, :1], y.shape)) and set(np.unique(y)) == {0.0, 2.0}


def test_dropout_rate_error():
    with pytest.raises(ValueError, match=r"Invalid value received for argument `rate`. Expected a float value "
                                         r"between 0 and 1. Received: rate=1.5"):
        L.Dropout(1.5)


# ---- Lambda, Identity ---------------------------------------------------------------------------------------

def double(x):
    return 2 * x


def test_lambda_layer():
    layer, _ = check_layer(lambda **kw: L.Lambda(double, **kw), rand(2, 3), (2, 3), 0, config=False)
    cfg = layer.get_config()
    assert cfg["function"] == "double"
    clone = L.Lambda.from_config(cfg, custom_objects={"double": double})
    np.testing.assert_allclose(clone(np.ones((1, 2), "f")).numpy(), [[2.0, 2.0]])


def test_lambda_with_arguments_output_shape_and_lambda_config():
    layer = L.Lambda(lambda x, k: x[:, :k], arguments={"k": 2}, output_shape=(2,))
    assert layer(rand(3, 5)).shape == (3, 2)
    assert layer.compute_output_shape((None, 5)) == (None, 2)
    cfg = L.Lambda(lambda x: x + 1).get_config()
    assert cfg["function"]["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="safe_mode=False"):
        L.Lambda.from_config(cfg)
    restored = L.Lambda.from_config(cfg, safe_mode=False)
    np.testing.assert_allclose(restored(tf.constant([1.0])).numpy(), [2.0])


def test_identity_layer():
    check_layer(lambda **kw: L.Identity(**kw), rand(2, 3), (2, 3), 0)


# ---- Embedding ----------------------------------------------------------------------------------------------

def test_embedding():
    ids = np.array([[1, 2, 0], [4, 4, 3]], dtype="int32")
    layer, out = check_layer(lambda **kw: L.Embedding(5, 3, **kw), ids, (2, 3, 3), 1, grad=False)
    np.testing.assert_allclose(out.numpy(), layer.embeddings.numpy()[ids])
    assert layer(ids.astype("float32")).shape == (2, 3, 3)  # float ids are cast to int
    cfg = layer.get_config()
    assert cfg["embeddings_initializer"]["class_name"] == "RandomUniform"
    assert cfg["embeddings_initializer"]["config"] == {"seed": None, "minval": -0.05, "maxval": 0.05}


def test_embedding_gradient_and_mask():
    from tests.keras.layer_checks import check_weight_grads
    layer = L.Embedding(4, 2, dtype="float64")
    check_weight_grads(layer, np.array([[0, 3, 3]]))
    mask = L.Embedding(4, 2, mask_zero=True).compute_mask(tf.constant([[0, 1]]))
    np.testing.assert_array_equal(mask.numpy(), [[False, True]])


def test_embedding_out_of_range():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0,0\] = 7 is not in \[0, 5\)"):
        L.Embedding(5, 2)(np.array([[7]]))


# ---- the base Layer contract ----------------------------------------------------------------------------------

class Scale(L.Layer):
    """A custom layer with one trainable and one frozen weight, and a config argument."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
        self.offset = self.add_weight(shape=(), initializer="zeros", name="offset", trainable=False)

    def call(self, x, training=None):
        y = x * self.w * self.factor + self.offset
        return y + 1.0 if training else y


def test_custom_layer_builds_lazily_and_tracks_weights():
    layer = Scale()
    assert not layer.built and layer.weights == []
    y = layer(np.ones((2, 3), "f"))
    assert layer.built
    np.testing.assert_allclose(y.numpy(), 2.0)
    assert [w.name for w in layer.weights] == ["w", "offset"]
    assert [w.name for w in layer.trainable_weights] == ["w"]
    assert [w.name for w in layer.non_trainable_weights] == ["offset"]
    assert layer.variables == layer.weights
    assert layer.count_params() == 4


def test_training_flag_reaches_nested_layers():
    class Outer(L.Layer):
        def __init__(self):
            super().__init__(name="outer")
            self.inner = Scale(name="inner")

        def call(self, x):
            return self.inner(x)

    outer = Outer()
    x = np.ones((1, 2), "f")
    np.testing.assert_allclose(outer(x).numpy(), 2.0)
    np.testing.assert_allclose(outer(x, training=True).numpy(), 3.0)
    assert [w.path for w in outer.weights] == ["outer/inner/w", "outer/inner/offset"]


def test_trainable_false_freezes_weights():
    layer = Scale()
    layer(np.ones((1, 2), "f"))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert layer.get_config()["trainable"] is False
    layer.trainable = True
    assert [w.name for w in layer.trainable_weights] == ["w"]


def test_tracking_lists_and_variables():
    class Stack(L.Layer):
        def __init__(self):
            super().__init__()
            self.blocks = [L.Dense(2), L.Dense(2)]
            self.extra = tf.Variable(1.0)

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return x * self.extra

    model = Stack()
    model(np.ones((1, 3), "f"))
    assert len(model.weights) == 5
    model.blocks.append(L.Dense(1))  # appended later: still found
    model(np.ones((1, 3), "f"))
    assert len(model.trainable_weights) == 7


def test_add_loss_and_losses_reset_per_call():
    class Penalized(L.Layer):
        def call(self, x):
            self.add_loss(tf.reduce_sum(x))
            return x

    layer = Penalized()
    layer(np.ones(2, "f"))
    layer(np.ones(2, "f"))
    assert [float(v) for v in layer.losses] == [2.0]


def test_get_set_weights_and_errors():
    layer = Scale(name="scaler")
    layer(np.ones((1, 3), "f"))
    layer.set_weights([np.full(3, 5.0), np.array(1.0)])
    np.testing.assert_allclose(layer.get_weights()[0], [5.0, 5.0, 5.0])
    with pytest.raises(ValueError, match=r"Layer scaler weight shape \(3,\) is not compatible with provided weight "
                                         r"shape \(2,\)"):
        layer.set_weights([np.ones(2), np.array(1.0)])
    with pytest.raises(ValueError, match=r"You called `set_weights\(weights\)` on layer 'scaler' with a weight list "
                                         r"of length 1, but the layer was expecting 2 weights"):
        layer.set_weights([np.ones(3)])
    with pytest.raises(ValueError, match="layer isn't built"):
        Scale().count_params()


def test_names_are_unique_and_reset_by_clear_session():
    tf.keras.backend.clear_session()
    assert [L.Dense(1).name, L.Dense(1).name, L.Conv2DTranspose(1, 1).name] == ["dense", "dense_1", "conv2d_transpose"]
    assert L.SimpleRNN(1).name == "simple_rnn" and L.MaxPooling2D().name == "max_pooling2d"
    tf.keras.backend.clear_session()
    assert L.Dense(1).name == "dense"
    with pytest.raises(ValueError, match="Argument `name` must be a string and cannot contain character `/`"):
        L.Dense(1, name="a/b")
    assert repr(L.Dense(1, name="d")) == "<Dense name=d, built=False>"


def test_auto_config_of_custom_layers():
    layer = Scale(3.0, name="s")
    cfg = layer.get_config()
    assert cfg["factor"] == 3.0 and cfg["name"] == "s"
    clone = Scale.from_config(cfg)
    assert clone.factor == 3.0 and clone.name == "s"

    class Holder(L.Layer):
        def __init__(self, thing, **kwargs):
            super().__init__(**kwargs)
            self.thing = thing

    with pytest.raises(NotImplementedError, match="must override `get_config\\(\\)`"):
        Holder(object()).get_config()


def test_layer_inside_tf_function_builds_once():
    layer = L.Dense(2)
    f = tf.function(lambda t: layer(t))
    a = f(tf.ones((3, 4)))
    b = f(tf.ones((5, 4)))
    assert a.shape == (3, 2) and b.shape == (5, 2) and len(layer.weights) == 2
    np.testing.assert_allclose(layer(tf.ones((3, 4))).numpy(), a.numpy(), rtol=1e-6)


def test_keras_variable():
    v = tf.keras.Variable(tf.keras.initializers.Constant(2.0), shape=(2,), name="w")
    assert isinstance(v, tf.Variable) and v.name == "w" and v.path == "w"
    v.trainable = False
    assert not v.trainable
    assert repr(v).startswith("<Variable path=w, shape=(2,), dtype=float32, value=[2. 2.]>")


def test_direct_build_marks_custom_layers_built_and_names_can_change():
    class NoSuperBuild(L.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2), name="w")

        def call(self, x):
            return tf.matmul(x, self.w)

    layer = NoSuperBuild(name="nsb")
    layer.build((None, 3))
    assert layer.built and layer.count_params() == 6 and layer.w.path == "nsb/w"
    layer.name = "renamed"
    assert layer.name == "renamed"
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        layer.name = "a/b"
