"""Reusable dtype and shape rules for primitives.

Shapes here are tuples of ints with None for unknown dims, or None for unknown rank.
Rules raise TF's InvalidArgumentError naming the op, the shapes and the dtypes.
"""
from __future__ import annotations

from typing import Optional, Sequence

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from ..shapes import format_dims

FLOATS = frozenset([_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64])
COMPLEX = frozenset([_dt.complex64, _dt.complex128])
INTS = frozenset([_dt.int8, _dt.int16, _dt.int32, _dt.int64, _dt.uint8, _dt.uint16, _dt.uint32, _dt.uint64])
SIGNED = FLOATS | COMPLEX | frozenset([_dt.int8, _dt.int16, _dt.int32, _dt.int64])
NUMERIC = FLOATS | COMPLEX | INTS
REAL = FLOATS | INTS
INEXACT = FLOATS | COMPLEX
ALL = NUMERIC | {_dt.bool, _dt.string}


def fail(op: str, message: str):
    raise InvalidArgumentError(None, None, f"{message} [Op:{op}]")


# TF's op-level error messages use the C++ type names ("float", not "float32").
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def tf_name(dtype) -> str:
    """The dtype's name as TF's op errors spell it (`float` for float32, `double`, `half`)."""
    return _CPP_NAMES.get(dtype.name, dtype.name)


def check_allowed(op: str, dtype, allowed) -> None:
    if dtype not in allowed:
        names = ", ".join(sorted(tf_name(d) for d in allowed))
        fail(op, f"Value for attr 'T' of {tf_name(dtype)} is not in the list of allowed values: {names}")


# ---- dtype rules ---------------------------------------------------------------------------------

def same(op: str, allowed=ALL, out=None):
    """All inputs share one dtype from `allowed`; output has that dtype (or `out`)."""
    def rule(*dts, **_):
        first = dts[0]
        if len(dts) == 2 and dts[1] is first and first in allowed:  # the common binary case, fast
            return first if out is None else out
        for i, d in enumerate(dts[1:], 1):
            if d is not first:
                fail(op, f"cannot compute {op} as input #{i}(zero-based) was expected to be a "
                         f"{tf_name(first)} tensor but is a {tf_name(d)} tensor")
        if first not in allowed:
            check_allowed(op, first, allowed)
        return first if out is None else out
    return rule


def unary(op: str, allowed=ALL, out=None):
    def rule(d, **_):
        if d not in allowed:
            check_allowed(op, d, allowed)
        return d if out is None else out
    return rule


def first_input(op: str, allowed=ALL):
    """Output dtype is the first input's; other inputs are unconstrained (indices, shapes...)."""
    def rule(d, *rest, **_):
        if d not in allowed:
            check_allowed(op, d, allowed)
        return d
    return rule


# ---- shape rules -------------------------------------------------------------------------------

def broadcast(op: str):
    def rule(*shapes, **_):
        return broadcast_shapes(op, *shapes)
    return rule


def broadcast_shapes(op: str, *shapes) -> Optional[tuple]:
    if any(s is None for s in shapes):
        return None
    rank = max(len(s) for s in shapes)
    out = []
    for i in range(rank):
        dims = [s[len(s) - rank + i] for s in shapes if len(s) - rank + i >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            fail(op, "Incompatible shapes: " + " vs. ".join(format_dims(s) for s in shapes))
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def same_shape(s, *_, **__):
    return s


def scalar(*_, **__):
    return ()


def normalize_axis(op: str, axis: int, rank: Optional[int]) -> int:
    if rank is None:
        return axis
    if not -rank <= axis < max(rank, 1):
        fail(op, f"Invalid reduction dimension ({axis} for input with {rank} dimension(s)")
    return axis % rank if rank else 0


def num_elements(shape: Sequence) -> Optional[int]:
    n = 1
    for d in shape:
        if d is None:
            return None
        n *= d
    return n
