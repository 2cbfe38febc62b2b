"""Linear algebra (eagerflow/ops/linalg.py, linalg_core.py): values, gradients, dtypes and TF's errors."""
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf
from helpers import check_grad, check_op

rng = np.random.RandomState(0)
IAE = tf.errors.InvalidArgumentError


def f32(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def well_conditioned(*shape):
    """Random square matrices dominated by their diagonal: safely invertible."""
    n = shape[-1]
    return (f32(*shape) + 3 * np.eye(n, dtype=np.float32)).astype(np.float32)


def spd(*shape):
    a = f32(*shape)
    return (a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1], dtype=np.float32)).astype(np.float32)


def raises(cls, message):
    return pytest.raises(cls, match=re.escape(message))


# ---- matmul --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_matmul_2d_transposes(ta, tb):
    a = f32(3, 2) if ta else f32(2, 3)
    b = f32(4, 3) if tb else f32(3, 4)
    ref = lambda a, b: (a.T if ta else a) @ (b.T if tb else b)  # noqa: E731
    check_op(lambda a, b: tf.matmul(a, b, transpose_a=ta, transpose_b=tb), a, b, ref=ref, dtype=tf.float32)


@pytest.mark.parametrize("sa,sb", [((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((2, 1, 2, 3), (3, 3, 4)),
                                   ((4, 2, 3), (4, 3, 2))])
def test_matmul_batch_broadcasting(sa, sb):
    check_op(tf.matmul, f32(*sa), f32(*sb), ref=np.matmul, dtype=tf.float32)


@pytest.mark.parametrize("ta,tb", [(True, False), (False, True), (True, True)])
def test_batch_matmul_adjoint_gradients(ta, tb):
    a = f32(2, 3, 2) if ta else f32(2, 2, 3)
    b = f32(1, 4, 3) if tb else f32(3, 4)
    ref = lambda a, b: np.matmul(np.swapaxes(a, -1, -2) if ta else a, np.swapaxes(b, -1, -2) if tb else b)  # noqa
    check_op(lambda a, b: tf.matmul(a, b, adjoint_a=ta, adjoint_b=tb), a, b, ref=ref)


def test_matmul_complex_adjoint_and_transpose():
    a = (f32(2, 3) + 1j * f32(2, 3)).astype(np.complex64)
    b = (f32(2, 4) + 1j * f32(2, 4)).astype(np.complex64)
    out = tf.matmul(a, b, adjoint_a=True)
    np.testing.assert_allclose(out.numpy(), a.conj().T @ b, rtol=1e-5)
    out = tf.matmul(a, b, transpose_a=True)
    np.testing.assert_allclose(out.numpy(), a.T @ b, rtol=1e-5)
    a3, b3 = a[None], b[None]
    np.testing.assert_allclose(tf.matmul(a3, b3, adjoint_a=True).numpy(), a3.conj().transpose(0, 2, 1) @ b3, rtol=1e-5)
    np.testing.assert_allclose(tf.matmul(a3, b3, transpose_a=True).numpy(), a3.transpose(0, 2, 1) @ b3, rtol=1e-5)


def test_matmul_dtypes_and_operator():
    out = tf.matmul([[1, 2]], [[3], [4]])
    assert out.dtype == tf.int32 and out.numpy().tolist() == [[11]]
    assert tf.matmul(tf.ones([2, 3], tf.float16), tf.ones([3, 2], tf.float16)).dtype == tf.float16
    assert tf.matmul(tf.ones([2, 2, 3], tf.int16), tf.ones([2, 3, 2], tf.int16)).dtype == tf.int16
    x = tf.constant([[1., 2.], [3., 4.]])
    np.testing.assert_allclose((x @ x).numpy(), [[7, 10], [15, 22]])
    np.testing.assert_allclose(([[1., 0.], [0., 1.]] @ x).numpy(), x.numpy())


def test_matmul_errors():
    with raises(IAE, "Matrix size-incompatible: In[0]: [2,3], In[1]: [2,3] [Op:MatMul]"):
        tf.matmul(tf.ones([2, 3]), tf.ones([2, 3]))
    with raises(IAE, "In[0] ndims must be >= 2 [Op:MatMul]"):
        tf.matmul(tf.ones([3]), tf.ones([2, 3]))
    with raises(IAE, "In[1] ndims must be >= 2 [Op:MatMul]"):
        tf.matmul(tf.ones([2, 3]), tf.ones([3]))
    with raises(IAE, "In[1] ndims must be >= 2: 1 [Op:BatchMatMulV2]"):
        tf.matmul(tf.ones([2, 2, 3]), tf.ones([3]))
    with raises(IAE, "Matrix size-incompatible: In[0]: [2,2,3], In[1]: [2,2,3] 0 0 [Op:BatchMatMulV2]"):
        tf.matmul(tf.ones([2, 2, 3]), tf.ones([2, 2, 3]))
    with raises(IAE, "In[0] and In[1] must have compatible batch dimensions: [2,2,3] vs. [3,3,4] "
                     "[Op:BatchMatMulV2]"):
        tf.matmul(tf.ones([2, 2, 3]), tf.ones([3, 3, 4]))
    with raises(IAE, "[Op:MatMul]"):
        tf.matmul(tf.ones([2, 3], tf.float64), tf.ones([3, 2]))
    with raises(IAE, "Value for attr 'T' of int8 is not in the list of allowed values"):
        tf.matmul(tf.ones([2, 3], tf.int8), tf.ones([3, 2], tf.int8))
    with pytest.raises(tf.errors.NotFoundError, match="MatMul"):
        tf.matmul(tf.ones([2, 3], tf.uint8), tf.ones([3, 2], tf.uint8))
    with raises(ValueError, "Only one of transpose_a and adjoint_a can be True."):
        tf.matmul(tf.ones([2, 2]), tf.ones([2, 2]), transpose_a=True, adjoint_a=True)


# ---- einsum ------------------------------------------------------------------------------------------------

EINSUM_CASES = [
    ("ij,jk->ik", (2, 3), (3, 4)),
    ("ij,jk", (2, 3), (3, 4)),
    ("ij,kj->ik", (2, 3), (4, 3)),
    ("ij->ji", (2, 3)),
    ("ij->", (2, 3)),
    ("ij->j", (2, 3)),
    ("ii->i", (3, 3)),
    ("ii", (3, 3)),
    ("iij->ji", (2, 2, 3)),
    ("ii,i->i", (3, 3), (3,)),
    ("i,j->ij", (2,), (3,)),
    ("i,i->", (4,), (4,)),
    ("ij,k->ik", (2, 3), (4,)),
    ("bij,bjk->bik", (2, 2, 3), (2, 3, 4)),
    ("ab,bc,cd->ad", (2, 3), (3, 4), (4, 2)),
    ("...ij,...jk->...ik", (5, 1, 2, 3), (4, 3, 2)),
    ("i...j,j...k->i...k", (2, 5, 3), (3, 5, 4)),
    ("...ii->...i", (2, 3, 3)),
    ("Ba,aC", (2, 2), (2, 3)),
]


@pytest.mark.parametrize("case", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum_values_and_gradients(case):
    eq, *shapes = case
    inputs = [f32(*s) for s in shapes]
    check_op(lambda *xs: tf.einsum(eq, *xs), *inputs, ref=lambda *xs: np.einsum(eq, *xs), rtol=1e-5, atol=1e-5)


def test_einsum_dtypes():
    out = tf.einsum("ij,jk->ik", tf.ones([2, 3], tf.int32), tf.ones([3, 4], tf.int32))
    assert out.dtype == tf.int32 and out.numpy().tolist() == [[3] * 4] * 2
    c = (f32(2, 2) + 1j * f32(2, 2)).astype(np.complex128)
    np.testing.assert_allclose(tf.einsum("ij,jk->ik", c, c).numpy(), c @ c)
    assert tf.einsum("ii", tf.ones([3, 3], tf.float64)).dtype == tf.float64


def test_einsum_complex_gradient_matches_matmul():
    a = tf.constant((f32(2, 3) + 1j * f32(2, 3)).astype(np.complex128))
    b = tf.constant((f32(3, 2) + 1j * f32(3, 2)).astype(np.complex128))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([a, b])
        e = tf.reduce_sum(tf.einsum("ij,jk->ik", a, b))
        m = tf.reduce_sum(tf.matmul(a, b))
    for x in (a, b):
        np.testing.assert_allclose(tape.gradient(e, x).numpy(), tape.gradient(m, x).numpy())


def test_einsum_errors():
    a, b = tf.ones([2, 3]), tf.ones([3, 4])
    with raises(ValueError, 'Got 1 inputs for equation "ij,jk->ik", expecting 2'):
        tf.einsum("ij,jk->ik", a)
    with raises(ValueError, "Output subscripts contain the label z not present in the input subscripts."):
        tf.einsum("ij,jk->ikz", a, b)
    with raises(ValueError, "Output subscripts contain a label appearing more than once: ij->ii"):
        tf.einsum("ij->ii", a)
    with raises(ValueError, "Subscripts have incorrect format: i.j"):
        tf.einsum("i.j", a)
    with raises(ValueError, "Subscripts have incorrect format: ij,jk->ik->i"):
        tf.einsum("ij,jk->ik->i", a, b)
    with raises(IAE, "Expected dimension 3 at axis 1 of the input shaped [3,4] but got dimension 4 [Op:Einsum]"):
        tf.einsum("ij,kj", a, b)
    with raises(IAE, "Expected dimension 2 at axis 0 of the input shaped [1,3] but got dimension 1 [Op:Einsum]"):
        tf.einsum("ij,ij->ij", a, tf.ones([1, 3]))
    with raises(IAE, "Expected input 0 to have rank 3 but got: 2 [Op:Einsum]"):
        tf.einsum("ijk,jk->ik", a, b)
    with raises(IAE, "Expected dimension 2 at axis 1 of the input shaped [2,3] but got dimension 3 [Op:Einsum]"):
        tf.einsum("ii->i", a)
    with raises(IAE, "Output contains 1 broadcasting dimension(s) but no ellipsis (...) was found in the output "
                     "subscripts. [Op:Einsum]"):
        tf.einsum("...i,...i", tf.ones([4, 2]), tf.ones([2]))
    with raises(IAE, "[Op:Einsum]"):
        tf.einsum("ij,jk->ik", a, tf.ones([3, 4], tf.float64))


@st.composite
def einsum_problems(draw):
    sizes = {c: draw(st.integers(1, 3)) for c in "abcd"}
    n_ops = draw(st.integers(1, 3))
    subs = [draw(st.lists(st.sampled_from("abcd"), min_size=0, max_size=3)) for _ in range(n_ops)]
    used = sorted(set("".join("".join(s) for s in subs)))
    out = draw(st.permutations(used)) if used else []
    out = out[:draw(st.integers(0, len(out)))]
    eq = ",".join("".join(s) for s in subs) + "->" + "".join(out)
    seed = draw(st.integers(0, 2 ** 16))
    r = np.random.RandomState(seed)
    return eq, [r.uniform(-1, 1, size=[sizes[c] for c in s]) for s in subs]


@settings(max_examples=40, deadline=None)
@given(einsum_problems())
def test_einsum_matches_numpy_random_equations(problem):
    eq, inputs = problem
    check_op(lambda *xs: tf.einsum(eq, *xs), *inputs, ref=lambda *xs: np.einsum(eq, *xs), graph=False)


def test_einsum_second_order():
    x = tf.constant(f32(3, 3).astype(np.float64))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.einsum("ij,ji->", x, x)      # trace(x @ x)
        g = inner.gradient(y, x)               # 2 x^T
        s = tf.reduce_sum(g * tf.constant(np.arange(9.0).reshape(3, 3)))
    np.testing.assert_allclose(outer.gradient(s, x).numpy(), 2 * np.arange(9.0).reshape(3, 3).T)


# ---- tensordot, matvec -----------------------------------------------------------------------------------

@pytest.mark.parametrize("axes,sa,sb", [(1, (2, 3), (3, 4)), ([[1], [0]], (2, 3), (3, 4)), ([1, 0], (2, 3), (3, 4)),
                                        (0, (2, 3), (4,)), (2, (2, 3, 4), (3, 4, 2)),
                                        ([[0, 2], [2, 1]], (2, 3, 4), (5, 4, 2))])
def test_tensordot(axes, sa, sb):
    check_op(lambda a, b: tf.tensordot(a, b, axes), f32(*sa), f32(*sb),
             ref=lambda a, b: np.tensordot(a, b, axes), dtype=tf.float32)


def test_tensordot_errors():
    a, b = tf.ones([2, 3]), tf.ones([3, 4])
    with raises(ValueError, "`axes` must be at least 0. Received: -1."):
        tf.tensordot(a, b, -1)
    with raises(ValueError, "Different number of contraction axes `a` and `b`, 1 != 2."):
        tf.tensordot(a, b, [[1], [0, 1]])
    with raises(ValueError, "`axes` must be an integer or have length 2. Received [[1]]."):
        tf.tensordot(a, b, [[1]])
    with pytest.raises(IAE, match="Op:Einsum"):
        tf.tensordot(a, b, [[0], [0]])
    assert tf.tensordot([1, 2], [3, 4], 1).numpy() == 11


@pytest.mark.parametrize("sa,sb,ta", [((2, 3), (3,), False), ((4, 2, 3), (3,), False), ((2, 3), (4, 3), False),
                                      ((3, 2), (3,), True)])
def test_matvec(sa, sb, ta):
    ref = lambda a, b: np.einsum("...ji,...j->...i" if ta else "...ij,...j->...i", a, b)  # noqa: E731
    check_op(lambda a, b: tf.linalg.matvec(a, b, transpose_a=ta), f32(*sa), f32(*sb), ref=ref, dtype=tf.float32)


def test_matvec_adjoint_complex():
    a = (f32(2, 3) + 1j * f32(2, 3)).astype(np.complex128)
    b = (f32(2) + 1j * f32(2)).astype(np.complex128)
    np.testing.assert_allclose(tf.linalg.matvec(a, b, adjoint_a=True).numpy(), a.conj().T @ b)


# ---- transposes, diagonals, bands, trace, cross ----------------------------------------------------------

def test_matrix_transpose_and_adjoint():
    check_op(tf.linalg.matrix_transpose, f32(4, 2, 3), ref=lambda a: np.swapaxes(a, -1, -2))
    c = (f32(2, 3) + 1j * f32(2, 3)).astype(np.complex64)
    np.testing.assert_allclose(tf.linalg.adjoint(c).numpy(), c.conj().T)
    np.testing.assert_allclose(tf.linalg.matrix_transpose(c, conjugate=True).numpy(), c.conj().T)
    with raises(ValueError, "Argument `a` should be a (batch) matrix with rank >= 2."):
        tf.linalg.matrix_transpose(tf.ones([3]))


def _np_diag(d, k=0, rows=None, cols=None, pad=0):
    n = d.shape[-1]
    rows = rows or n + max(-k, 0)
    cols = cols or n + max(k, 0)
    if rows == n + max(-k, 0) and cols == n + max(k, 0):
        rows = cols = max(rows, cols)
    out = np.full(d.shape[:-1] + (rows, cols), pad, dtype=d.dtype)
    for i in range(n):
        out[..., i + max(-k, 0), i + max(k, 0)] = d[..., i]
    return out


@pytest.mark.parametrize("k", [0, 1, -2])
def test_diag_and_diag_part(k):
    check_op(lambda d: tf.linalg.diag(d, k=k), f32(2, 3), ref=lambda d: _np_diag(d, k), dtype=tf.float32)
    check_op(lambda x: tf.linalg.diag_part(x, k=k), f32(2, 3, 4),
             ref=lambda x: np.diagonal(x, offset=k, axis1=-2, axis2=-1))


def test_diag_options():
    out = tf.linalg.diag([1, 2])
    assert out.dtype == tf.int32 and out.numpy().tolist() == [[1, 0], [0, 2]]
    assert tf.linalg.diag([1, 2], num_rows=3).numpy().tolist() == [[1, 0], [0, 2], [0, 0]]
    assert tf.linalg.diag([1, 2], num_cols=4).numpy().tolist() == [[1, 0, 0, 0], [0, 2, 0, 0]]
    assert tf.linalg.diag([1, 2], k=-1, num_rows=4, padding_value=9).numpy().tolist() == \
        [[9, 9], [1, 9], [9, 2], [9, 9]]
    with raises(IAE, "The number of rows is too small. [Op:MatrixDiagV3]"):
        tf.linalg.diag([1, 2], num_rows=1)
    with raises(IAE, "The number of rows or columns is not consistent with the specified d_lower, d_upper, and "
                     "diagonal. [Op:MatrixDiagV3]"):
        tf.linalg.diag([1, 2], num_rows=3, num_cols=4)
    with raises(IAE, "diagonal must be at least 1-dim, received shape: [] [Op:MatrixDiagV3]"):
        tf.linalg.diag(5)
    with pytest.raises(NotImplementedError, match="range of diagonals"):
        tf.linalg.diag(tf.ones([2, 2]), k=(0, 1))


def test_diag_part_errors():
    with raises(IAE, "input must be at least 2-dim, received shape: [3] [Op:MatrixDiagPartV3]"):
        tf.linalg.diag_part(tf.ones([3]))
    with raises(IAE, "lower_diag_index is out of bound: 4. It must be between -3 and 4 [Op:MatrixDiagPartV3]"):
        tf.linalg.diag_part(tf.ones([3, 4]), k=4)
    assert tf.linalg.diag_part(tf.reshape(tf.range(12), [3, 4]), k=-1).numpy().tolist() == [4, 9]


@pytest.mark.parametrize("k", [0, 1, -1])
def test_set_diag(k):
    n = min(3 + min(k, 0), 4 - max(k, 0))

    def ref(x, d):
        out = x.copy()
        for i in range(n):
            out[..., i + max(-k, 0), i + max(k, 0)] = d[..., i]
        return out
    check_op(lambda x, d: tf.linalg.set_diag(x, d, k=k), f32(2, 3, 4), f32(2, n), ref=ref, dtype=tf.float32)


def test_set_diag_errors():
    out = tf.linalg.set_diag(tf.ones([2, 3]), [5, 6])
    assert out.dtype == tf.float32 and out.numpy().tolist() == [[5, 1, 1], [1, 6, 1]]
    with raises(IAE, "Either first dimensions of diagonal don't match input.shape[:-2], or diagonal.shape[:-1] is "
                     "not equal to the longests diagonal in range [lower_diag_index:upper_diag_index].\n"
                     "Input shape: [2,3]\nDiagonal shape: [3]\nExpected diagonal shape: [2] [Op:MatrixSetDiagV3]"):
        tf.linalg.set_diag(tf.ones([2, 3]), [5., 6., 7.])
    with raises(IAE, "input must be at least 2-dim, received shape: [3] [Op:MatrixSetDiagV3]"):
        tf.linalg.set_diag(tf.ones([3]), [1., 2.])
    with raises(IAE, "lower_diag_index is out of bound: -4 It must be between -3 and 4 [Op:MatrixSetDiagV3]"):
        tf.linalg.set_diag(tf.ones([3, 4]), [1., 2.], k=-4)


@pytest.mark.parametrize("lo,hi", [(0, -1), (-1, 0), (1, 1), (0, 0), (-1, -1), (2, 3)])
def test_band_part(lo, hi):
    def ref(x):
        i, j = np.indices(x.shape[-2:])
        keep = ((lo < 0) | (i - j <= lo)) & ((hi < 0) | (j - i <= hi))
        return np.where(keep, x, 0)
    check_op(lambda x: tf.linalg.band_part(x, lo, hi), f32(2, 3, 4), ref=ref, dtype=tf.float32)


def test_band_part_errors():
    with raises(IAE, "num_lower must be negative or less or equal to number of rows (3) got: 5 [Op:MatrixBandPart]"):
        tf.linalg.band_part(tf.ones([3, 3]), 5, -1)
    with raises(IAE, "num_upper must be negative or less or equal to number of columns (4) got: 5 "
                     "[Op:MatrixBandPart]"):
        tf.linalg.band_part(tf.ones([3, 4]), 1, 5)
    with raises(IAE, "input must be at least 2-dim, received shape: [3] [Op:MatrixBandPart]"):
        tf.linalg.band_part(tf.ones([3]), 0, -1)
    with raises(TypeError, "Cannot convert 1.5 to EagerTensor of dtype int64"):
        tf.linalg.band_part(tf.ones([3, 4]), 1.5, 4)
    x = tf.constant([[np.inf, np.nan], [1.0, 2.0]])
    assert np.isnan(tf.linalg.band_part(x, 0, 0).numpy()).sum() == 0   # masked entries are zeros, not inf*0


def test_trace():
    check_op(tf.linalg.trace, f32(2, 3, 4), ref=lambda x: np.trace(x, axis1=-2, axis2=-1))
    out = tf.linalg.trace(tf.ones([2, 3], tf.int32))
    assert out.dtype == tf.int32 and out.numpy() == 2
    with raises(IAE, "input must be at least 2-dim"):
        tf.linalg.trace(tf.ones([3]))


def test_cross():
    check_op(tf.linalg.cross, f32(2, 3), f32(2, 3), ref=np.cross, dtype=tf.float32)
    with raises(IAE, "Both inputs must be of same shape: [2,3] vs. [3] [Op:Cross]"):
        tf.linalg.cross(tf.ones([2, 3]), tf.ones([3]))
    with raises(tf.errors.FailedPreconditionError, "Cross-products are only defined for 3-element vectors."):
        tf.linalg.cross(tf.ones([2]), tf.ones([2]))


# ---- inverse, determinants ------------------------------------------------------------------------------

def test_inv():
    check_op(tf.linalg.inv, well_conditioned(3, 3), ref=np.linalg.inv, dtype=tf.float32, rtol=1e-4, atol=1e-5)
    check_op(tf.linalg.inv, well_conditioned(2, 3, 3), ref=np.linalg.inv, rtol=1e-4, atol=1e-5)
    check_op(lambda a: tf.linalg.inv(a, adjoint=True), well_conditioned(2, 3, 3),
             ref=lambda a: np.linalg.inv(np.swapaxes(a, -1, -2)), rtol=1e-4, atol=1e-5)
    c = (well_conditioned(3, 3) + 1j * f32(3, 3)).astype(np.complex128)
    np.testing.assert_allclose(tf.linalg.inv(c, adjoint=True).numpy(), np.linalg.inv(c.conj().T))
    assert tf.linalg.inv(tf.constant([[1., 2.], [3., 4.]], tf.float16)).dtype == tf.float16


def test_inv_errors():
    with raises(IAE, "Input is not invertible. [Op:MatrixInverse]"):
        tf.linalg.inv(tf.constant([[1., 2.], [2., 4.]]))
    with raises(IAE, "Input matrix must be square. [Op:MatrixInverse]"):
        tf.linalg.inv(tf.ones([2, 3]))
    with raises(IAE, "Input tensor 0 must have rank >= 2, got 1 [Op:MatrixInverse]"):
        tf.linalg.inv(tf.ones([3]))
    with raises(IAE, "Value for attr 'T' of int32 is not in the list of allowed values"):
        tf.linalg.inv(tf.constant([[1, 2], [3, 4]]))


def test_det_and_slogdet():
    check_op(tf.linalg.det, well_conditioned(3, 3), ref=np.linalg.det, dtype=tf.float32, rtol=1e-4)
    check_op(tf.linalg.det, well_conditioned(2, 3, 3), ref=np.linalg.det, rtol=1e-4)
    a = well_conditioned(2, 3, 3)
    a[0] *= -1
    check_op(lambda a: tf.linalg.slogdet(a).log_abs_determinant, a, ref=lambda a: np.linalg.slogdet(a)[1], rtol=1e-4)
    sign, logabs = tf.linalg.slogdet(a)
    np.testing.assert_allclose(sign.numpy(), np.linalg.slogdet(a)[0])
    assert sign.dtype == logabs.dtype == tf.float32
    assert tf.linalg.det(tf.zeros([0, 0])).numpy() == 1.0
    s = tf.linalg.slogdet(tf.constant([[1., 2.], [2., 4.]]))
    assert s.sign.numpy() == 0 and s.log_abs_determinant.numpy() == -np.inf
    with raises(IAE, "Input matrix must be square. [Op:MatrixDeterminant]"):
        tf.linalg.det(tf.ones([2, 3]))
    with raises(IAE, "Input tensor 0 must have rank >= 2, got 1 [Op:LogMatrixDeterminant]"):
        tf.linalg.slogdet(tf.ones([3]))


def test_logdet():
    check_op(lambda a: tf.linalg.logdet(_sym(a)), spd(2, 3, 3), ref=lambda a: np.linalg.slogdet(a)[1], rtol=1e-4, atol=1e-5)


def test_det_second_order():
    x = tf.constant([[1.0, 2.0], [3.0, 5.0]], tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            d = tf.linalg.det(x)                     # ad - bc
        g = inner.gradient(d, x)                     # [[d, -c], [-b, a]]
        s = g[0, 0] if hasattr(tf, "strided_slice") else tf.reduce_sum(g * tf.constant([[1., 0.], [0., 0.]], tf.float64))
    np.testing.assert_allclose(outer.gradient(s, x).numpy(), [[0, 0], [0, 1]], atol=1e-12)


# ---- Cholesky and solves ----------------------------------------------------------------------------------

def _sym(a):
    return (a + tf.linalg.matrix_transpose(a)) * 0.5


def test_cholesky():
    check_op(lambda a: tf.linalg.cholesky(_sym(a)), spd(4, 4), ref=np.linalg.cholesky, dtype=tf.float32,
             rtol=1e-4, atol=1e-5)
    check_op(lambda a: tf.linalg.cholesky(_sym(a)), spd(2, 3, 3), ref=np.linalg.cholesky, rtol=1e-4, atol=1e-5)


def test_cholesky_not_positive_definite_gives_nan():
    a = np.stack([spd(2, 2), np.array([[1., 2.], [2., 1.]], np.float32)])
    out = tf.linalg.cholesky(a).numpy()
    np.testing.assert_allclose(out[0], np.linalg.cholesky(a[0]), rtol=1e-5)
    assert np.isnan(out[1][np.tril_indices(2)]).all() and out[1][0, 1] == 0
    with raises(IAE, "Input matrix must be square. [Op:Cholesky]"):
        tf.linalg.cholesky(tf.ones([2, 3]))


def test_cholesky_solve():
    a, b = spd(3, 3), f32(3, 2)
    out = tf.linalg.cholesky_solve(tf.linalg.cholesky(a), b)
    np.testing.assert_allclose(out.numpy(), np.linalg.solve(a, b), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("adjoint", [False, True])
def test_solve(adjoint):
    ref = lambda a, b: np.linalg.solve(np.swapaxes(a, -1, -2) if adjoint else a, b)  # noqa: E731
    check_op(lambda a, b: tf.linalg.solve(a, b, adjoint=adjoint), well_conditioned(3, 3), f32(3, 2), ref=ref,
             dtype=tf.float32, rtol=1e-4, atol=1e-5)
    check_op(lambda a, b: tf.linalg.solve(a, b, adjoint=adjoint), well_conditioned(2, 3, 3), f32(2, 3, 1), ref=ref,
             rtol=1e-4, atol=1e-5)


def test_solve_errors():
    with raises(IAE, "Input matrix is not invertible. [Op:MatrixSolve]"):
        tf.linalg.solve(tf.constant([[1., 2.], [2., 4.]]), tf.ones([2, 1]))
    with raises(IAE, "Input matrix and rhs are incompatible. [Op:MatrixSolve]"):
        tf.linalg.solve(tf.eye(2), tf.ones([3, 1]))
    with raises(IAE, "All input tensors must have the same rank. [Op:MatrixSolve]"):
        tf.linalg.solve(tf.eye(2), tf.ones([2]))
    with raises(IAE, "First input (lhs) must be a square matrix. [Op:MatrixSolve]"):
        tf.linalg.solve(tf.ones([2, 3]), tf.ones([2, 1]))
    with raises(IAE, "All input tensors must have the same outer dimensions. [Op:MatrixSolve]"):
        tf.linalg.solve(tf.ones([3, 2, 2]), tf.ones([2, 2, 1]))
    with raises(IAE, "Input tensor 0 must have rank >= 2, got 1 [Op:MatrixSolve]"):
        tf.linalg.solve(tf.ones([2]), tf.ones([2]))
    with raises(IAE, "[Op:MatrixSolve]"):
        tf.linalg.solve(tf.ones([2, 2]), tf.ones([2, 2], tf.float64))


@pytest.mark.parametrize("lower,adjoint", [(True, False), (False, False), (True, True), (False, True)])
def test_triangular_solve(lower, adjoint):
    def ref(a, b):
        t = np.tril(a) if lower else np.triu(a)
        return np.linalg.solve(np.swapaxes(t, -1, -2) if adjoint else t, b)
    fn = lambda a, b: tf.linalg.triangular_solve(a, b, lower=lower, adjoint=adjoint)  # noqa: E731
    check_op(fn, well_conditioned(3, 3), f32(3, 2), ref=ref, dtype=tf.float32, rtol=1e-4, atol=1e-5)
    check_op(fn, well_conditioned(2, 1, 3, 3), f32(4, 3, 2), ref=ref, rtol=1e-4, atol=1e-5)   # batch broadcast


def test_triangular_solve_singular_and_errors():
    out = tf.linalg.triangular_solve(tf.constant([[0., 0.], [1., 1.]]), tf.ones([2, 1])).numpy()
    assert np.isinf(out).all()
    with raises(IAE, "In[0] mismatch In[1] shape: 2 vs. 3: [2,2] [3,1] 1 0 [Op:MatrixTriangularSolve]"):
        tf.linalg.triangular_solve(tf.eye(2), tf.ones([3, 1]))
    with raises(IAE, "In[0] and In[1] must have compatible batch dimensions: [3,2,2] vs. [2,2,1] "
                     "[Op:MatrixTriangularSolve]"):
        tf.linalg.triangular_solve(tf.ones([3, 2, 2]), tf.ones([2, 2, 1]))
    with raises(IAE, "In[0] matrices in the last dimensions must be square (3 =/= 2) [Op:MatrixTriangularSolve]"):
        tf.linalg.triangular_solve(tf.ones([2, 3]), tf.ones([2, 1]))
    with raises(IAE, "In[1] ndims must be >= 2: 1 [Op:MatrixTriangularSolve]"):
        tf.linalg.triangular_solve(tf.ones([2, 2]), tf.ones([2]))


# ---- QR and SVD ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4, 3)])
def test_qr(shape):
    a = f32(*shape)
    q, r = tf.linalg.qr(a)
    nq, nr = np.linalg.qr(a)
    np.testing.assert_allclose(q.numpy(), nq, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(r.numpy(), nr, rtol=1e-4, atol=1e-5)
    check_grad(lambda a: tf.linalg.qr(a), a)


def test_qr_full_and_errors():
    a = f32(4, 2)
    q, r = tf.linalg.qr(a, full_matrices=True)
    assert q.shape == (4, 4) and r.shape == (4, 2)
    np.testing.assert_allclose((q @ r).numpy(), a, atol=1e-5)
    with raises(IAE, "Input tensor 0 must have rank >= 2, got 1 [Op:Qr]"):
        tf.linalg.qr(tf.ones([3]))
    x = tf.constant(f32(2, 4).astype(np.float64))
    with tf.GradientTape() as tape:
        tape.watch(x)
        q, r = tf.linalg.qr(x)
        loss = tf.reduce_sum(r)
    with pytest.raises(NotImplementedError, match="QR gradient"):
        tape.gradient(loss, x)


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4), (2, 3, 2)])
def test_svd(shape):
    a = f32(*shape)
    s, u, v = tf.linalg.svd(a)
    np.testing.assert_allclose(s.numpy(), np.linalg.svd(a, compute_uv=False), rtol=1e-5)
    np.testing.assert_allclose((u @ tf.linalg.diag(s) @ tf.linalg.adjoint(v)).numpy(), a, atol=1e-5)
    check_op(lambda a: tf.linalg.svd(a, compute_uv=False), a, ref=lambda a: np.linalg.svd(a, compute_uv=False))
    w = tf.constant(np.linspace(1.0, 2.0, min(shape[-2:])))
    # Sign-invariant functions of the singular vectors exercise the u/v gradient.
    check_grad(lambda a: tf.einsum("...ij,j,...kj->...ik", tf.linalg.svd(a)[1], w, tf.linalg.svd(a)[1]), a)
    check_grad(lambda a: tf.einsum("...ij,j,...kj->...ik", tf.linalg.svd(a)[2], w, tf.linalg.svd(a)[2]), a)
    check_grad(lambda a: tf.linalg.svd(a)[0], a)


def test_svd_full_matrices_and_complex():
    a = f32(4, 2)
    s, u, v = tf.linalg.svd(a, full_matrices=True)
    assert (s.shape, u.shape, v.shape) == ((2,), (4, 4), (2, 2))
    c = (f32(2, 2) + 1j * f32(2, 2)).astype(np.complex64)
    s = tf.linalg.svd(c, compute_uv=False)
    assert s.dtype == tf.float32
    np.testing.assert_allclose(s.numpy(), np.linalg.svd(c, compute_uv=False), rtol=1e-5)


# ---- norm ------------------------------------------------------------------------------------------------

NORM_CASES = [
    ("euclidean", None, False, lambda x: np.sqrt(np.sum(x * x))),
    ("euclidean", None, True, lambda x: np.sqrt(np.sum(x * x, keepdims=True))),
    ("euclidean", 1, False, lambda x: np.linalg.norm(x, axis=1)),
    ("euclidean", -1, True, lambda x: np.linalg.norm(x, axis=-1, keepdims=True)),
    (1, None, False, lambda x: np.abs(x).sum()),
    (2, 0, False, lambda x: np.linalg.norm(x, axis=0)),
    (np.inf, 1, False, lambda x: np.abs(x).max(axis=1)),
    (3, 1, False, lambda x: np.sum(np.abs(x) ** 3, axis=1) ** (1 / 3)),
    (0.5, None, False, lambda x: np.sum(np.abs(x) ** 0.5) ** 2),
    ("fro", (0, 1), False, lambda x: np.linalg.norm(x, "fro")),
    ("euclidean", (-2, -1), True, lambda x: np.linalg.norm(x, "fro", keepdims=True, axis=(0, 1))),
    (1, (0, 1), False, lambda x: np.linalg.norm(x, 1)),
    (np.inf, (0, 1), True, lambda x: np.linalg.norm(x, np.inf, axis=(0, 1), keepdims=True)),
    (2, (0, 1), False, lambda x: np.linalg.norm(x, 2)),
    (2, (1, 0), True, lambda x: np.linalg.norm(x, 2, axis=(1, 0), keepdims=True)),
]


@pytest.mark.parametrize("ord_,axis,keep,ref", NORM_CASES)
def test_norm(ord_, axis, keep, ref):
    x = f32(3, 4) + np.float32(0.1) * np.sign(f32(3, 4))    # away from 0: abs is smooth there
    check_op(lambda x: tf.norm(x, ord=ord_, axis=axis, keepdims=keep), x, ref=ref, dtype=tf.float32, rtol=1e-5)


def test_norm_batched_matrix_and_aliases():
    x = f32(2, 3, 4)
    out = tf.linalg.norm(x, ord=2, axis=[-2, -1])
    np.testing.assert_allclose(out.numpy(), np.linalg.norm(x, 2, axis=(-2, -1)), rtol=1e-5)
    assert tf.linalg.norm is tf.norm
    assert tf.norm(tf.constant([3 + 4j])).dtype == tf.complex128


def test_norm_errors():
    x = tf.ones([2, 3])
    with raises(ValueError, "'ord' must be a supported vector norm, got fro"):
        tf.norm(x, ord="fro")
    with raises(ValueError, "'ord' must be a supported vector norm, got 0"):
        tf.norm(x, ord=0)
    with raises(ValueError, "'ord' must be a supported vector norm, got nuc"):
        tf.norm(x, ord="nuc")
    with raises(ValueError, "'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, 2, inf], got 3"):
        tf.norm(x, ord=3, axis=[0, 1])
    with raises(ValueError, "'axis' must be None, an integer, or a tuple of 2 unique integers, got (1, 1)"):
        tf.norm(x, axis=[1, 1])
    with raises(ValueError, "'axis' must be None, an integer, or a tuple of 2 unique integers, got [0, 1, 2]"):
        tf.norm(x, axis=[0, 1, 2])
    with raises(ValueError, "'axis' must be None, an integer, or a tuple of 2 unique integers, got 1.5"):
        tf.norm(x, axis=1.5)
    with raises(IAE, "Invalid reduction dimension (5 for input with 2 dimension(s)"):
        tf.norm(x, axis=5)
    with pytest.raises(IAE, match="Sqrt"):
        tf.norm(tf.constant([[1, 2]]))


def test_norm_gradient_at_zero_is_nan_as_tf():
    v = tf.Variable(tf.zeros([3]))
    with tf.GradientTape() as tape:
        n = tf.norm(v)
    assert np.isnan(tape.gradient(n, v).numpy()).all()


# ---- eigh, pinv, lstsq --------------------------------------------------------------------------------------

def test_eigh():
    a = spd(2, 3, 3)
    e, v = tf.linalg.eigh(a)
    ne = np.linalg.eigvalsh(a)
    np.testing.assert_allclose(e.numpy(), ne, rtol=1e-5)
    np.testing.assert_allclose((v @ tf.linalg.diag(e) @ tf.linalg.adjoint(v)).numpy(), a, rtol=1e-4, atol=1e-5)
    check_op(tf.linalg.eigvalsh, a, ref=np.linalg.eigvalsh, dtype=tf.float32, rtol=1e-5, atol=1e-5)
    w = tf.constant(np.array([1.0, 2.0, 3.0]))
    # Only the lower triangle is read, so plain finite differences apply; v v^T is sign invariant.
    check_grad(lambda a: tf.einsum("...ij,j,...kj->...ik", tf.linalg.eigh(a)[1], w, tf.linalg.eigh(a)[1]), a)
    check_grad(lambda a: tf.linalg.eigh(a)[0], a)
    with raises(IAE, "Input matrix must be square. [Op:SelfAdjointEigV2]"):
        tf.linalg.eigh(tf.ones([2, 3]))
    with raises(IAE, "Input tensor 0 must have rank >= 2, got 1 [Op:SelfAdjointEigV2]"):
        tf.linalg.eigvalsh(tf.ones([3]))


def test_eigh_complex_dtype():
    c = np.array([[2, 1j], [-1j, 3]], np.complex64)
    e, v = tf.linalg.eigh(c)
    assert e.dtype == v.dtype == tf.complex64
    np.testing.assert_allclose(e.numpy().real, np.linalg.eigvalsh(c), rtol=1e-5)


def test_pinv():
    a = f32(4, 3)
    check_op(tf.linalg.pinv, a, ref=np.linalg.pinv, dtype=tf.float32, rtol=1e-4, atol=1e-5)
    out = tf.linalg.pinv(tf.constant([[1., 2.], [2., 4.]]))
    np.testing.assert_allclose(out.numpy(), [[0.04, 0.08], [0.08, 0.16]], rtol=1e-5)


@pytest.mark.parametrize("shape", [(4, 2), (2, 4), (2, 3, 3)])
def test_lstsq(shape):
    a, b = well_conditioned(*shape) if shape[-1] == shape[-2] else f32(*shape), f32(*shape[:-1], 2)
    ref = lambda a, b: np.linalg.pinv(a) @ b  # noqa: E731 - least squares / minimum norm
    check_op(tf.linalg.lstsq, a, b, ref=ref, dtype=tf.float32, rtol=1e-3, atol=1e-4)
    out = tf.linalg.lstsq(a, b, l2_regularizer=0.5)
    at = np.swapaxes(a, -1, -2)
    if shape[-2] >= shape[-1]:
        expected = np.linalg.solve(at @ a + 0.5 * np.eye(shape[-1]), at @ b)
    else:
        expected = at @ np.linalg.solve(a @ at + 0.5 * np.eye(shape[-2]), b)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-5)
    with pytest.raises(NotImplementedError, match="fast=False"):
        tf.linalg.lstsq(a, b, fast=False)


def test_namespace():
    assert tf.linalg.l2_normalize is tf.math.l2_normalize
    assert tf.linalg.eye is tf.eye
    for name in ("matmul", "einsum", "tensordot", "norm"):
        assert getattr(tf, name) is getattr(tf.linalg, name)
    for name in ("inv", "det", "cholesky", "solve", "trace", "diag", "qr", "svd"):
        assert not hasattr(tf, name), name     # tf.linalg only, as TF
