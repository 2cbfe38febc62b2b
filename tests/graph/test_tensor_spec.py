"""tf.TensorSpec: construction, printing, compatibility and the relations tf.function's cache uses."""
import pickle

import pytest

import eagerflow as tf


def test_construction_and_printing():
    s = tf.TensorSpec([None, 3], tf.float64, name="x")
    assert s.shape == tf.TensorShape([None, 3]) and s.dtype == tf.float64 and s.name == "x"
    assert repr(s) == str(s) == "TensorSpec(shape=(None, 3), dtype=tf.float64, name='x')"
    assert repr(tf.TensorSpec([])) == "TensorSpec(shape=(), dtype=tf.float32, name=None)"
    assert repr(tf.TensorSpec(None, tf.int32)) == "TensorSpec(shape=<unknown>, dtype=tf.int32, name=None)"
    assert tf.TensorSpec([2], "int64").dtype == tf.int64
    with pytest.raises(TypeError):
        tf.TensorSpec([2], "not_a_dtype")


def test_from_tensor_and_equality():
    t = tf.constant([[1, 2]])
    assert tf.TensorSpec.from_tensor(t) == tf.TensorSpec([1, 2], tf.int32)
    assert tf.TensorSpec.from_tensor(t, name="t").name == "t"
    assert tf.TensorSpec([2], name="x") != tf.TensorSpec([2])
    assert tf.TensorSpec([None]) != tf.TensorSpec(None)
    assert len({tf.TensorSpec([2]), tf.TensorSpec([2]), tf.TensorSpec([3])}) == 2
    assert pickle.loads(pickle.dumps(tf.TensorSpec([None, 2], tf.int8, "a"))) == tf.TensorSpec([None, 2], tf.int8, "a")


def test_compatibility_and_subtypes():
    spec = tf.TensorSpec([None, 3])
    assert spec.is_compatible_with(tf.zeros([5, 3]))
    assert not spec.is_compatible_with(tf.zeros([5, 4]))
    assert not spec.is_compatible_with(tf.zeros([5, 3], tf.float64))
    assert spec.is_compatible_with(tf.TensorSpec([2, None]))
    assert tf.TensorSpec([2, 3]).is_subtype_of(spec)
    assert not spec.is_subtype_of(tf.TensorSpec([2, 3]))
    assert spec.is_subtype_of(tf.TensorSpec(None))
    general = tf.TensorSpec([2, 3]).most_specific_common_supertype([tf.TensorSpec([4, 3])])
    assert general == tf.TensorSpec([None, 3])
    assert tf.TensorSpec([2]).most_specific_compatible_type(tf.TensorSpec([2, 2])).shape.rank is None
    assert tf.TensorSpec([2]).most_specific_common_supertype([tf.TensorSpec([2], tf.int32)]) is None
    with pytest.raises(ValueError, match="No TypeSpec is compatible"):
        tf.TensorSpec([2]).most_specific_compatible_type(tf.TensorSpec([2], tf.int32))
