"""tf.autograph's API: to_code is valid Python, to_graph, do_not_convert, autograph=False, and what gets
converted (user functions, methods, closures, lambdas) and what does not (library code)."""
import numpy as np
import pytest

import eagerflow as tf

from .programs import PROGRAMS

C = tf.constant
COUNTER = 0


@pytest.mark.parametrize("name,fn", [(p[0], p[1]) for p in PROGRAMS], ids=[p[0] for p in PROGRAMS])
def test_to_code_is_valid_python(name, fn):
    code = tf.autograph.to_code(fn)
    compile(code, f"<to_code {name}>", "exec")
    assert code.startswith(f"def {fn.__name__}(")


def test_to_code_shows_the_operators():
    def f(x, n):
        total = 0.0
        for i in tf.range(n):
            if x > 0 and i % 2 == 0:
                total += x
            else:
                continue
        while total > 100.0:
            total = total / 2.0
        return total if total > 1.0 else -total

    code = tf.autograph.to_code(f)
    for piece in ("ag__.for_stmt(", "ag__.if_stmt(", "ag__.while_stmt(", "ag__.and_(lambda", "ag__.if_exp(",
                  "continue_", "nonlocal", "def get_state", "def set_state", "ag__.converted_call(tf.range"):
        assert piece in code, piece
    compile(code, "<to_code>", "exec")


def test_to_code_of_a_tf_function_and_a_method():
    class Model:
        @tf.function
        def step(self, x):
            if x > 0:
                x = -x
            return x

    assert "ag__.if_stmt" in tf.autograph.to_code(Model.step.python_function)
    assert "ag__.if_stmt" in tf.autograph.to_code(Model().step.python_function)
    assert float(Model().step(C(2.0))) == -2.0


def test_to_graph_runs_eagerly_with_python_semantics():
    def f(x):
        while x > 10:
            x = x // 2
        return x

    g = tf.autograph.to_graph(f)
    assert g(100) == 6
    assert int(g(tf.constant(100))) == 6
    assert int(tf.function(g)(tf.constant(100))) == 6


def test_autograph_false_leaves_python_control_flow_alone():
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError):
        tf.function(f, autograph=False)(C(1.0))
    assert float(tf.function(f)(C(-2.0))) == 2.0


def test_do_not_convert():
    @tf.autograph.experimental.do_not_convert
    def helper(x):
        if x > 0:
            return x
        return -x

    @tf.function
    def f(x):
        return helper(x)

    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError):
        f(C(1.0))
    assert helper(3) == 3
    assert tf.autograph.do_not_convert is tf.autograph.experimental.do_not_convert


def _user_abs(x):
    if x < 0:
        return -x
    return x


def test_user_functions_called_are_converted_recursively():
    def middle(x):
        return _user_abs(x) * 2.0

    @tf.function
    def f(x):
        return middle(x) + _user_abs(x - 10.0)

    assert float(f(C(-3.0))) == 6.0 + 13.0


def test_library_functions_are_not_converted():
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return np.add(1, 2) + tf.reduce_sum(tf.nest.map_structure(lambda t: t * 2.0, [x])[0])

    assert float(f(C(1.5))) == 6.0
    from eagerflow.autograph import api
    assert api._converted_target(tf.reduce_sum) is None
    assert api._converted_target(np.add) is None
    assert api._converted_target(print) is None


def test_methods_closures_defaults_and_globals():
    scale = 3.0

    class Counter:
        def __init__(self):
            self.offset = tf.constant(1.0)

        def apply(self, x, times=2):
            global COUNTER
            COUNTER += 1
            for _ in tf.range(times):
                if x > 0:
                    x = x * scale + self.offset
            return x

    c = Counter()
    f = tf.function(c.apply)
    assert float(f(C(1.0))) == 13.0  # (1 * 3 + 1) * 3 + 1
    assert COUNTER == 1
    assert float(f(C(-1.0), 5)) == -1.0


def test_nonlocal_state_and_nested_functions():
    def make():
        count = 0

        def inner(x):
            nonlocal count
            count += 1
            while x < 10:
                x = x * 2
            return x
        return inner, lambda: count

    inner, read = make()
    assert int(tf.function(inner)(C(3))) == 12
    assert read() == 1


def test_super_in_converted_method():
    class Base:
        def scale(self, x):
            return x * 2.0

    class Child(Base):
        def scale(self, x):
            if x > 0:
                x = super().scale(x)
            return x

    assert float(tf.function(Child().scale)(C(2.0))) == 4.0


def test_lambdas_are_converted_when_alone_on_their_line():
    @tf.function
    def f(x):
        pick = lambda v: v * 2.0 if v > 0 else -v  # noqa: E731
        return pick(x)

    assert float(f(C(-4.0))) == 4.0


def test_builtins_on_tensors():
    @tf.function
    def f(x, n):
        total = 0
        for i in range(n):
            total += i
        return total + len(x), int(tf.reduce_sum(x)), float(n), max(n, 3), min(n, 3)

    total, as_int, as_float, hi, lo = f(C([1.0, 2.5]), C(4))
    assert int(total) == 8 and int(as_int) == 3 and as_float.dtype == tf.float32 and float(as_float) == 4.0
    assert int(hi) == 4 and int(lo) == 3


def test_print_in_a_tensor_loop_prints_each_run(capsys):
    @tf.function
    def f(n):
        for i in tf.range(n):
            print("step", i)
        return n

    f(C(2))
    f(C(3))
    out = capsys.readouterr().out
    assert out.count("step") == 5
    assert "step 2" in out


def test_source_unavailable_runs_as_written(caplog):
    namespace = {}
    exec("def f(x):\n    return x * 2.0\n", {"tf": tf}, namespace)  # noqa: S102 - no source file
    with caplog.at_level("WARNING", logger="eagerflow"):
        assert float(tf.function(namespace["f"])(C(2.0))) == 4.0
    assert "could not transform" in caplog.text


def test_conversion_is_cached():
    from eagerflow.context import settings

    def f(x):
        if x > 0:
            x = x + 1
        return x

    tf.function(f)(C(1))
    first = settings.autograph_cache[f]
    tf.function(f)(C(2))
    assert settings.autograph_cache[f] is first


class _Countdown:
    """An iterable that runs AutoGraph loops itself (the `_autograph_for` protocol tf.data uses)."""

    def __init__(self, n):
        self.n = n
        self.hooked = 0

    def __iter__(self):
        return iter(range(self.n, 0, -1))

    def _autograph_for(self, body, extra_test=None):
        self.hooked += 1
        for x in self:
            if extra_test is not None and not extra_test():
                break
            body(tf.constant(x))


def test_for_over_an_object_with_the_autograph_for_protocol():
    items = _Countdown(4)

    @tf.function
    def f(limit):
        total = tf.constant(0)
        for x in items:
            if total > limit:  # a tensor-dependent break: the rest runs under tf.cond
                break
            total += x
        return total

    assert int(f(C(100))) == 10
    assert int(f(C(5))) == 7  # 4 + 3, then 7 > 5 stops the loop
    assert items.hooked == 1  # traced once: the loop over it is built into the graph


def test_for_over_a_dataset():
    ds = tf.data.Dataset.range(5)

    @tf.function
    def f(scale):
        total = tf.constant(0, tf.int64)
        for x in ds:
            total += x * scale
        return total

    assert int(f(tf.constant(2, tf.int64))) == 20


def test_attributes_assigned_in_tensor_control_flow_are_state():
    class Acc:
        def __init__(self):
            self.total = tf.constant(0)

        def run(self, n):
            for i in tf.range(n):
                if i > 1:
                    self.total = self.total + i
            return self.total

    assert int(tf.function(Acc().run)(C(5))) == 9
    assert "ag__.attr_value(self, 'total'" in tf.autograph.to_code(Acc.run)


def test_a_tensor_loop_condition_cannot_assign():
    def f(n):
        count = 0
        while (n := n - 1) > 0:
            count += 1
        return count

    assert f(5) == 4  # Python semantics when the condition is not a tensor
    assert tf.autograph.to_graph(f)(5) == 4
    from eagerflow.autograph.operators import AutoGraphError
    with pytest.raises(AutoGraphError, match=r"condition of a tensor-dependent while loop cannot assign .*\(n\)"):
        tf.function(f)(C(5))
