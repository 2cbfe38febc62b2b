"""Tracebacks that end in user code.

Errors raised while tracing or running a graph point at the user's line: `filter_traceback`
drops eagerflow's own frames from a traceback, and `at_user_line` gives an exception a
traceback whose frame is a given `(file, line, function)` (the line where a failing graph node
was created), so the last frame Python prints is the user's. `settings.full_tracebacks = True`
keeps every frame.

>>> import eagerflow as tf
>>> err = at_user_line(ValueError("boom"), ("example.py", 12, "f"))
>>> err.__traceback__.tb_lineno, err.__traceback__.tb_frame.f_code.co_filename
(12, 'example.py')
"""
from __future__ import annotations

import linecache
import os
import types

from ..context import settings

__all__ = ["filter_traceback", "at_user_line", "is_internal", "disable_traceback_filtering",
           "enable_traceback_filtering", "is_traceback_filtering_enabled"]

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def is_internal(filename: str) -> bool:
    """True for eagerflow's own source files."""
    return filename.startswith(_PKG_DIR)


def filter_traceback(tb):
    """`tb` without eagerflow's frames (unchanged with `settings.full_tracebacks`)."""
    if settings.full_tracebacks or tb is None:
        return tb
    kept = []
    while tb is not None:
        if not is_internal(tb.tb_frame.f_code.co_filename):
            kept.append(tb)
        tb = tb.tb_next
    new = None
    for t in reversed(kept):
        new = types.TracebackType(new, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return new


def _raise_code(filename: str, lineno: int):
    """`raise e` at `lineno`, indented and padded to span the user's line (no partial-line markers)."""
    line = linecache.getline(filename, lineno).rstrip()
    body = line.lstrip()
    indent = len(line) - len(body)
    statement = "raise" + " " * max(1, len(body) - len("raisee")) + "e\n"
    if indent and lineno > 1:  # an indented statement needs an enclosing block on the line before
        return compile("if 1:\n" + " " * indent + statement, filename, "exec").replace(co_firstlineno=lineno - 1)
    return compile(statement, filename, "exec").replace(co_firstlineno=lineno)


def at_user_line(exc: BaseException, source) -> BaseException:
    """`exc` with a one-frame traceback at `source` = (filename, line, function name)."""
    if source is None or settings.full_tracebacks:
        return exc
    filename, lineno, funcname = source
    if not lineno or lineno < 1:
        return exc
    code = _raise_code(filename, lineno).replace(co_name=str(funcname))
    if hasattr(code, "co_qualname"):
        code = code.replace(co_qualname=str(funcname))
    context, cause = exc.__context__, exc.__cause__
    exc.__traceback__ = None  # raising it again would keep its old frames after the new one
    try:
        exec(code, {"e": exc})  # noqa: S102 - raises at the user's line
    except BaseException as raised:  # noqa: BLE001 - it is `exc`
        tb = raised.__traceback__.tb_next
    exc.__context__, exc.__cause__ = context, cause
    return exc.with_traceback(tb)


def disable_traceback_filtering() -> None:
    """Errors keep every frame, eagerflow's and generated code's included (TF's name)."""
    settings.full_tracebacks = True


def enable_traceback_filtering() -> None:
    """Errors end at the user's line, without eagerflow's frames (the default)."""
    settings.full_tracebacks = False


def is_traceback_filtering_enabled() -> bool:
    """True unless `disable_traceback_filtering()` was called.

    >>> import eagerflow as tf
    >>> tf.debugging.is_traceback_filtering_enabled()
    True
    """
    return not settings.full_tracebacks
