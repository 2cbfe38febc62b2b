"""tf.nest against TensorFlow 2.21's behaviour: dicts by sorted key, namedtuples, None as a leaf."""
import collections

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf

P = collections.namedtuple("P", ["x", "y"])
OD = collections.OrderedDict


@pytest.mark.parametrize("structure,flat", [
    ({"b": 1, "a": [2, 3]}, [2, 3, 1]), (None, [None]), ([None, (1, None)], [None, 1, None]),
    (P(1, [2, 3]), [1, 2, 3]), (OD([("b", 1), ("a", 2)]), [2, 1]), ("abc", ["abc"]), ([], []), ({}, []),
    ({"b": {"d": 1, "c": 2}, "a": 3}, [3, 2, 1]), ({1: "a", 0: "b"}, ["b", "a"]), ((1,), [1]),
    (range(3), [0, 1, 2]), (collections.deque([1, 2]), [1, 2]), ({"b": 1, "a": 2}.values(), [1, 2]),
], ids=repr)
def test_flatten(structure, flat):
    assert tf.nest.flatten(structure) == flat


def test_leaves_are_not_descended():
    a = np.array([1, 2])
    assert tf.nest.flatten(a)[0] is a
    t = tf.constant([1, 2])
    assert tf.nest.flatten([t])[0] is t
    assert tf.nest.flatten({1}) == [{1}]
    v = tf.Variable([1.0, 2.0])
    assert tf.nest.flatten((v,))[0] is v


@pytest.mark.parametrize("value,nested", [
    ([1], True), ((), True), ({"a": 1}, True), (P(1, 2), True), ("a", False), (b"a", False), (None, False),
    (np.array([1]), False), (1.5, False), ({1}, False)], ids=repr)
def test_is_nested(value, nested):
    assert tf.nest.is_nested(value) is nested


def test_is_nested_tensor_is_a_leaf():
    assert not tf.nest.is_nested(tf.constant([1, 2]))
    assert not tf.nest.is_nested(tf.TensorShape([1, 2]))


def test_pack_sequence_as():
    assert tf.nest.pack_sequence_as({"b": 0, "a": [0, 0]}, [1, 2, 3]) == {"b": 3, "a": [1, 2]}
    assert list(tf.nest.pack_sequence_as({"b": 0, "a": [0, 0]}, [1, 2, 3])) == ["b", "a"]  # key order kept
    assert tf.nest.pack_sequence_as(P(0, [0, 0]), [1, 2, 3]) == P(1, [2, 3])
    packed = tf.nest.pack_sequence_as(OD([("b", 0), ("a", 0)]), [1, 2])
    assert type(packed) is OD and list(packed.items()) == [("b", 2), ("a", 1)]
    assert tf.nest.pack_sequence_as(None, [5]) == 5 and tf.nest.pack_sequence_as(1, [5]) == 5
    assert tf.nest.pack_sequence_as((0,), [5]) == (5,) and tf.nest.pack_sequence_as([], []) == []
    assert tf.nest.pack_sequence_as(range(2), [5, 6]) == [5, 6]
    assert tf.nest.pack_sequence_as(collections.deque([1, 2]), [5, 6]) == collections.deque([5, 6])


def test_pack_sequence_as_errors():
    with pytest.raises(ValueError, match=r"Could not pack sequence. Structure had 2 atoms, but flat_sequence had 1 "
                                         r"items.  Structure: \[0, 0\], flat_sequence: \[1\]."):
        tf.nest.pack_sequence_as([0, 0], [1])
    with pytest.raises(ValueError, match="Structure had 2 atoms, but flat_sequence had 3 items"):
        tf.nest.pack_sequence_as([0, [0]], [1, 2, 3])
    with pytest.raises(TypeError, match=r"Attempted to pack value:\n  5\ninto a structure, but found incompatible "
                                        r"type `<class 'int'>` instead."):
        tf.nest.pack_sequence_as({"a": 0}, 5)


def test_map_structure():
    assert tf.nest.map_structure(lambda x: x * 2, {"b": 1, "a": (2, 3)}) == {"b": 2, "a": (4, 6)}
    assert tf.nest.map_structure(lambda x, y: x + y, [1, (2, 3)], [10, (20, 30)]) == [11, (22, 33)]
    assert tf.nest.map_structure(lambda x, y: x + y, [1, 2], (1, 2), check_types=False) == [2, 4]
    assert tf.nest.map_structure(lambda x: x, None) is None
    assert tf.nest.map_structure(lambda x: 0 if x is None else x + 1, [None, 1]) == [0, 2]
    assert tf.nest.map_structure(lambda x: x, P(1, 2)) == P(1, 2)
    assert tf.nest.map_structure(lambda x, y: x, {"a": 1}, OD(a=2)) == {"a": 1}  # all mappings match
    assert tf.nest.map_structure(lambda *a: sum(a), [1], [2], [3]) == [6]
    with pytest.raises(ValueError, match="Must provide at least one structure"):
        tf.nest.map_structure(lambda x: x)


def test_map_structure_over_tensors():
    out = tf.nest.map_structure(lambda t: t * 2, {"w": tf.constant([1.0, 2.0]), "b": (tf.constant(3),)})
    assert out["w"].numpy().tolist() == [2.0, 4.0] and out["b"][0].numpy() == 6


def test_assert_same_structure():
    tf.nest.assert_same_structure([1, (2, 3)], [4, (5, 6)])
    tf.nest.assert_same_structure(P(1, 2), (1, 2), check_types=False)
    with pytest.raises(ValueError, match=r"(?s)The two structures don't have the same nested structure.\n\n"
                                         r"First structure: type=list str=\[1, 2\]\n\nSecond structure: type=list "
                                         r"str=\[1, \(2, 3\)\]\n\nMore specifically: Substructure \"type=tuple "
                                         r"str=\(2, 3\)\" is a sequence, while substructure \"type=int str=2\" is not"
                                         r"\nEntire first structure:\n\[\., \.\]\nEntire second structure:\n"
                                         r"\[\., \(\., \.\)\]"):
        tf.nest.assert_same_structure([1, 2], [1, (2, 3)])
    with pytest.raises(TypeError, match="don't have the same sequence type"):
        tf.nest.assert_same_structure([1, 2], (1, 2))
    with pytest.raises(TypeError, match="don't have the same sequence type"):
        tf.nest.assert_same_structure(P(1, 2), (1, 2))
    with pytest.raises(ValueError, match="The two dictionaries don't have the same set of keys"):
        tf.nest.assert_same_structure({"a": 1}, {"b": 1})
    with pytest.raises(ValueError, match="don't have the same number of elements"):
        tf.nest.map_structure(lambda x, y: x, [1, 2], [1, 2, 3])


_leaf = st.one_of(st.integers(), st.none(), st.text(max_size=3))
_structures = st.recursive(
    _leaf, lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner, inner),
                                   st.dictionaries(st.text(max_size=2), inner, max_size=3)), max_leaves=10)


@settings(max_examples=100, deadline=None)
@given(_structures)
def test_flatten_pack_round_trip(s):
    flat = tf.nest.flatten(s)
    assert tf.nest.pack_sequence_as(s, flat) == s
    assert tf.nest.map_structure(lambda x: x, s) == s
    tf.nest.assert_same_structure(s, tf.nest.map_structure(lambda x: 0, s))
