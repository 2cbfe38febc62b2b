"""tf.summary: event files read back by a small TFRecord + protobuf reader written here (CRCs checked).

TF_EVENT_BYTES are the records TF 2.21 (with TensorBoard 2.21) wrote for the same calls, without
the 9 bytes of wall_time that start every event: eagerflow must write the same bytes.
"""
import glob
import os
import struct

import numpy as np
import pytest

import eagerflow as tf

TF_EVENT_BYTES = {
    "file_version": "1a0d627261696e2e4576656e743a3252240a2274656e736f72666c6f772e636f72652e7574696c2e6576656e74735f777269746572",
    "scalar loss=0.5 step=3": "10032a210a1f0a046c6f7373420a0801120022040000003f4a0b0a090a077363616c617273",
    "scalar with description": "10042a2b0a290a046c6f7373420a0801120022040000803e4a150a090a077363616c6172731a08746865206c6f7373",
    "text hello": "10052a1f0a1d0a046e6f7465420b08071200420568656c6c6f4a080a060a0474657874",
    "histogram buckets=3": (
        "10062a6e0a6c0a02683242560802120812020803120208032248000000000000f03faaaaaaaaaaaa0240000000000000084"
        "0aaaaaaaaaaaa02405555555555550d4000000000000000005555555555550d400000000000001440000000000000f03f4a"
        "0e0a0c0a0a686973746f6772616d73"),
}
# tf.summary.histogram(..., buckets=n) as TF 2.21 stores it: rows (left, right, count)
TF_HISTOGRAMS = {
    "two values 4 buckets": ([1.0, 2.0, 2.0, 5.0], 3, [[1.0, 7 / 3, 3.0], [7 / 3, 11 / 3, 0.0], [11 / 3, 5.0, 1.0]]),
    "one value": ([3.0, 3.0], 4, [[3.0, 3.0, 0.0]] * 3 + [[3.0, 3.0, 2.0]]),
    "empty": ([], 4, [[0.0, 0.0, 0.0]] * 4),
    "zero buckets": ([3.0, 1.0], 0, np.zeros((0, 3))),
}
SCALARS = "scalars"


# ---- the reader --------------------------------------------------------------------------------------------
def _crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:  # bit by bit: independent of the table the library builds
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def _masked(data: bytes) -> int:
    crc = _crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_records(path):
    """The payloads of a TFRecord file, checking both CRCs of every record."""
    data, out, i = open(path, "rb").read(), [], 0
    while i < len(data):
        length_bytes = data[i:i + 8]
        (length,) = struct.unpack("<Q", length_bytes)
        assert struct.unpack("<I", data[i + 8:i + 12])[0] == _masked(length_bytes), "length CRC"
        payload = data[i + 12:i + 12 + length]
        assert struct.unpack("<I", data[i + 12 + length:i + 16 + length])[0] == _masked(payload), "data CRC"
        out.append(payload)
        i += 16 + length
    assert i == len(data)
    return out


def _varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        value |= (b & 0x7F) << shift
        i += 1
        shift += 7
        if not b & 0x80:
            return value, i


def parse(buf):
    """A protobuf message as {field number: [values]} (varints as ints, fixed64 as bytes, length-delimited as bytes)."""
    fields, i = {}, 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i:i + n], i + n
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


_NP = {1: np.float32, 2: np.float64, 3: np.int32, 9: np.int64}


def decode_event(payload):
    """{wall_time, step, file_version} or {wall_time, step, tag, plugin, description, value} of one Event."""
    e = parse(payload)
    step = e.get(2, [0])[0]
    out = {"wall_time": struct.unpack("<d", e[1][0])[0], "step": step - (1 << 64) if step >= 1 << 63 else step}
    if 3 in e:
        out["file_version"] = e[3][0].decode()
        out["writer"] = parse(e[10][0])[1][0].decode()
        return out
    value = parse(parse(e[5][0])[1][0])
    tensor, meta = parse(value[8][0]), parse(value[9][0])
    shape = tuple(parse(d).get(1, [0])[0] for d in parse(tensor[2][0]).get(2, []))
    dtype = tensor[1][0]
    if dtype == 7:
        array = np.array(tensor.get(8, []), dtype=object).reshape(shape)
    else:
        array = np.frombuffer(tensor.get(4, [b""])[0], _NP[dtype]).reshape(shape)
    out.update(tag=value[1][0].decode(), plugin=parse(meta[1][0])[1][0].decode(), description=meta.get(3, [b""])[0].decode(), dtype=dtype, value=array)
    return out


def read_events(logdir):
    files = glob.glob(os.path.join(str(logdir), "events.out.tfevents.*"))
    assert len(files) == 1, files
    return [decode_event(p) for p in read_records(files[0])]


def summaries(logdir):
    return [e for e in read_events(logdir) if "tag" in e]


# ---- tests -------------------------------------------------------------------------------------------------
def test_crc32c_known_value():
    assert tf.summary.crc32c(b"123456789") == 0xE3069283 == _crc32c(b"123456789")


def test_file_name_and_first_record(tmp_path):
    w = tf.summary.create_file_writer(tmp_path / "logs")
    name = os.path.basename(glob.glob(str(tmp_path / "logs" / "*"))[0])
    parts = name.split(".")
    assert parts[:3] == ["events", "out", "tfevents"] and parts[-1] == "v2"
    assert len(parts[3]) == 10 and parts[3].isdigit() and parts[-3] == str(os.getpid())
    records = read_records(glob.glob(str(tmp_path / "logs" / "*"))[0])
    assert len(records) == 1 and records[0][9:].hex() == TF_EVENT_BYTES["file_version"]
    first = decode_event(records[0])
    assert first["writer"] == "tensorflow.core.util.events_writer"
    assert first["file_version"] == "brain.Event:2" and first["wall_time"] == int(first["wall_time"])
    w.close()


def test_bytes_match_tf(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        assert bool(tf.summary.scalar("loss", 0.5, step=3))
        tf.summary.scalar("loss", 0.25, step=4, description="the loss")
        tf.summary.text("note", "hello", step=5)
        tf.summary.histogram("h2", [1.0, 2.0, 2.0, 5.0], step=6, buckets=3)
    records = read_records(glob.glob(str(tmp_path / "*"))[0])
    assert [r[9:].hex() for r in records] == list(TF_EVENT_BYTES.values())


def test_values_tags_steps(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        tf.summary.scalar("i", 3, step=7)
        tf.summary.scalar("d", np.float64(0.1), step=tf.constant(8, tf.int64))
        tf.summary.scalar("neg", 2.0, step=-5)
        with tf.name_scope("outer"):
            tf.summary.scalar("x", 1.0, step=0)
        tf.summary.text("grid", [["a", "b"]], step=1)
    ev = summaries(tmp_path)
    assert [(e["tag"], e["step"], e["plugin"]) for e in ev] == [
        ("i", 7, SCALARS), ("d", 8, SCALARS), ("neg", -5, SCALARS), ("outer/x", 0, SCALARS), ("grid", 1, "text")]
    assert ev[0]["value"].dtype == np.float32 and ev[0]["value"].shape == () and ev[0]["value"] == 3.0
    assert ev[1]["value"] == np.float32(0.1)
    assert ev[4]["value"].tolist() == [[b"a", b"b"]]
    assert all(e["wall_time"] > 1e9 for e in ev)


@pytest.mark.parametrize("case", sorted(TF_HISTOGRAMS))
def test_histogram_buckets_as_tf(tmp_path, case):
    data, buckets, expected = TF_HISTOGRAMS[case]
    with tf.summary.create_file_writer(str(tmp_path)).as_default(step=2):
        tf.summary.histogram("h", data, buckets=buckets)
    (e,) = summaries(tmp_path)
    assert e["plugin"] == "histograms" and e["value"].dtype == np.float64
    np.testing.assert_allclose(e["value"], np.asarray(expected, np.float64).reshape(-1, 3), rtol=1e-15)


def test_default_histogram_has_30_buckets(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path)).as_default(step=0):
        tf.summary.histogram("h", np.arange(100.0))
    (e,) = summaries(tmp_path)
    assert e["value"].shape == (30, 3) and e["value"][:, 2].sum() == 100
    assert e["value"][0, 0] == 0.0 and e["value"][-1, 1] == 99.0


def test_image_is_png(tmp_path):
    img = np.zeros((2, 3, 4, 1), np.float32)
    img[:, 0, 0, 0] = 1.0
    with tf.summary.create_file_writer(str(tmp_path)).as_default(step=0):
        tf.summary.image("im", img, max_outputs=1)
    (e,) = summaries(tmp_path)
    assert e["plugin"] == "images" and e["value"][:2].tolist() == [b"4", b"3"] and len(e["value"]) == 3
    assert e["value"][2].startswith(b"\x89PNG\r\n\x1a\n")


def test_return_values_and_step_errors(tmp_path):
    assert tf.summary.scalar("a", 1.0, step=1).numpy() == False  # noqa: E712 - no default writer
    assert tf.summary.should_record_summaries().numpy() == False  # noqa: E712
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        assert tf.summary.should_record_summaries().numpy() == True  # noqa: E712
        with pytest.raises(ValueError, match=r"^No step set\. Please specify one either through the `step` "
                                             r"argument or through tf\.summary\.experimental\.set_step\(\)$"):
            tf.summary.scalar("a", 1.0)
        with pytest.raises(ValueError, match=r"Expected scalar shape, saw shape: \(2,\)\."):
            tf.summary.scalar("a", [1.0, 2.0], step=1)
        with tf.summary.record_if(False):
            assert tf.summary.scalar("skipped", 1.0).numpy() == False  # noqa: E712 - no step needed then
            assert tf.summary.should_record_summaries().numpy() == False  # noqa: E712
        with tf.summary.record_if(lambda: True):
            assert tf.summary.scalar("kept", 1.0, step=2).numpy() == True  # noqa: E712
    with pytest.raises(ValueError, match="Argument `logdir` cannot be None"):
        tf.summary.create_file_writer(None)
    assert [e["tag"] for e in summaries(tmp_path)] == ["kept"]


def test_default_step_and_nesting(tmp_path):
    a, b = tf.summary.create_file_writer(str(tmp_path / "a")), tf.summary.create_file_writer(str(tmp_path / "b"))
    assert tf.summary.experimental.get_step() is None
    with a.as_default(step=10):
        tf.summary.scalar("x", 1.0)
        with b.as_default(step=20):
            tf.summary.scalar("x", 2.0)
        tf.summary.scalar("x", 3.0)
        assert tf.summary.experimental.get_step() == 10
    assert tf.summary.experimental.get_step() is None
    tf.summary.experimental.set_step(5)
    try:
        with a.as_default():
            tf.summary.scalar("y", 4.0)
    finally:
        tf.summary.experimental.set_step(None)
    assert [(e["step"], float(e["value"])) for e in summaries(tmp_path / "a")] == [(10, 1.0), (10, 3.0), (5, 4.0)]
    assert [(e["step"], float(e["value"])) for e in summaries(tmp_path / "b")] == [(20, 2.0)]


def test_queue_flush_close(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path), max_queue=100, flush_millis=10 ** 9)
    w.set_as_default(step=1)
    try:
        tf.summary.scalar("q", 1.0)
        assert summaries(tmp_path) == []  # still queued
        w.flush()
        assert len(summaries(tmp_path)) == 1
        tf.summary.scalar("q", 2.0, step=2)
        tf.summary.flush()
        assert len(summaries(tmp_path)) == 2
    finally:
        tf.summary.create_noop_writer().set_as_default()
    w.close()
    w.close()  # a second close does nothing
    with pytest.raises(RuntimeError, match="is already closed"):
        w.as_default()


def test_small_queue_writes_through(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path), max_queue=2)
    with w.as_default(step=0):
        tf.summary.scalar("a", 1.0)
        tf.summary.scalar("b", 1.0)
        assert len(summaries(tmp_path)) == 2  # the second write filled the queue
        tf.summary.scalar("c", 1.0)
    assert len(summaries(tmp_path)) == 3  # leaving as_default flushes


def test_noop_writer_records_nothing(tmp_path):
    w = tf.summary.create_noop_writer()
    with w.as_default(step=3):
        assert tf.summary.experimental.get_step() == 3
        tf.summary.scalar("x", 1.0)
    w.flush()
    w.close()
    assert os.listdir(tmp_path) == []


def test_tf_function_writes_every_run(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))
    step = tf.Variable(np.int64(10))

    @tf.function
    def f(x):
        tf.summary.scalar("fn", x * 2.0, step=step)
        tf.summary.histogram("hist", tf.stack([x, x + 1.0]), step=step, buckets=2)
        return x + 1.0

    with w.as_default():
        for i in range(3):
            f(tf.constant(float(i)))
            step.assign_add(1)
    ev = summaries(tmp_path)
    scalars = [(e["step"], float(e["value"])) for e in ev if e["tag"] == "fn"]
    assert scalars == [(10, 0.0), (11, 2.0), (12, 4.0)]
    hists = [e["value"] for e in ev if e["tag"] == "hist"]
    np.testing.assert_array_equal(hists[2], [[2.0, 2.5, 1.0], [2.5, 3.0, 1.0]])


def test_tf_function_record_if_tensor(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))

    @tf.function
    def f(x, keep):
        with tf.summary.record_if(keep):
            return tf.summary.scalar("maybe", x, step=1)

    with w.as_default():
        assert f(tf.constant(1.0), tf.constant(True)).numpy() == True  # noqa: E712
        assert f(tf.constant(2.0), tf.constant(False)).numpy() == False  # noqa: E712
        assert f(tf.constant(3.0), tf.constant(True)).numpy() == True  # noqa: E712
    assert [float(e["value"]) for e in summaries(tmp_path)] == [1.0, 3.0]


def test_flush_inside_tf_function(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path), max_queue=100, flush_millis=10 ** 9)

    @tf.function
    def f(x):
        with w.as_default(step=1):
            tf.summary.scalar("z", x)
        w.flush()
        return x

    f(tf.constant(1.0))
    assert len(summaries(tmp_path)) == 1
    w.close()


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="max_queue"):
        tf.summary.create_file_writer(str(tmp_path), max_queue=-1)
    with pytest.raises(TypeError, match="buckets"):
        with tf.summary.create_noop_writer().as_default(step=0):
            tf.summary.histogram("h", [1.0], buckets=2.5)
