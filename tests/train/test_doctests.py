"""The runnable examples in the docstrings of the persistence modules (checkpoints, SavedModel,
Keras files, the archive format) hold."""
import doctest
import importlib

import pytest

MODULES = ["eagerflow.io_format", "eagerflow.train", "eagerflow.train.checkpoint", "eagerflow.train.manager",
           "eagerflow.train.state", "eagerflow.train.trackable", "eagerflow.saved_model", "eagerflow.saved_model.codec",
           "eagerflow.saved_model.save", "eagerflow.saved_model.load", "eagerflow.saved_model.restored",
           "eagerflow.keras.saving", "eagerflow.keras.saving_weights"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
