"""tf.Module against TensorFlow 2.21: names, name scopes, and variable/submodule discovery order."""
import collections

import numpy as np
import pytest

import eagerflow as tf


class Dense(tf.Module):
    def __init__(self, n, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(tf.ones([2, n]), name="w")
        self.b = tf.Variable(tf.zeros([n]), name="b", trainable=False)


class MyModel(tf.Module):
    def __init__(self):
        super().__init__()
        self.d1 = Dense(3, name="d1")
        self.layers = [Dense(2, name="l0"), (Dense(1, name="l1"),)]
        self.cfg = {"z": tf.Variable(1.0, name="z"), "a": Dense(4, name="da")}
        self.alias = self.d1          # the same module twice: reported once
        self.shared = self.d1.w       # the same variable twice: reported once
        self.t = tf.constant(1.0)


def test_discovery_order_matches_tf():
    m = MyModel()
    # TF walks sorted attributes, yields this module's matches, then descends into submodules.
    assert [v.name for v in m.variables] == ["z:0", "w:0", "b:0", "b:0", "w:0", "b:0", "w:0", "b:0", "w:0"]
    assert [v.name for v in m.trainable_variables] == ["z:0", "w:0", "w:0", "w:0", "w:0"]
    assert [v.name for v in m.non_trainable_variables] == ["b:0"] * 4
    assert [s.name for s in m.submodules] == ["d1", "da", "l0", "l1"]
    assert isinstance(m.variables, tuple)
    assert m.variables[1] is m.d1.w and len({id(v) for v in m.variables}) == 9


def test_names():
    assert MyModel().name == "my_model" and Dense(2).name == "dense"
    assert tf.Module().name == "module" and tf.Module(name=None).name == "module"

    class HTTPServer2D(tf.Module):
        pass

    assert HTTPServer2D().name == "http_server2_d"
    for bad in ("my mod", "1abc", "a.b"):
        with pytest.raises(ValueError, match=f"'{bad}' is not a valid module name. Module names must be valid Python "
                                             r"identifiers \(e.g. a valid class name\)."):
            tf.Module(name=bad)


def test_name_scope():
    m = MyModel()
    assert m.name_scope.name == "my_model/" and m.d1.name_scope.name == "d1/"
    with m.name_scope:
        assert tf.Variable(1.0, name="v").name == "my_model/v:0"
    outer = Dense(1, name="outer")
    with outer.name_scope:
        inner = Dense(1, name="inner")
        with inner.name_scope:
            assert tf.Variable(1.0, name="v").name == "outer/inner/v:0"
    with inner.name_scope:  # the scope is the one the module was created in, as TF
        assert tf.Variable(1.0, name="v").name == "outer/inner/v:0"
    with tf.name_scope("elsewhere"):
        with m.name_scope:
            assert tf.Variable(1.0, name="v").name == "my_model/v:0"


def test_with_name_scope_decorator():
    class WithScope(tf.Module):
        def __init__(self):
            super().__init__(name="ws")
            with self.name_scope:
                self.v = tf.Variable(1.0, name="v")

        @tf.Module.with_name_scope
        def __call__(self, x):
            """Doc kept."""
            return tf.Variable(x, name="inner").name

    ws = WithScope()
    assert ws.v.name == "ws/v:0" and ws(1.0) == "ws/inner:0"
    assert WithScope.__call__.__doc__ == "Doc kept."


def test_namedtuples_dicts_and_other_attributes():
    class NT(tf.Module):
        def __init__(self):
            super().__init__()
            p = collections.namedtuple("P", ["a", "b"])
            self.p = p(tf.Variable(1.0, name="pa"), tf.Variable(2.0, name="pb"))
            self.d = {"y": tf.Variable(3.0, name="y"), "x": [tf.Variable(4.0, name="x")]}
            self.none = None
            self.np = np.ones(3)

    assert [v.name for v in NT().variables] == ["x:0", "y:0", "pa:0", "pb:0"]

    class Empty(tf.Module):
        pass

    assert Empty().variables == () and Empty().submodules == ()


def test_ignored_properties_and_flatten_with_path():
    class Ignoring(tf.Module):
        _TF_MODULE_IGNORED_PROPERTIES = frozenset(["cache"])

        def __init__(self):
            super().__init__()
            self.cache = [tf.Variable(0.0)]
            self.w = {"k": tf.Variable(1.0, name="w")}

    m = Ignoring()
    assert [v.name for v in m.variables] == ["w:0"]
    paths = list(m._flatten(predicate=lambda x: isinstance(x, tf.Variable), with_path=True))
    assert [p for p, _ in paths] == [("w", "k")]


def test_trainable_variables_feed_a_tape():
    m = Dense(2)
    x = tf.ones([1, 2])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.matmul(x, m.w) + m.b)
    grads = tape.gradient(y, m.trainable_variables)
    assert len(grads) == 1 and grads[0].numpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]
