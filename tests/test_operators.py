"""Python operators on tensors, as TF 2.21: arithmetic, comparisons, bitwise/logical, reflected forms
with Python scalars and NumPy arrays, and `==` / `!=` semantics."""
import operator

import numpy as np
import pytest

import eagerflow as tf

X = np.float32([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]])
Y = np.float32([2.0, -3.0, 0.5])

ARITHMETIC = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
              operator.pow]


def _np_op(op, a, b):
    if op is operator.floordiv:
        return np.floor(a / b)  # TF: floor(x / y)
    if op is operator.pow:
        return np.power(np.abs(a), b)
    return op(a, b)


def _operands(op):
    return (np.abs(X), Y) if op is operator.pow else (X, Y)


@pytest.mark.parametrize("op", ARITHMETIC, ids=lambda o: o.__name__)
def test_arithmetic_between_tensors(op):
    a, b = _operands(op)
    out = op(tf.constant(a), tf.constant(b))
    assert isinstance(out, tf.Tensor) and out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), _np_op(op, a, b), rtol=1e-6)


@pytest.mark.parametrize("op", ARITHMETIC, ids=lambda o: o.__name__)
def test_arithmetic_with_python_scalars_and_reflected(op):
    a, _ = _operands(op)
    t = tf.constant(a)
    for s in (2, 2.5):
        out, rout = op(t, s), op(s, t)
        assert out.dtype == tf.float32 and rout.dtype == tf.float32  # the scalar takes the tensor's dtype
        np.testing.assert_allclose(out.numpy(), _np_op(op, a, np.float32(s)), rtol=1e-6)
        np.testing.assert_allclose(rout.numpy(), _np_op(op, np.float32(s), a) if op is not operator.pow
                                   else np.power(np.float32(s), a), rtol=1e-6)


@pytest.mark.parametrize("op", ARITHMETIC, ids=lambda o: o.__name__)
def test_arithmetic_with_numpy_arrays_and_reflected(op):
    a, b = _operands(op)
    t = tf.constant(a)
    b64 = b.astype(np.float64)  # NumPy operands are cast to the tensor's dtype, as TF
    out, rout = op(t, b64), op(b64, t)
    assert isinstance(rout, tf.Tensor), "ndarray op tensor must defer to the tensor"
    assert out.dtype == tf.float32 and rout.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), _np_op(op, a, b), rtol=1e-6)
    if op is not operator.pow:
        np.testing.assert_allclose(rout.numpy(), _np_op(op, np.broadcast_to(b, a.shape), a), rtol=1e-6)
    assert (np.float64(2.0) * t).dtype == tf.float32


def test_integer_operators():
    a, b = tf.constant([7, -7]), tf.constant([2, 2])
    np.testing.assert_array_equal((a // b).numpy(), [3, -4])
    np.testing.assert_array_equal((a % b).numpy(), [1, 1])
    np.testing.assert_array_equal((a / b).numpy(), [3.5, -3.5])
    assert (a / b).dtype == tf.float64
    np.testing.assert_array_equal((2 ** tf.constant([1, 2])).numpy(), [2, 4])
    np.testing.assert_array_equal((tf.constant([1, 2], tf.int8) + 1000).numpy(), [-23, -22])  # wraps as TF
    np.testing.assert_array_equal(([1, 2] + tf.constant([1, 2])).numpy(), [2, 4])
    assert (tf.constant([1, 2]) + [[1], [2]]).shape == (2, 2)
    assert (np.int32(2) + tf.constant([1, 2])).dtype == tf.int32


def test_matmul_operator():
    a = np.float32([[1, 2], [3, 4]])
    b = np.float32([[5], [6]])
    np.testing.assert_allclose((tf.constant(a) @ tf.constant(b)).numpy(), a @ b)
    np.testing.assert_allclose((tf.constant(a) @ b).numpy(), a @ b)
    out = a @ tf.constant(b)
    assert isinstance(out, tf.Tensor)
    np.testing.assert_allclose(out.numpy(), a @ b)


def test_unary_operators():
    t = tf.constant([1.5, -2.0])
    np.testing.assert_array_equal((-t).numpy(), [-1.5, 2.0])
    np.testing.assert_array_equal(abs(t).numpy(), [1.5, 2.0])
    np.testing.assert_array_equal(abs(tf.constant([-1, 2])).numpy(), [1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:Neg\]"):
        -tf.constant([1], tf.uint8)


@pytest.mark.parametrize("op,ref", [(operator.lt, np.less), (operator.le, np.less_equal), (operator.gt, np.greater),
                                    (operator.ge, np.greater_equal), (operator.eq, np.equal),
                                    (operator.ne, np.not_equal)])
def test_comparison_operators(op, ref):
    t = tf.constant(X)
    for other in (tf.constant(Y), 0.5, Y.astype(np.float64)):
        out = op(t, other)
        assert out.dtype == tf.bool
        np.testing.assert_array_equal(out.numpy(), ref(X, np.asarray(other, dtype=np.float32)))
    reflected = op(0.5, t)  # Python turns this into the mirrored comparison on the tensor
    np.testing.assert_array_equal(reflected.numpy(), ref(np.float32(0.5), X))


def test_bool_operators_are_logical():
    a, b = tf.constant([True, True, False, False]), tf.constant([True, False, True, False])
    na, nb = a.numpy(), b.numpy()
    np.testing.assert_array_equal((a & b).numpy(), na & nb)
    np.testing.assert_array_equal((a | b).numpy(), na | nb)
    np.testing.assert_array_equal((a ^ b).numpy(), na ^ nb)
    np.testing.assert_array_equal((~a).numpy(), ~na)
    np.testing.assert_array_equal((True & b).numpy(), nb)
    np.testing.assert_array_equal((False | b).numpy(), nb)
    np.testing.assert_array_equal((True ^ b).numpy(), ~nb)
    np.testing.assert_array_equal((np.array([True, False, True, False]) & a).numpy(), [True, False, False, False])
    with pytest.raises(TypeError, match="Cannot convert 1 to EagerTensor of dtype bool"):
        a & 1


def test_integer_bitwise_operators():
    x = tf.constant([6, 3])
    np.testing.assert_array_equal((x & 5).numpy(), [4, 1])
    np.testing.assert_array_equal((5 | x).numpy(), [7, 7])
    np.testing.assert_array_equal((x ^ tf.constant([5, 5])).numpy(), [3, 6])
    np.testing.assert_array_equal((~tf.constant([6, -3])).numpy(), [-7, 2])
    np.testing.assert_array_equal((~tf.constant([0, 5], tf.uint8)).numpy(), [255, 250])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of float is not in the list.*BitwiseAnd"):
        tf.constant([1.0]) & tf.constant([1.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of float is not in the list.*\[Op:Invert\]"):
        ~tf.constant([1.0])


def test_equality_semantics_of_tf2():
    t = tf.constant([1, 2])
    assert (t == None) is False  # noqa: E711 - the point of the test
    assert (t != None) is True  # noqa: E711
    assert (None == t) is False  # noqa: E711
    for other in (tf.constant([1, 2, 3]), [1, 2, 3]):  # shapes that do not broadcast: a scalar answer
        eq, ne = t == other, t != other
        assert eq.shape == () and eq.dtype == tf.bool and not eq.numpy()
        assert ne.shape == () and ne.numpy()
    np.testing.assert_array_equal((t == [1, 5]).numpy(), [True, False])
    np.testing.assert_array_equal((tf.constant([[1, 2]]) == tf.constant([[1], [2]])).numpy(),
                                  [[True, False], [False, True]])
    np.testing.assert_array_equal((tf.constant(["a", "b"]) == "a").numpy(), [True, False])
    assert bool(tf.constant(1) == tf.constant(1))
    assert t in [t]  # identity first
    with pytest.raises(ValueError, match="truth value of an array with more than one element is ambiguous"):
        t in [tf.constant([1, 2])]  # noqa: B015 - then elementwise ==, ambiguous as in TF
    with pytest.raises(TypeError, match="Tensor is unhashable"):
        hash(t)


def test_equality_errors():
    t = tf.constant([1, 2])
    with pytest.raises(TypeError, match="Cannot convert 'a' to EagerTensor of dtype int32"):
        t == "a"  # noqa: B015
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        t == 1.5  # noqa: B015
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute Equal as input #1\(zero-based\) was expected to be a int32 tensor but "
                             r"is a float tensor \[Op:Equal\]"):
        t == tf.constant([1.0, 2.0])  # noqa: B015
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:NotEqual\]"):
        t != tf.constant([1.0, 2.0])  # noqa: B015


def test_operator_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[3\] \[Op:AddV2\]"):
        tf.constant([1, 2]) + tf.constant([1, 2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"int32 tensor but is a float tensor \[Op:AddV2\]"):
        tf.constant([1, 2]) + 1.5
    for op in (operator.sub, operator.mul, operator.floordiv, operator.mod, operator.pow):
        with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
            op(tf.constant([1, 2]), 1.5)
        with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
            op(1.5, tf.constant([1, 2]))
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        1.5 + tf.constant([1, 2])
    with pytest.raises(TypeError, match="Cannot convert 2.0 to EagerTensor of dtype int8"):
        tf.constant([1, 2], tf.int8) * 2.0  # even an integral Python float, as TF
    with pytest.raises(TypeError, match=r"`x` and `y` must have the same dtype, got tf.int32 != tf.float32."):
        tf.constant([1, 2]) / 1.5
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"expected to be a float tensor but is a int32 tensor "
                                                             r"\[Op:Mul\]"):
        tf.constant([1.0]) * tf.constant([1])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Integer division by zero \[Op:FloorDiv\]"):
        tf.constant([1, 2]) // 0
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Integer division by zero \[Op:FloorMod\]"):
        tf.constant([1, 2]) % 0
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integers to negative integer powers are not allowed"):
        tf.constant([1, 2]) ** -1
    with pytest.raises(TypeError, match="Cannot convert 'a' to EagerTensor of dtype float"):
        "a" + tf.constant([1.0])
    with pytest.raises(ValueError, match=r"Attempt to convert a value \(None\)"):
        tf.constant([1]) + None


def test_string_concatenation():
    np.testing.assert_array_equal((tf.constant(["a"]) + "b").numpy(), [b"ab"])
    np.testing.assert_array_equal(("b" + tf.constant(["a"])).numpy(), [b"ba"])
    out = tf.constant("x") + tf.constant("y")
    assert out.dtype == tf.string and out.numpy() == b"xy"
    with pytest.raises(TypeError, match="Cannot convert 2 to EagerTensor of dtype string"):
        tf.constant(["a"]) * 2


def test_operators_on_variables():
    v = tf.Variable([1.0, 2.0])
    t = tf.constant([3.0, 4.0])
    np.testing.assert_array_equal((v + t).numpy(), [4, 6])
    np.testing.assert_array_equal((t + v).numpy(), [4, 6])
    np.testing.assert_array_equal((2 * v).numpy(), [2, 4])
    np.testing.assert_array_equal((v == [1.0, 5.0]).numpy(), [True, False])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v * v + t / v)
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), 2 * np.float32([1, 2]) - np.float32([3, 4]) / [1, 4])


def test_bool_multiplication_operator_is_logical_and():
    np.testing.assert_array_equal((tf.constant([True, False]) * True).numpy(), [True, False])


def test_unary_plus_is_not_supported():
    with pytest.raises(TypeError, match="bad operand type for unary +"):
        +tf.constant([1.0])
