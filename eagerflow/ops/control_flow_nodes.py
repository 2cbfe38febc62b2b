"""Control-flow nodes: `If`/`StatelessIf`, `Case`/`StatelessCase`, `While`/`StatelessWhile`.

Each node holds sub-graphs in its attributes (`then_branch`/`else_branch`, `branches`,
`cond`/`body`; see `graph/subgraph.py`); the values those sub-graphs capture are ordinary inputs
of the node, after its own operands. The `Stateless*` op types are used when no sub-graph has a
stateful node (TF's rule): they may be merged by CSE and removed when unused.

Gradients follow the graph of the forward node:

- **If/Case**: the gradient is another If/Case on the same selector whose branches replay the
  forward branch under a GradientTape and return d(inputs) (zeros where a branch does not use an
  input, so both branches agree). It is itself a differentiable If, so higher orders work.
- **While**: a loop recorded by a tape keeps the loop variables each iteration starts with (extra
  outputs stacking them, see below). The gradient is a second While running backwards over that
  history: each step replays the body for that iteration's values under a tape and maps
  d(outputs) to d(inputs); gradients of captured values are summed over the iterations. The
  backward loop is an ordinary differentiable While, so higher orders work too.

Variables used inside sub-graphs are captured as resource handles. Gradients and gradient
replays treat them as values ("functionalized"): the variable's value becomes an input, reads
inside the branch read it, and the gradient with respect to it is the variable's gradient.
Sub-graph nodes with side effects that gradients must not repeat (prints, assertions) are skipped
in gradient replays; random draws inside differentiated control flow are refused with a clear
error (replaying them would draw new values).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..autodiff.tape import GradientTape
from ..context import _state, tapes_paused
from ..graph import loops as _loops
from ..graph.replay import VariableSimulation, replay, stateful_nodes
from ..graph.subgraph import SubGraph, align_captures, node_inputs, trace_subgraph
from ..graph.trace import is_variable
from ..primitive import Primitive, bind, record
from ..tensor import constant
from ..tensor_spec import TensorSpec
from . import array as _array, math as _math
from .tensor_array import get_item_p
from . import rules as R

__all__ = ["if_p", "stateless_if_p", "case_p", "stateless_case_p", "while_p", "stateless_while_p",
           "ControlFlowPrimitive", "bind_node", "merge_shapes", "if_node", "case_node", "while_node"]


class ControlFlowPrimitive(Primitive):
    """A primitive whose attributes hold sub-graphs.

    `replay(inputs, attrs, sim)` re-applies such a node while a graph is replayed (inlining a
    function, or a gradient replay with simulated variables): inputs may hold Variable objects
    for the captured resource handles.
    """

    __slots__ = ("replay",)

    def __init__(self, name, kernel, *, replay, **kwargs):
        super().__init__(name, kernel, multiple_results=True, **kwargs)
        self.replay = replay


# ---- shapes and binding ------------------------------------------------------------------------------

def merge_shapes(*shapes):
    """The most specific shape all of `shapes` (tuples with None dims, or None) are instances of."""
    first = shapes[0]
    if first is None or any(s is None or len(s) != len(first) for s in shapes[1:]):
        return None
    return tuple(d if all(s[i] == d for s in shapes[1:]) else None for i, d in enumerate(first))


def bind_node(prim, operands, externals, attrs):
    """Adds a control-flow node: `operands`, then the sub-graphs' captured `externals`.

    Tapes record the node with the externals as given (variables as themselves, so their
    gradient reaches the variable); a variable used inside counts as read, as it would eagerly.
    """
    st = _state
    ins = list(operands) + node_inputs(externals)
    if not st.tapes or prim.grad is None:
        return bind(prim, *ins, **attrs)
    for e in externals:
        if is_variable(e):
            e.value()  # recorded as a read: tapes watch trainable variables used in a branch or body
    with tapes_paused():
        outs = bind(prim, *ins, **attrs)
    record(st.tapes, prim, tuple(operands) + tuple(externals), attrs, outs)
    return outs


def _spec(t) -> TensorSpec:
    return TensorSpec(t.shape, t.dtype)


def distinct(tensors) -> list:
    """`tensors` with repeats replaced by identities, so each can become its own captured input."""
    seen, out = set(), []
    for t in tensors:
        if id(t) in seen:
            t = _array.identity(t)
        seen.add(id(t))
        out.append(t)
    return out


# ---- If / Case ---------------------------------------------------------------------------------------

def _if_kernel(pred, *args, then_branch, else_branch):
    return (then_branch if pred else else_branch).runner()(*args)


def _if_dtypes(pred, *ins, then_branch, else_branch):
    if pred is not _dt.bool:
        R.fail("If", f"Input 'pred' passed {R.tf_name(pred)} expected bool")
    return [t.dtype for t in then_branch.outputs]


def _if_shapes(pred, *ins, then_branch, else_branch):
    if pred is not None and len(pred) != 0:
        R.fail("If", f"pred must be a scalar, got shape {list(pred)}")
    return [merge_shapes(a.shape.as_tuple(), b.shape.as_tuple())
            for a, b in zip(then_branch.outputs, else_branch.outputs)]


def _case_kernel(index, *args, branches):
    i = int(index)
    if not 0 <= i < len(branches):
        i = len(branches) - 1  # out of range: the default (last) branch, as TF
    return branches[i].runner()(*args)


def _case_dtypes(index, *ins, branches):
    if index not in (_dt.int32, _dt.int64):
        R.fail("Case", f"Input 'branch_index' passed {R.tf_name(index)} expected int32")
    return [t.dtype for t in branches[0].outputs]


def _case_shapes(index, *ins, branches):
    if index is not None and len(index) != 0:
        R.fail("Case", f"branch_index must be a scalar, got shape {list(index)}")
    return [merge_shapes(*[b.outputs[j].shape.as_tuple() for b in branches])
            for j in range(len(branches[0].outputs))]


def _branch_list(attrs) -> list:
    return list(attrs["branches"]) if "branches" in attrs else [attrs["then_branch"], attrs["else_branch"]]


def _with_branches(attrs, branches) -> dict:
    if "branches" in attrs:
        return {**attrs, "branches": tuple(branches)}
    return {**attrs, "then_branch": branches[0], "else_branch": branches[1]}


def _branch_prim(stateless_prim, stateful_prim, branches):
    return stateful_prim if any(b.stateful for b in branches) else stateless_prim


def _branches_node(kind: str, selector, branches, externals):
    """Binds an If (kind "if") or Case node over aligned `branches`; returns its outputs."""
    if kind == "if":
        prim = _branch_prim(stateless_if_p, if_p, branches)
        attrs = {"then_branch": branches[0], "else_branch": branches[1]}
    else:
        prim = _branch_prim(stateless_case_p, case_p, branches)
        attrs = {"branches": tuple(branches)}
    return bind_node(prim, [selector], externals, attrs)


def if_node(pred, branches, externals):
    return _branches_node("if", pred, branches, externals)


def case_node(index, branches, externals):
    return _branches_node("case", index, branches, externals)


def _wants_grad(x) -> bool:
    if is_variable(x):
        return x.dtype.is_differentiable and x.trainable
    return x.dtype.is_differentiable


def _branches_grad(gs, outs, selector, *inputs, **attrs):
    """Gradient of If/Case: the same selector picks a branch replaying the forward one under a tape."""
    branches = _branch_list(attrs)
    diff_in = [k for k, x in enumerate(inputs) if _wants_grad(x)]
    diff_out = [j for j, o in enumerate(outs) if o.dtype.is_differentiable and gs[j] is not None]
    if not diff_in or not diff_out:
        return (None,) * (len(inputs) + 1)
    values = [x.value() if is_variable(x) else x for x in inputs]
    gys = [gs[j] for j in diff_out]
    specs = [_spec(v) for v in values] + [TensorSpec(outs[j].shape, outs[j].dtype) for j in diff_out]
    grads = []
    for i, b in enumerate(branches):
        fn = _BranchGradient(b, inputs, diff_in, diff_out)
        g, result = trace_subgraph(fn, specs, f"{b.name}_grad")
        g.outputs = list(result)
        grads.append(g)
    externals = distinct(values + gys)
    # The traced gradient branches take (forward inputs, output gradients) as arguments: make
    # them captures of the new node in that order by aligning argument lists.
    grad_branches = [_args_as_captures(g, externals) for g in grads]
    shared = align_captures(grad_branches)
    kind = "case" if "branches" in attrs else "if"
    res = _branches_node(kind, selector, grad_branches, shared)
    out = [None] * len(inputs)
    for k, r in zip(diff_in, res):
        out[k] = r
    return (None,) + tuple(out)


def _args_as_captures(g: SubGraph, externals) -> SubGraph:
    """Turns `g`'s arguments into captures of `externals` (so align_captures can merge them)."""
    order = list(zip(externals, g.inputs[:g.n_args])) + list(g._capture_order)
    g._capture_order = order
    g.n_args = 0
    g.inputs = [i for _, i in order]
    return g


class _BranchGradient:
    """d(inputs) of one forward branch, traced into a gradient branch."""

    def __init__(self, branch, inputs, diff_in, diff_out):
        self.branch, self.inputs, self.diff_in, self.diff_out = branch, inputs, diff_in, diff_out

    def __call__(self, *flat):
        n = len(self.inputs)
        xs, gys = flat[:n], flat[n:]
        with GradientTape(persistent=True) as tape:
            for k in self.diff_in:
                tape.watch(xs[k])
            outs, sim = functional_replay(self.branch, self.inputs, xs, tape)
        sources = [sim.versions[id(self.inputs[k])] if is_variable(self.inputs[k]) else [xs[k]]
                   for k in self.diff_in]
        grads = tape.gradient([outs[j] for j in self.diff_out], [s for group in sources for s in group],
                              output_gradients=list(gys))
        result, pos = [], 0
        for k, group in zip(self.diff_in, sources):
            parts = [d for d in grads[pos:pos + len(group)] if d is not None]
            pos += len(group)
            if not parts:
                result.append(_array.zeros_like(xs[k]))
            else:
                result.append(parts[0] if len(parts) == 1 else _math.add_n(parts))
        return result


# ---- replays: re-applying a sub-graph with variables as values --------------------------------------

_SKIPPED_IN_REPLAY = frozenset(["PrintV2", "Assert"])


def _replay_saved(graph) -> list:
    """Stand-ins for the stateful nodes a gradient replay must not run again (prints, assertions)."""
    saved = []
    for op in stateful_nodes(graph):
        if op.type not in _SKIPPED_IN_REPLAY:
            where = f" (created at {op.source[0]}:{op.source[1]})" if op.source else ""
            raise NotImplementedError(
                f"Cannot differentiate through the stateful op {op.type} inside tf.cond/tf.while_loop{where}: "
                "replaying it for the gradient would not reproduce its values. Compute it outside the control "
                "flow and pass the result in.")
        saved.extend(constant(np.zeros(_zero_dims(o), o.dtype._np), o.dtype) for o in op.outputs)
    return saved


def _zero_dims(t):
    dims = t.shape.as_tuple()
    return () if dims is None else tuple(0 if d is None else d for d in dims)


class _ValueSimulation:
    """Variable values inside a functionalized sub-graph (no tape: the node's own gradient handles it)."""

    def __init__(self, initial: dict):
        self.current = dict(initial)
        self.assigned: list = []

    def read(self, var):
        return self.current[id(var)]

    def assign(self, var, kind: str, value) -> None:
        old = self.current[id(var)]
        new = value if kind == "assign" else _math.add(old, value) if kind == "assign_add" \
            else _math.subtract(old, value)
        if new.shape.as_tuple() != old.shape.as_tuple() and old.shape.is_fully_defined():
            new = _array.broadcast_to(new, old.shape.as_list())
        self.current[id(var)] = new
        if all(v is not var for v in self.assigned):
            self.assigned.append(var)


def functional_replay(graph, inputs, xs, tape=None):
    """Replays `graph` with `xs` as its input values; where `inputs` holds a Variable, the graph's
    resource input stands for it and its reads see the matching value of `xs`.

    Returns (outputs, simulation). With `tape`, assignments create watched versions (as
    `VariableSimulation` does for function gradients).
    """
    feeds, initial = [], {}
    for x, v in zip(inputs, xs):
        if is_variable(x):
            feeds.append(x)
            initial[id(x)] = v
        else:
            feeds.append(v)
    sim = VariableSimulation(tape, initial) if tape is not None else _ValueSimulation(initial)
    outs = replay(graph, feeds, _replay_saved(graph), sim)
    return outs, sim


def _values_of(ins, sim):
    return [(sim.read(x) if sim is not None else x.value()) if is_variable(x) else x for x in ins]


def _branches_replay(ins, attrs, sim):
    """Re-applies an If/Case during a replay: variables become value inputs of new branches."""
    selector, rest = ins[0], list(ins[1:])
    kind = "case" if "branches" in attrs else "if"
    if sim is None:  # inlining: variables are captured again as handles of the current graph
        return _branches_node(kind, selector, _branch_list(attrs), rest)
    values = distinct(_values_of(rest, sim))
    branches = _branch_list(attrs)
    traced = []
    for b in branches:
        g, result = trace_subgraph(_FunctionalBranch(b, rest), [_spec(v) for v in values], f"{b.name}_fn")
        traced.append((g, result))
    assigned = []
    for _, (outs, local) in traced:
        for var in local.assigned:
            if all(v is not var for v in assigned):
                assigned.append(var)
    new_branches = []
    for (g, (outs, local)), b in zip(traced, branches):
        g.outputs = list(outs) + [local.current[id(v)] for v in assigned]
        new_branches.append(_args_as_captures(g, values))
    shared = align_captures(new_branches)
    res = _branches_node(kind, selector, new_branches, shared)
    n = len(res) - len(assigned)
    for var, value in zip(assigned, res[n:]):
        sim.assign(var, "assign", value)
    return res[:n]


class _FunctionalBranch:
    def __init__(self, graph, inputs):
        self.graph, self.inputs = graph, inputs

    def __call__(self, *xs):
        return functional_replay(self.graph, self.inputs, xs)


if_p = ControlFlowPrimitive("If", _if_kernel, dtype_rule=_if_dtypes, shape_rule=_if_shapes,
                            grad=_branches_grad, stateful=True, replay=_branches_replay)
stateless_if_p = ControlFlowPrimitive("StatelessIf", _if_kernel, dtype_rule=_if_dtypes, shape_rule=_if_shapes,
                                      grad=_branches_grad, replay=_branches_replay)
case_p = ControlFlowPrimitive("Case", _case_kernel, dtype_rule=_case_dtypes, shape_rule=_case_shapes,
                              grad=_branches_grad, stateful=True, replay=_branches_replay)
stateless_case_p = ControlFlowPrimitive("StatelessCase", _case_kernel, dtype_rule=_case_dtypes,
                                        shape_rule=_case_shapes, grad=_branches_grad, replay=_branches_replay)


# ---- While --------------------------------------------------------------------------------------------
#
# A While node recorded by a tape keeps its history: for each loop variable of fully known shape, one
# extra output stacking the values it had at the start of every iteration (an ordinary dense tensor,
# so the backward loop that reads it is itself differentiable: higher-order gradients), and, when
# some variable's shape varies across iterations, a `variant` output listing them all.

def _stackable(body) -> list:
    """Per loop variable: is its history kept as one dense [iterations, *shape] tensor?"""
    return [t.shape.is_fully_defined() and t.dtype not in (_dt.variant, _dt.resource)
            for t in body.inputs[:body.n_args]]


def _while_kernel(*args, cond, body, keep_history):
    out = _loops.run_while(cond, body, args, keep_history)
    if not keep_history:
        return out
    n = body.n_args
    history = out[n]
    flags = _stackable(body)
    stacked = []
    for k, t in enumerate(body.inputs[:n]):
        if flags[k]:
            rows = [h[k] for h in history]
            stacked.append(np.stack(rows) if rows else np.zeros((0,) + t.shape.as_tuple(), t.dtype._np))
    return tuple(out[:n]) + tuple(stacked) + (() if all(flags) else (history,))


def _while_dtypes(*ins, cond, body, keep_history):
    out = [t.dtype for t in body.inputs[:body.n_args]]
    if not keep_history:
        return out
    flags = _stackable(body)
    return out + [d for d, f in zip(out, flags) if f] + ([] if all(flags) else [_dt.variant])


def _while_shapes(*ins, cond, body, keep_history):
    out = [t.shape.as_tuple() for t in body.inputs[:body.n_args]]
    if not keep_history:
        return out
    flags = _stackable(body)
    return out + [(None,) + s for s, f in zip(out, flags) if f] + ([] if all(flags) else [()])


def while_node(loop_vars, cond_graph, body_graph, externals):
    """Binds a While node over aligned `cond_graph`/`body_graph`; returns the final loop variables.

    A tape recording the node makes it keep its per-iteration history (for its gradient).
    """
    stateful = cond_graph.stateful or body_graph.stateful
    prim = while_p if stateful else stateless_while_p
    attrs = {"cond": cond_graph, "body": body_graph, "keep_history": bool(_state.tapes)}
    outs = bind_node(prim, loop_vars, externals, attrs)
    return list(outs[:len(loop_vars)])


def _history_read_kernel(history, k, *, index, dtype, shape):
    return history[int(k)][index]


history_read_p = Primitive("WhileHistoryRead", _history_read_kernel, dtype_rule=lambda h, k, **a: a["dtype"],
                           shape_rule=lambda h, k, **a: a["shape"], register=False)
history_size_p = Primitive("WhileHistorySize", lambda h: np.array(len(h), dtype=np.int32),
                           dtype_rule=lambda h: _dt.int32, shape_rule=lambda h: (), register=False)


class _History:
    """Where one backward loop reads the forward loop's per-iteration values."""

    def __init__(self, body, outs, gs):
        n = body.n_args
        self.flags = _stackable(body)
        self.stacked, self.g_stacked, pos = {}, {}, n
        for k, f in enumerate(self.flags):
            if f:
                self.stacked[k] = outs[pos]
                g = gs[pos] if pos < len(gs) else None
                if g is not None and g.op.type != "ZerosLike":  # the history's own gradient (higher order)
                    self.g_stacked[k] = g
                pos += 1
        self.variant = None if all(self.flags) else outs[pos]
        self.specs = [_spec(t) for t in body.inputs[:n]]

    def count(self):
        if self.stacked:
            return _array.shape(next(iter(self.stacked.values())))[0]
        return bind(history_size_p, self.variant)

    def read(self, i) -> list:
        return [bind(get_item_p, self.stacked[k], i) if k in self.stacked else
                bind(history_read_p, self.variant, i, index=k, dtype=s.dtype, shape=s.shape.as_tuple())
                for k, s in enumerate(self.specs)]


def _while_grad(gs, outs, *inputs, cond, body, keep_history):
    if not keep_history:
        raise RuntimeError("internal error: a While node recorded by a tape kept no history")
    if any(op.prim is history_read_p for op in body.get_operations()):
        raise NotImplementedError("Second-order gradients through a tf.while_loop whose loop variables change "
                                  "shape across iterations are not supported (their per-iteration values are not "
                                  "kept as differentiable tensors).")
    n = body.n_args
    history = _History(body, outs, gs)
    var_specs = history.specs
    extern = list(inputs[n:])
    diff_vars = [k for k in range(n) if var_specs[k].dtype.is_differentiable
                 and (gs[k] is not None or k in history.g_stacked)]
    diff_ext = [k for k, x in enumerate(extern) if _wants_grad(x)]
    if not diff_vars:
        return (None,) * len(inputs)
    ext_values = [x.value() if is_variable(x) else x for x in extern]
    step = _ReverseStep(body, history, extern, ext_values, diff_vars, diff_ext)
    g_final = [gs[k] if gs[k] is not None else _array.zeros_like(outs[k]) for k in diff_vars]
    init = [_math.subtract(history.count(), 1)] + g_final + [_array.zeros_like(ext_values[k]) for k in diff_ext]
    specs = [TensorSpec((), _dt.int32)] + [var_specs[k] for k in diff_vars] + [_spec(ext_values[k])
                                                                               for k in diff_ext]
    cg, c_out = trace_subgraph(lambda i, *rest: _math.greater_equal(i, 0), specs, f"{body.name}_grad_cond")
    cg.outputs = [c_out]
    bg, b_out = trace_subgraph(step, specs, f"{body.name}_grad")
    bg.outputs = list(b_out)
    shared = align_captures([cg, bg])
    res = while_node(init, cg, bg, shared)
    out = [None] * len(inputs)
    for pos, k in enumerate(diff_vars):
        out[k] = res[1 + pos]
    for pos, k in enumerate(diff_ext):
        out[n + k] = res[1 + len(diff_vars) + pos]
    return tuple(out)


class _ReverseStep:
    """One backward iteration: d(loop vars at iteration i) from d(loop vars at iteration i + 1)."""

    def __init__(self, body, history, extern, ext_values, diff_vars, diff_ext):
        self.body, self.history = body, history
        self.extern, self.ext_values, self.diff_vars, self.diff_ext = extern, ext_values, diff_vars, diff_ext

    def __call__(self, i, *rest):
        nd = len(self.diff_vars)
        g_vars, acc = rest[:nd], rest[nd:]
        xs = self.history.read(i)
        inputs = [None] * len(xs) + self.extern
        values = xs + self.ext_values
        with GradientTape(persistent=True) as tape:
            for k in self.diff_vars:
                tape.watch(values[k])
            for k in self.diff_ext:
                tape.watch(values[len(xs) + k])
            outs, sim = functional_replay(self.body, inputs, values, tape)
        if any(len(v) > 1 for v in sim.versions.values()):
            raise NotImplementedError("Cannot differentiate through a tf.while_loop whose body assigns a variable.")
        sources = [values[k] for k in self.diff_vars] + [values[len(xs) + k] for k in self.diff_ext]
        grads = tape.gradient([outs[k] for k in self.diff_vars], sources, output_gradients=list(g_vars))
        grads = [_array.zeros_like(s) if g is None else g for g, s in zip(grads, sources)]
        for pos, k in enumerate(self.diff_vars):  # the history itself was used: its gradient at row i
            g_row = self.history.g_stacked.get(k)
            if g_row is not None:
                grads[pos] = _math.add(grads[pos], bind(get_item_p, g_row, i))
        new_acc = [_math.add(a, g) for a, g in zip(acc, grads[nd:])]
        return [_math.subtract(i, 1)] + grads[:nd] + new_acc


def _while_replay(ins, attrs, sim):
    """Re-applies a While during a replay (variables used in the body become value inputs)."""
    cond, body = attrs["cond"], attrs["body"]
    n = body.n_args
    loop_vars, rest = list(ins[:n]), list(ins[n:])
    if sim is None or not any(is_variable(x) for x in rest):
        return while_node(loop_vars, cond, body, rest)
    values = distinct(_values_of(rest, sim))
    specs = [_spec(t) for t in body.inputs[:n]] + [_spec(v) for v in values]
    graphs = []
    for g in (cond, body):
        fg, result = trace_subgraph(_FunctionalLoopPart(g, n, rest), specs, f"{g.name}_fn")
        fg.outputs = list(result)
        fg.n_args = n
        order = list(zip(values, fg.inputs[n:len(specs)])) + list(fg._capture_order)
        fg._capture_order = order
        fg.inputs = fg.inputs[:n] + [i for _, i in order]
        graphs.append(fg)
    shared = align_captures(graphs)
    return while_node(loop_vars, graphs[0], graphs[1], shared)


class _FunctionalLoopPart:
    def __init__(self, graph, n, extern):
        self.graph, self.n, self.extern = graph, n, extern

    def __call__(self, *xs):
        outs, local = functional_replay(self.graph, [None] * self.n + self.extern, xs)
        if local.assigned:
            raise NotImplementedError("Replaying a tf.while_loop whose body assigns a variable is not supported "
                                      "in gradients of a tf.function taken from an outer tape.")
        return outs


while_p = ControlFlowPrimitive("While", _while_kernel, dtype_rule=_while_dtypes, shape_rule=_while_shapes,
                               grad=_while_grad, stateful=True, replay=_while_replay)
stateless_while_p = ControlFlowPrimitive("StatelessWhile", _while_kernel, dtype_rule=_while_dtypes,
                                         shape_rule=_while_shapes, grad=_while_grad, replay=_while_replay)
