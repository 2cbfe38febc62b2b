"""`tf.data.Dataset`: input pipelines as chains of transformations, iterated with Python `for`.

>>> import eagerflow as tf
>>> ds = tf.data.Dataset.from_tensor_slices([1, 2, 3, 4, 5]).map(lambda x: x * 2).batch(2)
>>> [b.numpy().tolist() for b in ds]
[[2, 4], [6, 8], [10]]

A Dataset is an immutable description; each `iter()` starts a new pass. Functions given to `map`,
`filter` and `reduce` are traced with tf.function once, when the transformation is created.

For Keras and other loops: `for x, y in dataset` yields tuples of EagerTensors directly, and a
`batch()` of `from_tensor_slices` NumPy data (shuffled, repeated or not) slices the arrays once per
batch, so an epoch costs a few operations per batch, not per example.

Inside tf.function: `for x in dataset` (and AutoGraph's conversion of it) unrolls the loop over the
dataset's known, finite cardinality; each element is pulled by an `IteratorGetNext` node when the
function runs. `next(iterator)` of an iterator passed in pulls its next element on every call.
See `Dataset._autograph_for`.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..function import function as tf_function
from ..context import _state
from ..errors import InvalidArgumentError
from ..tensor import EagerTensor, Tensor, constant, convert_to_tensor
from . import batching, sources, structure, transforms
from .iterator import OwnedIterator, unrolled_iterator
from .options import Options
from .pipeline import INFINITE, UNKNOWN, Node

__all__ = ["Dataset", "DatasetV2", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "AUTOTUNE"]

INFINITE_CARDINALITY = INFINITE
UNKNOWN_CARDINALITY = UNKNOWN
AUTOTUNE = -1


def _count(value, what: str) -> int:
    """A static int argument (Python/NumPy int or an integer tensor known while tracing)."""
    n = sources._static_int(value, what)
    if n is None:
        raise ValueError(f"`{what}` must be known when the pipeline is built; eagerflow cannot take it from a "
                         f"tensor computed inside tf.function ({value!r}).")
    return n


def _flag(value, what: str) -> bool:
    if isinstance(value, Tensor):
        if value.dtype is not _dt.bool or value.shape.rank != 0:
            raise TypeError(f"`{what}` must be a Python bool or a scalar tf.bool tensor, got {value!r}.")
        static = np.asarray(value) if isinstance(value, EagerTensor) else None
        if static is None:
            raise ValueError(f"`{what}` must be known when the pipeline is built.")
        return bool(static)
    return bool(value)


class Dataset:
    """A sequence of elements (structures of tensors) and the transformations that make it."""

    def __init__(self, node: Node, options: Options | None = None):
        if not isinstance(node, Node):
            raise TypeError("tf.data.Dataset is built with its static constructors, e.g. "
                            "tf.data.Dataset.from_tensor_slices(...) or tf.data.Dataset.range(...).")
        self._node = node
        self._options = options

    def _then(self, node: Node) -> "Dataset":
        return Dataset(node, self._options)

    # ---- sources --------------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None) -> "Dataset":
        """One element per slice along the first dimension of every component.

        >>> import eagerflow as tf
        >>> ds = tf.data.Dataset.from_tensor_slices(({"a": [1, 2]}, [3.0, 4.0]))
        >>> ds.element_spec[1]
        TensorSpec(shape=(), dtype=tf.float32, name=None)
        """
        return Dataset(sources.tensor_slices(tensors))

    @staticmethod
    def from_tensors(tensors, name=None) -> "Dataset":
        """A dataset of exactly one element, `tensors`.

        >>> import eagerflow as tf
        >>> [t.numpy().tolist() for t in tf.data.Dataset.from_tensors([1, 2])]
        [[1, 2]]
        """
        return Dataset(sources.TensorsNode(tensors))

    @staticmethod
    def range(*args, output_type=_dt.int64, name=None) -> "Dataset":
        """Like Python's `range`, as int64 scalars (or `output_type`).

        >>> import eagerflow as tf
        >>> list(tf.data.Dataset.range(1, 8, 3).as_numpy_iterator())
        [np.int64(1), np.int64(4), np.int64(7)]
        """
        return Dataset(sources.RangeNode(args, output_type))

    @staticmethod
    def counter(start=0, step=1, dtype=_dt.int64, name=None) -> "Dataset":
        """start, start + step, ... without end."""
        return Dataset(sources.CounterNode(start, step, dtype))

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None,
                       name=None) -> "Dataset":
        """Elements from a Python generator function, checked against `output_signature`.

        `generator(*args)` is called anew for every pass.

        >>> import eagerflow as tf
        >>> def gen():
        ...     yield [1, 2]
        ...     yield [3]
        >>> ds = tf.data.Dataset.from_generator(gen, output_signature=tf.TensorSpec([None], tf.int32))
        >>> [t.shape.as_list() for t in ds]
        [[2], [1]]
        """
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        spec = sources.generator_spec(output_signature, output_types, output_shapes)
        values = () if args is None else tuple(convert_to_tensor(a).numpy() for a in args)
        return Dataset(sources.GeneratorNode(generator, spec, values))

    @staticmethod
    def zip(*args, datasets=None, name=None) -> "Dataset":
        """Elements of several datasets side by side (a tuple or dict of datasets, or positional ones).

        >>> import eagerflow as tf
        >>> a, b = tf.data.Dataset.range(3), tf.data.Dataset.range(10, 12)
        >>> list(tf.data.Dataset.zip(a, b).as_numpy_iterator())
        [(np.int64(0), np.int64(10)), (np.int64(1), np.int64(11))]
        """
        if datasets is not None and args:
            raise TypeError("Both `*args` and `datasets` cannot be set.")
        if datasets is None:
            if not args:
                raise TypeError("Must pass at least one dataset to `zip`.")
            datasets = args[0] if len(args) == 1 else tuple(args)
        nodes = []
        for d in _zip_leaves(datasets):
            nodes.append(d._node)
        struct = datasets if structure.is_structure(datasets) else None
        node = sources.ZipNode(struct, nodes) if struct is not None else sources.ZipNode(0, nodes)
        return Dataset(node)

    def concatenate(self, dataset, name=None) -> "Dataset":
        """This dataset's elements followed by `dataset`'s (element specs must agree)."""
        if not isinstance(dataset, Dataset):
            raise TypeError(f"`dataset` must be a tf.data.Dataset, got {dataset!r}.")
        return self._then(sources.ConcatenateNode(self._node, dataset._node))

    # ---- element-wise transformations ------------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None, deterministic=None, synchronous=None,
            use_unbounded_threadpool=False, name=None) -> "Dataset":
        """Applies `map_func` (traced once with tf.function) to every element.

        A tuple element is passed as separate arguments. `num_parallel_calls` and `deterministic`
        are accepted; elements are always produced in order.

        >>> import eagerflow as tf
        >>> ds = tf.data.Dataset.from_tensor_slices(([1, 2], [10, 20])).map(lambda a, b: a + b)
        >>> list(ds.as_numpy_iterator())
        [np.int32(11), np.int32(22)]
        """
        return self._then(transforms.MapNode(self._node, map_func))

    def filter(self, predicate, name=None) -> "Dataset":
        """Keeps the elements for which `predicate` (traced once) returns a true scalar bool.

        >>> import eagerflow as tf
        >>> list(tf.data.Dataset.range(6).filter(lambda x: x % 2 == 0).as_numpy_iterator())
        [np.int64(0), np.int64(2), np.int64(4)]
        """
        return self._then(transforms.FilterNode(self._node, predicate))

    def flat_map(self, map_func, name=None) -> "Dataset":
        """Maps each element to a dataset and chains those datasets.

        >>> import eagerflow as tf
        >>> ds = tf.data.Dataset.range(3).flat_map(lambda x: tf.data.Dataset.range(x))
        >>> list(ds.as_numpy_iterator())
        [np.int64(0), np.int64(0), np.int64(1)]
        """
        return self._then(transforms.FlatMapNode(self._node, map_func))

    def interleave(self, map_func, cycle_length=None, block_length=None, num_parallel_calls=None,
                   deterministic=None, name=None) -> "Dataset":
        """Like flat_map, but cycles over `cycle_length` datasets, `block_length` elements each turn."""
        cycle = None if cycle_length is None else _count(cycle_length, "cycle_length")
        block = 1 if block_length is None else _count(block_length, "block_length")
        return self._then(transforms.InterleaveNode(self._node, map_func, cycle, block))

    def enumerate(self, start=0, name=None) -> "Dataset":
        """Pairs each element with its int64 index, counting from `start`.

        >>> import eagerflow as tf
        >>> list(tf.data.Dataset.from_tensor_slices([7, 8]).enumerate().as_numpy_iterator())
        [(np.int64(0), np.int32(7)), (np.int64(1), np.int32(8))]
        """
        counter = sources.CounterNode(start, 1)
        return self._then(sources.ZipNode((0, 0), [counter, self._node]))

    # ---- batching ----------------------------------------------------------------------------------------
    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None,
              name=None) -> "Dataset":
        """Stacks `batch_size` consecutive elements; the last batch may be smaller unless dropped.

        >>> import eagerflow as tf
        >>> ds = tf.data.Dataset.range(5).batch(2)
        >>> ds.element_spec
        TensorSpec(shape=(None,), dtype=tf.int64, name=None)
        >>> [b.numpy().tolist() for b in ds]
        [[0, 1], [2, 3], [4]]
        """
        return self._then(batching.BatchNode(self._node, _count(batch_size, "batch_size"),
                                             _flag(drop_remainder, "drop_remainder")))

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False,
                     name=None) -> "Dataset":
        """Batches elements of different shapes, padding each component (to the batch maximum by default).

        >>> import eagerflow as tf
        >>> ds = tf.data.Dataset.range(1, 4).map(lambda n: tf.fill([n], n))
        >>> [b.numpy().tolist() for b in ds.padded_batch(3, padding_values=tf.constant(-1, tf.int64))]
        [[[1, -1, -1], [2, 2, -1], [3, 3, 3]]]
        """
        return self._then(batching.PaddedBatchNode(self._node, _count(batch_size, "batch_size"), padded_shapes,
                                                   padding_values, _flag(drop_remainder, "drop_remainder")))

    def unbatch(self, name=None) -> "Dataset":
        """Splits each element along its first dimension (the inverse of batch).

        >>> import eagerflow as tf
        >>> list(tf.data.Dataset.from_tensors([1, 2]).unbatch().as_numpy_iterator())
        [np.int32(1), np.int32(2)]
        """
        return self._then(batching.UnbatchNode(self._node))

    # ---- order and count ----------------------------------------------------------------------------------
    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None, name=None) -> "Dataset":
        """Shuffles through a buffer of `buffer_size` elements (TF's semantics: shuffle(1) keeps the order).

        With a seed (op or global) the orders are reproducible; each new pass reshuffles unless
        `reshuffle_each_iteration=False`.

        >>> import eagerflow as tf
        >>> sorted(tf.data.Dataset.range(5).shuffle(5, seed=1).as_numpy_iterator())
        [np.int64(0), np.int64(1), np.int64(2), np.int64(3), np.int64(4)]
        """
        seed = None if seed is None else _count(seed, "seed")
        return self._then(transforms.ShuffleNode(self._node, _count(buffer_size, "buffer_size"), seed,
                                                 reshuffle_each_iteration))

    def repeat(self, count=None, name=None) -> "Dataset":
        """Repeats the dataset `count` times (None or -1: forever); each repetition is a new pass.

        >>> import eagerflow as tf
        >>> list(tf.data.Dataset.range(2).repeat(2).as_numpy_iterator())
        [np.int64(0), np.int64(1), np.int64(0), np.int64(1)]
        """
        return self._then(transforms.RepeatNode(self._node, -1 if count is None else _count(count, "count")))

    def take(self, count, name=None) -> "Dataset":
        """The first `count` elements (-1: all)."""
        return self._then(transforms.TakeNode(self._node, _count(count, "count")))

    def skip(self, count, name=None) -> "Dataset":
        """All but the first `count` elements (-1: skips everything)."""
        return self._then(transforms.SkipNode(self._node, _count(count, "count")))

    def shard(self, num_shards, index, name=None) -> "Dataset":
        """Every `num_shards`-th element, starting at `index`."""
        return self._then(transforms.ShardNode(self._node, _count(num_shards, "num_shards"),
                                               _count(index, "index")))

    def cache(self, filename="", name=None) -> "Dataset":
        """Keeps the elements in memory after the first complete pass."""
        if filename:
            raise NotImplementedError("eagerflow caches datasets in memory only: call cache() without a filename.")
        return self._then(transforms.CacheNode(self._node))

    def prefetch(self, buffer_size, name=None) -> "Dataset":
        """Accepted for compatibility: eagerflow produces elements on demand in the calling thread."""
        n = _count(buffer_size, "buffer_size")
        if n < -1:
            raise InvalidArgumentError(None, None, "buffer_size must be >= -1 (AUTOTUNE). [Op:PrefetchDataset]")
        return self._then(transforms.PassNode(self._node, "_PrefetchDataset"))

    def apply(self, transformation_func) -> "Dataset":
        """`transformation_func(self)`, which must return a Dataset."""
        out = transformation_func(self)
        if not isinstance(out, Dataset):
            raise TypeError(f"`transformation_func` must return a tf.data.Dataset object, got {type(out).__name__}.")
        return out

    def with_options(self, options, name=None) -> "Dataset":
        """The same elements, with `options` merged into the pipeline's options."""
        if not isinstance(options, Options):
            raise TypeError(f"`options` must be a tf.data.Options, got {options!r}.")
        merged = self._options.merge(options) if self._options is not None else options.merge(Options())
        return Dataset(transforms.PassNode(self._node, "_OptionsDataset", merged), merged)

    def options(self) -> Options:
        return self._options if self._options is not None else Options()

    # ---- reading ----------------------------------------------------------------------------------------
    @property
    def element_spec(self):
        """The structure of TensorSpecs every element matches."""
        return self._node.spec

    def cardinality(self):
        """The number of elements as an int64 scalar tensor (-1 infinite, -2 unknown), as TF.

        >>> import eagerflow as tf
        >>> int(tf.data.Dataset.range(10).batch(3).cardinality())
        4
        """
        return constant(self._node.cardinality(), _dt.int64)

    def __len__(self) -> int:
        n = self._node.cardinality()
        if n == INFINITE:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self) -> bool:
        return True

    def __iter__(self):
        """An iterator over the elements (eager), or over run-time elements while tracing (unrolled)."""
        if _state.graph is not None:
            return unrolled_iterator(self._node)
        return OwnedIterator(self)

    def as_numpy_iterator(self):
        """The elements as NumPy values (scalars as NumPy scalars, strings as bytes).

        >>> import eagerflow as tf
        >>> list(tf.data.Dataset.from_tensor_slices(["a", "b"]).as_numpy_iterator())
        [b'a', b'b']
        """
        if _state.graph is not None:
            raise RuntimeError("`tf.data.Dataset.as_numpy_iterator()` is only supported in eager mode.")
        if self._node.symbolic:
            OwnedIterator(self)   # raises the explanation
        return _numpy_elements(self._node)

    def reduce(self, initial_state, reduce_func, name=None):
        """Folds the elements into a state: `state = reduce_func(state, element)` (traced with tf.function).

        >>> import eagerflow as tf
        >>> int(tf.data.Dataset.range(5).reduce(tf.constant(0, tf.int64), lambda s, x: s + x))
        10
        """
        struct, state_leaves = structure.to_components(initial_state, "reduce")
        state = structure.pack(struct, state_leaves)
        dtypes = [t.dtype for t in state_leaves]
        converted = transforms.convert(reduce_func)
        where = "The function passed to `reduce`"
        step = tf_function(lambda s, e: structure.normalize_output(converted(s, e), where),
                                  autograph=False, reduce_retracing=True)
        for element in self:
            new = step(state, element)
            _check_state(struct, dtypes, new)
            state = new
        return state

    def get_single_element(self, name=None):
        """The only element of the dataset (InvalidArgumentError if it has none or several).

        >>> import eagerflow as tf
        >>> int(tf.data.Dataset.range(5).skip(4).get_single_element())
        4
        """
        if _state.graph is not None and self._node.cardinality() != 1:
            raise InvalidArgumentError(None, None, "Inside tf.function, get_single_element needs a dataset whose "
                                       "cardinality is known to be 1. [Op:DatasetToSingleElement]")
        it = iter(self.take(2))
        first = next(it, None)
        if first is None:
            raise InvalidArgumentError(None, None, "Dataset was empty. [Op:DatasetToSingleElement]")
        if _state.graph is None and next(it, None) is not None:
            raise InvalidArgumentError(None, None, "Dataset had more than one element. [Op:DatasetToSingleElement]")
        return first

    def _autograph_for(self, body, extra_test=None):
        """AutoGraph's hook for `for element in dataset: body(element)`.

        Calls `body(element)` for each element, stopping when `extra_test()` (a Python bool: the
        loop's `break` flag) returns False. Eagerly the elements are EagerTensors; while tracing the
        loop is unrolled over the dataset's known, finite cardinality and each element is a
        structure of symbolic tensors filled in when the graph runs (see `iterator.py`). A
        symbolic `extra_test` is not supported here (it raises when converted to bool).
        """
        for element in self:
            if extra_test is not None and not extra_test():
                break
            body(element)

    def __repr__(self) -> str:
        return f"<{self._node.kind} element_spec={self._node.spec}>"


DatasetV2 = Dataset


def _zip_leaves(datasets) -> list:
    if isinstance(datasets, list):
        raise TypeError("Invalid input to `zip`. Inputs are expected to be (nested) structures of `tf.data.Dataset` "
                        "objects. Python `list` is not supported and you should use `tuple` instead.")
    leaves = structure.flatten(datasets) if structure.is_structure(datasets) else [datasets]
    for d in leaves:
        if not isinstance(d, Dataset):
            if isinstance(d, list):
                return _zip_leaves(d)
            raise TypeError("Invalid input to `zip`. Inputs are expected to be (nested) structures of "
                            f"`tf.data.Dataset` objects but encountered object of type {type(d)}.")
    return leaves


def _check_state(struct, dtypes, new) -> None:
    if not structure.assert_same_structure(struct, new):
        raise TypeError(f"The structure of the new state must match the initial state: expected {struct!r}, got "
                        f"{new!r}.")
    for d, t in zip(dtypes, structure.flatten(new)):
        if t.dtype is not d:
            raise TypeError(f"The element types for the new state must match the initial state. Expected "
                            f"{structure.dtype_text(d)} but got {structure.dtype_text(t.dtype)}.")


def _numpy_value(a):
    if isinstance(a, np.ndarray):
        return a[()] if a.ndim == 0 else a.copy()
    return a


def _numpy_elements(node):
    spec = node.spec
    if not structure.is_structure(spec):
        for flat in node.iterate():
            yield _numpy_value(flat[0])
        return
    for flat in node.iterate():
        yield structure.pack(spec, [_numpy_value(a) for a in flat])
