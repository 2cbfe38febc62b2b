"""tf.print: output pinned against TF 2.21, streams (current sys.stderr/stdout, files, logging), errors,
and printing at every call of a tf.function, in program order."""
import collections
import contextlib
import io
import logging
import sys

import numpy as np
import pytest

import eagerflow as tf

C = tf.constant


def _printed(*inputs, **kwargs) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        tf.print(*inputs, output_stream=sys.stdout, **kwargs)
    return buf.getvalue()


def _ar(n, shape=None):
    return C(np.arange(n, dtype=np.int32).reshape(shape or (n,)))


class _Obj:
    def __str__(self):
        return "STR"

    def __repr__(self):
        return "REPR"


# Expected texts were produced by TensorFlow 2.21's tf.print on the same inputs.
CASES = [
    ((C([1, 2, 3]),), {}, "[1 2 3]"),
    ((C([[1, 2], [3, 4]]),), {}, "[[1 2]\n [3 4]]"),
    ((C([1.0, 2.5, -3.25]),), {}, "[1 2.5 -3.25]"),
    ((C(1.0),), {}, "1"),
    ((C([1e-5, 1e10, 123456789.0]),), {}, "[1e-05 1e+10 123456792]"),
    ((C([0.1, 1 / 3], tf.float64),), {}, "[0.1 0.33333333333333331]"),
    ((C(np.pi, tf.float64), C(np.pi, tf.float32)), {}, "3.1415926535897931 3.14159274"),
    ((C([np.nan, np.inf, -np.inf]),), {}, "[nan inf -inf]"),
    ((C("abc"),), {}, "abc"),
    ((C(["a", "b"]),), {}, '["a" "b"]'),
    ((C([True, False]),), {}, "[1 0]"),
    ((C([1 + 2j, 3j]),), {}, "[? ?]"),
    ((_ar(10),), {}, "[0 1 2 ... 7 8 9]"),
    ((_ar(100, (10, 10)),), {}, "[[0 1 2 ... 7 8 9]\n [10 11 12 ... 17 18 19]\n [20 21 22 ... 27 28 29]\n ...\n"
                                " [70 71 72 ... 77 78 79]\n [80 81 82 ... 87 88 89]\n [90 91 92 ... 97 98 99]]"),
    ((_ar(24, (2, 3, 4)),), {}, "[[[0 1 2 3]\n  [4 5 6 7]\n  [8 9 10 11]]\n\n [[12 13 14 15]\n  [16 17 18 19]\n"
                                "  [20 21 22 23]]]"),
    ((_ar(10),), {"summarize": -1}, "[0 1 2 3 4 5 6 7 8 9]"),
    ((_ar(10),), {"summarize": 5}, "[0 1 2 3 4 5 6 7 8 9]"),
    ((_ar(10),), {"summarize": None}, "[0 1 2 ... 7 8 9]"),
    ((_ar(7),), {}, "[0 1 2 ... 4 5 6]"),
    ((_ar(6),), {}, "[0 1 2 3 4 5]"),
    ((_ar(10),), {"summarize": 0}, "[ ...]"),
    ((C(5),), {"summarize": 0}, "..."),
    ((_ar(16, (2, 8)),), {"summarize": 1}, "[[0 ... 7]\n [8 ... 15]]"),
    ((_ar(32, (8, 2, 2)),), {"summarize": 1}, "[[[0 1]\n  [2 3]]\n\n ...\n\n [[28 29]\n  [30 31]]]"),
    ((C(np.zeros([0])),), {}, "[]"),
    ((C(np.zeros([2, 0])), "|", C(np.zeros([2, 0, 2])), "|", C(np.zeros([0, 2]))), {},
     "[\n ...] | [\n\n ...] | []"),
    (("x", 1, 2.5, None, True, [1, C(2)], {"a": C([1, 2]), "b": 3}, (C(1),)), {},
     "x 1 2.5 None True [1, 2] {'a': [1 2], 'b': 3} (1,)"),
    (("a", "b"), {"sep": ",", "end": "!\n"}, "a,b"),
    ((C([1, 2]), C([[1, 2], [3, 4]])), {}, "[1 2] [[1 2]\n [3 4]]"),
    (([C([[1, 2], [3, 4]])],), {}, "[[[1 2]\n [3 4]]]"),
    ((C(5, tf.uint8), C(2 ** 40, tf.int64), C([5, -3], tf.int8)), {}, "5 1099511627776 [5 -3]"),
    ((C([0.1], tf.float16), C(np.float16(1 / 3))), {}, "[0.0999755859] 0.333251953"),
    ((C([0.001, 100000.0]), C([-0.0])), {}, "[0.001 100000] [-0]"),
    (("hello", b"hello", {"a": "x"}, np.array([1, 2])), {}, "hello b'hello' {'a': 'x'} array([1, 2])"),
    ((C(['a"b', "x\ny", "c'd", "\\", "\x01é"]),), {}, '["a\\"b" "x\\ny" "c\\\'d" "\\\\" "\\001é"]'),
    ((C('a"b\n'),), {}, 'a"b\n'),
    (([C('a"b')],), {}, '["a\\"b"]'),
    ((C(7), C([1, 2])), {"sep": ""}, "7[1 2]"),
    ((_Obj(), [_Obj()], "s", ["s"], 1.0, np.int64(3)), {}, "REPR [REPR] s ['s'] 1.0 np.int64(3)"),
    (({"b": 1, "a": C(2)},), {}, "{'a': 2, 'b': 1}"),
    ((tf.Variable([1, 2]),), {}, "[1 2]"),
    (("x", C("y")), {}, 'x "y"'),
    ((C([1e20, 1e-20, 5e-324, 1.7976931348623157e308], tf.float64),), {},
     "[1e+20 1e-20 0 1.7976931348623157e+308]"),
    ((C(np.array([3.4028235e38, 1e-45, 1e6, 1e17], np.float32)),), {}, "[3.40282347e+38 0 1e+06 1e+17]"),
    ((C(float("-nan")), C(-5e-324, tf.float64)), {}, "-nan -0"),
    (("has {} braces", C(1)), {}, "has {} braces 1"),
    ((["{}", C([1, 2])],), {}, "['{}', [1 2]]"),
    ((collections.OrderedDict([("b", C(1)), ("a", 2)]),), {}, "OrderedDict([('b', 1), ('a', 2)])"),
    (({"k": [C([1.5]), (C("s"), None)]},), {}, "{'k': [[1.5], (\"s\", None)]}"),
    ((list(range(30)),), {}, "[" + ",\n ".join(str(i) for i in range(30)) + "]"),
    ((), {}, ""),
]


@pytest.mark.parametrize("inputs, kwargs, expected", CASES)
def test_print_matches_tf(inputs, kwargs, expected):
    assert _printed(*inputs, **kwargs) == expected + kwargs.get("end", "\n")


def test_default_stream_is_the_current_stderr(capsys):
    tf.print("to stderr", C([1, 2]))
    out, err = capsys.readouterr()
    assert out == "" and err == "to stderr [1 2]\n"
    buf = io.StringIO()
    with contextlib.redirect_stderr(buf):
        tf.print(C(3.5))
    assert buf.getvalue() == "3.5\n"


def test_stdout_and_ordering_with_python_print(capsys):
    print("a")
    tf.print("b", output_stream=sys.stdout)
    print("c")
    assert capsys.readouterr().out == "a\nb\nc\n"


def test_file_stream_appends(tmp_path):
    path = tmp_path / "log.txt"
    tf.print("one", C([1]), output_stream=f"file://{path}")
    tf.print("two", output_stream=f"file://{path}", end="|")
    assert path.read_text() == "one [1]\ntwo|"


def test_logging_streams(caplog):
    with caplog.at_level(logging.INFO, logger="eagerflow"):
        tf.print("info", C([1, 2]), output_stream=logging.info)
        tf.print("warn", output_stream=logging.WARNING)
    msgs = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "eagerflow"]
    assert msgs == [(logging.INFO, "info [1 2]"), (logging.WARNING, "warn")]


def test_any_writable_object_is_accepted():
    buf = io.StringIO()
    tf.print(C([1, 2]), output_stream=buf)
    assert buf.getvalue() == "[1 2]\n"


def test_print_returns_none_and_errors():
    assert tf.print("x", output_stream=io.StringIO()) is None
    with pytest.raises(ValueError, match=r"Unsupported output stream, logging level, or file\.bogus\. Supported "
                                         r"streams are sys\.stdout"):
        tf.print("x", output_stream="bogus")
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments for tf.print: \{'foo': 1\}"):
        tf.print("x", foo=1)


def test_print_in_tf_function_runs_every_call_in_order(capsys):
    @tf.function
    def f(x):
        tf.print("first", x, output_stream=sys.stdout)
        y = x * 2
        tf.print("second", y, output_stream=sys.stdout)
        return y

    f(C([1, 2]))
    f(C([3, 4]))
    assert capsys.readouterr().out == "first [1 2]\nsecond [2 4]\nfirst [3 4]\nsecond [6 8]\n"


def test_print_in_tf_function_uses_the_stream_current_at_call_time():
    f = tf.function(lambda x: tf.print("v", x))
    f(C(1))  # trace (prints to the real stderr)
    buf = io.StringIO()
    with contextlib.redirect_stderr(buf):
        f(C(2))
    assert buf.getvalue() == "v 2\n"
