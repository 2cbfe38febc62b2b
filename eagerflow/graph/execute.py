"""The executor: a graph compiled once into straight-line Python over the eager kernels.

`compile_graph` generates the source of one function from the IR, e.g. for `x * w + 1.0`::

    def run(a0, a1):
        t0 = k_Mul(a0, a1)
        t1 = k_AddV2(t0, c1)
        del t0
        return (t1,)

Kernels are the same NumPy functions eager execution calls, on plain arrays: no Tensor wrapping,
no dtype rules (checked at trace time), no tape checks. Each value is deleted right after its
last use, so memory is released as early as eager would. Constants and captured values are bound
in the function's namespace. `print(executable)` (or `.source`) shows the code.

Buffer reuse: a node whose kernel is a plain NumPy ufunc writes its result into the buffer of an
input that dies at that node, instead of allocating (`k_AddV2_1(t2, c3, t2)  # t4 in t2's buffer`),
when that buffer is one this run allocated (the output of an earlier ufunc node: never a feed, a
capture, a constant, a fetched output, or a value any non-ufunc node saw and might view or keep),
and input and output have the same dtype and the same fully known shape of 2+ elements. Only
exactly rounded ufuncs are used this way (`_IN_PLACE`), so results are bitwise those of eager.

A TF1 Session runs the subgraph its fetches need with
`compile_graph(g, feeds, fetches, bound=[(h, v) for v, h in g.variable_captures], prune=True)`.

Failures are mapped back to the node that raised: the generated code has one line per node, so
the traceback's line number names it. The error is the TF error type, naming the node and the
user's source line where it was created.
"""
from __future__ import annotations

import itertools
import math
import re

import numpy as np

from .. import _threads
from ..errors import OpError
from .tracebacks import at_user_line
from ..primitive import op_error
from ..tensor import EagerTensor

__all__ = ["compile_graph", "compile_function_graph", "Executable"]

_ids = itertools.count()
_OP_SUFFIX = re.compile(r"\s*\[Op:[^\]]*\]\s*$")

# Ufuncs that may write into a dying input (positional `out`, the cheapest call). All are exact or
# correctly rounded, so the result cannot depend on the loop NumPy picks. Not maximum/minimum
# (positional `out` is deprecated there and `out=` costs more than a fresh 16-element array), and
# not transcendental ones (tanh, arctan2), whose SIMD and scalar loops may round differently.
_IN_PLACE = frozenset([np.add, np.subtract, np.multiply, np.true_divide, np.negative, np.positive,
                       np.absolute, np.square, np.sqrt, np.sign, np.rint, np.floor, np.ceil, np.trunc,
                       np.conjugate, np.logical_and, np.logical_or, np.logical_xor, np.logical_not,
                       np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert])
_IN_PLACE_DTYPES = frozenset(["float16", "float32", "float64", "int8", "int16", "int32", "int64",
                              "uint8", "uint16", "uint32", "uint64", "bool"])


def _literal(v):
    """Python source for a simple attribute value, or None when it must live in the namespace."""
    if v is None or isinstance(v, (bool, int, str, bytes)):
        return repr(v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else None
    if isinstance(v, tuple):
        parts = [_literal(x) for x in v]
        if any(p is None for p in parts):
            return None
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    return None


def _ident(name: str) -> str:
    return re.sub(r"\W", "_", name)


class Executable:
    """A compiled graph: `run(*feed_arrays)` returns the tuple of fetched arrays."""

    def __init__(self, graph, run, code, line_ops: dict, names: dict, namespace: dict, op_name: str):
        self.graph = graph
        self.run = run
        self.source = code
        self._code = run.__code__
        self._line_ops = line_ops
        self._names = names
        self._namespace = namespace
        self.op_name = op_name

    def __str__(self):
        return self.source

    def translate_error(self, exc: BaseException) -> BaseException:
        """The TF error for an exception raised inside `run` (unchanged if not from a node).

        An error already translated (by the executor of a nested branch or loop body) is returned
        as is: it names the innermost node that failed.
        """
        if getattr(exc, "_graph_node", None) is not None:
            return exc
        tb = exc.__traceback__
        frame_locals, op = None, None
        while tb is not None:
            if tb.tb_frame.f_code is self._code:
                op = self._line_ops.get(tb.tb_lineno)
                frame_locals = tb.tb_frame.f_locals
            tb = tb.tb_next
        if op is None:
            return exc
        if isinstance(exc, OpError):
            base = exc
        else:
            values = [self._value_of(t, frame_locals) for t in op.inputs]
            args = [_Abstract(t) if v is None or t.dtype.name == "resource" else EagerTensor._make(v, t.dtype)
                    for v, t in zip(values, op.inputs)]
            base = op_error(op.prim, args, op.attrs, exc)
        message = _OP_SUFFIX.sub("", str(base))
        where = f"\n  {op.traceback_text}\n" if op.source else ""
        text = (f"Graph execution error:\n\nDetected at node {op.name} defined at (most recent call last):\n{where}\n"
                f"{message}\n\t [[{{{{node {op.name}}}}}]] [Op:{self.op_name}]")
        err = type(base)(op.node_def, op, text)
        err._graph_node = op
        err.__cause__ = exc if base is not exc else None
        return at_user_line(err, op.source)  # the last frame shown is the user's line that made the node

    def _value_of(self, t, frame_locals):
        name = self._names.get(id(t))
        if name is None:
            return None
        if name in frame_locals:
            return frame_locals[name]
        return self._namespace.get(name)


class _Abstract:
    """Stands for an input whose value is gone, for error messages (dtype and static shape only)."""

    def __init__(self, t):
        self.dtype, self.shape = t.dtype, t.shape


def _needed_ops(graph, fetches, prune: bool) -> list:
    ops = graph.get_operations()
    if not prune:
        return ops
    live: set = set()
    stack = [t.op for t in fetches]
    while stack:
        op = stack.pop()
        if id(op) in live:
            continue
        live.add(id(op))
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return [op for op in ops if id(op) in live]


def compile_graph(graph, feeds, fetches, bound=(), *, prune: bool = False, name: str = "graph",
                  reuse_buffers: bool = True) -> Executable:
    """Compiles `graph` into `run(*feed_values) -> tuple(fetch values)`.

    `feeds`: placeholders given as arguments, in order; `bound`: (placeholder, value) pairs fixed at
    compile time (captured arrays, variables); `prune`: run only what the fetches need (TF1 Session
    semantics) instead of every node in program order (function semantics); `reuse_buffers`: let
    ufunc nodes write into dying intermediates (see the module docstring).
    """
    gen = _CodeGen(feeds, bound)
    ops = _needed_ops(graph, fetches, prune)
    fetch_ids = {id(t) for t in fetches}
    last_use: dict = {}
    for idx, op in enumerate(ops):
        for t in op.inputs:
            last_use[id(t)] = idx
    in_place = _in_place_targets(ops, fetch_ids, last_use) if reuse_buffers else {}
    for idx, op in enumerate(ops):
        if op.type == "Placeholder":
            if any(id(o) not in gen.names and (id(o) in last_use or id(o) in fetch_ids) for o in op.outputs):
                raise ValueError(f"compile_graph: placeholder {op.name} is neither fed nor bound")
        elif op.type == "Const":
            gen.names[id(op.outputs[0])] = gen.bind(f"c{idx}", op.attrs["value"])
        else:
            target = in_place.get(idx)
            gen.node(idx, op, None if target is None else gen.names[id(target)])
            dead = dict.fromkeys(gen.names[id(t)] for t in _released(op, idx, last_use, fetch_ids)
                                 if t is not target)
            dead = [d for d in dead if d.startswith("t")]
            if dead:
                gen.body.append(f"    del {', '.join(dead)}")
    ret = ", ".join(gen.names[id(t)] for t in fetches)
    gen.body.append(f"    return ({ret}{',' if len(fetches) == 1 else ''})")
    code = "\n".join([f"def run({', '.join(f'a{i}' for i in range(len(feeds)))}):"] + gen.body) + "\n"
    op_name = f"__inference_{_ident(name)}_{next(_ids)}"
    exec(compile(code, f"<eagerflow {op_name}>", "exec"), gen.ns)  # noqa: S102 - our own generated source
    run = gen.ns["run"]
    exe = Executable(graph, run, code, gen.line_ops, gen.names, gen.ns, op_name)
    if any(op.prim in _threads.PARALLEL_PRIMS for op in ops):
        exe.run = _with_intra_op_threads(run)  # error lines are still found in `run`'s frames
    return exe


def _with_intra_op_threads(run):
    """`run` with BLAS single-threaded, so its parallel kernels can use the thread pool (see _threads)."""
    def parallel_run(*args):
        with _threads.single_threaded_blas():
            return run(*args)
    return parallel_run


class _CodeGen:
    """Names of values (a: feeds, b: bound, c: constants, t: computed) and the lines of `run`."""

    def __init__(self, feeds, bound):
        # __name__ puts the generated code under eagerflow's warnings filter (see context.py)
        self.ns: dict = {"__builtins__": {}, "__name__": "eagerflow.graph.generated"}
        self.names: dict = {id(t): f"a{i}" for i, t in enumerate(feeds)}
        for i, (t, v) in enumerate(bound):
            self.names[id(t)] = self.bind(f"b{i}", v)
        self.kernels: dict = {}
        self.body: list = []
        self.line_ops: dict = {}

    def bind(self, name: str, value) -> str:
        self.ns[name] = value
        return name

    def node(self, idx: int, op, into=None) -> None:
        """`t5 = k_MatMul_0(t3, t4, transpose_a=False)` for one node; `into`: the name of the
        dying input a ufunc writes its result into (`k_AddV2_1(t3, c4, t3)  # t5 in t3's buffer`)."""
        kname = self.kernels.get(id(op.prim))
        if kname is None:
            kname = self.kernels[id(op.prim)] = self.bind(f"k_{_ident(op.prim.name)}_{len(self.kernels)}",
                                                          op.prim.kernel)
        args = [self.names[id(t)] for t in op.inputs]
        if into is not None:
            self.names[id(op.outputs[0])] = into
            self.body.append(f"    {kname}({', '.join(args)}, {into})  # t{idx} in {into}'s buffer")
            self.line_ops[len(self.body) + 1] = op
            return
        for key, value in op.attrs.items():
            lit = _literal(value)
            args.append(f"{key}={lit if lit is not None else self.bind(f'v{idx}_{_ident(key)}', value)}")
        call = f"{kname}({', '.join(args)})"
        outs = [f"t{idx}" if len(op.outputs) == 1 else f"t{idx}_{j}" for j in range(len(op.outputs))]
        for o, oname in zip(op.outputs, outs):
            self.names[id(o)] = oname
        if not op.prim.multiple_results:
            line = f"    {outs[0]} = {call}"
        elif outs:
            line = f"    {', '.join(outs)}{',' if len(outs) == 1 else ''} = {call}"
        else:
            line = f"    {call}"
        self.body.append(line)
        self.line_ops[len(self.body) + 1] = op  # +1: the `def` line


def compile_function_graph(graph) -> Executable:
    """The executable of a FuncGraph held in a node attribute (control flow), compiled once.

    `run(*values)` takes the argument placeholders and the captures of enclosing graphs (which a
    control-flow op passes as explicit inputs), in `graph.inputs` order; captured eager tensors and
    variables are bound.
    """
    exe = graph.__dict__.get("_executable")
    if exe is None:
        bound, feeds = [], []
        captured = {id(i): e for e, i in graph.captures}
        for t in graph.inputs:
            e = captured.get(id(t))
            if isinstance(e, EagerTensor):
                bound.append((t, e._value))
            elif e is not None and hasattr(e, "_is_eagerflow_variable"):
                bound.append((t, e))
            else:
                feeds.append(t)
        exe = compile_graph(graph, feeds, graph.outputs, bound, name=graph.name)
        graph._executable = exe
    return exe


def _in_place_targets(ops, fetch_ids, last_use) -> dict:
    """{node index: the input whose buffer that node's ufunc overwrites with its result}."""
    seen_by_others = {id(t) for op in ops if not _plain_ufunc(op) for t in op.inputs}
    fresh: set = set()  # values whose array this run allocated (outputs of ufunc nodes)
    targets = {}
    for idx, op in enumerate(ops):
        if not _plain_ufunc(op):
            continue
        out = op.outputs[0]
        shape = out.shape.as_tuple()
        if shape is None or None in shape or math.prod(shape) < 2:
            continue  # a 0-d result is a NumPy scalar; a 1-element in-place call is slow in NumPy
        fresh.add(id(out))
        if op.prim.kernel not in _IN_PLACE or out.dtype.name not in _IN_PLACE_DTYPES \
                or any(t.dtype is not out.dtype for t in op.inputs):
            continue
        for t in op.inputs:
            if id(t) in fresh and last_use[id(t)] == idx and id(t) not in fetch_ids \
                    and id(t) not in seen_by_others and t.shape.as_tuple() == shape:
                targets[idx] = t
                break
    return targets


def _plain_ufunc(op) -> bool:
    """A node whose kernel is a bare single-output ufunc (a fresh array out, no views, nothing kept)."""
    k = op.prim.kernel
    return (type(k) is np.ufunc and k.nout == 1 and k.nin == len(op.inputs) and not op.attrs
            and not op.prim.multiple_results)


def _released(op, idx, last_use, fetch_ids):
    """Values that die at node `idx`: inputs used for the last time, and outputs nobody uses."""
    for t in op.inputs:
        if last_use.get(id(t)) == idx and id(t) not in fetch_ids:
            yield t
    for o in op.outputs:
        if id(o) not in last_use and id(o) not in fetch_ids:
            yield o

