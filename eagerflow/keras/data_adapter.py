"""Turning what `fit`/`evaluate`/`predict` receive into batches of tensors.

- Arrays (NumPy arrays, tensors, nested lists of numbers), also nested in lists/tuples/dicts for
  multi-input/-output models: checked for a common number of samples, float data cast to
  `floatx()` (as Keras does), then sliced per batch, optionally shuffled each epoch. Each batch is
  a flat list of tensors plus one fixed structure, so the compiled step is called with plain
  tensors (tf.function's fastest path).
- Iterables that already yield batches (`tf.data.Dataset`s, generators, Python lists of tuples):
  each element is `x`, `(x, y)` or `(x, y, sample_weight)`.

>>> import numpy as np
>>> from eagerflow.keras.data_adapter import ArrayAdapter
>>> a = ArrayAdapter(np.zeros((10, 3)), np.arange(10), batch_size=4)
>>> a.num_batches, [len(flat[0]) for flat, structure in a.batches()]
(3, [4, 4, 2])
"""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes as _dt
from .. import nest
from ..context import logger
from ..tensor import EagerTensor, Tensor, convert_to_tensor
from ..tensor_spec import TensorSpec
from . import backend as _backend

__all__ = ["unpack_x_y_sample_weight", "pack_x_y_sample_weight", "ArrayAdapter", "IterableAdapter",
           "get_adapter", "train_validation_split"]

_wrap = EagerTensor._make


def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` from `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)` (missing parts None).

    >>> from eagerflow.keras.data_adapter import unpack_x_y_sample_weight
    >>> unpack_x_y_sample_weight((1, 2))
    (1, 2, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, found: "
                     f"{data}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The shortest tuple holding the parts given (`(x,)`, `(x, y)` or `(x, y, sample_weight)`)."""
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _is_number_list(v) -> bool:
    if isinstance(v, (list, tuple)):
        return all(_is_number_list(e) for e in v) and len(v) > 0
    return isinstance(v, (int, float, bool, np.number, np.bool_))


def _as_array(value, what: str) -> np.ndarray:
    """A leaf of the data as a NumPy array; floating data becomes floatx (Keras casts it too)."""
    if isinstance(value, Tensor):
        if not isinstance(value, EagerTensor):
            raise ValueError(f"`{what}` contains a symbolic tensor ({value!r}); pass NumPy arrays or eager tensors.")
        arr = value._value
    elif hasattr(value, "_is_eagerflow_variable"):
        arr = value.numpy()
    else:
        arr = np.asarray(value)
    if arr.dtype == object:
        raise ValueError(f"Unrecognized data type in `{what}`: could not convert {type(value).__name__} to an array "
                         "of numbers or strings.")
    if arr.ndim == 0:
        raise ValueError(f"Expected `{what}` to hold arrays with a batch dimension, but received a scalar: {value!r}")
    if arr.dtype.kind == "f":
        floatx = _dt.as_dtype(_backend.floatx()).as_numpy_dtype
        if arr.dtype != floatx:
            arr = arr.astype(floatx)
    elif arr.dtype.kind in "US":
        arr = np.char.encode(arr, "utf-8") if arr.dtype.kind == "U" else arr
        arr = arr.astype(object)
    return arr


def _standardize(data, what: str):
    """Nested arrays: number lists become one array, everything else keeps its nesting."""
    if data is None:
        return None
    if _is_number_list(data):
        return _as_array(np.asarray(data), what)
    return nest.map_structure(lambda v: _as_array(v, what), data)


def _check_cardinality(parts: dict) -> int:
    sizes = {name: [int(a.shape[0]) for a in nest.flatten(v)] for name, v in parts.items() if v is not None}
    all_sizes = {s for v in sizes.values() for s in v}
    if len(all_sizes) > 1:
        detail = "\n".join(f"'{name}' sizes: {', '.join(map(str, v))}" for name, v in sizes.items())
        raise ValueError("Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. "
                         + detail)
    return all_sizes.pop() if all_sizes else 0


def class_weight_to_sample_weights(y, class_weight) -> np.ndarray:
    """Per-sample weights `class_weight[class of y[i]]` (one-hot labels use their argmax)."""
    labels = np.asarray(y)
    if labels.ndim > 1:
        labels = np.argmax(labels, axis=-1) if labels.shape[-1] != 1 else labels[..., 0]
    labels = np.round(labels).astype(np.int64).reshape(-1)
    floatx = _dt.as_dtype(_backend.floatx()).as_numpy_dtype
    return np.array([class_weight.get(int(c), 1.0) for c in labels], dtype=floatx)


def train_validation_split(arrays, validation_split: float):
    """(train, validation): the last `validation_split` fraction of the samples is held out (no shuffle)."""
    flat = [a for a in nest.flatten(arrays) if a is not None]
    bad = [type(a).__name__ for a in flat if not isinstance(a, (np.ndarray, Tensor, list))]
    if bad:
        raise ValueError("Argument `validation_split` is only supported for tensors or NumPy arrays. Found incompatible "
                         f"type in the input: {bad}")
    if not flat:
        return arrays, arrays
    n = int(np.shape(flat[0])[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it into a validation "
                         f"and training set as specified by `validation_split={validation_split}`. Either provide more "
                         "data, or a different value for the `validation_split` argument.")

    def part(lo, hi):
        return nest.map_structure(lambda a: None if a is None else a[lo:hi], arrays)
    return part(0, split_at), part(split_at, n)


class ArrayAdapter:
    """Batches of in-memory arrays (see the module docstring)."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps=None, shuffle=False,
                 class_weight=None):
        x = _standardize(x, "x")
        y = _standardize(y, "y")
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
            if y is None or len(nest.flatten(y)) != 1:
                raise ValueError("`class_weight` is only supported for Models with a single output.")
            sample_weight = class_weight_to_sample_weights(nest.flatten(y)[0], class_weight)
        sample_weight = _standardize(sample_weight, "sample_weight")
        self.num_samples = _check_cardinality({"x": x, "y": y, "sample_weight": sample_weight})
        self.batch_size = int(batch_size) if batch_size else 32
        self.structure = pack_x_y_sample_weight(x, y, sample_weight)
        self._arrays = nest.flatten(self.structure)
        self._dtypes = [_dt.as_dtype(a.dtype) if a.dtype != object else _dt.string for a in self._arrays]
        self.num_batches = max(1, math.ceil(self.num_samples / self.batch_size)) if self.num_samples else 0
        if steps is not None:
            self.num_batches = min(self.num_batches, int(steps)) if self.num_samples else int(steps)
        self._shuffle = shuffle

    def specs(self) -> list:
        """TensorSpecs of one batch, with an unknown (None) batch dimension."""
        return [TensorSpec((None,) + a.shape[1:], d) for a, d in zip(self._arrays, self._dtypes)]

    def _tensor(self, arr, dtype):
        if dtype is _dt.string:
            return convert_to_tensor(arr)
        return _wrap(np.ascontiguousarray(arr), dtype)

    def batches(self):
        """One pass over the data: (flat list of tensors, structure) pairs, `num_batches` of them."""
        n, bs = self.num_samples, self.batch_size
        order = None
        if self._shuffle == "batch":
            starts = np.random.permutation(math.ceil(n / bs)) * bs
        else:
            starts = range(0, n, bs)
            if self._shuffle:
                order = np.random.permutation(n)
        for i, start in enumerate(starts):
            if i >= self.num_batches:
                return
            stop = min(start + bs, n)
            if order is None:
                yield [self._tensor(a[start:stop], d) for a, d in zip(self._arrays, self._dtypes)], self.structure
            else:
                idx = order[start:stop]
                yield [self._tensor(a[idx], d) for a, d in zip(self._arrays, self._dtypes)], self.structure


def _to_tensor_leaf(v):
    if isinstance(v, Tensor) or v is None:
        return v
    arr = _as_array(v, "data") if not np.isscalar(v) else np.asarray(v)
    return convert_to_tensor(arr)


class IterableAdapter:
    """Batches from an iterable that yields them already batched (a dataset, a generator, a list)."""

    def __init__(self, data, steps=None):
        self._data = data
        self._one_shot = iter(data) is data  # a generator: it cannot restart
        self._iterator = None
        self.num_batches = int(steps) if steps is not None else _known_length(data)
        self.structure = None
        self.batch_size = None

    def specs(self):
        return None

    def batches(self):
        """One epoch: up to `num_batches` elements (all when unknown), as (flat tensors, structure) pairs."""
        if self._iterator is None or not self._one_shot:
            self._iterator = iter(self._data)
        count = 0
        while self.num_batches is None or count < self.num_batches:
            try:
                element = next(self._iterator)
            except StopIteration:
                if self.num_batches is not None and count < self.num_batches and count:
                    logger.warning("Your input ran out of data; interrupting training. Make sure that your dataset or "
                                   "generator can generate at least `steps_per_epoch * epochs` batches. You may need "
                                   "to use the `.repeat()` function when building your dataset.")
                self._iterator = None
                return
            if isinstance(element, list):
                element = tuple(element)
            if not isinstance(element, tuple):
                element = (element,)
            x, y, sw = unpack_x_y_sample_weight(element)
            data = pack_x_y_sample_weight(x, y, sw)
            data = nest.map_structure(_to_tensor_leaf, data)
            if self.structure is None:
                self.structure = data
            count += 1
            yield nest.flatten(data), data


def _known_length(data):
    card = getattr(data, "cardinality", None)
    if callable(card):
        try:
            n = int(np.asarray(card()))
        except Exception:  # noqa: BLE001 - a dataset that cannot tell
            n = -1
        return n if n >= 0 else None
    try:
        return len(data)
    except TypeError:
        return None


def _is_array_like(x) -> bool:
    if x is None:
        return True
    for leaf in nest.flatten(x):
        if not (isinstance(leaf, (np.ndarray, Tensor, np.generic, int, float, bool))
                or hasattr(leaf, "_is_eagerflow_variable") or hasattr(leaf, "__array__") or leaf is None):
            return False
    return True


def get_adapter(x, y=None, sample_weight=None, batch_size=None, steps=None, shuffle=False, class_weight=None):
    """An ArrayAdapter for in-memory arrays, an IterableAdapter for datasets and generators."""
    if _is_array_like(x) or _is_number_list(x):
        if x is None:
            raise ValueError("Expected `x` to be arrays or a dataset, received x=None")
        return ArrayAdapter(x, y, sample_weight, batch_size=batch_size, steps=steps, shuffle=shuffle,
                            class_weight=class_weight)
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise ValueError(f"Unrecognized data type: x={x!r} (of type {type(x).__name__}). Expected NumPy arrays, "
                         "tensors, lists or dicts of them, a tf.data.Dataset or a generator.")
    if y is not None:
        raise ValueError(f"When providing `x` as a dataset or generator ({type(x).__name__}), `y` should not be "
                         "passed: the dataset's elements hold the targets. Received y=" + repr(type(y).__name__))
    if sample_weight is not None:
        raise ValueError("`sample_weight` argument is not supported when using a dataset or generator as input: put "
                         "the weights in its elements, as (x, y, sample_weight).")
    if class_weight is not None:
        raise ValueError("`class_weight` is not supported with a dataset or generator as input in eagerflow.")
    return IterableAdapter(x, steps=steps)
