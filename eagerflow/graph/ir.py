"""The graph IR: `Graph`, `Operation` (a node) and `SymbolicTensor` (a value in a graph).

A graph is a list of operations in program order. Each operation applies one `Primitive` (the same
objects eager execution uses) to symbolic input tensors and produces symbolic outputs whose dtype
and static shape come from the primitive's rules. Program order is execution order, so stateful
operations (assignments, random, print) run in the order the user wrote them.

A few node types have no eager counterpart: `Placeholder` (a value fed at run time: function
arguments and captured values), `Const`, and the resource-variable ops `ReadVariableOp`,
`AssignVariableOp`, `AssignAddVariableOp`, `AssignSubVariableOp`, whose first input is a captured
variable handle (a `resource` placeholder fed with the Variable object).

>>> import eagerflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     x = tf.constant([1.0, 2.0])
...     y = x * 2.0
>>> [op.type for op in g.get_operations()]
['Const', 'Const', 'Mul']
"""
from __future__ import annotations

import os
import sys

import numpy as np

from .. import dtypes as _dt
from ..context import _state, graph_scope, name_scope
from ..errors import InaccessibleTensorError, InvalidArgumentError, OperatorNotAllowedInGraphError, OpError
from ..primitive import Primitive, describe_inputs, record
from ..shapes import TensorShape, as_shape, format_dims
from ..tensor import EagerTensor, Tensor, raise_symbolic_bool
from . import lint as _lint, printing as _printing

__all__ = ["Graph", "Operation", "SymbolicTensor", "user_source"]

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_NOT_COMPUTED = object()
_STATIC_EVAL_LIMIT = 1 << 16  # elements: get_static_value evaluates small constant subgraphs only


def user_source(depth: int = 2):
    """(file, line, function) of the innermost frame outside the eagerflow package, or None."""
    f = sys._getframe(depth)
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
    if f is None:
        return None
    return (f.f_code.co_filename, f.f_lineno, f.f_code.co_name)


def _norm_shape(s):
    if s is None:
        return None
    return tuple(None if d is None else int(d) for d in s)


def _named_operator(method, op_name: str):
    """`method` (a Tensor operator) run in a name scope `op_name` whose name its result's node takes."""
    def operator(self, *args):
        graph = _state.graph
        if graph is None:
            return method(self, *args)
        with name_scope(op_name) as scope:
            out = method(self, *args)
        if type(out) is SymbolicTensor and out._op.graph is graph and out._op.name.startswith(scope):
            graph._rename(out._op, scope[:-1])
        return out
    operator.__name__ = method.__name__
    return operator


def _handle_name(var, graph) -> str:
    """The resource placeholder's name: the variable's op name (its last part inside functions).

    A variable created in this (TF1) graph reserved its name as a name scope: use it as is.
    """
    name = var.name.split(":")[0]
    if graph.building_function:
        return name.split("/")[-1]
    return name + "/" if getattr(var, "_graph", None) is graph else name


# ---- the symbolic tensor ---------------------------------------------------------------------------

class SymbolicTensor(Tensor):
    """A value in a graph: known dtype, partially known static shape, no data."""

    __slots__ = ("_op", "_index", "_dtype", "_shape", "_consumers", "_static", "__weakref__")

    def __init__(self, op: "Operation", index: int, dtype, shape):
        self._op = op
        self._index = index
        self._dtype = dtype
        # a TensorShape (copied nodes) is immutable and shared as is; tuples from shape rules are normalized
        self._shape = shape if type(shape) is TensorShape else TensorShape._from_tuple(_norm_shape(shape))
        self._consumers: list = []
        self._static = _NOT_COMPUTED

    @property
    def op(self) -> "Operation":
        return self._op

    @property
    def graph(self) -> "Graph":
        return self._op.graph

    @property
    def value_index(self) -> int:
        return self._index

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def name(self) -> str:
        return f"{self._op.name}:{self._index}"

    @property
    def device(self) -> str:
        return self._op.device or ""

    def consumers(self) -> list:
        """The operations that use this tensor as an input, in program order."""
        return list(self._consumers)

    def set_shape(self, shape) -> None:
        """Refines the static shape (TF's `Tensor.set_shape`); incompatible shapes raise ValueError."""
        self._shape = self._shape.merge_with(as_shape(shape))

    # ---- Python protocol: no concrete value while tracing ----------------------------------------
    def __bool__(self):
        raise_symbolic_bool("bool")

    def __iter__(self):
        raise OperatorNotAllowedInGraphError(
            "Iterating over a symbolic `tf.Tensor` is not allowed. Use tf.unstack, or let AutoGraph convert the loop "
            "(tf.function with autograph=True).")

    def __len__(self):
        raise OperatorNotAllowedInGraphError(
            f"len is not well defined for a symbolic Tensor ({self.name}). Please call `x.shape` rather than `len(x)` "
            "for shape information.")

    def __index__(self):
        raise TypeError(f"A symbolic tensor ({self.name}) cannot be used as a Python index or integer; "
                        "its value is only known when the graph runs.")

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy array. This error "
                                  "may indicate that you're trying to pass a Tensor to a NumPy call, which is "
                                  "not supported.")

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self):
        shape = "" if self._shape.rank is None else f", shape={self._shape}"  # TF omits an unknown rank
        return f'Tensor("{self.name}"{shape}, dtype={self._dtype.name})'

    # In a tf.Graph (TF1) tensors compare and hash by identity, so they can key feed_dicts; in function
    # graphs they follow TF2 (elementwise ==, unhashable), as in TF.
    def __eq__(self, other):
        return Tensor.__eq__(self, other) if self._op.graph.building_function else self is other

    def __ne__(self, other):
        return Tensor.__ne__(self, other) if self._op.graph.building_function else self is not other

    def __hash__(self):
        return Tensor.__hash__(self) if self._op.graph.building_function else id(self)

    # Operators name their node as TF does: `x + y` is "add", `x[0]` is "strided_slice".
    for _method, _op_name in (("__add__", "add"), ("__radd__", "add"), ("__sub__", "sub"), ("__rsub__", "sub"),
                              ("__mul__", "mul"), ("__rmul__", "mul"), ("__truediv__", "truediv"),
                              ("__rtruediv__", "truediv"), ("__floordiv__", "floordiv"),
                              ("__rfloordiv__", "floordiv"), ("__mod__", "mod"), ("__rmod__", "mod"),
                              ("__pow__", "pow"), ("__rpow__", "pow"), ("__matmul__", "matmul"),
                              ("__rmatmul__", "matmul"), ("__and__", "and"), ("__rand__", "and"),
                              ("__or__", "or"), ("__ror__", "or"), ("__xor__", "xor"), ("__rxor__", "xor"),
                              ("__getitem__", "strided_slice")):
        locals()[_method] = _named_operator(getattr(Tensor, _method), _op_name)
    del _method, _op_name

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    # ---- static values (tf.get_static_value) ---------------------------------------------------
    def _static_value(self):
        """The value if the graph can tell without running (Const, shapes, small pure subgraphs)."""
        if self._static is _NOT_COMPUTED:
            self._static = _compute_static(self)
        v = self._static
        if v is None:
            return None
        return v[()] if v.ndim == 0 else v.copy()


def _compute_static(t: SymbolicTensor):
    op = t._op
    kind = op.type
    if kind == "Const":
        return op.attrs["value"]
    shape_fn = STATIC_SHAPE_OPS.get(kind)
    if shape_fn is not None:
        return shape_fn(op.inputs[0].shape.as_tuple(), op.attrs)
    if op.prim.kernel is None or op.prim.stateful or kind in STATE_READERS or op.control_inputs:
        return None
    vals = []
    for i in op.inputs:
        if i._static is _NOT_COMPUTED:
            i._static = _compute_static(i)
        if i._static is None or np.size(i._static) > _STATIC_EVAL_LIMIT:
            return None
        vals.append(i._static)
    try:
        out = op.prim.kernel(*vals, **op.attrs)
    except Exception:  # noqa: BLE001 - an op that fails at run time has no static value
        return None
    out = out[t._index] if op.prim.multiple_results else out
    return np.asarray(out)


def _shape_value(dims, attrs):
    if dims is None or None in dims:
        return None
    return np.array(dims, dtype=attrs["out_type"]._np)


def _size_value(dims, attrs):
    if dims is None or None in dims:
        return None
    return np.array(int(np.prod(dims, dtype=np.int64)), dtype=attrs["out_type"]._np)


def _rank_value(dims, attrs):
    return None if dims is None else np.array(len(dims), dtype=np.int32)


# Ops whose value follows from their input's static shape alone.
STATIC_SHAPE_OPS = {"Shape": _shape_value, "Size": _size_value, "Rank": _rank_value}


# ---- graph-only primitives ------------------------------------------------------------------------

def _attr_dtype(*_, dtype, **__):
    return dtype


def _attr_shape(*_, shape, **__):
    return shape


def _const_shape(*, value, dtype):
    return np.shape(value)


def _read_variable_kernel(var, *, dtype, shape):
    return var._tensor._value


def _fit_to_variable(var, value):
    """The new value as the variable's dtype and shape (broadcast as eager assignment does)."""
    arr = np.asarray(value, dtype=var._dtype._np)
    dims = var._shape.as_tuple()
    if dims is not None and None not in dims and arr.shape != dims:
        try:
            arr = np.broadcast_to(arr, dims).copy()
        except ValueError:
            raise InvalidArgumentError(None, None, f"Cannot update variable '{var.name}' with shape "
                                       f"{format_dims(dims)} using a value of shape {format_dims(arr.shape)}"
                                       " [Op:AssignVariableOp]") from None
    return arr


def _assign_kernel(var, value):
    var._tensor = EagerTensor._make(_fit_to_variable(var, value), var._dtype)
    return ()


def _assign_add_kernel(var, delta):
    var._tensor = EagerTensor._make(_fit_to_variable(var, np.add(var._tensor._value, delta)), var._dtype)
    return ()


def _assign_sub_kernel(var, delta):
    var._tensor = EagerTensor._make(_fit_to_variable(var, np.subtract(var._tensor._value, delta)), var._dtype)
    return ()


def _no_outputs(*_, **__):
    return []


placeholder_p = Primitive("Placeholder", None, dtype_rule=_attr_dtype, shape_rule=_attr_shape, register=False)
const_p = Primitive("Const", None, dtype_rule=_attr_dtype, shape_rule=_const_shape, register=False)
read_variable_p = Primitive("ReadVariableOp", _read_variable_kernel, dtype_rule=_attr_dtype,
                            shape_rule=_attr_shape, register=False)
ASSIGN_PRIMS = {
    kind: Primitive(name, kernel, dtype_rule=_no_outputs, shape_rule=_no_outputs, multiple_results=True,
                    stateful=True, register=False)
    for kind, name, kernel in (("assign", "AssignVariableOp", _assign_kernel),
                               ("assign_add", "AssignAddVariableOp", _assign_add_kernel),
                               ("assign_sub", "AssignSubVariableOp", _assign_sub_kernel))
}
# Nodes whose output depends on mutable state: never folded, never merged by CSE.
STATE_READERS = frozenset(["ReadVariableOp", "Placeholder"])


# ---- operations ---------------------------------------------------------------------------------------

class Operation:
    """One node: a primitive applied to input tensors, with attributes and output tensors."""

    __slots__ = ("graph", "name", "prim", "inputs", "outputs", "attrs", "control_inputs", "source", "device",
                 "__weakref__")

    def __init__(self, graph, name, prim, inputs, attrs, control_inputs=(), source=None, device=None):
        self.graph = graph
        self.name = name
        self.prim = prim
        self.inputs = tuple(inputs)
        self.attrs = attrs
        self.outputs: tuple = ()
        self.control_inputs = tuple(control_inputs)
        self.source = source
        self.device = device

    @property
    def type(self) -> str:
        return self.prim.name

    @property
    def stateful(self) -> bool:
        return self.prim.stateful

    def values(self) -> tuple:
        return self.outputs

    def get_attr(self, name: str):
        try:
            return self.attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self.name}' has no attr named '{name}'.") from None

    @property
    def node_def(self) -> "_printing.NodeDef":
        return _printing.node_def(self)

    @property
    def traceback_text(self) -> str:
        """`File "x.py", line 3, in f`: where the user created this node (empty if unknown)."""
        if self.source is None:
            return ""
        return f'File "{self.source[0]}", line {self.source[1]}, in {self.source[2]}'

    def __repr__(self):
        return f"<tf.Operation '{self.name}' type={self.type}>"


# ---- the graph ------------------------------------------------------------------------------------------

class Graph:
    """A dataflow graph of operations in program order (TF's `tf.Graph`)."""

    building_function = False  # True for FuncGraph: init_scope lifts out of function graphs only

    def __init__(self):
        self._ops: list = []
        self._by_name: dict = {}
        self._names_in_use: dict = {}   # lower-cased name -> uses (TF compares names case-insensitively)
        self._var_captures: dict = {}   # id(variable) -> (variable, resource placeholder)
        self.outer_graph = None
        self._forced_source = None      # set by replay: copied nodes keep their original source line

    # ---- building ---------------------------------------------------------------------------------
    def unique_name(self, base: str, scoped: bool = True) -> str:
        """`base` under the current name scope, marked as used; suffixed `_1`, `_2`... if taken.

        As TF, names compare case-insensitively ("add" then "Add" gives "Add_1"), name scopes take
        names too, and a name ending in "/" is used as is (without the slash).
        """
        used = self._names_in_use
        if base.endswith("/"):
            used.setdefault(base[:-1].lower(), 1)
            return base[:-1]
        ns = _state.name_scope if scoped else ""
        name = f"{ns}/{base}" if ns else base
        key = name.lower()
        i = used.get(key, 0)
        used[key] = i + 1
        if i == 0:
            return name
        while f"{key}_{i}" in used:
            i += 1
        used[f"{key}_{i}"] = 1
        return f"{name}_{i}"

    def _rename(self, op: "Operation", name: str) -> None:
        """Gives `op` a name reserved earlier with unique_name (an operator's scope name)."""
        del self._by_name[op.name]
        op.name = name
        self._by_name[name] = op

    def add_op(self, prim: Primitive, inputs, attrs: dict, dtypes, shapes, *, name=None, control_inputs=(),
               source=None, scoped=True) -> Operation:
        """Appends a node with known output dtypes/shapes (no rule is run; passes and bind use it)."""
        if source is None:
            source = self._forced_source or user_source(3)
        op = Operation(self, self.unique_name(name or prim.name, scoped), prim, inputs, attrs, control_inputs,
                       source, _state.device or "")
        op.outputs = tuple(SymbolicTensor(op, i, d, s) for i, (d, s) in enumerate(zip(dtypes, shapes)))
        for t in op.inputs:
            t._consumers.append(op)
        self._ops.append(op)
        self._by_name[op.name] = op
        return op

    def bind(self, prim: Primitive, args, attrs: dict):
        """What `bind()` does while this graph is being built: shape/dtype inference and a new node."""
        inputs = [a if type(a) is SymbolicTensor and a._op.graph is self else self.capture(a) for a in args]
        try:
            dtypes, shapes = prim.abstract_eval([t._dtype for t in inputs],
                                                [t._shape.as_tuple() for t in inputs], attrs)
        except OpError:
            raise
        except Exception as e:  # a rule that cannot handle these (possibly unknown) shapes
            raise InvalidArgumentError(None, None, f"shape inference for {prim.name} failed on inputs "
                                       f"({describe_inputs(inputs)}): {type(e).__name__}: {e} "
                                       f"[Op:{prim.name}]") from e
        st = _state
        ctrl = tuple(_as_op(c) for c in st.control_deps) if st.control_deps else ()
        op = self.add_op(prim, inputs, attrs, dtypes, shapes, control_inputs=ctrl)
        outs = op.outputs
        if st.tapes and prim.grad is not None:
            record(st.tapes, prim, tuple(args), attrs, outs)
        return outs if prim.multiple_results else outs[0]

    def constant(self, value: np.ndarray, dtype, name="Const") -> SymbolicTensor:
        """A Const node holding `value` (already converted to `dtype`'s NumPy type)."""
        value = np.asarray(value)
        return self.add_op(const_p, (), {"value": value, "dtype": dtype}, [dtype], [value.shape],
                           name=name or "Const").outputs[0]

    def placeholder(self, dtype, shape=None, name="Placeholder") -> SymbolicTensor:
        shape = _norm_shape(as_shape(shape).as_tuple()) if shape is not None else None
        return self.add_op(placeholder_p, (), {"dtype": dtype, "shape": shape}, [dtype], [shape],
                           name=name or "Placeholder").outputs[0]

    def capture(self, value) -> SymbolicTensor:
        """A tensor of this graph standing for `value` from elsewhere (a plain Graph embeds constants)."""
        if isinstance(value, EagerTensor):
            return self.constant(value._value, value._dtype)
        if isinstance(value, SymbolicTensor):
            raise InaccessibleTensorError(
                f"{value!r} must be from the same graph as the operation using it: it belongs to another "
                "graph (a tensor leaked out of a tf.function or a different tf.Graph).")
        if isinstance(value, Tensor):
            return value
        raise TypeError(f"Expected a tensor in the graph, got {value!r} ({type(value).__name__})")

    # ---- variables -------------------------------------------------------------------------------------
    def capture_variable(self, var) -> SymbolicTensor:
        """The resource placeholder standing for `var` in this graph (created once per variable)."""
        entry = self._var_captures.get(id(var))
        if entry is not None:
            return entry[1]
        handle = self.add_op(placeholder_p, (), {"dtype": _dt.resource, "shape": ()}, [_dt.resource], [()],
                             name=_handle_name(var, self), scoped=False).outputs[0]
        self._var_captures[id(var)] = (var, handle)
        self._on_capture(var, handle)
        return handle

    def _on_capture(self, external, internal) -> None:
        """Hook for FuncGraph: records a new capture as a function input."""

    def read_variable(self, var) -> SymbolicTensor:
        handle = self.capture_variable(var)
        return self.add_op(read_variable_p, (handle,), {"dtype": var.dtype, "shape": var.shape.as_tuple()},
                           [var.dtype], [var.shape.as_tuple()], control_inputs=_control_deps()).outputs[0]

    def assign_variable(self, var, value: Tensor, kind: str, read_value: bool, name=None):
        """Adds an Assign*VariableOp; returns the variable (reads after it see the new value) or None.

        In a tf.Graph (TF1), a read that runs after the assignment, or the assign op itself.
        """
        handle = self.capture_variable(var)
        if not (type(value) is SymbolicTensor and value._op.graph is self):
            value = self.capture(value)
        op = self.add_op(ASSIGN_PRIMS[kind], (handle, value), {}, [], [], name=name, control_inputs=_control_deps())
        if not self.building_function:  # TF1: a Session runs only what fetches need, so hand out the op
            return self.add_op(read_variable_p, (handle,), {"dtype": var.dtype, "shape": var.shape.as_tuple()},
                               [var.dtype], [var.shape.as_tuple()], control_inputs=(op,)).outputs[0] \
                if read_value else op
        return var if read_value else None

    @property
    def variable_captures(self) -> list:
        """[(variable, resource placeholder)] in capture order."""
        return list(self._var_captures.values())

    # ---- queries ---------------------------------------------------------------------------------------
    def get_operations(self) -> list:
        return list(self._ops)

    def get_operation_by_name(self, name: str) -> Operation:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"The name '{name}' refers to an Operation not in the graph.") from None

    def get_tensor_by_name(self, name: str) -> SymbolicTensor:
        op_name, sep, index = name.rpartition(":")
        if not sep or not index.isdigit():
            raise ValueError(f"The name '{name}' looks like an (invalid) Operation name, not a Tensor. Tensor "
                             "names must be of the form \"<op_name>:<output_index>\".")
        op = self.get_operation_by_name(op_name)
        if int(index) >= len(op.outputs):
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The operation "
                           f"'{op_name}' exists but only has {len(op.outputs)} outputs.")
        return op.outputs[int(index)]

    def users(self, tensor: SymbolicTensor) -> list:
        """Operations consuming `tensor` (same as `tensor.consumers()`)."""
        return tensor.consumers()

    def __len__(self) -> int:
        return len(self._ops)

    def as_default(self):
        """Context manager making this the graph that ops are added to."""
        return graph_scope(self)

    def as_graph_def(self) -> "_printing.GraphDef":
        """A plain record of the nodes (`.node`: name, op, input, attr, device)."""
        return _printing.graph_def(self)

    def pretty(self, source: bool = False) -> str:
        """One line per node, like a jaxpr: `%3 = MatMul(%x, %w) {transpose_a=False} : float32[2,4]`."""
        return _printing.pretty(self, source=source)

    def __str__(self) -> str:
        return self.pretty()

    def lint(self) -> "Graph":
        """Checks program order, single assignment, users and every node's dtype/shape rule."""
        _lint.lint(self)
        return self

    # ---- rewriting support (passes) ------------------------------------------------------------------------
    def empty_like(self) -> "Graph":
        """A new graph of the same kind with the same signature, no nodes (for passes)."""
        g = type(self).__new__(type(self))
        Graph.__init__(g)
        g.outer_graph = self.outer_graph
        return g

    def finish_copy(self, old: "Graph", env: dict) -> None:
        """After a rewrite: maps `old`'s captures (and, in FuncGraph, signature) onto this graph."""
        for var, handle in old._var_captures.values():
            new = env.get(id(handle))
            if new is not None:
                self._var_captures[id(var)] = (var, new)

    def copy_op(self, op: Operation, inputs, control_inputs=()) -> Operation:
        """A copy of `op` (same primitive, attrs, shapes, name, source) reading `inputs`."""
        new = self.add_op(op.prim, inputs, op.attrs, [o._dtype for o in op.outputs],
                          [o._shape for o in op.outputs], name=op.name, control_inputs=control_inputs,
                          source=op.source, scoped=False)
        new.device = op.device
        return new

    def _ancestors(self):
        g = self.outer_graph
        while g is not None:
            yield g
            g = g.outer_graph


def _as_op(x):
    return x if isinstance(x, Operation) else x.op


def _control_deps():
    st = _state
    return tuple(_as_op(c) for c in st.control_deps) if st.control_deps else ()
