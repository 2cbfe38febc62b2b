"""TimeDistributed (apply a layer to every timestep) and Masking (mark padded timesteps).

>>> import eagerflow as tf
>>> tf.keras.layers.TimeDistributed(tf.keras.layers.Dense(2))(tf.ones((4, 3, 5))).shape
TensorShape([4, 3, 2])
"""
from __future__ import annotations

import inspect

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import backend as _backend
from .. import layers as _layers  # the package: `serialize` / `deserialize` are looked up at call time
from .base import Layer

__all__ = ["TimeDistributed", "Masking"]


def _takes(layer, argument: str) -> bool:
    try:
        return argument in inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return False


class TimeDistributed(Layer):
    """Applies `layer` to each slice `inputs[:, t]` along axis 1 (the same weights at every step).

    A mask of shape `(batch, timesteps, ...)` is passed on, sliced per step, to a wrapped layer whose
    `call` takes one, and is the output's mask.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.TimeDistributed(tf.keras.layers.Dense(2, name="d"), name="td")
    >>> _ = layer(tf.ones((1, 3, 4)))
    >>> [w.path for w in layer.weights]
    ['td/d/kernel', 'td/d/bias']
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    @staticmethod
    def _child_shape(input_shape) -> tuple:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
                             f"received: {input_shape}")
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        child = self._child_shape(input_shape)
        if not self.layer.built:
            self.layer._build_with_shapes(child)  # inside our scope: weights are 'time_distributed/<layer>/...'
        self.built = True

    def _check_mask(self, inputs, mask) -> None:
        m_shape, i_shape = mask.shape.as_list(), inputs.shape.as_list()
        if len(m_shape) < 2:
            raise ValueError("The `mask` passed to the `TimeDistributed` layer must be at least 2D (e.g., "
                             f"`(batch_size, timesteps)`), but it has {len(m_shape)} dimension(s) with shape "
                             f"{tuple(m_shape)}.")
        for m, i in zip(m_shape[:2], i_shape[:2]):
            if m is not None and i is not None and m != i:
                raise ValueError(f"The `mask` passed to the `TimeDistributed` layer has a shape {tuple(m_shape)} "
                                 f"that is incompatible with the input shape {tuple(i_shape)}. The first two "
                                 "dimensions of the mask (batch size and timesteps) must match the input's first "
                                 f"two dimensions. Expected mask shape prefix: ({i_shape[0]}, {i_shape[1]}).")

    def call(self, inputs, training=None, mask=None):
        if mask is not None:
            mask = tf.convert_to_tensor(mask)
            self._check_mask(inputs, mask)
        kwargs = {}
        if _takes(self.layer, "training"):
            kwargs["training"] = training
        pass_mask = mask is not None and _takes(self.layer, "mask")
        steps = inputs.shape[1]
        if steps is not None:
            # One call per step, as Keras 3 does (layers with batch statistics see each step alone).
            masks = tf.unstack(mask, axis=1) if pass_mask else [None] * steps
            outputs = []
            for x_t, m_t in zip(tf.unstack(inputs, axis=1), masks):
                outputs.append(self.layer.call(x_t, **kwargs, **({"mask": m_t} if pass_mask else {})))
            return tf.stack(outputs, axis=1)
        # Unknown number of steps (a graph traced for `Input((None, ...))`): fold the steps into the batch.
        shape = tf.shape(inputs)
        merged = tf.reshape(inputs, tf.concat([[-1], shape[2:]], axis=0))
        if pass_mask:
            kwargs["mask"] = tf.reshape(mask, tf.concat([[-1], tf.shape(mask)[2:]], axis=0))
        out = self.layer.call(merged, **kwargs)
        return tf.reshape(out, tf.concat([shape[:2], tf.shape(out)[1:]], axis=0))

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (child[0], input_shape[1]) + tuple(child[1:])

    def get_config(self):
        config = super().get_config()
        entry = _layers.serialize(self.layer)
        build = self.layer.get_build_config() if self.layer.built else None
        if build is not None:
            entry["build_config"] = build
        config["layer"] = entry
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = _layers.deserialize(config.pop("layer"), custom_objects=custom_objects)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = _backend.standardize_dtype(config["dtype"])
        return cls(layer, **config)


class Masking(Layer):
    """Masks the timesteps whose features all equal `mask_value`: their outputs are zeroed and the
    output mask (`compute_mask`, shape `(batch, timesteps)`) is False there, so masking layers
    downstream (RNNs, losses) skip them.

    >>> import eagerflow as tf
    >>> x = tf.constant([[[1.0], [0.0], [2.0]]])
    >>> tf.keras.layers.Masking().compute_mask(x).numpy()
    array([[ True, False,  True]])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def _keep(self, inputs, keepdims: bool):
        return tf.reduce_any(tf.not_equal(inputs, tf.cast(self.mask_value, inputs.dtype)), axis=-1,
                             keepdims=keepdims)

    def compute_mask(self, inputs, mask=None):
        return self._keep(tf.convert_to_tensor(inputs), keepdims=False)

    def call(self, inputs):
        keep = self._keep(inputs, keepdims=True)
        outputs = tf.where(keep, inputs, tf.zeros_like(inputs))
        try:  # as Keras, the output carries its mask (losses and metrics read `_keras_mask`)
            outputs._keras_mask = tf.squeeze(keep, axis=-1)
        except AttributeError:
            pass
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
