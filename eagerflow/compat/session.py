"""TF1's `tf.compat.v1.Session`: run the part of a `tf.Graph` that some fetches need.

TF1 programs build a graph first and execute it later: `sess.run(fetches, feed_dict)` computes the
fetched tensors (and runs the fetched ops), feeding placeholders (or any tensor) from `feed_dict`.
Only the ops the fetches depend on run (following data and control edges), in program order; the
plan for each (fetches, feeds) combination is computed once and cached. Kernels are the same NumPy
functions eager execution calls, on plain arrays.

Variables created in the graph get their values in each Session: running `initializer` (or
`tf.compat.v1.global_variables_initializer()`) sets them; reading one before that is a
FailedPreconditionError, as in TF.

>>> import eagerflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     x = tf.compat.v1.placeholder(tf.float32, shape=(None, 2), name="x")
...     y = tf.reduce_sum(x * 2.0, axis=1)
>>> print(y)
Tensor("Sum:0", shape=(None,), dtype=float32)
>>> with tf.compat.v1.Session(graph=g) as sess:
...     print(sess.run(y, feed_dict={x: [[1.0, 2.0], [3.0, 4.0]]}))
[ 6. 14.]
"""
from __future__ import annotations

import collections.abc
import re

import numpy as np

from .. import dtypes as _dt
from ..context import _state, settings
from ..errors import FailedPreconditionError, InvalidArgumentError, OpError
from ..graph.ir import Graph, Operation, SymbolicTensor
from ..ops.rules import tf_name
from ..primitive import op_error
from ..tensor import EagerTensor, Tensor

__all__ = ["Session", "get_default_graph"]

_OP_SUFFIX = re.compile(r"\s*\[Op:[^\]]*\]\s*$")
_MAX_PLANS = 256


def get_default_graph() -> Graph:
    """The graph ops are added to now: the innermost `as_default()` graph, else the global default graph."""
    graph = _state.graph
    if graph is not None:
        return graph
    with settings.lock:
        if settings.default_graph is None:
            settings.default_graph = Graph()
        return settings.default_graph


class _VariableSlot:
    """One graph variable's value in one Session: what the variable kernels read and write."""

    __slots__ = ("name", "_dtype", "_shape", "_value")

    def __init__(self, var):
        self.name, self._dtype, self._shape, self._value = var.name, var.dtype, var.shape, None

    @property
    def _tensor(self):
        if self._value is None:
            name = self.name.split(":")[0]
            raise FailedPreconditionError(
                None, None, f"Could not find variable {name}. This could mean that the variable has been deleted. "
                "In TF1, it can also mean the variable is uninitialized. Debug info: container=localhost, status "
                f"error message=Container localhost does not exist. (Could not find resource: localhost/{name})")
        return self._value

    @_tensor.setter
    def _tensor(self, value):
        self._value = value


class _Plan:
    """What one (fetches, feeds) combination runs: the needed ops in program order."""

    __slots__ = ("ops", "handles")

    def __init__(self, ops, handles):
        self.ops = ops          # operations to run (placeholders excluded)
        self.handles = handles  # [(resource tensor, variable)] the ops use


class Session:
    """Runs a `tf.Graph` (TF1's `tf.compat.v1.Session`); `with` makes its graph the default.

    `graph=None` takes the default graph at construction. Each Session keeps its own variable values.
    """

    def __init__(self, target: str = "", graph: Graph | None = None, config=None):
        if graph is None:
            graph = get_default_graph()
        if not isinstance(graph, Graph):
            raise TypeError(f"graph must be a tf.Graph, but got {type(graph).__name__}")
        self._graph = graph
        self._target = target
        self._config = config
        self._closed = False
        self._slots: dict = {}   # id(variable) -> _VariableSlot
        self._plans: dict = {}
        self._scopes: list = []

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def sess_str(self) -> str:
        return self._target

    def __enter__(self) -> "Session":
        scope = self._graph.as_default()
        scope.__enter__()
        self._scopes.append(scope)
        return self

    def __exit__(self, *exc) -> bool:
        self._scopes.pop().__exit__(*exc)
        self.close()
        return False

    def close(self) -> None:
        """Frees the variable values; later `run` calls raise RuntimeError."""
        self._closed = True
        self._slots.clear()
        self._plans.clear()

    def __repr__(self):
        return f"<eagerflow.compat.v1.Session graph={self._graph!r}{' (closed)' if self._closed else ''}>"

    # ---- run --------------------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Values of `fetches` (a tensor, op, name or nested list/tuple/dict/namedtuple of them).

        Tensors give NumPy arrays (scalars as NumPy scalars), ops give None. `feed_dict` maps tensors
        (or names like "x:0") to values that replace them for this run.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if self._graph is None:
            raise RuntimeError("The Session graph is empty. Add operations to the graph before calling run().")
        leaves: list = []
        _collect(fetches, leaves, self._fetch_target)
        feeds = self._feeds(feed_dict or {})
        tensors = [x for x in leaves if isinstance(x, SymbolicTensor)]
        targets = [x for x in leaves if isinstance(x, Operation)]
        values = self._execute(tensors, targets, feeds)
        results = [None if isinstance(x, Operation) else _result(values[id(x)], id(x) in feeds) for x in leaves]
        return _pack(fetches, iter(results))

    def _fetch_target(self, x):
        """The tensor or op a fetch leaf names."""
        if x is None:
            raise TypeError('Argument `fetch` = None has invalid type "NoneType". Cannot be None')
        if isinstance(x, str):
            try:
                return _by_name(self._graph, x, allow_op=True)
            except LookupError as e:
                raise ValueError(f"Argument `fetch` = {x} cannot be interpreted as a Tensor. ({e})") from None
        if hasattr(x, "_is_eagerflow_variable"):
            element = getattr(x, "_graph_element", None)
            if element is None:
                raise TypeError(f"Fetch argument {x!r} is an eager variable, not part of a graph: use .numpy().")
            x = element
        if isinstance(x, (SymbolicTensor, Operation)):
            if x.graph is not self._graph:
                raise ValueError(f"Fetch argument {x!r} cannot be interpreted as a Tensor. ({_describe(x)} is not "
                                 "an element of this graph.)")
            return x
        kind = type(x).__name__
        raise TypeError(f'Argument `fetch` = {x!r} has invalid type "{kind}" must be a string or Tensor. (Can not '
                        f"convert a {kind} into a Tensor or Operation.)")

    def _feeds(self, feed_dict) -> dict:
        """id(tensor) -> array, each value converted to its tensor's dtype and checked against its shape."""
        feeds = {}
        for key, value in feed_dict.items():
            t = self._feed_key(key)
            feeds[id(t)] = _feed_value(t, key, value)
        return feeds

    def _feed_key(self, key) -> SymbolicTensor:
        try:
            t = _by_name(self._graph, key, allow_op=False) if isinstance(key, str) else key
        except LookupError as e:
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e.args[0]}") from None
        if not isinstance(t, SymbolicTensor):
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {key!r} is not a graph tensor "
                            f"({type(key).__name__}).")
        if t.graph is not self._graph:
            raise ValueError(f"Cannot interpret feed_dict key as Tensor: {_describe(t)} is not an element of this "
                             "graph.")
        if t.dtype is _dt.resource:
            raise TypeError(f"Cannot feed the resource tensor {t.name} (a variable handle); assign the variable "
                            "instead.")
        return t

    # ---- planning and executing -----------------------------------------------------------------------
    def _plan(self, tensors, targets, feeds) -> _Plan:
        key = (tuple(id(t) for t in tensors), tuple(id(op) for op in targets), frozenset(feeds))
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()
            plan = self._plans[key] = self._make_plan(tensors, targets, feeds)
        return plan

    def _make_plan(self, tensors, targets, feeds) -> _Plan:
        needed: set = set()
        stack = [t.op for t in tensors if id(t) not in feeds] + list(targets)
        while stack:
            op = stack.pop()
            if id(op) in needed:
                continue
            needed.add(id(op))
            stack.extend(t.op for t in op.inputs if id(t) not in feeds)
            stack.extend(op.control_inputs)
        handles = {id(h): (h, v) for v, h in self._graph.variable_captures}
        ops, used = [], []
        for op in self._graph.get_operations():
            if id(op) not in needed:
                continue
            if op.type != "Placeholder":
                ops.append(op)
                continue
            out = op.outputs[0]
            if id(out) in handles:
                used.append(handles[id(out)])
            elif id(out) not in feeds:
                _missing_feed(op)
        return _Plan(ops, used)

    def _slot(self, var):
        if getattr(var, "_graph", None) is not self._graph:
            return var  # an eager variable used in this graph: its own value is the state
        slot = self._slots.get(id(var))
        if slot is None:
            slot = self._slots[id(var)] = _VariableSlot(var)
        return slot

    def _execute(self, tensors, targets, feeds) -> dict:
        plan = self._plan(tensors, targets, feeds)
        values = dict(feeds)
        for handle, var in plan.handles:
            values[id(handle)] = self._slot(var)
        for op in plan.ops:
            outs = op.outputs
            if op.type == "Const":
                values.setdefault(id(outs[0]), op.attrs["value"])
                continue
            args = [values[id(t)] for t in op.inputs]
            try:
                result = op.prim.kernel(*args, **op.attrs)
            except Exception as e:  # noqa: BLE001 - becomes the TF error naming the node
                raise _node_error(op, args, e) from None
            if op.prim.multiple_results:
                for o, v in zip(outs, result):
                    values.setdefault(id(o), v)
            else:
                values.setdefault(id(outs[0]), result)
        return values


# ---- helpers -----------------------------------------------------------------------------------------------

def _collect(fetches, out: list, target) -> None:
    if isinstance(fetches, collections.abc.Mapping):
        for k in fetches:
            _collect(fetches[k], out, target)
    elif isinstance(fetches, (list, tuple)):
        for x in fetches:
            _collect(x, out, target)
    else:
        out.append(target(fetches))


def _pack(fetches, results):
    """`fetches` with each leaf replaced by the next result (same container types)."""
    if isinstance(fetches, collections.abc.Mapping):
        items = [(k, _pack(fetches[k], results)) for k in fetches]
        try:
            return type(fetches)(items)
        except TypeError:
            return dict(items)
    if isinstance(fetches, tuple) and hasattr(type(fetches), "_fields"):
        return type(fetches)(*[_pack(x, results) for x in fetches])
    if isinstance(fetches, (list, tuple)):
        items = [_pack(x, results) for x in fetches]
        return items if type(fetches) is list else tuple(items) if type(fetches) is tuple else type(fetches)(items)
    return next(results)


def _result(value, fed: bool):
    """What `run` returns for a tensor: a fresh array (a NumPy scalar for a computed 0-d value)."""
    arr = np.array(value, copy=True)
    return arr if fed or arr.ndim else arr[()]


def _by_name(graph: Graph, name: str, allow_op: bool):
    """The tensor "op:0" (or, with allow_op, the op "op") of `graph`; LookupError with TF's message."""
    op_name, sep, index = name.rpartition(":")
    if not sep or not index.isdigit():
        if allow_op and name in graph._by_name:
            return graph._by_name[name]
        if name in graph._by_name:
            raise LookupError(f"The name '{name}' refers to an Operation, not a Tensor. Tensor names must be of the "
                              "form \"<op_name>:<output_index>\".")
        raise LookupError(f"The name '{name}' refers to an Operation not in the graph.")
    op = graph._by_name.get(op_name)
    if op is None:
        raise LookupError(f"The name '{name}' refers to a Tensor which does not exist. The operation, '{op_name}', "
                          "does not exist in the graph.")
    if int(index) >= len(op.outputs):
        raise LookupError(f"The name '{name}' refers to a Tensor which does not exist. The operation '{op_name}' "
                          f"exists but only has {len(op.outputs)} outputs.")
    return op.outputs[int(index)]


def _describe(x) -> str:
    return f'Tensor {x}' if isinstance(x, SymbolicTensor) else f"Operation {x.name!r}"


def _feed_value(t: SymbolicTensor, key, value) -> np.ndarray:
    if isinstance(value, EagerTensor):
        value = value._value
    elif isinstance(value, Tensor) or hasattr(value, "_is_eagerflow_variable"):
        raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed values include Python "
                        "scalars, strings, lists, numpy ndarrays, or TensorHandles. For reference, the tensor object "
                        f"was {value} which was passed to the argument `feed_dict` with key {key}.")
    np_type = t.dtype._np
    try:
        if t.dtype is _dt.string:
            arr = np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(
                np.asarray(value, dtype=object))
        else:
            arr = np.asarray(value, dtype=np_type)
    except OverflowError:
        raise TypeError(f"Type of feed value {value!r} with type {type(value)} is not compatible with Tensor type "
                        f"{np.dtype(np_type).type}. Try explicitly setting the type of the feed tensor to a larger "
                        "type (e.g. int64).") from None
    if not t.shape.is_compatible_with(arr.shape):
        raise ValueError(f"Cannot feed value of shape {arr.shape} for Tensor {t.name}, which has shape {t.shape}")
    return arr


def _missing_feed(op: Operation):
    t = op.outputs[0]
    dims = t.shape.as_tuple()
    shape = "" if not dims else " and shape [" + ",".join("?" if d is None else str(d) for d in dims) + "]"
    message = f"You must feed a value for placeholder tensor '{op.name}' with dtype {tf_name(t.dtype)}{shape}"
    raise _with_node(InvalidArgumentError, op, message)


class _Stub:
    """An input whose dtype and static shape are all an error message needs."""

    def __init__(self, t):
        self.dtype, self.shape = t.dtype, t.shape


def _node_error(op: Operation, args, exc: Exception) -> OpError:
    if isinstance(exc, OpError):
        base = exc
    else:
        inputs = [EagerTensor._make(a, t.dtype) if isinstance(a, np.ndarray) else _Stub(t)
                  for a, t in zip(args, op.inputs)]
        base = op_error(op.prim, inputs, op.attrs, exc)
    return _with_node(type(base), op, _OP_SUFFIX.sub("", str(base)))


def _with_node(cls, op: Operation, message: str) -> OpError:
    """TF's Session error text: where the failing node was defined, then the message."""
    where = f"    {op.traceback_text}\n" if op.source else ""
    text = (f"Graph execution error:\n\nDetected at node '{op.name}' defined at (most recent call last):\n{where}"
            f"Node: '{op.name}'\n{message}\n\t [[{{{{node {op.name}}}}}]]")
    return cls(op.node_def, op, text)
