"""`tf.keras.layers.Layer`: the Keras 3 layer contract on eagerflow.

- `__init__` holds configuration only; `build(input_shape)` creates weights with `add_weight`;
  `call(inputs, training=None)` computes with public ops, so it runs eagerly and traces under
  tf.function alike.
- `__call__` converts inputs (floats are cast to the layer's compute dtype), builds on the first
  call, checks `input_spec`, passes `training` down to nested layers, and records activity
  regularization. Called on KerasTensors it records a functional-API node instead of computing.
- Weights and sublayers are tracked as they are assigned to attributes, in assignment order.

>>> import eagerflow as tf
>>> class Scale(tf.keras.layers.Layer):
...     def build(self, input_shape):
...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
...     def call(self, x):
...         return x * self.w
>>> layer = Scale()
>>> layer(tf.ones((2, 3))).shape, len(layer.weights)
(TensorShape([2, 3]), 1)
"""
from __future__ import annotations

import functools
import inspect
import math
import re

import numpy as np

import eagerflow as tf  # public ops only; attributes are read at call time
from ... import nest
from ...context import _state, name_scope, resolve_pending_restores, scoped_name
from ...context import settings as _settings
from ...module import Module
from ...tensor import Tensor
from ...variables import Variable as _TFVariable
from .. import backend as _backend
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from .. import constraints as _constraints
from ..node import KerasTensor, Node, any_symbolic, flatten_keras_tensors
from ..variables import Variable
from .input_spec import InputSpec, assert_input_compatibility, shape_of

__all__ = ["Layer", "InputSpec", "to_snake_case", "dtype_policy_config", "is_shape", "call_with_mask"]

_SIMPLE = (int, float, str, bool, type(None))
_INTERNAL = frozenset(["_own_layers", "_containers", "_trainable_variables", "_non_trainable_variables",
                       "_inbound_nodes", "_outbound_nodes", "_losses", "_init_call", "_build_shapes_dict"])


def to_snake_case(name: str) -> str:
    """`Conv2DTranspose` -> `conv2d_transpose`, `SimpleRNN` -> `simple_rnn` (Keras's layer names)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def dtype_policy_config(dtype: str) -> dict:
    """How Keras 3 writes a layer's dtype into its config."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": dtype}, "registered_name": None}


def is_shape(x) -> bool:
    """True for one shape (a tuple/list of ints and Nones), False for a structure of shapes."""
    return isinstance(x, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in x)


class DTypePolicy:
    """What `layer.dtype_policy` returns (only plain dtypes: no mixed precision)."""

    def __init__(self, name):
        self.name = _backend.standardize_dtype(name)

    compute_dtype = variable_dtype = property(lambda self: self.name)

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'


def _call_flags(layer) -> tuple:
    """(call takes `training`, call takes `mask`), read once from the signature of `layer.call`."""
    try:
        params = inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return False, False
    return "training" in params, "mask" in params


def _overrides(layer, name: str) -> bool:
    return getattr(type(layer), name) is not getattr(Layer, name)


class Layer(Module):
    """Base class of all Keras layers (see the module docstring for the contract)."""

    def __init_subclass__(cls, **kwargs):
        """A user layer's own `build` marks the layer built when it returns (as Keras 3 arranges), so
        `layer.build(shape)` called directly leaves a built layer too."""
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is None or cls.__module__.startswith("eagerflow.keras") or hasattr(build, "_keras_build"):
            return

        @functools.wraps(build)
        def build_and_mark(self, *args, **kw):
            result = build(self, *args, **kw)
            self.built = True
            if self._build_shapes_dict is None and args:
                self._build_shapes_dict = {"input_shape": args[0]}
            return result

        build_and_mark._keras_build = True
        cls.build = build_and_mark

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        # Kept for the automatic get_config of subclasses that take constructor arguments.
        object.__setattr__(obj, "_init_call", (args, kwargs))
        return obj

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True, name=None,
                 **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}")
        self._init_tracking()
        if name is None:
            name = _backend.unique_name(to_snake_case(type(self).__name__))
        elif not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character `/`. "
                             f"Received: name={name} (of type {type(name)})")
        self._name = name
        self._scope_name = scoped_name(name) + "/"
        self._dtype = _backend.standardize_dtype(dtype)
        self._compute_dt = tf.as_dtype(self._dtype)
        self._trainable = bool(trainable)
        self.built = False
        self.autocast = autocast
        self.activity_regularizer = _regularizers.get(activity_regularizer)
        self.input_spec = None
        self.supports_masking = False
        self._inbound_nodes, self._outbound_nodes = [], []
        self._losses = []
        self._build_shapes_dict = None
        self._call_flags = None
        self._last_checked = None
        self._input_shape_arg = None
        if batch_input_shape is not None:
            self._input_shape_arg = tuple(batch_input_shape)
        elif input_shape is not None:
            self._input_shape_arg = (batch_size,) + tuple(input_shape)
        elif input_dim is not None:
            self._input_shape_arg = (batch_size, input_dim)

    # ---- tracking ---------------------------------------------------------------------------------------
    def _init_tracking(self) -> None:
        if "_own_layers" not in self.__dict__:
            object.__setattr__(self, "_own_layers", [])        # sublayers assigned as attributes
            object.__setattr__(self, "_containers", [])        # lists/dicts assigned as attributes
            object.__setattr__(self, "_trainable_variables", [])
            object.__setattr__(self, "_non_trainable_variables", [])

    def __setattr__(self, name, value):
        if "_own_layers" not in self.__dict__:
            self._init_tracking()
        if not name.startswith("__"):
            self._track(value, name)
        object.__setattr__(self, name, value)

    def _track(self, value, name: str = "") -> None:
        if isinstance(value, Layer):
            if value is not self and all(value is not t for t in self._own_layers):
                self._own_layers.append(value)
        elif isinstance(value, _TFVariable):
            if all(value is not v for v in self._trainable_variables + self._non_trainable_variables):
                (self._trainable_variables if value.trainable else self._non_trainable_variables).append(value)
        elif isinstance(value, (list, dict)):
            # Public containers are watched (layers appended later are found); private ones only when
            # they hold layers or variables when assigned (internal bookkeeping lists stay out).
            if name in _INTERNAL or (name.startswith("_") and not _holds_trackable(value)):
                return
            if all(value is not c for c in self._containers):
                self._containers.append(value)
        elif isinstance(value, tuple) and _holds_trackable(value):
            for v in value:
                self._track(v, name)

    def _sublayers(self) -> list:
        """Direct sublayers: attributes first (in assignment order), then those inside lists and dicts."""
        if not self._containers:
            return list(self._own_layers)
        found = list(self._own_layers)
        for leaf in _container_leaves(self._containers):
            if isinstance(leaf, Layer) and leaf is not self and all(leaf is not f for f in found):
                found.append(leaf)
        return found

    def _container_variables(self) -> list:
        return [leaf for leaf in _container_leaves(self._containers) if isinstance(leaf, _TFVariable)]

    def _flatten_layers(self, include_self=True, recursive=True) -> list:
        out, seen = ([self] if include_self else []), {id(self)}
        stack = list(reversed(self._sublayers()))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            if recursive:
                stack.extend(reversed(layer._sublayers()))
        return out

    # ---- weights ---------------------------------------------------------------------------------------
    @property
    def weights(self) -> list:
        """All weights: this layer's own (trainable first, in creation order), then its sublayers'."""
        own = self._trainable_variables + self._non_trainable_variables
        if not self._containers and not self._own_layers:
            return own
        own += self._container_variables()
        subs = self._sublayers()
        out, seen = [], set()
        for w in own:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        for layer in subs:
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def trainable_weights(self) -> list:
        if not self._trainable:
            return []
        return [w for w in self.weights if w.trainable]

    @property
    def non_trainable_weights(self) -> list:
        if not self._trainable:
            return self.weights
        return [w for w in self.weights if not w.trainable]

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value) -> None:
        """Freezing a layer freezes its weights and its sublayers (BatchNormalization then runs in
        inference mode)."""
        value = bool(value)
        self._trainable = value
        for v in self._trainable_variables:
            if isinstance(v, Variable):
                v.trainable = value
        for layer in self._sublayers():
            layer.trainable = value

    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, autocast=True,
                   regularizer=None, constraint=None, aggregation="none", name=None, **kwargs):
        """Creates a weight (a `tf.keras.Variable`) owned by this layer.

        `initializer` defaults to glorot_uniform for floats and zeros otherwise.
        """
        if isinstance(shape, str):  # Keras 2 order: add_weight(name, shape, ...)
            name, shape = shape, initializer if isinstance(initializer, (tuple, list)) else kwargs.pop("shape", None)
            initializer = kwargs.pop("initializer", None) if isinstance(initializer, (tuple, list)) else initializer
        kwargs.pop("use_resource", None)
        kwargs.pop("synchronization", None)
        if kwargs:
            raise TypeError(f"add_weight() got unexpected keyword arguments: {sorted(kwargs)}")
        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = _backend.standardize_dtype(dtype or self._dtype)
        if initializer is None:
            initializer = "glorot_uniform" if _backend.is_float_dtype(dtype) else "zeros"
        initializer = _initializers.get(initializer)
        with self._weight_scope():
            variable = Variable(initializer, shape=shape, dtype=dtype, trainable=trainable, autocast=autocast,
                                name=name or "variable", regularizer=_regularizers.get(regularizer),
                                constraint=_constraints.get(constraint))
        (self._trainable_variables if trainable else self._non_trainable_variables).append(variable)
        if not self._trainable:
            variable.trainable = False
        return variable

    def _weight_scope(self):
        current = _state.name_scope
        if current == self.name or current.endswith("/" + self.name):
            return name_scope(None)
        return name_scope(self.name)

    def get_weights(self) -> list:
        """The weights' values as NumPy arrays, in `weights` order."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Assigns NumPy values to the weights, in `weights` order; shapes must match."""
        mine = self.weights
        weights = list(weights)
        if len(weights) != len(mine):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of "
                             f"length {len(weights)}, but the layer was expecting {len(mine)} weights.")
        for variable, value in zip(mine, weights):
            value = np.asarray(value)
            expected = tuple(variable.shape.as_list())
            if value.shape != expected:
                raise ValueError(f"Layer {self.name} weight shape {expected} is not compatible with provided "
                                 f"weight shape {value.shape}.")
        for variable, value in zip(mine, weights):
            variable.assign(np.asarray(value, dtype=variable.dtype.as_numpy_dtype))

    def count_params(self) -> int:
        """The number of scalars in all weights (the layer must be built)."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the layer isn't built. "
                             "You can build it manually via: `layer.build(input_shape)`.")
        return int(sum(math.prod(w.shape.as_list()) for w in self.weights))

    # ---- losses -----------------------------------------------------------------------------------------
    def add_loss(self, loss) -> None:
        """Adds a loss tensor (e.g. an activity penalty) to `layer.losses` for the current call."""
        self._losses.append(loss)

    @property
    def losses(self) -> list:
        """Losses added during the last call (by this layer and its sublayers), then weight penalties."""
        out = []
        layers = self._flatten_layers()
        for layer in layers:
            out.extend(layer._losses)
        for w in self.trainable_weights:
            reg = getattr(w, "regularizer", None)
            if reg is not None:
                out.append(reg(w))
        return out

    def _clear_losses(self) -> None:
        if self._losses:
            self._losses = []
        for layer in self._own_layers:
            layer._clear_losses()
        if self._containers:
            for leaf in _container_leaves(self._containers):
                if isinstance(leaf, Layer) and leaf is not self:
                    leaf._clear_losses()

    # ---- metadata ---------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value) -> None:
        if not isinstance(value, str) or "/" in value:
            raise ValueError("Argument `name` must be a string and cannot contain character `/`. "
                             f"Received: name={value} (of type {type(value)})")
        self._name = value

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype

    @property
    def dtype_policy(self) -> DTypePolicy:
        return DTypePolicy(self._dtype)

    @property
    def input(self):
        """The KerasTensor(s) this layer was first called on (functional API)."""
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called and thus has no defined input.")
        node = self._inbound_nodes[0]
        args = node.call_args
        return args[0] if args else node.input_tensors

    @property
    def output(self):
        """The KerasTensor(s) this layer produced on its first functional call."""
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called and thus has no defined output.")
        return self._inbound_nodes[0].outputs

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    __str__ = __repr__

    # ---- build --------------------------------------------------------------------------------------------
    def build(self, input_shape=None) -> None:
        """Creates the weights for inputs of `input_shape` (a tuple with None for unknown dims)."""
        self.built = True

    def _build_for(self, inputs) -> None:
        shapes = nest.map_structure(_shape_tuple, inputs)
        self._build_with_shapes(shapes)

    def _build_with_shapes(self, shapes) -> None:
        with self._weight_scope():
            self.build(shapes)
        self.built = True
        self._build_shapes_dict = {"input_shape": shapes}
        if _settings.pending_restores:  # a checkpoint restored before these weights existed
            resolve_pending_restores()

    def get_build_config(self):
        if self._build_shapes_dict is not None:
            return dict(self._build_shapes_dict)
        return None

    def build_from_config(self, config) -> None:
        if config and "input_shape" in config:
            self._build_with_shapes(_as_shapes(config["input_shape"]))

    # ---- calling ------------------------------------------------------------------------------------------
    def call(self, inputs, *args, **kwargs):
        """The layer's computation; subclasses override it (the base returns its input)."""
        return inputs

    def __call__(self, *args, **kwargs):
        if not args:
            if "inputs" not in kwargs:
                raise ValueError(f"Layer {self.name} was called without inputs: pass them as the first "
                                 "positional argument.")
            args = (kwargs.pop("inputs"),)
        if any_symbolic(args, kwargs):
            return self._symbolic_call(args, kwargs)
        inputs = self._convert_inputs(args[0])
        first_call = not self.built
        if first_call:
            self._build_for(inputs)
        if self.input_spec is not None:
            self._check_inputs(inputs)
        flags = self._call_flags
        if flags is None:
            flags = self._call_flags = _call_flags(self)
        st = _state
        outer = st.keras_training
        training = kwargs.pop("training", None)
        if training is None:
            training = outer
        if flags[0] and training is not None:
            kwargs["training"] = training
        if not flags[1] and "mask" in kwargs:
            kwargs.pop("mask")  # Keras passes masks only to layers whose call takes one
        depth = st.keras_call_depth
        if depth == 0 and (self._losses or self._own_layers or self._containers):
            self._clear_losses()
        st.keras_call_depth = depth + 1
        st.keras_training = training
        try:
            if first_call:
                with self._weight_scope():
                    outputs = self.call(inputs, *args[1:], **kwargs)
                self.built = True
            else:
                outputs = self.call(inputs, *args[1:], **kwargs)
        finally:
            st.keras_call_depth = depth
            st.keras_training = outer
        if self.activity_regularizer is not None:
            self._add_activity_losses(outputs)
        return outputs

    def _convert_inputs(self, x):
        """Inputs as tensors: NumPy arrays and nested number lists are converted, and floating inputs
        are cast to the layer's compute dtype (Keras's autocast)."""
        if isinstance(x, Tensor):
            if self.autocast:
                dt = x.dtype
                if dt is not self._compute_dt and dt.is_floating and self._compute_dt.is_floating:
                    return tf.cast(x, self._compute_dt)
            return x
        if isinstance(x, _TFVariable):
            return self._convert_inputs(x.value())
        if isinstance(x, (np.ndarray, np.generic)):
            if x.dtype.kind == "f" and self.autocast and self._compute_dt.is_floating:
                return tf.constant(x, dtype=self._compute_dt)
            return tf.constant(x)
        if isinstance(x, dict):
            return {k: self._convert_inputs(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)) and not _is_namedtuple(x):
            if x and _all_numbers(x):
                return self._convert_inputs(np.asarray(x))
            return type(x)(self._convert_inputs(v) for v in x)
        return x

    def _check_inputs(self, inputs) -> None:
        if isinstance(inputs, Tensor):
            shape = shape_of(inputs)
            if shape == self._last_checked:
                return
            assert_input_compatibility(self.input_spec, [inputs], self.name)
            self._last_checked = shape
            return
        assert_input_compatibility(self.input_spec, nest.flatten(inputs), self.name)

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input mask passed on when the layer supports masking."""
        return mask if self.supports_masking else None

    def _add_activity_losses(self, outputs) -> None:
        for out in nest.flatten(outputs):
            if isinstance(out, Tensor) and out.dtype.is_floating:
                loss = self.activity_regularizer(out)
                if out.shape.rank:
                    loss = loss / tf.cast(tf.shape(out)[0], loss.dtype)
                self.add_loss(loss)

    # ---- the functional API ----------------------------------------------------------------------------------
    def _symbolic_call(self, args, kwargs):
        first = args[0]
        if not self.built:
            self._build_with_shapes(nest.map_structure(_shape_tuple, first))
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, nest.flatten(first), self.name)
        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, args, kwargs, outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        """The output shape(s) for inputs of `input_shape`; by default found by tracing `call`."""
        specs = _shapes_to_keras_tensors(input_shape, self.compute_dtype)
        out = self._trace_output_spec((specs,), {})
        return nest.map_structure(lambda kt: kt.shape, out)

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensors describing the outputs of calling the layer on KerasTensors `args`."""
        if _overrides(self, "compute_output_shape"):
            shapes = self.compute_output_shape(nest.map_structure(_shape_tuple, args[0]))
            return _shapes_to_keras_tensors(shapes, self.compute_dtype)
        return self._trace_output_spec(args, kwargs)

    def _trace_output_spec(self, args, kwargs):
        """Runs `__call__` once symbolically (tf.function tracing) to learn output shapes and dtypes."""
        flat = flatten_keras_tensors((args, kwargs))
        specs = [tf.TensorSpec(kt.shape, kt.dtype) for kt in flat]

        def probe(*tensors):
            it = iter(tensors)
            a, k = nest.map_structure(lambda v: next(it) if getattr(v, "_is_keras_tensor", False) else v,
                                      (list(args), kwargs))
            return self(*a, **k)

        try:
            graph_fn = tf.function(probe, autograph=True).get_concrete_function(*specs)
        finally:
            self._clear_losses()
        return nest.map_structure(lambda t: KerasTensor(t.shape.as_list(), t.dtype.name)
                                  if isinstance(t, Tensor) else t, graph_fn.structured_outputs)

    # ---- config -------------------------------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments that rebuild this layer (Keras 3 keys)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": dtype_policy_config(self._dtype)}
        if type(self).__init__ is not Layer.__init__ and not _overrides(self, "get_config"):
            config.update(self._auto_config())
        return config

    def _auto_config(self) -> dict:
        """Constructor arguments captured at creation, when they are plain values."""
        args, kwargs = self.__dict__.get("_init_call", ((), {}))
        try:
            bound = inspect.signature(type(self).__init__).bind(None, *args, **kwargs)
            bound.apply_defaults()
        except TypeError:
            bound = None
        if bound is None:
            values = dict(kwargs)
        else:
            params = inspect.signature(type(self).__init__).parameters
            values = {}
            for key, value in list(bound.arguments.items())[1:]:  # [0] is self
                kind = params[key].kind
                if kind is inspect.Parameter.VAR_KEYWORD:
                    values.update(value)
                elif kind is not inspect.Parameter.VAR_POSITIONAL:
                    values[key] = value
        bad = [k for k, v in values.items() if not _serializable(v)]
        if bad:
            raise NotImplementedError(
                f"Layer {type(self).__name__} was created by passing non-serializable argument values in "
                f"`__init__()` ({bad}), and therefore the layer must override `get_config()` in order to be "
                "serializable.")
        values.pop("name", None)
        values.pop("dtype", None)
        values.pop("trainable", None)
        return values

    @classmethod
    def from_config(cls, config):
        """Rebuilds a layer from `get_config()`'s dict."""
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = _backend.standardize_dtype(config["dtype"])
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError(f"Error when deserializing class '{cls.__name__}' using config={config}.\n\n"
                            f"Exception encountered: {e}") from None


def call_with_mask(layer, x, mask):
    """Calls `layer` on `x`, passing `mask` when its call takes one; returns (outputs, their mask).

    Sequential and functional models use it to carry masks (e.g. from `Embedding(mask_zero=True)`)
    from layer to layer, without touching tensors.
    """
    if mask is None:
        out = layer(x)
        if type(layer).compute_mask is Layer.compute_mask:
            return out, None
        return out, layer.compute_mask(x, None)
    flags = layer._call_flags
    if flags is None:
        flags = layer._call_flags = _call_flags(layer)
    out = layer(x, mask=mask) if flags[1] else layer(x)
    return out, layer.compute_mask(x, mask)


def _all_numbers(x) -> bool:
    return all(_all_numbers(v) if isinstance(v, (list, tuple)) else type(v) in (int, float, bool) for v in x)


def _container_leaves(containers) -> list:
    """The leaves of tracked lists/dicts (plain lists of leaves, the common case, skip tf.nest)."""
    out = []
    for container in containers:
        if type(container) is list and not any(isinstance(v, (list, tuple, dict)) for v in container):
            out.extend(container)
        else:
            out.extend(nest.flatten(container))
    return out


def _holds_trackable(container) -> bool:
    return any(isinstance(v, (Layer, _TFVariable)) for v in nest.flatten(container))


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _serializable(v) -> bool:
    if isinstance(v, _SIMPLE):
        return True
    if isinstance(v, (list, tuple)):
        return all(_serializable(e) for e in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _serializable(e) for k, e in v.items())
    return False


def _shape_tuple(x):
    if x is None:
        return None
    if getattr(x, "_is_keras_tensor", False):
        return x.shape
    shape = shape_of(x)
    return tuple(shape) if shape is not None else None


def _as_shapes(config_shape):
    if is_shape(config_shape):
        return tuple(config_shape)
    if isinstance(config_shape, (list, tuple)):
        return [_as_shapes(s) for s in config_shape]
    if isinstance(config_shape, dict):
        return {k: _as_shapes(v) for k, v in config_shape.items()}
    return config_shape


def _shapes_to_keras_tensors(shapes, dtype):
    if is_shape(shapes):
        return KerasTensor(shapes, dtype)
    if isinstance(shapes, dict):
        return {k: _shapes_to_keras_tensors(v, dtype) for k, v in shapes.items()}
    return type(shapes)(_shapes_to_keras_tensors(s, dtype) for s in shapes)
