"""Elementwise arithmetic (eagerflow/ops/math.py): values, gradients, dtypes and errors."""
import numpy as np
import pytest

import eagerflow as tf
from helpers import check_grad, check_op

rng = np.random.RandomState(0)


def f32(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def away_from_zero(*shape):
    """Values in +-[0.5, 2]: safe divisors, no kinks of abs/sign near the sample points."""
    return (f32(*shape, low=0.5, high=2.0) * np.where(rng.rand(*shape) < 0.5, -1, 1)).astype(np.float32)


# ---- values and gradients through the shared checker ------------------------------------------------------

BINARY = [
    (tf.add, np.add, f32(2, 3), f32(3)),
    (tf.subtract, np.subtract, f32(2, 3), f32(2, 1)),
    (tf.multiply, np.multiply, f32(2, 3), f32(1, 3)),
    (tf.divide, np.divide, f32(2, 3), away_from_zero(3)),
    (tf.math.truediv, np.true_divide, f32(3), away_from_zero(2, 3)),
    (tf.realdiv, np.true_divide, f32(2, 3), away_from_zero(2, 3)),
    (tf.maximum, np.maximum, f32(2, 3), f32(3)),
    (tf.minimum, np.minimum, f32(4), f32(3, 1)),
    (tf.math.squared_difference, lambda x, y: (x - y) ** 2, f32(2, 3), f32(3)),
    (tf.pow, np.power, f32(2, 3, low=0.5, high=2.0), f32(3)),
    # x / y stays clear of integers, so finite differences never straddle a jump of the remainder
    (tf.math.floormod, np.mod, f32(2, 3, low=0.1, high=0.6) + np.float32(3), np.float32([1.3, 2.2, 3.7])),
    (tf.math.xlogy, lambda x, y: x * np.log(y), f32(2, 3), f32(3, low=0.5, high=2.0)),
    (tf.math.xdivy, lambda x, y: x / y, f32(2, 3), away_from_zero(3)),
    (tf.math.divide_no_nan, np.divide, f32(2, 3), away_from_zero(2, 3)),
    (tf.math.multiply_no_nan, np.multiply, f32(3), f32(2, 3)),
]


@pytest.mark.parametrize("fn,ref,x,y", BINARY, ids=[b[0].__name__ for b in BINARY])
def test_binary_ops(fn, ref, x, y):
    check_op(fn, x, y, ref=ref, rtol=1e-5, atol=1e-6)


UNARY = [
    (tf.negative, np.negative, f32(2, 3)),
    (tf.abs, np.abs, away_from_zero(2, 3)),
    (tf.sign, np.sign, away_from_zero(5)),
    (tf.square, np.square, f32(2, 3)),
    (tf.sqrt, np.sqrt, f32(2, 3, low=0.1, high=4.0)),
    (tf.math.rsqrt, lambda x: 1 / np.sqrt(x), f32(2, 3, low=0.2, high=4.0)),
    (tf.exp, np.exp, f32(2, 3)),
    (tf.math.log, np.log, f32(2, 3, low=0.1, high=4.0)),
    (tf.math.reciprocal, np.reciprocal, away_from_zero(2, 3)),
]


@pytest.mark.parametrize("fn,ref,x", UNARY, ids=[u[0].__name__ for u in UNARY])
def test_unary_ops(fn, ref, x):
    check_op(fn, x, ref=ref)


@pytest.mark.parametrize("fn,ref", [(tf.math.floordiv, np.floor_divide), (tf.truncatediv, lambda x, y: np.trunc(x / y)),
                                    (tf.truncatemod, np.fmod)])
def test_rounding_divisions(fn, ref):
    x = np.float32([-7.5, -3.2, 3.2, 7.5])
    y = np.float32([2.0, -2.0, 2.0, -2.0])
    check_op(fn, x, y, ref=ref, grad=False)


def test_add_n_and_scalar_mul():
    check_op(lambda a, b, c: tf.add_n([a, b, c]), f32(2, 3), f32(2, 3), f32(2, 3), ref=lambda a, b, c: a + b + c)
    check_op(lambda x: tf.math.scalar_mul(3.0, x), f32(2, 3), ref=lambda x: 3 * x)
    assert tf.add_n([1, 2]).numpy() == 3
    assert tf.add_n(tf.constant([1, 2])).numpy() == 3  # a tensor is a list of its rows
    single = tf.constant([1.0])
    assert tf.add_n([single]) is single


def test_integer_values_match_tf():
    a, b = tf.constant([-7, 7, -7, 7]), tf.constant([2, 2, -2, -2])
    np.testing.assert_array_equal(tf.math.floordiv(a, b).numpy(), [-4, 3, 3, -4])
    np.testing.assert_array_equal(tf.math.floormod(a, b).numpy(), [1, 1, -1, -1])
    np.testing.assert_array_equal(tf.truncatediv(a, b).numpy(), [-3, 3, 3, -3])
    np.testing.assert_array_equal(tf.truncatemod(a, b).numpy(), [-1, 1, -1, 1])
    assert tf.math.floordiv(tf.constant(-128, tf.int8), tf.constant(-1, tf.int8)).numpy() == -128  # wraps
    assert tf.abs(tf.constant(-128, tf.int8)).numpy() == -128
    assert tf.pow(tf.constant(-3, tf.int8), 2).numpy() == 9
    assert tf.square(tf.constant(3, tf.uint8)).numpy() == 9


def test_float_division_edge_values_match_tf():
    assert tf.math.floordiv(1.0, 0.1).numpy() == 10.0  # floor(x / y), not NumPy's fmod-based 9.0
    assert np.isinf(tf.math.floordiv(1.0, 0.0).numpy())
    assert np.isnan(tf.math.floormod(-1.0, 0.0).numpy())
    assert tf.math.floormod(5.0, -3.0).numpy() == -1.0
    assert np.isinf((tf.constant(1) / tf.constant(0)).numpy())
    assert tf.math.divide_no_nan(1.0, 0.0).numpy() == 0.0
    assert tf.math.multiply_no_nan(np.inf, 0.0).numpy() == 0.0
    assert tf.math.xlogy(0.0, 0.0).numpy() == 0.0 and tf.math.xdivy(0.0, 0.0).numpy() == 0.0
    assert np.isinf(tf.math.xdivy(1.0, 0.0).numpy())
    assert np.isinf(tf.math.reciprocal(0.0).numpy()) and np.isinf(tf.math.rsqrt(0.0).numpy())
    assert np.isnan(tf.sqrt(-1.0).numpy())
    np.testing.assert_array_equal(tf.math.log(tf.constant([0.0, -1.0])).numpy(), [-np.inf, np.nan])


def test_sign_and_abs_of_complex():
    z = tf.constant([3 + 4j, 0j])
    a = tf.abs(z)
    assert a.dtype == tf.float64
    np.testing.assert_allclose(a.numpy(), [5.0, 0.0])
    np.testing.assert_allclose(tf.sign(z).numpy(), [0.6 + 0.8j, 0])
    assert tf.abs(tf.constant([1 + 1j], tf.complex64)).dtype == tf.float32
    assert tf.math.squared_difference(tf.constant([1 + 1j]), 5).numpy()[0] == 17 + 0j


# ---- dtype results --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype,expected", [
    (tf.int8, tf.float32), (tf.uint8, tf.float32), (tf.int16, tf.float32), (tf.uint16, tf.float32),
    (tf.int32, tf.float64), (tf.int64, tf.float64), (tf.float16, tf.float16), (tf.float32, tf.float32),
    (tf.float64, tf.float64), (tf.complex64, tf.complex64)])
def test_truediv_dtype(dtype, expected):
    out = tf.constant([4], dtype) / tf.constant([2], dtype)
    assert out.dtype == expected
    assert out.numpy()[0] == 2
    assert tf.math.divide_no_nan(tf.constant([1], dtype), tf.constant([0], dtype)).dtype == expected


def test_result_dtypes_follow_inputs():
    for dt in (tf.float16, tf.float32, tf.float64, tf.int8, tf.int32, tf.int64, tf.uint8):
        x = tf.constant([1, 2], dt)
        for fn in (tf.add, tf.subtract, tf.multiply, tf.maximum, tf.minimum, tf.math.floordiv, tf.math.floormod):
            out = fn(x, x)
            assert out.dtype == dt and out.numpy().dtype == dt.as_numpy_dtype, (fn.__name__, dt)
        assert tf.square(x).dtype == dt
    assert tf.add(1, 2).dtype == tf.int32
    assert tf.add(2 ** 40, 1).dtype == tf.int64
    assert tf.add(1.0, 2).dtype == tf.float32
    assert tf.add(np.float64(1.0), 2).dtype == tf.float64
    assert tf.multiply(tf.constant([1.0]), np.float64(2.0)).dtype == tf.float32  # NumPy scalars cast too
    assert tf.math.divide(4, 2).dtype == tf.float64
    assert tf.sign(tf.constant([-2, 0, 3])).numpy().tolist() == [-1, 0, 1]


# ---- errors ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn,op", [(tf.add, "AddV2"), (tf.subtract, "Sub"), (tf.multiply, "Mul"),
                                   (tf.maximum, "Maximum"), (tf.pow, "Pow"), (tf.math.floordiv, "FloorDiv"),
                                   (tf.math.floormod, "FloorMod"), (tf.math.squared_difference,
                                                                    "SquaredDifference")])
def test_mixed_dtypes_raise_invalid_argument(fn, op):
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=rf"cannot compute {op} as input #1\(zero-based\) was expected to be a int32 tensor "
                             rf"but is a float tensor \[Op:{op}\]"):
        fn(tf.constant([1]), tf.constant([1.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"expected to be a float tensor but is a double"):
        fn(tf.constant([1.0]), tf.constant([1.0], tf.float64))


def test_python_scalar_that_does_not_fit_the_dtype():
    # TF: the operand is converted with the tensor's dtype; add falls back and reports the op's mismatch.
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        tf.multiply(tf.constant([1, 2]), 1.5)
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32"):
        tf.maximum(1, 2.5)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"int32 tensor but is a float tensor \[Op:AddV2\]"):
        tf.add(tf.constant([1, 2]), 1.5)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"int32 tensor but is a string tensor \[Op:AddV2\]"):
        tf.add(tf.constant(1), "a")


@pytest.mark.parametrize("fn,x,op", [
    (tf.sqrt, tf.constant([4]), "Sqrt"), (tf.exp, tf.constant([1]), "Exp"), (tf.math.log, tf.constant([1]), "Log"),
    (tf.negative, tf.constant([1], tf.uint8), "Neg"), (tf.abs, tf.constant([1], tf.uint8), "Abs"),
    (tf.sign, tf.constant([1], tf.uint8), "Sign"), (tf.math.reciprocal, tf.constant([2]), "Reciprocal"),
    (tf.math.rsqrt, tf.constant([2]), "Rsqrt"), (tf.square, tf.constant([True]), "Square")])
def test_unary_bad_dtype(fn, x, op):
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=rf"Value for attr 'T' of \w+ is not in the list of allowed values.*\[Op:{op}\]"):
        fn(x)


def test_bad_dtype_messages_use_tf_names():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of int32 is not in the list of "
                                                             "allowed values: bfloat16, complex128, complex64, "
                                                             "double, float, half"):
        tf.sqrt(tf.constant([4]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of bool .*\[Op:AddV2\]"):
        tf.constant([True]) + tf.constant([True])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of uint8 .*\[Op:Pow\]"):
        tf.pow(tf.constant([1], tf.uint8), tf.constant([1], tf.uint8))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of int8 .*\[Op:SquaredDifference\]"):
        tf.math.squared_difference(tf.constant([1], tf.int8), tf.constant([1], tf.int8))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of complex128 .*\[Op:Maximum\]"):
        tf.maximum(tf.constant([1j]), tf.constant([1j]))


@pytest.mark.parametrize("fn,op", [(tf.math.floordiv, "FloorDiv"), (tf.math.floormod, "FloorMod"),
                                   (tf.truncatediv, "TruncateDiv"), (tf.truncatemod, "TruncateMod")])
def test_integer_division_by_zero(fn, op):
    with pytest.raises(tf.errors.InvalidArgumentError, match=rf"Integer division by zero \[Op:{op}\]"):
        fn(tf.constant([7, 7]), tf.constant([2, 0]))


def test_other_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Integers to negative integer powers are not allowed"):
        tf.pow(2, -1)
    with pytest.raises(TypeError, match=r"`x` and `y` must have the same dtype, got tf.int32 != tf.float32."):
        tf.constant([1, 2]) / 1.5
    with pytest.raises(TypeError, match=r"`x` and `y` must have the same dtype, got tf.float32 != tf.float64."):
        tf.constant([1.0]) / tf.constant([1.0], tf.float64)
    with pytest.raises(TypeError, match=r"Invalid dtype tf.bool in __truediv__"):
        tf.constant([True]) / tf.constant([True])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[3\] \[Op:AddV2\]"):
        tf.constant([1, 2]) + tf.constant([1, 2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"must have the same size and shape.  Input 0: \[1\] != input 1: \[2\] \[Op:AddN\]"):
        tf.add_n([tf.constant([1]), tf.constant([2, 3])])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"as input #1\(zero-based\).*\[Op:AddN\]"):
        tf.add_n([tf.constant([1]), tf.constant([2.0])])
    with pytest.raises(ValueError, match="at least one Tensor"):
        tf.add_n([])
    with pytest.raises(ValueError, match=r"The input scalar must be a 0-D value. Received shape \(1,\)."):
        tf.math.scalar_mul(tf.constant([2.0]), tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32"):
        tf.math.scalar_mul(2.5, tf.constant([1, 2]))


# ---- gradient conventions (as TF) ----------------------------------------------------------------------------

def grads(fn, *values):
    xs = [tf.constant(v) for v in values]
    with tf.GradientTape() as tape:
        tape.watch(xs)
        y = fn(*xs)
    return [None if g is None else g.numpy() for g in tape.gradient(y, xs)]


def test_gradient_conventions():
    assert grads(tf.maximum, 1.0, 1.0) == [1.0, 0.0]  # ties go to x
    assert grads(tf.minimum, 1.0, 1.0) == [1.0, 0.0]
    assert grads(tf.abs, 0.0) == [0.0]
    assert grads(tf.sign, 3.0) == [0.0]
    assert grads(tf.pow, 0.0, 2.0) == [0.0, 0.0]  # d/dy x^y := 0 at x == 0
    assert grads(tf.pow, -2.0, 2.0) == [-4.0, 0.0]
    assert grads(tf.math.floordiv, 3.0, 2.0) == [None, None]
    assert grads(tf.truncatediv, 3.0, 2.0) == [None, None]
    assert grads(tf.truncatemod, 3.0, 2.0) == [None, None]
    assert grads(tf.math.floormod, 3.0, 2.0) == [1.0, -1.0]
    np.testing.assert_allclose(grads(tf.math.xlogy, [0.0, 1.0], [0.0, 2.0]), [[0, np.log(2)], [0, 0.5]], rtol=1e-6)
    np.testing.assert_allclose(grads(tf.math.divide_no_nan, [1.0, 1.0], [0.0, 2.0]), [[0, 0.5], [0, -0.25]])
    np.testing.assert_allclose(grads(tf.math.multiply_no_nan, [1.0, np.inf], [0.0, 2.0]), [[0, 2], [1, np.inf]])
    assert np.isinf(grads(tf.sqrt, 0.0)[0])


def test_second_order_gradients():
    x = tf.constant(1.5, tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.pow(x, 3.0) + x * tf.math.log(x) + 1 / x
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    np.testing.assert_allclose(dy.numpy(), 3 * 1.5 ** 2 + np.log(1.5) + 1 - 1 / 1.5 ** 2)
    np.testing.assert_allclose(d2y.numpy(), 6 * 1.5 + 1 / 1.5 + 2 / 1.5 ** 3)


def test_complex_gradients_match_tf():
    # d|z|/dz for z = 3+4j is z/|z|; TF's convention returns it directly.
    np.testing.assert_allclose(grads(tf.abs, np.complex128(3 + 4j))[0], 0.6 + 0.8j)
    np.testing.assert_allclose(grads(lambda z: tf.math.real(z * z), np.complex128(1 + 2j))[0], 2 - 4j)


def test_gradient_of_broadcast_operands_is_summed():
    check_grad(lambda x, y: x * y + x / y - tf.maximum(x, y), f32(3, 1), away_from_zero(1, 4))
