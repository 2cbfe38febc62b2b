"""`tf.config`: process-wide settings.

`tf.config.optimizer` switches the graph optimization passes that run on every tf.function
(see eagerflow/graph/passes/__init__.py for the option names and their passes).

>>> import eagerflow as tf
>>> tf.config.optimizer.set_experimental_options({"constant_folding": False})
>>> tf.config.optimizer.get_experimental_options()["constant_folding"]
False
>>> tf.config.optimizer.set_experimental_options({"constant_folding": True})
"""
from __future__ import annotations

from ..context import settings
from ..graph.passes import KNOWN_OPTIONS

__all__ = ["optimizer"]


class optimizer:  # noqa: N801 - TF's namespace name
    """`tf.config.optimizer`: the graph optimizer's switches."""

    @staticmethod
    def set_experimental_options(options: dict) -> None:
        """Turns passes on or off by name (unknown names are ignored, as TF does).

        Functions re-optimize on their next call.
        """
        if not isinstance(options, dict):
            raise TypeError(f"options must be a dict, got {options!r}")
        new = dict(settings.optimizer_options)
        new.update({k: v for k, v in options.items() if k in KNOWN_OPTIONS})
        settings.optimizer_options = new  # a new object: compiled functions notice by identity

    @staticmethod
    def get_experimental_options() -> dict:
        """The options set so far, plus TF's two defaults."""
        out = dict(settings.optimizer_options)
        out.setdefault("disable_model_pruning", False)
        out.setdefault("disable_meta_optimizer", False)
        return out
