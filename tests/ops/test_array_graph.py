"""Array/indexing ops inside tf.function with unknown dims and run-time shapes, values and gradients."""
import numpy as np
import pytest

import eagerflow as tf

S = tf.TensorSpec
F = tf.float64
rng = np.random.RandomState(3)
X = tf.constant(rng.randn(3, 4))
IDX = tf.constant(2)

# name, fn, input signature, args, expected static output shape while traced with that signature
CASES = [
    ("reshape_to_shape_of", lambda a, b: tf.reshape(a, tf.shape(b)), [S([None, 4], F), S([None, None], F)],
     (X, tf.zeros([4, 3], F)), (None, None)),
    ("reshape_partial_list", lambda a: tf.reshape(a, [2, tf.shape(a)[0] * 2]), [S([None, 4], F)], (X,), (2, None)),
    ("getitem_symbolic_int", lambda a, i: a[i, 1:], [S([None, 4], F), S([], tf.int32)], (X, IDX), (3,)),
    ("getitem_symbolic_slice", lambda a, i: a[i:, ::-1], [S([None, 4], F), S([], tf.int64)],
     (X, tf.constant(1, tf.int64)), (None, 4)),
    ("getitem_static", lambda a: a[1:, ::-2, None], [S([None, None], F)], (X,), (None, None, 1)),
    ("slice_symbolic", lambda a, i: tf.slice(a, [i, 0], [-1, 2]), [S([None, 4], F), S([], tf.int32)], (X, IDX),
     (None, None)),
    ("slice_static", lambda a: tf.slice(a, [1, 0], [-1, 2]), [S([None, None], F)], (X,), (None, 2)),
    ("fill", lambda a: tf.fill(tf.shape(a), a[0, 0]), [S([None, 4], F)], (X,), (None, None)),
    ("zeros_ones", lambda a: tf.zeros(tf.shape(a), F) + tf.ones([tf.shape(a)[0], 1], F) * a, [S([None, 4], F)],
     (X,), (None, 4)),
    ("broadcast_to", lambda a, b: tf.broadcast_to(a, tf.shape(b)), [S([None, 4], F), S([None, 4], F)],
     (X[:1], X), (None, 4)),
    ("tile_symbolic", lambda a, m: tf.tile(a, m), [S([None, 4], F), S([2], tf.int32)], (X, tf.constant([2, 1])),
     (None, None)),
    ("tile_static", lambda a: tf.tile(a, [2, 3]), [S([None, 4], F)], (X,), (None, 12)),
    ("pad_symbolic", lambda a, p: tf.pad(a, p), [S([None, 4], F), S([2, 2], tf.int32)],
     (X, tf.constant([[1, 0], [0, 2]])), (None, None)),
    ("pad_list_with_tensor", lambda a: tf.pad(a, [[0, tf.shape(a)[0]], [1, 1]]), [S([None, 4], F)], (X,),
     (None, None)),
    ("pad_reflect_symbolic", lambda a, p: tf.pad(a, p, "REFLECT"), [S([None, 4], F), S([2, 2], tf.int32)],
     (X, tf.constant([[1, 0], [0, 2]])), (None, None)),
    ("pad_symmetric_static", lambda a: tf.pad(a, [[2, 0], [1, 3]], "SYMMETRIC"), [S([None, 4], F)], (X,), (None, 8)),
    ("boolean_mask", lambda a, m: tf.boolean_mask(a, m), [S([None, None], F), S([None], tf.bool)],
     (X, tf.constant([True, False, True])), (None, None)),
    ("boolean_mask_axis", lambda a, m: tf.boolean_mask(a, m, axis=1), [S([None, 4], F), S([4], tf.bool)],
     (X, tf.constant([True, False, True, True])), (None, None)),
    ("concat", lambda a: tf.concat([a, a[:, :1], a * 2], 1), [S([None, None], F)], (X,), (None, None)),
    ("gather", lambda a: tf.gather(a, [2, 0, 2], axis=1), [S([None, None], F)], (X,), (None, 3)),
    ("gather_batch", lambda a: tf.gather(a, [[2], [0], [1]], axis=1, batch_dims=1), [S([None, None], F)], (X,),
     (None, 1)),
    ("gather_nd", lambda a: tf.gather_nd(a, [[2, 1], [0, 0]]), [S([None, None], F)], (X,), (2,)),
    ("scatter_update", lambda a: tf.tensor_scatter_nd_update(a, [[1]], a[:1] * 3), [S([None, None], F)], (X,),
     (None, None)),
    ("scatter_add", lambda a: tf.tensor_scatter_nd_add(a, [[1], [1]], a[:2] * 3), [S([None, 4], F)], (X,),
     (None, 4)),
    ("scatter_nd", lambda a, s: tf.scatter_nd([[1], [0]], a[:2], s), [S([None, 4], F), S([2], tf.int32)],
     (X, tf.constant([5, 4])), (None, None)),
    ("split", lambda a: tf.split(a, [1, -1], axis=1)[1], [S([None, 4], F)], (X,), (None, 3)),
    ("unstack", lambda a: tf.unstack(a, axis=1)[1], [S([None, 4], F)], (X,), (None,)),
    ("stack", lambda a: tf.stack([a, a * 2], axis=1), [S([None, None], F)], (X,), (None, 2, None)),
    ("transpose", lambda a: tf.transpose(a), [S([None, 4], F)], (X,), (4, None)),
    ("meshgrid", lambda a: tf.meshgrid(a[0], a[1])[0], [S([None, None], F)], (X,), (None, None)),
    ("squeeze_axis", lambda a: tf.squeeze(a[:, :1], 1), [S([None, None], F)], (X,), (None,)),
    ("expand_dims", lambda a: tf.expand_dims(a, 1), [S([None, None], F)], (X,), (None, 1, None)),
    ("reverse", lambda a: tf.reverse(a, [0]) * tf.range(3.0, dtype=F)[:, None], [S([None, 4], F)], (X,), (3, 4)),
    ("linspace", lambda a: tf.linspace(a[0], a[1], 5, axis=0), [S([None, None], F)], (X,), (5, None)),
    ("ensure_shape", lambda a: tf.ensure_shape(a, [3, None]), [S([None, None], F)], (X,), (3, None)),
    ("one_hot_depth", lambda a, d: tf.one_hot([0, 2], d, dtype=F) * a[0, 0], [S([None, 4], F), S([], tf.int32)],
     (X, tf.constant(3)), (2, None)),
    ("range_symbolic", lambda a, n: tf.range(n, dtype=F) * a[0, 0], [S([None, 4], F), S([], tf.int32)],
     (X, tf.constant(4)), (None,)),
]


def _grad_fn(fn):
    def g(x, *rest):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(tf.square(fn(x, *rest)))
        return fn(x, *rest), tape.gradient(y, x)
    return g


@pytest.mark.parametrize("name,fn,sig,args,static", CASES, ids=[c[0] for c in CASES])
def test_graph_matches_eager_with_unknown_dims(name, fn, sig, args, static):
    eager_value, eager_grad = _grad_fn(fn)(*args)
    traced = tf.function(_grad_fn(fn), input_signature=sig)
    value, grad = traced(*args)
    np.testing.assert_allclose(value.numpy(), eager_value.numpy())
    np.testing.assert_allclose(grad.numpy(), eager_grad.numpy())
    out = tf.function(fn, input_signature=sig).get_concrete_function().structured_outputs
    assert out.shape.as_tuple() == static
    assert out.shape.is_compatible_with(eager_value.shape)


def test_shape_slices_fold_to_constants_while_tracing():
    @tf.function(input_signature=[S([3, 4], tf.float32)])
    def f(a):
        n = tf.shape(a)[1]
        assert tf.get_static_value(n) == 4
        return tf.reshape(a, [n, -1]), tf.range(n), tf.zeros([tf.shape(a)[0], n])
    r, rng_, z = f.get_concrete_function().structured_outputs
    assert r.shape == (4, 3) and rng_.shape == (4,) and z.shape == (3, 4)


def test_run_time_shape_errors_name_the_op():
    f = tf.function(lambda a, s: tf.reshape(a, s), input_signature=[S([None], F), S([2], tf.int32)])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Input to reshape is a tensor with 3 values, but the "
                                                             r"requested shape has 4"):
        f(tf.zeros([3], F), tf.constant([2, 2]))
    g = tf.function(lambda a, i: a[i], input_signature=[S([None], F), S([], tf.int32)])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"slice index 5 of dimension 0 out of bounds"):
        g(tf.zeros([3], F), tf.constant(5))


def test_trace_time_shape_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"requested shape has 5"):
        tf.function(lambda a: tf.reshape(a, [5]), input_signature=[S([2, 2], F)]).get_concrete_function()
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"ConcatOp : Dimension 1 in both shapes must be equal"):
        tf.function(lambda a: tf.concat([a, a[:, :1]], 0), input_signature=[S([None, 2], F)]).get_concrete_function()


def test_graph_listing_uses_tf_op_names():
    f = tf.function(lambda a, i: tf.gather(a[i:], [0]) + tf.pad(a, [[0, 0]])[0],
                    input_signature=[S([None], F), S([], tf.int32)])
    text = str(f.get_concrete_function().graph)
    for op in ("StridedSlice", "GatherV2", "PadV2"):
        assert op in text
