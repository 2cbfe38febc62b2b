"""tf.function: tracing semantics, the cache, signatures, methods, retracing diagnostics."""
import collections
import logging

import numpy as np
import pytest

import eagerflow as tf


def test_decorator_and_call_forms_agree():
    def f(x):
        return x * 2.0

    a = tf.function(f)
    b = tf.function()(f)
    c = tf.function(input_signature=None)(f)
    x = tf.constant([1.0, 2.0])
    for fn in (a, b, c):
        out = fn(x)
        assert isinstance(out, tf.Tensor) and out.dtype == tf.float32
        np.testing.assert_array_equal(out.numpy(), [2.0, 4.0])
    assert a.python_function is f and a.__name__ == "f"


def test_same_signature_traces_once_new_shape_or_dtype_retraces():
    @tf.function
    def f(x):
        return x + 1

    f(tf.constant([1.0, 2.0]))
    f(tf.constant([3.0, 4.0]))
    assert f.experimental_get_tracing_count() == 1
    f(tf.constant([1.0, 2.0, 3.0]))
    assert f.experimental_get_tracing_count() == 2
    f(tf.constant([1, 2]))
    assert f.experimental_get_tracing_count() == 3
    f(tf.constant([5.0, 6.0]))
    assert f.experimental_get_tracing_count() == 3


def test_python_values_are_part_of_the_key_by_value():
    @tf.function
    def f(x, n):
        return x * n

    x = tf.constant(2.0)
    assert f(x, 3).numpy() == 6.0
    assert f(x, 3).numpy() == 6.0
    assert f.experimental_get_tracing_count() == 1
    assert f(x, 4).numpy() == 8.0
    assert f.experimental_get_tracing_count() == 2
    f(x, 3.0)  # float 3.0 is not int 3
    assert f.experimental_get_tracing_count() == 3


def test_keyword_positional_and_default_arguments_share_a_trace():
    @tf.function
    def f(x, scale=2.0):
        return x * scale

    x = tf.constant(1.0)
    f(x)
    f(x, 2.0)
    f(x, scale=2.0)
    f(x=x)
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError, match="f()"):
        f(x, 1.0, 2.0)


def test_numpy_arrays_are_converted_to_tensors():
    @tf.function
    def f(x):
        return x + 1

    out = f(np.array([1, 2]))
    assert out.dtype == tf.int64
    f(np.array([3, 4]))
    assert f.experimental_get_tracing_count() == 1
    f(np.array([3.0, 4.0]))
    assert f.experimental_get_tracing_count() == 2


def test_python_side_effects_run_at_trace_time_only():
    calls = []

    @tf.function
    def f(x):
        calls.append(tf.executing_eagerly())
        print("tracing")
        return x * x

    for _ in range(3):
        f(tf.constant(2.0))
    assert calls == [False]
    assert tf.executing_eagerly()


def test_symbolic_tensors_inside_the_function():
    seen = {}

    @tf.function(autograph=False)  # the raw Python protocol (AutoGraph maps range/len to tensor versions)
    def f(x):
        seen["x"] = x
        with pytest.raises(tf.errors.OperatorNotAllowedInGraphError, match="bool"):
            bool(x > 0)
        with pytest.raises(NotImplementedError, match="symbolic tf.Tensor"):
            np.asarray(x)
        with pytest.raises(TypeError):
            range(x)
        with pytest.raises(tf.errors.OperatorNotAllowedInGraphError, match="Iterating over a symbolic"):
            a, b, c = x
        with pytest.raises(TypeError, match=r"len is not well defined for a symbolic Tensor \(x:0\)"):
            len(x)
        assert repr(x) == "<tf.Tensor 'x:0' shape=(3,) dtype=float32>"
        assert str(x * 2.0) == 'Tensor("mul:0", shape=(3,), dtype=float32)'
        assert not hasattr(x, "numpy")
        return x

    f(tf.constant([1.0, 2.0, 3.0]))
    assert isinstance(seen["x"], tf.Tensor)


def test_if_on_a_tensor_needs_autograph():
    @tf.function(autograph=False)
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError):
        f(tf.constant(1.0))


def test_nested_structures_in_and_out():
    Pair = collections.namedtuple("Pair", "a b")

    @tf.function
    def f(p, d, items):
        return {"sum": p.a + p.b, "scaled": [d["k"] * 2.0, None], "n": len(items), "pair": Pair(items[0], items[1])}

    out = f(Pair(tf.constant(1.0), tf.constant(2.0)), {"k": tf.constant(3.0)}, [tf.constant(4), tf.constant(5)])
    assert set(out) == {"sum", "scaled", "n", "pair"}
    assert out["sum"].numpy() == 3.0 and out["scaled"][0].numpy() == 6.0 and out["scaled"][1] is None
    assert isinstance(out["n"], tf.Tensor) and out["n"].numpy() == 2 and out["n"].dtype == tf.int32
    assert isinstance(out["pair"], Pair) and out["pair"].b.numpy() == 5
    f(Pair(tf.constant(7.0), tf.constant(8.0)), {"k": tf.constant(9.0)}, [tf.constant(1), tf.constant(2)])
    assert f.experimental_get_tracing_count() == 1
    f(Pair(tf.constant(7.0), tf.constant(8.0)), {"k": tf.constant(9.0)}, [tf.constant(1), tf.constant(2), 3])
    assert f.experimental_get_tracing_count() == 2


def test_returning_none_python_values_and_operations():
    @tf.function
    def nothing(x):
        return None

    assert nothing(tf.constant(1.0)) is None
    three = tf.function(lambda: 3)()
    assert isinstance(three, tf.Tensor) and three.dtype == tf.int32 and three.numpy() == 3

    @tf.function
    def bad(x):
        return x.op

    with pytest.raises(TypeError, match="found return value of type Operation"):
        bad(tf.constant(1.0))


# ---- variables and captures ------------------------------------------------------------------------------

def test_eager_tensors_are_captured_by_value():
    c = tf.constant([10.0, 20.0])

    @tf.function
    def f(x):
        return x + c

    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0])).numpy(), [11.0, 22.0])
    cf = f.get_concrete_function(tf.constant([1.0, 2.0]))
    assert cf.captured_inputs[0] is c
    assert len(cf.inputs) == 2 and cf.inputs[1].op.type == "Placeholder"


def test_variable_value_is_read_at_each_call():
    v = tf.Variable(1.0)

    @tf.function
    def f(x):
        return x * v

    assert f(tf.constant(2.0)).numpy() == 2.0
    v.assign(5.0)
    assert f(tf.constant(2.0)).numpy() == 10.0
    assert f.experimental_get_tracing_count() == 1
    cf = f.get_concrete_function(tf.constant(2.0))
    assert cf.variables == (v,) and cf.captured_inputs == [v]
    assert [op.type for op in cf.graph.get_operations()] == ["Placeholder", "Placeholder", "ReadVariableOp", "Mul"]


def test_assignments_run_every_call_in_program_order():
    v = tf.Variable(0.0)

    @tf.function
    def f():
        v.assign(1.0)
        a = v.read_value()
        v.assign_add(10.0)
        b = v.read_value()
        v.assign_sub(4.0)
        return a, b

    for _ in range(2):
        a, b = f()
        assert (a.numpy(), b.numpy(), v.numpy()) == (1.0, 11.0, 7.0)
    types = [op.type for op in f.get_concrete_function().graph.get_operations()]
    assert types == ["Const", "Placeholder", "AssignVariableOp", "ReadVariableOp", "Const", "AssignAddVariableOp",
                     "ReadVariableOp", "Const", "AssignSubVariableOp"]


def test_unused_stateful_ops_still_run():
    v = tf.Variable(0)

    @tf.function
    def f():
        v.assign_add(1)
        return tf.constant(0)

    f()
    f()
    assert v.numpy() == 2


def test_assign_return_value_reads_the_new_value():
    v = tf.Variable(1.0)

    @tf.function
    def f():
        return v.assign_add(1.0)

    assert f().numpy() == 2.0 and f().numpy() == 3.0


def test_print_runs_every_call_in_order(capsys):
    v = tf.Variable(1)

    @tf.function
    def f():
        tf.print("before", v)
        v.assign(2)
        tf.print("after", v)
        return v.read_value()

    f()
    v.assign(1)
    f()
    err = capsys.readouterr().err
    assert err == "before 1\nafter 2\nbefore 1\nafter 2\n"


def test_random_ops_give_new_values_each_call():
    @tf.function
    def f():
        return tf.random.uniform([8])

    a, b = f().numpy(), f().numpy()
    assert not np.array_equal(a, b)
    assert f.experimental_get_tracing_count() == 1


def test_variables_may_only_be_created_on_the_first_trace():
    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = None

        @tf.function
        def __call__(self, x):
            if self.v is None:
                self.v = tf.Variable(tf.zeros([2]))  # a symbolic constant initial value works too
            return x + self.v

    m = Model()
    np.testing.assert_array_equal(m(tf.constant([1.0, 2.0])).numpy(), [1.0, 2.0])
    m(tf.constant([3.0, 4.0]))
    assert m.v.numpy().tolist() == [0.0, 0.0]

    @tf.function
    def make(x):
        return tf.Variable(3.0) * x  # creates a variable on every trace

    make(tf.constant(1.0))
    with pytest.raises(ValueError, match=r"singleton tf.Variables created on the first call") as info:
        make(tf.constant([1.0]))
    assert "test_function.py:" in str(info.value) and "(in make)" in str(info.value)


# ---- input_signature and reduce_retracing ------------------------------------------------------------------

def test_input_signature_fixes_one_trace_with_none_dims():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return tf.reduce_sum(x)

    assert f(tf.constant([1.0, 2.0])).numpy() == 3.0
    assert f(tf.constant([1.0, 2.0, 3.0])).numpy() == 6.0
    assert f([1.0, 2.0]).numpy() == 3.0  # Python values are converted with the spec's dtype
    assert f.experimental_get_tracing_count() == 1
    cf = f.get_concrete_function()
    assert cf.inputs[0].shape.as_list() == [None]
    assert f.get_concrete_function(tf.TensorSpec([None], tf.float32)) is cf


def test_input_signature_rejects_incompatible_tensors():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return x

    with pytest.raises(TypeError) as info:
        f(tf.constant([1, 2]))
    assert str(info.value).startswith(
        "Binding inputs to tf.function failed due to `Can not cast TensorSpec(shape=(2,), dtype=tf.int32, name=None) "
        "to TensorSpec(shape=(None,), dtype=tf.float32, name=None)`.")
    assert "for signature: (x: TensorSpec(shape=(None,), dtype=tf.float32, name=None))" in str(info.value)
    with pytest.raises(TypeError, match="Can not cast TensorSpec"):
        f(tf.constant([[1.0]]))
    with pytest.raises(TypeError, match="input_signature must contain only tf.TensorSpec"):
        tf.function(lambda x: x, input_signature=[3])


def test_reduce_retracing_relaxes_changing_dims():
    @tf.function(reduce_retracing=True)
    def f(x):
        return x * 2.0

    f(tf.zeros([1]))
    f(tf.zeros([2]))
    f(tf.zeros([3]))
    f(tf.zeros([7]))
    assert f.experimental_get_tracing_count() == 2
    f(tf.zeros([2, 2]))
    f(tf.zeros([3, 3, 3]))
    assert f.experimental_get_tracing_count() == 3
    shapes = [c.inputs[0].shape.as_tuple() for c in f._concretes]
    assert shapes == [(1,), (None,), None]
    assert f.experimental_trace_log()[1].reason == "x: float32[1] -> float32[2] (shapes relaxed to [None])"


def test_a_concrete_function_with_none_dims_serves_matching_calls():
    @tf.function
    def f(x):
        return x + 1.0

    f.get_concrete_function(tf.TensorSpec([None, 2]))
    f(tf.zeros([3, 2]))
    f(tf.zeros([5, 2]))
    assert f.experimental_get_tracing_count() == 1
    f(tf.zeros([5, 3]))
    assert f.experimental_get_tracing_count() == 2


# ---- methods -----------------------------------------------------------------------------------------------

def test_methods_get_one_cache_per_instance():
    class Scaler:
        def __init__(self, k):
            self.k = k

        @tf.function
        def __call__(self, x):
            return x * self.k

    a, b = Scaler(2.0), Scaler(3.0)
    x = tf.constant(1.0)
    assert a(x).numpy() == 2.0 and b(x).numpy() == 3.0
    assert a(x).numpy() == 2.0
    assert a.__call__ is a.__call__
    assert a.__call__.experimental_get_tracing_count() == 1
    assert b.__call__.experimental_get_tracing_count() == 1
    assert Scaler.__call__.experimental_get_tracing_count() == 0


def test_module_methods_and_their_variables():
    class Dense(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([[1.0], [2.0]])

        @tf.function(input_signature=[tf.TensorSpec([None, 2])])
        def __call__(self, x):
            return tf.matmul(x, self.w)

    d = Dense()
    np.testing.assert_array_equal(d(tf.constant([[1.0, 1.0]])).numpy(), [[3.0]])
    d.w.assign([[0.0], [1.0]])
    np.testing.assert_array_equal(d(tf.constant([[1.0, 1.0], [2.0, 2.0]])).numpy(), [[1.0], [2.0]])
    assert d.__call__.experimental_get_tracing_count() == 1
    assert d.__call__.get_concrete_function().variables == (d.w,)


def test_bound_function_does_not_keep_the_instance_alive():
    import gc
    import weakref

    class Box:
        @tf.function
        def f(self, x):
            return x

    box = Box()
    box.f(tf.constant(1))
    ref = weakref.ref(box)
    del box
    gc.collect()
    assert ref() is None
    assert not Box.f._bound


# ---- nesting and context -------------------------------------------------------------------------------------

def test_calling_a_function_inside_another_inlines_it():
    v = tf.Variable(2.0)

    @tf.function
    def inner(x):
        return x * v

    @tf.function
    def outer(x):
        return inner(x) + inner(x + 1.0)

    assert outer(tf.constant(1.0)).numpy() == 2.0 + 4.0
    assert inner.experimental_get_tracing_count() == 1
    types = [op.type for op in outer.get_concrete_function(tf.constant(1.0)).graph.get_operations()]
    assert types.count("ReadVariableOp") == 2 and "StatefulPartitionedCall" not in types
    v.assign(3.0)
    assert outer(tf.constant(1.0)).numpy() == 3.0 + 6.0


def test_inner_function_can_capture_outer_symbolic_tensors():
    @tf.function
    def outer(x):
        @tf.function
        def inner():
            return x * 2.0
        return inner() + 1.0

    assert outer(tf.constant(3.0)).numpy() == 7.0


def test_leaked_symbolic_tensor_is_rejected():
    leaked = []

    @tf.function
    def f(x):
        leaked.append(x * 2.0)
        return x

    f(tf.constant(1.0))

    @tf.function
    def g(y):
        return y + leaked[0]

    with pytest.raises(tf.errors.InaccessibleTensorError, match="out of scope"):
        g(tf.constant(1.0))
    with pytest.raises(tf.errors.InaccessibleTensorError, match="called eagerly with a symbolic tensor"):
        g(leaked[0])


def test_run_functions_eagerly_setting_runs_the_python_function():
    from eagerflow.context import settings

    calls = []

    @tf.function
    def f(x):
        calls.append(tf.executing_eagerly())
        return x

    settings.run_functions_eagerly = True
    try:
        f(tf.constant(1))
        f(tf.constant(1))
    finally:
        settings.run_functions_eagerly = False
    assert calls == [True, True] and f.experimental_get_tracing_count() == 0


# ---- concrete functions and introspection ----------------------------------------------------------------------

def test_concrete_function_surface():
    @tf.function
    def f(x, y=2.0):
        return {"out": x * y}

    cf = f.get_concrete_function(tf.TensorSpec([None, 3], tf.float32, name="x"))
    assert cf.structured_input_signature == ((tf.TensorSpec([None, 3], tf.float32, name="x"), 2.0), {})
    assert [t.name for t in cf.inputs] == ["x:0"]
    assert len(cf.outputs) == 1 and cf.outputs[0].shape.as_list() == [None, 3]
    assert set(cf.structured_outputs) == {"out"}
    assert isinstance(cf.graph, tf.Graph)
    out = cf(tf.ones([2, 3]))
    np.testing.assert_array_equal(out["out"].numpy(), np.full([2, 3], 2.0))
    with pytest.raises(TypeError, match="Can not cast"):
        cf(tf.ones([2, 4]))
    with pytest.raises(TypeError, match="traced for 2.0"):
        cf(tf.ones([2, 3]), 3.0)
    assert cf.pretty_printed_signature() == (
        "Input Parameters:\n"
        "  x (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(None, 3), dtype=tf.float32, name='x')\n"
        "  y (POSITIONAL_OR_KEYWORD): Literal[2.0]\n"
        "Output Type:\n"
        "  Dict[['out', TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)]]\n"
        "Captures:\n"
        "  None")
    f.get_concrete_function(tf.TensorSpec([], tf.int32), 3)
    assert f.pretty_printed_concrete_signatures().count("Input Parameters:") == 2


def test_captures_are_listed_in_the_signature():
    v = tf.Variable(1.0, name="weight")
    f = tf.function(lambda x: x * v)
    text = f.get_concrete_function(tf.TensorSpec([])).pretty_printed_signature()
    assert text.endswith("Captures:\n  weight:0: TensorSpec(shape=(), dtype=tf.resource, name=None)")


def test_trace_log_records_every_trace_with_its_reason():
    @tf.function
    def f(x, lr):
        return x * lr

    f(tf.zeros([2]), 0.1)
    f(tf.zeros([2]), 0.1)
    f(tf.zeros([3]), 0.1)
    f(tf.zeros([3]), 0.2)
    f.get_concrete_function(tf.TensorSpec([None]), 0.2)
    log = f.experimental_trace_log()
    assert [r.number for r in log] == [1, 2, 3, 4]
    assert [r.reason for r in log] == ["first trace", "x: float32[2] -> float32[3]",
                                       "lr: python float 0.1 -> python float 0.2", "x: float32[3] -> float32[None]"]
    assert log[0].signature == "f(x: float32[2], lr: python float 0.1)"
    assert str(log[1]) == "#2 f(x: float32[3], lr: python float 0.1): x: float32[2] -> float32[3]"


def test_retracing_warning_names_the_changed_argument(caplog):
    @tf.function
    def f(x):
        return x + 1.0

    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        for n in range(1, 5):
            f(tf.zeros([n, 128]))
        assert not caplog.records
        f(tf.zeros([17, 128]))
        for n in range(20, 26):
            f(tf.zeros([n, 128]))
    records = [r for r in caplog.records if r.name == "eagerflow"]
    assert len(records) == 1
    msg = records[0].getMessage()
    assert records[0].levelname == "WARNING" and "\n" not in msg
    assert msg.startswith("5 out of the last 5 calls to <function ")
    assert "triggered tf.function retracing" in msg
    assert "x: float32[4,128] -> float32[17,128]" in msg
    assert "reduce_retracing=True" in msg and "input_signature" in msg


def test_retracing_warning_for_python_values(caplog):
    @tf.function
    def step(x, lr):
        return x * lr

    x = tf.constant(1.0)
    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        for i in range(5):
            step(x, 0.1 * (i + 1))
    (record,) = caplog.records
    assert "lr: python float 0.4 -> python float 0.5" in record.getMessage()
    assert "pass Python numbers as tensors" in record.getMessage()


def test_no_warning_when_retraces_are_spread_out(caplog):
    @tf.function
    def f(x):
        return x

    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        for n in range(1, 10):
            f(tf.zeros([n]))
            f(tf.zeros([n]))
    assert not caplog.records


def test_jit_compile_and_experimental_options_are_accepted():
    f = tf.function(lambda x: x + 1, jit_compile=True, experimental_relax_shapes=True)
    f(tf.zeros([1]))
    f(tf.zeros([2]))
    f(tf.zeros([3]))
    assert f.experimental_get_tracing_count() == 2
