"""eagerflow's own file format: a JSON header plus raw arrays, checksummed, written atomically.

Checkpoints, SavedModels and non-HDF5 Keras weight files are all one *archive*: a file holding a
`kind` string, a JSON `meta` value and named arrays. It is plain data (no pickle, nothing is
evaluated on load), so opening a file from someone else never runs their code.

Layout (little endian)::

    prologue  32 bytes   magic b"\\x89EAGERFLOW\\r\\n", format version u32, header length u64,
                         header crc32 u32, reserved u32
    header    JSON       {"kind", "meta", "arrays": [[name, dtype, shape, offset, nbytes, crc32, enc]],
                          "data_bytes"}
    data                 each array's bytes at a 64-byte aligned offset (strings: u64 lengths + bytes)
    trailer   16 bytes   b"EFLW-END", total file size u64

Every part is checked on reading, so a truncated, corrupted or foreign file raises a
`tf.errors.DataLossError` naming the file instead of returning wrong values. Writes go to a
temporary file in the same directory that is renamed over the target (`atomic_write`), so a
process killed mid-save leaves the previous file intact.

>>> import os, tempfile
>>> import numpy as np
>>> from eagerflow import io_format
>>> path = os.path.join(tempfile.mkdtemp(), "demo.bin")
>>> io_format.write_archive(path, "demo", {"step": 3}, {"w": np.arange(3.0)})
>>> a = io_format.read_archive(path, "demo")
>>> a.meta["step"], a.arrays["w"]
(3, array([0., 1., 2.]))
"""
from __future__ import annotations

import contextlib
import json
import os
import struct
import secrets
import zlib

import numpy as np

from . import dtypes as _dt
from .errors import DataLossError, NotFoundError

__all__ = ["Archive", "write_archive", "read_archive", "archive_bytes", "parse_archive", "atomic_write", "atomic_path",
           "describe_foreign"]

MAGIC = b"\x89EAGERFLOW\r\n"
VERSION = 1
_PROLOGUE = struct.Struct("<12sIQII")
_TRAILER = struct.Struct("<8sQ")
_END = b"EFLW-END"
_ALIGN = 64


class Archive:
    """What `read_archive` returns: `kind`, `meta` (JSON value) and `arrays` (name -> ndarray)."""

    __slots__ = ("path", "kind", "meta", "arrays", "dtypes")

    def __init__(self, path: str, kind: str, meta, arrays: dict, dtypes: dict):
        self.path = path
        self.kind = kind
        self.meta = meta
        self.arrays = arrays
        self.dtypes = dtypes  # name -> eagerflow DType (bfloat16 arrays are stored as float32)

    def __repr__(self):
        return f"<Archive {self.kind} {self.path!r} ({len(self.arrays)} arrays)>"


# ---- atomic writes ------------------------------------------------------------------------------------

@contextlib.contextmanager
def atomic_path(path: str):
    """Yields a temporary path next to `path`; renamed over `path` when the block succeeds.

    The temporary file is removed if the block fails, so the target is either the old file or the
    complete new one, never a partial write.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = _create_temporary(directory, os.path.basename(path))
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _create_temporary(directory: str, base: str) -> str:
    """A new empty file `.<base>.<pid>.<random>.tmp`, created with the umask's permissions (as `open`)."""
    while True:
        tmp = os.path.join(directory, f".{base}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue


def atomic_write(path: str, data: bytes) -> None:
    """Writes `data` to `path` atomically (temporary file + rename)."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


def _fsync(path: str) -> None:
    # Without it a power loss could leave a renamed but empty file (the rename reaches the disk first).
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---- encoding arrays ------------------------------------------------------------------------------------

def _as_array(value) -> tuple:
    """(eagerflow dtype name, C-contiguous NumPy array) of a value to store."""
    dtype = None
    if isinstance(value, tuple):
        dtype, value = value
        dtype = _dt.as_dtype(dtype)
    arr = np.asarray(value)
    if dtype is None:
        dtype = _dt.string if arr.dtype.kind in "OSU" else _dt.as_dtype(arr.dtype)
    if dtype is _dt.string:
        return "string", arr
    if dtype._np is None:
        raise TypeError(f"cannot store an array of dtype {dtype.name}")
    return dtype.name, np.asarray(arr, dtype=dtype._np)  # (ascontiguousarray would make 0-d arrays 1-d)


def _string_bytes(arr: np.ndarray) -> bytes:
    items = [x.encode("utf-8") if isinstance(x, str) else bytes(x) for x in arr.reshape(-1).tolist()]
    lengths = np.array([len(x) for x in items], dtype="<u8")
    return lengths.tobytes() + b"".join(items)


def _array_bytes(dtype: str, arr: np.ndarray) -> tuple:
    """The array's bytes (a view, not a copy, when it is already contiguous little-endian data)."""
    if dtype == "string":
        return _string_bytes(arr), "strings"
    arr = np.ascontiguousarray(arr.astype(arr.dtype.newbyteorder("<"), copy=False)).reshape(-1)
    return memoryview(arr.view(np.uint8)), "raw"


def _chunks(kind: str, meta, arrays: dict) -> list:
    """The byte strings of an archive, in order."""
    entries, chunks, offset = [], [], 0
    for name, value in arrays.items():
        dtype, arr = _as_array(value)
        data, enc = _array_bytes(dtype, arr)
        pad = (-offset) % _ALIGN
        if pad:
            chunks.append(b"\0" * pad)
            offset += pad
        entries.append([str(name), dtype, list(arr.shape), offset, len(data), zlib.crc32(data), enc])
        chunks.append(data)
        offset += len(data)
    header = json.dumps({"kind": kind, "meta": meta, "arrays": entries, "data_bytes": offset},
                        separators=(",", ":"), allow_nan=True).encode("utf-8")
    start = _PROLOGUE.size + len(header)
    lead = (-start) % _ALIGN
    total = start + lead + offset + _TRAILER.size
    return [_PROLOGUE.pack(MAGIC, VERSION, len(header), zlib.crc32(header), 0), header, b"\0" * lead, *chunks,
            _TRAILER.pack(_END, total)]


def write_archive(path: str, kind: str, meta, arrays: dict) -> None:
    """Writes an archive atomically. `arrays` maps names to arrays (or `(dtype, array)` pairs)."""
    chunks = _chunks(kind, meta, arrays)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            for c in chunks:
                f.write(c)


def archive_bytes(kind: str, meta, arrays: dict) -> bytes:
    """An archive as bytes (to embed in another container)."""
    return b"".join(_chunks(kind, meta, arrays))


# ---- reading --------------------------------------------------------------------------------------------

def describe_foreign(head: bytes) -> str:
    """A guess at what a file that is not an eagerflow archive is, from its first bytes."""
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return "an HDF5 file"
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive"
    if head[:1] == b"\x08" or head[:2] == b"\n\x0e":
        return "possibly a TensorFlow protobuf/checkpoint file"
    if not head:
        return "an empty file"
    return "not an eagerflow file"


def _loss(path: str, what: str) -> DataLossError:
    return DataLossError(None, None, f"Unable to read {path!r}: {what}")


def read_archive(path: str, kind: str | None = None) -> Archive:
    """Reads and verifies an archive; `kind` (when given) must match what was written.

    Raises NotFoundError for a missing file and DataLossError (naming the file) for anything that is
    not a complete, intact eagerflow archive.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            buf = f.read()
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path!r} does not exist") from None
    except IsADirectoryError:
        raise _loss(path, "it is a directory, not a file") from None
    return parse_archive(buf, path, kind)


def parse_archive(buf: bytes, path: str, kind: str | None = None) -> Archive:
    """Verifies and decodes archive bytes; `path` names their origin in errors."""
    if len(buf) < _PROLOGUE.size or not buf.startswith(MAGIC):
        if MAGIC.startswith(buf[:len(MAGIC)]) and buf:
            raise _loss(path, "the file is truncated (it ends inside its header)")
        raise _loss(path, f"it is {describe_foreign(buf[:16])}, not an eagerflow archive (bad magic number)")
    _, version, hlen, hcrc, _ = _PROLOGUE.unpack_from(buf)
    if version > VERSION:
        raise _loss(path, f"it was written by a newer eagerflow (format version {version}, this one reads "
                          f"up to {VERSION})")
    start = _PROLOGUE.size
    if len(buf) < start + hlen:
        raise _loss(path, "the file is truncated (it ends inside its header)")
    header = buf[start:start + hlen]
    if zlib.crc32(header) != hcrc:
        raise _loss(path, "its header is corrupted (checksum mismatch)")
    try:
        head = json.loads(header.decode("utf-8"))
        entries, data_bytes, stored_kind = head["arrays"], int(head["data_bytes"]), head["kind"]
    except Exception as e:  # noqa: BLE001 - any malformed header is data loss
        raise _loss(path, f"its header is malformed ({type(e).__name__})") from None
    data_start = start + hlen + (-(start + hlen)) % _ALIGN
    total = data_start + data_bytes + _TRAILER.size
    if len(buf) < total:
        raise _loss(path, f"the file is truncated ({len(buf)} of {total} bytes)")
    end, size = _TRAILER.unpack_from(buf, total - _TRAILER.size)
    if end != _END or size != total or len(buf) != total:
        raise _loss(path, "the file is corrupted or has extra data after its end")
    if kind is not None and stored_kind != kind:
        raise _loss(path, f"it holds a {stored_kind!r}, not a {kind!r}")
    arrays, dtypes = {}, {}
    view = memoryview(buf)[data_start:data_start + data_bytes]
    for entry in entries:
        name, arr, dtype = _decode_entry(path, view, entry)
        arrays[name], dtypes[name] = arr, dtype
    return Archive(path, stored_kind, head.get("meta"), arrays, dtypes)


def _decode_entry(path: str, view, entry) -> tuple:
    try:
        name, dtype_name, shape, offset, nbytes, crc, enc = entry
        shape = tuple(int(d) for d in shape)
        dtype = _dt.as_dtype(dtype_name)
        data = view[offset:offset + nbytes]
        bad = offset < 0 or len(data) != nbytes or any(d < 0 for d in shape)
    except Exception:  # noqa: BLE001
        raise _loss(path, f"its array table is malformed (entry {str(entry)[:80]})") from None
    if bad:
        raise _loss(path, f"array {name!r} lies outside the file's data")
    if zlib.crc32(data) != crc:
        raise _loss(path, f"the data of array {name!r} is corrupted (checksum mismatch)")
    count = int(np.prod(shape, dtype=np.int64))
    try:
        if enc == "strings":
            lengths = np.frombuffer(data, dtype="<u8", count=count)
            pos, items = 8 * count, []
            for n in lengths.tolist():
                items.append(bytes(data[pos:pos + n]))
                pos += n
            if pos != nbytes:
                raise ValueError("string lengths do not add up")
            arr = np.empty(count, dtype=object)
            arr[:] = items
            arr = arr.reshape(shape)
        else:
            np_dtype = dtype._np.newbyteorder("<")
            arr = np.frombuffer(data, dtype=np_dtype, count=count).reshape(shape).astype(dtype._np)
    except Exception as e:  # noqa: BLE001
        raise _loss(path, f"array {name!r} does not match its recorded dtype/shape ({e})") from None
    return name, arr, dtype
