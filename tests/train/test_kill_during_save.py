"""A process killed (SIGKILL) while saving leaves the previous checkpoint loadable and consistent.

A writer process saves a few megabytes per checkpoint in a loop through a CheckpointManager, every
variable holding its step number. It is killed at random moments, repeatedly; after each kill the
directory's latest checkpoint must load without error and hold one step in every variable, and
the next writer resumes from it.
"""
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import eagerflow as tf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    import eagerflow as tf

    directory = sys.argv[1]
    step = tf.Variable(np.int64(0))
    weights = [tf.Variable(np.zeros(250_000, np.float32)) for _ in range(3)]
    ckpt = tf.train.Checkpoint(step=step, weights=weights)
    manager = tf.train.CheckpointManager(ckpt, directory, max_to_keep=2)
    manager.restore_or_initialize()
    print("ready", flush=True)
    while True:
        n = int(step) + 1
        step.assign(np.int64(n))
        for w in weights:
            w.assign(np.full(250_000, n, np.float32))
        manager.save()
""")


def _check_latest(directory):
    latest = tf.train.latest_checkpoint(directory)
    assert latest is not None
    step = tf.Variable(np.int64(-1))
    weights = [tf.Variable(np.zeros(250_000, np.float32)) for _ in range(3)]
    tf.train.Checkpoint(step=step, weights=weights).restore(latest).assert_consumed()
    n = int(step)
    for w in weights:
        values = w.numpy()
        assert values[0] == n and values[-1] == n and np.all(values == n), f"{latest}: torn checkpoint"
    return n


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_killed_writers_leave_a_loadable_checkpoint(tmp_path):
    rng = random.Random(0)
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    directory = str(tmp_path / "ckpts")
    steps = []
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, str(script), directory], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env)
        try:
            assert proc.stdout.readline().strip() == b"ready", proc.stderr.read().decode()
            deadline = time.time() + 20
            start = steps[-1] if steps else 0
            while time.time() < deadline:  # wait until this writer has saved at least one new checkpoint
                latest = tf.train.latest_checkpoint(directory)
                if latest is not None and int(latest.rsplit("-", 1)[1]) > start:
                    break
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.15))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        steps.append(_check_latest(directory))
    assert steps == sorted(steps) and steps[-1] >= 6  # every writer resumed and made progress
    leftovers = [f for f in os.listdir(directory) if f.endswith(".tmp")]
    # Temporary files of interrupted writes may remain; they are never mistaken for checkpoints.
    assert all(f.startswith(".") for f in leftovers)
