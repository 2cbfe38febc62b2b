"""`tf.keras.backend`: the few global Keras settings (float type, fuzz factor, image layout, names).

The settings themselves live in `eagerflow.context.settings`, the one home of global state.

>>> import eagerflow as tf
>>> tf.keras.backend.floatx(), tf.keras.backend.epsilon()
('float32', 1e-07)
"""
from __future__ import annotations

from .. import dtypes as _dt
from ..context import settings as _settings

__all__ = ["floatx", "set_floatx", "epsilon", "set_epsilon", "image_data_format", "set_image_data_format",
           "clear_session", "unique_name", "standardize_dtype", "is_float_dtype", "is_keras_tensor",
           "int_shape"]

_FLOAT_TYPES = ("float16", "bfloat16", "float32", "float64")


def floatx() -> str:
    """The default float type of layer weights and computations, as a string ('float32').

    >>> import eagerflow as tf
    >>> tf.keras.backend.floatx()
    'float32'
    """
    return _settings.keras_floatx


def set_floatx(value) -> None:
    """Sets the default float type ('float16', 'bfloat16', 'float32' or 'float64')."""
    value = standardize_dtype(value)
    if value not in _FLOAT_TYPES:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {set(_FLOAT_TYPES)}")
    _settings.keras_floatx = value


def epsilon() -> float:
    """The fuzz factor used to avoid division by zero (1e-7).

    >>> import eagerflow as tf
    >>> tf.keras.backend.epsilon()
    1e-07
    """
    return _settings.keras_epsilon


def set_epsilon(value) -> None:
    """Sets the fuzz factor."""
    _settings.keras_epsilon = float(value)


def image_data_format() -> str:
    """'channels_last' (the default) or 'channels_first'."""
    return _settings.keras_image_data_format


def set_image_data_format(data_format) -> None:
    """Sets the default image layout ('channels_last' or 'channels_first')."""
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
                         f"Received: data_format={data_format}")
    _settings.keras_image_data_format = data_format


def clear_session(free_memory=True) -> None:
    """Resets Keras's global state: automatic layer and tensor names start again from `dense`, ...

    >>> import eagerflow as tf
    >>> tf.keras.backend.clear_session()
    >>> tf.keras.layers.Dense(2).name
    'dense'
    """
    with _settings.lock:
        _settings.keras_name_counts.clear()


def unique_name(base: str) -> str:
    """`base` the first time, then `base_1`, `base_2`, ... (Keras's automatic names)."""
    counts = _settings.keras_name_counts
    with _settings.lock:
        n = counts.get(base, 0)
        counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def standardize_dtype(dtype) -> str:
    """A dtype given as a string, DType, NumPy dtype or Python type, as Keras's string name."""
    if dtype is None:
        return floatx()
    if dtype is float:
        return "float32"
    if dtype is int:
        return "int32"
    if dtype is bool:
        return "bool"
    if isinstance(dtype, dict):  # a serialized DTypePolicy
        return standardize_dtype(dtype.get("config", {}).get("name"))
    name = getattr(dtype, "name", None)
    if isinstance(name, str) and not isinstance(dtype, str):
        dtype = name
    try:
        return _dt.as_dtype(dtype).name
    except (TypeError, ValueError):
        raise ValueError(f"Invalid dtype: {dtype}") from None


def is_float_dtype(dtype) -> bool:
    return standardize_dtype(dtype) in _FLOAT_TYPES


def is_keras_tensor(x) -> bool:
    """True for the symbolic tensors of the functional API (what `tf.keras.Input` returns)."""
    return getattr(x, "_is_keras_tensor", False)


def int_shape(x):
    """The static shape of a tensor or variable as a tuple (None for unknown dims)."""
    shape = x.shape
    return tuple(shape) if isinstance(shape, tuple) else tuple(shape.as_list())
