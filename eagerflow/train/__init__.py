"""`tf.train`: checkpoints (`Checkpoint`, `CheckpointManager`, `latest_checkpoint`) and checkpoint readers.

>>> import eagerflow as tf
>>> sorted(n for n in dir(tf.train) if n[0].isupper())[:3]
['Checkpoint', 'CheckpointManager', 'CheckpointOptions']
"""
from .checkpoint import (Checkpoint, CheckpointOptions, CheckpointReader, list_variables, load_checkpoint,  # noqa: F401
                         load_variable)
from .manager import CheckpointManager  # noqa: F401
from .state import CheckpointState, get_checkpoint_state, latest_checkpoint  # noqa: F401
