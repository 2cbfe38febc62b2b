"""Running While nodes: the loop runs the compiled cond and body in a tight Python loop.

`run_while(cond, body, args, keep_history)` takes the node's input arrays (loop variables, then
captured values) and returns the final loop variables (plus the history of per-iteration loop
variables when the node keeps one for its gradient).
"""
from __future__ import annotations

__all__ = ["run_while"]


def run_while(cond, body, args, keep_history: bool):
    n = body.n_args
    values = tuple(args[:n])
    invariant = tuple(args[n:])
    test, step = cond.runner(), body.runner()
    if keep_history:
        history = []
        while test(*values, *invariant)[0]:
            history.append(values)
            values = step(*values, *invariant)
        return tuple(values) + (history,)
    while test(*values, *invariant)[0]:
        values = step(*values, *invariant)
    return tuple(values)
