"""Array creation, shape queries, reshape/broadcast/squeeze/expand_dims (eagerflow/ops/array.py)."""
import numpy as np
import pytest

import eagerflow as tf
from eagerflow.ops import array as A
from eagerflow.primitive import bind
from helpers import check_grad, check_op

F32, F64 = np.float32, np.float64
rng = np.random.RandomState(0)


def rand(*shape, dtype=F32):
    return np.asarray(rng.randn(*shape), dtype=dtype)


def raises(exc, match, fn, *args, **kwargs):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)


# ---- fill, zeros, ones, *_like ------------------------------------------------------------------------

def test_fill_value_and_gradient():
    check_op(lambda v: tf.fill([2, 3], v), np.array(1.5, F32), ref=lambda v: np.full((2, 3), v, F32))


def test_fill_dtypes_and_tensor_dims():
    assert tf.fill([2], 7).dtype == tf.int32
    assert tf.fill(tf.constant([2, 1]), 1.0).shape == (2, 1)
    np.testing.assert_array_equal(tf.fill([2], "a").numpy(), [b"a", b"a"])


def test_fill_errors():
    raises(tf.errors.InvalidArgumentError, r"Dimension -1 must be >= 0 \[Op:Fill\]", tf.fill, [-1, 2], 3.0)
    raises(tf.errors.InvalidArgumentError, r"value must represent a scalar, got shape \[2\] \[Op:Fill\]",
           tf.fill, [2], [1, 2])
    raises(TypeError, "dims must be integers", tf.fill, [1.5], 1)


@pytest.mark.parametrize("fn,value", [(tf.zeros, 0), (tf.ones, 1)])
def test_zeros_ones(fn, value):
    t = fn([2, 3])
    assert t.dtype == tf.float32 and t.shape == (2, 3)
    np.testing.assert_array_equal(t.numpy(), np.full((2, 3), value, F32))
    assert fn(3).shape == (3,)
    assert fn((), tf.int64).dtype == tf.int64
    assert fn(tf.constant([1, 2]), "int32").numpy().tolist() == [[value] * 2]
    assert fn([2], tf.bool).numpy().tolist() == [bool(value)] * 2
    assert fn(tf.TensorShape([1, 2])).shape == (1, 2)


def test_zeros_ones_strings_and_errors():
    np.testing.assert_array_equal(tf.zeros([2], tf.string).numpy(), [b"", b""])
    raises(TypeError, "Cannot convert 1 to EagerTensor of dtype string", tf.ones, [2], tf.string)
    raises(tf.errors.InvalidArgumentError, r"Dimension -1 must be >= 0 \[Op:Fill\]", tf.zeros, [-1])
    raises(ValueError, "partially known TensorShape", tf.zeros, tf.TensorShape([None, 2]))


def test_zeros_like_ones_like():
    x = tf.constant([[1.5, 2.0]])
    for fn, v in ((tf.zeros_like, 0), (tf.ones_like, 1)):
        t = fn(x)
        assert t.dtype == tf.float32 and t.numpy().tolist() == [[v, v]]
        t = fn([1, 2], dtype=tf.float64)
        assert t.dtype == tf.float64 and t.numpy().tolist() == [v, v]
        assert fn([True]).dtype == tf.bool
    np.testing.assert_array_equal(tf.zeros_like(["a", "b"]).numpy(), [b"", b""])
    raises(TypeError, "dtype string", tf.ones_like, ["a"])


def test_like_kernels_through_bind():
    # The graph path binds ZerosLike/OnesLike; check the kernels keep dtype and shape.
    x = tf.constant(rand(2, 3))
    for prim, v in ((A.zeros_like_p, 0), (A.ones_like_p, 1)):
        out = bind(prim, x)
        assert out.dtype == tf.float32 and np.all(out.numpy() == v)
    s = bind(A.zeros_like_p, tf.constant(["x"]))
    assert s.numpy().tolist() == [b""]


def test_identity_and_stop_gradient():
    check_op(tf.identity, rand(2, 3), ref=lambda x: x)
    check_op(tf.stop_gradient, rand(3), ref=lambda x: x, grad=False)
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * tf.stop_gradient(x)
    assert tape.gradient(y, x).numpy() == 3.0
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.stop_gradient(x * x)
    assert tape.gradient(y, x) is None


def test_identity_reads_variable():
    v = tf.Variable([1.0, 2.0])
    t = tf.identity(v)
    v.assign([3.0, 4.0])
    assert t.numpy().tolist() == [1.0, 2.0]


# ---- range, linspace, eye -------------------------------------------------------------------------------

@pytest.mark.parametrize("args,kwargs,dtype,expected", [
    ((5,), {}, tf.int32, [0, 1, 2, 3, 4]),
    ((1, 5, 2.0), {}, tf.float32, [1, 3]),
    ((5, 1, -1), {}, tf.int32, [5, 4, 3, 2]),
    ((5,), {"dtype": tf.float64}, tf.float64, [0, 1, 2, 3, 4]),
    ((np.int64(3),), {}, tf.int64, [0, 1, 2]),
    ((2, 2), {}, tf.int32, []),
    ((0.0, 1.0, 0.3), {}, tf.float32, np.array([0, 0.3, 0.6, 0.90000004], F32)),
])
def test_range_values_and_dtype(args, kwargs, dtype, expected):
    t = tf.range(*args, **kwargs)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.numpy(), np.asarray(expected, dtype.as_numpy_dtype))


def test_range_tensor_arguments():
    assert tf.range(tf.constant(5, tf.int64)).dtype == tf.int64
    t = tf.range(tf.constant(1.0, tf.float64), 3)
    assert t.dtype == tf.float64 and t.numpy().tolist() == [1.0, 2.0]
    assert tf.range(tf.constant(3), dtype=tf.float32).numpy().tolist() == [0.0, 1.0, 2.0]


def test_range_errors():
    raises(tf.errors.InvalidArgumentError, r"Requires start <= limit when delta > 0: 5/1 \[Op:Range\]",
           tf.range, 5, 1)
    raises(tf.errors.InvalidArgumentError, r"Requires start >= limit when delta < 0: 1/5", tf.range, 1, 5, -1)
    raises(tf.errors.InvalidArgumentError, r"Requires delta != 0: 0 \[Op:Range\]", tf.range, 1, 5, 0)
    raises(TypeError, "Cannot convert 1.5 to EagerTensor of dtype int32", tf.range, 1.5, dtype=tf.int32)
    raises(tf.errors.InvalidArgumentError, "attr 'Tidx' of uint8", tf.range, 5, dtype=tf.uint8)


def test_linspace_values_and_gradient():
    check_op(lambda a, b: tf.linspace(a, b, 5), np.array(0.5, F32), np.array(2.0, F32),
             ref=lambda a, b: np.linspace(a, b, 5).astype(F32))
    start, stop = rand(2, 3), rand(3)
    check_op(lambda a, b: tf.linspace(a, b, 4, axis=1), start, stop,
             ref=lambda a, b: np.moveaxis(np.linspace(a, b, 4), 0, 1).astype(F32))
    check_op(lambda a, b: tf.linspace(a, b, 3, axis=-1), start, stop,
             ref=lambda a, b: np.moveaxis(np.linspace(a, b, 3), 0, -1).astype(F32))


def test_linspace_edge_cases():
    t = tf.linspace(0, 1, 5)
    assert t.dtype == tf.float64 and t.numpy().tolist() == [0, 0.25, 0.5, 0.75, 1]
    assert tf.linspace(0.0, 1.0, 1).numpy().tolist() == [0.0]
    assert tf.linspace(0.0, 1.0, 0).shape == (0,)
    assert tf.linspace(0.0, 1.0, tf.constant(3)).numpy().tolist() == [0, 0.5, 1]
    assert tf.linspace(tf.constant(0.0, tf.float64), 1.0, 2).dtype == tf.float64
    raises(tf.errors.InvalidArgumentError, "num > 0", tf.linspace, 0.0, 1.0, -1)


def test_eye():
    np.testing.assert_array_equal(tf.eye(2).numpy(), np.eye(2, dtype=F32))
    t = tf.eye(2, 3, batch_shape=[2], dtype=tf.int32)
    assert t.dtype == tf.int32 and t.shape == (2, 2, 3)
    np.testing.assert_array_equal(t.numpy()[1], np.eye(2, 3))
    assert tf.eye(2, dtype=tf.bool).numpy().tolist() == [[True, False], [False, True]]
    assert tf.eye(tf.constant(3)).shape == (3, 3)
    raises(tf.errors.InvalidArgumentError, r"Dimension -1 must be >= 0", tf.eye, -1)


# ---- shape queries ----------------------------------------------------------------------------------------

def test_shape_size_rank():
    x = tf.zeros([3, 4])
    check_op(lambda t: tf.shape(t), rand(3, 4), expected=np.array([3, 4], np.int32), dtype=tf.int32, grad=False)
    check_op(lambda t: tf.size(t), rand(3, 4), expected=np.array(12, np.int32), dtype=tf.int32, grad=False)
    check_op(lambda t: tf.rank(t), rand(3, 4), expected=np.array(2, np.int32), dtype=tf.int32, grad=False)
    assert tf.shape(x, out_type=tf.int64).dtype == tf.int64
    assert tf.size(x, out_type=tf.int64).numpy() == 12
    raises(tf.errors.InvalidArgumentError, r"attr 'out_type' of float is not in the list of allowed values: "
                                           r"int32, int64 \[Op:Shape\]", tf.shape, x, out_type=tf.float32)


def test_ensure_shape():
    check_op(lambda t: tf.ensure_shape(t, [None, 4]), rand(3, 4), ref=lambda t: t)
    raises(tf.errors.InvalidArgumentError, r"Shape of tensor input \[3,4\] is not compatible with expected shape "
                                           r"\[3,3\]. \[Op:EnsureShape\]", tf.ensure_shape, tf.zeros([3, 4]), [3, 3])
    raises(tf.errors.InvalidArgumentError, r"expected shape \[3\]", tf.ensure_shape, tf.zeros([3, 4]), [3])
    assert A.ensure_shape_p.shape_rule((None, 4), shape=(3, None)) == (3, 4)


# ---- reshape and broadcast_to --------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [[6, 2], [-1], [3, -1, 2], [12, 1]])
def test_reshape(shape):
    check_op(lambda t: tf.reshape(t, shape), rand(2, 3, 2), ref=lambda t: np.reshape(t, shape))


def test_reshape_shape_forms():
    x = tf.range(6)
    assert tf.reshape(x, tf.constant([2, 3])).shape == (2, 3)
    assert tf.reshape(x, (tf.constant(3), 2)).shape == (3, 2)
    assert tf.reshape(x, np.array([1, 6])).shape == (1, 6)
    assert tf.reshape(tf.constant(5), []).shape == ()
    assert tf.reshape(tf.zeros([0, 3]), [-1, 0]).shape == (3, 0)  # TF's rule for -1 with empty tensors
    assert tf.reshape(tf.zeros([0, 3]), [-1, 3]).shape == (0, 3)


def test_reshape_errors():
    x = tf.range(6)
    raises(tf.errors.InvalidArgumentError, r"Input to reshape is a tensor with 6 values, but the requested shape "
                                           r"requires a multiple of 4 \[Op:Reshape\]", tf.reshape, x, [4, -1])
    raises(tf.errors.InvalidArgumentError, r"Input to reshape is a tensor with 6 values, but the requested shape "
                                           r"has 8 \[Op:Reshape\]", tf.reshape, x, [4, 2])
    raises(tf.errors.InvalidArgumentError, r"Only one input size may be -1, not both 0 and 1 \[Op:Reshape\]",
           tf.reshape, x, [-1, -1])
    raises(tf.errors.InvalidArgumentError, r"Size 1 must be non-negative, not -2", tf.reshape, x, [3, -2])
    raises(TypeError, "shape must be integers", tf.reshape, x, [2.5, 2])


def test_reshape_shape_rule_unknown_dims():
    rule = A.reshape_p.shape_rule
    assert rule((None, 3), shape=(-1, 3)) == (None, 3)
    assert rule((2, 3), shape=(3, -1)) == (3, 2)
    assert rule((2, 3), shape=(None, 3)) == (None, 3)   # an entry known only at run time
    assert rule(None, shape=None) is None


@pytest.mark.parametrize("xshape,shape", [((3,), (2, 3)), ((2, 1), (2, 4)), ((), (2,)), ((1, 3), (1, 3))])
def test_broadcast_to(xshape, shape):
    check_op(lambda t: tf.broadcast_to(t, shape), rand(*xshape), ref=lambda t: np.broadcast_to(t, shape))


def test_broadcast_to_errors():
    raises(tf.errors.InvalidArgumentError, r"Incompatible shapes: \[2\] vs. \[3,3\] \[Op:BroadcastTo\]",
           tf.broadcast_to, [1, 2], [3, 3])
    raises(tf.errors.InvalidArgumentError, r"Rank of input \(2\) must be no greater than rank of output shape "
                                           r"\(1\).", tf.broadcast_to, tf.zeros([2, 1]), [3])
    assert A.broadcast_to_p.shape_rule((None, 3), shape=(None, None)) == (None, 3)
    assert A.broadcast_to_p.shape_rule((1, 3), shape=(None, 2, None)) == (None, 2, 3)


# ---- squeeze and expand_dims --------------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [None, [0], -1, [0, 2], (2,)])
def test_squeeze(axis):
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    check_op(lambda t: tf.squeeze(t, axis), rand(1, 2, 1), ref=lambda t: np.squeeze(t, np_axis))


def test_squeeze_errors():
    x = tf.zeros([1, 2, 1])
    raises(tf.errors.InvalidArgumentError, r"Can not squeeze dim\[1\], expected a dimension of 1, got 2 "
                                           r"\[Op:Squeeze\]", tf.squeeze, x, axis=1)
    raises(tf.errors.InvalidArgumentError, r"Tried to squeeze dim index 3 for tensor with 3 dimensions.",
           tf.squeeze, x, axis=3)
    assert A.squeeze_p.shape_rule((None, 1), axis=None) is None
    assert A.squeeze_p.shape_rule((None, 1), axis=(1,)) == (None,)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3, [0]])
def test_expand_dims(axis):
    a = axis[0] if isinstance(axis, list) else axis
    check_op(lambda t: tf.expand_dims(t, axis), rand(2, 3), ref=lambda t: np.expand_dims(t, a))


def test_expand_dims_errors():
    raises(tf.errors.InvalidArgumentError, r"Tried to expand dim index 3 for tensor with 1 dimensions. "
                                           r"\[Op:ExpandDims\]", tf.expand_dims, tf.zeros([2]), 3)
    raises(tf.errors.InvalidArgumentError, "'dim' must be a tensor with a single value", tf.expand_dims,
           tf.zeros([2]), [0, 1])
    assert tf.expand_dims(tf.zeros([2]), tf.constant(0)).shape == (1, 2)


def test_reshape_gradient_second_order():
    x = tf.constant(rand(2, 3, dtype=F64))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.square(tf.reshape(x, [3, 2])))
        g = inner.gradient(y, x)
    np.testing.assert_allclose(g.numpy(), 2 * x.numpy())
    np.testing.assert_allclose(outer.gradient(g, x).numpy(), np.full((2, 3), 2.0))


def test_broadcast_to_gradient_sums():
    check_grad(lambda t: tf.broadcast_to(t, [4, 2, 3]), rand(2, 1, dtype=F64))


def test_docstring_examples_run():
    import doctest
    from eagerflow.ops import indexing, manip
    for module in (A, manip, indexing):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 10, module.__name__


def test_bad_arguments_get_tf_errors():
    raises(tf.errors.InvalidArgumentError, r"limit must be a scalar, not shape \[2\] \[Op:Range\]", tf.range, [1, 2])
    assert tf.range(tf.constant([3])).numpy().tolist() == [0, 1, 2]  # a one-element vector is accepted, as TF
    raises(tf.errors.InvalidArgumentError, r"Dimension -3 must be >= 0 \[Op:BroadcastTo\]", tf.broadcast_to,
           tf.zeros([3, 4]), [-3, 4])
    raises(tf.errors.InvalidArgumentError, r"attr 'T' of string is not in the list of allowed values: bfloat16, "
                                           r"double, float, half \[Op:LinSpace\]", tf.linspace, "a", "b", 3)
    raises(TypeError, "axis must be integers", tf.squeeze, tf.zeros([1]), 0.5)
    raises(TypeError, "num must be an integer", tf.linspace, 0.0, 1.0, 2.5)
    raises(TypeError, "must be a static value", tf.expand_dims, tf.zeros([2]), None)
