"""tf.saved_model.save/load for tf.Module: functions and signatures round trip, variables are exposed
and trainable, control flow and captured constants survive, and bad exports/files fail clearly."""
import collections
import json
import os

import numpy as np
import pytest

import eagerflow as tf
from eagerflow import io_format
from eagerflow.saved_model import codec


class Affine(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
        self.b = tf.Variable([0.5, -0.5], name="b")
        self.steps = tf.Variable(np.int64(0), trainable=False, name="steps")
        self.blocks = [tf.Module(), {"scale": tf.Variable(3.0)}]

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="x")])
    def __call__(self, x):
        return tf.matmul(x, self.w) + self.b

    @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
    def bump(self, s):
        self.steps.assign_add(1)
        self.blocks[1]["scale"].assign(s)
        return {"scaled": self.blocks[1]["scale"] * 2.0, "steps": self.steps.read_value()}

    @tf.function
    def poly(self, x, power=2, training=False):
        y = x ** float(power)
        return y + 1.0 if training else y


def _save_load(obj, tmp_path, **kwargs):
    path = str(tmp_path / "model")
    tf.saved_model.save(obj, path, **kwargs)
    return tf.saved_model.load(path)


def test_functions_round_trip_with_their_signatures(tmp_path):
    m = Affine()
    m.poly(tf.constant(3.0))
    m.poly(tf.constant([1.0, 2.0]), power=3, training=True)
    loaded = _save_load(m, tmp_path)
    x = tf.constant([[1.0, 1.0], [2.0, 0.0]])
    np.testing.assert_allclose(loaded(x).numpy(), m(x).numpy())
    assert float(loaded.poly(tf.constant(3.0))) == 9.0                    # default power=2 applied
    np.testing.assert_allclose(loaded.poly(tf.constant([1.0, 2.0]), 3, training=True).numpy(), [2.0, 9.0])
    np.testing.assert_allclose(loaded.poly(tf.constant([1.0, 2.0]), power=3, training=True).numpy(), [2.0, 9.0])
    with pytest.raises(ValueError, match=r"(?s)Could not find matching concrete function to call loaded from the "
                                         r"SavedModel.*following 2 option\(s\)"):
        loaded.poly(tf.constant([1.0, 2.0]))                             # never traced for shape (2,), power 2
    assert len(loaded.poly.concrete_functions) == 2


def test_state_changes_and_variables(tmp_path):
    loaded = _save_load(Affine(), tmp_path)
    out = loaded.bump(tf.constant(5.0))
    assert set(out) == {"scaled", "steps"} and float(out["scaled"]) == 10.0 and int(out["steps"]) == 1
    assert int(loaded.bump(1.0)["steps"]) == 2
    assert float(loaded.blocks[1]["scale"]) == 1.0
    assert isinstance(loaded.blocks, list) and isinstance(loaded.blocks[1], dict)
    names = sorted(v.name for v in loaded.variables)
    assert names == ["Variable:0", "b:0", "steps:0", "w:0"]
    assert sorted(v.name for v in loaded.trainable_variables) == ["Variable:0", "b:0", "w:0"]
    assert loaded.steps.dtype == tf.int64 and not loaded.steps.trainable


def test_signatures_take_keywords_and_return_dicts(tmp_path):
    m = Affine()
    loaded = _save_load(m, tmp_path, signatures={"serving_default": m.__call__, "bump": m.bump})
    assert sorted(loaded.signatures) == ["bump", "serving_default"]
    serve = loaded.signatures["serving_default"]
    assert serve.structured_input_signature == ((), {"x": tf.TensorSpec([None, 2], tf.float32, "x")})
    out = serve(x=tf.ones([1, 2]))
    assert list(out) == ["output_0"]
    np.testing.assert_allclose(out["output_0"].numpy(), [[4.5, 5.5]])
    assert float(loaded.signatures["bump"](s=tf.constant(2.0))["scaled"]) == 4.0
    with pytest.raises(TypeError):
        serve(tf.ones([1, 2]))  # signatures take keyword arguments only


def test_default_signature_is_the_single_function_with_an_input_signature(tmp_path):
    class One(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(2.0)

        @tf.function(input_signature=[tf.TensorSpec([3], tf.float32)])
        def predict(self, x):
            return x * self.v, x + self.v

    loaded = _save_load(One(), tmp_path)
    out = loaded.signatures["serving_default"](x=tf.constant([1.0, 2.0, 3.0]))
    assert sorted(out) == ["output_0", "output_1"]
    np.testing.assert_allclose(out["output_1"].numpy(), [3.0, 4.0, 5.0])
    assert len(_save_load(Affine(), tmp_path / "two").signatures) == 0  # two candidates: no default


def test_fine_tuning_through_a_loaded_function(tmp_path):
    m = Affine()
    loaded = _save_load(m, tmp_path)
    x, target = tf.constant([[1.0, 0.0], [0.0, 1.0]]), tf.zeros([2, 2])

    def step(model):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum((model(x) - target) ** 2)
        grads = tape.gradient(loss, [model.w, model.b])
        for v, g in zip([model.w, model.b], grads):
            v.assign_sub(0.1 * g)
        return float(loss)
    losses_loaded = [step(loaded) for _ in range(3)]
    losses_orig = [step(m) for _ in range(3)]
    np.testing.assert_allclose(losses_loaded, losses_orig, rtol=1e-6)
    assert losses_loaded[-1] < losses_loaded[0]
    np.testing.assert_allclose(loaded.w.numpy(), m.w.numpy(), rtol=1e-6)

    @tf.function
    def inside(inp):           # a loaded function inlines into a new tf.function, gradients too
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(loaded(inp))
        return tape.gradient(y, loaded.b)
    np.testing.assert_allclose(inside(x).numpy(), [2.0, 2.0])


def test_control_flow_and_captured_constants(tmp_path):
    table = tf.constant([10.0, 20.0, 30.0])

    class Flow(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(2.0)

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def f(self, x):
            y = tf.cond(x > 0, lambda: x * self.v, lambda: x - self.v)
            _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * 2.0), [tf.constant(0), y])
            return y + tf.reduce_sum(table)

    m = Flow()
    loaded = _save_load(m, tmp_path)
    for x in (1.0, -1.0):
        assert float(loaded.f(x)) == float(m.f(x))
    with tf.GradientTape() as tape:
        y = loaded.f(1.0)
    assert float(tape.gradient(y, loaded.v)) == 8.0


def test_structured_inputs_and_namedtuple_outputs(tmp_path):
    Pair = collections.namedtuple("Pair", ["total", "diff"])

    class S(tf.Module):
        @tf.function
        def f(self, d, pair):
            return Pair(d["a"] + d["b"] + pair[0], pair[1])

    s = S()
    args = ({"b": tf.constant(2.0), "a": tf.constant(1.0)}, [tf.constant(3.0), tf.constant([4.0])])
    expected = s.f(*args)
    out = _save_load(s, tmp_path).f(*args)
    assert type(out).__name__ == "Pair" and out._fields == ("total", "diff")
    assert float(out.total) == float(expected.total) == 6.0
    np.testing.assert_array_equal(out.diff.numpy(), [4.0])


def test_instance_attribute_functions_and_resaving_a_loaded_object(tmp_path):
    m = tf.Module()
    m.v = tf.Variable([1.0, 2.0])
    m.double = tf.function(lambda: m.v * 2.0)
    m.double()
    loaded = _save_load(m, tmp_path)
    np.testing.assert_array_equal(loaded.double().numpy(), [2.0, 4.0])
    loaded.v.assign([5.0, 5.0])
    again = _save_load(loaded, tmp_path / "again")
    np.testing.assert_array_equal(again.double().numpy(), [10.0, 10.0])


def test_source_lines_are_stored_only_with_save_debug_info(tmp_path):
    m = Affine()
    plain, debug = str(tmp_path / "plain"), str(tmp_path / "debug")
    tf.saved_model.save(m, plain)
    tf.saved_model.save(m, debug, options=tf.saved_model.SaveOptions(save_debug_info=True))
    here = os.path.basename(__file__).encode()
    assert here not in open(os.path.join(plain, "saved_model.eagerflow"), "rb").read()
    assert here in open(os.path.join(debug, "saved_model.eagerflow"), "rb").read()
    graph = tf.saved_model.load(debug).__call__.concrete_functions[0].graph
    matmul = next(op for op in graph.get_operations() if op.type == "MatMul")
    assert matmul.source[0] == __file__ and matmul.source[2] == "__call__"


def test_loaded_object_without_call_is_not_callable(tmp_path):
    m = tf.Module()
    m.v = tf.Variable(1.0)
    with pytest.raises(TypeError, match="not callable"):
        _save_load(m, tmp_path)(1.0)


# ---- errors ------------------------------------------------------------------------------------------------

def test_untracked_variable_is_refused(tmp_path):
    hidden = tf.Variable(1.0, name="hidden")

    class Leaky(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def f(self, x):
            return x * hidden

    with pytest.raises(ValueError, match=r"uses the variable 'hidden:0' .* not reachable from the exported object"):
        tf.saved_model.save(Leaky(), str(tmp_path / "m"))
    assert not os.path.exists(tmp_path / "m" / "saved_model.eagerflow")


def test_non_data_attributes_are_refused(tmp_path):
    import io
    stream = io.StringIO()

    class Printer(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def f(self, x):
            tf.print(x, output_stream=stream)
            return x

    with pytest.raises(ValueError, match=r"node .*PrintV2.* has an attribute that is not data"):
        tf.saved_model.save(Printer(), str(tmp_path / "m"))


def test_non_trackable_and_bad_signatures(tmp_path):
    with pytest.raises(ValueError, match="Expected an object of type `Trackable`"):
        tf.saved_model.save(3, str(tmp_path / "m"))
    f = tf.function(lambda x: x)
    with pytest.raises(ValueError, match="has no input_signature"):
        tf.saved_model.save(tf.Module(), str(tmp_path / "m"), signatures=f)


def test_missing_and_tensorflow_directories(tmp_path):
    with pytest.raises(OSError, match="SavedModel file does not exist at"):
        tf.saved_model.load(str(tmp_path / "nothing"))
    (tmp_path / "tfdir").mkdir()
    (tmp_path / "tfdir" / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(ValueError, match=r"written by TensorFlow \(saved_model.pb\)"):
        tf.saved_model.load(str(tmp_path / "tfdir"))


def test_corrupted_file_names_the_file(tmp_path):
    path = str(tmp_path / "m")
    tf.saved_model.save(Affine(), path)
    target = os.path.join(path, "saved_model.eagerflow")
    data = open(target, "rb").read()
    open(target, "wb").write(data[:-50])
    with pytest.raises(tf.errors.DataLossError, match=r"saved_model\.eagerflow'.*truncated"):
        tf.saved_model.load(path)


def _rewrite_meta(path, edit):
    target = os.path.join(path, "saved_model.eagerflow")
    archive = io_format.read_archive(target)
    meta = json.loads(json.dumps(archive.meta))
    edit(meta)
    arrays = {k: (archive.dtypes[k], v) for k, v in archive.arrays.items()}
    io_format.write_archive(target, archive.kind, meta, arrays)


def _first_op(meta, op_type):
    return next(n for c in meta["concretes"] for n in c["graph"]["nodes"] if n["op"] == op_type)


@pytest.mark.parametrize("tamper, message", [
    (lambda meta: _first_op(meta, "MatMul").update(op="NoSuchOp"), "op type 'NoSuchOp', which this eagerflow does"),
    (lambda meta: _first_op(meta, "MatMul")["attrs"].update({"x=__import__('os')#": False}),
     "invalid attribute name"),
    (lambda meta: _first_op(meta, "MatMul").update(out=[["int32", [None, 2]]]), "stored graph is inconsistent"),
    (lambda meta: _first_op(meta, "MatMul").update({"in": [[999, 0], [0, 0]]}), "malformed"),
    (lambda meta: meta.update(version=99), "newer eagerflow"),
])
def test_tampered_files_fail_to_load_without_running_anything(tmp_path, tamper, message):
    path = str(tmp_path / "m")
    tf.saved_model.save(Affine(), path)
    _rewrite_meta(path, tamper)
    with pytest.raises(tf.errors.DataLossError, match=message) as info:
        tf.saved_model.load(path)
    assert "saved_model.eagerflow" in str(info.value)


def test_value_codec_round_trips_and_refuses_objects():
    arrays = {}
    value = {"a": (1, 2.5, None, b"x"), 3: [tf.float32, tf.TensorSpec([None], tf.int32, "t"), float("inf")],
             "s": slice(1, None, 2), "z": 1 + 2j, "n": np.int64(4), "arr": np.arange(3)}
    data = codec.encode_value(value, arrays, "p")
    back = codec.decode_value(json.loads(json.dumps(data)), arrays)
    assert back["a"] == (1, 2.5, None, b"x") and back[3][0] is tf.float32 and back[3][2] == float("inf")
    assert back[3][1] == tf.TensorSpec([None], tf.int32, "t") and back["s"] == slice(1, None, 2)
    assert back["z"] == 1 + 2j and back["n"] == 4 and back["n"].dtype == np.int64
    np.testing.assert_array_equal(back["arr"], np.arange(3))
    with pytest.raises(TypeError, match="cannot be stored as data"):
        codec.encode_value(object(), {}, "p")
    with pytest.raises(codec.FormatError, match="invalid namedtuple"):
        codec.decode_value({"namedtuple": ["P", ["a; import os"], [1]]}, {})
