"""`tf.keras.preprocessing`: Keras's legacy preprocessing namespace (only `sequence.pad_sequences` here).

>>> import eagerflow as tf
>>> tf.keras.preprocessing.sequence.pad_sequences([[1, 2], [3]]).tolist()
[[1, 2], [0, 3]]
"""
from . import sequence  # noqa: F401
