"""AutoGraph's runtime operators: what converted code calls (`ag__.if_stmt(...)`, `ag__.and_(...)`).

Each operator looks at its value when the statement runs: a symbolic tensor (a graph is being
built) picks the graph construct (`tf.cond`, a lazy `tf.cond` for `and`/`or`, `tf.debugging.Assert`,
`tf.print`); anything else runs the plain Python statement, so Python conditions keep Python's
semantics at trace time. Loops live in `loops.py`.

State travels as in TF's AutoGraph: a converted `if` passes functions that run each branch (they
assign the enclosing function's variables through `nonlocal`), plus `get_state()` /
`set_state(values)` for the variables the branches assign. Variables that are not yet assigned
hold an `Undefined` object, whose every use raises a clear error naming the variable.
"""
from __future__ import annotations

import builtins
import sys

import numpy as np

from .. import dtypes as _dt
from .. import nest
from ..context import _state
from ..graph.subgraph import align_captures, as_output, trace_subgraph
from ..ops import array as _array, checks as _checks, control_flow as _cf, control_flow_nodes as _nodes, io as _io
from ..ops import math as _math
from ..ops.tensor_array import TensorArray
from ..tensor import EagerTensor, Tensor, convert_to_tensor

__all__ = ["Undefined", "UndefinedReturnValue", "ld", "attr_value", "retval", "if_stmt", "and_", "or_", "not_", "if_exp",
           "assert_stmt", "list_append", "is_symbolic", "print_", "range_", "len_", "int_", "float_", "max_",
           "min_", "BUILTIN_OVERRIDES", "caller_location", "AutoGraphError", "state_error"]


class AutoGraphError(ValueError):
    """A converted statement cannot be built as graph control flow (names the variable and the line)."""


# ---- undefined variables --------------------------------------------------------------------------------

class Undefined:
    """The value of a variable that has no value yet; any use raises an error naming it."""

    __slots__ = ("symbol_name", "reason")

    def __init__(self, symbol_name: str, reason: str | None = None):
        self.symbol_name = symbol_name
        self.reason = reason

    def raise_error(self):
        if self.reason:
            raise AutoGraphError(self.reason)
        raise UnboundLocalError(f"cannot access local variable '{self.symbol_name}' where it is not associated "
                                "with a value")

    def __repr__(self):
        return f"<Undefined {self.symbol_name}>"

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        self.raise_error()


def _raiser(self, *args, **kwargs):
    self.raise_error()


for _m in ("__bool__", "__len__", "__iter__", "__call__", "__getitem__", "__setitem__", "__index__", "__int__",
           "__float__", "__neg__", "__pos__", "__abs__", "__invert__", "__add__", "__radd__", "__sub__", "__rsub__",
           "__mul__", "__rmul__", "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
           "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__and__", "__rand__", "__or__",
           "__ror__", "__xor__", "__rxor__", "__lt__", "__le__", "__gt__", "__ge__", "__iadd__", "__isub__",
           "__imul__", "__itruediv__", "__tf_tensor__", "__array__", "__contains__"):
    setattr(Undefined, _m, _raiser)


class UndefinedReturnValue(Undefined):
    """`retval_` before any `return` ran (a function's value when it falls off its end is None)."""

    __slots__ = ()

    def __init__(self):
        super().__init__("retval_")


def attr_value(obj, name: str, path: str):
    """`obj.name` as state of a converted statement (Undefined while the attribute does not exist)."""
    try:
        return getattr(obj, name)
    except AttributeError:
        return Undefined(path)


def ld(value):
    """A variable read: an Undefined value raises its error here, where the user reads it."""
    if type(value) is Undefined:
        value.raise_error()
    return value


def retval(value):
    return None if isinstance(value, UndefinedReturnValue) else value


def is_symbolic(x) -> bool:
    """True for a graph tensor (a value known only when the graph runs)."""
    return isinstance(x, Tensor) and not isinstance(x, EagerTensor)


def caller_location(depth: int = 2) -> str:
    """`file:line` of the converted statement that called the operator."""
    f = sys._getframe(depth)
    return f"{f.f_code.co_filename}:{f.f_lineno}"


def _shown(name: str) -> str:
    return "the return value" if name == "retval_" else f"'{name}'"


def state_error(cls, name: str, text: str, where: str):
    return cls(f"{_shown(name)} {text} ({where})")


# ---- if -------------------------------------------------------------------------------------------------

def if_stmt(cond, body, orelse, get_state, set_state, symbol_names, opts=None):
    """`if cond: body() else: orelse()`; a symbolic `cond` builds a tf.cond over the assigned variables."""
    if is_symbolic(cond):
        _tf_if(cond, body, orelse, get_state, set_state, symbol_names, caller_location())
    elif cond:
        body()
    else:
        orelse()


def _tf_if(cond, body, orelse, get_state, set_state, names, where):
    if cond.dtype is not _dt.bool:
        raise TypeError(f"The condition of an if statement must be a bool tensor, got {cond.dtype.name} "
                        f"({where})")
    init = tuple(get_state())
    lengths = [len(v) if type(v) is list else None for v in init]
    traced = []
    for fn, label in ((body, "main"), (orelse, "else")):
        def branch(fn=fn):
            set_state(init)
            fn()
            return tuple(get_state())
        g, values = trace_subgraph(branch, [], f"if_{label}")
        for name, v, n in zip(names, values, lengths):
            if n is not None and type(v) is list and len(v) != n:
                raise state_error(AutoGraphError, name, "is a Python list appended to inside a tf.cond branch; use "
                                  "a tf.TensorArray (or build the list outside the tensor-dependent if)", where)
        traced.append((g, values))
    set_state(init)
    (g_true, v_true), (g_false, v_false) = traced
    results, outs_true, outs_false = [], [], []
    for name, a, b in zip(names, v_true, v_false):
        kind, value = _merge_branch_values(name, a, b, g_true, g_false, outs_true, outs_false, where)
        results.append((kind, value))
    g_true.outputs, g_false.outputs = outs_true, outs_false
    externals = align_captures([g_true, g_false])
    node_outs = iter(_nodes.if_node(cond, [g_true, g_false], externals) if outs_true else ())
    final = []
    for kind, value in results:
        if kind == "tensors":
            template, n = value
            final.append(_cf.pack_values(template, [next(node_outs) for _ in range(n)]))
        else:
            final.append(value)
    set_state(tuple(final))


def _merge_branch_values(name, a, b, g_true, g_false, outs_true, outs_false, where):
    """("static", value) or ("tensors", (template, count)) for one variable after a tensor if."""
    ua, ub = isinstance(a, Undefined), isinstance(b, Undefined)
    ra, rb = isinstance(a, UndefinedReturnValue), isinstance(b, UndefinedReturnValue)
    if ua and ub:
        return "static", a
    if (ua and not ra) or (ub and not rb):
        missing = "main" if ua else "else"
        return "static", Undefined(name, f"{_shown(name)} must also be initialized in the {missing} branch "
                                         f"(the if statement at {where} assigns it only in the other one)")
    if a is b and not isinstance(a, Tensor) and _cf._components(a) is None:
        return "static", a
    if a is None or b is None:
        raise state_error(TypeError, name, f"is None in the {'main' if a is None else 'else'} branch but "
                          f"{type(b if a is None else a).__name__} in the other; it must be a tensor in both",
                          where)
    if ra or rb:  # a return in one branch only: the other branch's value is a placeholder never used
        real, g_fill = (b, g_true) if ra else (a, g_false)
        filler = _cf.pack_values(real, [_zeros_in(g_fill, t) for t in _cf.flatten_values(real)])
        a, b = (filler, b) if ra else (a, filler)
    if not (_is_tensorish(a) and _is_tensorish(b)):
        raise state_error(TypeError, name, f"must be a tensor (or the same Python object) in both branches of a "
                          f"tensor-dependent if, got {type(a).__name__} and {type(b).__name__}", where)
    try:
        from_true = [as_output(g_true, v) for v in _cf.flatten_values(a)]
        from_false = [as_output(g_false, v) for v in _cf.flatten_values(b)]
    except (TypeError, ValueError) as e:
        raise state_error(TypeError, name, f"cannot become a tensor: {e}", where) from None
    if len(from_true) != len(from_false):
        raise state_error(TypeError, name, "has a different structure in the main and else branches", where)
    for x, y in zip(from_true, from_false):
        if x.dtype is not y.dtype:
            raise state_error(TypeError, name, f"has dtype {x.dtype.name} in the main branch, but dtype "
                              f"{y.dtype.name} in the else branch", where)
    outs_true.extend(from_true)
    outs_false.extend(from_false)
    return "tensors", (a, len(from_true))


def _is_tensorish(v) -> bool:
    if _cf._components(v) is not None or isinstance(v, (Tensor, bool, int, float, complex, np.ndarray, np.generic)):
        return True
    if hasattr(v, "_is_eagerflow_variable") or hasattr(v, "__tf_tensor__"):
        return True
    if isinstance(v, (list, tuple, dict)):
        return all(_is_tensorish(x) for x in nest.flatten(v)) and bool(nest.flatten(v))
    return False


def _zeros_in(g, t):
    dims = t.shape.as_tuple() if isinstance(t, Tensor) else np.shape(t)
    dims = () if dims is None else tuple(0 if d is None else d for d in dims)
    dtype = t.dtype if isinstance(t, Tensor) else convert_to_tensor(t).dtype
    return as_output(g, np.zeros(dims, dtype._np)) if dtype is not _dt.bool else as_output(g, np.zeros(dims, bool))


# ---- expressions --------------------------------------------------------------------------------------------

def and_(a_fn, b_fn):
    """`a and b` with `b` evaluated lazily; a symbolic `a` gives tf.cond(a, b, a)."""
    a = a_fn()
    if is_symbolic(a):
        return _cf.cond(a, lambda: _bool_value(b_fn()), lambda: a)
    return b_fn() if a else a


def or_(a_fn, b_fn):
    """`a or b` with `b` evaluated lazily; a symbolic `a` gives tf.cond(a, a, b)."""
    a = a_fn()
    if is_symbolic(a):
        return _cf.cond(a, lambda: a, lambda: _bool_value(b_fn()))
    return a if a else b_fn()


def _bool_value(v):
    if isinstance(v, Tensor) and v.dtype is not _dt.bool:
        raise TypeError(f"`and`/`or` on tensors needs bool tensors, got {v.dtype.name}")
    return v


def not_(a):
    """`not a`; a symbolic `a` gives tf.logical_not(a)."""
    if is_symbolic(a):
        return _math.logical_not(a)
    return not a


def if_exp(cond, true_fn, false_fn):
    """`a if cond else b`; a symbolic `cond` gives tf.cond."""
    if is_symbolic(cond):
        return _cf.cond(cond, true_fn, false_fn)
    return true_fn() if cond else false_fn()


def assert_stmt(test, message_fn=None):
    """`assert test, message`; a symbolic `test` adds a tf.debugging.Assert node."""
    if is_symbolic(test):
        message = message_fn() if message_fn is not None else "Assertion failed"
        return _checks.Assert(test, [message] if not isinstance(message, (list, tuple)) else list(message))
    if not test:
        raise AssertionError(message_fn()) if message_fn is not None else AssertionError()
    return None


def list_append(target, element):
    """`target.append(element)`; a list converted for a tensor loop (a TensorArray) is written."""
    if isinstance(target, TensorArray):
        return target.write(target.size(), element)
    append = getattr(target, "_autograph_append", None)
    if append is not None:
        return append(element)
    target.append(element)
    return target


# ---- builtins ---------------------------------------------------------------------------------------------

def _any_tensor(args) -> bool:
    return any(isinstance(a, Tensor) or hasattr(a, "_is_eagerflow_variable") for a in args)


def print_(*objects, sep=" ", end="\n", file=None, flush=False):
    """`print`: tensors in a graph print each time it runs (tf.print, to sys.stdout by default)."""
    if _state.graph is not None and _any_tensor(objects):
        return _io.print(*objects, sep=sep, end=end, output_stream=file if file is not None else sys.stdout)
    return builtins.print(*objects, sep=sep, end=end, file=file, flush=flush)


def range_(*args):
    """`range`: with a symbolic bound it is tf.range (so `for i in range(n)` becomes a tensor loop)."""
    if any(is_symbolic(a) for a in args):
        return _array.range(*args)
    return builtins.range(*args)


def len_(x):
    """`len`: a TensorArray's size, a symbolic tensor's first dimension (a tensor when unknown)."""
    if isinstance(x, TensorArray):
        return x.size()
    if is_symbolic(x):
        dims = x.shape.as_tuple()
        if dims is None or not dims:
            raise ValueError(f"len requires a tensor of known non-zero rank, got {x}")
        return dims[0] if dims[0] is not None else _array.shape(x)[0]
    return builtins.len(x)


def int_(x=0, base=None):
    if is_symbolic(x):
        return _math.cast(x, _dt.int32)
    return builtins.int(x) if base is None else builtins.int(x, base)


def float_(x=0.0):
    if is_symbolic(x):
        return _math.cast(x, _dt.float32)
    return builtins.float(x)


def max_(*args, **kwargs):
    if len(args) == 2 and not kwargs and _any_tensor(args):
        return _math.maximum(args[0], args[1])
    return builtins.max(*args, **kwargs)


def min_(*args, **kwargs):
    if len(args) == 2 and not kwargs and _any_tensor(args):
        return _math.minimum(args[0], args[1])
    return builtins.min(*args, **kwargs)


BUILTIN_OVERRIDES = {id(builtins.print): print_, id(builtins.range): range_, id(builtins.len): len_,
                     id(builtins.int): int_, id(builtins.float): float_, id(builtins.max): max_,
                     id(builtins.min): min_}
