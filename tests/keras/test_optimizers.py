"""tf.keras.optimizers and schedules: update rules vs TF 2.21 (numbers computed with the reference
TensorFlow and hard-coded here), Keras 3 defaults and variable naming, clipping, weight decay, EMA,
None gradients, tf.function, get/serialize, errors."""
import logging

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf
from tests.helpers import assert_close

O = tf.keras.optimizers
S = O.schedules

# Three steps of each configuration on w=[[1, -2, 3]] (grads g1..g3) and b=[0.5] (grad 3*g[0]);
# rows are [w..., b] after each step, then after finalize_variable_values for the EMA cases.
# Produced by TensorFlow 2.21 / Keras 3.15.1.
GRADS = [np.array([[0.5, -1.0, 2.0]], "f"), np.array([[0.1, 0.3, -0.2]], "f"), np.array([[-1.5, 0.0, 0.7]], "f")]
TF_REFERENCE = {
    "sgd": [[0.949999988079071, -1.899999976158142, 2.799999952316284, 0.3499999940395355], [0.9399999976158142, -1.9299999475479126, 2.819999933242798, 0.3199999928474426], [1.090000033378601, -1.9299999475479126, 2.75, 0.7699999809265137]],
    "sgd_mom": [[0.949999988079071, -1.899999976158142, 2.799999952316284, 0.3499999940395355], [0.8949999809265137, -1.840000033378601, 2.6399998664855957, 0.1849999874830246], [0.9954999685287476, -1.7860000133514404, 2.425999879837036, 0.4865000247955322]],
    "sgd_nesterov": [[0.9049999713897705, -1.809999942779541, 2.619999885559082, 0.2149999737739563], [0.8454999923706055, -1.7859998941421509, 2.495999813079834, 0.036499977111816406], [1.0859500169754028, -1.737399935722351, 2.2333998680114746, 0.7578500509262085]],
    "adam": [[0.9000012874603271, -1.900001049041748, 2.900000810623169, 0.4000008702278137], [0.8196985125541687, -1.857216715812683, 2.8407366275787354, 0.3196977376937866], [0.8602255582809448, -1.8241441249847412, 2.776449680328369, 0.3602248430252075]],
    "adam_amsgrad": [[0.9000012874603271, -1.900001049041748, 2.900000810623169, 0.4000008702278137], [0.8196985125541687, -1.857216715812683, 2.8407366275787354, 0.3196977376937866], [0.8602255582809448, -1.8241606950759888, 2.776449680328369, 0.3602248430252075]],
    "adamw": [[0.8900012969970703, -1.8800010681152344, 2.8700008392333984, 0.3950008749961853], [0.8007985353469849, -1.818416714668274, 2.782036542892456, 0.31074774265289307], [0.8333175778388977, -1.7671599388122559, 2.689929246902466, 0.348167359828949]],
    "rmsprop": [[0.68377286195755, -1.683772325515747, 2.683772325515747, 0.18377229571342468], [0.6185401678085327, -1.779118537902832, 2.7169220447540283, 0.11853950470685959], [0.9208770990371704, -1.779118537902832, 2.602855682373047, 0.42087653279304504]],
    "rmsprop_mc": [[0.6666674017906189, -1.666666865348816, 2.6666667461395264, 0.16666674613952637], [0.43011561036109924, -1.5971288681030273, 2.5343809127807617, -0.06988552212715149], [0.6205772161483765, -1.5623598098754883, 2.346531867980957, 0.1205759197473526]],
    "adagrad": [[0.915484607219696, -1.904653787612915, 2.9012269973754883, 0.4021507799625397], [0.8988179564476013, -1.9321547746658325, 2.9110565185546875, 0.3829452395439148], [0.9916656017303467, -1.9321547746658325, 2.8785247802734375, 0.477415531873703]],
    "adadelta": [[0.9985858201980591, -1.998585820198059, 2.9985857009887695, 0.4985857903957367], [0.9981837868690491, -1.9991741180419922, 2.9987897872924805, 0.4981837868690491], [1.0001014471054077, -1.9991741180419922, 2.9981064796447754, 0.5001014471054077]],
    "nadam": [[0.8937212228775024, -1.8937212228775024, 2.893721103668213, 0.39372122287750244], [0.8666039109230042, -1.9161852598190308, 2.896716594696045, 0.36660391092300415], [0.9648076891899109, -1.9112533330917358, 2.855090856552124, 0.4648077189922333]],
    "adamax": [[0.9000000357627869, -1.899999976158142, 2.9000000953674316, 0.40000003576278687], [0.842047393321991, -1.8683894872665405, 2.8578526973724365, 0.3420473635196686], [0.8667706251144409, -1.8484233617782593, 2.8182902336120605, 0.36677059531211853]],
    "sgd_clipnorm": [[0.9890891313552856, -1.9781782627105713, 2.9563565254211426, 0.44999998807907104], [0.9790891408920288, -2.008178234100342, 2.9763565063476562, 0.41999998688697815], [1.0243983268737793, -2.008178234100342, 2.955212116241455, 0.4699999988079071]],
    "sgd_clipvalue": [[0.9750000238418579, -1.975000023841858, 2.9749999046325684, 0.4749999940395355], [0.9650000333786011, -2.0, 2.994999885559082, 0.44999998807907104], [0.9900000095367432, -2.0, 2.9699997901916504, 0.4749999940395355]],
    "sgd_globalclip": [[0.9908713102340698, -1.9817426204681396, 2.9634852409362793, 0.4726138710975647], [0.980871319770813, -2.01174259185791, 2.983485221862793, 0.4426138699054718], [0.996513307094574, -2.01174259185791, 2.9761855602264404, 0.4895398020744324]],
    "sgd_sched": [[0.949999988079071, -1.899999976158142, 2.799999952316284, 0.3499999940395355], [0.9449999928474426, -1.9149999618530273, 2.809999942779541, 0.3349999785423279], [0.9825000166893005, -1.9149999618530273, 2.7925000190734863, 0.44749999046325684]],
    "adam_ema": [[0.9000012874603271, -1.900001049041748, 2.900000810623169, 0.4000008702278137], [0.8196985125541687, -1.857216715812683, 2.8407366275787354, 0.3196977376937866], [0.8602255582809448, -1.8241441249847412, 2.776449680328369, 0.3602248430252075], [0.8600377440452576, -1.8513765335083008, 2.823409080505371, 0.36003708839416504]],
    "adam_ema_over": [[0.9000012874603271, -1.900001049041748, 2.900000810623169, 0.4000008702278137], [0.8598499298095703, -1.8786089420318604, 2.870368719100952, 0.35984930396080017], [0.9003769755363464, -1.8455363512039185, 2.806081771850586, 0.40037640929222107], [0.8801134824752808, -1.8620727062225342, 2.8382253646850586, 0.3801128566265106]],
}
CONFIGS = {
    "sgd": lambda: O.SGD(0.1),
    "sgd_mom": lambda: O.SGD(0.1, momentum=0.9),
    "sgd_nesterov": lambda: O.SGD(0.1, momentum=0.9, nesterov=True),
    "adam": lambda: O.Adam(0.1),
    "adam_amsgrad": lambda: O.Adam(0.1, amsgrad=True),
    "adamw": lambda: O.AdamW(0.1, weight_decay=0.1),
    "rmsprop": lambda: O.RMSprop(0.1),
    "rmsprop_mc": lambda: O.RMSprop(0.1, momentum=0.5, centered=True),
    "adagrad": lambda: O.Adagrad(0.1),
    "adadelta": lambda: O.Adadelta(1.0),
    "nadam": lambda: O.Nadam(0.1),
    "adamax": lambda: O.Adamax(0.1),
    "sgd_clipnorm": lambda: O.SGD(0.1, clipnorm=0.5),
    "sgd_clipvalue": lambda: O.SGD(0.1, clipvalue=0.25),
    "sgd_globalclip": lambda: O.SGD(0.1, global_clipnorm=0.5),
    "sgd_sched": lambda: O.SGD(S.ExponentialDecay(0.1, 1, 0.5)),
    "adam_ema": lambda: O.Adam(0.1, use_ema=True, ema_momentum=0.5),
    "adam_ema_over": lambda: O.Adam(0.1, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2),
}


def _run(name, compiled=False):
    w = tf.Variable(np.array([[1.0, -2.0, 3.0]], "f"), name="w")
    b = tf.Variable(np.array([0.5], "f"), name="b")
    opt = CONFIGS[name]()

    def step(g, gb):
        opt.apply_gradients([(g, w), (gb, b)])
    if compiled:
        step = tf.function(step)
    rows = []
    for g in GRADS:
        step(tf.constant(g), tf.constant(g[0, :1] * 3))
        rows.append(list(w.numpy()[0]) + list(b.numpy()))
    if "ema" in name:
        opt.finalize_variable_values([w, b])
        rows.append(list(w.numpy()[0]) + list(b.numpy()))
    return np.array(rows), opt


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_update_rules_match_tensorflow(name):
    rows, opt = _run(name)
    np.testing.assert_allclose(rows, np.array(TF_REFERENCE[name]), rtol=1e-6, atol=1e-7)
    assert int(opt.iterations) == 3


@pytest.mark.parametrize("name", ["sgd_mom", "adam", "rmsprop_mc", "nadam", "adamw", "sgd_globalclip", "adam_ema"])
def test_updates_under_tf_function_equal_eager(name):
    eager, _ = _run(name)
    graph, opt = _run(name, compiled=True)
    np.testing.assert_allclose(graph, eager, rtol=1e-6, atol=1e-7)
    assert int(opt.iterations) == 3


def test_traced_update_is_one_fused_node_per_variable():
    w = tf.Variable(np.ones((2, 2), "f"), name="w")
    opt = O.Adam()

    @tf.function
    def step(g):
        opt.apply_gradients([(g, w)])
    graph = step.get_concrete_function(tf.TensorSpec([2, 2], tf.float32)).graph
    types = [op.type for op in graph.get_operations()]
    assert types.count("AdamUpdate") == 1
    assert types.count("AssignVariableOp") == 3  # the variable and its two slots


def test_keras3_defaults_and_config():
    cfg = O.Adam().get_config()
    assert cfg["learning_rate"] == pytest.approx(0.001) and cfg["beta_1"] == 0.9 and cfg["beta_2"] == 0.999
    assert cfg["epsilon"] == 1e-07 and cfg["amsgrad"] is False and cfg["weight_decay"] is None
    assert O.SGD().get_config()["learning_rate"] == pytest.approx(0.01)
    assert O.RMSprop().get_config()["rho"] == 0.9
    assert O.Adagrad().get_config()["initial_accumulator_value"] == 0.1
    assert O.Adadelta().get_config()["rho"] == 0.95
    assert O.AdamW().get_config()["weight_decay"] == 0.004
    assert set(O.SGD().get_config()) == {"name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm",
                                         "clipvalue", "use_ema", "ema_momentum", "ema_overwrite_frequency",
                                         "loss_scale_factor", "gradient_accumulation_steps", "momentum", "nesterov"}


def test_auto_names_and_slot_variables_as_keras():
    tf.keras.backend.clear_session()
    assert O.RMSprop().name == "rm_sprop" and O.AdamW().name == "adam_w"
    first, second = O.Adam(), O.Adam()
    assert (first.name, second.name) == ("adam", "adam_1")
    w, u = tf.Variable([1.0, 2.0], name="w"), tf.Variable([[3.0]], name="u")
    first.build([w, u])
    assert [v.path for v in first.variables] == ["adam/iteration", "adam/learning_rate", "adam/w_0_momentum",
                                                "adam/w_0_velocity", "adam/u_0_momentum", "adam/u_0_velocity"]
    assert all(isinstance(v, tf.Variable) and not v.trainable for v in first.variables)
    assert first.iterations.dtype == tf.int64 and first.variables[2].shape == (2,)
    rms = O.RMSprop(momentum=0.5, centered=True)
    rms.build([w])
    assert [v.name for v in rms.variables][2:] == ["w_0_velocity", "w_0_momentum", "w_0_average_gradient"]


def test_none_gradients_are_skipped_with_a_warning(caplog):
    w, u = tf.Variable([1.0, 2.0], name="w"), tf.Variable([[3.0]], name="u")
    opt = O.SGD(0.5)
    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        opt.apply_gradients([(tf.constant([1.0, 1.0]), w), (None, u)])
    assert "Gradients do not exist for variables ['u:0']" in caplog.text
    assert_close(w, [0.5, 1.5])
    assert_close(u, [[3.0]])
    with pytest.raises(ValueError, match=r"No gradients provided for any variable.*\['w:0', 'u:0'\]"):
        opt.apply_gradients([(None, w), (None, u)])


def test_learning_rate_variable_is_settable_and_read_inside_functions():
    w = tf.Variable(1.0)
    opt = O.SGD(0.5)
    step = tf.function(lambda: opt.apply_gradients([(tf.constant(1.0), w)]))
    step()
    opt.learning_rate = 0.25
    step()
    assert float(w) == pytest.approx(0.25)
    assert isinstance(opt.learning_rate, tf.Variable) and float(opt.learning_rate) == 0.25
    assert step.experimental_get_tracing_count() == 1


def test_schedule_learning_rate():
    opt = O.SGD(S.PiecewiseConstantDecay([1], [1.0, 0.5]))
    w = tf.Variable(0.0)
    for _ in range(3):
        opt.apply_gradients([(tf.constant(1.0), w)])
    assert float(w) == pytest.approx(-2.5)  # steps 0 and 1 at 1.0, step 2 at 0.5
    assert float(opt.learning_rate) == 0.5
    assert [v.name for v in opt.variables] == ["iteration"]
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1
    cfg = O.serialize(opt)
    restored = O.deserialize(cfg)
    assert isinstance(restored._learning_rate, S.PiecewiseConstantDecay)


def test_minimize_with_callable_and_with_tape():
    w = tf.Variable(3.0)
    opt = O.SGD(0.25)
    opt.minimize(lambda: w * w, [w])
    assert float(w) == 1.5
    with tf.GradientTape() as tape:
        loss = w * w
    opt.minimize(loss, lambda: [w], tape=tape)
    assert float(w) == 0.75
    with pytest.raises(ValueError, match="`tape` is required"):
        opt.minimize(tf.constant(1.0), [w])


def test_errors():
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"):
        O.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match=r"Argument\(s\) not recognized: \{'foo': 1\}"):
        O.Adam(foo=1)
    with pytest.raises(ValueError, match="momentum"):
        O.SGD(momentum=2.0)
    with pytest.raises(ValueError, match="`weight_decay` must be a float"):
        O.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="learning_rate"):
        O.SGD(learning_rate="fast")
    opt = O.Adam()
    opt.build([tf.Variable([1.0])])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(tf.constant([1.0]), tf.Variable([2.0]))])
    for bad in (1, 0.5, True):
        with pytest.raises(ValueError, match=r"`gradient_accumulation_steps` must be an integer >= 2"):
            O.SGD(gradient_accumulation_steps=bad)


# TF 2.21 (Keras 3): variable value and `iterations` after each of 5 applies of gradients
# [0.3 * (i + 1), -0.7 + i] to a variable [1, -2]; updates use the mean of the accumulated gradients.
ACCUMULATED = [
    ("SGD(0.5, gradient_accumulation_steps=2)", [
        [1.0, -2.0, 0], [0.775, -1.9, 1], [0.775, -1.9, 1], [0.25, -2.8, 2], [0.25, -2.8, 2]]),
    ("Adam(0.1, gradient_accumulation_steps=3)", [
        [1.0, -2.0, 0], [1.0, -2.0, 0], [0.900001, -2.099998, 1], [0.900001, -2.099998, 1],
        [0.900001, -2.099998, 1]]),
    ("SGD(0.5, momentum=0.9, gradient_accumulation_steps=2, clipnorm=1.0)", [
        [1.0, -2.0, 0], [0.775, -1.9, 1], [0.775, -1.9, 1], [0.320564, -2.24189, 2], [0.320564, -2.24189, 2]]),
]


@pytest.mark.parametrize("src,expected", ACCUMULATED)
def test_gradient_accumulation_matches_keras(src, expected):
    for traced in (False, True):
        opt = eval(f"O.{src}")
        v = tf.Variable([1.0, -2.0])
        apply = tf.function(lambda g: opt.apply_gradients([(g, v)])) if traced else \
            (lambda g: opt.apply_gradients([(g, v)]))
        for i, want in enumerate(expected):
            apply(tf.constant([0.3 * (i + 1), -0.7 + i]))
            np.testing.assert_allclose(v.numpy(), want[:2], rtol=1e-5, atol=1e-6)
            assert int(opt.iterations) == want[2]
        assert any(w.name.endswith("gradient_accumulator") for w in opt.variables)


def test_gradient_accumulation_in_fit():
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
    model.compile(O.SGD(0.1, gradient_accumulation_steps=4), "mse")
    x, y = np.random.RandomState(0).rand(40, 3).astype("f"), np.zeros((40, 1), "f")
    before = model.get_weights()
    model.fit(x[:24], y[:24], batch_size=8, verbose=0)  # 3 batches: accumulated, not applied
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.fit(x[24:], y[24:], batch_size=8, verbose=0)  # the 4th batch applies the mean of 4
    assert int(model.optimizer.iterations) == 1 and not np.allclose(before[0], model.get_weights()[0])


def test_get_and_serialize():
    assert type(O.get("adam")).__name__ == "Adam" and type(O.get("RMSprop")).__name__ == "RMSprop"
    opt = O.SGD(0.3, momentum=0.5)
    assert O.get(opt) is opt
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: adamx"):
        O.get("adamx")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 3"):
        O.get(3)
    cfg = O.serialize(opt)
    assert cfg["class_name"] == "SGD" and cfg["module"] == "keras.optimizers"
    again = O.deserialize(cfg)
    assert again.momentum == 0.5 and float(again.learning_rate) == pytest.approx(0.3)


def test_float64_variables_and_mixed_gradient_dtype():
    w = tf.Variable(np.array([1.0, 2.0]))  # float64
    opt = O.Adam(0.1)
    opt.apply_gradients([(tf.constant([1.0, 1.0], tf.float32), w)])
    assert w.dtype == tf.float64
    assert_close(w, [0.9, 1.9], rtol=1e-7)


def test_weights_round_trip():
    w = tf.Variable([1.0, 2.0])
    opt = O.Adam(0.1)
    opt.apply_gradients([(tf.constant([1.0, 1.0]), w)])
    saved = opt.get_weights()
    opt.apply_gradients([(tf.constant([1.0, 1.0]), w)])
    opt.set_weights(saved)
    assert int(opt.iterations) == 1
    with pytest.raises(ValueError, match="not compatible"):
        opt.set_weights([np.zeros(3)] * len(saved))


def _np_adam(w, grads, lr, b1=0.9, b2=0.999, eps=1e-7):
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t, g in enumerate(grads, 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
    return w


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.floats(1e-3, 0.5))
def test_adam_matches_numpy_formula(size, steps, lr):
    lr = float(np.float32(lr))  # the learning-rate variable is float32 (floatx), even for float64 weights
    rng = np.random.RandomState(size * 10 + steps)
    w0 = rng.randn(size)
    grads = [rng.randn(size) for _ in range(steps)]
    w = tf.Variable(w0)
    opt = O.Adam(lr)
    for g in grads:
        opt.apply_gradients([(tf.constant(g), w)])
    np.testing.assert_allclose(w.numpy(), _np_adam(w0, grads, lr), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("shape", [(), (300, 250)])  # 0-d, and more than one chunk of the fused kernel
@pytest.mark.parametrize("compiled", [False, True])
def test_adam_results_share_one_block_safely(shape, compiled):
    # the kernel's new variable and slots are views of one allocation: each keeps its own values, and
    # tensors read before an update keep theirs
    rng = np.random.RandomState(1)
    w0 = np.asarray(rng.randn(*shape), np.float32)
    grads = [np.asarray(rng.randn(*shape), np.float32) for _ in range(3)]
    w, opt = tf.Variable(w0), O.Adam(0.01)
    step = (lambda g: opt.apply_gradients([(g, w)]))
    step = tf.function(step) if compiled else step
    seen = []
    for g in grads:
        seen.append((w.value(), [s.value() for s in opt.variables[2:]]))
        step(tf.constant(g))
    np.testing.assert_allclose(w.numpy(), _np_adam(w0.astype(np.float64), grads, 0.01), rtol=2e-5, atol=1e-6)
    np.testing.assert_array_equal(seen[0][0].numpy(), w0)
    np.testing.assert_array_equal(seen[1][1][0].numpy(), 0.1 * grads[0])  # m after one step: (1 - b1) g
    m, v = (s.numpy() for s in opt.variables[2:4])
    assert not np.array_equal(m, v) and not np.array_equal(m, w.numpy())


# ---- schedules --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("schedule, expected", [
    (lambda: S.ExponentialDecay(0.1, 10, 0.5), [0.1, 0.08122523874044418, 0.0707106813788414, 0.05, 0.0125]),
    (lambda: S.ExponentialDecay(0.1, 10, 0.5, staircase=True), [0.1, 0.1, 0.1, 0.05, 0.0125]),
    (lambda: S.PiecewiseConstantDecay([5, 10], [1.0, 0.5, 0.1]), [1.0, 1.0, 1.0, 0.5, 0.1]),
    (lambda: S.CosineDecay(0.1, 20), [0.1, 0.09455032646656036, 0.08535534143447876, 0.05, 0.0]),
    (lambda: S.CosineDecay(0.1, 20, alpha=0.1, warmup_target=0.2, warmup_steps=5),
     [0.1, 0.16, 0.2, 0.17363962531089783, 0.020000001415610313]),
    (lambda: S.InverseTimeDecay(0.1, 10, 0.5), [0.1, 0.08695652335882187, 0.08, 0.06666667014360428, 0.04]),
    (lambda: S.PolynomialDecay(0.1, 10), [0.1, 0.07003000378608704, 0.050050001591444016, 1e-4, 1e-4]),
])
def test_schedules_match_tensorflow(schedule, expected):
    s = schedule()
    values = [float(s(step)) for step in (0, 3, 5, 10, 30)]
    np.testing.assert_allclose(values, expected, rtol=1e-6)
    assert s(3).dtype == tf.float32
    assert type(s).from_config(s.get_config()).get_config() == s.get_config()


def test_schedule_errors():
    with pytest.raises(ValueError, match="decay_steps` must be > 0"):
        S.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="1 less than the length of values"):
        S.PiecewiseConstantDecay([1, 2], [1.0])
