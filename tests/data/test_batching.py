"""batch / padded_batch / unbatch against NumPy, and the array fast path against the element path."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf

Spec = tf.TensorSpec


def _np(ds):
    return list(ds.as_numpy_iterator())


def _chunks(xs, b, drop):
    out = [xs[i:i + b] for i in range(0, len(xs), b)]
    return [c for c in out if len(c) == b] if drop else out


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 23), b=st.integers(1, 7), drop=st.booleans(), via_map=st.booleans())
def test_batch_matches_numpy_chunks(n, b, drop, via_map):
    x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    ds = tf.data.Dataset.from_tensor_slices((x, np.arange(n)))
    if via_map:   # not an array source any more: the element-by-element path
        ds = ds.map(lambda a, c: (a, c))
    out = list(ds.batch(b, drop_remainder=drop))
    expected = _chunks(list(range(n)), b, drop)
    assert len(out) == len(expected) == int(ds.batch(b, drop).cardinality())
    for (xb, ib), rows in zip(out, expected):
        assert xb.dtype == tf.float32 and ib.dtype == tf.int64
        np.testing.assert_array_equal(xb.numpy(), x[rows])
        assert ib.numpy().tolist() == rows


def test_batch_element_spec():
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((5, 3), np.float32))
    assert ds.batch(2).element_spec == Spec([None, 3], tf.float32)
    assert ds.batch(2, drop_remainder=True).element_spec == Spec([2, 3], tf.float32)
    assert tf.data.Dataset.range(3).batch(2).batch(2).element_spec == Spec([None, None], tf.int64)
    assert repr(ds.batch(2)) == "<_BatchDataset element_spec=TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)>"
    gen = tf.data.Dataset.from_generator(lambda: iter([[1, 2]]), output_signature=Spec(None, tf.int32))
    assert gen.batch(2).element_spec == Spec(None, tf.int32)


def test_batch_of_dicts_and_strings():
    ds = tf.data.Dataset.from_tensor_slices({"a": [1, 2, 3], "s": ["x", "y", "z"]}).batch(2)
    first, second = _np(ds)
    assert first["a"].tolist() == [1, 2] and first["s"].tolist() == [b"x", b"y"]
    assert second["s"].tolist() == [b"z"]
    via_map = tf.data.Dataset.from_tensor_slices(["x", "y", "z"]).map(lambda s: s).batch(2)
    assert [t.numpy().tolist() for t in via_map] == [[b"x", b"y"], [b"z"]]


def test_batch_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Batch size must be greater than zero."):
        tf.data.Dataset.range(5).batch(0)
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int64"):
        tf.data.Dataset.range(5).batch(2.5)
    ragged = tf.data.Dataset.from_generator(lambda: iter([[1, 2], [3]]), output_signature=Spec([None], tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        list(ragged.batch(2))
    assert str(e.value) == ("Cannot batch tensors with different shapes in component 0. First element had shape [2] "
                            "and element 1 had shape [1]. [Op:IteratorGetNext]")


def test_fast_path_batches_are_independent_of_later_mutation():
    ds = tf.data.Dataset.from_tensor_slices(np.arange(6)).batch(4)
    first = next(iter(ds))
    arr = first.numpy()
    arr[:] = -1
    assert next(iter(ds)).numpy().tolist() == [0, 1, 2, 3]
    batch = next(iter(ds.as_numpy_iterator()))
    batch[:] = -1
    assert _np(ds)[0].tolist() == [0, 1, 2, 3]


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 30), buf=st.integers(1, 40), b=st.integers(1, 6), seed=st.integers(0, 2 ** 31 - 1),
       reps=st.integers(1, 3), take=st.integers(-1, 40))
def test_fast_and_element_paths_give_the_same_batches(n, buf, b, seed, reps, take):
    """shuffle/repeat/take/batch over arrays (row plan) equals the same pipeline element by element."""
    x = np.arange(n)
    fast = tf.data.Dataset.from_tensor_slices(x)
    slow = fast.map(lambda v: v)
    outs = []
    for ds in (fast, slow):
        ds = ds.shuffle(buf, seed=seed).repeat(reps).take(take).batch(b)
        outs.append([t.tolist() for t in _np(ds)] + [t.tolist() for t in _np(ds)])   # two passes: reshuffled
    assert outs[0] == outs[1]


# ---- padded_batch -------------------------------------------------------------------------------------

def _filled(n=3):
    return tf.data.Dataset.range(1, n + 1).map(lambda k: tf.fill([k], k))


def test_padded_batch_pads_to_the_batch_maximum():
    ds = _filled(3).padded_batch(2)
    assert ds.element_spec == Spec([None, None], tf.int64)
    assert [t.tolist() for t in _np(ds)] == [[[1, 0], [2, 2]], [[3, 3, 3]]]
    assert repr(ds).startswith("<_PaddedBatchDataset ")


def test_padded_batch_shapes_and_values():
    ds = _filled(3).padded_batch(2, padded_shapes=[4], padding_values=tf.constant(-1, tf.int64))
    assert ds.element_spec == Spec([None, 4], tf.int64)
    assert [t.tolist() for t in _np(ds)] == [[[1, -1, -1, -1], [2, 2, -1, -1]], [[3, 3, 3, -1]]]
    assert _filled().padded_batch(2, padded_shapes=[5], drop_remainder=True).element_spec == Spec([2, 5], tf.int64)
    two_d = tf.data.Dataset.range(3).map(lambda k: tf.fill([k, 2], k))
    assert two_d.padded_batch(2, padded_shapes=[5, None]).element_spec == Spec([None, 5, None], tf.int64)
    assert two_d.padded_batch(2, padded_shapes=[5, 3]).element_spec == Spec([None, 5, 3], tf.int64)


def test_padded_batch_structures_and_strings():
    ds = tf.data.Dataset.range(3).map(lambda k: {"a": tf.fill([k], k), "n": k})
    out = _np(ds.padded_batch(2, padding_values={"a": tf.constant(-1, tf.int64), "n": tf.constant(0, tf.int64)}))
    assert out[0]["a"].tolist() == [[-1], [1]] and out[0]["n"].tolist() == [0, 1]
    assert out[1]["a"].tolist() == [[2, 2]]
    words = tf.data.Dataset.from_tensor_slices([["a", "b"], ["c", "d"]]).unbatch().padded_batch(3)
    assert [t.tolist() for t in _np(words)] == [[b"a", b"b", b"c"], [b"d"]]
    pairs = tf.data.Dataset.from_tensor_slices(["x", "y"]).map(lambda s: tf.stack([s, s])).padded_batch(2)
    assert _np(pairs)[0].tolist() == [[b"x", b"x"], [b"y", b"y"]]


def test_padded_batch_errors():
    with pytest.raises(TypeError) as e:
        _filled().padded_batch(2, padding_values=-1)
    assert str(e.value) == ("Invalid `padding_values`. `padding_values` values type <dtype: 'int32'> does not match "
                            "type <dtype: 'int64'> of the corresponding input component.")
    with pytest.raises(ValueError, match=r"The padded shape \(None, 2\) is not compatible with the shape \(None,\) "
                                         "of the corresponding input component."):
        _filled().padded_batch(2, padded_shapes=[None, 2])
    with pytest.raises(tf.errors.DataLossError, match="Attempted to pad to a smaller size than the input element."):
        list(_filled().padded_batch(2, padded_shapes=[1]))
    unknown_rank = tf.data.Dataset.from_generator(lambda: iter([[1]]), output_signature=Spec(None, tf.int32))
    with pytest.raises(ValueError, match="You must provide `padded_shapes` argument because component 0 has unknown "
                                         "rank."):
        unknown_rank.padded_batch(2)


# ---- unbatch ------------------------------------------------------------------------------------------

def test_unbatch_inverts_batch():
    x = np.arange(10).reshape(5, 2)
    ds = tf.data.Dataset.from_tensor_slices((x, np.arange(5.0))).batch(2).unbatch()
    assert ds.element_spec == (Spec([2], tf.int64), Spec([], tf.float64))
    out = _np(ds)
    assert [a.tolist() for a, _ in out] == x.tolist() and [float(b) for _, b in out] == list(range(5))
    assert _np(tf.data.Dataset.from_tensors([[1, 2], [3, 4]]).unbatch())[1].tolist() == [3, 4]
    assert int(tf.data.Dataset.range(10).batch(3, drop_remainder=True).unbatch().cardinality()) == 9
    assert int(tf.data.Dataset.range(10).batch(3).unbatch().cardinality()) == tf.data.UNKNOWN_CARDINALITY


def test_unbatch_errors():
    with pytest.raises(ValueError, match="Cannot unbatch an input with scalar components."):
        tf.data.Dataset.range(5).unbatch()
    with pytest.raises(ValueError, match="matching leading dimension. Encountered both 2 and 3."):
        tf.data.Dataset.from_tensors(([1, 2], [3, 4, 5])).unbatch()
    unknown = tf.data.Dataset.from_generator(lambda: iter([[1, 2]]), output_signature=Spec(None, tf.int32))
    assert unknown.unbatch().element_spec == Spec(None, tf.int32)
    assert [int(t) for t in unknown.unbatch()] == [1, 2]
