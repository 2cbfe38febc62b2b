"""tf.Variable: mutable state that tapes watch and functions capture.

A variable holds an immutable EagerTensor and swaps it on assignment, so tensors read earlier keep
their values. Reading under a GradientTape records a ReadVariableOp so gradients reach the
variable; in a graph, reads and assignments become graph nodes (the graph decides how).

>>> import eagerflow as tf
>>> v = tf.Variable([1.0, 2.0])
>>> v.assign_add([1.0, 1.0]).numpy()
array([2., 3.], dtype=float32)
"""
from __future__ import annotations

import itertools

import numpy as np

from . import dtypes as _dt
from .context import _state, init_scope, name_scope, scoped_name
from .errors import InvalidArgumentError
from .shapes import TensorShape, as_shape, format_dims
from .tensor import EagerTensor, Reference, Tensor, convert_to_tensor, get_static_value

__all__ = ["Variable", "VariableSynchronization", "VariableAggregation"]

_uid = itertools.count()


class VariableSynchronization:
    AUTO, NONE, ON_WRITE, ON_READ = 0, 1, 2, 3


class VariableAggregation:
    NONE, SUM, MEAN, ONLY_FIRST_REPLICA = 0, 1, 2, 3


def _dims(shape: TensorShape) -> str:
    return format_dims(shape.as_tuple()).replace("None", "?")


def _delegate(op_name):
    def method(self, *args):
        return getattr(self.value(), op_name)(*args)
    method.__name__ = op_name
    return method


def _initial_tensor(initial_value, dtype) -> EagerTensor:
    """The initial value as an eager tensor: callables are called, dtype= converts Python values only."""
    if callable(initial_value) and not isinstance(initial_value, (Tensor, Variable)):
        initial_value = initial_value()
    if isinstance(initial_value, Variable):
        initial_value = initial_value.value()
    if isinstance(initial_value, Tensor) and dtype is not None and initial_value.dtype is not _dt.as_dtype(dtype):
        raise ValueError(f"initial_value: Tensor conversion requested dtype {_dt.as_dtype(dtype).name} for Tensor "
                         f"with dtype {initial_value.dtype.name}: {initial_value!r}")
    t = convert_to_tensor(initial_value, dtype=dtype)
    if not isinstance(t, EagerTensor) and get_static_value(t) is not None:
        t = EagerTensor(get_static_value(t), t.dtype)  # e.g. tf.Variable(tf.zeros(3)) inside a tf.function
    if not isinstance(t, EagerTensor):
        raise ValueError("tf.Variable initial_value must be computable eagerly (got a symbolic tensor); "
                         "create the variable outside the function or pass a callable.")
    return t


class Variable:
    """A mutable tensor-valued state (TF's `tf.Variable`).

    >>> import eagerflow as tf
    >>> v = tf.Variable(1.0, name="w")
    >>> v.assign_add(2.0) is v, v.numpy(), v.name
    (True, np.float32(3.0), 'w:0')
    """

    _is_eagerflow_variable = True
    __array_priority__ = 100

    def __new__(cls, *args, **kwargs):
        graph = _state.graph
        if cls is Variable and graph is not None and not graph.building_function:
            return object.__new__(GraphVariable)  # TF1: created in a tf.Graph, set by a Session
        return object.__new__(cls)

    def __init__(self, initial_value=None, trainable=None, validate_shape=True, caching_device=None,
                 name=None, variable_def=None, dtype=None, import_scope=None, constraint=None,
                 synchronization=VariableSynchronization.AUTO, aggregation=VariableAggregation.NONE,
                 shape=None, experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` arg to `tf.Variable` must be specified except when you are not "
                             "providing a `variable_def`. You provided neither.")
        st = _state
        for hook in st.variable_hooks:
            hook(self)  # tf.function: variables may only be created on the first trace
        self._init_metadata(name, trainable, constraint, synchronization, aggregation)
        with init_scope():  # initial values are computed eagerly, even while tracing
            t = _initial_tensor(initial_value, dtype)
        self._dtype = t.dtype
        self._shape = t.shape
        if shape is not None:
            self._shape = as_shape(shape)
            if not self._shape.is_compatible_with(t.shape):
                raise ValueError(f"In this `tf.Variable` creation, the initial value's shape ({t.shape}) is not "
                                 f"compatible with the explicitly supplied `shape` argument ({shape}).")
        self._tensor = EagerTensor._make(np.array(t._value, copy=True), t.dtype)

    def _init_metadata(self, name, trainable, constraint, synchronization, aggregation) -> None:
        base = name if name is not None else "Variable"
        self._name = scoped_name(base) + ":0"
        self._unique_id = next(_uid)
        self._trainable = True if trainable is None else bool(trainable)
        if synchronization == VariableSynchronization.ON_READ and trainable is None:
            self._trainable = False
        self._constraint = constraint
        self._aggregation = aggregation
        self._synchronization = synchronization

    # ---- identity and metadata -----------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def aggregation(self):
        return self._aggregation

    @property
    def synchronization(self):
        return self._synchronization

    @property
    def device(self) -> str:
        return self._tensor.device

    @property
    def ndim(self) -> int:
        return self._tensor._value.ndim

    def get_shape(self) -> TensorShape:
        return self._shape

    def ref(self) -> Reference:
        """A hashable handle comparing by identity (for dict keys and sets)."""
        return Reference(self)

    experimental_ref = ref

    def __hash__(self):
        raise TypeError(f"Variable is unhashable. Instead, use variable.ref() as the key. (Variable: {self!r})")

    # ---- reading --------------------------------------------------------------------------------------
    def value(self) -> Tensor:
        """The current value as a tensor (recorded as a read by tapes and graphs)."""
        st = _state
        graph = st.graph
        if graph is not None:
            t = graph.read_variable(self)
        else:
            t = self._tensor
            if not st.tapes:
                return t
            t = EagerTensor._make(t._value, t._dtype)  # a fresh tensor per read, for the tape
        for tape in st.tapes:
            tape._record_variable_read(self, t)
        return t

    def read_value(self) -> Tensor:
        return self.value()

    def numpy(self):
        return self._tensor.numpy()

    def __tf_tensor__(self, dtype=None, name=None):
        if dtype is not None and _dt.as_dtype(dtype) is not self._dtype:
            raise ValueError(f"Incompatible type conversion requested to type {_dt.as_dtype(dtype).name} for "
                             f"`tf.Variable of type {self._dtype.name}. (Variable: {self!r})")
        return self.value()

    def __array__(self, dtype=None, copy=None):
        return self._tensor.__array__(dtype, copy)

    # ---- writing --------------------------------------------------------------------------------------
    def _checked(self, value) -> Tensor:
        """`value` as a tensor of the variable's dtype: Python values are converted, tensors must match."""
        if isinstance(value, (Tensor, Variable)):
            if value.dtype is not self._dtype:
                shown = value.value() if isinstance(value, Variable) else value
                raise ValueError(f"Tensor conversion requested dtype {self._dtype.name} for Tensor with dtype "
                                 f"{value.dtype.name}: {shown!r}")
            return value.value() if isinstance(value, Variable) else value
        return convert_to_tensor(value, dtype=self._dtype)

    def _write(self, kind: str, value, read_value: bool):
        t = self._checked(value)
        if kind == "assign":
            if not self._shape.is_compatible_with(t.shape):
                raise ValueError(f"Cannot assign value to variable '{self._name}': Shape mismatch. The variable "
                                 f"shape {self._shape}, and the assigned value shape {t.shape} are incompatible.")
        else:
            current = self._tensor.shape
            if t.shape.as_tuple() is not None and t.shape != current and t.shape.is_fully_defined():
                op = "AssignAddVariableOp" if kind == "assign_add" else "AssignSubVariableOp"
                raise InvalidArgumentError(None, None, f"Cannot update variable with shape {_dims(current)} using a "
                                           f"Tensor with shape {_dims(t.shape)}, shapes must be equal. [Op:{op}]")
        graph = _state.graph
        if graph is not None:
            return graph.assign_variable(self, t, kind, read_value)
        if kind == "assign":
            new = t._value
        elif kind == "assign_add":
            new = np.add(self._tensor._value, t._value)
        else:
            new = np.subtract(self._tensor._value, t._value)
        self._tensor = EagerTensor._make(np.array(new, dtype=self._dtype._np), self._dtype)
        return self if read_value else None

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Sets the value; returns the variable (None with `read_value=False`, as TF)."""
        return self._write("assign", value, read_value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Adds `delta` (same shape and dtype) to the value; returns the variable."""
        return self._write("assign_add", delta, read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtracts `delta` (same shape and dtype) from the value; returns the variable."""
        return self._write("assign_sub", delta, read_value)

    # ---- Python protocol: behave like the current value ------------------------------------------------
    for _op in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
                "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__", "__rpow__",
                "__matmul__", "__rmatmul__", "__neg__", "__abs__", "__lt__", "__le__", "__gt__",
                "__ge__", "__and__", "__rand__", "__or__", "__ror__", "__xor__", "__rxor__", "__invert__",
                "__getitem__", "__bool__", "__int__", "__float__", "__iter__"):
        locals()[_op] = _delegate(_op)
    del _op

    def __eq__(self, other):
        """Elementwise, as TF 2 (use `v.ref()` or `is` for identity)."""
        return self.value().__eq__(other.value() if isinstance(other, Variable) else other)

    def __ne__(self, other):
        return self.value().__ne__(other.value() if isinstance(other, Variable) else other)

    def __format__(self, spec):
        return str(self) if not spec else format(self._tensor, spec)

    def __repr__(self):
        t = self._tensor
        return (f"<tf.Variable '{self._name}' shape={self._shape} dtype={self._dtype.name}, "
                f"numpy={t._numpy_text(True)}>")

    def __str__(self):
        return self.__repr__()

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        v = Variable(self._tensor, trainable=self._trainable, name=self._name[:-2])
        memo[id(self)] = v
        return v


class GraphVariable(Variable):
    """A variable created in a TF1-style `tf.Graph`: it has no value until a Session runs its initializer.

    Creating it adds a resource handle, an initial-value subgraph, an `initializer` op
    (AssignVariableOp) and a read for fetching; each `tf.compat.v1.Session` keeps its own value.

    >>> import eagerflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     w = tf.Variable([1.0, 2.0], name="w")
    >>> w
    <tf.Variable 'w:0' shape=(2,) dtype=float32>
    >>> with tf.compat.v1.Session(graph=g) as sess:
    ...     _ = sess.run(w.initializer)
    ...     print(sess.run(w))
    [1. 2.]
    """

    def __init__(self, initial_value=None, trainable=None, validate_shape=True, caching_device=None,
                 name=None, variable_def=None, dtype=None, import_scope=None, constraint=None,
                 synchronization=VariableSynchronization.AUTO, aggregation=VariableAggregation.NONE,
                 shape=None, experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` arg to `tf.Variable` must be specified except when you are not "
                             "providing a `variable_def`. You provided neither.")
        graph = self._graph = _state.graph
        self._init_metadata(name, trainable, constraint, synchronization, aggregation)
        self._tensor = None  # the values live in each Session
        with name_scope(name if name is not None else "Variable") as scope:  # a unique name in the graph
            self._name = scope[:-1] + ":0"
            with name_scope("Initializer"):
                if callable(initial_value) and not isinstance(initial_value, (Tensor, Variable)):
                    initial_value = initial_value()
                init = initial_value.value() if isinstance(initial_value, Variable) else initial_value
                if isinstance(init, Tensor) and dtype is not None and init.dtype is not _dt.as_dtype(dtype):
                    raise ValueError(f"initial_value: Tensor conversion requested dtype {_dt.as_dtype(dtype).name} "
                                     f"for Tensor with dtype {init.dtype.name}: {init!r}")
                init = convert_to_tensor(init, dtype=dtype)
            self._dtype, self._shape = init.dtype, init.shape
            if shape is not None:
                self._shape = as_shape(shape)
                if not self._shape.is_compatible_with(init.shape):
                    raise ValueError(f"In this `tf.Variable` creation, the initial value's shape ({init.shape}) is "
                                     f"not compatible with the explicitly supplied `shape` argument ({shape}).")
            self._initial_value = init
            graph.capture_variable(self)  # the resource handle, named as the variable
            self._initializer_op = graph.assign_variable(self, init, "assign", read_value=False, name="Assign")
            with name_scope("Read"):
                self._graph_element = graph.read_variable(self)

    @property
    def graph(self):
        return self._graph

    @property
    def initializer(self):
        """The op that sets the variable to its initial value when a Session runs it."""
        return self._initializer_op

    @property
    def initial_value(self) -> Tensor:
        return self._initial_value

    @property
    def op(self):
        """The variable's resource handle op."""
        return self._graph_element.op.inputs[0].op

    @property
    def device(self) -> str:
        return self.op.device or ""

    @property
    def ndim(self) -> int:
        return self._shape.rank

    def _in_graph(self):
        """The graph being built, when it is this variable's graph (or a function traced inside it)."""
        graph = _state.graph
        g = graph
        while g is not None and g is not self._graph:
            g = g.outer_graph
        if g is None:
            where = "eagerly" if graph is None else "in another graph"
            raise ValueError(f"Variable '{self._name}' belongs to a tf.Graph and cannot be used {where}: use it "
                             "while that graph is the default (`with graph.as_default():`) and run the result "
                             "with tf.compat.v1.Session.")
        return graph

    def value(self) -> Tensor:
        graph = self._in_graph()
        t = graph.read_variable(self)
        for tape in _state.tapes:
            tape._record_variable_read(self, t)
        return t

    def numpy(self):
        raise NotImplementedError("numpy() is only available when eager execution is enabled.")

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(f"Cannot convert the graph variable '{self._name}' to a numpy array: it has a "
                                  "value only inside a tf.compat.v1.Session (use sess.run(variable)).")

    def _write(self, kind: str, value, read_value: bool):
        graph = self._in_graph()
        t = self._checked(value)
        if not self._shape.is_compatible_with(t.shape):
            raise ValueError(f"Cannot assign value to variable '{self._name}': Shape mismatch. The variable "
                             f"shape {self._shape}, and the assigned value shape {t.shape} are incompatible.")
        return graph.assign_variable(self, t, kind, read_value)

    def __repr__(self):
        return f"<tf.Variable '{self._name}' shape={self._shape} dtype={self._dtype.name}>"

    def __deepcopy__(self, memo):
        raise NotImplementedError("deepcopy() is only available when eager execution is enabled.")
