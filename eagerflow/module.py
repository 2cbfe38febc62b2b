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

from . import context as _context
from . import nest as _nest
from .variables import Variable

__all__ = ["Module"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def camel_to_snake(name: str) -> str:
    """`MyModel` -> `my_model`, `HTTPServer2D` -> `http_server2_d` (TF's default module names)."""
    out = []
    for i, c in enumerate(name):
        if c.isupper() and i > 0:
            prev, nxt = name[i - 1], name[i + 1] if i + 1 < len(name) else ""
            if prev.islower() or prev.isdigit() or nxt.islower():
                out.append("_")
        out.append(c.lower())
    return "".join(out)


class _ModuleScope:
    """What `Module.name_scope` returns: re-enters the scope the module was created in.

    The scope is absolute (it ends with `/`), so a module used elsewhere still names its ops and
    variables under the scope it was built in, as TF does.
    """

    __slots__ = ("name", "_cm")

    def __init__(self, name: str):
        self.name = name

    def __enter__(self) -> str:
        self._cm = _context.name_scope(self.name)
        return self._cm.__enter__()

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


class Module:
    """Base class for objects that own variables and other modules (TF's `tf.Module`).

    Variables and submodules are discovered through attributes, including inside lists, tuples and
    dicts, each reported once.

    >>> import eagerflow as tf
    >>> class Net(tf.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.layers = [tf.Variable(1.0), tf.Variable(2.0, trainable=False)]
    >>> net = Net()
    >>> net.name, len(net.variables), len(net.trainable_variables)
    ('net', 2, 1)
    """

    # Attributes a subclass may list here are skipped by the attribute walk.
    _TF_MODULE_IGNORED_PROPERTIES = frozenset()

    def __init__(self, name: str | None = None):
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not _IDENTIFIER.match(name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid Python identifiers "
                             "(e.g. a valid class name).")
        self._name = name
        # The scope is fixed at construction, under whatever scope was active then.
        self._scope_name = _context.scoped_name(name) + "/"

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if _context.settings.pending_restores:  # a checkpoint restored before this attribute existed
            _context.resolve_pending_restores()

    @property
    def name(self) -> str:
        """The module's name (not including its parent scope)."""
        return self._name

    @property
    def name_scope(self) -> _ModuleScope:
        """A context manager naming ops and variables created inside under this module's scope."""
        return _ModuleScope(self._scope_name)

    # ---- discovery --------------------------------------------------------------------------------------
    @property
    def variables(self) -> tuple:
        """Every variable owned by this module and its submodules (each once)."""
        return tuple(self._flatten(predicate=_is_variable))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(self._flatten(predicate=_is_trainable_variable))

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(self._flatten(predicate=_is_frozen_variable))

    @property
    def submodules(self) -> tuple:
        """All modules reachable from this one (not including itself), each once."""
        return tuple(self._flatten(predicate=_is_module))

    def _flatten(self, recursive=True, predicate=None, attribute_traversal_key=None, with_path=False,
                 expand_composites=False):
        """Yields what `predicate` accepts among this module's attributes, then its submodules'.

        Per module, attributes are visited in sorted order and flattened with tf.nest (dicts by
        sorted key); matches are yielded, submodules queued; then each queued submodule is walked
        the same way. An object is reported once, wherever it is reached first. With `with_path`,
        yields `(path, value)` where path is the tuple of attribute names, keys and indices.
        """
        predicate = predicate or (lambda _: True)
        seen = {id(self)}
        queue = [((), self)]
        while queue:
            path, module = queue.pop(0)
            found = []
            for key in sorted(vars(module), key=attribute_traversal_key):
                if key in module._TF_MODULE_IGNORED_PROPERTIES:
                    continue
                for leaf_path, leaf in _nest.flatten_with_tuple_paths(vars(module)[key]):
                    if id(leaf) in seen:
                        continue
                    seen.add(id(leaf))
                    full = path + (key,) + leaf_path
                    if predicate(leaf):
                        yield (full, leaf) if with_path else leaf
                    if recursive and isinstance(leaf, Module):
                        found.append((full, leaf))
            queue[0:0] = found  # depth first: a module's submodules come before its siblings' own

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: runs `method` inside the module's name scope."""
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        wrapped.__name__ = method.__name__
        wrapped.__qualname__ = getattr(method, "__qualname__", method.__name__)
        wrapped.__doc__ = method.__doc__
        return wrapped


def _is_variable(x) -> bool:
    return isinstance(x, Variable)


def _is_trainable_variable(x) -> bool:
    return isinstance(x, Variable) and x.trainable


def _is_frozen_variable(x) -> bool:
    return isinstance(x, Variable) and not x.trainable


def _is_module(x) -> bool:
    return isinstance(x, Module)
