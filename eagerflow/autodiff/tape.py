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
from ..tensor import EagerTensor, Tensor, constant, convert_to_tensor
from ..ops import array as _array, math as _math
from ..ops import rules as R

__all__ = ["GradientTape", "UnconnectedGradients"]


class UnconnectedGradients(enum.Enum):
    """What `gradient()` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


def _unconnected(value) -> UnconnectedGradients:
    if value is UnconnectedGradients.NONE:
        return value
    try:
        return UnconnectedGradients(value)
    except ValueError:
        raise ValueError(f"Unknown value for unconnected_gradients: {value!r}") from None


# Reading a variable under a tape is recorded as this op: its gradient passes straight through.
read_variable_p = Primitive("ReadVariableOp", lambda v: v, dtype_rule=lambda d: d, shape_rule=R.same_shape,
                            grad=lambda g, out, var: (g,), register=False)

_PERSISTENT_INSIDE_WARNING = (
    "Calling GradientTape.gradient on a persistent tape inside its context is significantly less efficient "
    "than calling it outside the context (the gradient computation is itself recorded on the tape). Call it "
    "inside the context only to differentiate the gradient again (higher-order derivatives).")


def _is_variable(x) -> bool:
    return hasattr(x, "_is_eagerflow_variable")


class GradientTape:
    """Records operations for automatic differentiation (TF's `tf.GradientTape`).

    Tensors are watched with `watch()`; trainable variables read inside the block are watched
    automatically (unless `watch_accessed_variables=False`). A non-persistent tape computes one
    set of gradients; a persistent one any number.

    >>> import eagerflow as tf
    >>> v = tf.Variable(2.0)
    >>> with tf.GradientTape() as tape:
    ...     y = v ** 3
    >>> print(tape.gradient(y, v))
    tf.Tensor(12.0, shape=(), dtype=float32)
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._entries: list = []        # (prim, inputs, attrs, outputs), in execution order
        self._watched: dict = {}        # id -> tensor/variable that gradients flow to (kept alive here)
        self._variables: dict = {}      # id -> watched variable, in first-watched order
        self._recording = False
        self._used = False
        self._warned_dtype = False      # a non-float watch was already reported
        self._warned_inside = False     # the persistent-inside-context note was already given

    # ---- context -----------------------------------------------------------------------------------
    def __enter__(self) -> "GradientTape":
        if self._recording:
            raise ValueError("Tape is still recording, This can happen if you try to re-enter an already-active tape.")
        push_tape(self)
        self._recording = True
        return self

    def __exit__(self, *exc):
        if self._recording:
            pop_tape(self)
            self._recording = False
        return False

    def stop_recording(self):
        """Context manager: ops in the block are not recorded by this tape.

        >>> import eagerflow as tf
        >>> x = tf.constant(2.0)
        >>> with tf.GradientTape() as tape:
        ...     tape.watch(x)
        ...     with tape.stop_recording():
        ...         y = x * x          # not recorded
        ...     z = 3 * x
        >>> print(tape.gradient(z, x))
        tf.Tensor(3.0, shape=(), dtype=float32)
        """
        if not self._recording:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        return tapes_paused(self)

    def reset(self) -> None:
        """Clears everything recorded and watched so far; a tape inside its block keeps recording."""
        self._entries = []
        self._watched = {}
        self._variables = {}
        self._used = False

    # ---- watching ------------------------------------------------------------------------------------
    def watch(self, tensor) -> None:
        """Makes gradients flow to `tensor` (a tensor, variable, or nested structure of them)."""
        for t in (tensor,) if isinstance(tensor, Tensor) else nest.flatten(tensor):
            if _is_variable(t):
                self._watch_variable(t)
                continue
            if not isinstance(t, Tensor):
                raise ValueError(f"Passed in object {t!r} of type {type(t).__name__!r}, not tf.Tensor or "
                                 "tf.Variable or ExtensionType.")
            if not t.dtype.is_differentiable:
                logger.warning("The dtype of the watched tensor must be floating (e.g. tf.float32), got %r", t.dtype)
                self._warned_dtype = True
            self._watched[id(t)] = t

    def _watch_variable(self, var) -> None:
        self._watched[id(var)] = var
        self._variables.setdefault(id(var), var)

    def watched_variables(self) -> tuple:
        """The variables this tape watches (explicitly or by reading them), in first-watched order."""
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
        watched = self._watched
        if id(var) not in watched:
            if not (self._watch_accessed and var.trainable):
                return
            self._watch_variable(var)
        self._entries.append((read_variable_p, (var,), {}, (value,)))
        if value.dtype.is_differentiable:
            watched[id(value)] = value

    # ---- gradients ----------------------------------------------------------------------------------------
    def _start_backprop(self) -> None:
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of "
                               "gradients (or jacobians)")
        if self._recording:
            if self._persistent and not self._warned_inside:
                logger.warning(_PERSISTENT_INSIDE_WARNING)
                self._warned_inside = True
            else:  # as TF: a non-persistent tape stops recording when its gradient is taken
                self.__exit__()

    def _finish_backprop(self) -> None:
        if not self._persistent:
            self._used = True
            self._entries, self._watched = [], {}  # let the recorded values go

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """d(target)/d(sources); `sources` may be any nest of tensors/variables (the result has its structure).

        `target` may be a nest too (its gradients are summed); `output_gradients` weights each target.
        Sources the target does not depend on give None (or zeros with `unconnected_gradients="zero"`).

        >>> import eagerflow as tf
        >>> x, y = tf.constant(2.0), tf.constant(3.0)
        >>> with tf.GradientTape() as tape:
        ...     tape.watch([x, y])
        ...     z = x * y
        >>> [float(g) for g in tape.gradient(z, {"x": x, "y": y}).values()]
        [3.0, 2.0]
        """
        self._start_backprop()
        unconnected = _unconnected(unconnected_gradients)
        single_source = isinstance(sources, Tensor) or _is_variable(sources)
        flat_sources = [sources] if single_source else nest.flatten(sources)
        for s in flat_sources:
            if not isinstance(s, Tensor) and not _is_variable(s):
                raise ValueError(f"GradientTape.gradient: sources must be tensors or variables, got {s!r}")
        flat_targets = [target] if isinstance(target, Tensor) else \
            [self._as_target(t) for t in nest.flatten(target)]
        if output_gradients is not None:
            flat_out = [output_gradients] if isinstance(output_gradients, Tensor) else nest.flatten(output_gradients)
            out_grads = [None if g is None else convert_to_tensor(g, dtype=t.dtype)
                         for g, t in zip(flat_out, flat_targets)]
        else:
            out_grads = [None] * len(flat_targets)
        self._warn_non_float(flat_targets, flat_sources)
        grads = self._backprop(flat_targets, out_grads, flat_sources)
        self._finish_backprop()
        if unconnected is UnconnectedGradients.ZERO:
            grads = [_array.zeros_like(s.value() if _is_variable(s) else s) if g is None else g
                     for s, g in zip(flat_sources, grads)]
        return grads[0] if single_source else nest.pack_sequence_as(sources, grads)

    def _as_target(self, t) -> Tensor:
        return _read_for_target(self, t) if _is_variable(t) else _as_target(t)

    def _warn_non_float(self, targets, sources) -> None:
        """Integer targets/sources give None gradients: say why once (TF warns when such a tensor is watched)."""
        if self._warned_dtype:
            return
        for kind, items in (("target", targets), ("source", sources)):
            for t in items:
                if not t.dtype.is_differentiable:
                    logger.warning("The dtype of the %s tensor must be floating (e.g. tf.float32) when calling "
                                   "GradientTape.gradient, got %r", kind, t.dtype)
                    return

    def _backprop(self, targets, target_grads, sources) -> list:
        """Runs the recorded gradient rules in reverse; returns one gradient (or None) per source."""
        watched = self._watched
        grads: dict = {}
        for t, g in zip(targets, target_grads):
            if t.dtype.is_differentiable and id(t) in watched:
                if g is None:
                    g = _ones_like(t)
                prev = grads.get(id(t))
                grads[id(t)] = g if prev is None else _math.add(prev, g)
        if not grads:
            return [None] * len(sources)
        keep = {id(s) for s in sources}
        # A persistent tape inside its own block records its backward pass (for higher order);
        # other recording tapes (outer ones) always see it.
        if self._recording and not self._persistent:
            with tapes_paused(self):
                self._run_rules(grads, keep)
        else:
            self._run_rules(grads, keep)
        return [grads.get(id(s)) for s in sources]

    def _run_rules(self, grads: dict, keep: set) -> None:
        watched = self._watched
        entries = self._entries
        add = _math.add
        # Index from the end: a persistent tape recording its own backward pass appends while we walk.
        for i in range(len(entries) - 1, -1, -1):
            prim, args, attrs, outs = entries[i]
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
                if ga is not None:
                    key = id(a)
                    if key in watched:
                        prev = grads.get(key)
                        grads[key] = ga if prev is None else add(prev, ga)

    # ---- jacobians ----------------------------------------------------------------------------------------
    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """Full Jacobian: `result[j]` has shape `target.shape + sources[j].shape`.

        >>> import eagerflow as tf
        >>> x = tf.constant([1.0, 2.0])
        >>> with tf.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x * x
        >>> tape.jacobian(y, x).numpy().tolist()
        [[2.0, 0.0], [0.0, 4.0]]
        """
        self._start_backprop()
        unconnected = _unconnected(unconnected_gradients)
        target = _as_target(target)
        flat_sources = nest.flatten(sources)
        n = target.shape.num_elements()
        if n is None:
            raise ValueError(f"jacobian needs a target with a fully known shape, got {target.shape}")
        tshape = target.shape.as_list()
        rows = [[] for _ in flat_sources]
        for i in range(n):
            seed = np.zeros(n, dtype=target.dtype.as_numpy_dtype)
            seed[i] = 1
            gs = self._backprop([target], [constant(seed.reshape(tshape), target.dtype)], flat_sources)
            for j, g in enumerate(gs):
                rows[j].append(g)
        self._finish_backprop()
        results = []
        for s, row in zip(flat_sources, rows):
            sval = s.value() if _is_variable(s) else s
            if all(g is None for g in row) and unconnected is UnconnectedGradients.NONE:
                results.append(None)
                continue
            row = [_array.zeros_like(sval) if g is None else g for g in row]
            stacked = _array.stack(row) if row else _array.zeros([0] + sval.shape.as_list(), sval.dtype)
            results.append(_array.reshape(stacked, tshape + sval.shape.as_list()))
        return nest.pack_sequence_as(sources, results)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobian: `result[b] = d target[b] / d source[b]` (examples independent).

        >>> import eagerflow as tf
        >>> x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> with tf.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x * x
        >>> tape.batch_jacobian(y, x).shape
        TensorShape([2, 2, 2])
        """
        self._start_backprop()
        unconnected = _unconnected(unconnected_gradients)
        target = _as_target(target)
        sval = source.value() if _is_variable(source) else source
        tshape, sshape = target.shape, sval.shape
        tshape.with_rank_at_least(2)
        sshape.with_rank_at_least(2)
        ts, ss = tshape.as_list(), sshape.as_list()
        if ts[0] != ss[0]:
            raise ValueError(f"Need first dimension of target shape ({tshape}) and source shape ({sshape}) to match.")
        inner = int(np.prod(ts[1:]))
        cols = []
        for i in range(inner):
            seed = np.zeros((ts[0], inner), dtype=target.dtype.as_numpy_dtype)
            seed[:, i] = 1
            (g,) = self._backprop([target], [constant(seed.reshape(ts), target.dtype)], [source])
            if g is None:
                if unconnected is UnconnectedGradients.NONE:
                    self._finish_backprop()
                    return None
                g = _array.zeros(ss, target.dtype)
            cols.append(_array.reshape(g, [ts[0], -1]))
        self._finish_backprop()
        out = _array.stack(cols, axis=1)
        return _array.reshape(out, ts + ss[1:])


def _ones_like(t: Tensor) -> Tensor:
    """The default seed d(target)/d(target) (a NumPy fill for eager tensors: no op, no tape)."""
    if not isinstance(t, EagerTensor):
        return _array.ones_like(t)
    v = t._value
    seed = np.empty(v.shape, v.dtype)
    seed.fill(1)
    return EagerTensor._make(seed, t._dtype)


def _as_target(t) -> Tensor:
    if _is_variable(t):
        return t.value()
    if not isinstance(t, Tensor):
        return convert_to_tensor(t)
    return t


def _read_for_target(tape: GradientTape, var) -> Tensor:
    """A variable as a gradient target: its read, linked to the variable on `tape` (d v / d v = 1)."""
    value = var.value()
    if not tape._recording:  # inside the block, value() has recorded the read already
        if isinstance(value, EagerTensor):
            value = EagerTensor._make(value._value, value._dtype)  # a read of its own
        tape._record_variable_read(var, value)
    return value
