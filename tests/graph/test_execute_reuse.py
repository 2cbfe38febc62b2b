"""The executor's buffer reuse: ufunc nodes write into dying intermediates, bitwise as eager.

Reuse must never touch a buffer anyone else can see: feeds, captures, constants, variables,
fetched outputs, or values a non-ufunc node saw (it may return a view or keep the array).
"""
import threading

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf
from eagerflow.graph.execute import compile_graph

SPECIALS = np.array([0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, 1e-45, -1e-38, 3e38, 7.0, -7.5, 0.5,
                     -0.5, 1e30, 2.0], np.float32)


def _bits(a):
    a = np.asarray(a)
    return a.view(np.dtype(f"u{a.dtype.itemsize}")) if a.dtype.kind == "f" else a


def _reused_lines(cf):
    return [ln for ln in cf._exe.source.splitlines() if "buffer" in ln]


def _same_bits(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(_bits(got.numpy()), _bits(want.numpy()))


def chain(x):
    y = x * 1.001
    y = y + 0.01
    y = y - 0.005
    y = tf.maximum(y, -1.0)
    y = -tf.abs(y)
    y = tf.square(y) * y
    y = tf.floor(y) + tf.math.ceil(y * 0.3) - tf.math.rint(y * 0.7)
    return tf.minimum(y, 5.0) * tf.sign(y)


def test_ufunc_chain_writes_into_dying_buffers_and_matches_eager_bitwise():
    x = tf.constant(SPECIALS.reshape(4, 4))
    with np.errstate(all="ignore"):
        f = tf.function(chain)
        got, want = f(x), chain(x)
    _same_bits(got, want)
    cf = f.get_concrete_function(x)
    lines = _reused_lines(cf)
    assert len(lines) >= 8
    assert lines[0].strip().startswith("k_AddV2_") and lines[0].endswith("'s buffer")
    src = cf._exe.source
    assert str(cf._exe) == src and "k_Maximum_" in src and "k_Maximum_" not in "".join(lines)


def test_feeds_captures_constants_and_variables_are_never_written():
    x_np = np.arange(6, dtype=np.float32).reshape(2, 3)
    c = tf.constant(np.full((2, 3), 2.0, np.float32))
    v = tf.Variable(np.ones((2, 3), np.float32))

    @tf.function
    def f(x):
        a = -x            # x (a feed) dies here: not reused
        b = a + c         # c (a capture) dies here: not reused
        d = b * v         # the variable's value: not reused
        return d + 1.0    # the constant: not reused, d is
    x = tf.constant(x_np)
    out = f(x)
    out = f(x)
    np.testing.assert_array_equal(x.numpy(), x_np)
    np.testing.assert_array_equal(c.numpy(), np.full((2, 3), 2.0, np.float32))
    np.testing.assert_array_equal(v.numpy(), np.ones((2, 3), np.float32))
    np.testing.assert_array_equal(out.numpy(), (-x_np + 2.0) * 1.0 + 1.0)
    # all three writes go into -x's fresh array, none into a0 (feed), b0 (capture), a variable or c*
    lines = _reused_lines(f.get_concrete_function(x))
    targets = [ln.split("#")[0].strip().rstrip(")").rsplit(", ", 1)[1] for ln in lines]
    assert targets == ["t1", "t1", "t1"]


def test_fetched_values_and_values_seen_by_other_ops_keep_their_buffers():
    v = tf.Variable(np.zeros((2, 4), np.float32))

    def f(x):
        a = x * 2.0
        b = a + 1.0            # a is also an output: b must not overwrite it
        r = tf.reshape(b, [8])  # r may be a view of b
        e = b * 3.0            # b's last use, but r (fetched) may see it
        w = e - 1.0
        v.assign(w)            # the variable keeps w's array
        z = w * 0.5            # w's last use: the variable must not change
        return a, r, z

    x = tf.constant(np.arange(8, dtype=np.float32).reshape(2, 4))
    want = f(x)
    saved = v.numpy().copy()
    got = tf.function(f)(x)
    for g, w in zip(got, want):
        _same_bits(g, w)
    np.testing.assert_array_equal(v.numpy(), saved)


@pytest.mark.parametrize("spec", [tf.TensorSpec([None, 4]), tf.TensorSpec([1]), tf.TensorSpec([])])
def test_unknown_single_element_and_scalar_shapes_allocate(spec):
    cf = tf.function(lambda x: (x * 2.0 + 1.0) * 3.0).get_concrete_function(spec)
    x = tf.ones([3, 4] if spec.shape.rank == 2 else spec.shape.as_list())
    assert cf(x).numpy().tolist() == ((x.numpy() * 2.0 + 1.0) * 3.0).tolist()
    assert _reused_lines(cf) == []


def test_integer_and_bool_chains_reuse_and_match_eager():
    def f(i, b):
        j = (i * 3 + 7) - i
        k = ~((j ^ 5) & 12) | 3
        m = tf.logical_not(tf.logical_and(b, b)) | b
        return k, m
    i = tf.constant(np.arange(-4, 4, dtype=np.int32))
    b = tf.constant(np.arange(8) % 3 == 0)
    g = tf.function(f)
    for got, want in zip(g(i, b), f(i, b)):
        _same_bits(got, want)
    assert len(_reused_lines(g.get_concrete_function(i, b))) >= 3


def test_transcendentals_and_broadcast_growth_allocate():
    def f(x, y):
        a = tf.tanh(x * 2.0)                    # x * 2.0 dies at tanh, which allocates (not exactly rounded)
        b = tf.cast(a > 0.0, tf.float32) + a    # a (tanh's fresh result) dies here: reused
        return b, (x * 3.0) + y                 # [4] + [3, 4] grows: not into (x * 3.0)
    x, y = tf.constant([0.5, -1.0, 2.0, 0.0]), tf.ones([3, 4])
    cf = tf.function(f).get_concrete_function(x, y)
    for got, want in zip(cf(x, y), f(x, y)):
        _same_bits(got, want)
    lines = [ln.strip() for ln in cf._exe.source.splitlines()[1:]]
    assert next(ln for ln in lines if "k_Tanh" in ln).startswith("t")
    assert next(ln for ln in lines if "a1" in ln).startswith("t")
    (reused,) = _reused_lines(cf)
    assert reused.strip().startswith("k_AddV2_")


def test_no_reuse_across_dtypes():
    def f(z):
        m = tf.abs(z * z)        # complex64 -> float32: the complex buffer does not take it
        return tf.abs(m - 1.0)  # float32 -> float32: reused
    z = tf.constant(np.array([1 + 2j, -3j, 0.5, 2 - 1j], np.complex64))
    g = tf.function(f)
    got = g(z)
    assert got.numpy().dtype == np.float32
    _same_bits(got, f(z))
    lines = _reused_lines(g.get_concrete_function(z))
    assert len(lines) == 2 and "k_ComplexAbs" not in "".join(lines)


def test_reuse_can_be_switched_off():
    g = tf.Graph()
    with g.as_default():
        x = g.placeholder(tf.float32, [4], name="x")
        y = (x * 2.0 + 1.0) * 3.0
    on, off = compile_graph(g, [x], [y]), compile_graph(g, [x], [y], reuse_buffers=False)
    assert "buffer" in on.source and "buffer" not in off.source
    arr = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    np.testing.assert_array_equal(on.run(arr)[0], off.run(arr)[0])
    np.testing.assert_array_equal(arr, [1.0, 2.0, 3.0, 4.0])


def test_concurrent_calls_do_not_share_buffers():
    f = tf.function(chain)
    xs = [tf.constant(np.full((4, 4), i, np.float32)) for i in range(4)]
    want = [chain(x).numpy() for x in xs]
    f(xs[0])
    errors = []

    def worker(i):
        for _ in range(200):
            if not np.array_equal(f(xs[i]).numpy(), want[i]):
                errors.append(i)
                return
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


_UNARY = [tf.negative, tf.abs, tf.square, tf.sign, tf.floor, tf.math.ceil, tf.math.rint]
_BINARY = [tf.add, tf.subtract, tf.multiply, tf.maximum, tf.minimum]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_UNARY) + len(_BINARY) - 1), st.integers(0, 15)), min_size=1,
                max_size=12),
       st.lists(st.sampled_from(list(SPECIALS)), min_size=16, max_size=16))
def test_random_ufunc_chains_match_eager_bitwise(steps, values):
    """Chains mixing unary ops, ops with constants and ops on earlier values, special floats included."""
    def f(x):
        vals = [x]
        for op, k in steps:
            y = vals[-1]
            if op < len(_UNARY):
                y = _UNARY[op](y)
            elif k % 2:
                y = _BINARY[op - len(_UNARY)](y, float(SPECIALS[k]))
            else:
                y = _BINARY[op - len(_UNARY)](vals[k % len(vals)], y)
            vals.append(y)
        return vals[-1], vals[len(vals) // 2]

    x = tf.constant(np.array(values, np.float32).reshape(2, 8))
    with np.errstate(all="ignore"):
        got, want = tf.function(f)(x), f(x)
    for g, w in zip(got, want):
        _same_bits(g, w)
