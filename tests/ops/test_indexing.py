"""slice, strided_slice, gather/gather_nd, scatters, where, one_hot, boolean_mask (eagerflow/ops/indexing.py)."""
import numpy as np
import pytest

import eagerflow as tf
from eagerflow.ops import indexing as I
from eagerflow.primitive import bind
from helpers import check_grad, check_op

F32, F64 = np.float32, np.float64
rng = np.random.RandomState(2)
IAE = tf.errors.InvalidArgumentError


def rand(*shape, dtype=F32):
    return np.asarray(rng.randn(*shape), dtype=dtype)


def raises(exc, match, fn, *args, **kwargs):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)


# ---- slice and strided_slice -------------------------------------------------------------------------------

@pytest.mark.parametrize("begin,size", [([1, 1], [-1, 2]), ([0, 0], [3, 4]), ([2, 3], [1, 1]), ([1, 0], [0, 4])])
def test_slice(begin, size):
    def ref(t):
        return t[tuple(slice(b, None if n == -1 else b + n) for b, n in zip(begin, size))]
    check_op(lambda t: tf.slice(t, begin, size), rand(3, 4), ref=ref)


def test_slice_errors():
    p = tf.zeros([3, 4])
    raises(IAE, r"Expected size\[0\] in \[0, 2\], but got 3 \[Op:Slice\]", tf.slice, p, [1, 1], [3, 2])
    raises(IAE, r"Expected begin\[0\] in \[0, 3\], but got 4 \[Op:Slice\]", tf.slice, p, [4, 1], [-1, 2])
    raises(IAE, r"Expected begin\[0\] in \[0, 3\], but got -1", tf.slice, p, [-1, 0], [1, 1])
    raises(IAE, r"Expected begin and size arguments to be 1-D tensors of size 2, but got shapes \[1\] and \[1\] "
                r"instead. \[Op:Slice\]", tf.slice, p, [1], [1])
    assert I.slice_p.shape_rule((None, 4), begin=(1, 1), size=(-1, 2)) == (None, 2)


@pytest.mark.parametrize("spec,ref", [
    (dict(begin=[0, 3], end=[3, 0], strides=[2, -1]), lambda t: t[0:3:2, 3:0:-1]),
    (dict(begin=[0, -1], end=[3, 0], strides=[2, 1], shrink_axis_mask=2), lambda t: t[0:3:2, -1]),
    (dict(begin=[1, 0], end=[0, 2], begin_mask=1, end_mask=1), lambda t: t[:, 0:2]),
    (dict(begin=[0, 1], end=[0, 3], ellipsis_mask=1), lambda t: t[..., 1:3]),
    (dict(begin=[0, 0, 1], end=[0, 0, 2], new_axis_mask=2, begin_mask=1, end_mask=1), lambda t: t[:, None, 1:2]),
    (dict(begin=[-2], end=[-10], strides=[-1]), lambda t: t[-2:-10:-1]),
])
def test_strided_slice(spec, ref):
    check_op(lambda t: tf.strided_slice(t, **spec), rand(3, 4), ref=ref)


def test_strided_slice_forms_and_errors():
    x = tf.range(10)
    assert tf.strided_slice(x, tf.constant([1]), tf.constant([8]), tf.constant([3])).numpy().tolist() == [1, 4, 7]
    assert tf.strided_slice(x, [1], [8]).numpy().tolist() == list(range(1, 8))
    p = tf.zeros([3, 4])
    raises(IAE, r"Expected begin, end, and strides to be 1D equal size tensors, but got shapes \[2\], \[1\], and "
                r"\[2\] instead. \[Op:StridedSlice\]", tf.strided_slice, p, [0, 3], [3], [2, -1])
    raises(IAE, r"only stride 1 allowed on non-range indexing. \[Op:StridedSlice\]", tf.strided_slice, p, [0, 1],
           [3, 0], [2, -1], shrink_axis_mask=2)
    raises(IAE, r"Multiple ellipses in slice spec not allowed", tf.strided_slice, p, [0, 0], [0, 0],
           ellipsis_mask=3)


def test_strided_slice_shape_rule_unknown():
    rule = I.strided_slice_p.shape_rule
    masks = dict(begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0)
    assert rule((None, 4), begin=(0, 1), end=(2, 3), strides=(1, 1), **masks) == (None, 2)
    assert rule((5, 4), begin=(None, 1), end=(None, 3), strides=(1, 1), **dict(masks, shrink_axis_mask=1)) == (2,)
    assert rule((5, 4), begin=(None,), end=(None,), strides=(1,), **masks) == (None, 4)
    assert rule(None, begin=(0,), end=(1,), strides=(1,), **masks) is None
    assert rule((None, None, 3), begin=(0, 2), end=(0, 0), strides=(1, -1),
                **dict(masks, ellipsis_mask=1)) == (None, None, 2)


def test_strided_slice_grad_kernel_and_its_gradient():
    spec = dict(begin=(0, 3), end=(3, 0), strides=(2, -1), begin_mask=0, end_mask=0, ellipsis_mask=0,
                new_axis_mask=0, shrink_axis_mask=0)
    x = tf.zeros([3, 4], tf.float64)
    check_grad(lambda g: bind(I.strided_slice_grad_p, g, x, **spec), rand(2, 3, dtype=F64))


def test_dynamic_strided_slice_inputs():
    # The run-time form (begin/end/strides as tensor inputs) used while tracing with symbolic indices.
    x = tf.constant(rand(4, 5, dtype=F64))
    b, e, s = tf.constant([1, 4]), tf.constant([3, 0]), tf.constant([1, -2])
    attrs = dict(begin=(None, None), end=(None, None), strides=(None, None), begin_mask=0, end_mask=0,
                 ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0)
    out = bind(I.strided_slice_p, x, b, e, s, **attrs)
    np.testing.assert_array_equal(out.numpy(), x.numpy()[1:3, 4:0:-2])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(bind(I.strided_slice_p, x, b, e, s, **attrs))
    expected = np.zeros((4, 5))
    expected[1:3, 4:0:-2] = 1
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), expected)
    raises(IAE, "attr 'Index' of float", bind, I.strided_slice_p, x, tf.constant([1.0]), b, s, **attrs)


def test_slice_takes_variables_and_tensors():
    x = tf.constant(rand(3, 4))
    assert I.slice(x, tf.Variable([1, 0]), tf.constant([-1, 2])).shape == (2, 2)


# ---- gather ------------------------------------------------------------------------------------------------------

def _np_gather(params, indices, axis=0, batch_dims=0):
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    return np.stack([_np_gather(p, i, axis - 1, batch_dims - 1) for p, i in zip(params, indices)])


@pytest.mark.parametrize("pshape,indices,axis,batch_dims", [
    ((4, 3), np.array([2, 0, 2]), 0, 0),
    ((4, 3), np.array([[1, 2], [0, 0]]), 1, 0),
    ((4, 3), np.array(1), 0, 0),
    ((3, 4), np.array([[1], [2], [0]]), 1, 1),
    ((2, 3, 4), np.array([[0, 2, 2], [1, 1, 0]]), 2, 1),
    ((2, 3, 4), np.array([[[0, 2], [1, 1], [3, 3]], [[1, 1], [0, 0], [2, 0]]]), 2, 2),
    ((2, 3, 4, 2), np.array([[1, 0], [2, 2]]), 2, 1),
])
def test_gather(pshape, indices, axis, batch_dims):
    check_op(lambda p, i: tf.gather(p, i, axis=axis, batch_dims=batch_dims), rand(*pshape), indices.astype(np.int32),
             ref=lambda p, i: _np_gather(p, i, axis, batch_dims))


def test_gather_forms():
    assert tf.gather([1, 2, 3], 1).numpy() == 2
    assert tf.gather(tf.zeros([3, 4]), tf.constant([0], tf.int64)).shape == (1, 4)
    assert tf.gather(tf.zeros([3, 4]), [[1], [2], [0]], batch_dims=-1, axis=1).shape == (3, 1)
    assert tf.gather(["a", "b"], [1, 1]).numpy().tolist() == [b"b", b"b"]


def test_gather_errors():
    p = tf.zeros([3, 4])
    raises(IAE, r"indices\[1\] = 5 is not in \[0, 3\) \[Op:GatherV2\]", tf.gather, p, [2, 5])
    raises(IAE, r"indices\[0\] = -1 is not in \[0, 3\)", tf.gather, p, [-1])
    raises(IAE, r"indices\[1,1\] = 7 is not in \[0, 3\)", tf.gather, p, [[0, 1], [2, 7]])
    raises(IAE, r"indices\[0,1\] = 4 is not in \[0, 4\)", tf.gather, p, [[1, 4]], axis=1)
    raises(IAE, r"Shape must be at least rank 3 but is rank 2 \[Op:GatherV2\]", tf.gather, p, [1], axis=2)
    raises(IAE, r"Value for attr 'Tindices' of float is not in the list of allowed values: int16, int32, int64",
           tf.gather, p, [1.0])
    raises(IAE, r"params.shape\[0\]: 3 should be equal to indices.shape\[0\]: 2 \[Op:GatherV2\]", tf.gather, p,
           [[1], [2]], axis=1, batch_dims=1)
    raises(IAE, r"Expected batch_dims in the range \[-1, 1\], but got 2", tf.gather, p, [1, 2, 0], axis=1,
           batch_dims=2)
    raises(IAE, r"batch_dims \(1\) must be less than or equal to axis \(0\)", tf.gather, p, [[1], [2], [0]],
           axis=0, batch_dims=1)


def test_gather_duplicate_indices_accumulate_and_second_order():
    x = tf.constant([1.0, 2.0, 3.0], tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.square(tf.gather(x, [0, 0, 2])))
        g = inner.gradient(y, x)
        z = tf.reduce_sum(g * tf.constant([1.0, 10.0, 100.0], tf.float64))
    assert g.numpy().tolist() == [4.0, 0.0, 6.0]
    assert outer.gradient(z, x).numpy().tolist() == [4.0, 0.0, 200.0]
    check_grad(lambda g: bind(I.gather_grad_p, g, tf.constant([[1, 0], [2, 2]]), tf.zeros([2, 3, 4], tf.float64),
                              axis=2, batch_dims=1), rand(2, 3, 2, dtype=F64))


def test_gather_shape_rule_unknown():
    assert I.gather_p.shape_rule((None, 4), (None,), axis=0, batch_dims=0) == (None, 4)
    assert I.gather_p.shape_rule((None, 4, 5), (None, 2), axis=1, batch_dims=1) == (None, 2, 5)


# ---- gather_nd and scatters -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("pshape,indices,batch_dims", [
    ((3, 4), [[1, 2], [0, 0], [1, 2]], 0),
    ((3, 4), [[1], [0]], 0),
    ((3, 4, 2), [[[1, 2]], [[2, 3]]], 0),
    ((3, 4), [[1], [2], [0]], 1),
    ((2, 3, 4), [[[0, 1], [2, 3]], [[1, 1], [0, 0]]], 1),
])
def test_gather_nd(pshape, indices, batch_dims):
    indices = np.array(indices, np.int32)

    def ref(p, i):
        if batch_dims:
            return np.stack([ref_one(pp, ii) for pp, ii in zip(p, i)])
        return ref_one(p, i)

    def ref_one(p, i):
        rows = [p[tuple(row)] for row in i.reshape(-1, i.shape[-1])]
        return np.array(rows).reshape(i.shape[:-1] + p.shape[i.shape[-1]:])
    check_op(lambda p, i: tf.gather_nd(p, i, batch_dims=batch_dims), rand(*pshape), indices, ref=ref)


def test_gather_nd_errors():
    p = tf.zeros([3, 4])
    raises(IAE, r"indices\[1\] = \[3, 0\] does not index into param shape \[3,4\], node name: GatherNd "
                r"\[Op:GatherNd\]", tf.gather_nd, p, [[1, 2], [3, 0]])
    raises(IAE, r"indices\[0\] = \[-1, 0\] does not index into param shape", tf.gather_nd, p, [[-1, 0]])
    raises(IAE, r"index innermost dimension length must be <= params rank; saw: 3 vs. 2 \[Op:GatherNd\]",
           tf.gather_nd, p, [[1, 2, 0]])
    raises(IAE, r"indices must be at least a vector \[Op:GatherNd\]", tf.gather_nd, p, 1)
    assert I.gather_nd_p.shape_rule((None, 4, 5), (None, 2), batch_dims=0) == (None, 5)


def test_scatter_nd():
    check_op(lambda u: tf.scatter_nd(tf.constant([[1], [1], [3]]), u, [5]), np.array([1.0, 2.0, 3.0], F32),
             ref=lambda u: np.array([0, 3, 0, 3, 0], F32))
    upd = rand(2, 3)
    check_op(lambda u: tf.scatter_nd(tf.constant([[2], [0]]), u, tf.constant([4, 3])), upd,
             ref=lambda u: np.stack([u[1], np.zeros(3), u[0], np.zeros(3)]).astype(F32))
    assert tf.scatter_nd([[1], [3]], [5, 6], [5]).numpy().tolist() == [0, 5, 0, 6, 0]


def test_scatter_nd_errors():
    raises(IAE, r"indices\[1\] = \[7\] does not index into shape \[5\] \[Op:ScatterNd\]", tf.scatter_nd,
           [[1], [7]], [1.0, 2.0], [5])
    raises(IAE, r"indices\[0,1\] = \[9\] does not index into shape \[3\]", tf.scatter_nd, [[[0], [9]]],
           [[1.0, 2.0]], [3])
    raises(IAE, r"Dimensions \[0,1\) of indices\[shape=\[2,1\]\] must match dimensions \[0,1\) of "
                r"updates\[shape=\[3\]\] \[Op:ScatterNd\]", tf.scatter_nd, [[1], [3]], [1.0, 2.0, 3.0], [5])


def test_tensor_scatter_nd_update_and_add():
    t, u = rand(4, 3), rand(2, 3)
    idx = np.array([[3], [1]], np.int32)

    def upd_ref(x, i, v):
        out = x.copy()
        out[i[:, 0]] = v
        return out

    def add_ref(x, i, v):
        out = x.copy()
        np.add.at(out, i[:, 0], v)
        return out
    check_op(tf.tensor_scatter_nd_update, t, idx, u, ref=upd_ref)
    check_op(tf.tensor_scatter_nd_add, t, idx, u, ref=add_ref)
    dup = np.array([[1], [1]], np.int32)
    check_op(tf.tensor_scatter_nd_add, t, dup, u, ref=add_ref)
    assert tf.tensor_scatter_nd_add(tf.ones([4]), [[1], [1]], [1, 2]).numpy().tolist() == [1, 4, 1, 1]
    assert tf.tensor_scatter_nd_update(tf.zeros([4]), [[1], [3]], [1.0, 2.0]).numpy().tolist() == [0, 1, 0, 2]
    assert tf.tensor_scatter_nd_add(tf.ones([2, 3]), [[1]], [[1.0, 2.0, 3.0]]).numpy().tolist() == \
        [[1, 1, 1], [2, 3, 4]]


def test_tensor_scatter_errors():
    raises(IAE, r"indices\[1\] = \[4\] does not index into shape \[4\] \[Op:TensorScatterUpdate\]",
           tf.tensor_scatter_nd_update, tf.zeros([4]), [[1], [4]], [1.0, 2.0])
    raises(IAE, r"The inner 1 dimensions of output.shape=\[2,3\] must match the inner 1 dimensions of "
                r"updates.shape=\[1,2\] \[Op:TensorScatterAdd\]", tf.tensor_scatter_nd_add, tf.ones([2, 3]), [[1]],
           [[1.0, 2.0]])
    raises(IAE, "cannot compute TensorScatterAdd as input #2", tf.tensor_scatter_nd_add, tf.ones([2]), [[1]],
           [1.5j])


# ---- where, one_hot, boolean_mask ----------------------------------------------------------------------------

def test_where_one_argument():
    c = np.array([[True, False], [False, True]])
    check_op(lambda x: tf.where(x), c, ref=np.argwhere, dtype=tf.int64, grad=False)
    check_op(lambda x: tf.where(x), np.array([0.5, 0.0, np.nan], F32), ref=np.argwhere, grad=False)
    assert tf.where([0, 3, 0, 1]).numpy().tolist() == [[1], [3]]
    assert tf.where(tf.zeros([2, 0], tf.bool)).shape == (0, 2)
    raises(IAE, r"WhereOp : Unhandled input dimensions: 0 \[Op:Where\]", tf.where, True)
    raises(IAE, "attr 'T' of string", tf.where, ["", "a"])


def test_one_hot():
    check_op(lambda i: tf.one_hot(i, 3), np.array([0, 2, -1, 5], np.int32),
             ref=lambda i: (i[:, None] == np.arange(3)).astype(F32), grad=False)
    t = tf.one_hot([0, 2], 3, on_value=5, off_value=-1)
    assert t.dtype == tf.int32 and t.numpy().tolist() == [[5, -1, -1], [-1, -1, 5]]
    t = tf.one_hot([[0, 2]], 3, axis=0)
    assert t.shape == (3, 1, 2) and t.numpy()[:, 0, :].tolist() == [[1, 0], [0, 0], [0, 1]]
    assert tf.one_hot([0, 2], 3, dtype=tf.int64).dtype == tf.int64
    assert tf.one_hot([0, 2], 3, on_value=5, dtype=tf.float32).numpy().tolist() == [[5, 0, 0], [0, 0, 5]]
    assert tf.one_hot(np.array([0, 2], np.uint8), 3).shape == (2, 3)
    assert tf.one_hot(1, 2).numpy().tolist() == [0.0, 1.0]
    assert tf.one_hot([1], tf.constant(2)).shape == (1, 2)


def test_one_hot_errors():
    raises(TypeError, r"dtype <dtype: 'int32'> of on_value does not match dtype <dtype: 'float32'> of off_value",
           tf.one_hot, [0, 2], 3, on_value=5, off_value=1.0)
    raises(IAE, r"Value for attr 'TI' of float is not in the list of allowed values: uint8, int8, int32, int64",
           tf.one_hot, [0.0, 2.0], 3)
    raises(IAE, r"Expected axis to be -1 or between \[0, 2\).  But received: 2 \[Op:OneHot\]", tf.one_hot, [0, 2],
           3, axis=2)
    raises(IAE, r"depth must be non-negative, got: -1 \[Op:OneHot\]", tf.one_hot, [1], -1)


def test_one_hot_has_no_gradient():
    v = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = tf.one_hot([0, 1], 2, on_value=v[0], off_value=v[1])
    assert tape.gradient(y, v) is None


@pytest.mark.parametrize("mask,axis", [
    (np.array([True, False, True]), None),
    (np.array([True, False, True, False]), 1),
    (np.array([[True, False, True, True], [False, False, True, False], [True, True, True, True]]), None),
    (np.array([False, False, False]), 0),
])
def test_boolean_mask(mask, axis):
    def ref(t, m):
        a = 0 if axis is None else axis
        return t[(slice(None),) * a + (m,)]
    check_op(lambda t, m: tf.boolean_mask(t, m, axis=axis), rand(3, 4), mask, ref=ref)


def test_boolean_mask_forms_and_errors():
    p = tf.reshape(tf.range(12.0), [3, 4])
    assert tf.boolean_mask(p, [1, 0, 1]).shape == (2, 4)
    assert tf.boolean_mask(p, [True, False, True], axis=-2).shape == (2, 4)
    assert tf.boolean_mask(p, p > 5).numpy().tolist() == [6, 7, 8, 9, 10, 11]
    raises(ValueError, r"Shapes \(3,\) and \(2,\) are incompatible", tf.boolean_mask, p, [True, False])
    raises(ValueError, "mask cannot be scalar.", tf.boolean_mask, p, True)


@pytest.mark.parametrize("fn,updates,message", [
    (tf.tensor_scatter_nd_add, [2, 2, 5], r"Inner dimensions of output shape must match inner dimensions of updates "
                                          r"shape. Output: \[3,4,5\] updates: \[2,2,5\] \[Op:TensorScatterAdd\]"),
    (tf.tensor_scatter_nd_update, [3, 5], r"Outer dimensions of indices and update must match. Indices shape: "
                                          r"\[2,2\], updates shape:\[3,5\] \[Op:TensorScatterUpdate\]"),
    (tf.tensor_scatter_nd_add, [2, 4], r"The inner 1 dimensions of output.shape=\[3,4,5\] must match the inner 1 "
                                       r"dimensions of updates.shape=\[2,4\]"),
])
def test_tensor_scatter_shape_messages(fn, updates, message):
    raises(IAE, message, fn, tf.zeros([3, 4, 5]), [[1, 2], [0, 0]], tf.zeros(updates))


@pytest.mark.parametrize("indices,updates,message", [
    ([[1, 2], [0, 0]], [2, 2, 5], r"Dimensions \[2,3\) of input\[shape=\[3,4,5\]\] must match dimensions \[1,3\) of "
                                  r"updates\[shape=\[2,2,5\]\] \[Op:ScatterNd\]"),
    ([[1, 2, 0, 0]], [1], r"Dimensions \[4,3\) of input\[shape=\[3,4,5\]\] must match dimensions \[1,1\)"),
])
def test_scatter_nd_shape_messages(indices, updates, message):
    raises(IAE, message, tf.scatter_nd, indices, tf.zeros(updates), [3, 4, 5])


def test_gather_nd_batch_dims_errors():
    p = tf.zeros([2, 3, 4])
    raises(IAE, r"params.shape\[:batch_dims\] = \[2,3\] must equal indices.shape\[:batch_dims\] = \[2,2\]",
           tf.gather_nd, p, tf.zeros([2, 2, 1], tf.int32), batch_dims=2)
    raises(ValueError, r"Argument `batch_dims` = 2 must be less than rank\(`indices`\) = 2", tf.gather_nd, p,
           tf.zeros([2, 1], tf.int32), batch_dims=2)
    raises(ValueError, "tf.gather_nd does not allow negative batch_dims.", tf.gather_nd, p,
           tf.zeros([2, 1], tf.int32), batch_dims=-1)


def test_scatter_nd_negative_shape():
    raises(IAE, r"Dimension -1 must be >= 0 \[Op:ScatterNd\]", tf.scatter_nd, [[0]], [1.0], [-1])
