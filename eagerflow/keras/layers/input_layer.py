"""`tf.keras.Input` and `InputLayer`: the entry points of functional models.

>>> import eagerflow as tf
>>> x = tf.keras.Input(shape=(8,), name="features")
>>> x.shape, x._keras_history.operation
((None, 8), <InputLayer name=features, built=True>)
"""
from __future__ import annotations

from ..node import KerasTensor, Node
from .base import Layer

__all__ = ["InputLayer", "Input"]


class InputLayer(Layer):
    """The layer behind `tf.keras.Input`: holds one KerasTensor of the given batch shape."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, input_tensor=None,
                 optional=False, name=None, ragged=None, **kwargs):
        if "input_shape" in kwargs and shape is None:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs and batch_shape is None:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, dtype=dtype, **kwargs)
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_size is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `batch_size` and `batch_shape` at the same time.")
        if input_tensor is not None:
            if not getattr(input_tensor, "_is_keras_tensor", False):
                raise ValueError("Argument `input_tensor` must be a KerasTensor. Received invalid type: "
                                 f"input_tensor={input_tensor} (of type {type(input_tensor)})")
            batch_shape = input_tensor.shape
        if shape is None and batch_shape is None:
            raise ValueError("You must pass a `shape` argument.")
        if shape is not None:
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        self._batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self.sparse, self.ragged, self.optional = bool(sparse), bool(ragged), bool(optional)
        self.built = True
        tensor = input_tensor if input_tensor is not None else KerasTensor(
            self._batch_shape, dtype=self._dtype, sparse=self.sparse, ragged=self.ragged, name=name)
        self._input_tensor = tensor
        Node(self, (), {}, tensor)

    @property
    def batch_shape(self) -> tuple:
        return self._batch_shape

    @property
    def output(self):
        return self._input_tensor

    def call(self, inputs=None):
        return inputs

    def compute_output_shape(self, input_shape=None):
        return self._batch_shape

    def get_config(self) -> dict:
        return {"batch_shape": self._batch_shape, "dtype": self._dtype, "sparse": self.sparse,
                "ragged": self.ragged, "name": self.name, "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None,  # noqa: N802
          optional=False, ragged=None):
    """A symbolic input for a functional model: a KerasTensor of shape `(batch_size,) + shape`.

    >>> import eagerflow as tf
    >>> inputs = tf.keras.Input((4,))
    >>> model = tf.keras.Model(inputs, tf.keras.layers.Dense(2)(inputs))
    >>> model(tf.ones((3, 4))).shape
    TensorShape([3, 2])
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       name=name, input_tensor=tensor, optional=optional, ragged=ragged)
    return layer.output
