"""Optimization passes: each compared through the printed graph before and after, plus the switches."""
import numpy as np
import pytest

import eagerflow as tf
from eagerflow.graph import passes
from eagerflow.graph.passes import constant_folding, cse, dce, simplify


def _graph(fn, *specs):
    return tf.function(fn).get_concrete_function(*specs).graph


def _listing(*lines):
    return "\n".join(lines)


def test_dead_code_elimination_keeps_stateful_nodes():
    v = tf.Variable(0.0)

    def f(x):
        tf.exp(x)                 # dead
        v.assign_add(1.0)         # unused but stateful: kept
        tf.random.uniform([2])    # unused but stateful: kept
        return -x

    g = _graph(f, tf.TensorSpec([3], name="x"))
    assert str(g) == _listing(
        "graph f(%x: float32[3], %Variable: resource[]) {",
        "  %0 = Exp(%x) : float32[3]",
        "  %1 = Const {value=1.0} : float32[]",
        "  AssignAddVariableOp(%Variable, %1)",
        "  %2 = RandomUniform {shape=(2,), dtype=float32, seed=0, seed2=0} : float32[2]",
        "  %3 = Neg(%x) : float32[3]",
        "  return %3",
        "}")
    out = dce.run(g)
    assert str(out) == _listing(
        "graph f(%x: float32[3], %Variable: resource[]) {",
        "  %0 = Const {value=1.0} : float32[]",
        "  AssignAddVariableOp(%Variable, %0)",
        "  %1 = RandomUniform {shape=(2,), dtype=float32, seed=0, seed2=0} : float32[2]",
        "  %2 = Neg(%x) : float32[3]",
        "  return %2",
        "}")
    out.lint()
    assert str(g).count("Exp") == 1  # passes never modify their input


def test_common_subexpression_elimination():
    v = tf.Variable([1.0, 1.0, 1.0])

    def f(x):
        a = tf.exp(x) * 2.0
        b = tf.exp(x) * 2.0
        r1, r2 = tf.random.uniform([3]), tf.random.uniform([3])   # stateful: not merged
        return a + b + r1 + r2 + v + v                             # two reads: not merged

    g = _graph(f, tf.TensorSpec([3], name="x"))
    out = cse.run(g)
    assert str(out) == _listing(
        "graph f(%x: float32[3], %Variable: resource[]) {",
        "  %0 = Exp(%x) : float32[3]",
        "  %1 = Const {value=2.0} : float32[]",
        "  %2 = Mul(%0, %1) : float32[3]",
        "  %3 = RandomUniform {shape=(3,), dtype=float32, seed=0, seed2=0} : float32[3]",
        "  %4 = RandomUniform {shape=(3,), dtype=float32, seed=0, seed2=0} : float32[3]",
        "  %5 = AddV2(%2, %2) : float32[3]",
        "  %6 = AddV2(%5, %3) : float32[3]",
        "  %7 = AddV2(%6, %4) : float32[3]",
        "  %8 = ReadVariableOp(%Variable) : float32[3]",
        "  %9 = AddV2(%7, %8) : float32[3]",
        "  %10 = ReadVariableOp(%Variable) : float32[3]",
        "  %11 = AddV2(%9, %10) : float32[3]",
        "  return %11",
        "}")
    assert len(g) - len(out) == 3  # Exp, Const, Mul
    out.lint()


def test_constant_folding():
    def f(x):
        k = tf.constant(2.0) * 3.0
        n = tf.cast(tf.size(x), tf.float32)          # static shape: folds too
        return x * k + n + tf.random.uniform([4])    # random never folds

    g = _graph(f, tf.TensorSpec([4], name="x"))
    assert str(g) == _listing(
        "graph f(%x: float32[4]) {",
        "  %0 = Const {value=2.0} : float32[]",
        "  %1 = Const {value=3.0} : float32[]",
        "  %2 = Mul(%0, %1) : float32[]",
        "  %3 = Size(%x) {out_type=int32} : int32[]",
        "  %4 = Cast(%3) {dtype=float32} : float32[]",
        "  %5 = Mul(%x, %2) : float32[4]",
        "  %6 = AddV2(%5, %4) : float32[4]",
        "  %7 = RandomUniform {shape=(4,), dtype=float32, seed=0, seed2=0} : float32[4]",
        "  %8 = AddV2(%6, %7) : float32[4]",
        "  return %8",
        "}")
    out = dce.run(constant_folding.run(g))
    assert str(out) == _listing(
        "graph f(%x: float32[4]) {",
        "  %0 = Const {value=6.0} : float32[]",
        "  %1 = Const {value=4.0} : float32[]",
        "  %2 = Mul(%x, %0) : float32[4]",
        "  %3 = AddV2(%2, %1) : float32[4]",
        "  %4 = RandomUniform {shape=(4,), dtype=float32, seed=0, seed2=0} : float32[4]",
        "  %5 = AddV2(%3, %4) : float32[4]",
        "  return %5",
        "}")
    assert out.get_operations()[1].outputs[0].dtype == tf.float32


def test_constant_folding_leaves_failing_ops_for_run_time():
    def f():
        return tf.math.floordiv(tf.constant(1), tf.constant(0))

    g = _graph(f)
    out = constant_folding.run(g)
    assert [op.type for op in out.get_operations()] == ["Const", "Const", "FloorDiv"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="{{node FloorDiv}}"):
        tf.function(f)()


def test_arithmetic_simplification():
    def f(x):
        y = -(-(x * 1.0))
        y = tf.reshape(tf.reshape(y - 0.0, [3, 2]), [6])
        z = tf.transpose(tf.transpose(x, [1, 0]), [1, 0])
        w = x + tf.zeros([4, 2, 3])   # broadcasting: not an identity
        return y, tf.identity(z), w / 1.0

    g = _graph(f, tf.TensorSpec([2, 3], name="x"))
    out = simplify.run(g)
    out.lint()
    assert str(dce.run(out)) == _listing(
        "graph f(%x: float32[2,3]) {",
        "  %0 = Reshape(%x) {shape=(6,)} : float32[6]",
        "  %1 = Const {value=<float32[4,2,3]>} : float32[4,2,3]",
        "  %2 = AddV2(%x, %1) : float32[4,2,3]",
        "  return %0, %x, %2",
        "}")
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    for e, r in zip(f(x), tf.function(f)(x)):
        np.testing.assert_array_equal(e.numpy(), r.numpy())


def test_simplification_keeps_non_identities():
    def f(x, n):
        return x * 2.0, x + 1.0, n * 1   # n * 1 with int is exact: removed

    g = simplify.run(_graph(f, tf.TensorSpec([2], name="x"), tf.TensorSpec([], tf.int32, name="n")))
    assert [op.type for op in dce.run(g).get_operations()] == ["Placeholder", "Placeholder", "Const", "Mul", "Const",
                                                               "AddV2"]


def test_pipeline_report_and_switches():
    def f(x):
        a = tf.constant(1.0) + 1.0
        return tf.exp(x) * 1.0 + tf.exp(x) * a

    cf = tf.function(f).get_concrete_function(tf.TensorSpec([2], name="x"))
    report = cf.pass_report()
    assert [r[0] for r in report] == ["constant_folding", "arithmetic_simplification",
                                      "common_subexpression_elimination", "dead_code_elimination", "remapping"]
    assert report[0][1] == len(cf.graph) and report[-1][2] == len(cf.optimized_graph)
    assert str(report).splitlines()[0].split() == ["pass", "before", "after"]
    assert str(cf.optimized_graph) == _listing(
        "graph f(%x: float32[2]) {",
        "  %0 = Const {value=2.0} : float32[]",
        "  %1 = Exp(%x) : float32[2]",
        "  %2 = Mul(%1, %0) : float32[2]",
        "  %3 = AddV2(%1, %2) : float32[2]",
        "  return %3",
        "}")
    tf.config.optimizer.set_experimental_options({"constant_folding": False, "common_subexpression_elimination": False})
    try:
        assert tf.config.optimizer.get_experimental_options() == {
            "constant_folding": False, "common_subexpression_elimination": False,
            "disable_model_pruning": False, "disable_meta_optimizer": False}
        assert [r[0] for r in cf.pass_report()] == ["arithmetic_simplification", "dead_code_elimination", "remapping"]
        assert str(cf.optimized_graph).count("Exp") == 2
    finally:
        tf.config.optimizer.set_experimental_options({"constant_folding": True, "common_subexpression_elimination": True})
    tf.config.optimizer.set_experimental_options({"no_such_option": True})
    assert "no_such_option" not in tf.config.optimizer.get_experimental_options()


def test_optimize_is_a_pure_function():
    g = _graph(lambda x: x * 1.0 - 0.0, tf.TensorSpec([2]))
    before = str(g)
    out, report = passes.optimize(g, {})
    assert str(g) == before and out is not g and len(out) < len(g)
    assert [r[1:] for r in report] == [(5, 5), (5, 3), (3, 3), (3, 1), (1, 1)]


def test_simplification_keeps_the_sign_of_zero():
    """x + 0.0 and x - (-0.0) turn -0.0 into +0.0, so they stay; x + (-0.0) and x - 0.0 are identities."""
    x = tf.constant([-0.0, 1.0])
    for fn, removed in ((lambda v: v + 0.0, False), (lambda v: v - (-0.0), False),
                        (lambda v: v + (-0.0), True), (lambda v: v - 0.0, True)):
        out = dce.run(simplify.run(_graph(fn, tf.TensorSpec([2]))))
        assert (len([op for op in out.get_operations() if op.type in ("AddV2", "Sub")]) == 0) == removed
        np.testing.assert_array_equal(np.signbit(tf.function(fn)(x).numpy()), np.signbit(fn(x).numpy()))
