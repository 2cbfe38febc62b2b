"""Source nodes (from_tensor_slices, from_tensors, range, from_generator) and zip/concatenate.

Values given to a source are converted once, with TF's rules (Python floats -> float32, NumPy
keeps its dtype, lists become one tensor). A source built inside tf.function from tensors whose
values are only known at run time is *symbolic*: its element_spec is exact, but it cannot be
iterated (eagerflow runs pipelines eagerly).
"""
from __future__ import annotations

import itertools

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ..tensor import EagerTensor, Tensor, get_static_value
from ..tensor_spec import TensorSpec
from . import structure
from .pipeline import INFINITE, UNKNOWN, Node, SliceSource

__all__ = ["tensor_slices", "TensorsNode", "RangeNode", "CounterNode", "GeneratorNode", "ZipNode", "ConcatenateNode"]


def _arrays(tensors):
    """The arrays of eager tensors, or None when any is symbolic."""
    if any(not isinstance(t, EagerTensor) for t in tensors):
        return None
    return [np.asarray(t._value) for t in tensors]


def tensor_slices(value) -> Node:
    """The node of `Dataset.from_tensor_slices(value)`."""
    struct, tensors = structure.to_components(value, "from_tensor_slices")
    n = None
    for t in tensors:
        dims = t.shape.as_tuple()
        if dims is not None and len(dims) == 0:
            raise ValueError("Unbatching a tensor is only supported for rank >= 1")
        first = None if dims is None else dims[0]
        if first is not None:
            if n is not None and n != first:
                raise ValueError(f"Dimensions {n} and {first} are not compatible")
            n = first
    specs = [TensorSpec(_drop_first(t.shape.as_tuple()), t.dtype) for t in tensors]
    return SliceSource(structure.pack(struct, specs), _arrays(tensors), n)


def _drop_first(dims):
    return None if dims is None else dims[1:]


class TensorsNode(Node):
    """A single element: the node of `Dataset.from_tensors(value)`."""

    kind = "_TensorDataset"

    def __init__(self, value):
        struct, tensors = structure.to_components(value, "from_tensors")
        super().__init__(structure.pack(struct, [TensorSpec(t.shape, t.dtype) for t in tensors]))
        self.arrays = _arrays(tensors)
        self.symbolic = self.arrays is None

    def cardinality(self) -> int:
        return 1

    def iterate(self):
        return iter((tuple(self.arrays),))


def _static_int(value, what: str, allow_none=False):
    """A Python int from an int, NumPy integer or scalar integer tensor (None: unknown at trace time)."""
    if value is None and allow_none:
        return None
    if isinstance(value, Tensor):
        if value.dtype is not _dt.int64:
            raise ValueError(f"{what}: Tensor conversion requested dtype int64 for Tensor with dtype "
                             f"{value.dtype.name}: {value!r}")
        static = get_static_value(value)
        return None if static is None else int(static)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype int64")
    return int(value)


class RangeNode(Node):
    """`Dataset.range(start, stop, step)` with Python's range semantics, as `output_type`."""

    kind = "_RangeDataset"

    def __init__(self, args, output_type=_dt.int64):
        if not 1 <= len(args) <= 3:
            raise TypeError(f"range() takes 1 to 3 positional arguments but {len(args)} were given")
        names = ("stop",) if len(args) == 1 else ("start", "stop", "step")
        vals = [_static_int(a, n) for a, n in zip(args, names)]
        output_type = _dt.as_dtype(output_type)
        super().__init__(TensorSpec((), output_type))
        if len(vals) == 1:
            vals = [0, vals[0], 1]
        elif len(vals) == 2:
            vals.append(1)
        if vals[2] == 0:
            raise InvalidArgumentError(None, None, "step must be a non-zero integer. [Op:RangeDataset]")
        self.symbolic = any(v is None for v in vals)
        self.range = None if self.symbolic else range(*vals)
        self._np = output_type.as_numpy_dtype

    def cardinality(self) -> int:
        return UNKNOWN if self.range is None else len(self.range)

    def iterate(self):
        make = self._np
        return ((make(i),) for i in self.range)


class CounterNode(Node):
    """start, start + step, ... forever (`Dataset.counter`, and the indices of `enumerate`)."""

    kind = "_ScanDataset"   # TF builds it as a scan

    def __init__(self, start, step, output_type=_dt.int64):
        output_type = _dt.as_dtype(output_type)
        super().__init__(TensorSpec((), output_type))
        self.start, self.step = _static_int(start, "start"), _static_int(step, "step")
        self.symbolic = self.start is None or self.step is None
        self._np = output_type.as_numpy_dtype

    def cardinality(self) -> int:
        return INFINITE

    def iterate(self):
        make = self._np
        return ((make(i),) for i in itertools.count(self.start, self.step))


class GeneratorNode(Node):
    """`Dataset.from_generator`: calls `generator(*args)` once per pass, checks each element."""

    kind = "_FlatMapDataset"   # TF builds it as a flat_map over a one-element dataset

    def __init__(self, generator, spec, args):
        super().__init__(spec)
        self.generator = generator
        self.args = args

    def iterate(self):
        spec, flat = self.spec, self.flat_specs
        for value in self.generator(*self.args):
            yield structure.generator_components(value, spec, flat)


def generator_spec(output_signature, output_types, output_shapes):
    """The element spec of from_generator from its signature arguments (or the legacy pair)."""
    if output_signature is not None:
        if output_types is not None or output_shapes is not None:
            raise TypeError("The `output_types` and `output_shapes` arguments cannot be used together with "
                            "the `output_signature` argument.")
        _check_signature(output_signature)
        return output_signature
    if output_types is None:
        if output_shapes is not None:
            raise TypeError("The `output_shapes` argument must not be specified without the `output_types` "
                            "argument.")
        raise TypeError("To specify the output signature you need to provide either the `output_signature` "
                        "argument or the `output_types` argument.")
    types = _listless(output_types)
    if output_shapes is None:
        return structure.map_structure(lambda t: TensorSpec(None, t), types)
    shapes = _listless_shapes(output_shapes, types)
    flat_t, flat_s = structure.flatten(types), structure.flatten(shapes)
    if len(flat_t) != len(flat_s):
        raise ValueError("`output_shapes` must have the same structure as `output_types`.")
    return structure.pack(types, [TensorSpec(s, t) for t, s in zip(flat_t, flat_s)])


def _check_signature(sig):
    if isinstance(sig, list):
        raise TypeError("`output_signature` must contain objects that are subclass of `tf.TypeSpec` but found "
                        "<class 'list'> which is not.")
    for leaf in structure.flatten(sig):
        if not isinstance(leaf, TensorSpec):
            raise TypeError("`output_signature` must contain objects that are subclass of `tf.TypeSpec` but found "
                            f"{type(leaf)} which is not.")


def _listless(types):
    """The legacy output_types structure with lists read as tuples, leaves as DTypes."""
    if isinstance(types, (list, tuple)) and not hasattr(type(types), "_fields"):
        return tuple(_listless(t) for t in types)
    if isinstance(types, dict):
        return {k: _listless(v) for k, v in types.items()}
    return _dt.as_dtype(types)


def _listless_shapes(shapes, types):
    """Legacy output_shapes: a list is a shape where `types` has a leaf, a structure elsewhere."""
    if isinstance(types, tuple):
        return tuple(_listless_shapes(s, t) for s, t in zip(shapes, types))
    if isinstance(types, dict):
        return {k: _listless_shapes(shapes[k], t) for k, t in types.items()}
    return TensorShape(shapes) if shapes is not None else TensorShape(None)


def _card_min(cards) -> int:
    """Cardinality of a zip: any unknown -> unknown; else the smallest, infinite counting as largest."""
    if any(c == UNKNOWN for c in cards):
        return UNKNOWN
    finite = [c for c in cards if c != INFINITE]
    return min(finite) if finite else INFINITE


class ZipNode(Node):
    """Elements of several datasets side by side, in the structure they were given in."""

    kind = "_ZipDataset"

    def __init__(self, struct, nodes):
        super().__init__(structure.pack(struct, [n.spec for n in nodes]), nodes)
        self.struct = struct

    def cardinality(self) -> int:
        return _card_min([n.cardinality() for n in self.inputs])

    def iterate(self):
        its = [n.iterate() for n in self.inputs]
        if len(its) == 1:
            yield from its[0]
            return
        for parts in zip(*its):
            yield sum(parts, ())


def _merge_specs(a, b):
    """The spec admitting both elements (shapes relaxed), or None when dtypes/structures differ."""
    if not structure.assert_same_structure(a, b):
        return None
    fa, fb = structure.flatten(a), structure.flatten(b)
    out = []
    for x, y in zip(fa, fb):
        if x.dtype is not y.dtype:
            return None
        out.append(TensorSpec(x.shape.most_specific_compatible_shape(y.shape), x.dtype))
    return structure.pack(a, out)


class ConcatenateNode(Node):
    """The elements of one dataset, then of another with a compatible element_spec."""

    kind = "_ConcatenateDataset"

    def __init__(self, first: Node, second: Node):
        spec = _merge_specs(first.spec, second.spec)
        if spec is None:
            raise TypeError(f"Incompatible dataset elements:\n  {first.spec} vs.   {second.spec}")
        super().__init__(spec, (first, second))

    def cardinality(self) -> int:
        a, b = (n.cardinality() for n in self.inputs)
        if INFINITE in (a, b):
            return INFINITE
        if UNKNOWN in (a, b):
            return UNKNOWN
        return a + b

    def iterate(self):
        yield from self.inputs[0].iterate()
        yield from self.inputs[1].iterate()
