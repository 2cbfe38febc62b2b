"""`tf.keras.Variable`: a `tf.Variable` with Keras 3's naming (`name`, `path`) and a settable `trainable`.

It stays a `tf.Variable` (tapes, tf.function and optimizers treat it as one); only what Keras users
see differs: `name` is the bare weight name and `path` the layer path it was created under.

>>> import eagerflow as tf
>>> layer = tf.keras.layers.Dense(2, name="proj")
>>> layer.build((None, 3))
>>> layer.kernel.name, layer.kernel.path, layer.kernel.shape
('kernel', 'proj/kernel', TensorShape([3, 2]))
"""
from __future__ import annotations

from .. import variables as _variables
from . import backend as _backend

__all__ = ["Variable"]


class Variable(_variables.Variable):
    """A layer weight: `initializer` is a value or a callable `(shape, dtype) -> tensor`.

    >>> import eagerflow as tf
    >>> v = tf.keras.Variable(tf.keras.initializers.Ones(), shape=(2,), name="w")
    >>> v.numpy(), v.trainable
    (array([1., 1.], dtype=float32), True)
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True, aggregation="none",
                 synchronization="auto", name=None, regularizer=None, constraint=None):
        name = name or "variable"
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character `/`. "
                             f"Received: name={name}")
        dtype = _backend.standardize_dtype(dtype)
        if callable(initializer) and not hasattr(initializer, "__tf_tensor__"):
            if shape is None:
                raise ValueError("When creating a Variable from an initializer, the `shape` argument should be "
                                 f"specified. Received: initializer={initializer} and shape={shape}")
            shape = tuple(int(d) for d in shape)
            initial = (lambda: initializer(shape, dtype=dtype))
        else:
            initial = initializer
        super().__init__(initial, trainable=bool(trainable), name=name, dtype=dtype, constraint=constraint)
        self._keras_name = name
        self._path = self._name[:-2]
        self.regularizer = regularizer
        self.autocast = autocast

    @property
    def name(self) -> str:
        return self._keras_name

    @property
    def path(self) -> str:
        """The name scoped by the layers it was created in (`sequential/dense/kernel`)."""
        return self._path

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value) -> None:
        self._trainable = bool(value)

    def __repr__(self):
        return (f"<Variable path={self._path}, shape={tuple(self.shape.as_list())}, dtype={self.dtype.name}, "
                f"value={self._tensor._value}>")

    def __deepcopy__(self, memo):
        v = Variable(self._tensor, dtype=self.dtype, trainable=self._trainable, name=self._keras_name,
                     regularizer=self.regularizer, constraint=self._constraint)
        memo[id(self)] = v
        return v
