"""`tf.keras.Model` (functional and subclassed) and `tf.keras.Sequential`.

- Functional: `Model(inputs, outputs)` replays the layer graph recorded on KerasTensors.
- Subclassed: override `call`; layers assigned as attributes are tracked.
- Sequential: a stack of single-input layers; with a known input shape it also records the graph
  (for `summary()`, `inputs`, `outputs`). Called on an input whose shape differs from the declared
  one it logs a WARNING and runs, as Keras 2 did.

Models are layers (they nest) and inherit compile/fit/evaluate/predict from `Trainer`.

>>> import eagerflow as tf
>>> model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
>>> model(tf.ones((3, 4))).shape, model.count_params()
(TensorShape([3, 2]), 10)
"""
from __future__ import annotations

import numpy as np

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import nest
from ..context import logger
from ..tensor import Tensor
from . import saving as _saving
from . import summary as _summary
from .functional import FunctionalGraph
from .layers import deserialize as _deserialize_layer
from .layers import serialize as _serialize_layer
from .layers.base import Layer, call_with_mask
from .layers.input_layer import InputLayer
from .layers.input_spec import shape_of
from .node import KerasTensor
from .trainer import Trainer
from .saving import load_model, save_model  # noqa: F401 - tf.keras.models.load_model / save_model

__all__ = ["Model", "Functional", "Sequential", "model_from_config", "clone_model", "load_model", "save_model"]


def _is_functional_init(args, kwargs) -> bool:
    return (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
            or ("inputs" in kwargs and "outputs" in kwargs))


class Model(Trainer, Layer):
    """A layer with training and a notion of its own layers (functional or subclassed).

    >>> import eagerflow as tf
    >>> class TwoLayer(tf.keras.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = tf.keras.layers.Dense(4, activation="relu")
    ...         self.out = tf.keras.layers.Dense(1)
    ...     def call(self, x):
    ...         return self.out(self.hidden(x))
    >>> model = TwoLayer()
    >>> model(tf.ones((2, 3))).shape, len(model.trainable_variables)
    (TensorShape([2, 1]), 4)
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and _is_functional_init(args, kwargs):
            cls = Functional
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        Trainer.__init__(self)
        self._graph = None
        self._warned_shapes = set()
        if _is_functional_init(args, kwargs):
            inputs = args[0] if args else kwargs.pop("inputs")
            outputs = args[1] if len(args) > 1 else kwargs.pop("outputs")
            Layer.__init__(self, name=kwargs.pop("name", None), trainable=kwargs.pop("trainable", True),
                           dtype=kwargs.pop("dtype", None), **kwargs)
            self._init_graph(inputs, outputs)
        else:
            if args:
                raise TypeError(f"{type(self).__name__}.__init__() takes keyword arguments only (name, trainable, "
                                f"dtype); to build a functional model pass `inputs` and `outputs`.")
            Layer.__init__(self, **kwargs)

    # ---- functional models --------------------------------------------------------------------------------
    def _init_graph(self, inputs, outputs) -> None:
        if isinstance(inputs, dict) and not all(isinstance(k, str) for k in inputs):
            raise ValueError(f"The keys of a dict of `inputs` must be strings. Received: {list(inputs)}")
        self._graph = FunctionalGraph(inputs, outputs)
        self._graph_layers = self._graph.layers  # tracked: the model owns these layers' weights
        self.built = True
        shapes = [kt.shape for kt in self._graph.flat_inputs]
        self._build_shapes_dict = {"input_shape": shapes[0] if len(shapes) == 1 else shapes}

    @property
    def inputs(self):
        """The model's input KerasTensors (a list; None for an unbuilt subclassed model)."""
        if self._graph is None:
            return None
        return list(self._graph.flat_inputs)

    @property
    def outputs(self):
        if self._graph is None:
            return None
        return list(self._graph.flat_outputs)

    @property
    def input(self):
        if self._graph is None:
            return super().input
        return self._graph.inputs

    @property
    def output(self):
        if self._graph is None:
            return super().output
        return self._graph.outputs

    @property
    def input_shape(self):
        shapes = nest.map_structure(lambda kt: kt.shape, self._require_graph("input_shape").inputs)
        return shapes[0] if isinstance(shapes, list) and len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = nest.map_structure(lambda kt: kt.shape, self._require_graph("output_shape").outputs)
        return shapes[0] if isinstance(shapes, list) and len(shapes) == 1 else shapes

    def _require_graph(self, what: str) -> FunctionalGraph:
        if self._graph is None:
            raise AttributeError(f"The model '{self.name}' has no defined {what}: it is not built from inputs "
                                 "(call it on data, or build it with an `Input`).")
        return self._graph

    @property
    def layers(self) -> list:
        """The model's layers: graph order for functional models, attribute order for subclassed ones."""
        if self._graph is not None:  # operations (`x * 2`) are graph nodes, not layers (as Keras 3)
            return [layer for layer in self._graph.layers if isinstance(layer, Layer)]
        return self._sublayers()

    def get_layer(self, name=None, index=None):
        """A layer by `name` or by `index` in `model.layers`."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def call(self, inputs, training=None, mask=None):
        if self._graph is None:
            raise NotImplementedError(f"Model {type(self).__name__} does not have a `call()` method implemented.")
        flat = self._standardize_inputs(inputs)
        outputs = self._graph.run(flat)
        return nest.pack_sequence_as(self._graph.outputs, outputs)

    def _standardize_inputs(self, inputs) -> list:
        """The call's inputs flattened in the order of `model.inputs`, converted and shape-checked."""
        graph = self._graph
        expected = graph.flat_inputs
        if isinstance(inputs, dict) and not isinstance(graph.inputs, dict):
            names = [kt._keras_history.operation.name for kt in expected]
            missing = [n for n in names if n not in inputs and n not in [kt.name for kt in expected]]
            if missing:
                raise ValueError(f"Missing data for input(s) {missing} of model '{self.name}'. Expected the keys "
                                 f"{names}; received {list(inputs)}.")
            flat = [inputs.get(kt._keras_history.operation.name, inputs.get(kt.name)) for kt in expected]
        elif len(expected) == 1 and not isinstance(inputs, dict):
            single = isinstance(inputs, (list, tuple)) and len(inputs) == 1 and _tensor_like(inputs[0])
            flat = [inputs[0] if single else inputs]  # [x] for a one-input model; [[1., 2.]] is data
        else:
            flat = nest.flatten(inputs)
        if len(flat) != len(expected):
            raise ValueError(f"Layer \"{self.name}\" expects {len(expected)} input(s), but it received {len(flat)} "
                             f"input tensors. Inputs received: {inputs}")
        return [self._conform(i, x, kt) for i, (x, kt) in enumerate(zip(flat, expected))]

    def _conform(self, index: int, x, kt: KerasTensor):
        dtype = tf.as_dtype(kt.dtype)
        if not isinstance(x, Tensor):
            x = tf.convert_to_tensor(x, dtype_hint=dtype)
        if x.dtype is not dtype and (x.dtype.is_floating or dtype.is_floating) and x.dtype != tf.string:
            x = tf.cast(x, dtype)
        shape, want = shape_of(x), kt.shape
        if shape is None:
            return x
        if len(shape) == len(want) - 1 and want[-1] == 1:
            x, shape = tf.expand_dims(x, -1), tuple(shape) + (1,)
        elif len(shape) == len(want) + 1 and shape[-1] == 1:
            x, shape = tf.squeeze(x, -1), tuple(shape[:-1])
        if len(shape) != len(want) or any(w is not None and s is not None and w != s
                                          for s, w in zip(shape[1:], want[1:])):
            name = kt._keras_history.operation.name
            raise ValueError(f"Input {index} with name '{name}' of layer '{self.name}' is incompatible with the layer: "
                             f"expected shape={want}, found shape={tuple(shape)}")
        return x

    def build(self, input_shape=None):
        """Subclassed models build by running `call` once on symbolic inputs of `input_shape`."""
        if self._graph is not None or self.built:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        if type(self).call is Model.call:
            self.built = True
            return
        shapes = input_shape
        if isinstance(shapes, list) and shapes and all(isinstance(s, (tuple, list)) for s in shapes):
            probe = [KerasTensor(tuple(s)) for s in shapes]
        else:
            probe = KerasTensor(tuple(shapes))
        self.built = True  # the probe call below must not come back here
        try:
            self._trace_output_spec((probe,), {})
        except Exception:
            self.built = False
            raise
        self._build_shapes_dict = {"input_shape": shapes}

    def _build_for(self, inputs) -> None:
        """A subclassed model called on data builds its layers as the call reaches them (as Keras)."""
        if self._graph is None and type(self).build is Model.build:
            shapes = nest.map_structure(lambda x: tuple(shape_of(x)) if shape_of(x) is not None else None, inputs)
            self._build_shapes_dict = {"input_shape": shapes}
            return
        super()._build_for(inputs)

    def compute_output_spec(self, *args, **kwargs):
        return self._trace_output_spec(args, kwargs)

    # ---- summary and weights ---------------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                layer_range=None):
        """Prints Keras's summary table: each layer's output shape and parameter count, then totals.

        >>> import eagerflow as tf
        >>> model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
        >>> lines = []
        >>> model.summary(print_fn=lines.append)
        >>> "Total params: 8 (32.00 B)" in lines[0]
        True
        """
        _summary.print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                               expand_nested=expand_nested, show_trainable=show_trainable, layer_range=layer_range)

    def _summary_layout(self):
        """(sequential_like, layers to list, nodes that belong to this model or None)."""
        graph = self._graph
        if graph is None or isinstance(self, Sequential):
            return True, self.layers, None
        sequential_like = True
        for nodes in graph.nodes_by_depth.values():
            if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].input_tensors) > 1):
                sequential_like = False
                break
        if sequential_like:
            for layer in graph.layers:
                if sum(1 for n in layer._inbound_nodes if n in graph.nodes) > 1:
                    sequential_like = False
                    break
        return sequential_like, list(graph.layers), list(graph.nodes)

    # ---- files (keras/saving.py) ------------------------------------------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Saves the model to a Keras 3 `.keras` file (config, metadata and weights)."""
        _saving.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True):
        """Saves the weights (and optimizer state): Keras 3 HDF5 for `.weights.h5`, eagerflow's format otherwise."""
        _saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Loads weights written by `save_weights` (or a `.keras` file's); mismatches raise a ValueError."""
        _saving.load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def _default_save_signature(self):
        """What tf.saved_model.save exports as `serve`, `__call__` and `serving_default` (keras/saving.py)."""
        return _saving.serving_function(self)

    # ---- config ------------------------------------------------------------------------------------------
    def get_config(self):
        if self._graph is not None:
            return _functional_config(self)
        config = Layer.get_config(self)
        if type(self).__init__ not in (Model.__init__, Functional.__init__):
            config.update(self._auto_config())  # a subclassed model: its constructor arguments
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a functional model from its layer graph, or a subclassed one from its arguments."""
        if "layers" in config and "input_layers" in config:
            return _functional_from_config(cls if cls is not Model else Functional, config, custom_objects)
        return super().from_config(config)


def _tensor_like(x) -> bool:
    return isinstance(x, (Tensor, np.ndarray)) or hasattr(x, "__tf_tensor__")


class Functional(Model):
    """What `tf.keras.Model(inputs, outputs)` creates."""


# ---- functional config --------------------------------------------------------------------------------------

def _node_key(layer, node_index) -> list:
    return [layer.name, node_index, 0]


def _serialize_arg(value, node_ids):
    if getattr(value, "_is_keras_tensor", False):
        h = value._keras_history
        return {"class_name": "__keras_tensor__", "config": {
            "shape": value.shape, "dtype": value.dtype, "keras_history": [h.operation.name, h.node_index,
                                                                         h.tensor_index]}}
    if isinstance(value, (list, tuple)):
        return type(value)(_serialize_arg(v, node_ids) for v in value)
    if isinstance(value, dict):
        return {k: _serialize_arg(v, node_ids) for k, v in value.items()}
    return value


def _functional_config(model) -> dict:
    graph = model._graph
    node_set = set(id(n) for n in graph.nodes)
    layers = []
    for layer in graph.layers:
        entry = _serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            {"args": _serialize_arg(node.call_args, None), "kwargs": _serialize_arg(node.call_kwargs, None)}
            for node in layer._inbound_nodes if id(node) in node_set and not node.is_input]
        layers.append(entry)

    def refs(structure):
        def one(kt):
            h = kt._keras_history
            return [h.operation.name, h.node_index, h.tensor_index]
        if isinstance(structure, (list, tuple)):
            return [one(kt) for kt in structure]
        if isinstance(structure, dict):
            return {k: one(v) for k, v in structure.items()}
        return one(structure)

    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": refs(graph.inputs), "output_layers": refs(graph.outputs)}


def _functional_from_config(cls, config, custom_objects):
    created: dict = {}
    pending = []
    for entry in config["layers"]:
        layer = _deserialize_layer(entry, custom_objects=custom_objects)
        created[entry["name"]] = layer
        pending.append((layer, list(entry.get("inbound_nodes", []))))
    produced: dict = {}  # (layer name, node index in the config) -> outputs

    def lookup(history):
        name, node_index, tensor_index = history
        layer = created[name]
        if isinstance(layer, InputLayer):
            return layer.output
        outputs = produced[(name, node_index)]
        return nest.flatten(outputs)[tensor_index]

    def resolve(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return lookup(value["config"]["keras_history"])
        if isinstance(value, (list, tuple)):
            return type(value)(resolve(v) for v in value)
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    progress = True
    while progress and any(nodes for _, nodes in pending):
        progress = False
        for layer, nodes in pending:
            while nodes:
                try:
                    args, kwargs = resolve(nodes[0]["args"]), resolve(nodes[0].get("kwargs", {}))
                except KeyError:
                    break  # an input is made by a node not replayed yet
                index = sum(1 for key in produced if key[0] == layer.name)
                produced[(layer.name, index)] = layer(*args, **kwargs)
                nodes.pop(0)
                progress = True
    if any(nodes for _, nodes in pending):
        raise ValueError("Could not rebuild the functional model from its config: some layer inputs are never "
                         "produced.")

    def outputs_of(refs):
        if isinstance(refs, dict):
            return {k: lookup(v) for k, v in refs.items()}
        if refs and isinstance(refs[0], str):
            return lookup(refs)
        return [lookup(r) for r in refs]

    inputs, outputs = outputs_of(config["input_layers"]), outputs_of(config["output_layers"])
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"), trainable=config.get("trainable", True))


# ---- Sequential ----------------------------------------------------------------------------------------------

class Sequential(Model):
    """A linear stack of layers.

    >>> import eagerflow as tf
    >>> model = tf.keras.Sequential()
    >>> model.add(tf.keras.layers.Dense(8, activation="relu", input_shape=(4,)))
    >>> model.add(tf.keras.layers.Dense(1))
    >>> model.output_shape
    (None, 1)
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._layers = []
        self._containers.append(self._layers)  # tracked: layers added later own weights of this model
        self._input_layer = None
        if layers is not None:
            if not isinstance(layers, (list, tuple)):
                layers = [layers]
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()

    def add(self, layer, rebuild=True) -> None:
        """Appends a layer (an `Input(...)` KerasTensor or InputLayer may come first)."""
        if getattr(layer, "_is_keras_tensor", False):
            layer = layer._keras_history.operation
        if not isinstance(layer, Layer):
            raise ValueError("Only instances of `keras.Layer` can be added to a Sequential model. Received: "
                             f"{layer} (of type {type(layer)})")
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError("An InputLayer can only be the first layer of a Sequential model.")
            self._input_layer = layer
        else:
            for existing in self._layers:
                if existing.name == layer.name:
                    raise ValueError("All layers added to a Sequential model should have unique names. Name "
                                     f"'{layer.name}' is already the name of a layer in this model. Update the "
                                     "`name` argument to pass a unique name.")
            self._layers.append(layer)
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild=True):
        """Removes and returns the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        self._graph = None
        self.built = False
        if rebuild:
            self._maybe_rebuild()
        return layer

    @property
    def layers(self) -> list:
        return list(self._layers)

    def _declared_input_shape(self):
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        if self._layers and self._layers[0]._input_shape_arg is not None:
            return self._layers[0]._input_shape_arg
        return None

    def _maybe_rebuild(self) -> None:
        self._graph = None
        self.built = False
        shape = self._declared_input_shape()
        if shape is not None and self._layers:
            self.build(shape)

    def build(self, input_shape=None):
        """Runs the layers symbolically on `input_shape`, building their weights and the layer graph."""
        if input_shape is None:
            input_shape = self._declared_input_shape()
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        if not isinstance(input_shape, (tuple, list)) or not all(d is None or isinstance(d, int)
                                                                  for d in input_shape):
            raise ValueError(f"Sequential model '{self.name}' cannot be built because it has multiple input "
                             f"tensors or an invalid input shape. Received: input_shape={input_shape}")
        if self._input_layer is None or tuple(self._input_layer.batch_shape) != tuple(input_shape):
            dtype = self._layers[0]._dtype if self._layers else None
            self._input_layer = InputLayer(batch_shape=tuple(input_shape), dtype=dtype)
        x = self._input_layer.output
        try:
            with self._weight_scope():
                for layer in self._layers:
                    x = layer(x)
        except NotImplementedError:
            return
        self._graph = FunctionalGraph(self._input_layer.output, x)
        self.built = True
        self._build_shapes_dict = {"input_shape": tuple(input_shape)}
        self._last_checked = None

    def call(self, inputs, training=None, mask=None):
        if self._graph is not None:
            self._warn_if_incompatible(inputs)
        x = inputs
        for layer in self._layers:
            x, mask = call_with_mask(layer, x, mask)
        return x

    def _warn_if_incompatible(self, inputs) -> None:
        """Keras 2's behaviour: a shape unlike the declared one is logged, then the layers run anyway."""
        if not isinstance(inputs, Tensor):
            return
        shape = shape_of(inputs)
        if shape is None or shape == self._last_checked or shape in self._warned_shapes:
            return
        want = self._input_layer.batch_shape
        if len(shape) != len(want) or any(w is not None and s is not None and w != s
                                          for s, w in zip(shape[1:], want[1:])):
            self._warned_shapes.add(shape)
            logger.warning(f"Model was constructed with shape {want} for input {self._input_layer.output!r}, but "
                           f"it was called on an input with incompatible shape {tuple(shape)}.")
        else:
            self._last_checked = shape

    def _build_for(self, inputs) -> None:
        shape = shape_of(inputs) if isinstance(inputs, Tensor) else None
        if shape is None:
            raise ValueError(f"Sequential model '{self.name}' expects a single tensor input. Received: {inputs}")
        self.build(tuple(shape))
        if not self.built:  # a layer could not run symbolically: it builds on this first call
            self.built = True
            self._build_shapes_dict = {"input_shape": tuple(shape)}

    @property
    def input_shape(self):
        if self._graph is None:
            raise AttributeError(f"The Sequential model '{self.name}' has no defined input shape yet: it is not "
                                 "built (give the first layer an `Input` or call the model on data).")
        return self._input_layer.batch_shape

    def get_config(self):
        layers = []
        if self._input_layer is not None:
            layers.append(_serialize_layer(self._input_layer))
        for layer in self._layers:
            entry = _serialize_layer(layer)
            build = layer.get_build_config()
            if build is not None:
                entry["build_config"] = build
            layers.append(entry)
        config = {"name": self.name, "trainable": self.trainable, "dtype": Layer.get_config(self)["dtype"],
                  "layers": layers}
        if self._build_shapes_dict is not None:
            config["build_input_shape"] = self._build_shapes_dict["input_shape"]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config["layers"]:
            layer = _deserialize_layer(entry, custom_objects=custom_objects)
            model.add(layer, rebuild=False)
        model._maybe_rebuild()
        if not model.built and config.get("build_input_shape") is not None:
            model.build(tuple(config["build_input_shape"]))
        return model


def model_from_config(config, custom_objects=None):
    """A model (or layer) from `{'class_name', 'config'}` as `serialize` writes it."""
    return _deserialize_layer(config, custom_objects=custom_objects)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialized weights (from its config)."""
    if input_tensors is not None or clone_function is not None:
        raise NotImplementedError("clone_model(input_tensors=..., clone_function=...) is not supported; clone "
                                  "with the default arguments and rewire the copy instead.")
    return _deserialize_layer(_serialize_layer(model))
