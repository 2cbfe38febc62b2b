"""Array ops: creation, shape queries, reshape/broadcast/squeeze/expand_dims.

Each primitive is one block: TF op name, NumPy kernel, dtype rule, shape rule, gradient.
Shape manipulation (transpose, concat, split, tile, pad, ...) lives in `manip.py` and indexing
(strided slices, gather/scatter, masks) in `indexing.py`; both are re-exported from here.

Shape-like arguments (reshape's shape, fill's dims, tile's multiples, ...) become a hashable attribute
when their value is known (always eagerly); inside a graph a shape only known at run time is passed
as an extra int tensor input instead, and the attribute keeps what is known (None entries).

>>> import eagerflow as tf
>>> tf.reshape(tf.range(6), [2, -1]).shape
TensorShape([2, 3])
"""
from __future__ import annotations

import builtins

import numpy as np

from .. import dtypes as _dt
from ..context import _state
from ..primitive import Primitive, bind
from ..shapes import TensorShape
from ..tensor import EagerTensor, Tensor, constant, convert_operand, convert_to_tensor, get_static_value
from . import math as _math, reduce as _reduce, rules as R

__all__ = [
    "zeros", "ones", "fill", "zeros_like", "ones_like", "identity", "stop_gradient", "range", "linspace",
    "eye", "shape", "size", "rank", "ensure_shape", "reshape", "broadcast_to", "squeeze", "expand_dims",
]

# `range` is a public name of this module: the builtin stays reachable under its own alias.
_pyrange = builtins.range
_INT32_MIN, _INT32_MAX = -(2 ** 31), 2 ** 31 - 1
INDEX_DTYPES = (_dt.int32, _dt.int64)


# ---- helpers for shape-like arguments ----------------------------------------------------------------

def as_int(op: str, v, what: str) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        if not (isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "iu"):
            raise TypeError(f"{op}: {what} must be integers, got {v!r}")
    return int(v)


def index_tensor(values) -> Tensor:
    """Stacks Python ints and scalar int tensors into one 1-D int32 (int64 if any is int64) tensor."""
    dt = _dt.int64 if any(isinstance(v, Tensor) and v.dtype is _dt.int64 for v in values) else _dt.int32
    parts = []
    for v in values:
        if isinstance(v, Tensor):
            parts.append(v if v.dtype is dt else _math.cast(v, dt))
        else:
            parts.append(constant(int(v), dt))
    return _manip.stack(parts)


def shape_arg(op: str, value, what: str = "shape"):
    """A shape-like argument as `(static, dyn)`.

    `static` is a tuple of ints, with None for entries known only at run time (None: even the length
    is unknown); `dyn` is `()` when `static` is complete, else `(int_tensor,)` to pass as an input.
    """
    if hasattr(value, "__tf_tensor__") and not isinstance(value, Tensor):  # a variable
        value = convert_to_tensor(value)
    if isinstance(value, TensorShape):
        if not value.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {value} to a Tensor.")
        return value.as_tuple(), ()
    if isinstance(value, Tensor):
        static = get_static_value(value)
        if static is None:
            if value.dtype not in INDEX_DTYPES:
                raise TypeError(f"{op}: {what} must be an int32 or int64 tensor, got {value.dtype.name}")
            s = value.shape
            if s.rank == 0:
                return (None,), (reshape(value, [1]),)
            return (None if s.rank is None or s[0] is None else (None,) * s[0]), (value,)
        value = static
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),), ()
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{op}: {what} must be a list of integers or an int tensor, got {value!r}")
    static, dynamic = [], False
    for d in value:
        if isinstance(d, Tensor):
            v = get_static_value(d)
            if v is None:
                static.append(None)
                dynamic = True
                continue
            d = v
        static.append(as_int(op, d, what))
    if dynamic:
        return tuple(static), (index_tensor(value),)
    return tuple(static), ()


def dyn_value(dyn, static):
    """The run-time value of a shape-like argument inside a kernel."""
    return tuple(dyn[0].tolist()) if dyn else static


def with_index_inputs(op: str, allowed=R.ALL):
    """Output dtype is the first input's; any further inputs (run-time shapes) must be int32/int64."""
    def rule(d, *rest, **_):
        if d not in allowed:
            R.check_allowed(op, d, allowed)
        for r in rest:
            if r not in INDEX_DTYPES:
                R.fail(op, f"Value for attr 'Tshape' of {R.tf_name(r)} is not in the list of allowed values: "
                           "int32, int64")
        return d
    return rule


def dims_str(shape) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def normalize_axis(op: str, axis, rank, extra: int = 0) -> int:
    """Normalizes an int axis against `rank + extra` (TF's error when out of range)."""
    axis = as_int(op, axis, "axis") if not isinstance(axis, Tensor) else static_int(op, axis, "axis")
    if rank is None:
        if axis < 0:
            raise ValueError(f"{op}: a negative axis needs a tensor of known rank")
        return axis
    n = rank + extra
    if not -n <= axis < n:
        R.fail(op, f"Expected axis in the range [{-n}, {n}), but got {axis}")
    return axis % n


def static_int(op: str, value, what: str) -> int:
    v = get_static_value(value) if isinstance(value, Tensor) else value
    if v is None:
        raise TypeError(f"{op}: {what} must be a static value (a Python int or a constant tensor), "
                        f"got a symbolic tensor")
    v = np.asarray(v)
    if v.size != 1 or v.dtype.kind not in "iu":
        raise TypeError(f"{op}: {what} must be an integer, got {v!r}")
    return int(v.reshape(()))


def known_rank(op: str, x: Tensor) -> int:
    r = x.shape.rank
    if r is None:
        raise ValueError(f"{op} needs a tensor of known rank (static shape), got shape {x.shape}")
    return r


# ---- creation ----------------------------------------------------------------------------------------

def _fill_kernel(value, *dyn, shape):
    if np.ndim(value):
        _fill_shape(np.shape(value), shape=shape)
    return np.full(dyn_value(dyn, shape), value, dtype=value.dtype)


def _fill_shape(v, *dyn, shape):
    if v is not None and len(v) != 0:
        R.fail("Fill", f"value must represent a scalar, got shape {dims_str(v)}")
    return shape


fill_p = Primitive("Fill", _fill_kernel, dtype_rule=with_index_inputs("Fill"), shape_rule=_fill_shape,
                   grad=lambda g, out, value, *dyn, shape: (_reduce.reduce_sum(g),) + (None,) * len(dyn))


def check_dims(static, op: str = "Fill") -> None:
    """TF's complaint about a negative size in a requested shape."""
    for d in static or ():
        if d is not None and d < 0:
            R.fail(op, f"Dimension {d} must be >= 0")


def fill(dims, value, name=None) -> Tensor:
    """A tensor of shape `dims` filled with the scalar `value` (dtype inferred from value).

    >>> import eagerflow as tf
    >>> print(tf.fill([2], 7))
    tf.Tensor([7 7], shape=(2,), dtype=int32)
    """
    value = convert_to_tensor(value)
    static, dyn = shape_arg("Fill", dims, "dims")
    check_dims(static)
    return bind(fill_p, value, *dyn, shape=static)


def _filled(op: str, shape, dtype, scalar) -> Tensor:
    dtype = _dt.as_dtype(dtype)
    static, dyn = shape_arg(op, shape)
    check_dims(static)
    if dtype is _dt.string and scalar == 1:
        raise TypeError(f"Cannot convert {scalar} to EagerTensor of dtype string")
    fill_value = b"" if dtype is _dt.string else scalar
    if dyn:
        return bind(fill_p, constant(fill_value, dtype), *dyn, shape=static)
    value = np.full(static, fill_value, dtype=dtype._np)
    return EagerTensor._make(value, dtype) if _state.graph is None else constant(value, dtype)


def zeros(shape, dtype=_dt.float32, name=None) -> Tensor:
    """A tensor of zeros (empty strings for tf.string).

    >>> import eagerflow as tf
    >>> print(tf.zeros([2], tf.int32))
    tf.Tensor([0 0], shape=(2,), dtype=int32)
    """
    return _filled("Zeros", shape, dtype, 0)


def ones(shape, dtype=_dt.float32, name=None) -> Tensor:
    """A tensor of ones.

    >>> import eagerflow as tf
    >>> tf.ones([2, 3]).shape
    TensorShape([2, 3])
    """
    return _filled("Ones", shape, dtype, 1)


def _like_kernel(fill_value):
    def kernel(x):
        if x.dtype == object:  # strings: only zeros_like exists ("")
            return np.full(np.shape(x), b"", dtype=object)
        return np.full(np.shape(x), fill_value, dtype=x.dtype)
    return kernel


zeros_like_p = Primitive("ZerosLike", _like_kernel(0), dtype_rule=R.unary("ZerosLike"),
                         shape_rule=R.same_shape, grad=lambda g, out, x: (None,))
ones_like_p = Primitive("OnesLike", _like_kernel(1), dtype_rule=R.unary("OnesLike", R.NUMERIC | {_dt.bool}),
                        shape_rule=R.same_shape, grad=lambda g, out, x: (None,))


def _like(prim, fill_value, x, dtype) -> Tensor:
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    dt = x.dtype if dtype is None else _dt.as_dtype(dtype)
    if dt is _dt.string and fill_value:
        raise TypeError(f"Cannot convert {fill_value} to EagerTensor of dtype string")
    if isinstance(x, EagerTensor):
        value = _like_kernel(fill_value)(np.empty(x._value.shape, dt._np))
        return EagerTensor._make(value, dt) if _state.graph is None else constant(value, dt)
    if dt is x.dtype:
        return bind(prim, x)
    if dt is _dt.string or x.dtype is _dt.string:
        return _filled(prim.name, shape(x), dt, fill_value)
    return _math.cast(bind(prim, x), dt)


def zeros_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Zeros with the shape (and by default the dtype) of `input`.

    >>> import eagerflow as tf
    >>> print(tf.zeros_like([1, 2]))
    tf.Tensor([0 0], shape=(2,), dtype=int32)
    """
    return _like(zeros_like_p, 0, input, dtype)


def ones_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002
    """Ones with the shape (and by default the dtype) of `input`.

    >>> import eagerflow as tf
    >>> print(tf.ones_like([1.5, 2.0]))
    tf.Tensor([1. 1.], shape=(2,), dtype=float32)
    """
    return _like(ones_like_p, 1, input, dtype)


identity_p = Primitive("Identity", lambda x: x, dtype_rule=R.unary("Identity"), shape_rule=R.same_shape,
                       grad=lambda g, out, x: (g,))


def identity(input, name=None) -> Tensor:  # noqa: A002
    """Returns a tensor with the same value (reads a variable's current value).

    >>> import eagerflow as tf
    >>> print(tf.identity(3))
    tf.Tensor(3, shape=(), dtype=int32)
    """
    return bind(identity_p, convert_to_tensor(input))


stop_gradient_p = Primitive("StopGradient", lambda x: x, dtype_rule=R.unary("StopGradient"),
                            shape_rule=R.same_shape)  # no gradient rule: tapes do not record it


def stop_gradient(input, name=None) -> Tensor:  # noqa: A002
    """The same value, but gradients do not flow through it.

    >>> import eagerflow as tf
    >>> x = tf.constant(2.0)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = x * tf.stop_gradient(x)
    >>> print(tape.gradient(y, x))
    tf.Tensor(2.0, shape=(), dtype=float32)
    """
    return bind(stop_gradient_p, convert_to_tensor(input))


# ---- range, linspace, eye --------------------------------------------------------------------------------

_RANGE_TYPES = frozenset([_dt.bfloat16, _dt.float16, _dt.float32, _dt.float64, _dt.int8, _dt.int16, _dt.int32,
                          _dt.int64, _dt.uint16, _dt.uint32, _dt.uint64])


def _range_kernel(start, limit, delta):
    for what, v in (("start", start), ("limit", limit), ("delta", delta)):
        if np.size(v) != 1 or np.ndim(v) > 1:
            R.fail("Range", f"{what} must be a scalar, not shape {dims_str(np.shape(v))}")
    start, limit, delta = (np.reshape(v, -1)[0] for v in (start, limit, delta))
    if delta == 0:
        R.fail("Range", f"Requires delta != 0: {delta}")
    if delta > 0 and start > limit:
        R.fail("Range", f"Requires start <= limit when delta > 0: {start}/{limit}")
    if delta < 0 and start < limit:
        R.fail("Range", f"Requires start >= limit when delta < 0: {start}/{limit}")
    dtype = np.asarray(start).dtype
    if dtype.kind in "iu":
        return np.arange(start, limit, delta, dtype=dtype)
    # TF's float rule, in the tensor's own precision: n = ceil(|(limit - start) / delta|), start + i * delta
    with np.errstate(over="ignore", invalid="ignore"):
        n = int(np.ceil(np.abs((limit - start) / delta)))
        return start + np.arange(n).astype(dtype) * delta


def _range_dtype(s, lim, d):
    _same_range(s, lim, d)
    if s not in _RANGE_TYPES:
        R.fail("Range", f"Value for attr 'Tidx' of {R.tf_name(s)} is not in the list of allowed values: "
                        "bfloat16, half, float, double, int8, int16, int32, int64, uint16, uint32, uint64")
    return s


_same_range = R.same("Range")
range_p = Primitive("Range", _range_kernel, dtype_rule=_range_dtype, shape_rule=lambda *s: (None,))
_RANGE_ORDER = (_dt.int32, _dt.int64, _dt.float16, _dt.bfloat16, _dt.float32, _dt.float64)


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:  # noqa: A001 - TF's public name
    """[start, start + delta, ...) up to `limit`; dtype inferred as the widest of the arguments.

    >>> import eagerflow as tf
    >>> print(tf.range(1, 6, 2))
    tf.Tensor([1 3 5], shape=(3,), dtype=int32)
    """
    if limit is None:
        start, limit = 0, start
    if dtype is None and start.__class__ is limit.__class__ is delta.__class__ is int and _state.graph is None:
        if all(_INT32_MIN <= v <= _INT32_MAX for v in (start, limit, delta)):  # the common eager case
            return EagerTensor._make(_range_kernel(np.int32(start), np.int32(limit), np.int32(delta)), _dt.int32)
    args = [start, limit, delta]
    if dtype is not None:
        dtype = _dt.as_dtype(dtype)
        args = [_math.cast(a, dtype) if isinstance(a, Tensor) else convert_to_tensor(a, dtype) for a in args]
    else:
        args = [a if isinstance(a, Tensor) else convert_to_tensor(a) for a in args]
        for a in args:
            if a.dtype not in _RANGE_ORDER:
                raise TypeError(f"tf.range infers its dtype only from int32, int64 and float arguments, got "
                                f"{a.dtype.name}: pass dtype=")
        dtype = max((a.dtype for a in args), key=_RANGE_ORDER.index)
        args = [_math.cast(a, dtype) for a in args]
    if _state.graph is not None:
        values = [get_static_value(a) for a in args]
        if all(v is not None for v in values):  # fold at trace time: the length becomes static
            return constant(_range_kernel(*[np.asarray(v, dtype._np) for v in values]), dtype)
    return bind(range_p, *args)


def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """`num` evenly spaced values from `start` to `stop` inclusive (batched along `axis`).

    >>> import eagerflow as tf
    >>> print(tf.linspace(0.0, 1.0, 3))
    tf.Tensor([0.  0.5 1. ], shape=(3,), dtype=float32)
    """
    start = convert_to_tensor(start)
    if start.dtype.is_integer:
        start = _math.cast(start, _dt.float64)
    if start.dtype not in R.FLOATS:
        R.check_allowed("LinSpace", start.dtype, R.FLOATS)
    stop = _math.cast(stop, start.dtype) if isinstance(stop, Tensor) else convert_operand(stop, start, "LinSpace", 1)
    n = static_int("LinSpace", num, "num")
    if n < 0:
        R.fail("LinSpace", f"Requires num > 0: {n}")
    if start.shape.as_tuple() != stop.shape.as_tuple():  # batched: broadcast the two against each other
        zero = _math.add(zeros_like(start), zeros_like(stop))
        start, stop = _math.add(start, zero), _math.add(stop, zero)
    axis = normalize_axis("LinSpace", axis, known_rank("LinSpace", start), extra=1)
    start, stop = expand_dims(start, axis), expand_dims(stop, axis)
    if n <= 1:
        return start if n == 1 else slice_along(start, axis, 0, 0)
    steps = np.arange(1, n - 1, dtype=start.dtype._np) if n > 2 else np.zeros(0, start.dtype._np)
    steps = steps.reshape([-1 if i == axis else 1 for i in _pyrange(start.shape.rank)])
    delta = _math.realdiv(_math.subtract(stop, start), constant(n - 1, start.dtype))
    middle = _math.add(start, _math.multiply(delta, constant(steps, start.dtype)))
    return _manip.concat([start, middle, stop], axis)


def slice_along(x: Tensor, axis: int, begin: int, end: int) -> Tensor:
    """x[..., begin:end, ...] along one axis (static bounds, any dims)."""
    from_begin = [0] * x.shape.rank
    to_end = [0] * x.shape.rank
    from_begin[axis], to_end[axis] = begin, end
    mask = ((1 << x.shape.rank) - 1) & ~(1 << axis)
    return _indexing.strided_slice(x, from_begin, to_end, [1] * x.shape.rank, begin_mask=mask, end_mask=mask)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=_dt.float32, name=None) -> Tensor:
    """Identity matrices of shape `batch_shape + [num_rows, num_columns]`.

    >>> import eagerflow as tf
    >>> print(tf.eye(2, dtype=tf.int32))
    tf.Tensor(
    [[1 0]
     [0 1]], shape=(2, 2), dtype=int32)
    """
    dtype = _dt.as_dtype(dtype)
    rows = static_int("Eye", num_rows, "num_rows")
    cols = rows if num_columns is None else static_int("Eye", num_columns, "num_columns")
    batch = () if batch_shape is None else shape_arg("Eye", batch_shape, "batch_shape")[0]
    if None in batch:
        raise TypeError("eye: batch_shape must be static (Python ints or a constant tensor)")
    check_dims((rows, cols) + batch)
    m = np.eye(rows, cols, dtype=dtype._np)
    return constant(np.broadcast_to(m, batch + m.shape).copy(), dtype)


# ---- shape queries --------------------------------------------------------------------------------------

def _shape_dtype(d, *, out_type):
    if out_type not in INDEX_DTYPES:
        R.fail("Shape", f"Value for attr 'out_type' of {R.tf_name(out_type)} is not in the list of allowed values: "
                        "int32, int64")
    return out_type


shape_p = Primitive("Shape", lambda x, *, out_type: np.array(np.shape(x), dtype=out_type._np),
                    dtype_rule=_shape_dtype, shape_rule=lambda s, **_: (None if s is None else len(s),))


def shape(input, out_type=_dt.int32, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """The dynamic shape of `input` as a 1-D int tensor.

    >>> import eagerflow as tf
    >>> print(tf.shape(tf.zeros([2, 3])))
    tf.Tensor([2 3], shape=(2,), dtype=int32)
    """
    return bind(shape_p, convert_to_tensor(input), out_type=_dt.as_dtype(out_type))


size_p = Primitive("Size", lambda x, *, out_type: np.array(np.size(x), dtype=out_type._np),
                   dtype_rule=_shape_dtype, shape_rule=R.scalar)


def size(input, out_type=_dt.int32, name=None) -> Tensor:  # noqa: A002
    """The number of elements of `input` as a scalar int tensor.

    >>> import eagerflow as tf
    >>> print(tf.size(tf.zeros([2, 3])))
    tf.Tensor(6, shape=(), dtype=int32)
    """
    return bind(size_p, convert_to_tensor(input), out_type=_dt.as_dtype(out_type))


rank_p = Primitive("Rank", lambda x: np.array(np.ndim(x), dtype=np.int32),
                   dtype_rule=lambda d: _dt.int32, shape_rule=R.scalar)


def rank(input, name=None) -> Tensor:  # noqa: A002
    """The number of dimensions of `input` as a scalar int32 tensor.

    >>> import eagerflow as tf
    >>> print(tf.rank(tf.zeros([2, 3])))
    tf.Tensor(2, shape=(), dtype=int32)
    """
    return bind(rank_p, convert_to_tensor(input))


def _compatible(s, expected) -> bool:
    return len(s) == len(expected) and all(a is None or b is None or a == b for a, b in zip(s, expected))


def _ensure_shape_rule(s, *, shape):
    if s is None:
        return shape
    if not _compatible(s, shape):
        R.fail("EnsureShape", f"Shape of tensor input {dims_str(s)} is not compatible with expected shape "
                              f"{dims_str(shape)}.")
    return tuple(b if a is None else a for a, b in zip(s, shape))


def _ensure_shape_kernel(x, *, shape):
    _ensure_shape_rule(np.shape(x), shape=shape)
    return x


ensure_shape_p = Primitive("EnsureShape", _ensure_shape_kernel, dtype_rule=R.unary("EnsureShape"),
                           shape_rule=_ensure_shape_rule, grad=lambda g, out, x, *, shape: (g,))


def ensure_shape(x, shape, name=None) -> Tensor:
    """Checks (at run time) that `x` has a shape compatible with `shape`; refines the static shape.

    >>> import eagerflow as tf
    >>> tf.ensure_shape(tf.zeros([2, 3]), [None, 3]).shape
    TensorShape([2, 3])
    """
    x = convert_to_tensor(x)
    shape = TensorShape(shape).as_tuple()
    if shape is None:
        return x
    return bind(ensure_shape_p, x, shape=shape)


# ---- reshape, broadcast, squeeze, expand_dims ---------------------------------------------------------------

def _reshape_shape(s, *dyn, shape):
    if shape is None:
        return None
    minus = [i for i, d in enumerate(shape) if d == -1]
    if len(minus) > 1:
        R.fail("Reshape", f"Only one input size may be -1, not both {minus[0]} and {minus[1]}")
    for i, d in enumerate(shape):
        if d is not None and d < -1:
            R.fail("Reshape", f"Size {i} must be non-negative, not {d}")
    if s is None or None in s or None in shape:
        return tuple(None if d == -1 else d for d in shape)
    known = [d for d in shape if d != -1]
    if not minus:
        n, want = R.num_elements(s), R.num_elements(known)
        if n != want:
            R.fail("Reshape", f"Input to reshape is a tensor with {n} values, but the requested shape has {want}")
        return shape
    # TF's rule: zero-sized dims are left out of both products when the request has one, so that
    # reshaping an empty tensor can still infer the other dimensions.
    zero_in_request = 0 in known
    product = R.num_elements([d for d in known if d != 0])
    n = R.num_elements([d for d in s if d > 0 or not zero_in_request])
    missing = n // product if product else 0
    if 0 not in s and product * missing != n:
        R.fail("Reshape", f"Input to reshape is a tensor with {n} values, but the requested shape requires a "
                          f"multiple of {product}")
    return tuple(missing if d == -1 else d for d in shape)


def _reshape_kernel(x, *dyn, shape):
    shape = dyn_value(dyn, shape)
    if shape and min(shape) < -1:  # NumPy would take any negative size as -1
        _reshape_shape(np.shape(x), shape=shape)
    try:
        return np.reshape(x, shape)
    except ValueError:  # a TF error message, or TF's rule for -1 with zero-sized dims
        return np.reshape(x, _reshape_shape(np.shape(x), shape=shape))


reshape_p = Primitive("Reshape", _reshape_kernel, dtype_rule=with_index_inputs("Reshape"),
                      shape_rule=_reshape_shape,
                      grad=lambda g, out, x, *dyn, shape: (reshape_like(g, x),) + (None,) * len(dyn))


def reshape(tensor, shape, name=None) -> Tensor:
    """Reshapes `tensor`; one dimension may be -1 (inferred).

    >>> import eagerflow as tf
    >>> tf.reshape(tf.range(6), [2, -1]).shape
    TensorShape([2, 3])
    """
    tensor = tensor if isinstance(tensor, Tensor) else convert_to_tensor(tensor)
    static, dyn = shape_arg("Reshape", shape)
    return bind(reshape_p, tensor, *dyn, shape=static)


def _reshape_like_kernel(x, ref):
    return np.reshape(x, np.shape(ref))


reshape_like_p = Primitive("ReshapeLike", _reshape_like_kernel, dtype_rule=R.first_input("ReshapeLike"),
                           shape_rule=lambda s, ref: ref,
                           grad=lambda g, out, x, ref: (reshape_like(g, x), None))


def reshape_like(x: Tensor, ref: Tensor) -> Tensor:
    """Reshapes `x` to `ref`'s (possibly dynamic) shape; used by gradients."""
    rs = ref.shape
    if rs.is_fully_defined():
        if x.shape.as_tuple() == rs.as_tuple():
            return x
        return bind(reshape_p, x, shape=rs.as_tuple())
    return bind(reshape_like_p, x, ref)


def _broadcast_to_shape(s, *dyn, shape):
    if shape is None or s is None:
        return shape
    if len(s) > len(shape):
        R.fail("BroadcastTo", f"Rank of input ({len(s)}) must be no greater than rank of output shape "
                              f"({len(shape)}).")
    for a, b in zip(s[::-1], shape[::-1]):
        if a is not None and b is not None and a != b and a != 1:
            R.fail("BroadcastTo", f"Incompatible shapes: {dims_str(s)} vs. {dims_str(shape)}")
    lead = len(shape) - len(s)
    return shape[:lead] + tuple(b if b is not None else (a if a != 1 else None)
                                for a, b in zip(s, shape[lead:]))


def _broadcast_to_kernel(x, *dyn, shape):
    shape = dyn_value(dyn, shape)
    if dyn:
        _broadcast_to_shape(np.shape(x), shape=shape)
    return np.broadcast_to(x, shape)


broadcast_to_p = Primitive("BroadcastTo", _broadcast_to_kernel, dtype_rule=with_index_inputs("BroadcastTo"),
                           shape_rule=_broadcast_to_shape,
                           grad=lambda g, out, x, *dyn, shape: (_math.unbroadcast(g, x),) + (None,) * len(dyn))


def broadcast_to(input, shape, name=None) -> Tensor:  # noqa: A002
    """Broadcasts `input` to `shape` (NumPy rules).

    >>> import eagerflow as tf
    >>> print(tf.broadcast_to([1, 2], [2, 2]))
    tf.Tensor(
    [[1 2]
     [1 2]], shape=(2, 2), dtype=int32)
    """
    static, dyn = shape_arg("BroadcastTo", shape)
    check_dims(static, "BroadcastTo")
    return bind(broadcast_to_p, convert_to_tensor(input), *dyn, shape=static)


def _squeeze_shape(s, *, axis):
    if s is None:
        return None
    if axis is None:
        if None in s:
            return None
        return tuple(d for d in s if d != 1)
    for a in axis:
        if s[a] is not None and s[a] != 1:
            R.fail("Squeeze", f"Can not squeeze dim[{a}], expected a dimension of 1, got {s[a]}")
    return tuple(d for i, d in enumerate(s) if i not in axis)


def _squeeze_kernel(x, *, axis):
    if axis is not None:
        _squeeze_shape(np.shape(x), axis=axis)
    return np.squeeze(x, axis=axis)


squeeze_p = Primitive("Squeeze", _squeeze_kernel, dtype_rule=R.unary("Squeeze"), shape_rule=_squeeze_shape,
                      grad=lambda g, out, x, *, axis: (reshape_like(g, x),))


def squeeze(input, axis=None, name=None) -> Tensor:  # noqa: A002
    """Removes dimensions of size 1 (all of them, or those in `axis`).

    >>> import eagerflow as tf
    >>> tf.squeeze(tf.zeros([1, 2, 1]), axis=[0]).shape
    TensorShape([2, 1])
    """
    x = convert_to_tensor(input)
    if axis is not None:
        r = known_rank("Squeeze", x)
        axes = []
        for a in (list(axis) if isinstance(axis, (list, tuple, np.ndarray)) else [axis]):
            a = as_int("Squeeze", a, "axis")
            if not -r <= a < r:
                R.fail("Squeeze", f"Tried to squeeze dim index {a} for tensor with {r} dimensions.")
            axes.append(a % r)
        axis = tuple(sorted(set(axes)))
    return bind(squeeze_p, x, axis=axis)


def _expand_dims_shape(s, *, axis):
    if s is None:
        return None
    return s[:axis] + (1,) + s[axis:]


expand_dims_p = Primitive("ExpandDims", lambda x, *, axis: np.expand_dims(x, axis),
                          dtype_rule=R.unary("ExpandDims"), shape_rule=_expand_dims_shape,
                          grad=lambda g, out, x, *, axis: (reshape_like(g, x),))


def expand_dims(input, axis, name=None) -> Tensor:  # noqa: A002
    """Inserts a dimension of size 1 at `axis` (negative counts from the end of the result).

    >>> import eagerflow as tf
    >>> tf.expand_dims(tf.zeros([2]), -1).shape
    TensorShape([2, 1])
    """
    x = convert_to_tensor(input)
    value = get_static_value(axis) if isinstance(axis, Tensor) else axis
    if isinstance(value, (list, tuple, np.ndarray)):
        if np.size(value) != 1:
            R.fail("ExpandDims", "'dim' must be a tensor with a single value")
        value = np.asarray(value).reshape(())
    a = static_int("ExpandDims", value, "axis")
    r = known_rank("ExpandDims", x)
    if not -r - 1 <= a <= r:
        R.fail("ExpandDims", f"Tried to expand dim index {a} for tensor with {r} dimensions.")
    return bind(expand_dims_p, x, axis=a % (r + 1))


# Indexing and shape manipulation build on the ops above; they are re-exported from here.
from . import indexing as _indexing, manip as _manip  # noqa: E402
from .indexing import *  # noqa: E402,F401,F403
from .indexing import getitem, where_indices  # noqa: E402,F401
from .manip import *  # noqa: E402,F401,F403

__all__ += _indexing.__all__ + _manip.__all__
