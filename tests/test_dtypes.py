"""DType objects and tf.as_dtype, pinned against TensorFlow 2.21's behaviour."""
import pickle

import numpy as np
import pytest

import eagerflow as tf

ALL = [tf.float16, tf.bfloat16, tf.float32, tf.float64, tf.int8, tf.int16, tf.int32, tf.int64, tf.uint8,
       tf.uint16, tf.uint32, tf.uint64, tf.bool, tf.complex64, tf.complex128, tf.string]


@pytest.mark.parametrize("d", ALL, ids=lambda d: d.name)
def test_name_repr_str(d):
    assert repr(d) == f"tf.{d.name}"
    assert str(d) == f"<dtype: '{d.name}'>"
    assert tf.as_dtype(d.name) is d
    assert pickle.loads(pickle.dumps(d)) is d
    assert d.base_dtype is d
    assert not d.is_quantized


@pytest.mark.parametrize("d,np_type,size", [
    (tf.float16, np.float16, 2), (tf.float32, np.float32, 4), (tf.float64, np.float64, 8), (tf.int8, np.int8, 1),
    (tf.int16, np.int16, 2), (tf.int32, np.int32, 4), (tf.int64, np.int64, 8), (tf.uint8, np.uint8, 1),
    (tf.uint16, np.uint16, 2), (tf.uint32, np.uint32, 4), (tf.uint64, np.uint64, 8), (tf.bool, np.bool_, 1),
    (tf.complex64, np.complex64, 8), (tf.complex128, np.complex128, 16), (tf.string, object, 0),
    (tf.bfloat16, None, 2)])
def test_as_numpy_dtype_and_size(d, np_type, size):
    if np_type is not None:
        assert d.as_numpy_dtype is np_type
    assert d.size == size


@pytest.mark.parametrize("d,flags", [
    # (is_floating, is_integer, is_complex, is_bool, is_unsigned, is_numeric)
    (tf.float16, (1, 0, 0, 0, 0, 1)), (tf.bfloat16, (1, 0, 0, 0, 0, 1)), (tf.float64, (1, 0, 0, 0, 0, 1)),
    (tf.int8, (0, 1, 0, 0, 0, 1)), (tf.int64, (0, 1, 0, 0, 0, 1)), (tf.uint8, (0, 1, 0, 0, 1, 1)),
    (tf.uint64, (0, 1, 0, 0, 1, 1)), (tf.bool, (0, 0, 0, 1, 0, 0)), (tf.complex64, (0, 0, 1, 0, 0, 1)),
    (tf.string, (0, 0, 0, 0, 0, 0))], ids=lambda x: getattr(x, "name", ""))
def test_kind_predicates(d, flags):
    got = (d.is_floating, d.is_integer, d.is_complex, d.is_bool, d.is_unsigned, d.is_numeric)
    assert got == tuple(bool(f) for f in flags)


def test_real_dtype():
    assert tf.complex64.real_dtype is tf.float32
    assert tf.complex128.real_dtype is tf.float64
    assert tf.float16.real_dtype is tf.float16
    assert tf.int32.real_dtype is tf.int32


def test_min_max():
    assert tf.int8.min == -128 and tf.int8.max == 127
    assert tf.uint8.min == 0 and tf.uint8.max == 255
    assert tf.int64.max == 2 ** 63 - 1 and tf.uint64.max == 2 ** 64 - 1
    assert tf.float32.max == np.finfo(np.float32).max and tf.float16.min == np.float16(-65504)
    assert isinstance(tf.float32.max, np.float32)
    for d in (tf.bool, tf.complex64, tf.string):
        with pytest.raises(TypeError, match=f"Cannot find minimum value of <dtype: '{d.name}'>"):
            d.min
        with pytest.raises(TypeError, match="Cannot find maximum value"):
            d.max


@pytest.mark.parametrize("value,expected", [
    ("float32", tf.float32), ("half", tf.float16), ("float", tf.float32), ("double", tf.float64),
    ("string", tf.string), (np.float64, tf.float64), (np.dtype("int16"), tf.int16), (np.int64, tf.int64),
    (np.bool_, tf.bool), (np.complex64, tf.complex64), (np.str_, tf.string), (np.bytes_, tf.string),
    (np.object_, tf.string), (np.dtype("<U3"), tf.string), (float, tf.float32), (bool, tf.bool),
    (object, tf.string), (1, tf.float32), (3, tf.int32), (9, tf.int64), (7, tf.string), (19, tf.float16),
    (np.float32(1).dtype, tf.float32)])
def test_as_dtype_accepts(value, expected):
    assert tf.as_dtype(value) is expected
    assert tf.dtypes.as_dtype(value) is expected


@pytest.mark.parametrize("value", [int, complex, str, bytes, "int", "foo", None, [1], 1000])
def test_as_dtype_refuses_like_tf(value):
    with pytest.raises(TypeError, match=r"Cannot convert the argument `type_value`: .* to a TensorFlow DType"):
        tf.as_dtype(value)


def test_datatype_enum_roundtrip():
    assert tf.float32.as_datatype_enum == 1 and tf.int32.as_datatype_enum == 3
    for d in ALL:
        assert tf.as_dtype(d.as_datatype_enum) is d


def test_equality_and_hash():
    assert tf.float32 == "float32" and tf.float32 == np.float32 and tf.float32 == np.dtype("float32")
    assert tf.float32 != tf.float64 and tf.float32 != "float64"
    assert not (tf.float32 == None)  # noqa: E711 - TF's DType.__eq__(None) is False
    assert not (tf.float32 == "foo") and not (tf.float32 == [1])
    assert tf.float32 == 1  # TF compares with DataType enum numbers too
    assert {tf.float32: 1}[tf.as_dtype(np.float32)] == 1
    assert hash(tf.float32) == hash(tf.as_dtype("float32"))
    assert tf.float32.is_compatible_with(tf.float32) and not tf.float32.is_compatible_with(tf.int32)
    assert isinstance(tf.float32, tf.dtypes.DType) and isinstance(tf.float32, tf.DType)


def test_aliases():
    assert tf.half is tf.float16 and tf.double is tf.float64
