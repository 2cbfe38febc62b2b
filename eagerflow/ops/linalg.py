"""Linear algebra (`tf.linalg`): solvers, decompositions and norms, plus the products and
matrix-structure ops of `ops/linalg_core.py`, re-exported here so this module is the namespace.

Kernels call LAPACK through NumPy (float16 is computed in float32 and cast back). Gradients are
the usual matrix-calculus identities written with eagerflow ops, so they nest and trace.

>>> import eagerflow as tf
>>> a = tf.constant([[4., 2.], [2., 3.]])
>>> print(tf.linalg.det(a))
tf.Tensor(8.0, shape=(), dtype=float32)
"""
from __future__ import annotations

import collections

import numpy as np

from .. import dtypes as _dt
from ..primitive import Primitive, bind
from ..tensor import Tensor, convert_to_tensor, get_static_value
from . import array as _array, math as _math, reduce as _reduce, rules as R
from . import linalg_core as _core
from .linalg_core import (  # noqa: F401 - re-exported as tf.linalg.*
    adjoint, band_part, cross, diag, diag_part, einsum, matmul, matrix_transpose, matvec, set_diag,
    tensordot, trace,
)
from .array import eye  # noqa: F401 - tf.linalg.eye is tf.eye
from .math import l2_normalize  # noqa: F401 - tf.linalg.l2_normalize is tf.math.l2_normalize
from .linalg_core import adjoint_, band_part_p, bmm, matrix_diag_part_p, matrix_set_diag_p, scale_matrices

__all__ = _core.__all__ + [
    "inv", "det", "slogdet", "logdet", "cholesky", "cholesky_solve", "solve", "triangular_solve", "qr",
    "svd", "norm", "eye", "eigh", "eigvalsh", "pinv", "lstsq", "l2_normalize",
]

_LAPACK_TYPES = frozenset([_dt.float16, _dt.float32, _dt.float64, _dt.complex64, _dt.complex128])
_ct = _core._ct


def _lapack(a: np.ndarray) -> np.ndarray:
    """NumPy's LAPACK has no float16: compute those in float32."""
    return a.astype(np.float32) if a.dtype == np.float16 else a


def _square_shape(op: str):
    def rule(s, **_):
        if s is None:
            return None
        if len(s) < 2:
            R.fail(op, f"Input tensor 0 must have rank >= 2, got {len(s)}")
        if s[-1] is not None and s[-2] is not None and s[-1] != s[-2]:
            R.fail(op, "Input matrix must be square.")
        return s
    return rule


def _tensor(x, like=None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return convert_to_tensor(x, dtype_hint=like.dtype if like is not None else None)


# ---- inverse and determinants ----------------------------------------------------------------------------

_inv_shape = _square_shape("MatrixInverse")


def _inv_kernel(a, *, adjoint):
    _inv_shape(a.shape)
    try:
        return np.linalg.inv(_lapack(_ct(a) if adjoint else a)).astype(a.dtype, copy=False)
    except np.linalg.LinAlgError:
        pass
    R.fail("MatrixInverse", "Input is not invertible.")


def _inv_grad(g, out, a, *, adjoint):
    if adjoint:  # out = A^-H: grad = -out g^H out
        return (_math.negative(bmm(out, bmm(g, out, adj_x=True))),)
    return (_math.negative(bmm(out, bmm(g, out, adj_y=True), adj_x=True)),)


inv_p = Primitive("MatrixInverse", _inv_kernel, dtype_rule=R.unary("MatrixInverse", _LAPACK_TYPES),
                  shape_rule=_inv_shape, grad=_inv_grad)


def inv(input, adjoint=False, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Inverse of each square matrix (of its adjoint when `adjoint`).

    >>> import eagerflow as tf
    >>> print(tf.linalg.inv(tf.constant([[2., 0.], [0., 4.]])))
    tf.Tensor(
    [[0.5  0.  ]
     [0.   0.25]], shape=(2, 2), dtype=float32)
    """
    return bind(inv_p, convert_to_tensor(input), adjoint=bool(adjoint))


_det_shape = _square_shape("MatrixDeterminant")


def _det_kernel(a):
    _det_shape(a.shape)
    return np.asarray(np.linalg.det(_lapack(a))).astype(a.dtype, copy=False)


def _det_grad(g, out, a):
    # d det(A) = det(A) tr(A^-1 dA)  =>  grad = g conj(det) A^-H
    return (scale_matrices(_math.multiply(g, _math.conj(out)), bind(inv_p, a, adjoint=True)),)


det_p = Primitive("MatrixDeterminant", _det_kernel, dtype_rule=R.unary("MatrixDeterminant", _LAPACK_TYPES),
                  shape_rule=lambda s: None if s is None else _det_shape(s)[:-2], grad=_det_grad)


def det(input, name=None) -> Tensor:  # noqa: A002
    """Determinant of each square matrix in the batch.

    >>> import eagerflow as tf
    >>> print(tf.linalg.det(tf.constant([[1., 2.], [3., 4.]])))
    tf.Tensor(-2.0, shape=(), dtype=float32)
    """
    return bind(det_p, convert_to_tensor(input))


LogMatrixDeterminant = collections.namedtuple("LogMatrixDeterminant", ["sign", "log_abs_determinant"])
_slogdet_shape = _square_shape("LogMatrixDeterminant")


def _slogdet_kernel(a):
    _slogdet_shape(a.shape)
    sign, logabs = np.linalg.slogdet(_lapack(a))
    return np.asarray(sign).astype(a.dtype, copy=False), np.asarray(logabs).astype(a.dtype, copy=False)


def _slogdet_grad(gs, outs, a):
    return (scale_matrices(gs[1], bind(inv_p, a, adjoint=True)),)   # the sign is locally constant


slogdet_p = Primitive("LogMatrixDeterminant", _slogdet_kernel,
                      dtype_rule=lambda d: [R.unary("LogMatrixDeterminant", _LAPACK_TYPES)(d)] * 2,
                      shape_rule=lambda s: [None if s is None else _slogdet_shape(s)[:-2]] * 2,
                      grad=_slogdet_grad, multiple_results=True)


def slogdet(input, name=None) -> LogMatrixDeterminant:  # noqa: A002
    """(sign, log|det|) of each square matrix: stable where det itself would overflow.

    >>> import eagerflow as tf
    >>> print(tf.linalg.slogdet(tf.constant([[-2., 0.], [0., 1.]])).sign)
    tf.Tensor(-1.0, shape=(), dtype=float32)
    """
    return LogMatrixDeterminant(*bind(slogdet_p, convert_to_tensor(input)))


def logdet(matrix, name=None) -> Tensor:
    """log(det(matrix)) of Hermitian positive-definite matrices, via Cholesky.

    >>> import eagerflow as tf
    >>> print(tf.linalg.logdet(tf.constant([[1., 0.], [0., 1.]])))
    tf.Tensor(0.0, shape=(), dtype=float32)
    """
    d = diag_part(cholesky(matrix))
    if d.dtype.is_complex:
        d = _math.real(d)
    return _math.multiply(_reduce.reduce_sum(_math.log(d), axis=-1), 2.0)


# ---- Cholesky -----------------------------------------------------------------------------------------------

_cholesky_shape = _square_shape("Cholesky")


def _cholesky_kernel(a):
    _cholesky_shape(a.shape)
    work = _lapack(a)
    try:
        out = np.linalg.cholesky(work)
    except np.linalg.LinAlgError:  # as TF: matrices that are not positive definite come out as NaN
        flat = work.reshape((-1,) + work.shape[-2:])
        out = np.zeros_like(flat)
        for i, m in enumerate(flat):
            try:
                out[i] = np.linalg.cholesky(m)
            except np.linalg.LinAlgError:
                out[i] = np.tril(np.full_like(m, np.nan))
        out = out.reshape(work.shape)
    return out.astype(a.dtype, copy=False)


def _cholesky_grad(g, l, a):
    # Symmetric gradient: A_bar = 1/2 (X + X^H), X = L^-H Phi(L^H G) L^-1, Phi = lower part, half diagonal.
    mid = bmm(l, g, adj_x=True)
    mid = bind(matrix_set_diag_p, mid, _math.multiply(bind(matrix_diag_part_p, mid, k=0, padding_value=0), 0.5),
               k=0)
    mid = bind(band_part_p, mid, num_lower=-1, num_upper=0)
    y = bind(trisolve_p, l, mid, lower=True, adjoint=True)                            # L^-H Phi
    x = adjoint_(bind(trisolve_p, l, adjoint_(y), lower=True, adjoint=True))          # (L^-H Phi) L^-1
    return (_math.multiply(_math.add(x, adjoint_(x)), 0.5),)


cholesky_p = Primitive("Cholesky", _cholesky_kernel, dtype_rule=R.unary("Cholesky", _LAPACK_TYPES),
                       shape_rule=_cholesky_shape, grad=_cholesky_grad)


def cholesky(input, name=None) -> Tensor:  # noqa: A002
    """Lower-triangular L with L L^H = input, for Hermitian positive-definite matrices.

    Only the lower triangle of `input` is read; a matrix that is not positive definite gives NaNs.

    >>> import eagerflow as tf
    >>> print(tf.linalg.cholesky(tf.constant([[4., 2.], [2., 2.]])))
    tf.Tensor(
    [[2. 0.]
     [1. 1.]], shape=(2, 2), dtype=float32)
    """
    return bind(cholesky_p, convert_to_tensor(input))


# ---- linear solves ---------------------------------------------------------------------------------------------

def _solve_shape(a, b, *, adjoint):
    if a is None or b is None:
        return None
    if len(a) < 2:
        R.fail("MatrixSolve", f"Input tensor 0 must have rank >= 2, got {len(a)}")
    if len(b) != len(a):
        R.fail("MatrixSolve", "All input tensors must have the same rank.")
    if a[-1] is not None and a[-2] is not None and a[-1] != a[-2]:
        R.fail("MatrixSolve", "First input (lhs) must be a square matrix.")
    n = a[-1] if a[-1] is not None else a[-2]
    if n is not None and b[-2] is not None and n != b[-2]:
        R.fail("MatrixSolve", "Input matrix and rhs are incompatible.")
    batch = []
    for x, y in zip(a[:-2], b[:-2]):
        if x is not None and y is not None and x != y:
            R.fail("MatrixSolve", "All input tensors must have the same outer dimensions.")
        batch.append(x if x is not None else y)
    return tuple(batch) + (n if n is not None else b[-2], b[-1])


def _solve_kernel(a, b, *, adjoint):
    _solve_shape(a.shape, b.shape, adjoint=adjoint)
    try:
        return np.linalg.solve(_lapack(_ct(a) if adjoint else a), _lapack(b)).astype(a.dtype, copy=False)
    except np.linalg.LinAlgError:
        pass
    R.fail("MatrixSolve", "Input matrix is not invertible.")


def _solve_grad(g, x, a, b, *, adjoint):
    gb = bind(solve_p, a, g, adjoint=not adjoint)
    ga = bmm(x, gb, adj_y=True) if adjoint else bmm(gb, x, adj_y=True)
    return _math.negative(ga), gb


solve_p = Primitive("MatrixSolve", _solve_kernel, dtype_rule=R.same("MatrixSolve", _LAPACK_TYPES),
                    shape_rule=_solve_shape, grad=_solve_grad)


def solve(matrix, rhs, adjoint=False, name=None) -> Tensor:
    """X with matrix @ X = rhs (adjoint(matrix) @ X = rhs when `adjoint`), batched.

    >>> import eagerflow as tf
    >>> print(tf.linalg.solve(tf.constant([[2., 0.], [0., 4.]]), tf.constant([[2.], [2.]])))
    tf.Tensor(
    [[1. ]
     [0.5]], shape=(2, 1), dtype=float32)
    """
    a = convert_to_tensor(matrix)
    return bind(solve_p, a, _tensor(rhs, a), adjoint=bool(adjoint))


def _trisolve_shape(a, b, *, lower, adjoint):
    if a is None or b is None:
        return None
    for i, s in enumerate((a, b)):
        if len(s) < 2:
            R.fail("MatrixTriangularSolve", f"In[{i}] ndims must be >= 2: {len(s)}")
    if a[-1] is not None and a[-2] is not None and a[-1] != a[-2]:
        R.fail("MatrixTriangularSolve", f"In[0] matrices in the last dimensions must be square ({a[-1]} =/= {a[-2]})")
    n = a[-1] if a[-1] is not None else a[-2]
    if n is not None and b[-2] is not None and n != b[-2]:
        R.fail("MatrixTriangularSolve", f"In[0] mismatch In[1] shape: {n} vs. {b[-2]}: {_core.format_dims(a)} "
                                        f"{_core.format_dims(b)} {int(lower)} {int(adjoint)}")
    return _core.batch_shape("MatrixTriangularSolve", a, b) + (n if n is not None else b[-2], b[-1])


def _trisolve_kernel(a, b, *, lower, adjoint):
    """Forward/back substitution, one row at a time, vectorized over batch and right-hand sides.

    Only the relevant triangle is read; a zero on the diagonal gives inf/nan (as TF), no error.
    """
    _trisolve_shape(a.shape, b.shape, lower=lower, adjoint=adjoint)
    dtype = a.dtype
    a, b = _lapack(a), _lapack(b)
    if adjoint:
        a, lower = _ct(a), not lower
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    x = np.array(np.broadcast_to(b, batch + b.shape[-2:]), dtype=np.result_type(a, b))
    n = a.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in (range(n) if lower else range(n - 1, -1, -1)):
            done = slice(0, i) if lower else slice(i + 1, n)
            if (lower and i > 0) or (not lower and i < n - 1):
                x[..., i, :] -= np.matmul(a[..., i:i + 1, done], x[..., done, :])[..., 0, :]
            x[..., i, :] /= a[..., i, i][..., None]
    return x.astype(dtype, copy=False)


def _trisolve_grad(g, x, a, b, *, lower, adjoint):
    gb = bind(trisolve_p, a, g, lower=lower, adjoint=not adjoint)
    ga = _math.negative(bmm(x, gb, adj_y=True) if adjoint else bmm(gb, x, adj_y=True))
    ga = bind(band_part_p, ga, num_lower=-1, num_upper=0) if lower else \
        bind(band_part_p, ga, num_lower=0, num_upper=-1)
    return _math.unbroadcast(ga, a), _math.unbroadcast(gb, b)


trisolve_p = Primitive("MatrixTriangularSolve", _trisolve_kernel,
                       dtype_rule=R.same("MatrixTriangularSolve", _LAPACK_TYPES | {_dt.bfloat16}),
                       shape_rule=_trisolve_shape, grad=_trisolve_grad)


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None) -> Tensor:
    """Solves triangular systems (batch dims broadcast); only the `lower`/upper triangle is used.

    >>> import eagerflow as tf
    >>> print(tf.linalg.triangular_solve(tf.constant([[2., 0.], [1., 1.]]), tf.constant([[2.], [2.]])))
    tf.Tensor(
    [[1.]
     [1.]], shape=(2, 1), dtype=float32)
    """
    a = convert_to_tensor(matrix)
    return bind(trisolve_p, a, _tensor(rhs, a), lower=bool(lower), adjoint=bool(adjoint))


def cholesky_solve(chol, rhs, name=None) -> Tensor:
    """Solves A X = rhs given chol = cholesky(A)."""
    y = triangular_solve(chol, rhs, lower=True, adjoint=False)
    return triangular_solve(chol, y, lower=True, adjoint=True)


# ---- QR and SVD -------------------------------------------------------------------------------------------------

def _rank2(op: str, s):
    if s is not None and len(s) < 2:
        R.fail(op, f"Input tensor 0 must have rank >= 2, got {len(s)}")


def _qr_shape(s, *, full_matrices):
    if s is None:
        return [None, None]
    _rank2("Qr", s)
    m, n = s[-2:]
    k = None if m is None or n is None else min(m, n)
    if full_matrices:
        return [s[:-2] + (m, m), s[:-2] + (m, n)]
    return [s[:-2] + (m, k), s[:-2] + (k, n)]


def _qr_kernel(a, *, full_matrices):
    _rank2("Qr", a.shape)
    q, r = np.linalg.qr(_lapack(a), mode="complete" if full_matrices else "reduced")
    return q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)


def _right_solve_upper(x, r):
    """x @ r^-H for upper-triangular r."""
    return adjoint_(bind(trisolve_p, r, adjoint_(x), lower=False, adjoint=False))


def _qr_grad(gs, outs, a, *, full_matrices):
    m, n = a.shape.as_tuple()[-2:] if a.shape.rank is not None else (None, None)
    if m is None or n is None or m < n or (full_matrices and m != n) or a.dtype.is_complex:
        raise NotImplementedError("QR gradient is implemented for real matrices with num_rows >= num_cols "
                                  f"(full_matrices=False unless square) and static shapes; got {a.shape}")
    gq, gr = gs
    q, r = outs
    qdq = bmm(q, gq, adj_x=True)
    rdr = bmm(r, gr, adj_y=True)
    low = bind(band_part_p, _math.add(_math.subtract(qdq, adjoint_(qdq)), _math.subtract(rdr, adjoint_(rdr))),
               num_lower=-1, num_upper=0)
    grad_a = bmm(q, _math.add(gr, _right_solve_upper(low, r)))
    grad_b = _right_solve_upper(_math.subtract(gq, bmm(q, qdq)), r)
    return (_math.add(grad_a, grad_b),)


qr_p = Primitive("Qr", _qr_kernel, dtype_rule=lambda d, **_: [R.unary("Qr", _LAPACK_TYPES)(d)] * 2,
                 shape_rule=_qr_shape, grad=_qr_grad, multiple_results=True)
Qr = collections.namedtuple("Qr", ["q", "r"])


def qr(input, full_matrices=False, name=None) -> Qr:  # noqa: A002
    """QR decomposition: q with orthonormal columns, r upper triangular, q @ r = input.

    >>> import eagerflow as tf
    >>> q, r = tf.linalg.qr(tf.constant([[3., 0.], [4., 5.]]))
    >>> r.shape
    TensorShape([2, 2])
    """
    return Qr(*bind(qr_p, convert_to_tensor(input), full_matrices=bool(full_matrices)))


def _svd_dtype(d, *, compute_uv, full_matrices):
    R.check_allowed("Svd", d, _LAPACK_TYPES)
    return [d.real_dtype, d, d] if compute_uv else [d.real_dtype]


def _svd_shape(s, *, compute_uv, full_matrices):
    if s is None:
        return [None] * (3 if compute_uv else 1)
    _rank2("Svd", s)
    m, n = s[-2:]
    k = None if m is None or n is None else min(m, n)
    if not compute_uv:
        return [s[:-2] + (k,)]
    return [s[:-2] + (k,), s[:-2] + (m, m if full_matrices else k), s[:-2] + (n, n if full_matrices else k)]


def _svd_kernel(a, *, compute_uv, full_matrices):
    _rank2("Svd", a.shape)
    real = np.zeros((), a.dtype).real.dtype
    if not compute_uv:
        return (np.linalg.svd(_lapack(a), compute_uv=False).astype(real, copy=False),)
    u, s, vh = np.linalg.svd(_lapack(a), full_matrices=full_matrices)
    return s.astype(real, copy=False), u.astype(a.dtype, copy=False), _ct(vh).astype(a.dtype, copy=False)


def _svd_grad(gs, outs, a, *, compute_uv, full_matrices):
    if not compute_uv:
        s, u, v = bind(svd_p, a, compute_uv=True, full_matrices=False)
        g_s = gs[0]
        return (bind(_core.einsum_p, u, _math.cast(g_s, a.dtype), _math.conj(v), equation="...ij,...j,...kj->...ik"),)
    m, n = a.shape.as_tuple()[-2:] if a.shape.rank is not None else (None, None)
    if a.dtype.is_complex or (full_matrices and (m is None or m != n)):
        raise NotImplementedError("SVD gradient through u and v is implemented for real matrices with "
                                  "full_matrices=False (or square); use compute_uv=False for s alone")
    return (_svd_uv_grad(gs, outs, m, n),)


def _svd_uv_grad(gs, outs, m, n):
    """Real SVD gradient (Townsend 2016) for A = U diag(s) V^T with reduced U, V."""
    g_s, g_u, g_v = gs
    s, u, v = outs
    ones = _array.ones_like(s)
    s2 = _math.multiply(s, s)
    diff = _math.subtract(bind(_core.einsum_p, ones, s2, equation="...i,...j->...ij"),
                          bind(_core.einsum_p, s2, ones, equation="...i,...j->...ij"))   # s_j^2 - s_i^2
    eye = bind(_core.matrix_diag_p, ones, k=0, num_rows=-1, num_cols=-1, padding_value=0)
    f = bind(matrix_set_diag_p, _math.realdiv(_array.ones_like(diff), _math.add(diff, eye)),
             _array.zeros_like(s), k=0)   # 1 / (s_j^2 - s_i^2) off the diagonal, 0 on it
    utgu = bmm(u, g_u, adj_x=True)
    vtgv = bmm(v, g_v, adj_x=True)
    j = _math.multiply(f, _math.subtract(utgu, adjoint_(utgu)))
    kk = _math.multiply(f, _math.subtract(vtgv, adjoint_(vtgv)))
    core = _math.add(_math.add(bind(_core.einsum_p, j, s, equation="...ij,...j->...ij"),
                               bind(_core.matrix_diag_p, g_s, k=0, num_rows=-1, num_cols=-1, padding_value=0)),
                     bind(_core.einsum_p, s, kk, equation="...i,...ij->...ij"))
    grad = bmm(bmm(u, core), v, adj_y=True)
    inv_s = _math.realdiv(ones, s)
    if m is None or m > (n or 0):    # (I - U U^T) gU S^-1 V^T
        proj = _math.subtract(g_u, bmm(u, utgu))
        grad = _math.add(grad, bind(_core.einsum_p, proj, inv_s, v, equation="...ij,...j,...kj->...ik"))
    if n is None or n > (m or 0):    # U S^-1 gV^T (I - V V^T)
        proj = _math.subtract(g_v, bmm(v, vtgv))
        grad = _math.add(grad, bind(_core.einsum_p, u, inv_s, proj, equation="...ij,...j,...kj->...ik"))
    return grad


svd_p = Primitive("Svd", _svd_kernel, dtype_rule=_svd_dtype, shape_rule=_svd_shape, grad=_svd_grad,
                  multiple_results=True)


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Singular values s (descending) and, if `compute_uv`, u and v with tensor = u diag(s) v^H.

    Returns (s, u, v) as TF (v, not v^H), or s alone when compute_uv=False.

    >>> import eagerflow as tf
    >>> print(tf.linalg.svd(tf.constant([[3., 0.], [0., 4.]]), compute_uv=False))
    tf.Tensor([4. 3.], shape=(2,), dtype=float32)
    """
    outs = bind(svd_p, convert_to_tensor(tensor), compute_uv=bool(compute_uv), full_matrices=bool(full_matrices))
    return tuple(outs) if compute_uv else outs[0]


# ---- Hermitian eigendecomposition, pseudo-inverse, least squares ----------------------------------------------------

_eigh_shape_1 = _square_shape("SelfAdjointEigV2")


def _eigh_shape(s, *, compute_v):
    if s is None:
        return [None, None] if compute_v else [None]
    _eigh_shape_1(s)
    e = s[:-1]
    return [e, s] if compute_v else [e]


def _eigh_kernel(a, *, compute_v):
    _eigh_shape_1(a.shape)
    if not compute_v:
        return (np.linalg.eigvalsh(_lapack(a)).astype(a.dtype),)
    e, v = np.linalg.eigh(_lapack(a))
    return e.astype(a.dtype), v.astype(a.dtype, copy=False)


def _eigh_grad(gs, outs, a, *, compute_v):
    if compute_v:
        (ge, gv), (e, v) = gs, outs
    else:
        (ge,), gv = gs, None
        e, v = bind(eigh_p, a, compute_v=True)
    inner = bind(_core.matrix_diag_p, ge, k=0, num_rows=-1, num_cols=-1, padding_value=0)
    if gv is not None:   # off-diagonal part: F_ij = 1 / (e_j - e_i), 0 on the diagonal
        ones = _array.ones_like(e)
        diff = _math.subtract(bind(_core.einsum_p, ones, e, equation="...i,...j->...ij"),
                              bind(_core.einsum_p, e, ones, equation="...i,...j->...ij"))
        eye = bind(_core.matrix_diag_p, ones, k=0, num_rows=-1, num_cols=-1, padding_value=0)
        f = bind(matrix_set_diag_p, _math.realdiv(_array.ones_like(diff), _math.add(diff, eye)),
                 _array.zeros_like(e), k=0)
        inner = _math.add(inner, _math.multiply(f, bmm(v, gv, adj_x=True)))
    grad = bmm(bmm(v, inner), v, adj_y=True)
    # Only the lower triangle of `a` is read: fold the symmetric gradient onto it, as TF.
    grad = bind(band_part_p, _math.add(grad, adjoint_(grad)), num_lower=-1, num_upper=0)
    half_diag = _math.multiply(bind(matrix_diag_part_p, grad, k=0, padding_value=0), 0.5)
    return (bind(matrix_set_diag_p, grad, half_diag, k=0),)


eigh_p = Primitive("SelfAdjointEigV2", _eigh_kernel,
                   dtype_rule=lambda d, *, compute_v: [R.unary("SelfAdjointEigV2", _LAPACK_TYPES)(d)] * (
                       2 if compute_v else 1),
                   shape_rule=_eigh_shape, grad=_eigh_grad, multiple_results=True)


def eigh(tensor, name=None):
    """Eigenvalues (ascending) and eigenvectors of Hermitian matrices; reads the lower triangle.

    >>> import eagerflow as tf
    >>> e, v = tf.linalg.eigh(tf.constant([[2., 0.], [0., 1.]]))
    >>> print(e)
    tf.Tensor([1. 2.], shape=(2,), dtype=float32)
    """
    return tuple(bind(eigh_p, convert_to_tensor(tensor), compute_v=True))


def eigvalsh(tensor, name=None) -> Tensor:
    """Eigenvalues (ascending) of Hermitian matrices."""
    return bind(eigh_p, convert_to_tensor(tensor), compute_v=False)[0]


def _static_matrix_dims(what: str, x: Tensor) -> tuple:
    dims = x.shape.as_tuple()
    if dims is None or len(dims) < 2 or dims[-1] is None or dims[-2] is None:
        raise ValueError(f"{what} needs a (batch of) matrix with statically known matrix dims, got shape {x.shape}")
    return dims[-2], dims[-1]


def pinv(a, rcond=None, validate_args=False, name=None) -> Tensor:
    """Moore-Penrose pseudo-inverse via SVD; singular values below rcond * max(s) are dropped.

    >>> import eagerflow as tf
    >>> print(tf.linalg.pinv(tf.constant([[2., 0.], [0., 0.]])))
    tf.Tensor(
    [[0.5 0. ]
     [0.  0. ]], shape=(2, 2), dtype=float32)
    """
    a = convert_to_tensor(a)
    if rcond is None:
        rcond = 10.0 * max(_static_matrix_dims("pinv", a)) * np.finfo(a.dtype.real_dtype._np).eps
    s, u, v = svd(a, full_matrices=False, compute_uv=True)
    cutoff = _math.multiply(_reduce.reduce_max(s, axis=-1, keepdims=True), float(rcond))
    keep = _math.greater(s, cutoff)
    s_inv = _math.where(keep, _math.realdiv(_array.ones_like(s), _math.where(keep, s, _array.ones_like(s))),
                        _array.zeros_like(s))
    return einsum("...ij,...j,...kj->...ik", v, _math.cast(s_inv, a.dtype), _math.conj(u))


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None) -> Tensor:
    """Least-squares solution of matrix @ X = rhs (minimum norm when underdetermined), via Cholesky
    of the (regularized) normal equations, as TF's fast path.

    >>> import eagerflow as tf
    >>> a = tf.constant([[1., 0.], [0., 1.], [1., 1.]])
    >>> tf.linalg.lstsq(a, tf.constant([[1.], [2.], [3.]])).shape
    TensorShape([2, 1])
    """
    if not fast:
        raise NotImplementedError("tf.linalg.lstsq(fast=False) (complete orthogonal decomposition) is not "
                                  "implemented; use fast=True")
    a = convert_to_tensor(matrix)
    b = _tensor(rhs, a)
    m, n = _static_matrix_dims("lstsq", a)

    def regularized_chol(gram):
        if l2_regularizer:
            d = bind(matrix_diag_part_p, gram, k=0, padding_value=0)
            gram = bind(matrix_set_diag_p, gram, _math.add(d, _math.cast(l2_regularizer, a.dtype)), k=0)
        return cholesky(gram)
    if m >= n:
        return cholesky_solve(regularized_chol(matmul(a, a, adjoint_a=True)), matmul(a, b, adjoint_a=True))
    return matmul(a, cholesky_solve(regularized_chol(matmul(a, a, adjoint_b=True)), b), adjoint_a=True)


# ---- norms ----------------------------------------------------------------------------------------------------

_MATRIX_ORDS = ["euclidean", "fro", 1, 2, np.inf]


def _norm_axis(axis):
    if isinstance(axis, Tensor):
        static = get_static_value(axis)
        if static is None:
            raise ValueError("norm: 'axis' must be known statically")
        axis = static.tolist()
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)) and len(axis) == 2:
        axis = tuple(axis)
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis) and axis[0] != axis[1]:
            return (int(axis[0]), int(axis[1]))
    elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return int(axis)
    raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")


def _check_ord(ord, is_matrix):  # noqa: A002 - TF's argument name
    if is_matrix:
        if not any(ord == o and type(ord) is not bool for o in _MATRIX_ORDS):
            raise ValueError(f"'ord' must be a supported matrix norm in {_MATRIX_ORDS}, got {ord}")
    elif not (ord == "euclidean" or isinstance(ord, (int, float, np.number)) and not isinstance(ord, bool)
              and not isinstance(ord, str) and ord > 0):
        raise ValueError(f"'ord' must be a supported vector norm, got {ord}")


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None) -> Tensor:  # noqa: A002
    """Vector norm (axis None or int) or matrix norm (axis a pair) as tf.norm.

    ord: 'euclidean' (= 'fro' for matrices), 1, 2, np.inf, or any p > 0 for vectors.

    >>> import eagerflow as tf
    >>> print(tf.norm(tf.constant([3., 4.])))
    tf.Tensor(5.0, shape=(), dtype=float32)
    """
    axis = _norm_axis(axis)
    is_matrix = isinstance(axis, tuple)
    _check_ord(ord, is_matrix)
    x = convert_to_tensor(tensor)
    keep = bool(keepdims)
    if ord in ("euclidean", "fro") or (ord == 2 and not is_matrix):
        return _math.sqrt(_reduce.reduce_sum(_math.multiply(x, _math.conj(x)), axis, keepdims=keep))
    a = _math.abs(x)
    if not is_matrix:
        if ord == 1:
            return _reduce.reduce_sum(a, axis, keepdims=keep)
        if ord == np.inf:
            return _reduce.reduce_max(a, axis, keepdims=keep)
        return _math.pow(_reduce.reduce_sum(_math.pow(a, float(ord)), axis, keepdims=keep), 1.0 / ord)
    if ord == 1:    # largest column sum
        return _reduce.reduce_max(_reduce.reduce_sum(a, axis[0], keepdims=True), axis, keepdims=keep)
    if ord == np.inf:    # largest row sum
        return _reduce.reduce_max(_reduce.reduce_sum(a, axis[1], keepdims=True), axis, keepdims=keep)
    return _spectral_norm(x, axis, keep)


def _spectral_norm(x: Tensor, axis: tuple, keep: bool) -> Tensor:
    rank = x.shape.rank
    if rank is None:
        raise ValueError("norm(ord=2) over a pair of axes needs a tensor of known rank (static shape)")
    ax = [a % rank if -rank <= a < rank else R.fail("Svd", f"Invalid axis {a} for rank {rank}") for a in axis]
    letters = "abcdefghijklmnopqrstuvwxyz"[:rank]
    rest = "".join(c for i, c in enumerate(letters) if i not in ax)
    moved = bind(_core.einsum_p, x, equation=f"{letters}->{rest}{letters[ax[0]]}{letters[ax[1]]}")
    out = _reduce.reduce_max(svd(moved, compute_uv=False), axis=-1)
    if keep:
        for a in sorted(ax):
            out = _array.expand_dims(out, a)
    return out

