"""Control flow: `tf.cond`, `tf.case`, `tf.switch_case` and `tf.while_loop`.

Eagerly these run as plain Python: the predicate is read, the chosen function is called, the
loop body runs until the condition is false (a tape records the ops each call runs). While a
graph is built they add one node holding sub-graphs (`If`/`StatelessIf`, `Case`/`StatelessCase`,
`While`/`StatelessWhile`, see `control_flow_nodes.py`): every branch is traced, their outputs
must agree in structure and dtype (a clear error names the outputs and both dtypes), and shapes
that differ become unknown dimensions.

Loop variables and branch outputs may be nested structures (lists, tuples, dicts, namedtuples)
of tensors, Python numbers (converted to tensors) and composite values such as `tf.TensorArray`
(anything with `_cf_tensors()` / `_cf_rebuild(tensors)`: it travels as its component tensors).

>>> import eagerflow as tf
>>> @tf.function
... def collatz_steps(n):
...     return tf.while_loop(lambda n, i: n > 1,
...                          lambda n, i: (tf.cond(n % 2 == 0, lambda: n // 2, lambda: 3 * n + 1), i + 1),
...                          (n, 0))[1]
>>> int(collatz_steps(tf.constant(27)))
111
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .. import nest
from ..context import _state
from ..graph.subgraph import align_captures, as_output, trace_subgraph
from ..shapes import TensorShape
from ..tensor import Tensor, convert_to_tensor
from ..tensor_spec import TensorSpec
from . import control_flow_nodes as _nodes
from . import manip as _manip, math as _math, reduce as _reduce, rules as R

__all__ = ["cond", "case", "switch_case", "while_loop"]  # Assert lives with the other checks (checks.py)


# ---- composite values (TensorArray) --------------------------------------------------------------------

def _components(leaf):
    f = getattr(leaf, "_cf_tensors", None)
    return None if f is None or isinstance(leaf, type) else f()


def flatten_values(structure) -> list:
    """The leaves of `structure`, composite values replaced by their component tensors."""
    out = []
    for leaf in nest.flatten(structure):
        comps = _components(leaf)
        if comps is None:
            out.append(leaf)
        else:
            out.extend(comps)
    return out


def pack_values(structure, flat):
    """Inverse of `flatten_values`: composites are rebuilt from `structure`'s composite objects."""
    it = iter(flat)
    leaves = []
    for leaf in nest.flatten(structure):
        comps = _components(leaf)
        leaves.append(next(it) if comps is None else leaf._cf_rebuild([next(it) for _ in comps]))
    return nest.pack_sequence_as(structure, leaves)


def _describe_leaf(leaf) -> str:
    comps = _components(leaf)
    return type(leaf).__name__ if comps is not None else "None" if leaf is None else "tensor"


def _check_callable(fn, what: str) -> None:
    if not callable(fn):
        raise TypeError(f"'{what}' must be callable.")


# ---- cond / case / switch_case ---------------------------------------------------------------------------

def cond(pred, true_fn=None, false_fn=None, name=None):
    """`true_fn()` if `pred` else `false_fn()`; in a graph both are traced into one If node.

    >>> import eagerflow as tf
    >>> print(tf.cond(tf.constant(2.0) > 1.0, lambda: tf.constant(10), lambda: tf.constant(20)))
    tf.Tensor(10, shape=(), dtype=int32)
    """
    if true_fn is None:
        raise TypeError("cond(): 'true_fn' argument required")
    if false_fn is None:
        raise TypeError("cond(): 'false_fn' argument required")
    _check_callable(true_fn, "true_fn")
    _check_callable(false_fn, "false_fn")
    if _state.graph is None:
        return true_fn() if pred else false_fn()
    if isinstance(pred, bool):
        raise TypeError(("pred must not be a Python bool", pred))
    pred = _scalar_operand(pred, "pred", "If", (_dt.bool,))
    return _branches("if", pred, [true_fn, false_fn], ["true_fn", "false_fn"], "tf.cond")


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """Runs `branch_fns[branch_index]()`; an out-of-range index runs `default` (else the last branch).

    `branch_fns` is a list of callables, a list of (int, callable) pairs or a dict {int: callable}.

    >>> import eagerflow as tf
    >>> print(tf.switch_case(tf.constant(1), [lambda: tf.constant(10), lambda: tf.constant(20)]))
    tf.Tensor(20, shape=(), dtype=int32)
    """
    fns = _indexed_fns(branch_fns)
    if default is not None:
        _check_callable(default, "default")
        fns.append(default)
    if _state.graph is None:
        i = int(branch_index)
        return fns[i if 0 <= i < len(fns) else -1]()
    index = _scalar_operand(branch_index, "branch_index", "Case", (_dt.int32, _dt.int64))
    if len(fns) == 1:
        return fns[0]()
    roles = [f"branches[{i}]" for i in range(len(fns))]
    return _branches("case", index, fns, roles, "tf.switch_case")


def _indexed_fns(branch_fns) -> list:
    if isinstance(branch_fns, dict):
        branch_fns = sorted(branch_fns.items())
    branch_fns = list(branch_fns)
    if not branch_fns:
        raise ValueError("Must provide at least one item in branch_fns")
    if all(isinstance(p, (list, tuple)) and len(p) == 2 for p in branch_fns):
        keys = [k for k, _ in branch_fns]
        if keys != list(range(len(keys))):
            raise ValueError(f"branch indices (keys) must form contiguous range of [0 to {len(keys)}) but found "
                             f"{{{', '.join(map(str, sorted(keys)))}}}")
        branch_fns = [f for _, f in branch_fns]
    for i, f in enumerate(branch_fns):
        if not callable(f):
            raise TypeError(f"br_fn at index {i} is not callable (expected a callable, got {f!r})")
    return branch_fns


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """Runs the function of the first pair whose predicate is true (else `default`).

    With `exclusive=True`, more than one true predicate is an error. Without `default`, the
    last pair's function is the default and one predicate must hold.

    >>> import eagerflow as tf
    >>> x = tf.constant(5)
    >>> print(tf.case([(x < 0, lambda: tf.constant(-1)), (x > 0, lambda: tf.constant(1))],
    ...               default=lambda: tf.constant(0)))
    tf.Tensor(1, shape=(), dtype=int32)
    """
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else list(pred_fn_pairs)
    for p in pairs:
        if not (isinstance(p, (list, tuple)) and len(p) == 2):
            raise TypeError(f"Each entry in pred_fn_pairs must be a 2-tuple. Received {p!r}.")
        _check_callable(p[1], "fn")
    if default is not None:
        _check_callable(default, "default")
    preds = [convert_to_tensor(p) if not isinstance(p, Tensor) else p for p, _ in pairs]
    for p in preds:
        if p.dtype is not _dt.bool:
            raise TypeError(f"pred must be Tensor of type bool: {p.name if hasattr(p, 'name') else p}")
    fns = [f for _, f in pairs]
    checks = []
    if exclusive and len(preds) > 1:
        count = _math.add_n([_math.cast(p, _dt.int32) for p in preds])
        checks.append((_math.less_equal(count, 1), "Input error: exclusive=True: more than 1 conditions "
                       f"({', '.join(_pred_name(p) for p in preds)}) evaluated as True:"))
    if default is None:
        if not pairs:
            raise ValueError("tf.case needs a default or at least one (pred, fn) pair")
        any_true = preds[0] if len(preds) == 1 else _reduce.reduce_any(_manip.stack(preds))
        checks.append((any_true, "Input error: None of conditions evaluated as True:"))
        default = fns[-1]
    from .checks import Assert  # (checks.py builds on cond)
    for ok, message in checks:
        Assert(ok, [message, _manip.stack(preds)], summarize=len(preds))
    if not pairs:
        return default()

    def chain(i):
        if i == len(preds):
            return default()
        return cond(preds[i], fns[i], lambda: chain(i + 1))
    return chain(0)


def _pred_name(p) -> str:
    return p.name if hasattr(p, "op") else "?"


def _scalar_operand(x, what: str, op: str, dtypes) -> Tensor:
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    if x.dtype not in dtypes:
        R.fail(op, f"Input '{what}' passed {R.tf_name(x.dtype)} expected {R.tf_name(dtypes[0])}")
    rank = x.shape.rank
    if rank is not None and rank != 0:
        raise ValueError(f"{what} must be a scalar (rank 0), got shape {x.shape}")
    return x


def _trace_branch(fn, name: str, role: str, api: str):
    g, result = trace_subgraph(lambda: fn(), [], name)
    flat = flatten_values(result)
    outs = []
    for v in flat:
        if v is None:
            outs.append(None)
        else:
            outs.append(_output(g, v, f"{role} of {api}"))
    return g, result, outs


def _output(g, value, where: str):
    try:
        return as_output(g, value)
    except (TypeError, ValueError) as e:
        raise TypeError(f"The {where} returned {value!r} ({type(value).__name__}), which is not a tensor or a "
                        f"structure of tensors: {e}") from None


def _branches(kind: str, selector, fns, roles, api: str):
    prefix = "cond" if kind == "if" else "switch_case"
    traced = [_trace_branch(f, f"{prefix}_{role.replace('[', '_').strip(']')}", role, api)
              for f, role in zip(fns, roles)]
    first_g, first_res, first_outs = traced[0]
    for (g, res, outs), role in zip(traced[1:], roles[1:]):
        _check_same_outputs(api, roles[0], role, first_res, res, first_outs, outs)
    graphs = []
    for g, _, outs in traced:
        g.outputs = [o for o in outs if o is not None]
        graphs.append(g)
    externals = align_captures(graphs)
    if kind == "if":
        res = _nodes.if_node(selector, graphs, externals)
    else:
        res = _nodes.case_node(selector, graphs, externals)
    it = iter(res)
    return pack_values(first_res, [None if o is None else next(it) for o in first_outs])


def _check_same_outputs(api, role_a, role_b, res_a, res_b, outs_a, outs_b) -> None:
    head = (f"{role_a} and {role_b} arguments to {api} must have the same number, type, and overall structure "
            "of return values.")

    def fail(details):
        shown_a = pack_values(res_a, outs_a) if len(outs_a) == len(flatten_values(res_a)) else res_a
        shown_b = pack_values(res_b, outs_b) if len(outs_b) == len(flatten_values(res_b)) else res_b
        raise TypeError(f"{head}\n\n{role_a} output: {shown_a}\n{role_b} output: {shown_b}\n\n"
                        f"Error details:\n{details}")

    try:
        nest.assert_same_structure(res_a, res_b, check_types=False)
    except (TypeError, ValueError) as e:
        fail(str(e))
    for la, lb in zip(nest.flatten(res_a), nest.flatten(res_b)):
        if _describe_leaf(la) != _describe_leaf(lb):
            fail(f"{_describe_leaf(la)} and {_describe_leaf(lb)} have different types")
    for a, b in zip(outs_a, outs_b):
        if a is not None and b is not None and a.dtype is not b.dtype:
            fail(f"{a} and {b} have different types")


# ---- while_loop --------------------------------------------------------------------------------------------

def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, maximum_iterations=None, name=None):
    """Repeats `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`; in a graph, one While node.

    `loop_vars` is a tensor or a (nested) list/tuple of tensors, Python numbers and TensorArrays;
    the result has its structure. In a graph the shape of each loop variable must stay
    compatible with its `shape_invariants` entry (default: its shape before the loop).

    >>> import eagerflow as tf
    >>> i, total = tf.while_loop(lambda i, t: i < 5, lambda i, t: (i + 1, t + i), (0, 0))
    >>> print(total)
    tf.Tensor(10, shape=(), dtype=int32)
    """
    _check_callable(cond, "cond")
    _check_callable(body, "body")
    if loop_vars is None or (nest.is_nested(loop_vars) and not nest.flatten(loop_vars)):
        raise ValueError("'loop_vars' must be provided.")
    loop_vars = _tensor_leaves(loop_vars)
    if maximum_iterations is not None:
        maximum_iterations = convert_to_tensor(maximum_iterations, dtype_hint=_dt.int32)
        if maximum_iterations.shape.rank not in (None, 0):
            raise ValueError(f"maximum_iterations must be a scalar, saw shape: {maximum_iterations.shape}")
    if _state.graph is None:
        return _eager_while(cond, body, loop_vars, maximum_iterations)
    specs = _invariant_specs(loop_vars, shape_invariants)
    msgs = LoopMessages(flatten_values(loop_vars))
    flat = loop_graph(_LoopFn(cond, loop_vars, False), _LoopFn(body, loop_vars, True), flatten_values(loop_vars),
                      specs, msgs, relax=False, maximum_iterations=maximum_iterations)
    packed = pack_values(msgs.templates, flat)
    return nest.pack_sequence_as(loop_vars, nest.flatten(packed))


def _as_args(loop_vars) -> tuple:
    return tuple(loop_vars) if isinstance(loop_vars, (list, tuple)) else (loop_vars,)


def _tensor_leaves(structure):
    """Python numbers and NumPy values among the leaves become tensors (composites stay)."""
    def conv(leaf):
        if leaf is None or isinstance(leaf, Tensor) or _components(leaf) is not None:
            return leaf
        if hasattr(leaf, "_is_eagerflow_variable"):
            return leaf.value()
        return convert_to_tensor(leaf)
    return nest.map_structure(conv, structure)


def _normalize_body_output(out, loop_vars):
    if len(_as_args(loop_vars)) == 1 and not isinstance(out, (list, tuple)) and isinstance(loop_vars, (list, tuple)):
        out = type(loop_vars)([out]) if type(loop_vars) in (list, tuple) else [out]
    try:
        nest.assert_same_structure(out, loop_vars, check_types=False)
    except (TypeError, ValueError) as e:
        raise ValueError(str(e)) from None
    return out


def _eager_while(cond, body, loop_vars, maximum_iterations):
    limit = None if maximum_iterations is None else int(maximum_iterations)
    values, n = loop_vars, 0
    while (limit is None or n < limit) and cond(*_as_args(values)):
        out = _normalize_body_output(body(*_as_args(values)), loop_vars)
        values = _tensor_leaves(nest.pack_sequence_as(loop_vars, nest.flatten(out)))
        n += 1
    return values


class _LoopFn:
    """cond/body called with the loop variables packed as the user's structure (flat in, flat out)."""

    def __init__(self, fn, loop_vars, is_body: bool):
        self.fn, self.loop_vars, self.is_body = fn, loop_vars, is_body
        self.last = None

    def __call__(self, *flat):
        args = _as_args(pack_values(self.loop_vars, flat))
        out = self.fn(*args)
        if not self.is_body:
            return out
        out = _normalize_body_output(out, self.loop_vars)
        self.last = out
        return flatten_values(out), out


def _composite_specs(leaf, comps) -> list:
    specs = getattr(leaf, "_cf_specs", None)
    return specs() if specs is not None else [TensorSpec(c.shape, c.dtype) for c in comps]


def _invariant_specs(loop_vars, shape_invariants) -> list:
    """One TensorSpec per flat loop value: its shape invariant (default: its shape now)."""
    leaves = nest.flatten(loop_vars)
    if shape_invariants is None:
        shapes = [None] * len(leaves)
    else:
        shapes = [shape_invariants] if isinstance(shape_invariants, TensorShape) else nest.flatten(shape_invariants)
        if len(shapes) != len(leaves):
            raise ValueError(f"shape_invariants must have the structure of loop_vars: {len(shapes)} shapes for "
                             f"{len(leaves)} loop variables")
    specs = []
    for leaf, shape in zip(leaves, shapes):
        comps = _components(leaf)
        if comps is not None:
            specs.extend(_composite_specs(leaf, comps))
            continue
        spec = TensorSpec(leaf.shape if shape is None else shape, leaf.dtype)
        if not spec.shape.is_compatible_with(leaf.shape):
            raise ValueError(f"The shape invariant specified for {_name(leaf)} is not compatible with the initial "
                             f"shape of the loop variable. It enters the loop with shape {leaf.shape}, but the "
                             f"specified shape invariant is {spec.shape}.")
        specs.append(spec)
    return specs


def _name(t) -> str:
    return t.name if hasattr(t, "op") else "loop variable"


class LoopMessages:
    """The errors tf.while_loop raises when the body changes a loop variable's dtype or shape.

    AutoGraph subclasses it to name the Python variables and the loop's line.
    """

    def __init__(self, initial):
        self.initial = initial
        self.templates = None

    def dtype_changed(self, k, before, after):
        n = _name(self.initial[k]) if k < len(self.initial) else f"loop var {k}"
        return TypeError(f"Loop var {n} enters the loop with type {_dtype_repr(before)} but has type "
                         f"{_dtype_repr(after)} after 1 iteration. {n} type should remain constant.")

    def shape_changed(self, k, before, after):
        n = _name(self.initial[k]) if k < len(self.initial) else f"loop var {k}"
        return ValueError(f"Input tensor `{n}` enters the loop with shape {before}, but has shape {after} after "
                          "one iteration. To allow the shape to vary across iterations, use the `shape_invariants` "
                          "argument of tf.while_loop to specify a less-specific shape.")

    def not_a_tensor(self, k, value):
        return TypeError(f"The loop body returned {value!r} ({type(value).__name__}) for loop variable {k}; loop "
                         "variables must stay tensors (or TensorArrays).")

    def bad_condition(self, value):
        return TypeError(f"The loop condition must return a boolean scalar tensor, got {value!r}")


def _dtype_repr(d) -> str:
    return f"<dtype: '{d.name}'>"


def loop_graph(cond_fn, body_fn, init, specs, msgs, relax: bool, maximum_iterations=None) -> list:
    """Builds a While node; returns the flat final values.

    `cond_fn(*flat)` returns a boolean scalar; `body_fn(*flat)` returns (flat new values,
    structure). With `relax`, a shape that changes in the body widens to None dims and the
    body is traced again; otherwise `msgs.shape_changed` is raised.
    """
    init = [t if isinstance(t, Tensor) else convert_to_tensor(t) for t in init]
    counter = maximum_iterations is not None
    if counter:
        cond_fn, body_fn = _counted_cond(cond_fn, maximum_iterations), _counted_body(body_fn)
        init = [convert_to_tensor(0)] + init
    lead = [TensorSpec((), _dt.int32)] if counter else []
    for _ in range(8):
        cg, c = trace_subgraph(cond_fn, lead + specs, "while_cond")
        if isinstance(c, (bool, np.bool_)):
            c = as_output(cg, bool(c))
        if not isinstance(c, Tensor) or c.dtype is not _dt.bool or c.shape.rank not in (None, 0):
            raise msgs.bad_condition(c)
        cg.outputs = [as_output(cg, c)]
        bg, (flat_out, structure) = trace_subgraph(body_fn, lead + specs, "while_body")
        msgs.templates = structure
        outs = [_loop_output(bg, k - len(lead), v, msgs) for k, v in enumerate(flat_out)]
        new_specs, changed = _check_loop_outputs(specs, outs[len(lead):], msgs, relax)
        if not changed:
            break
        specs = new_specs
    else:
        raise ValueError("tf.while_loop: the loop variables' shapes did not settle after relaxing them 8 times")
    bg.outputs = outs
    externals = align_captures([cg, bg])
    res = _nodes.while_node(init, cg, bg, externals)
    return res[len(lead):]


def _loop_output(bg, k, v, msgs):
    if v is None:
        raise msgs.not_a_tensor(k, v)
    try:
        return as_output(bg, v)
    except (TypeError, ValueError):
        raise msgs.not_a_tensor(k, v) from None


def _counted_cond(cond_fn, limit):
    def fn(i, *flat):
        return _math.logical_and(_math.less(i, limit), cond_fn(*flat))
    return fn


def _counted_body(body_fn):
    def fn(i, *flat):
        flat_out, structure = body_fn(*flat)
        return [_math.add(i, 1)] + list(flat_out), structure
    return fn


def _check_loop_outputs(specs, outs, msgs, relax: bool):
    new_specs, changed = [], False
    for k, (s, o) in enumerate(zip(specs, outs)):
        if o.dtype is not s.dtype:
            raise msgs.dtype_changed(k, s.dtype, o.dtype)
        if s.shape.is_compatible_with(o.shape):
            new_specs.append(s)
            continue
        if not relax:
            raise msgs.shape_changed(k, s.shape, o.shape)
        merged = _nodes.merge_shapes(s.shape.as_tuple(), o.shape.as_tuple())
        new_specs.append(TensorSpec(merged, s.dtype))
        changed = True
    return new_specs, changed
