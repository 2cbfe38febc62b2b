"""`tf.autograph.experimental`: re-exports only."""
from .api import do_not_convert, set_loop_options  # noqa: F401

__all__ = ["do_not_convert", "set_loop_options"]
