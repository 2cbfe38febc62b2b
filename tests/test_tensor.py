"""EagerTensor: printing, the Python/NumPy protocol and tf.constant/convert_to_tensor rules.

Expected strings and results were produced by TensorFlow 2.21 (see the comments for deliberate
differences).
"""
import copy
import pickle

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import eagerflow as tf

# (expression, str(t), repr(t)) as printed by TensorFlow 2.21.
CASES = [
    ('tf.constant(10)', 'tf.Tensor(10, shape=(), dtype=int32)', '<tf.Tensor: shape=(), dtype=int32, numpy=10>'),
    ('tf.constant(1.5)', 'tf.Tensor(1.5, shape=(), dtype=float32)', '<tf.Tensor: shape=(), dtype=float32, numpy=1.5>'),
    ('tf.constant(0.1)', 'tf.Tensor(0.1, shape=(), dtype=float32)', '<tf.Tensor: shape=(), dtype=float32, numpy=0.10000000149011612>'),
    ('tf.constant(1e10)', 'tf.Tensor(1e+10, shape=(), dtype=float32)', '<tf.Tensor: shape=(), dtype=float32, numpy=10000000000.0>'),
    ('tf.constant(0.1, tf.float64)', 'tf.Tensor(0.1, shape=(), dtype=float64)', '<tf.Tensor: shape=(), dtype=float64, numpy=0.1>'),
    ('tf.constant(0.1, tf.float16)', 'tf.Tensor(0.1, shape=(), dtype=float16)', '<tf.Tensor: shape=(), dtype=float16, numpy=0.0999755859375>'),
    ('tf.constant(-0.0)', 'tf.Tensor(-0.0, shape=(), dtype=float32)', '<tf.Tensor: shape=(), dtype=float32, numpy=-0.0>'),
    ('tf.constant(np.nan)', 'tf.Tensor(nan, shape=(), dtype=float32)', '<tf.Tensor: shape=(), dtype=float32, numpy=nan>'),
    ('tf.constant(3, tf.uint8)', 'tf.Tensor(3, shape=(), dtype=uint8)', '<tf.Tensor: shape=(), dtype=uint8, numpy=3>'),
    ('tf.constant(2**40)', 'tf.Tensor(1099511627776, shape=(), dtype=int64)', '<tf.Tensor: shape=(), dtype=int64, numpy=1099511627776>'),
    ('tf.constant(True)', 'tf.Tensor(True, shape=(), dtype=bool)', '<tf.Tensor: shape=(), dtype=bool, numpy=True>'),
    ('tf.constant("ab")', "tf.Tensor(b'ab', shape=(), dtype=string)", "<tf.Tensor: shape=(), dtype=string, numpy=b'ab'>"),
    ('tf.constant(1 + 2j)', 'tf.Tensor((1+2j), shape=(), dtype=complex128)', '<tf.Tensor: shape=(), dtype=complex128, numpy=(1+2j)>'),
    ('tf.constant(0.1 + 0.2j, tf.complex64)', 'tf.Tensor((0.1+0.2j), shape=(), dtype=complex64)', '<tf.Tensor: shape=(), dtype=complex64, numpy=(0.10000000149011612+0.20000000298023224j)>'),
    ('tf.constant([1.0, 2.0])', 'tf.Tensor([1. 2.], shape=(2,), dtype=float32)', '<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>'),
    ('tf.constant([[1, 2], [3, 4]])', 'tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)', '<tf.Tensor: shape=(2, 2), dtype=int32, numpy=\narray([[1, 2],\n       [3, 4]], dtype=int32)>'),
    ('tf.constant([[[1.0, 2.5]], [[3.0, 4.0]]])', 'tf.Tensor(\n[[[1.  2.5]]\n\n [[3.  4. ]]], shape=(2, 1, 2), dtype=float32)', '<tf.Tensor: shape=(2, 1, 2), dtype=float32, numpy=\narray([[[1. , 2.5]],\n\n       [[3. , 4. ]]], dtype=float32)>'),
    ('tf.constant([True, False])', 'tf.Tensor([ True False], shape=(2,), dtype=bool)', '<tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True, False])>'),
    ('tf.constant(["a", "bc"])', "tf.Tensor([b'a' b'bc'], shape=(2,), dtype=string)", "<tf.Tensor: shape=(2,), dtype=string, numpy=array([b'a', b'bc'], dtype=object)>"),
    ('tf.constant([["a", "bc"], ["d", "e"]])', "tf.Tensor(\n[[b'a' b'bc']\n [b'd' b'e']], shape=(2, 2), dtype=string)", "<tf.Tensor: shape=(2, 2), dtype=string, numpy=\narray([[b'a', b'bc'],\n       [b'd', b'e']], dtype=object)>"),
    ('tf.constant([1.5, 2.25], tf.float16)', 'tf.Tensor([1.5  2.25], shape=(2,), dtype=float16)', '<tf.Tensor: shape=(2,), dtype=float16, numpy=array([1.5 , 2.25], dtype=float16)>'),
    ('tf.constant([1 + 2j, 3j], tf.complex64)', 'tf.Tensor([1.+2.j 0.+3.j], shape=(2,), dtype=complex64)', '<tf.Tensor: shape=(2,), dtype=complex64, numpy=array([1.+2.j, 0.+3.j], dtype=complex64)>'),
    ('tf.constant([], tf.float32)', 'tf.Tensor([], shape=(0,), dtype=float32)', '<tf.Tensor: shape=(0,), dtype=float32, numpy=array([], dtype=float32)>'),
    ('tf.zeros([0, 3])', 'tf.Tensor([], shape=(0, 3), dtype=float32)', '<tf.Tensor: shape=(0, 3), dtype=float32, numpy=array([], shape=(0, 3), dtype=float32)>'),
    ('tf.constant(np.arange(2000, dtype=np.float32))', 'tf.Tensor([0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03], shape=(2000,), dtype=float32)', '<tf.Tensor: shape=(2000,), dtype=float32, numpy=\narray([0.000e+00, 1.000e+00, 2.000e+00, ..., 1.997e+03, 1.998e+03,\n       1.999e+03], shape=(2000,), dtype=float32)>'),
    ('tf.constant(np.arange(24).reshape(2, 3, 4))', 'tf.Tensor(\n[[[ 0  1  2  3]\n  [ 4  5  6  7]\n  [ 8  9 10 11]]\n\n [[12 13 14 15]\n  [16 17 18 19]\n  [20 21 22 23]]], shape=(2, 3, 4), dtype=int64)', '<tf.Tensor: shape=(2, 3, 4), dtype=int64, numpy=\narray([[[ 0,  1,  2,  3],\n        [ 4,  5,  6,  7],\n        [ 8,  9, 10, 11]],\n\n       [[12, 13, 14, 15],\n        [16, 17, 18, 19],\n        [20, 21, 22, 23]]])>'),
    ('tf.constant([1e-8, 1e8])', 'tf.Tensor([1.e-08 1.e+08], shape=(2,), dtype=float32)', '<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1.e-08, 1.e+08], dtype=float32)>'),
    ('tf.constant([np.inf, -np.inf, np.nan])', 'tf.Tensor([ inf -inf  nan], shape=(3,), dtype=float32)', '<tf.Tensor: shape=(3,), dtype=float32, numpy=array([ inf, -inf,  nan], dtype=float32)>'),
    ('tf.constant([[0.1, 2], [3, 4]])', 'tf.Tensor(\n[[0.1 2. ]\n [3.  4. ]], shape=(2, 2), dtype=float32)', '<tf.Tensor: shape=(2, 2), dtype=float32, numpy=\narray([[0.1, 2. ],\n       [3. , 4. ]], dtype=float32)>'),
    ('tf.constant(np.arange(12, dtype=np.int8).reshape(3, 4))', 'tf.Tensor(\n[[ 0  1  2  3]\n [ 4  5  6  7]\n [ 8  9 10 11]], shape=(3, 4), dtype=int8)', '<tf.Tensor: shape=(3, 4), dtype=int8, numpy=\narray([[ 0,  1,  2,  3],\n       [ 4,  5,  6,  7],\n       [ 8,  9, 10, 11]], dtype=int8)>'),
]


@pytest.mark.parametrize("expr,text,rep", CASES, ids=[c[0] for c in CASES])
def test_printing_matches_tf(expr, text, rep):
    t = eval(expr)
    assert str(t) == text
    assert repr(t) == rep


def test_format():
    assert f"{tf.constant(5)}" == "5" and f"{tf.constant(5):5d}" == "    5"
    assert f"{tf.constant(2.5):.3f}" == "2.500"
    assert f"{tf.constant([1.0, 2.0])}" == "[1. 2.]"   # the NumPy value's text, as TF
    with pytest.raises(TypeError, match="unsupported format string passed to numpy.ndarray.__format__"):
        format(tf.constant([1.0]), ".2f")


# ---- the EagerTensor protocol ------------------------------------------------------------------------

def test_numpy_returns_a_copy_and_numpy_scalars():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    a = t.numpy()
    a[0, 0] = 100.0
    assert t.numpy()[0, 0] == 1.0
    assert type(tf.constant(5).numpy()) is np.int32
    assert tf.constant("ab").numpy() == b"ab"
    assert tf.constant(["ab"]).numpy().dtype == object


def test_array_protocol_is_a_read_only_view():
    t = tf.constant([1.0, 2.0])
    a = np.asarray(t)
    assert a.dtype == np.float32 and not a.flags.writeable
    with pytest.raises(ValueError):
        a[0] = 5.0
    assert t.numpy()[0] == 1.0
    b = np.array(t)  # np.array copies: writable
    b[0] = 7.0
    assert t.numpy()[0] == 1.0
    assert np.array(t, dtype=np.float64).dtype == np.float64
    assert np.asarray(tf.constant(5)).shape == ()
    assert np.asarray(tf.constant(["a", "b"])).tolist() == [b"a", b"b"]


def test_numpy_functions_and_mixed_arithmetic():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    r = np.add(t, 1)
    assert isinstance(r, np.ndarray) and r.tolist() == [[2.0, 3.0], [4.0, 5.0]]
    s = np.array([1.0, 2.0]) + tf.constant([1.0, 2.0])  # ndarray defers to the tensor (as TF)
    assert isinstance(s, tf.Tensor) and s.dtype == tf.float32


def test_scalar_conversions():
    assert bool(tf.constant(True)) is True and bool(tf.constant(0.0)) is False
    assert bool(tf.constant([1.0])) is True and bool(tf.constant([])) is False
    with pytest.raises(ValueError, match="truth value of an array with more than one element is ambiguous"):
        bool(tf.constant([1.0, 2.0]))
    assert int(tf.constant(5)) == 5 and int(tf.constant(2.7)) == 2 and float(tf.constant(5)) == 5.0
    assert complex(tf.constant(1 + 2j)) == 1 + 2j
    with pytest.raises(TypeError, match="only 0-dimensional arrays can be converted to Python scalars"):
        int(tf.constant([3, 4]))


def test_index_protocol():
    n = tf.constant(5)
    assert n.__index__() == 5 and list(range(n)) == [0, 1, 2, 3, 4]
    assert [0, 1, 2][tf.constant(1)] == 1
    # TF raises AttributeError here (an accident of its implementation); Python's own TypeError is clearer.
    for bad in (tf.constant(2.0), tf.constant([3]), tf.constant(True)):
        with pytest.raises(TypeError, match="only integer scalar tensors can be converted to a scalar index"):
            range(bad)


def test_len_and_iteration():
    t = tf.constant([[1, 2], [3, 4], [5, 6]])
    assert len(t) == 3
    rows = list(t)
    assert len(rows) == 3 and all(isinstance(r, tf.Tensor) for r in rows)
    assert [r.numpy().tolist() for r in rows] == [[1, 2], [3, 4], [5, 6]]
    assert [int(x) for x in tf.constant([1, 2, 3])] == [1, 2, 3]
    assert len(tf.zeros([0, 2])) == 0 and list(tf.zeros([0, 2])) == []
    with pytest.raises(TypeError, match=r"Scalar tensor has no `len\(\)`"):
        len(tf.constant(5))
    with pytest.raises(TypeError, match="Cannot iterate over a scalar tensor."):
        iter(tf.constant(5))


def test_iteration_is_differentiable():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.add_n([e * float(i + 1) for i, e in enumerate(x)])
    assert tape.gradient(y, x).numpy().tolist() == [1.0, 2.0, 3.0]


def test_immutability_hashing_and_ref():
    t = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="does not support item assignment"):
        t[0] = 1.0
    with pytest.raises(TypeError, match=r"Tensor is unhashable. Instead, use tensor.ref\(\) as the key."):
        hash(t)
    with pytest.raises(TypeError):
        {t: 1}
    r = t.ref()
    assert {r: 1}[t.ref()] == 1 and r.deref() is t
    assert t.ref() == t.ref() and t.ref() != tf.constant([1.0, 2.0]).ref()
    t.note = "user attributes are allowed, as on TF's EagerTensor"
    assert t.note.startswith("user")


def test_kernel_scalar_results_behave_like_constants():
    s = tf.constant(1.0) + tf.constant(2.0)   # NumPy returns a NumPy scalar for 0-d inputs
    assert repr(s) == "<tf.Tensor: shape=(), dtype=float32, numpy=3.0>" and f"{s:.1f}" == "3.0"
    assert type(s.numpy()) is np.float32 and np.asarray(s).shape == () and bool(s) and int(s) == 3
    assert repr(tf.constant(0.1) + 0.0) == "<tf.Tensor: shape=(), dtype=float32, numpy=0.10000000149011612>"
    assert repr(s.ref()) == "<Reference wrapping <tf.Tensor: shape=(), dtype=float32, numpy=3.0>>"


def test_copy_and_pickle():
    t = tf.constant([[1.0, 2.0]])
    assert copy.copy(t) is t and copy.deepcopy(t) is t
    u = pickle.loads(pickle.dumps(t))
    assert u.dtype == tf.float32 and u.numpy().tolist() == [[1.0, 2.0]]


def test_metadata():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert t.shape == tf.TensorShape([2, 2]) and t.get_shape() == [2, 2]
    assert t.dtype is tf.float32 and t.ndim == 2
    assert t.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert isinstance(t, tf.Tensor) and tf.is_tensor(t) and not tf.is_tensor(np.array(1))
    assert tf.is_tensor(tf.Variable(1.0))


def test_equality_operators():
    s = tf.constant(5)
    assert (s == 5).dtype == tf.bool and bool(s == 5)
    assert (s == None) is False and (s != None) is True  # noqa: E711
    r = tf.constant([1, 2]) == tf.constant([1, 2, 3])  # incompatible shapes: a scalar False, as TF 2
    assert r.shape == () and not bool(r)


# ---- tf.constant dtype inference -----------------------------------------------------------------

@pytest.mark.parametrize("value,dtype", [
    (1, tf.int32), (2 ** 31, tf.int64), ([1, 2 ** 40], tf.int64), (-2 ** 31 - 1, tf.int64), (-2 ** 63, tf.int64),
    ([2 ** 63 - 1], tf.int64), (1.5, tf.float32), ([1, 2.5], tf.float32), (np.float64(1.5), tf.float64),
    ([np.float64(1.5), 2.0], tf.float64), ([np.float32(1.5), 2.0], tf.float32), ([1, np.float32(1.5)], tf.float32),
    ([np.float16(1), 2.0], tf.float16), (np.array([1, 2]), tf.int64), (np.array([1, 2], np.int32), tf.int32),
    (np.int64(3), tf.int64), (np.int32(7), tf.int32), (np.array(3), tf.int64), (np.float16(3), tf.float16),
    ([np.int64(1), np.int64(2)], tf.int32), ([np.int16(1), 2], tf.int32), ([np.uint8(1), 2], tf.int32),
    ([np.int64(2 ** 40), 2], tf.int64), ([np.int32(1), 2.5], tf.float32), ([np.array([1, 2]), [3, 4]], tf.int32),
    ([np.array([1., 2.]), [3, 4]], tf.float64), ([np.array([1., 2.], np.float32), [3, 4]], tf.float32),
    ([[1, 2], [3, 4.5]], tf.float32), ([2 ** 31, 1.5], tf.float32), (True, tf.bool), ([True, False], tf.bool),
    (1 + 2j, tf.complex128), ([1 + 1j, 2], tf.complex128), ("a", tf.string), (b"x", tf.string),
    (["a", b"b"], tf.string), (np.array(["a", "bb"]), tf.string), (np.array([], dtype=object), tf.string),
    ([], tf.float32), ([[]], tf.float32), ((1, 2), tf.int32), (range(3), tf.int32), ([np.nan], tf.float32),
    (np.array([1, 2], np.uint16), tf.uint16),
], ids=repr)
def test_constant_infers_dtype_as_tf(value, dtype):
    t = tf.constant(value)
    assert t.dtype is dtype
    assert np.asarray(t).dtype == (object if dtype is tf.string else dtype.as_numpy_dtype)
    if dtype is not tf.string:
        np.testing.assert_array_equal(t.numpy(), np.array(value, dtype=object).astype(dtype.as_numpy_dtype)
                                      if not isinstance(value, range) else np.arange(3))


def test_constant_values():
    assert tf.constant(["a", b"b"]).numpy().tolist() == [b"a", b"b"]
    assert tf.constant(1e40, dtype=tf.float32).numpy() == np.inf    # overflow to inf, as TF
    assert tf.constant([np.inf, 1.0]).numpy()[0] == np.inf
    assert tf.constant([[]]).shape == (1, 0) and tf.constant([]).shape == (0,)
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = tf.constant(a)
    a[0] = 9.0
    assert t.numpy()[0] == 1.0  # NumPy input is copied: tensors are immutable


@pytest.mark.parametrize("value,dtype,expected", [
    (1, tf.float32, 1.0), (True, tf.int32, 1), ([True, False], tf.int32, [1, 0]), (True, tf.float32, 1.0),
    (1.5, tf.complex64, 1.5 + 0j), (300, tf.uint8, 44), (-1, tf.uint8, 255), (2 ** 31, tf.int32, -2 ** 31),
    (2 ** 63, tf.uint64, 2 ** 63), (1e40, tf.float32, np.inf), (1, tf.float16, 1.0), ([1.0, 2.0], tf.float64, [1, 2]),
    (np.array([1.5]), tf.int32, [1]), (np.array(1.5), tf.int32, 1), (np.array([1, 2]), tf.float32, [1, 2]),
    (np.array([1, 2], np.int64), tf.int32, [1, 2]), (np.float32(1.5), tf.float64, 1.5), (np.bool_(True), tf.int32, 1),
    (np.float32(2.0), tf.int32, 2), (np.array([1 + 1j]), tf.float32, [1.0]), (3, np.float64, 3.0),
    ([1, 2], "float32", [1.0, 2.0]), ([[]], tf.int32, np.zeros((1, 0))),
], ids=repr)
def test_constant_with_dtype(value, dtype, expected):
    t = tf.constant(value, dtype=dtype)
    assert t.dtype is tf.as_dtype(dtype)
    np.testing.assert_array_equal(t.numpy(), np.asarray(expected, dtype=tf.as_dtype(dtype).as_numpy_dtype))


@pytest.mark.parametrize("value,dtype", [
    (1.5, tf.int32), (1.0, tf.int32), ([1.0, 2.0], tf.int32), ([1.0, np.nan], tf.int32), (-0.5, tf.uint8),
    (1j, tf.float32), ("a", tf.int32), (1, tf.string), (1.5, tf.bool), (1, tf.bool), (0, tf.bool),
    ([1, 2], tf.bool), (2.0 ** 70, tf.int64),
], ids=repr)
def test_constant_refuses_lossy_python_conversion(value, dtype):
    name = {"float32": "float", "float64": "double"}.get(dtype.name, dtype.name)  # TF's C++ spelling
    with pytest.raises(TypeError, match=f"Cannot convert .* to EagerTensor of dtype {name}$"):
        tf.constant(value, dtype=dtype)


@pytest.mark.parametrize("value,msg", [
    ([[1, 2], [3]], "Can't convert non-rectangular Python sequence to Tensor."),
    ([[1], 2], "Can't convert non-rectangular Python sequence to Tensor."),
    ([1, [2]], "Can't convert Python sequence with mixed types to Tensor."),
    ([1, None], "Can't convert Python sequence with mixed types to Tensor."),
    ([True, 1], "Can't convert Python sequence with mixed types to Tensor."),
    ([1, "a"], "Can't convert Python sequence with mixed types to Tensor."),
    (2 ** 63, "Can't convert Python sequence with out-of-range integer to Tensor."),
    (2 ** 64, "Can't convert Python sequence with out-of-range integer to Tensor."),
    (None, r"Attempt to convert a value \(None\) with an unsupported type \(<class 'NoneType'>\) to a Tensor."),
    ({"a": 1}, r"Attempt to convert a value \(\{'a': 1\}\) with an unsupported type \(<class 'dict'>\)"),
    (object(), r"with an unsupported type \(<class 'object'>\) to a Tensor."),
    (1e40, "Can't convert Python sequence with a value out of range for a double-precision float."),
    ([1.0, -1e39], "Can't convert Python sequence with a value out of range for a double-precision float."),
    ([[1], [1e39]], "Can't convert Python sequence with a value out of range for a double-precision float."),
], ids=repr)
def test_constant_value_errors(value, msg):
    with pytest.raises(ValueError, match=msg):
        tf.constant(value)


def test_constant_numpy_dtype_errors():
    with pytest.raises(ValueError, match="Failed to convert a NumPy array"):
        tf.constant(np.array([1]), dtype=tf.string)
    with pytest.raises(ValueError, match="Failed to convert a NumPy array"):
        tf.constant(np.array(["a"]), dtype=tf.int32)


def test_constant_shape_argument():
    assert tf.constant(0, shape=[2, 3]).numpy().tolist() == [[0, 0, 0]] * 2
    assert tf.constant([1, 2, 3, 4], shape=[2, 2]).numpy().tolist() == [[1, 2], [3, 4]]
    assert tf.constant([[1, 2], [3, 4]], shape=[4]).shape == (4,)
    assert tf.constant([5], shape=[]).shape == () and tf.constant(5, shape=[]).numpy() == 5
    assert tf.constant(np.array([1, 2], np.int64), shape=[2, 1]).dtype == tf.int64
    assert tf.constant([[1.0, 2.0]], shape=[1, 1, 2]).shape == (1, 1, 2)
    with pytest.raises(TypeError, match=r"Eager execution of tf.constant with unsupported shape. Tensor \[1 2 3\] "
                                        r"\(converted from \[1, 2, 3\]\) has 3 elements, but got `shape` \(2, 2\) "
                                        r"with 4 elements\)."):
        tf.constant([1, 2, 3], shape=[2, 2])
    with pytest.raises(TypeError, match="has 2 elements, but got `shape` \\(2, 2\\) with 4 elements"):
        tf.constant([1, 2], shape=[2, 2])  # only a single value is broadcast


def test_constant_of_tensors_and_variables():
    assert tf.constant(tf.constant([1, 2]), shape=[2, 1]).shape == (2, 1)
    assert tf.constant(tf.Variable(1.0)).numpy() == 1.0
    with pytest.raises(TypeError, match="Expected tensor 1 with dtype tf.float32, but got dtype tf.int32."):
        tf.constant(tf.constant(1), dtype=tf.float32)


# ---- convert_to_tensor ------------------------------------------------------------------------------

def test_convert_to_tensor_passes_tensors_through():
    t = tf.constant(1)
    assert tf.convert_to_tensor(t) is t
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32 for Tensor with dtype int32"):
        tf.convert_to_tensor(t, dtype=tf.float32)
    v = tf.Variable(1.0)
    assert tf.convert_to_tensor(v).numpy() == 1.0
    with pytest.raises(ValueError, match="Incompatible type conversion requested to type int32"):
        tf.convert_to_tensor(v, dtype=tf.int32)


def test_convert_to_tensor_dtype_hint():
    assert tf.convert_to_tensor(1, dtype_hint=tf.float32).dtype == tf.float32
    assert tf.convert_to_tensor([1, 2], dtype_hint=tf.float32).dtype == tf.float32
    assert tf.convert_to_tensor([1.5, 2], dtype_hint=tf.int32).dtype == tf.float32  # a hint, not a demand
    assert tf.convert_to_tensor("a", dtype_hint=tf.int32).dtype == tf.string
    assert tf.convert_to_tensor([1, 2], dtype=tf.int64).dtype == tf.int64
    assert tf.convert_to_tensor(np.float64(1.0)).dtype == tf.float64


def test_convert_nested_lists_with_tensors():
    assert tf.convert_to_tensor([tf.constant(1.0), 2.0]).numpy().tolist() == [1.0, 2.0]
    t = tf.convert_to_tensor([[tf.constant(1.0)], [2.0]])
    assert t.shape == (2, 1) and t.dtype == tf.float32
    assert tf.convert_to_tensor([tf.constant(1.0), 2]).dtype == tf.float32     # leaves take the tensor's dtype
    assert tf.convert_to_tensor([tf.constant(1, tf.int64), 2]).dtype == tf.int64
    assert tf.convert_to_tensor([tf.constant(1.0), np.float64(2)]).dtype == tf.float32
    assert tf.convert_to_tensor([tf.Variable(1.0), 2.0]).numpy().tolist() == [1.0, 2.0]
    with pytest.raises(TypeError, match="Cannot convert 2.0 to EagerTensor of dtype int32"):
        tf.convert_to_tensor([tf.constant(1), 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"cannot compute Pack as input #1.*\[Op:Pack\]"):
        tf.convert_to_tensor([tf.constant(1), tf.constant(2.0)])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Shapes of all inputs must match"):
        tf.convert_to_tensor([tf.constant([1.0]), tf.constant([1.0, 2.0])])


def test_convert_gradient_flows_through_packing():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.convert_to_tensor([x, x * x, 1.0]))
    assert tape.gradient(y, x).numpy() == 5.0


def test_convert_refuses_unsupported_values():
    for bad in (None, lambda: 1, object()):
        with pytest.raises(ValueError, match="Attempt to convert a value .* with an unsupported type"):
            tf.convert_to_tensor(bad)


# ---- properties against NumPy ------------------------------------------------------------------------

_DTYPES = st.sampled_from([np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8,
                           np.uint16, np.bool_, np.complex64, np.complex128])


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(_DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)))
def test_numpy_arrays_round_trip(a):
    t = tf.constant(a)
    assert t.dtype == tf.as_dtype(a.dtype) and t.shape == a.shape
    np.testing.assert_array_equal(t.numpy(), a)
    assert str(t).startswith("tf.Tensor(") and str(t).endswith(f"shape={t.shape}, dtype={t.dtype.name})")


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.lists(st.integers(-2 ** 40, 2 ** 40), min_size=1, max_size=4),
                    lambda inner: st.lists(inner, min_size=1, max_size=3).filter(
                        lambda xs: len({np.shape(x) for x in xs}) == 1), max_leaves=12))
def test_python_int_lists_match_numpy_with_tf_width(xs):
    t = tf.constant(xs)
    a = np.array(xs)
    fits32 = a.min() >= -2 ** 31 and a.max() < 2 ** 31
    assert t.dtype == (tf.int32 if fits32 else tf.int64)
    np.testing.assert_array_equal(t.numpy(), a)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False)), min_size=1,
                max_size=6))
def test_python_number_lists(xs):
    t = tf.constant(xs)
    has_float = any(isinstance(x, float) for x in xs)
    assert t.dtype == (tf.float32 if has_float else tf.int32)
    np.testing.assert_array_equal(t.numpy(), np.array(xs, dtype=t.dtype.as_numpy_dtype))


def test_list_operand_holding_tensors_is_packed():
    s, x = tf.constant([1.0, 2.0]), tf.constant(3.0)
    np.testing.assert_array_equal(tf.concat([s, [x]], 0).numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal((s + [x, 2.0]).numpy(), [4.0, 4.0])
