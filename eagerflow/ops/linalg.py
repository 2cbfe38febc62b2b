"""Linear algebra: matmul and friends (`tf.linalg`)."""
from __future__ import annotations

import numpy as np

from ..primitive import Primitive, bind
from ..shapes import format_dims
from ..tensor import Tensor, convert_to_tensor
from . import array as _array, math as _math, reduce as _reduce, rules as R

__all__ = ["matmul"]


def _mt(x):
    return np.swapaxes(x, -1, -2)


def _matmul_kernel(a, b, *, transpose_a, transpose_b):
    if transpose_a:
        a = _mt(a)
    if transpose_b:
        b = _mt(b)
    return np.matmul(a, b)


def _matmul_shape(a, b, *, transpose_a, transpose_b):
    if a is None or b is None:
        return None
    if len(a) < 2 or len(b) < 2:
        R.fail("MatMul", f"In[0] and In[1] ndims must be >= 2: {len(a)} vs. {len(b)}")
    m, k = (a[-1], a[-2]) if transpose_a else (a[-2], a[-1])
    k2, n = (b[-1], b[-2]) if transpose_b else (b[-2], b[-1])
    if k is not None and k2 is not None and k != k2:
        R.fail("MatMul", f"Matrix size-incompatible: In[0]: {format_dims(a)}, In[1]: {format_dims(b)}")
    batch = R.broadcast_shapes("MatMul", a[:-2], b[:-2])
    return batch + (m, n)


def _matmul_grad(g, out, a, b, *, transpose_a, transpose_b):
    ca, cb = _math.conj(a), _math.conj(b)
    if not transpose_a and not transpose_b:
        ga, gb = matmul(g, cb, transpose_b=True), matmul(ca, g, transpose_a=True)
    elif not transpose_a and transpose_b:
        ga, gb = matmul(g, cb), matmul(g, ca, transpose_a=True)
    elif transpose_a and not transpose_b:
        ga, gb = matmul(cb, g, transpose_b=True), matmul(ca, g)
    else:
        ga, gb = matmul(cb, g, transpose_a=True, transpose_b=True), matmul(g, ca, transpose_a=True,
                                                                             transpose_b=True)
    return _math.unbroadcast(ga, a), _math.unbroadcast(gb, b)


matmul_p = Primitive("MatMul", _matmul_kernel, dtype_rule=R.same("MatMul", R.NUMERIC - {R._dt.uint8}),
                     shape_rule=_matmul_shape, grad=_matmul_grad)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None) -> Tensor:
    """Matrix product of the last two dims, with broadcasting batch dims.

    >>> import eagerflow as tf
    >>> tf.matmul(tf.ones([2, 3]), tf.ones([3, 4])).shape
    TensorShape([2, 4])
    """
    a = convert_to_tensor(a) if not isinstance(a, Tensor) else a
    b = convert_to_tensor(b, dtype_hint=a.dtype) if not isinstance(b, Tensor) else b
    if adjoint_a:
        a, transpose_a = _math.conj(a), not transpose_a
    if adjoint_b:
        b, transpose_b = _math.conj(b), not transpose_b
    ra, rb = a.shape.rank, b.shape.rank
    if ra is not None and rb is not None and (ra < 2 or rb < 2):
        R.fail("MatMul", f"In[0] and In[1] ndims must be == 2: {min(ra, rb)}")
    return bind(matmul_p, a, b, transpose_a=bool(transpose_a), transpose_b=bool(transpose_b))


_ = (_array, _reduce)
