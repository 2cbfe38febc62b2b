"""Matrix products and matrix structure: matmul, einsum, tensordot, matvec, transposes,
diagonals, band parts, trace and cross products.

The solvers and decompositions (inv, det, cholesky, solve, qr, svd, norm...) build on these in
`ops/linalg.py`, which is also the `tf.linalg` namespace.

Gradients use einsum for the small reshuffles they need (`...ij->...ji`, scaling each matrix of
a batch by a scalar), so they work for any batch rank and inside graphs with unknown dims.
"""
from __future__ import annotations

import functools
import string
from collections import Counter

import numpy as np

from .. import dtypes as _dt
from ..errors import FailedPreconditionError, InvalidArgumentError, NotFoundError
from ..primitive import Primitive, bind
from ..shapes import format_dims
from ..tensor import EagerTensor, Tensor, convert_to_tensor, get_static_value
from . import array as _array, math as _math, reduce as _reduce, rules as R

__all__ = [
    "matmul", "einsum", "tensordot", "matvec", "matrix_transpose", "adjoint", "diag", "diag_part",
    "set_diag", "band_part", "trace", "cross",
]

_MATMUL_TYPES = frozenset([_dt.bfloat16, _dt.float16, _dt.float32, _dt.float64, _dt.int32, _dt.int64,
                           _dt.complex64, _dt.complex128])
_BATCH_MATMUL_TYPES = _MATMUL_TYPES | {_dt.int16}
_DIAG_TYPES = R.NUMERIC | {_dt.bool}


def _mt(x):
    return np.swapaxes(x, -1, -2)


def _ct(x):
    """Conjugate transpose of the last two axes of an array."""
    return np.conj(_mt(x)) if x.dtype.kind == "c" else _mt(x)


def adjoint_(x: Tensor) -> Tensor:
    """Internal conjugate transpose for gradients: any rank, unknown dims allowed."""
    return _math.conj(bind(einsum_p, x, equation="...ij->...ji"))


def scale_matrices(s: Tensor, m: Tensor) -> Tensor:
    """`s[..., None, None] * m` for a batch of scalars `s` (used by det/slogdet gradients)."""
    return bind(einsum_p, s, m, equation="...,...ij->...ij")


# ---- MatMul (rank 2) and BatchMatMulV2 ---------------------------------------------------------------

def _matmul_dtype(op: str, allowed):
    same = R.same(op, allowed)

    def rule(a, b, **_):
        if a is b and a in allowed:
            return a
        if a is b and a.is_unsigned:
            raise NotFoundError(None, None, f"Could not find device for node: {{{{node {op}}}}} = "
                                            f"{op}[T=DT_{a.name.upper()}] [Op:{op}]")
        return same(a, b)
    return rule


def _matmul_kernel(a, b, *, transpose_a, transpose_b):
    if transpose_a:
        a = _mt(a)
    if transpose_b:
        b = _mt(b)
    return np.matmul(a, b)


def _matmul_shape(a, b, *, transpose_a, transpose_b):
    if a is None or b is None:
        return None
    for i, s in enumerate((a, b)):
        if len(s) != 2:
            R.fail("MatMul", f"In[{i}] ndims must be >= 2" if len(s) < 2 else f"In[{i}] is not a matrix")
    m, k = (a[1], a[0]) if transpose_a else a
    k2, n = (b[1], b[0]) if transpose_b else b
    if k is not None and k2 is not None and k != k2:
        R.fail("MatMul", f"Matrix size-incompatible: In[0]: {format_dims(a)}, In[1]: {format_dims(b)}")
    return (m, n)


def _matmul_grad(g, out, a, b, *, transpose_a, transpose_b):
    ca, cb = _math.conj(a), _math.conj(b)
    mm = _matmul2
    if not transpose_a and not transpose_b:
        return mm(g, cb, False, True), mm(ca, g, True, False)
    if not transpose_a:
        return mm(g, cb, False, False), mm(g, ca, True, False)
    if not transpose_b:
        return mm(cb, g, False, True), mm(ca, g, False, False)
    return mm(cb, g, True, True), mm(g, ca, True, True)


matmul_p = Primitive("MatMul", _matmul_kernel, dtype_rule=_matmul_dtype("MatMul", _MATMUL_TYPES),
                     shape_rule=_matmul_shape, grad=_matmul_grad)


def _matmul2(a, b, ta, tb):
    return bind(matmul_p, a, b, transpose_a=ta, transpose_b=tb)


def _bmm_kernel(x, y, *, adj_x, adj_y):
    return np.matmul(_ct(x) if adj_x else x, _ct(y) if adj_y else y)


def _bmm_shape(x, y, *, adj_x, adj_y):
    if x is None or y is None:
        return None
    for i, s in enumerate((x, y)):
        if len(s) < 2:
            R.fail("BatchMatMulV2", f"In[{i}] ndims must be >= 2: {len(s)}")
    m, k = (x[-1], x[-2]) if adj_x else (x[-2], x[-1])
    k2, n = (y[-1], y[-2]) if adj_y else (y[-2], y[-1])
    if k is not None and k2 is not None and k != k2:
        R.fail("BatchMatMulV2", f"Matrix size-incompatible: In[0]: {format_dims(x)}, In[1]: {format_dims(y)} "
                                f"{int(adj_x)} {int(adj_y)}")
    return batch_shape("BatchMatMulV2", x, y) + (m, n)


def batch_shape(op: str, x: tuple, y: tuple) -> tuple:
    """Broadcast of the batch dims (all but the last two) of two matrix shapes."""
    try:
        return R.broadcast_shapes(op, x[:-2], y[:-2])
    except InvalidArgumentError:
        R.fail(op, f"In[0] and In[1] must have compatible batch dimensions: {format_dims(x)} vs. "
                   f"{format_dims(y)}")


def _bmm_grad(g, out, x, y, *, adj_x, adj_y):
    if not adj_x and not adj_y:
        gx, gy = bmm(g, y, False, True), bmm(x, g, True, False)
    elif not adj_x:
        gx, gy = bmm(g, y, False, False), bmm(g, x, True, False)
    elif not adj_y:
        gx, gy = bmm(y, g, False, True), bmm(x, g, False, False)
    else:
        gx, gy = bmm(y, g, True, True), bmm(g, x, True, True)
    return _math.unbroadcast(gx, x), _math.unbroadcast(gy, y)


batch_matmul_p = Primitive("BatchMatMulV2", _bmm_kernel,
                           dtype_rule=_matmul_dtype("BatchMatMulV2", _BATCH_MATMUL_TYPES),
                           shape_rule=_bmm_shape, grad=_bmm_grad)


def bmm(x: Tensor, y: Tensor, adj_x: bool = False, adj_y: bool = False) -> Tensor:
    """Batched product with adjoint flags (any rank >= 2, broadcasting batch dims)."""
    return bind(batch_matmul_p, x, y, adj_x=adj_x, adj_y=adj_y)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, grad_a=False, grad_b=False,
           name=None) -> Tensor:
    """Matrix product of the last two dims, broadcasting batch dims (`a @ b`).

    Rank-2 operands use the `MatMul` op, higher ranks `BatchMatMulV2` (as TF).

    >>> import eagerflow as tf
    >>> tf.matmul(tf.ones([5, 2, 3]), tf.ones([3, 4])).shape
    TensorShape([5, 2, 4])
    """
    if (type(a) is EagerTensor and type(b) is EagerTensor and a._value.ndim == 2 and b._value.ndim == 2
            and not (transpose_a or transpose_b or adjoint_a or adjoint_b or output_type)):
        return bind(matmul_p, a, b, transpose_a=False, transpose_b=False)   # the common eager case
    if not isinstance(a, Tensor):
        a = convert_to_tensor(a, dtype_hint=b.dtype if isinstance(b, Tensor) else None)
    if not isinstance(b, Tensor):
        b = convert_to_tensor(b, dtype_hint=a.dtype)
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    if output_type is not None and _dt.as_dtype(output_type) is not a.dtype:
        a, b = _math.cast(a, output_type), _math.cast(b, output_type)
    ra, rb = a.shape.rank, b.shape.rank
    if ra == 2 and rb == 2:
        if a.dtype.is_complex:
            if adjoint_a:
                a, transpose_a = _math.conj(a), True
            if adjoint_b:
                b, transpose_b = _math.conj(b), True
        return bind(matmul_p, a, b, transpose_a=bool(transpose_a or adjoint_a),
                    transpose_b=bool(transpose_b or adjoint_b))
    if ra is not None and ra < 2 or rb is not None and rb < 2:
        bad, other = (0, rb) if ra is not None and ra < 2 else (1, ra)
        if other is not None and other > 2:
            R.fail("BatchMatMulV2", f"In[{bad}] ndims must be >= 2: {(ra, rb)[bad]}")
        R.fail("MatMul", f"In[{bad}] ndims must be >= 2")
    if transpose_a and a.dtype.is_complex:
        a = _math.conj(a)
    if transpose_b and b.dtype.is_complex:
        b = _math.conj(b)
    return bind(batch_matmul_p, a, b, adj_x=bool(transpose_a or adjoint_a), adj_y=bool(transpose_b or adjoint_b))


# ---- Einsum -----------------------------------------------------------------------------------------

_EINSUM_TYPES = frozenset([_dt.bfloat16, _dt.float16, _dt.float32, _dt.float64, _dt.int32, _dt.int64,
                           _dt.complex64, _dt.complex128])
_LETTERS = frozenset(string.ascii_letters)


@functools.lru_cache(maxsize=512)
def parse_equation(equation: str, n_inputs: int) -> tuple:
    """(input subscripts, output subscripts) with '...' kept and the output made explicit.

    Implicit output (no '->'): the labels used once, sorted, as TF (no ellipsis added).
    """
    eq = equation.replace(" ", "")
    parts = eq.split("->")
    if len(parts) > 2:
        raise ValueError(f"Subscripts have incorrect format: {equation}")
    ins = parts[0].split(",")
    for s in ins + parts[1:]:
        body = s.replace("...", "", 1)
        if not all(c in _LETTERS for c in body):
            raise ValueError(f"Subscripts have incorrect format: {equation}")
    if len(ins) != n_inputs:
        raise ValueError(f'Got {n_inputs} inputs for equation "{equation}", expecting {len(ins)}')
    counts = Counter(c for s in ins for c in s.replace("...", ""))
    if len(parts) == 1:
        return tuple(ins), "".join(sorted(c for c, n in counts.items() if n == 1))
    out = parts[1]
    labels = out.replace("...", "")
    for c in labels:
        if c not in counts:
            raise ValueError(f"Output subscripts contain the label {c} not present in the input subscripts.")
    if len(set(labels)) != len(labels):
        raise ValueError(f"Output subscripts contain a label appearing more than once: {equation}")
    return tuple(ins), out


def _split(equation: str):
    lhs, out = equation.split("->")
    return lhs.split(","), out


def _operand_dims(op: str, sub: str, shape: tuple, index: int):
    """(dims of the named labels, ellipsis dims) of one operand's static shape."""
    named = sub.replace("...", "")
    if "..." not in sub:
        if len(shape) != len(named):
            R.fail(op, f"Expected input {index} to have rank {len(named)} but got: {len(shape)}")
        return shape, ()
    n_ell = len(shape) - len(named)
    if n_ell < 0:
        R.fail(op, f"Expected input {index} to have rank at least {len(named)} but got: {len(shape)}")
    pos = sub.index("...")
    return shape[:pos] + shape[pos + n_ell:], shape[pos:pos + n_ell]


def _merge_dim(known, d, strict):
    """Combines two sizes of one label (size-1 broadcasting unless `strict`)."""
    if known is None or known == d:
        return d, True
    if d is None:
        return known, True
    if not strict and (known == 1 or d == 1):
        return max(known, d), True
    return known, False


def _einsum_dims(op: str, subs, shapes, strict: bool):
    """Label sizes and the broadcast ellipsis shape (None where unknown) of static operand shapes."""
    dims, ells, ell_unknown = {}, [], False
    for i, (sub, s) in enumerate(zip(subs, shapes)):
        if s is None:
            ell_unknown = ell_unknown or "..." in sub
            continue
        named_dims, ell = _operand_dims(op, sub, s, i)
        ells.append(ell)
        for ax, (c, d) in enumerate(zip(sub.replace("...", ""), named_dims)):
            new, ok = _merge_dim(dims.get(c), d, strict)
            if not ok:
                R.fail(op, f"Expected dimension {dims[c]} at axis {ax} of the input shaped {format_dims(s)} "
                           f"but got dimension {d}")
            dims[c] = new
    ell_shape = None if ell_unknown else R.broadcast_shapes(op, *ells) if ells else ()
    return dims, ell_shape


def _einsum_shape(*shapes, equation):
    ins, out = _split(equation)
    dims, ell = _einsum_dims("Einsum", ins, shapes, strict=False)
    if "..." in out and ell is None:
        return None
    pos = out.find("...")
    named = tuple(dims.get(c) for c in out.replace("...", ""))
    return named if pos < 0 else named[:pos] + tuple(ell) + named[pos:]


def _einsum_kernel(*xs, equation):
    big = len(xs) > 2 or len(xs) == 2 and xs[0].size * xs[1].size > 4096
    return np.einsum(equation, *xs, optimize=big)


def _expand_ellipsis(ins, out, ranks):
    """Equation pieces with '...' replaced by explicit fresh letters (right-aligned per operand)."""
    used = set("".join(ins) + out)
    fresh = [c for c in string.ascii_letters if c not in used]
    n_ell = [r - len(s.replace("...", "")) if "..." in s else 0 for s, r in zip(ins, ranks)]
    width = max(n_ell, default=0)
    if width > len(fresh):
        raise ValueError("einsum gradient: too many dimensions to label")
    ell = "".join(fresh[:width])
    new_ins = [s.replace("...", ell[width - n:]) for s, n in zip(ins, n_ell)]
    return new_ins, out.replace("...", ell), fresh[width:]


def _embed_diagonals(gx: Tensor, have: str, want: str, fresh: list) -> Tensor:
    """Gradient for labels repeated within one operand (like 'ii'): puts gx on those diagonals."""
    target, seen = [], set()
    for c in want:
        if c in seen:
            c2 = fresh.pop(0)
            rest = have.replace(c, "")
            if have != rest + c:
                gx = bind(einsum_p, gx, equation=f"{have}->{rest + c}")
            gx = bind(matrix_diag_p, gx, k=0, num_rows=-1, num_cols=-1, padding_value=0)
            have = rest + c + c2
            target.append(c2)
        else:
            seen.add(c)
            target.append(c)
    target = "".join(target)
    return gx if have == target else bind(einsum_p, gx, equation=f"{have}->{target}")


def _einsum_grad(g, out, *xs, equation):
    ins, outsub = _split(equation)
    ranks = [x.shape.rank for x in xs]
    if any(r is None for r in ranks) and "..." in equation:
        raise ValueError(f"einsum gradient of {equation!r} needs operands of known rank")
    ins, outsub, fresh = _expand_ellipsis(ins, outsub, ranks)
    grads = []
    for i, x in enumerate(xs):
        if not x.dtype.is_differentiable:
            grads.append(None)
            continue
        sub = ins[i]
        others = [_math.conj(xs[j]) for j in range(len(xs)) if j != i]
        other_subs = [ins[j] for j in range(len(xs)) if j != i]
        uniq = "".join(dict.fromkeys(sub))
        avail = set(outsub + "".join(other_subs))
        have = "".join(c for c in uniq if c in avail)
        if not others and outsub == have:
            gx = g
        else:
            gx = bind(einsum_p, g, *others, equation=f"{','.join([outsub] + other_subs)}->{have}")
        if have != uniq:  # labels summed away inside this operand alone: broadcast back over them
            ones = bind(einsum_p, _array.ones_like(x), equation=f"{sub}->{uniq}")
            gx = bind(einsum_p, gx, ones, equation=f"{have},{uniq}->{uniq}")
        if len(uniq) != len(sub):
            gx = _embed_diagonals(gx, uniq, sub, list(fresh))
        grads.append(_math.unbroadcast(gx, x))
    return tuple(grads)


einsum_p = Primitive("Einsum", _einsum_kernel, dtype_rule=R.same("Einsum", _EINSUM_TYPES),
                     shape_rule=_einsum_shape, grad=_einsum_grad)


def einsum(equation, *inputs, **kwargs) -> Tensor:
    """Tensor contraction over subscripted axes (Einstein summation).

    Supports '...' broadcasting, repeated labels (diagonals) and implicit output.

    >>> import eagerflow as tf
    >>> tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([3, 4])).shape
    TensorShape([2, 4])
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum: equation must be a string, got {type(equation).__name__}")
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    xs = []
    for x in inputs:
        xs.append(x if isinstance(x, Tensor) else
                  convert_to_tensor(x, dtype_hint=xs[0].dtype if xs else None))
    shapes = tuple(x._value.shape if type(x) is EagerTensor else x.shape.as_tuple() for x in xs)
    return bind(einsum_p, *xs, equation=_checked_equation(equation, shapes))


@functools.lru_cache(maxsize=1024)
def _checked_equation(equation: str, shapes: tuple) -> str:
    """The explicit equation, after checking it against the operand shapes with TF's strict rules."""
    ins, out = parse_equation(equation, len(shapes))
    _, ell = _einsum_dims("Einsum", ins, shapes, strict=True)
    if "..." not in out and ell:
        R.fail("Einsum", f"Output contains {len(ell)} broadcasting dimension(s) but no ellipsis (...) was "
                         "found in the output subscripts.")
    return ",".join(ins) + "->" + out


# ---- composites over einsum -------------------------------------------------------------------------------

def _axes_list(axes, rank, which):
    if isinstance(axes, Tensor):
        axes = get_static_value(axes)
        if axes is None:
            raise ValueError("tensordot: `axes` must be known statically (a Python int or lists)")
    axes = np.asarray(axes).reshape(-1).tolist()
    out = []
    for a in axes:
        a = int(a)
        if rank is not None:
            if not -rank <= a < rank:
                raise ValueError(f"tensordot: axis {a} is out of range for `{which}` of rank {rank}")
            a %= rank
        out.append(a)
    return out


def _tensordot_axes(axes, ra, rb):
    if isinstance(axes, Tensor):
        static = get_static_value(axes)
        if static is None:
            raise ValueError("tensordot: `axes` must be known statically (a Python int or lists)")
        axes = static.tolist()
    if isinstance(axes, (int, np.integer)):
        if axes < 0:
            raise ValueError(f"`axes` must be at least 0. Received: {axes}.")
        if ra is None or rb is None:
            raise ValueError("tensordot with an integer `axes` needs operands of known rank (static shape)")
        if axes > ra or axes > rb:
            raise ValueError(f"`axes` must not be larger than the number of dimensions of tensor a "
                             f"({ra}) or b ({rb}). Received: {axes}.")
        return list(range(ra - axes, ra)), list(range(axes))
    if not isinstance(axes, (list, tuple)) or len(axes) != 2:
        raise ValueError(f"`axes` must be an integer or have length 2. Received {axes}.")
    a_axes, b_axes = _axes_list(axes[0], ra, "a"), _axes_list(axes[1], rb, "b")
    if len(a_axes) != len(b_axes):
        raise ValueError(f"Different number of contraction axes `a` and `b`, {len(a_axes)} != {len(b_axes)}.")
    return a_axes, b_axes


def tensordot(a, b, axes, name=None) -> Tensor:
    """Sums the products of `a` and `b` over the given axes.

    `axes` is an int N (last N axes of a with first N of b) or a pair of axis lists.

    >>> import eagerflow as tf
    >>> tf.tensordot(tf.ones([2, 3]), tf.ones([3, 4]), axes=1).shape
    TensorShape([2, 4])
    """
    a = a if isinstance(a, Tensor) else convert_to_tensor(a, dtype_hint=getattr(b, "dtype", None))
    b = b if isinstance(b, Tensor) else convert_to_tensor(b, dtype_hint=a.dtype)
    ra, rb = a.shape.rank, b.shape.rank
    a_axes, b_axes = _tensordot_axes(axes, ra, rb)
    if ra is None or rb is None:
        raise ValueError("tensordot needs operands of known rank (static shape)")
    if ra + rb > len(string.ascii_letters):
        raise ValueError(f"tensordot: too many dimensions ({ra} + {rb})")
    letters = string.ascii_letters
    sa = list(letters[:ra])
    sb = list(letters[ra:ra + rb])
    for i, j in zip(a_axes, b_axes):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in a_axes] + [c for k, c in enumerate(sb) if k not in b_axes]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None) -> Tensor:
    """Matrix-vector product `a @ b` over the last axes, broadcasting batch dims.

    >>> import eagerflow as tf
    >>> print(tf.linalg.matvec(tf.constant([[1., 2.], [3., 4.]]), tf.constant([1., 1.])))
    tf.Tensor([3. 7.], shape=(2,), dtype=float32)
    """
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    a = a if isinstance(a, Tensor) else convert_to_tensor(a, dtype_hint=getattr(b, "dtype", None))
    b = b if isinstance(b, Tensor) else convert_to_tensor(b, dtype_hint=a.dtype)
    if adjoint_a:
        a = _math.conj(a)
    return einsum("...ji,...j->...i" if transpose_a or adjoint_a else "...ij,...j->...i", a, b)


def matrix_transpose(a, name="matrix_transpose", conjugate=False) -> Tensor:
    """Transposes the last two axes (conjugating too when `conjugate`), as `Transpose`.

    >>> import eagerflow as tf
    >>> tf.linalg.matrix_transpose(tf.ones([4, 2, 3])).shape
    TensorShape([4, 3, 2])
    """
    a = convert_to_tensor(a)
    rank = a.shape.rank
    if rank is None:
        out = bind(einsum_p, a, equation="...ij->...ji")
        return _math.conj(out) if conjugate else out
    if rank < 2:
        shown = a.numpy() if isinstance(a, EagerTensor) else a
        raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  Received `a` = {shown} "
                         f"with shape: {tuple(a.shape.as_list())}")
    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
    return _array.transpose(a, perm, conjugate=conjugate)


def adjoint(matrix, name=None) -> Tensor:
    """Conjugate transpose of the last two axes."""
    return matrix_transpose(matrix, conjugate=True)


# ---- diagonals and bands ------------------------------------------------------------------------------

def _diag_bounds(op: str, k: int, rows, cols, sep: str = ".") -> None:
    if rows is not None and cols is not None and not (-rows < k < cols or rows == 0 or cols == 0):
        R.fail(op, f"lower_diag_index is out of bound: {k}{sep} It must be between {-rows} and {cols}")


def _diag_len(k: int, rows, cols):
    if rows is None or cols is None:
        return None
    return max(0, min(rows + min(k, 0), cols - max(k, 0)))


def _diag_index(n: int, k: int):
    return np.arange(n) + max(-k, 0), np.arange(n) + max(k, 0)


def _matrix_diag_size(n, k, num_rows, num_cols):
    """(rows, cols) of MatrixDiagV3's output for a diagonal of length n (None if unknown)."""
    if n is None:
        return (num_rows if num_rows >= 0 and num_cols >= 0 else None,
                num_cols if num_rows >= 0 and num_cols >= 0 else None)
    min_rows, min_cols = n + max(-k, 0), n + max(k, 0)
    if num_rows < 0 and num_cols < 0:
        num_rows = num_cols = max(min_rows, min_cols)
    elif num_rows < 0:
        num_rows = min_rows
    elif num_cols < 0:
        num_cols = min_cols
    if num_rows < min_rows:
        R.fail("MatrixDiagV3", "The number of rows is too small.")
    if num_cols < min_cols:
        R.fail("MatrixDiagV3", "The number of columns is too small.")
    if _diag_len(k, num_rows, num_cols) != n:
        R.fail("MatrixDiagV3", "The number of rows or columns is not consistent with the specified d_lower, "
                               "d_upper, and diagonal.")
    return num_rows, num_cols


def _matrix_diag_shape(s, *, k, num_rows, num_cols, padding_value):
    if s is None:
        return None
    if len(s) < 1:
        R.fail("MatrixDiagV3", f"diagonal must be at least 1-dim, received shape: {format_dims(s)}")
    return s[:-1] + _matrix_diag_size(s[-1], k, num_rows, num_cols)


def _matrix_diag_kernel(d, *, k, num_rows, num_cols, padding_value):
    rows, cols = _matrix_diag_shape(d.shape, k=k, num_rows=num_rows, num_cols=num_cols,
                                    padding_value=padding_value)[-2:]
    out = np.full(d.shape[:-1] + (rows, cols), padding_value, dtype=d.dtype)
    r, c = _diag_index(d.shape[-1], k)
    out[..., r, c] = d
    return out


matrix_diag_p = Primitive(
    "MatrixDiagV3", _matrix_diag_kernel, dtype_rule=R.unary("MatrixDiagV3", _DIAG_TYPES),
    shape_rule=_matrix_diag_shape,
    grad=lambda g, out, d, *, k, **_: (bind(matrix_diag_part_p, g, k=k, padding_value=0),))


def _static_int(value, what: str) -> int:
    v = get_static_value(value) if isinstance(value, Tensor) else value
    if v is None:
        raise TypeError(f"{what} must be known statically (a Python int), got a symbolic tensor")
    if isinstance(v, (list, tuple)) or np.ndim(v) != 0:
        raise NotImplementedError(f"{what}: a range of diagonals (k=(lower, upper)) is not supported; "
                                  "use a single int")
    if isinstance(v, (float, np.floating)) and v != int(v):
        raise TypeError(f"Cannot convert {v} to EagerTensor of dtype int64")
    return int(v)


def _padding(value):
    v = get_static_value(value) if isinstance(value, Tensor) else value
    if v is None:
        raise TypeError("padding_value must be known statically, got a symbolic tensor")
    return np.asarray(v).item()


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0, align="RIGHT_LEFT") -> Tensor:
    """A (batch of) matrix with `diagonal` on its k-th diagonal and `padding_value` elsewhere.

    >>> import eagerflow as tf
    >>> print(tf.linalg.diag([1, 2]))
    tf.Tensor(
    [[1 0]
     [0 2]], shape=(2, 2), dtype=int32)
    """
    d = convert_to_tensor(diagonal)
    return bind(matrix_diag_p, d, k=_static_int(k, "diag: k"), num_rows=_static_int(num_rows, "num_rows"),
                num_cols=_static_int(num_cols, "num_cols"), padding_value=_padding(padding_value))


def _diag_part_shape(s, *, k, padding_value):
    if s is None:
        return None
    if len(s) < 2:
        R.fail("MatrixDiagPartV3", f"input must be at least 2-dim, received shape: {format_dims(s)}")
    _diag_bounds("MatrixDiagPartV3", k, s[-2], s[-1])
    return s[:-2] + (_diag_len(k, s[-2], s[-1]),)


def _diag_part_kernel(x, *, k, padding_value):
    _diag_part_shape(x.shape, k=k, padding_value=padding_value)
    return np.diagonal(x, offset=k, axis1=-2, axis2=-1).copy()


matrix_diag_part_p = Primitive(
    "MatrixDiagPartV3", _diag_part_kernel, dtype_rule=R.unary("MatrixDiagPartV3", _DIAG_TYPES),
    shape_rule=_diag_part_shape,
    grad=lambda g, out, x, *, k, **_: (bind(matrix_set_diag_p, _array.zeros_like(x), g, k=k),))


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """The k-th diagonal of each matrix in the batch.

    >>> import eagerflow as tf
    >>> print(tf.linalg.diag_part(tf.constant([[1, 2], [3, 4]])))
    tf.Tensor([1 4], shape=(2,), dtype=int32)
    """
    x = convert_to_tensor(input)
    return bind(matrix_diag_part_p, x, k=_static_int(k, "diag_part: k"), padding_value=_padding(padding_value))


def _set_diag_shape(s, d, *, k):
    if s is None:
        return None
    if len(s) < 2:
        R.fail("MatrixSetDiagV3", f"input must be at least 2-dim, received shape: {format_dims(s)}")
    _diag_bounds("MatrixSetDiagV3", k, s[-2], s[-1], sep="")
    want = s[:-2] + (_diag_len(k, s[-2], s[-1]),)
    if d is not None and (len(d) != len(want) or any(
            a is not None and b is not None and a != b for a, b in zip(d, want))):
        R.fail("MatrixSetDiagV3", "Either first dimensions of diagonal don't match input.shape[:-2], or "
               "diagonal.shape[:-1] is not equal to the longests diagonal in range [lower_diag_index:"
               f"upper_diag_index].\nInput shape: {format_dims(s)}\nDiagonal shape: {format_dims(d)}\n"
               f"Expected diagonal shape: {format_dims(want)}")
    return s


def _set_diag_kernel(x, d, *, k):
    _set_diag_shape(x.shape, d.shape, k=k)
    out = x.copy()
    r, c = _diag_index(d.shape[-1], k)
    out[..., r, c] = d
    return out


matrix_set_diag_p = Primitive(
    "MatrixSetDiagV3", _set_diag_kernel, dtype_rule=R.same("MatrixSetDiagV3", _DIAG_TYPES),
    shape_rule=_set_diag_shape,
    grad=lambda g, out, x, d, *, k: (bind(matrix_set_diag_p, g, _array.zeros_like(d), k=k),
                                     bind(matrix_diag_part_p, g, k=k, padding_value=0)))


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """Replaces the k-th diagonal of each matrix with `diagonal`."""
    x = convert_to_tensor(input)
    d = diagonal if isinstance(diagonal, Tensor) else convert_to_tensor(diagonal, dtype_hint=x.dtype)
    return bind(matrix_set_diag_p, x, d, k=_static_int(k, "set_diag: k"))


def _band_shape(s, *, num_lower, num_upper):
    if s is None:
        return None
    if len(s) < 2:
        R.fail("MatrixBandPart", f"input must be at least 2-dim, received shape: {format_dims(s)}")
    rows, cols = s[-2], s[-1]
    if rows is not None and num_lower > rows:
        R.fail("MatrixBandPart", f"num_lower must be negative or less or equal to number of rows ({rows}) "
                                 f"got: {num_lower}")
    if cols is not None and num_upper > cols:
        R.fail("MatrixBandPart", f"num_upper must be negative or less or equal to number of columns ({cols}) "
                                 f"got: {num_upper}")
    return s


def _band_kernel(x, *, num_lower, num_upper):
    _band_shape(x.shape, num_lower=num_lower, num_upper=num_upper)
    rows, cols = x.shape[-2:]
    diff = np.arange(rows)[:, None] - np.arange(cols)[None, :]   # i - j
    keep = np.ones((rows, cols), dtype=bool)
    if num_lower >= 0:
        keep &= diff <= num_lower
    if num_upper >= 0:
        keep &= -diff <= num_upper
    return np.where(keep, x, np.zeros((), dtype=x.dtype))


band_part_p = Primitive(
    "MatrixBandPart", _band_kernel, dtype_rule=R.unary("MatrixBandPart", _DIAG_TYPES), shape_rule=_band_shape,
    grad=lambda g, out, x, **attrs: (bind(band_part_p, g, **attrs),))


def band_part(input, num_lower, num_upper, name=None) -> Tensor:  # noqa: A002
    """Keeps `num_lower` sub- and `num_upper` super-diagonals (negative keeps the whole triangle).

    >>> import eagerflow as tf
    >>> print(tf.linalg.band_part(tf.ones([2, 2]), 0, -1))
    tf.Tensor(
    [[1. 1.]
     [0. 1.]], shape=(2, 2), dtype=float32)
    """
    x = convert_to_tensor(input)
    return bind(band_part_p, x, num_lower=_static_int(num_lower, "band_part: num_lower"),
                num_upper=_static_int(num_upper, "band_part: num_upper"))


def trace(x, name=None) -> Tensor:
    """Sum of the main diagonal of each matrix in the batch.

    >>> import eagerflow as tf
    >>> print(tf.linalg.trace(tf.constant([[1., 2.], [3., 4.]])))
    tf.Tensor(5.0, shape=(), dtype=float32)
    """
    return _reduce.reduce_sum(diag_part(x), axis=-1)


# ---- cross product -------------------------------------------------------------------------------------

def _cross_shape(a, b):
    if a is None or b is None:
        return a if b is None else b
    if len(a) != len(b) or any(x is not None and y is not None and x != y for x, y in zip(a, b)):
        R.fail("Cross", f"Both inputs must be of same shape: {format_dims(a)} vs. {format_dims(b)}")
    if len(a) == 0 or a[-1] is not None and a[-1] != 3:
        raise FailedPreconditionError(None, None, "Cross-products are only defined for 3-element vectors. "
                                                  "[Op:Cross]")
    return tuple(x if x is not None else y for x, y in zip(a, b))


def _cross_kernel(a, b):
    _cross_shape(a.shape, b.shape)
    return np.cross(a, b)


cross_p = Primitive("Cross", _cross_kernel, dtype_rule=R.same("Cross", R.REAL), shape_rule=_cross_shape,
                    grad=lambda g, out, a, b: (cross(b, g), cross(g, a)))


def cross(a, b, name=None) -> Tensor:
    """Pairwise cross product of 3-element vectors along the last axis."""
    a = convert_to_tensor(a)
    b = b if isinstance(b, Tensor) else convert_to_tensor(b, dtype_hint=a.dtype)
    return bind(cross_p, a, b)
