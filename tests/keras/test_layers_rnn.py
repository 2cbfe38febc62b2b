"""Recurrent layers: SimpleRNN, LSTM, GRU (Keras 3's reset_after=True default), Bidirectional, the RNN
wrapper and the cells; values pinned against TensorFlow 2.21 with deterministic weights."""
import numpy as np
import pytest

import eagerflow as tf
from tests.keras.layer_checks import check_layer, det

L = tf.keras.layers
RNG = np.random.RandomState(2)


def rand(*shape):
    return RNG.rand(*shape).astype("float32")


# tf.keras (TF 2.21) outputs for inputs det((1, 3, 2), 0.5) and every weight set to det(shape, 0.2).
TF_REFERENCE = {
    "lstm": ("L.LSTM(2, return_sequences=True)", [[[[-0.171947, -0.252476], [-0.09652, -0.095553],
                                                    [0.033995, 0.033846]]]]),
    "lstm_state_back": ("L.LSTM(2, return_state=True, go_backwards=True)", [
        [[-0.119236, -0.159346]], [[-0.119236, -0.159346]], [[-0.212335, -0.250082]]]),
    "gru": ("L.GRU(2, return_sequences=True)", [[[[-0.042414, -0.131139], [0.018461, 0.134019],
                                                  [0.130306, 0.636533]]]]),
    "gru_v1": ("L.GRU(2, reset_after=False)", [[[0.181412, 0.525705]]]),
    "simple_rnn": ("L.SimpleRNN(2, return_sequences=True)", [[[[0.462117, 0.197375], [-0.548858, -0.366909],
                                                              [-0.602653, -0.363104]]]]),
    "bidi": ("L.Bidirectional(L.SimpleRNN(2, return_sequences=True))", [[[
        [0.462117, 0.197375, 0.298671, 0.087764], [-0.548858, -0.366909, 0.280025, 0.119624],
        [-0.602653, -0.363104, -0.800499, -0.53705]]]]),
    "bidi_ave": ("L.Bidirectional(L.GRU(2), merge_mode='ave')", [[[0.084485, 0.35222]]]),
}


@pytest.mark.parametrize("name", sorted(TF_REFERENCE))
def test_values_match_tensorflow(name):
    src, expected = TF_REFERENCE[name]
    layer = eval(src)
    x = det((1, 3, 2), 0.5)
    layer(x)
    layer.set_weights([det(tuple(w.shape), 0.2) for w in layer.weights])
    out = tf.nest.flatten(layer(x))
    assert len(out) == len(expected)
    for got, want in zip(out, expected):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6)


def test_simple_rnn():
    layer, _ = check_layer(lambda **kw: L.SimpleRNN(3, **kw), rand(2, 4, 2), (2, 3), 3)
    assert [w.path for w in layer.weights] == [f"{layer.name}/simple_rnn_cell/kernel",
                                               f"{layer.name}/simple_rnn_cell/recurrent_kernel",
                                               f"{layer.name}/simple_rnn_cell/bias"]


def test_lstm():
    layer, _ = check_layer(lambda **kw: L.LSTM(2, return_sequences=True, **kw), rand(2, 3, 2), (2, 3, 2), 3)
    assert [tuple(w.shape) for w in layer.weights] == [(2, 8), (2, 8), (8,)]
    np.testing.assert_array_equal(L.LSTM(2)(rand(1, 2, 2)) is not None, True)
    fresh = L.LSTM(3)
    fresh(rand(1, 2, 2))
    np.testing.assert_array_equal(fresh.cell.bias.numpy(), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])  # unit_forget_bias


def test_lstm_return_state():
    check_layer(lambda **kw: L.LSTM(2, return_state=True, **kw), rand(2, 3, 2), [(2, 2), (2, 2), (2, 2)], 3)


def test_gru():
    layer, _ = check_layer(lambda **kw: L.GRU(2, **kw), rand(2, 3, 2), (2, 2), 3)
    assert tuple(layer.cell.bias.shape) == (2, 6)
    layer, _ = check_layer(lambda **kw: L.GRU(2, reset_after=False, go_backwards=True, **kw), rand(2, 3, 2), (2, 2), 3)
    assert tuple(layer.cell.bias.shape) == (6,)


def test_bidirectional():
    layer, _ = check_layer(lambda **kw: L.Bidirectional(L.LSTM(2, return_sequences=True), **kw), rand(2, 3, 2),
                           (2, 3, 4), 6)
    assert layer.forward_layer.name.startswith("forward_") and layer.backward_layer.go_backwards
    check_layer(lambda **kw: L.Bidirectional(L.GRU(2, return_state=True), merge_mode="sum", **kw), rand(2, 3, 2),
                [(2, 2), (2, 2), (2, 2)], 6)


def test_rnn_wrapper_with_cell_and_initial_state():
    cell = L.SimpleRNNCell(2)
    layer = L.RNN(cell, return_sequences=True)
    x = rand(2, 3, 4)
    h0 = tf.constant(rand(2, 2))
    out = layer(x, initial_state=[h0])
    kernel, recurrent, bias = (w.numpy() for w in cell.weights)
    h = h0.numpy()
    for t in range(3):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
    np.testing.assert_allclose(out.numpy()[:, -1], h, rtol=1e-5)
    clone = L.RNN.from_config(layer.get_config())
    assert type(clone.cell) is L.SimpleRNNCell


def test_cells_step_alone():
    cell = L.GRUCell(3)
    out, states = cell(rand(2, 4), [tf.zeros((2, 3))])
    assert out.shape == (2, 3) and len(states) == 1
    lstm = L.LSTMCell(3)
    out, (h, c) = lstm(rand(2, 4), [tf.zeros((2, 3)), tf.zeros((2, 3))])
    np.testing.assert_allclose(out.numpy(), h.numpy())


def test_masking_keeps_states_at_masked_steps():
    layer = L.SimpleRNN(2, return_sequences=True)
    x = rand(1, 3, 2)
    full = layer(x).numpy()
    masked = layer(x, mask=tf.constant([[True, True, False]])).numpy()
    np.testing.assert_allclose(masked[:, :2], full[:, :2], rtol=1e-6)
    np.testing.assert_allclose(masked[:, 2], full[:, 1], rtol=1e-6)


def test_dropout_in_training_only():
    layer = L.LSTM(4, dropout=0.5, recurrent_dropout=0.5)
    x = rand(3, 5, 2)
    np.testing.assert_allclose(layer(x).numpy(), layer(x).numpy())
    assert not np.allclose(layer(x, training=True).numpy(), layer(x).numpy())


def test_config_keys_match_keras():
    assert list(L.GRU(2).get_config()) == [
        "name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards", "stateful", "unroll",
        "zero_output_for_mask", "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
        "recurrent_initializer", "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
        "bias_regularizer", "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
        "dropout", "recurrent_dropout", "reset_after", "seed"]
    assert "seed" not in L.SimpleRNN(2).get_config()
    assert L.LSTM(2).get_config()["recurrent_initializer"]["class_name"] == "Orthogonal"
    bidi = L.Bidirectional(L.LSTM(2, name="enc")).get_config()
    assert bidi["layer"]["config"]["name"] == "forward_enc" and bidi["backward_layer"]["config"]["go_backwards"]


def test_rnn_errors():
    with pytest.raises(ValueError, match=r"expected ndim=3, found ndim=2. Full shape received: \(2, 4\)"):
        L.LSTM(3)(np.ones((2, 4), "f"))
    with pytest.raises(ValueError, match=r"the batch size must be static. Found dynamic batch size: "
                                         r"sequence.shape=\(None, 5, 3\)"):
        tf.keras.Sequential([tf.keras.Input((5, 3)), L.LSTM(2, stateful=True)])
    with pytest.raises(AttributeError, match="must be stateful"):
        L.GRU(2).reset_states()
    with pytest.raises(ValueError, match="Invalid merge mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="0 timesteps"):
        L.GRU(2)(np.ones((1, 0, 3), "f"))


# Sequential models on ids [[3, 1, 0, 0], [2, 4, 1, 0]] with Embedding(mask_zero=True), every weight
# det(shape, 0.3): outputs of TF 2.21 (the mask skips the padded steps and reaches the pooling).
MASKED_REFERENCE = {
    "[L.Embedding(5, 2, mask_zero=True), L.LSTM(2)]": [[0.051322, 0.071492], [0.067077, 0.08059]],
    "[L.Embedding(5, 2, mask_zero=True), L.GRU(2, return_sequences=True)]": [
        [[0.430219, 0.595027], [0.352077, 0.604403], [0.352077, 0.604403], [0.352077, 0.604403]],
        [[0.160764, 0.713702], [0.151659, 0.429525], [0.176285, 0.536838], [0.176285, 0.536838]]],
    "[L.Embedding(5, 2, mask_zero=True), L.Dense(3), L.GlobalAveragePooling1D()]": [
        [-1.17, -0.915, -0.66], [-0.72, -0.45, -0.18]],
    "[L.Embedding(5, 2, mask_zero=True), L.SimpleRNN(2, return_sequences=True), L.SimpleRNN(2)]": [
        [-0.886348, -0.728731], [0.8083, 0.432517]],
}


@pytest.mark.parametrize("src", sorted(MASKED_REFERENCE))
def test_masks_flow_through_sequential_and_functional_models(src):
    ids = np.array([[3, 1, 0, 0], [2, 4, 1, 0]])
    model = tf.keras.Sequential([L.Input((4,), dtype="int32")] + eval(src))
    model.set_weights([det(tuple(w.shape), 0.3) for w in model.weights])
    np.testing.assert_allclose(model(ids).numpy(), MASKED_REFERENCE[src], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tf.function(lambda t: model(t))(tf.constant(ids)).numpy(), MASKED_REFERENCE[src],
                               rtol=1e-5, atol=1e-6)
    x = tf.keras.Input((4,), dtype="int32")
    y = x
    for layer in model.layers:
        y = layer(y)
    functional = tf.keras.Model(x, y)
    np.testing.assert_allclose(functional(ids).numpy(), MASKED_REFERENCE[src], rtol=1e-5, atol=1e-6)


def _grads(layer, x, mask=None):
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = tf.nest.flatten(layer(x, mask=mask) if mask is not None else layer(x))
        loss = tf.add_n([tf.reduce_sum(o * o) for o in out])
    return out + tape.gradient(loss, [x] + layer.trainable_weights)


@pytest.mark.parametrize("name", sorted(TF_REFERENCE))
def test_unknown_timesteps_run_as_one_while_loop(name):
    layer = eval(TF_REFERENCE[name][0])
    x = tf.constant(det((2, 5, 2), 0.5))
    layer(x)
    layer.set_weights([det(tuple(w.shape), 0.2) for w in layer.weights])
    f = tf.function(lambda t: _grads(layer, t), input_signature=[tf.TensorSpec([None, None, 2])])
    types = [op.type for op in f.get_concrete_function().graph.get_operations()]
    assert "StatelessWhile" in types
    for got, want in zip(f(x), _grads(layer, x)):  # the while loop against the unrolled eager loop
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    for steps in (1, 7):  # one trace serves every length
        xs = tf.constant(det((3, steps, 2), 0.3))
        for got, want in zip(f(xs), _grads(layer, xs)):
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    assert f.experimental_get_tracing_count() == 1


def test_unknown_timesteps_with_masks_and_custom_cells():
    class Cell(L.Layer):  # not one of the built-in (fused) cells
        state_size = 2

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1] + 2, 2), initializer="ones")

        def call(self, x, state):  # an int state_size: the state comes as one tensor, as in Keras
            h = tf.tanh(tf.matmul(tf.concat([x, state], -1), self.w) * 0.1)
            return h, h

    for layer in (L.RNN(Cell(), return_sequences=True), L.LSTM(2, return_sequences=True, go_backwards=True)):
        x = tf.constant(det((2, 4, 3), 0.4))
        mask = tf.constant([[True, True, False, False], [True, True, True, False]])
        f = tf.function(lambda t, m: _grads(layer, t, m),
                        input_signature=[tf.TensorSpec([None, None, 3]), tf.TensorSpec([None, None], tf.bool)])
        for got, want in zip(f(x, mask), _grads(layer, x, mask)):
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_variable_length_sequences_fit_and_predict():
    model = tf.keras.Sequential([L.Input((None, 3)), L.GRU(4), L.Dense(1)])
    model.compile("adam", "mse")
    for steps in (5, 8, 1):
        x, y = rand(8, steps, 3), rand(8, 1)
        history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
        assert np.isfinite(history.history["loss"]).all()
        np.testing.assert_allclose(model.predict(x, verbose=0), model(x).numpy(), rtol=1e-5, atol=1e-6)
    ids = tf.keras.Sequential([L.Input((None,), dtype="int32"), L.Embedding(5, 2, mask_zero=True), L.LSTM(2)])
    ids.set_weights([det(tuple(w.shape), 0.3) for w in ids.weights])
    expected = MASKED_REFERENCE["[L.Embedding(5, 2, mask_zero=True), L.LSTM(2)]"]
    np.testing.assert_allclose(ids.predict(np.array([[3, 1, 0, 0], [2, 4, 1, 0]]), verbose=0), expected,
                               rtol=1e-5, atol=1e-6)


def test_stateful_layers_carry_their_states_between_calls():
    # TF 2.21: SimpleRNN(2, stateful=True, return_state=True), every weight 0.1, two calls on the same input
    first = [[[0.30515, 0.30515], [0.28037, 0.28037]], [[0.30515, 0.30515], [0.28037, 0.28037]]]
    second = [[[0.30707, 0.30707], [0.28203, 0.28203]], [[0.30707, 0.30707], [0.28203, 0.28203]]]
    layer = L.SimpleRNN(2, stateful=True, return_state=True)
    layer(tf.keras.Input(batch_shape=(2, 3, 4)))
    layer.set_weights([np.full(w.shape, 0.1, "f") for w in layer.get_weights()])
    x = (np.arange(24).reshape(2, 3, 4) % 5 / 5).astype("f")
    np.testing.assert_allclose([t.numpy() for t in layer(x)], first, rtol=1e-4)
    np.testing.assert_allclose([t.numpy() for t in layer(x)], second, rtol=1e-4)
    assert len(layer.weights) == 3 and not layer.non_trainable_weights and len(layer.states) == 1
    layer.reset_states()
    np.testing.assert_allclose([t.numpy() for t in layer(x)], first, rtol=1e-4)
    layer.reset_state()
    assert not layer.states[0].numpy().any() and layer.get_config()["stateful"]
    with pytest.raises(ValueError, match=r"stateful with a batch size of 2 .* inputs of shape \(3, 3, 4\)"):
        layer(np.ones((3, 3, 4), "f"))


def test_stateful_model_fit_and_predict():
    model = tf.keras.Sequential([tf.keras.Input(batch_shape=(4, 5, 3)), L.LSTM(2, stateful=True), L.Dense(1)])
    model.compile("adam", "mse")
    x, y = rand(16, 5, 3), rand(16, 1)
    model.fit(x, y, batch_size=4, shuffle=False, epochs=2, verbose=0)
    lstm = model.layers[0]
    assert lstm.states[0].shape == (4, 2) and lstm.states[0].numpy().any()
    lstm.reset_states()
    first = model.predict(x[:4], verbose=0)
    assert not np.allclose(first, model.predict(x[:4], verbose=0))  # the second call starts from carried states
    lstm.reset_states()
    np.testing.assert_allclose(model.predict(x[:4], verbose=0), first, rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="stateful with a batch size of 4"):
        model.fit(x, y, batch_size=8, verbose=0)  # the traced step checks the batch when it runs
