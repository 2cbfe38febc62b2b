"""Graph optimization passes and the pipeline that runs them (each pass: Graph -> new Graph).

The pipeline runs, in order: constant folding, arithmetic simplification, common-subexpression
elimination, dead-code elimination, remapping (fused convolution blocks; after DCE, which removes
the dead gradient nodes that would hide a pattern). Each is on by default and switched by TF's option names in
`tf.config.optimizer.set_experimental_options` (plus eagerflow's own names for passes TF has
no switch for):

    constant_folding                    constant folding
    arithmetic_optimization             arithmetic simplification
    common_subexpression_elimination    CSE (TF does it inside arithmetic_optimization)
    remapping                           Conv2D+BiasAdd+Relu+MaxPool and its gradient fused
    disable_model_pruning=True          turns dead-code elimination off
    disable_meta_optimizer=True         turns every pass off
"""
from __future__ import annotations

from . import constant_folding, cse, dce, remapper, simplify

__all__ = ["PIPELINE", "optimize", "enabled", "KNOWN_OPTIONS"]

# (pass name, function, option key, value of the key that disables the pass)
PIPELINE = (
    ("constant_folding", constant_folding.run, "constant_folding", False),
    ("arithmetic_simplification", simplify.run, "arithmetic_optimization", False),
    ("common_subexpression_elimination", cse.run, "common_subexpression_elimination", False),
    ("dead_code_elimination", dce.run, "disable_model_pruning", True),
    ("remapping", remapper.run, "remapping", False),
)

# TF's option names (accepted; those without a pass here are recorded and ignored) and ours.
KNOWN_OPTIONS = frozenset([
    "layout_optimizer", "constant_folding", "shape_optimization", "remapping", "arithmetic_optimization",
    "dependency_optimization", "loop_optimization", "function_optimization", "debug_stripper",
    "disable_model_pruning", "scoped_allocator_optimization", "pin_to_host_optimization",
    "implementation_selector", "auto_mixed_precision", "disable_meta_optimizer", "min_graph_nodes",
    "common_subexpression_elimination",
])


def enabled(options: dict, key: str, off_value) -> bool:
    if options.get("disable_meta_optimizer"):
        return False
    return key not in options or bool(options[key]) != off_value


def optimize(graph, options: dict):
    """(optimized graph, report): report rows are (pass name, nodes before, nodes after)."""
    report = []
    for name, fn, key, off_value in PIPELINE:
        if not enabled(options, key, off_value):
            continue
        before = len(graph.get_operations())
        graph = fn(graph)
        report.append((name, before, len(graph.get_operations())))
    return graph, report
