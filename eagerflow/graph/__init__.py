"""Graph execution: the IR (ir.py), tracing (trace.py, func_graph.py), the executor (execute.py),
optimization passes (passes/), and ConcreteFunction (concrete.py). tf.function lives in ../function.py."""
from .ir import Graph, Operation, SymbolicTensor  # noqa: F401
from .func_graph import FuncGraph  # noqa: F401
