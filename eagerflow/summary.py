"""`tf.summary`: TensorBoard event files written with NumPy and the standard library only.

An event file is a sequence of TFRecords (length, masked CRC32C of the length, payload, masked CRC32C
of the payload); each payload is an `Event` protocol buffer, encoded here by hand (the few fields TF 2
writes). The first event carries `file_version: "brain.Event:2"`; each summary is a tensor with its
plugin name ("scalars", "histograms", "text", "images") in the metadata, exactly as TF 2 writes them.

Summaries are written by the stateful `WriteSummary` primitive, so under `tf.function` they are
written each time the graph runs (with the writer and default step captured when it was traced).

>>> import tempfile
>>> import eagerflow as tf
>>> writer = tf.summary.create_file_writer(tempfile.mkdtemp())
>>> with writer.as_default(step=1):
...     ok = tf.summary.scalar("loss", 0.5)
>>> bool(ok)
True
"""
from __future__ import annotations

import contextlib
import os
import socket
import struct
import threading
import time
import types
import weakref
import zlib

import numpy as np

from . import dtypes as _dt
from .context import state as _context_state
from .errors import UnimplementedError
from .ops.math_logic import cast as _cast
from .primitive import Primitive, bind
from .tensor import Tensor, convert_to_tensor, get_static_value

__all__ = ["SummaryWriter", "create_file_writer", "create_noop_writer", "flush", "histogram", "image",
           "record_if", "scalar", "should_record_summaries", "text", "write", "experimental"]

_DEFAULT_BUCKETS = 30


# ---- TFRecord framing: CRC32C (Castagnoli) from a 256-entry table ----------------------------------------------
def _crc32c_table() -> tuple:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """The CRC-32C of `data` (`crc32c(b"123456789") == 0xE3069283`)."""
    crc, table = 0xFFFFFFFF, _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC: rotate right by 15 bits, then add a constant (mod 2**32)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(payload: bytes) -> bytes:
    """One framed record: uint64 length, its masked CRC, the payload, the payload's masked CRC."""
    length = struct.pack("<Q", len(payload))
    return length + struct.pack("<I", masked_crc32c(length)) + payload + struct.pack("<I", masked_crc32c(payload))


# ---- the protobuf messages TF 2 writes, encoded by hand -------------------------------------------------------
def _varint(n: int) -> bytes:
    n &= 0xFFFFFFFFFFFFFFFF  # negative int64 values take ten bytes, as protobuf encodes them
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2)."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _tensor_proto(array: np.ndarray, dtype_enum: int) -> bytes:
    """TensorProto: dtype, shape, then `tensor_content` (numbers) or repeated `string_val`."""
    shape = b"".join(_field(2, _varint(1 << 3) + _varint(d) if d else b"") for d in array.shape)
    out = _varint(1 << 3) + _varint(dtype_enum) + _field(2, shape)
    if dtype_enum == _dt.string.as_datatype_enum:
        for item in array.reshape(-1):
            out += _field(8, item if isinstance(item, bytes) else str(item).encode("utf-8"))
    elif array.size:  # proto3 leaves an empty `tensor_content` out
        out += _field(4, np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes())
    return out


def summary_metadata(plugin_name: str, description=None) -> bytes:
    """SummaryMetadata{plugin_data{plugin_name}, summary_description} (empty plugin content, as TF 2)."""
    out = _field(1, _field(1, plugin_name.encode("utf-8")))
    if description:
        out += _field(3, str(description).encode("utf-8"))
    return out


def event(wall_time: float, step: int = 0, *, summary_value: bytes | None = None, file_version=None) -> bytes:
    """Event{wall_time, step, file_version | summary{value}} (zero step omitted, as proto3 does)."""
    out = b"\x09" + struct.pack("<d", wall_time)
    if step:
        out += _varint(2 << 3) + _varint(int(step))
    if file_version is not None:
        out += _field(3, file_version.encode("utf-8"))
        out += _field(10, _field(1, b"tensorflow.core.util.events_writer"))  # source_metadata{writer}
    if summary_value is not None:
        out += _field(5, _field(1, summary_value))
    return out


def summary_value(tag: str, tensor: bytes, metadata: bytes) -> bytes:
    """Summary.Value{tag, tensor, metadata}."""
    out = _field(1, tag.encode("utf-8")) + _field(8, tensor)
    return out + _field(9, metadata) if metadata else out


# ---- the event file --------------------------------------------------------------------------------------------
class _EventFile:
    """An append-only event file with a queue: flushed at max_queue records, flush_millis, flush and close."""

    _counter = iter(range(1 << 62))  # TF numbers the files of one process 0, 1, 2, ... (next() is atomic)

    def __init__(self, logdir: str, max_queue: int, flush_millis: int, suffix: str):
        os.makedirs(logdir, exist_ok=True)
        now = time.time()
        name = (f"events.out.tfevents.{int(now):010d}.{socket.gethostname()}.{os.getpid()}."
                f"{next(_EventFile._counter)}{suffix}")
        self.path = os.path.join(logdir, name)
        self.max_queue, self.flush_secs = max_queue, flush_millis / 1000.0
        self._lock = threading.Lock()
        self._queue: list = []
        self._file = open(self.path, "ab")  # noqa: SIM115 - kept open until close (or interpreter exit)
        self._last_flush = now
        self._file.write(tfrecord(event(float(int(now)), file_version="brain.Event:2")))
        self._file.flush()

    def append(self, payload: bytes) -> None:
        with self._lock:
            if self._file is None:
                raise RuntimeError(f"cannot write to the closed event file {self.path}")
            self._queue.append(tfrecord(payload))
            if len(self._queue) >= self.max_queue or time.time() - self._last_flush >= self.flush_secs:
                self._flush_locked()

    def _flush_locked(self) -> None:
        if self._file is not None:
            self._file.write(b"".join(self._queue))
            self._file.flush()
        self._queue.clear()
        self._last_flush = time.time()

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._flush_locked()
                self._file.close()
                self._file = None

    @property
    def closed(self) -> bool:
        return self._file is None


# ---- writers and the per-thread default -------------------------------------------------------------------------
class _SummaryState(threading.local):
    """The default writer, step and recording condition of this thread (TF keeps these per thread too)."""

    def __init__(self):
        self.writer = None
        self.step = None
        self.is_recording = None


_state = _SummaryState()


class _DefaultWriter:
    """The context manager of `as_default`: installs a writer (and step), restores both on exit."""

    def __init__(self, writer, step=None):
        self._writer, self._step = writer, step
        self._old_writer = self._old_step = None

    def __enter__(self):
        self._old_writer, _state.writer = _state.writer, self._writer
        if self._step is not None:
            self._old_step, _state.step = _state.step, self._step
        return self._writer

    def __exit__(self, *exc):
        _state.writer.flush()
        _state.writer = self._old_writer
        if self._step is not None:
            _state.step = self._old_step
        return False


class SummaryWriter:
    """A summary writer: `as_default(step)` makes it the target of `tf.summary.*` in this thread.

    >>> import eagerflow as tf
    >>> w = tf.summary.create_noop_writer()
    >>> with w.as_default(step=3):
    ...     tf.summary.experimental.get_step()
    3
    """

    def set_as_default(self, step=None):
        """Makes this writer (and `step`, when given) the default for this thread, without a `with`."""
        self.as_default(step).__enter__()

    def as_default(self, step=None):
        """A context manager making this writer (and `step`, when not None) the default inside it."""
        return _DefaultWriter(self, step)

    def init(self):
        """Initializes the writer (a no-op: the file is opened when the writer is created)."""
        raise NotImplementedError()

    def flush(self):
        raise NotImplementedError()

    def close(self):
        raise NotImplementedError()


class _FileWriter(SummaryWriter):
    """Writes events to one file under `logdir`; created by `tf.summary.create_file_writer`."""

    def __init__(self, logdir: str, max_queue: int, flush_millis: int, suffix: str):
        self._file = _EventFile(logdir, max_queue, flush_millis, suffix)
        # At interpreter exit the queued events reach the disk (the finalizer holds the file, not the writer).
        self._finalizer = weakref.finalize(self, self._file.close)

    def _check_open(self):
        if self._file.closed:
            raise RuntimeError(f"SummaryWriter {self!r} is already closed")

    def set_as_default(self, step=None):
        self._check_open()
        super().set_as_default(step)

    def as_default(self, step=None):
        self._check_open()
        return super().as_default(step)

    def init(self):
        self._check_open()

    def flush(self):
        if _context_state().graph is not None:  # inside tf.function: flush whenever the graph runs
            bind(flush_p, events=self._file)
        else:
            self._file.flush()

    def close(self):
        self._file.close()


class _NoopWriter(SummaryWriter):
    """A writer that writes nothing (it still sets the default step in `as_default`)."""

    def init(self):
        return None

    def flush(self):
        return None

    def close(self):
        return None


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None, name=None):
    """Creates a writer that appends events to a new file in `logdir` (created when missing).

    The queue is written every `max_queue` events (default 10), at least every `flush_millis`
    milliseconds when writing (default 120000), on `flush()`, on `close()`, when a `with
    writer.as_default()` block ends and at interpreter exit. The file is named like TF's:
    `events.out.tfevents.<seconds>.<host>.<pid>.<n><filename_suffix>` (suffix default ".v2").

    >>> import tempfile
    >>> import eagerflow as tf
    >>> w = tf.summary.create_file_writer(tempfile.mkdtemp())
    >>> w.close()
    """
    del name
    if logdir is None:
        raise ValueError("Argument `logdir` cannot be None")
    for arg, value in (("max_queue", max_queue), ("flush_millis", flush_millis)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer))
                                  or value < 0):
            raise ValueError(f"Argument `{arg}` must be a non-negative integer. Received: {arg}={value!r}")
    if filename_suffix is not None and not isinstance(filename_suffix, str):
        raise TypeError(f"Argument `filename_suffix` must be a string. Received: {filename_suffix!r}")
    logdir = os.fspath(logdir.numpy().decode() if isinstance(logdir, Tensor) else logdir)
    return _FileWriter(logdir, 10 if max_queue is None else int(max_queue),
                       120000 if flush_millis is None else int(flush_millis),
                       ".v2" if filename_suffix is None else filename_suffix)


def create_noop_writer():
    """Returns a writer that writes nothing: a placeholder where code expects a writer."""
    return _NoopWriter()


def flush(writer=None, name=None):
    """Flushes `writer`, or the default writer when None (nothing when there is none)."""
    del name
    writer = _state.writer if writer is None else writer
    if writer is not None:
        writer.flush()


# ---- step and recording condition --------------------------------------------------------------------------------
def get_step():
    """The default step of this thread set by `set_step` or `as_default(step)`, else None."""
    return _state.step


def set_step(step):
    """Sets this thread's default step (an int, tensor or Variable; None unsets it).

    A tf.function captures a Python or constant step when traced; pass a Variable to follow it.
    """
    _state.step = step


@contextlib.contextmanager
def record_if(condition):
    """Records summaries inside only while `condition` (a bool, bool tensor or callable) holds."""
    old = _state.is_recording
    try:
        _state.is_recording = condition
        yield
    finally:
        _state.is_recording = old


def _record_condition():
    """True, False or a bool tensor: whether a write would record now (no writer: False)."""
    if _state.writer is None:
        return False
    cond = _state.is_recording
    cond = cond() if callable(cond) else cond
    if cond is None:
        return True
    if isinstance(cond, Tensor):
        static = get_static_value(cond)
        return cond if static is None else bool(static)
    return bool(cond)


def should_record_summaries():
    """A bool tensor: True when a default writer is set and `record_if`'s condition (if any) holds."""
    cond = _record_condition()
    return cond if isinstance(cond, Tensor) else convert_to_tensor(cond, _dt.bool)


# ---- the WriteSummary primitive: the kernel turns the data into the tensor TF stores, then appends ---------------
def _histogram_buckets(values: np.ndarray, buckets: int) -> np.ndarray:
    """[k, 3] float64 rows (left edge, right edge, count) as TensorBoard's histogram summary makes them."""
    data = values.reshape(-1).astype(np.float64)
    k = max(0, int(buckets))
    if data.size == 0 or k == 0:
        return np.zeros((k, 3), np.float64)
    lo, hi = data.min(), data.max()
    if hi == lo:  # one value: every edge is it, the last bucket holds every count
        counts = np.zeros(k)
        counts[-1] = data.size
        return np.stack([np.full(k, hi), np.full(k, hi), counts], axis=1)
    width = (hi - lo) / k
    index = np.minimum(np.floor((data - lo) / width).astype(np.int64), k - 1)
    counts = np.bincount(index, minlength=k).astype(np.float64)
    edges = np.linspace(lo, hi, k + 1)
    edges[-1] = hi
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def _png(image: np.ndarray) -> bytes:
    """A PNG file (8-bit gray, gray+alpha, RGB or RGBA) of an [h, w, c] uint8 array, via zlib."""
    h, w, c = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = np.concatenate([np.zeros((h, 1), np.uint8), image.reshape(h, w * c)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes()))
            + chunk(b"IEND", b""))


def _to_uint8(images: np.ndarray) -> np.ndarray:
    """tf.image.convert_image_dtype(..., uint8, saturate=True) for float, bool and integer images."""
    if images.dtype.kind == "f":
        return np.clip(images.astype(np.float64) * 255.5, 0, 255).astype(np.uint8)
    if images.dtype.kind == "b":
        return images.astype(np.uint8) * 255
    if images.dtype == np.uint8:
        return images
    bits = images.dtype.itemsize * 8 - (0 if images.dtype.kind == "u" else 1)
    return np.clip(images.astype(np.int64) >> max(bits - 8, 0), 0, 255).astype(np.uint8)


def _summary_tensor(data: np.ndarray, kind: str, option: int, dtype_enum: int):
    """(array, dtype enum) of the tensor TF 2 stores for a summary of this kind."""
    if kind == "scalar":
        return np.asarray(data, np.float32), _dt.float32.as_datatype_enum
    if kind == "histogram":
        return _histogram_buckets(data, option), _dt.float64.as_datatype_enum
    if kind == "image":
        images = _to_uint8(np.asarray(data))
        encoded = [_png(im) for im in images[:option]]
        dims = [str(images.shape[2]).encode(), str(images.shape[1]).encode()]
        return np.array(dims + encoded, dtype=object), _dt.string.as_datatype_enum
    return np.asarray(data), dtype_enum  # "text" and "tensor": as given


def _write_kernel(step, data, record, *, events, tag, kind, option, dtype_enum, metadata):
    if not bool(record):
        return np.array(False)
    array, enum = _summary_tensor(data, kind, option, dtype_enum)
    value = summary_value(tag, _tensor_proto(np.asarray(array), enum), metadata)
    events.append(event(time.time(), int(step), summary_value=value))
    return np.array(True)


write_p = Primitive("WriteSummary", _write_kernel, dtype_rule=lambda *d, **_: _dt.bool,
                    shape_rule=lambda *s, **_: (), stateful=True)


def _flush_kernel(*, events):
    events.flush()
    return np.zeros((0,), np.int32)


flush_p = Primitive("FlushSummaryWriter", _flush_kernel, dtype_rule=lambda **_: _dt.int32,
                    shape_rule=lambda **_: (0,), stateful=True)


def _tag(name: str) -> str:
    scope = _context_state().name_scope
    return f"{scope}/{name}" if scope else name


def _write(name, data, step, kind, option=0, metadata=b"", tag=None):
    """Shared by the summary functions: the checks and order of TF's `tf.summary.write`."""
    if _state.writer is None:
        return convert_to_tensor(False)
    step = _state.step if step is None else step
    cond = _record_condition()
    if cond is False:
        return convert_to_tensor(False)
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` argument or through "
                         "tf.summary.experimental.set_step()")
    if not isinstance(_state.writer, _FileWriter):  # a no-op writer records nothing but says it did
        return convert_to_tensor(True)
    data = data() if callable(data) else data
    tensor = convert_to_tensor(data)
    step = convert_to_tensor(step)
    if step.dtype is not _dt.int64:
        step = _cast(step, _dt.int64)
    return bind(write_p, step, tensor, convert_to_tensor(cond, _dt.bool), events=_state.writer._file,
                tag=_tag(name) if tag is None else tag, kind=kind, option=int(option),
                dtype_enum=tensor.dtype.as_datatype_enum, metadata=bytes(metadata))


def write(tag, tensor, step=None, metadata=None, name=None):
    """Writes `tensor` under `tag` (no name scope added) with serialized SummaryMetadata bytes `metadata`."""
    del name
    if metadata is not None and not isinstance(metadata, bytes):
        metadata = metadata.SerializeToString()
    return _write(tag, tensor, step, "tensor", metadata=metadata or b"", tag=str(tag))


def scalar(name, data, step=None, description=None):
    """Writes a scalar (stored as float32, plugin "scalars"); True when written, False without a writer.

    >>> import eagerflow as tf
    >>> bool(tf.summary.scalar("loss", 0.1, step=0))  # no default writer
    False
    """
    def value():
        t = convert_to_tensor(data)
        if t.shape.rank is not None and t.shape.rank != 0:
            raise ValueError(f"Expected scalar shape, saw shape: {tuple(t.shape.as_list())}.")
        if t.dtype is _dt.string:
            raise UnimplementedError(None, None, "Cast string to float is not supported [Op:Cast]")
        return t
    return _write(name, value, step, "scalar", metadata=summary_metadata("scalars", description))


def text(name, data, step=None, description=None):
    """Writes a string tensor of any shape (plugin "text", Markdown rendered by TensorBoard)."""
    def value():
        t = convert_to_tensor(data)
        if t.dtype is not _dt.string:
            raise TypeError(f"Argument `data` of tf.summary.text must be a string tensor. Received dtype: {t.dtype.name}")
        return t
    return _write(name, value, step, "text", metadata=summary_metadata("text", description))


def histogram(name, data, step=None, buckets=None, description=None):
    """Writes a histogram of all elements of `data`: `buckets` (default 30) equal-width rows
    (left, right, count) from min to max, as TensorBoard's "histograms" plugin stores them.
    """
    if buckets is None:
        buckets = _DEFAULT_BUCKETS
    if isinstance(buckets, bool) or not isinstance(buckets, (int, np.integer)):
        raise TypeError(f"Argument `buckets` must be an int. Received: buckets={buckets!r}")

    def value():
        t = convert_to_tensor(data)
        if t.dtype is _dt.string:
            raise UnimplementedError(None, None, "Cast string to double is not supported [Op:Cast]")
        return t
    return _write(name, value, step, "histogram", option=buckets,
                  metadata=summary_metadata("histograms", description))


def image(name, data, step=None, max_outputs=3, description=None):
    """Writes up to `max_outputs` images of a [k, h, w, c] tensor (c = 1, 2, 3 or 4) as PNG files
    (floats in [0, 1] are scaled to 0..255), plugin "images".
    """
    if isinstance(max_outputs, bool) or not isinstance(max_outputs, (int, np.integer)) or max_outputs < 0:
        raise ValueError(f"Argument `max_outputs` must be a non-negative int. Received: {max_outputs!r}")

    def value():
        t = convert_to_tensor(data)
        if t.shape.rank != 4:
            raise ValueError(f"Argument `data` of tf.summary.image must have rank 4 [k, h, w, c]. "
                             f"Received shape: {tuple(t.shape.as_list())}")
        if t.shape[-1] not in (1, 2, 3, 4):
            raise ValueError(f"Argument `data` of tf.summary.image must have 1 to 4 channels. "
                             f"Received shape: {tuple(t.shape.as_list())}")
        return t
    return _write(name, value, step, "image", option=max_outputs, metadata=summary_metadata("images", description))


experimental = types.SimpleNamespace(get_step=get_step, set_step=set_step)
