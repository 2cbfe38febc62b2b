"""Iterating datasets: Python `for`, iterators and their exhaustion errors, as_numpy_iterator, and datasets
inside tf.function (unrolled loops and IteratorGetNext nodes that pull elements when the graph runs)."""
import numpy as np
import pytest

import eagerflow as tf
from eagerflow.data.iterator import MAX_UNROLL

Spec = tf.TensorSpec


def test_for_loop_yields_eager_tensors():
    ds = tf.data.Dataset.from_tensor_slices((np.arange(3.0), [1, 2, 3]))
    seen = [(x, y) for x, y in ds]
    assert all(type(x) is type(tf.constant(1.0)) for x, _ in seen)
    assert [(float(x), int(y)) for x, y in seen] == [(0.0, 1), (1.0, 2), (2.0, 3)]
    assert [(x.dtype, y.dtype) for x, y in seen][0] == (tf.float64, tf.int32)


def test_iterator_exhaustion_like_tf():
    it = iter(tf.data.Dataset.from_tensor_slices([1.0, 2.0]))
    assert iter(it) is it
    assert it.element_spec == Spec([], tf.float32)
    assert float(next(it)) == 1.0 and float(it.get_next()) == 2.0
    with pytest.raises(StopIteration):
        next(it)
    with pytest.raises(tf.errors.OutOfRangeError, match="End of sequence"):
        it.get_next()
    with pytest.raises(StopIteration):
        next(it)


def test_get_next_as_optional():
    it = iter(tf.data.Dataset.range(1))
    opt = it.get_next_as_optional()
    assert bool(opt.has_value()) and int(opt.get_value()) == 0
    empty = it.get_next_as_optional()
    assert not bool(empty.has_value())
    with pytest.raises(tf.errors.InvalidArgumentError):
        empty.get_value()


def test_each_iter_is_a_new_pass():
    ds = tf.data.Dataset.range(3)
    a, b = iter(ds), iter(ds)
    assert int(next(a)) == 0 and int(next(a)) == 1 and int(next(b)) == 0


def test_as_numpy_iterator():
    ds = tf.data.Dataset.from_tensor_slices({"a": [1, 2], "s": ["x", "y"]})
    assert list(ds.as_numpy_iterator()) == [{"a": np.int32(1), "s": b"x"}, {"a": np.int32(2), "s": b"y"}]
    assert list(tf.data.Dataset.range(2).as_numpy_iterator()) == [0, 1]
    first = next(tf.data.Dataset.from_tensors(np.arange(3)).as_numpy_iterator())
    assert isinstance(first, np.ndarray)


def test_iterator_of_a_batched_dataset_in_a_training_style_loop():
    x = np.random.RandomState(0).rand(64, 3).astype(np.float32)
    y = x.sum(axis=1)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64, seed=1).batch(16).repeat(2)
    w = tf.Variable(tf.zeros([3]))

    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((tf.linalg.matvec(xb, w) - yb) ** 2)
        w.assign_sub(0.1 * tape.gradient(loss, w))
        return loss

    losses = [float(step(xb, yb)) for xb, yb in ds]
    assert len(losses) == 8 and losses[-1] < losses[0]
    assert step.experimental_get_tracing_count() == 1


# ---- inside tf.function -------------------------------------------------------------------------------

def test_for_loop_inside_tf_function_is_unrolled_and_runs_each_call():
    @tf.function
    def total(ds):
        s = tf.constant(0, tf.int64)
        for x in ds:
            s += x
        return s

    assert int(total(tf.data.Dataset.range(5))) == 10
    gen_values = [[1, 2, 3]]
    ds = tf.data.Dataset.from_generator(lambda: iter(gen_values[0]), output_signature=Spec([], tf.int64))
    ds = ds.apply(tf.data.experimental.assert_cardinality(3))
    assert int(total(ds)) == 6
    gen_values[0] = [10, 20, 30]                 # elements are pulled when the graph runs, not baked in
    assert int(total(ds)) == 60
    assert total.experimental_get_tracing_count() == 2


def test_reshuffling_dataset_in_tf_function_gives_a_new_order_per_call():
    @tf.function
    def order(ds):
        return tf.stack([x for x in ds])

    ds = tf.data.Dataset.range(20).shuffle(20, seed=4)
    a, b = order(ds).numpy().tolist(), order(ds).numpy().tolist()
    assert sorted(a) == sorted(b) == list(range(20)) and a != b


def test_next_on_an_iterator_inside_tf_function_advances_per_call():
    it = iter(tf.data.Dataset.range(3).map(lambda x: x * 10))
    step = tf.function(lambda it: next(it) + 1)
    assert [int(step(it)) for _ in range(3)] == [1, 11, 21]
    with pytest.raises(tf.errors.OutOfRangeError, match="End of sequence"):
        step(it)
    assert step.experimental_get_tracing_count() == 1


def test_get_next_inside_tf_function_with_structures():
    it = iter(tf.data.Dataset.from_tensor_slices({"a": [1, 2], "b": [[1.0], [2.0]]}).batch(2))

    @tf.function
    def f(it):
        e = it.get_next()
        return e["a"] * 2, e["b"]

    a, b = f(it)
    assert a.numpy().tolist() == [2, 4] and b.shape == (2, 1)


def test_dataset_built_inside_tf_function_from_constants():
    @tf.function
    def f():
        ds = tf.data.Dataset.from_tensor_slices(np.arange(4)).map(lambda x: x * 2)
        return ds.reduce(np.int64(0), lambda s, x: s + x)

    assert int(f()) == 12


def test_dataset_from_run_time_tensors_in_tf_function_is_a_clear_error():
    @tf.function
    def f(x):
        return tf.data.Dataset.from_tensor_slices(x).reduce(0.0, lambda s, v: s + v)

    with pytest.raises(ValueError, match="only known when the function runs"):
        f(tf.constant([1.0, 2.0]))


def test_element_spec_of_a_dataset_built_from_run_time_tensors():
    @tf.function
    def spec(x):
        ds = tf.data.Dataset.from_tensor_slices(x).batch(2)
        assert ds.element_spec == Spec([None, 3], tf.float32)
        return x

    spec(tf.zeros([4, 3]))


def test_infinite_or_unknown_dataset_loop_in_tf_function_is_a_clear_error():
    @tf.function
    def total(ds):
        s = tf.constant(0, tf.int64)
        for x in ds:
            s += x
        return s

    with pytest.raises(ValueError, match="needs a known, finite cardinality; this one's is infinite"):
        total(tf.data.Dataset.range(3).repeat())
    with pytest.raises(ValueError, match="this one's is unknown"):
        total(tf.data.Dataset.range(3).filter(lambda x: x > 0))


def test_as_numpy_iterator_is_eager_only():
    @tf.function
    def f():
        tf.data.Dataset.range(2).as_numpy_iterator()
        return tf.constant(0)

    with pytest.raises(RuntimeError, match="only supported in eager mode"):
        f()


def test_autograph_for_hook():
    ds = tf.data.Dataset.range(5)
    seen = []
    ds._autograph_for(lambda x: seen.append(int(x)), extra_test=lambda: len(seen) < 3)
    assert seen == [0, 1, 2]

    @tf.function
    def f():
        acc = []
        ds._autograph_for(acc.append)
        return tf.stack(acc)

    assert f().numpy().tolist() == [0, 1, 2, 3, 4]


def test_get_single_element_inside_tf_function():
    f = tf.function(lambda ds: ds.get_single_element() * 2)
    assert int(f(tf.data.Dataset.from_tensors(21))) == 42
    with pytest.raises(tf.errors.InvalidArgumentError, match="cardinality is known to be 1"):
        f(tf.data.Dataset.range(3))


def test_unrolling_is_bounded():
    @tf.function
    def first(ds):
        for x in ds:
            return x

    assert int(first(tf.data.Dataset.range(MAX_UNROLL))) == 0
    with pytest.raises(ValueError, match=f"more than {MAX_UNROLL}"):
        first(tf.data.Dataset.range(MAX_UNROLL + 1))
