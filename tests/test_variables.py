"""tf.Variable against TensorFlow 2.21: assignment, conversion, errors, printing and tapes."""
import copy

import numpy as np
import pytest

import eagerflow as tf


def test_repr_and_metadata():
    v = tf.Variable([1.0, 2.0])
    assert repr(v) == "<tf.Variable 'Variable:0' shape=(2,) dtype=float32, numpy=array([1., 2.], dtype=float32)>"
    assert str(v) == repr(v) and f"{v}" == repr(v)
    assert repr(tf.Variable(tf.zeros([2, 2]))) == ("<tf.Variable 'Variable:0' shape=(2, 2) dtype=float32, numpy=\n"
                                                   "array([[0., 0.],\n       [0., 0.]], dtype=float32)>")
    assert repr(tf.Variable(1.0)) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>"
    assert v.shape == tf.TensorShape([2]) and v.get_shape() == [2] and v.dtype is tf.float32
    assert v.trainable and v.constraint is None
    assert v.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert isinstance(v, tf.Variable) and tf.is_tensor(v)


def test_names():
    assert tf.Variable(1.0).name == "Variable:0"
    assert tf.Variable(1.0, name="w").name == "w:0"
    assert tf.Variable(1.0, name="x/y").name == "x/y:0"
    assert tf.Variable(1.0, name="a:0").name == "a:0:0"  # TF appends ":0" to whatever it is given
    with tf.name_scope("outer"):
        assert tf.Variable(1.0, name="w").name == "outer/w:0"


@pytest.mark.parametrize("init,kwargs,dtype,value", [
    (1, {}, tf.int32, 1), (1, {"dtype": tf.float32}, tf.float32, 1.0), (np.float64(1.5), {}, tf.float64, 1.5),
    ([[1, 2], [3, 4]], {}, tf.int32, [[1, 2], [3, 4]]), ("abc", {}, tf.string, b"abc"), (True, {}, tf.bool, True),
    (lambda: tf.ones([2]), {}, tf.float32, [1.0, 1.0]), (np.array([1, 2], np.int64), {}, tf.int64, [1, 2]),
    ([1, 2], {"dtype": tf.float32}, tf.float32, [1.0, 2.0]),
], ids=repr)
def test_initial_values(init, kwargs, dtype, value):
    v = tf.Variable(init, **kwargs)
    assert v.dtype is dtype
    np.testing.assert_array_equal(v.numpy(), np.asarray(value, dtype=dtype.as_numpy_dtype))


def test_initial_value_errors():
    with pytest.raises(ValueError, match="The `initial_value` arg to `tf.Variable` must be specified"):
        tf.Variable(None)
    with pytest.raises(ValueError, match="initial_value: Tensor conversion requested dtype int32 for Tensor with "
                                         "dtype float32"):
        tf.Variable(tf.constant(1.0), dtype=tf.int32)
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        tf.Variable(1.5, dtype=tf.int32)
    with pytest.raises(ValueError, match=r"In this `tf.Variable` creation, the initial value's shape \(\(\)\) is not "
                                         r"compatible with the explicitly supplied `shape` argument \(\[None\]\)."):
        tf.Variable(1.0, shape=[None])


def test_initial_value_is_copied():
    a = np.array([1.0, 2.0], np.float32)
    v = tf.Variable(a)
    a[0] = 9.0
    assert v.numpy()[0] == 1.0
    w = tf.Variable(tf.Variable(3.0))
    assert w.numpy() == 3.0


def test_assign_returns_the_variable_and_old_reads_keep_values():
    v = tf.Variable([1.0, 2.0])
    old = v.read_value()
    assert v.assign([3.0, 4.0]) is v
    assert v.assign_add([1.0, 1.0]) is v and v.numpy().tolist() == [4.0, 5.0]
    assert v.assign_sub([1.0, 1.0]) is v and v.numpy().tolist() == [3.0, 4.0]
    assert old.numpy().tolist() == [1.0, 2.0]
    assert v.assign([5.0, 6.0], read_value=False) is None and v.numpy().tolist() == [5.0, 6.0]
    assert (tf.Variable(1.0).assign(2.0) + 1).numpy() == 3.0
    assert tf.Variable(2.0).assign_add(1.0).numpy() == 3.0
    assert tf.Variable(1.0).assign_add(1).numpy() == 2.0 and tf.Variable(1.0).assign_sub(True).numpy() == 0.0
    assert tf.Variable(1, dtype=tf.int64).assign(2 ** 40).numpy() == 2 ** 40
    assert tf.Variable(1.0).assign(np.float64(2.0)).numpy() == 2.0  # NumPy values are cast
    assert tf.Variable(1.0).assign(tf.Variable(3.0)).numpy() == 3.0


def test_numpy_is_a_copy():
    v = tf.Variable([1.0, 2.0])
    a = v.numpy()
    a[0] = 7.0
    assert v.numpy()[0] == 1.0
    assert not np.asarray(v).flags.writeable


def test_assign_shape_errors():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match=r"Cannot assign value to variable 'Variable:0': Shape mismatch. The variable "
                                         r"shape \(2,\), and the assigned value shape \(3,\) are incompatible."):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"variable shape \(2,\), and the assigned value shape \(\) are incompatible"):
        v.assign(5.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Cannot update variable with shape \[2\] using a Tensor "
                                                             r"with shape \[1,2\], shapes must be equal. "
                                                             r"\[Op:AssignAddVariableOp\]"):
        v.assign_add([[1.0, 2.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape \[2\] using a Tensor with shape \[\]"):
        v.assign_sub(1.0)
    u = tf.Variable([1.0], shape=[None])
    assert u.shape == tf.TensorShape([None])
    assert u.assign([1.0, 2.0, 3.0]).numpy().tolist() == [1.0, 2.0, 3.0] and u.shape == tf.TensorShape([None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="shapes must be equal"):
        u.assign_add([1.0])


def test_assign_dtype_errors():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32 for Tensor with dtype int32"):
        v.assign(tf.constant([1, 2]))
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32 for Tensor with dtype float64"):
        tf.Variable(1.0).assign(tf.constant(2.0, tf.float64))
    with pytest.raises(TypeError, match="Cannot convert 'a' to EagerTensor of dtype float"):
        v.assign("a")
    with pytest.raises(TypeError, match=r"Cannot convert \[1.5, 2\] to EagerTensor of dtype int32"):
        tf.Variable([1, 2]).assign([1.5, 2])
    with pytest.raises(ValueError, match=r"Attempt to convert a value \(None\)"):
        tf.Variable(1.0).assign(None)
    assert v.assign([1, 2]).numpy().tolist() == [1.0, 2.0]  # Python ints convert to the variable's dtype


def test_operators_read_the_current_value():
    v = tf.Variable([1.0, 2.0])
    assert (v + 1).numpy().tolist() == [2.0, 3.0] and (1 - v).numpy().tolist() == [0.0, -1.0]
    assert (v * v).numpy().tolist() == [1.0, 4.0] and (-v).numpy().tolist() == [-1.0, -2.0]
    assert (v > 1.5).numpy().tolist() == [False, True]
    assert (tf.Variable(2.0) * tf.Variable(3.0)).numpy() == 6.0 and abs(tf.Variable(-2.0)).numpy() == 2.0
    assert (tf.Variable(1.0) ** 2).numpy() == 1.0
    assert (tf.Variable([[1.0, 2.0]]) @ tf.ones([2, 1])).numpy().tolist() == [[3.0]]
    assert (v == v).numpy().tolist() == [True, True]   # elementwise, as TF 2
    assert (v != v).numpy().tolist() == [False, False]
    assert float(tf.Variable(2.5)) == 2.5 and int(tf.Variable(3)) == 3 and bool(tf.Variable(True))
    assert [x.numpy() for x in tf.Variable([1.0, 2.0])] == [1.0, 2.0]
    assert f"{tf.Variable(2.5):.2f}" == "2.50"  # TF refuses format specs on variables; we format the value
    assert np.add(v, 1).tolist() == [2.0, 3.0]


def test_index_and_len_are_not_supported_as_tf():
    with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
        range(tf.Variable(3))
    with pytest.raises(TypeError, match="has no len"):
        len(tf.Variable([1.0, 2.0]))


def test_hashing_and_ref():
    v = tf.Variable(1.0)
    with pytest.raises(TypeError, match=r"Variable is unhashable. Instead, use variable.ref\(\) as the key. "
                                        r"\(Variable: <tf.Variable 'Variable:0'"):
        hash(v)
    assert {v.ref(): 1}[v.ref()] == 1 and v.ref().deref() is v
    assert v in [v]


def test_conversion():
    v = tf.Variable([1.0, 2.0])
    t = tf.convert_to_tensor(v)
    assert isinstance(t, tf.Tensor) and t.numpy().tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="Incompatible type conversion requested to type int32 for `tf.Variable of "
                                         "type float32."):
        tf.convert_to_tensor(v, dtype=tf.int32)
    assert tf.identity(v).numpy().tolist() == [1.0, 2.0]


def test_trainable_and_synchronization():
    assert not tf.Variable(1.0, trainable=False).trainable
    assert tf.Variable(1.0, trainable=None).trainable
    assert not tf.Variable(1.0, synchronization=tf.VariableSynchronization.ON_READ).trainable


def test_deepcopy_makes_an_independent_variable():
    v = tf.Variable([1.0], name="q")
    w = copy.deepcopy(v)
    assert w is not v and w.name == "q:0"
    w.assign([5.0])
    assert v.numpy().tolist() == [1.0]
    assert copy.copy(v) is v


# ---- tapes watch trainable variables --------------------------------------------------------------------

def test_trainable_variables_are_watched_automatically():
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * v
    assert tape.gradient(y, v).numpy() == 6.0
    assert tape.watched_variables() == (v,)


def test_non_trainable_variables_are_not_watched():
    v = tf.Variable(3.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * v
    assert tape.gradient(y, v) is None and tape.watched_variables() == ()
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = v * v
    assert tape.gradient(y, v).numpy() == 6.0


def test_assignment_inside_a_tape_uses_the_new_value():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        v.assign(5.0)
        y = v * v
    assert tape.gradient(y, v).numpy() == 10.0


def test_gradient_with_respect_to_variables_in_structures():
    w, b = tf.Variable([[1.0, 2.0]]), tf.Variable([0.5])
    x = tf.constant([[3.0], [4.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.matmul(w, x) + b)
    grads = tape.gradient(y, {"w": w, "b": b})
    assert grads["w"].numpy().tolist() == [[3.0, 4.0]] and grads["b"].numpy().tolist() == [1.0]


def test_getitem_reads_and_differentiates():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    assert v[0].numpy().tolist() == [1.0, 2.0] and v[:, 1].numpy().tolist() == [2.0, 4.0]
    assert v[1, 0].numpy() == 3.0 and v[-1, ::-1].numpy().tolist() == [4.0, 3.0]
    with tf.GradientTape() as tape:
        y = v[0, 1] * 3 + tf.reduce_sum(v[1])
    assert tape.gradient(y, v).numpy().tolist() == [[0.0, 3.0], [1.0, 1.0]]
