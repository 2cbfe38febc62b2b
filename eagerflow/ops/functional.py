"""Higher-order functions over the first axis: `tf.map_fn`, `tf.foldl`, `tf.foldr`, `tf.scan`.

Each is a `tf.while_loop` over an index that reads its elements from TensorArrays and writes its
results to TensorArrays, so one implementation serves eager execution (the loop runs as Python)
and graphs (one While node), with gradients through both. `elems` may be a nested structure of
tensors sharing their first dimension; `fn` sees the same structure of slices.

>>> import eagerflow as tf
>>> tf.map_fn(lambda x: x * x, tf.constant([1, 2, 3])).numpy().tolist()
[1, 4, 9]
>>> int(tf.foldl(lambda acc, x: acc + x, tf.constant([1, 2, 3])))
6
"""
from __future__ import annotations

from .. import dtypes as _dt
from .. import nest
from ..tensor import Tensor, convert_to_tensor
from ..tensor_spec import TensorSpec
from . import array as _array
from .control_flow import while_loop
from .tensor_array import TensorArray

__all__ = ["map_fn", "foldl", "foldr", "scan"]


def _elems_arrays(elems, what: str):
    """(flat tensors, their TensorArrays, the number of elements as a tensor)."""
    flat = [convert_to_tensor(e) for e in nest.flatten(elems)]
    if not flat:
        raise ValueError(f"{what}: elems must be a tensor or a (nested) structure of tensors")
    for t in flat:
        if t.shape.rank == 0:
            raise ValueError(f"{what}: elements in elems must be 1+ dimensional Tensors, not scalars")
    first = flat[0].shape.as_tuple()
    n_static = first[0] if first is not None else None
    n = n_static if n_static is not None else _array.shape(flat[0])[0]
    arrays = [TensorArray(t.dtype, size=n, element_shape=t.shape.as_tuple()[1:] if t.shape.rank else None).unstack(t)
              for t in flat]
    return flat, arrays, n


def _read(elems, arrays, i):
    return nest.pack_sequence_as(elems, [a.read(i) for a in arrays])


def _output_dtypes(structure, signature, default_dtypes):
    if signature is None:
        return default_dtypes
    leaves = nest.flatten(signature)
    return [s.dtype if isinstance(s, TensorSpec) else _dt.as_dtype(s) for s in leaves]


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False, infer_shape=True,
           name=None, fn_output_signature=None):
    """Stacks `fn(x)` for each `x` unpacked from `elems` along its first axis.

    The results must have the dtype(s) of `elems` unless `fn_output_signature` (or the
    deprecated `dtype`) gives them.

    >>> import eagerflow as tf
    >>> tf.map_fn(lambda x: tf.reduce_sum(x), tf.constant([[1, 2], [3, 4]])).numpy().tolist()
    [3, 7]
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {fn!r}")
    signature = fn_output_signature if fn_output_signature is not None else dtype
    flat, arrays, n = _elems_arrays(elems, "map_fn")
    out_structure = signature if signature is not None else elems
    out_dtypes = _output_dtypes(out_structure, signature, [t.dtype for t in flat])
    outs = [TensorArray(d, size=n, infer_shape=infer_shape) for d in out_dtypes]

    def body(i, results):
        y = fn(_read(elems, arrays, i))
        leaves = nest.flatten(y)
        if len(leaves) != len(results):
            raise ValueError(f"map_fn: fn returned {len(leaves)} values but the output signature has {len(results)} "
                             "(pass fn_output_signature when fn's output structure differs from elems)")
        written = []
        for ta, v, d in zip(results, leaves, out_dtypes):
            v = convert_to_tensor(v, dtype_hint=d)
            if v.dtype is not d:
                raise TypeError(f"map_fn: fn returned a {v.dtype.name} tensor where {d.name} was expected; pass "
                                "fn_output_signature (e.g. fn_output_signature=tf.float32) when fn changes the dtype")
            written.append(ta.write(i, v))
        return i + 1, written

    _, results = while_loop(lambda i, _: i < n, body, (convert_to_tensor(0), outs))
    stacked = [ta.stack() for ta in results]
    template = out_structure if signature is not None else elems
    if not nest.is_nested(template):
        return stacked[0]
    return nest.pack_sequence_as(template, stacked)


def _fold(fn, elems, initializer, reverse: bool, what: str):
    if not callable(fn):
        raise TypeError(f"{what}: fn must be callable, got {fn!r}")
    flat, arrays, n = _elems_arrays(elems, what)
    if initializer is None:
        first = n - 1 if reverse else 0
        acc = _read(elems, arrays, first)
        start = n - 2 if reverse else 1
    else:
        acc = initializer
        start = n - 1 if reverse else 0
    step = -1 if reverse else 1
    acc = nest.map_structure(lambda a: a if isinstance(a, Tensor) else convert_to_tensor(a), acc)

    def body(i, a):
        return i + step, fn(a, _read(elems, arrays, i))

    cond = (lambda i, _: i >= 0) if reverse else (lambda i, _: i < n)
    _, result = while_loop(cond, body, (convert_to_tensor(start) if not isinstance(start, Tensor) else start, acc))
    return result


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """`fn(...fn(fn(initializer, elems[0]), elems[1])..., elems[n-1])` (initializer defaults to elems[0]).

    >>> import eagerflow as tf
    >>> int(tf.foldl(lambda a, x: a * 10 + x, tf.constant([1, 2, 3])))
    123
    """
    return _fold(fn, elems, initializer, False, "foldl")


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """Like `foldl` from the last element to the first.

    >>> import eagerflow as tf
    >>> int(tf.foldr(lambda a, x: a * 10 + x, tf.constant([1, 2, 3])))
    321
    """
    return _fold(fn, elems, initializer, True, "foldr")


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, infer_shape=True,
         reverse=False, name=None):
    """Every intermediate accumulator of a fold, stacked (`reverse=True` scans from the end).

    >>> import eagerflow as tf
    >>> tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3, 4])).numpy().tolist()
    [1, 3, 6, 10]
    """
    if not callable(fn):
        raise TypeError(f"scan: fn must be callable, got {fn!r}")
    flat, arrays, n = _elems_arrays(elems, "scan")
    if initializer is None:
        acc = _read(elems, arrays, n - 1 if reverse else 0)
        start = (n - 2) if reverse else 1
    else:
        acc = initializer
        start = (n - 1) if reverse else 0
    acc = nest.map_structure(lambda a: a if isinstance(a, Tensor) else convert_to_tensor(a), acc)
    acc_leaves = nest.flatten(acc)
    outs = [TensorArray(a.dtype, size=n, infer_shape=infer_shape) for a in acc_leaves]
    if initializer is None:
        pos = n - 1 if reverse else 0
        outs = [ta.write(pos, a) for ta, a in zip(outs, acc_leaves)]
    step = -1 if reverse else 1

    def body(i, a, results):
        new = fn(a, _read(elems, arrays, i))
        try:
            nest.assert_same_structure(new, acc, check_types=False)
        except (TypeError, ValueError) as e:
            raise ValueError(f"scan: fn must return the structure of the accumulator: {e}") from None
        return i + step, new, [ta.write(i, v) for ta, v in zip(results, nest.flatten(new))]

    cond = (lambda i, a, r: i >= 0) if reverse else (lambda i, a, r: i < n)
    start_t = start if isinstance(start, Tensor) else convert_to_tensor(start)
    _, _, results = while_loop(cond, body, (start_t, acc, outs))
    stacked = [ta.stack() for ta in results]
    return nest.pack_sequence_as(acc, stacked)
