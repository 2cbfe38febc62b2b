"""`tf.compat.v1`: enough of TF1's graph-and-session model to run a small TF1 program.

TF1 builds a graph first and runs it later through a Session; TF2 runs ops as they are called.
The contrast, side by side::

    # TF1: build, then run                          # TF2: just run
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, (None, 3), name="x")
        W = tf.Variable(tf.ones((3, 2)))           W = tf.Variable(tf.ones((3, 2)))
        y = tf.matmul(x, W)                        y = tf.matmul([[1.0, 2.0, 3.0]], W)
        print(y)    # Tensor("MatMul:0", ...)      print(y)    # tf.Tensor([[6. 6.]], ...)
        init = tf.compat.v1.global_variables_initializer()
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(init)
        print(sess.run(y, {x: [[1.0, 2.0, 3.0]]}))  # [[6. 6.]]

`disable_eager_execution()` makes a global default graph the place ops go (in this thread and in
threads started later), as TF1 did. Unlike TF, `enable_eager_execution()` may switch back at any time
outside `as_default()` blocks (handy for teaching and tests). Names not defined here (tf.compat.v1.matmul,
...) are eagerflow's own.

>>> import eagerflow as tf
>>> with tf.Graph().as_default():
...     x = tf.compat.v1.placeholder(tf.float32, shape=(None, 3), name="x")
...     y = x + 1.0
...     print(y)
...     with tf.compat.v1.Session() as sess:
...         print(sess.run(y, feed_dict={"x:0": [[1.0, 2.0, 3.0]]}))
Tensor("add:0", shape=(None, 3), dtype=float32)
[[2. 3. 4.]]
"""
from __future__ import annotations

import math

import eagerflow as _root  # the package being initialized: names are looked up on use (module __getattr__)

from .. import dtypes as _dt
from ..api.deps import group, no_op
from ..context import _state, executing_eagerly, settings
from ..graph.ir import Graph
from ..ops import array as _array, random as _random
from ..shapes import as_shape
from ..tensor import Tensor, constant
from ..variables import GraphVariable, Variable as _Variable, VariableAggregation, VariableSynchronization
from .session import Session, get_default_graph

__all__ = ["disable_eager_execution", "enable_eager_execution", "disable_v2_behavior", "enable_v2_behavior",
           "executing_eagerly", "get_default_graph", "reset_default_graph", "placeholder", "Session", "Variable",
           "get_variable", "global_variables", "trainable_variables", "global_variables_initializer",
           "variables_initializer", "initialize_all_variables", "local_variables", "local_variables_initializer",
           "zeros_initializer", "ones_initializer", "constant_initializer", "random_normal_initializer",
           "random_uniform_initializer", "glorot_uniform_initializer"]


# ---- eager or graph --------------------------------------------------------------------------------------

def disable_eager_execution() -> None:
    """TF1 mode: ops go into the default graph and run only through a Session."""
    with settings.lock:
        settings.eager_disabled = True
        if settings.default_graph is None:
            settings.default_graph = Graph()
    if _state.graph is None:
        _state.graph = settings.default_graph


def enable_eager_execution(config=None, device_policy=None, execution_mode=None) -> None:
    """Back to eager execution (TF2's default) in this thread; not inside a `Graph.as_default()` block."""
    if not settings.eager_disabled:
        return
    if _state.graph is not None and _state.graph is not settings.default_graph:
        raise ValueError("tf.enable_eager_execution must be called outside any `with graph.as_default():` block.")
    settings.eager_disabled = False
    _state.graph = None


def disable_v2_behavior() -> None:
    """TF1 behaviour: here, graph mode (`disable_eager_execution`)."""
    disable_eager_execution()


def enable_v2_behavior() -> None:
    enable_eager_execution()


def reset_default_graph() -> None:
    """Replaces the global default graph with a new, empty one (not allowed inside `as_default()`)."""
    current = _state.graph
    if current is not None and current is not settings.default_graph:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you need a cleared "
                             "graph, exit the nesting and create a new graph.")
    with settings.lock:
        settings.default_graph = Graph()
    if current is not None:
        _state.graph = settings.default_graph


def placeholder(dtype, shape=None, name=None) -> Tensor:
    """A graph input fed through `Session.run(..., feed_dict={placeholder: value})`.

    `shape` may have None dims (any size) or be None (any shape).
    """
    graph = _state.graph
    if graph is None:
        raise RuntimeError("tf.placeholder() is not compatible with eager execution.")
    dims = None if shape is None else as_shape(shape)
    return graph.placeholder(_dt.as_dtype(dtype), dims, name=name or "Placeholder")


# ---- variables ------------------------------------------------------------------------------------------

def Variable(initial_value=None, trainable=None, collections=None, validate_shape=True,  # noqa: N802 - TF's name
             caching_device=None, name=None, variable_def=None, dtype=None, expected_shape=None, import_scope=None,
             constraint=None, use_resource=None, synchronization=VariableSynchronization.AUTO,
             aggregation=VariableAggregation.NONE, shape=None):
    """TF1's `tf.compat.v1.Variable`: a `tf.Variable` (TF1-only arguments accepted and ignored)."""
    return _Variable(initial_value, trainable=trainable, validate_shape=validate_shape, name=name, dtype=dtype,
                     constraint=constraint, synchronization=synchronization, aggregation=aggregation,
                     shape=shape if shape is not None else expected_shape)


def _graph_variables(graph) -> list:
    return [v for v, _ in graph.variable_captures if isinstance(v, GraphVariable) and v.graph is graph]


def global_variables(scope=None) -> list:
    """The variables created in the default graph, in creation order (eagerly: none)."""
    graph = _state.graph
    found = [] if graph is None else _graph_variables(graph)
    return [v for v in found if scope is None or v.name.startswith(scope)]


def trainable_variables(scope=None) -> list:
    return [v for v in global_variables(scope) if v.trainable]


def local_variables(scope=None) -> list:
    return []


def variables_initializer(var_list, name: str = "init"):
    """One op running the initializers of `var_list` (a NoOp when it is empty; None eagerly)."""
    if executing_eagerly():
        return None
    ops = [v.initializer for v in var_list]
    return group(*ops, name=name) if ops else no_op(name=name)


def global_variables_initializer():
    """The op that initializes every variable of the default graph (run it first in each Session)."""
    return variables_initializer(global_variables())


def initialize_all_variables():
    """Old name of `global_variables_initializer`."""
    return global_variables_initializer()


def local_variables_initializer():
    return variables_initializer(local_variables())


def get_variable(name, shape=None, dtype=_dt.float32, initializer=None, regularizer=None, trainable=None,
                 collections=None, caching_device=None, partitioner=None, validate_shape=True, use_resource=None,
                 custom_getter=None, constraint=None, synchronization=VariableSynchronization.AUTO,
                 aggregation=VariableAggregation.NONE):
    """A new variable `name` made by `initializer(shape, dtype)` (Glorot uniform by default, zeros for ints).

    Variable scopes and reuse are not supported: a second variable of the same name is a ValueError.
    """
    dtype = _dt.as_dtype(dtype)
    graph = _state.graph
    if graph is not None and any(v.name == f"{name}:0" for v in _graph_variables(graph)):
        raise ValueError(f"Variable {name} already exists, disallowed. Did you mean to set reuse=True or "
                         "reuse=tf.AUTO_REUSE in VarScope?")
    if initializer is None:
        initializer = glorot_uniform_initializer() if dtype.is_floating else zeros_initializer()
    if callable(initializer) and not isinstance(initializer, Tensor):
        if shape is None:
            raise ValueError(f"The shape of the new variable {name} must be fully defined when an initializer "
                             "function is given, but it is None.")
        dims = tuple(as_shape(shape).as_list())

        def initial_value():
            return initializer(dims, dtype=dtype)
    else:
        if shape is not None:
            raise ValueError("If initializer is a constant, do not specify shape.")
        initial_value = initializer
    return _Variable(initial_value, trainable=trainable, name=name, dtype=dtype, constraint=constraint,
                     synchronization=synchronization, aggregation=aggregation)


# ---- TF1 initializers (callables: initializer(shape, dtype=None)) -------------------------------------------

class _Initializer:
    def __init__(self, dtype=_dt.float32, seed=None):
        self.dtype = _dt.as_dtype(dtype)
        self.seed = seed

    def __call__(self, shape, dtype=None, partition_info=None):
        return self._make(tuple(shape), _dt.as_dtype(dtype) if dtype is not None else self.dtype)

    def __repr__(self):
        return f"<{type(self).__name__}>"


class zeros_initializer(_Initializer):  # noqa: N801 - TF's names
    def _make(self, shape, dtype):
        return _array.zeros(shape, dtype)


class ones_initializer(_Initializer):  # noqa: N801
    def _make(self, shape, dtype):
        return _array.ones(shape, dtype)


class constant_initializer(_Initializer):  # noqa: N801
    def __init__(self, value=0, dtype=_dt.float32, verify_shape=False):
        super().__init__(dtype)
        self.value = value

    def _make(self, shape, dtype):
        return constant(self.value, dtype=dtype, shape=shape)


class random_normal_initializer(_Initializer):  # noqa: N801
    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=_dt.float32):
        super().__init__(dtype, seed)
        self.mean, self.stddev = mean, stddev

    def _make(self, shape, dtype):
        return _random.normal(shape, self.mean, self.stddev, dtype=dtype, seed=self.seed)


class random_uniform_initializer(_Initializer):  # noqa: N801
    def __init__(self, minval=-0.05, maxval=0.05, seed=None, dtype=_dt.float32):
        super().__init__(dtype, seed)
        self.minval, self.maxval = minval, maxval

    def _make(self, shape, dtype):
        return _random.uniform(shape, self.minval, self.maxval, dtype=dtype, seed=self.seed)


class glorot_uniform_initializer(_Initializer):  # noqa: N801
    """Uniform in +-sqrt(6 / (fan_in + fan_out)), the default of `get_variable`."""

    def _make(self, shape, dtype):
        if len(shape) < 1:
            fan_in = fan_out = 1
        elif len(shape) == 1:
            fan_in = fan_out = shape[0]
        else:
            receptive = math.prod(shape[:-2])
            fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
        limit = math.sqrt(6.0 / max(1.0, fan_in + fan_out))
        return _random.uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)


def __getattr__(name: str):
    """The rest of tf.compat.v1 is eagerflow's own namespace (tf.compat.v1.matmul is tf.matmul)."""
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return getattr(_root, name)
    except AttributeError:
        raise AttributeError(f"module 'eagerflow.compat.v1' has no attribute '{name}'") from None

