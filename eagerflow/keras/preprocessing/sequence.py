"""`tf.keras.preprocessing.sequence` (also `tf.keras.utils.pad_sequences`): pad ragged sequences to one length.

>>> import eagerflow as tf
>>> tf.keras.utils.pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post").tolist()
[[2, 3], [4, 0]]
"""
from __future__ import annotations

import numpy as np

__all__ = ["pad_sequences"]


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """A NumPy array `(len(sequences), maxlen, *item_shape)`: each sequence cut to `maxlen` items and padded
    with `value`.

    `truncating` ("pre"/"post") says which end loses items when a sequence is too long, `padding`
    which end gets `value` when it is too short; `maxlen=None` means the longest sequence's length.
    Items may be arrays (all of one shape), strings need `dtype=object` or a string dtype.

    >>> import eagerflow as tf
    >>> tf.keras.utils.pad_sequences([[1], [2, 3, 4]], truncating="post", maxlen=2, value=-1).tolist()
    [[-1, 1], [2, 3]]
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    lengths, item_shape = [], None
    for seq in sequences:
        try:
            lengths.append(len(seq))
        except TypeError as e:
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: {seq}") from e
        if item_shape is None and len(seq):
            item_shape = np.asarray(seq).shape[1:]  # the first non-empty sequence fixes the item shape
    item_shape = item_shape or ()
    if maxlen is None:
        maxlen = np.max(lengths)
    text_dtype = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not text_dtype:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\nYou should set "
                         "`dtype=object` for variable length strings.")
    out = np.full((len(sequences), maxlen) + item_shape, value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq):
            continue
        if truncating == "pre":
            kept = seq[-maxlen:]
        elif truncating == "post":
            kept = seq[:maxlen]
        else:
            raise ValueError(f'Truncating type "{truncating}" not understood')
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {i} is different from "
                             f"expected shape {item_shape}")
        if padding == "post":
            out[i, :len(kept)] = kept
        elif padding == "pre":
            out[i, -len(kept):] = kept
        else:
            raise ValueError(f'Padding type "{padding}" not understood')
    return out
