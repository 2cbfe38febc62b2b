"""tf.keras.datasets: the bundled digits and iris, and MNIST-style loaders reading local files."""
import doctest
import os

import numpy as np
import pytest

import eagerflow as tf
from eagerflow.keras import datasets
from eagerflow.keras.datasets import _files

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
digits, iris, mnist, fashion_mnist = (tf.keras.datasets.digits, tf.keras.datasets.iris, tf.keras.datasets.mnist,
                                      tf.keras.datasets.fashion_mnist)


def joined(split):
    (x_train, y_train), (x_test, y_test) = split
    return np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])


# ---- digits ---------------------------------------------------------------------------------------------

def test_digits_layout_and_dtypes():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert x_train.dtype == x_test.dtype == y_train.dtype == y_test.dtype == np.uint8
    x, y = joined(((x_train, y_train), (x_test, y_test)))
    assert x.min() == 0 and x.max() == 16
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_digits_unshuffled_is_the_source_file():
    (x, y), (x_test, y_test) = digits.load_data(test_split=0.0, seed=None)
    assert x.shape == (1797, 8, 8) and x_test.shape == (0, 8, 8) and y_test.shape == (0,)
    assert y[:12].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert x[0, 0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]      # first row of the first image, a zero
    assert int(x.sum(dtype=np.int64)) == 561718


def test_digits_split_is_a_seeded_permutation():
    full_x, full_y = joined(digits.load_data(test_split=0.0, seed=None))
    a = digits.load_data(test_split=0.25, seed=7)
    b = digits.load_data(test_split=0.25, seed=7)
    c = digits.load_data(test_split=0.25, seed=8)
    for left, right in zip(joined(a), joined(b)):
        np.testing.assert_array_equal(left, right)
    assert not np.array_equal(a[0][1], c[0][1])
    assert len(a[0][0]) == int(1797 * 0.75) and len(a[1][0]) == 1797 - int(1797 * 0.75)
    x, y = joined(a)
    order = np.lexsort(np.c_[x.reshape(len(x), -1), y].T)
    full_order = np.lexsort(np.c_[full_x.reshape(len(full_x), -1), full_y].T)
    np.testing.assert_array_equal(x[order], full_x[full_order])   # nothing lost or duplicated
    np.testing.assert_array_equal(y[order], full_y[full_order])


def test_digits_returns_fresh_arrays():
    (x, _), _ = digits.load_data()
    x[...] = 255
    (again, _), _ = digits.load_data()
    assert again.max() == 16


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(test_split=1.0), ValueError, "digits.load_data: test_split must be in [0, 1), got 1.0"),
    (dict(test_split=-0.1), ValueError, "digits.load_data: test_split must be in [0, 1), got -0.1"),
    (dict(test_split="0.2"), TypeError, "digits.load_data: test_split must be a float in [0, 1), got '0.2'"),
    (dict(seed=1.5), TypeError, "digits.load_data: seed must be an int or None, got 1.5"),
])
def test_digits_bad_arguments(kwargs, error, message):
    with pytest.raises(error) as info:
        digits.load_data(**kwargs)
    assert str(info.value) == message


def test_digits_trains_a_linear_classifier():
    (x_train, y_train), (x_test, y_test) = digits.load_data(seed=0)
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((8, 8)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(10)])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05), metrics=["accuracy"],
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x_train / 16.0, y_train, epochs=5, batch_size=64, verbose=0)
    assert model.evaluate(x_test / 16.0, y_test, verbose=0)[1] > 0.9


# ---- iris -----------------------------------------------------------------------------------------------

def test_iris_layout_and_values():
    (x_train, y_train), (x_test, y_test) = iris.load_data()
    assert x_train.shape == (120, 4) and x_test.shape == (30, 4) and y_train.shape == (120,)
    assert x_train.dtype == np.float32 and y_train.dtype == np.uint8
    (x, y), _ = iris.load_data(test_split=0.0, seed=None)
    assert np.bincount(y).tolist() == [50, 50, 50] and (y[:50] == 0).all() and (y[100:] == 2).all()
    np.testing.assert_allclose(x[0], [5.1, 3.5, 1.4, 0.2], rtol=1e-6)
    np.testing.assert_allclose(x.mean(axis=0), [5.843, 3.057, 3.758, 1.199], atol=5e-4)
    np.testing.assert_allclose(x.min(axis=0), [4.3, 2.0, 1.0, 0.1], rtol=1e-6)
    np.testing.assert_allclose(x.max(axis=0), [7.9, 4.4, 6.9, 2.5], rtol=1e-6)
    # Fisher's values for the two rows the UCI file got wrong (35 and 38, counting from 1)
    np.testing.assert_allclose(x[34], [4.9, 3.1, 1.5, 0.2], rtol=1e-6)
    np.testing.assert_allclose(x[37], [4.9, 3.6, 1.4, 0.1], rtol=1e-6)
    assert iris.CLASS_NAMES == ("setosa", "versicolor", "virginica") and len(iris.FEATURE_NAMES) == 4


def test_iris_split_and_errors():
    (a, ya), (at, yat) = iris.load_data(test_split=0.5, seed=1)
    (b, yb), _ = iris.load_data(test_split=0.5, seed=1)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    assert len(a) == len(at) == 75
    with pytest.raises(ValueError, match=r"iris\.load_data: test_split must be in \[0, 1\), got 2"):
        iris.load_data(test_split=2)


# ---- the shipped files ----------------------------------------------------------------------------------

def test_bundled_files_small_plain_and_documented():
    files = sorted(f for f in os.listdir(_files.DATA_DIR) if f.endswith(".npz"))
    assert files == ["digits.npz", "iris.npz"]
    assert sum(os.path.getsize(os.path.join(_files.DATA_DIR, f)) for f in files) < 200_000
    for name in files:
        with np.load(os.path.join(_files.DATA_DIR, name), allow_pickle=False) as archive:
            assert all(archive[k].dtype != object for k in archive.files)
    with open(os.path.join(_files.DATA_DIR, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    assert "CC BY 4.0" in readme and "Alpaydin" in readme and "Fisher" in readme and "scikit-learn" in readme
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        assert '"eagerflow.keras.datasets" = ["data/*.npz"' in f.read()


# ---- mnist and fashion_mnist from local files -----------------------------------------------------------

def write_split(path, n_train=6, n_test=4, **extra):
    rng = np.random.RandomState(0)
    arrays = dict(x_train=rng.randint(0, 256, (n_train, 28, 28)).astype(np.uint8),
                  y_train=rng.randint(0, 10, n_train).astype(np.uint8),
                  x_test=rng.randint(0, 256, (n_test, 28, 28)).astype(np.uint8),
                  y_test=rng.randint(0, 10, n_test).astype(np.uint8))
    arrays.update(extra)
    np.savez_compressed(path, **arrays)
    return arrays


@pytest.mark.parametrize("module, name", [(mnist, "mnist"), (fashion_mnist, "fashion_mnist")])
def test_local_loaders_read_the_keras_folder(module, name, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    os.makedirs(tmp_path / "datasets")
    arrays = write_split(tmp_path / "datasets" / f"{name}.npz")
    (x_train, y_train), (x_test, y_test) = module.load_data()
    for got, key in zip((x_train, y_train, x_test, y_test), _files.SPLIT_KEYS):
        np.testing.assert_array_equal(got, arrays[key])
        assert got.dtype == np.uint8


@pytest.mark.parametrize("module, name", [(mnist, "mnist"), (fashion_mnist, "fashion_mnist")])
def test_local_loaders_missing_file_says_where_to_put_it(module, name, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as info:
        module.load_data()
    message = str(info.value)
    expected = os.path.join(str(tmp_path), "datasets", f"{name}.npz")
    assert message.startswith(f"{name}.load_data: no dataset file at {expected}. eagerflow never downloads")
    assert "x_train, y_train, x_test, y_test" in message and "load_data(path=...)" in message


def test_default_folder_is_home_keras(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert _files.keras_datasets_dir() == os.path.join(str(tmp_path), ".keras", "datasets")
    with pytest.raises(FileNotFoundError, match=r"\.keras/datasets/mnist\.npz"):
        mnist.load_data()


def test_explicit_and_relative_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "elsewhere"))
    arrays = write_split(tmp_path / "digits28.npz", n_train=3)
    (x_train, _), _ = mnist.load_data(path=str(tmp_path / "digits28.npz"))
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    monkeypatch.chdir(tmp_path)
    (x_train, _), _ = fashion_mnist.load_data(path="digits28.npz")   # exists relative to the cwd
    assert x_train.shape == (3, 28, 28)


def test_bad_files(tmp_path):
    np.savez(tmp_path / "partial.npz", x_train=np.zeros((2, 28, 28), np.uint8), y_train=np.zeros(2, np.uint8))
    with pytest.raises(ValueError, match=r"mnist\.load_data: .*partial\.npz holds the arrays \['x_train', "
                                         r"'y_train'\], but x_test, y_test are missing"):
        mnist.load_data(path=str(tmp_path / "partial.npz"))
    write_split(tmp_path / "objects.npz", y_test=np.array([1, "a"], dtype=object))
    with pytest.raises(ValueError, match=r"objects\.npz holds object \(pickled\) arrays, which are not loaded"):
        mnist.load_data(path=str(tmp_path / "objects.npz"))
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(ValueError, match=r"fashion_mnist\.load_data: .*text\.npz is not a readable \.npz file"):
        fashion_mnist.load_data(path=str(tmp_path / "text.npz"))
    np.save(tmp_path / "single.npy", np.zeros(3))
    with pytest.raises(ValueError, match=r"single\.npy holds a single array, not an \.npz archive"):
        mnist.load_data(path=str(tmp_path / "single.npy"))


def test_namespace_and_docstrings():
    assert tf.keras.datasets is datasets
    for module in (datasets, digits, iris, mnist, fashion_mnist):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and (module is datasets or result.attempted > 0), module.__name__
