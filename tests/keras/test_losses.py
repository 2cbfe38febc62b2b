"""tf.keras.losses: every loss vs values computed with TF 2.21 (hard-coded), per-sample functions vs NumPy
(values, finite-difference gradients, graph == eager), reductions, sample weights, masks and errors."""
import numpy as np
import pytest

import eagerflow as tf
from tests.helpers import assert_close, check_op

L = tf.keras.losses
_rng = np.random.RandomState(1)
D = {}
D["reg_t"] = _rng.randn(4, 3).astype("f")
D["reg_p"] = _rng.randn(4, 3).astype("f")
D["pos_t"] = _rng.rand(4, 3).astype("f") + 0.1
D["pos_p"] = _rng.rand(4, 3).astype("f") + 0.1
D["bin_t"] = _rng.randint(0, 2, (4, 3)).astype("f")
D["prob_p"] = _rng.rand(4, 3).astype("f")
D["oh_t"] = np.eye(3, dtype="f")[[0, 2, 1, 2]]
_sm = _rng.rand(4, 3).astype("f")
D["sm_p"] = _sm / _sm.sum(-1, keepdims=True)
D["sp_t"] = np.array([0, 2, 1, 2])
D["pm_t"] = 2 * D["bin_t"] - 1
SW = np.array([1.0, 0.5, 0.0, 2.0], "f")

CASES = {
    "mse": ("MeanSquaredError", {}, "reg_t", "reg_p"), "mae": ("MeanAbsoluteError", {}, "reg_t", "reg_p"),
    "mape": ("MeanAbsolutePercentageError", {}, "reg_t", "reg_p"),
    "msle": ("MeanSquaredLogarithmicError", {}, "pos_t", "pos_p"), "cos": ("CosineSimilarity", {}, "reg_t", "reg_p"),
    "huber": ("Huber", {"delta": 0.7}, "reg_t", "reg_p"), "logcosh": ("LogCosh", {}, "reg_t", "reg_p"),
    "hinge": ("Hinge", {}, "bin_t", "reg_p"), "hinge_pm": ("Hinge", {}, "pm_t", "reg_p"),
    "sqhinge": ("SquaredHinge", {}, "bin_t", "reg_p"), "cathinge": ("CategoricalHinge", {}, "oh_t", "reg_p"),
    "kld": ("KLDivergence", {}, "pos_t", "pos_p"), "poisson": ("Poisson", {}, "pos_t", "pos_p"),
    "bce": ("BinaryCrossentropy", {}, "bin_t", "prob_p"),
    "bce_logits": ("BinaryCrossentropy", {"from_logits": True}, "bin_t", "reg_p"),
    "bce_ls": ("BinaryCrossentropy", {"label_smoothing": 0.2}, "bin_t", "prob_p"),
    "cce": ("CategoricalCrossentropy", {}, "oh_t", "sm_p"),
    "cce_logits": ("CategoricalCrossentropy", {"from_logits": True}, "oh_t", "reg_p"),
    "cce_ls": ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "oh_t", "reg_p"),
    "scce": ("SparseCategoricalCrossentropy", {}, "sp_t", "sm_p"),
    "scce_logits": ("SparseCategoricalCrossentropy", {"from_logits": True}, "sp_t", "reg_p"),
    "scce_ignore": ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2}, "sp_t", "reg_p"),
}
# TF 2.21 results: [sum_over_batch_size, same with SW, sum, sum with SW, none, none with SW,
# mean_with_sample_weight, same with SW].
TF_REFERENCE = {
    "mse": [2.1044931, 2.1504734, 8.4179726, 8.6018934, [2.2012603, 1.0348979, 2.2402217, 2.941592], [2.2012603, 0.51744896, 0, 5.883184], 2.1044931, 2.4576838],
    "mae": [1.2756975, 1.1762598, 5.1027899, 4.705039, [1.2788019, 0.82947963, 1.4887595, 1.5057487], [1.2788019, 0.41473982, 0, 3.0114975], 1.2756975, 1.3442968],
    "mape": [174.74319, 167.2851, 698.97278, 669.14038, [157.2431, 61.430485, 239.70821, 240.59102], [157.2431, 30.715242, 0, 481.18204], 174.74319, 191.18297],
    "msle": [0.074042797, 0.054507241, 0.29617119, 0.21802896, [0.07269872, 0.11846685, 0.061957199, 0.043048408], [0.07269872, 0.059233427, 0, 0.086096816], 0.074042797, 0.062293988],
    "cos": [-0.026790239, -0.0013097152, -0.10716096, -0.0052388608, [0.39462376, -0.80222589, 0.29981601, 0.00062516332], [0.39462376, -0.40111294, 0, 0.0012503266], -0.026790239, -0.0014968173],
    "huber": [0.67696959, 0.62936068, 2.7078784, 2.5174427, [0.68733883, 0.41114125, 0.79713172, 0.81226665], [0.68733883, 0.20557062, 0, 1.6245333], 0.67696959, 0.71926934],
    "logcosh": [0.74012601, 0.70832336, 2.9605041, 2.8332934, [0.76788682, 0.41672143, 0.84737301, 0.92852288], [0.76788682, 0.20836072, 0, 1.8570458], 0.74012601, 0.80951244],
    "hinge": [0.9463824, 0.90561306, 3.7855296, 3.6224523, [0.90215725, 0.90181011, 0.84686714, 1.1346951], [0.90215725, 0.45090505, 0, 2.2693901], 0.9463824, 1.0349864],
    "hinge_pm": [0.9463824, 0.90561306, 3.7855296, 3.6224523, [0.90215725, 0.90181011, 0.84686714, 1.1346951], [0.90215725, 0.45090505, 0, 2.2693901], 0.9463824, 1.0349864],
    "sqhinge": [1.4309846, 1.4597566, 5.7239385, 5.8390265, [1.2214646, 1.4037424, 1.1408862, 1.9578453], [1.2214646, 0.70187122, 0, 3.9156907], 1.4309846, 1.6682932],
    "cathinge": [1.6089182, 1.6698936, 6.4356728, 6.6795745, [2.4561865, 1.8778584, 0.45939851, 1.6422293], [2.4561865, 0.9389292, 0, 3.2844586], 1.6089182, 1.9084499],
    "kld": [0.92550296, 0.46756956, 3.7020118, 1.8702782, [1.239349, 2.1089437, 0.56549037, -0.21177132], [1.239349, 1.0544719, 0, -0.42354265], 0.92550296, 0.53436524],
    "poisson": [0.99862629, 0.80103338, 3.9945052, 3.2041335, [0.98110265, 1.2770398, 0.94410706, 0.79225558], [0.98110265, 0.63851988, 0, 1.5845112], 0.99862629, 0.91546673],
    "bce": [0.72261995, 0.70239776, 2.8904798, 2.8095911, [0.23069191, 0.17060648, 1.2423835, 1.2467979], [0.23069191, 0.08530324, 0, 2.4935958], 0.72261995, 0.80274028],
    "bce_logits": [0.7211175, 0.67500597, 2.88447, 2.7000239, [0.68326712, 0.70782346, 0.66195673, 0.83142251], [0.68326712, 0.35391173, 0, 1.662845], 0.7211175, 0.77143538],
    "bce_ls": [0.77646005, 0.72368443, 3.1058402, 2.8947377, [0.41140628, 0.34030262, 1.1975411, 1.1565901], [0.41140628, 0.17015131, 0, 2.3131802], 0.77646005, 0.82706791],
    "cce": [0.69864517, 0.5873524, 2.7945807, 2.3494096, [0.93852788, 0.52516747, 0.75673652, 0.57414895], [0.93852788, 0.26258373, 0, 1.1482979], 0.69864517, 0.67125988],
    "cce_logits": [1.3051462, 1.3648506, 5.2205849, 5.4594026, [1.8293433, 1.341717, 0.56992406, 1.4796004], [1.8293433, 0.6708585, 0, 2.9592009], 1.3051462, 1.5598294],
    "cce_ls": [1.2993526, 1.3338599, 5.1974106, 5.3354397, [1.7828584, 1.3256038, 0.64405859, 1.4448897], [1.7828584, 0.66280192, 0, 2.8897793], 1.2993526, 1.5244113],
    "scce": [0.69864517, 0.5873524, 2.7945807, 2.3494096, [0.93852776, 0.52516752, 0.75673658, 0.57414895], [0.93852776, 0.26258376, 0, 1.1482979], 0.69864517, 0.67125988],
    "scce_logits": [1.3051462, 1.3648506, 5.2205849, 5.4594026, [1.8293433, 1.341717, 0.56992406, 1.4796004], [1.8293433, 0.6708585, 0, 2.9592009], 1.3051462, 1.5598294],
    "scce_ignore": [1.1996337, 0.91467166, 2.3992674, 1.8293433, [1.8293433, 0, 0.56992406, 0], [1.8293433, 0, 0, 0], 1.1996337, 1.8293433],
}
REDUCTIONS = [("sum_over_batch_size", False), ("sum_over_batch_size", True), ("sum", False), ("sum", True),
              ("none", False), ("none", True), ("mean_with_sample_weight", False), ("mean_with_sample_weight", True)]


@pytest.mark.parametrize("key", sorted(CASES))
def test_loss_classes_match_tensorflow(key):
    cls, kwargs, t, p = CASES[key]
    for (reduction, weighted), expected in zip(REDUCTIONS, TF_REFERENCE[key]):
        loss = getattr(L, cls)(reduction=reduction, **kwargs)
        value = loss(D[t], D[p], sample_weight=SW if weighted else None)
        assert value.dtype == tf.float32
        assert_close(value, np.asarray(expected, dtype=np.float32), rtol=2e-6, atol=1e-6)


# ---- per-sample functions vs NumPy ---------------------------------------------------------------------------

def _np_log_softmax(x):
    s = x - x.max(-1, keepdims=True)
    return s - np.log(np.exp(s).sum(-1, keepdims=True))


NP_REFS = {
    "mean_squared_error": (lambda t, p: np.mean((t - p) ** 2, -1), "reg_t", "reg_p"),
    "mean_absolute_error": (lambda t, p: np.mean(np.abs(t - p), -1), "reg_t", "reg_p"),
    "huber": (lambda t, p: np.mean(np.where(np.abs(p - t) <= 1, 0.5 * (p - t) ** 2, np.abs(p - t) - 0.5), -1),
              "reg_t", "reg_p"),
    "log_cosh": (lambda t, p: np.mean(np.log(np.cosh(p - t)), -1), "reg_t", "reg_p"),
    "kl_divergence": (lambda t, p: np.sum(np.clip(t, 1e-7, 1) * np.log(np.clip(t, 1e-7, 1) / np.clip(p, 1e-7, 1)), -1),
                      "pos_t", "pos_p"),
    "poisson": (lambda t, p: np.mean(p - t * np.log(p + 1e-7), -1), "pos_t", "pos_p"),
    "cosine_similarity": (lambda t, p: -np.sum(t * p, -1) / np.linalg.norm(t, axis=-1) / np.linalg.norm(p, axis=-1),
                          "reg_t", "reg_p"),
    "hinge": (lambda t, p: np.mean(np.maximum(1 - (2 * t - 1) * p, 0), -1), "bin_t", "reg_p"),
    "categorical_hinge": (lambda t, p: np.maximum(np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0),
                          "oh_t", "reg_p"),
}


@pytest.mark.parametrize("name", sorted(NP_REFS))
def test_loss_functions_vs_numpy(name):
    ref, t, p = NP_REFS[name]
    fn = getattr(L, name)
    check_op(lambda yt, yp: fn(yt, yp), D[t].astype(np.float64), D[p].astype(np.float64), ref=ref, wrt=(1,),
             rtol=1e-6, atol=1e-7, grad_rtol=1e-4, grad_atol=1e-6)


def test_crossentropies_from_logits_vs_numpy_with_gradients():
    logits = D["reg_p"].astype(np.float64)
    onehot = D["oh_t"].astype(np.float64)
    check_op(lambda t, x: L.categorical_crossentropy(t, x, from_logits=True), onehot, logits,
             ref=lambda t, x: -np.sum(t * _np_log_softmax(x), -1), wrt=(1,))
    check_op(lambda x: L.sparse_categorical_crossentropy(D["sp_t"], x, from_logits=True), logits,
             ref=lambda x: -_np_log_softmax(x)[np.arange(4), D["sp_t"]])
    labels = D["bin_t"].astype(np.float64)
    check_op(lambda t, x: L.binary_crossentropy(t, x, from_logits=True), labels, logits, wrt=(1,),
             ref=lambda t, x: np.mean(np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x))), -1))


def test_probabilities_from_softmax_use_its_logits():
    # A Softmax output (eager: `_keras_logits`; graph: the producing node) is differentiated through its
    # logits, so extreme logits stay finite as in Keras.
    logits = tf.constant([[100.0, -100.0]])
    probs = tf.nn.softmax(logits)
    probs._keras_logits = logits
    assert np.isfinite(float(L.categorical_crossentropy([[0.0, 1.0]], probs)[0]))
    graph = tf.function(lambda x: L.categorical_crossentropy(tf.constant([[0.0, 1.0]]), tf.nn.softmax(x)))
    assert float(graph(logits)[0]) == pytest.approx(200.0)
    sig = tf.function(lambda x: L.binary_crossentropy(tf.constant([[0.0]]), tf.sigmoid(x)))
    assert float(sig(tf.constant([[50.0]]))[0]) == pytest.approx(50.0)


def test_rank_adjustment_and_dtypes():
    # (batch,) labels against (batch, 1) predictions line up, as in Keras.
    assert float(L.MeanSquaredError()([1.0, 2.0], [[1.0], [4.0]])) == 2.0
    assert L.mean_squared_error(np.ones((2, 3)), np.zeros((2, 3))).dtype == tf.float64
    assert L.MeanSquaredError()(np.ones((2, 3)), np.zeros((2, 3))).dtype == tf.float32  # losses compute in floatx
    assert float(L.SparseCategoricalCrossentropy()(np.array([[1]]), [[0.5, 0.5]])) == pytest.approx(np.log(2), 1e-6)


def test_mask_on_predictions_is_respected():
    y_pred = tf.constant([[1.0], [2.0], [3.0]])
    y_pred._keras_mask = tf.constant([True, False, True])
    # masked samples count neither in the sum nor in the batch size
    assert float(L.MeanAbsoluteError()([[0.0], [0.0], [0.0]], y_pred)) == pytest.approx(2.0)


def test_config_round_trip_and_names():
    loss = L.Huber(delta=0.3, reduction="sum", name="h")
    again = L.Huber.from_config(loss.get_config())
    assert again.get_config() == {"name": "h", "reduction": "sum", "delta": 0.3}
    assert L.SparseCategoricalCrossentropy().name == "sparse_categorical_crossentropy"
    assert L.Huber().name == "huber_loss"
    assert L.BinaryCrossentropy(from_logits=True).get_config()["from_logits"] is True
    wrapper = L.LossFunctionWrapper(L.mae, name="x")
    assert L.LossFunctionWrapper.from_config(wrapper.get_config()).fn is L.mean_absolute_error


def test_get_and_aliases():
    assert L.get("mse") is L.mean_squared_error and L.get("MAE") is L.mean_absolute_error
    assert L.get("kld") is L.kl_divergence and L.get("bce") is L.binary_crossentropy
    assert isinstance(L.get("CategoricalCrossentropy"), L.CategoricalCrossentropy)
    cfg = {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}
    assert L.get(cfg).get_config()["from_logits"] is True
    assert L.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret loss identifier: msex"):
        L.get("msex")
    assert L.serialize(L.Huber())["class_name"] == "Huber"
    assert isinstance(L.deserialize(L.serialize(L.Huber(0.5))), L.Huber)


def test_errors():
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        L.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="must have the same shape"):
        L.categorical_crossentropy(np.ones((2, 3), "f"), np.ones((2, 4), "f"))
    with pytest.raises(ValueError, match="must have the same rank"):
        L.binary_crossentropy(np.ones((2, 3), "f"), np.ones((2, 3, 1), "f"))
    with pytest.raises(ValueError, match="must have rank"):
        L.sparse_categorical_crossentropy(np.zeros((2, 2)), np.ones((2, 3), "f"))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"label value of 3 which is outside the valid range "
                                                              r"of \[0, 3\)"):
        L.sparse_categorical_crossentropy(np.array([0, 3]), np.ones((2, 3), "f"), from_logits=True)
