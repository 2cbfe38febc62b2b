"""tf.strings: values (pinned against TF 2.21), dtypes, errors, string operators, and properties."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf
from helpers import check_op

S = tf.strings
IAE = tf.errors.InvalidArgumentError


def _b(*xs):
    return np.array([x.encode() if isinstance(x, str) else x for x in xs], dtype=object)


def _list(t):
    return t.numpy().tolist()


# ---- join / length / case / strip ----------------------------------------------------------------------

def test_join():
    a = np.array([b"a", b"b"], dtype=object)
    check_op(lambda x: S.join([x, "c"], separator="-"), a, expected=_b("a-c", "b-c"), dtype=tf.string, grad=False)
    assert S.join(["a", "b"]).numpy() == b"ab"
    assert S.join([]).numpy() == b""
    with pytest.raises(IAE, match=r"Input shapes do not match: \[2\] vs. \[3\] \[Op:StringJoin\]"):
        S.join([tf.constant(["a", "b"]), tf.constant(["a", "b", "c"])])
    with pytest.raises(IAE, match=r"input #1\(zero-based\) was expected to be a string tensor but is a int32"):
        S.join([tf.constant(["a"]), tf.constant(1)])


def test_length():
    x = _b("abc", "é", "")
    out = check_op(S.length, x, expected=np.array([3, 2, 0], np.int32), dtype=tf.int32, grad=False)
    assert out.numpy().dtype == np.int32
    check_op(lambda s: S.length(s, unit="UTF8_CHAR"), x, expected=np.array([3, 1, 0], np.int32), grad=False)
    assert _list(S.length([b"h\xffllo\xc3"], unit="UTF8_CHAR")) == [6]
    with pytest.raises(IAE, match="Value for attr 'unit' of \"CHAR\""):
        S.length(["a"], unit="CHAR")
    with pytest.raises(IAE, match=r"cannot compute StringLength as input #0\(zero-based\) was expected to be a "
                                  r"string tensor but is a int32 tensor \[Op:StringLength\]"):
        S.length([1])


def test_case_and_strip():
    check_op(S.lower, _b("AbÉ"), expected=_b("abÉ"), grad=False)
    check_op(S.upper, _b("abé"), expected=_b("ABé"), grad=False)
    assert _list(S.upper(["abé"], encoding="utf-8")) == ["ABÉ".encode()]
    assert _list(S.lower(["AbÉ"], encoding="utf-8")) == ["abé".encode()]
    assert _list(S.lower([b"\xff"], encoding="utf-8")) == [b"\xef\xbf\xbd"]
    check_op(S.strip, _b("  a b \n", "\tx", "\x0b a \x0c"), expected=_b("a b", "x", "a"), grad=False)


# ---- split ---------------------------------------------------------------------------------------------

def test_split_scalar_gives_tensor():
    t = S.split(tf.constant("a b  c"))
    assert t.dtype == tf.string and _list(t) == [b"a", b"b", b"c"]
    assert _list(S.split("a,b,,c", sep=",", maxsplit=1)) == [b"a", b"b,,c"]
    assert S.split(" ").shape == (0,)
    assert _list(S.split("", sep=",")) == [b""]


def test_split_rows_stand_in_for_ragged():
    rows = S.split(tf.constant(["a b  c", "", "d"]))
    assert rows == [[b"a", b"b", b"c"], [], [b"d"]]
    assert rows.to_list() == [[b"a", b"b", b"c"], [], [b"d"]] and type(rows.to_list()) is list
    assert S.split(["a,b,,c", ""], sep=",").to_list() == [[b"a", b"b", b"", b"c"], [b""]]
    assert S.split(["a b c"], maxsplit=1).to_list() == [[b"a", b"b c"]]
    assert S.split([["a b"]]).to_list() == [[[b"a", b"b"]]]
    assert S.split(["a b"], sep="").to_list() == [[b"a", b"b"]]
    assert S.split(["a<>b"], sep="<>").to_list() == [[b"a", b"b"]]


# ---- format and as_string ------------------------------------------------------------------------------

def test_format():
    out = S.format("a {} b {}", (tf.constant([1, 2]), tf.constant("x")))
    assert out.dtype == tf.string and out.shape == () and out.numpy() == b'a [1 2] b "x"'
    assert S.format("a {} b", tf.constant(["x", "y"])).numpy() == b'a ["x" "y"] b'
    assert S.format("a {} b", 1.5).numpy() == b"a 1.5 b"
    assert S.format("<> <>", [1, 2], placeholder="<>").numpy() == b"1 2"
    assert S.format("{}", np.arange(10), summarize=2).numpy() == b"[0 1 ... 8 9]"
    assert S.format("x", []).numpy() == b"x"
    assert S.format("{}", tf.constant(["aaa"] * 10)).numpy() == b'["aaa" "aaa" "aaa" ... "aaa" "aaa" "aaa"]'
    with pytest.raises(ValueError, match="The template expects 2 tensors, but the inputs only has 1"):
        S.format("{} {}", [1])


@pytest.mark.parametrize("value, kwargs, expected", [
    ([1.5, 2.0], {}, ["1.500000", "2.000000"]),
    (np.array([1.5, 2.0]), {"precision": 2}, ["1.50", "2.00"]),
    ([1.5e10, 2.0], {"scientific": True}, ["1.500000e+10", "2.000000e+00"]),
    ([1.5e10, 2.0, 0.1], {"shortest": True}, ["1.5e+10", "2", "0.1"]),
    ([1.5, -2.0], {"width": 12}, ["    1.500000", "   -2.000000"]),
    ([1.5, -2.0], {"width": 12, "fill": "0"}, ["00001.500000", "-0002.000000"]),
    ([1.5, -2.0], {"width": 12, "fill": "-"}, ["1.500000    ", "-2.000000   "]),
    ([1.5, -2.0], {"width": 12, "precision": 1, "scientific": True}, ["     1.5e+00", "    -2.0e+00"]),
    ([1, -2], {"width": 5, "fill": "0"}, ["00001", "-0002"]),
    ([1, -2], {"width": 5}, ["    1", "   -2"]),
    ([1], {"width": 4, "fill": "+"}, ["  +1"]),
    ([True, False], {}, ["true", "false"]),
    ([True], {"width": 6}, ["true"]),
    ([1 + 2j], {}, ["(1.000000,2.000000)"]),
    ([1 + 2j], {"precision": 1}, ["(1.0,2.0)"]),
    (["a"], {"width": 3}, ["  a"]),
    ([np.nan, np.inf, -np.inf], {}, ["nan", "inf", "-inf"]),
    (np.array([5], np.int8), {}, ["5"]),
    (np.array([5.5], np.float16), {}, ["5.500000"]),
])
def test_as_string(value, kwargs, expected):
    out = S.as_string(value, **kwargs)
    assert out.dtype == tf.string
    assert _list(out) == [e.encode() for e in expected]


def test_as_string_errors_and_checker():
    check_op(lambda x: S.as_string(x, precision=3), np.array([[1.25, -0.5]], np.float32),
             expected=np.array([[b"1.250", b"-0.500"]], dtype=object), grad=False)
    for kwargs, msg in [({"precision": 2}, "precision not supported for datatype int32"),
                        ({"scientific": True}, "scientific and shortest format not supported for datatype int32")]:
        with pytest.raises(IAE, match=msg):
            S.as_string([1], **kwargs)
    with pytest.raises(IAE, match="Fill string must be one or fewer characters"):
        S.as_string([1.5], fill="ab")
    with pytest.raises(IAE, match='Fill argument not supported: "x"'):
        S.as_string([1.5], fill="x", width=6)
    with pytest.raises(IAE, match="Cannot select both scientific and shortest notation"):
        S.as_string([1.5], scientific=True, shortest=True)
    with pytest.raises(IAE, match="precision not supported for datatype bool"):
        S.as_string([True], precision=2)


# ---- to_number ------------------------------------------------------------------------------------------

def test_to_number():
    out = check_op(S.to_number, _b("1.5", "2", " 3 ", "1e3", "inf", "-0x10"),
                   expected=np.array([1.5, 2, 3, 1000, np.inf, -16], np.float32), dtype=tf.float32, grad=False)
    assert out.numpy().dtype == np.float32
    assert np.isnan(S.to_number(["nan"]).numpy()[0])
    assert _list(S.to_number(["1", "-2"], out_type=tf.int32)) == [1, -2]
    assert S.to_number(["99999999999"], out_type=tf.int64).dtype == tf.int64
    assert _list(S.to_number(["+5", " 7"], out_type=tf.int64)) == [5, 7]
    assert _list(S.to_number(["1e400", "1e-50"], out_type=tf.float64)) == [np.inf, 1e-50]
    assert S.to_number(["3"], out_type=tf.uint64).dtype == tf.uint64


@pytest.mark.parametrize("text, out_type", [("abc", tf.float32), ("", tf.float32), ("1_0", tf.float32),
                                            ("1e", tf.float32), ("1.5", tf.int32), ("99999999999", tf.int32),
                                            ("-1", tf.uint32), ("0x10", tf.int32)])
def test_to_number_bad_strings(text, out_type):
    with pytest.raises(IAE, match=rf"StringToNumberOp could not correctly convert string: {text} "
                                  r"\[Op:StringToNumber\]"):
        S.to_number([text], out_type=out_type)


def test_to_number_bad_types():
    with pytest.raises(IAE, match="Value for attr 'out_type' of int8 is not in the list of allowed values"):
        S.to_number(["1"], out_type=tf.int8)
    with pytest.raises(IAE, match="was expected to be a string tensor but is a int32 tensor"):
        S.to_number([1])


# ---- reduce_join -----------------------------------------------------------------------------------------

def test_reduce_join():
    x = np.array([[b"a", b"b"], [b"c", b"d"]], dtype=object)
    check_op(S.reduce_join, x, expected=np.array(b"abcd", dtype=object), grad=False)
    check_op(lambda t: S.reduce_join(t, axis=0), x, expected=_b("ac", "bd"), grad=False)
    check_op(lambda t: S.reduce_join(t, axis=1, separator="-"), x, expected=_b("a-b", "c-d"), grad=False)
    check_op(lambda t: S.reduce_join(t, axis=-1, keepdims=True), x,
             expected=np.array([[b"ab"], [b"cd"]], dtype=object), grad=False)
    assert S.reduce_join(x, axis=[0, 1]).numpy() == b"acbd"
    assert S.reduce_join(tf.constant("a")).numpy() == b"a"
    cube = tf.constant([[["a", "b"], ["c", "d"]], [["e", "f"], ["g", "h"]]])
    assert _list(S.reduce_join(cube, axis=[0, 2])) == [b"aebf", b"cgdh"]  # first listed axis varies fastest
    assert S.reduce_join(cube, axis=[0, 1, 2]).numpy() == b"aecgbfdh"
    assert S.reduce_join(cube, axis=[2, 0], keepdims=True).shape == (1, 2, 1)
    with pytest.raises(IAE, match=r"Duplicate reduction dimension 0 \[Op:ReduceJoin\]"):
        S.reduce_join(cube, axis=[0, 0])
    assert _list(S.reduce_join(np.empty((2, 0), dtype=object), axis=1)) == [b"", b""]
    for axis in (2, -3):
        with pytest.raises(tf.errors.OutOfRangeError,
                           match=rf"Invalid reduction dimension {axis} for input with 2 dimension\(s\)"):
            S.reduce_join(x, axis=axis)


# ---- regular expressions ---------------------------------------------------------------------------------

def test_regex_replace():
    check_op(lambda t: S.regex_replace(t, "a", "x"), _b("aaa bab"), expected=_b("xxx bxb"), grad=False)
    assert _list(S.regex_replace(["aaa bab"], "a", "x", replace_global=False)) == [b"xaa bab"]
    assert _list(S.regex_replace(["ab12"], r"(\d+)", r"<\1>")) == [b"ab<12>"]
    assert _list(S.regex_replace(["ab12"], r"\d", r"\0\0")) == [b"ab1122"]
    assert _list(S.regex_replace(["abc"], "x*", "-")) == [b"-a-b-c-"]
    assert _list(S.regex_replace(["abc"], "b", "\\\\")) == [b"a\\c"]
    assert _list(S.regex_replace(["abc"], "b", r"\2")) == [b"abc"]  # missing group: unchanged, as RE2
    assert _list(S.regex_replace(["héllo"], ".", "x")) == [b"xxxxx"]  # `.` is one UTF-8 character
    assert _list(S.regex_replace(["ab12"], tf.constant("b"), "x")) == [b"ax12"]
    with pytest.raises(IAE, match=r"Invalid pattern: \(, error: .*\[Op:StaticRegexReplace\]"):
        S.regex_replace(["ab"], "(", "x")


def test_regex_full_match():
    out = S.regex_full_match(["ab12", "ab"], "[a-z]+")
    assert out.dtype == tf.bool and _list(out) == [False, True]
    with pytest.raises(IAE, match="Invalid pattern"):
        S.regex_full_match(["a"], "(")


# ---- substr ----------------------------------------------------------------------------------------------

def test_substr():
    x = _b("hello", "abc")
    check_op(lambda t: S.substr(t, 1, 3), x, expected=_b("ell", "bc"), grad=False)
    assert _list(S.substr(x, -2, 3)) == [b"lo", b"bc"]
    assert _list(S.substr(x, [0, 1], [1, 2])) == [b"h", b"bc"]
    assert _list(S.substr(["hello"], 5, 1)) == [b""]
    assert _list(S.substr(["hello"], 1, -1)) == [b"ello"]
    assert _list(S.substr(["héllo"], 1, 2, unit="UTF8_CHAR")) == ["él".encode()]
    with pytest.raises(IAE, match=r"pos 4 out of range for string b'abc' at index 1 \[Op:Substr\]"):
        S.substr(x, 4, 3)
    with pytest.raises(IAE, match=r"pos -6 out of range for string b'hello' at index 0"):
        S.substr(["hello"], -6, 1)
    with pytest.raises(IAE, match=r"pos and len should have the same shape, got: \[2,1\] vs. \[\]"):
        S.substr(x, [[0], [1]], 1)


# ---- operators on string tensors ---------------------------------------------------------------------------

def test_string_equality_and_concatenation():
    t = tf.constant(["a", "b"])
    assert _list(t == "a") == [True, False]
    assert _list(t != "a") == [False, True]
    assert _list(t == tf.constant(["a", "c"])) == [True, False]
    assert _list(tf.equal(t, "a")) == [True, False]
    assert (t == "a").dtype == tf.bool
    assert _list(t + "x") == [b"ax", b"bx"]
    assert _list("x" + t) == [b"xa", b"xb"]
    assert _list(tf.add(t, t)) == [b"aa", b"bb"]
    assert (t == None) is False  # noqa: E711 - TF's Tensor.__eq__ semantics
    assert (t == tf.constant(["a", "b", "c"])).numpy() == False  # noqa: E712 - incompatible shapes
    with pytest.raises(TypeError, match="Cannot convert 1 to EagerTensor of dtype string"):
        t == 1
    with pytest.raises(IAE, match=r"cannot compute Equal as input #1\(zero-based\) was expected to be a string"):
        tf.equal(t, tf.constant([1, 2]))


# ---- properties ---------------------------------------------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(_text, min_size=1, max_size=3), min_size=1, max_size=3).filter(
    lambda rows: len({len(r) for r in rows}) == 1), st.sampled_from(["", "-", ", "]))
def test_reduce_join_and_length_match_python(rows, sep):
    x = tf.constant(rows)
    assert _list(S.reduce_join(x, axis=1, separator=sep)) == [sep.join(r).encode() for r in rows]
    assert _list(S.length(x, unit="UTF8_CHAR")) == [[len(s) for s in r] for r in rows]
    assert _list(S.length(x)) == [[len(s.encode()) for s in r] for r in rows]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-2 ** 31, 2 ** 31 - 1), min_size=1, max_size=5))
def test_int_as_string_round_trips(values):
    x = tf.constant(np.array(values, np.int32))
    np.testing.assert_array_equal(S.to_number(S.as_string(x), out_type=tf.int32).numpy(), x.numpy())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(allow_nan=False, width=32), min_size=1, max_size=5))
def test_shortest_float_format_round_trips(values):
    """tf.strings.format prints floats so that they parse back to the same float32."""
    x = np.array(values, np.float32)
    text = S.format("{}", tf.constant(x), summarize=-1).numpy().decode()
    parsed = np.array([float(v) for v in text.strip("[]").split()], np.float32)
    np.testing.assert_array_equal(parsed, np.where(np.abs(x) < np.finfo(np.float32).tiny, 0, x))
