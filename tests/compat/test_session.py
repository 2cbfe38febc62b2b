"""tf.compat.v1.Session: fetches, feeds, pruning, errors, and the TF1 program of the seed's comparison."""
import collections
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf

v1 = tf.compat.v1
Pair = collections.namedtuple("Pair", "first second")


def _linear_model():
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, shape=(None, 3), name="x")
        W = tf.Variable(np.eye(3, dtype=np.float32) * 2.0, name="W")
        b = tf.Variable(tf.ones(3), name="b")
        y = tf.matmul(x, W) + b
        init = v1.global_variables_initializer()
    return g, x, W, b, y, init


def test_tf1_program_builds_first_then_runs():
    g, x, W, b, y, init = _linear_model()
    assert str(y) == 'Tensor("add:0", shape=(None, 3), dtype=float32)'
    assert repr(W) == "<tf.Variable 'W:0' shape=(3, 3) dtype=float32>"
    with v1.Session(graph=g) as sess:
        sess.run(init)
        out = sess.run(y, feed_dict={x: [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]})
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, [[3.0, 5.0, 7.0], [1.0, 1.0, 1.0]])
        np.testing.assert_allclose(sess.run("add:0", feed_dict={"x:0": [[1.0, 1.0, 1.0]]}), [[3.0, 3.0, 3.0]])


def test_missing_feed_names_the_placeholder_dtype_and_shape():
    g, x, W, b, y, init = _linear_model()
    with v1.Session(graph=g) as sess:
        sess.run(init)
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y)
    msg = info.value.message
    assert "You must feed a value for placeholder tensor 'x' with dtype float and shape [?,3]" in msg
    assert msg.startswith("Graph execution error:\n\nDetected at node 'x' defined at (most recent call last):\n")
    assert f'File "{__file__}"' in msg and msg.endswith("\t [[{{node x}}]]")
    assert info.value.op is x.op


@pytest.mark.parametrize("dtype,shape,text", [
    (tf.float32, None, "with dtype float"),
    (tf.int32, [], "with dtype int32"),
    (tf.bool, [2, None], "with dtype bool and shape [2,?]"),
    (tf.float64, [None], "with dtype double and shape [?]"),
])
def test_missing_feed_messages(dtype, shape, text):
    with tf.Graph().as_default():
        p = v1.placeholder(dtype, shape=shape, name="p")
        with v1.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(f"placeholder tensor 'p' {text}\n")):
                sess.run(p)


def test_uninitialized_variable_is_a_failed_precondition():
    g, x, W, b, y, init = _linear_model()
    with v1.Session(graph=g) as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="Could not find variable W. .* In TF1, it can "
                                                                    "also mean the variable is uninitialized"):
            sess.run(y, feed_dict={x: [[1.0, 2.0, 3.0]]})
        sess.run(W.initializer)
        with pytest.raises(tf.errors.FailedPreconditionError, match="Could not find variable b"):
            sess.run(y, feed_dict={x: [[1.0, 2.0, 3.0]]})


def test_nested_fetches_keep_their_structure():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0)
        b = tf.constant([2, 3])
        noop = tf.no_op()
    with v1.Session(graph=g) as sess:
        out = sess.run({"a": a, "rest": [b, (a, noop)], "pair": Pair(a, [b])})
        assert list(out) == ["a", "rest", "pair"]
        assert out["a"] == 1.0 and isinstance(out["a"], np.float32)
        assert isinstance(out["rest"], list) and isinstance(out["rest"][1], tuple) and out["rest"][1][1] is None
        np.testing.assert_array_equal(out["rest"][0], [2, 3])
        assert isinstance(out["pair"], Pair) and out["pair"].first == 1.0
        od = sess.run(collections.OrderedDict([("z", a), ("y", b)]))
        assert isinstance(od, collections.OrderedDict) and list(od) == ["z", "y"]
        assert sess.run([]) == [] and sess.run(()) == () and sess.run({}) == {}
        assert sess.run(noop) is None and sess.run("NoOp") is None
        np.testing.assert_array_equal(sess.run(b.name), [2, 3])


def test_fetched_arrays_are_copies():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant([1.0, 2.0])
        v = tf.Variable([1.0, 2.0])
    with v1.Session(graph=g) as sess:
        sess.run(v.initializer)
        sess.run(c)[0] = 99.0
        sess.run(v)[0] = 99.0
        np.testing.assert_array_equal(sess.run([c, v]), [[1.0, 2.0], [1.0, 2.0]])


def test_feeds_convert_check_shapes_and_may_replace_any_tensor():
    g = tf.Graph()
    with g.as_default():
        p = v1.placeholder(tf.int32, shape=[None], name="p")
        c = tf.constant(3.0)
        y = c * 2.0
        s = v1.placeholder(tf.string, shape=[], name="s")
    one = tf.constant(1.0)
    with v1.Session(graph=g) as sess:
        fed = sess.run(p, {p: [1.7, 2.2]})
        assert fed.dtype == np.int32 and fed.tolist() == [1, 2]
        assert sess.run(y, {c: 5.0}) == 10.0 and sess.run(y) == 6.0
        assert sess.run(y, {c: one}) == 2.0  # eager tensors are values
        assert sess.run(s, {s: "hi"}) == b"hi"
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2, 1\) for Tensor p:0, which has shape "
                                             r"\(None,\)"):
            sess.run(p, {p: [[1], [2]]})
        with pytest.raises(TypeError, match=r"Type of feed value \[1099511627776\] with type <class 'list'> is not "
                                            "compatible with Tensor type <class 'numpy.int32'>"):
            sess.run(p, {p: [2 ** 40]})
        with pytest.raises(ValueError, match="could not convert string to float"):
            sess.run(y, {c: "a"})
        with pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor object"):
            sess.run(y, {c: y})


def test_bad_fetches_and_feed_keys():
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, name="x")
    with tf.Graph().as_default():
        other = tf.constant(1.0)
    eager_var = tf.Variable(1.0)
    with v1.Session(graph=g) as sess:
        with pytest.raises(TypeError, match='Argument `fetch` = None has invalid type "NoneType". Cannot be None'):
            sess.run(None)
        with pytest.raises(TypeError, match='Argument `fetch` = 5 has invalid type "int" must be a string or Tensor'):
            sess.run(5)
        with pytest.raises(ValueError, match="The name 'nothere:0' refers to a Tensor which does not exist"):
            sess.run("nothere:0")
        with pytest.raises(ValueError, match="is not an element of this graph"):
            sess.run(other)
        with pytest.raises(TypeError, match="eager variable"):
            sess.run(eager_var)
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: The name 'x' refers to an "
                                            "Operation, not a Tensor."):
            sess.run(x, {"x": 1.0})
        with pytest.raises(TypeError, match="The name 'q:0' refers to a Tensor which does not exist. The operation, "
                                            "'q', does not exist in the graph."):
            sess.run(x, {"q:0": 1.0})
        with pytest.raises(ValueError, match="not an element of this graph"):
            sess.run(x, {other: 1.0})


def test_only_what_the_fetches_need_runs():
    g = tf.Graph()
    with g.as_default():
        v1.placeholder(tf.float32, name="unused")
        v = tf.Variable(0.0)
        bump = v.assign_add(1.0)
        out = tf.constant(2.0) * 3.0
        both = tf.group(bump, out)
    with v1.Session(graph=g) as sess:
        sess.run(v.initializer)
        assert sess.run(out) == 6.0            # neither the placeholder nor the assignment is needed
        assert sess.run(v) == 0.0
        sess.run(both)
        sess.run(both)
        assert sess.run(v) == 2.0


def test_random_ops_draw_new_values_each_run():
    g = tf.Graph()
    with g.as_default():
        r = tf.random.uniform([4])
    with v1.Session(graph=g) as sess:
        assert not np.array_equal(sess.run(r), sess.run(r))


def test_run_time_errors_name_the_node_and_the_source_line():
    g = tf.Graph()
    with g.as_default():
        a = v1.placeholder(tf.float32, shape=(None, None), name="a")
        prod = tf.matmul(a, a)  # the failing line
    line = test_run_time_errors_name_the_node_and_the_source_line.__code__.co_firstlineno + 4
    with v1.Session(graph=g) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(prod, {a: np.ones((2, 3), np.float32)})
    msg = info.value.message
    assert "Detected at node 'MatMul' defined at" in msg and f'line {line}' in msg
    assert "Node: 'MatMul'" in msg and "[Op:" not in msg and msg.endswith("[[{{node MatMul}}]]")
    assert info.value.op is prod.op


def test_session_lifecycle():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0)
    sess = v1.Session(graph=g)
    assert sess.graph is g and sess.sess_str == ""
    with sess:
        assert v1.get_default_graph() is g
        assert not tf.executing_eagerly()
    assert tf.executing_eagerly()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        sess.run(c)
    sess.close()
    with pytest.raises(TypeError, match="graph must be a tf.Graph"):
        v1.Session(graph="g")
    default = v1.Session()
    assert default.graph is v1.get_default_graph()
    default.close()


def test_a_function_graph_can_be_called_inside_a_tf1_graph():
    @tf.function
    def double(t):
        return t * 2.0

    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, shape=[2], name="x")
        y = double(x) + 1.0
    with v1.Session(graph=g) as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1.0, 2.0]}), [3.0, 5.0])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-3, 3, width=32), min_size=1, max_size=6),
       st.lists(st.sampled_from(["add", "mul", "sub", "square", "tanh", "sum"]), min_size=1, max_size=6))
def test_session_results_equal_eager_results(values, program):
    def build(x):
        for step in program:
            if step == "add":
                x = x + 1.5
            elif step == "mul":
                x = x * 0.5
            elif step == "sub":
                x = 2.0 - x
            elif step == "square":
                x = tf.square(x)
            elif step == "tanh":
                x = tf.tanh(x)
            else:
                x = tf.reduce_sum(x, keepdims=True)
        return x

    eager = build(tf.constant(values, tf.float32)).numpy()
    g = tf.Graph()
    with g.as_default():
        p = v1.placeholder(tf.float32, shape=[None])
        out = build(p)
    with v1.Session(graph=g) as sess:
        np.testing.assert_allclose(sess.run(out, {p: values}), eager, rtol=1e-6)
