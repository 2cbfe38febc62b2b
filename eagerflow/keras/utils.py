"""`tf.keras.utils`: serialization registration, seeding and small array helpers.

>>> import eagerflow as tf
>>> tf.keras.utils.to_categorical([0, 2], num_classes=3)
array([[1., 0., 0.],
       [0., 0., 1.]], dtype=float32)
"""
from __future__ import annotations

import random

import numpy as np

import eagerflow as tf  # public API only; attributes are read at call time
from .data_adapter import pack_x_y_sample_weight, unpack_x_y_sample_weight
from .preprocessing.sequence import pad_sequences
from .progbar import Progbar
from .serialization import get_registered_name, register_keras_serializable

__all__ = ["register_keras_serializable", "get_registered_name", "set_random_seed", "to_categorical",
           "normalize", "serialize_keras_object", "deserialize_keras_object", "Progbar",
           "pack_x_y_sample_weight", "unpack_x_y_sample_weight", "pad_sequences"]


def set_random_seed(seed: int) -> None:
    """Seeds Python's `random`, NumPy and eagerflow (`tf.random.set_seed`) at once."""
    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} (of type {type(seed)})")
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)


def to_categorical(x, num_classes=None):
    """One-hot encodes integer class ids (a trailing axis of size 1 is dropped first)."""
    x = np.asarray(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    out = np.zeros((x.size, num_classes), dtype="float32")
    out[np.arange(x.size), x] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """`x` divided by its `order`-norm along `axis` (zero norms left as is)."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def serialize_keras_object(obj):
    """The config dict of any Keras object (layer, model, initializer, ...)."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    module = type(obj).__module__.replace("eagerflow.", "").split(".")
    family = module[1] if len(module) > 1 and module[0] == "keras" else "keras"
    family = {"models": "layers", "initializers": "initializers"}.get(family, family)
    from_module = "keras." + family if family != "keras" else "keras"
    return {"module": from_module, "class_name": type(obj).__name__, "config": obj.get_config(),
            "registered_name": type(obj).__dict__.get("_keras_registered_name")}


def deserialize_keras_object(config, custom_objects=None):
    """The Keras object a config dict describes (looked up in its `module` family)."""
    if not isinstance(config, dict):
        raise ValueError(f"Could not interpret serialized object: {config}")
    family = str(config.get("module", "keras.layers")).split(".")[-1]
    namespace = {"initializers": tf.keras.initializers, "regularizers": tf.keras.regularizers,
                 "constraints": tf.keras.constraints, "activations": tf.keras.activations}.get(family,
                                                                                              tf.keras.layers)
    return namespace.deserialize(config, custom_objects=custom_objects)
