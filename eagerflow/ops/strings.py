"""`tf.strings`: string tensors (object arrays of `bytes`, dtype `tf.string`) and TF's tensor formatting.

`format_tensor` renders a tensor exactly as TF's `tf.print` / `tf.strings.format` do (summarized
dims with `...`, shortest round-trip floats, quoted C-escaped strings); ops/io.py prints with it.

`split` of a rank >= 1 tensor returns nested Python lists of bytes (a `SplitRows`, whose
`.to_list()` gives plain lists): eagerflow's stand-in for TF's RaggedTensor.

>>> import eagerflow as tf
>>> tf.strings.join(["a", "b"], separator="-").numpy()
b'a-b'
"""
from __future__ import annotations

import functools
import re

import numpy as np

from .. import dtypes as _dt
from ..errors import OutOfRangeError
from ..primitive import Primitive, bind
from ..shapes import format_dims
from ..tensor import EagerTensor, Tensor, convert_to_tensor, get_static_value
from . import rules as R

__all__ = [
    "join", "length", "lower", "upper", "split", "format", "as_string", "to_number", "reduce_join",
    "regex_replace", "regex_full_match", "strip", "substr",
]

_STRING = frozenset([_dt.string])


def _strings_only(op: str, out=None):
    """Every input must be a string tensor (TF's message names the first that is not)."""
    def rule(*dts, **_):
        for i, d in enumerate(dts):
            if d is not _dt.string:
                R.fail(op, f"cannot compute {op} as input #{i}(zero-based) was expected to be a string tensor "
                           f"but is a {R.tf_name(d)} tensor")
        return _dt.string if out is None else out
    return rule


def _map_bytes(fn, x: np.ndarray, otype=object) -> np.ndarray:
    """Applies `fn` to each bytes element of an object array; result keeps x's shape."""
    flat = np.reshape(x, -1)
    out = np.empty(flat.shape, dtype=otype)
    for i, s in enumerate(flat):
        out[i] = fn(s)
    return out.reshape(np.shape(x))


def _as_string_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x, dtype_hint=_dt.string)


# ---- join / length / case / strip ------------------------------------------------------------------

def _join_kernel(*xs, separator):
    shape = next((np.shape(x) for x in xs if np.ndim(x)), ())
    out = np.empty(shape, dtype=object)
    flat = out.reshape(-1)
    cols = [np.broadcast_to(x, shape).reshape(-1) for x in xs]
    sep = separator.encode()
    for i in range(flat.size):
        flat[i] = sep.join([c[i] for c in cols])
    return out


def _join_shape(*shapes, separator):
    out = ()
    for s in shapes:
        if s is None:
            return None
        if len(s) == 0:
            continue
        if out and (len(out) != len(s) or any(a is not None and b is not None and a != b for a, b in zip(out, s))):
            R.fail("StringJoin", f"Input shapes do not match: {format_dims(out)} vs. {format_dims(s)}")
        out = tuple(b if a is None else a for a, b in zip(out, s)) if out else s
    return out


string_join_p = Primitive("StringJoin", _join_kernel, dtype_rule=_strings_only("StringJoin"),
                          shape_rule=_join_shape)


def join(inputs, separator="", name=None) -> Tensor:
    """Joins string tensors elementwise (scalars broadcast; other shapes must match).

    >>> import eagerflow as tf
    >>> tf.strings.join([tf.constant(["a", "b"]), "c"], separator="-").numpy()
    array([b'a-c', b'b-c'], dtype=object)
    """
    tensors = [_as_string_tensor(x) for x in inputs]
    if not tensors:
        return convert_to_tensor(b"")
    return bind(string_join_p, *tensors, separator=str(separator))


def _utf8_len(s: bytes) -> int:
    try:
        return len(s.decode("utf-8"))
    except UnicodeDecodeError:  # TF counts the bytes that do not continue a UTF-8 sequence
        return sum(1 for b in s if b & 0xC0 != 0x80)


def _length_kernel(x, *, unit):
    fn = len if unit == "BYTE" else _utf8_len
    return _map_bytes(fn, x, np.int32)


def _length_dtype(d, *, unit):
    if unit not in ("BYTE", "UTF8_CHAR"):
        R.fail("StringLength", f'Value for attr \'unit\' of "{unit}" is not in the list of allowed values: '
                               '"BYTE", "UTF8_CHAR"')
    return _strings_only("StringLength", _dt.int32)(d)


string_length_p = Primitive("StringLength", _length_kernel, dtype_rule=_length_dtype, shape_rule=R.same_shape)


def length(input, unit="BYTE", name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Length of each string in bytes (unit="BYTE") or Unicode characters ("UTF8_CHAR"), as int32.

    >>> import eagerflow as tf
    >>> tf.strings.length(["abc", "é"], unit="UTF8_CHAR").numpy()
    array([3, 1], dtype=int32)
    """
    return bind(string_length_p, _as_string_tensor(input), unit=str(unit))


def _case_kernel(upper: bool):
    def kernel(x, *, encoding):
        if encoding == "":
            fn = bytes.upper if upper else bytes.lower  # ASCII letters only, as TF
        else:
            def fn(s):
                t = s.decode(encoding, errors="replace")
                return (t.upper() if upper else t.lower()).encode(encoding)
        return _map_bytes(fn, x)
    return kernel


string_lower_p = Primitive("StringLower", _case_kernel(False), dtype_rule=_strings_only("StringLower"),
                           shape_rule=R.same_shape)
string_upper_p = Primitive("StringUpper", _case_kernel(True), dtype_rule=_strings_only("StringUpper"),
                           shape_rule=R.same_shape)


def lower(input, encoding="", name=None) -> Tensor:  # noqa: A002
    """Lower-cases ASCII letters (all letters with encoding="utf-8")."""
    return bind(string_lower_p, _as_string_tensor(input), encoding=_encoding(encoding))


def upper(input, encoding="", name=None) -> Tensor:  # noqa: A002
    """Upper-cases ASCII letters (all letters with encoding="utf-8").

    >>> import eagerflow as tf
    >>> tf.strings.upper("abc").numpy()
    b'ABC'
    """
    return bind(string_upper_p, _as_string_tensor(input), encoding=_encoding(encoding))


def _encoding(encoding) -> str:
    enc = (encoding or "").lower().replace("_", "-")
    if enc not in ("", "utf-8", "utf8"):
        raise ValueError(f"Unsupported encoding {encoding!r}: use '' (ASCII) or 'utf-8'")
    return "utf-8" if enc else ""


string_strip_p = Primitive("StringStrip", lambda x: _map_bytes(bytes.strip, x),
                           dtype_rule=_strings_only("StringStrip"), shape_rule=R.same_shape)


def strip(input, name=None) -> Tensor:  # noqa: A002
    """Removes leading and trailing ASCII whitespace.

    >>> import eagerflow as tf
    >>> tf.strings.strip("  hi \\n").numpy()
    b'hi'
    """
    return bind(string_strip_p, _as_string_tensor(input))


# ---- split ---------------------------------------------------------------------------------------------

class SplitRows(list):
    """Nested lists of bytes returned by `split` for rank >= 1 input (stand-in for a RaggedTensor)."""

    def to_list(self) -> list:
        return [r.to_list() if isinstance(r, SplitRows) else list(r) for r in self]


def _split_one(s: bytes, sep, maxsplit: int) -> list:
    return s.split(sep, maxsplit)


def _split_kernel(x, *, sep, maxsplit):
    return np.array(_split_one(x[()], sep, maxsplit) if np.ndim(x) == 0 else [], dtype=object).reshape(-1)


def _split_shape(s, **_):
    if s is not None and len(s) != 0:
        R.fail("StringSplitV2", f"input must be a scalar here, got shape {format_dims(s)}")
    return (None,)


string_split_p = Primitive("StringSplitV2", _split_kernel, dtype_rule=_strings_only("StringSplitV2"),
                           shape_rule=_split_shape)


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Splits strings on `sep` (whitespace runs when None or empty).

    A scalar gives a 1-D string tensor; rank >= 1 input gives nested lists of bytes (`SplitRows`),
    eagerflow's stand-in for TF's RaggedTensor, computed eagerly.

    >>> import eagerflow as tf
    >>> tf.strings.split("a b").numpy()
    array([b'a', b'b'], dtype=object)
    >>> tf.strings.split(["a,b", "c"], sep=",").to_list()
    [[b'a', b'b'], [b'c']]
    """
    x = _as_string_tensor(input)
    sep_b = None if sep is None or sep == "" or sep == b"" else (sep.encode() if isinstance(sep, str) else bytes(sep))
    maxsplit = int(maxsplit)
    rank = x.shape.rank
    if rank == 0:
        return bind(string_split_p, x, sep=sep_b, maxsplit=maxsplit)
    if not isinstance(x, EagerTensor):
        raise TypeError("tf.strings.split of a rank >= 1 tensor gives ragged rows, which eagerflow returns as "
                        "Python lists: call it eagerly (outside tf.function), or split scalars")
    _strings_only("StringSplitV2")(x.dtype)

    def rows(a):
        if a.ndim == 1:
            return SplitRows(_split_one(s, sep_b, maxsplit) for s in a)
        return SplitRows(rows(sub) for sub in a)
    return rows(x._value)


# ---- tensor formatting (TF's print_v2 summarizer) -------------------------------------------------------

_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"', ord("'"): "\\'",
            ord("\\"): "\\\\"}


def _escape(s: bytes) -> str:
    """C-escapes a byte string as TF prints it (control bytes as octal; UTF-8 passes through)."""
    out = []
    for b in s:
        e = _ESCAPES.get(b)
        if e is None:
            e = f"\\{b:03o}" if b < 0x20 or b == 0x7F else None
        out.append(e if e is not None else b)
    if all(isinstance(o, int) for o in out):
        return s.decode("utf-8", errors="replace")
    buf = bytearray()
    for o in out:
        buf.extend(o.encode() if isinstance(o, str) else bytes((o,)))
    return buf.decode("utf-8", errors="replace")


def _float_text(v, np_type, short: int, long: int) -> str:
    """TF's shortest-round-trip float text: %.{short}g if it parses back exactly, else %.{long}g."""
    f = float(v)
    if f != f:
        return "-nan" if np.signbit(v) else "nan"
    if f != 0.0 and abs(f) < np.finfo(np_type).tiny:  # TF flushes denormals to zero when printing
        return "-0" if f < 0 else "0"
    text = "%.*g" % (short, f)
    if np_type(float(text)) != np_type(f):
        text = "%.*g" % (long, f)
    return text


def _element_formatter(dtype: np.dtype):
    kind = dtype.kind
    if kind == "O":
        return lambda s: '"' + _escape(s) + '"'
    if kind == "b":
        return lambda v: "1" if v else "0"
    if kind in "iu":
        return lambda v: str(int(v))
    if kind == "f":
        if dtype == np.float64:
            return lambda v: _float_text(v, np.float64, 15, 17)
        return lambda v: _float_text(v, np.float32, 6, 9)
    return lambda v: "?"  # TF prints complex elements as "?"


def format_tensor(value: np.ndarray, summarize: int = 3) -> str:
    """Renders an array as TF's `tf.print` does: `[1 2 3]`, `[[1 2]\\n [3 4]]`, `[0 1 2 ... 7 8 9]`.

    Each dimension longer than 2 * summarize shows its first and last `summarize` entries around
    `...`; a negative summarize shows everything.

    >>> import numpy as np
    >>> format_tensor(np.arange(10))
    '[0 1 2 ... 7 8 9]'
    """
    arr = np.asarray(value)
    fmt = _element_formatter(arr.dtype)
    n = arr.size
    edge = n if summarize is None or summarize < 0 else min(int(summarize), n)
    if arr.ndim == 0:
        return fmt(arr[()]) if edge > 0 else "..."
    out: list = []
    _format_dim(arr, 0, arr.ndim, edge, fmt, out)
    return "".join(out)


def _format_dim(a, depth: int, ndim: int, edge: int, fmt, out: list) -> None:
    if depth == ndim:
        out.append(fmt(a))
        return
    sep = " " if depth == ndim - 1 else "\n" * (ndim - depth - 1) + " " * (depth + 1)
    count = a.shape[0]
    out.append("[")
    for i in range(min(edge, count)):
        if i:
            out.append(sep)
        _format_dim(a[i], depth + 1, ndim, edge, fmt, out)
    if count > 2 * edge:
        out.append(sep)
        out.append("...")
    for i in range(max(edge, count - edge), count):
        out.append(sep)
        _format_dim(a[i], depth + 1, ndim, edge, fmt, out)
    out.append("]")


def _format_kernel(*xs, pieces, summarize):
    parts = [pieces[0]]
    for x, piece in zip(xs, pieces[1:]):
        parts.append(format_tensor(x, summarize))
        parts.append(piece)
    return np.array("".join(parts).encode("utf-8"), dtype=object)


string_format_p = Primitive("StringFormat", _format_kernel, dtype_rule=lambda *d, **a: _dt.string,
                            shape_rule=R.scalar)


def format(template, inputs, placeholder="{}", summarize=3, name=None) -> Tensor:  # noqa: A001
    """Formats tensors into a scalar string template, each `placeholder` taking one tensor.

    >>> import eagerflow as tf
    >>> tf.strings.format("x = {}", tf.constant([1, 2])).numpy()
    b'x = [1 2]'
    """
    if isinstance(template, Tensor):
        template = get_static_value(template)
        if template is None:
            raise TypeError("tf.strings.format: `template` must be a Python string or a constant")
        template = template.item() if isinstance(template, np.ndarray) else template
    if isinstance(template, bytes):
        template = template.decode("utf-8")
    if isinstance(inputs, (list, tuple)):
        tensors = [convert_to_tensor(x) for x in inputs]
    else:
        tensors = [convert_to_tensor(inputs)]
    pieces = tuple(str(template).split(placeholder))
    if len(pieces) - 1 != len(tensors):
        raise ValueError(f"The template expects {len(pieces) - 1} tensors, but the inputs only has "
                         f"{len(tensors)}. Please ensure the number of placeholders in template matches inputs "
                         "length.")
    return bind(string_format_p, *tensors, pieces=pieces, summarize=3 if summarize is None else int(summarize))


# ---- as_string / to_number ---------------------------------------------------------------------------

def _as_string_spec(kind: str, dname: str, precision, scientific, shortest, width, fill) -> str:
    """The printf spec AsString uses for one dtype (validating the options as TF does)."""
    if scientific and shortest:
        R.fail("AsString", "Cannot select both scientific and shortest notation")
    if len(fill) > 1:
        R.fail("AsString", "Fill string must be one or fewer characters")
    if fill and fill not in " +-0#":
        R.fail("AsString", f'Fill argument not supported: "{fill}"')
    if kind != "f" and kind != "c" and precision > -1:
        R.fail("AsString", f"precision not supported for datatype {dname}")
    if kind not in "fc" and (scientific or shortest):
        R.fail("AsString", f"scientific and shortest format not supported for datatype {dname}")
    spec = "%" + fill + (str(width) if width > -1 else "") + (f".{precision}" if precision > -1 else "")
    if kind in "fc":
        return spec + ("g" if shortest else "e" if scientific else "f")
    return spec + ("s" if kind in "Ob" else "d")


def _as_string_kernel(x, *, precision, scientific, shortest, width, fill):
    kind = x.dtype.kind
    dname = R.tf_name(_dt.from_numpy(x.dtype)) if kind != "O" else "string"
    spec = _as_string_spec(kind, dname, precision, scientific, shortest, width, fill)
    if kind == "b":
        fn = lambda v: b"true" if v else b"false"  # noqa: E731 - width ignored for bools, as TF
    elif kind == "O":
        fn = lambda v: (spec % v.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")  # noqa: E731
    elif kind == "c":
        fn = lambda v: ("(" + spec % v.real + "," + spec % v.imag + ")").encode()  # noqa: E731
    elif kind == "f":
        fn = lambda v: (spec % float(v)).encode()  # noqa: E731
    else:
        fn = lambda v: (spec % int(v)).encode()  # noqa: E731
    return _map_bytes(fn, x)


as_string_p = Primitive("AsString", _as_string_kernel, dtype_rule=lambda d, **a: _dt.string,
                        shape_rule=lambda s, **_: s)


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None) -> Tensor:  # noqa: A002
    """Formats each element as a string (printf-style: floats "%f" with 6 decimals by default).

    >>> import eagerflow as tf
    >>> tf.strings.as_string([1.5, 2.0], precision=2).numpy()
    array([b'1.50', b'2.00'], dtype=object)
    """
    return bind(as_string_p, convert_to_tensor(input), precision=int(precision), scientific=bool(scientific),
                shortest=bool(shortest), width=int(width), fill=str(fill))


_TO_NUMBER_TYPES = (_dt.float32, _dt.float64, _dt.int32, _dt.int64, _dt.uint32, _dt.uint64)


def _parse_number(s: bytes, out_type):
    text = s.decode("utf-8", errors="replace")
    t = text.strip()
    try:
        if "_" in t or not t:
            raise ValueError
        if out_type.is_integer:
            v = int(t, 10)
            info = np.iinfo(out_type._np)
            if not info.min <= v <= info.max:
                raise ValueError
            return v
        if t.lstrip("+-")[:2].lower() == "0x":
            return float.fromhex(t)  # strtod also reads hex floats such as -0x10
        return float(t)
    except (ValueError, OverflowError):
        R.fail("StringToNumber", f"StringToNumberOp could not correctly convert string: {text}")


def _to_number_kernel(x, *, out_type):
    vals = _map_bytes(lambda s: _parse_number(s, out_type), x, object)
    with np.errstate(over="ignore"):
        return vals.astype(np.float64).astype(out_type._np) if out_type.is_floating else vals.astype(out_type._np)


def _to_number_dtype(d, *, out_type):
    if out_type not in _TO_NUMBER_TYPES:
        R.fail("StringToNumber", f"Value for attr 'out_type' of {R.tf_name(out_type)} is not in the list of allowed "
                                 "values: float, double, int32, int64, uint32, uint64")
    return _strings_only("StringToNumber", out_type)(d)


string_to_number_p = Primitive("StringToNumber", _to_number_kernel, dtype_rule=_to_number_dtype,
                               shape_rule=lambda s, **_: s)


def to_number(input, out_type=_dt.float32, name=None) -> Tensor:  # noqa: A002
    """Parses each string as a number of `out_type`; unparsable strings raise InvalidArgumentError.

    >>> import eagerflow as tf
    >>> tf.strings.to_number(["1.5", " 2 "]).numpy()
    array([1.5, 2. ], dtype=float32)
    """
    return bind(string_to_number_p, _as_string_tensor(input), out_type=_dt.as_dtype(out_type))


# ---- reduce_join -------------------------------------------------------------------------------------------

def _reduce_axes(axis, rank) -> tuple:
    """Normalized axes in join order: the first listed axis varies fastest (None: all, last fastest)."""
    axes = tuple(range(rank - 1, -1, -1)) if axis is None else axis
    out = []
    for a in axes:
        if not -rank <= a < max(rank, 1) or (rank == 0 and a != 0):
            raise OutOfRangeError(None, None, f"Invalid reduction dimension {a} for input with {rank} "
                                              f"dimension(s) [Op:ReduceJoin]")
        a = a % rank if rank else 0
        if a in out:
            R.fail("ReduceJoin", f"Duplicate reduction dimension {a}")
        out.append(a)
    return tuple(out)


def _reduce_join_kernel(x, *, axis, keepdims, separator):
    axes = _reduce_axes(axis, x.ndim) if x.ndim else ()
    keep = [d for d in range(x.ndim) if d not in axes]
    moved = np.transpose(x, keep + list(reversed(axes)))  # row-major order = join order
    kept_shape = moved.shape[:len(keep)]
    n_kept, n_joined = int(np.prod(kept_shape)), int(np.prod(moved.shape[len(keep):]))
    sep = separator.encode()
    out = np.empty(kept_shape, dtype=object)
    flat_out, flat_rows = out.reshape(-1), moved.reshape(n_kept, n_joined)
    for i in range(flat_out.size):
        flat_out[i] = sep.join(flat_rows[i])
    if keepdims:
        out = out.reshape(tuple(1 if d in axes else n for d, n in enumerate(x.shape)))
    return out


def _reduce_join_shape(s, *, axis, keepdims, separator):
    if s is None:
        return None
    axes = _reduce_axes(axis, len(s)) if len(s) else ()
    if keepdims:
        return tuple(1 if d in axes else n for d, n in enumerate(s))
    return tuple(n for d, n in enumerate(s) if d not in axes)


reduce_join_p = Primitive("ReduceJoin", _reduce_join_kernel, dtype_rule=_strings_only("ReduceJoin"),
                          shape_rule=_reduce_join_shape)


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None) -> Tensor:
    """Joins strings across dimensions `axis` (all when None).

    >>> import eagerflow as tf
    >>> tf.strings.reduce_join([["a", "b"], ["c", "d"]], axis=1, separator="-").numpy()
    array([b'a-b', b'c-d'], dtype=object)
    """
    x = _as_string_tensor(inputs)
    if isinstance(axis, Tensor):
        axis = get_static_value(axis)
        if axis is None:
            raise TypeError("tf.strings.reduce_join: `axis` must be known statically")
    if axis is not None:
        axis = tuple(int(a) for a in np.reshape(axis, -1))
    return bind(reduce_join_p, x, axis=axis, keepdims=bool(keepdims), separator=str(separator))


# ---- regular expressions (RE2 syntax, run with Python's `re` on UTF-8 text) -------------------------------

@functools.lru_cache(maxsize=256)
def _compile(op: str, pattern: str):
    try:
        return re.compile(pattern)
    except re.error as e:
        R.fail(op, f"Invalid pattern: {pattern}, error: {e}")


@functools.lru_cache(maxsize=256)
def _parse_rewrite(rewrite: str) -> tuple:
    """RE2 rewrite text as a tuple of literal strings and group numbers (`\\1`; `\\\\` is a backslash)."""
    parts, lit, i = [], [], 0
    while i < len(rewrite):
        c = rewrite[i]
        if c == "\\" and i + 1 < len(rewrite):
            nxt = rewrite[i + 1]
            if nxt.isdigit():
                parts.append("".join(lit))
                parts.append(int(nxt))
                lit = []
            elif nxt == "\\":
                lit.append("\\")
            i += 2  # RE2 drops other escapes
            continue
        lit.append(c)
        i += 1
    parts.append("".join(lit))
    return tuple(parts)


def _decode(s: bytes) -> str:
    return s.decode("utf-8", errors="surrogateescape")


def _encode(s: str) -> bytes:
    return s.encode("utf-8", errors="surrogateescape")


def _regex_replace_kernel(x, *, pattern, rewrite, replace_global):
    rx = _compile("StaticRegexReplace", pattern)
    parts = _parse_rewrite(rewrite)
    if any(isinstance(p, int) and p > rx.groups for p in parts):
        return x.copy()  # RE2 refuses a rewrite naming a missing group: strings stay unchanged

    def repl(m):
        return "".join(m.group(p) or "" if isinstance(p, int) else p for p in parts)
    count = 0 if replace_global else 1
    return _map_bytes(lambda s: _encode(rx.sub(repl, _decode(s), count=count)), x)


regex_replace_p = Primitive("StaticRegexReplace", _regex_replace_kernel,
                            dtype_rule=_strings_only("StaticRegexReplace"), shape_rule=lambda s, **_: s)


def _static_str(fn: str, what: str, value) -> str:
    if isinstance(value, Tensor):
        value = get_static_value(value)
        if value is None:
            raise TypeError(f"tf.strings.{fn}: `{what}` must be a Python string or a constant tensor")
        value = value.item() if isinstance(value, np.ndarray) else value
    return _decode(value) if isinstance(value, bytes) else str(value)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None) -> Tensor:  # noqa: A002
    """Replaces matches of the regular expression `pattern` by `rewrite` (`\\1` names a group).

    >>> import eagerflow as tf
    >>> tf.strings.regex_replace("ab12", r"(\\d+)", r"<\\1>").numpy()
    b'ab<12>'
    """
    return bind(regex_replace_p, _as_string_tensor(input), pattern=_static_str("regex_replace", "pattern", pattern),
                rewrite=_static_str("regex_replace", "rewrite", rewrite), replace_global=bool(replace_global))


def _full_match_kernel(x, *, pattern):
    rx = _compile("StaticRegexFullMatch", pattern)
    return _map_bytes(lambda s: rx.fullmatch(_decode(s)) is not None, x, np.bool_)


regex_full_match_p = Primitive("StaticRegexFullMatch", _full_match_kernel,
                               dtype_rule=_strings_only("StaticRegexFullMatch", _dt.bool), shape_rule=lambda s, **_: s)


def regex_full_match(input, pattern, name=None) -> Tensor:  # noqa: A002
    """Whether each whole string matches `pattern` (bool tensor)."""
    return bind(regex_full_match_p, _as_string_tensor(input),
                pattern=_static_str("regex_full_match", "pattern", pattern))


# ---- substr ------------------------------------------------------------------------------------------------

def _substr_kernel(x, pos, ln, *, unit):
    if np.shape(pos) != np.shape(ln):
        R.fail("Substr", f"pos and len should have the same shape, got: {format_dims(np.shape(pos))} vs. "
                         f"{format_dims(np.shape(ln))}")
    xs, ps, ls = (np.reshape(a, -1) for a in np.broadcast_arrays(x, pos, ln))
    shape = np.broadcast_shapes(np.shape(x), np.shape(pos))
    out = np.empty(xs.shape, dtype=object)
    for i, (s, p, n) in enumerate(zip(xs, ps, ls)):
        seq = s if unit == "BYTE" else _decode(s)
        size, p, n = len(seq), int(p), int(n)
        if not -size <= p <= size:
            R.fail("Substr", f"pos {p} out of range for string {s!r} at index {i}")
        p = p + size if p < 0 else p
        piece = seq[p:] if n < 0 else seq[p:p + n]
        out[i] = piece if unit == "BYTE" else _encode(piece)
    return out.reshape(shape)


def _substr_dtype(d, p, n, *, unit):
    if unit not in ("BYTE", "UTF8_CHAR"):
        R.fail("Substr", f'Value for attr \'unit\' of "{unit}" is not in the list of allowed values: "BYTE", '
                         '"UTF8_CHAR"')
    if p not in (_dt.int32, _dt.int64) or n is not p:
        R.fail("Substr", f"pos and len must be int32 or int64 of one dtype, got {R.tf_name(p)} and {R.tf_name(n)}")
    return _strings_only("Substr")(d)


substr_p = Primitive("Substr", _substr_kernel, dtype_rule=_substr_dtype,
                     shape_rule=lambda s, p, n, **_: R.broadcast_shapes("Substr", s, p))


def substr(input, pos, len, unit="BYTE", name=None) -> Tensor:  # noqa: A002 - TF's argument names
    """Substrings starting at `pos` (negative counts from the end) of length `len`.

    >>> import eagerflow as tf
    >>> tf.strings.substr(["hello", "abc"], 1, 2).numpy()
    array([b'el', b'bc'], dtype=object)
    """
    x = _as_string_tensor(input)
    pos = convert_to_tensor(pos)
    ln = convert_to_tensor(len, dtype_hint=pos.dtype)
    return bind(substr_p, x, pos, ln, unit=str(unit))
