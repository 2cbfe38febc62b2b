"""The executor: compiled straight-line code, value release, run-time errors naming node and line."""
import numpy as np
import pytest

import eagerflow as tf
from eagerflow.graph.execute import compile_graph


def _concrete(fn, *args):
    f = tf.function(fn)
    f(*args)
    return f.get_concrete_function(*args)


def test_compiled_source_is_straight_line_with_release_after_last_use():
    def f(x, y):
        a = x * y
        b = a + x
        c = b - a
        return c * 2.0

    # unknown sizes: no buffer reuse, every value gets its own array
    cf = tf.function(f).get_concrete_function(tf.TensorSpec([None]), tf.TensorSpec([None]))
    cf(tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0]))
    src = cf._exe.source
    assert src.splitlines()[0] == "def run(a0, a1):"
    lines = [ln.strip() for ln in src.splitlines()[1:]]
    assert lines[0].startswith("t2 = k_Mul_") and lines[0].endswith("(a0, a1)")
    # `a` (t2) is used by AddV2 and Sub: released right after Sub, before the final Mul
    sub = next(i for i, ln in enumerate(lines) if "k_Sub_" in ln)
    assert lines[sub + 1].startswith("del ") and set(lines[sub + 1][4:].split(", ")) == {"t2", "t3"}
    assert lines[-1].startswith("return (") and lines[-1].endswith(",)")


def test_attrs_are_literals_or_bound_values():
    def f(x):
        return tf.cast(tf.reduce_sum(x, axis=[0], keepdims=True), tf.float64)

    cf = _concrete(f, tf.ones([2, 3]))
    src = cf._exe.source
    assert "axis=(0,), keepdims=True" in src
    assert "dtype=v" in src  # a DType is bound in the namespace, not printed


def test_function_results_match_eager_and_keep_dtypes():
    def f(x, i):
        return tf.reduce_mean(x * 2.0, axis=0), i // 2, tf.cast(x > 1.0, tf.int32)

    x, i = tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([5, 7])
    eager = f(x, i)
    graph = tf.function(f)(x, i)
    for e, g in zip(eager, graph):
        assert g.dtype == e.dtype
        np.testing.assert_array_equal(g.numpy(), e.numpy())


def test_zero_dimensional_results_behave_like_eager():
    f = tf.function(lambda x: tf.reduce_sum(x) * 2.0)
    out = f(tf.constant([1.0, 2.0]))
    assert out.shape == () and out.numpy() == 6.0 and out.dtype == tf.float32
    assert repr(out) == "<tf.Tensor: shape=(), dtype=float32, numpy=6.0>"


def test_kernel_error_names_node_and_user_line():
    @tf.function
    def f(x):
        y = x + 1
        return tf.math.floordiv(y, x - x)  # fails at run time

    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        f(tf.constant([1, 2]))
    msg = str(info.value)
    line = f.python_function.__code__.co_firstlineno + 3
    assert msg.startswith("Graph execution error:\n\nDetected at node FloorDiv defined at (most recent call last):")
    assert f'test_execute.py", line {line}, in f' in msg
    assert "Integer division by zero\n\t [[{{node FloorDiv}}]] [Op:__inference_f_" in msg
    assert info.value.op.type == "FloorDiv" and info.value.node_def.name == "FloorDiv"


def test_numpy_failure_inside_a_graph_gets_the_tf_error():
    cf = tf.function(lambda a, b: tf.matmul(a, b)).get_concrete_function(
        tf.TensorSpec([None, None]), tf.TensorSpec([None, None]))
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        cf(tf.ones([2, 3]), tf.ones([4, 5]))
    msg = str(info.value)
    assert "Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5]" in msg and "{{node MatMul}}" in msg
    assert "Traceback" not in msg


def test_error_in_a_stateful_assignment_is_reported():
    v = tf.Variable([1.0, 2.0])
    cf = tf.function(lambda x: v.assign(x)).get_concrete_function(tf.TensorSpec([None]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Cannot update variable 'Variable:0'.*\[2\].*\[3\]"):
        cf(tf.ones([3]))
    assert v.numpy().tolist() == [1.0, 2.0]


def test_compile_with_pruning_runs_only_what_fetches_need():
    v = tf.Variable(0.0)
    g = tf.Graph()
    with g.as_default():
        x = g.placeholder(tf.float32, [2], name="x")
        y = x * 2.0
        z = y + 1.0
        v.assign_add(1.0)
    handle = g.variable_captures[0][1]
    exe = compile_graph(g, [x], [y], bound=[(handle, v)], prune=True)
    (out,) = exe.run(np.array([1.0, 2.0], np.float32))
    assert out.tolist() == [2.0, 4.0] and v.numpy() == 0.0
    assert "AddV2" not in exe.source and "AssignAdd" not in exe.source
    exe_all = compile_graph(g, [x], [z], bound=[(handle, v)], prune=False)
    (out,) = exe_all.run(np.array([1.0, 2.0], np.float32))
    assert out.tolist() == [3.0, 5.0] and v.numpy() == 1.0


def test_unfed_placeholder_is_a_clear_error():
    g = tf.Graph()
    with g.as_default():
        x = g.placeholder(tf.float32, [2], name="x")
        y = x + 1.0
    with pytest.raises(ValueError, match="placeholder x is neither fed nor bound"):
        compile_graph(g, [], [y])


def test_optimizer_options_change_takes_effect_on_next_call():
    f = tf.function(lambda x: x * 1.0 - 0.0)
    x = tf.constant([1.0])
    f(x)
    cf = f.get_concrete_function(x)
    assert len(cf.optimized_graph) == 1
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
    try:
        assert f(x).numpy().tolist() == [1.0]
        assert len(cf.optimized_graph) == len(cf.graph) == 5
    finally:
        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": False})
    assert len(cf.optimized_graph) == 1
