"""Execution context: eager vs graph, run_functions_eagerly, init_scope, name and device scopes,
control dependencies, tf.config's device and threading records, and thread-local contexts."""
import logging
import subprocess
import sys
import threading
import textwrap

import numpy as np
import pytest

import eagerflow as tf
from eagerflow.context import settings


@pytest.fixture(autouse=True)
def _functions_run_as_graphs():
    yield
    tf.config.run_functions_eagerly(False)


def _ops(fn, *specs):
    return tf.function(fn).get_concrete_function(*specs).graph.get_operations()


# ---- executing_eagerly and init_scope ----------------------------------------------------------------------

def test_executing_eagerly_is_false_only_while_building_a_graph():
    seen = []

    @tf.function
    def f(x):
        seen.append(tf.executing_eagerly())
        return x + 1

    assert tf.executing_eagerly() is True
    f(tf.constant(1.0))
    assert seen == [False]
    with tf.Graph().as_default():
        assert tf.executing_eagerly() is False
        assert tf.compat.v1.executing_eagerly() is False
    assert tf.executing_eagerly() is True


def test_init_scope_lifts_out_of_functions_to_eager():
    seen = []

    @tf.function
    def f(x):
        with tf.init_scope():
            seen.append(tf.executing_eagerly())
            c = tf.constant(2.0)
        seen.append(tf.executing_eagerly())
        return x * c

    np.testing.assert_allclose(f(tf.constant(3.0)).numpy(), 6.0)
    assert seen == [True, False]


def test_init_scope_in_a_graph_stays_in_the_outermost_graph():
    g = tf.Graph()
    seen = []

    @tf.function
    def f(x):
        with tf.init_scope():
            seen.append(tf.compat.v1.get_default_graph())
        return x

    with g.as_default():
        with tf.init_scope():
            assert tf.executing_eagerly() is False
            assert tf.compat.v1.get_default_graph() is g
        f.get_concrete_function(tf.TensorSpec([]))
    assert seen == [g]


# ---- run_functions_eagerly ------------------------------------------------------------------------------------

def test_run_functions_eagerly_runs_the_python_function_every_call():
    calls = []

    @tf.function
    def f(x):
        calls.append(tf.executing_eagerly())
        return x * 2

    assert tf.config.functions_run_eagerly() is False
    tf.config.run_functions_eagerly(True)
    assert tf.config.functions_run_eagerly() is True
    for _ in range(3):
        assert f(tf.constant(4)).numpy() == 8
    assert calls == [True, True, True]
    assert f.experimental_get_tracing_count() == 0
    tf.config.run_functions_eagerly(False)
    f(tf.constant(4))
    f(tf.constant(5))
    assert calls == [True, True, True, False]
    assert f.experimental_get_tracing_count() == 1


def test_python_if_on_a_tensor_works_when_functions_run_eagerly():
    @tf.function
    def compute(x):
        if x > 0:
            return x * 2
        return x * 3

    tf.config.run_functions_eagerly(True)
    assert str(compute(tf.constant(5))) == "tf.Tensor(10, shape=(), dtype=int32)"
    assert str(compute(tf.constant(-1))) == "tf.Tensor(-3, shape=(), dtype=int32)"


def test_experimental_run_functions_eagerly_warns_once_and_works(caplog):
    settings.warned_once.discard("experimental_run_functions_eagerly")
    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        tf.config.experimental_run_functions_eagerly(True)
        tf.config.experimental_run_functions_eagerly(True)
    assert tf.config.functions_run_eagerly() is True
    records = [r for r in caplog.records if r.name == "eagerflow"]
    assert len(records) == 1 and records[0].levelname == "WARNING"
    msg = records[0].getMessage()
    assert "\n" not in msg
    assert msg.startswith(f"From {__file__}:")
    assert ("experimental_run_functions_eagerly (from eagerflow.config) is deprecated and will be removed in a "
            "future version. Instructions for updating: Use `tf.config.run_functions_eagerly` instead of the "
            "experimental version.") in msg
    tf.config.experimental_run_functions_eagerly(False)
    assert tf.config.functions_run_eagerly() is False


def test_experimental_functions_run_eagerly_reads_the_switch(caplog):
    settings.warned_once.discard("experimental_functions_run_eagerly")
    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        assert tf.config.experimental_functions_run_eagerly() is False
    assert "Use tf.config.functions_run_eagerly instead" in caplog.records[0].getMessage()


def test_seed_snippet_prints_the_tensor_and_one_warning_line():
    code = textwrap.dedent("""
        import eagerflow as tf
        tf.config.experimental_run_functions_eagerly(True)

        @tf.function
        def compute(x):
            if x > 0:
                return x * 2
            else:
                return x * 3

        print(compute(tf.constant(5)))
        print(compute(tf.constant(-1)))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["tf.Tensor(10, shape=(), dtype=int32)", "tf.Tensor(-3, shape=(), dtype=int32)"]
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("WARNING:eagerflow:From <string>:3: experimental_run_functions")


# ---- name scopes --------------------------------------------------------------------------------------------

def test_name_scopes_prefix_graph_op_names():
    def f(x):
        with tf.name_scope("outer"):
            with tf.name_scope("inner") as scope:
                assert scope == "outer/inner/"
                y = x + 1.0
        return y

    names = [op.name for op in _ops(f, tf.TensorSpec([2]))]
    assert "outer/inner/add" in names
    assert all(n == "x" or n.startswith("outer/inner/add") for n in names)


def test_name_scopes_are_unique_in_a_graph_and_absolute_with_a_slash():
    def f(x):
        with tf.name_scope("block"):
            a = x * 2.0
        with tf.name_scope("block"):
            b = x * 3.0
        with tf.name_scope("block/"):
            c = x - 1.0
        return a, b, c

    a, b, c = tf.function(f).get_concrete_function(tf.TensorSpec([])).outputs
    assert (a.op.name, b.op.name, c.op.name) == ("block/mul", "block_1/mul", "block/sub")


def test_operator_names_follow_tf_and_are_unique_case_insensitively():
    with tf.Graph().as_default():
        x = tf.constant([[1.0, 2.0]])
        names = [t.op.name for t in (x + x, x + x, x - x, 2.0 * x, x / x, x // x, x % x, x ** 2.0, x[0],
                                     tf.transpose(x) @ x)]
        assert names == ["add", "add_1", "sub", "mul", "truediv", "floordiv", "mod", "pow", "strided_slice",
                         "matmul"]
        assert tf.matmul(x, tf.transpose(x)).op.name == "MatMul_1"  # "matmul" is taken: names ignore case
        with tf.name_scope("add") as scope:
            assert scope == "add_2/"


def test_name_scope_eagerly_only_builds_the_string():
    with tf.name_scope("a") as outer:
        with tf.name_scope("b") as inner:
            v = tf.Variable(1.0, name="v")
    assert (outer, inner, v.name) == ("a/", "a/b/", "a/b/v:0")
    with tf.name_scope("a") as again:
        assert again == "a/"


# ---- devices ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec,recorded", [
    ("/CPU:0", "/device:CPU:0"),
    ("/cpu:0", "/device:CPU:0"),
    ("CPU:0", "/device:CPU:0"),
    ("/device:CPU:0", "/device:CPU:0"),
    ("/device:CPU:*", "/device:CPU:*"),
    ("/job:localhost/replica:0/task:0/device:CPU:0", "/job:localhost/replica:0/task:0/device:CPU:0"),
])
def test_device_scope_is_recorded_on_graph_ops(spec, recorded):
    def f(x):
        with tf.device(spec):
            y = x * 2.0
        return y + 1.0

    ops = {op.name: op for op in _ops(f, tf.TensorSpec([]))}
    assert ops["mul"].device == recorded and ops["mul"].outputs[0].device == recorded
    assert ops["add"].device == "" and ops["add"].node_def.device == ""


def test_nested_device_scopes_merge_and_none_clears():
    with tf.Graph().as_default():
        with tf.device("/cpu:0"):
            with tf.device("/job:localhost"):
                a = tf.constant(1.0)
            with tf.device(None):
                b = tf.constant(1.0)
        c = tf.constant(1.0)
    assert (a.device, b.device, c.device) == ("/job:localhost/device:CPU:0", "", "")


def test_eager_tensors_live_on_the_cpu():
    with tf.device("/CPU:0"):
        t = tf.constant([1.0]) + 1.0
    assert t.device == "/job:localhost/replica:0/task:0/device:CPU:0"


@pytest.mark.parametrize("spec", ["/GPU:0", "/gpu:1", "/TPU:0", "/device:GPU:0"])
def test_accelerators_are_a_clear_error(spec):
    with pytest.raises(ValueError, match=f"Device '{spec}' is not available: eagerflow runs on the CPU only"):
        tf.device(spec)


def test_other_cpus_jobs_and_bad_specs_are_errors():
    with pytest.raises(ValueError, match="eagerflow has one CPU device, '/CPU:0'"):
        tf.device("/cpu:1")
    with pytest.raises(ValueError, match="one local process"):
        tf.device("/job:worker/task:0")
    with pytest.raises(ValueError, match="Unknown attribute 'junk' is encountered while parsing the device spec: "
                                         "'/junk'."):
        tf.device("/junk")
    with pytest.raises(TypeError, match="device string"):
        tf.device(0)
    with pytest.raises(RuntimeError, match="does not support functions"):
        tf.device(lambda op: "/cpu:0")


# ---- tf.config: devices, threading ---------------------------------------------------------------------------

def test_device_listing():
    (cpu,) = tf.config.list_physical_devices()
    assert repr(cpu) == "PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')"
    assert (cpu.name, cpu.device_type) == ("/physical_device:CPU:0", "CPU") and tuple(cpu) == (cpu.name, "CPU")
    assert tf.config.list_physical_devices("cpu") == [cpu] == tf.config.list_physical_devices("CPU")
    assert tf.config.list_physical_devices("GPU") == [] == tf.config.list_logical_devices("GPU")
    assert repr(tf.config.list_logical_devices()) == "[LogicalDevice(name='/device:CPU:0', device_type='CPU')]"
    assert tf.config.get_visible_devices() == [cpu] == tf.config.experimental.list_physical_devices()
    assert tf.config.get_logical_device_configuration(cpu) is None


def test_visible_devices_and_memory_growth():
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_visible_devices([], "GPU")  # the usual "hide the GPUs" line works
    tf.config.set_visible_devices(cpu)
    with pytest.raises(ValueError, match="CPU must stay visible"):
        tf.config.set_visible_devices([])
    with pytest.raises(TypeError, match="PhysicalDevice"):
        tf.config.set_visible_devices(["/cpu:0"])
    with pytest.raises(ValueError, match="Cannot set memory growth on non-GPU and non-Pluggable devices"):
        tf.config.experimental.set_memory_growth(cpu, True)
    for gpu in tf.config.list_physical_devices("GPU"):  # the usual loop runs zero times
        tf.config.experimental.set_memory_growth(gpu, True)


def test_threading_and_soft_placement_are_recorded():
    before = settings.threading
    try:
        assert tf.config.threading.get_inter_op_parallelism_threads() == 0
        tf.config.threading.set_inter_op_parallelism_threads(2)
        tf.config.threading.set_intra_op_parallelism_threads(4)
        assert tf.config.threading.get_inter_op_parallelism_threads() == 2
        assert tf.config.threading.get_intra_op_parallelism_threads() == 4
        with pytest.raises(ValueError, match="non-negative int"):
            tf.config.threading.set_intra_op_parallelism_threads(-1)
    finally:
        settings.threading = before
    assert tf.config.get_soft_device_placement() is True
    tf.config.set_soft_device_placement(False)
    assert tf.config.get_soft_device_placement() is False
    tf.config.set_soft_device_placement(True)


# ---- control dependencies ------------------------------------------------------------------------------------

def test_control_dependencies_do_nothing_eagerly():
    called = []
    with tf.control_dependencies([tf.constant(1.0), lambda: called.append(1)]):
        y = tf.constant(2.0) + 1.0
    assert y.numpy() == 3.0 and called == [1]
    assert tf.no_op() is None and tf.group(tf.constant(1.0)) is None


def test_control_dependencies_add_control_inputs_in_graphs():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0) * 2.0
        with tf.control_dependencies([a]):
            b = tf.identity(tf.constant(3.0))
            with tf.control_dependencies(None):
                c = tf.identity(tf.constant(4.0))
        step = tf.group(a, [b], name="step")
        noop = tf.no_op()
    assert b.op.control_inputs == (a.op,) and c.op.control_inputs == ()
    assert (step.name, step.type, step.control_inputs) == ("step", "NoOp", (a.op, b.op))
    assert (noop.name, noop.control_inputs) == ("NoOp", ())
    other = tf.Graph()
    with other.as_default():
        with pytest.raises(ValueError, match="same graph"):
            tf.control_dependencies([a])
        with pytest.raises(TypeError, match="Control input must be an Operation or a Tensor"):
            tf.control_dependencies([3])


def test_control_dependencies_order_a_session_run():
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable(1.0)
        with tf.control_dependencies([v.assign_add(1.0)]):
            y = v.read_value() * 10.0
        z = v.read_value() * 10.0
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(v.initializer)
        assert sess.run(z) == 10.0   # no control edge: the assignment does not run
        assert sess.run(y) == 20.0
        assert sess.run(y) == 30.0


# ---- thread-local contexts -------------------------------------------------------------------------------------

def test_a_tracing_thread_and_an_eager_thread_do_not_disturb_each_other():
    inside_trace = threading.Barrier(2, timeout=30)
    eager_done = threading.Barrier(2, timeout=30)
    results: dict = {}
    errors: list = []

    @tf.function
    def traced(x):
        y = x * 2.0
        inside_trace.wait()          # the other thread now runs eagerly while this graph is being built
        eager_done.wait()
        results["tracing"] = tf.executing_eagerly()
        z = y + 1.0                  # must land in this graph, under no name scope or device of the other thread
        results["z_op"] = (z.op.name, z.op.device, z.graph)
        return z

    def trace_thread():
        try:
            results["traced"] = traced(tf.constant([1.0, 2.0])).numpy()
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    def eager_thread():
        try:
            inside_trace.wait()
            results["eager"] = tf.executing_eagerly()
            with tf.name_scope("other"), tf.device("/cpu:0"):
                t = tf.constant([3.0]) * 3.0
            results["eager_value"] = (type(t).__name__, t.numpy())
            eager_done.wait()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=trace_thread), threading.Thread(target=eager_thread)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert results["tracing"] is False and results["eager"] is True
    assert results["eager_value"][0] == "EagerTensor"
    np.testing.assert_allclose(results["eager_value"][1], [9.0])
    name, device, graph = results["z_op"]
    assert (name, device) == ("add", "") and graph is traced.get_concrete_function(tf.constant([1.0, 2.0])).graph
    np.testing.assert_allclose(results["traced"], [3.0, 5.0])
    assert tf.executing_eagerly()


def test_graph_default_is_per_thread():
    g = tf.Graph()
    seen = []
    started = threading.Event()
    release = threading.Event()

    def other():
        started.wait(30)
        seen.append((tf.executing_eagerly(), tf.constant(1.0).numpy()))
        release.set()

    t = threading.Thread(target=other)
    t.start()
    with g.as_default():
        started.set()
        release.wait(30)
        assert not tf.executing_eagerly()
    t.join(30)
    assert seen == [(True, 1.0)] and len(g.get_operations()) == 0
