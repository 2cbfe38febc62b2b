"""tf.compat.v1: eager on/off, default graphs, placeholders, variables in graphs and their initializers."""
import numpy as np
import pytest

import eagerflow as tf
from eagerflow.context import settings

v1 = tf.compat.v1


@pytest.fixture
def tf1_mode():
    v1.disable_eager_execution()
    yield
    v1.enable_eager_execution()
    v1.reset_default_graph()


# ---- eager on and off -----------------------------------------------------------------------------------------

def test_disable_eager_execution_builds_the_default_graph(tf1_mode):
    assert tf.executing_eagerly() is False and v1.executing_eagerly() is False
    x = tf.constant([1.0, 2.0])
    y = x * 2.0
    g = v1.get_default_graph()
    assert x.graph is g and y.graph is g
    assert str(y) == 'Tensor("mul:0", shape=(2,), dtype=float32)'
    assert repr(y) == "<tf.Tensor 'mul:0' shape=(2,) dtype=float32>"
    with pytest.raises(AttributeError):
        y.numpy()
    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError):
        bool(y > 1.0)
    with v1.Session() as sess:
        np.testing.assert_array_equal(sess.run(y), [2.0, 4.0])


def test_enable_eager_execution_switches_back(tf1_mode):
    g = tf.Graph()
    with g.as_default():
        with pytest.raises(ValueError, match="outside any `with graph.as_default\\(\\):` block"):
            v1.enable_eager_execution()
    v1.enable_eager_execution()
    assert tf.executing_eagerly() and tf.constant(1.0).numpy() == 1.0
    v1.enable_eager_execution()  # already eager: nothing to do
    v1.disable_v2_behavior()
    assert not tf.executing_eagerly()
    v1.enable_v2_behavior()
    assert tf.executing_eagerly()


def test_default_graph_and_reset():
    g0 = v1.get_default_graph()
    assert g0 is v1.get_default_graph() and isinstance(g0, tf.Graph)
    g = tf.Graph()
    with g.as_default():
        assert v1.get_default_graph() is g
        with pytest.raises(AssertionError, match="Do not use tf.reset_default_graph\\(\\) to clear nested graphs"):
            v1.reset_default_graph()
    v1.reset_default_graph()
    g1 = v1.get_default_graph()
    assert g1 is not g0 and len(g1.get_operations()) == 0


def test_reset_default_graph_in_tf1_mode_starts_a_new_graph(tf1_mode):
    tf.constant(1.0)
    old = v1.get_default_graph()
    assert len(old.get_operations()) == 1
    v1.reset_default_graph()
    assert v1.get_default_graph() is not old and tf.constant(2.0).graph is v1.get_default_graph()
    assert tf.constant(3.0).op.name == "Const_1"


def test_placeholders():
    with pytest.raises(RuntimeError, match="tf.placeholder\\(\\) is not compatible with eager execution."):
        v1.placeholder(tf.float32)
    with tf.Graph().as_default():
        p = v1.placeholder(tf.float32)
        n = v1.placeholder(tf.int32, shape=[], name="n")
        q = v1.placeholder("float64", shape=(2, None))
    assert str(p) == 'Tensor("Placeholder:0", dtype=float32)'
    assert repr(p) == "<tf.Tensor 'Placeholder:0' shape=<unknown> dtype=float32>"
    assert str(n) == 'Tensor("n:0", shape=(), dtype=int32)'
    assert str(q) == 'Tensor("Placeholder_1:0", shape=(2, None), dtype=float64)'
    assert p.op.type == "Placeholder" and p.op.get_attr("dtype") == tf.float32


def test_compat_v1_falls_back_to_the_main_namespace():
    assert v1.matmul is tf.matmul and v1.constant is tf.constant and v1.Session is tf.compat.v1.Session
    with pytest.raises(AttributeError, match="no attribute 'not_a_tf_name'"):
        v1.not_a_tf_name  # noqa: B018


def test_text_helpers():
    assert tf.compat.as_bytes("é") == "é".encode() and tf.compat.as_text(b"ab") == "ab" == tf.compat.as_str("ab")
    with pytest.raises(TypeError, match="Expected binary or unicode string"):
        tf.compat.as_bytes(3)


# ---- graph tensors: identity semantics -------------------------------------------------------------------------

def test_graph_tensors_hash_and_compare_by_identity_but_function_tensors_do_not():
    with tf.Graph().as_default():
        a, b = tf.constant(1.0), tf.constant(1.0)
        assert (a == a) is True and (a == b) is False and (a != b) is True
        assert len({a: 1, b: 2}) == 2

    @tf.function
    def f(x):
        with pytest.raises(TypeError, match="Tensor is unhashable"):
            hash(x)
        return x == x

    assert f(tf.constant(1.0)).numpy()


# ---- variables in graphs ---------------------------------------------------------------------------------------

def test_graph_variables_have_no_value_until_a_session_initializes_them():
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable([[1.0, 2.0]], name="w")
        w2 = tf.Variable(0, name="w")
        frozen = tf.Variable(1.0, trainable=False)
    assert repr(w) == str(w) == "<tf.Variable 'w:0' shape=(1, 2) dtype=float32>"
    assert w2.name == "w_1:0" and w.graph is g and w.initializer.name == "w/Assign"
    assert w.initializer.type == "AssignVariableOp" and w.op.name == "w"
    assert str(w.initial_value).startswith('Tensor("w/Initializer/')
    with pytest.raises(NotImplementedError, match="numpy\\(\\) is only available when eager execution is enabled."):
        w.numpy()
    with pytest.raises(ValueError, match="belongs to a tf.Graph and cannot be used eagerly"):
        w + 1.0
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="cannot be used in another graph"):
            w.assign([[0.0, 0.0]])
    with g.as_default():
        assert v1.global_variables() == [w, w2, frozen]
        assert v1.trainable_variables() == [w, w2] and v1.local_variables() == []
        assert v1.global_variables(scope="w_") == [w2]
    assert v1.global_variables() == []


def test_each_session_has_its_own_variable_values():
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable(1.0)
        bump = v.assign_add(1.0)
        init = v1.global_variables_initializer()
    assert init.name == "init" and init.type == "NoOp"
    a, b = v1.Session(graph=g), v1.Session(graph=g)
    a.run(init)
    assert a.run(bump) == 2.0 and a.run(bump) == 3.0
    with pytest.raises(tf.errors.FailedPreconditionError) as info:
        b.run(v)
    msg = info.value.message
    assert "Could not find variable Variable. This could mean that the variable has been deleted. In TF1, it can " \
           "also mean the variable is uninitialized." in msg
    assert "Detected at node 'Variable/Read/ReadVariableOp' defined at" in msg and __file__ in msg
    b.run(v.initializer)
    assert b.run(v) == 1.0 and a.run(v) == 3.0
    a.run(init)
    assert a.run(v) == 1.0
    a.close()
    b.close()


def test_assign_in_a_graph_runs_when_its_result_is_fetched():
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable([1.0, 2.0])
        set5 = v.assign([5.0, 5.0])
        set_op = v.assign_sub([1.0, 1.0], read_value=False)
        with pytest.raises(ValueError, match="Shape mismatch"):
            v.assign([1.0, 2.0, 3.0])
        with pytest.raises(ValueError, match="Tensor conversion requested dtype float32"):
            v.assign(tf.constant([1, 2]))
    assert str(set5) == 'Tensor("ReadVariableOp:0", shape=(2,), dtype=float32)'
    assert set_op.type == "AssignSubVariableOp"
    with v1.Session(graph=g) as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(set5), [5.0, 5.0])
        assert sess.run(set_op) is None
        np.testing.assert_array_equal(sess.run(v), [4.0, 4.0])


def test_variable_initial_values_from_ops_and_callables():
    g = tf.Graph()
    with g.as_default():
        r = tf.Variable(tf.random.normal([3]))
        c = tf.Variable(lambda: tf.fill([2], 7.0), name="c")
        s = tf.Variable(r)  # initialized from r's value: the initializers run in creation order
        with pytest.raises(ValueError, match="requested dtype int32 for Tensor with dtype float32"):
            tf.Variable(tf.constant(1.0), dtype=tf.int32)
        with pytest.raises(ValueError, match="not compatible with the explicitly supplied `shape`"):
            tf.Variable([1.0, 2.0], shape=(3,))
        init = v1.global_variables_initializer()
    with v1.Session(graph=g) as sess:
        sess.run(init)
        first = sess.run(r)
        assert first.shape == (3,) and sess.run(r).tolist() == first.tolist()  # read twice: same value
        np.testing.assert_array_equal(sess.run(c), [7.0, 7.0])
        np.testing.assert_array_equal(sess.run(s), first)


def test_initializers_for_empty_graphs_and_lists():
    with tf.Graph().as_default():
        init = v1.global_variables_initializer()
        assert (init.type, init.control_inputs) == ("NoOp", ())
        assert v1.variables_initializer([], name="nothing").name == "nothing"
        assert v1.initialize_all_variables().type == "NoOp" and v1.local_variables_initializer().type == "NoOp"
        with v1.Session() as sess:
            assert sess.run(init) is None
    assert v1.global_variables_initializer() is None  # eagerly: nothing to run


def test_compat_v1_variable_and_get_variable():
    g = tf.Graph()
    with g.as_default():
        a = v1.Variable(2.0, name="a", use_resource=True, collections=None)
        z = v1.get_variable("z", shape=[2, 3], initializer=v1.zeros_initializer())
        o = v1.get_variable("o", shape=[2], dtype=tf.int32, initializer=v1.ones_initializer())
        k = v1.get_variable("k", shape=[2], initializer=v1.constant_initializer(3.0))
        n = v1.get_variable("n", shape=[500], initializer=v1.random_normal_initializer(1.0, 0.1, seed=3))
        u = v1.get_variable("u", shape=[500], initializer=v1.random_uniform_initializer(-1.0, 1.0, seed=3))
        w = v1.get_variable("w", shape=[40, 60])          # Glorot uniform by default
        i = v1.get_variable("i", shape=[2], dtype=tf.int64)  # zeros for integers
        const = v1.get_variable("const", initializer=tf.constant([1.0, 2.0]))
        with pytest.raises(ValueError, match="Variable w already exists, disallowed"):
            v1.get_variable("w", shape=[1])
        with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape."):
            v1.get_variable("bad", shape=[2], initializer=tf.constant([1.0, 2.0]))
        with pytest.raises(ValueError, match="must be fully defined"):
            v1.get_variable("bad2")
        init = v1.global_variables_initializer()
    assert isinstance(a, tf.Variable) and a.name == "a:0" and z.name == "z:0" and o.dtype == tf.int32
    with v1.Session(graph=g) as sess:
        sess.run(init)
        values = sess.run({"a": a, "z": z, "o": o, "k": k, "n": n, "u": u, "w": w, "i": i, "const": const})
    assert values["a"] == 2.0 and values["z"].shape == (2, 3) and not values["z"].any()
    np.testing.assert_array_equal(values["o"], [1, 1])
    np.testing.assert_array_equal(values["k"], [3.0, 3.0])
    assert abs(values["n"].mean() - 1.0) < 0.05 and 0.05 < values["n"].std() < 0.15
    assert values["u"].min() >= -1.0 and values["u"].max() <= 1.0
    limit = np.sqrt(6.0 / (40 + 60))
    assert np.abs(values["w"]).max() <= limit and np.abs(values["w"]).max() > 0.8 * limit
    np.testing.assert_array_equal(values["i"], [0, 0])
    np.testing.assert_array_equal(values["const"], [1.0, 2.0])


def test_eager_variables_captured_by_a_graph_keep_their_own_value():
    v = tf.Variable(2.0)
    g = tf.Graph()
    with g.as_default():
        y = v * 3.0
        bump = v.assign_add(1.0)
    with v1.Session(graph=g) as sess:
        assert sess.run(y) == 6.0
        sess.run(bump)
    assert v.numpy() == 3.0


def test_tf1_mode_leaves_other_state_alone(tf1_mode):
    assert settings.eager_disabled
    with tf.Graph().as_default() as g:
        assert v1.get_default_graph() is g
    assert v1.get_default_graph() is settings.default_graph
