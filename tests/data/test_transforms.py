"""tf.data transformations against Python equivalents: map (traced once), filter, flat_map, interleave,
enumerate, take/skip/repeat/shard, cache, prefetch, reduce, options, cardinality (TF 2.21's table)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf

Spec = tf.TensorSpec
UNKNOWN, INFINITE = tf.data.UNKNOWN_CARDINALITY, tf.data.INFINITE_CARDINALITY


def _np(ds):
    return list(ds.as_numpy_iterator())


# ---- map ------------------------------------------------------------------------------------------------

def test_map_is_traced_once():
    traces = []

    def double(x):
        traces.append(1)
        return x * 2

    ds = tf.data.Dataset.range(5).map(double)
    assert len(traces) == 1                       # traced when map() is called, as TF
    assert _np(ds) == [0, 2, 4, 6, 8]
    assert _np(ds.repeat(3).batch(4)) and len(traces) == 1
    assert ds.element_spec == Spec([], tf.int64)
    assert repr(ds) == "<_MapDataset element_spec=TensorSpec(shape=(), dtype=tf.int64, name=None)>"


def test_map_runs_a_graph_not_python():
    seen = []
    ds = tf.data.Dataset.range(3).map(lambda x: (seen.append(tf.executing_eagerly()), x + 1)[1])
    assert _np(ds) == [1, 2, 3]
    assert seen == [False]


def test_map_unpacks_tuples_and_passes_dicts_whole():
    ds = tf.data.Dataset.from_tensor_slices(([1, 2], [10, 20])).map(lambda a, b: a + b)
    assert _np(ds) == [11, 22]
    ds = tf.data.Dataset.from_tensor_slices({"a": [1, 2]}).map(lambda d: d["a"] * 3)
    assert _np(ds) == [3, 6]
    with pytest.raises(TypeError, match="positional argument"):
        tf.data.Dataset.from_tensor_slices(([1], [2])).map(lambda a: a)


def test_map_output_structures_like_tf():
    ds = tf.data.Dataset.range(2)
    assert ds.map(lambda x: [x, x]).element_spec == (Spec([], tf.int64), Spec([], tf.int64))
    assert ds.map(lambda x: (x, [x, x])).element_spec == (Spec([], tf.int64), Spec([2], tf.int64))
    assert ds.map(lambda x: {"a": x, "b": (x, 1.0)}).element_spec == \
        {"a": Spec([], tf.int64), "b": (Spec([], tf.int64), Spec([], tf.float32))}
    assert ds.map(lambda x: "s").element_spec == Spec([], tf.string)
    assert _np(ds.map(lambda x: np.float64(2.5))) == [2.5, 2.5]
    with pytest.raises(TypeError, match="returned None"):
        ds.map(lambda x: None)


def test_map_changes_shapes_and_dtypes():
    ds = tf.data.Dataset.range(1, 4).map(lambda n: tf.fill([n], tf.cast(n, tf.float32)))
    assert ds.element_spec == Spec([None], tf.float32)
    assert [t.numpy().tolist() for t in ds] == [[1.0], [2.0, 2.0], [3.0, 3.0, 3.0]]


def test_map_reads_variables_at_run_time():
    v = tf.Variable(1.0)
    ds = tf.data.Dataset.from_tensor_slices([1.0, 2.0]).map(lambda x: x * v)
    assert _np(ds) == [1.0, 2.0]
    v.assign(10.0)
    assert _np(ds) == [10.0, 20.0]


def test_map_is_not_recorded_by_tapes():
    v = tf.Variable(2.0)
    ds = tf.data.Dataset.from_tensor_slices([1.0, 2.0]).map(lambda x: x * v)
    with tf.GradientTape() as tape:
        total = sum(ds)
    assert float(total) == 6.0
    assert tape.gradient(total, v) is None


def test_map_accepts_parallelism_arguments():
    ds = tf.data.Dataset.range(4).map(lambda x: x, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    assert _np(ds) == [0, 1, 2, 3] and int(ds.cardinality()) == 4
    with pytest.raises(TypeError, match="expects a callable"):
        tf.data.Dataset.range(2).map(5)


# ---- filter ---------------------------------------------------------------------------------------------

def test_filter_matches_python():
    traces = []

    def even(x):
        traces.append(1)
        return x % 2 == 0

    ds = tf.data.Dataset.range(10).filter(even)
    assert _np(ds) == [x for x in range(10) if x % 2 == 0]
    assert _np(ds) == [0, 2, 4, 6, 8] and len(traces) == 1
    assert int(ds.cardinality()) == UNKNOWN
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(ds)


def test_filter_predicate_must_be_scalar_bool():
    with pytest.raises(ValueError) as e:
        tf.data.Dataset.range(5).filter(lambda x: x)
    assert str(e.value) == ("Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but its return "
                            "type is TensorSpec(shape=(), dtype=tf.int64, name=None).")
    with pytest.raises(ValueError, match=r"TensorSpec\(shape=\(2,\), dtype=tf.bool"):
        tf.data.Dataset.range(5).filter(lambda x: tf.constant([True, False]))


# ---- flat_map / interleave ------------------------------------------------------------------------------

def test_flat_map():
    ds = tf.data.Dataset.range(4).flat_map(lambda x: tf.data.Dataset.range(x))
    assert _np(ds) == [i for x in range(4) for i in range(x)]
    assert ds.element_spec == Spec([], tf.int64)
    assert int(ds.cardinality()) == UNKNOWN
    rows = tf.data.Dataset.from_tensors(np.arange(6).reshape(3, 2)).flat_map(tf.data.Dataset.from_tensor_slices)
    assert rows.element_spec == Spec([2], tf.int64)
    assert [r.tolist() for r in _np(rows)] == [[0, 1], [2, 3], [4, 5]]
    with pytest.raises(TypeError, match="must return a `tf.data.Dataset`"):
        tf.data.Dataset.range(3).flat_map(lambda x: x)


def test_interleave_orders_like_tf():
    ds = tf.data.Dataset.range(4).interleave(lambda x: tf.data.Dataset.from_tensors(x).repeat(2), cycle_length=2)
    assert _np(ds) == [0, 1, 0, 1, 2, 3, 2, 3]
    ds = tf.data.Dataset.range(5).interleave(lambda x: tf.data.Dataset.from_tensors(x).repeat(3), cycle_length=2,
                                             block_length=2)
    assert _np(ds) == [0, 0, 1, 1, 0, 1, 2, 2, 3, 3, 2, 3, 4, 4, 4]


def test_enumerate():
    ds = tf.data.Dataset.from_tensor_slices([7, 8]).enumerate(5)
    assert _np(ds) == [(5, 7), (6, 8)]
    assert ds.element_spec == (Spec([], tf.int64), Spec([], tf.int32))
    assert int(tf.data.Dataset.range(3).repeat().enumerate().cardinality()) == INFINITE


# ---- take / skip / repeat / shard -------------------------------------------------------------------------

def test_take_skip_repeat_shard():
    r = tf.data.Dataset.range(10)
    assert _np(r.take(3)) == [0, 1, 2] and _np(r.take(-1)) == list(range(10))
    assert _np(r.skip(7)) == [7, 8, 9] and _np(r.skip(-1)) == []
    assert _np(r.take(2).repeat(3)) == [0, 1] * 3
    assert _np(r.take(2).repeat().take(5)) == [0, 1, 0, 1, 0]
    assert _np(r.shard(3, 1)) == [1, 4, 7] and int(r.shard(3, 1).cardinality()) == 3
    assert _np(tf.data.Dataset.range(0).repeat()) == []
    assert _np(r.take(tf.constant(2, tf.int64))) == [0, 1]
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int64"):
        r.take(2.5)
    with pytest.raises(ValueError, match="count: Tensor conversion requested dtype int64 for Tensor with dtype int32"):
        r.take(tf.constant(2))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Index must be between 0 and 2"):
        r.shard(3, 3)


def test_cardinality_table_matches_tf():
    r = tf.data.Dataset.range(10)
    u = r.filter(lambda x: True)
    inf = r.repeat()

    def c(d):
        return int(d.cardinality())
    got = [c(inf.filter(lambda x: True)), c(u.take(3)), c(u.skip(3)), c(tf.data.Dataset.zip((inf, r))),
           c(tf.data.Dataset.zip((u, r))), c(tf.data.Dataset.zip((u, inf))), c(u.concatenate(inf)),
           c(inf.concatenate(u)), c(r.concatenate(u)), c(r.batch(3, drop_remainder=True).unbatch()), c(u.repeat(2)),
           c(u.repeat(0)), c(r.take(20)), c(r.skip(20)), c(inf.take(-1)), c(u.batch(2)), c(r.shuffle(3)),
           c(u.enumerate()), c(r.cache()), c(r.prefetch(2)), c(tf.data.Dataset.range(3).repeat(2)), c(inf.skip(-1)),
           c(inf.take(7)), c(inf.skip(7)), c(inf.batch(3)), c(u.repeat()), c(tf.data.Dataset.range(0).repeat()),
           c(u.take(0)), c(r.batch(3)), c(r.batch(3, drop_remainder=True))]
    assert got == [-2, -2, -2, 10, -2, -2, -1, -1, -2, 9, -2, 0, 10, 0, -1, -2, 10, -2, 10, 10, 6, -1,
                   7, -1, -1, -1, 0, 0, 4, 3]
    assert tf.data.experimental.cardinality(r).dtype == tf.int64
    assert int(tf.data.experimental.cardinality(r)) == 10
    assert (tf.data.AUTOTUNE, tf.data.experimental.AUTOTUNE, tf.data.INFINITE_CARDINALITY,
            tf.data.UNKNOWN_CARDINALITY) == (-1, -1, -1, -2)


def test_len():
    assert len(tf.data.Dataset.range(4).batch(3)) == 2
    with pytest.raises(TypeError, match="The dataset is infinite."):
        len(tf.data.Dataset.range(4).repeat())
    assert bool(tf.data.Dataset.range(0)) is True


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 12), ops=st.lists(st.tuples(st.sampled_from(["take", "skip", "repeat", "batch", "shard"]),
                                                   st.integers(-1, 4)), max_size=4))
def test_counting_chains_match_python(n, ops):
    """take/skip/repeat/batch/shard chains: elements and cardinality equal a plain-Python model."""
    ds, model = tf.data.Dataset.range(n), list(range(n))
    for op, k in ops:
        if op == "take":
            ds, model = ds.take(k), (model if k < 0 else model[:k])
        elif op == "skip":
            ds, model = ds.skip(k), ([] if k < 0 else model[k:])
        elif op == "repeat" and k >= 0:
            ds, model = ds.repeat(k), model * k
        elif op == "batch" and k > 0:
            # full batches only, so that later batches of batches stack (remainders: test_batching.py)
            ds, model = ds.batch(k, drop_remainder=True), [model[i:i + k] for i in range(0, len(model) - k + 1, k)]
        elif op == "shard" and k > 0:
            ds, model = ds.shard(k, 0), model[::k]
    got = [np.asarray(e).tolist() for e in ds.as_numpy_iterator()]
    assert got == [np.asarray(m).tolist() for m in model]
    assert int(ds.cardinality()) == len(model)


# ---- cache / prefetch / options ---------------------------------------------------------------------------

def test_cache_replays_the_first_complete_pass():
    calls = []

    def gen():
        calls.append(1)
        yield from range(3)

    ds = tf.data.Dataset.from_generator(gen, output_signature=Spec([], tf.int64)).cache()
    it = iter(ds)
    next(it)                               # a partial pass does not fill the cache
    assert _np(ds) == [0, 1, 2] and len(calls) == 2
    assert _np(ds) == [0, 1, 2] and _np(ds.repeat(2)) == [0, 1, 2] * 2 and len(calls) == 2
    with pytest.raises(NotImplementedError, match="in memory only"):
        ds.cache("/tmp/some_file")


def test_cache_of_a_shuffle_freezes_its_first_order():
    ds = tf.data.Dataset.range(20).shuffle(20, seed=3).cache()
    first = _np(ds)
    assert _np(ds) == first and sorted(first) == list(range(20))


def test_prefetch_and_options():
    ds = tf.data.Dataset.range(3).prefetch(tf.data.AUTOTUNE)
    assert _np(ds) == [0, 1, 2] and repr(ds).startswith("<_PrefetchDataset ")
    opts = tf.data.Options()
    opts.deterministic = False
    opts.threading.private_threadpool_size = 4
    opts.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    ds2 = ds.with_options(opts)
    assert repr(ds2).startswith("<_OptionsDataset ")
    assert ds2.options().deterministic is False and ds2.options().threading.private_threadpool_size == 4
    assert ds2.map(lambda x: x).options().deterministic is False
    assert tf.data.Options().deterministic is None and tf.data.Options() == tf.data.Options()
    with pytest.raises(AttributeError, match="Cannot set the property foo on Options."):
        opts.foo = 1
    opts.experimental_deterministic = True
    assert opts.deterministic is True


def test_apply():
    ds = tf.data.Dataset.range(5).apply(lambda d: d.skip(3))
    assert _np(ds) == [3, 4]
    with pytest.raises(TypeError, match="must return a tf.data.Dataset"):
        tf.data.Dataset.range(5).apply(lambda d: 1)


def test_assert_cardinality():
    ds = tf.data.Dataset.range(10).filter(lambda x: x < 5).apply(tf.data.experimental.assert_cardinality(5))
    assert int(ds.cardinality()) == 5 and _np(ds) == [0, 1, 2, 3, 4]
    bad = tf.data.Dataset.range(10).filter(lambda x: x < 3).apply(tf.data.experimental.assert_cardinality(5))
    with pytest.raises(tf.errors.FailedPreconditionError, match="expected to contain 5 elements but contained only 3"):
        list(bad)


# ---- reduce / get_single_element ----------------------------------------------------------------------

def test_reduce():
    r = tf.data.Dataset.range(10)
    total = r.reduce(np.int64(0), lambda s, x: s + x)
    assert total.dtype == tf.int64 and int(total) == 45
    assert float(r.reduce(0.0, lambda s, x: s + tf.cast(x, tf.float32))) == 45.0
    a, b = r.reduce((np.int64(0), np.int64(1)), lambda s, x: (s[0] + x, s[1] * (x + 1)))
    assert (int(a), int(b)) == (45, 3628800)
    pairs = tf.data.Dataset.range(5).map(lambda x: (x, x))
    assert int(pairs.reduce(np.int64(0), lambda s, e: s + e[0] * e[1])) == 30
    with pytest.raises(TypeError, match="The element types for the new state must match the initial state. Expected "
                                        "<dtype: 'int64'> but got <dtype: 'float32'>."):
        r.reduce(np.int64(0), lambda s, x: tf.cast(s, tf.float32))


def test_reduce_with_growing_state():
    ds = tf.data.Dataset.range(4)
    out = ds.reduce(tf.zeros([0], tf.int64), lambda s, x: tf.concat([s, tf.reshape(x, [1])], 0))
    assert out.numpy().tolist() == [0, 1, 2, 3]


def test_get_single_element():
    assert int(tf.data.Dataset.range(5).take(1).get_single_element()) == 0
    assert int(tf.data.experimental.get_single_element(tf.data.Dataset.from_tensors(7))) == 7
    with pytest.raises(tf.errors.InvalidArgumentError, match="Dataset had more than one element."):
        tf.data.Dataset.range(5).get_single_element()
    with pytest.raises(tf.errors.InvalidArgumentError, match="Dataset was empty."):
        tf.data.Dataset.range(0).get_single_element()


def test_map_accepts_a_tf_function():
    @tf.function
    def dbl(x):
        return x * 2

    assert _np(tf.data.Dataset.range(3).map(dbl)) == [0, 2, 4]
    assert int(tf.data.Dataset.range(3).reduce(np.int64(0), tf.function(lambda s, x: s + x))) == 3


def test_map_is_not_retraced_when_iterated_inside_tf_function():
    traces = []
    ds = tf.data.Dataset.range(4).map(lambda x: (traces.append(1), x * x)[1])

    @tf.function
    def total(ds):
        s = tf.constant(0, tf.int64)
        for x in ds:
            s += x
        return s

    assert int(total(ds)) == 14 and int(total(ds)) == 14 and len(traces) == 1


def test_docstring_examples_run():
    import doctest

    from eagerflow.data import dataset, experimental, iterator, options, structure
    for module in (tf.data, dataset, experimental, iterator, options, structure):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0, module.__name__
