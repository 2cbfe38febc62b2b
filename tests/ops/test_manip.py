"""transpose, reverse, concat/stack/unstack/split, tile, pad, meshgrid (eagerflow/ops/manip.py)."""
import numpy as np
import pytest

import eagerflow as tf
from eagerflow.ops import manip as M
from helpers import check_grad, check_op

F32, F64 = np.float32, np.float64
rng = np.random.RandomState(1)
IAE = tf.errors.InvalidArgumentError


def rand(*shape, dtype=F32):
    return np.asarray(rng.randn(*shape), dtype=dtype)


def raises(exc, match, fn, *args, **kwargs):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)


def second_order(fn, x):
    """d/dx of sum(w * d/dx sum(w * fn(x)^2)): exercises the gradient of the gradient op."""
    x = tf.constant(x)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.square(fn(x)))
        g = inner.gradient(y, x)
        z = tf.reduce_sum(g * g)
    return g, outer.gradient(z, x)


# ---- transpose and reverse --------------------------------------------------------------------------------

@pytest.mark.parametrize("perm", [None, [0, 2, 1], [2, 0, 1], [-1, 0, 1]])
def test_transpose(perm):
    np_perm = None if perm is None else [p % 3 for p in perm]
    check_op(lambda t: tf.transpose(t, perm), rand(2, 3, 4), ref=lambda t: np.transpose(t, np_perm))


def test_transpose_conjugate():
    c = np.array([[1 + 2j, 3j]], np.complex128)
    t = tf.transpose(tf.constant(c), conjugate=True)
    assert t.dtype == tf.complex128
    np.testing.assert_array_equal(t.numpy(), np.conj(c).T)
    assert tf.transpose(tf.constant([[1.0, 2.0]]), conjugate=True).shape == (2, 1)


def test_transpose_errors():
    x = tf.zeros([2, 3, 4])
    raises(IAE, r"transpose expects a vector of size 3. But input\(1\) is a vector of size 2 \[Op:Transpose\]",
           tf.transpose, x, [0, 2])
    raises(IAE, r"1 is missing from \{0,0\}. \[Op:Transpose\]", tf.transpose, tf.zeros([2, 3]), [0, 0])
    raises(IAE, r"2 is out of range \[0 .. 2\) \[Op:Transpose\]", tf.transpose, tf.zeros([2, 3]), [0, 2])
    assert M.transpose_p.shape_rule((None, 3), perm=(1, 0)) == (3, None)


@pytest.mark.parametrize("axis", [[1], [0, 2], [-1], []])
def test_reverse(axis):
    check_op(lambda t: tf.reverse(t, axis), rand(2, 3, 4),
             ref=lambda t: np.flip(t, tuple(a % 3 for a in axis)) if axis else t)


def test_reverse_strings_and_errors():
    assert tf.reverse(["a", "b"], [0]).numpy().tolist() == [b"b", b"a"]
    p = tf.zeros([3, 4])
    raises(IAE, r"'axis'\[0\] = 2 is out of valid range \[0, 1 \[Op:ReverseV2\]", tf.reverse, p, [2])
    raises(IAE, r"axis 1 specified more than once. \[Op:ReverseV2\]", tf.reverse, p, [1, -1])


# ---- concat, stack, unstack, split -----------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat(axis):
    a, b = rand(2, 3), rand(2, 3)
    check_op(lambda x, y: tf.concat([x, y], axis), a, b, ref=lambda x, y: np.concatenate([x, y], axis))


def test_concat_three_unequal_sizes_gradient():
    check_op(lambda x, y, z: tf.concat([x, y, z], 1), rand(2, 1), rand(2, 3), rand(2, 2),
             ref=lambda x, y, z: np.concatenate([x, y, z], 1))


def test_concat_conversions():
    assert tf.concat([tf.constant([1.0]), [2]], 0).numpy().tolist() == [1.0, 2.0]
    assert tf.concat([[1], [2, 3]], 0).dtype == tf.int32
    one = tf.concat([tf.zeros([2, 3])], 5)  # a single value is returned as is, axis unchecked (as TF)
    assert one.shape == (2, 3)
    assert tf.concat(tf.zeros([2, 3]), 0).shape == (2, 3)


def test_concat_errors():
    a = tf.zeros([2, 3])
    raises(IAE, r"ConcatOp : Dimension 1 in both shapes must be equal: shape\[0\] = \[2,3\] vs. shape\[1\] = "
                r"\[2,4\] \[Op:ConcatV2\]", tf.concat, [a, tf.zeros([2, 4])], 0)
    raises(IAE, r"ConcatOp : Ranks of all input tensors should match: shape\[0\] = \[2,3\] vs. shape\[1\] = \[2\]",
           tf.concat, [a, tf.zeros([2])], 0)
    raises(IAE, r"ConcatOp : Expected concatenating dimensions in the range \[-2, 2\), but got 2",
           tf.concat, [a, a], 2)
    raises(IAE, r"cannot compute ConcatV2 as input #1\(zero-based\) was expected to be a float tensor but is a "
                r"int32 tensor", tf.concat, [a, tf.zeros([2, 3], tf.int32)], 1)
    raises(IAE, r"Can't concatenate scalars \(use tf.stack instead\)", tf.concat, [1, 2], 0)
    raises(ValueError, "at least one", tf.concat, [], 0)


def test_concat_shape_rule_unknown_dims():
    rule = M.concat_p.shape_rule
    assert rule((None, 3), (2, 3), axis=0) == (None, 3)
    assert rule((2, None), (2, 3), axis=1) == (2, None)
    assert rule((None, None), (2, 3), axis=0) == (None, 3)
    assert rule(None, (2, 3), axis=0) == (None, 3)


def test_concat_gradient_with_unknown_sizes_uses_split_like():
    g = tf.constant(rand(2, 5))
    x, y = tf.zeros([2, 2]), tf.zeros([2, 3])
    parts = M.bind(M.split_like_p, g, x, y, axis=1)
    np.testing.assert_array_equal(parts[0].numpy(), g.numpy()[:, :2])
    np.testing.assert_array_equal(parts[1].numpy(), g.numpy()[:, 2:])
    assert M.split_like_p.shape_rule((2, 5), (None, 2), (None, 3), axis=1) == [(2, 2), (2, 3)]


@pytest.mark.parametrize("axis", [0, 1, -1, 2])
def test_stack(axis):
    check_op(lambda x, y: tf.stack([x, y], axis), rand(2, 3), rand(2, 3), ref=lambda x, y: np.stack([x, y], axis))


def test_stack_conversions_and_errors():
    t = tf.stack([1, 2.0])
    assert t.dtype == tf.float32 and t.numpy().tolist() == [1.0, 2.0]
    assert tf.stack([tf.constant(1.0), 2]).numpy().tolist() == [1.0, 2.0]
    raises(IAE, r"Shapes of all inputs must match: values\[0\].shape = \[2\] != values\[1\].shape = \[3\] "
                r"\[Op:Pack\]", tf.stack, [tf.zeros([2]), tf.zeros([3])])
    raises(ValueError, r"Argument `axis` = 3 not in range \[-2, 2\)", tf.stack, [tf.zeros([2])] * 2, axis=3)
    raises(IAE, "cannot compute Pack as input #1", tf.stack, [tf.constant(1), tf.constant(2.0)])
    assert M.pack_p.shape_rule((None, 3), (2, None), axis=1) == (2, 2, 3)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_unstack(axis):
    check_op(lambda x: tf.unstack(x, axis=axis), rand(2, 3, 4), ref=lambda x: list(np.moveaxis(x, axis, 0)))


def test_unstack_errors():
    raises(ValueError, r"Argument `axis` = 2 not in range \[-2, 2\)", tf.unstack, tf.zeros([2, 3]), axis=2)
    raises(IAE, r"Input shape axis 0 must equal 3, got shape \[2,3\] \[Op:Unpack\]", tf.unstack, tf.zeros([2, 3]),
           num=3)
    assert tf.unstack(tf.zeros([0, 2])) == []


@pytest.mark.parametrize("spec,axis", [(2, 0), (3, 1), ([1, -1, 2], 0), ([2, 1], -1), ([3, 0], 1)])
def test_split(spec, axis):
    x = rand(6, 3)
    if isinstance(spec, int):
        ref = lambda t: np.split(t, spec, axis=axis)  # noqa: E731
    else:
        sizes = list(spec)
        if -1 in sizes:
            sizes[sizes.index(-1)] = x.shape[axis] - (sum(sizes) + 1)
        ref = lambda t: np.split(t, np.cumsum(sizes)[:-1], axis=axis)  # noqa: E731
    check_op(lambda t: tf.split(t, spec, axis=axis), x, ref=ref)


def test_split_forms_and_errors():
    x = tf.zeros([6, 2])
    assert [t.shape for t in tf.split(x, tf.constant([2, 4]))] == [(2, 2), (4, 2)]
    assert len(tf.split(x, 2, axis=-1, num=2)) == 2
    raises(IAE, r"Number of ways to split should evenly divide the split dimension, but got split_dim 0 \(size = "
                r"6\) and num_split 4 \[Op:Split\]", tf.split, x, 4)
    raises(IAE, r"Determined shape must either match input shape along split_dim exactly if fully specified, or be "
                r"less than the size of the input along split_dim if not fully specified.  Got: 5 \[Op:SplitV\]",
           tf.split, x, [1, 2, 2])
    raises(IAE, r"There can only be one -1 in the input. \[Op:SplitV\]", tf.split, x, [1, -1, -1])
    raises(IAE, "Got: 7", tf.split, x, [7, -1])
    raises(IAE, "num_split' of 0 must be at least minimum 1", tf.split, x, 0)
    assert M.split_v_p.shape_rule((None, 2), sizes=(1, -1), axis=0) == [(1, 2), (None, 2)]
    assert M.split_p.shape_rule((None, 2), num=2, axis=0) == [(None, 2), (None, 2)]


def test_split_unused_output_gradient():
    x = tf.constant(rand(4, 2, dtype=F64))
    with tf.GradientTape() as tape:
        tape.watch(x)
        a, _ = tf.split(x, 2)
        y = tf.reduce_sum(a * 3.0)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [[3, 3], [3, 3], [0, 0], [0, 0]])


# ---- tile -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("multiples", [[2, 1], [1, 3], [2, 2], [0, 2]])
def test_tile(multiples):
    check_op(lambda t: tf.tile(t, multiples), rand(2, 3), ref=lambda t: np.tile(t, multiples))


def test_tile_forms_and_errors():
    assert tf.tile([[1, 2]], tf.constant([2, 1], tf.int64)).numpy().tolist() == [[1, 2], [1, 2]]
    assert tf.tile(["a"], [2]).numpy().tolist() == [b"a", b"a"]
    raises(IAE, r"Expected multiples argument to be a vector of length 1 but got length 2 \[Op:Tile\]", tf.tile,
           tf.zeros([2]), [2, 2])
    raises(IAE, r"Expected multiples\[0\] >= 0, but got -1 \[Op:Tile\]", tf.tile, tf.zeros([2]), [-1])
    assert M.tile_p.shape_rule((None, 3), multiples=(2, None)) == (None, None)
    assert M.tile_p.shape_rule((2, 3), multiples=(2, 2)) == (4, 6)


def test_tile_second_order():
    x = rand(2, 3, dtype=F64)
    g, gg = second_order(lambda t: tf.tile(t, [3, 2]), x)
    np.testing.assert_allclose(g.numpy(), 2 * 6 * x)          # d/dx sum(tile(x)^2) = 2 * 6 * x
    np.testing.assert_allclose(gg.numpy(), 2 * 12 * 12 * x)   # d/dx sum((12 x)^2) = 2 * 144 * x


# ---- pad ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("paddings", [[[1, 2], [0, 1]], [[0, 0], [2, 0]], [[0, 0], [0, 0]]])
def test_pad_constant(paddings):
    check_op(lambda t: tf.pad(t, paddings), rand(2, 3), ref=lambda t: np.pad(t, paddings))
    check_op(lambda t: tf.pad(t, paddings, constant_values=1.5), rand(2, 3),
             ref=lambda t: np.pad(t, paddings, constant_values=1.5))


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC", "reflect"])
@pytest.mark.parametrize("paddings", [[[1, 2], [0, 2]], [[2, 0], [1, 1]]])
def test_pad_mirror(mode, paddings):
    np_mode = mode.lower()
    check_op(lambda t: tf.pad(t, paddings, mode), rand(3, 4), ref=lambda t: np.pad(t, paddings, mode=np_mode))


def test_pad_forms():
    assert tf.pad([1, 2], [[1, 2]]).numpy().tolist() == [0, 1, 2, 0, 0]
    assert tf.pad(tf.constant([1.0]), tf.constant([[1, 0]])).numpy().tolist() == [0.0, 1.0]
    assert tf.pad(tf.constant([1.0]), [[1, 1]], constant_values=tf.constant(7.0)).numpy().tolist() == [7, 1, 7]
    assert tf.pad(tf.constant(["a"]), [[1, 0]]).numpy().tolist() == [b"", b"a"]


def test_pad_constant_values_gets_no_gradient():
    x, c = tf.constant([1.0, 2.0]), tf.constant(0.5)
    with tf.GradientTape() as tape:
        tape.watch([x, c])
        y = tf.reduce_sum(tf.pad(x, [[1, 1]], constant_values=c))
    gx, gc = tape.gradient(y, [x, c])
    assert gx.numpy().tolist() == [1.0, 1.0] and gc is None  # as TF


def test_pad_errors():
    raises(IAE, r"The first dimension of paddings must be the rank of inputs\[1,2\] \[2,2\]", tf.pad,
           tf.zeros([2, 2]), [[1, 2]])
    raises(IAE, r"paddings must be less than the dimension size: 2, 0 not less than 2 \[Op:MirrorPad\]", tf.pad,
           tf.zeros([2]), [[2, 0]], "REFLECT")
    raises(IAE, r"paddings must be no greater than the dimension size: 3, 0 greater than 2 \[Op:MirrorPad\]",
           tf.pad, tf.zeros([2]), [[3, 0]], "SYMMETRIC")
    raises(ValueError, r'Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", or "SYMMETRIC". '
                       r"Received `mode` = FOO", tf.pad, tf.zeros([2]), [[3, 0]], "foo")
    raises(IAE, r"Paddings must be non-negative: -1 0", tf.pad, tf.zeros([2]), [[-1, 0]])
    raises(IAE, "constant_values must be a scalar", tf.pad, tf.zeros([2]), [[1, 0]], constant_values=[1.0, 2.0])


def test_mirror_pad_second_order():
    x = rand(4, 3, dtype=F64)
    for mode in ("REFLECT", "SYMMETRIC"):
        check_grad(lambda t: M.bind(M.mirror_pad_grad_p, t, paddings=((1, 2), (2, 0)), mode=mode),
                   rand(7, 5, dtype=F64))
        g, gg = second_order(lambda t: tf.pad(t, [[1, 2], [2, 0]], mode), x)
        assert g.shape == x.shape and gg.shape == x.shape


def test_pad_shape_rule_unknown_dims():
    assert M.pad_p.shape_rule((None, 3), (), paddings=((1, 1), (0, 2)), mode="CONSTANT") == (None, 5)
    assert M.pad_p.shape_rule((2, 3), (), (2, 2), paddings=((None, None),) * 2, mode="CONSTANT") == (None, None)


# ---- meshgrid -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid(indexing):
    a, b, c = rand(3), rand(2), rand(4)
    check_op(lambda x, y: tf.meshgrid(x, y, indexing=indexing), a, b,
             ref=lambda x, y: np.meshgrid(x, y, indexing=indexing))
    check_op(lambda x, y, z: tf.meshgrid(x, y, z, indexing=indexing), a, b, c,
             ref=lambda x, y, z: np.meshgrid(x, y, z, indexing=indexing))


def test_meshgrid_misc():
    out = tf.meshgrid([[1, 2, 3]], [4, 5])
    assert [o.shape for o in out] == [(2, 3), (2, 3)] and out[0].dtype == tf.int32
    assert [o.shape for o in tf.meshgrid([1, 2])] == [(2,)]
    raises(ValueError, "Argument `indexing` parameter must be either 'xy' or 'ij', got 'foo'", tf.meshgrid,
           [1], [2], indexing="foo")


def test_variables_in_concat_and_stack():
    v, w = tf.Variable([1.0, 2.0]), tf.Variable([3.0, 4.0])
    assert tf.concat([v, w], 0).numpy().tolist() == [1, 2, 3, 4]
    assert tf.stack([v, w]).shape == (2, 2)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.concat([v, w * 2.0], 0))
    gv, gw = tape.gradient(y, [v, w])
    assert gv.numpy().tolist() == [1, 1] and gw.numpy().tolist() == [2, 2]
