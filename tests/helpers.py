"""The shared op checker every op test goes through.

`check_op(fn, *inputs, ref=...)` checks, for one op and sample inputs:

1. value: eager result equals the NumPy reference (and its dtype is the declared one);
2. gradient: tape gradient of a random projection of the output equals central finite
   differences in float64, for every floating input (unless grad=False);
3. graph: `tf.function(fn)` gives the same value as eager;
4. shape inference: tracing with every dimension unknown (None) yields a static shape
   compatible with the actual result, and tracing with full shapes yields exactly it.
"""
from __future__ import annotations

import numpy as np

import eagerflow as tf


def _to_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _np(x):
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


def assert_close(actual, expected, rtol=1e-5, atol=1e-6, msg=""):
    a, e = np.asarray(_np(actual)), np.asarray(expected)  # scalar string tensors give bytes
    assert a.shape == e.shape, f"{msg} shape {a.shape} != expected {e.shape}"
    if a.dtype == object or a.dtype.kind in "bSU":
        np.testing.assert_array_equal(a, e, err_msg=msg)
    else:
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=msg, equal_nan=True)


def numeric_grad(f, args, index, eps=1e-6):
    """Central finite differences of scalar f(*args) w.r.t. args[index] (float64 arrays)."""
    x = np.array(args[index], dtype=np.float64)
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f(*[x if j == index else a for j, a in enumerate(args)])
        flat[i] = old - eps
        minus = f(*[x if j == index else a for j, a in enumerate(args)])
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * eps)
    return g


def check_value(fn, *inputs, ref=None, expected=None, dtype=None, rtol=1e-5, atol=1e-6):
    tensors = [tf.constant(a) if isinstance(a, np.ndarray) else a for a in inputs]
    out = fn(*tensors)
    if expected is None and ref is not None:
        expected = ref(*inputs)
    for o, e in zip(_to_list(out), _to_list(expected) if expected is not None else _to_list(out)):
        assert isinstance(o, tf.Tensor), f"expected a Tensor, got {type(o)}"
        val = o._value
        assert np.asarray(val).dtype == o.dtype.as_numpy_dtype or o.dtype == tf.string or o.dtype == tf.bfloat16, \
            f"kernel returned {np.asarray(val).dtype} but declared {o.dtype.name}"
        if dtype is not None:
            assert o.dtype == dtype, f"dtype {o.dtype.name} != {tf.as_dtype(dtype).name}"
        if expected is not None:
            assert_close(o, e, rtol=rtol, atol=atol)
    return out


def check_grad(fn, *inputs, wrt=None, eps=1e-6, rtol=1e-4, atol=1e-6, seed=0):
    """Tape gradient vs finite differences, in float64, of sum(w * fn(x)) for random w."""
    args = [np.asarray(a, dtype=np.float64) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
            for a in inputs]
    float_idx = [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype == np.float64]
    if wrt is not None:
        float_idx = [i for i in float_idx if i in wrt]
    rng = np.random.RandomState(seed)
    outs = _to_list(fn(*[tf.constant(a) if isinstance(a, np.ndarray) else a for a in args]))
    weights = [rng.uniform(0.5, 1.5, size=np.shape(_np(o))) if o.dtype.is_floating else None for o in outs]

    def scalar(*xs):
        res = _to_list(fn(*[tf.constant(a) if isinstance(a, np.ndarray) else a for a in xs]))
        return sum(float(np.sum(_np(r) * w)) for r, w in zip(res, weights) if w is not None)

    for i in float_idx:
        x = tf.constant(args[i])
        with tf.GradientTape() as tape:
            tape.watch(x)
            call_args = [x if j == i else (tf.constant(a) if isinstance(a, np.ndarray) else a)
                         for j, a in enumerate(args)]
            res = _to_list(fn(*call_args))
            total = tf.add_n([tf.reduce_sum(r * tf.constant(w, dtype=r.dtype))
                              for r, w in zip(res, weights) if w is not None])
        g = tape.gradient(total, x)
        expected = numeric_grad(scalar, args, i, eps)
        actual = np.zeros_like(expected) if g is None else _np(g)
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol,
                                   err_msg=f"gradient w.r.t. input {i} differs from finite differences")


def check_graph(fn, *inputs, rtol=1e-5, atol=1e-6):
    """tf.function(fn) equals eager fn; traced static shapes are consistent with results."""
    tensors = [tf.constant(a) if isinstance(a, np.ndarray) else a for a in inputs]
    eager = _to_list(fn(*tensors))
    graph = _to_list(tf.function(fn)(*tensors))
    assert len(eager) == len(graph)
    for e, g in zip(eager, graph):
        assert e.dtype == g.dtype
        assert_close(g, _np(e), rtol=rtol, atol=atol, msg="graph vs eager")
    # Shape inference with every dimension unknown.
    arr_idx = [i for i, a in enumerate(inputs) if isinstance(a, np.ndarray)]
    specs = [tf.TensorSpec([None] * inputs[i].ndim, tf.as_dtype(inputs[i].dtype)) for i in arr_idx]

    def partial(*arrays):
        full = list(inputs)
        for i, a in zip(arr_idx, arrays):
            full[i] = a
        return fn(*full)

    try:
        cf = tf.function(partial).get_concrete_function(*specs)
    except (TypeError, ValueError) as e:  # ops that need static shapes must say so clearly
        assert "shape" in str(e).lower() or "static" in str(e).lower() or "known" in str(e).lower(), str(e)
        return
    for e, o in zip(eager, _to_list(cf.structured_outputs)):
        assert o.shape.is_compatible_with(e.shape), f"unknown-dims shape {o.shape} vs actual {e.shape}"
    cf_full = tf.function(partial).get_concrete_function(
        *[tf.TensorSpec(inputs[i].shape, tf.as_dtype(inputs[i].dtype)) for i in arr_idx])
    for e, o in zip(eager, _to_list(cf_full.structured_outputs)):
        assert o.shape.is_compatible_with(e.shape), f"static shape {o.shape} vs actual {e.shape}"


def check_op(fn, *inputs, ref=None, expected=None, dtype=None, grad=True, graph=True, wrt=None,
             rtol=1e-5, atol=1e-6, grad_rtol=1e-4, grad_atol=1e-6, eps=1e-6):
    """All four checks for one op on sample inputs (NumPy arrays become tensors)."""
    out = check_value(fn, *inputs, ref=ref, expected=expected, dtype=dtype, rtol=rtol, atol=atol)
    if grad:
        check_grad(fn, *inputs, wrt=wrt, eps=eps, rtol=grad_rtol, atol=grad_atol)
    if graph and hasattr(tf, "function"):
        check_graph(fn, *inputs, rtol=rtol, atol=atol)
    return out
