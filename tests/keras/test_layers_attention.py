"""Attention, AdditiveAttention and MultiHeadAttention: shapes, weights, configs, masks, dropout, gradients,
graph vs eager, and values pinned against TensorFlow 2.21 (deterministic weights, outputs computed with tf.keras)."""
import numpy as np
import pytest

import eagerflow as tf
from tests.keras.layer_checks import check_layer, det, det_weights

L = tf.keras.layers
RNG = np.random.RandomState(3)


def rand(*shape):
    return RNG.rand(*shape).astype("float32")


QM = [[True, True, False, True], [True, True, True, False]]
VM = [[True, False, True], [False, True, True]]
AM = np.ones((2, 4, 3), bool)
AM[0, 1, :] = False  # a query row that may attend nowhere
AM[1, 2, 0] = False
SCALES = (0.1, 0.2, 0.15)  # det() scales of query, value, key

# TF 2.21's tf.keras outputs (rounded to 5 decimals): (layer, input shapes (query, value[, key]), call keyword
# arguments, [output(s)]), with the weights of det_weights(). MultiHeadAttention's query mask was given to TF
# as the query's Keras mask (TF ignores an explicit `query_mask` argument). "mha_masks_fused" and
# "mha_masks_scores" differ in the fully masked query row: Keras's fused path (no dropout, no scores
# returned) averages the values uniformly there, the path that returns scores gives it zero weights.
TF_REFERENCE = {
    "att_dot": ("L.Attention()", [(2, 3, 4), (2, 5, 4)],
        "return_attention_scores=True",
        [[[[-0.18754, 0.01246, -0.01279, -0.03358], [-0.04994, 0.15006, 0.05815, -0.16025], [-0.16974, 0.03026,
        0.00047, -0.03869]], [[0.01036, -0.11771, 0.08229, -0.04578], [-0.06907, -0.10818, 0.09182, 0.03792],
        [0.03283, -0.19423, 0.00577, -0.03333]]], [[[0.25487, 0.15771, 0.22605, 0.16089, 0.20049], [0.15446,
        0.29886, 0.16402, 0.20851, 0.17416], [0.2306, 0.17083, 0.22156, 0.16413, 0.21287]], [[0.23434, 0.17711,
        0.17711, 0.23434, 0.17711], [0.17079, 0.23055, 0.20448, 0.18136, 0.21282], [0.30504, 0.15766, 0.18875,
        0.17079, 0.17776]]]]),
    "att_concat_causal": ("L.Attention(use_scale=True, score_mode='concat')", [(2, 4, 3), (2, 4, 3), (2, 4, 3)],
        "mask=[np.array(QM), np.array([[1, 1, 0, 1], [0, 1, 1, 1]], bool)], "
        "use_causal_mask=True, return_attention_scores=True",
        [[[[-0.6, -0.4, -0.2], [-0.15618, 0.04383, 0.24383], [0.0, 0.0, 0.0], [-0.17146, 0.02854, 0.22854]], [[-0.1,
        0.1, -0.05], [-0.4, -0.2, 0.0], [0.03755, 0.23755, 0.43755], [0.0, 0.0, 0.0]]], [[[1.0, 0.0, 0.0, 0.0],
        [0.26029, 0.73971, 0.0, 0.0], [0.26188, 0.73812, 0.0, 0.0], [0.17166, 0.48605, 0.0, 0.34228]], [[0.25, 0.25,
        0.25, 0.25], [0.0, 1.0, 0.0, 0.0], [0.0, 0.27075, 0.72925, 0.0], [0.0, 0.22004, 0.61847, 0.16149]]]]),
    "additive_vmask": ("L.AdditiveAttention()", [(2, 4, 3), (2, 3, 3)],
        "mask=[None, np.array(VM)], return_attention_scores=True",
        [[[[-0.22266, -0.46289, -0.26289], [-0.22925, -0.46179, -0.26179], [-0.22606, -0.46232, -0.26232],
        [-0.23004, -0.46166, -0.26166]], [[-0.16933, 0.03067, -0.173], [-0.1772, 0.0228, -0.1671], [-0.16904,
        0.03096, -0.17322], [-0.17498, 0.02502, -0.16876]]], [[[0.68555, 0.0, 0.31445], [0.69104, 0.0, 0.30896],
        [0.68838, 0.0, 0.31162], [0.6917, 0.0, 0.3083]], [[0.0, 0.28834, 0.71166], [0.0, 0.2785, 0.7215], [0.0,
        0.2887, 0.7113], [0.0, 0.28127, 0.71873]]]]),
    "mha_scores": ("L.MultiHeadAttention(2, 3)", [(2, 4, 5), (2, 3, 5)],
        "return_attention_scores=True",
        [[[[0.0269, -0.44596, 0.34027, -0.17063, -0.0432], [-0.0984, -1.1658, 1.0319, -0.14166, 0.30365], [0.24689,
        -0.42633, 0.48541, -0.4232, -0.22263], [0.03313, -0.4127, 0.31525, -0.17754, -0.06154]], [[0.69773,
        -0.04747, 0.59414, -0.2629, -0.13811], [0.17265, -0.75485, 0.02479, -1.03835, 0.75297], [0.25069, -0.0972,
        0.25598, -0.22049, 0.07692], [0.36694, -0.06618, 0.33645, -0.21432, -0.0087]]], [[[[0.39031, 0.30606,
        0.30363], [0.14057, 0.69077, 0.16867], [0.29662, 0.35875, 0.34462], [0.38967, 0.29433, 0.316]], [[0.37675,
        0.33769, 0.28556], [0.24414, 0.46776, 0.2881], [0.20604, 0.28753, 0.50642], [0.38025, 0.31299, 0.30676]]],
        [[[0.19732, 0.59641, 0.20627], [0.14521, 0.23871, 0.61608], [0.37695, 0.36248, 0.26056], [0.35472, 0.41298,
        0.2323]], [[0.25531, 0.38092, 0.36377], [0.21649, 0.34342, 0.44009], [0.39954, 0.31167, 0.2888], [0.35618,
        0.34418, 0.29964]]]]]),
    "mha_masks_fused": ("L.MultiHeadAttention(2, 3, value_dim=2, output_shape=4)", [(2, 4, 5), (2, 3, 6), (2, 3, 7)],
        "value_mask=np.array(VM), attention_mask=AM",
        [[[[-0.642, -0.623, -0.289, 0.402], [-0.18, -0.35, -0.646, 0.444], [-0.642, -0.623, -0.289, 0.402], [-0.642,
        -0.623, -0.289, 0.402]], [[0.366, 0.448, 0.845, -0.606], [0.366, 0.448, 0.845, -0.606], [0.366, 0.448,
        0.845, -0.606], [0.366, 0.448, 0.845, -0.606]]]]),
    "mha_masks_scores": ("L.MultiHeadAttention(2, 3, value_dim=2, output_shape=4)", [(2, 4, 5), (2, 3, 6), (2, 3, 7)],
        "value_mask=np.array(VM), attention_mask=AM, return_attention_scores=True",
        [[[[-0.642, -0.623, -0.289, 0.402], [-0.3, -0.2, -0.1, 0.0], [-0.642, -0.623, -0.289, 0.402], [-0.642,
        -0.623, -0.289, 0.402]], [[0.366, 0.448, 0.845, -0.606], [0.366, 0.448, 0.845, -0.606], [0.366, 0.448,
        0.845, -0.606], [0.366, 0.448, 0.845, -0.606]]], [[[[0.5, 0.0, 0.5], [0.0, 0.0, 0.0], [0.5, 0.0, 0.5], [0.5,
        0.0, 0.5]], [[0.5, 0.0, 0.5], [0.0, 0.0, 0.0], [0.5, 0.0, 0.5], [0.5, 0.0, 0.5]]], [[[0.0, 0.5, 0.5], [0.0,
        0.5, 0.5], [0.0, 0.5, 0.5], [0.0, 0.5, 0.5]], [[0.0, 0.5, 0.5], [0.0, 0.5, 0.5], [0.0, 0.5, 0.5], [0.0, 0.5,
        0.5]]]]]),
    "mha_query_mask": ("L.MultiHeadAttention(2, 2)", [(2, 4, 3), (2, 3, 3)],
        "query_mask=np.array(QM)",
        [[[[-0.38121, 0.23589, 0.08481], [-0.30606, 0.23221, 0.05755], [-0.366, 0.208, 0.068], [-0.33077, 0.23365,
        0.06672]], [[-0.06999, -0.19743, -0.18926], [-0.12002, -0.16767, -0.14989], [-0.09455, -0.18046, -0.16834],
        [-0.108, -0.176, -0.16]]]]),
    "mha_causal": ("L.MultiHeadAttention(1, 2, use_bias=False)", [(1, 4, 3), (1, 4, 3)],
        "use_causal_mask=True",
        [[[[-0.54, -0.288, -0.036], [-0.29839, -0.12693, 0.04454], [0.00593, -0.02648, -0.05889], [-0.11498,
        -0.06138, -0.00777]]]]),
    "mha_axes": ("L.MultiHeadAttention(2, 2, attention_axes=(1, 2))", [(1, 2, 3, 4), (1, 2, 2, 4)],
        "return_attention_scores=True",
        [[[[[-0.19037, -0.19731, -0.27641, 0.25882], [-0.13375, -0.21604, -0.30583, 0.4207], [-0.1913, -0.20156,
        -0.27242, 0.26459]], [[-0.23328, -0.26078, -0.25282, 0.36787], [-0.19238, -0.20594, -0.26835, 0.27046],
        [-0.02851, -0.13441, -0.34639, 0.34809]]]], [[[[[[0.24284, 0.26536], [0.2412, 0.25059]], [[0.16712,
        0.41926], [0.16983, 0.24379]], [[0.23985, 0.26817], [0.24067, 0.25131]]], [[[0.21056, 0.32526], [0.21235,
        0.25184]], [[0.23688, 0.27098], [0.24012, 0.25202]], [[0.17092, 0.41432], [0.17107, 0.24369]]]],
        [[[[0.27376, 0.23568], [0.26904, 0.22152]], [[0.22706, 0.28384], [0.22061, 0.26849]], [[0.27009, 0.22987],
        [0.27124, 0.2288]]], [[[0.21382, 0.26899], [0.21999, 0.29719]], [[0.26635, 0.22411], [0.27333, 0.23621]],
        [[0.29507, 0.22084], [0.28631, 0.19778]]]]]]]),
    "mha_gate_window": ("L.MultiHeadAttention(2, 2, use_gate=True, sliding_window=2)", [(1, 4, 3), (1, 4, 3)],
        "use_causal_mask=True",
        [[[[-0.56881, -0.15969, -0.01672], [-0.30404, -0.13285, -0.06565], [-0.27725, 0.03949, -0.01029], [-0.31955,
        0.06085, -0.00359]]]]),
}


def _run(name, layer=None):
    src, shapes, kw, _ = TF_REFERENCE[name]
    layer = layer or eval(src)
    xs = [det(s, sc) for s, sc in zip(shapes, SCALES)]
    kwargs = eval(f"dict({kw})")
    call = (lambda: layer(xs[0], *xs[1:], **kwargs)) if name.startswith("mha") else (lambda: layer(xs, **kwargs))
    call()
    layer.set_weights(det_weights(layer))
    out = call()
    return layer, call, (out if isinstance(out, tuple) else (out,))


@pytest.mark.parametrize("name", sorted(TF_REFERENCE))
def test_values_match_tensorflow(name):
    _, _, outs = _run(name)
    expected = TF_REFERENCE[name][3]
    assert len(outs) == len(expected)
    for out, ref in zip(outs, expected):
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-4, atol=2e-5)


@pytest.mark.parametrize("name", ["att_concat_causal", "additive_vmask", "mha_masks_fused", "mha_masks_scores",
                                  "mha_query_mask", "mha_gate_window"])
def test_masked_values_same_under_tf_function(name):
    layer, call, outs = _run(name)
    traced = tf.function(call)()
    for a, b in zip(tf.nest.flatten(traced), outs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-7)


# ---- every layer through the shared checker ------------------------------------------------------------

class SplitAttend(L.Layer):
    """Test adapter for check_layer (one input): query = x[:, :n_query], value (= key) = the rest."""

    def __init__(self, inner, n_query=2, call_kwargs=None, **kwargs):
        super().__init__(**kwargs)
        self.inner = L.deserialize(inner) if isinstance(inner, dict) else inner
        self.n_query = n_query
        self.call_kwargs = dict(call_kwargs or {})

    def call(self, x):
        query, value = x[:, :self.n_query], x[:, self.n_query:]
        if isinstance(self.inner, L.MultiHeadAttention):
            out = self.inner(query, value, **self.call_kwargs)
        else:
            out = self.inner([query, value], **self.call_kwargs)
        return list(out) if isinstance(out, tuple) else out  # check_layer takes several outputs as a list

    def get_config(self):
        config = super().get_config()
        config.update({"inner": L.serialize(self.inner), "n_query": self.n_query, "call_kwargs": self.call_kwargs})
        return config


def split(make_inner, **call_kwargs):
    return lambda **kw: SplitAttend(make_inner(**kw), call_kwargs=call_kwargs, **kw)


def test_attention_check_layer():
    layer, _ = check_layer(split(lambda **kw: L.Attention(**kw)), rand(2, 5, 4), (2, 2, 4), 0)
    check_layer(split(lambda **kw: L.Attention(use_scale=True, **kw), return_attention_scores=True),
                rand(2, 5, 4), [(2, 2, 4), (2, 2, 3)], 1)
    check_layer(split(lambda **kw: L.Attention(use_scale=True, score_mode="concat", **kw), use_causal_mask=True),
                rand(2, 5, 3), (2, 2, 3), 2)


def test_additive_attention_check_layer():
    layer, _ = check_layer(split(lambda **kw: L.AdditiveAttention(**kw), return_attention_scores=True),
                           rand(2, 5, 4), [(2, 2, 4), (2, 2, 3)], 1)
    assert tuple(layer.inner.scale.shape) == (4,)
    check_layer(split(lambda **kw: L.AdditiveAttention(use_scale=False, **kw)), rand(2, 4, 3), (2, 2, 3), 0)


def test_multi_head_attention_check_layer():
    check_layer(split(lambda **kw: L.MultiHeadAttention(2, 3, **kw)), rand(2, 5, 4), (2, 2, 4), 8)
    check_layer(split(lambda **kw: L.MultiHeadAttention(2, 2, value_dim=3, output_shape=(2, 3), use_bias=False,
                                                        **kw), return_attention_scores=True),
                rand(2, 5, 4), [(2, 2, 2, 3), (2, 2, 2, 3)], 4)
    check_layer(split(lambda **kw: L.MultiHeadAttention(1, 2, use_gate=True, **kw), use_causal_mask=True),
                rand(2, 4, 3), (2, 2, 3), 10)


def test_multi_head_attention_over_two_axes():
    make = split(lambda **kw: L.MultiHeadAttention(2, 2, attention_axes=(1, 2), **kw), return_attention_scores=True)
    layer, _ = check_layer(make, rand(2, 3, 2, 3), [(2, 2, 2, 3), (2, 2, 2, 2, 1, 2)], 8)
    assert layer.inner.get_config()["attention_axes"] == (1, 2)


# ---- weights and configs as TF 2.21's ------------------------------------------------------------------

def test_multi_head_attention_weights_as_keras():
    layer = L.MultiHeadAttention(2, 3, name="mha")
    layer(np.zeros((1, 4, 5), "float32"), np.zeros((1, 3, 6), "float32"), np.zeros((1, 3, 7), "float32"))
    assert [(w.path, tuple(w.shape)) for w in layer.weights] == [
        ("mha/query/kernel", (5, 2, 3)), ("mha/query/bias", (2, 3)), ("mha/key/kernel", (7, 2, 3)),
        ("mha/key/bias", (2, 3)), ("mha/value/kernel", (6, 2, 3)), ("mha/value/bias", (2, 3)),
        ("mha/attention_output/kernel", (2, 3, 5)), ("mha/attention_output/bias", (5,))]
    assert layer.get_build_config() == {"shapes_dict": {"query_shape": (1, 4, 5), "value_shape": (1, 3, 6),
                                                        "key_shape": (1, 3, 7)}}
    gated = L.MultiHeadAttention(2, 3, value_dim=4, output_shape=(2, 4), use_gate=True, use_bias=False)
    gated(np.zeros((1, 4, 5), "float32"), np.zeros((1, 3, 6), "float32"))
    assert [tuple(w.shape) for w in gated.weights] == [(5, 2, 3), (6, 2, 3), (5, 2, 4), (6, 2, 4), (2, 4, 2, 4)]
    assert [w.path.split("/")[1] for w in gated.weights] == ["query", "key", "gate", "value", "attention_output"]


def test_multi_head_attention_build_from_config():
    layer = L.MultiHeadAttention(2, 3)
    q, v = rand(2, 4, 5), rand(2, 3, 6)
    out = layer(q, v)
    clone = L.deserialize({**L.serialize(layer), "build_config": layer.get_build_config()})
    assert clone.built and [tuple(w.shape) for w in clone.weights] == [tuple(w.shape) for w in layer.weights]
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(q, v).numpy(), out.numpy(), rtol=1e-6)


KERAS_CONFIG = {
    "Attention": ["name", "trainable", "dtype", "use_scale", "score_mode", "dropout", "seed"],
    "AdditiveAttention": ["name", "trainable", "dtype", "use_scale", "dropout", "seed"],
    "MultiHeadAttention": ["name", "trainable", "dtype", "num_heads", "key_dim", "value_dim", "dropout", "use_bias",
                           "use_gate", "output_shape", "attention_axes", "sliding_window", "kernel_initializer",
                           "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
                           "kernel_constraint", "bias_constraint", "seed"],
}


def test_config_keys_and_defaults_match_keras():
    assert list(L.Attention().get_config()) == KERAS_CONFIG["Attention"]
    assert list(L.AdditiveAttention().get_config()) == KERAS_CONFIG["AdditiveAttention"]
    cfg = L.MultiHeadAttention(2, 3).get_config()
    assert list(cfg) == KERAS_CONFIG["MultiHeadAttention"]
    assert (cfg["value_dim"], cfg["dropout"], cfg["use_bias"], cfg["output_shape"], cfg["attention_axes"]) == (
        3, 0.0, True, None, None)
    assert cfg["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert L.AdditiveAttention().get_config()["use_scale"] is True
    cfg = L.MultiHeadAttention(2, 3, output_shape=4, attention_axes=2).get_config()
    assert (cfg["output_shape"], cfg["attention_axes"]) == ((4,), (2,))
    layer = L.MultiHeadAttention(2, 3)
    layer(rand(1, 4, 5), rand(1, 3, 5))
    assert layer.get_config()["attention_axes"] == (1,)  # Keras fills the default in at build


# ---- masks, dropout, the functional API ------------------------------------------------------------------

def test_attention_masks():
    q, v = rand(2, 4, 3), rand(2, 3, 3)
    layer = L.Attention()
    out, scores = layer([q, v], mask=[np.array(QM), np.array(VM)], return_attention_scores=True)
    scores = scores.numpy()
    assert np.all(scores[np.logical_not(np.array(VM))[:, None, :].repeat(4, 1)] < 1e-6)
    np.testing.assert_allclose(scores.sum(-1), 1.0, rtol=1e-6)
    assert np.all(out.numpy()[np.logical_not(np.array(QM))] == 0)
    mask = layer.compute_mask([q, v], [np.array(QM), np.array(VM)])
    assert mask.numpy().tolist() == QM
    assert layer.compute_mask([q, v], None) is None
    _, causal = L.Attention()([q, rand(2, 4, 3)], use_causal_mask=True, return_attention_scores=True)
    assert np.allclose(np.triu(causal.numpy()[0], 1), 0)


def test_multi_head_attention_causal_and_explicit_masks_agree():
    layer = L.MultiHeadAttention(2, 2)
    x = rand(2, 4, 3)
    causal = layer(x, x, use_causal_mask=True)
    explicit = layer(x, x, attention_mask=np.tril(np.ones((4, 4), bool))[None].repeat(2, 0))
    np.testing.assert_allclose(causal.numpy(), explicit.numpy(), rtol=1e-6)
    _, scores = layer(x, x, use_causal_mask=True, return_attention_scores=True)
    assert np.allclose(np.triu(scores.numpy()[0, 0], 1), 0)


def test_dropout_only_in_training():
    q, v = rand(2, 4, 3), rand(2, 5, 3)
    att = L.Attention(dropout=0.5, seed=1)
    np.testing.assert_allclose(att([q, v]).numpy(), L.Attention()([q, v]).numpy(), rtol=1e-6)
    assert not np.allclose(att([q, v], training=True).numpy(), att([q, v]).numpy())
    mha = L.MultiHeadAttention(2, 3, dropout=0.5, seed=1)
    base = mha(q, v).numpy()
    np.testing.assert_allclose(mha(q, v, training=False).numpy(), base)
    assert not np.allclose(mha(q, v, training=True).numpy(), base)
    _, scores = mha(q, v, training=True, return_attention_scores=True)
    np.testing.assert_allclose(scores.numpy().sum(-1), 1.0, rtol=1e-5)  # the scores before dropout


def test_functional_model():
    q_in, v_in = tf.keras.Input((4, 5)), tf.keras.Input((3, 6))
    mha = L.MultiHeadAttention(2, 3)
    out, scores = mha(q_in, v_in, return_attention_scores=True)
    assert tuple(out.shape) == (None, 4, 5) and tuple(scores.shape) == (None, 2, 4, 3)
    att_out, att_scores = L.Attention()([q_in, q_in], return_attention_scores=True)
    assert tuple(att_out.shape) == (None, 4, 5) and tuple(att_scores.shape) == (None, 4, 4)
    model = tf.keras.Model([q_in, v_in], [out, scores, att_out])
    q, v = rand(2, 4, 5), rand(2, 3, 6)
    got = model([q, v])
    want_out, want_scores = mha(q, v, return_attention_scores=True)
    np.testing.assert_allclose(got[0].numpy(), want_out.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1].numpy(), want_scores.numpy(), rtol=1e-5, atol=1e-6)
    model.compile("adam", ["mse", None, None])
    assert len(model.trainable_weights) == 8


# ---- errors --------------------------------------------------------------------------------------------

def test_bad_arguments():
    with pytest.raises(ValueError, match="score_mode"):
        L.Attention(score_mode="x")
    with pytest.raises(ValueError, match="num_heads"):
        L.MultiHeadAttention(0, 2)
    with pytest.raises(ValueError, match="key_dim"):
        L.MultiHeadAttention(2, 2.0)
    with pytest.raises(ValueError, match="value_dim"):
        L.MultiHeadAttention(2, 2, value_dim=-1)
    with pytest.raises(ValueError, match="attention_axes"):
        L.MultiHeadAttention(2, 2, attention_axes="x")
    with pytest.raises(ValueError, match="sliding_window"):
        L.MultiHeadAttention(2, 2, sliding_window=0)


def test_bad_inputs():
    x = rand(1, 2, 3)
    with pytest.raises(ValueError, match="must be called on a list of inputs"):
        L.Attention()(x)
    with pytest.raises(ValueError, match="length 2 or 3"):
        L.Attention()([x])
    with pytest.raises(ValueError, match="mask must be a list"):
        L.Attention()([x, x], mask=np.ones((1, 2), bool))
    with pytest.raises(ValueError, match="except the last one, must be equal"):
        L.MultiHeadAttention(2, 3)(x, rand(1, 4, 3), rand(1, 5, 3))
    with pytest.raises(ValueError, match="value"):
        L.MultiHeadAttention(2, 3)(x)
