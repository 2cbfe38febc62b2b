"""Transformation nodes: map, filter, flat_map, interleave, take, skip, repeat, shuffle, cache, ...

User functions given to `map` and `filter` are traced ONCE, with tf.function over the input's
element_spec, when the transformation is created (as TF does); each element then runs the compiled
ConcreteFunction. A tuple element is unpacked into positional arguments, any other structure is
passed as one argument. Functions that return datasets (`flat_map`, `interleave`) are traced once
with placeholders to learn the element_spec, then called eagerly per element.
"""
from __future__ import annotations

import os

import numpy as np

from ..function import Function, autograph_convert, function as tf_function
from ..context import _state, tapes_paused
from ..errors import FailedPreconditionError, InvalidArgumentError
from ..graph.func_graph import FuncGraph
from ..graph.trace import tracing
from ..ops import random as _random
from ..tensor import EagerTensor, Tensor
from ..tensor_spec import TensorSpec
from . import structure
from .pipeline import (INFINITE, UNKNOWN, Node, SliceSource, chunked, iter_ints, reservoir, skip_chunks,
                       truncate_chunks)

__all__ = ["convert", "trace_element_fn", "MapNode", "FilterNode", "FlatMapNode", "InterleaveNode", "TakeNode",
           "SkipNode", "RepeatNode", "ShuffleNode", "CacheNode", "PassNode", "AssertCardinalityNode",
           "ShardNode"]

_wrap = EagerTensor._make
_U64 = 0xFFFFFFFFFFFFFFFF


def _fn_name(fn) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def _args_for(spec_or_value):
    """A tuple element is unpacked into arguments; anything else is one argument."""
    return spec_or_value if type(spec_or_value) is tuple else (spec_or_value,)


def convert(fn):
    """`fn` as AutoGraph converts it (a tf.function is kept: tracing it inlines its own conversion)."""
    return fn if isinstance(fn, Function) else autograph_convert(fn, True)


def trace_element_fn(fn, spec, what: str):
    """(ConcreteFunction, output spec) of `fn` traced (AutoGraph applied) for elements of `spec`.

    The traced graph returns the output's leaves flat (one tensor, or a tuple), so calling it per
    element needs no repacking; the output's structure is kept in the returned spec.
    """
    if not callable(fn):
        raise TypeError(f"`{what}` expects a callable, got {fn!r}.")
    converted = convert(fn)
    where = f"The function passed to `{what}` ({_fn_name(fn)})"
    traced = []

    def element_fn(*args):
        out = structure.normalize_output(converted(*args), where)
        traced.append(structure.spec_of(out))
        leaves = structure.flatten(out)
        return leaves[0] if len(leaves) == 1 else tuple(leaves)

    element_fn.__name__ = f"{what}_{_fn_name(fn)}".replace("<", "").replace(">", "")
    concrete = tf_function(element_fn, autograph=False).get_concrete_function(*_args_for(spec))
    return concrete, traced[-1]


def _caller(concrete, in_dtypes):
    """flat arrays -> flat arrays through `concrete` (outer tapes never see pipeline work)."""
    call = concrete._call_flat
    single = isinstance(concrete.structured_outputs, Tensor)

    def run(flat):
        args = [_wrap(a, d) for a, d in zip(flat, in_dtypes)]
        if _state.tapes:
            with tapes_paused():
                out = call(args)
        else:
            out = call(args)
        if single:
            return (out._value,)
        return tuple([t._value for t in out])
    return run


class MapNode(Node):
    kind = "_MapDataset"

    def __init__(self, inp: Node, fn):
        concrete, spec = trace_element_fn(fn, inp.spec, "map")
        super().__init__(spec, (inp,))
        self._run = _caller(concrete, inp.flat_dtypes)
        self.concrete = concrete

    def cardinality(self) -> int:
        return self.inputs[0].cardinality()

    def iterate(self):
        run = self._run
        return (run(e) for e in self.inputs[0].iterate())


class FilterNode(Node):
    kind = "_FilterDataset"

    def __init__(self, inp: Node, predicate):
        concrete, out = trace_element_fn(predicate, inp.spec, "filter")
        if not isinstance(out, TensorSpec) or out.dtype.name != "bool" or out.shape.as_tuple() != ():
            raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but its return "
                             f"type is {out}.")
        super().__init__(inp.spec, (inp,))
        self._run = _caller(concrete, inp.flat_dtypes)
        self.concrete = concrete

    def iterate(self):
        run = self._run
        return (e for e in self.inputs[0].iterate() if run(e)[0])


# ---- functions returning datasets ---------------------------------------------------------------------

def _probe_spec(fn, spec, what: str):
    """The element_spec of the datasets `fn` returns, learnt by calling it on placeholders."""
    graph = FuncGraph(f"{what}_probe")
    with tracing(graph):
        leaves = [graph.placeholder(s.dtype, s.shape, name=f"args_{i}") for i, s in
                  enumerate(structure.flatten(spec))]
        result = fn(*_args_for(structure.pack(spec, leaves)))
    node = _node_of(result, fn, what)
    return node.spec


def _node_of(result, fn, what: str) -> Node:
    node = getattr(result, "_node", None)
    if not isinstance(node, Node):
        raise TypeError(f"The function passed to `{what}` ({_fn_name(fn)}) must return a `tf.data.Dataset` "
                        f"object, got {type(result).__name__}.")
    return node


class FlatMapNode(Node):
    kind = "_FlatMapDataset"

    def __init__(self, inp: Node, fn, what="flat_map"):
        if not callable(fn):
            raise TypeError(f"`{what}` expects a callable, got {fn!r}.")
        super().__init__(_probe_spec(fn, inp.spec, what), (inp,))
        self.fn, self.what = fn, what

    def _open(self, flat):
        """The pipeline node of `fn(element)`, checked against the probed spec."""
        inp = self.inputs[0]
        node = _node_of(self.fn(*_args_for(inp.element(flat))), self.fn, self.what)
        if node.flat_dtypes != self.flat_dtypes or not structure.assert_same_structure(node.spec, self.spec):
            raise InvalidArgumentError(None, None, f"The function passed to `{self.what}` returned a dataset with "
                                       f"element_spec {node.spec}, expected {self.spec}.")
        return node

    def iterate(self):
        for e in self.inputs[0].iterate():
            yield from self._open(e).iterate()


class InterleaveNode(FlatMapNode):
    """Cycles over `cycle_length` datasets opened from input elements, `block_length` at a time."""

    kind = "_InterleaveDataset"

    def __init__(self, inp: Node, fn, cycle_length, block_length):
        super().__init__(inp, fn, "interleave")
        if cycle_length is None or cycle_length == -1:
            cycle_length = os.cpu_count() or 1
        if cycle_length <= 0 or block_length <= 0:
            raise InvalidArgumentError(None, None, "cycle_length and block_length must be greater than zero. "
                                       "[Op:InterleaveDataset]")
        self.cycle_length, self.block_length = int(cycle_length), int(block_length)

    def iterate(self):
        source = self.inputs[0].iterate()
        slots = [None] * self.cycle_length
        exhausted = False
        while True:
            active = False
            for i in range(len(slots)):
                if slots[i] is None and not exhausted:
                    nxt = next(source, None)
                    if nxt is None:
                        exhausted = True
                    else:
                        slots[i] = self._open(nxt).iterate()
                if slots[i] is None:
                    continue
                active = True
                for _ in range(self.block_length):
                    e = next(slots[i], None)
                    if e is None:
                        slots[i] = None
                        break
                    yield e
            if not active and exhausted:
                return


# ---- counting transformations ------------------------------------------------------------------------

class TakeNode(Node):
    kind = "_TakeDataset"

    def __init__(self, inp: Node, count: int):
        super().__init__(inp.spec, (inp,))
        self.count = count

    def cardinality(self) -> int:
        c, n = self.inputs[0].cardinality(), self.count
        if n == 0:
            return 0
        if n < 0 or c == UNKNOWN:
            return c
        return n if c == INFINITE else min(c, n)

    def iterate(self):
        it = self.inputs[0].iterate()
        if self.count < 0:
            return it
        return (e for _, e in zip(range(self.count), it))

    def plannable(self) -> bool:
        return self.inputs[0].plannable()

    def plan(self):
        arrays, chunks = self.inputs[0].plan()
        return arrays, chunks if self.count < 0 else truncate_chunks(chunks, self.count)


class SkipNode(Node):
    kind = "_SkipDataset"

    def __init__(self, inp: Node, count: int):
        super().__init__(inp.spec, (inp,))
        self.count = count

    def cardinality(self) -> int:
        c, n = self.inputs[0].cardinality(), self.count
        if c in (INFINITE, UNKNOWN):
            return c
        return 0 if n < 0 else max(0, c - n)

    def iterate(self):
        it = self.inputs[0].iterate()
        if self.count < 0:
            for _ in it:
                pass
            return
        for _, _e in zip(range(self.count), it):
            pass
        yield from it

    def plannable(self) -> bool:
        return self.inputs[0].plannable() and self.count >= 0

    def plan(self):
        arrays, chunks = self.inputs[0].plan()
        return arrays, skip_chunks(chunks, self.count)


class ShardNode(Node):
    kind = "_ShardDataset"

    def __init__(self, inp: Node, num_shards: int, index: int):
        if num_shards <= 0:
            raise InvalidArgumentError(None, None, "Number of shards must be greater than zero "
                                       f"(currently num_shards = {num_shards}). [Op:ShardDataset]")
        if not 0 <= index < num_shards:
            raise InvalidArgumentError(None, None, "Index must be between 0 and "
                                       f"{num_shards - 1} (currently index = {index}). [Op:ShardDataset]")
        super().__init__(inp.spec, (inp,))
        self.num_shards, self.index = num_shards, index

    def cardinality(self) -> int:
        c = self.inputs[0].cardinality()
        if c < 0:
            return c
        return max(0, (c - self.index + self.num_shards - 1) // self.num_shards)

    def iterate(self):
        n, k = self.num_shards, self.index
        return (e for i, e in enumerate(self.inputs[0].iterate()) if i % n == k)


class RepeatNode(Node):
    kind = "_RepeatDataset"

    def __init__(self, inp: Node, count: int):
        super().__init__(inp.spec, (inp,))
        self.count = count

    def cardinality(self) -> int:
        c, n = self.inputs[0].cardinality(), self.count
        if n == 0 or c == 0:
            return 0
        if n < 0 or c == INFINITE:
            return INFINITE
        return UNKNOWN if c == UNKNOWN else c * n

    def iterate(self):
        inp, done = self.inputs[0], 0
        while self.count < 0 or done < self.count:
            empty = True
            for e in inp.iterate():
                empty = False
                yield e
            if empty:       # repeating nothing gives nothing (instead of looping forever)
                return
            done += 1

    def plannable(self) -> bool:
        return self.inputs[0].plannable()

    def plan(self):
        inp = self.inputs[0]
        arrays, first = inp.plan()

        def chunks():
            current, done = first, 0
            while True:
                empty = True
                for c in current:
                    if len(c):
                        empty = False
                        yield c
                done += 1
                if empty or 0 <= self.count <= done:
                    return
                current = inp.plan()[1]
        return arrays, chunks()


class ShuffleNode(Node):
    """TF's buffer shuffle. Each pass (iteration) draws a new order unless reshuffling is off."""

    kind = "_ShuffleDataset"

    def __init__(self, inp: Node, buffer_size: int, seed, reshuffle_each_iteration):
        if buffer_size == 0 or buffer_size < 0 and buffer_size != UNKNOWN:
            raise InvalidArgumentError(None, None, "buffer_size must be greater than zero or UNKNOWN_CARDINALITY "
                                       "[Op:ShuffleDatasetV3]")
        super().__init__(inp.spec, (inp,))
        self.buffer_size = buffer_size if buffer_size > 0 else None   # None: the whole dataset
        seed, seed2, _ = _random.get_seed(seed)
        if seed == 0 and seed2 == 0:   # no seed anywhere: a fresh random one, fixed for this dataset
            seed, seed2 = (int(x) for x in np.random.SeedSequence().generate_state(2))
        self.seeds = [seed & _U64, seed2 & _U64]
        self.reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        self.epoch = 0

    def cardinality(self) -> int:
        return self.inputs[0].cardinality()

    def _rng(self) -> np.random.Generator:
        if not self.reshuffle:
            return np.random.default_rng(self.seeds)
        self.epoch += 1
        return np.random.default_rng(self.seeds + [self.epoch])

    def _buffer(self) -> int:
        return self.buffer_size if self.buffer_size is not None else 2 ** 62

    def iterate(self):
        return reservoir(self.inputs[0].iterate(), self._buffer(), self._rng())

    def plannable(self) -> bool:
        return self.inputs[0].plannable()

    def plan(self):
        arrays, chunks = self.inputs[0].plan()
        return arrays, chunked(reservoir(iter_ints(chunks), self._buffer(), self._rng()))


class CacheNode(Node):
    """Keeps the elements of the first complete pass in memory; later passes replay them."""

    kind = "CacheDataset"

    def __init__(self, inp: Node):
        super().__init__(inp.spec, (inp,))
        self.cached = None

    def cardinality(self) -> int:
        return self.inputs[0].cardinality()

    def iterate(self):
        if self.cached is not None:
            yield from self.cached
            return
        seen = []
        for e in self.inputs[0].iterate():
            seen.append(e)
            yield e
        self.cached = seen   # only a pass that reached the end fills the cache (as TF)

    def plannable(self) -> bool:
        return isinstance(self.inputs[0], SliceSource) and self.inputs[0].plannable()

    def plan(self):
        return self.inputs[0].plan()


class PassNode(Node):
    """An element-preserving stage: prefetch, with_options (their effects do not apply here)."""

    def __init__(self, inp: Node, kind: str, options=None):
        super().__init__(inp.spec, (inp,))
        self.kind = kind
        self.options = options

    def cardinality(self) -> int:
        return self.inputs[0].cardinality()

    def iterate(self):
        return self.inputs[0].iterate()

    def plannable(self) -> bool:
        return self.inputs[0].plannable()

    def plan(self):
        return self.inputs[0].plan()


class AssertCardinalityNode(PassNode):
    """Declares the cardinality; iteration checks it (tf.data.experimental.assert_cardinality)."""

    def __init__(self, inp: Node, expected: int):
        super().__init__(inp, "_AssertCardinalityDataset")
        self.expected = expected

    def cardinality(self) -> int:
        return self.expected

    def plannable(self) -> bool:
        return False

    def iterate(self):
        n, expected = 0, self.expected
        for e in self.inputs[0].iterate():
            n += 1
            if expected != INFINITE and n > expected:
                raise FailedPreconditionError(None, None, f"Input dataset was expected to contain {expected} "
                                              f"elements but contained at least {n} elements.")
            yield e
        if expected == INFINITE or n < expected:
            what = "an infinite number of" if expected == INFINITE else str(expected)
            raise FailedPreconditionError(None, None, f"Input dataset was expected to contain {what} elements but "
                                          f"contained only {n} elements.")
