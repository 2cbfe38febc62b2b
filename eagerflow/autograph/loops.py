"""AutoGraph's loops: `ag__.while_stmt` and `ag__.for_stmt`.

A loop whose condition (or iterable) is a symbolic tensor becomes one tf.while_loop over the
variables its body assigns; any other loop runs as Python (unrolled while tracing). A Python
loop whose condition *becomes* symbolic part-way (a `break` depending on a tensor) continues as
a tf.while_loop from the state it reached.

What `for` iterates over:

- a symbolic tensor: its rows (`tf.range` tensors loop over start/limit/delta directly);
- an object with `_autograph_for(body, extra_test=None)` runs the loop itself (tf.data datasets
  plug in here): it calls `body(element)` for each element, stopping when `extra_test()` (a
  Python bool: the loop's `break`/`return` flags) is False; e.g. it unrolls
  `for x in self: if extra_test and not extra_test(): break; body(x)`. A flag that is a tensor
  (a tensor-dependent `break`) is handled here: the remaining iterations run under tf.cond;
- anything else: Python iteration.

Loop variables (per Python variable the body assigns):

- tensors, Python numbers and TensorArrays become loop variables (numbers become tensors); a
  dtype change in the body raises naming the variable, both dtypes and the line; a shape change
  widens that dimension to None (no shape invariants needed);
- a variable first assigned inside the body is local to it: using it after the loop raises
  "'x' must be defined before the loop";
- a Python list the body appends to becomes a TensorArray (use `tf.stack(x)` after the loop);
- any other Python value must be left unchanged by the body.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .. import nest
from ..graph.subgraph import trace_subgraph
from ..ops import array as _array, control_flow as _cf, indexing as _indexing, manip as _manip, math as _math
from ..ops.tensor_array import TensorArray
from ..tensor import Tensor, convert_to_tensor, get_static_value
from ..tensor_spec import TensorSpec
from .operators import (AutoGraphError, Undefined, UndefinedReturnValue, _is_tensorish, _shown, caller_location,
                        if_stmt, is_symbolic, state_error)

__all__ = ["while_stmt", "for_stmt"]


def while_stmt(test, body, get_state, set_state, symbol_names, opts=None):
    """`while test(): body()`; a symbolic test builds a tf.while_loop over the assigned variables."""
    where = caller_location()
    while True:
        t = test()
        if is_symbolic(t):
            assigned = (opts or {}).get("test_assigns")
            if assigned:
                raise AutoGraphError(f"The condition of a tensor-dependent while loop cannot assign variables "
                                     f"({', '.join(assigned)}): a graph loop's condition has no outputs. Assign "
                                     f"them in the loop body instead ({where}).")
            _TensorLoop(lambda hidden: test(), lambda hidden: (body(), [])[1], [], get_state, set_state,
                        symbol_names, opts, where).run()
            return
        if not t:
            return
        body()


def for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts=None):
    """`for x in iter_: body(x)` while `extra_test()` holds (break/return flags)."""
    where = caller_location()
    if is_symbolic(iter_):
        _tensor_for(iter_, extra_test, body, get_state, set_state, symbol_names, opts, where)
        return
    def guarded(itr):
        t = extra_test() if extra_test is not None else True
        if is_symbolic(t):  # a tensor-dependent break/return: guard the remaining iterations
            if_stmt(t, lambda: body(itr), lambda: None, get_state, set_state, symbol_names)
        else:
            body(itr)

    def python_test():
        t = extra_test()
        return True if is_symbolic(t) else bool(t)

    hook = getattr(iter_, "_autograph_for", None)
    if hook is not None and not isinstance(iter_, type):
        hook(guarded if extra_test is not None else body, python_test if extra_test is not None else None)
        return
    if extra_test is None:
        for itr in iter_:
            body(itr)
        return
    for itr in iter_:
        if not python_test():
            break
        guarded(itr)


def _tensor_for(iter_, extra_test, body, get_state, set_state, names, opts, where):
    dims = iter_.shape.as_tuple()
    if dims is not None and not dims:
        raise TypeError(f"Cannot iterate over a scalar tensor ({where}).")
    op = iter_.op
    progression = _arithmetic_progression(iter_)
    if progression is not None:  # tf.range folded to a constant: loop over its bounds, no indexing
        start, limit, delta = (convert_to_tensor(np.asarray(v, dtype=iter_.dtype._np)) for v in progression)
        step = 1 if progression[2] > 0 else -1
    elif op.type == "Range":
        start, limit, delta = op.inputs
        step = _static_sign(delta)
    if progression is not None or op.type == "Range":

        def test(hidden):
            i = hidden[0]
            if step == 1:
                return _math.less(i, limit)
            if step == -1:
                return _math.greater(i, limit)
            return _math.logical_or(_math.logical_and(_math.greater(delta, 0), _math.less(i, limit)),
                                    _math.logical_and(_math.less(delta, 0), _math.greater(i, limit)))

        def step_body(hidden):
            body(hidden[0])
            return [_math.add(hidden[0], delta)]
        hidden = [start]
    else:
        n = dims[0] if dims is not None and dims[0] is not None else _array.shape(iter_)[0]

        def test(hidden):
            return _math.less(hidden[0], n)

        def step_body(hidden):
            body(_indexing.gather(iter_, hidden[0]))
            return [_math.add(hidden[0], 1)]
        hidden = [convert_to_tensor(0)]
    if extra_test is not None:
        base = test

        def test(hidden):  # noqa: F811 - the loop test with the break/return flags
            extra = extra_test()
            return base(hidden) if extra is True else _math.logical_and(base(hidden), extra)
    _TensorLoop(test, step_body, hidden, get_state, set_state, names, opts, where).run()


def _arithmetic_progression(t):
    """(start, limit, delta) if `t` is a constant 1-D integer arithmetic progression (a folded tf.range)."""
    if t.op.type != "Const" or t.dtype not in (_dt.int32, _dt.int64):
        return None
    v = t.op.attrs["value"]
    if v.ndim != 1 or v.size < 2:
        return None
    delta = int(v[1]) - int(v[0])
    if delta == 0 or not np.array_equal(np.diff(v), np.full(v.size - 1, delta)):
        return None
    return int(v[0]), int(v[-1]) + delta, delta


def _static_sign(delta):
    v = get_static_value(delta)
    if v is None:
        return 0
    return 1 if v > 0 else -1


class _ListProbe:
    """Stands for an empty Python list while the body is traced once to learn what it appends."""

    def __init__(self):
        self.element = None

    def _autograph_append(self, x):
        if self.element is None:
            self.element = convert_to_tensor(x)
        return self


class _Messages(_cf.LoopMessages):
    def __init__(self, owners, where):
        super().__init__([])
        self.owners, self.where = owners, where

    def dtype_changed(self, k, before, after):
        return state_error(TypeError, self.owners[k], f"has dtype {before.name} before the loop, but dtype "
                           f"{after.name} after one iteration", self.where)

    def shape_changed(self, k, before, after):  # never raised: AutoGraph loops relax shapes
        return state_error(ValueError, self.owners[k], f"has shape {before} before the loop, but shape {after} "
                           "after one iteration", self.where)

    def not_a_tensor(self, k, value):
        return state_error(TypeError, self.owners[k], f"is a tensor before the loop, but {type(value).__name__} "
                           "after one iteration; loop variables must stay tensors", self.where)

    def bad_condition(self, value):
        return TypeError(f"The loop condition must be a boolean scalar tensor, got {value!r} ({self.where})")


class _TensorLoop:
    """One tf.while_loop built from a converted loop's functions and state."""

    def __init__(self, test, body, hidden, get_state, set_state, names, opts, where):
        self.test, self.body, self.hidden = test, body, list(hidden)
        self.get_state, self.set_state, self.names, self.where = get_state, set_state, tuple(names), where
        self.lists = set((opts or {}).get("lists", ()))
        self.kinds: list = []
        self.values: list = []

    # ---- planning -------------------------------------------------------------------------------------
    def _plan(self, state) -> bool:
        """Classifies each variable; True if the body must be traced once to learn some types."""
        probe = False
        for name, v in zip(self.names, state):
            if isinstance(v, UndefinedReturnValue):
                kind, probe = "retval", True
            elif isinstance(v, Undefined):
                kind = "temp"
            elif type(v) is list and name in self.lists:
                kind = "list"
                probe = probe or not v
            elif hasattr(v, "_is_eagerflow_variable"):
                kind = "static"
            elif _is_tensorish(v):
                kind = "loop"
            else:
                kind = "static"
            self.kinds.append(kind)
            self.values.append(v)
        return probe

    def _probe(self) -> None:
        """Traces the body once (graph discarded) to learn the return value's and appended lists' types."""
        values = [(_ListProbe() if k == "list" and not v else v) for k, v in zip(self.kinds, self.values)]
        loop = [i for i, k in enumerate(self.kinds) if k == "loop"]
        flat_init = self.hidden + [c for i in loop for c in _cf.flatten_values(_as_loop_value(self.values[i]))]
        specs = [TensorSpec(t.shape, t.dtype) for t in flat_init]

        def run(*flat):
            state = list(values)
            it = iter(flat[len(self.hidden):])
            for i in loop:
                template = _as_loop_value(self.values[i])
                state[i] = _cf.pack_values(template, [next(it) for _ in _cf.flatten_values(template)])
            self.set_state(tuple(state))
            self.body(list(flat[:len(self.hidden)]))
            return tuple(self.get_state())
        _, after = trace_subgraph(run, specs, "loop_probe")
        self.set_state(tuple(self.values))
        for i, kind in enumerate(self.kinds):
            if kind == "retval":
                v = after[i]
                if _is_tensorish(v) and v is not None:
                    self.kinds[i] = "loop"
                    self.values[i] = _cf.pack_values(v, [_zeros_like_spec(t) for t in _cf.flatten_values(v)])
                else:
                    self.kinds[i] = "static"
            elif kind == "list" and isinstance(values[i], _ListProbe):
                elem = values[i].element
                if elem is None:
                    self.kinds[i] = "static"
                else:
                    self.values[i] = TensorArray(elem.dtype, size=0, dynamic_size=True, element_shape=elem.shape)
                    self.kinds[i] = "loop"

    def _lists_to_arrays(self) -> None:
        for i, (k, v) in enumerate(zip(self.kinds, self.values)):
            if k == "list":
                first = convert_to_tensor(v[0])
                ta = TensorArray(first.dtype, size=0, dynamic_size=True, element_shape=first.shape)
                self.values[i] = ta.unstack(_array_stack(v))
                self.kinds[i] = "loop"

    # ---- building -------------------------------------------------------------------------------------
    def run(self) -> None:
        state = tuple(self.get_state())
        if self._plan(state):
            self._probe()
        self._lists_to_arrays()
        loop = [i for i, k in enumerate(self.kinds) if k == "loop"]
        templates = {i: _as_loop_value(self.values[i]) for i in loop}
        owners = ["loop counter"] * len(self.hidden)
        init = list(self.hidden)
        specs = [TensorSpec(t.shape, t.dtype) for t in self.hidden]
        for i in loop:
            comps = _cf.flatten_values(templates[i])
            owners += [self.names[i]] * len(comps)
            init += comps
            specs += _specs_of(templates[i])
        finals = {}

        def state_from(flat):
            st = [Undefined(n) if k == "temp" else v for n, k, v in zip(self.names, self.kinds, self.values)]
            it = iter(flat[len(self.hidden):])
            for i in loop:
                st[i] = _cf.pack_values(templates[i], [next(it) for _ in _cf.flatten_values(templates[i])])
            return tuple(st)

        def cond_fn(*flat):
            self.set_state(state_from(flat))
            t = self.test(list(flat[:len(self.hidden)]))
            return convert_to_tensor(t) if isinstance(t, (bool, np.bool_)) else t

        def body_fn(*flat):
            self.set_state(state_from(flat))
            new_hidden = list(self.body(list(flat[:len(self.hidden)])))
            after = tuple(self.get_state())
            out = list(new_hidden)
            for i, (name, kind, v) in enumerate(zip(self.names, self.kinds, after)):
                if kind == "loop":
                    out += self._loop_components(name, templates[i], v)
                    finals[i] = v
                elif kind == "static" and v is not self.values[i]:
                    raise self._static_changed(name, self.values[i], v)
            return out, None

        msgs = _Messages(owners, self.where)
        result = _cf.loop_graph(cond_fn, body_fn, init, specs, msgs, relax=True)
        final = list(state_from([None] * len(self.hidden) + list(result[len(self.hidden):])))
        it = iter(result[len(self.hidden):])
        for i in loop:
            template = finals.get(i, templates[i])
            final[i] = _cf.pack_values(template, [next(it) for _ in _cf.flatten_values(templates[i])])
        for i, k in enumerate(self.kinds):
            if k == "temp":
                final[i] = Undefined(self.names[i], f"{_shown(self.names[i])} must be defined before the loop (the "
                                     f"loop at {self.where} assigns it only inside its body)")
        self.set_state(tuple(final))

    def _loop_components(self, name, template, value) -> list:
        if isinstance(value, Undefined) or value is None or not _is_tensorish(value):
            shown = "None" if value is None else type(value).__name__
            raise state_error(TypeError, name, f"is a tensor before the loop, but {shown} after one iteration; "
                              "loop variables must stay tensors", self.where)
        comps = _cf.flatten_values(value)
        if len(comps) != len(_cf.flatten_values(template)):
            raise state_error(TypeError, name, "changes its structure inside the loop", self.where)
        return comps

    def _static_changed(self, name, before, after):
        if before is None:
            return state_error(AutoGraphError, name, f"is None before the loop but {type(after).__name__} after one "
                               "iteration; give it a tensor value before the loop", self.where)
        return state_error(AutoGraphError, name, f"is a Python {type(before).__name__} that the loop body changes; "
                           "inside a tensor-dependent loop only tensors (and TensorArrays) can change", self.where)


def _as_loop_value(v):
    """Loop-variable form of a state value: Python numbers and arrays become tensors."""
    return _cf.pack_values(v, [x if isinstance(x, Tensor) else x.value() if hasattr(x, "_is_eagerflow_variable")
                               else convert_to_tensor(x) for x in _cf.flatten_values(v)])


def _specs_of(value) -> list:
    specs = []
    for leaf in nest.flatten(value):
        comps = _cf._components(leaf)
        if comps is not None:
            specs += _cf._composite_specs(leaf, comps)
        else:
            specs.append(TensorSpec(leaf.shape, leaf.dtype))
    return specs


def _zeros_like_spec(t):
    dims = t.shape.as_tuple()
    dims = () if dims is None else tuple(0 if d is None else d for d in dims)
    zeros = convert_to_tensor(np.zeros(dims, dtype=t.dtype._np if t.dtype is not _dt.bool else bool))
    return zeros


def _array_stack(values):
    return _manip.stack(values)
