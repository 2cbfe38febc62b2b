"""The graph IR: operations, symbolic tensors, lookups, GraphDef, printing, lint, static values."""
import numpy as np
import pytest

import eagerflow as tf
from eagerflow.graph import FuncGraph
from eagerflow.graph.lint import LintError


def _graph(fn, *specs):
    return tf.function(fn).get_concrete_function(*specs).graph


def test_operations_tensors_and_lookups():
    g = _graph(lambda x, w: tf.matmul(x, w, transpose_b=True) + 1.0,
               tf.TensorSpec([None, 3], name="x"), tf.TensorSpec([4, 3], name="w"))
    assert isinstance(g, tf.Graph) and isinstance(g, FuncGraph)
    ops = g.get_operations()
    assert [op.type for op in ops] == ["Placeholder", "Placeholder", "MatMul", "Const", "AddV2"]
    mm = g.get_operation_by_name("MatMul")
    assert mm.get_attr("transpose_b") is True and mm.get_attr("transpose_a") is False
    assert [t.name for t in mm.inputs] == ["x:0", "w:0"]
    out = mm.outputs[0]
    assert out.name == "MatMul:0" and out.op is mm and out.graph is g and out.value_index == 0
    assert out.shape.as_list() == [None, 4] and out.dtype == tf.float32
    assert g.get_tensor_by_name("add:0") is ops[-1].outputs[0]  # `+` names its node "add", as TF
    assert [c.name for c in out.consumers()] == ["add"] and g.users(out) == out.consumers()
    assert repr(mm) == "<tf.Operation 'MatMul' type=MatMul>"
    assert mm.control_inputs == () and mm.values() == mm.outputs
    with pytest.raises(ValueError, match="Operation 'MatMul' has no attr named 'perm'."):
        mm.get_attr("perm")
    with pytest.raises(KeyError, match="refers to an Operation not in the graph"):
        g.get_operation_by_name("nope")
    with pytest.raises(ValueError, match="Tensor names must be of the form"):
        g.get_tensor_by_name("MatMul")
    with pytest.raises(KeyError, match="only has 1 outputs"):
        g.get_tensor_by_name("MatMul:1")


def test_names_are_unique_and_follow_name_scopes():
    def f(x):
        with tf.name_scope("block"):
            y = x + 1.0
            y = y + 2.0
        return y + 3.0

    names = [op.name for op in _graph(f, tf.TensorSpec([2])).get_operations()]
    assert names == ["x", "block/add/Const", "block/add", "block/add_1/Const", "block/add_1", "add/Const", "add"]


def test_source_line_of_each_node():
    def f(x):
        y = x * 2.0  # the Mul line
        return y

    g = _graph(f, tf.TensorSpec([]))
    mul = g.get_operation_by_name("mul")
    path, line, func = mul.source
    assert path.endswith("test_ir.py") and func == "f"
    with open(path) as fh:
        assert "the Mul line" in fh.readlines()[line - 1]
    assert mul.traceback_text == f'File "{path}", line {line}, in f'


def test_graph_def_is_a_plain_record():
    g = _graph(lambda x: tf.reshape(x, [3, 2]), tf.TensorSpec([2, 3], name="x"))
    gd = g.as_graph_def()
    assert [n.op for n in gd.node] == ["Placeholder", "Reshape"]
    ph, rs = gd.node
    assert ph.name == "x" and ph.input == [] and ph.attr == {"dtype": tf.float32, "shape": (2, 3)}
    assert rs.input == ["x"] and rs.attr == {"shape": (3, 2)}
    assert g.get_operation_by_name("Reshape").node_def.name == "Reshape"
    text = str(gd)
    assert 'op: "Reshape"' in text and 'input: "x"' in text


def test_pretty_listing():
    v = tf.Variable([1.0, 2.0, 3.0])

    def f(x, w):
        a, b = tf.unstack(tf.stack([x, x]))
        v.assign_add(a)
        return tf.matmul(tf.reshape(b, [1, 3]), w) + v[0]

    g = _graph(f, tf.TensorSpec([3], name="x"), tf.TensorSpec([3, None], name="w"))
    assert str(g) == g.pretty() == "\n".join([
        "graph f(%x: float32[3], %w: float32[3,None], %Variable: resource[]) {",
        "  %0 = Pack(%x, %x) {axis=0} : float32[2,3]",
        "  %1, %2 = Unpack(%0) {num=2, axis=0} : float32[3], float32[3]",
        "  AssignAddVariableOp(%Variable, %1)",
        "  %3 = Reshape(%2) {shape=(1, 3)} : float32[1,3]",
        "  %4 = MatMul(%3, %w) {transpose_a=False, transpose_b=False} : float32[1,None]",
        "  %5 = ReadVariableOp(%Variable) : float32[3]",
        "  %6 = StridedSlice(%5) {begin=(0,), end=(1,), strides=(1,), begin_mask=0, end_mask=0, ellipsis_mask=0, "
        "new_axis_mask=0, shrink_axis_mask=1} : float32[]",
        "  %7 = AddV2(%4, %6) : float32[1,None]",
        "  return %7",
        "}"])
    assign_line = f.__code__.co_firstlineno + 2
    assert g.pretty(source=True).splitlines()[3].endswith(f"AssignAddVariableOp(%Variable, %1)  # test_ir.py:{assign_line}")


def test_constants_print_inline_when_small():
    def f():
        return tf.constant([1, 2, 3]), tf.zeros([10]), tf.constant("a")

    text = str(_graph(f))
    assert "%0 = Const {value=[1, 2, 3]} : int32[3]" in text
    assert "%1 = Const {value=<float32[10]>} : float32[10]" in text
    assert "%2 = Const {value=b'a'} : string[]" in text
    assert text.endswith("  return %0, %1, %2\n}")


def test_tf1_style_graph_building():
    g = tf.Graph()
    with g.as_default():
        assert not tf.executing_eagerly()
        c = tf.constant([1.0, 2.0])
        d = c * 3.0
    assert tf.executing_eagerly()
    assert [op.type for op in g.get_operations()] == ["Const", "Const", "Mul"]
    assert d.graph is g and tf.get_static_value(d).tolist() == [3.0, 6.0]
    assert str(g).startswith("graph() {\n  %0 = Const")
    other = tf.Graph()
    with other.as_default():
        with pytest.raises(tf.errors.InaccessibleTensorError, match="must be from the same graph"):
            d + 1.0


def test_lint_accepts_traced_graphs_and_reports_broken_ones():
    g = _graph(lambda x: tf.reduce_sum(x * x, axis=0), tf.TensorSpec([None, 2]))
    assert g.lint() is g
    mul = g.get_operation_by_name("mul")
    mul.outputs[0]._dtype = tf.float64          # break the dtype rule
    g._ops.reverse()                             # and program order
    with pytest.raises(LintError) as info:
        g.lint()
    text = str(info.value)
    assert "node mul (Mul): output 0 has dtype float64, rule says float32" in text
    assert "used before it is defined" in text
    assert isinstance(info.value, ValueError)


def test_lint_replays_shape_rules():
    g = _graph(lambda x: tf.matmul(x, x), tf.TensorSpec([2, 2]))
    g.get_operation_by_name("MatMul").outputs[0]._shape = tf.TensorShape([2, 3])
    with pytest.raises(LintError, match=r"output 0 has shape \[2,3\], rule says \[2,2\]"):
        g.lint()


def test_set_shape_refines_static_shape():
    def f(x):
        y = x * 2.0
        y.set_shape([4, None])
        assert y.shape.as_list() == [4, None]
        with pytest.raises(ValueError):
            y.set_shape([5, 3])
        return y

    _graph(f, tf.TensorSpec([None, None]))


def test_get_static_value():
    seen = {}

    def f(x):
        seen["const"] = tf.get_static_value(tf.constant([1, 2]))
        seen["shape"] = tf.get_static_value(tf.shape(x))
        seen["size"] = tf.get_static_value(tf.size(x))
        seen["rank"] = tf.get_static_value(tf.rank(x))
        seen["computed"] = tf.get_static_value(tf.constant(2.0) * 3.0 + 1.0)
        seen["placeholder"] = tf.get_static_value(x)
        seen["random"] = tf.get_static_value(tf.random.uniform([2]))
        seen["partial"] = tf.get_static_value(tf.shape(x[0:1]) * 0)
        return x

    tf.function(f).get_concrete_function(tf.TensorSpec([2, 3], tf.float32))
    assert seen["const"].tolist() == [1, 2]
    assert seen["shape"].tolist() == [2, 3] and seen["shape"].dtype == np.int32
    assert seen["size"] == 6 and seen["rank"] == 2
    assert seen["computed"] == np.float32(7.0)
    assert seen["placeholder"] is None and seen["random"] is None
    assert seen["partial"].tolist() == [0, 0]
    tf.function(f).get_concrete_function(tf.TensorSpec([None, 3], tf.float32))
    assert seen["shape"] is None and seen["rank"] == 2


def test_shape_inference_failure_names_the_op():
    def f(x, y):
        return tf.matmul(x, y)

    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Matrix size-incompatible.*\[Op:MatMul\]"):
        _graph(f, tf.TensorSpec([2, 3]), tf.TensorSpec([4, 5]))


def test_nested_function_graphs_as_attributes():
    """The mechanism control flow builds on: a node whose attributes are FuncGraphs it runs."""
    from eagerflow.graph.execute import compile_function_graph
    from eagerflow.graph.trace import trace_flat
    from eagerflow.primitive import Primitive, bind

    def kernel(pred, *args, then_graph, else_graph):
        return compile_function_graph(then_graph if pred else else_graph).run(*args)

    toy_if = Primitive("ToyIf", kernel, dtype_rule=lambda *d, then_graph, else_graph: [t.dtype for t in then_graph.outputs],
                       shape_rule=lambda *s, then_graph, else_graph: [t.shape.as_tuple() for t in then_graph.outputs],
                       multiple_results=True, register=False)
    scale = tf.constant(10.0)

    def f(p, x):
        spec = [tf.TensorSpec(x.shape, x.dtype)]
        then_graph = trace_flat(lambda a: a * scale, spec, "then")   # captures an eager tensor
        else_graph = trace_flat(lambda a: -a, spec, "else")
        (out,) = bind(toy_if, p, x, then_graph=then_graph, else_graph=else_graph)
        return out + 1.0

    fn = tf.function(f)
    x = tf.constant([1.0, 2.0])
    assert fn(tf.constant(True), x).numpy().tolist() == [11.0, 21.0]
    assert fn(tf.constant(False), x).numpy().tolist() == [0.0, -1.0]
    cf = fn.get_concrete_function(tf.constant(True), x)
    assert cf.graph.get_operation_by_name("ToyIf").get_attr("then_graph").outer_graph is cf.graph
    cf.graph.lint()
    text = str(cf.graph)
    assert "%0 = ToyIf(%p, %x) {then_graph=<graph then>, else_graph=<graph else>} : float32[2]" in text
    assert "  graph then(%arg0: float32[2], %capture: float32[]) {\n    %0 = Mul(%arg0, %capture)" in text
    assert fn.experimental_get_tracing_count() == 1
