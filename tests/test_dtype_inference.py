"""Property tests: broadcasting of binary ops, dtype inference of Python/NumPy values, the
"Python scalar takes the tensor's dtype" rule, and no implicit promotion (TF 2.21 semantics)."""
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import eagerflow as tf

FAST = settings(max_examples=40, deadline=None)

BINARY = {
    "add": (tf.add, np.add), "subtract": (tf.subtract, np.subtract), "multiply": (tf.multiply, np.multiply),
    "maximum": (tf.maximum, np.maximum), "minimum": (tf.minimum, np.minimum),
    "squared_difference": (tf.math.squared_difference, lambda x, y: (x - y) ** 2),
    "less": (tf.less, np.less), "equal": (tf.equal, np.equal), "greater_equal": (tf.greater_equal, np.greater_equal),
    "atan2": (tf.math.atan2, np.arctan2), "xdivy": (tf.math.xdivy, lambda x, y: np.where(x == 0, 0, x / y)),
}
NUMERIC_DTYPES = [tf.int8, tf.int16, tf.int32, tf.int64, tf.uint8, tf.uint16, tf.uint32, tf.uint64,
                  tf.float16, tf.float32, tf.float64, tf.complex64, tf.complex128]


# ---- broadcasting ---------------------------------------------------------------------------------------------

@FAST
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4),
       name=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2 ** 16))
def test_binary_ops_broadcast_like_numpy(shapes, name, seed):
    fn, ref = BINARY[name]
    rng = np.random.RandomState(seed)
    a, b = (rng.uniform(0.5, 3.0, size=s).astype(np.float32) for s in shapes.input_shapes)
    out = fn(tf.constant(a), tf.constant(b))
    expected = ref(a, b)
    assert out.shape == shapes.result_shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    # the reflected order broadcasts the same way
    assert fn(tf.constant(b), tf.constant(a)).shape == shapes.result_shape


@st.composite
def incompatible_shapes(draw):
    """Two shapes that do not broadcast: some aligned axis holds two different sizes, both above 1."""
    rank = draw(st.integers(1, 4))
    shape = draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank))
    axis = draw(st.integers(0, rank - 1))
    m, n = draw(st.lists(st.integers(2, 5), min_size=2, max_size=2, unique=True))
    a, b = list(shape), list(shape)
    a[axis], b[axis] = m, n
    lead = draw(st.lists(st.integers(1, 3), max_size=2))  # extra leading dims on one side
    return tuple(a), tuple(lead + b)


@FAST
@given(shapes=incompatible_shapes(), name=st.sampled_from(sorted(BINARY)))
def test_incompatible_shapes_raise_invalid_argument(shapes, name):
    fn, _ = BINARY[name]
    a, b = (np.ones(s, np.float32) for s in shapes)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[.*\] vs. \[.*\] \[Op:\w+\]"):
        fn(tf.constant(a), tf.constant(b))
    # Python's == and != do not raise: they answer a scalar False / True (TF 2)
    eq = tf.constant(a) == tf.constant(b)
    assert eq.shape == () and not eq.numpy()
    assert (tf.constant(a) != tf.constant(b)).numpy()


# ---- dtype inference of Python and NumPy values ------------------------------------------------------------

INT32_MIN, INT32_MAX = -2 ** 31, 2 ** 31 - 1


@FAST
@given(st.integers(-2 ** 63, 2 ** 63 - 1))
def test_python_int_is_int32_unless_out_of_range(v):
    t = tf.constant(v)
    assert t.dtype == (tf.int32 if INT32_MIN <= v <= INT32_MAX else tf.int64)
    assert t.numpy() == v
    assert tf.constant([0, v]).dtype == t.dtype  # one big value makes the whole list int64


@FAST
@given(st.floats(allow_nan=False, width=32))
def test_python_float_is_float32(v):
    t = tf.constant(v)
    assert t.dtype == tf.float32 and t.numpy() == np.float32(v)


@FAST
@given(st.lists(st.integers(-100, 100), min_size=1, max_size=5), st.lists(st.floats(-1e3, 1e3), min_size=1,
                                                                           max_size=5))
def test_lists_mixing_ints_and_floats_are_float32(ints, floats):
    assert tf.constant(ints).dtype == tf.int32
    assert tf.constant(floats).dtype == tf.float32
    mixed = tf.constant(ints + floats)
    assert mixed.dtype == tf.float32
    np.testing.assert_array_equal(mixed.numpy(), np.float32(ints + floats))


def test_other_python_scalars():
    assert tf.constant(True).dtype == tf.bool
    assert tf.constant(1j).dtype == tf.complex128
    assert tf.constant("a").dtype == tf.string
    assert tf.constant([[True], [False]]).dtype == tf.bool
    assert tf.constant([]).dtype == tf.float32


@FAST
@given(hnp.arrays(st.sampled_from([d.as_numpy_dtype for d in NUMERIC_DTYPES] + [np.bool_]),
                  hnp.array_shapes(min_dims=0, max_dims=3, max_side=3)))
def test_numpy_values_keep_their_dtype(arr):
    t = tf.constant(arr)
    assert t.dtype == tf.as_dtype(arr.dtype)
    np.testing.assert_array_equal(t.numpy(), arr)
    assert tf.constant(arr[()] if arr.ndim == 0 else arr.reshape(-1)[:1][0]).dtype == tf.as_dtype(arr.dtype)


# ---- a Python (or NumPy) operand takes the tensor's dtype ----------------------------------------------------

@FAST
@given(dtype=st.sampled_from(NUMERIC_DTYPES), scalar=st.integers(0, 100),
       name=st.sampled_from(["add", "subtract", "multiply", "maximum", "minimum", "equal"]), reflected=st.booleans())
def test_python_int_operand_takes_tensor_dtype(dtype, scalar, name, reflected):
    assume(not (dtype.is_complex and name in ("maximum", "minimum")))  # real-only ops
    fn, ref = BINARY[name]
    arr = np.array([1, 7, 42], dtype=dtype.as_numpy_dtype)
    t = tf.constant(arr)
    out = fn(scalar, t) if reflected else fn(t, scalar)
    assert out.dtype == (tf.bool if name == "equal" else dtype)
    s = np.array(scalar, dtype=dtype.as_numpy_dtype)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(out.numpy(), ref(s, arr) if reflected else ref(arr, s))


@FAST
@given(dtype=st.sampled_from([tf.float16, tf.float32, tf.float64, tf.complex64, tf.complex128]),
       scalar=st.floats(-100, 100), reflected=st.booleans())
def test_python_float_operand_takes_tensor_dtype(dtype, scalar, reflected):
    t = tf.constant([0.5, -2.0], dtype)
    out = scalar * t if reflected else t * scalar
    assert out.dtype == dtype
    np.testing.assert_array_equal(out.numpy(), np.array([0.5, -2.0], dtype.as_numpy_dtype) *
                                  np.array(scalar, dtype.as_numpy_dtype))


@FAST
@given(dtype=st.sampled_from([d for d in NUMERIC_DTYPES if d.is_integer]), scalar=st.floats(-100, 100))
def test_python_float_does_not_fit_an_integer_tensor(dtype, scalar):
    t = tf.constant([1, 2], dtype)
    with pytest.raises(TypeError, match=f"Cannot convert {scalar!r} to EagerTensor of dtype {dtype.name}"):
        t * scalar
    with pytest.raises(TypeError, match=f"Cannot convert {scalar!r} to EagerTensor of dtype {dtype.name}"):
        scalar - t
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:AddV2\]"):
        t + scalar  # add converts the misfit on its own, then the op reports the mismatch (TF)


@FAST
@given(v=st.integers(-2 ** 63, 2 ** 63 - 1))
def test_python_ints_wrap_to_the_tensor_dtype(v):
    out = tf.constant([0], tf.int32) + v  # TF wraps modulo 2**32, it does not promote
    assert out.dtype == tf.int32
    assert out.numpy()[0] == np.array(v, dtype=np.int64).astype(np.int32)


@FAST
@given(dtype=st.sampled_from([tf.float16, tf.float32, tf.int8, tf.int32, tf.uint8]),
       np_dtype=st.sampled_from([np.float64, np.int64, np.int16]))
def test_numpy_operands_are_cast_to_the_tensor_dtype(dtype, np_dtype):
    t = tf.constant([1, 2], dtype)
    arr = np.array([3, 4], dtype=np_dtype)
    for out in (t + arr, arr + t, t * arr[0], arr[0] * t):
        assert out.dtype == dtype


# ---- no implicit promotion ------------------------------------------------------------------------------------

@FAST
@given(dts=st.lists(st.sampled_from(NUMERIC_DTYPES), min_size=2, max_size=2, unique=True),
       name=st.sampled_from(["add", "subtract", "multiply", "equal"]))
def test_no_implicit_promotion_between_tensors(dts, name):
    fn, _ = BINARY[name]
    a, b = tf.constant([1], dts[0]), tf.constant([1], dts[1])
    op = {"add": "AddV2", "subtract": "Sub", "multiply": "Mul", "equal": "Equal"}[name]
    cpp = {"float32": "float", "float64": "double", "float16": "half"}
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=rf"cannot compute {op} as input #1\(zero-based\) was expected to be a "
                             rf"{cpp.get(dts[0].name, dts[0].name)} tensor but is a "
                             rf"{cpp.get(dts[1].name, dts[1].name)} tensor \[Op:{op}\]"):
        fn(a, b)
