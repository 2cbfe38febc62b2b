"""Comparisons, logic, selection, casting and complex parts (eagerflow/ops/math_logic.py)."""
import numpy as np
import pytest

import eagerflow as tf
from helpers import check_op

rng = np.random.RandomState(1)


def f32(*shape):
    return rng.uniform(-2, 2, size=shape).astype(np.float32)


# ---- comparisons -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn,ref", [(tf.equal, np.equal), (tf.not_equal, np.not_equal), (tf.less, np.less),
                                    (tf.less_equal, np.less_equal), (tf.greater, np.greater),
                                    (tf.greater_equal, np.greater_equal)])
def test_comparisons(fn, ref):
    x = np.float32([[1, 2, 3], [3, 2, 1]])
    y = np.float32([2, 2, 2])
    check_op(fn, x, y, ref=ref, dtype=tf.bool, grad=False)
    check_op(fn, x.astype(np.int64), np.int64(2), ref=ref, dtype=tf.bool, grad=False)


def test_equality_of_strings_and_bools():
    np.testing.assert_array_equal(tf.equal(tf.constant(["a", "b"]), "a").numpy(), [True, False])
    np.testing.assert_array_equal(tf.not_equal(tf.constant([True, False]), True).numpy(), [False, True])


def test_comparison_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[3\] \[Op:Equal\]"):
        tf.equal(tf.constant([1, 2]), tf.constant([1, 2, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of complex128 .*\[Op:Less\]"):
        tf.less(tf.constant([1j]), tf.constant([1j]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of string .*\[Op:Greater\]"):
        tf.greater(tf.constant(["a"]), tf.constant(["b"]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"expected to be a int32 tensor but is a float tensor "
                                                             r"\[Op:Equal\]"):
        tf.equal(tf.constant([1]), tf.constant([1.0]))
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        tf.less(tf.constant([1, 2]), 1.5)


# ---- logic -------------------------------------------------------------------------------------------------

def test_logical_ops():
    a = np.array([True, True, False, False])
    b = np.array([True, False, True, False])
    check_op(tf.logical_and, a, b, ref=np.logical_and, grad=False)
    check_op(tf.logical_or, a, b, ref=np.logical_or, grad=False)
    check_op(tf.math.logical_xor, a, b, ref=np.logical_xor, grad=False)
    check_op(tf.logical_not, a, ref=np.logical_not, grad=False)
    np.testing.assert_array_equal(tf.math.logical_xor(True, tf.constant([False, True])).numpy(), [True, False])
    assert tf.logical_and(True, False).numpy() == False  # noqa: E712 - a NumPy bool
    np.testing.assert_array_equal(tf.logical_or([True, False], [False, False]).numpy(), [True, False])


def test_logical_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute LogicalAnd as input #0\(zero-based\) was expected to be a bool tensor "
                             r"but is a int32 tensor \[Op:LogicalAnd\]"):
        tf.logical_and(tf.constant([1]), tf.constant([1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"as input #1\(zero-based\).*bool tensor but is a int32"):
        tf.logical_or(tf.constant([True]), tf.constant([1]))
    with pytest.raises(TypeError, match="Cannot convert 1 to EagerTensor of dtype bool"):
        tf.logical_not(1)


# ---- where (SelectV2) --------------------------------------------------------------------------------------

def test_where_values_and_gradient():
    cond = np.array([[True, False, True], [False, True, False]])
    check_op(lambda x, y: tf.where(cond, x, y), f32(2, 3), f32(3), ref=lambda x, y: np.where(cond, x, y))
    check_op(lambda x: tf.where(cond, x, 0.0), f32(2, 1), ref=lambda x: np.where(cond, x, 0.0))
    out = tf.where(tf.constant([[True], [False]]), tf.constant([1, 2]), tf.constant([10, 20]))
    np.testing.assert_array_equal(out.numpy(), [[1, 2], [10, 20]])
    np.testing.assert_array_equal(tf.where([True, False], [1, 2], [3, 4]).numpy(), [1, 4])
    assert tf.where(tf.constant([True, False]), 1.0, tf.constant([2.0])).dtype == tf.float32


def test_where_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"as input #0\(zero-based\) was expected to be a bool tensor but is a int32 tensor "
                             r"\[Op:SelectV2\]"):
        tf.where(tf.constant([1, 0]), 1, 2)
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32"):
        tf.where(tf.constant([True, False]), 1, 2.5)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"input #2\(zero-based\).*int32 tensor but is a float"):
        tf.where(tf.constant([True, False]), tf.constant([1]), tf.constant([1.0]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"condition \[3\], then \[2\], and else \[\] must be broadcastable \[Op:SelectV2\]"):
        tf.where(tf.constant([True, False, True]), tf.constant([1, 2]), 3)
    with pytest.raises(ValueError, match="both be non-None or both be None"):
        tf.where(tf.constant([True]), 1)


# ---- cast -------------------------------------------------------------------------------------------------

def test_cast_values_and_gradient():
    check_op(lambda x: tf.cast(x, tf.float64), f32(2, 3), ref=lambda x: x.astype(np.float64), dtype=tf.float64)
    check_op(lambda x: tf.cast(x, tf.int32), np.float32([1.7, -1.7, 0.2]), expected=np.int32([1, -1, 0]),
             dtype=tf.int32, grad=False)
    x = tf.constant([1.0, 2.0])
    assert tf.cast(x, tf.float32) is x
    assert tf.cast(1.7, tf.int32).numpy() == 1
    assert tf.cast([1, 2], tf.float32).dtype == tf.float32


@pytest.mark.parametrize("dtype,expected", [
    (tf.uint8, [1, 255, 44, 0, 0]),                    # through int32, wrapping, as TF on CPU
    (tf.int16, [1, -1, 300, 0, 0]),
    (tf.int32, [1, -1, 300, -2 ** 31, -2 ** 31]),
    (tf.bool, [True, True, True, True, True])])
def test_cast_float_to_integer_matches_tf(dtype, expected):
    out = tf.cast(tf.constant([1.5, -1.5, 300, np.nan, np.inf]), dtype)
    assert out.dtype == dtype and out.numpy().dtype == dtype.as_numpy_dtype
    np.testing.assert_array_equal(out.numpy(), expected)


def test_cast_other_conversions():
    np.testing.assert_array_equal(tf.cast(tf.constant([1 + 2j]), tf.float32).numpy(), [1.0])
    np.testing.assert_array_equal(tf.cast(tf.constant([1 + 2j, 0j]), tf.bool).numpy(), [True, False])
    np.testing.assert_array_equal(tf.cast(tf.constant([True, False]), tf.float32).numpy(), [1.0, 0.0])
    np.testing.assert_array_equal(tf.cast(tf.constant([-1]), tf.uint8).numpy(), [255])
    np.testing.assert_array_equal(tf.cast(tf.constant([2.5], tf.float64), tf.complex64).numpy(), [2.5 + 0j])
    bf = tf.cast(tf.constant([1.00001, 1 / 3, 3.4e38, np.nan], tf.float64), tf.bfloat16)  # rounds to 8 bits
    assert bf.dtype == tf.bfloat16
    np.testing.assert_array_equal(bf.numpy()[:3], np.float32([1.0, 0.333984375, np.inf]))
    assert np.isnan(bf.numpy()[3])


def test_cast_gradient_through_complex():
    with tf.GradientTape() as tape:
        x = tf.constant([1.0, 2.0])
        tape.watch(x)
        y = tf.math.real(tf.cast(x, tf.complex64) * tf.constant(1 + 1j, tf.complex64))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [1.0, 1.0])


def test_cast_string_errors():
    with pytest.raises(tf.errors.UnimplementedError, match=r"Cast string to float is not supported \[Op:Cast\]"):
        tf.cast(tf.constant(["1"]), tf.float32)
    with pytest.raises(tf.errors.UnimplementedError, match=r"Cast float to string is not supported"):
        tf.cast(tf.constant([1.0]), tf.string)


# ---- saturate_cast ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,src,dst,expected", [
    ([-1.0, 300.0, 1e10, -1e10, np.nan], tf.float32, tf.uint8, [0, 255, 255, 0, 0]),
    ([-1e10, 1e10], tf.float32, tf.int32, [-2 ** 31, 2147483520]),  # largest float32 below 2**31
    ([-1e10, 1e10], tf.float64, tf.int32, [-2 ** 31, 2 ** 31 - 1]),
    ([-1e30, 1e30], tf.float64, tf.int64, [-2 ** 63, 2 ** 63 - 1024]),  # TF overflows here; we saturate
    ([300, -5], tf.int32, tf.uint8, [255, 0]),
    ([300, -5], tf.int64, tf.int8, [127, -5]),
    ([2 ** 40], tf.int64, tf.int32, [2 ** 31 - 1]),
    ([-1, 2], tf.int32, tf.uint32, [0, 2]),
    ([1e300], tf.float64, tf.float32, [np.finfo(np.float32).max]),
    ([1e6], tf.float32, tf.float16, [65504.0]),
])
def test_saturate_cast(value, src, dst, expected):
    out = tf.saturate_cast(tf.constant(value, src), dst)
    assert out.dtype == dst
    np.testing.assert_array_equal(out.numpy(), np.array(expected, dtype=dst.as_numpy_dtype))


def test_saturate_cast_complex_bool_and_gradient():
    np.testing.assert_array_equal(tf.saturate_cast(tf.constant([1 + 2j]), tf.float32).numpy(), [1.0])
    np.testing.assert_array_equal(tf.saturate_cast(tf.constant([1.5]), tf.complex64).numpy(), [1.5 + 0j])
    with pytest.raises(TypeError, match=r"Cannot find minimum value of <dtype: 'bool'>"):
        tf.saturate_cast(tf.constant([True]), tf.int32)
    check_op(lambda x: tf.saturate_cast(x, tf.float16), np.float32([1.0, -2.5, 7e4]),
             ref=lambda x: np.clip(x, -65504, 65504).astype(np.float16), dtype=tf.float16, grad=False)
    x = tf.constant([1.0, -2.5, 7e4])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.saturate_cast(x, tf.float16)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0, 1.0, 0.0])  # clamped: no gradient


# ---- complex parts ---------------------------------------------------------------------------------------

def test_complex_parts():
    z = tf.constant([1 + 2j], tf.complex64)
    assert tf.math.real(z).dtype == tf.float32 and tf.math.real(z).numpy()[0] == 1.0
    assert tf.math.imag(z).dtype == tf.float32 and tf.math.imag(z).numpy()[0] == 2.0
    assert tf.math.conj(z).numpy()[0] == 1 - 2j
    x = tf.constant([2.5])
    assert tf.math.real(x) is x and tf.math.conj(x) is x
    np.testing.assert_array_equal(tf.math.imag(x).numpy(), [0.0])
    c = tf.complex(tf.constant([1.0], tf.float64), tf.constant([[2.0], [3.0]], tf.float64))
    assert c.dtype == tf.complex128 and c.shape == (2, 1)
    assert tf.complex(1.0, 2.0).dtype == tf.complex64


def test_complex_parts_errors():
    with pytest.raises(TypeError, match=r"input must be a numeric tensor, but got tensor with dtype "
                                        r"<dtype: 'string'>"):
        tf.math.real(tf.constant(["a"]))
    with pytest.raises(TypeError, match=r"Expected numeric or variant tensor, got dtype tf.string"):
        tf.math.conj(tf.constant(["a"]))
    with pytest.raises(TypeError, match=r"The `real` and `imag` components have incorrect types: int32 int32"):
        tf.complex(1, 2)
    with pytest.raises(TypeError, match=r"incorrect types: float32 float64"):
        tf.complex(tf.constant(1.0), tf.constant(2.0, tf.float64))


def test_gradients_through_complex_parts():
    # |x + iy|^2 built from complex ops: gradient 2x, 2y.
    def sq_norm(x, y):
        z = tf.complex(x, y)
        return tf.math.real(z * tf.math.conj(z)) + tf.math.imag(z) * 0.0

    check_op(sq_norm, np.float32([1.0, -2.0]), np.float32([0.5, 3.0]), ref=lambda x, y: x * x + y * y)
    check_op(lambda x, y: tf.abs(tf.complex(x, y)), np.float32([3.0, 1.0]), np.float32([4.0, -1.0]),
             ref=lambda x, y: np.hypot(x, y))
