"""GradientTape: records ops on watched tensors, then runs their gradient rules in reverse.

Gradient rules are written with eagerflow ops, so when an outer tape is recording, the backward
pass is itself recorded: nested tapes give higher-order gradients with no extra code. The tape
works the same on eager and symbolic tensors, so it also runs inside tf.function.

>>> import eagerflow as tf
>>> x = tf.constant(3.0)
>>> with tf.GradientTape() as tape:
...     tape.watch(x)
...     y = x * x + 2 * x
>>> print(tape.gradient(y, x))
tf.Tensor(8.0, shape=(), dtype=float32)
"""
from __future__ import annotations

import enum

import numpy as np

from .. import nest
from ..context import logger, pop_tape, push_tape, tapes_paused
from ..primitive import Primitive
from ..tensor import Tensor, constant, convert_to_tensor
from ..ops import array as _array, math as _math
from ..ops import rules as R

__all__ = ["GradientTape", "UnconnectedGradients"]


class UnconnectedGradients(enum.Enum):
    """What `gradient()` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


# Reading a variable under a tape is recorded as this op: its gradient passes straight through.
read_variable_p = Primitive("ReadVariableOp", lambda v: v, dtype_rule=lambda d: d, shape_rule=R.same_shape,
                            grad=lambda g, out, var: (g,), register=False)


def _is_variable(x) -> bool:
    return hasattr(x, "_is_eagerflow_variable")


class GradientTape:
    """Records operations for automatic differentiation (TF's `tf.GradientTape`)."""

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._entries: list = []        # (prim, inputs, attrs, outputs), in execution order
        self._watched: dict = {}        # id -> tensor/variable that gradients flow to
        self._variables: dict = {}      # id -> watched variable, in first-watched order
        self._recording = False
        self._used = False

    # ---- context -----------------------------------------------------------------------------------
    def __enter__(self) -> "GradientTape":
        if self._recording:
            raise ValueError("Tape is still recording, This can happen if you try to re-enter an already-active tape.")
        push_tape(self)
        self._recording = True
        return self

    def __exit__(self, *exc):
        pop_tape(self)
        self._recording = False
        return False

    def stop_recording(self):
        """Context manager: ops in the block are not recorded by this tape."""
        if not self._recording:
            raise ValueError("Tape must be recording when stop_recording() is called")
        return tapes_paused(self)

    def reset(self) -> None:
        """Clears everything recorded so far (the tape keeps recording if inside its block)."""
        self._entries.clear()
        self._watched.clear()
        self._variables.clear()
        self._used = False

    # ---- watching ------------------------------------------------------------------------------------
    def watch(self, tensor) -> None:
        """Makes gradients flow to `tensor` (a tensor, variable, or nested structure of them)."""
        for t in nest.flatten(tensor):
            if _is_variable(t):
                self._watch_variable(t)
                continue
            if not isinstance(t, Tensor):
                raise ValueError(f"Passed in object {t!r} of type {type(t).__name__!r}, not tf.Tensor or "
                                 "tf.Variable or ExtensionType.")
            if not t.dtype.is_differentiable:
                logger.warning("The dtype of the watched tensor must be floating (e.g. tf.float32), got %r", t.dtype)
            self._watched[id(t)] = t

    def _watch_variable(self, var) -> None:
        self._watched[id(var)] = var
        self._variables.setdefault(id(var), var)

    def watched_variables(self) -> tuple:
        return tuple(self._variables.values())

    # ---- recording (called by bind and by Variable reads) ------------------------------------------
    def _record(self, prim, args, attrs, outs) -> None:
        watched = self._watched
        for a in args:
            if id(a) in watched:
                break
        else:
            return
        self._entries.append((prim, args, attrs, outs))
        for o in outs:
            if o.dtype.is_differentiable:
                watched[id(o)] = o

    def _record_variable_read(self, var, value: Tensor) -> None:
        if self._watch_accessed and var.trainable and id(var) not in self._watched:
            self._watch_variable(var)
        if id(var) in self._watched:
            self._entries.append((read_variable_p, (var,), {}, (value,)))
            if value.dtype.is_differentiable:
                self._watched[id(value)] = value

    # ---- gradients ----------------------------------------------------------------------------------------
    def _check_usable(self, what: str) -> None:
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of "
                               f"gradients (or jacobians)")
        if self._entries is None:
            raise RuntimeError(f"{what}: the tape has been released")

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """d(target)/d(sources), with `sources` any nest of tensors/variables (result has its structure)."""
        self._check_usable("gradient")
        unconnected_gradients = UnconnectedGradients(unconnected_gradients)
        flat_targets = [_as_target(t) for t in nest.flatten(target)]
        flat_sources = nest.flatten(sources)
        for s in flat_sources:
            if not isinstance(s, Tensor) and not _is_variable(s):
                raise ValueError(f"GradientTape.gradient: sources must be tensors or variables, got {s!r}")
        if output_gradients is not None:
            out_grads = [None if g is None else convert_to_tensor(g, dtype=t.dtype)
                         for g, t in zip(nest.flatten(output_gradients), flat_targets)]
        else:
            out_grads = [None] * len(flat_targets)
        grads = self._backprop(flat_targets, out_grads, flat_sources)
        if not self._persistent:
            self._used = True
            if not self._recording:
                self._entries, self._watched = [], {}
        results = []
        for s, g in zip(flat_sources, grads):
            if g is None and unconnected_gradients is UnconnectedGradients.ZERO:
                g = _array.zeros_like(s.value() if _is_variable(s) else s)
            results.append(g)
        return nest.pack_sequence_as(sources, results)

    def _backprop(self, targets, target_grads, sources) -> list:
        grads: dict = {}
        keep = {id(s) for s in sources}
        # A persistent tape inside its own block records its backward pass (for higher order);
        # otherwise only the outer tapes see it.
        pause = () if (self._persistent and self._recording) else (self,)
        with tapes_paused(*pause) if pause else _no_pause():
            for t, g in zip(targets, target_grads):
                if not t.dtype.is_differentiable:
                    logger.warning("The dtype of the target tensor must be floating (e.g. tf.float32) when "
                                   "calling GradientTape.gradient, got %r", t.dtype)
                    continue
                if id(t) not in self._watched:
                    continue
                _accumulate(grads, t, _array.ones_like(t) if g is None else g)
            for prim, args, attrs, outs in reversed(list(self._entries)):
                if prim.multiple_results:
                    gs = [grads.get(id(o)) if id(o) in keep else grads.pop(id(o), None) for o in outs]
                    if all(g is None for g in gs):
                        continue
                    gs = tuple(_array.zeros_like(o) if g is None and o.dtype.is_differentiable else g
                               for g, o in zip(gs, outs))
                    in_grads = prim.grad(gs, outs, *args, **attrs)
                else:
                    o = outs[0]
                    g = grads.get(id(o)) if id(o) in keep else grads.pop(id(o), None)
                    if g is None:
                        continue
                    in_grads = prim.grad(g, o, *args, **attrs)
                for a, ga in zip(args, in_grads):
                    if ga is not None and id(a) in self._watched:
                        _accumulate(grads, a, ga)
        return [grads.get(id(s)) for s in sources]

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """Full Jacobian: result[j] has shape target.shape + sources[j].shape."""
        self._check_usable("jacobian")
        unconnected_gradients = UnconnectedGradients(unconnected_gradients)
        target = _as_target(target)
        flat_sources = nest.flatten(sources)
        n = target.shape.num_elements()
        if n is None:
            raise ValueError(f"jacobian needs a target with a fully known shape, got {target.shape}")
        tshape = target.shape.as_list()
        rows = [[] for _ in flat_sources]
        for i in range(n):
            seed = np.zeros(n, dtype=target.dtype._np)
            seed[i] = 1
            gs = self._backprop([target], [constant(seed.reshape(tshape), target.dtype)], flat_sources)
            for j, (g, s) in enumerate(zip(gs, flat_sources)):
                rows[j].append(g)
        results = []
        for s, row in zip(flat_sources, rows):
            sval = s.value() if _is_variable(s) else s
            if all(g is None for g in row) and unconnected_gradients is UnconnectedGradients.NONE:
                results.append(None)
                continue
            row = [_array.zeros_like(sval) if g is None else g for g in row]
            stacked = _array.stack(row) if row else _array.zeros([0] + sval.shape.as_list(), sval.dtype)
            results.append(_array.reshape(stacked, tshape + sval.shape.as_list()))
        if not self._persistent:
            self._used = True
        return nest.pack_sequence_as(sources, results)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobian: result[b] = d target[b] / d source[b] (examples independent)."""
        self._check_usable("batch_jacobian")
        target = _as_target(target)
        ts = target.shape.as_list()
        ss = (source.value() if _is_variable(source) else source).shape.as_list()
        if ts[0] != ss[0]:
            raise ValueError(f"Need first dimension of target shape ({ts}) and source shape ({ss}) to match.")
        inner = int(np.prod(ts[1:])) if len(ts) > 1 else 1
        cols = []
        for i in range(inner):
            seed = np.zeros((ts[0], inner), dtype=target.dtype._np)
            seed[:, i] = 1
            (g,) = self._backprop([target], [constant(seed.reshape(ts), target.dtype)], [source])
            if g is None:
                if UnconnectedGradients(unconnected_gradients) is UnconnectedGradients.NONE:
                    if not self._persistent:
                        self._used = True
                    return None
                g = _array.zeros(ss, target.dtype)
            cols.append(_array.reshape(g, [ts[0], -1]))
        if not self._persistent:
            self._used = True
        out = _array.stack(cols, axis=1)
        return _array.reshape(out, ts + ss[1:])


class _no_pause:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _as_target(t) -> Tensor:
    if _is_variable(t):
        return t.value()
    if not isinstance(t, Tensor):
        return convert_to_tensor(t)
    return t


def _accumulate(grads: dict, x, g) -> None:
    prev = grads.get(id(x))
    if prev is None:
        grads[id(x)] = g
    else:
        grads[id(x)] = _math.add(prev, g)

