"""`tensor[key]`: TF's strided-slice semantics, compared with NumPy basic indexing."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eagerflow as tf
from eagerflow.ops import indexing as I
from helpers import check_grad, check_op

IAE = tf.errors.InvalidArgumentError
BAD_INDEX = r"Only integers, slices \(`:`\), ellipsis \(`...`\), tf.newaxis \(`None`\) and scalar tf.int32/tf.int64 " \
            r"tensors are valid indices, got "


def arange(shape, dtype=np.float32):
    return np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)


# ---- random index expressions vs NumPy --------------------------------------------------------------------------

bounds = st.one_of(st.none(), st.integers(-7, 7))
steps = st.sampled_from([None, 1, 2, 3, -1, -2, -3])


@st.composite
def shape_and_key(draw):
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=0, max_size=4)))
    n_consumed = draw(st.integers(0, len(shape)))
    items = []
    for d in shape[:n_consumed]:
        if d > 0 and draw(st.booleans()):
            items.append(draw(st.integers(-d, d - 1)))                # an int: shrinks the dim
        else:
            items.append(slice(draw(bounds), draw(bounds), draw(steps)))
    if draw(st.booleans()):                                           # an ellipsis somewhere
        pos = draw(st.integers(0, len(items)))
        items.insert(pos, Ellipsis)
        # entries after the ellipsis index the trailing dims: re-draw them for those dims
        tail = len(items) - pos - 1
        dims = shape[len(shape) - tail:] if tail else ()
        for j, d in enumerate(dims):
            k = pos + 1 + j
            if isinstance(items[k], int) and not -d <= items[k] < d:
                items[k] = slice(None)
    for _ in range(draw(st.integers(0, 2))):                          # tf.newaxis anywhere
        items.insert(draw(st.integers(0, len(items))), None)
    return shape, tuple(items)


def _key_fits(shape, key):
    """NumPy and TF agree when each int index is within its dim; check by asking NumPy."""
    try:
        np.empty(shape)[key]
        return True
    except IndexError:
        return False


@settings(max_examples=300, deadline=None)
@given(shape_and_key())
def test_getitem_matches_numpy(case):
    shape, key = case
    x = arange(shape)
    if not _key_fits(shape, key):
        with pytest.raises(IAE, match=r"out of bounds|Index out of range"):
            tf.constant(x)[key]
        return
    out = tf.constant(x)[key]
    expected = x[key]
    assert out.shape == expected.shape
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(out.numpy(), expected)


@settings(max_examples=60, deadline=None)
@given(shape_and_key())
def test_getitem_static_shape_rule_matches(case):
    shape, key = case
    if not _key_fits(shape, key):
        return
    x = tf.constant(arange(shape))
    out = x[key]
    # the same spec through the shape rule: exact with known dims, compatible with unknown ones
    prim_spec = _spec_of(key)
    static = I.strided_slice_p.shape_rule((None,) * len(shape), **prim_spec)
    assert static is not None and tf.TensorShape(static).is_compatible_with(out.shape)
    assert I.strided_slice_p.shape_rule(shape, **prim_spec) == tuple(out.shape.as_list())


def _spec_of(key):
    begin, end, strides, masks = [], [], [], dict.fromkeys(
        ["begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"], 0)
    for i, k in enumerate(key):
        if isinstance(k, slice):
            masks["begin_mask"] |= (k.start is None) << i
            masks["end_mask"] |= (k.stop is None) << i
            begin.append(k.start or 0)
            end.append(k.stop or 0)
            strides.append(k.step or 1)
            continue
        if k is Ellipsis:
            masks["ellipsis_mask"] |= 1 << i
        elif k is None:
            masks["new_axis_mask"] |= 1 << i
        else:
            masks["shrink_axis_mask"] |= 1 << i
            begin.append(k)
            end.append(k + 1)
            strides.append(1)
            continue
        begin.append(0)
        end.append(0)
        strides.append(1)
    return dict(begin=tuple(begin), end=tuple(end), strides=tuple(strides), **masks)


# ---- index kinds -------------------------------------------------------------------------------------------------

def test_scalar_tensor_indices():
    x = tf.constant(arange((2, 3, 4)))
    np.testing.assert_array_equal(x[tf.constant(1)].numpy(), arange((2, 3, 4))[1])
    np.testing.assert_array_equal(x[tf.constant(1, tf.int64), tf.constant(-1, tf.int16)].numpy(),
                                  arange((2, 3, 4))[1, -1])
    np.testing.assert_array_equal(x[tf.constant(1):tf.constant(2, tf.int64)].numpy(), arange((2, 3, 4))[1:2])
    np.testing.assert_array_equal(x[np.int32(1):np.int64(2), np.array(0)].numpy(), arange((2, 3, 4))[1:2, 0])
    np.testing.assert_array_equal(x[0][tf.constant(1)][-1].numpy(), 7)
    v = tf.Variable(1)
    np.testing.assert_array_equal(x[v].numpy(), arange((2, 3, 4))[1])


def test_top_level_list_is_a_tuple_and_bools_are_ints():
    x = tf.constant(arange((2, 3, 4)))
    np.testing.assert_array_equal(x[[0, 1]].numpy(), arange((2, 3, 4))[0, 1])   # TF: not fancy indexing
    np.testing.assert_array_equal(x[[]].numpy(), arange((2, 3, 4)))
    np.testing.assert_array_equal(x[()].numpy(), arange((2, 3, 4)))
    np.testing.assert_array_equal(x[0, True].numpy(), arange((2, 3, 4))[0, 1])
    with pytest.raises(IAE, match="attr 'Index' of bool"):
        x[[True, False]]


@pytest.mark.parametrize("key,shown", [
    ([[0, 1]], r"\[0, 1\]"),
    ((0, [1]), r"\[1\]"),
    (tf.constant([0, 1]), r"<tf.Tensor: shape=\(2,\), dtype=int32"),
    (np.array([0, 1]), r"array\(\[0, 1\]\)"),
    (1.0, r"1.0"),
    ("a", r"'a'"),
    (tf.constant(1.0), r"<tf.Tensor: shape=\(\), dtype=float32"),
    (tf.constant(2, tf.uint8), r"<tf.Tensor: shape=\(\), dtype=uint8"),
    (slice(1.5, 2), r"1.5"),
])
def test_invalid_index_types(key, shown):
    x = tf.constant(arange((2, 3, 4)))
    with pytest.raises(TypeError, match=BAD_INDEX + shown):
        x[key]


def test_bool_keys_are_boolean_masks():
    x = tf.constant(arange((2, 3)))
    np.testing.assert_array_equal(x[tf.constant([True, False])].numpy(), arange((2, 3))[:1])
    np.testing.assert_array_equal(x[np.array([False, True])].numpy(), arange((2, 3))[1:])
    np.testing.assert_array_equal(x[x > 2].numpy(), [3, 4, 5])
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        x[True]


def test_getitem_errors():
    x = tf.constant(arange((2, 3, 4)))
    with pytest.raises(IAE, match=r"^slice index 5 of dimension 0 out of bounds. \[Op:StridedSlice\]$"):
        tf.constant(arange((5,)))[5]
    with pytest.raises(IAE, match=r"slice index 5 of dimension 1 out of bounds. \[Op:StridedSlice\]"):
        x[:, 5]
    with pytest.raises(IAE, match=r"slice index -1 of dimension 0 out of bounds."):
        x[-3]
    with pytest.raises(IAE, match=r"Multiple ellipses in slice spec not allowed \[Op:StridedSlice\]"):
        x[..., ...]
    with pytest.raises(IAE, match=r"Index out of range using input dim 3; input has only 3 dims"):
        x[0, 0, 0, 0]
    with pytest.raises(IAE, match=r"strides\[0\] must be non-zero \[Op:StridedSlice\]"):
        x[1:2:0]
    with pytest.raises(IAE, match=r"Attempting to slice scalar input. \[Op:StridedSlice\]"):
        tf.constant(3)[0]


def test_scalar_input():
    s = tf.constant(3)
    assert s[...].numpy() == 3 and s[...].shape == ()
    assert s[None].shape == (1,)
    assert s[None, ..., None].shape == (1, 1)


def test_other_dtypes():
    assert tf.constant(["a", "b", "c"])[::-1].numpy().tolist() == [b"c", b"b", b"a"]
    assert tf.constant([True, False])[1].numpy() is np.False_
    assert tf.constant([1, 2], tf.int64)[0].dtype == tf.int64


# ---- gradients -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", [
    (1,),
    (slice(None, None, -1), 0),
    (Ellipsis, slice(1, None, 2)),
    (slice(-1, 0, -2), None, slice(None)),
    (0, 1, 2),
    (slice(5, 1),),
])
def test_getitem_gradient(key):
    x = np.random.RandomState(0).randn(3, 4, 3)
    check_op(lambda t: t[key], x.astype(np.float32), ref=lambda t: t[key])
    check_grad(lambda t: t[key], x)


def test_getitem_second_order():
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.square(x[:, ::2]))
        g = inner.gradient(y, x)
        z = tf.reduce_sum(tf.square(g))
    np.testing.assert_array_equal(g.numpy(), [[0, 0, 4], [6, 0, 10]])
    np.testing.assert_array_equal(outer.gradient(z, x).numpy(), [[0, 0, 16], [24, 0, 40]])


def test_getitem_of_unwatched_index_tensor_keeps_gradient_flow():
    x = tf.constant([1.0, 2.0, 3.0])
    i = tf.constant(2)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x[i] * 2.0
    assert tape.gradient(y, x).numpy().tolist() == [0.0, 0.0, 2.0]


def _symbolic_key(key):
    """The key with every int (also slice bounds) replaced by a placeholder position."""
    ints = []

    def swap(v):
        if isinstance(v, int):
            ints.append(v)
            return len(ints) - 1
        return v
    out = []
    for k in key:
        if isinstance(k, slice):
            out.append(("slice", swap(k.start), swap(k.stop), swap(k.step)))
        elif isinstance(k, int):
            out.append(("int", swap(k)))
        else:
            out.append(k)
    return out, ints


@settings(max_examples=40, deadline=None)
@given(shape_and_key())
def test_getitem_in_graph_with_symbolic_indices(case):
    shape, key = case
    if not _key_fits(shape, key):
        return
    template, ints = _symbolic_key(key)

    def build(x, *vals):
        def pick(p):
            return None if p is None else vals[p]
        k = tuple(slice(pick(t[1]), pick(t[2]), pick(t[3])) if isinstance(t, tuple) and t[0] == "slice" else
                  vals[t[1]] if isinstance(t, tuple) else t for t in template)
        return x[k]
    sig = [tf.TensorSpec([None] * len(shape), tf.float32)] + [tf.TensorSpec([], tf.int32)] * len(ints)
    f = tf.function(build, input_signature=sig)
    x = arange(shape)
    out = f(tf.constant(x), *[tf.constant(v) for v in ints])
    np.testing.assert_array_equal(out.numpy(), x[key])
    static = f.get_concrete_function().structured_outputs.shape
    assert static.is_compatible_with(x[key].shape)
