"""`tf.TensorArray`: a list of same-dtype tensors that loops can write and read by index.

Eagerly it is a Python list of tensors shared by the TensorArray objects `write` returns (as TF:
the old object sees the write too); a tape records the ops that made and combine the elements.

In a graph its state is one dense tensor, the *flow*, of shape `[size, *element_shape]` and the
element dtype: writing returns a new flow (`TensorListSetItem`), reading indexes it
(`TensorListGetItem`). Because the flow is an ordinary differentiable tensor, a TensorArray
carried through `tf.while_loop` (map_fn, scan, AutoGraph's `list.append` in a loop) has exact
gradients through the same machinery as any loop variable. Unwritten elements read as zeros; a
dynamic-size array grows when written past its end. Elements must share one shape in a graph
(TF's `infer_shape=True`); `split` into unequal pieces is eager only.

>>> import eagerflow as tf
>>> ta = tf.TensorArray(tf.float32, size=3)
>>> ta = ta.write(0, 1.0).write(2, 3.0)
>>> print(ta.stack())
tf.Tensor([1. 0. 3.], shape=(3,), dtype=float32)
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..context import _state
from ..errors import InvalidArgumentError, OutOfRangeError
from ..primitive import Primitive, bind
from ..shapes import TensorShape, as_shape
from ..tensor import EagerTensor, Tensor, convert_to_tensor, get_static_value
from ..tensor_spec import TensorSpec
from . import array as _array, indexing as _indexing, manip as _manip
from . import rules as R

__all__ = ["TensorArray"]


# ---- flow primitives (graph mode) -----------------------------------------------------------------------

def _elem_dims(element_shape):
    """The element shape as a tuple, or None when not fully known (the flow then starts as [n, 0])."""
    if element_shape is None or None in element_shape:
        return None
    return tuple(element_shape)


def _reserve_kernel(*size, element_dtype, element_shape, num_elements):
    n = int(size[0]) if size else num_elements
    dims = _elem_dims(element_shape)
    return np.zeros((n,) + (dims if dims is not None else (0,)), dtype=element_dtype._np)


def _reserve_shape(*size, element_dtype, element_shape, num_elements):
    if element_shape is None:
        return None
    return (num_elements,) + tuple(element_shape)


reserve_p = Primitive("TensorListReserve", _reserve_kernel,
                      dtype_rule=lambda *d, element_dtype, **a: element_dtype, shape_rule=_reserve_shape)


def _fit_flow(flow, value, need: int, dynamic: bool, op: str, index):
    """The flow as a fresh array able to hold element `need - 1` of `value`'s shape."""
    n = flow.shape[0]
    if flow.shape[1:] != value.shape:
        if flow.size == 0 and flow.ndim == 2 and flow.shape[1] == 0:   # element shape not known until now
            flow = np.zeros((n,) + value.shape, dtype=flow.dtype)
        else:
            R.fail(op, f"Could not write to TensorArray index {index} because the value shape is "
                       f"{list(value.shape)} which is incompatible with the TensorArray's inferred element shape: "
                       f"{list(flow.shape[1:])} (consider setting infer_shape=False).")
    if need > n:
        if not dynamic:
            raise OutOfRangeError(None, None, f"Tried to write to index {index} but array is not resizeable and size "
                                  f"is: {n} [Op:{op}]")
        grown = np.zeros((need,) + flow.shape[1:], dtype=flow.dtype)
        grown[:n] = flow
        return grown
    return flow.copy()


def _set_item_kernel(flow, index, value, *, dynamic):
    i = int(index)
    if i < 0:
        R.fail("TensorListSetItem", f"Tried to write to index {i} but it is negative")
    out = _fit_flow(flow, value, i + 1, dynamic, "TensorListSetItem", i)
    out[i] = value
    return out


def _set_item_dtype(flow, index, value, *, dynamic):
    if value is not flow:
        R.fail("TensorListSetItem", f"TensorArray dtype is {flow.name} but Op is trying to write dtype {value.name}")
    return flow


def _set_item_shape(flow, index, value, *, dynamic):
    if value is None:
        return None
    first = None if dynamic or flow is None else flow[0]
    if flow is not None and len(flow) == len(value) + 1:
        for a, b in zip(flow[1:], value):
            if a is not None and b is not None and a != b:
                R.fail("TensorListSetItem", f"Incompatible shape for value ({tuple(value)}), expected "
                                            f"({tuple(flow[1:])})")
    return (first,) + tuple(value)


def _set_item_grad(g, out, flow, index, value, *, dynamic):
    return bind(set_item_grad_p, g, flow, index), None, bind(get_item_p, g, index)


set_item_p = Primitive("TensorListSetItem", _set_item_kernel, dtype_rule=_set_item_dtype,
                       shape_rule=_set_item_shape, grad=_set_item_grad)


def _get_item_kernel(flow, index):
    i, n = int(index), flow.shape[0]
    if not 0 <= i < n:
        raise OutOfRangeError(None, None, f"Tried to read from index {i} but array size is: {n} "
                              "[Op:TensorListGetItem]")
    return flow[i].copy()


def _get_item_grad(g, out, flow, index):
    return bind(set_item_p, _array.zeros_like(flow), index, g, dynamic=False), None


get_item_p = Primitive("TensorListGetItem", _get_item_kernel, dtype_rule=lambda f, i: f,
                       shape_rule=lambda f, i: None if f is None else tuple(f[1:]), grad=_get_item_grad)


def _no_second_order(*_, **__):
    raise NotImplementedError("Second-order gradients through TensorArray writes are not supported.")


def _set_item_grad_kernel(g, flow, index):
    out = g[:flow.shape[0]].copy()
    if int(index) < out.shape[0]:
        out[int(index)] = 0
    return out


set_item_grad_p = Primitive("TensorListSetItemGrad", _set_item_grad_kernel, dtype_rule=lambda g, f, i: g,
                            shape_rule=lambda g, f, i: f, grad=_no_second_order)


def _scatter_kernel(flow, value, indices, *, dynamic):
    idx = np.asarray(indices).reshape(-1)
    if value.shape[0] != idx.size:
        R.fail("TensorListScatterIntoExistingList", f"Number of indices ({idx.size}) does not match the number of "
                                                    f"elements ({value.shape[0]})")
    if idx.size and idx.min() < 0:
        R.fail("TensorListScatterIntoExistingList", f"Tried to scatter to a negative index {idx.min()}")
    need = int(idx.max()) + 1 if idx.size else 0
    out = _fit_flow(flow, value[0] if value.shape[0] else np.zeros(flow.shape[1:], flow.dtype), need, dynamic,
                    "TensorListScatterIntoExistingList", need - 1)
    out[idx] = value
    return out


def _scatter_grad_kernel(g, flow, indices):
    out = g[:flow.shape[0]].copy()
    out[np.asarray(indices).reshape(-1)] = 0
    return out


scatter_grad_p = Primitive("TensorListScatterGrad", _scatter_grad_kernel, dtype_rule=lambda g, f, i: g,
                           shape_rule=lambda g, f, i: f, grad=_no_second_order)


def _scatter_grad(g, out, flow, value, indices, *, dynamic):
    return bind(scatter_grad_p, g, flow, indices), _indexing.gather(g, indices), None


scatter_p = Primitive("TensorListScatterIntoExistingList", _scatter_kernel,
                      dtype_rule=lambda f, v, i, **a: _set_item_dtype(f, None, v, dynamic=False),
                      shape_rule=lambda f, v, i, *, dynamic: None if v is None else (None,) + tuple(v[1:]),
                      grad=_scatter_grad)


def _stack_kernel(flow, *, element_shape):
    if element_shape is None and flow.ndim == 2 and flow.shape[1] == 0:
        return flow.reshape(flow.shape[:1])  # never written, element shape unknown: scalars, as TF
    return flow


def _stack_shape(flow, *, element_shape):
    if element_shape is None:
        return flow
    dims = (None if flow is None else flow[0],) + tuple(element_shape)
    return dims


stack_p = Primitive("TensorListStack", _stack_kernel, dtype_rule=lambda f, **a: f, shape_rule=_stack_shape,
                    grad=lambda g, out, flow, **a: (g,))


# ---- the TensorArray object ---------------------------------------------------------------------------------

class TensorArray:
    """A list of tensors of one dtype, written and read by index, usable in loops and graphs.

    >>> import eagerflow as tf
    >>> @tf.function
    ... def squares(n):
    ...     ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
    ...     for i in tf.range(n):
    ...         ta = ta.write(i, i * i)
    ...     return ta.stack()
    >>> squares(tf.constant(4)).numpy().tolist()
    [0, 1, 4, 9]
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape=True, element_shape=None, colocate_with_first_write_call=True,
                 name=None):
        self._dtype = _dt.as_dtype(dtype) if dtype is not None else None
        self._dynamic = bool(dynamic_size)
        self._infer_shape = infer_shape
        self._element_shape = as_shape(element_shape) if element_shape is not None else TensorShape(None)
        self._eager = _state.graph is None and flow is None
        if self._eager:
            n = 0 if size is None else int(size)
            self._items = [None] * n
            self._flow = None
            return
        if flow is not None:
            self._flow = flow
            return
        if size is None and not self._dynamic:
            raise ValueError("Size must be provided if handle is not provided")
        self._flow = self._reserve(0 if size is None else size)

    def _reserve(self, size):
        if self._dtype is None:
            raise ValueError("the TensorArray's dtype is not known yet")
        static = get_static_value(size) if isinstance(size, Tensor) else size
        dims = self._element_shape.as_tuple()
        if static is not None:
            return bind(reserve_p, element_dtype=self._dtype, element_shape=dims, num_elements=int(static))
        size = convert_to_tensor(size, dtype=_dt.int32)
        return bind(reserve_p, size, element_dtype=self._dtype, element_shape=dims, num_elements=None)

    @classmethod
    def _from_flow(cls, flow, like: "TensorArray", element_shape=None) -> "TensorArray":
        ta = cls.__new__(cls)
        ta._dtype, ta._dynamic, ta._infer_shape = like._dtype, like._dynamic, like._infer_shape
        ta._element_shape = like._element_shape if element_shape is None else element_shape
        ta._eager, ta._flow = False, flow
        return ta

    def _shared(self) -> "TensorArray":
        ta = TensorArray.__new__(TensorArray)
        ta.__dict__.update(self.__dict__)
        return ta

    # ---- properties ------------------------------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic_size(self) -> bool:
        return self._dynamic

    @property
    def element_shape(self) -> TensorShape:
        return self._element_shape

    @property
    def flow(self):
        """The tensor that carries this array's state through a graph (eagerly a dummy scalar)."""
        return self._flow if not self._eager else convert_to_tensor(0.0)

    @property
    def handle(self):
        return None

    def __repr__(self):
        dtype = self._dtype.name if self._dtype is not None else "?"
        return f"<TensorArray dtype={dtype} element_shape={self._element_shape}>"

    # ---- control-flow composite protocol ---------------------------------------------------------------
    def _cf_tensors(self) -> list:
        return [] if self._eager else [self._flow]

    def _cf_rebuild(self, tensors) -> "TensorArray":
        return self if self._eager else TensorArray._from_flow(tensors[0], self)

    def _cf_specs(self) -> list:
        """Loop invariants of the flow: its first dim may change when the array can grow."""
        if self._eager:
            return []
        dims = self._flow.shape.as_tuple()
        if dims is not None and self._dynamic:
            dims = (None,) + tuple(dims[1:])
        return [TensorSpec(dims, self._dtype)]

    # ---- element shape ---------------------------------------------------------------------------------
    def _check_value(self, value, index=None) -> Tensor:
        if self._dtype is None:
            value = value if isinstance(value, Tensor) else convert_to_tensor(value)
            self._dtype = value.dtype
        if isinstance(value, Tensor) or hasattr(value, "__tf_tensor__"):
            value = convert_to_tensor(value)
            if value.dtype is not self._dtype:
                raise InvalidArgumentError(None, None, f"TensorArray dtype is {self._dtype.name} but Op is trying to "
                                           f"write dtype {value.dtype.name} ")
        else:
            value = convert_to_tensor(value, dtype=self._dtype)
        if not self._element_shape.is_compatible_with(value.shape):
            raise ValueError(f"Incompatible shape for value ({_dims(value.shape)}), expected "
                             f"({_dims(self._element_shape)})")
        if self._infer_shape:
            self._element_shape = self._element_shape.merge_with(value.shape)
        return value

    # ---- writing ---------------------------------------------------------------------------------------
    def write(self, index, value, name=None) -> "TensorArray":
        """Sets element `index` to `value`; returns the TensorArray to use from now on."""
        if self._eager:
            value = self._check_value(value)
            i = int(index)
            self._ensure_size(i + 1, "write to", i)
            self._items[i] = value
            return self._shared()
        flow = self._graph_flow()
        value = self._check_value(value)
        index = convert_to_tensor(index, dtype=_dt.int32)
        return TensorArray._from_flow(bind(set_item_p, flow, index, value, dynamic=self._dynamic), self)

    def _ensure_size(self, need: int, what: str, i: int) -> None:
        n = len(self._items)
        if i < 0:
            raise InvalidArgumentError(None, None, f"Tried to {what} index {i} but it is negative")
        if need > n:
            if not self._dynamic:
                raise OutOfRangeError(None, None, f"Tried to {what} index {i} but array is not resizeable and size "
                                      f"is: {n} ")
            self._items.extend([None] * (need - n))

    def unstack(self, value, name=None) -> "TensorArray":
        """Element i becomes `value[i]`."""
        value = convert_to_tensor(value, dtype=self._dtype) if self._dtype is not None else convert_to_tensor(value)
        if self._dtype is None:
            self._dtype = value.dtype
        if value.dtype is not self._dtype:
            raise InvalidArgumentError(None, None, f"TensorArray dtype is {self._dtype.name} but Op is trying to "
                                       f"write dtype {value.dtype.name} ")
        elem = TensorShape(value.shape.as_tuple()[1:] if value.shape.rank else None)
        if not self._element_shape.is_compatible_with(elem):
            raise ValueError(f"Incompatible shape for value ({_dims(elem)}), expected ({_dims(self._element_shape)})")
        self._element_shape = self._element_shape.merge_with(elem)
        if self._eager:
            rows = _manip.unstack(value) if value.shape[0] else []
            self._ensure_size(len(rows), "write to", len(rows) - 1)
            self._items[:len(rows)] = rows
            return self._shared()
        return TensorArray._from_flow(_array.identity(value), self)

    def scatter(self, indices, value, name=None) -> "TensorArray":
        """Element `indices[j]` becomes `value[j]`."""
        value = convert_to_tensor(value, dtype=self._dtype)
        if self._eager:
            idx = [int(i) for i in np.asarray(convert_to_tensor(indices)._value).reshape(-1)]
            rows = _manip.unstack(value) if value.shape[0] else []
            for i, row in zip(idx, rows):
                row = self._check_value(row)
                self._ensure_size(i + 1, "write to", i)
                self._items[i] = row
            return self._shared()
        elem = TensorShape(value.shape.as_tuple()[1:] if value.shape.rank else None)
        self._element_shape = self._element_shape.merge_with(elem)
        indices = convert_to_tensor(indices, dtype=_dt.int32)
        return TensorArray._from_flow(bind(scatter_p, self._graph_flow(), value, indices, dynamic=self._dynamic),
                                      self)

    def split(self, value, lengths, name=None) -> "TensorArray":
        """Element i becomes the i-th piece of `value` cut along axis 0 into `lengths`."""
        value = convert_to_tensor(value, dtype=self._dtype)
        sizes = get_static_value(convert_to_tensor(lengths))
        if self._eager:
            pieces = _manip.split(value, [int(s) for s in np.reshape(sizes, -1)])
            self._ensure_size(len(pieces), "write to", len(pieces) - 1)
            self._items[:len(pieces)] = pieces
            return self._shared()
        if sizes is None or len(set(np.reshape(sizes, -1).tolist())) > 1:
            raise NotImplementedError("TensorArray.split into pieces of different (or unknown) lengths works "
                                      "eagerly only: in a graph all elements must have one shape.")
        n = int(np.size(sizes))
        piece = int(np.reshape(sizes, -1)[0]) if n else 0
        rest = value.shape.as_list()[1:] if value.shape.rank else []
        return self.unstack(_array.reshape(value, [n, piece] + [-1 if d is None else d for d in rest]))

    # ---- reading ---------------------------------------------------------------------------------------
    def read(self, index, name=None) -> Tensor:
        """Element `index` (zeros if never written and the element shape is known)."""
        if self._eager:
            i = int(index)
            if not 0 <= i < len(self._items):
                raise OutOfRangeError(None, None, f"Tried to read from index {i} but array size is: "
                                      f"{len(self._items)} ")
            return self._eager_item(i)
        index = convert_to_tensor(index, dtype=_dt.int32)
        out = bind(get_item_p, self._graph_flow(), index)
        if self._element_shape.rank is not None:
            out.set_shape(self._element_shape)
        return out

    def _eager_item(self, i: int) -> Tensor:
        item = self._items[i]
        if item is not None:
            return item
        if not self._element_shape.is_fully_defined():
            raise InvalidArgumentError(None, None, f"Could not read from TensorArray index {i}. Furthermore, the "
                                       f"element shape is not fully defined: {self._element_shape}. If you set the "
                                       "full element_shape property on the TensorArray, the proper all-zeros tensor "
                                       "will be returned instead of incurring this error.")
        return EagerTensor._make(np.zeros(self._element_shape.as_tuple(), self._dtype._np), self._dtype)

    def stack(self, name=None) -> Tensor:
        """All elements stacked along a new first axis."""
        if self._eager:
            if not self._items:
                dims = self._element_shape.as_tuple() or ()
                return EagerTensor._make(np.zeros((0,) + tuple(d or 0 for d in dims), self._dtype._np), self._dtype)
            return _manip.stack([self._eager_item(i) for i in range(len(self._items))])
        return bind(stack_p, self._graph_flow(), element_shape=self._element_shape.as_tuple())

    def gather(self, indices, name=None) -> Tensor:
        """The elements at `indices`, stacked."""
        if self._eager:
            idx = np.asarray(convert_to_tensor(indices)._value).reshape(-1)
            if not idx.size:
                dims = self._element_shape.as_tuple() or ()
                return EagerTensor._make(np.zeros((0,) + tuple(d or 0 for d in dims), self._dtype._np), self._dtype)
            return _manip.stack([self.read(int(i)) for i in idx])
        return _indexing.gather(self.stack(), convert_to_tensor(indices, dtype=_dt.int32))

    def concat(self, name=None) -> Tensor:
        """The elements joined along their first axis."""
        if self._eager:
            return _manip.concat([self._eager_item(i) for i in range(len(self._items))], 0)
        flow = self.stack()
        dims = flow.shape.as_tuple()
        if dims is None or len(dims) < 2:
            raise ValueError("Concatenating a TensorArray needs elements of known rank >= 1")
        if None not in dims[2:]:
            return _array.reshape(flow, [-1] + list(dims[2:]))
        rest = _array.shape(flow)[2:]
        return _array.reshape(flow, _manip.concat([convert_to_tensor([-1]), rest], 0))

    def size(self, name=None) -> Tensor:
        """The number of elements, as an int32 scalar tensor."""
        if self._eager:
            return convert_to_tensor(len(self._items), dtype=_dt.int32)
        return _array.shape(self._graph_flow(), out_type=_dt.int32)[0]

    def identity(self) -> "TensorArray":
        return self if self._eager else TensorArray._from_flow(_array.identity(self._flow), self)

    def close(self, name=None):
        return None

    def mark_used(self) -> None:
        """Accepted for TF compatibility (TF warns about unused TensorArrays)."""

    def _graph_flow(self):
        if self._eager:
            raise ValueError("A TensorArray created eagerly cannot be used while building a graph; create it inside "
                             "the tf.function.")
        return self._flow


def _dims(shape) -> str:
    dims = shape.as_tuple() if isinstance(shape, TensorShape) else shape
    if dims is None:
        return "<unknown>"
    return "(" + ", ".join("None" if d is None else str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"
