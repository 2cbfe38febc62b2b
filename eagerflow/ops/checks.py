"""Run-time checks: `tf.debugging.assert_*`, `check_numerics`, `is_numeric_tensor`, `is_non_decreasing` ...

Eagerly a failed check raises at once (TF's error class and message) and the check returns None.
While a graph is built, a check whose answer is known from static shapes, dtypes or constant
values raises at trace time (ValueError, TypeError or InvalidArgumentError, as TF does);
otherwise it adds a stateful `Assert` node, which raises InvalidArgumentError whenever the graph
runs on failing values, and returns that node (or a NoOp when nothing is left to check).

>>> import eagerflow as tf
>>> tf.debugging.assert_less(tf.constant([1, 2]), 3)
>>> try:
...     tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))
... except tf.errors.InvalidArgumentError as e:
...     print(str(e).splitlines()[0])
Condition x == y did not hold.
"""
from __future__ import annotations

import contextlib

import numpy as np

from .. import dtypes as _dt
from ..api.deps import control_dependencies, no_op
from ..context import _state, name_scope
from ..errors import InvalidArgumentError
from ..primitive import Primitive, bind
from ..tensor import EagerTensor, Tensor, constant, convert_to_tensor, get_static_value
from . import array as _array, math as _math, math_logic as _logic, reduce as _reduce, rules as R
from . import strings as _strings
from .control_flow import cond

__all__ = ["Assert", "assert_equal", "assert_none_equal", "assert_less", "assert_less_equal", "assert_greater",
           "assert_greater_equal", "assert_near", "assert_positive", "assert_negative", "assert_non_negative",
           "assert_non_positive", "assert_rank", "assert_rank_at_least", "assert_rank_in", "assert_type",
           "assert_integer", "assert_scalar", "assert_shapes", "assert_all_finite", "check_numerics",
           "is_numeric_tensor", "is_non_decreasing", "is_strictly_increasing", "assert_proper_iterable"]


# ---- helpers: conversion, names, static values ----------------------------------------------------------

def _to_tensor(value, name: str, dtype=None) -> Tensor:
    """convert_to_tensor as TF's checks call it: a new constant takes `name` (`assert_less/y:0`), a
    dtype mismatch is prefixed with it, and a graph captures eager tensors (they are not static)."""
    if isinstance(value, Tensor) or hasattr(value, "__tf_tensor__"):
        try:
            t = convert_to_tensor(value, dtype)
        except ValueError as e:
            raise ValueError(f"{name}: {e}") from None
    else:
        t = constant(value, dtype, name=name)
    if _state.graph is not None and isinstance(t, EagerTensor):
        t = _state.graph.capture(t)
    return t


def _prefix(message) -> str:
    return f"{message}.  " if message else ""


def _describe(x: Tensor) -> str:
    """How a message names a tensor: its shape and dtype eagerly, its graph name otherwise."""
    return f"shape={x.shape} dtype={x.dtype.name}" if _state.graph is None else x.name


# The op types whose value TF's `constant_value` works out at trace time; anything else (even `c + 1`
# on constants) is left to run time, so a check fails at the same moment as in TF.
_TF_STATIC_OPS = frozenset(["Const", "Shape", "Size", "Rank", "Range", "Cast", "ConcatV2", "Pack",
                            "Unpack", "Fill", "Equal", "NotEqual", "StopGradient", "Identity"])


def _static(t):
    """The trace-time value of `t` as TF sees it, or None."""
    op = getattr(t, "op", None)
    if op is not None and not isinstance(t, EagerTensor):
        if op.type not in _TF_STATIC_OPS:
            return None
        if op.type not in ("Shape", "Size", "Rank") and any(_static(i) is None for i in op.inputs):
            return None
    return get_static_value(t)


# ---- the Assert node: TF's legacy summary of each data tensor ----------------------------------------------

def _element_text(dtype: np.dtype):
    if dtype.kind == "O":  # the legacy summary shows strings raw (tf.print quotes them)
        return lambda s: s.decode("utf-8", "backslashreplace") if isinstance(s, bytes) else str(s)
    return _strings._element_formatter(dtype)


def summarize_value(value, limit: int) -> str:
    """Renders `value` as TF's Assert kernel does: its first `limit` elements (all if negative) in
    row-major order, each row in brackets, `...` where elements were left out.

    >>> summarize_value(np.arange(6).reshape(2, 3), 4)
    '[0 1 2][3...]...'
    """
    arr = np.asarray(value)
    n = arr.size
    limit = n if limit < 0 else min(limit, n)
    text = _element_text(arr.dtype)
    flat = arr.reshape(-1)
    if arr.ndim == 0:
        body = " ".join(text(v) for v in flat[:limit])
    else:
        out: list = []
        _summarize_dim(arr.shape, 0, flat, limit, text, out, 0)
        body = "".join(out)
    return body + ("..." if n > limit else "")


def _summarize_dim(shape, d, flat, limit, text, out, pos) -> int:
    if d == len(shape) - 1:
        for i in range(shape[d]):
            if pos >= limit:
                if d:
                    out.append("...")
                return pos
            out.append(" " + text(flat[pos]) if i else text(flat[pos]))
            pos += 1
        return pos
    for _ in range(shape[d]):
        if pos >= limit:
            break
        out.append("[")
        pos = _summarize_dim(shape, d + 1, flat, limit, text, out, pos)
        out.append("]")
    return pos


def _assert_kernel(condition, *data, template, summarize):
    if np.all(condition):
        return np.zeros((0,), dtype=np.int32)
    it = iter(data)
    parts = [summarize_value(next(it), summarize) if piece is None else (piece if summarize else "...")
             for piece in template]
    raise InvalidArgumentError(None, None, "assertion failed: " + " ".join(f"[{p}]" for p in parts))


# The data are rendered as TF's Assert kernel renders them ("[1 2 3...]"), not in tf.print's format.
assert_p = Primitive("Assert", _assert_kernel, dtype_rule=lambda c, *d, **a: _dt.int32,
                     shape_rule=lambda c, *d, **a: (0,), stateful=True)


def _graph_assert(condition: Tensor, data, summarize):
    """Adds the Assert node; named `<scope>/Assert/Assert`, or `.../Assert/AssertGuard/Assert` where
    TF guards it with a cond (data other than int32 and strings), so errors name the same node."""
    template, tensors = [], []
    for d in data:
        if isinstance(d, (str, bytes)):
            template.append(d.decode() if isinstance(d, bytes) else d)
        else:
            template.append(None)
            tensors.append(convert_to_tensor(d))
    guarded = any(t.dtype not in (_dt.int32, _dt.string) for t in tensors)
    with name_scope("Assert"), (name_scope("AssertGuard") if guarded else contextlib.nullcontext()):
        out = bind(assert_p, condition, *tensors, template=tuple(template),
                   summarize=3 if summarize is None else int(summarize))
    return out.op


def _eager_item(d, summarize) -> str:
    if isinstance(d, str):
        d = d.encode("utf-8")
    if isinstance(d, bytes):
        return "" if summarize == 0 else str(d)
    arr = np.asarray(convert_to_tensor(d)._value)
    if arr.ndim == 0:
        return "" if summarize == 0 else str(arr[()])
    flat = arr.reshape(-1)
    items = [str(v) for v in (flat if summarize < 0 else flat[:summarize])]
    return ", ".join(items + (["..."] if len(items) < flat.size else []))


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TF's public name
    """Raises InvalidArgumentError showing `data` when `condition` is false.

    Eagerly it checks now (and returns None); in a graph it adds a stateful Assert node that
    checks each time the graph runs (and returns that node).

    >>> import eagerflow as tf
    >>> tf.debugging.Assert(tf.constant(True), ["never shown"])
    """
    cond_t = condition if isinstance(condition, Tensor) else convert_to_tensor(condition)
    if cond_t.dtype is not _dt.bool:
        raise TypeError(f"Assert's condition must be a bool tensor, got {cond_t.dtype.name}")
    if isinstance(data, (str, bytes)) or not isinstance(data, (list, tuple)):
        data = [data]
    return _assert(cond_t, list(data), summarize)


def _assert(condition: Tensor, data, summarize):
    """tf.debugging.Assert: raises now eagerly, else adds the node."""
    if _state.graph is not None:
        return _graph_assert(condition, data, summarize)
    if not np.all(condition._value):
        summarize = 3 if summarize is None else summarize
        raise InvalidArgumentError(None, None, f"Expected '{condition!s}' to be true. Summarized data: "
                                   + "\n".join(_eager_item(d, summarize) for d in data))
    return None


# ---- element-wise comparisons ------------------------------------------------------------------------------

def _pretty(item, summarize) -> str:
    if isinstance(item, EagerTensor):
        arr = item.numpy()
        if np.ndim(arr) == 0:
            return str(arr)
        flat = arr.reshape(-1)
        shown = [str(v) for v in flat[:summarize]]
        return str(shown + ["..."] if len(shown) < flat.size else shown)
    return str(item)


def _difference_report(sym, x, y, ok, summarize) -> list:
    """The eager message of a failed comparison: where x and y differ, then the first elements of each."""
    lines = [f"Condition x {sym} y did not hold."]
    if summarize > 0:
        xv, yv = np.asarray(x._value), np.asarray(y._value)
        if x.shape.as_tuple() == y.shape.as_tuple() and x.shape.rank:
            bad = ~np.asarray(ok)
            where = np.argwhere(bad)
            k = min(summarize, where.shape[0])
            lines += ["Indices of first %d different values:" % k, where[:k],
                      "Corresponding x values:", xv[bad].reshape(-1)[:k],
                      "Corresponding y values:", yv[bad].reshape(-1)[:k]]
        xf, yf = xv.reshape(-1), yv.reshape(-1)
        nx, ny = min(xf.size, summarize), min(yf.size, summarize)
        lines += ["First %d elements of x:" % nx, xf[:nx], "First %d elements of y:" % ny, yf[:ny]]
    return lines


# sym -> (default name scope, eagerflow op, NumPy function for static values)
_COMPARISONS = {"==": ("assert_equal", _logic.equal, np.equal),
                "!=": ("assert_none_equal", _logic.not_equal, np.not_equal),
                "<": ("assert_less", _logic.less, np.less),
                "<=": ("assert_less_equal", _logic.less_equal, np.less_equal),
                ">": ("assert_greater", _logic.greater, np.greater),
                ">=": ("assert_greater_equal", _logic.greater_equal, np.greater_equal)}


def _compare_check(sym, x, y, data, summarize, message, name):
    scope, compare, np_compare = _COMPARISONS[sym]
    with name_scope(name or scope):
        x, y = _to_tensor(x, "x"), _to_tensor(y, "y")
        if _state.graph is None:
            ok = compare(x, y)
            if np.all(ok._value):
                return None
            if summarize is None:
                summarize = 3
            elif summarize < 0:
                summarize = 1e9  # TF's stand-in for "everything" (a float: slicing data with it fails, as in TF)
            if data is None:
                data = _difference_report(sym, x, y, ok._value, summarize)
            if message is not None:
                data = [message, *data]
            raise InvalidArgumentError(None, None, "\n".join(_pretty(d, summarize) for d in data))
        if data is None:
            data = [f"Condition x {sym} y did not hold element-wise:", f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
        if message is not None:
            data = [message, *data]
        condition = _reduce.reduce_all(compare(x, y))
        xs, ys = _static(x), _static(y)
        if xs is not None and ys is not None and not np.all(np_compare(xs, ys)):
            shown = [str(_static(d)) if isinstance(d, Tensor) and _static(d) is not None else str(d) for d in data]
            raise InvalidArgumentError(None, None, "\n".join(shown))
        return _graph_assert(condition, data, summarize)


def assert_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless `x == y` for every element (after broadcasting).

    Returns None eagerly; in a graph, the Assert op (a NoOp when `x is y`).

    >>> import eagerflow as tf
    >>> tf.debugging.assert_equal(tf.constant([1, 2]), [1, 2])
    """
    with name_scope(name or "assert_equal"):  # TF opens this scope twice: the node is "assert_equal_1/..."
        if x is y:
            return no_op()
    return _compare_check("==", x, y, None, summarize, message, name)


def assert_none_equal(x, y, summarize=None, message=None, name=None):
    """Raises InvalidArgumentError if `x == y` for any element (TF's argument order: summarize first).

    >>> import eagerflow as tf
    >>> tf.debugging.assert_none_equal(tf.constant([1, 2]), 3)
    """
    return _compare_check("!=", x, y, None, summarize, message, name)


def assert_less(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless `x < y` for every element.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_less(tf.constant([1, 2]), 3)
    """
    return _compare_check("<", x, y, None, summarize, message, name)


def assert_less_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless `x <= y` for every element.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_less_equal(tf.constant([1, 3]), 3)
    """
    return _compare_check("<=", x, y, None, summarize, message, name)


def assert_greater(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless `x > y` for every element.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_greater(tf.constant([4, 5]), 3)
    """
    return _compare_check(">", x, y, None, summarize, message, name)


def assert_greater_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless `x >= y` for every element.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_greater_equal(tf.constant([3, 5]), 3)
    """
    return _compare_check(">=", x, y, None, summarize, message, name)


# ---- signs: comparisons with zero ----------------------------------------------------------------------------

def _sign_check(sym, scope, x, message, summarize, name):
    """Checks `x <sym> 0` as TF does: `0 < x` for "> 0", `0 <= x` for ">= 0", `x < 0`, `x <= 0`."""
    with name_scope(name or scope):
        x = _to_tensor(x, "x")
        condition, label = f"Condition x {sym} 0 did not hold element-wise:", f"x ({_describe(x)}) = "
        # TF's assert_non_positive message misses a comma: its two lines run together
        data = [_prefix(message), *([condition + label] if sym == "<=" else [condition, label]), x]
        zero = constant(0, x.dtype)
        if sym[0] == ">":
            return _compare_check(sym.replace(">", "<"), zero, x, data, summarize, None, None)
        return _compare_check(sym, x, zero, data, summarize, None, None)


def assert_positive(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless every element of `x` is > 0.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_positive(tf.constant([1.0, 2.0]))
    """
    return _sign_check(">", "assert_positive", x, message, summarize, name)


def assert_negative(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless every element of `x` is < 0.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_negative(tf.constant([-1, -2]))
    """
    return _sign_check("<", "assert_negative", x, message, summarize, name)


def assert_non_negative(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless every element of `x` is >= 0.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_non_negative(tf.constant([0, 2]))
    """
    return _sign_check(">=", "assert_non_negative", x, message, summarize, name)


def assert_non_positive(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless every element of `x` is <= 0.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_non_positive(tf.constant([0, -2]))
    """
    return _sign_check("<=", "assert_non_positive", x, message, summarize, name)


# ---- closeness ------------------------------------------------------------------------------------------------

def _epsilon(dtype):
    if dtype is _dt.bfloat16:  # stored in float32 arrays here: bfloat16's own epsilon
        return np.float32(2.0 ** -7)
    return np.finfo(dtype.as_numpy_dtype).eps  # ValueError "... not inexact" for other dtypes, as TF


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless `|x - y| < atol + rtol * |y|` for every element.

    `rtol` and `atol` default to 10 epsilons of the (real) dtype of `x`; `y` is converted to that dtype.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_near(tf.constant([1.0, 2.0]), [1.0, 2.0000001])
    """
    with name_scope(name or "assert_near"):
        x = _to_tensor(x, "x")
        y = _to_tensor(y, "y", x.dtype)
        real = x.dtype.real_dtype
        eps = _epsilon(real)
        rtol = _to_tensor(10 * eps if rtol is None else rtol, "rtol", real)
        atol = _to_tensor(10 * eps if atol is None else atol, "atol", real)
        data = [_prefix(message), f"x and y not equal to tolerance rtol = {rtol!s}, atol = {atol!s}",
                f"x ({_describe(x)}) = ", x, f"y ({_describe(y)}) = ", y]
        tolerance = _math.add(atol, _math.multiply(rtol, _math.abs(y)))
        difference = _math.abs(_math.subtract(x, y))
        return _assert(_reduce.reduce_all(_logic.less(difference, tolerance)), data, summarize)


# ---- ranks and shapes --------------------------------------------------------------------------------------

def _check_dtype(t, dtype, message=None) -> None:
    if t.dtype is not dtype:
        raise TypeError(f"{_prefix(message)}{getattr(t, 'name', 'tensor')} must be of type {dtype!r}; "
                        f"got {t.dtype!r}")


def _rank_check(kind, x, ranks, data, summarize, message, name):
    """assert_rank (kind ""), assert_rank_at_least (" at least") and assert_rank_in (" in")."""
    with name_scope(name or "assert_rank" + kind.replace(" ", "_")):
        x = _to_tensor(x, "x")
        ranks = [_to_tensor(r, "rank") for r in ranks]
        prefix, label = _prefix(message), "" if _state.graph is None else x.name
        for r in ranks:
            _check_dtype(r, _dt.int32)
        given = [_static(r) for r in ranks]
        if all(g is not None for g in given):
            if any(np.ndim(g) != 0 for g in given):
                raise ValueError("Rank must be a scalar.")
            have, given = x.shape.rank, [int(g) for g in given]
            if have is not None:
                if not (have in given if kind == " in" else have >= given[0] if kind else have == given[0]):
                    want = str(tuple(given)) if kind == " in" else given[0]
                    raise ValueError(f"{prefix}Tensor {label} must have rank{kind} {want}.  Received rank {have}, "
                                     f"shape {x.shape}")
                return no_op(name="static_checks_determined_all_ok")
        actual = _array.rank(x)
        if kind == " at least":
            condition = _logic.greater_equal(actual, ranks[0])
        else:
            condition = _logic.equal(ranks[0], actual) if ranks else constant(False)
            for r in ranks[1:]:
                condition = _logic.logical_or(condition, _logic.equal(r, actual))
        for r, g in zip(ranks, given):
            if g is None:  # a rank known only at run time must be a scalar too
                check = _rank_check("", r, [0], ["Rank must be a scalar. Received rank: ", r], None, None, None)
                with control_dependencies([check]):
                    condition = _array.identity(condition)
        if data is None:
            data = [prefix, f"Tensor {label} must have rank{kind}", *ranks, "Received shape: ", _array.shape(x)]
        return _graph_assert(condition, data, summarize)


def assert_rank(x, rank, message=None, name=None):
    """Raises ValueError (statically known rank) or InvalidArgumentError unless `x` has rank `rank`.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_rank(tf.zeros([2, 3]), 2)
    """
    return _rank_check("", x, [rank], None, None, message, name)


def assert_rank_at_least(x, rank, message=None, name=None):
    """Raises ValueError (statically known rank) or InvalidArgumentError unless `x` has rank >= `rank`.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_rank_at_least(tf.zeros([2, 3]), 1)
    """
    return _rank_check(" at least", x, [rank], None, None, message, name)


def assert_rank_in(x, ranks, message=None, name=None):
    """Raises ValueError (statically known rank) or InvalidArgumentError unless the rank of `x` is in `ranks`.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_rank_in(tf.zeros([2, 3]), [1, 2])
    """
    return _rank_check(" in", x, list(ranks), None, None, message, name)


def assert_scalar(tensor, message=None, name=None):
    """Raises ValueError unless `tensor` is statically known to be a scalar.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_scalar(tf.constant(3))
    """
    with name_scope(name or "assert_scalar") as scope:
        tensor = _to_tensor(tensor, scope)
        if tensor.shape.rank != 0:
            where = "" if _state.graph is None else f" for {tensor.name}"
            raise ValueError(f"{_prefix(message)}Expected scalar shape{where}, saw shape: {tensor.shape}.")


def _known(size) -> bool:
    """A size written as (or convertible to) an int: 3, 3.0, "3", a known dim; not a symbol or a graph value."""
    if size is None:
        return False
    try:
        int(size)
    except (TypeError, ValueError):
        return False
    return True


def _dimension_sizes(x):
    """Each dim of `x` as an int where static, else a graph value; a scalar counts as shape (1,)."""
    dims = x.shape.as_tuple()
    if dims == ():
        return (1,)
    if dims is None:
        return cond(_logic.equal(_array.rank(x), 0), lambda: constant([1]), lambda: _array.shape(x))
    dynamic = _array.shape(x) if None in dims else None
    return [d if d is not None else dynamic[i] for i, d in enumerate(dims)]


def _parse_shapes(shapes, prefix):
    entries = []
    for x, spec in shapes:
        if spec is None:
            continue
        x = _to_tensor(x, "x")
        if not (hasattr(spec, "__iter__") or hasattr(spec, "__getitem__")):
            raise ValueError(f"{prefix}Tensor {_describe(x)}.  Specified shape must be an iterable.  An iterable has "
                             f"the attribute `__iter__` or `__getitem__`.  Received specified shape: {spec}")
        spec = tuple(spec)
        for i, symbol in enumerate(spec):
            if symbol is Ellipsis or (isinstance(symbol, str) and symbol == "*"):
                if i:
                    raise ValueError(f"{prefix}Tensor {_describe(x)} specified shape index {i}.  Symbol `...` or `*` "
                                     "for a variable number of unspecified dimensions is only allowed as the first "
                                     "entry")
        leading = bool(spec) and (spec[0] is Ellipsis or (isinstance(spec[0], str) and spec[0] == "*"))
        entries.append((x, leading, _dimension_sizes(x), (spec[1:] if leading else spec) or (1,)))
    return entries


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Checks the shapes of several tensors at once against sizes and shared symbols.

    `shapes` lists `(tensor, shape)` pairs; a shape entry is an int (that size), a string or other
    hashable symbol (the same size wherever it appears), None or "." (any size); `...` or "*" first
    stands for any number of leading dims. A scalar counts as shape (1,). Known sizes are checked at
    trace time (ValueError); in a graph the rest become Assert nodes. Returns None.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_shapes([(tf.zeros([2, 3]), ("N", "Q")), (tf.zeros([3]), ("Q",))])
    """
    if isinstance(shapes, dict):
        shapes = shapes.items()
    prefix = _prefix(message)
    with name_scope(name or "assert_shapes"):
        entries = _parse_shapes(shapes, prefix)
        rank_checks = []
        for x, leading, _, dims in entries:
            if len(dims) > 1:
                kind, ranks = (" at least" if leading else ""), [len(dims)]
            elif leading:
                continue  # any rank will do
            else:
                kind, ranks = " in", [0, 1]  # a scalar passes for shape (1,)
            rank_checks.append(_rank_check(kind, x, ranks, data, summarize, message, name))
        specified = {}
        for x, leading, actual, dims in entries:
            for i, symbol in enumerate(dims):
                if symbol is None or (isinstance(symbol, str) and symbol == "."):
                    continue
                dim = i - len(dims) if leading else i
                with control_dependencies(rank_checks):
                    size = actual[dim]
                if _known(symbol):
                    want, source = int(symbol), "Specified explicitly"
                elif symbol in specified:
                    want, by, at = specified[symbol]
                    source = f"Specified by tensor {_describe(by)} dimension {at}"
                else:
                    specified[symbol] = (size, x, dim)
                    continue
                if _known(size) and _known(want):
                    if int(size) != int(want):
                        raise ValueError(f"{prefix}{source}.  Tensor {_describe(x)} dimension {dim} must have size "
                                         f"{int(want)}.  Received size {int(size)}, shape {x.shape}")
                    continue
                details = data if data is not None else [
                    prefix, source, f"Tensor {_describe(x)} dimension", dim, "must have size", want,
                    "Received shape: ", _array.shape(x)]
                _graph_assert(_logic.equal(convert_to_tensor(size), convert_to_tensor(want)), details, summarize)
    return None


# ---- dtypes ------------------------------------------------------------------------------------------------

def assert_type(tensor, tf_type, message=None, name=None):
    """Raises TypeError unless `tensor` has dtype `tf_type` (a static check; returns None).

    >>> import eagerflow as tf
    >>> tf.debugging.assert_type(tf.constant([1, 2]), tf.int32)
    """
    tf_type = _dt.as_dtype(tf_type)
    with name_scope(name or "assert_type"):
        _check_dtype(_to_tensor(tensor, "tensor"), tf_type, message)


def assert_integer(x, message=None, name=None):
    """Raises TypeError unless `x` has an integer dtype (a static check; returns None).

    >>> import eagerflow as tf
    >>> tf.debugging.assert_integer(tf.constant([1, 2], tf.uint8))
    """
    with name_scope(name or "assert_integer"):
        x = _to_tensor(x, "x")
        if not x.dtype.is_integer:
            label = "tensor" if _state.graph is None else x.name
            raise TypeError(f'{_prefix(message)}Expected "x" to be integer type.  Found: {label} of dtype {x.dtype}')


def is_numeric_tensor(tensor) -> bool:
    """Whether `tensor` is a tf.Tensor of a numeric (integer, floating or complex) dtype.

    >>> import eagerflow as tf
    >>> tf.debugging.is_numeric_tensor(tf.constant([1.0])), tf.debugging.is_numeric_tensor(tf.constant([True]))
    (True, False)
    """
    return isinstance(tensor, Tensor) and tensor.dtype in R.NUMERIC


def assert_proper_iterable(values) -> None:
    """Raises TypeError unless `values` is an iterable other than a tensor, an array or a string.

    >>> import eagerflow as tf
    >>> tf.debugging.assert_proper_iterable([1, 2])
    """
    if isinstance(values, (Tensor, np.ndarray, str, bytes)):
        raise TypeError(f'Expected argument "values" to be a "proper" iterable.  Found: {type(values)}')
    if not hasattr(values, "__iter__"):
        raise TypeError(f'Expected argument "values" to be iterable.  Found: {type(values)}')


# ---- ordering ------------------------------------------------------------------------------------------------

def _monotonic(x, scope, compare, name):
    with name_scope(name or scope):
        x = _array.reshape(_to_tensor(x, "x"), [-1])
        if not is_numeric_tensor(x):
            raise TypeError(f"Expected x to be numeric, instead found: {x!s}")
        return cond(_logic.less(_array.size(x), 2), lambda: constant(True),
                    lambda: _reduce.reduce_all(compare(x[1:], x[:-1])))


def is_non_decreasing(x, name=None) -> Tensor:
    """A bool scalar: whether the elements of `x`, in row-major order, never decrease (True under 2 elements).

    >>> print(is_non_decreasing([1, 1, 2]))
    tf.Tensor(True, shape=(), dtype=bool)
    """
    return _monotonic(x, "is_non_decreasing", _logic.greater_equal, name)


def is_strictly_increasing(x, name=None) -> Tensor:
    """A bool scalar: whether the elements of `x`, in row-major order, strictly increase (True under 2 elements).

    >>> print(is_strictly_increasing([1, 1, 2]))
    tf.Tensor(False, shape=(), dtype=bool)
    """
    return _monotonic(x, "is_strictly_increasing", _logic.greater, name)


# ---- numerics: NaN and Inf -----------------------------------------------------------------------------------

def _check_numerics_kernel(x, *, message):
    if np.isfinite(x).all():
        return x
    nan, inf = bool(np.isnan(x).any()), bool(np.isinf(x).any())
    found = "Inf and NaN" if nan and inf else "NaN" if nan else "Inf"
    raise InvalidArgumentError(None, None, f"{message} : Tensor had {found} values [Op:CheckNumerics]")


def _check_numerics_grad(g, out, x, *, message):
    # TF checks the incoming gradient too, naming the forward message as bytes (b'...')
    return (check_numerics(g, "Not a number (NaN) or infinity (Inf) values detected in gradient. "
                              f"{message.encode('utf-8')}"),)


check_numerics_p = Primitive("CheckNumerics", _check_numerics_kernel, dtype_rule=R.unary("CheckNumerics", R.FLOATS),
                             shape_rule=R.same_shape, grad=_check_numerics_grad, stateful=True)


def check_numerics(tensor, message, name=None) -> Tensor:
    """Returns `tensor` unchanged; raises InvalidArgumentError ("<message> : Tensor had NaN values") if it
    holds a NaN or an Inf. Its gradient is checked the same way.

    >>> import eagerflow as tf
    >>> print(tf.debugging.check_numerics(tf.constant([1.0, 2.0]), "bad values"))
    tf.Tensor([1. 2.], shape=(2,), dtype=float32)
    """
    if not isinstance(message, (str, bytes)):
        raise TypeError(f"Expected string for argument 'message' not {message!r}.")
    message = message.decode("utf-8") if isinstance(message, bytes) else message
    return bind(check_numerics_p, convert_to_tensor(tensor), message=message)


def assert_all_finite(x, message, name=None) -> Tensor:
    """Returns `x` once checked to hold no NaN or Inf (InvalidArgumentError otherwise).

    >>> import eagerflow as tf
    >>> print(tf.debugging.assert_all_finite(tf.constant([1.0, 2.0]), "bad values"))
    tf.Tensor([1. 2.], shape=(2,), dtype=float32)
    """
    with name_scope(name or "VerifyFinite"):
        x = _to_tensor(x, "x")
        checked = check_numerics(x, message)
        with control_dependencies([checked]):
            return _array.identity(x)
