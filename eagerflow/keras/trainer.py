"""Keras training loop mixin (compile/fit/evaluate/predict) — being written."""
from __future__ import annotations


class Trainer:
    """Mixin giving Model compile/fit/evaluate/predict (being written)."""
