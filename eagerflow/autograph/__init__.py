"""`tf.autograph`: Python control flow on tensors becomes graph control flow inside tf.function.

`to_code(f)` shows what tf.function traces for `f`; `to_graph(f)` returns it; functions marked
with `experimental.do_not_convert` run as written. See `convert.py` (the source transformation),
`operators.py` and `loops.py` (what converted code calls) and `api.py` (conversion of functions).
"""
from . import experimental  # noqa: F401
from .api import do_not_convert, set_loop_options, set_verbosity, to_code, to_graph, trace  # noqa: F401
from .convert import ConversionError  # noqa: F401

__all__ = ["to_code", "to_graph", "trace", "set_verbosity", "experimental", "ConversionError", "do_not_convert",
           "set_loop_options"]
