"""Control-flow ops: tf.cond, tf.case, tf.switch_case, tf.while_loop, tf.TensorArray, map_fn/foldl/foldr/scan
and tf.debugging.Assert, eagerly and in graphs (values, gradients, node types, errors)."""
import collections
import contextlib
import io
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

import eagerflow as tf
from helpers import check_op

C = tf.constant


def _types(fn, *specs):
    return [op.type for op in tf.function(fn).get_concrete_function(*specs).graph.get_operations()]


# ---- cond ----------------------------------------------------------------------------------------------------

def _piecewise(x):
    return tf.cond(tf.reduce_sum(x) > 0.0, lambda: x * x + 1.0, lambda: tf.sin(x) * 2.0)


@pytest.mark.parametrize("values", [[0.5, 1.5, -0.2], [-1.0, -2.0, 0.5]])
def test_cond_value_gradient_graph(values):
    x = np.array(values)
    ref = (lambda a: a * a + 1.0) if x.sum() > 0 else (lambda a: np.sin(a) * 2.0)
    check_op(_piecewise, x.astype(np.float32), ref=ref, rtol=1e-5)
    check_op(_piecewise, x, ref=ref)  # float64 gradients against finite differences


def test_cond_eager_returns_python_values_as_is():
    assert tf.cond(C(True), lambda: 1, lambda: 2) == 1
    assert tf.cond(C(1.0), lambda: "a", lambda: "b") == "a"  # eagerly any truthy predicate


def test_cond_in_a_graph_is_one_if_node():
    types = _types(lambda x: tf.cond(x > 0, lambda: x, lambda: -x), tf.TensorSpec([], tf.float32))
    assert types.count("StatelessIf") == 1
    types = _types(lambda x: tf.cond(x > 0, lambda: tf.print(x) or x, lambda: x), tf.TensorSpec([], tf.float32))
    assert "If" in types and "StatelessIf" not in types  # a branch with a side effect: stateful If


def test_cond_nested_structures_python_values_and_none():
    f = tf.function(lambda x: tf.cond(x > 0, lambda: {"a": (x, 1), "b": None}, lambda: {"a": (-x, 2), "b": None}))
    out = f(C(3.0))
    assert out["b"] is None and float(out["a"][0]) == 3.0 and int(out["a"][1]) == 1
    assert int(f(C(-3.0))["a"][1]) == 2


def test_cond_output_shapes_merge_to_unknown_dims():
    f = tf.function(lambda x: tf.cond(x[0] > 0, lambda: x, lambda: tf.concat([x, x], 0)))
    cf = f.get_concrete_function(tf.TensorSpec([2], tf.float32))
    assert cf.structured_outputs.shape.as_list() == [None]
    assert f(C([-1.0, 2.0])).shape == (4,)


def test_cond_errors():
    with pytest.raises(TypeError, match="'true_fn' must be callable"):
        tf.cond(C(True), 1, lambda: 2)
    with pytest.raises(TypeError, match="'false_fn' argument required"):
        tf.cond(C(True), lambda: 1)
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        tf.function(lambda x: tf.cond(True, lambda: x, lambda: x))(C(1.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input 'pred' passed float expected bool"):
        tf.function(lambda x: tf.cond(x, lambda: x, lambda: x))(C(1.0))
    with pytest.raises(ValueError, match="pred must be a scalar"):
        tf.function(lambda x: tf.cond(x > 0, lambda: x, lambda: x))(C([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"(?s)true_fn and false_fn arguments to tf.cond must have the same number.*"
                                        r"have different types"):
        tf.function(lambda x: tf.cond(x > 0, lambda: x, lambda: tf.cast(x, tf.int32)))(C(1.0))
    with pytest.raises(TypeError, match=r"(?s)same number, type, and overall structure.*don't have the same set of keys"):
        tf.function(lambda x: tf.cond(x > 0, lambda: {"a": x}, lambda: {"b": x}))(C(1.0))
    with pytest.raises(TypeError, match="not a tensor"):
        tf.function(lambda x: tf.cond(x > 0, lambda: object(), lambda: object()))(C(1.0))


def test_cond_captures_variables_reads_and_assignments():
    v = tf.Variable(2.0)

    @tf.function
    def f(x):
        tf.cond(x > 0, lambda: v.assign_add(x), lambda: v.assign(0.0))
        return v.read_value() * 1.0

    assert float(f(C(1.5))) == 3.5
    assert float(f(C(-1.0))) == 0.0
    assert float(f(C(2.0))) == 2.0


def test_cond_gradients_reach_variables_inside_and_around_the_function():
    v = tf.Variable(3.0)

    def loss(x):
        return tf.cond(x > 0, lambda: v * v * x, lambda: v * 1.0)

    def grad(x):
        with tf.GradientTape() as t:
            y = loss(x)
        return t.gradient(y, v)

    for x in (C(2.0), C(-1.0)):
        eager = grad(x)
        assert float(tf.function(grad)(x)) == float(eager)
        with tf.GradientTape() as t:
            y = tf.function(loss)(x)
        assert float(t.gradient(y, v)) == float(eager)


def test_second_order_gradient_through_cond():
    def second(x):
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.cond(x > 0, lambda: x * x * x, lambda: x)
            g = t1.gradient(y, x)
        return t2.gradient(g, x)

    assert float(second(C(2.0))) == 12.0
    assert float(tf.function(second)(C(2.0))) == 12.0


# ---- case / switch_case ------------------------------------------------------------------------------------------

def test_switch_case_eager_graph_and_default():
    branches = [lambda: C(10), lambda: C(20)]
    assert int(tf.switch_case(C(1), branches)) == 20
    assert int(tf.switch_case(C(7), branches)) == 20  # out of range: the last branch
    assert int(tf.switch_case(C(-1), branches, default=lambda: C(99))) == 99
    f = tf.function(lambda i: tf.switch_case(i, {0: lambda: C(10), 1: lambda: C(20)}, default=lambda: C(99)))
    assert [int(f(C(i))) for i in (0, 1, 5, -3)] == [10, 20, 99, 99]
    assert "StatelessCase" in _types(f, tf.TensorSpec([], tf.int32))


def test_switch_case_gradient():
    def fn(x):
        return tf.switch_case(tf.cast(tf.reduce_sum(x) > 1.0, tf.int32), [lambda: x * 3.0, lambda: x * x])

    check_op(fn, np.array([0.3, 0.2]), ref=lambda a: a * 3.0)
    check_op(fn, np.array([0.8, 0.9]), ref=lambda a: a * a)


def test_switch_case_errors():
    with pytest.raises(ValueError, match="contiguous range"):
        tf.switch_case(C(0), [(0, lambda: 1), (2, lambda: 2)])
    with pytest.raises(TypeError, match="not callable"):
        tf.switch_case(C(0), [1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input 'branch_index' passed float expected int32"):
        tf.function(lambda i: tf.switch_case(i, [lambda: C(1), lambda: C(2)]))(C(1.0))


def test_case_first_true_default_and_exclusive():
    x = C(5)
    pairs = [(x < 0, lambda: C(-1)), (x > 0, lambda: C(1)), (x > 3, lambda: C(3))]
    assert int(tf.case(pairs, default=lambda: C(0))) == 1
    f = tf.function(lambda x: tf.case([(x < 0, lambda: C(-1)), (x > 0, lambda: C(1))], default=lambda: C(0)))
    assert [int(f(C(v))) for v in (-4, 4, 0)] == [-1, 1, 0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive=True: more than 1 conditions"):
        tf.case(pairs, default=lambda: C(0), exclusive=True)
    with pytest.raises(tf.errors.InvalidArgumentError, match="None of conditions evaluated as True"):
        tf.case([(x < 0, lambda: C(-1))])
    g = tf.function(lambda x: tf.case([(x < 0, lambda: C(-1))]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"assertion failed: \[Input error: None of conditions"):
        g(C(1))
    with pytest.raises(TypeError, match="2-tuple"):
        tf.case([x < 0])


# ---- while_loop --------------------------------------------------------------------------------------------------

def _power(x):
    return tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * x), (0, tf.ones_like(x)))[1]


def test_while_loop_value_gradient_graph():
    check_op(_power, np.array([0.5, 1.5, -2.0]), ref=lambda a: a ** 3)
    check_op(_power, np.array([[0.5, 1.5], [1.1, -0.3]], np.float32), ref=lambda a: a ** 3, rtol=1e-5)


def test_while_loop_structures_and_single_vars():
    Pair = collections.namedtuple("Pair", "a b")
    out = tf.while_loop(lambda p: p.a < 5, lambda p: [Pair(p.a + 1, p.b * 2)], [Pair(C(0), C(1))])
    assert isinstance(out, list) and int(out[0].a) == 5 and int(out[0].b) == 32
    f = tf.function(lambda x: tf.while_loop(lambda i: i < 10.0, lambda i: i + x, [x]))
    res = f(C(3.0))
    assert isinstance(res, list) and float(res[0]) == 12.0
    i, d = tf.function(lambda x: tf.while_loop(lambda i, d: i < 3, lambda i, d: (i + 1, {"k": d["k"] + x}),
                                               (0, {"k": x})))(C(2.0))
    assert int(i) == 3 and float(d["k"]) == 8.0
    assert int(tf.while_loop(lambda i: i < 4, lambda i: i + 1, C(0))) == 4  # a lone tensor


def test_while_loop_maximum_iterations():
    body = (lambda i: [i + 1])
    assert int(tf.while_loop(lambda i: i < 10, body, [C(0)], maximum_iterations=3)[0]) == 3
    f = tf.function(lambda n: tf.while_loop(lambda i: i < 10, body, [C(0)], maximum_iterations=n)[0])
    assert int(f(C(4))) == 4 and int(f(C(40))) == 10


def test_while_loop_shape_invariants():
    f = tf.function(lambda x: tf.while_loop(lambda v: tf.reduce_sum(v) < 10.0, lambda v: [tf.concat([v, v], 0)],
                                            [x], shape_invariants=[tf.TensorShape([None])])[0])
    assert f(C([1.0])).shape == (16,)
    cf = f.get_concrete_function(tf.TensorSpec([1], tf.float32))
    assert cf.structured_outputs.shape.as_list() == [None]


def test_while_loop_node_types_and_lint():
    f = lambda n: tf.while_loop(lambda i: i < n, lambda i: i + 1, [C(0)])  # noqa: E731
    cf = tf.function(f).get_concrete_function(tf.TensorSpec([], tf.int32))
    assert "StatelessWhile" in [op.type for op in cf.graph.get_operations()]
    cf.graph.lint()
    cf.optimized_graph.lint()
    v = tf.Variable(0)
    g = lambda n: tf.while_loop(lambda i: i < n, lambda i: (v.assign_add(i), i + 1)[1], [C(0)])  # noqa: E731
    assert "While" in _types(g, tf.TensorSpec([], tf.int32))
    tf.function(g)(C(4))
    assert int(v.numpy()) == 6


def test_while_loop_errors():
    run = lambda *args, **kw: tf.function(lambda x: tf.while_loop(*args, **kw))(C([1.0]))  # noqa: E731
    with pytest.raises(ValueError, match=r"enters the loop with shape \(1,\), but has shape \(2,\) after one iteration"):
        tf.function(lambda x: tf.while_loop(lambda i: tf.reduce_sum(i) < 10.0, lambda i: tf.concat([i, i], 0),
                                            [x]))(C([1.0]))
    with pytest.raises(TypeError, match=r"enters the loop with type <dtype: 'float32'> but has type <dtype: 'int32'>"):
        tf.function(lambda x: tf.while_loop(lambda i: i < 10.0, lambda i: tf.cast(i, tf.int32), [x]))(C(1.0))
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.function(lambda x: tf.while_loop(lambda i: i < 10.0, lambda i: (i, i), [x]))(C(1.0))
    with pytest.raises(TypeError, match="boolean scalar"):
        tf.function(lambda x: tf.while_loop(lambda i: i, lambda i: i, [x]))(C(1.0))
    with pytest.raises(ValueError, match="'loop_vars' must be provided"):
        tf.while_loop(lambda: True, lambda: (), [])
    with pytest.raises(TypeError, match="'body' must be callable"):
        tf.while_loop(lambda i: i < 1, 5, [C(0)])
    with pytest.raises(TypeError, match="'cond' must be callable"):
        tf.while_loop(5, lambda i: i, [C(0)])
    with pytest.raises(ValueError, match="not compatible with the initial shape"):
        run(lambda i: True, lambda i: i, [C([1.0, 2.0])], shape_invariants=[tf.TensorShape([3])])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        tf.function(lambda n: tf.while_loop(lambda i: i < 3, lambda i: i + 10 // n, [C(0)]))(C(0))


def test_while_loop_gradients_with_captures_and_variables():
    w = tf.Variable(0.5)

    def f(x):
        _, y = tf.while_loop(lambda i, y: i < 4, lambda i, y: (i + 1, tf.tanh(y * x + w)), (0, x))
        return y

    def grads(x):
        with tf.GradientTape() as t:
            t.watch(x)
            y = f(x)
        return t.gradient(y, [x, w])

    x = C(0.7)
    eager = grads(x)
    inside = tf.function(grads)(x)
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.function(f)(x)
    around = t.gradient(y, [x, w])
    for e, a, b in zip(eager, inside, around):
        np.testing.assert_allclose(a.numpy(), e.numpy(), rtol=1e-6)
        np.testing.assert_allclose(b.numpy(), e.numpy(), rtol=1e-6)


def test_nested_control_flow_gradients():
    def f(x):
        def body(i, y):
            y = tf.cond(y > 1.0, lambda: y * 0.5, lambda: y * x + 0.25)
            return i + 1, tf.while_loop(lambda j, z: j < 2, lambda j, z: (j + 1, z * 1.1), (0, y))[1]
        return tf.while_loop(lambda i, y: i < 5, body, (0, x))[1]

    check_op(f, np.array(0.8), ref=None, expected=_nested_ref(0.8))


def _nested_ref(x):
    y = x
    for _ in range(5):
        y = y * 0.5 if y > 1.0 else y * x + 0.25
        y = y * 1.1 * 1.1
    return np.asarray(y)


def _second_derivative(f, x):
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = f(x)
        g = t1.gradient(y, x)
    return t2.gradient(g, x)


def test_second_order_gradient_through_while_loop():
    cube = lambda x: tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * x), (0, tf.ones_like(x)))[1]  # noqa
    assert float(_second_derivative(cube, C(2.0))) == 12.0
    assert float(tf.function(lambda x: _second_derivative(cube, x))(C(2.0))) == 12.0
    # the loop variable's own value feeds back (y depends on the previous y): d2/dx2 of tanh iterated
    it = lambda x: tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, tf.tanh(y * x + 0.5)), (0, x))[1]  # noqa
    eager = _second_derivative(it, C(0.7, tf.float64))
    graph = tf.function(lambda x: _second_derivative(it, x))(C(0.7, tf.float64))
    np.testing.assert_allclose(graph.numpy(), eager.numpy(), rtol=1e-10)
    h = 1e-4
    first = lambda v: float(tf.function(lambda x: _first(it, x))(C(v, tf.float64)))  # noqa: E731
    np.testing.assert_allclose(graph.numpy(), (first(0.7 + h) - first(0.7 - h)) / (2 * h), rtol=1e-5)


def _first(f, x):
    with tf.GradientTape() as t:
        t.watch(x)
        y = f(x)
    return t.gradient(y, x)


def test_second_order_through_a_loop_whose_shapes_change_is_a_clear_error():
    def grow(x):
        return tf.reduce_sum(tf.while_loop(lambda v: tf.size(v) < 4, lambda v: [tf.concat([v, v * x], 0)], [x[None]],
                                           shape_invariants=[tf.TensorShape([None])])[0])

    assert float(tf.function(lambda x: _first(grow, x))(C(2.0))) == float(_first(grow, C(2.0)))
    with pytest.raises(NotImplementedError, match="change shape across iterations"):
        tf.function(lambda x: _second_derivative(grow, x))(C(2.0))


@hyp_settings(max_examples=40, deadline=None)
@given(st.integers(-10 ** 6, 10 ** 6), st.integers(-50, 50), st.sampled_from(["int32", "int64", "float32",
                                                                              "float64"]))
def test_fused_scalar_loop_matches_eager(a, b, dtype):
    """The While executor's NumPy-scalar arithmetic gives exactly the kernels' results."""
    def step(x, y):
        return tf.cond(tf.not_equal(y, tf.zeros_like(y)), lambda: (x // y) * 3 - x % y, lambda: -x)

    def loop(x, y):
        return tf.while_loop(lambda i, x, y: i < 4, lambda i, x, y: (i + 1, step(x, y), y + tf.ones_like(y)),
                             (0, x, y))[1:]

    x, y = C(np.asarray(a, dtype)), C(np.asarray(b, dtype))
    eager = [t.numpy() for t in loop(x, y)]
    graph = [t.numpy() for t in tf.function(loop)(x, y)]
    for e, g in zip(eager, graph):
        assert e.dtype == g.dtype
        np.testing.assert_array_equal(g, e)


def test_fused_loop_wraps_int32_like_the_kernels_without_warnings():
    f = tf.function(lambda x: tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 1000 + 7), (0, x))[1])
    x = C(np.int32(2_000_000))
    expected = tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 1000 + 7), (0, x))[1]
    with warnings.catch_warnings(record=True) as caught:  # keeps eagerflow's filter (context.py)
        result = f(x)
    assert int(result) == int(expected)
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]


# ---- TensorArray -------------------------------------------------------------------------------------------------

def test_tensor_array_eager_semantics_as_tf():
    ta = tf.TensorArray(tf.float32, size=3)
    ta2 = ta.write(0, 1.0)
    assert ta2 is not ta and float(ta.read(0)) == 1.0  # the old object sees the write, as TF
    assert float(ta.read(1)) == 0.0 and ta.stack().numpy().tolist() == [1.0, 0.0, 0.0]
    grow = tf.TensorArray(tf.float32, size=0, dynamic_size=True).write(2, 3.0)
    assert grow.stack().numpy().tolist() == [0.0, 0.0, 3.0] and int(grow.size()) == 3
    assert tf.TensorArray(tf.int32, size=0, dynamic_size=True).stack().shape == (0,)
    assert tf.TensorArray(tf.int32, size=0, dynamic_size=True, element_shape=[2]).stack().shape == (0, 2)
    rows = tf.TensorArray(tf.float32, size=2).unstack(C([[1.0, 2.0], [3.0, 4.0]]))
    assert rows.read(1).numpy().tolist() == [3.0, 4.0]
    assert rows.gather([1, 0]).numpy().tolist() == [[3.0, 4.0], [1.0, 2.0]]
    assert rows.concat().numpy().tolist() == [1.0, 2.0, 3.0, 4.0]
    sc = tf.TensorArray(tf.float32, size=3).scatter([2, 0], C([[1.0], [2.0]]))
    assert sc.stack().numpy().tolist() == [[2.0], [0.0], [1.0]]
    sp = tf.TensorArray(tf.float32, size=2).split(C([1.0, 2.0, 3.0]), [1, 2])
    assert sp.read(1).numpy().tolist() == [2.0, 3.0]
    assert ta.element_shape == tf.TensorShape([]) and rows.dtype == tf.float32


def test_tensor_array_errors():
    ta = tf.TensorArray(tf.float32, size=3)
    with pytest.raises(tf.errors.OutOfRangeError, match="Tried to read from index 5 but array size is: 3"):
        ta.read(5)
    with pytest.raises(tf.errors.OutOfRangeError, match="not resizeable and size is: 3"):
        ta.write(5, 1.0)
    with pytest.raises(ValueError, match=r"Incompatible shape for value \(\(1,\)\), expected \(\(\)\)"):
        ta.write(1, C([1.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="TensorArray dtype is float32 but Op is trying to write "
                                                              "dtype int32"):
        ta.write(1, C(1))
    with pytest.raises(tf.errors.OutOfRangeError, match="not resizeable"):
        tf.function(lambda x: tf.TensorArray(tf.float32, size=2).write(5, x).stack())(C(1.0))
    with pytest.raises(NotImplementedError, match="eagerly only"):
        tf.function(lambda x: tf.TensorArray(tf.float32, size=2).split(x, [1, 2]).stack())(C([1.0, 2.0, 3.0]))


def test_tensor_array_in_graphs_matches_eager():
    def fn(x):
        ta = tf.TensorArray(x.dtype, size=0, dynamic_size=True)
        _, ta = tf.while_loop(lambda i, ta: i < 3, lambda i, ta: (i + 1, ta.write(i, x * tf.cast(i + 1, x.dtype))),
                              (0, ta))
        stacked = ta.stack()
        rows = tf.TensorArray(x.dtype, size=3).unstack(stacked * 2.0)
        return stacked + rows.gather([2, 1, 0]) + rows.read(1) + tf.reshape(rows.concat(), tf.shape(stacked))

    def ref(x):
        s = np.stack([x * (i + 1) for i in range(3)])
        return s + (s * 2)[::-1] + s[1] * 2 + s * 2

    check_op(fn, np.array([0.5, -1.5]), ref=ref)
    check_op(fn, np.array([[0.5, 2.0], [1.0, -1.0]], np.float32), ref=ref)


def test_tensor_array_scatter_gradient():
    def fn(x):
        ta = tf.TensorArray(tf.float64, size=4).scatter([3, 1], x * x)
        return ta.stack()

    check_op(fn, np.array([[1.0, 2.0], [3.0, -1.0]]),
             ref=lambda a: np.array([[0.0, 0.0], a[1] ** 2, [0.0, 0.0], a[0] ** 2]))


# ---- map_fn / foldl / foldr / scan ------------------------------------------------------------------------------------

def test_map_fn():
    check_op(lambda x: tf.map_fn(lambda r: tf.reduce_sum(r * r), x), np.array([[1.0, 2.0], [0.5, -1.0]]),
             ref=lambda a: (a * a).sum(axis=1))
    out = tf.map_fn(lambda p: (p[0] + p[1], p[0] * p[1]), (C([1, 2]), C([3, 4])))
    assert [o.numpy().tolist() for o in out] == [[4, 6], [3, 8]]
    as_float = tf.map_fn(lambda v: tf.cast(v, tf.float32) / 2.0, C([1, 3]), fn_output_signature=tf.float32)
    assert as_float.dtype == tf.float32 and as_float.numpy().tolist() == [0.5, 1.5]
    with pytest.raises(TypeError, match="fn_output_signature"):
        tf.map_fn(lambda v: tf.cast(v, tf.float32), C([1, 3]))
    with pytest.raises(ValueError, match="not scalars"):
        tf.map_fn(lambda v: v, C(1.0))


def test_folds_and_scan():
    check_op(lambda x: tf.foldl(lambda a, v: a * v + 1.0, x), np.array([0.5, 2.0, -1.5]),
             ref=lambda a: np.asarray(((a[0] * a[1] + 1.0) * a[2]) + 1.0))
    check_op(lambda x: tf.foldr(lambda a, v: a * v + 1.0, x), np.array([0.5, 2.0, -1.5]),
             ref=lambda a: np.asarray(((a[2] * a[1] + 1.0) * a[0]) + 1.0))
    check_op(lambda x: tf.scan(lambda a, v: a * v, x), np.array([0.5, 2.0, -1.5]), ref=np.cumprod)
    check_op(lambda x: tf.scan(lambda a, v: a + v, x, reverse=True), np.array([0.5, 2.0, -1.5]),
             ref=lambda a: np.cumsum(a[::-1])[::-1])
    assert int(tf.foldl(lambda a, v: a + v, C([1, 2, 3]), initializer=C(10))) == 16
    assert tf.scan(lambda a, v: a + v, C([1, 2, 3]), initializer=C(10)).numpy().tolist() == [11, 13, 16]
    pair = tf.scan(lambda a, v: (a[0] + v, a[1] * v), C([1, 2, 3]), initializer=(C(0), C(1)))
    assert [p.numpy().tolist() for p in pair] == [[1, 3, 6], [1, 2, 6]]


# ---- Assert --------------------------------------------------------------------------------------------------------

def test_assert_eager_and_graph_messages():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.debugging.Assert(C(False), ["x must be positive", C([1.0, 2.0]), 3])
    assert str(info.value) == ("Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
                               "b'x must be positive'\n1.0, 2.0\n3")
    assert tf.debugging.Assert(C(True), ["fine"]) is None

    @tf.function
    def f(x):
        tf.debugging.Assert(x > 0, ["x must be positive", x, 3])
        return x

    assert float(f(C(2.0))) == 2.0
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"assertion failed: \[x must be positive\] \[-1\] \[3\]"):
        f(C(-1.0))
    types = _types(f, tf.TensorSpec([], tf.float32))
    assert "Assert" in types
    with pytest.raises(TypeError, match="bool tensor"):
        tf.debugging.Assert(C(1.0), ["x"])


def test_print_inside_a_loop_runs_each_iteration():
    buf = io.StringIO()

    @tf.function
    def f(n):
        return tf.while_loop(lambda i: i < n, lambda i: (tf.print("i", i, output_stream=sys.stdout) or i) + 1, [C(0)])

    with contextlib.redirect_stdout(buf):
        f(C(3))
    assert buf.getvalue() == "i 0\ni 1\ni 2\n"


@pytest.mark.parametrize("module", ["eagerflow.ops.control_flow", "eagerflow.ops.tensor_array",
                                    "eagerflow.ops.functional", "eagerflow.graph.subgraph",
                                    "eagerflow.graph.tracebacks", "eagerflow.autograph.api"])
def test_docstring_examples(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted and not result.failed


def _weighted_sum(y):
    flat = tf.reshape(y, [-1])
    return tf.reduce_sum(flat * tf.cast(tf.range(1, 1 + tf.size(flat)), flat.dtype))


def _grads(fn, x):
    with tf.GradientTape() as t:
        t.watch(x)
        y = _weighted_sum(fn(x))
    return t.gradient(y, x)


@pytest.mark.parametrize("name,fn", [
    ("switch_case", lambda x: tf.switch_case(tf.cast(tf.reduce_sum(x) > 1.0, tf.int32),
                                             [lambda: x * 3.0, lambda: x * x * x])),
    ("map_fn", lambda x: tf.map_fn(lambda r: tf.reduce_sum(tf.sin(r) * r), x)),
    ("scan", lambda x: tf.reshape(tf.scan(lambda a, r: a * r + 1.0, x), [-1])),
    ("foldl", lambda x: tf.reshape(tf.foldl(lambda a, r: a * r + r, x), [-1])),
    ("foldr", lambda x: tf.reshape(tf.foldr(lambda a, r: tf.tanh(a) * r, x), [-1])),
    ("case", lambda x: tf.case([(x[0, 0] > 0.0, lambda: x * 2.0)], default=lambda: x * x)),
])
def test_graph_gradients_equal_eager(name, fn):
    x = C(np.array([[0.5, 1.5], [0.7, -1.2], [1.1, 0.3]]))
    eager = _grads(fn, x)
    inside = tf.function(lambda v: _grads(fn, v))(x)
    with tf.GradientTape() as t:
        t.watch(x)
        y = _weighted_sum(tf.function(fn)(x))
    around = t.gradient(y, x)
    np.testing.assert_allclose(inside.numpy(), eager.numpy(), rtol=1e-10, err_msg=name)
    np.testing.assert_allclose(around.numpy(), eager.numpy(), rtol=1e-10, err_msg=name)
