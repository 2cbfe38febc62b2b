"""FuncGraph: the graph of one traced function, with inputs, outputs and captures.

Values from outside that the function uses become *captures*: a placeholder inside the graph
standing for the external value, fed at call time. Eager tensors are captured by value (they are
immutable); variables are captured as `resource` placeholders that ReadVariableOp/Assign*VariableOp
nodes read and write at run time, so each call sees the variable's current value. Symbolic tensors of
an enclosing graph (a function traced while another is being traced, or a control-flow branch) are
captured through every graph in between.

`inputs` lists the argument placeholders first, then one placeholder per capture in capture order
(as TF's `FuncGraph.inputs`).
"""
from __future__ import annotations

from .. import nest
from ..errors import InaccessibleTensorError
from ..tensor import EagerTensor, Tensor
from .ir import Graph, SymbolicTensor, placeholder_p

__all__ = ["FuncGraph"]


class FuncGraph(Graph):
    """A Graph with a signature: `inputs`, `outputs`, `structured_outputs` and captures."""

    building_function = True

    def __init__(self, name: str, outer_graph=None):
        super().__init__()
        self.name = name
        self.outer_graph = outer_graph
        self.inputs: list = []
        self.outputs: list = []
        self.structured_outputs = None
        self.structured_input_signature = None
        self._tensor_captures: dict = {}   # id(external tensor) -> (external, internal)
        self._capture_order: list = []     # [(external, internal)] tensors and variables

    # ---- captures --------------------------------------------------------------------------------------
    def capture(self, value) -> SymbolicTensor:
        """The placeholder standing for an eager tensor or an enclosing graph's tensor."""
        if isinstance(value, SymbolicTensor):
            if value.graph is self:
                return value
            owner = value.graph
            if not any(g is owner for g in self._ancestors()):
                raise InaccessibleTensorError(
                    f"{value!r} is out of scope and cannot be used here: it was defined in another function or "
                    f"graph ({getattr(owner, 'name', 'a tf.Graph')}), not in '{self.name}' or a function "
                    "enclosing it. Return it from that function instead of keeping a reference.")
            if self.outer_graph is not owner:
                value = self.outer_graph.capture(value)  # capture through the graphs in between
        elif not isinstance(value, EagerTensor):
            if isinstance(value, Tensor):
                return value
            raise TypeError(f"Expected a tensor in function '{self.name}', got {value!r} "
                            f"({type(value).__name__})")
        entry = self._tensor_captures.get(id(value))
        if entry is not None:
            return entry[1]
        internal = self.add_op(placeholder_p, (), {"dtype": value.dtype, "shape": value.shape.as_tuple()},
                               [value.dtype], [value.shape.as_tuple()], name="capture", scoped=False).outputs[0]
        self._tensor_captures[id(value)] = (value, internal)
        self._on_capture(value, internal)
        return internal

    def _on_capture(self, external, internal) -> None:
        self.inputs.append(internal)
        self._capture_order.append((external, internal))

    @property
    def captures(self) -> list:
        """[(external value, internal placeholder)]: eager tensors, enclosing tensors and variables."""
        return list(self._capture_order)

    @property
    def external_captures(self) -> list:
        return [e for e, _ in self._capture_order]

    @property
    def internal_captures(self) -> list:
        return [i for _, i in self._capture_order]

    @property
    def variables(self) -> tuple:
        """The variables this function reads or writes."""
        return tuple(v for v, _ in self._var_captures.values())

    @property
    def trainable_variables(self) -> tuple:
        return tuple(v for v in self.variables if v.trainable)

    # ---- rewriting support -----------------------------------------------------------------------------
    def empty_like(self) -> "FuncGraph":
        return FuncGraph(self.name, self.outer_graph)

    def finish_copy(self, old: "FuncGraph", env: dict) -> None:
        super().finish_copy(old, env)
        self.inputs = [env[id(t)] for t in old.inputs]
        self.outputs = [env[id(t)] for t in old.outputs]
        self.structured_outputs = nest.pack_sequence_as(
            old.structured_outputs, [None if t is None else env[id(t)] for t in nest.flatten(old.structured_outputs)])
        self.structured_input_signature = old.structured_input_signature
        self._capture_order = [(e, env[id(i)]) for e, i in old._capture_order]
        self._tensor_captures = {id(e): (e, i) for e, i in self._capture_order if isinstance(e, Tensor)}

    def __repr__(self):
        return f"<FuncGraph {self.name!r} ({len(self._ops)} nodes)>"
