"""`tf.debugging`: run-time checks (re-exports only)."""
from ..ops.control_flow import Assert  # noqa: F401
