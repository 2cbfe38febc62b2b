"""`InputSpec`: what a layer accepts (rank, dtype, fixed axes), checked on every call with Keras's messages.

>>> import eagerflow as tf
>>> spec = tf.keras.layers.InputSpec(min_ndim=2, axes={-1: 4})
>>> spec
InputSpec(min_ndim=2, axes={-1: 4})
"""
from __future__ import annotations

from .. import backend as _backend

__all__ = ["InputSpec", "assert_input_compatibility", "shape_of"]


class InputSpec:
    """Constraints on one input of a layer: `ndim`, `min_ndim`, `max_ndim`, `shape`, `axes`, `dtype`."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = _backend.standardize_dtype(dtype) if dtype is not None else None
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.name, self.optional = name, optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            top = (self.ndim if self.ndim is not None else self.max_ndim) - 1
            if max(self.axes) > top:
                raise ValueError(f"Axis {max(self.axes)} is greater than the maximum allowed value: {top}")

    def __repr__(self):
        parts = [f"{k}={v}" for k, v in (("dtype", self.dtype), ("shape", self.shape), ("ndim", self.ndim),
                                          ("max_ndim", self.max_ndim), ("min_ndim", self.min_ndim),
                                          ("axes", self.axes or None)) if v is not None]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim, "max_ndim": self.max_ndim,
                "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def shape_of(x):
    """The static shape of a tensor-like as a tuple (None dims unknown), or None for unknown rank."""
    value = getattr(x, "_value", None)
    if value is not None and hasattr(value, "shape"):
        return value.shape  # an eager tensor: its NumPy shape
    shape = x.shape
    if isinstance(shape, tuple):
        return shape
    return shape.as_tuple() if hasattr(shape, "as_tuple") else tuple(shape)


def _incompatible(index, spec, layer_name: str, detail: str) -> ValueError:
    return ValueError(f"Input {index} with name '{spec.name}' of layer '{layer_name}' is incompatible with the "
                      f"layer: {detail}")


def assert_input_compatibility(input_spec, inputs, layer_name: str) -> None:
    """Raises ValueError (Keras's wording) when `inputs` (a flat list) break `input_spec`."""
    specs = input_spec if isinstance(input_spec, (list, tuple)) else [input_spec]
    if len(inputs) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(inputs)} '
                         f"input tensors. Inputs received: {inputs}")
    for index, (x, spec) in enumerate(zip(inputs, specs)):
        if spec is None or (x is None and spec.optional):
            continue
        shape = shape_of(x)
        if shape is None:
            continue
        _check_one(index, spec, x, tuple(shape), layer_name)


def _check_one(index, spec, x, shape, layer_name):
    ndim = len(shape)
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
        raise _incompatible(index, spec, layer_name, f"expected ndim={spec.ndim}, found ndim={ndim}. "
                                                     f"Full shape received: {shape}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise _incompatible(index, spec, layer_name, f"expected max_ndim={spec.max_ndim}, found ndim={ndim}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise _incompatible(index, spec, layer_name, f"expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                                                     f"Full shape received: {shape}")
    if spec.dtype is not None:
        dtype = _backend.standardize_dtype(x.dtype)
        if dtype != spec.dtype:
            raise _incompatible(index, spec, layer_name, f"expected dtype={spec.dtype}, found dtype={dtype}")
    for axis, value in spec.axes.items():
        if value is None:
            continue
        if -ndim <= axis < ndim and shape[axis] is not None and shape[axis] != value:
            raise _incompatible(index, spec, layer_name, f"expected axis {axis} of input shape to have value "
                                                         f"{value}, but received input with shape {shape}")
    if spec.shape is not None and ndim == len(spec.shape):
        for got, want in zip(shape, spec.shape):
            if want is not None and got is not None and got != want:
                raise _incompatible(index, spec, layer_name, f"expected shape={spec.shape}, found shape={shape}")
