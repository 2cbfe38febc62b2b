"""batch, padded_batch and unbatch.

`batch` over in-memory arrays (from_tensor_slices, possibly shuffled, taken, skipped, repeated or
cached) follows the input's row plan: one slice or fancy index per component and batch, so
iterating batches of NumPy data costs no per-element Python work.
"""
from __future__ import annotations

from itertools import islice

import numpy as np

from .. import dtypes as _dt
from ..errors import DataLossError, InvalidArgumentError
from ..shapes import TensorShape, as_shape
from ..tensor import Tensor, convert_to_tensor
from ..tensor_spec import TensorSpec
from . import structure
from .pipeline import INFINITE, UNKNOWN, Node

__all__ = ["BatchNode", "PaddedBatchNode", "UnbatchNode"]


def _dims_text(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _check_batch_size(batch_size: int) -> None:
    if batch_size <= 0:
        raise InvalidArgumentError(None, None, "Batch size must be greater than zero. [Op:BatchDatasetV2]")


def _batch_cardinality(c: int, b: int, drop: bool) -> int:
    if c < 0:
        return c
    return c // b if drop else -(-c // b)


def _batches_of(chunks, size: int, drop: bool):
    """Groups a plan's row-index chunks into batches of `size` (a range when contiguous)."""
    pending, have = [], 0
    for c in chunks:
        start, n = 0, len(c)
        while start < n:
            take = min(size - have, n - start)
            pending.append(c[start:start + take])
            have += take
            start += take
            if have == size:
                yield _join(pending)
                pending, have = [], 0
    if pending and not drop:
        yield _join(pending)


def _join(pieces):
    if len(pieces) == 1:
        return pieces[0]
    return np.concatenate([np.arange(p.start, p.stop, p.step) if isinstance(p, range) else p for p in pieces])


def _rows(a: np.ndarray, idx):
    if isinstance(idx, range):
        return a[idx.start:idx.stop:idx.step]
    return a[idx]


def _stack(buf, c: int) -> np.ndarray:
    parts = [e[c] for e in buf]
    try:
        return np.stack(parts)
    except ValueError:
        first = np.shape(parts[0])
        for i, p in enumerate(parts):
            if np.shape(p) != first:
                raise InvalidArgumentError(None, None, f"Cannot batch tensors with different shapes in component "
                                           f"{c}. First element had shape {_dims_text(first)} and element {i} had "
                                           f"shape {_dims_text(np.shape(p))}. [Op:IteratorGetNext]") from None
        raise


class BatchNode(Node):
    kind = "_BatchDataset"

    def __init__(self, inp: Node, batch_size: int, drop_remainder: bool):
        _check_batch_size(batch_size)
        lead = batch_size if drop_remainder else None
        spec = structure.map_structure(lambda s: TensorSpec(structure.batched_dims(s.shape.as_tuple(), lead),
                                                            s.dtype), inp.spec)
        super().__init__(spec, (inp,))
        self.batch_size, self.drop = batch_size, bool(drop_remainder)

    def cardinality(self) -> int:
        return _batch_cardinality(self.inputs[0].cardinality(), self.batch_size, self.drop)

    def iterate(self):
        inp = self.inputs[0]
        if inp.plannable():
            return self._planned(inp)
        return self._stacked(inp)

    def _planned(self, inp):
        arrays, chunks = inp.plan()
        for idx in _batches_of(chunks, self.batch_size, self.drop):
            yield tuple([_rows(a, idx) for a in arrays])

    def _stacked(self, inp):
        it, b, n = inp.iterate(), self.batch_size, len(self.flat_dtypes)
        while True:
            buf = list(islice(it, b))
            if not buf or self.drop and len(buf) < b:
                return
            yield tuple([_stack(buf, c) for c in range(n)])


# ---- padded_batch ----------------------------------------------------------------------------------------

def _up_to(spec, value, what: str):
    """The leaves of `value` matched to the leaves of `spec` (value's structure cut at spec's leaves)."""
    if not structure.is_structure(spec):
        return [value]
    if isinstance(spec, dict):
        if not isinstance(value, dict) or set(value) != set(spec):
            raise ValueError(f"`{what}` must have the same structure as the dataset's elements: {spec}, got "
                             f"{value!r}.")
        return [leaf for k in sorted(spec) for leaf in _up_to(spec[k], value[k], what)]
    if not isinstance(value, (tuple, list)) or len(value) != len(spec):
        raise ValueError(f"`{what}` must have the same structure as the dataset's elements: {spec}, got {value!r}.")
    return [leaf for s, v in zip(spec, value) for leaf in _up_to(s, v, what)]


def _padded_shape(value, spec: TensorSpec, i: int) -> TensorShape:
    if isinstance(value, Tensor):
        value = [None if d < 0 else int(d) for d in np.asarray(value).tolist()]
    elif isinstance(value, (list, tuple)):
        value = [None if d is not None and int(d) < 0 else d for d in value]
    shape = as_shape(value)
    if spec.shape.rank is not None and (shape.rank is None or shape.rank != spec.shape.rank):
        raise ValueError(f"The padded shape {shape} is not compatible with the shape {spec.shape} of the "
                         "corresponding input component.")
    return shape


def _padding_value(value, spec: TensorSpec) -> np.ndarray:
    if value is None:
        d = spec.dtype
        return np.array(b"", dtype=object) if d is _dt.string else np.zeros((), dtype=d.as_numpy_dtype)
    t = convert_to_tensor(value)
    if t.shape.rank != 0:
        raise ValueError(f"Invalid `padding_values`. `padding_values` values must be scalars, got {t.shape}.")
    if t.dtype is not spec.dtype:
        raise TypeError(f"Invalid `padding_values`. `padding_values` values type {structure.dtype_text(t.dtype)} "
                        f"does not match type {structure.dtype_text(spec.dtype)} of the corresponding input "
                        "component.")
    return np.asarray(t)


class PaddedBatchNode(Node):
    kind = "_PaddedBatchDataset"

    def __init__(self, inp: Node, batch_size: int, padded_shapes, padding_values, drop_remainder: bool):
        _check_batch_size(batch_size)
        specs = inp.flat_specs
        if padded_shapes is None:
            for i, s in enumerate(specs):
                if s.shape.rank is None:
                    raise ValueError(f"You must provide `padded_shapes` argument because component {i} has "
                                     "unknown rank.")
            shapes = [TensorShape([None] * s.shape.rank) for s in specs]
        else:
            shapes = [_padded_shape(v, s, i) for i, (v, s) in
                      enumerate(zip(_up_to(inp.spec, padded_shapes, "padded_shapes"), specs))]
        if padding_values is None:
            pads = [None] * len(specs)
        elif structure.is_structure(inp.spec) and not structure.is_structure(padding_values):
            pads = [padding_values] * len(specs)
        else:
            pads = _up_to(inp.spec, padding_values, "padding_values")
        self.pads = [_padding_value(v, s) for v, s in zip(pads, specs)]
        self.shapes = [s.as_tuple() for s in shapes]
        lead = batch_size if drop_remainder else None
        out = [TensorSpec((lead,) + tuple(sh), s.dtype) for sh, s in zip(self.shapes, specs)]
        super().__init__(structure.pack(inp.spec, out), (inp,))
        self.batch_size, self.drop = batch_size, bool(drop_remainder)

    def cardinality(self) -> int:
        return _batch_cardinality(self.inputs[0].cardinality(), self.batch_size, self.drop)

    def iterate(self):
        it, b = self.inputs[0].iterate(), self.batch_size
        while True:
            buf = list(islice(it, b))
            if not buf or self.drop and len(buf) < b:
                return
            yield tuple([self._pad(buf, c) for c in range(len(self.pads))])

    def _pad(self, buf, c: int) -> np.ndarray:
        parts = [np.asarray(e[c]) for e in buf]
        rank = parts[0].ndim
        for i, p in enumerate(parts):
            if p.ndim != rank:
                raise InvalidArgumentError(None, None, f"Cannot batch tensors with different ranks in component {c}. "
                                           f"First element had shape {_dims_text(parts[0].shape)} and element {i} "
                                           f"had shape {_dims_text(p.shape)}. [Op:IteratorGetNext]")
        given = self.shapes[c]
        target = tuple(g if g is not None else max(p.shape[k] for p in parts) for k, g in enumerate(given))
        pad = self.pads[c]
        out = np.full((len(parts),) + target, pad, dtype=pad.dtype if pad.dtype != object else object)
        for i, p in enumerate(parts):
            if any(a > t for a, t in zip(p.shape, target)):
                raise DataLossError(None, None, "Attempted to pad to a smaller size than the input element. "
                                    "[Op:IteratorGetNext]")
            out[(i,) + tuple(slice(0, d) for d in p.shape)] = p
        return out


# ---- unbatch ---------------------------------------------------------------------------------------------

class UnbatchNode(Node):
    kind = "_UnbatchDataset"

    def __init__(self, inp: Node):
        dims = [s.shape.as_tuple() for s in inp.flat_specs]
        if any(d is not None and len(d) == 0 for d in dims):
            raise ValueError("Cannot unbatch an input with scalar components.")
        leading = {d[0] for d in dims if d is not None and d[0] is not None}
        if len(leading) > 1:
            a, b = sorted(leading)[:2]
            raise ValueError("`unbatch()` is only supported for datasets of elements whose components have a "
                             f"matching leading dimension. Encountered both {a} and {b}.")
        spec = structure.map_structure(lambda s: TensorSpec(None if s.shape.rank is None else s.shape.as_tuple()[1:],
                                                            s.dtype), inp.spec)
        super().__init__(spec, (inp,))
        known = all(d is not None and d[0] is not None for d in dims)
        self.static_batch = leading.pop() if known and leading else None

    def cardinality(self) -> int:
        c = self.inputs[0].cardinality()
        if c == INFINITE:
            return INFINITE
        if c == UNKNOWN or self.static_batch is None:
            return UNKNOWN
        return c * self.static_batch

    def iterate(self):
        boxed = [d is _dt.string for d in self.flat_dtypes]
        for e in self.inputs[0].iterate():
            arrays = [np.asarray(a) for a in e]
            n = arrays[0].shape[0] if arrays[0].ndim else 0
            for c, a in enumerate(arrays):
                if a.ndim == 0 or a.shape[0] != n:
                    raise InvalidArgumentError(None, None, "Input element must have the same batch size in each "
                                               f"component. Component 0 had size {n} but component {c} had size "
                                               f"{a.shape[0] if a.ndim else 0}. [Op:IteratorGetNext]")
            for i in range(n):
                yield tuple([a[i, ...] if box else a[i] for a, box in zip(arrays, boxed)])
