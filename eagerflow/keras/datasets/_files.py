"""Reading dataset arrays from `.npz` files: the bundled ones and the user's own, never the network."""
from __future__ import annotations

import os
import zipfile

import numpy as np

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
SPLIT_KEYS = ("x_train", "y_train", "x_test", "y_test")


def keras_datasets_dir() -> str:
    """Where Keras keeps downloaded datasets: `$KERAS_HOME/datasets`, by default `~/.keras/datasets`."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets")


def read_npz(path: str, keys: tuple, what: str) -> dict:
    """Reads the arrays `keys` from the `.npz` file at `path` without unpickling anything."""
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(f"{what}: {path} is not a readable .npz file") from err
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{what}: {path} holds a single array, not an .npz archive of named arrays")
    with archive:
        missing = [k for k in keys if k not in archive.files]
        if missing:
            raise ValueError(f"{what}: {path} holds the arrays {sorted(archive.files)}, but "
                             f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing; "
                             f"expected {', '.join(keys)}")
        try:
            return {k: archive[k] for k in keys}
        except ValueError as err:  # an object array: loading it would need pickle
            raise ValueError(f"{what}: {path} holds object (pickled) arrays, which are not loaded "
                             f"for safety; save plain numeric arrays with np.savez_compressed") from err


def bundled(name: str, keys: tuple) -> dict:
    """Arrays of a dataset shipped inside the package (eagerflow/keras/datasets/data/<name>.npz)."""
    return read_npz(os.path.join(DATA_DIR, name + ".npz"), keys, f"{name}.load_data")


def shuffle_split(x: np.ndarray, y: np.ndarray, test_split: float, seed, what: str):
    """Shuffles rows with `seed` (None keeps file order) and keeps the last `test_split` part for test."""
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what}: test_split must be a float in [0, 1), got {test_split!r}")
    if not 0.0 <= float(test_split) < 1.0:
        raise ValueError(f"{what}: test_split must be in [0, 1), got {test_split}")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"{what}: seed must be an int or None, got {seed!r}")
        order = np.random.RandomState(int(seed) % 2**32).permutation(len(x))
        x, y = x[order], y[order]
    cut = int(len(x) * (1.0 - float(test_split)))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def local_split(name: str, path, how_to: str):
    """Loads a Keras-layout `.npz` (x_train, y_train, x_test, y_test) from `path` or the Keras folder.

    `path` is used as given when it names an existing file or is absolute; otherwise it is taken
    relative to `keras_datasets_dir()`, as Keras does.
    """
    what = f"{name}.load_data"
    expanded = os.path.expanduser(os.fspath(path))
    if not (os.path.isabs(expanded) or os.path.exists(expanded)):
        expanded = os.path.join(keras_datasets_dir(), expanded)
    if not os.path.isfile(expanded):
        raise FileNotFoundError(
            f"{what}: no dataset file at {expanded}. eagerflow never downloads: put {name}'s arrays "
            f"there as an .npz with the arrays x_train, y_train, x_test, y_test (Keras's layout), or "
            f"pass load_data(path=...) naming such a file. {how_to}")
    arrays = read_npz(expanded, SPLIT_KEYS, what)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
