"""`tf.nest`: flatten and rebuild nested structures, as TF does.

What counts as nested: lists, tuples (namedtuples too), dicts and other mappings, mapping views
(`d.keys()`, `d.values()`), other `collections.abc.Sequence` types (`range`, `deque`) and attrs
classes. Strings, bytes, NumPy arrays, tensors, sets and None are leaves. Dicts flatten in
sorted-key order; `pack_sequence_as` rebuilds a dict with its original key order.

>>> import eagerflow as tf
>>> tf.nest.flatten({"b": 1, "a": [2, 3]})
[2, 3, 1]
>>> tf.nest.map_structure(lambda x: x * 10, {"b": 1, "a": (2, 3)})
{'b': 10, 'a': (20, 30)}
"""
from __future__ import annotations

import collections.abc as _abc

__all__ = ["flatten", "pack_sequence_as", "map_structure", "is_nested", "assert_same_structure"]

_FAST_LEAF = frozenset([int, float, bool, str, bytes, type(None)])


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _is_attrs(x) -> bool:
    return hasattr(type(x), "__attrs_attrs__")


def is_nested(seq) -> bool:
    """True for the structures tf.nest descends into (lists, tuples, dicts, ...), False for leaves.

    >>> import eagerflow as tf
    >>> tf.nest.is_nested([1]), tf.nest.is_nested("ab"), tf.nest.is_nested(None)
    (True, False, False)
    """
    t = type(seq)
    if t is list or t is tuple or t is dict:
        return True
    if t in _FAST_LEAF:
        return False
    if isinstance(seq, (_abc.Mapping, _abc.MappingView)) or _is_attrs(seq):
        return True
    if isinstance(seq, (str, bytes)):
        return False
    return isinstance(seq, (_abc.Sequence, bytearray, memoryview))


def _sorted_keys(d) -> list:
    try:
        return sorted(d)
    except TypeError:  # keys that do not order (TF raises here): keep insertion order
        return list(d)


def _children(x) -> list:
    """The direct children of a nested value, in tf.nest's order."""
    if isinstance(x, _abc.Mapping):
        return [x[k] for k in _sorted_keys(x)]
    if _is_attrs(x):
        return [getattr(x, a.name) for a in type(x).__attrs_attrs__]
    return list(x)


def flatten(structure, expand_composites=False) -> list:
    """The leaves of `structure`, depth first (dicts by sorted key); a leaf gives `[leaf]`.

    >>> import eagerflow as tf
    >>> tf.nest.flatten([None, (1, {"b": 2, "a": 3})])
    [None, 1, 3, 2]
    """
    if not is_nested(structure):
        return [structure]
    out: list = []
    _flatten_into(structure, out)
    return out


def _flatten_into(x, out: list) -> None:
    for c in _children(x):
        if is_nested(c):
            _flatten_into(c, out)
        else:
            out.append(c)


def flatten_with_tuple_paths(structure) -> list:
    """[(path, leaf)] where path is the tuple of keys/indices leading to the leaf."""
    out: list = []

    def walk(x, path):
        if not is_nested(x):
            out.append((path, x))
        elif isinstance(x, _abc.Mapping):
            for k in _sorted_keys(x):
                walk(x[k], path + (k,))
        elif _is_attrs(x):
            for a in type(x).__attrs_attrs__:
                walk(getattr(x, a.name), path + (a.name,))
        else:
            for i, c in enumerate(x):
                walk(c, path + (i,))

    walk(structure, ())
    return out


def _rebuild(template, leaves):
    if not is_nested(template):
        return next(leaves)
    if isinstance(template, _abc.Mapping):
        vals = {k: _rebuild(template[k], leaves) for k in _sorted_keys(template)}
        ordered = [(k, vals[k]) for k in template]   # original key order, as TF
        if type(template) is dict:
            return dict(ordered)
        try:
            return type(template)(ordered)
        except TypeError:
            return dict(ordered)
    if _is_attrs(template):
        return type(template)(*[_rebuild(c, leaves) for c in _children(template)])
    items = [_rebuild(c, leaves) for c in template]
    t = type(template)
    if t is list or t is tuple:
        return t(items)
    if _is_namedtuple(template):
        return t(*items)
    if isinstance(template, (range, _abc.MappingView, memoryview, bytearray)):
        return items
    try:
        return t(items)
    except TypeError:
        return items


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Rebuilds `structure`'s shape from a flat list of leaves (inverse of `flatten`).

    >>> import eagerflow as tf
    >>> tf.nest.pack_sequence_as({"b": 0, "a": [0, 0]}, [1, 2, 3])
    {'b': 3, 'a': [1, 2]}
    """
    if not is_nested(flat_sequence):
        raise TypeError(f"Attempted to pack value:\n  {flat_sequence!r}\ninto a structure, but found "
                        f"incompatible type `{type(flat_sequence)}` instead.")
    flat_sequence = list(flat_sequence)
    if not is_nested(structure):
        if len(flat_sequence) != 1:
            raise ValueError(f"The target structure is of type `{type(structure)}`\n  {structure!r}\nHowever "
                             f"the input is a sequence ({type(flat_sequence)}) of length {len(flat_sequence)}."
                             f"\n  {flat_sequence!r}\nnest cannot guarantee that it is safe to map one to "
                             "the other.")
        return flat_sequence[0]
    n = len(flatten(structure))
    if n != len(flat_sequence):
        raise ValueError(f"Could not pack sequence. Structure had {n} atoms, but flat_sequence had "
                         f"{len(flat_sequence)} items.  Structure: {structure!r}, flat_sequence: "
                         f"{flat_sequence!r}.")
    return _rebuild(structure, iter(flat_sequence))


def _kind(x):
    """What must match between two structures: mappings all agree, sequences by type."""
    if isinstance(x, _abc.Mapping):
        return "mapping"
    if isinstance(x, _abc.MappingView):
        return "view"
    return type(x)


def _mismatch(a, b, check_types: bool):
    """None if `a` and `b` have the same structure, else (exception class, explanation)."""
    na, nb = is_nested(a), is_nested(b)
    if not na and not nb:
        return None
    if na != nb:
        seq, other = (a, b) if na else (b, a)
        return ValueError, (f'Substructure "{_describe(seq)}" is a sequence, while substructure '
                            f'"{_describe(other)}" is not')
    if check_types and _kind(a) != _kind(b):
        return TypeError, (f"The two namedtuples don't have the same sequence type. First structure "
                           f"{_describe(a)} has type {type(a).__name__}, while second structure "
                           f"{_describe(b)} has type {type(b).__name__}")
    if isinstance(a, _abc.Mapping) and isinstance(b, _abc.Mapping) and set(a) != set(b):
        return ValueError, (f"The two dictionaries don't have the same set of keys. First structure has "
                            f"keys {_describe(_sorted_keys(a))}, while second structure has keys "
                            f"{_describe(_sorted_keys(b))}")
    ca, cb = _children(a), _children(b)
    if len(ca) != len(cb):
        return ValueError, (f"The two structures don't have the same number of elements. First structure: "
                            f"{_describe(a)}. Second structure: {_describe(b)}")
    for x, y in zip(ca, cb):
        found = _mismatch(x, y, check_types)
        if found is not None:
            return found
    return None


def _describe(x) -> str:
    return f"type={type(x).__name__} str={x!r}"


class _Dot:
    def __repr__(self):
        return "."


def _skeleton(x) -> str:
    """The structure with every leaf shown as `.` (how TF prints structures in mismatch errors)."""
    return repr(pack_sequence_as(x, [_Dot()] * len(flatten(x)))) if is_nested(x) else "."


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False) -> None:
    """Raises ValueError (TypeError for differing sequence types) unless both nest alike.

    >>> import eagerflow as tf
    >>> tf.nest.assert_same_structure([1, (2, 3)], [4, (5, 6)])
    """
    found = _mismatch(nest1, nest2, check_types)
    if found is not None:
        cls, detail = found
        raise cls(f"The two structures don't have the same nested structure.\n\nFirst structure: "
                  f"{_describe(nest1)}\n\nSecond structure: {_describe(nest2)}\n\nMore specifically: {detail}\n"
                  f"Entire first structure:\n{_skeleton(nest1)}\nEntire second structure:\n{_skeleton(nest2)}")


def map_structure(func, *structure, **kwargs):
    """Applies `func` to corresponding leaves; the result has the first structure's shape.

    >>> import eagerflow as tf
    >>> tf.nest.map_structure(lambda x, y: x + y, [1, (2, 3)], [10, (20, 30)])
    [11, (22, 33)]
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got: {func}")
    if not structure:
        raise ValueError("Must provide at least one structure")
    check_types = kwargs.pop("check_types", True)
    kwargs.pop("expand_composites", None)
    if kwargs:
        raise ValueError(f"Only valid keyword arguments are `check_types` and `expand_composites`, not: "
                         f"`{', '.join(kwargs)}`")
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*xs) for xs in zip(*flats)])
