"""Attention layers: Attention (dot-product, Luong), AdditiveAttention (Bahdanau) and MultiHeadAttention.

>>> import eagerflow as tf
>>> q, v = tf.ones((2, 4, 8)), tf.ones((2, 6, 8))
>>> tf.keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)(q, v).shape
TensorShape([2, 4, 8])
"""
from __future__ import annotations

import math
import string

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import initializers as _initializers
from ..node import KerasTensor
from .base import Layer
from .input_spec import shape_of
from .weight_options import set_weight_options, weight_options_config

__all__ = ["Attention", "AdditiveAttention", "MultiHeadAttention"]

_MASKED_SCORE = 1.0e9            # subtracted from masked scores before the softmax (Keras's -1e9)
_FAST_PATH_FILL = -0.7 * 3.38953e38  # what Keras's fused dot-product attention writes into masked logits


def _shape(x) -> tuple:
    if getattr(x, "_is_keras_tensor", False):
        return tuple(x.shape)
    shape = shape_of(x)
    return tuple(shape) if shape is not None else tuple(x.shape)


def _as_float(layer, x):
    x = tf.convert_to_tensor(x)
    if x.dtype.is_floating and x.dtype.name != layer.compute_dtype:
        x = tf.cast(x, layer.compute_dtype)
    return x


def _causal_mask(n_query, n_key):
    """(1, Tq, Tk) booleans, True where key position <= query position."""
    rows = tf.cumsum(tf.ones([1, n_query, n_key], "int32"), axis=-2)
    cols = tf.cumsum(tf.ones([1, n_query, n_key], "int32"), axis=-1)
    return tf.greater_equal(rows, cols)


# ---- Attention and AdditiveAttention ---------------------------------------------------------------------

class Attention(Layer):
    """Dot-product attention over `[query, value]` or `[query, value, key]` (Luong style).

    scores = query @ key^T (times a learned scalar if `use_scale`); `score_mode="concat"` uses
    sum(tanh(query + key)) instead. The softmax of the scores weights `value`.

    >>> import eagerflow as tf
    >>> q, v = tf.ones((2, 3, 4)), tf.ones((2, 5, 4))
    >>> out, scores = tf.keras.layers.Attention()([q, v], return_attention_scores=True)
    >>> out.shape, scores.shape
    (TensorShape([2, 3, 4]), TensorShape([2, 3, 5]))
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                             f"Received: score_mode={score_mode}")
        self.supports_masking = True

    def _validate(self, inputs, mask=None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely [query, value] or "
                             f"[query, value, key]. Received: inputs={inputs}.")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or "
                             f"[query, value, key]. Received length: {len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, value_mask]. "
                                 f"Received: mask={mask}.")
            if not 2 <= len(mask) <= 3:
                raise ValueError(f"{name} layer accepts mask list of length 2 or 3. Received: mask={mask}.")

    def build(self, input_shape):
        self._validate(list(input_shape))
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")
        self.built = True

    def _scores(self, query, key):
        if self.score_mode == "dot":
            scores = tf.matmul(query, key, transpose_b=True)
            return scores if self.scale is None else scores * self.scale
        pairs = tf.expand_dims(query, -2) + tf.expand_dims(key, -3)
        if self.scale is not None:
            pairs = self.scale * pairs
        return self.concat_score_weight * tf.reduce_sum(tf.tanh(pairs), axis=-1)

    def call(self, inputs, mask=None, training=None, return_attention_scores=False, use_causal_mask=False):
        self._validate(inputs, mask)
        query = inputs[0]
        value = _as_float(self, inputs[1])
        key = _as_float(self, inputs[2]) if len(inputs) > 2 else value
        query_mask, value_mask = (mask[0], mask[1]) if mask else (None, None)
        scores = self._scores(query, key)
        keep = None if value_mask is None else tf.expand_dims(tf.cast(value_mask, "bool"), -2)
        if use_causal_mask:
            causal = _causal_mask(tf.shape(scores)[-2], tf.shape(scores)[-1])
            keep = causal if keep is None else tf.logical_and(keep, causal)
        if keep is not None:
            scores = tf.where(keep, scores, scores - tf.cast(_MASKED_SCORE, scores.dtype))
        weights = tf.nn.softmax(scores, axis=-1)
        dropped = weights
        if training and self.dropout > 0:
            dropped = tf.nn.dropout(weights, rate=self.dropout, seed=self.seed)
        output = tf.matmul(dropped, value)
        if query_mask is not None:
            output = tf.where(tf.expand_dims(tf.cast(query_mask, "bool"), -1), output, tf.zeros_like(output))
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        self._validate(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return tf.convert_to_tensor(mask[0])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def compute_output_spec(self, inputs, mask=None, return_attention_scores=False, training=None,
                            use_causal_mask=False):
        self._validate(inputs, mask)
        shapes = [_shape(x) for x in inputs]
        out = KerasTensor(self.compute_output_shape(shapes), self.compute_dtype)
        if not return_attention_scores:
            return out
        key_shape = shapes[2] if len(shapes) > 2 else shapes[1]
        return out, KerasTensor(shapes[0][:-1] + (key_shape[-2],), self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode, "dropout": self.dropout,
                       "seed": self.seed})
        return config


class AdditiveAttention(Attention):
    """Additive (Bahdanau) attention: scores = sum(scale * tanh(query + key)) over the features.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.AdditiveAttention()
    >>> layer([tf.ones((2, 3, 4)), tf.ones((2, 5, 4))]).shape, layer.scale.shape
    (TensorShape([2, 3, 4]), TensorShape([4]))
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate(list(input_shape))
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],), initializer="glorot_uniform")
        self.built = True

    def _scores(self, query, key):
        tanh = tf.tanh(tf.expand_dims(query, -2) + tf.expand_dims(key, -3))
        return tf.reduce_sum(tanh if self.scale is None else self.scale * tanh, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config


# ---- MultiHeadAttention ------------------------------------------------------------------------------------

def _projection_equation(free: int, bound: int, out: int) -> tuple:
    """('abc,cde->abde', 'de') style einsum for a dense map of `bound` axes onto `out` new axes."""
    letters = string.ascii_lowercase
    kept, summed, made = letters[:free], letters[free:free + bound], letters[free + bound:free + bound + out]
    return f"{kept + summed},{summed + made}->{kept + made}", made


def _attention_equations(rank: int, axes: tuple) -> tuple:
    """Einsum equations (key x query -> scores, scores x value -> output) for projected tensors of `rank`
    (batch, ..., heads, channels) attending over `axes`; the scores put batch-like axes first."""
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch = [i for i in range(rank - 1) if i not in axes]
    fresh = iter(letters[rank:])
    source = "".join(target[i] if i in batch or i == rank - 1 else next(fresh) for i in range(rank))
    product = "".join([target[i] for i in batch] + [target[i] for i in axes] + [source[i] for i in axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


class _Projection(Layer):
    """A dense map of the last `len(in_dims)` axes to `out_shape` via einsum (kernel `[*in_dims, *out_shape]`)."""

    def __init__(self, equation, in_dims, out_shape, options, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.equation, self.in_dims, self.out_shape, self.activation = equation, in_dims, out_shape, activation
        self._options = options  # use_bias and the owner's initializers / regularizers / constraints

    def build(self, input_shape=None):
        o = self._options
        self.kernel = self.add_weight(name="kernel", shape=tuple(self.in_dims) + tuple(self.out_shape),
                                      initializer=_initializers.get(_initializers.serialize(o["kernel_initializer"])),
                                      regularizer=o["kernel_regularizer"], constraint=o["kernel_constraint"])
        self.bias = None
        if o["use_bias"]:
            self.bias = self.add_weight(name="bias", shape=tuple(self.out_shape),
                                        initializer=_initializers.get(_initializers.serialize(o["bias_initializer"])),
                                        regularizer=o["bias_regularizer"], constraint=o["bias_constraint"])
        self.built = True

    def call(self, inputs):
        y = tf.einsum(self.equation, inputs, self.kernel)
        y = y if self.bias is None else y + self.bias
        return y if self.activation is None else self.activation(y)


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al.): `num_heads` scaled dot-product attentions over projected
    query, key and value, concatenated and projected back to the query's last dimension (or
    `output_shape`).

    Call with `(query, value, key=None, ...)`; masks: `query_mask` [B, T], `value_mask` / `key_mask`
    [B, S], `attention_mask` [B, T, S] (True attends), `use_causal_mask`.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    >>> out, scores = layer(tf.ones((1, 4, 5)), tf.ones((1, 6, 5)), return_attention_scores=True)
    >>> out.shape, scores.shape, layer.weights[0].shape
    (TensorShape([1, 4, 5]), TensorShape([1, 2, 4, 6]), TensorShape([5, 2, 3]))
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        for arg, value, optional in (("num_heads", num_heads, False), ("key_dim", key_dim, False),
                                     ("value_dim", value_dim, True)):
            if optional and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                extra = " or `None`" if optional else ""
                raise ValueError(f"Received an invalid value for argument `{arg}`, expected a positive "
                                 f"integer{extra}. Received: {arg}={value}")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = value_dim if value_dim else key_dim
        self.dropout, self.use_bias, self.seed = dropout, bool(use_bias), seed
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, int) else output_shape
            if not isinstance(output_shape, (list, tuple)):
                raise ValueError(f"Invalid `output_shape`: {output_shape}. When specified, the `output_shape` "
                                 "should be of type tuple, list, or int.")
            output_shape = tuple(output_shape)
        self._output_shape = output_shape or None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"`attention_axes` must be an int, list, or tuple.Received: attention_axes="
                             f"{attention_axes}")
        self.attention_axes = tuple(attention_axes) if attention_axes else None
        if sliding_window is not None and (isinstance(sliding_window, bool) or not isinstance(sliding_window, int)
                                           or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. Received: "
                             f"sliding_window={sliding_window}")
        if flash_attention:
            raise ValueError("Flash attention is not supported in eagerflow: pass flash_attention=None or False.")
        self.sliding_window, self.use_gate = sliding_window, bool(use_gate)
        set_weight_options(self, ("kernel", "bias"), locals())

    # ---- building ------------------------------------------------------------------------------------------
    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise ValueError(f"Layer {self.name} needs a `value` tensor: call it as layer(query, value).")
        if not self.built:
            self.build(_shape(query), _shape(value), None if key is None else _shape(key))
        return super().__call__(query, value, key, **kwargs)

    def _projection(self, name, input_rank, bound, out_shape, in_dims, activation=None):
        equation, _ = _projection_equation(input_rank - bound, bound, len(out_shape))
        options = {"use_bias": self.use_bias, "kernel_initializer": self.kernel_initializer,
                   "bias_initializer": self.bias_initializer, "kernel_regularizer": self.kernel_regularizer,
                   "bias_regularizer": self.bias_regularizer, "kernel_constraint": self.kernel_constraint,
                   "bias_constraint": self.bias_constraint}
        return _Projection(equation, in_dims, out_shape, options, activation, name=name, dtype=self.dtype)

    def build(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                             f"value_shape={value_shape} and key_shape={key_shape}")
        rank = len(query_shape) + 1  # of the projected tensors: (..., heads, channels)
        axes = tuple(range(1, rank - 2)) if self.attention_axes is None else self.attention_axes
        self.attention_axes = tuple(a if a >= 0 else rank - 1 + a for a in axes)
        self._dot_equation, self._combine_equation, n_scores = _attention_equations(rank, self.attention_axes)
        self._norm_axes = tuple(range(n_scores - len(self.attention_axes), n_scores))
        heads = self.num_heads
        out_shape = self._output_shape or (query_shape[-1],)
        with self._weight_scope():
            self._query_dense = self._projection("query", len(query_shape), 1, (heads, self.key_dim),
                                                 (query_shape[-1],))
            self._key_dense = self._projection("key", len(key_shape), 1, (heads, self.key_dim), (key_shape[-1],))
            if self.use_gate:
                self._gate_dense = self._projection("gate", len(query_shape), 1, (heads, self.value_dim),
                                                    (query_shape[-1],), tf.sigmoid)
            self._value_dense = self._projection("value", len(value_shape), 1, (heads, self.value_dim),
                                                 (value_shape[-1],))
            self._output_dense = self._projection("attention_output", rank, 2, out_shape, (heads, self.value_dim))
            for layer in self._sublayers():
                with layer._weight_scope():
                    layer.build()
        shapes = {"query_shape": query_shape, "value_shape": value_shape}
        if key_shape is not value_shape:
            shapes["key_shape"] = key_shape
        self._build_shapes_dict = {"shapes_dict": shapes}
        self.built = True

    def build_from_config(self, config) -> None:
        if config and "shapes_dict" in config:
            self.build(**config["shapes_dict"])
        else:
            super().build_from_config(config)

    # ---- computing ----------------------------------------------------------------------------------------
    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask):
        """All masks as one boolean [B, T, S] (or broadcastable) tensor; None when there are none."""
        mask = None
        if query_mask is not None:
            mask = tf.expand_dims(tf.cast(query_mask, "bool"), -1)
        for extra in (value_mask, key_mask):
            if extra is not None:
                extra = tf.expand_dims(tf.cast(extra, "bool"), -2)
                mask = extra if mask is None else tf.logical_and(mask, extra)
        if use_causal_mask:
            causal = _causal_mask(tf.shape(query)[1], tf.shape(value)[1])
            mask = causal if mask is None else tf.logical_and(mask, causal)
        if self.sliding_window is not None:
            rows = tf.reshape(tf.range(tf.shape(query)[1]), [1, -1, 1])
            cols = tf.reshape(tf.range(tf.shape(value)[1]), [1, 1, -1])
            band = tf.less(tf.abs(rows - cols), self.sliding_window)
            mask = band if mask is None else tf.logical_and(mask, band)
        if attention_mask is not None:
            attention_mask = tf.cast(attention_mask, "bool")
            mask = attention_mask if mask is None else tf.logical_and(attention_mask, mask)
        return mask

    def _softmax(self, scores, mask, zero_masked: bool):
        """Softmax over the key axes; masked positions get no weight. Keras's fused path (no dropout, no
        scores returned, rank-3 inputs) leaves fully masked rows uniform; its general path zeroes them."""
        if mask is not None:
            for _ in range(scores.shape.rank - mask.shape.rank):
                mask = tf.expand_dims(mask, -len(self.attention_axes) * 2 - 1)
            fill = -_MASKED_SCORE if zero_masked else _FAST_PATH_FILL
            scores = tf.where(mask, scores, tf.fill(tf.shape(scores), tf.cast(fill, scores.dtype)))
        if len(self._norm_axes) == 1:
            weights = tf.nn.softmax(scores, axis=self._norm_axes[0])
        else:
            weights = tf.exp(scores - tf.reduce_logsumexp(scores, axis=self._norm_axes, keepdims=True))
        if mask is not None and zero_masked:
            weights = tf.where(mask, weights, tf.zeros_like(weights))
        return weights

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        value = _as_float(self, value)
        key = value if key is None else _as_float(self, key)
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask,
                                    use_causal_mask)
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        dropping = self.dropout > 0
        fused = not dropping and not return_attention_scores and q.shape.rank == 4
        if fused:
            scores = tf.einsum(self._dot_equation, k, q) * tf.cast(1.0 / math.sqrt(self.key_dim), q.dtype)
        else:
            scores = tf.einsum(self._dot_equation, k, q * tf.cast(1.0 / math.sqrt(self.key_dim), q.dtype))
        weights = self._softmax(scores, mask, zero_masked=not fused)
        dropped = weights
        if dropping and training:
            dropped = tf.nn.dropout(weights, rate=self.dropout, seed=self.seed)
        output = tf.einsum(self._combine_equation, dropped, v)
        if self.use_gate:
            output = output * self._gate_dense(query)
        output = self._output_dense(output)
        return (output, weights) if return_attention_scores else output

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None and key_shape is not None and \
                tuple(value_shape)[1:-1] != tuple(key_shape)[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                             f"value_shape={tuple(value_shape)} and key_shape={tuple(key_shape)}")
        if self._output_shape:
            return query_shape[:-1] + self._output_shape
        return query_shape

    def compute_output_spec(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
                            attention_mask=None, return_attention_scores=False, training=None,
                            use_causal_mask=False):
        q_shape, v_shape = _shape(query), _shape(value)
        out = KerasTensor(self.compute_output_shape(q_shape, v_shape, None if key is None else _shape(key)),
                          self.compute_dtype)
        if not return_attention_scores:
            return out
        rank = len(q_shape) + 1
        batch = [q_shape[i] for i in range(rank - 2) if i not in self.attention_axes]
        scores = (*batch, self.num_heads, *(q_shape[a] for a in self.attention_axes),
                  *(v_shape[a] for a in self.attention_axes))
        return out, KerasTensor(scores, self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self.num_heads, "key_dim": self.key_dim, "value_dim": self.value_dim,
            "dropout": self.dropout, "use_bias": self.use_bias, "use_gate": self.use_gate,
            "output_shape": self._output_shape, "attention_axes": self.attention_axes,
            "sliding_window": self.sliding_window,
            **weight_options_config(self, ("kernel", "bias")), "seed": self.seed})
        return config
