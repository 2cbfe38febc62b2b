"""tf.TensorShape and Dimension, pinned against TensorFlow 2.21's behaviour."""
import numpy as np
import pytest

import eagerflow as tf
from eagerflow.shapes import Dimension

S = tf.TensorShape


@pytest.mark.parametrize("dims,text,rep", [
    ([None, 3], "(None, 3)", "TensorShape([None, 3])"), (None, "<unknown>", "TensorShape(None)"),
    ([], "()", "TensorShape([])"), ([5], "(5,)", "TensorShape([5])"), ([None], "(None,)", "TensorShape([None])"),
    ([1, 2, 3], "(1, 2, 3)", "TensorShape([1, 2, 3])"), (3, "(3,)", "TensorShape([3])")])
def test_str_repr(dims, text, rep):
    s = S(dims)
    assert str(s) == text and repr(s) == rep


def test_queries():
    s = S([None, 3])
    assert s.rank == 2 and s.ndims == 2 and len(s) == 2
    assert s.as_list() == [None, 3] and list(s) == [None, 3]
    assert s[0] is None and s[1] == 3 and s[-1] == 3 and isinstance(s[1], int)
    assert s[0:1] == S([None]) and isinstance(s[0:1], tf.TensorShape)
    assert not s.is_fully_defined() and s.num_elements() is None
    assert S([2, 3]).is_fully_defined() and S([2, 3]).num_elements() == 6
    assert S([]).num_elements() == 1 and bool(S([])) and not bool(S(None))


def test_unknown_rank():
    s = S(None)
    assert s.rank is None and s.dims is None and s[0] is None
    with pytest.raises(ValueError, match=r"as_list\(\) is not defined on an unknown TensorShape."):
        s.as_list()
    with pytest.raises(ValueError, match="Cannot take the length of shape with unknown rank."):
        len(s)
    assert s.with_rank(2) == S([None, None])


def test_dims_are_dimensions():
    d = S([2, None]).dims
    assert [repr(x) for x in d] == ["Dimension(2)", "Dimension(None)"]
    assert repr(d[0]) == "Dimension(2)" and str(d[0]) == "2" and str(d[1]) == "?"
    assert d[0] == 2 and d[0].value == 2 and int(d[0]) == 2 and d[1].value is None
    assert (d[1] == 2) is None  # unknown dims compare as unknown, as TF
    assert (d[0] + 1).value == 3 and str(d[1] + 1) == "?" and (d[0] * 3).value == 6


def test_compatibility():
    s = S([None, 3])
    assert s.is_compatible_with([2, 3]) and s.is_compatible_with(S(None))
    assert not s.is_compatible_with([2, 4]) and not s.is_compatible_with([2, 3, 4])
    with pytest.raises(ValueError, match=r"Shapes \(None, 3\) and \[2, 4\] are incompatible"):
        s.assert_is_compatible_with([2, 4])
    assert s.merge_with([2, None]) == S([2, 3])
    with pytest.raises(ValueError, match=r"Shapes \(None, 3\) and \(2, 4\) are not compatible"):
        s.merge_with([2, 4])
    assert s.most_specific_compatible_shape([2, 3]) == S([None, 3])
    assert S([2, 3]).is_subtype_of(S([None, 3])) and not S([None, 3]).is_subtype_of(S([2, 3]))


def test_equality_and_hash():
    assert S([None, 3]) == S([None, 3]) and S([None, 3]) == [None, 3]
    assert S([2, 3]) == (2, 3) and S([2, 3]) != S([2, 4])
    assert S([None]) == S([None]) and S(None) == S(None)
    assert not (S([None, 3]) == S(None)) and not (S([2]) == "x")
    assert hash(S([2, 3])) == hash(S([2, 3]))


def test_concatenate_and_rank_checks():
    assert S([1]) + S([2]) == S([1, 2]) and S([1]).concatenate([2, None]) == S([1, 2, None])
    assert S([1]).concatenate(S(None)) == S(None)
    with pytest.raises(ValueError, match=r"Shape \(None, 3\) must have rank 3"):
        S([None, 3]).with_rank(3)
    with pytest.raises(ValueError, match=r"Shape \(2, 3\) must have rank at least 3"):
        S([2, 3]).with_rank_at_least(3)


def test_construction_from_arrays_and_tensors():
    assert S(np.array([2, 3])) == S([2, 3])
    assert S(tf.constant([2, 3])) == S([2, 3])
    assert S([np.int64(2), 3]) == S([2, 3])
    assert S([Dimension(4), Dimension(None)]) == S([4, None])


@pytest.mark.parametrize("bad,err,msg", [
    ([-1, 2], ValueError, "Dimension -1 must be >= 0"),
    (["a"], TypeError, "Dimension value must be integer or None or have an __index__ method"),
    ([2.5], TypeError, "Dimension value must be integer or None or have an __index__ method")])
def test_bad_dimensions(bad, err, msg):
    with pytest.raises(err, match=msg):
        S(bad)


def test_tensor_shapes():
    assert tf.constant([[1, 2]]).shape == S([1, 2])
    assert tf.constant(1).shape == S([]) and tf.constant(1).shape.rank == 0
    assert tf.constant([[1, 2]]).get_shape().as_list() == [1, 2]
