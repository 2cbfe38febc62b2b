"""ConcreteFunction: one traced graph of a tf.function, callable with tensors.

Calling it does one of three things, depending on the thread's context:

- eager, no tape: run the optimized, compiled graph on plain arrays (`execute.compile_graph`);
- eager, a tape watches an input: run it too, and record the whole call on the tapes as one
  `StatefulPartitionedCall` op whose gradient calls a backward ConcreteFunction (traced on first
  use: it replays the forward graph under a GradientTape, see `replay.py`). The backward function's
  own calls are recorded the same way, so higher-order gradients work;
- building another graph: inline the traced graph into it (`replay`), so the outer function's
  tapes, captures and optimizer see every node.

>>> import eagerflow as tf
>>> f = tf.function(lambda x: x * 2.0)
>>> cf = f.get_concrete_function(tf.TensorSpec([None], tf.float32))
>>> cf(tf.constant([1.0, 2.0])).numpy()
array([2., 4.], dtype=float32)
"""
from __future__ import annotations

from .. import nest
from ..autodiff.tape import GradientTape
from ..context import _state, settings
from ..errors import InaccessibleTensorError
from ..ops import math as _math
from ..primitive import Primitive, record
from ..tensor import EagerTensor, Tensor, convert_to_tensor
from ..tensor_spec import TensorSpec
from . import passes
from .execute import compile_graph
from .ir import SymbolicTensor
from .replay import VariableSimulation, replay, stateful_nodes
from .trace import is_variable, trace_flat

__all__ = ["ConcreteFunction"]

_wrap = EagerTensor._make


class _Saved:
    """Outputs of stateful nodes saved by a forward run for its gradient (hashable by identity)."""

    __slots__ = ("tensors",)

    def __init__(self, tensors):
        self.tensors = tensors


class PassReport(list):
    """Rows (pass name, nodes before, nodes after); prints as a table."""

    def __str__(self):
        lines = [f"{'pass':<36}{'before':>8}{'after':>8}"]
        lines += [f"{name:<36}{before:>8}{after:>8}" for name, before, after in self]
        return "\n".join(lines)


class ConcreteFunction:
    """A traced function: its graph, signature, and a compiled executable (built on first call)."""

    def __init__(self, graph, *, binder=None, params=None):
        self.graph = graph
        self._binder = binder          # (args, kwargs) -> flat tensors, or None for flat calls
        self._params = params or ()    # [(name, kind)] of the Python signature, for printing
        self._n_args = len(graph.inputs) - len(graph.captures)
        self._out_dtypes = [t.dtype for t in graph.outputs]
        self._out_template = nest.flatten(graph.structured_outputs)
        self._single = isinstance(graph.structured_outputs, Tensor)
        self._differentiable = any(d.is_differentiable for d in self._out_dtypes)
        self._exe = None
        self._opts = None
        self._optimized = None
        self._report = None
        self._taped_exe = None
        self._call_prim = None
        self._backward = None

    # ---- public surface ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return f"__inference_{self.graph.name}"

    @property
    def inputs(self) -> list:
        return list(self.graph.inputs)

    @property
    def outputs(self) -> list:
        return list(self.graph.outputs)

    @property
    def structured_outputs(self):
        return self.graph.structured_outputs

    @property
    def structured_input_signature(self):
        return self.graph.structured_input_signature

    @property
    def captured_inputs(self) -> list:
        return self.graph.external_captures

    @property
    def variables(self) -> tuple:
        return self.graph.variables

    @property
    def trainable_variables(self) -> tuple:
        return self.graph.trainable_variables

    @property
    def optimized_graph(self):
        """The graph after the optimization passes (what actually runs)."""
        if self._optimized is None or self._opts is not settings.optimizer_options:
            self._prepare()
        return self._optimized

    def pass_report(self) -> PassReport:
        """Node counts before/after each optimization pass (print it for a table)."""
        if self._report is None or self._opts is not settings.optimizer_options:
            self._prepare()
        return PassReport(self._report)

    def __call__(self, *args, **kwargs):
        if self._binder is not None:
            flat = self._binder(args, kwargs)
        else:
            if kwargs:
                raise TypeError(f"{self.name} takes its inputs positionally, got keyword arguments {sorted(kwargs)}")
            flat = self._check_flat(args)
        return self._call_flat(flat)

    def _check_flat(self, args) -> list:
        specs = self.graph.inputs[:self._n_args]
        if len(args) != len(specs):
            raise TypeError(f"{self.name} expects {len(specs)} tensor arguments, got {len(args)}")
        flat = []
        for a, p in zip(args, specs):
            t = a if isinstance(a, Tensor) else convert_to_tensor(a, dtype_hint=p.dtype)
            if t.dtype is not p.dtype or not p.shape.is_compatible_with(t.shape):
                raise TypeError(f"{self.name}: argument {p.op.name} must be {TensorSpec(p.shape, p.dtype)}, got "
                                f"{t.dtype.name} tensor of shape {t.shape}")
            flat.append(t)
        return flat

    # ---- calling -----------------------------------------------------------------------------------
    def _call_flat(self, args: list):
        """Calls with the tensors for the argument placeholders, in order."""
        st = _state
        if st.graph is not None:
            return self._pack_tensors(replay(self.graph, list(args) + self.graph.external_captures))
        if st.tapes and self._differentiable:
            return self._call_taped(args)
        exe = self._exe
        if exe is None or self._opts is not settings.optimizer_options:
            exe = self._prepare()
        try:
            if len(args) == 1:  # the common arities without building a list
                outs = exe.run(args[0]._value)
            elif len(args) == 2:
                outs = exe.run(args[0]._value, args[1]._value)
            else:
                outs = exe.run(*[a._value for a in args])
        except Exception as e:  # noqa: BLE001 - translated to the TF error naming the node
            raise exe.translate_error(e) from (e if settings.full_tracebacks else None)
        if self._single:
            return _wrap(outs[0], self._out_dtypes[0])
        return self._pack_tensors([_wrap(v, d) for v, d in zip(outs, self._out_dtypes)])

    def _pack_tensors(self, tensors):
        if self._single:
            return tensors[0]
        it = iter(tensors)
        leaves = [None if t is None else next(it) for t in self._out_template]
        return nest.pack_sequence_as(self.graph.structured_outputs, leaves)

    def _prepare(self):
        """Optimizes and compiles the graph for the current optimizer options."""
        opts = settings.optimizer_options
        graph, report = passes.optimize(self.graph, opts)
        bound = [(graph.inputs[self._n_args + i], _capture_value(e, self.graph))
                 for i, e in enumerate(self.graph.external_captures)]
        self._exe = compile_graph(graph, graph.inputs[:self._n_args], graph.outputs, bound, name=self.graph.name)
        self._optimized, self._report, self._opts, self._taped_exe = graph, report, opts, None
        return self._exe

    # ---- gradients of a call ------------------------------------------------------------------------
    def _call_taped(self, args):
        """Runs the function and records the call for the tapes that watch one of its inputs."""
        st = _state
        captures = [e.value() if is_variable(e) else e for e in self.graph.external_captures]
        inputs = list(args) + captures
        if not any(id(x) in tape._watched for tape in st.tapes for x in inputs):
            with _no_tapes():
                return self._call_flat(args)
        if self._taped_exe is None or self._opts is not settings.optimizer_options:
            self._prepare()
            graph = self._optimized
            saved = [o for op in stateful_nodes(graph) for o in op.outputs]
            bound = [(graph.inputs[self._n_args + i], _capture_value(e, self.graph))
                     for i, e in enumerate(self.graph.external_captures)]
            self._taped_exe = compile_graph(graph, graph.inputs[:self._n_args], list(graph.outputs) + saved, bound,
                                            name=self.graph.name)
        exe = self._taped_exe
        try:
            values = exe.run(*[a._value for a in args])
        except Exception as e:  # noqa: BLE001
            raise exe.translate_error(e) from (e if settings.full_tracebacks else None)
        n = len(self._out_dtypes)
        outs = [_wrap(v, d) for v, d in zip(values[:n], self._out_dtypes)]
        saved_specs = [o for op in stateful_nodes(self.graph) for o in op.outputs]
        saved = [_wrap(v, t.dtype) for v, t in zip(values[n:], saved_specs)]
        record(st.tapes, self._get_call_prim(), tuple(inputs), {"saved": _Saved(saved)}, tuple(outs))
        return self._pack_tensors(outs)

    def _get_call_prim(self) -> Primitive:
        if self._call_prim is None:
            dtypes = list(self._out_dtypes)
            shapes = [t.shape.as_tuple() for t in self.graph.outputs]
            self._call_prim = Primitive("StatefulPartitionedCall", None, dtype_rule=lambda *d, **a: dtypes,
                                        shape_rule=lambda *s, **a: shapes, grad=self._grad, multiple_results=True,
                                        stateful=True, register=False)
        return self._call_prim

    def _grad(self, gs, outs, *inputs, saved):
        grads = [g for g, t in zip(gs, self.graph.outputs) if t.dtype.is_differentiable]
        result = self._backward_function()._call_flat(list(inputs) + list(saved.tensors) + grads)
        return tuple(result)

    def _backward_function(self) -> "ConcreteFunction":
        """d(inputs) from d(outputs), traced once: replays the forward graph under a tape."""
        if self._backward is None:
            self._backward = ConcreteFunction(trace_flat(_Backward(self.graph), _backward_specs(self.graph),
                                                         f"{self.graph.name}_grad"))
        return self._backward

    # ---- printing -------------------------------------------------------------------------------------
    def pretty_printed_signature(self, verbose: bool = True) -> str:
        """Input parameters, output type and captures, in TF's format."""
        sig_args, sig_kwargs = self.graph.structured_input_signature or ((), {})
        lines = ["Input Parameters:"]
        params = list(self._params)
        for i, a in enumerate(sig_args):
            name, kind = params[i] if i < len(params) else (f"args_{i}", "POSITIONAL_ONLY")
            lines.append(f"  {name} ({kind}): {_type_text(a)}")
        for k, v in sig_kwargs.items():
            lines.append(f"  {k} (KEYWORD_ONLY): {_type_text(v)}")
        lines.append("Output Type:")
        lines.append(f"  {_type_text(self.graph.structured_outputs, output=True)}")
        lines.append("Captures:")
        caps = self.graph.captures
        if not caps:
            lines.append("  None")
        for e, i in caps:
            label = e.name if is_variable(e) else i.op.name
            lines.append(f"  {label}: {TensorSpec(i.shape, i.dtype)}")
        return "\n".join(lines)

    def __repr__(self):
        return f"<ConcreteFunction {self.graph.name}({', '.join(p.op.name for p in self.inputs[:self._n_args])})>"


class _Backward:
    """The Python function traced into a forward graph's backward graph."""

    def __init__(self, fwd):
        self.fwd = fwd

    def __repr__(self):
        return f"<gradient of {self.fwd.name}>"

    def __call__(self, *flat):
        fwd = self.fwd
        n_in = len(fwd.inputs)
        saved_outs = [o for op in stateful_nodes(fwd) for o in op.outputs]
        xs, saved, gys = flat[:n_in], flat[n_in:n_in + len(saved_outs)], flat[n_in + len(saved_outs):]
        n_args = n_in - len(fwd.captures)
        externals = [None] * n_args + fwd.external_captures
        feeds, initial = [], {}
        for x, ext in zip(xs, externals):
            if ext is not None and is_variable(ext):
                feeds.append(ext)
                initial[id(ext)] = x
            else:
                feeds.append(x)
        with GradientTape(persistent=True) as tape:
            for x in xs:
                if x.dtype.is_differentiable:
                    tape.watch(x)
            sim = VariableSimulation(tape, initial)
            outs = replay(fwd, feeds, saved, sim)
        diff = [i for i, t in enumerate(fwd.outputs) if t.dtype.is_differentiable]
        groups = [sim.versions[id(ext)] if ext is not None and is_variable(ext) else [x]
                  for x, ext in zip(xs, externals)]
        flat_sources = [s for g in groups for s in g]
        grads = tape.gradient([outs[i] for i in diff], flat_sources, output_gradients=list(gys))
        result, pos = [], 0
        for g in groups:
            parts = [d for d in grads[pos:pos + len(g)] if d is not None]
            pos += len(g)
            result.append(None if not parts else parts[0] if len(parts) == 1 else _math.add_n(parts))
        return result


def _backward_specs(fwd) -> list:
    specs = [TensorSpec(p.shape, p.dtype) for p in fwd.inputs[:len(fwd.inputs) - len(fwd.captures)]]
    for e, i in fwd.captures:
        specs.append(TensorSpec(e.shape, e.dtype) if is_variable(e) else TensorSpec(i.shape, i.dtype))
    specs += [TensorSpec(o.shape, o.dtype) for op in stateful_nodes(fwd) for o in op.outputs]
    specs += [TensorSpec(t.shape, t.dtype) for t in fwd.outputs if t.dtype.is_differentiable]
    return specs


def _capture_value(external, graph):
    if isinstance(external, EagerTensor):
        return external._value
    if is_variable(external):
        return external
    if isinstance(external, SymbolicTensor):
        raise InaccessibleTensorError(
            f"Function {graph.name} captured {external!r} from a graph that is no longer being built; it can only "
            "be called while that graph is traced.")
    raise TypeError(f"cannot bind captured value {external!r}")


class _no_tapes:
    def __enter__(self):
        self.saved = _state.tapes
        _state.tapes = ()

    def __exit__(self, *exc):
        _state.tapes = self.saved
        return False


def _type_text(v, output: bool = False) -> str:
    """TF's type text: TensorSpec(...), Literal[...], List[...], Tuple[...], Dict[[k, v], ...]."""
    if isinstance(v, TensorSpec):
        return repr(v)
    if isinstance(v, Tensor):
        return repr(TensorSpec(v.shape, v.dtype))
    if is_variable(v):
        return f"Variable({TensorSpec(v.shape, v.dtype)!r})"
    if v is None:
        return "NoneTensorSpec()" if output else "Literal[None]"
    if isinstance(v, dict):
        return "Dict[" + ", ".join(f"[{k!r}, {_type_text(v[k], output)}]" for k in v) + "]"
    if isinstance(v, tuple) and hasattr(type(v), "_fields"):
        return f"{type(v).__name__}[" + ", ".join(f"[{f!r}, {_type_text(x, output)}]" for f, x in zip(v._fields, v)) \
            + "]"
    if isinstance(v, (list, tuple)):
        return ("List[" if isinstance(v, list) else "Tuple[") + ", ".join(_type_text(x, output) for x in v) + "]"
    return f"Literal[{v!r}]"
