"""`tf.data.experimental`: cardinality helpers and transformation functions for `Dataset.apply`.

>>> import eagerflow as tf
>>> ds = tf.data.Dataset.range(10).filter(lambda x: x < 5)
>>> int(tf.data.experimental.cardinality(ds)) == tf.data.experimental.UNKNOWN_CARDINALITY
True
>>> int(ds.apply(tf.data.experimental.assert_cardinality(5)).cardinality())
5
"""
from __future__ import annotations

from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset, _count
from .iterator import Optional
from .options import AutoShardPolicy, ExternalStatePolicy
from .transforms import AssertCardinalityNode

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "AutoShardPolicy", "ExternalStatePolicy",
           "Optional", "cardinality", "assert_cardinality", "get_single_element", "enumerate_dataset"]


def cardinality(dataset: Dataset):
    """`dataset.cardinality()`: an int64 scalar tensor, -1 for infinite, -2 for unknown."""
    return dataset.cardinality()


def assert_cardinality(expected_cardinality):
    """A transformation declaring the cardinality; iteration raises FailedPreconditionError if it is wrong."""
    n = _count(expected_cardinality, "expected_cardinality")

    def apply(dataset: Dataset) -> Dataset:
        return dataset._then(AssertCardinalityNode(dataset._node, n))
    return apply


def get_single_element(dataset: Dataset):
    """The only element of `dataset`."""
    return dataset.get_single_element()


def enumerate_dataset(start=0):
    """A transformation pairing elements with their int64 index."""
    return lambda dataset: dataset.enumerate(start)
