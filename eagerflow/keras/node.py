"""The functional API's symbolic values: `KerasTensor` (a shape and dtype with a history) and `Node`.

Calling a layer on KerasTensors runs no computation: it records a Node (the layer, its arguments,
its outputs) and returns new KerasTensors whose `_keras_history` points back at that node. A
functional Model walks these nodes from its outputs back to its inputs and replays them on data.

>>> import eagerflow as tf
>>> x = tf.keras.Input((8,))
>>> y = tf.keras.layers.Dense(3, name="proj")(x)
>>> y.shape, y._keras_history.operation.name
((None, 3), 'proj')
"""
from __future__ import annotations

import itertools
from typing import NamedTuple

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import nest
from . import backend as _backend

__all__ = ["KerasTensor", "KerasHistory", "Node", "Operation", "OPERATIONS", "any_symbolic",
           "flatten_keras_tensors"]

_node_ids = itertools.count()

_TF_FUNCTION_ERROR = (
    "A KerasTensor cannot be used as input to a TensorFlow function. A KerasTensor is a symbolic placeholder "
    "for a shape and dtype, used when constructing Keras Functional models or Keras Functions. You can only "
    "use it as input to a Keras layer. You are likely doing something like:\n\n```\nx = Input(...)\n...\n"
    "tf_fn(x)  # Invalid.\n```\n\nWhat you should do instead is wrap `tf_fn` in a layer:\n\n```\n"
    "class MyLayer(Layer):\n    def call(self, x):\n        return tf_fn(x)\n\nx = MyLayer()(x)\n```\n")


class KerasHistory(NamedTuple):
    """Where a KerasTensor came from: the layer, which of its calls (node), which output."""

    operation: object
    node_index: int
    tensor_index: int


class KerasTensor:
    """A symbolic input or intermediate value of a functional model: shape, dtype and history.

    >>> import eagerflow as tf
    >>> tf.keras.Input((4,), name="features")
    <KerasTensor shape=(None, 4), dtype=float32, sparse=False, ragged=False, name=features>
    """

    _is_keras_tensor = True
    __array_priority__ = 200

    def __init__(self, shape, dtype="float32", sparse=False, ragged=False, name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = _backend.standardize_dtype(dtype)
        self.sparse, self.ragged = bool(sparse), bool(ragged)
        self.name = name or _backend.unique_name("keras_tensor")
        self._keras_history = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self):
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype}, sparse={self.sparse}, "
                f"ragged={self.ragged}, name={self.name}>")

    def __tf_tensor__(self, dtype=None, name=None):
        raise ValueError(_TF_FUNCTION_ERROR)

    def __array__(self, dtype=None, copy=None):
        raise ValueError(_TF_FUNCTION_ERROR)

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a boolean.")

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __iter__(self):
        raise TypeError("A symbolic KerasTensor cannot be iterated over; index it inside a layer instead.")

    # Operators record an Operation node (Keras's `x * 2`, `x[:, 0]`): replayed with TF ops on data.
    def __add__(self, other): return _apply("Add", self, other)
    def __radd__(self, other): return _apply("Add", other, self)
    def __sub__(self, other): return _apply("Subtract", self, other)
    def __rsub__(self, other): return _apply("Subtract", other, self)
    def __mul__(self, other): return _apply("Multiply", self, other)
    def __rmul__(self, other): return _apply("Multiply", other, self)
    def __truediv__(self, other): return _apply("TrueDivide", self, other)
    def __rtruediv__(self, other): return _apply("TrueDivide", other, self)
    def __floordiv__(self, other): return _apply("FloorDivide", self, other)
    def __rfloordiv__(self, other): return _apply("FloorDivide", other, self)
    def __mod__(self, other): return _apply("Mod", self, other)
    def __rmod__(self, other): return _apply("Mod", other, self)
    def __pow__(self, other): return _apply("Power", self, other)
    def __rpow__(self, other): return _apply("Power", other, self)
    def __matmul__(self, other): return _apply("Matmul", self, other)
    def __rmatmul__(self, other): return _apply("Matmul", other, self)
    def __lt__(self, other): return _apply("Less", self, other)
    def __le__(self, other): return _apply("LessEqual", self, other)
    def __gt__(self, other): return _apply("Greater", self, other)
    def __ge__(self, other): return _apply("GreaterEqual", self, other)
    def __neg__(self): return _apply("Negative", self)
    def __abs__(self): return _apply("Absolute", self)
    def __getitem__(self, key): return _apply("GetItem", self, key)


def any_symbolic(args, kwargs) -> bool:
    """True when a KerasTensor appears anywhere in the call's arguments."""
    for a in args:
        if getattr(a, "_is_keras_tensor", False):
            return True
        if isinstance(a, (list, tuple, dict)) and _nested_symbolic(a):
            return True
    return bool(kwargs) and _nested_symbolic(list(kwargs.values()))


def _nested_symbolic(structure) -> bool:
    return any(getattr(x, "_is_keras_tensor", False) for x in nest.flatten(structure))


def flatten_keras_tensors(structure) -> list:
    return [x for x in nest.flatten(structure) if getattr(x, "_is_keras_tensor", False)]


class Node:
    """One call of a layer on KerasTensors: its arguments and the KerasTensors it produced."""

    def __init__(self, operation, call_args=(), call_kwargs=None, outputs=None):
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = outputs
        self.input_tensors = flatten_keras_tensors((self.call_args, self.call_kwargs))
        self.output_tensors = flatten_keras_tensors(outputs) if outputs is not None else []
        self.id = next(_node_ids)
        self.parent_nodes = []
        for kt in self.input_tensors:
            history = kt._keras_history
            if history is not None:
                parent = history.operation._inbound_nodes[history.node_index]
                if parent not in self.parent_nodes:
                    self.parent_nodes.append(parent)
                history.operation._outbound_nodes.append(self)
        node_index = len(operation._inbound_nodes)
        operation._inbound_nodes.append(self)
        for i, kt in enumerate(self.output_tensors):
            kt._keras_history = KerasHistory(operation, node_index, i)

    @property
    def is_input(self) -> bool:
        return not self.input_tensors

    def __repr__(self):
        return f"<Node {self.operation.name}#{self.id}>"


# ---- operations: TF ops applied to KerasTensors --------------------------------------------------------

class Operation:
    """A weightless op in a functional graph (`x * 2`, `x[:, :1]`); not a layer, as in Keras 3.

    Called on KerasTensors it records a Node (its output spec found by tracing the op); called on
    tensors it computes. `model.layers` leaves operations out; `summary()` lists them.
    """

    built = True
    trainable = True
    weights = trainable_weights = non_trainable_weights = ()
    _build_shapes_dict = None
    _SNAKE = "operation"

    def __init__(self, name=None):
        self.name = name or _backend.unique_name(self._SNAKE)
        self._inbound_nodes, self._outbound_nodes = [], []

    @staticmethod
    def compute(*args):
        raise NotImplementedError

    def __call__(self, *args):
        if not any_symbolic(args, {}):
            return self.compute(*args)
        flat = flatten_keras_tensors(args)
        specs = [tf.TensorSpec(kt.shape, kt.dtype) for kt in flat]

        def probe(*tensors):
            it = iter(tensors)
            return self.compute(*nest.map_structure(
                lambda v: next(it) if getattr(v, "_is_keras_tensor", False) else v, list(args)))

        out = tf.function(probe, autograph=False).get_concrete_function(*specs).structured_outputs
        result = KerasTensor(out.shape.as_list(), out.dtype.name)
        Node(self, args, {}, result)
        return result

    def count_params(self) -> int:
        return 0

    def get_config(self) -> dict:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def serialize(self) -> dict:
        name = type(self).__name__
        return {"module": "keras.src.ops.numpy", "class_name": name, "config": self.get_config(),
                "registered_name": name}

    def __repr__(self):
        return f"<Operation name={self.name}>"


_OPS = {
    "Add": ("add", lambda a, b: tf.add(a, b)),
    "Subtract": ("subtract", lambda a, b: tf.subtract(a, b)),
    "Multiply": ("multiply", lambda a, b: tf.multiply(a, b)),
    "TrueDivide": ("true_divide", lambda a, b: tf.truediv(a, b)),
    "FloorDivide": ("floor_divide", lambda a, b: tf.math.floordiv(a, b)),
    "Mod": ("mod", lambda a, b: tf.math.floormod(a, b)),
    "Power": ("power", lambda a, b: tf.pow(a, b)),
    "Matmul": ("matmul", lambda a, b: tf.matmul(a, b)),
    "Less": ("less", lambda a, b: tf.less(a, b)),
    "LessEqual": ("less_equal", lambda a, b: tf.less_equal(a, b)),
    "Greater": ("greater", lambda a, b: tf.greater(a, b)),
    "GreaterEqual": ("greater_equal", lambda a, b: tf.greater_equal(a, b)),
    "Negative": ("negative", lambda a: tf.negative(a)),
    "Absolute": ("absolute", lambda a: tf.abs(a)),
    "GetItem": ("get_item", lambda a, key: tf.convert_to_tensor(a)[key]),
}

# One Operation subclass per op, named as Keras names them (what summary() and configs show).
OPERATIONS = {name: type(name, (Operation,), {"_SNAKE": snake, "compute": staticmethod(fn),
                                              "__doc__": f"Keras's `{snake}` operation on tensors."})
              for name, (snake, fn) in _OPS.items()}


def _apply(name: str, *args):
    return OPERATIONS[name]()(*args)
