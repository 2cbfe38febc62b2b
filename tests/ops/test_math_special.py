"""Transcendental functions, rounding, predicates and clipping (eagerflow/ops/math_special.py)."""
import math
import warnings

import numpy as np
import pytest

import eagerflow as tf
from helpers import check_op

rng = np.random.RandomState(2)


def f32(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])

UNARY = [
    (tf.math.expm1, np.expm1, f32(2, 3)),
    (tf.math.log1p, np.log1p, f32(2, 3, low=-0.5, high=2.0)),
    (tf.sin, np.sin, f32(2, 3)),
    (tf.cos, np.cos, f32(2, 3)),
    (tf.tan, np.tan, f32(2, 3, low=-1.2, high=1.2)),
    (tf.asin, np.arcsin, f32(2, 3, low=-0.9, high=0.9)),
    (tf.acos, np.arccos, f32(2, 3, low=-0.9, high=0.9)),
    (tf.atan, np.arctan, f32(2, 3, low=-3.0, high=3.0)),
    (tf.sinh, np.sinh, f32(2, 3)),
    (tf.cosh, np.cosh, f32(2, 3)),
    (tf.tanh, np.tanh, f32(2, 3)),
    (tf.sigmoid, _sigmoid, f32(2, 3, low=-6.0, high=6.0)),
    (tf.math.log_sigmoid, lambda x: np.log(_sigmoid(x)), f32(2, 3, low=-6.0, high=6.0)),
    (tf.math.softplus, lambda x: np.log1p(np.exp(x)), f32(2, 3, low=-6.0, high=6.0)),
    (tf.math.softsign, lambda x: x / (1 + np.abs(x)), f32(2, 3)),
    (tf.math.erf, _erf, f32(2, 3, low=-3.0, high=3.0)),
    (tf.math.erfc, _erfc, f32(2, 3, low=-3.0, high=3.0)),
]


@pytest.mark.parametrize("fn,ref,x", UNARY, ids=[u[0].__name__ for u in UNARY])
def test_unary_functions(fn, ref, x):
    check_op(fn, x, ref=ref, rtol=2e-6, atol=1e-6)
    assert fn(x.astype(np.float64)).dtype == tf.float64
    assert fn(x.astype(np.float16)).dtype == tf.float16


def test_atan2():
    y, x = f32(2, 3), f32(3, low=0.5, high=2.0) * np.float32([1, -1, 1])
    check_op(tf.math.atan2, y, x, ref=np.arctan2)
    np.testing.assert_allclose(tf.math.atan2(tf.constant([1.0, -1, 0]), tf.constant([-1.0, -1, -1])).numpy(),
                               np.arctan2([1.0, -1, 0], [-1.0, -1, -1]), rtol=1e-6)


@pytest.mark.parametrize("fn,ref", [(tf.round, np.round), (tf.math.rint, np.rint), (tf.floor, np.floor),
                                    (tf.math.ceil, np.ceil)])
def test_rounding(fn, ref):
    check_op(fn, np.float32([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4999, -7.0, 3.0]), ref=ref, grad=False)
    # Piecewise constant: no gradient (None, as TF), and zero finite differences away from the jumps.
    x = np.float32([-2.3, -1.2, -0.4, 0.2, 1.7, 2.8])
    check_op(fn, x, ref=ref)
    with tf.GradientTape() as tape:
        t = tf.constant(x)
        tape.watch(t)
        y = fn(t)
    assert tape.gradient(y, t) is None


def test_round_is_bankers_and_keeps_integers():
    np.testing.assert_array_equal(tf.round(tf.constant([0.5, 1.5, 2.5, -0.5, -1.5])).numpy(), [0, 2, 2, -0.0, -2])
    assert tf.round(tf.constant([2.5], tf.float16)).numpy()[0] == 2
    for dt in (tf.int32, tf.uint8):
        x = tf.constant([1, 2], dt)
        assert tf.round(x) is x


@pytest.mark.parametrize("fn,expected", [(tf.math.is_nan, [False, True, False, False]),
                                         (tf.math.is_inf, [False, False, True, True]),
                                         (tf.math.is_finite, [True, False, False, False])])
def test_float_predicates(fn, expected):
    x = np.float32([1.0, np.nan, np.inf, -np.inf])
    check_op(fn, x, expected=np.array(expected), dtype=tf.bool, grad=False)
    assert fn(x.astype(np.float16)).numpy().tolist() == expected
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of int32 is not in the list"):
        fn(tf.constant([2]))


@pytest.mark.parametrize("fn,op", [(tf.math.erf, "Erf"), (tf.math.softplus, "Softplus"), (tf.sin, "Sin"),
                                   (tf.floor, "Floor"), (tf.math.atan2, "Atan2")])
def test_bad_dtype(fn, op):
    args = (tf.constant([1]),) * (2 if op == "Atan2" else 1)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=rf"Value for attr 'T' of int32 is not in the list of allowed values: bfloat16, .*"
                             rf"\[Op:{op}\]"):
        fn(*args)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of complex128 .*\[Op:Softsign\]"):
        tf.math.softsign(tf.constant([1 + 1j]))


# ---- accuracy and numerical stability ----------------------------------------------------------------------

def test_erf_is_accurate_to_float64_precision():
    x = np.concatenate([np.linspace(-6, 6, 2001), np.logspace(-300, 1.4, 400), -np.logspace(-300, 1.4, 400),
                        [0.0, -0.0, 0.4999999, 0.5, 0.5000001]])
    got, ref = tf.math.erf(x).numpy(), _erf(x)
    nz = ref != 0
    assert np.max(np.abs(got[nz] - ref[nz]) / np.abs(ref[nz])) < 4e-16
    assert np.all(got[~nz] == 0)
    got, ref = tf.math.erfc(x).numpy(), _erfc(x)
    nz = ref != 0
    assert np.max(np.abs(got[nz] - ref[nz]) / np.abs(ref[nz])) < 2e-15  # deep tail: erfc(25) ~ 8e-274
    assert np.all(got[~nz] == 0)
    np.testing.assert_array_equal(tf.math.erf([np.inf, -np.inf]).numpy(), [1.0, -1.0])
    np.testing.assert_array_equal(tf.math.erfc([np.inf, -np.inf, 40.0]).numpy(), [0.0, 2.0, 0.0])
    assert np.isnan(tf.math.erf(np.nan).numpy()) and np.isnan(tf.math.erfc(np.nan).numpy())


def test_erf_against_scipy():
    special = pytest.importorskip("scipy.special")
    x = rng.standard_normal(5000) * 3
    np.testing.assert_allclose(tf.math.erf(x).numpy(), special.erf(x), rtol=5e-16, atol=0)
    # scipy's erfc itself is off by up to ~7e-15 in the tail (ours: 7e-16 against mpmath), hence rtol.
    np.testing.assert_allclose(tf.math.erfc(x).numpy(), special.erfc(x), rtol=1e-14, atol=0)


def test_sigmoid_and_softplus_are_stable():
    x = np.float32([-1000.0, -100.0, -20.0, 0.0, 20.0, 100.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        s = tf.sigmoid(x).numpy()
        sp = tf.math.softplus(x).numpy()
        ls = tf.math.log_sigmoid(x).numpy()
    np.testing.assert_allclose(s, [0, 3.7200760e-44, 2.0611537e-09, 0.5, 1, 1, 1], rtol=1e-6, atol=1e-45)
    np.testing.assert_allclose(sp, [0, 3.7200760e-44, 2.0611537e-09, np.log(2), 20, 100, 1000], rtol=1e-6,
                               atol=1e-44)  # exp(-100) is a float32 denormal
    np.testing.assert_allclose(ls, [-1000, -100, -20, -np.log(2), -2.0611537e-09, -3.7200760e-44, 0], rtol=1e-6,
                               atol=1e-44)
    with tf.GradientTape() as tape:
        t = tf.constant(x)
        tape.watch(t)
        y = tf.reduce_sum(tf.sigmoid(t) + tf.math.softplus(t))
    g = tape.gradient(y, t).numpy()
    assert np.all(np.isfinite(g))
    # d/dx (sigmoid + softplus) = s * (1 - s) + s
    np.testing.assert_allclose(g, [0, 7.44e-44, 4.1223073e-09, 0.75, 1, 1, 1], rtol=1e-5, atol=1e-43)
    np.testing.assert_allclose(tf.math.softplus(tf.constant([-100.0, 100.0], tf.float16)).numpy(), [0, 100])
    z = tf.sigmoid(tf.constant([1j, -1000j]))
    assert z.dtype == tf.complex128
    np.testing.assert_allclose(z.numpy()[0], 1 / (1 + np.exp(-1j)))


def test_overflowing_functions_give_inf_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isinf(tf.cosh(tf.constant([1000.0])).numpy()[0])
        assert np.isinf(tf.math.expm1(tf.constant([1000.0])).numpy()[0])
        assert np.isnan(tf.acos(tf.constant([2.0])).numpy()[0])
        np.testing.assert_array_equal(tf.math.log1p(tf.constant([-1.0, -2.0])).numpy(), [-np.inf, np.nan])


# ---- clipping and normalizing ------------------------------------------------------------------------------

def test_clip_by_value():
    check_op(lambda x: tf.clip_by_value(x, -0.5, 0.7), f32(3, 4), ref=lambda x: np.clip(x, -0.5, 0.7))
    lo, hi = f32(4, low=-1, high=-0.2), f32(3, 1, low=0.2, high=1)
    check_op(tf.clip_by_value, f32(3, 4), lo, hi, ref=lambda x, a, b: np.minimum(np.maximum(x, a), b))
    np.testing.assert_array_equal(tf.clip_by_value(tf.constant([1, 5]), 2, 3).numpy(), [2, 3])
    np.testing.assert_array_equal(tf.clip_by_value(tf.constant([1.0, 5.0]), 3.0, 2.0).numpy(), [3, 3])
    out = tf.clip_by_value([1.0, np.nan], 0.0, 1.0).numpy()
    assert out[0] == 1 and np.isnan(out[1])
    with tf.GradientTape() as tape:  # the bounds themselves pass the gradient, as TF
        x = tf.constant([0.0, 0.5, 1.0, 2.0])
        tape.watch(x)
        y = tf.clip_by_value(x, 0.0, 1.0)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1, 1, 1, 0])


def test_clip_by_value_errors():
    with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(2, 2\) are incompatible"):
        tf.clip_by_value(tf.constant([1.0, 5.0]), [[0.0], [1.0]], 3.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"float tensor but is a double tensor"):
        tf.clip_by_value(tf.constant([1.0, 5.0]), tf.constant(2, tf.float64), 3.0)
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        tf.clip_by_value(tf.constant([1, 5]), 1.5, 3)


def _clip_norm_ref(x, c, axes=None):
    n = np.sqrt(np.sum(x * x, axis=axes, keepdims=True))
    return x * c / np.maximum(n, c)


def test_clip_by_norm():
    check_op(lambda x: tf.clip_by_norm(x, 1.0), f32(2, 3), ref=lambda x: _clip_norm_ref(x, 1.0))
    check_op(lambda x: tf.clip_by_norm(x, 1.5, axes=[1]), f32(3, 4), ref=lambda x: _clip_norm_ref(x, 1.5, 1))
    np.testing.assert_allclose(tf.clip_by_norm(tf.constant([3.0, 4.0]), 10.0).numpy(), [3, 4])
    with tf.GradientTape() as tape:  # an all-zero input keeps a finite gradient
        x = tf.constant([0.0, 0.0])
        tape.watch(x)
        y = tf.clip_by_norm(x, 1.0)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:Sqrt\]"):
        tf.clip_by_norm(tf.constant([3, 4]), 1)


def test_l2_normalize():
    def ref(x, axis=None):
        return x / np.sqrt(np.maximum(np.sum(x * x, axis=axis, keepdims=True), 1e-12))

    check_op(tf.math.l2_normalize, f32(2, 3), ref=ref)
    check_op(lambda x: tf.math.l2_normalize(x, axis=1), f32(2, 3), ref=lambda x: ref(x, 1))
    check_op(lambda x: tf.math.l2_normalize(x, axis=[0, 1]), f32(2, 3), ref=lambda x: ref(x, (0, 1)))
    np.testing.assert_array_equal(tf.math.l2_normalize(tf.constant([0.0, 0.0])).numpy(), [0, 0])
    z = tf.math.l2_normalize(tf.constant([3 + 4j, 0j]))
    assert z.dtype == tf.complex128
    np.testing.assert_allclose(z.numpy(), [0.6 + 0.8j, 0])
    with pytest.raises(TypeError, match="Cannot convert 1e-12 to EagerTensor of dtype int32"):
        tf.math.l2_normalize(tf.constant([3, 4]))
