"""tf.debugging's run-time checks (eagerflow/ops/checks.py), eagerly and under tf.function.

The expected messages were printed by TensorFlow 2.21 for the same calls. Two conventions of eagerflow
differ from TF's eager text and are not repeated here: TF prefixes op errors with
"{{function_node __wrapped__<Op>_device_...}}" and ends them with " name: ", and lists allowed dtypes
in its registration order rather than sorted.
"""
import re

import numpy as np
import pytest

import eagerflow as tf
from eagerflow.ops import checks

C = tf.constant


def message_of(cls, fn, *args, **kwargs) -> str:
    with pytest.raises(cls) as info:
        fn(*args, **kwargs)
    assert type(info.value) is cls
    return str(info.value)


def graph_error(fn, *args):
    """(node, message) of the InvalidArgumentError a tf.function raises while it runs."""
    text = message_of(tf.errors.InvalidArgumentError, fn, *args)
    assert text.startswith("Graph execution error:")
    body, tail = text.rsplit("\n\t [[{{node ", 1)
    node = tail.split("}}")[0]
    assert re.fullmatch(r"\S+\]\] \[Op:__inference_\w+\]", tail)
    return node, body.split("\n\n")[-1]


_SIGNATURES = {"x": lambda f: lambda x: f(x), "x y": lambda f: lambda x, y: f(x, y),
               "a": lambda f: lambda a: f(a), "a b": lambda f: lambda a, b: f(a, b)}


def traced(check, *specs, args="x y", **kwargs):
    """A tf.function of arguments named `args` running `check(*args, **kwargs)` and returning the first
    argument; .result holds what the check returned while tracing."""
    def record(*values):
        fn.result = check(*values, **kwargs)
        return values[0]
    fn = tf.function(_SIGNATURES[args](record), input_signature=list(specs) or None, autograph=False)
    return fn


# ---- element-wise comparisons, eagerly -------------------------------------------------------------------

def test_assert_equal_eager_reports_the_differences():
    text = message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_equal, C([1, 2, 3, 4, 5]), C([1, 0, 3, 0, 0]))
    assert text == ("Condition x == y did not hold.\nIndices of first 3 different values:\n[[1]\n [3]\n [4]]\n"
                    "Corresponding x values:\n[2 4 5]\nCorresponding y values:\n[0 0 0]\n"
                    "First 3 elements of x:\n[1 2 3]\nFirst 3 elements of y:\n[1 0 3]")
    text = message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_equal, C([1, 2, 3, 4, 5]),
                      C([1, 0, 3, 0, 0]), message="hello", summarize=2)
    assert text == ("hello\nCondition x == y did not hold.\nIndices of first 2 different values:\n[[1]\n [3]]\n"
                    "Corresponding x values:\n[2 4]\nCorresponding y values:\n[0 0]\n"
                    "First 2 elements of x:\n[1 2]\nFirst 2 elements of y:\n[1 0]")


def test_assert_equal_eager_multi_dim_and_dtypes():
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_less, C([[1, 2], [3, 4]]),
                      C([[2, 2], [3, 5]])) == (
        "Condition x < y did not hold.\nIndices of first 2 different values:\n[[0 1]\n [1 0]]\n"
        "Corresponding x values:\n[2 3]\nCorresponding y values:\n[2 3]\n"
        "First 3 elements of x:\n[1 2 3]\nFirst 3 elements of y:\n[2 2 3]")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_equal, C([0.1, 1e10, 1e-7, 1.0]),
                      C([0.2, 1e10, 1e-7, 2.0])) == (
        "Condition x == y did not hold.\nIndices of first 2 different values:\n[[0]\n [3]]\n"
        "Corresponding x values:\n[0.1 1. ]\nCorresponding y values:\n[0.2 2. ]\n"
        "First 3 elements of x:\n[1.e-01 1.e+10 1.e-07]\nFirst 3 elements of y:\n[2.e-01 1.e+10 1.e-07]")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_equal, C(["a", "b"]), C(["a", "c"])) == (
        "Condition x == y did not hold.\nIndices of first 1 different values:\n[[1]]\n"
        "Corresponding x values:\n[b'b']\nCorresponding y values:\n[b'c']\n"
        "First 2 elements of x:\n[b'a' b'b']\nFirst 2 elements of y:\n[b'a' b'c']")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_equal, C([1.0, np.nan]),
                      C([1.0, np.nan])).endswith("Corresponding x values:\n[nan]\nCorresponding y values:\n[nan]\n"
                                                 "First 2 elements of x:\n[ 1. nan]\nFirst 2 elements of y:\n[ 1. nan]")


def test_compare_eager_without_indices_when_shapes_differ_or_scalars():
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_equal, C([[1, 2], [3, 4]]), C([1, 3])) == (
        "Condition x == y did not hold.\nFirst 3 elements of x:\n[1 2 3]\nFirst 2 elements of y:\n[1 3]")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_equal, 1, 2, message="m") == (
        "m\nCondition x == y did not hold.\nFirst 1 elements of x:\n[1]\nFirst 1 elements of y:\n[2]")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_less, C([1, 2, 3, 4, 5]), C([3])) == (
        "Condition x < y did not hold.\nFirst 3 elements of x:\n[1 2 3]\nFirst 1 elements of y:\n[3]")


@pytest.mark.parametrize("check, sym", [(tf.debugging.assert_less_equal, "<="), (tf.debugging.assert_greater, ">"),
                                        (tf.debugging.assert_greater_equal, ">="),
                                        (tf.debugging.assert_none_equal, "!=")])
def test_each_comparison_names_its_condition(check, sym):
    text = message_of(tf.errors.InvalidArgumentError, check, C([1, 2, 3, 4, 5]), 3)
    assert text == f"Condition x {sym} y did not hold.\nFirst 3 elements of x:\n[1 2 3]\nFirst 1 elements of y:\n[3]"


def test_compare_eager_summarize_and_message_variants():
    text = message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_less, C([1, 2, 3, 4, 5]),
                      C([0, 0, 0, 0, 0]), summarize=-1)  # negative: everything
    assert "Indices of first 5 different values:" in text and text.endswith("First 5 elements of y:\n[0 0 0 0 0]")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_less, C([2]), C([1]), summarize=0,
                      message="mm") == "mm\nCondition x < y did not hold."
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_less, C([2]), C([1]),
                      message=C("tm")).startswith("b'tm'\nCondition x < y did not hold.")
    # TF's argument order for assert_none_equal: (x, y, summarize, message)
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_none_equal, C([1, 2]), C([1, 2]), 1,
                      "m") == ("m\nCondition x != y did not hold.\nIndices of first 1 different values:\n[[0]]\n"
                               "Corresponding x values:\n[1]\nCorresponding y values:\n[1]\n"
                               "First 1 elements of x:\n[1]\nFirst 1 elements of y:\n[1]")
    with pytest.raises(TypeError, match="slice indices must be integers"):
        tf.debugging.assert_less(C([2, 3, 4]), C([1, 1, 1]), summarize=2.5)


def test_compare_eager_passes_return_none():
    t = C([1.0, np.nan])
    assert tf.debugging.assert_equal(t, t) is None  # the same tensor: not even compared (NaN)
    assert tf.debugging.assert_equal(C(1), C([1, 1])) is None
    assert tf.debugging.assert_equal(np.array([1, 2], np.int32), [1, 2]) is None
    assert tf.debugging.assert_less(C([]), C(1.0)) is None
    assert tf.debugging.assert_none_equal(C([1, 2]), 7) is None
    assert tf.debugging.assert_equal(tf.Variable([1, 2]), C([1, 2])) is None


def test_compare_bad_arguments_get_the_op_errors():
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_equal, C([1, 2, 3]), C([1, 2])) == \
        "Incompatible shapes: [3] vs. [2] [Op:Equal]"
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_less, C([1.0, 2.0]), 3) == (
        "cannot compute Less as input #1(zero-based) was expected to be a float tensor but is a int32 tensor "
        "[Op:Less]")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_less, C(["a"]), C(["b"])).startswith(
        "Value for attr 'T' of string is not in the list of allowed values")


# ---- element-wise comparisons, in graphs -----------------------------------------------------------------

def test_compare_graph_runs_an_assert_node():
    fn = traced(tf.debugging.assert_equal)
    assert graph_error(fn, C([1, 2, 3, 4, 5]), C([1, 0, 3, 0, 0])) == (
        "assert_equal_1/Assert/Assert", "assertion failed: [Condition x == y did not hold element-wise:] "
        "[x (x:0) = ] [1 2 3...] [y (y:0) = ] [1 0 3...]")
    assert fn.result.type == "Assert" and fn.result.name == "assert_equal_1/Assert/Assert"
    assert fn(C([1, 2]), C([1, 2])).numpy().tolist() == [1, 2]
    fn = traced(tf.debugging.assert_less, message="msg", summarize=2)
    assert graph_error(fn, C([1.0, 2.0, 3.0]), C([1.0, 0.0, 3.0])) == (  # float data: TF guards the node with a cond
        "assert_less/Assert/AssertGuard/Assert", "assertion failed: [msg] [Condition x < y did not hold element-wise:] "
        "[x (x:0) = ] [1 2...] [y (y:0) = ] [1 0...]")
    fn = traced(tf.debugging.assert_greater_equal, message="ge", summarize=-1, name="myname")
    assert graph_error(fn, C([1, 2, 3, 4, 5]), C([2, 2, 2, 2, 2])) == (
        "myname/Assert/Assert", "assertion failed: [ge] [Condition x >= y did not hold element-wise:] "
        "[x (x:0) = ] [1 2 3 4 5] [y (y:0) = ] [2 2 2 2 2]")
    fn = traced(tf.debugging.assert_none_equal, summarize=0)
    assert graph_error(fn, C([1, 2]), C([2, 2]))[1] == "assertion failed: [...] [...] [...] [...] [...]"


def test_compare_graph_formats_data_as_tf_assert_kernel():
    fn = traced(tf.debugging.assert_equal)
    assert graph_error(fn, C([[1, 2, 3, 4]] * 3), C([[1, 2, 3, 4]] * 2 + [[0] * 4]))[1] == (
        "assertion failed: [Condition x == y did not hold element-wise:] [x (x:0) = ] [[1 2 3...]...] "
        "[y (y:0) = ] [[1 2 3...]...]")
    assert graph_error(fn, C(["a", "b"]), C(["a", "c"]))[1].endswith("[x (x:0) = ] [a b] [y (y:0) = ] [a c]")
    assert graph_error(fn, C([True]), C([False])) == (
        "assert_equal_1/Assert/AssertGuard/Assert",
        "assertion failed: [Condition x == y did not hold element-wise:] [x (x:0) = ] [1] [y (y:0) = ] [0]")
    fn = traced(lambda x: tf.debugging.assert_less(x, 3.0), args="x")
    assert graph_error(fn, C([1.0, 4.0, 6.0]))[1] == (
        "assertion failed: [Condition x < y did not hold element-wise:] [x (x:0) = ] [1 4 6] "
        "[y (assert_less/y:0) = ] [3]")


@pytest.mark.parametrize("value, limit, text", [
    (np.arange(6).reshape(2, 3), 4, "[0 1 2][3...]..."), (np.arange(4).reshape(2, 2), 4, "[0 1][2 3]"),
    (np.arange(8).reshape(2, 2, 2), 4, "[[0 1][2 3]]..."), (np.zeros((2, 0)), 3, ""), (np.float32(3.5), 3, "3.5"),
    (np.array([0.1, 1 / 3, 1e20, -0.0, 1e-5, 123456789.0]), -1, "0.1 0.33333333333333331 1e+20 -0 1e-05 123456789"),
    (np.array([0.1, 1 / 3, 1e20, -0.0, 1e-5, 123456789.0], np.float32), -1, "0.1 0.333333343 1e+20 -0 1e-05 123456792"),
    (np.array([0.1, 65504], np.float16), 3, "0.0999755859 65504"), (np.array([2 ** 40, -1]), 3, "1099511627776 -1"),
    (np.array([1 + 2j, 3]), 3, "? ?"), (np.array([b"a", b"b c"], dtype=object), 3, "a b c"),
    (np.array(7), 0, "..."), (np.array([True, False]), 3, "1 0")])
def test_summarize_value_matches_tf_assert_kernel(value, limit, text):
    assert checks.summarize_value(value, limit) == text


def test_compare_graph_static_values_fail_at_trace_time():
    @tf.function
    def fn():
        return tf.debugging.assert_less(C([1, 2, 3, 4, 5]), 3, message="msg")
    assert message_of(tf.errors.InvalidArgumentError, fn) == (
        "msg\nCondition x < y did not hold element-wise:\nx (Const:0) = \n[1 2 3 4 5]\ny (assert_less/y:0) = \n3")

    @tf.function
    def two_d():
        return tf.debugging.assert_none_equal(C([[1, 2], [3, 4]]), 2)
    assert message_of(tf.errors.InvalidArgumentError, two_d) == (
        "Condition x != y did not hold element-wise:\nx (Const:0) = \n[[1 2]\n [3 4]]\ny (assert_none_equal/y:0) = \n2")

    @tf.function
    def shape_known(x):
        tf.debugging.assert_equal(tf.shape(x), [2, 3])  # Shape of a fully known shape is static, as in TF
        return x
    assert message_of(tf.errors.InvalidArgumentError, shape_known, tf.zeros([2, 4])).startswith(
        "Condition x == y did not hold element-wise:\nx (Shape:0) = \n[2 4]\n")

    @tf.function
    def computed():  # TF does not fold `c + 1` at trace time: the check runs with the graph
        tf.debugging.assert_equal(C([1, 2]) + 1, C([1, 2]))
        return C(0)
    assert graph_error(computed)[0] == "assert_equal_1/Assert/Assert"


def test_compare_graph_same_tensor_is_a_no_op():
    fn = traced(lambda x: tf.debugging.assert_equal(x, x), args="x")
    assert fn(C([1])).numpy().tolist() == [1]
    assert fn.result.type == "NoOp" and fn.result.name == "assert_equal/NoOp"


def test_compare_inside_control_dependencies_and_tf1_session():
    @tf.function
    def fn(x):
        with tf.control_dependencies([tf.debugging.assert_positive(x)]):
            return tf.identity(x) * 2
    assert fn(C([1, 2])).numpy().tolist() == [2, 4]
    assert graph_error(fn, C([1, -2, 3, 4]))[1] == (
        "assertion failed: [] [Condition x > 0 did not hold element-wise:] [x (x:0) = ] [1 -2 3...]")
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None])
        check = tf.debugging.assert_less(x, 1.0)
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(check, {x: [0.5]})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[x \(Placeholder:0\) = \] \[2\]"):
            sess.run(check, {x: [2.0]})


# ---- signs ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("check, values, text", [
    (tf.debugging.assert_positive, [1, -2, 3, 4],
     "\nCondition x > 0 did not hold element-wise:\nx (shape=(4,) dtype=int32) = \n['1', '-2', '3', '...']"),
    (tf.debugging.assert_negative, 3.5,
     "\nCondition x < 0 did not hold element-wise:\nx (shape=() dtype=float32) = \n3.5"),
    (tf.debugging.assert_non_negative, [[1, -2], [3, 4]],
     "\nCondition x >= 0 did not hold element-wise:\nx (shape=(2, 2) dtype=int32) = \n['1', '-2', '3', '...']"),
    (tf.debugging.assert_non_positive, [[1, -2], [3, 4]],  # TF's message runs two lines together here
     "\nCondition x <= 0 did not hold element-wise:x (shape=(2, 2) dtype=int32) = \n['1', '-2', '3', '...']"),
    (tf.debugging.assert_positive, [0.5, -0.25, np.nan, 1e10],
     "\nCondition x > 0 did not hold element-wise:\nx (shape=(4,) dtype=float32) = \n['0.5', '-0.25', 'nan', '...']")])
def test_sign_checks_eager(check, values, text):
    assert message_of(tf.errors.InvalidArgumentError, check, C(values)) == text


def test_sign_checks_eager_options_and_errors():
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_positive, C([1, -2, 3, 4]), message="mm",
                      summarize=2) == ("mm.  \nCondition x > 0 did not hold element-wise:\n"
                                       "x (shape=(4,) dtype=int32) = \n['1', '-2', '...']")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_negative, C([1, 2]), summarize=0).endswith(
        "\n['...']")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_negative, C(1), summarize=0).endswith("\n1")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_negative, 0.0).endswith(
        "x (shape=() dtype=float32) = \n0.0")
    with pytest.raises(TypeError, match="slice indices must be integers"):  # as TF: summarize < 0 with these data
        tf.debugging.assert_positive(C([-1, 2]), summarize=-1)
    assert message_of(TypeError, tf.debugging.assert_positive, C(["a"])) == \
        "Cannot convert 0 to EagerTensor of dtype string"
    assert tf.debugging.assert_non_negative(C([1], tf.uint8)) is None
    assert tf.debugging.assert_positive(C([1, 2])) is None


def test_sign_checks_graph():
    def both(x):
        tf.debugging.assert_positive(x, message="p", summarize=2)
        return tf.debugging.assert_non_positive(x)
    fn = traced(both, args="x")
    assert graph_error(fn, C([1.0, -1.0, 3.0])) == (
        "assert_positive/assert_less/Assert/AssertGuard/Assert",
        "assertion failed: [p.  ] [Condition x > 0 did not hold element-wise:] [x (x:0) = ] [1 -1...]")
    assert graph_error(fn, C([1.0, 1.0, 3.0])) == (
        "assert_non_positive/assert_less_equal/Assert/AssertGuard/Assert",
        "assertion failed: [] [Condition x <= 0 did not hold element-wise:x (x:0) = ] [1 1 3]")

    @tf.function
    def static():
        return tf.debugging.assert_positive(C([1, -2, 3, 4]))
    assert message_of(tf.errors.InvalidArgumentError, static) == (
        "\nCondition x > 0 did not hold element-wise:\nx (Const:0) = \n[ 1 -2  3  4]")


# ---- assert_near ------------------------------------------------------------------------------------------

_F32_TOL = ("rtol = tf.Tensor(1.1920929e-06, shape=(), dtype=float32), "
            "atol = tf.Tensor(1.1920929e-06, shape=(), dtype=float32)")


def test_assert_near_eager():
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_near, C([1.0, 2.0, 3.0]),
                      C([1.0, 2.1, 3.0])) == (
        "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: b''\n"
        f"b'x and y not equal to tolerance {_F32_TOL}'\n"
        "b'x (shape=(3,) dtype=float32) = '\n1.0, 2.0, 3.0\nb'y (shape=(3,) dtype=float32) = '\n1.0, 2.1, 3.0")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_near, C([1.0, 2.0, 3.0]),
                      C([1.0, 2.1, 3.0]), rtol=0.01, atol=1e-3, message="mm", summarize=1) == (
        "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: b'mm.  '\n"
        "b'x and y not equal to tolerance rtol = tf.Tensor(0.01, shape=(), dtype=float32), "
        "atol = tf.Tensor(0.001, shape=(), dtype=float32)'\n"
        "b'x (shape=(3,) dtype=float32) = '\n1.0, ...\nb'y (shape=(3,) dtype=float32) = '\n1.0, ...")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_near, C(np.arange(6.0)),
                      C(np.arange(6.0) + 1), summarize=0).endswith("Summarized data: \n\n\n...\n\n...")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_near, C(np.arange(6.0)),
                      C(np.arange(6.0) + 1), summarize=-1).endswith("\n0.0, 1.0, 2.0, 3.0, 4.0, 5.0\n"
                                                                      "b'y (shape=(6,) dtype=float64) = '\n"
                                                                      "1.0, 2.0, 3.0, 4.0, 5.0, 6.0")
    assert tf.debugging.assert_near(C([1.0, 2.0]), [1.0, 2.0000001]) is None
    assert tf.debugging.assert_near(C([1.0]), C([1.2]), rtol=C(0.1), atol=0.1) is None


def test_assert_near_default_tolerances_follow_the_dtype():
    text = message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_near, C([1.0, 2.0], tf.float64), [1.0, 2.5])
    assert "rtol = tf.Tensor(2.220446049250313e-15, shape=(), dtype=float64)" in text
    text = message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_near, C([1.0], tf.float16),
                      C([1.1], tf.float16))
    assert "rtol = tf.Tensor(0.009766, shape=(), dtype=float16)" in text
    assert text.endswith("\n1.0\nb'y (shape=(1,) dtype=float16) = '\n1.1")
    text = message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_near, C([1 + 1j, 2]), C([1 + 1j, 2.1]))
    assert "dtype=float64), atol" in text and text.endswith("\n(1+1j), (2.1+0j)")
    text = message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_near, C([1.0, np.nan]), C([1.0, np.nan]))
    assert text.endswith("\n1.0, nan")  # NaN is never near anything


def test_assert_near_bad_arguments():
    assert message_of(ValueError, tf.debugging.assert_near, C([1]), C([1])) == \
        "data type <class 'numpy.int32'> not inexact"
    assert message_of(ValueError, tf.debugging.assert_near, C([1.0, 2.0]), C([1.0, 2.0], tf.float64)) == (
        "y: Tensor conversion requested dtype float32 for Tensor with dtype float64: "
        "<tf.Tensor: shape=(2,), dtype=float64, numpy=array([1., 2.])>")
    assert message_of(ValueError, tf.debugging.assert_near, C([1.0]), C([1.2]), rtol=C(0.1, tf.float64)).startswith(
        "rtol: Tensor conversion requested dtype float32 for Tensor with dtype float64")
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_near, C([1.0, 2.0]), C([1.0, 2.0, 3.0])) == \
        "Incompatible shapes: [2] vs. [3] [Op:Sub]"


def test_assert_near_graph():
    fn = traced(tf.debugging.assert_near)
    assert graph_error(fn, C([1.0, 2.0, 3.0, 4.0]), C([1.0, 2.1, 3.0, 4.0])) == (
        "assert_near/Assert/AssertGuard/Assert",
        'assertion failed: [] [x and y not equal to tolerance rtol = Tensor("assert_near/rtol:0", shape=(), '
        'dtype=float32), atol = Tensor("assert_near/atol:0", shape=(), dtype=float32)] [x (x:0) = ] [1 2 3...] '
        "[y (y:0) = ] [1 2.1 3...]")
    assert fn.result.type == "Assert"


# ---- ranks ---------------------------------------------------------------------------------------------

def test_rank_checks_eager():
    assert tf.debugging.assert_rank(C([1, 2]), 1) is None
    assert tf.debugging.assert_rank([1, 2, 3], C(1)) is None
    assert tf.debugging.assert_rank_at_least(C([1, 2]), 1) is None
    assert tf.debugging.assert_rank_in(C([1, 2]), [1, 2]) is None
    assert message_of(ValueError, tf.debugging.assert_rank, C([1, 2]), 2) == \
        "Tensor  must have rank 2.  Received rank 1, shape (2,)"
    assert message_of(ValueError, tf.debugging.assert_rank, C([[1, 2]]), 0, message="mm") == \
        "mm.  Tensor  must have rank 0.  Received rank 2, shape (1, 2)"
    assert message_of(ValueError, tf.debugging.assert_rank_at_least, C([1, 2]), 2, message="m") == \
        "m.  Tensor  must have rank at least 2.  Received rank 1, shape (2,)"
    assert message_of(ValueError, tf.debugging.assert_rank_in, C([1, 2]), (0, C(2)), message="m") == \
        "m.  Tensor  must have rank in (0, 2).  Received rank 1, shape (2,)"
    assert message_of(ValueError, tf.debugging.assert_rank_in, C([[1]]), [1]) == \
        "Tensor  must have rank in (1,).  Received rank 2, shape (1, 1)"
    assert message_of(ValueError, tf.debugging.assert_rank_in, C([1, 2]), []) == \
        "Tensor  must have rank in ().  Received rank 1, shape (2,)"


def test_rank_checks_bad_ranks():
    for check, rank in ((tf.debugging.assert_rank, [1]), (tf.debugging.assert_rank_at_least, [2]),
                        (tf.debugging.assert_rank_in, [[0], 2])):
        assert message_of(ValueError, check, C([1, 2]), rank) == "Rank must be a scalar."
    assert message_of(TypeError, tf.debugging.assert_rank, C([1, 2]), 1.0) == \
        "tensor must be of type tf.int32; got tf.float32"
    assert message_of(TypeError, tf.debugging.assert_rank, C([1, 2]), C(1, tf.int64)) == \
        "tensor must be of type tf.int32; got tf.int64"
    assert message_of(TypeError, tf.debugging.assert_rank_in, C([1, 2]), [1.0]) == \
        "tensor must be of type tf.int32; got tf.float32"

    @tf.function
    def fn():
        return tf.debugging.assert_rank(C([1]), 1.0)
    assert message_of(TypeError, fn) == "assert_rank/rank:0 must be of type tf.int32; got tf.float32"


def test_rank_checks_graph_static():
    fn = traced(tf.debugging.assert_rank, rank=2, args="x")
    assert fn(C([[1]])).numpy().tolist() == [[1]]
    assert fn.result.type == "NoOp" and fn.result.name == "assert_rank/static_checks_determined_all_ok"
    assert message_of(ValueError, fn, C([1])) == "Tensor x:0 must have rank 2.  Received rank 1, shape (1,)"


def test_rank_checks_graph_dynamic():
    spec = tf.TensorSpec(None, tf.int32)
    fn = traced(tf.debugging.assert_rank, spec, rank=2, message="mm", args="x")
    assert fn(C([[1]])).numpy().tolist() == [[1]]
    assert fn.result.type == "Assert"
    assert graph_error(fn, C([1, 2, 3, 4])) == (
        "assert_rank/Assert/Assert", "assertion failed: [mm.  ] [Tensor x:0 must have rank] [2] [Received shape: ] [4]")
    fn = traced(tf.debugging.assert_rank_at_least, spec, rank=2, args="x")
    assert graph_error(fn, C([1, 2, 3, 4]))[1] == \
        "assertion failed: [] [Tensor x:0 must have rank at least] [2] [Received shape: ] [4]"
    fn = traced(tf.debugging.assert_rank_in, spec, ranks=[0, 2], args="x")
    assert graph_error(fn, C([1, 2, 3, 4])) == (
        "assert_rank_in/Assert/Assert",
        "assertion failed: [] [Tensor x:0 must have rank in] [0] [2] [Received shape: ] [4]")
    fn = traced(tf.debugging.assert_rank, spec, spec)  # the rank itself is checked to be a scalar first
    assert graph_error(fn, C([1, 2, 3, 4]), C([1])) == (
        "assert_rank/assert_rank/Assert/Assert", "assertion failed: [Rank must be a scalar. Received rank: ] [1]")
    assert graph_error(fn, C([1, 2, 3, 4]), C(2))[1] == \
        "assertion failed: [] [Tensor x:0 must have rank] [2] [Received shape: ] [4]"
    assert fn(C([1, 2]), C(1)).numpy().tolist() == [1, 2]


def test_assert_scalar():
    assert tf.debugging.assert_scalar(C(1)) is None and tf.debugging.assert_scalar(3) is None
    assert message_of(ValueError, tf.debugging.assert_scalar, C([1])) == "Expected scalar shape, saw shape: (1,)."
    assert message_of(ValueError, tf.debugging.assert_scalar, C([1]), message="mm", name="nn") == \
        "mm.  Expected scalar shape, saw shape: (1,)."
    fn = traced(tf.debugging.assert_scalar, args="x")
    assert fn(C(1)).numpy() == 1 and fn.result is None
    assert message_of(ValueError, fn, C([1])) == "Expected scalar shape for x:0, saw shape: (1,)."
    fn = traced(tf.debugging.assert_scalar, tf.TensorSpec(None, tf.int32), args="x")
    assert message_of(ValueError, fn.get_concrete_function) == "Expected scalar shape for x:0, saw shape: <unknown>."


# ---- shapes ---------------------------------------------------------------------------------------------

X, Y, S, Z = tf.zeros([2, 3]), tf.zeros([3]), tf.zeros([]), tf.zeros([2, 3, 4])
F32 = "dtype=float32"


@pytest.mark.parametrize("shapes", [
    [(X, ("N", "Q")), (Y, ("Q",)), (S, [])], [(X, (2, 3)), (Y, [3]), (S, ())], [(Z, ("N", "...", 4))],
    [(S, ["N"])], [([1, 2], ("N",))], [(Y, "N")], [(X, tf.TensorShape([2, 3]))], [(X, (None, 3))], [(X, (".", 3))],
    [(X, (2.0, 3))], [(Y, None)], [(Y, np.array([3]))], [(Z, (..., 4)), (X, ("*", 3))]])
def test_assert_shapes_passes(shapes):
    assert tf.debugging.assert_shapes(shapes) is None


@pytest.mark.parametrize("shapes, text", [
    ([(X, ("N", "Q")), (Y, ("N",))], f"Specified by tensor shape=(2, 3) {F32} dimension 0.  Tensor shape=(3,) {F32} "
                                     "dimension 0 must have size 2.  Received size 3, shape (3,)"),
    ([(X, ("N",))], "Tensor  must have rank in (0, 1).  Received rank 2, shape (2, 3)"),
    ([(X, ("N", "Q", "R"))], "Tensor  must have rank 3.  Received rank 2, shape (2, 3)"),
    ([(X, (2, 4))], f"Specified explicitly.  Tensor shape=(2, 3) {F32} dimension 1 must have size 4.  Received size 3, "
                    "shape (2, 3)"),
    ([(X, (2, -1))], f"Specified explicitly.  Tensor shape=(2, 3) {F32} dimension 1 must have size -1.  "
                     "Received size 3, shape (2, 3)"),
    ([(Z, ("...", 4))], "Tensor  must have rank 2.  Received rank 3, shape (2, 3, 4)"),  # the string "..." is a symbol
    ([(Y, [])], f"Specified explicitly.  Tensor shape=(3,) {F32} dimension 0 must have size 1.  Received size 3, "
                "shape (3,)"),
    ([(X, ("N", "Q")), (Z, ("N", "Q", "R")), (Y, ("R",))],
     f"Specified by tensor shape=(2, 3, 4) {F32} dimension 2.  Tensor shape=(3,) {F32} dimension 0 must have size 4.  "
     "Received size 3, shape (3,)"),
    ([(X, ("N", "Q")), (X, ("Q", "N"))], f"Specified by tensor shape=(2, 3) {F32} dimension 1.  Tensor shape=(2, 3) "
                                         f"{F32} dimension 0 must have size 3.  Received size 2, shape (2, 3)"),
    ([(Z, ("*", "Q")), (tf.zeros([5]), ("Q",))],
     f"Specified by tensor shape=(2, 3, 4) {F32} dimension -1.  Tensor shape=(5,) {F32} dimension 0 must have size 4.  "
     "Received size 5, shape (5,)"),
    ([(Z, (..., 4, "Q"))], f"Specified explicitly.  Tensor shape=(2, 3, 4) {F32} dimension -2 must have size 4.  "
                           "Received size 3, shape (2, 3, 4)"),
    ([(tf.zeros([4]), (..., 3, 4))], "Tensor  must have rank at least 2.  Received rank 1, shape (4,)"),
    ([(tf.zeros([4]), (...,))], f"Specified explicitly.  Tensor shape=(4,) {F32} dimension -1 must have size 1.  "
                                "Received size 4, shape (4,)"),
    ([(Z, (4, ..., "Q"))], f"Tensor shape=(2, 3, 4) {F32} specified shape index 1.  Symbol `...` or `*` for a variable "
                           "number of unspecified dimensions is only allowed as the first entry"),
    ([(tf.zeros([4]), 3)], f"Tensor shape=(4,) {F32}.  Specified shape must be an iterable.  An iterable has the "
                           "attribute `__iter__` or `__getitem__`.  Received specified shape: 3"),
    ([(S, ("N",)), (tf.zeros([2]), ("N",))], f"Specified by tensor shape=() {F32} dimension 0.  Tensor shape=(2,) "
                                             f"{F32} dimension 0 must have size 1.  Received size 2, shape (2,)")])
def test_assert_shapes_static_failures(shapes, text):
    assert message_of(ValueError, tf.debugging.assert_shapes, shapes) == text


def test_assert_shapes_message_prefix():
    assert message_of(ValueError, tf.debugging.assert_shapes, [(X, ("N", "Q")), (Y, ("N",))], message="mm").startswith(
        "mm.  Specified by tensor")
    assert message_of(ValueError, tf.debugging.assert_shapes, [(tf.zeros([4]), (3,))], data=["d"], message="m") == (
        f"m.  Specified explicitly.  Tensor shape=(4,) {F32} dimension 0 must have size 3.  Received size 4, "
        "shape (4,)")


def test_assert_shapes_graph():
    fn = traced(lambda a, b: tf.debugging.assert_shapes([(a, ("N", "Q")), (b, ("Q",))]), args="a b")
    assert fn(X, Y).shape == (2, 3) and fn.result is None
    assert message_of(ValueError, fn, X, tf.zeros([2])) == \
        "Specified by tensor a:0 dimension 1.  Tensor b:0 dimension 0 must have size 3.  Received size 2, shape (2,)"


def test_assert_shapes_graph_dynamic():
    fn = traced(lambda a, b: tf.debugging.assert_shapes([(a, ("N", "Q")), (b, ("Q",))]),
                tf.TensorSpec([None, None]), tf.TensorSpec([None]), args="a b")
    assert fn(X, Y).shape == (2, 3)
    assert graph_error(fn, X, tf.zeros([2])) == (
        "assert_shapes/Assert/Assert", "assertion failed: [] [Specified by tensor a:0 dimension 1] "
        "[Tensor b:0 dimension] [0] [must have size] [3] [Received shape: ] [2]")
    fn = traced(lambda a, b: tf.debugging.assert_shapes([(a, ("N", "Q")), (b, ("Q",))], message="mm", summarize=1),
                tf.TensorSpec(None), tf.TensorSpec([None]), args="a b")
    assert graph_error(fn, Z, Y) == (
        "assert_shapes/assert_rank/Assert/Assert",
        "assertion failed: [mm.  ] [Tensor a:0 must have rank] [2] [Received shape: ] [2...]")
    fn = traced(lambda a: tf.debugging.assert_shapes([(a, (2, "Q"))]), tf.TensorSpec([None, None]), args="a")
    assert graph_error(fn, tf.zeros([3, 3]))[1] == (
        "assertion failed: [] [Specified explicitly] [Tensor a:0 dimension] [0] [must have size] [2] "
        "[Received shape: ] [3 3]")
    fn = traced(lambda a, b: tf.debugging.assert_shapes([(a, (..., "Q")), (b, ("Q",))]),
                tf.TensorSpec(None), tf.TensorSpec([None]), args="a b")
    assert fn(S, tf.zeros([1])).shape == ()  # a scalar counts as shape (1,)
    assert graph_error(fn, S, tf.zeros([2]))[1] == (
        "assertion failed: [] [Specified by tensor a:0 dimension -1] [Tensor b:0 dimension] [0] [must have size] [1] "
        "[Received shape: ] [2]")
    fn = traced(lambda a, b: tf.debugging.assert_shapes([(a, ("N", "Q")), (b, ("Q",)), (b, ("N",))]),
                tf.TensorSpec([None, 3]), tf.TensorSpec([None]), args="a b")
    assert fn(tf.zeros([3, 3]), tf.zeros([3])).shape == (3, 3)
    assert graph_error(fn, X, tf.zeros([2]))[1].startswith("assertion failed: [] [Specified by tensor a:0 dimension 1]")


# ---- dtypes -------------------------------------------------------------------------------------------

def test_assert_type():
    assert tf.debugging.assert_type(C([1, 2]), tf.int32) is None
    assert tf.debugging.assert_type(np.array([1, 2]), tf.int64) is None
    assert tf.debugging.assert_type([1.0, 2.0], "float32") is None
    assert tf.debugging.assert_type(tf.Variable([1, 2]), tf.int32) is None
    assert message_of(TypeError, tf.debugging.assert_type, C([1, 2]), np.float32) == \
        "tensor must be of type tf.float32; got tf.int32"
    assert message_of(TypeError, tf.debugging.assert_type, C([1, 2]), tf.float32, message="mm", name="nn") == \
        "mm.  tensor must be of type tf.float32; got tf.int32"
    fn = traced(tf.debugging.assert_type, tf_type=tf.int32, args="x")
    assert fn(C(1)).numpy() == 1 and fn.result is None
    assert message_of(TypeError, fn, C(1.0)) == "x:0 must be of type tf.int32; got tf.float32"

    @tf.function
    def constant():
        tf.debugging.assert_type(3.0, tf.int32)
    assert message_of(TypeError, constant) == "assert_type/tensor:0 must be of type tf.int32; got tf.float32"


def test_assert_integer():
    assert tf.debugging.assert_integer(C([1, 2])) is None and tf.debugging.assert_integer(C([1], tf.uint8)) is None
    assert tf.debugging.assert_integer(3) is None
    assert message_of(TypeError, tf.debugging.assert_integer, C([1.0, 2.0])) == \
        "Expected \"x\" to be integer type.  Found: tensor of dtype <dtype: 'float32'>"
    assert message_of(TypeError, tf.debugging.assert_integer, C([True]), message="mm") == \
        "mm.  Expected \"x\" to be integer type.  Found: tensor of dtype <dtype: 'bool'>"
    fn = traced(tf.debugging.assert_integer, args="x")
    assert fn(C(1)).numpy() == 1 and fn.result is None
    assert message_of(TypeError, fn, C(1.0)) == \
        "Expected \"x\" to be integer type.  Found: x:0 of dtype <dtype: 'float32'>"


def test_is_numeric_tensor():
    numeric = (tf.int8, tf.uint8, tf.int16, tf.uint16, tf.int32, tf.uint32, tf.int64, tf.uint64, tf.float16,
               tf.bfloat16, tf.float32, tf.float64, tf.complex64, tf.complex128)
    assert all(tf.debugging.is_numeric_tensor(C([1], d)) for d in numeric)
    for value in (C(["a"]), C([True]), np.array([1.0]), 3, tf.Variable(3.0)):
        assert tf.debugging.is_numeric_tensor(value) is False


def test_assert_proper_iterable():
    for ok in ([1, 2], (x for x in [1]), {1: 2}, tf.Variable([1])):
        assert tf.debugging.assert_proper_iterable(ok) is None
    for bad in (C([1, 2]), np.array([1, 2]), "ab", b"ab"):
        assert message_of(TypeError, tf.debugging.assert_proper_iterable, bad) == \
            f'Expected argument "values" to be a "proper" iterable.  Found: {type(bad)}'
    for bad in (3, np.int32(3), None):
        assert message_of(TypeError, tf.debugging.assert_proper_iterable, bad) == \
            f'Expected argument "values" to be iterable.  Found: {type(bad)}'


# ---- ordering -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("values, non_decreasing, increasing", [
    ([1, 1, 2], True, False), ([[1, 2], [2, 1]], False, False), ([[1, 2], [3, 4]], True, True), ([], True, True),
    (5.0, True, True), ([[1.0, 2.0], [3.0, np.nan]], False, False), ([np.inf, np.inf], True, False),
    (np.array([2, 1], np.uint8), False, False), ([1 + 1j], True, True)])
def test_monotonic_predicates(values, non_decreasing, increasing):
    for fn, want in ((checks.is_non_decreasing, non_decreasing), (checks.is_strictly_increasing, increasing)):
        out = fn(values)
        assert out.dtype == tf.bool and out.shape == () and bool(out) is want
    graph = tf.function(lambda x: (checks.is_non_decreasing(x), checks.is_strictly_increasing(x)))
    if np.asarray(values).dtype.kind != "c":
        assert [bool(t) for t in graph(C(values))] == [non_decreasing, increasing]


def test_monotonic_predicates_reject_non_numeric():
    assert message_of(TypeError, checks.is_non_decreasing, C([["a"], ["b"]])) == \
        "Expected x to be numeric, instead found: tf.Tensor([b'a' b'b'], shape=(2,), dtype=string)"
    assert message_of(TypeError, checks.is_strictly_increasing, C([True, False])) == \
        "Expected x to be numeric, instead found: tf.Tensor([ True False], shape=(2,), dtype=bool)"
    assert message_of(TypeError, tf.function(checks.is_non_decreasing), C([["a"]])) == \
        'Expected x to be numeric, instead found: Tensor("is_non_decreasing/Reshape:0", shape=(1,), dtype=string)'
    assert message_of(tf.errors.InvalidArgumentError, checks.is_non_decreasing, C([1 + 1j, 2])).startswith(
        "Value for attr 'T' of complex128 is not in the list of allowed values")


# ---- NaN and Inf ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("values, dtype, found", [
    ([1.0, np.nan], tf.float32, "NaN"), ([1.0, np.inf], tf.float32, "Inf"),
    ([-np.inf, np.nan], tf.float32, "Inf and NaN"),
    ([np.inf], tf.float64, "Inf"), ([np.inf], tf.float16, "Inf"), ([np.inf], tf.bfloat16, "Inf")])
def test_check_numerics_eager(values, dtype, found):
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.check_numerics, C(values, dtype), "msg") == \
        f"msg : Tensor had {found} values [Op:CheckNumerics]"


def test_check_numerics_passes_and_rejects_bad_arguments():
    out = tf.debugging.check_numerics(C([1.0, 2.0]), "msg")
    assert out.dtype == tf.float32 and out.numpy().tolist() == [1.0, 2.0]
    assert tf.debugging.check_numerics(1.5, "m").numpy() == 1.5
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.check_numerics, C([np.nan]), "") == \
        " : Tensor had NaN values [Op:CheckNumerics]"
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.check_numerics, C([1]), "m") == (
        "Value for attr 'T' of int32 is not in the list of allowed values: bfloat16, double, float, half "
        "[Op:CheckNumerics]")
    assert message_of(TypeError, tf.debugging.check_numerics, C([1.0]), 3) == \
        "Expected string for argument 'message' not 3."


def test_check_numerics_gradient_is_checked_too():
    x = C([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.debugging.check_numerics(x * 3, "fwd")
        z = tf.reduce_sum(y * y)
    assert tape.gradient(z, x).numpy().tolist() == [18.0, 36.0]
    x = C([1.0, 0.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = tf.reduce_sum(tf.math.log(tf.debugging.check_numerics(x, "fwd")))
    assert message_of(tf.errors.InvalidArgumentError, tape.gradient, z, x) == (
        "Not a number (NaN) or infinity (Inf) values detected in gradient. b'fwd' : Tensor had Inf values "
        "[Op:CheckNumerics]")
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.debugging.check_numerics(x, "fwd")
    assert message_of(tf.errors.InvalidArgumentError, tape.gradient, y, x, output_gradients=C([np.nan, 1.0])).endswith(
        "b'fwd' : Tensor had NaN values [Op:CheckNumerics]")


def test_check_numerics_graph_and_its_gradient():
    fn = traced(tf.debugging.check_numerics, message="in fn", args="x")
    assert fn(C([1.0, 2.0])).numpy().tolist() == [1.0, 2.0]
    assert graph_error(fn, C([1.0, np.inf])) == ("CheckNumerics", "in fn : Tensor had Inf values")

    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            z = tf.reduce_sum(tf.math.log(tf.debugging.check_numerics(x, "fwd")))
        return tape.gradient(z, x)
    assert grad(C([1.0, 2.0])).numpy().tolist() == [1.0, 0.5]
    assert graph_error(grad, C([1.0, 0.0]))[1] == \
        "Not a number (NaN) or infinity (Inf) values detected in gradient. b'fwd' : Tensor had Inf values"


def test_assert_all_finite():
    out = tf.debugging.assert_all_finite(C([1.0, 2.0]), "msg")
    assert out.numpy().tolist() == [1.0, 2.0]
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_all_finite, np.array([1.0, np.inf]), "msg",
                      name="nn") == "msg : Tensor had Inf values [Op:CheckNumerics]"
    assert message_of(tf.errors.InvalidArgumentError, tf.debugging.assert_all_finite, C([1]), "msg").startswith(
        "Value for attr 'T' of int32 is not in the list of allowed values")
    fn = traced(tf.debugging.assert_all_finite, message="in fn", args="x")
    assert fn(C([1.0])).numpy().tolist() == [1.0] and fn.result.op.control_inputs[0].type == "CheckNumerics"
    assert graph_error(fn, C([1.0, np.inf])) == ("VerifyFinite/CheckNumerics", "in fn : Tensor had Inf values")
    x = C([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.debugging.assert_all_finite(x, "m") * x)
    assert tape.gradient(y, x).numpy().tolist() == [2.0, 4.0]


# ---- namespaces and docs --------------------------------------------------------------------------------

def test_public_names_as_in_tf():
    for name in checks.__all__:
        if name not in ("is_non_decreasing", "is_strictly_increasing"):  # tf.math's in TF
            assert getattr(tf.debugging, name) is getattr(checks, name)
    for name in ("assert_equal", "assert_greater", "assert_less", "assert_rank"):  # TF 2's top-level aliases
        assert getattr(tf, name) is getattr(tf.debugging, name)
    assert tf.Assert is tf.debugging.Assert
    assert not hasattr(tf, "assert_near") and not hasattr(tf, "check_numerics")


def test_docstring_examples():
    import doctest
    result = doctest.testmod(checks, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 20 and not result.failed
