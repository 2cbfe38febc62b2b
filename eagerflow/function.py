"""tf.function: trace a Python function into a graph once per input signature, then run the graph.

Read top to bottom, a call does:

1. **key**: the arguments, bound to the Python signature (defaults applied), become a hashable
   key: nesting structure, dtype and shape of each tensor, Python values by value, variables by
   identity. A fast path keys a call of plain eager tensors by (dtype, shape) pairs alone.
2. **lookup**: an exact key hit, else a traced function whose signature admits the call (None
   dims match any size).
3. **trace** on a miss (`graph/trace.py`): the Python function runs once with symbolic
   placeholders; Python side effects happen now and only now. With `reduce_retracing=True`, dims
   that changed since the previous trace become None first.
4. **call** the ConcreteFunction (`graph/concrete.py`): the optimized graph runs as compiled
   straight-line code over the same kernels eager execution uses.

>>> import eagerflow as tf
>>> @tf.function
... def f(x, scale=2.0):
...     return x * scale
>>> f(tf.constant([1.0, 2.0])).numpy()
array([2., 4.], dtype=float32)
>>> f.experimental_get_tracing_count()
1
"""
from __future__ import annotations

import collections.abc
import functools
import inspect
import threading
import types
import weakref
from typing import NamedTuple

import numpy as np

from . import nest
from .autograph import api as _autograph
from .context import _state, logger, settings
from .errors import InaccessibleTensorError
from .graph.concrete import ConcreteFunction
from .graph.ir import SymbolicTensor, user_source
from .graph.trace import is_variable, trace_function
from .shapes import format_dims
from .tensor import EagerTensor, Tensor, convert_to_tensor
from .tensor_spec import TensorSpec

__all__ = ["function", "Function", "TraceRecord", "autograph_convert"]

_RETRACE_WINDOW = 5  # warn when the last 5 calls all traced (as TF)


def function(func=None, input_signature=None, autograph=True, jit_compile=None, reduce_retracing=False,
             experimental_implements=None, experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None, experimental_follow_type_hints=None,
             name=None):
    """Compiles `func` into a graph-executing callable (decorator or call), as TF's `tf.function`.

    `jit_compile` and the `experimental_*` options are accepted and ignored (no XLA here);
    `experimental_relax_shapes` is the old name of `reduce_retracing`.

    >>> import eagerflow as tf
    >>> add = tf.function(lambda a, b: a + b)
    >>> print(add(tf.constant(1), tf.constant(2)))
    tf.Tensor(3, shape=(), dtype=int32)
    """
    relax = bool(reduce_retracing or experimental_relax_shapes)

    def decorate(fn):
        return Function(fn, name=name, input_signature=input_signature, autograph=autograph,
                        reduce_retracing=relax, jit_compile=jit_compile)

    return decorate if func is None else decorate(func)


def autograph_convert(python_function, autograph: bool):
    """AutoGraph's hook: the function to trace in place of `python_function`.

    Without AutoGraph the function is traced as written (Python `if` on a tensor then raises
    OperatorNotAllowedInGraphError); with it, its converted version (`autograph/api.py`).
    """
    if not autograph:
        return python_function
    if isinstance(python_function, _WeakMethod):
        return _WeakMethod(_autograph.convert_entry(python_function._func), python_function._ref())
    return _autograph.convert_entry(python_function)


class TraceRecord(NamedTuple):
    """One entry of `Function.experimental_trace_log()`."""

    number: int
    signature: str
    reason: str

    def __str__(self):
        return f"#{self.number} {self.signature}: {self.reason}"


# ---- 1. keys --------------------------------------------------------------------------------------------

def _fast_key(args):
    """(dtype, shape, dtype, shape, ...) for a call of eager tensors only, else None."""
    key = []
    for a in args:
        if type(a) is not EagerTensor:
            return None
        key.append(a._dtype)
        key.append(a._value.shape)
    return tuple(key)


class _CallInfo:
    """A call's arguments, encoded: cache key, tensors in placeholder order, signature, descriptions."""

    def __init__(self):
        self.flat: list = []      # tensors (or TensorSpecs from get_concrete_function), flat order
        self.shapes: list = []    # their static shapes
        self.leaves: list = []    # (path, description) of every leaf, for retrace messages
        self.key = None           # full cache key
        self.struct = None        # the key without tensor shapes (for relaxed lookup)
        self.sig_args: tuple = ()
        self.sig_kwargs: dict = {}

    def encode(self, value, path: str):
        """(key part, struct part, signature part) of one argument value."""
        if isinstance(value, np.ndarray):
            value = convert_to_tensor(value)
        if isinstance(value, (Tensor, TensorSpec)):
            dims = value.shape.as_tuple()
            self.flat.append(value)
            self.shapes.append(dims)
            self.leaves.append((path, f"{value.dtype.name}{format_dims(dims)}"))
            name = value.name if isinstance(value, TensorSpec) else None
            return ("T", value.dtype, dims), ("T", value.dtype), TensorSpec(dims, value.dtype, name)
        if is_variable(value):
            self.leaves.append((path, f"variable {value.name!r}"))
            k = ("V", id(value))
            return k, k, value
        if isinstance(value, collections.abc.Mapping):
            keys = _sorted_keys(value)
            parts = [self.encode(value[k], f"{path}[{k!r}]") for k in keys]
            return _node("D", type(value), keys, parts, value)
        if isinstance(value, (list, tuple)):
            fields = getattr(type(value), "_fields", None)
            names = [f"{path}.{f}" for f in fields] if fields else [f"{path}[{i}]" for i in range(len(value))]
            parts = [self.encode(v, p) for v, p in zip(value, names)]
            return _node("S", type(value), len(value), parts, value)
        self.leaves.append((path, _describe(value)))
        k = _python_key(value)
        return k, k, value


def _node(tag, kind, layout, parts, template):
    """Key, struct and signature of a list/tuple/dict (`layout`: its keys or length) from its children's."""
    keys, structs, sigs = (list(x) for x in zip(*parts)) if parts else ([], [], [])
    if tag == "D":
        sig = dict(zip(layout, sigs))
        if type(template) is not dict:
            try:
                sig = type(template)(sig)
            except TypeError:
                pass
    elif hasattr(type(template), "_fields"):
        sig = type(template)(*sigs)
    elif isinstance(template, tuple):
        sig = tuple(sigs) if type(template) is tuple else type(template)(sigs)
    else:
        sig = sigs if type(template) is list else type(template)(sigs)
    layout = tuple(layout) if tag == "D" else layout
    return (tag, kind, layout, tuple(keys)), (tag, kind, layout, tuple(structs)), sig


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def _python_key(value):
    if isinstance(value, float) and value != value:
        return ("P", float, "nan")
    try:
        hash(value)
    except TypeError:
        return ("P", "id", id(value))
    return ("P", type(value), value)


def _describe(value) -> str:
    if value is None:
        return "python None"
    if isinstance(value, (bool, int, float, complex, str, bytes)):
        return f"python {type(value).__name__} {value!r}"
    text = repr(value)
    return f"python {type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _subtype(call_dims, spec_dims) -> bool:
    """A call with static shape `call_dims` fits a placeholder of shape `spec_dims`."""
    if spec_dims is None:
        return True
    if call_dims is None or len(call_dims) != len(spec_dims):
        return False
    return all(s is None or s == c for c, s in zip(call_dims, spec_dims))


def _relax(old_dims, new_dims):
    if old_dims is None or new_dims is None or len(old_dims) != len(new_dims):
        return None
    return tuple(a if a == b else None for a, b in zip(old_dims, new_dims))


# ---- the Function object ------------------------------------------------------------------------------------

class Function:
    """A polymorphic graph function: one ConcreteFunction per input signature (TF's `tf.function`)."""

    def __init__(self, python_function, name=None, input_signature=None, autograph=True, reduce_retracing=False,
                 jit_compile=None):
        if not callable(python_function):
            raise TypeError(f"tf.function expects a callable, got {python_function!r}")
        functools.update_wrapper(self, python_function, updated=())
        self._python_function = python_function
        self._name = name or getattr(python_function, "__name__", type(python_function).__name__)
        self._autograph = autograph
        self._reduce_retracing = reduce_retracing
        self._jit_compile = jit_compile
        self._input_signature = _check_input_signature(input_signature)
        try:
            self._signature = inspect.signature(python_function)
        except (TypeError, ValueError):
            self._signature = None
        self._fast: dict = {}        # fast key -> ConcreteFunction
        self._cache: dict = {}       # full key -> ConcreteFunction
        self._by_struct: dict = {}   # struct -> [ConcreteFunction], trace order
        self._concretes: list = []
        self._log: list = []
        self._last_leaves = None
        self._calls = 0
        self._trace_calls: list = []  # call numbers that traced
        self._warned = False
        self._variables_allowed = True
        self._lock = threading.RLock()
        self._bound: dict = {}       # id(instance) -> (weakref, Function): one cache per instance
        self._traced_function = None

    # ---- the call ------------------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if settings.run_functions_eagerly:
            return self._python_function(*args, **kwargs)
        self._calls += 1
        if not kwargs:
            key = _fast_key(args)
            if key is not None:
                concrete = self._fast.get(key)
                if concrete is not None:
                    return concrete._call_flat(args)
        with self._lock:
            concrete, flat = self._lookup(args, kwargs, from_call=True)
        return concrete._call_flat(flat)

    def _lookup(self, args, kwargs, from_call: bool):
        """(ConcreteFunction, flat tensors) for a call: cache hit, compatible trace, or a new trace."""
        if self._input_signature is not None:
            concrete = self._signature_concrete()
            flat = self._bind_signature(args, kwargs)
        else:
            info = self._encode(args, kwargs)
            if from_call and _state.graph is None and any(isinstance(t, SymbolicTensor) for t in info.flat):
                raise InaccessibleTensorError(f"{self._name}() was called eagerly with a symbolic tensor (one that "
                                              "escaped a tf.function or tf.Graph); pass eager tensors.")
            concrete = self._cache.get(info.key) or self._compatible(info)
            if concrete is None:
                concrete = self._trace(info, from_call)
            self._cache[info.key] = concrete
            flat = info.flat
        if from_call and not kwargs and len(flat) == len(args) and all(a is b for a, b in zip(flat, args)):
            key = _fast_key(args)
            if key is not None:
                self._fast[key] = concrete
        return concrete, flat

    def _canonicalize(self, args, kwargs):
        """Arguments bound to the Python signature, defaults applied: (positional tuple, keyword dict)."""
        if self._signature is None:
            return tuple(args), dict(kwargs)
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{self._name}(): {e}") from None
        bound.apply_defaults()
        return bound.args, dict(bound.kwargs)

    def _arg_names(self, n: int) -> list:
        names = []
        if self._signature is not None:
            for p in self._signature.parameters.values():
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                    names.append(p.name)
                elif p.kind is p.VAR_POSITIONAL:
                    names += [f"{p.name}_{i}" for i in range(n - len(names))]
        return names + [f"args_{i}" for i in range(len(names), n)]

    def _encode(self, args, kwargs) -> _CallInfo:
        sig_args, sig_kwargs = self._canonicalize(args, kwargs)
        info = _CallInfo()
        names = self._arg_names(len(sig_args))
        parts = [info.encode(v, names[i]) for i, v in enumerate(sig_args)]
        kparts = {k: info.encode(sig_kwargs[k], k) for k in sorted(sig_kwargs)}
        info.key = (tuple(p[0] for p in parts), tuple((k, p[0]) for k, p in kparts.items()))
        info.struct = (tuple(p[1] for p in parts), tuple((k, p[1]) for k, p in kparts.items()))
        info.sig_args = tuple(p[2] for p in parts)
        info.sig_kwargs = {k: kparts[k][2] for k in sig_kwargs}
        info.arg_names = names
        return info

    # ---- 2. lookup -----------------------------------------------------------------------------------------
    def _compatible(self, info: _CallInfo):
        """The most recent trace whose placeholders admit this call's shapes (None dims), or None."""
        for concrete in reversed(self._by_struct.get(info.struct, ())):
            if all(_subtype(c, s) for c, s in zip(info.shapes, concrete._spec_shapes)):
                return concrete
        return None

    # ---- 3. trace ------------------------------------------------------------------------------------------
    def _trace(self, info: _CallInfo, from_call: bool, reason: str | None = None) -> ConcreteFunction:
        previous = self._by_struct.get(info.struct)
        shapes = list(info.shapes)
        if self._reduce_retracing and previous:
            shapes = [_relax(old, new) for old, new in zip(previous[-1]._spec_shapes, shapes)]
            specs = iter(shapes)
            leaves = [TensorSpec(next(specs), x.dtype, x.name) if isinstance(x, TensorSpec) else x
                      for x in nest.flatten((info.sig_args, info.sig_kwargs))]
            info.sig_args, info.sig_kwargs = nest.pack_sequence_as((info.sig_args, info.sig_kwargs), leaves)
        if reason is None:
            reason = self._retrace_reason(info.leaves)
        if self._reduce_retracing and previous:
            reason += " (shapes relaxed to " + ", ".join(format_dims(s) for s in shapes) + ")"
        graph = trace_function(self._get_traced_function(), self._name, info.sig_args, info.sig_kwargs,
                               info.arg_names, self._variable_hook)
        self._variables_allowed = False
        concrete = ConcreteFunction(graph, binder=self._make_binder(info), params=self._params(len(info.sig_args)))
        concrete._spec_shapes = shapes
        self._concretes.append(concrete)
        self._by_struct.setdefault(info.struct, []).append(concrete)
        self._log.append(TraceRecord(len(self._log) + 1, self._signature_text(info.leaves), reason))
        self._last_leaves = info.leaves
        if from_call:
            self._trace_calls.append(self._calls)
            self._maybe_warn_retracing(reason)
        return concrete

    def _get_traced_function(self):
        if self._traced_function is None:
            self._traced_function = autograph_convert(self._python_function, self._autograph)
        return self._traced_function

    def _variable_hook(self, var) -> None:
        if self._variables_allowed:
            return
        src = user_source(2)
        where = f" The tf.Variable was created at {src[0]}:{src[1]} (in {src[2]})." if src else ""
        raise ValueError("tf.function only supports singleton tf.Variables created on the first call. Make sure the "
                         "tf.Variable is only created once or created outside tf.function. See "
                         "https://www.tensorflow.org/guide/function#creating_tfvariables for more information."
                         + where)

    def _retrace_reason(self, leaves) -> str:
        if self._last_leaves is None:
            return "first trace"
        changes = _changes(self._last_leaves, leaves)
        return ", ".join(changes) if changes else "no cached trace admits these arguments"

    def _signature_text(self, leaves) -> str:
        return f"{self._name}(" + ", ".join(f"{p}: {d}" for p, d in leaves) + ")"

    def _maybe_warn_retracing(self, reason: str) -> None:
        recent = self._trace_calls[-_RETRACE_WINDOW:]
        if self._warned or len(recent) < _RETRACE_WINDOW or recent[0] <= self._calls - _RETRACE_WINDOW:
            return
        self._warned = True
        logger.warning("%d out of the last %d calls to %r triggered tf.function retracing. Latest change: %s. "
                       "Tracing is expensive; to avoid it %s.", _RETRACE_WINDOW, _RETRACE_WINDOW,
                       self._python_function, reason, _fix_for(reason))

    # ---- input_signature -------------------------------------------------------------------------------
    def _signature_concrete(self) -> ConcreteFunction:
        if not self._concretes:
            names = self._arg_names(len(self._input_signature))
            specs = self._input_signature
            info = _CallInfo()
            for i, s in enumerate(specs):
                info.encode(s, names[i])
            info.sig_args, info.sig_kwargs, info.arg_names = specs, {}, names
            info.key = info.struct = "input_signature"
            self._trace(info, from_call=False, reason="input_signature")
        return self._concretes[0]

    def _bind_signature(self, args, kwargs) -> list:
        sig_args, sig_kwargs = self._canonicalize(args, kwargs)
        n = len(self._input_signature)
        if len(sig_args) > n or sig_kwargs:
            extra = list(sig_args[n:]) + list(sig_kwargs)
            raise TypeError(f"{self._name}() got arguments beyond its input_signature: {extra!r}")
        return _bind_values(self._input_signature, sig_args, args, kwargs, self._signature_repr())

    def _signature_repr(self) -> str:
        names = self._arg_names(len(self._input_signature))
        return "(" + ", ".join(f"{names[i]}: {s!r}" for i, s in enumerate(self._input_signature)) + ")"

    def _make_binder(self, info: _CallInfo):
        sig_args, sig_kwargs = info.sig_args, info.sig_kwargs

        def binder(args, kwargs):
            c_args, c_kwargs = self._canonicalize(args, kwargs)
            return _bind_values((sig_args, sig_kwargs), (tuple(c_args), c_kwargs), args, kwargs, self._name)
        return binder

    def _params(self, n: int) -> list:
        names = self._arg_names(n)
        kinds = []
        if self._signature is not None:
            for p in self._signature.parameters.values():
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                    kinds.append(p.kind.name)
                elif p.kind is p.VAR_POSITIONAL:
                    kinds += ["POSITIONAL_ONLY"] * (n - len(kinds))
        kinds += ["POSITIONAL_ONLY"] * (n - len(kinds))
        return list(zip(names, kinds))

    # ---- public API ----------------------------------------------------------------------------------
    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        """The ConcreteFunction for these arguments (tensors or TensorSpecs), tracing if needed."""
        with self._lock:
            if self._input_signature is not None:
                if args or kwargs:
                    self._bind_signature_specs(args, kwargs)
                return self._signature_concrete()
            info = self._encode(args, kwargs)
            concrete = self._cache.get(info.key)
            if concrete is None:
                concrete = self._trace(info, from_call=False)
                self._cache[info.key] = concrete
            return concrete

    def _bind_signature_specs(self, args, kwargs) -> None:
        sig_args, _ = self._canonicalize(args, kwargs)
        for given, spec in zip(nest.flatten(sig_args), nest.flatten(tuple(self._input_signature))):
            if isinstance(given, (TensorSpec, Tensor)) and not (
                    given.dtype is spec.dtype and spec.shape.is_compatible_with(given.shape)):
                raise ValueError(f"{self._name}: {given!r} does not match the input_signature entry {spec!r}")

    def experimental_get_tracing_count(self) -> int:
        """How many times this function has been traced."""
        return len(self._concretes)

    def experimental_trace_log(self) -> list:
        """Every trace so far, with the signature it was traced for and why it was needed."""
        return list(self._log)

    def pretty_printed_concrete_signatures(self, verbose: bool = True) -> str:
        return "\n\n".join(c.pretty_printed_signature(verbose) for c in self._concretes)

    @property
    def python_function(self):
        fn = self._python_function
        return fn.bound() if isinstance(fn, _WeakMethod) else fn

    @property
    def input_signature(self):
        return self._input_signature

    @property
    def function_name(self) -> str:
        return self._name

    def __get__(self, instance, owner=None):
        """Methods: one Function (one cache, one variable-creation rule) per instance."""
        if instance is None:
            return self
        entry = self._bound.get(id(instance))
        if entry is not None and entry[0]() is instance:
            return entry[1]
        bound = Function(_WeakMethod(self._python_function, instance), name=self._name,
                         input_signature=self._input_signature, autograph=self._autograph,
                         reduce_retracing=self._reduce_retracing, jit_compile=self._jit_compile)
        try:
            ref = weakref.ref(instance, functools.partial(_forget, self._bound, id(instance)))
        except TypeError:  # no weak references (__slots__): keep it for the instance's lifetime
            ref = _StrongRef(instance)
        self._bound[id(instance)] = (ref, bound)
        return bound

    def __repr__(self):
        return f"<eagerflow.Function {self._name}>"


# ---- helpers ---------------------------------------------------------------------------------------------

def _check_input_signature(sig):
    if sig is None:
        return None
    if not isinstance(sig, (list, tuple)):
        raise TypeError(f"input_signature must be a list or tuple of tf.TensorSpec, got {sig!r}")
    for s in nest.flatten(tuple(sig)):
        if not isinstance(s, TensorSpec):
            raise TypeError(f"input_signature must contain only tf.TensorSpec objects, got {s!r}")
    return tuple(sig)


def _bind_values(signature, values, args, kwargs, where: str) -> list:
    """Tensors for the TensorSpec leaves of `signature` from `values` (Python leaves must match)."""
    flat = []
    for spec, v in _zip_signature(signature, values, args, kwargs, where):
        if isinstance(spec, TensorSpec):
            try:
                t = v if isinstance(v, Tensor) else convert_to_tensor(v, dtype_hint=spec.dtype)
            except (TypeError, ValueError) as e:
                raise TypeError(f"Binding inputs to tf.function failed: cannot convert {v!r} to a tensor: {e}") \
                    from None
            if t.dtype is not spec.dtype or not spec.shape.is_compatible_with(t.shape):
                raise TypeError(f"Binding inputs to tf.function failed due to `Can not cast "
                                f"{TensorSpec(t.shape, t.dtype)!r} to {TensorSpec(spec.shape, spec.dtype)!r}`. "
                                f"Received args: {args!r} and kwargs: {kwargs!r} for signature: {where}.")
            flat.append(t)
        elif is_variable(spec) and v is not spec or not is_variable(spec) and not _same_value(spec, v):
            raise TypeError(f"Binding inputs to tf.function failed: this function was traced for {spec!r}, got {v!r}")
    return flat


def _zip_signature(sig, value, args, kwargs, where):
    """(signature leaf, value) pairs; a TensorSpec leaf takes the whole value there (a list converts)."""
    if not nest.is_nested(sig):
        yield sig, value
        return
    if isinstance(sig, collections.abc.Mapping):
        ok = isinstance(value, collections.abc.Mapping) and set(value) == set(sig)
        pairs = [(sig[k], value[k]) for k in _sorted_keys(sig)] if ok else None
    else:
        ok = isinstance(value, (list, tuple)) and len(value) == len(sig)
        pairs = list(zip(sig, value)) if ok else None
    if pairs is None:
        raise TypeError(f"Binding inputs to tf.function failed: the arguments {args!r} and {kwargs!r} do not have "
                        f"the structure of the signature {where}.")
    for s, v in pairs:
        yield from _zip_signature(s, v, args, kwargs, where)


def _same_value(a, b) -> bool:
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # noqa: BLE001 - incomparable values are different
        return a is b


def _changes(old, new) -> list:
    """`path: old -> new` for each argument leaf whose trace type changed."""
    before, after = dict(old), dict(new)
    out = [f"{p}: {before[p]} -> {d}" for p, d in new if p in before and before[p] != d]
    out += [f"{p}: (absent) -> {d}" for p, d in new if p not in before]
    out += [f"{p}: {d} -> (absent)" for p, d in old if p not in after]
    return out


def _fix_for(reason: str) -> str:
    """Advice matching what changed between the last two traces."""
    fixes = []
    if "-> python" in reason:
        fixes.append("pass Python numbers as tensors (tf.constant) so their values are not part of the cache key")
    if "] -> " in reason:
        fixes.append("use reduce_retracing=True or an input_signature with None for the dimensions that change")
    fixes.append("create the tf.function once, outside any loop")
    return "; ".join(fixes)


def _forget(table, key, _ref) -> None:
    table.pop(key, None)


class _StrongRef:
    def __init__(self, obj):
        self._obj = obj

    def __call__(self):
        return self._obj


class _WeakMethod:
    """A method bound to a weakly referenced instance (so the per-instance cache does not leak it)."""

    def __init__(self, func, instance):
        self._func = func
        try:
            self._ref = weakref.ref(instance)
        except TypeError:
            self._ref = _StrongRef(instance)
        for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
            if hasattr(func, attr):
                setattr(self, attr, getattr(func, attr))
        try:
            sig = inspect.signature(func)
            self.__signature__ = sig.replace(parameters=list(sig.parameters.values())[1:])
        except (TypeError, ValueError):
            pass

    def bound(self):
        return types.MethodType(self._func, self._ref())

    def __call__(self, *args, **kwargs):
        instance = self._ref()
        if instance is None:
            raise ReferenceError(f"the instance of {self._func.__qualname__} was garbage collected")
        return self._func(instance, *args, **kwargs)

    def __repr__(self):
        return f"<bound method {getattr(self._func, '__qualname__', self._func)} of {self._ref()!r}>"
