"""Errors in converted code point at the user's code: the last traceback frame is the user's file and
line (marked `# LINE:<tag>` below), for errors raised while tracing and while the graph runs."""
import traceback

import pytest

import eagerflow as tf
from eagerflow.autograph import ConversionError
from eagerflow.autograph.operators import AutoGraphError
from eagerflow.context import settings

C = tf.constant


def _line(tag: str) -> int:
    with open(__file__, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if line.rstrip().endswith(f"# LINE:{tag}"):
                return i
    raise AssertionError(f"no line tagged {tag}")


def _raises_at(exc_type, tag, fn, *args, match=None):
    with pytest.raises(exc_type, match=match) as info:
        fn(*args)
    last = traceback.extract_tb(info.value.__traceback__)[-1]
    assert last.filename == __file__, f"last frame is {last.filename}:{last.lineno}, not this test file"
    assert last.lineno == _line(tag), f"last frame is line {last.lineno}, expected {_line(tag)} ({tag})"
    return info.value


def test_variable_set_in_one_branch_only():
    @tf.function
    def f(x):
        if x > 0:
            y = x * 2
        return y  # LINE:one_branch

    err = _raises_at(AutoGraphError, "one_branch", f, C(1.0), match="'y' must also be initialized in the else")
    assert f"test_errors.py:{_line('one_branch') - 2}" in str(err)  # names the if statement's line


def test_variable_defined_only_inside_the_loop():
    @tf.function
    def f(n):
        for i in tf.range(n):
            last = i
        return last + 1  # LINE:loop_local

    _raises_at(AutoGraphError, "loop_local", f, C(3), match="'last' must be defined before the loop")


def test_dtype_change_in_a_loop():
    @tf.function
    def f(n):
        s = 0
        for i in tf.range(n):  # LINE:dtype_loop
            s = tf.cast(i, tf.float32) * 1.5
        return s

    err = _raises_at(TypeError, "dtype_loop", f, C(3), match="'s' has dtype int32 before the loop, but dtype "
                                                                "float32 after one iteration")
    assert f"test_errors.py:{_line('dtype_loop')}" in str(err)


def test_dtype_differs_between_branches():
    @tf.function
    def f(x):
        if x > 0:  # LINE:dtype_if
            y = 1
        else:
            y = 1.0
        return y

    _raises_at(TypeError, "dtype_if", f, C(1.0), match="'y' has dtype int32 in the main branch, but dtype float32")


def test_symbolic_tensor_as_python_bool():
    @tf.function
    def f(x):
        return bool(x > 0)  # LINE:bool

    err = _raises_at(tf.errors.OperatorNotAllowedInGraphError, "bool", f, C(1.0), match="as a Python `bool`")
    assert "tf.cond" in str(err)  # says how to fix it


def test_op_error_while_tracing_a_loop_body():
    @tf.function
    def f(x):
        for _ in tf.range(3):
            x = tf.matmul(x, tf.ones([3, 2]))  # LINE:matmul
        return x

    _raises_at(tf.errors.InvalidArgumentError, "matmul", f, C([[1.0, 2.0]]))


def test_division_by_zero_while_the_graph_runs():
    @tf.function
    def f(x, y):
        i = 0
        while i < 3:
            x = x // y  # LINE:div
            i += 1
        return x

    assert int(f(C(8), C(2))) == 1
    err = _raises_at(tf.errors.InvalidArgumentError, "div", f, C(8), C(0), match="Integer division by zero")
    assert "Detected at node" in str(err)


def test_failed_assert_while_the_graph_runs():
    @tf.function
    def f(x):
        assert x > 0, "x must be positive"  # LINE:assert
        return x

    _raises_at(tf.errors.InvalidArgumentError, "assert", f, C(-1), match="x must be positive")


def test_unconvertible_construct():
    @tf.function
    def f(n):
        x = 0
        for i in tf.range(n):
            x = i
            del x  # LINE:del
        return n

    _raises_at(ConversionError, "del", f, C(3), match="del x")


def test_list_appended_in_a_tensor_branch():
    @tf.function
    def f(x):
        items = []
        if x > 0:  # LINE:list_in_cond
            items.append(x)
        return x

    _raises_at(AutoGraphError, "list_in_cond", f, C(1.0), match="'items' is a Python list appended to inside")


def test_none_before_a_loop():
    @tf.function
    def f(n):
        found = None
        for i in tf.range(n):  # LINE:none_loop
            found = i
        return found

    _raises_at(AutoGraphError, "none_loop", f, C(3), match="'found' is None before the loop")


def test_return_none_and_tensor():
    @tf.function
    def f(x):
        if x > 0:  # LINE:return_none
            return None
        return x

    _raises_at(TypeError, "return_none", f, C(1.0), match="the return value is None in the main branch")


def test_tf_cond_branch_structures_differ():
    @tf.function
    def f(x):
        return tf.cond(x > 0, lambda: (x, x), lambda: x)  # LINE:cond_structure

    _raises_at(TypeError, "cond_structure", f, C(1.0), match="true_fn and false_fn arguments to tf.cond")


def test_error_raised_in_a_called_user_function():
    def helper(v):
        if v.shape.rank != 0:
            raise ValueError("helper needs a scalar")  # LINE:helper
        return v

    @tf.function
    def f(x):
        return helper(x) + 1.0

    _raises_at(ValueError, "helper", f, C([1.0, 2.0]), match="helper needs a scalar")


def test_iterating_a_scalar_tensor():
    @tf.function
    def f(x):
        total = 0.0
        for v in x * 2.0:  # LINE:scalar_iter
            total += v
        return total

    _raises_at(TypeError, "scalar_iter", f, C(1.0), match="Cannot iterate over a scalar tensor")


def test_full_tracebacks_flag_keeps_eagerflow_frames():
    @tf.function
    def f(x):
        return bool(x > 0)

    tf.debugging.disable_traceback_filtering()
    assert settings.full_tracebacks and not tf.debugging.is_traceback_filtering_enabled()
    try:
        with pytest.raises(tf.errors.OperatorNotAllowedInGraphError) as info:
            f(C(1.0))
    finally:
        tf.debugging.enable_traceback_filtering()
    frames = traceback.extract_tb(info.value.__traceback__)
    assert "eagerflow" in frames[-1].filename
