"""Op family: nn (being written)."""
from __future__ import annotations

__all__: list = []
