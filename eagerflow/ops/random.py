"""`tf.random`: stateful samplers with TF's seed semantics, stateless samplers, and `Generator`.

Seeds, as TF: with neither a global seed (`tf.random.set_seed`) nor an op seed, draws are
nondeterministic. With a global seed, each op that is given no seed takes the next op seed from a
counter, so the whole sequence of random ops repeats after `set_seed` is called again. An op seed
names a stream: successive calls with the same (global, op) seeds continue it, and `set_seed`
restarts every stream. Streams are NumPy Generators kept in `context.settings.random_streams`,
looked up by the kernel at run time, so a traced graph draws new values at every call.

Stateless samplers are pure functions of their `seed` tensor (`tf.random.Generator`, in
ops/random_generator.py, draws through them). Values differ from TF's (NumPy's PCG64 instead of
Philox); the semantics above are what eagerflow reproduces.

>>> import eagerflow as tf
>>> tf.random.set_seed(7)
>>> a = tf.random.uniform([2])
>>> tf.random.set_seed(7)
>>> bool((a.numpy() == tf.random.uniform([2]).numpy()).all())
True
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..context import _state, settings
from ..primitive import Primitive, bind
from ..shapes import TensorShape, format_dims
from ..tensor import Tensor, convert_to_tensor, get_static_value
from . import array as _array, math as _math, rules as R

__all__ = [
    "normal", "uniform", "truncated_normal", "categorical", "shuffle", "gamma", "poisson", "set_seed",
    "stateless_normal", "stateless_uniform", "stateless_truncated_normal", "stateless_categorical",
    "stateless_binomial", "stateless_gamma", "stateless_poisson", "split", "fold_in",
]

DEFAULT_GRAPH_SEED = 87654321  # TF's global seed when only an op seed is given
_MAXINT32 = 2 ** 31 - 1
_COUNTER_BASE = 2 ** 32  # counter-drawn op seeds live above the int32 seeds users pass
_U64 = 0xFFFFFFFFFFFFFFFF
_FLOAT_DTYPES = (_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64)
_UNIFORM_DTYPES = _FLOAT_DTYPES + (_dt.int32, _dt.int64)
_INDEX_DTYPES = frozenset([_dt.int32, _dt.int64])


# ---- seeds and streams --------------------------------------------------------------------------------

def set_seed(seed) -> None:
    """Sets the global seed: the sequence of random ops after this call is reproducible.

    >>> import eagerflow as tf
    >>> tf.random.set_seed(1); a = tf.random.normal([3])
    >>> tf.random.set_seed(1); b = tf.random.normal([3])
    >>> a.numpy().tolist() == b.numpy().tolist()
    True
    """
    if seed is not None:
        seed = int(seed)
    with settings.lock:
        settings.global_seed = seed
        settings.seed_counter = 0
        settings.random_streams.clear()


def get_seed(op_seed):
    """(seed, seed2, fresh) for an op: TF's combination of the global and the op seed.

    `fresh` is True when the op seed came from the counter (eagerly such a stream is used once).
    """
    global_seed = settings.global_seed
    fresh = False
    if global_seed is not None:
        if op_seed is None:
            with settings.lock:
                op_seed = _COUNTER_BASE + settings.seed_counter
                settings.seed_counter += 1
            fresh = True
        seeds = (global_seed, int(op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, int(op_seed))
    else:
        return 0, 0, False
    if seeds == (0, 0):  # (0, 0) means "nondeterministic" to the kernels
        seeds = (0, _MAXINT32)
    return seeds[0], seeds[1], fresh


def _stream(op: str, dtype, seed: int, seed2: int) -> np.random.Generator:
    """The NumPy Generator behind one (op, dtype, seed, seed2) stream, created on first use."""
    key = (op, dtype, seed, seed2) if (seed or seed2) else None
    streams = settings.random_streams
    rng = streams.get(key)
    if rng is None:
        with settings.lock:
            rng = streams.get(key)
            if rng is None:
                entropy = None if key is None else [seed & _U64, seed2 & _U64]
                rng = streams[key] = np.random.default_rng(entropy)
    return rng


def _seeded(seed: np.ndarray) -> np.random.Generator:
    """A fresh NumPy Generator determined by the values of a stateless `seed` tensor."""
    return np.random.default_rng([int(v) & _U64 for v in np.reshape(seed, -1)])


def _bind_stateful(prim: Primitive, args, attrs, fresh: bool) -> Tensor:
    out = bind(prim, *args, **attrs)
    if fresh and _state.graph is None:  # a counter-drawn op seed is never seen again eagerly
        settings.random_streams.pop((prim.name, attrs.get("dtype"), attrs["seed"], attrs["seed2"]), None)
    return out


# ---- shape arguments ------------------------------------------------------------------------------------

def _shape_arg(op: str, shape):
    """(static shape tuple, None), or (None, 1-D int tensor) for a shape only known at run time."""
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise ValueError(f"{op}: shape {shape} must be fully defined")
        return tuple(shape.as_list()), None
    if isinstance(shape, Tensor) or (isinstance(shape, (list, tuple)) and any(
            isinstance(d, Tensor) or hasattr(d, "__tf_tensor__") for d in shape)):
        t = convert_to_tensor(shape)
        value = get_static_value(t)
        if value is None:
            if t.dtype not in _INDEX_DTYPES:
                R.check_allowed(op, t.dtype, _INDEX_DTYPES)
            if t.shape.rank not in (None, 1):
                R.fail(op, f"shape must be a vector of {{int32,int64}}, got shape {format_dims(t.shape.as_tuple())}")
            return None, t
        shape = value
    arr = np.asarray(shape)
    if arr.ndim != 1:
        R.fail(op, f"shape must be a vector of {{int32,int64}}, got shape {format_dims(arr.shape)}")
    if arr.size and arr.dtype.kind not in "iu":
        R.fail(op, f"Value for attr 'T' of {R.tf_name(_dt.from_numpy(arr.dtype)) if arr.dtype != object else 'object'} "
                   "is not in the list of allowed values: int32, int64")
    dims = tuple(int(d) for d in arr)
    _check_dims(op, dims)
    return dims, None


def _check_dims(op: str, dims) -> None:
    for d in dims:
        if d < 0:
            R.fail(op, f"Dimension {d} must be >= 0")


def _runtime_shape(op: str, value) -> tuple:
    dims = tuple(int(d) for d in np.reshape(value, -1))
    _check_dims(op, dims)
    return dims


def _split_shape_input(op: str, shape, args):
    """Pops the shape tensor (present when the static shape is None) off the kernel inputs."""
    if shape is None:
        return _runtime_shape(op, args[0]), args[1:]
    return shape, args


def _sample_shape_rule(op: str, params: str = "ignore"):
    """Output shape = the requested shape, + the parameters' broadcast shape when params="append".

    params="scalar" checks that the parameter inputs (minval, maxval) are scalars.
    """
    names = ("minval", "maxval")

    def rule(*shapes, shape, **_):
        if shape is None:
            s, shapes = shapes[0], shapes[1:]
            if s is not None and len(s) != 1:
                R.fail(op, f"shape must be a vector of {{int32,int64}}, got shape {format_dims(s)}")
            shape = None if s is None or s[0] is None else (None,) * s[0]
        if params == "scalar":
            for nm, s in zip(names, shapes):
                if s is not None and len(s) != 0:
                    R.fail(op, f"{nm} must be 0-D, got shape {format_dims(s)}")
        elif params == "append":
            extra = R.broadcast_shapes(op, *shapes) if shapes else ()
            return None if shape is None or extra is None else tuple(shape) + tuple(extra)
        return shape
    return rule


def _sample_dtype_rule(op: str, n_params: int = 0, params_like_out: bool = True, allowed=None):
    """Checks the shape input's dtype and the parameter dtypes; the output dtype is the attribute."""
    def rule(*dts, shape, dtype, **_):
        if shape is None:
            if dts[0] not in _INDEX_DTYPES:
                R.check_allowed(op, dts[0], _INDEX_DTYPES)
            dts = dts[1:]
        if allowed is not None and dtype not in allowed:
            R.check_allowed(op, dtype, allowed)
        for i, d in enumerate(dts[len(dts) - n_params:]):
            want = dtype if params_like_out else d
            if d is not want or not (d.is_floating or d.is_integer):
                R.fail(op, f"cannot compute {op} as input #{i}(zero-based) was expected to be a "
                           f"{R.tf_name(want)} tensor but is a {R.tf_name(d)} tensor")
        return dtype
    return rule


# ---- draws on NumPy Generators (shared by stateful and stateless kernels) --------------------------------

def _draw_normal(rng, shape, dtype):
    if dtype in (_dt.float32, _dt.float64):
        return rng.standard_normal(shape, dtype=dtype._np)
    return rng.standard_normal(shape, dtype=np.float32).astype(dtype._np)


def _draw_uniform(rng, shape, dtype):
    if dtype in (_dt.float32, _dt.float64):
        return rng.random(shape, dtype=dtype._np)
    # float16 rounding could turn 0.9999 into 1.0: keep the interval half-open
    x = rng.random(shape, dtype=np.float32).astype(dtype._np)
    return np.minimum(x, np.nextafter(dtype._np.type(1), dtype._np.type(0)))


def _draw_truncated(rng, shape, dtype):
    x = rng.standard_normal(shape)
    bad = np.abs(x) > 2.0
    while bad.any():  # resample outside two standard deviations (few rounds: P(|x|>2) ~ 4.6%)
        x[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(x) > 2.0
    return x.astype(dtype._np)


def _draw_uniform_int(op, rng, shape, dtype, lo, hi):
    for nm, v in (("minval", lo), ("maxval", hi)):
        if np.ndim(v) != 0:
            R.fail(op, f"{nm} must be 0-D, got shape {format_dims(np.shape(v))}")
    if int(np.prod(shape)) > 0 and not lo < hi:
        R.fail(op, f"Need minval < maxval, got {lo} >= {hi}")
    if int(np.prod(shape)) == 0:
        return np.zeros(shape, dtype=dtype._np)
    return rng.integers(lo, hi, size=shape, dtype=dtype._np)


def _draw_full_int(rng, shape, dtype):
    info = np.iinfo(dtype._np)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype._np, endpoint=True)


def _draw_categorical(op, rng, logits, num_samples, dtype):
    if np.ndim(logits) != 2:
        R.fail(op, f"logits should be a matrix, got shape {format_dims(np.shape(logits))}")
    batch, classes = logits.shape
    if num_samples < 0:
        R.fail(op, f"num_samples should be nonnegative, got {num_samples}")
    if classes == 0 and batch > 0:
        R.fail(op, "num_classes should be positive, got 0")
    if batch == 0 or num_samples == 0:
        return np.zeros((batch, num_samples), dtype=dtype._np)
    x = np.asarray(logits, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        p = np.exp(x - x.max(axis=1, keepdims=True))
        cdf = np.cumsum(p, axis=1)
        cdf /= cdf[:, -1:]
    # One searchsorted for all rows: row r's cdf lives in [r, r + 1].
    rows = np.arange(batch, dtype=np.float64)[:, None]
    u = rng.random((batch, num_samples)) + rows
    pos = np.searchsorted((cdf + rows).reshape(-1), u.reshape(-1), side="right").reshape(batch, num_samples)
    idx = np.clip(pos - np.arange(batch)[:, None] * classes, 0, classes - 1)
    return idx.astype(dtype._np)


def _draw_gamma(rng, shape, dtype, alpha):
    out_shape = tuple(shape) + np.shape(alpha)
    with np.errstate(invalid="ignore"):
        return rng.standard_gamma(np.broadcast_to(np.asarray(alpha, np.float64), out_shape)).astype(dtype._np)


def _draw_poisson(rng, shape, dtype, lam):
    out_shape = tuple(shape) + np.shape(lam)
    lam = np.broadcast_to(np.asarray(lam, np.float64), out_shape)
    if np.any(lam < 0) or np.any(np.isnan(lam)):  # TF gives NaN for an invalid rate
        with np.errstate(invalid="ignore"):
            return np.where(lam >= 0, rng.poisson(np.where(lam >= 0, lam, 0.0)), np.nan).astype(dtype._np)
    return rng.poisson(lam).astype(dtype._np)


def _draw_binomial(rng, shape, dtype, counts, probs):
    counts = np.broadcast_to(counts, shape)
    probs = np.broadcast_to(probs, shape)
    return rng.binomial(counts.astype(np.int64), np.clip(probs, 0.0, 1.0)).astype(dtype._np)


# ---- stateful primitives: the kernel looks the stream up at every run ------------------------------------

def _stateful_kernel(op: str, draw):
    def kernel(*args, shape, dtype, seed, seed2):
        shape, args = _split_shape_input(op, shape, args)
        return draw(_stream(op, dtype, seed, seed2), shape, dtype, *args)
    return kernel


normal_p = Primitive("RandomStandardNormal", _stateful_kernel("RandomStandardNormal", _draw_normal),
                     dtype_rule=_sample_dtype_rule("RandomStandardNormal", allowed=_FLOAT_DTYPES),
                     shape_rule=_sample_shape_rule("RandomStandardNormal"), stateful=True)

uniform_p = Primitive("RandomUniform", _stateful_kernel("RandomUniform", _draw_uniform),
                      dtype_rule=_sample_dtype_rule("RandomUniform", allowed=_FLOAT_DTYPES),
                      shape_rule=_sample_shape_rule("RandomUniform"), stateful=True)

truncated_normal_p = Primitive("TruncatedNormal", _stateful_kernel("TruncatedNormal", _draw_truncated),
                               dtype_rule=_sample_dtype_rule("TruncatedNormal", allowed=_FLOAT_DTYPES),
                               shape_rule=_sample_shape_rule("TruncatedNormal"), stateful=True)

uniform_int_p = Primitive(
    "RandomUniformInt",
    _stateful_kernel("RandomUniformInt", lambda rng, shape, dtype, lo, hi:
                     _draw_uniform_int("RandomUniformInt", rng, shape, dtype, lo, hi)),
    dtype_rule=_sample_dtype_rule("RandomUniformInt", 2, allowed=_INDEX_DTYPES),
    shape_rule=_sample_shape_rule("RandomUniformInt", "scalar"),
    stateful=True)

gamma_p = Primitive("RandomGamma", _stateful_kernel("RandomGamma", _draw_gamma),
                    dtype_rule=_sample_dtype_rule("RandomGamma", 1, allowed=_FLOAT_DTYPES),
                    shape_rule=_sample_shape_rule("RandomGamma", "append"), stateful=True)

poisson_p = Primitive("RandomPoissonV2", _stateful_kernel("RandomPoissonV2", _draw_poisson),
                      dtype_rule=_sample_dtype_rule("RandomPoissonV2", 1, params_like_out=False,
                                                    allowed=R.REAL),
                      shape_rule=_sample_shape_rule("RandomPoissonV2", "append"), stateful=True)


def _multinomial_kernel(logits, *, num_samples, dtype, seed, seed2):
    return _draw_categorical("Multinomial", _stream("Multinomial", dtype, seed, seed2), logits, num_samples, dtype)


def _multinomial_dtype(d, *, dtype, **_):
    R.check_allowed("Multinomial", d, R.REAL)
    if dtype not in _INDEX_DTYPES:
        R.check_allowed("Multinomial", dtype, _INDEX_DTYPES)
    return dtype


def _multinomial_shape(s, *, num_samples, **_):
    if s is not None and len(s) != 2:
        R.fail("Multinomial", f"logits should be a matrix, got shape {format_dims(s)}")
    return (None if s is None else s[0], num_samples)


categorical_p = Primitive("Multinomial", _multinomial_kernel, dtype_rule=_multinomial_dtype,
                          shape_rule=_multinomial_shape, stateful=True)


def _shuffle_kernel(x, *, seed, seed2):
    if np.ndim(x) == 0:
        return x
    return _stream("RandomShuffle", None, seed, seed2).permutation(x)


shuffle_p = Primitive("RandomShuffle", _shuffle_kernel, dtype_rule=lambda d, **_: d,
                      shape_rule=lambda s, **_: s, stateful=True)


# ---- public stateful API --------------------------------------------------------------------------------

def _float_dtype(fn: str, dtype):
    dtype = _dt.as_dtype(dtype)
    if dtype not in _FLOAT_DTYPES:
        raise TypeError(f"tf.random.{fn}: `dtype` must be a floating type (float16, bfloat16, float32, "
                        f"float64), got {dtype.name}")
    return dtype


def _is_py(x, value) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == value


def _scale_shift(rnd: Tensor, scale, shift, dtype) -> Tensor:
    """rnd * scale + shift, skipping the ops TF's samplers skip for the default 1 and 0."""
    if not _is_py(scale, 1):
        rnd = _math.multiply(rnd, convert_to_tensor(scale, dtype=dtype))
    if not _is_py(shift, 0):
        rnd = _math.add(rnd, convert_to_tensor(shift, dtype=dtype))
    return rnd


def _sample(prim: Primitive, shape, params, dtype, seed) -> Tensor:
    static, dynamic = _shape_arg(prim.name, shape)
    s1, s2, fresh = get_seed(seed)
    args = tuple(params) if dynamic is None else (dynamic,) + tuple(params)
    return _bind_stateful(prim, args, dict(shape=static, dtype=dtype, seed=s1, seed2=s2), fresh)


def normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None) -> Tensor:
    """Samples from a normal distribution (op `RandomStandardNormal`, then `* stddev + mean`).

    >>> import eagerflow as tf
    >>> tf.random.normal([2, 3], seed=1).shape
    TensorShape([2, 3])
    """
    dtype = _float_dtype("normal", dtype)
    return _scale_shift(_sample(normal_p, shape, (), dtype, seed), stddev, mean, dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None) -> Tensor:
    """Normal samples, re-drawn when more than two standard deviations from the mean.

    >>> import eagerflow as tf
    >>> bool((abs(tf.random.truncated_normal([100]).numpy()) <= 2).all())
    True
    """
    dtype = _float_dtype("truncated_normal", dtype)
    return _scale_shift(_sample(truncated_normal_p, shape, (), dtype, seed), stddev, mean, dtype)


def _check_uniform_dtype(dtype):
    dtype = _dt.as_dtype(dtype)
    if dtype not in _UNIFORM_DTYPES:
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
                         f"({', '.join(repr(d) for d in _UNIFORM_DTYPES)}).")
    return dtype


def uniform(shape, minval=0, maxval=None, dtype=_dt.float32, seed=None, name=None) -> Tensor:
    """Uniform samples in [minval, maxval); integer dtypes need `maxval`.

    >>> import eagerflow as tf
    >>> x = tf.random.uniform([4], minval=2, maxval=5, dtype=tf.int32, seed=3)
    >>> set(x.numpy().tolist()) <= {2, 3, 4}
    True
    """
    dtype = _check_uniform_dtype(dtype)
    if dtype.is_integer:
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        lo = convert_to_tensor(minval, dtype=dtype)
        hi = convert_to_tensor(maxval, dtype=dtype)
        return _sample(uniform_int_p, shape, (lo, hi), dtype, seed)
    rnd = _sample(uniform_p, shape, (), dtype, seed)
    return _uniform_range(rnd, minval, 1 if maxval is None else maxval, dtype)


def _uniform_range(rnd: Tensor, minval, maxval, dtype) -> Tensor:
    if _is_py(minval, 0):
        return rnd if _is_py(maxval, 1) else _math.multiply(rnd, convert_to_tensor(maxval, dtype=dtype))
    lo = convert_to_tensor(minval, dtype=dtype)
    hi = convert_to_tensor(maxval, dtype=dtype)
    return _math.add(_math.multiply(rnd, _math.subtract(hi, lo)), lo)


def categorical(logits, num_samples, dtype=None, seed=None, name=None) -> Tensor:
    """Draws `num_samples` class indices per row of unnormalized log-probabilities `logits`.

    >>> import eagerflow as tf
    >>> tf.random.categorical([[0.0, 0.0]], 4, seed=1).shape
    TensorShape([1, 4])
    """
    logits = convert_to_tensor(logits)
    dtype = _dt.int64 if dtype is None else _dt.as_dtype(dtype)
    s1, s2, fresh = get_seed(seed)
    attrs = dict(num_samples=_static_int("Multinomial", "num_samples", num_samples), dtype=dtype,
                 seed=s1, seed2=s2)
    return _bind_stateful(categorical_p, (logits,), attrs, fresh)


def _static_int(op: str, what: str, value) -> int:
    v = get_static_value(value) if isinstance(value, Tensor) else value
    if v is None:
        raise TypeError(f"{op}: `{what}` must be known statically (a Python int or a constant), got {value!r}")
    if np.ndim(v) != 0:
        R.fail(op, f"{what} should be a scalar, got shape {format_dims(np.shape(v))}")
    return int(v)


def shuffle(value, seed=None, name=None) -> Tensor:
    """Randomly shuffles a tensor along its first dimension.

    >>> import eagerflow as tf
    >>> sorted(tf.random.shuffle([1, 2, 3], seed=4).numpy().tolist())
    [1, 2, 3]
    """
    value = convert_to_tensor(value)
    s1, s2, fresh = get_seed(seed)
    out = bind(shuffle_p, value, seed=s1, seed2=s2)
    if fresh and _state.graph is None:
        settings.random_streams.pop(("RandomShuffle", None, s1, s2), None)
    return out


def gamma(shape, alpha, beta=None, dtype=_dt.float32, seed=None, name=None) -> Tensor:
    """Gamma samples of shape `shape + broadcast(alpha, beta).shape` (beta is the rate).

    >>> import eagerflow as tf
    >>> tf.random.gamma([5], [1.0, 2.0], seed=1).shape
    TensorShape([5, 2])
    """
    dtype = _float_dtype("gamma", dtype)
    alpha = convert_to_tensor(alpha, dtype=dtype)
    if beta is not None:
        beta = convert_to_tensor(beta, dtype=dtype)
        alpha = _math.add(alpha, _math.multiply(beta, convert_to_tensor(0, dtype=dtype)))  # broadcast
    out = _sample(gamma_p, shape, (alpha,), dtype, seed)
    return out if beta is None else _math.truediv(out, beta)


def poisson(shape, lam, dtype=_dt.float32, seed=None, name=None) -> Tensor:
    """Poisson samples of shape `shape + lam.shape`.

    >>> import eagerflow as tf
    >>> tf.random.poisson([3], [1.0, 5.0], seed=1).shape
    TensorShape([3, 2])
    """
    dtype = _dt.as_dtype(dtype)
    lam = convert_to_tensor(lam, dtype_hint=dtype if dtype.is_floating else _dt.float32)
    return _sample(poisson_p, shape, (lam,), dtype, seed)


# ---- stateless primitives: a pure function of the seed input ----------------------------------------

def _stateless_kernel(op: str, draw):
    def kernel(*args, shape, dtype):
        shape, args = _split_shape_input(op, shape, args)
        return draw(_seeded(args[0]), shape, dtype, *args[1:])
    return kernel


def _stateless_dtype_rule(op: str, n_params: int = 0, allowed=_FLOAT_DTYPES, params_like_out=True):
    inner = _sample_dtype_rule(op, n_params, params_like_out, allowed)

    def rule(*dts, shape, dtype):
        seed_at = 0 if shape is not None else 1
        if dts[seed_at] not in _INDEX_DTYPES:
            R.fail(op, f"Value for attr 'Tseed' of {R.tf_name(dts[seed_at])} is not in the list of allowed values: "
                       "int32, int64")
        return inner(*dts[:seed_at], *dts[seed_at + 1:], shape=shape, dtype=dtype)
    return rule


def _stateless_shape_rule(op: str, params="ignore"):
    inner = _sample_shape_rule(op, params)

    def rule(*shapes, shape, **_):
        seed_at = 0 if shape is not None else 1
        return inner(*shapes[:seed_at], *shapes[seed_at + 1:], shape=shape)
    return rule


def _stateless(op: str, draw, n_params=0, allowed=_FLOAT_DTYPES, params="ignore", params_like_out=True):
    return Primitive(op, _stateless_kernel(op, draw),
                     dtype_rule=_stateless_dtype_rule(op, n_params, allowed, params_like_out),
                     shape_rule=_stateless_shape_rule(op, params))


stateless_normal_p = _stateless("StatelessRandomNormal", _draw_normal)
stateless_uniform_p = _stateless("StatelessRandomUniform", _draw_uniform)
stateless_truncated_normal_p = _stateless("StatelessTruncatedNormal", _draw_truncated)
stateless_uniform_int_p = _stateless(
    "StatelessRandomUniformInt",
    lambda rng, shape, dtype, lo, hi: _draw_uniform_int("StatelessRandomUniformInt", rng, shape, dtype, lo, hi),
    n_params=2, allowed=_INDEX_DTYPES, params="scalar")
stateless_full_int_p = _stateless("StatelessRandomUniformFullInt", _draw_full_int,
                                  allowed=frozenset([_dt.int32, _dt.int64, _dt.uint32, _dt.uint64]))
stateless_gamma_p = _stateless("StatelessRandomGammaV2", _draw_gamma, n_params=1, params="append")
stateless_poisson_p = _stateless("StatelessRandomPoisson", _draw_poisson, n_params=1, allowed=R.REAL,
                                 params="append", params_like_out=False)
stateless_binomial_p = _stateless("StatelessRandomBinomial", _draw_binomial, n_params=2, allowed=R.REAL,
                                  params_like_out=False)


def _stateless_multinomial_kernel(logits, seed, *, num_samples, dtype):
    return _draw_categorical("StatelessMultinomial", _seeded(seed), logits, num_samples, dtype)


stateless_categorical_p = Primitive(
    "StatelessMultinomial", _stateless_multinomial_kernel,
    dtype_rule=lambda d, s, **a: _multinomial_dtype(d, **a),
    shape_rule=lambda s, seed, **a: _multinomial_shape(s, **a))


# ---- public stateless API ---------------------------------------------------------------------------

def _seed_tensor(seed, check: bool = True) -> Tensor:
    seed = convert_to_tensor(seed)
    if seed.dtype not in _INDEX_DTYPES:
        R.fail("StatelessRandomGetKeyCounter", f"Value for attr 'Tseed' of {R.tf_name(seed.dtype)} is not in the list "
                                               "of allowed values: int32, int64")
    s = seed.shape.as_tuple()
    if check and s is not None and s != (2,) and None not in s:
        R.fail("StatelessRandomGetKeyCounter", f"seed must have shape [2], not {format_dims(s)}")
    return seed


def _stateless_sample(prim: Primitive, shape, seed: Tensor, params, dtype) -> Tensor:
    static, dynamic = _shape_arg(prim.name, shape)
    args = (seed,) + tuple(params) if dynamic is None else (dynamic, seed) + tuple(params)
    return bind(prim, *args, shape=static, dtype=dtype)


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None, alg="auto_select"):
    """Normal samples that depend only on `seed` (a shape-[2] int tensor).

    >>> import eagerflow as tf
    >>> a = tf.random.stateless_normal([2], seed=[1, 2])
    >>> bool((a.numpy() == tf.random.stateless_normal([2], seed=[1, 2]).numpy()).all())
    True
    """
    dtype = _float_dtype("stateless_normal", dtype)
    rnd = _stateless_sample(stateless_normal_p, shape, _seed_tensor(seed), (), dtype)
    return _scale_shift(rnd, stddev, mean, dtype)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None,
                               alg="auto_select"):
    """Truncated normal samples that depend only on `seed`."""
    dtype = _float_dtype("stateless_truncated_normal", dtype)
    rnd = _stateless_sample(stateless_truncated_normal_p, shape, _seed_tensor(seed), (), dtype)
    return _scale_shift(rnd, stddev, mean, dtype)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=_dt.float32, name=None, alg="auto_select"):
    """Uniform samples that depend only on `seed`; integers need both bounds, or neither (full range).

    >>> import eagerflow as tf
    >>> tf.random.stateless_uniform([3], seed=[4, 2], maxval=10, dtype=tf.int64).dtype
    tf.int64
    """
    dtype = _dt.as_dtype(dtype)
    seed = _seed_tensor(seed)
    return _uniform_from_seed(shape, seed, minval, maxval, dtype, stateless=True)


def _uniform_from_seed(shape, seed, minval, maxval, dtype, stateless: bool) -> Tensor:
    if dtype.is_integer:
        if (minval is None) != (maxval is None):
            if stateless:
                raise ValueError(f"For integer `dtype` argument {dtype}, argument `minval` and `maxval` must be "
                                 f"both None or not None. Got `minval`={minval} and `maxval`={maxval}.")
            raise ValueError(f"For integer dtype {dtype}, minval and maxval must be both `None` or both "
                             f"non-`None`; got minval={minval} and maxval={maxval}")
        if minval is None:
            return _stateless_sample(stateless_full_int_p, shape, seed, (), dtype)
        if dtype not in _INDEX_DTYPES:
            _check_uniform_dtype(dtype)
        lo, hi = convert_to_tensor(minval, dtype=dtype), convert_to_tensor(maxval, dtype=dtype)
        return _stateless_sample(stateless_uniform_int_p, shape, seed, (lo, hi), dtype)
    dtype = _check_uniform_dtype(dtype)
    rnd = _stateless_sample(stateless_uniform_p, shape, seed, (), dtype)
    return _uniform_range(rnd, 0 if minval is None else minval, 1 if maxval is None else maxval, dtype)


def stateless_categorical(logits, num_samples, seed, dtype=_dt.int64, name=None) -> Tensor:
    """`categorical` as a pure function of `seed`."""
    logits = convert_to_tensor(logits)
    return bind(stateless_categorical_p, logits, _seed_tensor(seed),
                num_samples=_static_int("StatelessMultinomial", "num_samples", num_samples),
                dtype=_dt.as_dtype(dtype))


def stateless_binomial(shape, seed, counts, probs, output_dtype=_dt.int32, name=None) -> Tensor:
    """Binomial samples (counts trials with success probability probs) as a function of `seed`."""
    counts = convert_to_tensor(counts, dtype_hint=_dt.float32)
    probs = convert_to_tensor(probs, dtype_hint=counts.dtype)
    return _stateless_sample(stateless_binomial_p, shape, _seed_tensor(seed), (counts, probs),
                             _dt.as_dtype(output_dtype))


def stateless_gamma(shape, seed, alpha, beta=None, dtype=_dt.float32, name=None) -> Tensor:
    """Gamma samples of shape `shape` (alpha, beta broadcast to it) as a function of `seed`."""
    dtype = _float_dtype("stateless_gamma", dtype)
    alpha = _broadcast_param("StatelessRandomGammaV2", shape, convert_to_tensor(alpha, dtype=dtype))
    out = bind(stateless_gamma_p, _seed_tensor(seed), alpha, shape=(), dtype=dtype)
    return out if beta is None else _math.truediv(out, convert_to_tensor(beta, dtype=dtype))


def stateless_poisson(shape, seed, lam, dtype=_dt.int32, name=None) -> Tensor:
    """Poisson samples of shape `shape` (lam broadcast to it) as a function of `seed`."""
    lam = _broadcast_param("StatelessRandomPoisson", shape, convert_to_tensor(lam, dtype_hint=_dt.float32))
    return bind(stateless_poisson_p, _seed_tensor(seed), lam, shape=(), dtype=_dt.as_dtype(dtype))


def _broadcast_param(op: str, shape, param: Tensor) -> Tensor:
    """TF's stateless gamma/poisson broadcast their parameter to `shape` (static shapes only here)."""
    static, _ = _shape_arg(op, shape)
    if static is None:
        raise TypeError(f"{op}: `shape` must be known statically (a list of ints or a constant tensor)")
    return _array.broadcast_to(param, static)


def split(seed, num=2, alg="auto_select") -> Tensor:
    """`num` new stateless seeds (shape [num, 2]) derived from `seed`.

    >>> import eagerflow as tf
    >>> tf.random.split([1, 2], 3).shape
    TensorShape([3, 2])
    """
    seed = _seed_tensor(seed)
    return _stateless_sample(stateless_full_int_p, [int(num), 2], seed, (), seed.dtype)


def fold_in(seed, data, alg="auto_select") -> Tensor:
    """A new stateless seed (shape [2]) that mixes `data` (an int) into `seed`."""
    seed = _seed_tensor(seed)
    data = _math.cast(convert_to_tensor(data, dtype_hint=_dt.int64), seed.dtype)
    mixed = _array_concat_seed(seed, data)
    return _stateless_sample(stateless_full_int_p, [2], mixed, (), seed.dtype)


def _array_concat_seed(seed: Tensor, data: Tensor) -> Tensor:
    """[seed[0] , seed[1], data] as one seed vector (via Pack on the unstacked parts)."""
    from_seed = _array.unstack(seed, num=2)
    return _array.stack([from_seed[0], from_seed[1], data])
