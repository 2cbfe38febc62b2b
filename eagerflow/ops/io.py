"""`tf.print`: prints tensors as TF does, eagerly and at every run of a traced function.

Inputs become one template (Python values through `pprint.pformat`, tensors as placeholders),
formatted by the `StringFormat` op and written by the stateful `PrintV2` op. Its kernel writes
through the `sys.stdout` / `sys.stderr` objects current when it runs, so `contextlib.redirect_stderr`,
pytest's capsys and notebooks capture it; inside a graph it runs at every call, in program order.

>>> import sys
>>> import eagerflow as tf
>>> tf.print("x:", tf.constant([1, 2, 3]), output_stream=sys.stdout)
x: [1 2 3]
"""
from __future__ import annotations

import builtins
import logging
import os
import pprint
import random
import sys

import numpy as np

from .. import dtypes as _dt
from .. import nest
from ..context import logger
from ..primitive import Primitive, bind
from ..tensor import Tensor, convert_to_tensor
from . import rules as R
from . import strings as _strings

__all__ = ["print"]

_LOG_LEVELS = {logging.INFO: "log(info)", logging.info: "log(info)",
               logging.WARNING: "log(warning)", logging.warning: "log(warning)",
               logging.ERROR: "log(error)", logging.error: "log(error)"}
if getattr(logging, "warn", None) is not None:
    _LOG_LEVELS[logging.warn] = "log(warning)"


def _write(output_stream, text: str) -> None:
    if output_stream == "stderr":
        stream = sys.stderr
    elif output_stream == "stdout":
        stream = sys.stdout
    elif isinstance(output_stream, str) and output_stream.startswith("log("):
        level = {"log(info)": logging.INFO, "log(warning)": logging.WARNING}.get(output_stream, logging.ERROR)
        logger.log(level, text[:-1] if text.endswith("\n") else text)
        return
    elif isinstance(output_stream, str):  # "file://<path>": append
        with builtins.open(output_stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text)
        return
    else:
        stream = output_stream
    if stream is not None:
        stream.write(text)


def _print_kernel(message, *, output_stream, end):
    text = message[()] if isinstance(message, np.ndarray) else message
    text = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else str(text)
    _write(output_stream, text + end)
    return np.zeros((0,), dtype=np.int32)


def _print_dtype(d, **_):
    if d is not _dt.string:
        R.fail("PrintV2", f"cannot compute PrintV2 as input #0(zero-based) was expected to be a string tensor "
                          f"but is a {R.tf_name(d)} tensor")
    return _dt.int32


print_p = Primitive("PrintV2", _print_kernel, dtype_rule=_print_dtype, shape_rule=lambda s, **_: (0,),
                    stateful=True)


def _stream_attr(output_stream):
    """The hashable `output_stream` attribute: "stdout", "stderr", "log(...)", "file://..." or a file object."""
    if isinstance(output_stream, str):
        if output_stream.startswith("file://"):
            return output_stream
    elif output_stream is sys.stdout:
        return "stdout"
    elif output_stream is sys.stderr:
        return "stderr"
    else:
        try:
            level = _LOG_LEVELS.get(output_stream)
        except TypeError:  # unhashable: not a level
            level = None
        if level is not None:
            return level
        if callable(getattr(output_stream, "write", None)):
            return output_stream  # eagerflow extension: any object with .write (sys.__stdout__, a file, ...)
    raise ValueError(f"Unsupported output stream, logging level, or file.{output_stream}. Supported streams are "
                     "sys.stdout, sys.stderr, tf.logging.info, tf.logging.warning, tf.logging.error. File needs "
                     "to be in the form of 'file://<filepath>'.")


def _is_tensor_like(x) -> bool:
    return isinstance(x, Tensor) or (hasattr(x, "__tf_tensor__") and not isinstance(x, type))


def _placeholder(text: str) -> str:
    """"{}" unless the tensor-free text contains it; then "{}" with digits appended until unique."""
    mark, digits = "{}", random.Random(5)
    while mark in text:
        mark += str(digits.randint(0, 9))
    return mark


def _template(inputs, sep: str):
    """(template text, placeholder, tensors): each input as TF lays it out in the printed line."""
    tensor_free = " ".join(pprint.pformat(nest.map_structure(lambda v: "" if _is_tensor_like(v) else v, x))
                           for x in inputs)
    mark = _placeholder(tensor_free)
    tensors, pieces = [], []
    for x in inputs:
        if isinstance(x, str):
            pieces.append(x)
            continue
        leaves = []
        for leaf in nest.flatten(x):
            if _is_tensor_like(leaf):
                tensors.append(convert_to_tensor(leaf))
                leaves.append(mark)
            else:
                leaves.append(leaf)
        pieces.append(pprint.pformat(nest.pack_sequence_as(x, leaves)))
    return sep.join(pieces).replace(f"'{mark}'", mark), mark, tensors


def print(*inputs, **kwargs) -> None:  # noqa: A001 - TF's public name
    """Prints tensors and Python values like TF 2's `tf.print` (default: to sys.stderr).

    Keyword arguments: output_stream (sys.stdout, sys.stderr, "file://<path>", a logging
    level/function such as logging.info, or any object with `.write`), summarize (items kept at
    each end of every dimension, default 3; -1 for all), sep (default " "), end (default newline).

    >>> import sys
    >>> import eagerflow as tf
    >>> tf.print(tf.constant([[1, 2], [3, 4]]), output_stream=sys.stdout)
    [[1 2]
     [3 4]]
    """
    output_stream = kwargs.pop("output_stream", sys.stderr)
    summarize = kwargs.pop("summarize", 3)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", os.linesep)
    kwargs.pop("name", None)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments for tf.print: {kwargs}")
    stream = _stream_attr(output_stream)
    if len(inputs) == 1 and _is_tensor_like(inputs[0]):
        t = convert_to_tensor(inputs[0])
        if t.dtype is _dt.string and t.shape.rank == 0:  # a scalar string prints as is, unquoted
            bind(print_p, t, output_stream=stream, end=str(end))
            return None
    template, mark, tensors = _template(inputs, str(sep))
    message = _strings.format(template, tensors, placeholder=mark, summarize=summarize)
    bind(print_p, message, output_stream=stream, end=str(end))
    return None
