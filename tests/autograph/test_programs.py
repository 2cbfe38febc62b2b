"""The program table: each control-flow program run eagerly and as tf.function gives equal results,
and the differentiable ones equal gradients (tape inside the function and around the call)."""
import numpy as np
import pytest

import eagerflow as tf

from .programs import PROGRAMS, as_numpy

IDS = [p[0] for p in PROGRAMS]


@pytest.mark.parametrize("name,fn,make_args,differentiable", PROGRAMS, ids=IDS)
def test_eager_and_function_agree(name, fn, make_args, differentiable):
    eager = as_numpy(fn(*make_args()))
    graph = as_numpy(tf.function(fn)(*make_args()))
    np.testing.assert_allclose(np.asarray(graph, dtype=np.float64), np.asarray(eager, dtype=np.float64),
                               rtol=1e-6, err_msg=name)
    assert np.asarray(graph).shape == np.asarray(eager).shape


def test_table_is_large_enough():
    assert len(PROGRAMS) >= 40
    assert sum(1 for p in PROGRAMS if p[3]) >= 15


def _float_args(make_args):
    return [(i, a) for i, a in enumerate(make_args()) if a.dtype.is_floating]


def _gradients(fn, args):
    float_idx = [i for i, a in enumerate(args) if a.dtype.is_floating]
    with tf.GradientTape() as tape:
        for i in float_idx:
            tape.watch(args[i])
        out = fn(*args)
        total = tf.reduce_sum(out)
    return [tape.gradient(total, args[i]) for i in float_idx]


DIFFERENTIABLE = [p for p in PROGRAMS if p[3]]


@pytest.mark.parametrize("name,fn,make_args,differentiable", DIFFERENTIABLE, ids=[p[0] for p in DIFFERENTIABLE])
def test_gradients_agree(name, fn, make_args, differentiable):
    eager = _gradients(fn, make_args())
    inside = tf.function(lambda *a: _gradients(fn, list(a)))(*make_args())
    f = tf.function(fn)
    around = _gradients(f, make_args())
    assert eager and all(g is not None for g in eager), f"{name}: eager gradient missing"
    for e, i, a in zip(eager, inside, around):
        np.testing.assert_allclose(i.numpy(), e.numpy(), rtol=1e-5, atol=1e-6, err_msg=f"{name} (tape inside)")
        np.testing.assert_allclose(a.numpy(), e.numpy(), rtol=1e-5, atol=1e-6, err_msg=f"{name} (tape around)")


@pytest.mark.parametrize("name,fn,make_args,differentiable",
                         [p for p in PROGRAMS if p[0] in ("collatz", "growing_tensor", "accumulate_with_append",
                                                          "float_accumulator", "argmax_loop")],
                         ids=["collatz", "growing_tensor", "accumulate_with_append", "float_accumulator",
                              "argmax_loop"])
def test_unknown_shapes_agree(name, fn, make_args, differentiable):
    args = make_args()
    specs = [tf.TensorSpec([None] * a.shape.rank, a.dtype) for a in args]
    f = tf.function(fn, input_signature=specs)
    np.testing.assert_allclose(np.asarray(as_numpy(f(*args)), dtype=np.float64),
                               np.asarray(as_numpy(fn(*make_args())), dtype=np.float64), err_msg=name)


def test_collatz_builds_one_while_node():
    f = tf.function(PROGRAMS[0][1])
    graph = f.get_concrete_function(tf.TensorSpec([], tf.int32)).graph
    types = [op.type for op in graph.get_operations()]
    assert types.count("StatelessWhile") == 1
    assert "If" not in types


def test_python_condition_stays_python():
    traced = []

    @tf.function
    def f(x, flag):
        traced.append(1)
        if flag:
            return x + 1
        return x - 1

    assert int(f(tf.constant(1), True)) == 2
    assert int(f(tf.constant(1), False)) == 0
    ops = [op.type for op in f.get_concrete_function(tf.constant(1), True).graph.get_operations()]
    assert "If" not in ops and "StatelessIf" not in ops
