"""F1Score/FBetaScore, R2Score, the IoU family and the "rate at fixed rate" metrics vs TF 2.21 (Keras 3).

TF_REFERENCE holds `result()` after two `update_state` calls on the inputs below, measured with
tensorflow-cpu 2.21.0.
"""
import warnings

import numpy as np
import pytest

import eagerflow as tf

K = tf.keras.metrics

Y_TRUE = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]], "float32")
Y_PRED = np.array([[0.9, 0.2, 0.6], [0.1, 0.7, 0.3], [0.4, 0.45, 0.2], [0.3, 0.1, 0.8]], "float32")
SW4 = np.array([1.0, 0.5, 2.0, 1.5], "float32")
R_TRUE = np.array([[1.0, 2.0], [2.0, 3.5], [3.0, 1.0], [4.0, 5.0], [0.5, 0.0]], "float32")
R_PRED = np.array([[1.2, 2.1], [1.8, 3.0], [3.3, 1.4], [3.6, 4.5], [0.4, 0.9]], "float32")
SW5 = np.array([1.0, 2.0, 0.5, 1.0, 1.5], "float32")
L_TRUE = np.array([0, 1, 2, 1, 0, 2, 2, 1])
L_PRED = np.array([0, 2, 2, 1, 1, 2, 0, 1])
SW8 = np.array([1, 2, 1, 1, 3, 1, 2, 1])
ONE_HOT = np.eye(3, dtype="float32")[L_TRUE]
SCORES = ((np.arange(24).reshape(8, 3) * 7 % 11) / 11.0).astype("float32")
B_TRUE = np.array([0, 1, 1, 0, 1, 0], "float32"); B_PRED = np.array([0.2, 0.6, 0.4, 0.7, 0.9, 0.5], "float32")
S_TRUE = np.array([0, 0, 1, 1, 1, 0, 1, 0, 1, 1], "float32")
S_PRED = np.array([0.1, 0.35, 0.4, 0.8, 0.65, 0.55, 0.2, 0.05, 0.9, 0.72], "float32")
S_W = np.array([1, 2, 1, 0.5, 1, 1, 2, 1, 1, 3], "float32")
METRIC_CASES = {
    "f1_none": (lambda K: K.F1Score(), (Y_TRUE, Y_PRED), {}),
    "f1_micro_t": (lambda K: K.F1Score(average="micro", threshold=0.5), (Y_TRUE, Y_PRED), {"sample_weight": SW4}),
    "f1_macro": (lambda K: K.F1Score(average="macro"), (Y_TRUE, Y_PRED), {}),
    "f1_weighted_t": (lambda K: K.F1Score(average="weighted", threshold=0.5), (Y_TRUE, Y_PRED), {"sample_weight": SW4}),
    "fbeta_none": (lambda K: K.FBetaScore(beta=2.0, threshold=0.42), (Y_TRUE, Y_PRED), {"sample_weight": SW4}),
    "fbeta_weighted": (lambda K: K.FBetaScore(average="weighted", beta=0.5), (Y_TRUE, Y_PRED), {}),
    "r2_none": (lambda K: K.R2Score(class_aggregation=None), (R_TRUE, R_PRED), {}),
    "r2_uniform_sw": (lambda K: K.R2Score(), (R_TRUE, R_PRED), {"sample_weight": SW5}),
    "r2_variance_sw": (lambda K: K.R2Score(class_aggregation="variance_weighted_average"), (R_TRUE, R_PRED),
                       {"sample_weight": SW5}),
    "r2_adjusted": (lambda K: K.R2Score(num_regressors=2), (R_TRUE, R_PRED), {}),
    "iou": (lambda K: K.IoU(3, [0, 2]), (L_TRUE, L_PRED), {}),
    "iou_sw": (lambda K: K.IoU(3, [1, 2]), (L_TRUE, L_PRED), {"sample_weight": SW8}),
    "iou_ignore": (lambda K: K.IoU(3, [0, 1, 2], ignore_class=1), (L_TRUE, L_PRED), {}),
    "mean_iou": (lambda K: K.MeanIoU(3), (L_TRUE, L_PRED), {}),
    "mean_iou_f32": (lambda K: K.MeanIoU(3, dtype="float32"), (L_TRUE, L_PRED),
                     {"sample_weight": SW8.astype("float32") * 0.5}),
    "binary_iou": (lambda K: K.BinaryIoU(), (B_TRUE, B_PRED), {}),
    "binary_iou_t": (lambda K: K.BinaryIoU(target_class_ids=[1], threshold=0.45), (B_TRUE, B_PRED), {}),
    "one_hot_iou": (lambda K: K.OneHotIoU(3, [0, 2]), (ONE_HOT, SCORES), {}),
    "one_hot_mean_iou": (lambda K: K.OneHotMeanIoU(3), (ONE_HOT, SCORES), {}),
    "p_at_r": (lambda K: K.PrecisionAtRecall(0.6, num_thresholds=7), (S_TRUE, S_PRED), {"sample_weight": S_W}),
    "p_at_r_1": (lambda K: K.PrecisionAtRecall(0.6, num_thresholds=1), (S_TRUE, S_PRED), {}),
    "r_at_p": (lambda K: K.RecallAtPrecision(0.7, num_thresholds=1), (S_TRUE, S_PRED), {}),
    "r_at_p_cls": (lambda K: K.RecallAtPrecision(0.9, num_thresholds=5, class_id=2), (Y_TRUE, Y_PRED), {}),
    "sens_at_spec": (lambda K: K.SensitivityAtSpecificity(0.5, num_thresholds=7), (S_TRUE, S_PRED),
                     {"sample_weight": S_W}),
    "spec_at_sens": (lambda K: K.SpecificityAtSensitivity(0.8, num_thresholds=7), (S_TRUE, S_PRED),
                     {"sample_weight": S_W}),
    "spec_at_sens_200": (lambda K: K.SpecificityAtSensitivity(0.8), (S_TRUE, S_PRED), {}),
}

TF_REFERENCE = {'binary_iou': 0.32499998807907104,
                'binary_iou_t': 0.3999999463558197,
                'f1_macro': 0.7777777314186096,
                'f1_micro_t': 0.6666666269302368,
                'f1_none': [0.6666666269302368, 1.0, 0.6666666269302368],
                'f1_weighted_t': 0.6041666269302368,
                'fbeta_none': [0.38461539149284363, 1.0, 1.0],
                'fbeta_weighted': 0.8888887763023376,
                'iou': 0.4166666865348816,
                'iou_ignore': 0.3333333432674408,
                'iou_sw': 0.3095238208770752,
                'mean_iou': 0.4444444477558136,
                'mean_iou_f32': 0.2619047462940216,
                'one_hot_iou': 0.20000000298023224,
                'one_hot_mean_iou': 0.13333334028720856,
                'p_at_r': 0.8461538553237915,
                'p_at_r_1': 0.800000011920929,
                'r2_adjusted': 0.9244838356971741,
                'r2_none': [0.9585365653038025, 0.9063291549682617],
                'r2_uniform_sw': 0.9264427423477173,
                'r2_variance_sw': 0.9136613607406616,
                'r_at_p': 0.6666666865348816,
                'r_at_p_cls': 1.0,
                'sens_at_spec': 0.6470588445663452,
                'spec_at_sens': 0.4000000059604645,
                'spec_at_sens_200': 0.75}

# Variable paths (and shapes) TF creates, in order.
TF_VARIABLES = {
    "F1Score": ["f1_score/true_positives", "f1_score/false_positives", "f1_score/false_negatives",
                "f1_score/intermediate_weights"],
    "R2Score": ["r2_score/num_samples", "r2_score/squared_sum", "r2_score/sum", "r2_score/residual", "r2_score/count"],
    "MeanIoU": ["mean_io_u/total_confusion_matrix"],
    "PrecisionAtRecall": ["precision_at_recall/true_positives", "precision_at_recall/false_positives",
                          "precision_at_recall/true_negatives", "precision_at_recall/false_negatives"],
}

# get_config() of fresh instances in TF (names without the unique suffix).
TF_CONFIGS = {
    "F1Score": {"name": "f1_score", "dtype": "float32", "average": None, "threshold": None},
    "FBetaScore": {"name": "fbeta_score", "dtype": "float32", "average": None, "beta": 1.0, "threshold": None},
    "R2Score": {"name": "r2_score", "dtype": "float32", "class_aggregation": "uniform_average", "num_regressors": 0},
    "MeanIoU": {"num_classes": 3, "name": "mean_io_u", "dtype": "int64", "ignore_class": None, "sparse_y_true": True,
                "sparse_y_pred": True, "axis": -1},
    "IoU": {"name": "io_u", "dtype": "int64", "num_classes": 3, "target_class_ids": [0], "ignore_class": None,
            "sparse_y_true": True, "sparse_y_pred": True, "axis": -1},
    "BinaryIoU": {"target_class_ids": [0, 1], "threshold": 0.5, "name": "binary_io_u", "dtype": "int64"},
    "OneHotIoU": {"num_classes": 3, "target_class_ids": [0], "name": "one_hot_io_u", "dtype": "int64",
                  "ignore_class": None, "sparse_y_pred": False, "axis": -1},
    "OneHotMeanIoU": {"num_classes": 3, "name": "one_hot_mean_io_u", "dtype": "int64", "ignore_class": None,
                      "sparse_y_pred": False, "axis": -1},
    "PrecisionAtRecall": {"name": "precision_at_recall", "dtype": "float32", "class_id": None, "num_thresholds": 200,
                          "recall": 0.6},
    "RecallAtPrecision": {"name": "recall_at_precision", "dtype": "float32", "class_id": None, "num_thresholds": 200,
                          "precision": 0.7},
    "SensitivityAtSpecificity": {"name": "sensitivity_at_specificity", "dtype": "float32", "class_id": None,
                                 "num_thresholds": 200, "specificity": 0.5},
    "SpecificityAtSensitivity": {"name": "specificity_at_sensitivity", "dtype": "float32", "class_id": None,
                                 "num_thresholds": 200, "sensitivity": 0.8},
}

FRESH = {"F1Score": lambda: K.F1Score(name="f1_score"), "FBetaScore": lambda: K.FBetaScore(name="fbeta_score"),
         "R2Score": lambda: K.R2Score(name="r2_score"), "MeanIoU": lambda: K.MeanIoU(3, name="mean_io_u"),
         "IoU": lambda: K.IoU(3, [0], name="io_u"), "BinaryIoU": lambda: K.BinaryIoU(name="binary_io_u"),
         "OneHotIoU": lambda: K.OneHotIoU(3, [0], name="one_hot_io_u"),
         "OneHotMeanIoU": lambda: K.OneHotMeanIoU(3, name="one_hot_mean_io_u"),
         "PrecisionAtRecall": lambda: K.PrecisionAtRecall(0.6, name="precision_at_recall"),
         "RecallAtPrecision": lambda: K.RecallAtPrecision(0.7, name="recall_at_precision"),
         "SensitivityAtSpecificity": lambda: K.SensitivityAtSpecificity(0.5, name="sensitivity_at_specificity"),
         "SpecificityAtSensitivity": lambda: K.SpecificityAtSensitivity(0.8, name="specificity_at_sensitivity")}


def _run_twice(metric, args, kwargs):
    metric.update_state(*args, **kwargs)
    metric.update_state(*args, **kwargs)
    return np.asarray(metric.result())


@pytest.mark.parametrize("case", sorted(METRIC_CASES))
def test_values_match_tf(case):
    make, args, kwargs = METRIC_CASES[case]
    np.testing.assert_allclose(_run_twice(make(K), args, kwargs), TF_REFERENCE[case], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", sorted(METRIC_CASES))
def test_tf_function_matches_eager(case):
    make, args, kwargs = METRIC_CASES[case]
    eager = _run_twice(make(K), args, kwargs)
    metric = make(K)
    tensors = [tf.constant(a) for a in args]
    weights = {k: tf.constant(v) for k, v in kwargs.items()}

    @tf.function
    def step(*inputs):
        metric.update_state(*inputs, **weights)
        return metric.result()

    step(*tensors)
    np.testing.assert_array_equal(np.asarray(step(*tensors)), eager)
    metric.reset_state()
    assert all(not np.any(v.numpy()) for v in metric.variables)


@pytest.mark.parametrize("cls", sorted(TF_CONFIGS))
def test_config_matches_tf_and_round_trips(cls):
    metric = FRESH[cls]()
    config = metric.get_config()
    assert config == TF_CONFIGS[cls]
    assert list(config) == list(TF_CONFIGS[cls])  # same key order as Keras
    clone = type(metric).from_config(config)
    assert clone.get_config() == config


@pytest.mark.parametrize("cls", sorted(TF_VARIABLES))
def test_variable_names_match_tf(cls):
    metric = FRESH[cls]()
    if cls == "F1Score":
        metric.update_state(Y_TRUE, Y_PRED)
    elif cls == "R2Score":
        metric.update_state(R_TRUE, R_PRED)
    assert [v.path for v in metric.variables] == TF_VARIABLES[cls]
    assert all(not v.trainable for v in metric.variables)


def test_variable_shapes_and_dtypes():
    micro = K.F1Score(average="micro")
    micro.update_state(Y_TRUE, Y_PRED)
    assert [v.shape.as_list() for v in micro.variables] == [[]] * 4
    assert [v.shape.as_list() for v in K.MeanIoU(3).variables] == [[3, 3]]
    assert K.MeanIoU(3).variables[0].dtype == tf.int64
    assert K.MeanIoU(3, dtype="float32").variables[0].dtype == tf.float32
    assert [v.shape.as_list() for v in K.PrecisionAtRecall(0.5, num_thresholds=7).variables] == [[7]] * 4


def test_adjusted_r2_falls_back_with_warning():
    metric = K.R2Score(num_regressors=4)  # 5 samples: n - 1 == p
    metric.update_state(R_TRUE[:, :1], R_PRED[:, :1])
    with pytest.warns(UserWarning, match="Division by zero in Adjusted R2 score"):
        value = float(metric.result())
    plain = K.R2Score()
    plain.update_state(R_TRUE[:, :1], R_PRED[:, :1])
    assert value == float(plain.result())


def test_adjusted_r2_under_tf_function():
    metric = K.R2Score(num_regressors=2)

    @tf.function
    def step(a, b):
        metric.update_state(a, b)
        return metric.result()

    step(tf.constant(R_TRUE), tf.constant(R_PRED))
    np.testing.assert_allclose(float(step(tf.constant(R_TRUE), tf.constant(R_PRED))), TF_REFERENCE["r2_adjusted"],
                               rtol=1e-6)


def test_iou_float_weights_warn_for_int_dtype():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        K.MeanIoU(3).update_state(L_TRUE, L_PRED, sample_weight=np.ones(8, "float32"))
    assert any("You are passing weight as `float`" in str(w.message) for w in caught)


@pytest.mark.parametrize("make, message", [
    (lambda: K.FBetaScore(average="x"), "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                                        "'weighted'}. Received: average=x"),
    (lambda: K.FBetaScore(beta=1), "Invalid `beta` argument value. It should be a Python float. Received: beta=1 of "
                                   "type '<class 'int'>'"),
    (lambda: K.FBetaScore(beta=-1.0), "Invalid `beta` argument value. It should be > 0. Received: beta=-1.0"),
    (lambda: K.FBetaScore(threshold=1), "Invalid `threshold` argument value. It should be a Python float. Received: "
                                        "threshold=1 of type '<class 'int'>'"),
    (lambda: K.FBetaScore(threshold=1.5), "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                                          "Received: threshold=1.5"),
    (lambda: K.R2Score(class_aggregation="x"), "Invalid value for argument `class_aggregation`. Expected one of "
                                               "(None, 'uniform_average', 'variance_weighted_average'). Received: "
                                               "class_aggregation=x"),
    (lambda: K.R2Score(num_regressors=-1), "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                                           "Received: num_regressors=-1"),
    (lambda: K.IoU(3, [3]), "Target class id 3 is out of range, which is [0, 3)."),
    (lambda: K.PrecisionAtRecall(1.5), "Argument `recall` must be in the range [0, 1]. Received: recall=1.5"),
    (lambda: K.RecallAtPrecision(-0.1), "Argument `precision` must be in the range [0, 1]. Received: precision=-0.1"),
    (lambda: K.SensitivityAtSpecificity(2), "Argument `specificity` must be in the range [0, 1]. Received: "
                                            "specificity=2"),
    (lambda: K.SpecificityAtSensitivity(2), "Argument `sensitivity` must be in the range [0, 1]. Received: "
                                            "sensitivity=2"),
    (lambda: K.PrecisionAtRecall(0.5, num_thresholds=0), "Argument `num_thresholds` must be an integer > 0. "
                                                         "Received: num_thresholds=0"),
    (lambda: K.F1Score().update_state(np.zeros(3), np.zeros(3)),
     "FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=(3,) and "
     "y_true.shape=(3,)."),
    (lambda: K.R2Score().update_state(np.zeros((2, 2, 2)), np.zeros((2, 2, 2))),
     "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=(2, 2, 2) "
     "and y_true.shape=(2, 2, 2)."),
])
def test_errors_match_keras(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value) == message


def test_usable_in_compile_and_fit():
    rng = np.random.RandomState(0)
    x = rng.rand(32, 4).astype("float32")
    y = (x[:, :3] > 0.5).astype("float32")
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3, activation="sigmoid")])
    metrics = [K.F1Score(average="micro", threshold=0.5, name="f1"), K.R2Score(name="r2"),
               K.PrecisionAtRecall(0.5, name="p_at_r"), K.BinaryIoU(name="biou")]
    model.compile("adam", "binary_crossentropy", metrics=metrics)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    assert {"f1", "r2", "p_at_r", "biou", "loss"} <= set(history.history)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    # The compiled metrics see the same data as a fresh metric fed the model's predictions.
    for metric, key in ((K.F1Score(average="micro", threshold=0.5), "f1"), (K.R2Score(), "r2"),
                        (K.BinaryIoU(), "biou")):
        metric.update_state(y, model.predict(x, verbose=0))
        np.testing.assert_allclose(float(metric.result()), logs[key], rtol=1e-5)
