"""eagerflow's archive format: exact round trips of every dtype (hypothesis), verification of
every part of the file, and atomic replacement."""
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import eagerflow as tf
from eagerflow import io_format

NUMERIC = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
           "uint64", "bool", "complex64", "complex128"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NUMERIC).flatmap(
    lambda d: hnp.arrays(np.dtype(d), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))),
    st.dictionaries(st.text(max_size=5), st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    max_size=3))
def test_numeric_round_trip_is_exact(tmp_path_factory, arr, meta):
    path = str(tmp_path_factory.mktemp("a") / "x.bin")
    io_format.write_archive(path, "t", meta, {"x": arr, "y": np.float32(1.5)})
    back = io_format.read_archive(path, "t")
    assert back.meta == meta
    assert back.arrays["x"].dtype == arr.dtype and back.arrays["x"].shape == arr.shape
    np.testing.assert_array_equal(back.arrays["x"], arr)
    assert back.arrays["y"].shape == () and back.arrays["y"] == np.float32(1.5)
    assert back.arrays["x"].flags.writeable  # a private copy, not a view of the file buffer


@settings(max_examples=30, deadline=None)
@given(st.lists(st.binary(max_size=8) | st.text(max_size=4), min_size=0, max_size=6))
def test_string_round_trip(tmp_path_factory, items):
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    path = str(tmp_path_factory.mktemp("s") / "s.bin")
    io_format.write_archive(path, "t", None, {"s": arr})
    back = io_format.read_archive(path)
    assert back.dtypes["s"] == tf.string
    assert back.arrays["s"].tolist() == [x.encode() if isinstance(x, str) else x for x in items]


def test_eagerflow_dtypes_are_kept(tmp_path):
    path = str(tmp_path / "b.bin")
    io_format.write_archive(path, "t", {}, {"b": (tf.bfloat16, np.ones(3, np.float32))})
    back = io_format.read_archive(path)
    assert back.dtypes["b"] is tf.bfloat16 and back.arrays["b"].dtype == np.float32


def test_kind_is_checked(tmp_path):
    path = str(tmp_path / "k.bin")
    io_format.write_archive(path, "one", {}, {})
    with pytest.raises(tf.errors.DataLossError, match="holds a 'one', not a 'two'"):
        io_format.read_archive(path, "two")


def test_every_byte_matters(tmp_path):
    path = str(tmp_path / "x.bin")
    io_format.write_archive(path, "t", {"a": 1}, {"w": np.arange(50, dtype=np.float64)})
    good = open(path, "rb").read()
    for pos in range(0, len(good), 7):
        if 28 <= pos < 32:
            continue  # the reserved word of the prologue is not interpreted
        bad = bytearray(good)
        bad[pos] ^= 0x5A
        open(path, "wb").write(bytes(bad))
        try:
            back = io_format.read_archive(path, "t")
        except tf.errors.DataLossError as e:
            assert repr(path) in str(e)
            continue
        # a flip inside alignment padding changes nothing that is read
        assert back.meta == {"a": 1}
        np.testing.assert_array_equal(back.arrays["w"], np.arange(50, dtype=np.float64))
    for cut in (0, 5, 40, len(good) - 1):
        open(path, "wb").write(good[:cut])
        with pytest.raises(tf.errors.DataLossError):
            io_format.read_archive(path)
    open(path, "wb").write(good + b"x")
    with pytest.raises(tf.errors.DataLossError, match="extra data"):
        io_format.read_archive(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="does not exist"):
        io_format.read_archive(str(tmp_path / "nothing"))
    with pytest.raises(tf.errors.DataLossError, match="is a directory"):
        io_format.read_archive(str(tmp_path))


def test_newer_format_version_is_refused(tmp_path):
    path = str(tmp_path / "v.bin")
    io_format.write_archive(path, "t", {}, {})
    data = bytearray(open(path, "rb").read())
    data[12] = 99  # format version
    open(path, "wb").write(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="newer eagerflow"):
        io_format.read_archive(path)


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = str(tmp_path / "x.bin")
    io_format.write_archive(path, "t", {"v": 1}, {})
    with pytest.raises(TypeError, match="cannot store an array of dtype resource"):
        io_format.write_archive(path, "t", {"v": 2}, {"r": (tf.resource, np.zeros(1))})
    with pytest.raises(TypeError):
        io_format.write_archive(path, "t", {"v": object()}, {})  # meta that is not JSON
    assert io_format.read_archive(path).meta == {"v": 1}
    assert os.listdir(tmp_path) == ["x.bin"]


def test_written_files_follow_the_umask(tmp_path):
    path = str(tmp_path / "p.bin")
    io_format.write_archive(path, "t", {}, {})
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~mask
