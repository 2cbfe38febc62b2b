"""`tf.data`: input pipelines (Dataset, its iterators and options), run eagerly on NumPy.

>>> import eagerflow as tf
>>> ds = tf.data.Dataset.range(6).shuffle(6, seed=0).batch(4, drop_remainder=True)
>>> [b.shape.as_list() for b in ds]
[[4]]
"""
from . import experimental  # noqa: F401
from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset, DatasetV2  # noqa: F401
from .iterator import OwnedIterator as Iterator  # noqa: F401
from .options import Options, ThreadingOptions  # noqa: F401
