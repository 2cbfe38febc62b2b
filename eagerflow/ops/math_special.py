"""Transcendental functions, rounding, float predicates and clipping (part of `tf.math`).

Each primitive is one block: TF op name, NumPy kernel, dtype rule, shape rule, gradient.
Re-exported by `eagerflow.ops.math`, which the rest of the package imports.

>>> import eagerflow as tf
>>> print(tf.math.sigmoid(tf.constant([0.0])))
tf.Tensor([0.5], shape=(1,), dtype=float32)
"""
from __future__ import annotations

import math as _pymath

import numpy as np

from .. import dtypes as _dt
from ..primitive import Primitive, bind
from ..tensor import Tensor, convert_to_tensor
from . import array as _array, reduce as _reduce, rules as R
from .math import (abs as _abs, add, binary, exp, maximum, minimum, multiply, negative, realdiv, rsqrt, sqrt,
                   square, subtract, truediv, unary_op, unbroadcast)
from .math_logic import complex, conj, greater, imag, real, where

__all__ = [
    "expm1", "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh",
    "sigmoid", "log_sigmoid", "softplus", "softsign", "erf", "erfc", "round", "rint", "floor", "ceil",
    "is_nan", "is_finite", "is_inf", "clip_by_value", "clip_by_norm", "l2_normalize",
]


def _quiet(fn):
    """The kernel `fn` with NumPy's overflow/invalid/divide warnings off (TF returns inf/nan silently)."""
    def kernel(x):
        with np.errstate(all="ignore"):
            return fn(x)
    kernel.__name__ = getattr(fn, "__name__", "kernel")
    return kernel


def _unary(name: str, kernel, allowed, grad=None) -> Primitive:
    return Primitive(name, kernel, dtype_rule=R.unary(name, allowed), shape_rule=R.same_shape, grad=grad)


# ---- exponentials and logarithms --------------------------------------------------------------------------

expm1_p = _unary("Expm1", _quiet(np.expm1), R.INEXACT, grad=lambda g, out, x: (multiply(g, conj(exp(x))),))
log1p_p = _unary("Log1p", _quiet(np.log1p), R.INEXACT, grad=lambda g, out, x: (realdiv(g, conj(add(x, 1))),))


def expm1(x, name=None) -> Tensor:
    """exp(x) - 1, accurate for small x.

    >>> import eagerflow as tf
    >>> print(tf.math.expm1(tf.constant([0.0])))
    tf.Tensor([0.], shape=(1,), dtype=float32)
    """
    return unary_op(expm1_p, x)


def log1p(x, name=None) -> Tensor:
    """log(1 + x), accurate for small x.

    >>> import eagerflow as tf
    >>> print(tf.math.log1p(tf.constant([0.0])))
    tf.Tensor([0.], shape=(1,), dtype=float32)
    """
    return unary_op(log1p_p, x)


# ---- trigonometry -----------------------------------------------------------------------------------------

def _inv_sqrt_one_minus_sq(x):
    return rsqrt(subtract(1, square(x)))


sin_p = _unary("Sin", _quiet(np.sin), R.INEXACT, grad=lambda g, out, x: (multiply(g, conj(cos(x))),))
cos_p = _unary("Cos", _quiet(np.cos), R.INEXACT, grad=lambda g, out, x: (negative(multiply(g, conj(sin(x)))),))
tan_p = _unary("Tan", _quiet(np.tan), R.INEXACT,
               grad=lambda g, out, x: (multiply(g, conj(add(square(out), 1))),))
asin_p = _unary("Asin", _quiet(np.arcsin), R.INEXACT,
                grad=lambda g, out, x: (multiply(g, conj(_inv_sqrt_one_minus_sq(x))),))
acos_p = _unary("Acos", _quiet(np.arccos), R.INEXACT,
                grad=lambda g, out, x: (negative(multiply(g, conj(_inv_sqrt_one_minus_sq(x)))),))
atan_p = _unary("Atan", _quiet(np.arctan), R.INEXACT,
                grad=lambda g, out, x: (realdiv(g, conj(add(square(x), 1))),))


def sin(x, name=None) -> Tensor:
    """Sine (radians).

    >>> import eagerflow as tf
    >>> print(tf.sin(tf.constant([0.0])))
    tf.Tensor([0.], shape=(1,), dtype=float32)
    """
    return unary_op(sin_p, x)


def cos(x, name=None) -> Tensor:
    """Cosine (radians).

    >>> import eagerflow as tf
    >>> print(tf.cos(tf.constant([0.0])))
    tf.Tensor([1.], shape=(1,), dtype=float32)
    """
    return unary_op(cos_p, x)


def tan(x, name=None) -> Tensor:
    """Tangent (radians).

    >>> import eagerflow as tf
    >>> print(tf.tan(tf.constant([0.0])))
    tf.Tensor([0.], shape=(1,), dtype=float32)
    """
    return unary_op(tan_p, x)


def asin(x, name=None) -> Tensor:
    """Inverse sine (nan outside [-1, 1]).

    >>> import eagerflow as tf
    >>> print(tf.asin(tf.constant([0.0])))
    tf.Tensor([0.], shape=(1,), dtype=float32)
    """
    return unary_op(asin_p, x)


def acos(x, name=None) -> Tensor:
    """Inverse cosine (nan outside [-1, 1]).

    >>> import eagerflow as tf
    >>> print(tf.acos(tf.constant([1.0])))
    tf.Tensor([0.], shape=(1,), dtype=float32)
    """
    return unary_op(acos_p, x)


def atan(x, name=None) -> Tensor:
    """Inverse tangent.

    >>> import eagerflow as tf
    >>> print(tf.atan(tf.constant([0.0])))
    tf.Tensor([0.], shape=(1,), dtype=float32)
    """
    return unary_op(atan_p, x)


def _atan2_grad(g, out, y, x):
    scale = realdiv(g, add(square(x), square(y)))
    return unbroadcast(multiply(x, scale), y), unbroadcast(negative(multiply(y, scale)), x)


atan2_p = Primitive("Atan2", np.arctan2, dtype_rule=R.same("Atan2", R.FLOATS), shape_rule=R.broadcast("Atan2"),
                    grad=_atan2_grad)


def atan2(y, x, name=None) -> Tensor:
    """The angle of the point (x, y), in (-pi, pi].

    >>> import eagerflow as tf
    >>> print(tf.math.atan2(tf.constant([1.0, 0.0]), tf.constant([0.0, -1.0])))
    tf.Tensor([1.5707964 3.1415927], shape=(2,), dtype=float32)
    """
    return binary(atan2_p, y, x)


# ---- hyperbolic functions and activations ------------------------------------------------------------------

sinh_p = _unary("Sinh", _quiet(np.sinh), R.INEXACT, grad=lambda g, out, x: (multiply(g, conj(cosh(x))),))
cosh_p = _unary("Cosh", _quiet(np.cosh), R.INEXACT, grad=lambda g, out, x: (multiply(g, conj(sinh(x))),))
tanh_p = _unary("Tanh", np.tanh, R.INEXACT,
                grad=lambda g, out, x: (multiply(g, conj(subtract(1, square(out)))),))


def sinh(x, name=None) -> Tensor:
    """Hyperbolic sine.

    >>> import eagerflow as tf
    >>> print(tf.sinh(tf.constant([0.0])))
    tf.Tensor([0.], shape=(1,), dtype=float32)
    """
    return unary_op(sinh_p, x)


def cosh(x, name=None) -> Tensor:
    """Hyperbolic cosine.

    >>> import eagerflow as tf
    >>> print(tf.cosh(tf.constant([0.0])))
    tf.Tensor([1.], shape=(1,), dtype=float32)
    """
    return unary_op(cosh_p, x)


def tanh(x, name=None) -> Tensor:
    """Hyperbolic tangent.

    >>> import eagerflow as tf
    >>> print(tf.tanh(tf.constant([0.0])))
    tf.Tensor([0.], shape=(1,), dtype=float32)
    """
    return unary_op(tanh_p, x)


def _sigmoid_kernel(x):
    if x.dtype.kind == "c":
        with np.errstate(all="ignore"):
            return np.reciprocal(np.exp(-x) + 1)
    # exp(-|x|) never overflows: 1 / (1 + e) for x >= 0 and e / (1 + e) below.
    e = np.exp(-np.abs(x))
    r = np.reciprocal(e + 1)
    return np.where(x >= 0, r, e * r)


sigmoid_p = _unary("Sigmoid", _sigmoid_kernel, R.INEXACT,
                   grad=lambda g, out, x: (multiply(g, conj(multiply(out, subtract(1, out)))),))


def sigmoid(x, name=None) -> Tensor:
    """1 / (1 + exp(-x)), computed without overflow.

    >>> import eagerflow as tf
    >>> print(tf.sigmoid(tf.constant([-1000.0, 0.0, 1000.0])))
    tf.Tensor([0.  0.5 1. ], shape=(3,), dtype=float32)
    """
    return unary_op(sigmoid_p, x)


def _softplus_kernel(x):
    return np.logaddexp(0, x)  # log(1 + e^x) without overflow, accurate for large |x|


softplus_p = _unary("Softplus", _softplus_kernel, R.FLOATS, grad=lambda g, out, x: (multiply(g, sigmoid(x)),))


def softplus(features, name=None) -> Tensor:
    """log(1 + exp(x)), computed without overflow.

    >>> import eagerflow as tf
    >>> print(tf.math.softplus(tf.constant([0.0, 1000.0])))
    tf.Tensor([6.931472e-01 1.000000e+03], shape=(2,), dtype=float32)
    """
    return unary_op(softplus_p, features)


def log_sigmoid(x, name=None) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), without overflow.

    >>> import eagerflow as tf
    >>> print(tf.math.log_sigmoid(tf.constant([0.0])))
    tf.Tensor([-0.6931472], shape=(1,), dtype=float32)
    """
    return negative(softplus(negative(x)))


def _softsign_kernel(x):
    return x / (np.abs(x) + 1)


softsign_p = _unary("Softsign", _softsign_kernel, R.FLOATS,
                    grad=lambda g, out, x: (realdiv(g, square(add(_abs(x), 1))),))


def softsign(features, name=None) -> Tensor:
    """x / (1 + |x|).

    >>> import eagerflow as tf
    >>> print(tf.math.softsign(tf.constant([-1.0, 3.0])))
    tf.Tensor([-0.5   0.75], shape=(2,), dtype=float32)
    """
    return unary_op(softsign_p, features)


# ---- error function -----------------------------------------------------------------------------------------
#
# erf/erfc in float64 with NumPy only. Near 0 the Taylor series of erf (|x| < 1 for erf, < 0.5 for
# erfc, where 1 - erf loses nothing). Otherwise erfc(|x|) = exp(-x^2) * erfcx(|x|), with erfcx from Weideman's rational
# series (SIAM J. Numer. Anal. 31, 1994): its 40 coefficients come from an FFT at import time. The
# result is within a few ulps of the exact values, also deep in erfc's tail (erfc(26) ~ 6e-296).

def _weideman_coefficients(n: int):
    m = 2 * n
    scale = np.sqrt(n / np.sqrt(2.0))
    t = scale * np.tan(np.arange(-m + 1, m) * np.pi / (2 * m))
    samples = np.concatenate([[0.0], np.exp(-t * t) * (scale * scale + t * t)])
    a = np.real(np.fft.fft(np.fft.fftshift(samples))) / (2 * m)
    return a[1:n + 1][::-1].copy(), scale


_ERFCX_COEFFS, _ERFCX_L = _weideman_coefficients(40)  # highest power first
_ERF_TAYLOR = np.array([(-1) ** k / (_pymath.factorial(k) * (2 * k + 1)) * 2 / _pymath.sqrt(_pymath.pi)
                        for k in reversed(range(22))])  # in x^2, highest first; last term < 1e-17 for |x| < 1
_INV_SQRT_PI = 1 / _pymath.sqrt(_pymath.pi)


def _polyval(z, coeffs):
    """The polynomial (coefficients highest power first) at z: one matrix product for small arrays
    (few NumPy calls), Horner's rule for large ones (no size x degree temporary)."""
    if z.size <= 256:
        return np.power.outer(z, np.arange(len(coeffs) - 1, -1, -1)) @ coeffs
    p = np.full_like(z, coeffs[0])
    for c in coeffs[1:]:
        p *= z
        p += c
    return p


def _exp_neg_square(x):
    """exp(-x*x) without the rounding error of x*x (x = m + f, m a multiple of 1/128 so m*m is exact)."""
    m = np.floor(x * 128 + 0.5) / 128
    f = x - m
    return np.exp(-m * m) * np.exp(-(2 * m + f) * f)


def _erfc_nonneg(x):
    """erfc(x) for 0.5 <= x <= 30 (float64; above 27 it underflows to 0)."""
    L = _ERFCX_L
    erfcx = 2 * _polyval((L - x) / (L + x), _ERFCX_COEFFS) / ((L + x) * (L + x)) + _INV_SQRT_PI / (L + x)
    return _exp_neg_square(x) * erfcx


def _erf_small(x):
    return x * _polyval(x * x, _ERF_TAYLOR)


def _erf_kernel(x):
    x64 = np.asarray(x, dtype=np.float64)
    ax = np.minimum(np.abs(x64), 30.0)  # erfc(30) underflows to 0; keeps inf out of the series
    small = ax < 1.0
    out = np.empty_like(x64)
    if small.any():
        out[small] = _erf_small(x64[small])
    big = ~small  # nan lands here and stays nan
    if big.any():
        out[big] = np.copysign(1.0 - _erfc_nonneg(ax[big]), x64[big])
    return out.astype(x.dtype, copy=False)


def _erfc_kernel(x):
    x64 = np.asarray(x, dtype=np.float64)
    ax = np.minimum(np.abs(x64), 30.0)
    small = ax < 0.5  # 1 - erf loses nothing here
    out = np.empty_like(x64)
    if small.any():
        out[small] = 1.0 - _erf_small(x64[small])
    big = ~small
    if big.any():
        tail = _erfc_nonneg(ax[big])
        out[big] = np.where(x64[big] < 0, 2.0 - tail, tail)
    return out.astype(x.dtype, copy=False)


def _erf_slope(x):
    return multiply(exp(negative(square(x))), 2 * _INV_SQRT_PI)


erf_p = _unary("Erf", _erf_kernel, R.FLOATS, grad=lambda g, out, x: (multiply(g, _erf_slope(x)),))
erfc_p = _unary("Erfc", _erfc_kernel, R.FLOATS, grad=lambda g, out, x: (negative(multiply(g, _erf_slope(x))),))


def erf(x, name=None) -> Tensor:
    """The Gauss error function, accurate to float64 precision.

    >>> import eagerflow as tf
    >>> print(tf.math.erf(tf.constant([0.0, 1.0])))
    tf.Tensor([0.        0.8427008], shape=(2,), dtype=float32)
    """
    return unary_op(erf_p, x)


def erfc(x, name=None) -> Tensor:
    """1 - erf(x), accurate also where it is tiny.

    >>> import eagerflow as tf
    >>> print(tf.math.erfc(tf.constant([0.0])))
    tf.Tensor([1.], shape=(1,), dtype=float32)
    """
    return unary_op(erfc_p, x)


# ---- rounding (no gradient, as TF) and float predicates ----------------------------------------------------

round_p = _unary("Round", np.round, R.FLOATS)  # np.round rounds half to even, as TF
rint_p = _unary("Rint", np.rint, R.FLOATS)
floor_p = _unary("Floor", np.floor, R.FLOATS)
ceil_p = _unary("Ceil", np.ceil, R.FLOATS)


def round(x, name=None) -> Tensor:  # noqa: A001 - TF's public name
    """Rounds half to even (banker's rounding), as TF.

    >>> import eagerflow as tf
    >>> print(tf.round(tf.constant([0.5, 1.5, 2.5, -0.5])))
    tf.Tensor([ 0.  2.  2. -0.], shape=(4,), dtype=float32)
    """
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    return x if x.dtype.is_integer else bind(round_p, x)  # integers are already round (no op, as TF)


def rint(x, name=None) -> Tensor:
    """Rounds to the nearest integer, half to even.

    >>> import eagerflow as tf
    >>> print(tf.math.rint(tf.constant([2.5, 3.5])))
    tf.Tensor([2. 4.], shape=(2,), dtype=float32)
    """
    return unary_op(rint_p, x)


def floor(x, name=None) -> Tensor:
    """Largest integer not greater than x.

    >>> import eagerflow as tf
    >>> print(tf.floor(tf.constant([-1.5, 1.5])))
    tf.Tensor([-2.  1.], shape=(2,), dtype=float32)
    """
    return unary_op(floor_p, x)


def ceil(x, name=None) -> Tensor:
    """Smallest integer not less than x.

    >>> import eagerflow as tf
    >>> print(tf.math.ceil(tf.constant([-1.5, 1.5])))
    tf.Tensor([-1.  2.], shape=(2,), dtype=float32)
    """
    return unary_op(ceil_p, x)


def _predicate(name: str, fn) -> Primitive:
    return Primitive(name, fn, dtype_rule=R.unary(name, R.FLOATS, out=_dt.bool), shape_rule=R.same_shape)


is_nan_p = _predicate("IsNan", np.isnan)
is_finite_p = _predicate("IsFinite", np.isfinite)
is_inf_p = _predicate("IsInf", np.isinf)


def is_nan(x, name=None) -> Tensor:
    """True where x is nan.

    >>> import eagerflow as tf
    >>> print(tf.math.is_nan(tf.constant([1.0, float("nan")])))
    tf.Tensor([False  True], shape=(2,), dtype=bool)
    """
    return unary_op(is_nan_p, x)


def is_finite(x, name=None) -> Tensor:
    """True where x is neither inf nor nan.

    >>> import eagerflow as tf
    >>> print(tf.math.is_finite(tf.constant([1.0, float("inf")])))
    tf.Tensor([ True False], shape=(2,), dtype=bool)
    """
    return unary_op(is_finite_p, x)


def is_inf(x, name=None) -> Tensor:
    """True where x is +inf or -inf.

    >>> import eagerflow as tf
    >>> print(tf.math.is_inf(tf.constant([1.0, float("-inf")])))
    tf.Tensor([False  True], shape=(2,), dtype=bool)
    """
    return unary_op(is_inf_p, x)


# ---- clipping and normalizing (composites) ---------------------------------------------------------------

def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    """Clamps t to [clip_value_min, clip_value_max]; the bounds may broadcast but not enlarge t.

    >>> import eagerflow as tf
    >>> print(tf.clip_by_value(tf.constant([-2.0, 0.5, 3.0]), 0.0, 1.0))
    tf.Tensor([0.  0.5 1. ], shape=(3,), dtype=float32)
    """
    t = t if isinstance(t, Tensor) else convert_to_tensor(t)
    out = maximum(minimum(t, clip_value_max), clip_value_min)
    if not t.shape.is_compatible_with(out.shape):
        raise ValueError(f"Shapes {t.shape} and {out.shape} are incompatible")
    return out


def clip_by_norm(t, clip_norm, axes=None, name=None) -> Tensor:
    """Rescales t so that its L2 norm over `axes` (all when None) is at most clip_norm.

    >>> import eagerflow as tf
    >>> print(tf.clip_by_norm(tf.constant([3.0, 4.0]), 1.0))
    tf.Tensor([0.6 0.8], shape=(2,), dtype=float32)
    """
    t = t if isinstance(t, Tensor) else convert_to_tensor(t)
    l2sum = _reduce.reduce_sum(multiply(t, t), axes, keepdims=True)
    nonzero = greater(l2sum, 0)
    # sqrt only where the sum is positive: keeps the gradient finite for an all-zero t
    l2norm = where(nonzero, sqrt(where(nonzero, l2sum, _array.ones_like(l2sum))), l2sum)
    return truediv(multiply(t, clip_norm), maximum(l2norm, clip_norm))


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """x / sqrt(max(sum(x**2, axis), epsilon)).

    >>> import eagerflow as tf
    >>> print(tf.math.l2_normalize(tf.constant([3.0, 4.0])))
    tf.Tensor([0.6 0.8], shape=(2,), dtype=float32)
    """
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    axis = dim if axis is None else axis
    if x.dtype.is_complex:
        re, im = real(x), imag(x)
        inv_norm = rsqrt(maximum(_reduce.reduce_sum(add(square(re), square(im)), axis, keepdims=True), epsilon))
        return complex(multiply(re, inv_norm), multiply(im, inv_norm))
    inv_norm = rsqrt(maximum(_reduce.reduce_sum(square(x), axis, keepdims=True), epsilon))
    return multiply(x, inv_norm)
