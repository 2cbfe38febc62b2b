"""`tf.saved_model`: export an object's variables and traced functions; load them without its source.

>>> import eagerflow as tf
>>> callable(tf.saved_model.save), callable(tf.saved_model.load)
(True, True)
"""
from .load import LoadOptions, load  # noqa: F401
from .save import SaveOptions, save  # noqa: F401

SERVING = "serve"
TRAINING = "train"
DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"
