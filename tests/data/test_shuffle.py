"""shuffle: TF's buffer semantics, seeds (op and global), reshuffling per pass."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf


def _np(ds):
    return [int(v) for v in ds.as_numpy_iterator()]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 40), buf=st.integers(1, 50), seed=st.integers(0, 2 ** 31 - 1), arrays=st.booleans())
def test_shuffle_is_a_permutation_within_the_buffer_window(n, buf, seed, arrays):
    """Each output is drawn from a buffer of `buf` elements: output i comes from input index < i + buf."""
    ds = tf.data.Dataset.from_tensor_slices(np.arange(n)) if arrays else tf.data.Dataset.range(n)
    out = _np(ds.shuffle(buf, seed=seed))
    assert sorted(out) == list(range(n))
    assert all(v < i + buf for i, v in enumerate(out))
    assert out == _np(ds.shuffle(buf, seed=seed))          # same seed, same order


def test_buffer_of_one_keeps_the_order():
    assert _np(tf.data.Dataset.range(10).shuffle(1)) == list(range(10))


def test_full_buffer_reaches_every_position():
    # with buffer >= size, the last element can come first (not so for a small buffer)
    firsts = {_np(tf.data.Dataset.range(8).shuffle(8, seed=s))[0] for s in range(60)}
    assert 7 in firsts and len(firsts) == 8
    small = {_np(tf.data.Dataset.range(8).shuffle(2, seed=s))[0] for s in range(60)}
    assert small == {0, 1}


def test_reshuffle_each_iteration():
    ds = tf.data.Dataset.range(30).shuffle(30, seed=7)
    a, b = _np(ds), _np(ds)
    assert a != b and sorted(a) == sorted(b) == list(range(30))
    again = tf.data.Dataset.range(30).shuffle(30, seed=7)
    assert (_np(again), _np(again)) == (a, b)           # the sequence of passes is reproducible
    fixed = tf.data.Dataset.range(30).shuffle(30, seed=7, reshuffle_each_iteration=False)
    assert _np(fixed) == _np(fixed)


def test_repeat_after_shuffle_reshuffles_each_epoch():
    out = _np(tf.data.Dataset.range(20).shuffle(20, seed=1).repeat(2))
    assert sorted(out[:20]) == sorted(out[20:]) == list(range(20)) and out[:20] != out[20:]
    out = _np(tf.data.Dataset.range(20).shuffle(20, seed=1, reshuffle_each_iteration=False).repeat(2))
    assert out[:20] == out[20:]


def test_global_seed_makes_unseeded_shuffles_reproducible():
    def run():
        tf.random.set_seed(1234)
        return _np(tf.data.Dataset.range(50).shuffle(50)), _np(tf.data.Dataset.range(50).shuffle(50))
    first = run()
    assert first == run()
    assert first[0] != first[1]          # two shuffles after set_seed get different op seeds
    tf.random.set_seed(None)


def test_unseeded_shuffles_differ():
    orders = {tuple(_np(tf.data.Dataset.range(30).shuffle(30))) for _ in range(3)}
    assert len(orders) > 1


def test_shuffle_errors_and_whole_dataset_buffer():
    for bad in (0, -1):
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="buffer_size must be greater than zero or UNKNOWN_CARDINALITY"):
            tf.data.Dataset.range(3).shuffle(bad)
    whole = tf.data.Dataset.range(10).shuffle(tf.data.UNKNOWN_CARDINALITY, seed=3)
    assert sorted(_np(whole)) == list(range(10))
    assert int(tf.data.Dataset.range(10).shuffle(3).cardinality()) == 10
    assert repr(tf.data.Dataset.range(2).shuffle(2)).startswith("<_ShuffleDataset ")


def test_shuffled_pairs_stay_aligned():
    x = np.arange(100)
    ds = tf.data.Dataset.from_tensor_slices((x, x * 10)).shuffle(100, seed=5).batch(16)
    for a, b in ds:
        np.testing.assert_array_equal(b.numpy(), a.numpy() * 10)
