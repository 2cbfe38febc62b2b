"""Keras files: save_weights/load_weights (Keras 3 HDF5 layout and eagerflow's format), `.keras`
archives, mismatch errors, custom objects, safe mode, damaged files, and training that resumes
exactly (weights, optimizer slots, iteration counts) from every kind of file."""
import io
import json
import logging
import os
import zipfile

import numpy as np
import pytest

import eagerflow as tf
from eagerflow.keras import saving_weights

needs_h5py = pytest.mark.skipif(saving_weights.h5py is None, reason="h5py is not installed (pip install eagerflow[h5])")
RNG = np.random.RandomState(0)
X = RNG.rand(16, 5).astype("float32")
Y = RNG.rand(16, 2).astype("float32")


def mlp(units=8):
    return tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(units, activation="relu"),
                                tf.keras.layers.BatchNormalization(), tf.keras.layers.Dense(2)])


def functional():
    a = tf.keras.Input((5,), name="a")
    h = tf.keras.layers.Dense(4, activation="tanh", name="hidden")(a)
    inner = tf.keras.Sequential([tf.keras.layers.Dense(3), tf.keras.layers.LayerNormalization()], name="inner")
    return tf.keras.Model(a, tf.keras.layers.Dense(2)(inner(h)))


@tf.keras.utils.register_keras_serializable(package="eagerflow_tests")
class Tower(tf.keras.Model):
    """A subclassed model with layers in an attribute, a list and a dict, and a weight of its own."""

    def __init__(self, width=3, **kwargs):
        super().__init__(**kwargs)
        self.width = width
        self.enc = tf.keras.layers.Dense(width, activation="relu")
        self.blocks = [tf.keras.layers.Dense(width), tf.keras.layers.Dense(width)]
        self.heads = {"b": tf.keras.layers.Dense(2), "a": tf.keras.layers.Dense(2)}

    def build(self, input_shape):
        self.offset = self.add_weight(shape=(2,), initializer="zeros", name="offset")
        super().build(input_shape)

    def call(self, x):
        h = self.enc(x)
        for block in self.blocks:
            h = block(h)
        return self.heads["a"](h) + self.heads["b"](h) + self.offset

    def get_config(self):
        return {**super().get_config(), "width": self.width}


def tower():
    model = Tower()
    model(X[:2])
    return model


MAKERS = {"sequential": mlp, "functional": functional, "subclassed": tower}


def _trained(make, epochs=2):
    tf.random.set_seed(0)
    model = make()
    model.compile(tf.keras.optimizers.Adam(0.01), "mse")
    model.fit(X, Y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    return model


def _values(model):
    return [v.numpy() for v in model.weights] + [v.numpy() for v in model.optimizer.variables]


def _assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


# ---- weights ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".weights.h5", ".weights.bin"])
@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_weights_round_trip_and_exact_resume(tmp_path, kind, suffix):
    if suffix.endswith(".h5") and saving_weights.h5py is None:
        pytest.skip("h5py is not installed (pip install eagerflow[h5])")
    model = _trained(MAKERS[kind])
    path = str(tmp_path / ("w" + suffix))
    model.save_weights(path)
    fresh = MAKERS[kind]()
    fresh.compile(tf.keras.optimizers.Adam(0.01), "mse")
    fresh.optimizer.build(fresh.trainable_variables)
    fresh.load_weights(path)
    _assert_same(_values(model), _values(fresh))
    assert int(fresh.optimizer.iterations) == 4
    # the next epoch is the same step for step: weights, slots and iteration count
    for m in (model, fresh):
        m.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    _assert_same(_values(model), _values(fresh))


@needs_h5py
def test_h5_layout_is_keras3s():
    model = _trained(functional)
    buf = io.BytesIO()
    saving_weights.write_h5(buf, saving_weights.collect(model))
    h5py = saving_weights.h5py
    with h5py.File(io.BytesIO(buf.getvalue()), "r") as f:
        found = {}

        def visit(name, obj):
            found[name] = obj.shape if isinstance(obj, h5py.Dataset) else dict(obj.attrs)
        f.visititems(visit)
    assert found["vars"] == {"name": model.name}
    assert found["layers/input_layer/vars"] == {"name": "a"}
    assert found["layers/dense/vars"] == {"name": "hidden"}      # named by class and position, not by name
    assert found["layers/dense/vars/0"] == (5, 4) and found["layers/dense/vars/1"] == (4,)
    assert found["layers/sequential/layers/dense/vars/0"] == (4, 3)
    assert found["layers/sequential/layers/layer_normalization/vars/1"] == (3,)
    assert found["layers/dense_1/vars/0"] == (3, 2)
    assert found["optimizer/vars"] == {"name": model.optimizer.name}
    assert found["optimizer/vars/0"] == () and found["optimizer/vars/2"] == (5, 4)
    assert len([k for k in found if k.startswith("optimizer/vars/")]) == 2 + 2 * len(model.trainable_variables)


def test_subclassed_paths_follow_attributes_lists_and_dicts():
    paths = {p: o.name for p, o in saving_weights.walk(tower())}
    assert sorted(paths) == ["", "blocks/dense", "blocks/dense_1", "enc", "heads/dense", "heads/dense_1"]
    model = tower()
    assert [p for p, o in saving_weights.walk(model) if o is model.heads["b"]] == ["heads/dense"]  # dict order


def test_mismatched_architecture_names_layer_and_both_shapes(tmp_path):
    path = str(tmp_path / "w.bin")
    mlp(units=8).save_weights(path)
    other = mlp(units=6)
    before = [v.numpy() for v in other.weights]
    with pytest.raises(ValueError, match=r"Layer 'dense(_\d+)?' \(weights at 'layers/dense'\): the shape of variable "
                                         r"'kernel' is \(5, 6\) but the weights file holds shape \(5, 8\)"):
        other.load_weights(path)
    _assert_same(before, [v.numpy() for v in other.weights])   # nothing was assigned


def test_missing_and_extra_layers(tmp_path):
    small, big = str(tmp_path / "small.bin"), str(tmp_path / "big.bin")
    tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(2)]).save_weights(small)
    mlp().save_weights(big)
    with pytest.raises(ValueError, match=r"expected 2 variables, but received 0 variables during loading\. "
                                         r"Expected: \['kernel', 'bias'\]"):
        mlp().load_weights(small)
    with pytest.raises(ValueError, match=r"has weights for 2 objects the model does not have: "
                                         r"'layers/batch_normalization'.*different architecture"):
        tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(8)]).load_weights(big)


def test_skip_mismatch_loads_the_rest(tmp_path, caplog):
    path = str(tmp_path / "w.bin")
    source = mlp(units=8)
    source.save_weights(path)
    target = tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(8, activation="relu"),
                                  tf.keras.layers.BatchNormalization(), tf.keras.layers.Dense(3)])
    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        target.load_weights(path, skip_mismatch=True)
    assert "Skipping loading weights for layers/dense_1" in caplog.text
    np.testing.assert_array_equal(target.layers[0].kernel.numpy(), source.layers[0].kernel.numpy())


def test_unbuilt_model_cannot_take_weights(tmp_path):
    path = str(tmp_path / "w.bin")
    mlp().save_weights(path)
    unbuilt = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.BatchNormalization(),
                                   tf.keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="was never built and thus it doesn't have any variables"):
        unbuilt.load_weights(path)


def test_optimizer_state_count_mismatch_is_skipped_with_keras_warning(tmp_path, caplog):
    path = str(tmp_path / "w.bin")
    _trained(mlp).save_weights(path)
    target = mlp()
    target.compile(tf.keras.optimizers.Adam(0.01), "mse")   # optimizer not built: only 2 variables
    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        target.load_weights(path)
    assert f"Skipping variable loading for optimizer '{target.optimizer.name}', because it has 2 variables whereas " \
           "the saved optimizer has 14 variables." in caplog.text


def test_weight_path_rules(tmp_path):
    model = mlp()
    with pytest.raises(ValueError, match="The filename must end in `.weights.h5`"):
        model.save_weights(str(tmp_path / "w.h5"))
    with pytest.raises(ValueError, match="use model.save"):
        model.save_weights(str(tmp_path / "w.keras"))
    path = str(tmp_path / "w.bin")
    model.save_weights(path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        model.save_weights(path, overwrite=False)
    with pytest.raises(FileNotFoundError, match="No weights file found"):
        model.load_weights(str(tmp_path / "none.bin"))


def test_h5_needs_h5py_and_says_which_extra(tmp_path, monkeypatch):
    monkeypatch.setattr(saving_weights, "h5py", None)
    with pytest.raises(ImportError, match=r"pip install eagerflow\[h5\]"):
        mlp().save_weights(str(tmp_path / "w.weights.h5"))
    assert not os.listdir(tmp_path)


@pytest.mark.parametrize("content, error, message", [
    (b"garbage" * 20, ValueError, "neither a Keras"),
    (b"\x89HDF\r\n\x1a\n" + b"\0" * 64, ValueError, "not a readable HDF5 file"),
    (b"PK\x03\x04" + b"\0" * 64, ValueError, "not a valid `.keras` zip archive"),
])
def test_foreign_weight_files_name_the_file(tmp_path, content, error, message):
    if b"HDF" in content and saving_weights.h5py is None:
        pytest.skip("h5py is not installed (pip install eagerflow[h5])")
    path = tmp_path / "w.weights.h5"
    path.write_bytes(content)
    with pytest.raises(error, match=message) as info:
        mlp().load_weights(str(path))
    assert "w.weights.h5" in str(info.value)


def test_truncated_native_weights_are_data_loss(tmp_path):
    path = tmp_path / "w.bin"
    mlp().save_weights(str(path))
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(tf.errors.DataLossError, match=r"w\.bin'.*truncated"):
        mlp().load_weights(str(path))


def test_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = str(tmp_path / "w.bin")
    model = mlp()
    model.save_weights(path)
    before = open(path, "rb").read()

    def fail(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(saving_weights.io_format, "_fsync", fail)
    with pytest.raises(KeyboardInterrupt):
        mlp().save_weights(path)
    assert open(path, "rb").read() == before and os.listdir(tmp_path) == ["w.bin"]


# ---- .keras archives -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_keras_archive_round_trip_and_exact_resume(tmp_path, kind):
    model = _trained(MAKERS[kind])
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = tf.keras.models.load_model(path)
    assert type(loaded) is type(model) and loaded.name == model.name
    assert type(loaded.optimizer).__name__ == "Adam" and int(loaded.optimizer.iterations) == 4
    assert np.isclose(float(loaded.optimizer.learning_rate), 0.01)
    _assert_same(_values(model), _values(loaded))
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    for m in (model, loaded):
        m.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    _assert_same(_values(model), _values(loaded))


def test_keras_archive_layout(tmp_path):
    path = str(tmp_path / "m.keras")
    _trained(mlp).save(path)
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        expected = ["metadata.json", "config.json",
                    "model.weights.h5" if saving_weights.h5py is not None else "model.weights.eagerflow"]
        assert [i.filename for i in infos] == expected
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        meta = json.loads(z.read("metadata.json"))
        config = json.loads(z.read("config.json"))
    assert meta["keras_version"] == "3.15.1" and "@" in meta["date_saved"]
    assert (config["module"], config["class_name"], config["registered_name"]) == ("keras", "Sequential", None)
    assert config["build_config"] == {"input_shape": [None, 5]}
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam" and config["compile_config"]["loss"] == "mse"


def test_keras_archive_without_h5py_falls_back_with_a_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(saving_weights, "h5py", None)
    model = _trained(mlp)
    path = str(tmp_path / "m.keras")
    with caplog.at_level(logging.WARNING, logger="eagerflow"):
        model.save(path)
    assert "which Keras cannot read" in caplog.text
    _assert_same(_values(model), _values(tf.keras.models.load_model(path)))


def test_uncompiled_model_and_compile_false(tmp_path):
    path = str(tmp_path / "m.keras")
    model = mlp()
    model.save(path)
    loaded = tf.keras.models.load_model(path)
    assert not getattr(loaded, "compiled", False)
    _assert_same([v.numpy() for v in model.weights], [v.numpy() for v in loaded.weights])
    _trained(mlp).save(path)
    assert not getattr(tf.keras.models.load_model(path, compile=False), "compiled", False)


class Scale(tf.keras.layers.Layer):
    """Not registered: loading needs custom_objects."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.alpha = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="alpha")

    def call(self, x):
        return x * self.alpha * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_custom_objects(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((5,)), Scale(3.0), tf.keras.layers.Dense(2)])
    model.layers[0].alpha.assign(np.arange(5, dtype="float32"))
    path = str(tmp_path / "m.keras")
    model.save(path)
    with pytest.raises(TypeError, match="Could not locate class 'Scale'"):
        tf.keras.models.load_model(path)
    loaded = tf.keras.models.load_model(path, custom_objects={"Scale": Scale})
    assert loaded.layers[0].factor == 3.0
    np.testing.assert_array_equal(loaded.layers[0].alpha.numpy(), np.arange(5))
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_safe_mode_refuses_stored_bytecode(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Lambda(lambda x: x * 2.0),
                                 tf.keras.layers.Dense(2, activation=lambda x: x + 1.0)])
    path = str(tmp_path / "m.keras")
    model.save(path)
    with pytest.raises(ValueError, match="arbitrary code execution"):
        tf.keras.models.load_model(path)
    loaded = tf.keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6)


def test_activation_bytecode_in_a_config_is_refused_too(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(2, activation=lambda x: x + 1.0)])
    path = str(tmp_path / "m.keras")
    model.save(path)
    with pytest.raises(ValueError, match="arbitrary code execution"):
        tf.keras.models.load_model(path)


def test_model_file_errors(tmp_path):
    model = mlp()
    for bad in ("m.h5", "m", "m.tf"):
        with pytest.raises(ValueError, match="Invalid filepath extension for saving"):
            model.save(str(tmp_path / bad))
    with pytest.raises(ValueError, match=r"File not found: filepath=.*nothing\.keras"):
        tf.keras.models.load_model(str(tmp_path / "nothing.keras"))
    legacy = tmp_path / "old.h5"
    legacy.write_bytes(b"\x89HDF\r\n\x1a\n")
    with pytest.raises(ValueError, match="Legacy Keras 2 HDF5 model files are not supported"):
        tf.keras.models.load_model(str(legacy))
    export = str(tmp_path / "export")
    tf.saved_model.save(tf.Module(), export)
    with pytest.raises(ValueError, match=r"SavedModel directory: load it with `tf.saved_model.load"):
        tf.keras.models.load_model(export)


def test_damaged_keras_archives_name_the_file(tmp_path):
    path = tmp_path / "m.keras"
    mlp().save(str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"m\.keras'.*not a valid `.keras` zip archive"):
        tf.keras.models.load_model(str(path))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", "{not json")
    with pytest.raises(ValueError, match="config.json or metadata.json is not valid JSON"):
        tf.keras.models.load_model(str(path))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match="has no config.json"):
        tf.keras.models.load_model(str(path))


def test_load_weights_from_a_keras_archive(tmp_path):
    path = str(tmp_path / "m.keras")
    source = _trained(mlp)
    source.save(path)
    target = mlp()
    target.load_weights(path)
    _assert_same([v.numpy() for v in source.weights], [v.numpy() for v in target.weights])


# ---- checkpoints of Keras objects --------------------------------------------------------------------------

def _manual_steps(model, optimizer, n):
    for _ in range(n):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(X, training=True) - Y) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))


def _lazy_model():
    return tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.BatchNormalization(),
                                tf.keras.layers.Dense(2)])


def test_checkpoint_resume_is_exact_with_deferred_restores(tmp_path):
    model, opt = _lazy_model(), tf.keras.optimizers.Adam(0.01)
    _manual_steps(model, opt, 3)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(model=model, optimizer=opt), str(tmp_path), 2)
    manager.save()
    _manual_steps(model, opt, 2)
    # a new program: model and optimizer not built yet when the checkpoint is restored
    model2, opt2 = _lazy_model(), tf.keras.optimizers.Adam(0.01)
    ckpt2 = tf.train.Checkpoint(model=model2, optimizer=opt2)
    status = ckpt2.restore(tf.train.latest_checkpoint(str(tmp_path)))
    with pytest.raises(AssertionError, match="Unresolved object in checkpoint"):
        status.assert_consumed()
    _manual_steps(model2, opt2, 2)          # building the layers and the slots receives the saved values
    status.assert_consumed()
    _assert_same([v.numpy() for v in model.weights + opt.variables],
                 [v.numpy() for v in model2.weights + opt2.variables])
    assert int(opt2.iterations) == 5


def test_checkpoint_resume_with_fit(tmp_path):
    model = _trained(mlp, epochs=1)
    path = tf.train.Checkpoint(model=model, optimizer=model.optimizer).save(str(tmp_path / "ckpt"))
    model.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    fresh = mlp()
    fresh.compile(tf.keras.optimizers.Adam(0.01), "mse")
    tf.train.Checkpoint(model=fresh, optimizer=fresh.optimizer).restore(path)
    fresh.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    _assert_same(_values(model), _values(fresh))


def test_layer_config_with_lambda_activation_needs_safe_mode_off():
    """A config is data: from_config must not run stored bytecode unless asked to."""
    layer = tf.keras.layers.Dense(2, activation=lambda x: x * 2.0)
    config = layer.get_config()
    with pytest.raises(ValueError, match="safe_mode"):
        tf.keras.layers.Dense.from_config(config)
    assert tf.keras.activations.deserialize(config["activation"], safe_mode=False)(3.0) == 6.0
