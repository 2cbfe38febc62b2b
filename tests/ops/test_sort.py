"""Sorting, top_k, unique, segment sums and bincount: values vs NumPy, gradients vs finite differences,
TF's dtypes and error messages (checked against TensorFlow 2.21)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf
from eagerflow.ops import sort as srt
from helpers import assert_close, check_grad, check_op

RNG = np.random.RandomState(1)


def _np_top_k(x, k):
    idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, idx, -1), idx.astype(np.int32)


def _tape_grad(fn, x):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x).numpy()


# ---- top_k --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(6,), (3, 5), (2, 3, 4)])
@pytest.mark.parametrize("k", [0, 1, 2, 4])
def test_top_k(shape, k):
    x = RNG.permutation(np.prod(shape)).reshape(shape).astype(np.float32) * 0.5
    check_op(lambda t: srt.top_k(t, k=k), x, ref=lambda a: _np_top_k(a, k))


def test_top_k_semantics():
    values, indices = srt.top_k(tf.constant([1.0, 3.0, 2.0, 3.0]), k=2)
    assert values.numpy().tolist() == [3.0, 3.0] and indices.numpy().tolist() == [1, 3]  # ties: lower index
    out = srt.top_k(tf.constant([1.0, 3.0, 2.0]))
    assert out.values.numpy().tolist() == [3.0] and out.indices.dtype == tf.int32  # k=1 default, namedtuple
    assert type(out).__name__ == "TopKV2"
    assert srt.top_k(tf.constant([1.0, 3.0, 2.0]), k=2, index_type=tf.int64).indices.dtype == tf.int64
    assert srt.top_k(tf.constant([1.0, 3.0, 2.0]), k=2, index_type=tf.int16).indices.dtype == tf.int16
    assert srt.top_k(tf.constant([1.0, 3.0, 2.0]), k=tf.constant(2)).values.numpy().tolist() == [3.0, 2.0]
    unsorted = srt.top_k(tf.constant([1.0, 3.0, 2.0]), k=2, sorted=False)
    assert sorted(unsorted.values.numpy().tolist()) == [2.0, 3.0]
    nan = srt.top_k(tf.constant([1.0, np.nan, 2.0]), k=2)  # NaN counts as the largest, as TF shows
    assert np.isnan(nan.values.numpy()[0]) and nan.indices.numpy().tolist() == [1, 2]
    u8 = srt.top_k(tf.constant([1, 3, 2], tf.uint8), k=2)
    assert u8.values.dtype == tf.uint8 and u8.values.numpy().tolist() == [3, 2]
    assert srt.top_k(tf.zeros([2, 3]), k=0).values.shape == (2, 0)


def test_top_k_gradient_goes_to_selected_positions():
    g = _tape_grad(lambda t: srt.top_k(t, 2).values * tf.constant([1.0, 2.0]), [1.0, 3.0, 3.0, 2.0])
    assert_close(g, [0.0, 1.0, 2.0, 0.0])  # as TF
    x = RNG.randn(3, 6)
    check_grad(lambda t: srt.top_k(t * t, k=3).values, x)


def test_top_k_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"input must have at least k columns. Had 4, needed 5 \[Op:TopKV2\]"):
        srt.top_k(tf.constant([1, 3, 2, 3]), k=5)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"input must be >= 1-D, got shape \[\]"):
        srt.top_k(tf.constant(1.0), k=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Need k >= 0, got -1"):
        srt.top_k(tf.constant([1.0, 3.0]), k=-1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of bool .*\[Op:TopKV2\]"):
        srt.top_k(tf.constant([True, False]), k=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"k must be scalar, got shape \[1\]"):
        srt.top_k(tf.constant([1.0, 3.0]), k=tf.constant([2]))
    with pytest.raises(TypeError, match="Cannot convert 2.0 to EagerTensor of dtype int32"):
        srt.top_k(tf.constant([1.0, 3.0]), k=2.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'index_type' of float32"):
        srt.top_k(tf.constant([1.0, 3.0]), k=1, index_type=tf.float32)


# ---- sort / argsort -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [0, 1, -1, -2])
@pytest.mark.parametrize("direction", ["ASCENDING", "DESCENDING"])
def test_sort(axis, direction):
    x = RNG.permutation(12).reshape(3, 4).astype(np.float32)

    def ref(a):
        s = np.sort(a, axis=axis)
        return np.flip(s, axis) if direction == "DESCENDING" else s

    check_op(lambda t: tf.sort(t, axis=axis, direction=direction), x, ref=ref, dtype=tf.float32)


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("direction", ["ASCENDING", "DESCENDING"])
def test_argsort(axis, direction):
    x = RNG.randint(0, 4, size=(4, 5)).astype(np.int32)  # many ties: stable order is checked

    def ref(a):
        if direction == "ASCENDING":
            return np.argsort(a, axis=axis, kind="stable").astype(np.int32)
        return np.argsort(-a, axis=axis, kind="stable").astype(np.int32)

    check_op(lambda t: tf.argsort(t, axis=axis, direction=direction), x, ref=ref, dtype=tf.int32, grad=False)


def test_sort_semantics_match_tf():
    c = tf.constant
    assert tf.sort(c([3, 1, 2]), direction="DESCENDING").numpy().tolist() == [3, 2, 1]
    assert tf.argsort(c([3, 1, 3, 2, 1]), direction="DESCENDING", stable=True).numpy().tolist() == [0, 2, 3, 1, 4]
    assert tf.argsort(c([3, 1, 3, 2, 1]), stable=True).numpy().tolist() == [1, 4, 3, 0, 2]
    assert tf.argsort(c([3.0, np.nan, 1.0])).numpy().tolist() == [2, 0, 1]  # NaN last ascending, as TF
    assert np.isnan(tf.sort(c([3.0, np.nan, 1.0])).numpy()[-1])
    assert tf.sort(c([-128, 1, 2], tf.int8)).numpy().tolist() == [-128, 1, 2]
    assert tf.sort(c([3, 1, 2], tf.uint8), direction="DESCENDING").numpy().tolist() == [3, 2, 1]
    assert tf.argsort(c([1, 2, 3], tf.uint16), direction="DESCENDING").numpy().tolist() == [2, 1, 0]
    assert tf.sort(c([np.inf, -np.inf, 2.0])).numpy().tolist() == [-np.inf, 2.0, np.inf]
    assert tf.sort(c([[3, 1], [0, 2]]), axis=0).numpy().tolist() == [[0, 1], [3, 2]]
    assert tf.argsort(c([[3, 1, 2]]), axis=0).numpy().tolist() == [[0, 0, 0]]
    assert tf.sort(c([2.0, 1.0], tf.float16)).dtype == tf.float16


def test_sort_gradient():
    g = _tape_grad(lambda t: tf.sort(t) * tf.constant([1.0, 2.0, 3.0]), [3.0, 1.0, 2.0])
    assert_close(g, [3.0, 1.0, 2.0])  # as TF
    check_grad(lambda t: tf.sort(t, axis=0, direction="DESCENDING") ** 2, RNG.randn(4, 3))


def test_sort_errors():
    with pytest.raises(ValueError, match="Argument `direction` should be one of ASCENDING, DESCENDING. "
                                         "Received: direction=down"):
        tf.sort(tf.constant([3, 1]), direction="down")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"axis 1 is out of range .*rank 1.*\[Op:Sort\]"):
        tf.sort(tf.constant([3]), axis=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"axis 0 is out of range .*rank 0.*\[Op:ArgSort\]"):
        tf.argsort(tf.constant(3), axis=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of bool .*\[Op:Sort\]"):
        tf.sort(tf.constant([True, False]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of complex128"):
        tf.sort(tf.constant([1 + 1j]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of string"):
        tf.argsort(tf.constant(["b", "a"]))
    with pytest.raises(ValueError, match=r"Attempt to convert a value \(None\)"):
        tf.sort(tf.constant([3, 1]), axis=None)


# ---- higher order: the TakeAlongAxis / ScatterAlongAxis pair ------------------------------------------------

def test_second_order_through_sort_and_top_k():
    x0 = np.array([0.3, -1.2, 2.0, 0.7])
    for fn in (lambda t: tf.reduce_sum(tf.sort(t) ** 3 * tf.constant([1.0, 2.0, 3.0, 4.0], tf.float64)),
               lambda t: tf.reduce_sum(srt.top_k(t * t, k=2).values ** 2)):
        x = tf.constant(x0)
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = fn(x)
            s = tf.reduce_sum(inner.gradient(y, x))
        h = outer.gradient(s, x).numpy()
        eps = 1e-6
        numeric = np.array([(_tape_grad(fn, x0 + eps * e).sum() - _tape_grad(fn, x0 - eps * e).sum()) / (2 * eps)
                            for e in np.eye(4)])
        assert_close(h, numeric, rtol=1e-4, atol=1e-5)


# ---- unique ------------------------------------------------------------------------------------------------

def test_unique():
    y, idx = tf.unique(tf.constant([1, 1, 2, 4, 4, 4, 7, 8, 8]))
    assert y.numpy().tolist() == [1, 2, 4, 7, 8] and idx.numpy().tolist() == [0, 0, 1, 2, 2, 2, 3, 4, 4]
    out = tf.unique(tf.constant([3, 1, 3]), out_idx=tf.int64)
    assert type(out).__name__ == "Unique" and out.y.numpy().tolist() == [3, 1] and out.idx.dtype == tf.int64
    s = tf.unique(tf.constant(["b", "a", "b"]))
    assert s.y.numpy().tolist() == [b"b", b"a"] and s.idx.numpy().tolist() == [0, 1, 0]
    n = tf.unique(tf.constant([1.0, np.nan, np.nan]))  # each NaN is distinct, as TF
    assert n.y.shape == (3,) and n.idx.numpy().tolist() == [0, 1, 2]
    b = tf.unique(tf.constant([True, True]))
    assert b.y.numpy().tolist() == [True] and b.idx.numpy().tolist() == [0, 0]
    e = tf.unique(tf.constant([], tf.float32))
    assert e.y.shape == (0,) and e.idx.shape == (0,)


def test_unique_check_op():
    x = np.array([5, 3, 5, 1, 3, 9], dtype=np.int64)
    check_op(tf.unique, x, expected=(np.array([5, 3, 1, 9]), np.array([0, 1, 0, 2, 1, 3], dtype=np.int32)),
             grad=False)


def test_unique_with_counts():
    out = tf.unique_with_counts(tf.constant([5, 3, 5]))
    assert type(out).__name__ == "UniqueWithCounts"
    assert out.y.numpy().tolist() == [5, 3] and out.idx.numpy().tolist() == [0, 1, 0]
    assert out.count.numpy().tolist() == [2, 1] and out.count.dtype == tf.int32
    assert tf.unique_with_counts(tf.constant([1.0]), out_idx=tf.int64).count.dtype == tf.int64


def test_unique_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"unique expects a 1D vector. \[Op:Unique\]"):
        tf.unique(tf.constant([[1]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="unique expects a 1D vector"):
        tf.unique(tf.constant(1))
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'out_idx' of float32"):
        tf.unique(tf.constant([1.0]), out_idx=tf.float32)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-3, 3), max_size=12))
def test_unique_reconstructs_input(values):
    y, idx = tf.unique(tf.constant(values, tf.int32))
    y, idx = y.numpy(), idx.numpy()
    assert y[idx].tolist() == values
    assert len(set(y.tolist())) == len(y)
    firsts = [values.index(v) for v in y.tolist()]
    assert firsts == sorted(firsts)  # order of first appearance


# ---- segment sums ------------------------------------------------------------------------------------------

def _np_unsorted_segment_sum(data, ids, n):
    out = np.zeros((n,) + data.shape[ids.ndim:], dtype=data.dtype)
    for pos in np.ndindex(*ids.shape):
        if ids[pos] >= 0:
            out[ids[pos]] += data[pos]
    return out


@pytest.mark.parametrize("ids", [np.array([0, 3, 0, 1, -1]), np.array([[0, 2], [2, 2], [-1, 1]])], ids=["1d", "2d"])
def test_unsorted_segment_sum(ids):
    data = RNG.randn(*(ids.shape + (3,))).astype(np.float32)
    ids = ids.astype(np.int32)
    check_op(lambda d, i: srt.unsorted_segment_sum(d, i, 4), data, ids,
             ref=lambda d, i: _np_unsorted_segment_sum(d, i, 4), dtype=tf.float32)


def test_segment_sum():
    data = RNG.randn(5, 2)
    ids = np.array([0, 0, 2, 2, 3], dtype=np.int64)
    check_op(srt.segment_sum, data, ids, ref=lambda d, i: _np_unsorted_segment_sum(d, i, 4), dtype=tf.float64)


def test_segment_sum_values_and_gradients_match_tf():
    c = tf.constant
    assert srt.segment_sum(c([1, 2, 3, 4]), c([0, 0, 2, 2])).numpy().tolist() == [3, 0, 7]
    assert srt.segment_sum(c([[1, 2], [3, 4]]), c([1, 1])).numpy().tolist() == [[0, 0], [4, 6]]
    assert srt.segment_sum(c([], tf.float32), c([], tf.int32)).shape == (0,)
    out = srt.unsorted_segment_sum(c([1, 2, 3, 4]), c([0, 3, 0, -1]), num_segments=4)
    assert out.numpy().tolist() == [4, 0, 0, 2]
    out = srt.unsorted_segment_sum(c([[1, 2], [3, 4]]), c([0, 1]), num_segments=c(3, tf.int64))
    assert out.numpy().tolist() == [[1, 2], [3, 4], [0, 0]]
    g = _tape_grad(lambda t: srt.unsorted_segment_sum(t, [0, 2, -1], 3) * c([1.0, 2.0, 3.0]), [1.0, 2.0, 3.0])
    assert_close(g, [1.0, 3.0, 0.0])
    g = _tape_grad(lambda t: srt.segment_sum(t, [0, 0, 1]) * c([1.0, 2.0]), [1.0, 2.0, 3.0])
    assert_close(g, [1.0, 1.0, 2.0])


def test_segment_second_order():
    x0 = np.array([0.5, -1.0, 2.0, 1.5])
    x = tf.constant(x0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(srt.unsorted_segment_sum(x, [1, 0, 1, -1], 2) ** 2)
        s = tf.reduce_sum(inner.gradient(y, x))
    h = outer.gradient(s, x).numpy()
    assert_close(h, [4.0, 2.0, 4.0, 0.0])  # d/dx of 2 * segment_total at each position


def test_segment_errors():
    c = tf.constant
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"segment ids are not increasing \[Op:SegmentSum\]"):
        srt.segment_sum(c([1, 2, 3, 4]), c([0, 0, 2, 1]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="segment_ids should be the same size as dimension 0 of input."):
        srt.segment_sum(c([1, 2, 3, 4]), c([0, 0, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Segment id -1 out of range \[0, 1\), possibly because 'segment_ids' input is not "
                             r"sorted."):
        srt.segment_sum(c([1, 2, 3, 4]), c([-1, 0, 0, 0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must be at least rank 1"):
        srt.segment_sum(c(1.0), c(0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="segment_ids should be a vector."):
        srt.segment_sum(c([1.0, 2.0]), c([[0, 1]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'Tindices' of float32"):
        srt.segment_sum(c([1.0]), c([0.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of bool .*\[Op:SegmentSum\]"):
        srt.segment_sum(c([True]), c([0]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"segment_ids\[3\] = 4 is out of range \[0, 4\) \[Op:UnsortedSegmentSum\]"):
        srt.unsorted_segment_sum(c([1, 2, 3, 4]), c([0, 3, 0, 4]), num_segments=4)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"segment_ids\[1,1\] = 7 is out of range \[0, 2\)"):
        srt.unsorted_segment_sum(c([[1, 2], [3, 4]]), c([[0, 1], [1, 7]]), num_segments=2)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"data.shape = \[2,2\] does not start with segment_ids.shape = \[3\]"):
        srt.unsorted_segment_sum(c([[1, 2], [3, 4]]), c([0, 1, 1]), num_segments=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input num_segments == -1 must not be negative."):
        srt.unsorted_segment_sum(c([1.0, 2.0]), c([0, 1]), num_segments=-1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"num_segments should be a scalar, not shape \[1\]"):
        srt.unsorted_segment_sum(c([1.0, 2.0]), c([0, 1]), num_segments=[2])
    with pytest.raises(TypeError, match="Cannot convert 2.0 to EagerTensor of dtype int32"):
        srt.unsorted_segment_sum(c([1.0, 2.0]), c([0, 1]), num_segments=2.0)


# ---- bincount ----------------------------------------------------------------------------------------------

def test_bincount():
    c = tf.constant
    assert srt.bincount(c([1, 1, 3])).numpy().tolist() == [0, 2, 0, 1]
    assert srt.bincount(c([1, 1, 3])).dtype == tf.int32
    assert srt.bincount(c([1, 1, 3]), minlength=6).numpy().tolist() == [0, 2, 0, 1, 0, 0]
    assert srt.bincount(c([1, 1, 3]), minlength=6, maxlength=2).numpy().tolist() == [0, 2]
    w = srt.bincount(c([1, 1, 3]), weights=c([1.0, 2.0, 3.0]))
    assert w.dtype == tf.float32 and w.numpy().tolist() == [0, 3, 0, 3]
    assert srt.bincount(c([1, 1, 3]), weights=c([1, 2, 3])).dtype == tf.int32
    assert srt.bincount(c([1, 1, 3]), weights=c([1.0, 2.0, 3.0], tf.float64), dtype=tf.float32).dtype == tf.float64
    assert srt.bincount(c([1, 1, 3]), dtype=tf.float32).dtype == tf.float32
    assert srt.bincount(c([[1, 1], [3, 0]])).numpy().tolist() == [1, 2, 0, 1]
    assert srt.bincount(c([[1, 1], [3, 0]]), axis=-1).numpy().tolist() == [[0, 2, 0, 0], [1, 0, 0, 1]]
    assert srt.bincount(c([[1, 1], [3, 0]]), axis=-1, maxlength=2).numpy().tolist() == [[0, 2], [1, 0]]
    assert srt.bincount(c([1, 1, 3]), binary_output=True).numpy().tolist() == [0, 1, 0, 1]
    assert srt.bincount(c([], tf.int32)).shape == (0,)
    assert srt.bincount(c([1.0, 1.0])).numpy().tolist() == [0, 2]
    assert srt.bincount(c([True])).numpy().tolist() == [0, 1]
    assert srt.bincount(c([1, 1, 3], tf.int64)).dtype == tf.int32


def test_bincount_errors():
    c = tf.constant
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Input arr must be non-negative! \[Op:DenseBincount\]"):
        srt.bincount(c([1, 1, -3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Shape must be at most rank 2 but is rank 3"):
        srt.bincount(c([[[1]]]), axis=-1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="`weights` must be the same shape as `arr`"):
        srt.bincount(c([1, 1, 3]), weights=c([1.0, 2.0]))
    with pytest.raises(ValueError, match="Unsupported value for argument axis=1"):
        srt.bincount(c([[1]]), axis=1)
    with pytest.raises(ValueError, match="`binary_output` and `weights` are mutually exclusive"):
        srt.bincount(c([1]), weights=c([1.0]), binary_output=True)
