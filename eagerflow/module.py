"""tf.Module: a named container whose variables and submodules are found through its attributes.

>>> import eagerflow as tf
>>> class Dense(tf.Module):
...     def __init__(self):
...         super().__init__(name="dense")
...         self.w = tf.Variable(tf.ones([2, 2]))
>>> len(Dense().trainable_variables)
1
"""
from __future__ import annotations

import re

from .context import name_scope as _name_scope
from .tensor import Tensor
from .variables import Variable

__all__ = ["Module"]

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


class Module:
    """Base class for objects that own variables and other modules."""

    _TF_MODULE_IGNORED_PROPERTIES = frozenset()

    def __init__(self, name: str | None = None):
        if name is None:
            name = _snake(type(self).__name__)
        elif not re.match(r"^[A-Za-z_][\w.-]*$", name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid Python identifiers "
                             "(e.g. a valid class name).")
        self._name = name
        self._scope_name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self):
        """A context manager scoping names of ops and variables created inside to this module."""
        return _name_scope(self._scope_name)

    # ---- discovery --------------------------------------------------------------------------------------
    def _flatten(self, predicate, recursive=True):
        """Depth-first walk over attributes (lists, tuples, dicts too), deduplicated by identity."""
        seen, out = {id(self)}, []

        def walk(obj, depth_module):
            if isinstance(obj, (Variable, Tensor)) or not _walkable(obj):
                if predicate(obj) and id(obj) not in seen:
                    seen.add(id(obj))
                    out.append(obj)
                return
            if id(obj) in seen:
                return
            seen.add(id(obj))
            if predicate(obj):
                out.append(obj)
            if isinstance(obj, Module):
                if obj is not self and not recursive:
                    return
                items = [v for k, v in sorted(vars(obj).items()) if k not in obj._TF_MODULE_IGNORED_PROPERTIES]
            elif isinstance(obj, dict):
                items = [obj[k] for k in _sorted(obj)]
            else:
                items = list(obj)
            for v in items:
                walk(v, depth_module)

        for key, value in sorted(vars(self).items()):
            if key in self._TF_MODULE_IGNORED_PROPERTIES:
                continue
            walk(value, self)
        return tuple(out)

    @property
    def variables(self) -> tuple:
        return self._flatten(lambda o: isinstance(o, Variable))

    @property
    def trainable_variables(self) -> tuple:
        return self._flatten(lambda o: isinstance(o, Variable) and o.trainable)

    @property
    def non_trainable_variables(self) -> tuple:
        return self._flatten(lambda o: isinstance(o, Variable) and not o.trainable)

    @property
    def submodules(self) -> tuple:
        return self._flatten(lambda o: isinstance(o, Module))

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: runs `method` inside the module's name scope."""
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        wrapped.__name__ = method.__name__
        wrapped.__doc__ = method.__doc__
        return wrapped

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object named {self._name!r}>"


def _walkable(obj) -> bool:
    return isinstance(obj, (Module, list, tuple, dict))


def _sorted(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)
