"""Categorical and numeric preprocessing layers: CategoryEncoding, Discretization, Hashing,
StringLookup and IntegerLookup (vocabularies from a list, a file or `adapt`).

These layers have no trainable weights and are not differentiable; they run eagerly, under
tf.function and inside models. Vocabularies and bin boundaries are Python constants of the layer:
a function traced before `adapt` keeps the old ones (trace again after adapting).

>>> import eagerflow as tf
>>> tf.keras.layers.StringLookup(vocabulary=["a", "b"])(tf.constant(["b", "z"])).numpy()
array([2, 0])
"""
from __future__ import annotations

import numpy as np

import eagerflow as tf  # public ops only; attributes are read at call time
from .. import backend as _backend
from ..node import KerasTensor
from .base import Layer
from . import preprocessing_hash as _hash

__all__ = ["CategoryEncoding", "Discretization", "Hashing", "StringLookup", "IntegerLookup"]

_ENCODINGS = ("one_hot", "multi_hot", "count")


# ---- shared helpers ------------------------------------------------------------------------------------

def encoded_shape(input_shape, output_mode, depth):
    """Output shape of `encode`: one_hot adds a depth axis (replacing a last axis of 1), the others
    replace the last axis by `depth`."""
    shape = tuple(input_shape)
    if output_mode == "int":
        return shape
    if not shape:
        return (depth,)
    if output_mode == "one_hot":
        return (shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape) + (depth,)
    return shape[:-1] + (depth,)


def encode(indices, output_mode, depth, dtype, count_weights=None, idf_weights=None):
    """Integer `indices` as one-hot, multi-hot, count or tf-idf vectors of length `depth` (indices
    outside [0, depth) count nothing)."""
    if output_mode == "int":
        return tf.cast(indices, dtype)
    if indices.shape.rank == 0:
        indices = tf.expand_dims(indices, -1)
    if output_mode == "one_hot":
        if indices.shape.rank > 1 and indices.shape[-1] == 1:
            indices = tf.squeeze(indices, -1)
        return tf.one_hot(indices, depth, dtype=dtype)
    hot = tf.one_hot(indices, depth, dtype=dtype if output_mode != "tf_idf" else tf.float32)
    if count_weights is not None:
        hot = hot * tf.expand_dims(tf.cast(count_weights, hot.dtype), -1)
    counts = tf.reduce_sum(hot, axis=-2)
    if output_mode == "multi_hot":
        return tf.cast(counts > 0, dtype)
    if output_mode == "tf_idf":
        return tf.cast(counts * tf.constant(idf_weights, counts.dtype), dtype)
    return counts


def _batches(data, steps, lists_are_batches):
    """NumPy batches of `data`: one for an array or tensor, each element for a Dataset or iterable."""
    if isinstance(data, np.ndarray) or tf.is_tensor(data) or (isinstance(data, (list, tuple))
                                                              and not lists_are_batches):
        return [_numpy(data)]
    out = []
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            break
        out.append(_numpy(batch))
    if not out:
        raise ValueError("`adapt()` received no data.")
    return out


def _numpy(x):
    if hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    if isinstance(x, (list, tuple)) and any(isinstance(v, str) for v in np.ravel(np.asarray(x, object))):
        return np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(
            np.asarray(x, object))
    return np.asarray(x)


def _check_mode(name, value, allowed, layer):
    if value not in allowed:
        raise ValueError(f"Unknown value for `{name}` argument of {layer}. Allowed values are: {allowed}. "
                         f"Received: {name}={value}")


class _Preprocessing(Layer):
    """A layer whose output dtype differs from its compute dtype (shared symbolic-call plumbing)."""

    def _output_dtype(self):
        raise NotImplementedError

    def compute_output_spec(self, *args, **kwargs):
        shape = self.compute_output_shape(tuple(args[0].shape))
        return KerasTensor(shape, tf.as_dtype(self._output_dtype()).name)

    def _build_for(self, inputs):  # nothing to create: these layers hold no weights
        self.built = True

    def build(self, input_shape=None):
        self.built = True


# ---- CategoryEncoding --------------------------------------------------------------------------------

class CategoryEncoding(_Preprocessing):
    """Encodes integer ids in [0, num_tokens) as one-hot, multi-hot or count vectors.

    >>> import eagerflow as tf
    >>> tf.keras.layers.CategoryEncoding(3, output_mode="count")(tf.constant([[0, 2, 2]])).numpy()
    array([[1., 0., 2.]], dtype=float32)
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if output_mode not in _ENCODINGS:
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if sparse:
            raise NotImplementedError("CategoryEncoding(sparse=True) is not supported: eagerflow has no "
                                      "SparseTensor; use sparse=False.")
        self.num_tokens, self.output_mode, self.sparse = int(num_tokens), output_mode, False

    def _output_dtype(self):
        return self.compute_dtype

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("`count_weights` is not used when `output_mode` is not `'count'`. Received "
                             f"`count_weights={count_weights}`.")
        inputs = tf.convert_to_tensor(inputs)
        if not inputs.dtype.is_integer:
            inputs = tf.cast(inputs, tf.int64)
        return encode(inputs, self.output_mode, self.num_tokens, self.compute_dtype, count_weights=count_weights)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self):
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode})
        return config


# ---- Discretization -------------------------------------------------------------------------------------

def _summarize(values, epsilon):
    """A [2, k] (value, weight) quantile sketch of `values`: every `step`-th sorted value."""
    values = np.sort(np.reshape(values, -1))
    step = max(values.size * epsilon, 1)
    picked = values[int(step - 1)::int(step)]
    return np.stack([picked, np.full_like(picked, step)])


def _compress(summary, epsilon):
    """Re-samples a sketch at `1/epsilon` evenly spaced cumulative-weight quantiles."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    frac = cum / cum[-1]
    bins = np.interp(percents, frac, summary[0])
    cum_w = np.interp(percents, frac, cum)
    weights = cum_w - np.concatenate(([0.0], cum_w[:-1]))
    return np.stack((bins, weights)).astype("float32")


def _merge(a, b, epsilon):
    merged = np.concatenate((a, b), axis=1)
    return _compress(merged[:, np.argsort(merged[0])], epsilon)


class Discretization(_Preprocessing):
    """Buckets numbers by `bin_boundaries` (or by `num_bins` quantiles learned with `adapt`).

    A value `x` goes to bucket `i` when `boundaries[i-1] <= x < boundaries[i]`.

    >>> import eagerflow as tf
    >>> tf.keras.layers.Discretization([0.0, 1.0])(tf.constant([-1.0, 0.5, 1.0])).numpy()
    array([0, 1, 2], dtype=int32)
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False,
                 dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        if sparse and output_mode == "int":
            raise ValueError("`sparse=True` may only be used if `output_mode` is `'one_hot'`, `'multi_hot'`, or "
                             f"`'count'`. Received: sparse=True and output_mode={output_mode}")
        _check_mode("output_mode", output_mode, ("int",) + _ENCODINGS, "Discretization")
        if sparse:
            raise NotImplementedError("Discretization(sparse=True) is not supported: eagerflow has no "
                                      "SparseTensor; use sparse=False.")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.input_bin_boundaries = bin_boundaries
        self.bin_boundaries = None if bin_boundaries is None else [float(b) for b in bin_boundaries]
        self.num_bins, self.epsilon = num_bins, epsilon
        self.output_mode, self.sparse = output_mode, False
        self._summary = np.zeros((2, 0), "float32")

    def _output_dtype(self):
        return self.compute_dtype if self.output_mode != "int" else "int32"

    def adapt(self, data, steps=None):
        """Learns `num_bins - 1` quantile boundaries from `data` (array, tensor, Dataset or iterable)."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with "
                             "`bin_boundaries`, use `num_bins` instead.")
        summary = np.zeros((2, 0), "float32")
        for batch in _batches(data, steps, lists_are_batches=True):
            summary = _merge(_summarize(batch.astype("float32"), self.epsilon), summary, self.epsilon)
        self._summary = summary
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at construction time or "
                             "call `adapt(dataset)` before you can start using the `Discretization` layer.")
        x = tf.convert_to_tensor(inputs)
        if not x.dtype.is_floating:
            x = tf.cast(x, tf.float64)
        bounds = tf.constant(np.asarray(self.bin_boundaries, x.dtype.as_numpy_dtype).reshape(-1))
        indices = tf.reduce_sum(tf.cast(tf.expand_dims(x, -1) >= bounds, tf.int32), axis=-1)
        return encode(indices, self.output_mode, len(self.bin_boundaries) + 1, self._output_dtype())

    def compute_output_shape(self, input_shape):
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        return encoded_shape(input_shape, self.output_mode, depth)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name, "dtype": self.dtype}


# ---- Hashing --------------------------------------------------------------------------------------------

def _salt_key(salt, owner):
    if salt is None:
        return None
    if isinstance(salt, (tuple, list)) and len(salt) == 2 and all(isinstance(s, int) for s in salt):
        return list(salt)
    if isinstance(salt, int) and not isinstance(salt, bool):
        return [salt, salt]
    raise ValueError(f"The `salt` argument for `{owner}` can only be a tuple of size 2 integers, or a single "
                     f"integer. Received: salt={salt}.")


class Hashing(_Preprocessing):
    """Hashes strings or integers into `num_bins` buckets (FarmHash64, or SipHash64 with a `salt`),
    with bucket 0 kept for `mask_value` when one is given.

    >>> import eagerflow as tf
    >>> tf.keras.layers.Hashing(5)(tf.constant([["hello"]])).numpy()
    array([[1]])
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else _backend.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: "
                             f"num_bins={num_bins}.")
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError("When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'in64'. "
                             f"Received: dtype={kwargs['dtype']}")
        if output_mode not in ("int",) + _ENCODINGS:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of {('int',) + _ENCODINGS}. "
                             f"Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `\"one_hot\"`, `\"multi_hot\"`, or "
                             f"`\"count\"`. Received: sparse=True and output_mode={output_mode}")
        if sparse:
            raise NotImplementedError("Hashing(sparse=True) is not supported: eagerflow has no SparseTensor; "
                                      "use sparse=False.")
        self.num_bins, self.output_mode, self.sparse = int(num_bins), output_mode, False
        self.mask_value = mask_value
        self.salt = _salt_key(salt, "Hashing")

    def _output_dtype(self):
        return self.dtype

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        if x.dtype.is_floating:
            x = tf.cast(x, tf.int64)
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = tf.equal(x, tf.constant(self.mask_value, x.dtype))
        hashed = _hash.hash_to_bucket(x, bins, self.salt)
        if mask is not None:
            hashed = tf.where(mask, tf.zeros_like(hashed), hashed + 1)
        return encode(hashed, self.output_mode, self.num_bins, self.dtype)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_bins)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                       "output_mode": self.output_mode, "sparse": self.sparse})
        return config


# ---- StringLookup / IntegerLookup ---------------------------------------------------------------------

class _IndexLookup(_Preprocessing):
    """Maps tokens to indices: [mask][oov buckets][vocabulary...] (or back, with `invert=True`)."""

    _vocab_dtype = "int64"

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary=None, idf_weights=None,
                 invert=False, output_mode="int", sparse=False, pad_to_max_tokens=False, oov_method="floormod",
                 salt=None, **kwargs):
        kwargs.pop("vocabulary_size", None)
        super().__init__(**kwargs)
        owner = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        _check_mode("output_mode", output_mode, ("int",) + _ENCODINGS + ("tf_idf",), owner)
        _check_mode("oov_method", oov_method, ("floormod", "farmhash"), owner)
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `'one_hot'`, `'multi_hot'`, `'count'` or "
                             f"`'tf_idf'`. Received: sparse=True and output_mode={output_mode}")
        if sparse:
            raise NotImplementedError(f"{owner}(sparse=True) is not supported: eagerflow has no SparseTensor; "
                                      "use sparse=False.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                             f"idf_weights={idf_weights} and output_mode={output_mode}")
        if salt is not None and self._vocab_dtype == "int64" and oov_method != "farmhash":
            raise ValueError(f"`salt` can only be used when `oov_method='farmhash'`. Received: oov_method={oov_method}")
        self.invert, self.max_tokens, self.num_oov_indices = bool(invert), max_tokens, int(num_oov_indices)
        self.mask_token, self.oov_token = mask_token, oov_token
        self.output_mode, self.sparse, self.pad_to_max_tokens = output_mode, False, bool(pad_to_max_tokens)
        self.oov_method, self.salt = oov_method, _salt_key(salt, "IndexLookup")
        self.input_vocabulary, self.input_idf_weights = vocabulary, idf_weights
        self._tokens, self._idf = None, None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # -- vocabulary ----------------------------------------------------------------------------------------
    def _token(self, value):
        """A token as stored and looked up: bytes for strings, int for integers."""
        raise NotImplementedError

    def _oov_start(self):
        return 0 if self.mask_token is None else 1

    def _token_start(self):
        return self._oov_start() + self.num_oov_indices

    def _specials(self):
        return [self.mask_token] * self._oov_start() + [self.oov_token] * self.num_oov_indices

    def _read_file(self, path):
        raise NotImplementedError

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (a list, array, tensor or file path) and, for tf_idf, its idf weights."""
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` "
                             "argument must also be provided.")
        if isinstance(vocabulary, str):
            if self.output_mode == "tf_idf":
                raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary from file.")
            try:
                vocabulary = self._read_file(vocabulary)
            except OSError:
                raise ValueError(f"Vocabulary file {vocabulary} does not exist.") from None
        values = [self._token(v) for v in np.ravel(_numpy(vocabulary))]
        if not values:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        specials = [None if t is None else self._token(t) for t in self._specials()]
        found = values[:len(specials)] == specials
        tokens = values[len(specials):] if found else values
        repeated = sorted({t for t in tokens if tokens.count(t) > 1}) if len(set(tokens)) != len(tokens) else []
        if repeated:
            raise ValueError("The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                             f"The repeated terms are: {[self._show(t) for t in repeated]}")
        for what, token in (("mask_token", self.mask_token), ("oov_token", self.oov_token if self.invert else None)):
            if token is not None and self._token(token) in tokens:
                raise ValueError("Found reserved mask token at unexpected location in `vocabulary`. Note that passed "
                                 "`vocabulary` does not need to include the OOV and mask tokens. Either remove all "
                                 "mask and OOV tokens, or include them only at the start of the vocabulary in "
                                 f"precisely this order: {self._specials()}. Received: {what}={token} at vocabulary "
                                 f"index {len(specials) * found + tokens.index(self._token(token))}")
        size = len(tokens) + len(specials)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError("Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary "
                             f"size is {size}; `max_tokens` is {self.max_tokens}.")
        self._tokens = tokens
        if self.output_mode == "tf_idf":
            idf = np.asarray(_numpy(idf_weights), "float64").reshape(-1)
            if len(idf) != len(values):
                raise ValueError("`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                                 f"{len(idf)}; len(vocabulary) is {len(values)}")
            self._set_idf(idf if found else np.concatenate([np.full(len(specials), np.average(idf)), idf]))

    def _set_idf(self, idf):
        if self.pad_to_max_tokens:
            idf = np.concatenate([idf, np.zeros(self.max_tokens - len(idf))])
        self._idf = idf.astype("float32")

    def _show(self, token):
        return token.decode() if isinstance(token, bytes) else token

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary as a list (mask and OOV tokens first unless `include_special_tokens=False`)."""
        tokens = [self._show(t) for t in (self._tokens or [])]
        return (self._specials() + tokens) if include_special_tokens else tokens

    def vocabulary_size(self):
        """Size of the index space: the special tokens plus the vocabulary."""
        return self._token_start() + len(self._tokens or [])

    @property
    def idf_weights(self):
        return None if self._idf is None else tf.constant(self._idf)

    def adapt(self, data, batch_size=None, steps=None):
        """Builds the vocabulary (most frequent first, ties by token, descending) from `data`."""
        if self.input_vocabulary is not None:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                             "argument or `set_vocabulary()` method.")
        single = isinstance(data, (np.ndarray, list, tuple)) or tf.is_tensor(data)
        counts, doc_counts, docs = {}, {}, 0
        for batch in _batches(data, steps, lists_are_batches=False):
            if batch.ndim == 0 or (batch.ndim == 1 and not single):
                batch = batch.reshape(1, -1)
            elif batch.ndim == 1:
                batch = batch.reshape(-1, 1)
            for row in batch.reshape(batch.shape[0], -1):
                row = [self._token(v) for v in row]
                for t in row:
                    counts[t] = counts.get(t, 0) + 1
                for t in set(row):
                    doc_counts[t] = doc_counts.get(t, 0) + 1
            docs += batch.shape[0]
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(self._token(special), None)
        order = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens:
            order = order[:self.max_tokens - self._token_start()]
        self._tokens = order
        if self.output_mode == "tf_idf":
            idf = np.log1p(docs / (1.0 + np.array([doc_counts[t] for t in order], "float64")))
            idf = idf.astype("float32")
            self._set_idf(np.concatenate([np.full(self._token_start(), np.mean(idf) if len(idf) else 0.0), idf]))

    # -- call ----------------------------------------------------------------------------------------------
    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    def _output_dtype(self):
        if self.invert:
            return self._vocab_dtype
        return "float32" if self.output_mode == "tf_idf" else "int64"

    def call(self, inputs):
        if self._tokens is None:
            raise tf.errors.FailedPreconditionError(None, None, f"Table not initialized: {type(self).__name__} "
                                                    f"'{self.name}' has no vocabulary; pass `vocabulary` or call "
                                                    "`adapt()` first.")
        x = tf.convert_to_tensor(inputs)
        if self.invert:
            vocab = tuple(self._token(t) for t in self.get_vocabulary())
            return _hash.reverse_lookup(x, vocab, self._token(self.oov_token), self._vocab_dtype == "string")
        if x.dtype.is_floating and self._vocab_dtype == "int64":
            x = tf.cast(x, tf.int64)
        if (x.dtype == tf.string) != (self._vocab_dtype == "string"):
            raise TypeError(f"{type(self).__name__} expects {self._vocab_dtype} inputs. Received: inputs.dtype="
                            f"{x.dtype.name}")
        vocab = tuple([None if self.mask_token is None else self._token(self.mask_token)] * self._oov_start()
                      + [None] * self.num_oov_indices + self._tokens)
        method = "floormod" if self._vocab_dtype == "int64" and self.oov_method != "farmhash" else "farmhash"
        indices = _hash.lookup(x, vocab, self._oov_start(), self.num_oov_indices, method, self.salt)
        return encode(indices, self.output_mode, self._depth(), self._output_dtype(), idf_weights=self._idf)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(input_shape, self.output_mode, self._depth())

    def get_config(self):
        config = super().get_config()
        vocab = self.input_vocabulary
        if vocab is not None and not isinstance(vocab, str):
            vocab = [self._show(self._token(v)) for v in np.ravel(_numpy(vocab))]
        idf = self.input_idf_weights
        config.update({"invert": self.invert, "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
                       "oov_token": self.oov_token, "mask_token": self.mask_token, "output_mode": self.output_mode,
                       "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                       "idf_weights": None if idf is None else np.asarray(_numpy(idf), "float64").ravel().tolist(),
                       "vocabulary": vocab,
                       "vocabulary_size": self.vocabulary_size() if self._tokens is not None else None,
                       "oov_method": self.oov_method, "salt": self.salt})
        return config


class StringLookup(_IndexLookup):
    """Maps strings to integer indices through a vocabulary (given, read from a file, or adapted).

    Index 0 is the OOV bucket ("[UNK]") by default; `mask_token` takes index 0 when set.
    `invert=True` maps indices back to strings.

    >>> import eagerflow as tf
    >>> layer = tf.keras.layers.StringLookup(vocabulary=["a", "b"], output_mode="one_hot")
    >>> layer(tf.constant(["b", "q"])).numpy()
    array([[0, 0, 1],
           [1, 0, 0]])
    """

    _vocab_dtype = "string"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", name=None, oov_method="floormod", salt=None, **kwargs):
        self.encoding = encoding
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method, salt=salt, name=name, **kwargs)

    def _token(self, value):
        if isinstance(value, bytes):
            return value
        if isinstance(value, str):
            return value.encode(self.encoding)
        raise TypeError(f"StringLookup vocabulary entries must be strings. Received: {value!r}")

    def _show(self, token):
        return token.decode(self.encoding)

    def _read_file(self, path):
        with open(path, "rb") as f:
            return [line.rstrip(b"\r\n") for line in f]

    def get_config(self):
        config = super().get_config()
        config["encoding"] = self.encoding
        return config


class IntegerLookup(_IndexLookup):
    """Maps integers to contiguous indices through a vocabulary (given, read from a file, or adapted).

    OOV values go to index 0 (the "-1" token) by default; with `num_oov_indices > 1` they spread over
    the OOV buckets by `value % num_oov_indices` (or by hash with `oov_method="farmhash"`).

    >>> import eagerflow as tf
    >>> tf.keras.layers.IntegerLookup(vocabulary=[12, 36])(tf.constant([36, 7])).numpy()
    array([2, 0])
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, output_mode="int",
                 sparse=False, vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 name=None, oov_method="floormod", salt=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError("Only `vocabulary_dtype='int64'` is supported at this time. Received: "
                             f"vocabulary_dtype={vocabulary_dtype}")
        pad = kwargs.pop("pad_to_max_tokens", False)
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad, oov_method=oov_method, salt=salt, name=name, **kwargs)
        self.vocabulary_dtype = vocabulary_dtype

    def _token(self, value):
        if isinstance(value, (bytes, str)):
            return int(value)
        return int(value)

    def _read_file(self, path):
        with open(path) as f:
            return [int(line) for line in f if line.strip()]

    def get_config(self):
        config = super().get_config()
        config["vocabulary_dtype"] = self.vocabulary_dtype
        return config
