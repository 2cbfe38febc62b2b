"""The graph of a functional model: the nodes between its inputs and outputs, and how to replay them.

`FunctionalGraph(inputs, outputs)` walks `_keras_history` back from the outputs, orders the nodes by
depth (inputs deepest, outputs at depth 0; ties in creation order), and `run(flat_inputs)` calls each
node's layer on real tensors in that order. Eager calls and tf.function tracing use the same replay.

>>> import eagerflow as tf
>>> x = tf.keras.Input((2,), name="features")
>>> graph = FunctionalGraph(x, tf.keras.layers.Dense(1, name="score")(x))
>>> [layer.name for layer in graph.layers]
['features', 'score']
"""
from __future__ import annotations

from .. import nest
from .layers.base import call_with_mask
from .layers.input_layer import InputLayer

__all__ = ["FunctionalGraph"]


def _check_keras_tensors(structure, what: str) -> list:
    flat = nest.flatten(structure)
    for x in flat:
        if not getattr(x, "_is_keras_tensor", False):
            raise ValueError(f"All `{what}` values must be KerasTensors (what `tf.keras.Input` and layers called "
                             f"on KerasTensors return). Received: {what}={structure} including invalid value {x} "
                             f"of type {type(x)}")
        if x._keras_history is None:
            raise ValueError(f"{what} value {x} has no Keras history: it was not produced by a Keras layer.")
    return flat


class FunctionalGraph:
    """The nodes connecting `inputs` to `outputs`, in execution order."""

    def __init__(self, inputs, outputs):
        self.inputs, self.outputs = inputs, outputs
        self.flat_inputs = _check_keras_tensors(inputs, "inputs")
        self.flat_outputs = _check_keras_tensors(outputs, "outputs")
        input_ids = {id(x) for x in self.flat_inputs}
        nodes = self._collect(input_ids)
        depth = self._depths(nodes, input_ids)
        self.nodes_by_depth: dict = {}
        for node in nodes:
            self.nodes_by_depth.setdefault(depth[node], []).append(node)
        for level in self.nodes_by_depth.values():
            level.sort(key=lambda n: n.id)
        self.nodes = [n for d in sorted(self.nodes_by_depth, reverse=True) for n in self.nodes_by_depth[d]]
        self.input_nodes = [x._keras_history.operation._inbound_nodes[x._keras_history.node_index]
                            for x in self.flat_inputs]
        self.layers = []
        for node in self.nodes:
            op = node.operation
            if all(op is not layer for layer in self.layers):
                self.layers.append(op)
        self._steps = [(n.operation, n.call_args, n.call_kwargs, [id(t) for t in n.input_tensors],
                        [id(t) for t in n.output_tensors], len(n.input_tensors) == 1 and len(n.call_args) == 1
                        and not n.call_kwargs and n.call_args[0] is n.input_tensors[0])
                       for n in self.nodes if n not in self.input_nodes]

    def _collect(self, input_ids) -> list:
        """Every node on a path from an input to an output (the inputs' own nodes included)."""
        nodes, seen = [], set()
        for out in self.flat_outputs:
            stack = [out]
            while stack:
                t = stack.pop()
                history = t._keras_history
                node = history.operation._inbound_nodes[history.node_index]
                if id(node) in seen:
                    continue
                seen.add(id(node))
                nodes.append(node)
                if id(t) in input_ids:
                    continue
                if node.is_input:
                    raise ValueError(f"Output {out.name} is not connected to `inputs`: it depends on {t.name} "
                                     f"(from layer '{node.operation.name}'), which is not one of the model's "
                                     f"inputs {[x.name for x in self.flat_inputs]}.")
                stack.extend(node.input_tensors)
        for x in self.flat_inputs:
            history = x._keras_history
            node = history.operation._inbound_nodes[history.node_index]
            if id(node) not in seen:
                seen.add(id(node))
                nodes.append(node)
        return nodes

    def _depths(self, nodes, input_ids) -> dict:
        """Depth of each node: 0 for output nodes, else one more than its deepest consumer."""
        member = {id(n) for n in nodes}
        consumers: dict = {id(n): [] for n in nodes}
        for node in nodes:
            for t in node.input_tensors:
                h = t._keras_history
                parent = h.operation._inbound_nodes[h.node_index]
                if id(parent) in member:
                    consumers[id(parent)].append(node)
        depth: dict = {}

        def visit(node, active):
            if node in depth:
                return depth[node]
            if id(node) in active:
                raise ValueError(f"The functional graph has a cycle through layer '{node.operation.name}'.")
            active.add(id(node))
            d = max((visit(c, active) + 1 for c in consumers[id(node)]), default=0)
            active.discard(id(node))
            depth[node] = d
            return d

        for node in nodes:
            visit(node, set())
        # Input tensors produced by an earlier layer: their node runs no computation in this graph.
        deepest = max(depth.values(), default=0)
        for x in self.flat_inputs:
            h = x._keras_history
            node = h.operation._inbound_nodes[h.node_index]
            if isinstance(node.operation, InputLayer):
                depth[node] = max(depth[node], deepest if node.is_input else depth[node])
        return depth

    def run(self, flat_inputs) -> list:
        """Calls each layer on real tensors; returns the flat outputs."""
        values = {id(kt): x for kt, x in zip(self.flat_inputs, flat_inputs)}
        masks: dict = {}
        for layer, args, kwargs, in_ids, out_ids, simple in self._steps:
            if simple:
                out, mask = call_with_mask(layer, values[in_ids[0]], masks.get(in_ids[0]))
                if mask is not None:
                    masks[out_ids[0]] = mask
            else:
                a, k = nest.map_structure(lambda v: values[id(v)] if getattr(v, "_is_keras_tensor", False) else v,
                                          (list(args), kwargs))
                out = layer(*a, **k)
            flat = nest.flatten(out)
            if len(flat) != len(out_ids):
                raise ValueError(f"Layer '{layer.name}' returned {len(flat)} outputs when the model graph expects "
                                 f"{len(out_ids)}.")
            for i, t in zip(out_ids, flat):
                values[i] = t
        return [values[id(kt)] for kt in self.flat_outputs]
