"""`graph.lint()`: structural checks of a graph, replaying every node's dtype and shape rule.

Checks: every input is defined earlier in the same graph (program order), every value is
defined once (single assignment), names are unique, users lists match inputs, the outputs of a
function graph are defined in it, each node's recorded dtypes/shapes agree with its primitive's
rules, and nested graphs in attributes pass the same checks.
"""
from __future__ import annotations

from ..shapes import TensorShape, format_dims

__all__ = ["lint", "LintError"]


class LintError(ValueError):
    """A graph broke one of the IR's invariants (lists every problem found)."""


def lint(graph) -> None:
    problems: list[str] = []
    defined: set = set()
    names: set = set()
    earlier_ops: set = set()
    for op in graph.get_operations():
        where = f"node {op.name} ({op.type})"
        if op.graph is not graph:
            problems.append(f"{where}: belongs to another graph")
        if op.name in names:
            problems.append(f"{where}: duplicate name")
        names.add(op.name)
        for i, t in enumerate(op.inputs):
            if t.op.graph is not graph:
                problems.append(f"{where}: input {i} ({t.name}) is from another graph")
            elif id(t) not in defined:
                problems.append(f"{where}: input {i} ({t.name}) is used before it is defined")
            if not any(u is op for u in t._consumers):
                problems.append(f"{where}: not listed among the users of its input {t.name}")
        for c in op.control_inputs:
            if id(c) not in earlier_ops:
                problems.append(f"{where}: control input {c.name} is not an earlier node")
        for j, o in enumerate(op.outputs):
            if id(o) in defined:
                problems.append(f"{where}: output {j} defined twice")
            if o.op is not op or o.value_index != j:
                problems.append(f"{where}: output {j} does not point back to its node")
            defined.add(id(o))
        earlier_ops.add(id(op))
        problems.extend(f"{where}: {p}" for p in _check_rules(op))
        for v in op.attrs.values():
            if hasattr(v, "get_operations") and v is not graph:
                try:
                    lint(v)
                except LintError as e:
                    problems.append(f"{where}: nested graph {getattr(v, 'name', '')}: {e}")
    for t in getattr(graph, "outputs", None) or ():
        if id(t) not in defined:
            problems.append(f"output {t.name} is not defined in the graph")
    if problems:
        raise LintError(f"graph {getattr(graph, 'name', '')} failed lint:\n  " + "\n  ".join(problems))


def _check_rules(op) -> list[str]:
    try:
        dtypes, shapes = op.prim.abstract_eval([t.dtype for t in op.inputs],
                                               [t.shape.as_tuple() for t in op.inputs], op.attrs)
    except Exception as e:  # noqa: BLE001 - any failure of the rule is a lint problem
        return [f"its shape/dtype rule fails: {e}"]
    if len(dtypes) != len(op.outputs):
        return [f"rule gives {len(dtypes)} outputs, node has {len(op.outputs)}"]
    out = []
    for j, (o, d, s) in enumerate(zip(op.outputs, dtypes, shapes)):
        if o.dtype is not d:
            out.append(f"output {j} has dtype {o.dtype.name}, rule says {d.name}")
        if not o.shape.is_compatible_with(TensorShape(s)):
            out.append(f"output {j} has shape {format_dims(o.shape.as_tuple())}, rule says {format_dims(s)}")
    return out
