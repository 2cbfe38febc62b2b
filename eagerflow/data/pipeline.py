"""The pipeline nodes behind `tf.data.Dataset`, and the fast row plans of array datasets.

A Dataset wraps one `Node`. A node knows its element spec (a structure of TensorSpecs), its
cardinality, and how to `iterate()`: a Python iterator of *flat tuples of NumPy arrays*, one
array per component in `structure.flatten` order. Tensors are made only when an element leaves the
pipeline, so a chain of transformations costs no per-op dispatch.

Row plans (the fast path for NumPy data): a node over in-memory arrays can describe one pass as
`(arrays, chunks)`, where `chunks` yields row indices (`range`s or int arrays). `batch()` over such
a node gathers whole batches with one fancy index per component instead of stacking elements
one by one. Shuffle, take, skip, repeat and cache keep plans when their input has one.

Shuffling follows TF's buffer semantics: a reservoir of `buffer_size` elements from which each
output is drawn uniformly (so `shuffle(1)` keeps the order, and a buffer at least as large as the
dataset gives a uniform permutation). Indices and elements shuffle with the same draws, so the
fast path and the element path give the same order for the same seed.
"""
from __future__ import annotations

from itertools import islice

import numpy as np

from ..tensor import EagerTensor
from . import structure

__all__ = ["Node", "INFINITE", "UNKNOWN", "reservoir", "chunked", "iter_ints", "truncate_chunks",
           "skip_chunks", "SliceSource"]

INFINITE = -1
UNKNOWN = -2
_BLOCK = 256        # uniform draws fetched from the Generator at a time
_CHUNK = 4096       # indices per chunk of a shuffled plan
_wrap = EagerTensor._make


class Node:
    """One stage of a pipeline (a source or a transformation of `inputs`)."""

    kind = "DatasetV2"   # TF's class name, shown by repr(dataset)

    def __init__(self, spec, inputs=()):
        self.spec = spec
        self.flat_specs = structure.flatten(spec)
        self.flat_dtypes = [s.dtype for s in self.flat_specs]
        self.inputs = tuple(inputs)
        self.symbolic = any(n.symbolic for n in self.inputs)

    def cardinality(self) -> int:
        return UNKNOWN

    def element(self, flat):
        """The element (structure of EagerTensors) for a flat tuple of arrays."""
        dts = self.flat_dtypes
        if len(dts) == 1 and not structure.is_structure(self.spec):
            return _wrap(flat[0], dts[0])
        return structure.pack(self.spec, [_wrap(a, d) for a, d in zip(flat, dts)])

    def iterate(self):
        """A fresh Python iterator over the elements (flat tuples of arrays) of one pass."""
        raise NotImplementedError

    def plannable(self) -> bool:
        """True when `plan()` can describe a pass as row indices into in-memory arrays."""
        return False

    def plan(self):
        """(arrays, chunks) of one pass; only called when `plannable()`."""
        raise NotImplementedError


class SliceSource(Node):
    """Rows of in-memory arrays: the node of `from_tensor_slices` over concrete values."""

    kind = "_TensorSliceDataset"

    def __init__(self, spec, arrays, n):
        super().__init__(spec)
        self.arrays = arrays        # one array per component, or None when symbolic
        self.n = n
        self.symbolic = arrays is None
        if arrays is not None:
            # a 1-D string array's rows would be bare `bytes`: keep them as 0-d arrays
            self._rows = [_boxed_rows(a) if a.dtype == object and a.ndim == 1 else a for a in arrays]

    def cardinality(self) -> int:
        return UNKNOWN if self.n is None else self.n

    def iterate(self):
        rows = self._rows
        if len(rows) == 1:
            r = rows[0]
            return ((r[i],) for i in range(self.n))
        return (tuple([r[i] for r in rows]) for i in range(self.n))

    def plannable(self) -> bool:
        return not self.symbolic

    def plan(self):
        return self.arrays, iter((range(self.n),))


def _boxed_rows(a: np.ndarray) -> np.ndarray:
    out = np.empty(a.shape[0], dtype=object)
    for i in range(a.shape[0]):
        out[i] = a[i, ...]
    return out


# ---- shuffling -------------------------------------------------------------------------------------------

def reservoir(items, buffer_size: int, rng: np.random.Generator):
    """Yields `items` shuffled through a buffer of `buffer_size` (TF's ShuffleDataset semantics).

    Every pick uses one uniform double, so the order depends only on the seed and the sequence of
    buffer lengths, not on what the items are.
    """
    it = iter(items)
    buf = list(islice(it, buffer_size))
    draws, pos = rng.random(_BLOCK).tolist(), 0
    for item in it:
        if pos == _BLOCK:
            draws, pos = rng.random(_BLOCK).tolist(), 0
        j = int(draws[pos] * len(buf))
        pos += 1
        yield buf[j]
        buf[j] = item
    while buf:
        if pos == _BLOCK:
            draws, pos = rng.random(_BLOCK).tolist(), 0
        j = int(draws[pos] * len(buf))
        pos += 1
        yield buf[j]
        last = buf.pop()
        if j < len(buf):
            buf[j] = last


# ---- row-plan helpers --------------------------------------------------------------------------------------

def iter_ints(chunks):
    """The row indices of a plan, one Python int at a time."""
    for c in chunks:
        yield from (c if isinstance(c, range) else c.tolist())


def chunked(ints, size: int = _CHUNK):
    """Groups a stream of ints into int64 arrays of up to `size`."""
    it = iter(ints)
    while True:
        block = list(islice(it, size))
        if not block:
            return
        yield np.asarray(block, dtype=np.int64)


def truncate_chunks(chunks, count: int):
    """The first `count` indices of a plan."""
    left = count
    if left <= 0:
        return
    for c in chunks:
        if len(c) > left:
            c = c[:left]
        left -= len(c)
        yield c
        if left <= 0:   # stop before pulling another chunk (it could start a new shuffle pass)
            return


def skip_chunks(chunks, count: int):
    """A plan without its first `count` indices."""
    left = count
    for c in chunks:
        if left >= len(c):
            left -= len(c)
            continue
        yield c[left:] if left else c
        left = 0
