"""What `tf.saved_model.load` gives back: user objects, restored functions, the signature map.

A restored function holds the ConcreteFunctions its original was traced into; a call binds the
arguments against each traced signature in turn (TensorSpecs admit compatible tensors, Python
values must be equal) and runs the first that matches, as TF's loaded functions do.

>>> import eagerflow as tf
>>> from eagerflow.saved_model.restored import RestoredFunction
>>> cf = tf.function(lambda x: x + 1.0).get_concrete_function(tf.TensorSpec([], tf.float32))
>>> f = RestoredFunction("inc", [cf])
>>> float(f(tf.constant(1.0)))
2.0
"""
from __future__ import annotations

import collections.abc
import inspect

import numpy as np

from .. import nest
from ..module import Module
from ..tensor import Tensor, convert_to_tensor
from ..tensor_spec import TensorSpec

__all__ = ["RestoredFunction", "UserObject", "SignatureMap", "make_binder"]


class _Mismatch(TypeError):
    """The arguments do not fit one traced signature."""


def _zip_structure(spec, value, where: str):
    """(spec leaf, value, path) in placeholder order; a TensorSpec leaf takes the whole value there."""
    if not nest.is_nested(spec):
        yield spec, value, where
        return
    if isinstance(spec, collections.abc.Mapping):
        if not isinstance(value, collections.abc.Mapping) or set(value) != set(spec):
            raise _Mismatch(f"{where} must be a dict with keys {sorted(spec)}, got {value!r:.100}")
        for k in _sorted(spec):
            yield from _zip_structure(spec[k], value[k], f"{where}[{k!r}]")
        return
    if not isinstance(value, (list, tuple)) or len(value) != len(spec):
        raise _Mismatch(f"{where} must be a sequence of {len(spec)} elements, got {value!r:.100}")
    for i, (s, v) in enumerate(zip(spec, value)):
        yield from _zip_structure(s, v, f"{where}[{i}]")


def _sorted(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def _tensor_for(spec: TensorSpec, value, where: str):
    if isinstance(value, TensorSpec):  # get_concrete_function(spec): matched, nothing to run
        if value.dtype is not spec.dtype or not spec.shape.is_compatible_with(value.shape):
            raise _Mismatch(f"{where}: {value!r} does not fit {spec!r}")
        return value
    if isinstance(value, Tensor) or hasattr(value, "_is_eagerflow_variable"):
        t = value.value() if hasattr(value, "_is_eagerflow_variable") else value
    else:
        try:
            t = convert_to_tensor(value, dtype_hint=spec.dtype)
        except (TypeError, ValueError) as e:
            raise _Mismatch(f"{where}: cannot convert {value!r:.60} to a tensor ({e})") from None
    if t.dtype is not spec.dtype or not spec.shape.is_compatible_with(t.shape):
        raise _Mismatch(f"{where} must be {TensorSpec(spec.shape, spec.dtype)!r}, got a {t.dtype.name} tensor of "
                        f"shape {t.shape}")
    return t


def _same(a, b) -> bool:
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(np.all(a == b))
    except Exception:  # noqa: BLE001
        return False


def make_binder(signature: inspect.Signature | None, sig_args: tuple, sig_kwargs: dict, name: str = "function"):
    """`binder(args, kwargs) -> flat tensors` for one traced signature; raises _Mismatch (a TypeError saying
    what does not fit) otherwise."""
    names = list(signature.parameters) if signature is not None else [f"args_{i}" for i in range(len(sig_args))]

    def binder(args, kwargs):
        if signature is not None:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as e:
                raise _Mismatch(f"{name}(): {e}") from None
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        if len(args) != len(sig_args) or set(kwargs) != set(sig_kwargs):
            raise _Mismatch(f"{name}() was traced for {len(sig_args)} positional and keyword arguments "
                            f"{sorted(sig_kwargs)}, got {len(args)} and {sorted(kwargs)}")
        flat = []
        pairs = [p for i, (s, v) in enumerate(zip(sig_args, args))
                 for p in _zip_structure(s, v, names[i] if i < len(names) else f"args_{i}")]
        pairs += [p for k in sig_kwargs for p in _zip_structure(sig_kwargs[k], kwargs[k], k)]
        for spec, value, where in pairs:
            if isinstance(spec, TensorSpec):
                flat.append(_tensor_for(spec, value, f"{name}(): argument {where}"))
            elif not _same(spec, value):
                raise _Mismatch(f"{name}(): argument {where} was traced with the Python value {spec!r}, got "
                                f"{value!r:.60}")
        return flat
    return binder


def _describe_call(args, kwargs) -> str:
    lines = [f"  Positional arguments ({len(args)} total):"]
    lines += [f"    * {a!r}" for a in args]
    lines.append(f"  Keyword arguments: {kwargs!r}")
    return "\n".join(lines)


class RestoredFunction:
    """A loaded tf.function: dispatches a call to the traced signature its arguments fit."""

    def __init__(self, name: str, concretes: list):
        self.__name__ = name
        self._concretes = list(concretes)

    @property
    def concrete_functions(self) -> list:
        return list(self._concretes)

    def _match(self, args, kwargs):
        for cf in self._concretes:
            try:
                if cf._binder is not None:
                    return cf, cf._binder(args, kwargs)
                if not kwargs:
                    return cf, cf._check_flat(args)
            except TypeError:  # (_Mismatch included) the arguments do not fit this signature
                continue
        options = []
        for i, cf in enumerate(self._concretes, 1):
            sig_args, sig_kwargs = cf.structured_input_signature or ((), {})
            options.append(f"Option {i}:\n{_describe_call(sig_args, sig_kwargs)}")
        raise ValueError("Could not find matching concrete function to call loaded from the SavedModel. Got:\n"
                         f"{_describe_call(args, kwargs)}\n\n Expected these arguments to match one of the following "
                         f"{len(self._concretes)} option(s):\n\n" + "\n\n".join(options))

    def __call__(self, *args, **kwargs):
        cf, flat = self._match(args, kwargs)
        return cf._call_flat(flat)

    def get_concrete_function(self, *args, **kwargs):
        """The traced function these arguments (tensors or TensorSpecs) would call."""
        if not args and not kwargs and len(self._concretes) == 1:
            return self._concretes[0]
        return self._match(args, kwargs)[0]

    def __repr__(self):
        return f"<RestoredFunction {self.__name__} ({len(self._concretes)} traced signatures)>"


class SignatureMap(collections.abc.Mapping):
    """`loaded.signatures`: name -> ConcreteFunction taking keyword arguments, returning a dict."""

    def __init__(self, functions: dict):
        self._functions = dict(functions)

    def __getitem__(self, key):
        return self._functions[key]

    def __iter__(self):
        return iter(self._functions)

    def __len__(self):
        return len(self._functions)

    def __repr__(self):
        return f"_SignatureMap({self._functions!r})"


class UserObject(Module):
    """A loaded object: its saved attributes (variables, submodules, functions), callable if it had `__call__`."""

    def __init__(self, name: str = "user_object"):
        try:
            super().__init__(name=name)
        except ValueError:
            super().__init__(name="user_object")

    def __call__(self, *args, **kwargs):
        fn = self.__dict__.get("__call__")
        if fn is None:
            raise TypeError(f"The loaded object {self.name!r} is not callable: it was saved without a `__call__` "
                            "tf.function.")
        return fn(*args, **kwargs)

    def __repr__(self):
        return f"<eagerflow.saved_model UserObject {self.name!r}>"
