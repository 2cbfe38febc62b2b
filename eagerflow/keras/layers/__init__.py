"""`tf.keras.layers`: the layer classes, `serialize` / `deserialize` and the merge shortcuts.

>>> import eagerflow as tf
>>> layer = tf.keras.layers.deserialize(tf.keras.layers.serialize(tf.keras.layers.Dense(2, name="d")))
>>> type(layer).__name__, layer.name, layer.units
('Dense', 'd', 2)
"""
from __future__ import annotations

from .. import node as _node
from .. import serialization as _ser
from .base import Layer  # noqa: F401
from .input_spec import InputSpec  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .core import Activation, Dense, Dropout, Embedding, Identity, Lambda  # noqa: F401
from .conv import Conv1D, Conv2D, Conv2DTranspose, Convolution1D, Convolution2D  # noqa: F401
from .pooling import (AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D, GlobalAveragePooling1D,  # noqa: F401
                      GlobalAveragePooling2D, GlobalAvgPool1D, GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D,
                      GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D)
from .normalization import BatchNormalization, LayerNormalization  # noqa: F401
from .reshaping import (Cropping1D, Cropping2D, Flatten, Permute, RepeatVector, Reshape, UpSampling1D,  # noqa: F401
                        UpSampling2D, ZeroPadding1D, ZeroPadding2D)
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add,  # noqa: F401
                      average, concatenate, dot, maximum, minimum, multiply, subtract)
from .preprocessing import Normalization, Rescaling  # noqa: F401
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell  # noqa: F401
from .rnn import GRU, LSTM, RNN, Bidirectional, SimpleRNN  # noqa: F401
from .conv_extra import (Conv1DTranspose, Conv3D, Conv3DTranspose, Convolution3D,  # noqa: F401
                         Convolution3DTranspose, DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D,
                         SeparableConvolution1D, SeparableConvolution2D)
from .pooling import (AveragePooling3D, AvgPool3D, GlobalAveragePooling3D, GlobalAvgPool3D,  # noqa: F401
                      GlobalMaxPool3D, GlobalMaxPooling3D, MaxPool3D, MaxPooling3D)
from .attention import AdditiveAttention, Attention, MultiHeadAttention  # noqa: F401
from .activations import ELU, LeakyReLU, PReLU, ReLU, Softmax  # noqa: F401
from .regularization import (ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise,  # noqa: F401
                             SpatialDropout1D, SpatialDropout2D, SpatialDropout3D)
from .wrappers import Masking, TimeDistributed  # noqa: F401
from .normalization import GroupNormalization, UnitNormalization  # noqa: F401
from .preprocessing_categorical import (CategoryEncoding, Discretization, Hashing,  # noqa: F401
                                        IntegerLookup, StringLookup)


# Models are not in keras.layers: Keras 3 writes these modules (and TF's Keras looks the classes up by them).
_MODEL_MODULES = {"Sequential": ("keras", None), "Functional": ("keras.src.models.functional", "Functional")}


def serialize(layer) -> dict:
    """A layer's Keras config dict: `{'module', 'class_name', 'config', 'registered_name'}`."""
    if isinstance(layer, _node.Operation):
        return layer.serialize()
    config = _ser.serialize(layer, "keras.layers")
    model = _MODEL_MODULES.get(config["class_name"])
    if model is not None and config["registered_name"] is None and type(layer).__module__ == "eagerflow.keras.models":
        config["module"], config["registered_name"] = model
    return config


def _namespace() -> dict:
    """Built-in layer and model classes by name: every eagerflow.keras subclass of Layer (models too)."""
    names, stack = {}, [Layer]
    while stack:
        cls = stack.pop()
        if cls.__module__.startswith("eagerflow.keras") and not cls.__name__.startswith("_"):
            names.setdefault(cls.__name__, cls)
        stack.extend(cls.__subclasses__())
    names.update({name: obj for name, obj in globals().items() if isinstance(obj, type) and issubclass(obj, Layer)})
    return names


def deserialize(config, custom_objects=None):
    """The layer (or model) a config dict describes; custom classes via `custom_objects` or registration."""
    if isinstance(config, dict) and "class_name" in config and "config" in config:
        if config.get("module") == "keras.src.ops.numpy":  # an operation of a functional graph
            return _ser.deserialize(config, _node.OPERATIONS, "operation", custom_objects)
        layer = _ser.deserialize(config, _namespace(), "layer", custom_objects)
        build = config.get("build_config")
        if build is not None and not layer.built:
            layer.build_from_config(build)
        return layer
    raise ValueError(f"Could not interpret serialized layer: {config}")
