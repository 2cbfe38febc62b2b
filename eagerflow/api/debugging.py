"""`tf.debugging`: run-time checks and traceback filtering (re-exports only)."""
from ..graph.tracebacks import (disable_traceback_filtering, enable_traceback_filtering,  # noqa: F401
                                is_traceback_filtering_enabled)
from ..ops.control_flow import Assert  # noqa: F401
