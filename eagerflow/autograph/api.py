"""`tf.autograph`: converting functions, and the calls converted code makes.

`convert_entry(fn)` is what tf.function traces (unless `autograph=False`): the function rewritten
by `convert.py`, compiled with the user's file name and line numbers (so tracebacks show the
user's lines), sharing the original's globals, closure cells and defaults. Converted code calls
`ag__.converted_call(f, args, kwargs)` for every call, which converts user functions on the fly
(not library code: eagerflow, the standard library, installed packages) and maps `print`,
`range`, `len`, `int`, `float`, `max`, `min` to their tensor-aware versions.

Errors raised in converted code lose eagerflow's frames, so the last frame printed is the user's
line (`eagerflow.context.settings.full_tracebacks = True` shows everything).

>>> import eagerflow as tf
>>> def f(x):
...     if x > 0:
...         x = x * 2
...     return x
>>> "ag__.if_stmt" in tf.autograph.to_code(f)
True
"""
from __future__ import annotations

import ast
import functools
import inspect
import os
import sysconfig
import textwrap
import types

from ..context import logger, settings
from ..graph.tracebacks import at_user_line, filter_traceback, is_internal
from ..ops import manip as _manip
from ..ops.tensor_array import TensorArray
from ..tensor import convert_to_tensor
from . import loops, operators
from .convert import ConversionError, convert_function

__all__ = ["convert_entry", "converted_call", "to_code", "to_graph", "do_not_convert", "tf_convert",
           "ConversionError", "ag_module"]

_LIBRARY_DIRS = tuple(sorted({os.path.abspath(p) + os.sep for key in ("stdlib", "platstdlib", "purelib", "platlib")
                              if (p := sysconfig.get_paths().get(key))}))
_NOT_CONVERTED = "__eagerflow_do_not_convert__"
_SKIP_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


class _NoSource(Exception):
    """The function's source cannot be found or parsed (it runs as written)."""


# ---- the runtime namespace converted code sees as `ag__` ---------------------------------------------------

ag_module = types.ModuleType("ag__", "AutoGraph's runtime operators (eagerflow.autograph).")
for _mod in (operators, loops):
    for _name in _mod.__all__:
        setattr(ag_module, _name, getattr(_mod, _name))


# ---- conversion ------------------------------------------------------------------------------------------------

def _is_library(fn) -> bool:
    filename = os.path.abspath(fn.__code__.co_filename)
    return is_internal(filename) or filename.startswith(_LIBRARY_DIRS)


def _source_node(fn):
    """(parsed def/lambda node with absolute line numbers, filename) of a function object."""
    code = fn.__code__
    try:
        lines, start = inspect.getsourcelines(fn)
    except (OSError, TypeError) as e:
        raise _NoSource(str(e)) from None
    source = textwrap.dedent("".join(lines))
    try:
        tree = ast.parse(source)
    except SyntaxError:
        raise _NoSource("its source lines do not parse on their own") from None
    ast.increment_lineno(tree, start - 1)
    if fn.__name__ == "<lambda>":
        params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
        found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and n.lineno == code.co_firstlineno
                 and [a.arg for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs] == params]
        if len(found) != 1:
            raise _NoSource("several lambdas on its line")
        return found[0], code.co_filename
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == code.co_name:
            return node, code.co_filename
    raise _NoSource("its definition was not found in its source")


def _convert_ast(fn):
    node, filename = _source_node(fn)
    try:
        return convert_function(node, filename), filename
    except ConversionError as e:
        raise at_user_line(e, (e.filename, e.lineno, fn.__name__)) from None


def _build(fn):
    """The converted function object for `fn` (same globals, closure cells and defaults)."""
    fdef, filename = _convert_ast(fn)
    code = fn.__code__
    freevars = list(code.co_freevars)
    factory_args = ast.arguments(posonlyargs=[], args=[ast.arg(arg=a) for a in ["ag__"] + freevars], vararg=None,
                                 kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    fdef.args.defaults = []
    fdef.args.kw_defaults = [None] * len(fdef.args.kwonlyargs)
    for a in fdef.args.posonlyargs + fdef.args.args + fdef.args.kwonlyargs:
        a.annotation = None
    fdef.returns = None
    factory = ast.FunctionDef(name="__ag_factory", args=factory_args,
                              body=[fdef, ast.Return(value=ast.Name(id=fdef.name, ctx=ast.Load()))],
                              decorator_list=[], returns=None)
    if "type_params" in ast.FunctionDef._fields:
        factory.type_params = []
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    compiled = compile(module, filename, "exec")
    factory_code = _find_code(compiled, "__ag_factory")
    generated = set()
    for n in ast.walk(fdef):
        generated |= getattr(n, "_ag_generated", set())
    inner = _renamed(_find_code(factory_code, fdef.name), generated, code.co_name)
    cells = dict(zip(code.co_freevars, fn.__closure__ or ()))
    cells["ag__"] = types.CellType(ag_module)
    closure = tuple(cells[name] for name in inner.co_freevars)
    new = types.FunctionType(inner, fn.__globals__, fn.__name__, fn.__defaults__, closure)
    new.__kwdefaults__ = fn.__kwdefaults__
    for attr in ("__qualname__", "__module__", "__doc__", "__annotations__"):
        try:
            setattr(new, attr, getattr(fn, attr))
        except (AttributeError, TypeError):
            pass
    return _with_user_tracebacks(new, fn)


def _renamed(code, generated, name: str):
    """`code` with AutoGraph's local functions (if_body, loop_body, ...) named as the user's function,
    so tracebacks through them read "in <user function>"."""
    consts = tuple(_renamed(c, generated, name) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    if code.co_name in generated:
        code = code.replace(co_name=name)
        if hasattr(code, "co_qualname"):
            code = code.replace(co_qualname=name)
    return code.replace(co_consts=consts)


def _find_code(code, name: str):
    for c in code.co_consts:
        if isinstance(c, types.CodeType) and c.co_name == name:
            return c
    raise RuntimeError(f"internal error: no code object {name!r} in AutoGraph's output")


def _with_user_tracebacks(converted, original):
    @functools.wraps(original)
    def run_converted(*args, **kwargs):
        try:
            return converted(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - re-raised with eagerflow's frames removed
            raise e.with_traceback(filter_traceback(e.__traceback__))
    run_converted.__eagerflow_converted__ = converted
    run_converted.__eagerflow_original__ = original
    return run_converted


def _converted_function(fn):
    """The converted version of a plain function, or None if it runs as written."""
    if getattr(fn, _NOT_CONVERTED, False) or getattr(fn, "__eagerflow_converted__", None) is not None:
        return None
    code = getattr(fn, "__code__", None)
    if code is None or code.co_flags & _SKIP_FLAGS or _is_library(fn) or "ag__" in code.co_freevars:
        return None  # ag__ among its free variables: defined inside converted code, so already converted
    cache = settings.autograph_cache
    hit = cache.get(fn)
    if hit is not None:
        return hit
    try:
        converted = _build(fn)
    except _NoSource as e:
        logger.debug("AutoGraph runs %r as written: %s", fn, e)
        return None
    cache[fn] = converted
    return converted


def _converted_target(f):
    """A converted callable standing for `f`, or None when `f` runs as written."""
    if isinstance(f, types.FunctionType):
        return _converted_function(f)
    if isinstance(f, types.MethodType):
        conv = _converted_target(f.__func__)
        return types.MethodType(conv, f.__self__) if conv is not None else None
    if isinstance(f, functools.partial):
        conv = _converted_target(f.func)
        return functools.partial(conv, *f.args, **f.keywords) if conv is not None else None
    if isinstance(f, type) or getattr(f, _NOT_CONVERTED, False):
        return None
    call = getattr(type(f), "__call__", None)
    if isinstance(call, types.FunctionType) and hasattr(f, "get_concrete_function") is False:
        conv = _converted_function(call)
        return types.MethodType(conv, f) if conv is not None else None
    return None


def converted_call(f, args, kwargs=None):
    """Calls `f(*args, **kwargs)` from converted code: user functions are converted first."""
    kwargs = kwargs or {}
    override = operators.BUILTIN_OVERRIDES.get(id(f))
    if override is not None:
        return override(*args, **kwargs)
    if args and isinstance(args[0], TensorArray):
        if f is _manip.stack or f is convert_to_tensor:
            return args[0].stack()
        if f is _manip.concat:
            return args[0].concat()
    target = _converted_target(f)
    if target is None:
        return f(*args, **kwargs)
    return target(*args, **kwargs)


ag_module.converted_call = converted_call


def convert_entry(fn):
    """What tf.function traces for `fn`: its converted version (or `fn` when it cannot be converted)."""
    if getattr(fn, _NOT_CONVERTED, False):
        return fn
    if isinstance(fn, types.FunctionType) and not _is_library(fn) and not fn.__code__.co_flags & _SKIP_FLAGS:
        conv = _converted_function(fn)
        if conv is None and getattr(fn, "__eagerflow_converted__", None) is None:
            logger.warning("AutoGraph could not transform %r and will run it as-is: its source code is not "
                           "available", fn)
            return fn
        return conv if conv is not None else fn
    target = _converted_target(fn)
    return target if target is not None else fn


def tf_convert(f, ctx=None, convert_by_default=True, user_requested=False):
    """`f` converted by AutoGraph when it is user code (Keras converts layer `call` methods with it)."""
    target = _converted_target(f)
    return target if target is not None else f


# ---- public API -------------------------------------------------------------------------------------------------

def to_graph(entity, recursive=True, experimental_optional_features=None):
    """The converted version of a Python function (callable eagerly or inside tf.function).

    >>> import eagerflow as tf
    >>> def absolute(x):
    ...     return x if x >= 0 else -x
    >>> tf.autograph.to_graph(absolute)(-3)
    3
    """
    if isinstance(entity, types.MethodType):
        return types.MethodType(to_graph(entity.__func__), entity.__self__)
    if not isinstance(entity, types.FunctionType):
        raise TypeError(f"tf.autograph.to_graph expects a Python function, got {entity!r}")
    try:
        return _build(entity)
    except _NoSource as e:
        raise ValueError(f"AutoGraph cannot convert {entity!r}: {e}") from None


def to_code(entity, recursive=True, experimental_optional_features=None) -> str:
    """The source AutoGraph generates for `entity` (valid Python calling `ag__` operators).

    >>> import eagerflow as tf
    >>> def f(n):
    ...     while n > 1:
    ...         n = n // 2
    ...     return n
    >>> "ag__.while_stmt" in tf.autograph.to_code(f)
    True
    """
    if isinstance(entity, types.MethodType):
        entity = entity.__func__
    entity = getattr(entity, "python_function", entity)
    if not isinstance(entity, types.FunctionType):
        raise TypeError(f"tf.autograph.to_code expects a Python function, got {entity!r}")
    try:
        fdef, _ = _convert_ast(entity)
    except _NoSource as e:
        raise ValueError(f"AutoGraph cannot convert {entity!r}: {e}") from None
    return ast.unparse(ast.fix_missing_locations(fdef)) + "\n"


def do_not_convert(func=None):
    """Decorator: the function runs as written inside tf.function (AutoGraph leaves it alone).

    >>> import eagerflow as tf
    >>> @tf.autograph.experimental.do_not_convert
    ... def f(x):
    ...     return x
    >>> f(1)
    1
    """
    if func is None:
        return do_not_convert

    @functools.wraps(func)
    def unconverted(*args, **kwargs):
        return func(*args, **kwargs)
    setattr(unconverted, _NOT_CONVERTED, True)
    return unconverted


def set_loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None, shape_invariants=None):
    """Accepted for TF compatibility: AutoGraph loops here relax changing shapes on their own."""
    return None


def set_verbosity(level, alsologtostdout=False):
    """Accepted for TF compatibility (AutoGraph logs through the `eagerflow` logger)."""
    return None


def trace(*args):
    """Prints its arguments when the converted code runs (TF's `tf.autograph.trace`)."""
    print(*args)
