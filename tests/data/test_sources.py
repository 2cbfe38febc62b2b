"""tf.data sources: from_tensor_slices, from_tensors, range, counter, from_generator, zip, concatenate.

Expected dtypes, specs, reprs and error messages are TF 2.21's.
"""
import collections

import numpy as np
import pytest

import eagerflow as tf

Spec = tf.TensorSpec


def _np(ds):
    return list(ds.as_numpy_iterator())


# ---- from_tensor_slices -------------------------------------------------------------------------------

def test_slices_of_python_floats_are_float32_and_numpy_keeps_dtype():
    assert tf.data.Dataset.from_tensor_slices([1.0, 2.0]).element_spec == Spec([], tf.float32)
    assert tf.data.Dataset.from_tensor_slices(np.arange(3.0)).element_spec == Spec([], tf.float64)
    assert tf.data.Dataset.from_tensor_slices([1, 2]).element_spec == Spec([], tf.int32)
    assert tf.data.Dataset.from_tensor_slices([1, 2 ** 40]).element_spec == Spec([], tf.int64)
    assert tf.data.Dataset.from_tensor_slices([True]).element_spec == Spec([], tf.bool)
    assert tf.data.Dataset.from_tensor_slices([]).element_spec == Spec([], tf.float32)
    assert tf.data.Dataset.from_tensor_slices(np.zeros((0, 3))).element_spec == Spec([3], tf.float64)


def test_slices_values_and_tensor_types():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    ds = tf.data.Dataset.from_tensor_slices(x)
    out = list(ds)
    assert all(isinstance(t, tf.Tensor) and t.dtype == tf.float32 and t.shape == (3,) for t in out)
    np.testing.assert_array_equal(np.stack([t.numpy() for t in out]), x)
    scalars = list(tf.data.Dataset.from_tensor_slices([1.5, 2.5]))
    assert [repr(t) for t in scalars] == ["<tf.Tensor: shape=(), dtype=float32, numpy=1.5>",
                                          "<tf.Tensor: shape=(), dtype=float32, numpy=2.5>"]


def test_slices_copy_numpy_input():
    x = np.arange(3)
    ds = tf.data.Dataset.from_tensor_slices(x)
    x[0] = 100
    assert _np(ds) == [0, 1, 2]


def test_a_list_is_one_tensor_tuples_and_dicts_are_structures():
    ds = tf.data.Dataset.from_tensor_slices([(1, 2), (3, 4)])
    assert ds.element_spec == Spec([2], tf.int32)
    ds = tf.data.Dataset.from_tensor_slices(([1, 2], [3.0, 4.0]))
    assert ds.element_spec == (Spec([], tf.int32), Spec([], tf.float32))
    assert _np(ds) == [(1, 3.0), (2, 4.0)]
    ds = tf.data.Dataset.from_tensor_slices({"b": np.zeros((2, 3)), "a": [1, 2]})
    assert ds.element_spec == {"a": Spec([], tf.int32), "b": Spec([3], tf.float64)}
    first = next(iter(ds))
    assert list(first) == ["b", "a"] and first["b"].shape == (3,)
    assert repr(ds) == ("<_TensorSliceDataset element_spec={'b': TensorSpec(shape=(3,), dtype=tf.float64, "
                        "name=None), 'a': TensorSpec(shape=(), dtype=tf.int32, name=None)}>")


def test_namedtuple_elements_keep_their_type():
    Pt = collections.namedtuple("Pt", "x y")
    ds = tf.data.Dataset.from_tensor_slices(Pt([1, 2], [3, 4]))
    assert ds.element_spec == Pt(Spec([], tf.int32), Spec([], tf.int32))
    e = next(iter(ds))
    assert isinstance(e, Pt) and int(e.y) == 3


def test_string_slices():
    ds = tf.data.Dataset.from_tensor_slices(["a", "bc"])
    assert ds.element_spec == Spec([], tf.string)
    assert _np(ds) == [b"a", b"bc"]
    t = next(iter(ds))
    assert repr(t) == "<tf.Tensor: shape=(), dtype=string, numpy=b'a'>"
    assert _np(tf.data.Dataset.from_tensor_slices((np.arange(2), ["x", "y"]))) == [(0, b"x"), (1, b"y")]


def test_slices_errors():
    with pytest.raises(ValueError, match="Dimensions 2 and 3 are not compatible"):
        tf.data.Dataset.from_tensor_slices(([1, 2], [3.0, 4.0, 5.0]))
    with pytest.raises(ValueError, match=r"Unbatching a tensor is only supported for rank >= 1"):
        tf.data.Dataset.from_tensor_slices(5)
    with pytest.raises(ValueError, match="non-rectangular"):
        tf.data.Dataset.from_tensor_slices([[1, 2], [3]])


def test_from_tensors_is_one_element():
    ds = tf.data.Dataset.from_tensors(([1, 2], {"a": 3.0}))
    assert ds.element_spec == (Spec([2], tf.int32), {"a": Spec([], tf.float32)})
    assert int(ds.cardinality()) == 1
    (a, d), = list(ds)
    assert a.numpy().tolist() == [1, 2] and float(d["a"]) == 3.0
    assert repr(tf.data.Dataset.from_tensors([1, 2])) == \
        "<_TensorDataset element_spec=TensorSpec(shape=(2,), dtype=tf.int32, name=None)>"


def test_from_tensor_slices_of_tensors_and_variables():
    v = tf.Variable([1.0, 2.0])
    assert _np(tf.data.Dataset.from_tensor_slices(v)) == [1.0, 2.0]
    assert _np(tf.data.Dataset.from_tensor_slices(tf.constant([[1], [2]]))) == [np.array([1]), np.array([2])]


# ---- range / counter ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [(5,), (2, 10, 3), (10, 2, -3), (3, 3), (-2, 2)])
def test_range_matches_python(args):
    ds = tf.data.Dataset.range(*args)
    assert _np(ds) == list(range(*args))
    assert int(ds.cardinality()) == len(range(*args))
    assert ds.element_spec == Spec([], tf.int64)


def test_range_output_type_and_errors():
    ds = tf.data.Dataset.range(3, output_type=tf.int32)
    assert ds.element_spec == Spec([], tf.int32) and next(iter(ds)).dtype == tf.int32
    with pytest.raises(tf.errors.InvalidArgumentError, match="step must be a non-zero integer"):
        tf.data.Dataset.range(0, 10, 0)
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int64"):
        tf.data.Dataset.range(2.5)
    assert _np(tf.data.Dataset.range(tf.constant(3, tf.int64))) == [0, 1, 2]
    with pytest.raises(ValueError, match="stop: Tensor conversion requested dtype int64 for Tensor with dtype int32"):
        tf.data.Dataset.range(tf.constant(3))


def test_counter_is_infinite():
    ds = tf.data.Dataset.counter(5, 2)
    assert int(ds.cardinality()) == tf.data.INFINITE_CARDINALITY
    assert _np(ds.take(3)) == [5, 7, 9]


# ---- from_generator -----------------------------------------------------------------------------------

def _ragged():
    yield [1, 2]
    yield [3]


def test_generator_with_output_signature():
    ds = tf.data.Dataset.from_generator(_ragged, output_signature=Spec([None], tf.int32))
    assert ds.element_spec == Spec([None], tf.int32)
    assert int(ds.cardinality()) == tf.data.UNKNOWN_CARDINALITY
    assert [t.numpy().tolist() for t in ds] == [[1, 2], [3]]
    assert [t.numpy().tolist() for t in ds] == [[1, 2], [3]]   # the generator is called again per pass
    assert repr(ds).startswith("<_FlatMapDataset element_spec=")


def test_generator_structures_and_args():
    ds = tf.data.Dataset.from_generator(lambda: iter([(1, "a"), (2, "b")]),
                                        output_signature=(Spec([], tf.int64), Spec([], tf.string)))
    assert _np(ds) == [(1, b"a"), (2, b"b")]
    ds = tf.data.Dataset.from_generator(lambda: iter([{"a": 1}]), output_signature={"a": Spec([], tf.float32)})
    assert _np(ds) == [{"a": np.float32(1.0)}]
    ds = tf.data.Dataset.from_generator(lambda n: iter(range(n)), args=(3,), output_signature=Spec([], tf.int64))
    assert _np(ds) == [0, 1, 2]


def test_generator_legacy_types_and_shapes():
    ds = tf.data.Dataset.from_generator(lambda: iter([1.5]), output_types=tf.float32)
    assert ds.element_spec == Spec(None, tf.float32)
    assert _np(ds) == [np.float32(1.5)]
    ds = tf.data.Dataset.from_generator(lambda: iter([(1.5, [1, 2])]), output_types=(tf.float32, tf.int32),
                                        output_shapes=([], [None]))
    assert ds.element_spec == (Spec([], tf.float32), Spec([None], tf.int32))


def test_generator_checks_every_element():
    ds = tf.data.Dataset.from_generator(_ragged, output_signature=Spec([2], tf.int32))
    it = iter(ds)
    next(it)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"`generator` yielded an element of shape \(1,\) "
                                                              r"where an element of shape \(2,\) was expected"):
        next(it)
    bad = tf.data.Dataset.from_generator(lambda: iter([{"b": 1}]), output_signature={"a": Spec([], tf.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="did not match the expected structure. The expected "
                                                             r"structure was \{'a': tf.float32\}"):
        list(bad)
    bad = tf.data.Dataset.from_generator(lambda: iter(["x"]), output_signature=Spec([], tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="could not be converted to the expected type"):
        list(bad)


def test_generator_argument_errors():
    with pytest.raises(TypeError, match="either the `output_signature` argument or the `output_types`"):
        tf.data.Dataset.from_generator(_ragged)
    with pytest.raises(TypeError, match="`generator` must be a Python callable."):
        tf.data.Dataset.from_generator(5, output_signature=Spec([], tf.float32))
    with pytest.raises(TypeError, match="found <class 'list'> which is not"):
        tf.data.Dataset.from_generator(_ragged, output_signature=[Spec([], tf.float32)])
    with pytest.raises(TypeError, match="found <class 'int'> which is not"):
        tf.data.Dataset.from_generator(_ragged, output_signature=5)


# ---- zip / concatenate --------------------------------------------------------------------------------

def test_zip_structures_and_cardinality():
    a, b = tf.data.Dataset.range(3), tf.data.Dataset.range(10, 14)
    z = tf.data.Dataset.zip((a, b))
    assert _np(z) == [(0, 10), (1, 11), (2, 12)]
    assert int(z.cardinality()) == 3
    assert _np(tf.data.Dataset.zip(a, b)) == _np(z)
    d = tf.data.Dataset.zip({"x": a, "y": (b, a)})
    assert d.element_spec == {"x": Spec([], tf.int64), "y": (Spec([], tf.int64), Spec([], tf.int64))}
    assert _np(d)[1] == {"x": 1, "y": (11, 1)}
    assert _np(tf.data.Dataset.zip(a)) == [0, 1, 2]
    assert int(tf.data.Dataset.zip((a.repeat(), b)).cardinality()) == 4
    assert int(tf.data.Dataset.zip((a.filter(lambda x: True), b)).cardinality()) == tf.data.UNKNOWN_CARDINALITY


def test_zip_errors():
    a = tf.data.Dataset.range(3)
    with pytest.raises(TypeError, match="Python `list` is not supported and you should use `tuple` instead"):
        tf.data.Dataset.zip([a, a])
    with pytest.raises(TypeError, match="encountered object of type <class 'int'>"):
        tf.data.Dataset.zip((a, 1))
    with pytest.raises(TypeError, match="Must pass at least one dataset to `zip`."):
        tf.data.Dataset.zip()


def test_concatenate():
    a = tf.data.Dataset.range(3)
    c = a.concatenate(tf.data.Dataset.range(10, 12))
    assert _np(c) == [0, 1, 2, 10, 11]
    assert int(c.cardinality()) == 5
    mixed = a.batch(2).concatenate(a.batch(3, drop_remainder=True))
    assert mixed.element_spec == Spec([None], tf.int64)
    assert a.concatenate(a.batch(2)).element_spec == Spec(None, tf.int64)
    assert int(a.filter(lambda x: True).concatenate(a.repeat()).cardinality()) == tf.data.INFINITE_CARDINALITY
    assert int(a.concatenate(a.filter(lambda x: True)).cardinality()) == tf.data.UNKNOWN_CARDINALITY


def test_concatenate_incompatible_dtypes():
    with pytest.raises(TypeError) as e:
        tf.data.Dataset.range(5).concatenate(tf.data.Dataset.from_tensor_slices([1.0]))
    assert str(e.value) == ("Incompatible dataset elements:\n  TensorSpec(shape=(), dtype=tf.int64, name=None) vs.   "
                            "TensorSpec(shape=(), dtype=tf.float32, name=None)")
    with pytest.raises(TypeError, match="Incompatible dataset elements"):
        tf.data.Dataset.range(5).concatenate(tf.data.Dataset.zip((tf.data.Dataset.range(2),) * 2))
