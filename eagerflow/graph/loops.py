"""Running While nodes: cond and body fused into one generated Python loop.

`run_while(cond, body, args, keep_history)` takes the node's input arrays (loop variables, then
captured values) and returns the final loop variables, plus the per-iteration history of loop
variables when the node keeps one for its gradient.

The first run compiles the optimized cond and body graphs into one function, e.g. for
`while n != 1: n = n // 2 if n % 2 == 0 else 3 * n + 1`::

    def loop(a0, b0):
        v0 = a0[()]
        while True:
            t1 = v0 != c0
            if not t1:
                break
            t3 = v0 % c1
            t4 = t3 == c2
            if t4:
                t6 = v0 // c1
                o7 = t6
            else:
                t8 = c3 * v0
                t9 = t8 + c4
                o7 = t9
            v0 = o7
        return (asarray(v0),)

Values of static shape () live as NumPy scalars, and the elementwise ops of `_INLINE` on them are
Python operators (NumPy scalar arithmetic, with exactly the kernels' dtypes and wrap-around; an
integer division by zero raises as the kernel does). Every other node calls its kernel, as the
ordinary executor does; a nested If is a Python `if` around its branches' code. An error names
the failing node and the user's line, as elsewhere (`execute.Executable.translate_error`).
"""
from __future__ import annotations

import itertools

import numpy as np

from ..context import settings
from ..ops import rules as R
from .execute import Executable, _ident, _literal

__all__ = ["run_while", "loop_source"]

_ids = itertools.count()
_NO_INLINE_DTYPES = frozenset(["bfloat16", "complex64", "complex128", "string", "variant", "resource"])
_INT_KINDS = "iu"

# op type -> template over the inputs' names (None: only for some dtypes, see _inline)
_BINARY = {"AddV2": "+", "Sub": "-", "Mul": "*", "Equal": "==", "NotEqual": "!=", "Less": "<",
           "LessEqual": "<=", "Greater": ">", "GreaterEqual": ">=", "LogicalAnd": "&", "LogicalOr": "|"}
_UNARY = {"Neg": "(-{0})", "Abs": "abs({0})", "Square": "({0} * {0})", "Identity": "{0}", "StopGradient": "{0}",
          "LogicalNot": "(~{0})"}


def run_while(cond, body, args, keep_history: bool):
    """Runs a While node's loop on arrays (see the module docstring)."""
    entry = _compiled(cond, body, keep_history)
    try:
        return entry.run(*args)
    except Exception as e:  # noqa: BLE001 - the TF error naming the failing node and its user line
        raise entry.translate_error(e) from None


def loop_source(cond, body, keep_history: bool = False) -> str:
    """The generated source of a While node's loop (for inspection and tests)."""
    return _compiled(cond, body, keep_history).source


def _compiled(cond, body, keep_history: bool):
    cache = body.__dict__.setdefault("_fused_loops", {})
    key = (id(cond), keep_history)
    entry = cache.get(key)
    if entry is None or entry[0] is not settings.optimizer_options:
        entry = (settings.optimizer_options, _LoopCompiler(cond, body, keep_history).compile())
        cache[key] = entry
    return entry[1]


def _scalar(t) -> bool:
    return t.shape.as_tuple() == () and t.dtype.name not in _NO_INLINE_DTYPES


class _LoopCompiler:
    """Generates the fused loop function for one (cond, body) pair."""

    def __init__(self, cond, body, keep_history: bool):
        self.cond, self.body, self.keep = cond, body, keep_history
        # __name__: NumPy's overflow warnings from the loop fall under eagerflow's warning filter (context.py),
        # as the kernels' do
        self.ns: dict = {"__builtins__": {"abs": abs}, "__name__": __name__, "asarray": np.asarray, "_fail": R.fail}
        self.names: dict = {}      # id(tensor) -> variable name
        self.scalars: set = set()  # ids of tensors held as NumPy scalars
        self.lines: list = []
        self.line_ops: dict = {}
        self.kernels: dict = {}
        self.count = 0

    # ---- emitting ---------------------------------------------------------------------------------------
    def emit(self, text: str, indent: int, op=None) -> None:
        self.lines.append("    " * indent + text)
        if op is not None:
            self.line_ops[len(self.lines)] = op

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def compile(self):
        cg, bg = self.cond.optimized(), self.body.optimized()
        n = self.body.n_args
        n_in = len(bg.inputs)
        params = [f"a{i}" for i in range(n)] + [f"b{j}" for j in range(n_in - n)]
        self.emit(f"def loop({', '.join(params)}):", 0)
        loop_vars = []
        for i, t in enumerate(bg.inputs[:n]):
            name = f"v{i}"
            loop_vars.append(name)
            self.emit(f"{name} = a{i}[()]" if _scalar(t) else f"{name} = a{i}", 1)
        invariants = []
        for j, t in enumerate(bg.inputs[n:]):
            name = f"b{j}"
            if _scalar(t):
                self.emit(f"{name} = {name}[()]", 1)
            invariants.append(name)
        if self.keep:
            self.emit("history = []", 1)
        self.emit("while True:", 1)
        self.bind_inputs(cg, loop_vars + invariants, [_scalar(t) for t in bg.inputs])
        self.emit_graph(cg, 2)
        self.emit(f"if not {self.names[id(cg.outputs[0])]}:", 2)
        self.emit("break", 3)
        if self.keep:
            self.emit(f"history.append(({''.join(f'asarray({v}), ' for v in loop_vars)}))", 2)
        self.bind_inputs(bg, loop_vars + invariants, [_scalar(t) for t in bg.inputs])
        self.emit_graph(bg, 2)
        outs = [self.names[id(t)] for t in bg.outputs]
        if loop_vars:
            self.emit(f"{', '.join(loop_vars)}, = {', '.join(outs)},", 2)
        result = "".join(f"asarray({v}), " for v in loop_vars) + ("history," if self.keep else "")
        self.emit(f"return ({result})", 1)
        source = "\n".join(self.lines) + "\n"
        op_name = f"__inference_{_ident(self.body.name)}_loop_{next(_ids)}"
        exec(compile(source, f"<eagerflow {op_name}>", "exec"), self.ns)  # noqa: S102 - our generated source
        return Executable(self.body, self.ns["loop"], source, self.line_ops, self.names, self.ns, op_name)

    def bind_inputs(self, graph, names, scalar_flags) -> None:
        for t, name, scalar in zip(graph.inputs, names, scalar_flags):
            self.names[id(t)] = name
            if scalar and _scalar(t):
                self.scalars.add(id(t))

    def emit_graph(self, graph, indent: int) -> None:
        for op in graph.get_operations():
            kind = op.type
            if kind == "Placeholder":
                continue
            if kind == "Const":
                self.emit_const(op)
            elif kind in ("If", "StatelessIf") and _scalar(op.inputs[0]) and op.inputs[0].dtype.name == "bool":
                self.emit_if(op, indent)
            else:
                self.emit_op(op, indent)

    def emit_const(self, op) -> None:
        name = self.fresh("c")
        value = op.attrs["value"]
        out = op.outputs[0]
        if _scalar(out) and isinstance(value, np.ndarray):
            self.ns[name] = value[()]
            self.scalars.add(id(out))
        else:
            self.ns[name] = value
        self.names[id(out)] = name

    def emit_if(self, op, indent: int) -> None:
        pred = self.names[id(op.inputs[0])]
        args = [self.names[id(t)] for t in op.inputs[1:]]
        flags = [id(t) in self.scalars for t in op.inputs[1:]]
        outs = [self.fresh("o") for _ in op.outputs]
        self.emit(f"if {pred}:", indent, op)
        for k, branch in enumerate((op.attrs["then_branch"], op.attrs["else_branch"])):
            if k == 1:
                self.emit("else:", indent, op)
            g = branch.optimized()
            self.bind_inputs(g, args, flags)
            self.emit_graph(g, indent + 1)
            for o, t in zip(outs, g.outputs):
                self.emit(f"{o} = {self.names[id(t)]}", indent + 1, op)
            if not g.outputs:
                self.emit("pass", indent + 1, op)
        branches = [op.attrs["then_branch"].optimized(), op.attrs["else_branch"].optimized()]
        for j, (o, t) in enumerate(zip(outs, op.outputs)):
            self.names[id(t)] = o
            if _scalar(t) and all(id(b.outputs[j]) in self.scalars for b in branches):
                self.scalars.add(id(t))

    def emit_op(self, op, indent: int) -> None:
        args = [self.names[id(t)] for t in op.inputs]
        expr = self.inline(op, args, indent)
        outs = [self.fresh("t") for _ in op.outputs]
        for o, t in zip(outs, op.outputs):
            self.names[id(t)] = o
        if expr is not None:
            self.emit(f"{outs[0]} = {expr}", indent, op)
            self.scalars.add(id(op.outputs[0]))
            return
        call_args = [f"asarray({a})" if id(t) in self.scalars else a for a, t in zip(args, op.inputs)]
        for key, value in op.attrs.items():
            lit = _literal(value)
            if lit is None:
                lit = self.fresh(f"attr_{_ident(key)}_")
                self.ns[lit] = value
            call_args.append(f"{key}={lit}")
        call = f"{self.kernel(op)}({', '.join(call_args)})"
        if not op.prim.multiple_results:
            self.emit(f"{outs[0]} = {call}", indent, op)
        elif outs:
            self.emit(f"{', '.join(outs)}, = {call}", indent, op)
        else:
            self.emit(call, indent, op)

    def kernel(self, op) -> str:
        name = self.kernels.get(id(op.prim))
        if name is None:
            name = f"k_{_ident(op.prim.name)}_{len(self.kernels)}"
            self.kernels[id(op.prim)] = name
            self.ns[name] = op.prim.kernel
        return name

    def inline(self, op, args, indent: int):
        """A Python expression computing `op` on NumPy scalars, or None (then its kernel runs)."""
        if len(op.outputs) != 1 or not _scalar(op.outputs[0]):
            return None
        if not all(id(t) in self.scalars for t in op.inputs):
            return None
        kind = op.type
        if kind in _UNARY:
            return _UNARY[kind].format(*args)
        if len(args) != 2:
            return None
        int_kind = op.inputs[0].dtype._np.kind in _INT_KINDS
        if kind in _BINARY:
            return f"({args[0]} {_BINARY[kind]} {args[1]})"
        if kind == "RealDiv" and not int_kind:
            return f"({args[0]} / {args[1]})"
        if kind in ("FloorDiv", "FloorMod") and int_kind:
            divisor = op.inputs[1]
            if not (divisor.op.type == "Const" and np.all(divisor.op.attrs["value"])):
                self.emit(f"if not {args[1]}: _fail({kind!r}, 'Integer division by zero')", indent, op)
            return f"({args[0]} {'//' if kind == 'FloorDiv' else '%'} {args[1]})"
        if kind == "FloorMod":
            return f"({args[0]} % {args[1]})"
        return None
