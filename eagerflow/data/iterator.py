"""Iterators over datasets: eager `OwnedIterator`, and the `IteratorGetNext` op for graphs.

Eagerly, `iter(dataset)` returns an `OwnedIterator`: `next()` raises StopIteration at the end and
`get_next()` raises `tf.errors.OutOfRangeError`, as in TF.

Inside tf.function, an element cannot be known while tracing. Taking one (`next(iterator)`, or a
`for` loop over a dataset) adds a stateful `IteratorGetNext` node instead, whose kernel pulls the
element from the pipeline *when the graph runs*. So a function given an iterator gets a new
element on every call, as in TF. A `for` loop over a dataset inside tf.function is unrolled: the
dataset must have a known, finite cardinality, and its first node starts a new pass each time the
function runs (a reshuffling dataset gives a new order per call).

>>> import eagerflow as tf
>>> it = iter(tf.data.Dataset.range(2))
>>> step = tf.function(lambda it: next(it) * 10)
>>> int(step(it)), int(step(it))
(0, 10)
"""
from __future__ import annotations

from ..context import _state, init_scope
from ..errors import InvalidArgumentError, OutOfRangeError
from ..primitive import Primitive, bind
from ..tensor import constant
from . import structure
from .pipeline import INFINITE, UNKNOWN

__all__ = ["OwnedIterator", "Optional", "iterator_get_next_p", "unrolled_iterator", "MAX_UNROLL"]

MAX_UNROLL = 10_000   # elements a `for` loop over a dataset may unroll into one graph (tracing cost)


def _end_of_sequence() -> OutOfRangeError:
    return OutOfRangeError(None, None, "End of sequence [Op:IteratorGetNext]")


class _RunTimeSource:
    """The pass of a pipeline that graph nodes pull from when the graph runs."""

    def __init__(self, node, owner=None):
        self.node = node
        self.owner = owner      # an OwnedIterator whose position graph pulls advance
        self.it = None

    def next_flat(self, restart: bool):
        if self.owner is not None:
            flat = self.owner._next_flat()
            if flat is None:
                raise _end_of_sequence()
            return flat
        if restart or self.it is None:
            self.it = self.node.iterate()
        flat = next(self.it, None)
        if flat is None:
            raise _end_of_sequence()
        return flat

    def __repr__(self):
        return f"<iterator over {self.node.kind}>"


def _get_next_kernel(*, source, restart, output_types, output_shapes):
    with init_scope():
        return tuple(source.next_flat(restart))


iterator_get_next_p = Primitive(
    "IteratorGetNext", _get_next_kernel,
    dtype_rule=lambda *_, output_types, **__: output_types,
    shape_rule=lambda *_, output_shapes, **__: output_shapes,
    multiple_results=True, stateful=True)


def _graph_element(node, source, restart: bool):
    """A structure of symbolic tensors taking the next element when the graph runs."""
    flat = bind(iterator_get_next_p, source=source, restart=restart, output_types=tuple(node.flat_dtypes),
                output_shapes=tuple(s.shape.as_tuple() for s in node.flat_specs))
    return structure.pack(node.spec, list(flat))


class Optional:
    """`tf.experimental.Optional`: maybe an element (from `get_next_as_optional`)."""

    def __init__(self, value=None, spec=None, has_value=False):
        self._value, self._spec, self._has = value, spec, has_value

    def has_value(self, name=None):
        return constant(self._has)

    def get_value(self, name=None):
        if not self._has:
            raise _invalid_optional()
        return self._value

    @property
    def element_spec(self):
        return self._spec


def _invalid_optional():
    return InvalidArgumentError(None, None, "The optional does not have a value. [Op:OptionalGetValue]")


class OwnedIterator:
    """The iterator of an eager `iter(dataset)` (TF's `tf.data.Iterator`)."""

    def __init__(self, dataset):
        node = dataset._node
        if node.symbolic:
            raise_symbolic(node)
        self._node = node
        self._it = node.iterate()
        self._graph_source = None

    @property
    def element_spec(self):
        return self._node.spec

    def __iter__(self):
        return self

    def _next_flat(self):
        return next(self._it, None)

    def __next__(self):
        if _state.graph is not None:
            return self._graph_next()
        flat = next(self._it, None)
        if flat is None:
            raise StopIteration
        return self._node.element(flat)

    next = __next__

    def _graph_next(self):
        if self._graph_source is None:
            self._graph_source = _RunTimeSource(self._node, owner=self)
        return _graph_element(self._node, self._graph_source, False)

    def get_next(self, name=None):
        """The next element; `tf.errors.OutOfRangeError` at the end."""
        if _state.graph is not None:
            return self._graph_next()
        flat = next(self._it, None)
        if flat is None:
            raise _end_of_sequence()
        return self._node.element(flat)

    def get_next_as_optional(self):
        """An Optional holding the next element, or an empty one at the end (eager only)."""
        flat = next(self._it, None)
        if flat is None:
            return Optional(spec=self._node.spec)
        return Optional(self._node.element(flat), self._node.spec, True)

    def __repr__(self):
        return f"<OwnedIterator element_spec={self._node.spec}>"


def raise_symbolic(node):
    raise ValueError(f"This dataset ({node.kind}) was built inside tf.function from tensors whose values are only "
                     "known when the function runs, so eagerflow cannot iterate it: build the dataset outside the "
                     "function (or from constants) and pass it in.")


class _UnrolledIterator:
    """`iter(dataset)` while tracing: yields `cardinality` symbolic elements, pulled at run time."""

    def __init__(self, node):
        if node.symbolic:
            raise_symbolic(node)
        n = node.cardinality()
        if n in (INFINITE, UNKNOWN) or n > MAX_UNROLL:
            what = {INFINITE: "infinite", UNKNOWN: "unknown"}.get(n, f"{n}, more than {MAX_UNROLL}")
            raise ValueError(f"A `for` loop over a tf.data.Dataset inside tf.function is unrolled by eagerflow, "
                             f"so the dataset needs a known, finite cardinality; this one's is {what} "
                             f"({node.kind}). Declare it with "
                             "dataset.apply(tf.data.experimental.assert_cardinality(n)), or iterate eagerly and "
                             "call the tf.function per element.")
        self._node, self._n, self._i = node, n, 0
        self._source = _RunTimeSource(node)

    @property
    def element_spec(self):
        return self._node.spec

    def __iter__(self):
        return self

    def __next__(self):
        if self._i >= self._n:
            raise StopIteration
        restart = self._i == 0
        self._i += 1
        return _graph_element(self._node, self._source, restart)

    next = __next__

    def get_next(self, name=None):
        if self._i >= self._n:
            raise _end_of_sequence()
        return next(self)


def unrolled_iterator(node) -> _UnrolledIterator:
    return _UnrolledIterator(node)
