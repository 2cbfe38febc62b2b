"""`tf.keras.saving`: Keras 3's model and weight files.

- `model.save_weights(path)` / `load_weights(path)`: a path ending `.weights.h5` is Keras 3's HDF5
  layout (needs h5py: `pip install eagerflow[h5]`), readable by TF 2.21's Keras and the reverse;
  any other path uses eagerflow's own dependency-free format with the same keys.
- `model.save("m.keras")` / `load_model("m.keras")`: Keras 3's `.keras` zip archive holding
  `metadata.json`, `config.json` (the model's config, build and compile configs) and
  `model.weights.h5`. Custom classes are found through `custom_objects` or
  `register_keras_serializable`.

Loading never runs code from a file: configs are plain JSON resolved against known classes, and
Python bytecode stored for lambdas is refused unless `safe_mode=False`. Mismatched weights raise
a ValueError naming the layer and both shapes before any variable is changed. Files are written
to a temporary name and renamed, so an interrupted save leaves the previous file intact.

>>> import os, tempfile
>>> import eagerflow as tf
>>> model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
>>> path = os.path.join(tempfile.mkdtemp(), "w.weights.eagerflow")
>>> model.save_weights(path)
>>> model.load_weights(path)
"""
from __future__ import annotations

import datetime
import io
import json
import os
import zipfile

import numpy as np

import eagerflow as _tf  # public API (tf.function, TensorSpec, nest); read at call time
from .. import io_format
from ..context import _state, logger
from . import layers as _layers
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from . import saving_weights as _weights
from .serialization import get_registered_name, register_keras_serializable  # noqa: F401

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "register_keras_serializable",
           "get_registered_name"]

KERAS_VERSION = "3.15.1"  # the Keras whose file format this writes (TF 2.21's)
_WEIGHTS_H5 = "model.weights.h5"
_WEIGHTS_NATIVE = "model.weights.eagerflow"


def _fspath(filepath) -> str:
    try:
        return os.fspath(filepath)
    except TypeError:
        raise TypeError(f"filepath must be a string or path-like object, got {filepath!r}") from None


def _check_overwrite(path: str, overwrite: bool) -> None:
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} already exists; pass overwrite=True to replace it.")


# ---- weights -----------------------------------------------------------------------------------------------

def save_weights(model, filepath, overwrite=True) -> None:
    """Writes the model's (and its optimizer's) variables: Keras 3 HDF5 for `.weights.h5`, else eagerflow's format."""
    path = _fspath(filepath)
    if path.endswith(".keras"):
        raise ValueError(f"save_weights() writes weights only; use model.save() for a `.keras` file. Received: "
                         f"filepath={path}")
    _check_overwrite(path, overwrite)
    groups = _weights.collect(model)
    if path.endswith(".h5"):
        if not path.endswith(".weights.h5"):
            raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={path}")
        _weights.require_h5py("Writing a `.weights.h5` file")
        with io_format.atomic_path(path) as tmp:
            _weights.write_h5(tmp, groups)
    else:
        _weights.write_native(path, groups)


def load_weights(model, filepath, skip_mismatch=False) -> None:
    """Loads weights saved by `save_weights` (either format, detected from the content) or a `.keras` file.

    Every layer's variables are checked first: a file for another architecture, a missing layer
    or a wrong shape raises a ValueError naming the layer and both shapes, and nothing is assigned
    (with `skip_mismatch=True` the mismatching layers are skipped with a warning instead).
    """
    path = _fspath(filepath)
    groups = _weights.read_any(path)
    _weights.apply(_weights.plan(model, groups, repr(path), skip_mismatch=skip_mismatch))


# ---- configs -------------------------------------------------------------------------------------------------

def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if hasattr(obj, "as_list"):      # TensorShape
        return obj.as_list()
    if hasattr(obj, "name") and hasattr(obj, "is_floating"):  # DType
        return obj.name
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable: {obj!r:.80}")


def _serialize_compile_value(value, family):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {k: _serialize_compile_value(v, family) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_serialize_compile_value(v, family) for v in value]
    return family.serialize(value)


def _compile_config(model):
    if not getattr(model, "compiled", False) or getattr(model, "_compile_config", None) is None:
        return None
    cfg = dict(model.get_compile_config())
    cfg["optimizer"] = _optimizers.serialize(model.optimizer)
    cfg["loss"] = _serialize_compile_value(cfg.get("loss"), _losses)
    for key in ("metrics", "weighted_metrics"):
        cfg[key] = _serialize_compile_value(cfg.get(key), _metrics)
    return cfg


def model_config(model) -> dict:
    """The `config.json` content: the model's serialized config plus its build and compile configs."""
    config = _layers.serialize(model)
    config["build_config"] = model.get_build_config()
    config["compile_config"] = _compile_config(model)
    return config


# ---- SavedModel export ----------------------------------------------------------------------------------------

def _input_specs(model):
    """TensorSpecs (batch dimension None) with the structure of the model's inputs, or None if unknown."""
    graph = getattr(model, "_graph", None)
    if graph is not None:
        def spec(kt):
            name = kt._keras_history.operation.name if getattr(kt, "_keras_history", None) is not None else None
            return _tf.TensorSpec((None,) + tuple(kt.shape[1:]), kt.dtype, name)
        structure = graph.inputs
        if isinstance(structure, list) and len(structure) == 1:
            structure = structure[0]
        if not _tf.nest.is_nested(structure):  # one input: named after the call argument, as TF's export
            return _tf.TensorSpec((None,) + tuple(structure.shape[1:]), structure.dtype, "inputs")
        return _tf.nest.map_structure(spec, structure)
    build = model.get_build_config()
    shape = (build or {}).get("input_shape")
    if shape is None or not all(d is None or isinstance(d, int) for d in shape):
        return None
    return _tf.TensorSpec((None,) + tuple(shape[1:]), model.compute_dtype, "inputs")


def serving_function(model):
    """`model(inputs, training=False)` as a tf.function with an input_signature (what a SavedModel serves)."""
    specs = _input_specs(model)
    if specs is None:
        raise ValueError(f"Cannot export model '{model.name}': its input shape is unknown. Build it first (call it "
                         "on data or give it an Input).")

    def serve(inputs):
        return model(inputs, training=False)
    return _tf.function(serve, input_signature=[specs])


# ---- saving a .keras archive ------------------------------------------------------------------------------------

def save_model(model, filepath, overwrite=True, zipped=None, **kwargs) -> None:
    """Saves `model` to a Keras 3 `.keras` archive (config, metadata and weights).

    Without h5py the weights go into the archive in eagerflow's format (eagerflow reads it; Keras
    cannot), with a warning.
    """
    path = _fspath(filepath)
    if zipped is False:
        raise ValueError("zipped=False (an unzipped `.keras` directory) is not supported; save a `.keras` file.")
    if path.endswith((".h5", ".hdf5")) and not path.endswith(".weights.h5"):
        raise ValueError("Invalid filepath extension for saving: the legacy Keras 2 HDF5 model format (`.h5`) is not "
                         "supported by eagerflow. Save a `.keras` file (or weights alone with "
                         f"save_weights('...weights.h5')). Received: filepath={path}")
    if not path.endswith(".keras"):
        raise ValueError("Invalid filepath extension for saving. Please add a `.keras` extension for the native "
                         "Keras format. Use `model.save_weights(...)` for weights only, or `tf.saved_model.save(model,"
                         f" directory)` to export a SavedModel. Received: filepath={path}")
    _check_overwrite(path, overwrite)
    config = json.dumps(model_config(model), default=_json_default)
    metadata = json.dumps({"keras_version": KERAS_VERSION,
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    groups = _weights.collect(model)
    if _weights.h5py is not None:
        buf = io.BytesIO()
        _weights.write_h5(buf, groups)
        weights_name, weights = _WEIGHTS_H5, buf.getvalue()
    else:
        logger.warning("h5py is not installed: %s stores its weights in eagerflow's format, which Keras cannot "
                       "read. Install it with `pip install eagerflow[h5]` for Keras-compatible files.", path)
        weights_name, weights = _WEIGHTS_NATIVE, _weights.native_bytes(groups)
    with io_format.atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as z:
            z.writestr("metadata.json", metadata)
            z.writestr("config.json", config)
            z.writestr(weights_name, weights)


# ---- loading -------------------------------------------------------------------------------------------------

def _unsupported(path: str, why: str) -> ValueError:
    return ValueError(f"File format not supported: filepath={path}. {why}")


def _read_archive(path: str) -> tuple:
    """(config, metadata, weight groups) of a `.keras` file, validated."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "config.json" not in names:
                raise ValueError(f"Unable to load {path!r}: the archive has no config.json (it is not a `.keras` "
                                 "model file).")
            config = json.loads(z.read("config.json").decode("utf-8"))
            metadata = json.loads(z.read("metadata.json").decode("utf-8")) if "metadata.json" in names else {}
    except zipfile.BadZipFile as e:
        raise ValueError(f"Unable to load {path!r}: it is not a valid `.keras` zip archive ({e}). The file may be "
                         "truncated or corrupted.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"Unable to load {path!r}: its config.json or metadata.json is not valid JSON ({e}).") \
            from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Unable to load {path!r}: config.json does not describe a Keras object.")
    return config, metadata, _weights.read_keras_archive_weights(path)


def _deserialize_compile_value(value, family, custom_objects):
    if isinstance(value, dict) and "class_name" in value:
        return family.deserialize(value, custom_objects=custom_objects)
    if isinstance(value, dict):
        return {k: _deserialize_compile_value(v, family, custom_objects) for k, v in value.items()}
    if isinstance(value, list):
        return [_deserialize_compile_value(v, family, custom_objects) for v in value]
    if isinstance(value, str) and custom_objects and value in custom_objects:
        return custom_objects[value]
    return value


def _compile(model, config: dict, custom_objects) -> None:
    cfg = dict(config)
    cfg["optimizer"] = _optimizers.deserialize(cfg["optimizer"], custom_objects=custom_objects) \
        if isinstance(cfg.get("optimizer"), dict) else cfg.get("optimizer", "rmsprop")
    cfg["loss"] = _deserialize_compile_value(cfg.get("loss"), _losses, custom_objects)
    for key in ("metrics", "weighted_metrics"):
        cfg[key] = _deserialize_compile_value(cfg.get(key), _metrics, custom_objects)
    known = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
             "steps_per_execution", "jit_compile")
    model.compile(**{k: v for k, v in cfg.items() if k in known})
    if model.built:  # optimizer state exists before its saved values are loaded (as Keras)
        model.optimizer.build(model.trainable_variables)


def _deserialize_model(config: dict, custom_objects, safe_mode: bool):
    st = _state
    saved = st.keras_safe_mode
    st.keras_safe_mode = bool(safe_mode)
    try:
        return _layers.deserialize(config, custom_objects=custom_objects)
    finally:
        st.keras_safe_mode = saved


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002 - Keras's name
    """Loads a model saved with `model.save("m.keras")` (by eagerflow or by TF 2.21's Keras).

    `custom_objects` maps names to user classes/functions (or register them with
    `tf.keras.utils.register_keras_serializable`). `safe_mode=False` allows lambdas stored as
    bytecode, which runs code from the file: only for files you trust.
    """
    path = _fspath(filepath)
    if os.path.isdir(path):
        if os.path.exists(os.path.join(path, "saved_model.eagerflow")) or os.path.exists(
                os.path.join(path, "saved_model.pb")):
            raise _unsupported(path, "It is a SavedModel directory: load it with `tf.saved_model.load(path)` "
                               "(load_model reads `.keras` files only, as Keras 3).")
        raise _unsupported(path, "It is a directory; load_model reads `.keras` files.")
    if not os.path.exists(path):
        raise ValueError(f"File not found: filepath={path}. Please ensure the file is an accessible `.keras` zip file.")
    if path.endswith((".h5", ".hdf5")):
        raise _unsupported(path, "Legacy Keras 2 HDF5 model files are not supported by eagerflow; save models as "
                           "`.keras` (weights alone: `.weights.h5` with load_weights).")
    if not path.endswith(".keras"):
        raise _unsupported(path, "Keras 3 only supports V3 `.keras` files.")
    config, _, groups = _read_archive(path)
    model = _deserialize_model(config, custom_objects, safe_mode)
    compile_config = config.get("compile_config")
    if compile and compile_config:
        _compile(model, compile_config, custom_objects)
    _weights.apply(_weights.plan(model, groups, repr(path)))
    return model
