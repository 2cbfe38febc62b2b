"""`tf.nest`: flatten and rebuild nested structures (lists, tuples, namedtuples, dicts).

Dicts flatten in sorted-key order, as TF does; None is a leaf.

>>> import eagerflow as tf
>>> tf.nest.flatten({"b": 1, "a": [2, 3]})
[2, 3, 1]
"""
from __future__ import annotations

import collections.abc

__all__ = ["flatten", "pack_sequence_as", "map_structure", "is_nested", "assert_same_structure"]


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict, collections.abc.Mapping)) and not isinstance(x, (str, bytes))


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def _children(x):
    if isinstance(x, collections.abc.Mapping):
        return [x[k] for k in _sorted_keys(x)]
    return list(x)


def flatten(structure, expand_composites=False) -> list:
    """The leaves of `structure`, depth first."""
    if not is_nested(structure):
        return [structure]
    out = []
    stack = [structure]
    while stack:
        x = stack.pop()
        if is_nested(x):
            stack.extend(reversed(_children(x)))
        else:
            out.append(x)
    return out


def _rebuild(template, leaves_iter):
    if not is_nested(template):
        return next(leaves_iter)
    if isinstance(template, collections.abc.Mapping):
        keys = _sorted_keys(template)
        vals = {k: _rebuild(template[k], leaves_iter) for k in keys}
        if isinstance(template, dict) and type(template) is dict:
            return {k: vals[k] for k in template}
        try:
            return type(template)((k, vals[k]) for k in template)
        except TypeError:
            return {k: vals[k] for k in template}
    items = [_rebuild(c, leaves_iter) for c in template]
    if _is_namedtuple(template):
        return type(template)(*items)
    if isinstance(template, tuple):
        return tuple(items) if type(template) is tuple else type(template)(items)
    return items if type(template) is list else type(template)(items)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Rebuilds `structure`'s shape from a flat list of leaves."""
    flat_sequence = list(flat_sequence)
    n = len(flatten(structure))
    if n != len(flat_sequence):
        raise ValueError(f"Could not pack sequence. Structure had {n} atoms, but flat_sequence had "
                         f"{len(flat_sequence)} items. Structure: {structure!r}")
    return _rebuild(structure, iter(flat_sequence))


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False) -> None:
    def shape_of(x):
        if not is_nested(x):
            return "*"
        kind = type(x).__name__ if check_types else ("dict" if isinstance(x, collections.abc.Mapping) else "seq")
        if isinstance(x, collections.abc.Mapping):
            return (kind, tuple((k, shape_of(x[k])) for k in _sorted_keys(x)))
        return (kind, tuple(shape_of(c) for c in x))
    if check_types:
        def norm(x):  # list and tuple differ in TF only when check_types
            return shape_of(x)
    else:
        norm = shape_of
    if norm(nest1) != norm(nest2):
        raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: "
                         f"{nest1!r}\n\nSecond structure: {nest2!r}")


def map_structure(func, *structure, check_types=True, expand_composites=False):
    """Applies `func` to corresponding leaves; the result has the first structure's shape."""
    if not structure:
        raise ValueError("Must provide at least one structure")
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*xs) for xs in zip(*flats)])
