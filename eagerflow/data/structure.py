"""Element structures of tf.data: nesting, specs and conversion to the arrays a pipeline carries.

tf.data nests differently from `tf.nest`: tuples (namedtuples too) and dicts are structures, but a
Python *list* is a value, converted to one tensor (`from_tensor_slices([(1, 2), (3, 4)])` slices a
2x2 tensor). Dicts flatten in sorted-key order and keep their own key order when rebuilt.

Inside a pipeline an element travels as a *flat tuple of NumPy arrays* (one per component); the
dtypes and static shapes live once in the dataset's `element_spec`, and tensors are made only when
an element leaves the pipeline.

>>> from eagerflow.data import structure
>>> structure.flatten({"b": 1, "a": (2, [3, 4])})
[2, [3, 4], 1]
"""
from __future__ import annotations

import collections.abc as _abc

import numpy as np

from .. import dtypes as _dt
from ..context import init_scope
from ..errors import InvalidArgumentError
from ..graph.trace import is_variable
from ..shapes import TensorShape
from ..tensor import EagerTensor, Tensor, convert_to_tensor, get_static_value
from ..tensor_spec import TensorSpec

__all__ = ["is_structure", "flatten", "pack", "map_structure", "spec_of", "to_components",
           "normalize_output", "assert_same_structure", "dtype_text", "batched_dims"]

_wrap = EagerTensor._make


def is_structure(x) -> bool:
    """True for the containers tf.data descends into: tuples and mappings (not lists)."""
    return isinstance(x, (tuple, _abc.Mapping))


def _keys(d) -> list:
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def flatten(x) -> list:
    """The leaves of `x` depth first, dicts by sorted key; a leaf gives `[x]`."""
    if type(x) is TensorSpec or not is_structure(x):
        return [x]
    out: list = []
    _flatten_into(x, out)
    return out


def _flatten_into(x, out: list) -> None:
    children = [x[k] for k in _keys(x)] if isinstance(x, _abc.Mapping) else x
    for c in children:
        if is_structure(c):
            _flatten_into(c, out)
        else:
            out.append(c)


def pack(template, leaves):
    """Rebuilds `template`'s nesting from a flat sequence of leaves (inverse of `flatten`)."""
    if not is_structure(template):
        return leaves[0]
    it = iter(leaves)
    return _rebuild(template, it)


def _rebuild(t, it):
    if not is_structure(t):
        return next(it)
    if isinstance(t, _abc.Mapping):
        vals = {k: _rebuild(t[k], it) for k in _keys(t)}
        ordered = [(k, vals[k]) for k in t]
        return dict(ordered) if type(t) is dict else type(t)(ordered)
    items = [_rebuild(c, it) for c in t]
    if type(t) is tuple:
        return tuple(items)
    return type(t)(*items) if hasattr(type(t), "_fields") else type(t)(items)


def map_structure(fn, x):
    return pack(x, [fn(leaf) for leaf in flatten(x)])


def assert_same_structure(a, b) -> bool:
    """True when `a` and `b` nest alike (same container kinds, keys and lengths)."""
    if is_structure(a) != is_structure(b):
        return False
    if not is_structure(a):
        return True
    if isinstance(a, _abc.Mapping) != isinstance(b, _abc.Mapping):
        return False
    if isinstance(a, _abc.Mapping):
        return set(a) == set(b) and all(assert_same_structure(a[k], b[k]) for k in a)
    return len(a) == len(b) and all(assert_same_structure(x, y) for x, y in zip(a, b))


def spec_of(x):
    """The TensorSpec structure of a structure of tensors."""
    return map_structure(lambda t: TensorSpec(t.shape, t.dtype), x)


def dtype_text(d) -> str:
    """How TF writes a dtype in tf.data messages: `<dtype: 'int32'>`."""
    return f"<dtype: '{d.name}'>"


def batched_dims(dims, size):
    """Static dims of a batch of elements with `dims` (None: unknown rank stays unknown)."""
    return None if dims is None else (size,) + tuple(dims)


# ---- values into components ---------------------------------------------------------------------------

def _leaf_to_tensor(value, what: str):
    """An EagerTensor for a leaf, or a SymbolicTensor when its value is only known at run time."""
    if is_variable(value):
        with init_scope():
            return value.read_value() if hasattr(value, "read_value") else value.value()
    if isinstance(value, EagerTensor):
        return value
    if isinstance(value, Tensor):
        static = get_static_value(value)
        if static is None:
            return value
        return _wrap(np.asarray(static, dtype=value.dtype.as_numpy_dtype), value.dtype)
    if value is None:
        raise TypeError(f"{what}: a `None` component is not supported; tf.data elements are tensors.")
    if isinstance(value, TensorSpec):
        raise TypeError(f"{what}: expected values, got the spec {value!r}.")
    with init_scope():  # Python and NumPy values become eager constants, also while tracing
        return convert_to_tensor(value)


def to_components(value, what: str):
    """(structure, [EagerTensor or SymbolicTensor]) for the value given to from_tensors/slices."""
    if isinstance(value, list) and any(is_structure(v) and not isinstance(v, tuple) for v in value):
        raise TypeError(f"{what}: a list of dicts is not supported; use a dict of lists.")
    leaves = flatten(value)
    if not leaves:
        raise ValueError(f"{what}: the element structure is empty.")
    return value, [_leaf_to_tensor(v, what) for v in leaves]


def normalize_output(value, where: str, top: bool = True):
    """A traced function's return value the way tf.data reads it.

    A list at the top becomes a tuple, lists inside become one tensor (tf.stack); None is rejected.
    """
    if type(value) is list and top:
        value = tuple(value)
    if isinstance(value, tuple):
        items = [normalize_output(v, where, False) for v in value]
        return type(value)(*items) if hasattr(type(value), "_fields") else type(value)(items)
    if isinstance(value, _abc.Mapping):
        out = {k: normalize_output(value[k], where, False) for k in value}
        return out if type(value) is dict else type(value)(out)
    if value is None:
        raise TypeError(f"{where} returned None (or a structure holding None); tf.data functions must return "
                        "tensors or (nested) tuples/dicts of tensors.")
    if isinstance(value, Tensor):
        return value
    if is_variable(value):
        return value.value()
    try:
        return convert_to_tensor(value)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where} returned {value!r}, which cannot be converted to a tensor: {e}") from None


# ---- generator values -----------------------------------------------------------------------------------

def generator_components(value, spec, flat_specs) -> tuple:
    """Flat arrays for one element yielded by a from_generator generator, checked against `spec`."""
    leaves = _match(value, spec)
    out = []
    for v, s in zip(leaves, flat_specs):
        out.append(_generator_array(v, s))
    return tuple(out)


def _spec_skeleton(spec):
    return repr(map_structure(lambda s: _Name(f"tf.{s.dtype.name}"), spec))


class _Name:
    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def _match(value, spec) -> list:
    """The leaves of `value` in the order of `spec`'s (lists may stand for tuples)."""
    def fail():
        return InvalidArgumentError(None, None, "TypeError: `generator` yielded an element that did not match "
                                    f"the expected structure. The expected structure was {_spec_skeleton(spec)}, "
                                    f"but the yielded element was {value!r}. [Op:IteratorGetNext]")

    def walk(v, s, out):
        if not is_structure(s):
            out.append(v)
        elif isinstance(s, _abc.Mapping):
            if not isinstance(v, _abc.Mapping) or set(v) != set(s):
                raise fail()
            for k in _keys(s):
                walk(v[k], s[k], out)
        else:
            if not isinstance(v, (tuple, list)) or len(v) != len(s):
                raise fail()
            for a, b in zip(v, s):
                walk(a, b, out)

    leaves: list = []
    walk(value, spec, leaves)
    return leaves


def _generator_array(v, s: TensorSpec) -> np.ndarray:
    d = s.dtype
    try:
        if isinstance(v, Tensor):
            arr = np.asarray(v)
            if v.dtype is not d:
                raise TypeError(f"dtype {v.dtype.name}")
        elif d is _dt.string:
            arr = convert_to_tensor(v, dtype=d)._value
        else:
            arr = np.asarray(v, dtype=d.as_numpy_dtype)
    except (TypeError, ValueError) as e:
        raise InvalidArgumentError(None, None, "TypeError: `generator` yielded an element that could not be "
                                   f"converted to the expected type. The expected type was {d.name}, but the "
                                   f"yielded element was {v!r} ({e}). [Op:IteratorGetNext]") from None
    if not s.shape.is_compatible_with(TensorShape._from_tuple(arr.shape)):
        raise InvalidArgumentError(None, None, f"TypeError: `generator` yielded an element of shape {arr.shape} "
                                   f"where an element of shape {s.shape} was expected. [Op:IteratorGetNext]")
    return arr
