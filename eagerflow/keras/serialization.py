"""Keras 3's config dictionaries: `{'module', 'class_name', 'config', 'registered_name'}`.

Every Keras object (layer, initializer, regularizer, constraint, model) serializes to such a dict;
deserializing looks `class_name` up in the namespace of the family it belongs to (passed in by the
family's own `deserialize`), then in user-registered and custom objects.

>>> import eagerflow as tf
>>> tf.keras.initializers.serialize(tf.keras.initializers.Zeros())
{'module': 'keras.initializers', 'class_name': 'Zeros', 'config': {}, 'registered_name': None}
"""
from __future__ import annotations

import base64
import marshal
import builtins
import types

import numpy as np

import eagerflow as _tf  # the package (partly initialised while it imports keras): a lambda's `tf`
from ..context import _state
from ..context import settings as _settings

__all__ = ["serialize", "deserialize", "register_keras_serializable", "get_registered_name",
           "serialize_function", "deserialize_function"]


def register_keras_serializable(package="Custom", name=None):
    """Class decorator: lets `from_config` / `deserialize` find a user class as `package>name`.

    >>> import eagerflow as tf
    >>> @tf.keras.utils.register_keras_serializable(package="demo")
    ... class Double(tf.keras.layers.Layer):
    ...     def call(self, x):
    ...         return 2 * x
    >>> tf.keras.utils.get_registered_name(Double)
    'demo>Double'
    """
    def decorate(obj):
        key = f"{package}>{name or obj.__name__}"
        if not hasattr(obj, "get_config") and isinstance(obj, type):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _settings.keras_custom_objects[key] = obj
        obj._keras_registered_name = key
        return obj
    return decorate


def get_registered_name(obj) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return cls.__dict__.get("_keras_registered_name", cls.__name__)


def serialize(obj, module: str):
    """`obj`'s config dict (None stays None; strings stay strings)."""
    if obj is None or isinstance(obj, str):
        return obj
    cls = type(obj)
    registered = cls.__dict__.get("_keras_registered_name")
    return {"module": module if registered is None else cls.__module__, "class_name": cls.__name__,
            "config": obj.get_config(), "registered_name": registered}


def deserialize(config, namespace: dict, kind: str, custom_objects=None):
    """The object `config` describes: a dict from `serialize`, or a class/function name."""
    if config is None:
        return None
    custom = dict(custom_objects or {})
    if isinstance(config, str):
        obj = custom.get(config) or _settings.keras_custom_objects.get(config) or namespace.get(config)
        if obj is None:
            raise ValueError(f"Could not interpret {kind} identifier: {config}")
        return obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret {kind} identifier: {config}")
    name = config["class_name"]
    registered = config.get("registered_name")
    cls = (custom.get(registered) or custom.get(name) or _settings.keras_custom_objects.get(registered)
           or namespace.get(name))
    if cls is None:
        raise TypeError(f"Could not locate class '{name}'. Make sure custom classes are decorated with "
                        f"`@keras.saving.register_keras_serializable()`. Full object config: {config}")
    inner = config.get("config", {})
    if isinstance(cls, type) and hasattr(cls, "from_config"):
        try:
            return cls.from_config(inner, custom_objects=custom) if _takes_custom_objects(cls) \
                else cls.from_config(inner)
        except TypeError as e:
            raise TypeError(f"{cls.__name__}.from_config could not rebuild the object from {inner}: {e}") from None
    return cls


def _takes_custom_objects(cls) -> bool:
    return "custom_objects" in getattr(cls.from_config, "__code__", types.SimpleNamespace(co_varnames=())).co_varnames


# ---- Python functions (Lambda layers): bytecode, as Keras stores them --------------------------------

def serialize_function(fn):
    """A named function as its name; a lambda as its marshalled bytecode (Keras's `__lambda__`)."""
    if isinstance(fn, types.FunctionType) and fn.__name__ != "<lambda>":
        return fn.__name__
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    defaults = fn.__defaults__
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return {"class_name": "__lambda__", "config": {"code": code, "defaults": defaults, "closure": closure}}


def deserialize_function(config, custom_objects=None, safe_mode=True):
    """The function back; bytecode is only loaded with `safe_mode=False` (it can run arbitrary code)."""
    if isinstance(config, str):
        fn = (custom_objects or {}).get(config) or _settings.keras_custom_objects.get(config)
        if fn is None:
            raise ValueError(f"Could not interpret function identifier: {config}. Pass it in `custom_objects`.")
        return fn
    if _state.keras_safe_mode is not None:  # inside load_model: its safe_mode decides, whatever the caller says
        safe_mode = _state.keras_safe_mode
    if safe_mode:
        raise ValueError("Requested the deserialization of a `Lambda` layer whose `function` is a Python lambda. "
                         "This carries a potential risk of arbitrary code execution and thus it is disallowed by "
                         "default. If you trust the source of the artifact, you can override this error by passing "
                         "`safe_mode=False` to `from_config`.")
    cfg = config["config"]
    code = marshal.loads(base64.b64decode(cfg["code"]))
    closure = None
    if cfg.get("closure"):
        closure = tuple(types.CellType(v) for v in cfg["closure"])
    defaults = tuple(cfg["defaults"]) if cfg.get("defaults") else None
    scope = {"__builtins__": builtins, "tf": _tf, "np": np, **_settings.keras_custom_objects,
             **(custom_objects or {})}
    return types.FunctionType(code, scope, None, defaults, closure)
