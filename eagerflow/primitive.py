"""Primitives and `bind()`: the single door every op goes through.

A Primitive bundles what eagerflow knows about one TF op type:

- ``kernel(*arrays, **attrs)``: the NumPy implementation, returning an array of the declared dtype
  (a tuple of arrays when ``multiple_results``);
- ``dtype_rule(*dtypes, **attrs)``: validates input dtypes and returns the output dtype(s);
  it runs eagerly too, so TF's "no implicit promotion" rule holds everywhere;
- ``shape_rule(*shapes, **attrs)``: static shapes (tuples with None for unknown dims, or None for
  unknown rank) for graphs and for error messages;
- ``grad(g, out, *inputs, **attrs)``: the vector-Jacobian product written with eagerflow ops, so
  it is itself recorded by outer tapes (higher order) and traces into graphs unchanged. For
  multi-output primitives ``g`` and ``out`` are tuples. Returns one gradient (or None) per input.

``bind(prim, *tensors, **attrs)`` then does what the context says: eager (run the kernel now and
wrap the result), tracing (ask the graph for a node), and in both cases record for active tapes.
Attributes are keyword-only and hashable, so they double as cache, CSE and printing keys.
"""
from __future__ import annotations

from typing import Callable, Optional

from .context import _state
from .errors import InvalidArgumentError, OpError, ResourceExhaustedError
from .shapes import format_dims
from .tensor import EagerTensor, Tensor

__all__ = ["Primitive", "bind", "REGISTRY", "record"]

REGISTRY: dict[str, "Primitive"] = {}
_wrap = EagerTensor._make


class Primitive:
    """One op type: kernel, dtype rule, shape rule and gradient side by side."""

    __slots__ = ("name", "kernel", "dtype_rule", "shape_rule", "grad", "multiple_results",
                 "stateful", "__weakref__")

    def __init__(self, name: str, kernel: Callable, *, dtype_rule: Callable, shape_rule: Callable,
                 grad: Optional[Callable] = None, multiple_results: bool = False,
                 stateful: bool = False, register: bool = True):
        self.name = name
        self.kernel = kernel
        self.dtype_rule = dtype_rule
        self.shape_rule = shape_rule
        self.grad = grad
        self.multiple_results = multiple_results
        self.stateful = stateful
        if register:
            if name in REGISTRY:
                raise ValueError(f"primitive {name!r} registered twice")
            REGISTRY[name] = self

    def __repr__(self) -> str:
        return f"<Primitive {self.name}>"

    def abstract_eval(self, dtypes, shapes, attrs):
        """(dtypes, shapes) of the outputs, as lists, without running the kernel."""
        dt = self.dtype_rule(*dtypes, **attrs)
        sh = self.shape_rule(*shapes, **attrs)
        if self.multiple_results:
            return list(dt), list(sh)
        return [dt], [sh]


def bind(prim: Primitive, *args: Tensor, **attrs):
    """Applies `prim` to tensors `args` in the current context (eager or tracing)."""
    st = _state
    graph = st.graph
    if graph is not None:
        return graph.bind(prim, args, attrs)
    n = len(args)
    try:
        if n == 2 and not attrs:  # the common case, without the cost of passing empty **attrs
            a, b = args
            dt = prim.dtype_rule(a._dtype, b._dtype)
            out = prim.kernel(a._value, b._value)
        elif n == 2:
            a, b = args
            dt = prim.dtype_rule(a._dtype, b._dtype, **attrs)
            out = prim.kernel(a._value, b._value, **attrs)
        elif n == 1:
            a = args[0]
            dt = prim.dtype_rule(a._dtype, **attrs)
            out = prim.kernel(a._value, **attrs)
        else:
            dt = prim.dtype_rule(*[a._dtype for a in args], **attrs)
            out = prim.kernel(*[a._value for a in args], **attrs)
    except OpError:
        raise
    except Exception as e:  # a NumPy failure: explain it in TF's terms
        raise op_error(prim, args, attrs, e) from None
    if prim.multiple_results:
        res = tuple([_wrap(o, d) for o, d in zip(out, dt)])
        if st.tapes and prim.grad is not None:
            record(st.tapes, prim, args, attrs, res)
        return res
    res = _wrap(out, dt)
    if st.tapes and prim.grad is not None:
        record(st.tapes, prim, args, attrs, (res,))
    return res


def record(tapes, prim, args, attrs, outs) -> None:
    """Lets every recording tape see one executed op (eager or symbolic)."""
    for tape in tapes:
        tape._record(prim, args, attrs, outs)


def describe_inputs(args) -> str:
    return ", ".join(f"{a.dtype.name}{format_dims(a.shape.as_tuple())}" for a in args)


def op_error(prim: Primitive, args, attrs, exc: Exception) -> OpError:
    """Turns a kernel's exception into TF's error type, naming the op, shapes and dtypes.

    The shape rule is replayed first: its message is usually the precise one.
    """
    if isinstance(exc, MemoryError):
        return ResourceExhaustedError(None, None, f"OOM when running {prim.name} on "
                                      f"{describe_inputs(args)} [Op:{prim.name}]")
    if isinstance(exc, (TypeError, ValueError, IndexError)):
        try:
            prim.shape_rule(*[a.shape.as_tuple() for a in args], **attrs)
        except OpError as rule_error:
            return rule_error
        except Exception:  # noqa: BLE001 - fall back to the kernel's own message below
            pass
    msg = str(exc).strip() or type(exc).__name__
    return InvalidArgumentError(None, None, f"{prim.name} failed on inputs ({describe_inputs(args)}): "
                                f"{msg} [Op:{prim.name}]")
