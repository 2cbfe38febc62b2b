"""tf.keras.metrics: every metric vs values computed with TF 2.21 (hard-coded), accuracy functions vs NumPy,
state handling (accumulate, reset, variables), metric updates inside tf.function, get and errors."""
import numpy as np
import pytest

import eagerflow as tf
from tests.helpers import assert_close

M = tf.keras.metrics
_rng = np.random.RandomState(2)
YT_BIN = _rng.randint(0, 2, (6, 1)).astype("f")
YP_PROB = _rng.rand(6, 1).astype("f")
YT_OH = np.eye(4, dtype="f")[_rng.randint(0, 4, 6)]
YP_SM = _rng.rand(6, 4).astype("f")
YT_SP = _rng.randint(0, 4, 6)
YT_REG = _rng.randn(6, 3).astype("f")
YP_REG = _rng.randn(6, 3).astype("f")
YT_ML = _rng.randint(0, 2, (6, 3)).astype("f")
YP_ML = _rng.rand(6, 3).astype("f")
SW = np.array([1.0, 0.5, 0.0, 2.0, 1.0, 3.0], "f")

CASES = {
    "mean": (lambda: M.Mean(), (YT_REG[:, 0],)), "sum": (lambda: M.Sum(), (YT_REG,)),
    "acc": (lambda: M.Accuracy(), (YT_SP, np.array([0, 1, 2, 3, 0, 1]))),
    "binacc": (lambda: M.BinaryAccuracy(), (YT_BIN, YP_PROB)),
    "binacc_t": (lambda: M.BinaryAccuracy(threshold=0.3), (YT_BIN, YP_PROB)),
    "catacc": (lambda: M.CategoricalAccuracy(), (YT_OH, YP_SM)),
    "spcatacc": (lambda: M.SparseCategoricalAccuracy(), (YT_SP, YP_SM)),
    "spcatacc_col": (lambda: M.SparseCategoricalAccuracy(), (YT_SP[:, None], YP_SM)),
    "top2": (lambda: M.TopKCategoricalAccuracy(k=2), (YT_OH, YP_SM)),
    "sptop2": (lambda: M.SparseTopKCategoricalAccuracy(k=2), (YT_SP, YP_SM)),
    "mse": (lambda: M.MeanSquaredError(), (YT_REG, YP_REG)), "rmse": (lambda: M.RootMeanSquaredError(), (YT_REG, YP_REG)),
    "mae": (lambda: M.MeanAbsoluteError(), (YT_REG, YP_REG)), "cos": (lambda: M.CosineSimilarity(), (YT_REG, YP_REG)),
    "prec": (lambda: M.Precision(), (YT_BIN, YP_PROB)), "rec": (lambda: M.Recall(), (YT_BIN, YP_PROB)),
    "prec_th": (lambda: M.Precision(thresholds=[0.2, 0.5, 0.8]), (YT_BIN, YP_PROB)),
    "prec_topk": (lambda: M.Precision(top_k=2), (YT_ML, YP_ML)),
    "rec_cls": (lambda: M.Recall(class_id=1), (YT_ML, YP_ML)),
    "tp": (lambda: M.TruePositives(), (YT_BIN, YP_PROB)),
    "fn": (lambda: M.FalseNegatives(thresholds=[0.3, 0.6]), (YT_BIN, YP_PROB)),
    "auc": (lambda: M.AUC(), (YT_BIN, YP_PROB)), "auc_pr": (lambda: M.AUC(curve="PR"), (YT_BIN, YP_PROB)),
    "auc_min": (lambda: M.AUC(summation_method="minoring", num_thresholds=11), (YT_BIN, YP_PROB)),
    "auc_ml": (lambda: M.AUC(multi_label=True), (YT_ML, YP_ML)), "auc_flat": (lambda: M.AUC(), (YT_ML, YP_ML)),
    "auc_logits": (lambda: M.AUC(from_logits=True), (YT_BIN, YP_REG[:, :1])),
    "bce": (lambda: M.BinaryCrossentropy(), (YT_BIN, YP_PROB)),
    "scce": (lambda: M.SparseCategoricalCrossentropy(from_logits=True), (YT_SP, YP_SM[:, :3])),
}
# TF 2.21: (result after two updates of 3 samples, result of one sample-weighted update of all 6,
# result after reset_state, variable names).
TF_REFERENCE = {
    "mean": (0.024229577, 0.34476891, 0, ['total', 'count']),
    "sum": (-0.88054621, -1.8572785, 0, ['total']),
    "acc": (0.33333334, 0.53333336, 0, ['total', 'count']),
    "binacc": (0.33333334, 0.40000001, 0, ['total', 'count']),
    "binacc_t": (0.5, 0.33333334, 0, ['total', 'count']),
    "catacc": (0.33333334, 0.06666667, 0, ['total', 'count']),
    "spcatacc": (0.16666667, 0.26666668, 0, ['total', 'count']),
    "spcatacc_col": (0.16666667, 0.26666668, 0, ['total', 'count']),
    "top2": (0.5, 0.2, 0, ['total', 'count']),
    "sptop2": (0.5, 0.46666667, 0, ['total', 'count']),
    "mse": (2.6300623, 2.2881408, 0, ['total', 'count']),
    "rmse": (1.6217467, 1.5126601, 0, ['total', 'count']),
    "mae": (1.2947743, 1.2328626, 0, ['total', 'count']),
    "cos": (-0.12318889, -0.18916684, 0, ['total', 'count']),
    "prec": (0, 0, 0, ['true_positives', 'false_positives']),
    "rec": (0, 0, 0, ['true_positives', 'false_negatives']),
    "prec_th": ([0.5, 0, 0], [0.46666667, 0, 0], [0, 0, 0], ['true_positives', 'false_positives']),
    "prec_topk": (0.41666666, 0.46666667, 0, ['true_positives', 'false_positives']),
    "rec_cls": (1, 1, 0, ['true_positives', 'false_negatives']),
    "tp": (0, 0, 0, ['accumulator']),
    "fn": ([1, 3], [3, 3.5], [0, 0], ['accumulator']),
    "auc": (0.33333331, 0.5, 0, ['true_positives', 'false_positives', 'true_negatives', 'false_negatives']),
    "auc_pr": (0.38913953, 0.42194232, 0, ['true_positives', 'false_positives', 'true_negatives', 'false_negatives']),
    "auc_min": (0.22222221, 0.071428575, 0, ['true_positives', 'false_positives', 'true_negatives', 'false_negatives']),
    "auc_ml": (0.57407409, 0.969697, 0, ['true_positives', 'false_positives', 'true_negatives', 'false_negatives']),
    "auc_flat": (0.54999995, 0.73809522, 0, ['true_positives', 'false_positives', 'true_negatives', 'false_negatives']),
    "auc_logits": (0.33333331, 0.21428572, 0, ['true_positives', 'false_positives', 'true_negatives', 'false_negatives']),
    "bce": (0.82425624, 0.80583954, 0, ['total', 'count']),
    "scce": (1.1229124, 1.0688703, 0, ['total', 'count']),
}


@pytest.mark.parametrize("key", sorted(CASES))
def test_metrics_match_tensorflow(key):
    make, args = CASES[key]
    two_updates, weighted, after_reset, names = TF_REFERENCE[key]
    m = make()
    m.update_state(*[a[:3] for a in args])
    m.update_state(*[a[3:] for a in args])
    assert_close(m.result(), np.asarray(two_updates, "f"), rtol=2e-6, atol=1e-6)
    m2 = make()
    m2.update_state(*args, sample_weight=SW)
    assert_close(m2.result(), np.asarray(weighted, "f"), rtol=2e-6, atol=1e-6)
    m.reset_state()
    assert_close(m.result(), np.asarray(after_reset, "f"))
    assert [v.name for v in m.variables] == names
    assert all(isinstance(v, tf.Variable) and not v.trainable for v in m.variables)


@pytest.mark.parametrize("key", ["binacc", "spcatacc", "top2", "rmse", "prec_topk", "auc", "auc_ml", "rec_cls"])
def test_updates_inside_tf_function_equal_eager(key):
    make, args = CASES[key]
    eager, graph = make(), make()
    eager.update_state(*args, sample_weight=SW)
    step = tf.function(lambda *a: graph.update_state(*a, sample_weight=tf.constant(SW)))
    step(*[tf.constant(a) for a in args])
    assert_close(graph.result(), eager.result().numpy(), rtol=1e-6)


def test_accuracy_functions_vs_numpy():
    assert_close(M.binary_accuracy(YT_BIN, YP_PROB), (YT_BIN == (YP_PROB > 0.5)).astype("f"))
    assert_close(M.categorical_accuracy(YT_OH, YP_SM), (YT_OH.argmax(-1) == YP_SM.argmax(-1)).astype("f"))
    assert_close(M.sparse_categorical_accuracy(YT_SP, YP_SM), (YT_SP == YP_SM.argmax(-1)).astype("f"))
    top2 = np.argsort(-YP_SM, axis=-1)[:, :2]
    assert_close(M.sparse_top_k_categorical_accuracy(YT_SP, YP_SM, k=2),
                 np.array([YT_SP[i] in top2[i] for i in range(6)], "f"))
    # ties at the top-k boundary count as hits, as TF's in_top_k
    assert_close(M.sparse_top_k_categorical_accuracy([2], [[0.5, 0.5, 0.5]], k=1), [1.0])


def test_mean_sum_semantics():
    m = M.Mean()
    m.update_state([[1.0, 3.0], [5.0, 7.0]])  # per-sample means, then the mean over samples
    assert float(m.result()) == 4.0
    m.update_state(10.0, sample_weight=2.0)
    assert float(m.result()) == pytest.approx((2.0 + 6.0 + 20.0) / 4.0)
    assert float(M.Sum()([1.0, 2.0], sample_weight=[2.0, 0.0])) == 2.0
    assert float(M.Mean()([])) == 0.0  # empty: divide_no_nan


def test_names_config_and_repr():
    tf.keras.backend.clear_session()
    assert repr(M.Mean(name="loss")) == "<Mean name=loss>"
    assert M.AUC().name == "auc" and M.AUC().name == "auc_1"
    assert M.Precision().name == "precision"
    assert M.SparseCategoricalAccuracy().get_config() == {"name": "sparse_categorical_accuracy", "dtype": "float32"}
    auc = M.AUC(num_thresholds=5, curve="PR")
    again = M.AUC.from_config(auc.get_config())
    assert again.thresholds == auc.thresholds and again.curve == "PR"
    assert M.TopKCategoricalAccuracy.from_config(M.TopKCategoricalAccuracy(k=3).get_config()).k == 3
    wrapper = M.MeanMetricWrapper(M.binary_accuracy, name="acc", threshold=0.2)
    assert M.MeanMetricWrapper.from_config(wrapper.get_config())._fn_kwargs == {"threshold": 0.2}


def test_custom_metric_tracks_variables_and_submetrics():
    class Both(M.Metric):
        def __init__(self):
            super().__init__(name="both")
            self.inner = M.Mean(name="inner")
            self.total = self.add_weight((), initializer="zeros", name="total")

        def update_state(self, values):
            self.inner.update_state(values)
            self.total.assign_add(tf.reduce_sum(tf.cast(values, tf.float32)))

        def result(self):
            return self.total + self.inner.result()

    b = Both()
    assert float(b([1.0, 3.0])) == 6.0
    assert [v.name for v in b.variables] == ["total", "total", "count"]
    b.reset_state()
    assert float(b.result()) == 0.0


def test_get():
    assert isinstance(M.get("mse"), M.MeanSquaredError) and isinstance(M.get("auc"), M.AUC)
    assert isinstance(M.get("accuracy"), M.Accuracy) and isinstance(M.get("Precision"), M.Precision)
    assert isinstance(M.get("binary_accuracy"), M.BinaryAccuracy) and isinstance(M.get("hinge"), M.Hinge)
    m = M.Recall()
    assert M.get(m) is m
    with pytest.raises(ValueError, match="Could not interpret metric identifier: accx"):
        M.get("accx")
    assert M.serialize(M.AUC())["class_name"] == "AUC"


def test_errors():
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]"):
        M.Precision(thresholds=[1.5])
    with pytest.raises(ValueError, match="num_thresholds"):
        M.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="Invalid AUC curve"):
        M.AUC(curve="XY")
    with pytest.raises(ValueError, match="class_id"):
        M.Precision(class_id=0).update_state([1.0, 0.0], [0.2, 0.8])
    with pytest.raises(RuntimeError, match="super"):
        class Bad(M.Metric):
            def __init__(self):
                self.add_variable((), "zeros", name="x")
        Bad()
