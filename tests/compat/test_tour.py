"""The tour's "Graph execution with tf.function" section (python -m eagerflow --section graph)."""
import re

from eagerflow.__main__ import SECTIONS, main


def test_graph_section_traces_times_and_contrasts_tf1(capsys):
    assert "graph" in [s.name for s in SECTIONS]
    assert main(["--section", "graph"]) == 0
    out = capsys.readouterr().out
    assert "1. Graph execution with tf.function\n===================================\n" in out
    assert ("graph dense(%x: float32[4,3], %w: float32[3,2], %b: float32[2]) {\n"
            "  %0 = MatMul(%x, %w) {transpose_a=False, transpose_b=False} : float32[4,2]\n"
            "  %1 = AddV2(%0, %b) : float32[4,2]\n"
            "  %2 = Relu(%1) : float32[4,2]\n"
            "  return %2\n}\n") in out
    timing = re.search(r"\neager (\d+) us, tf\.function (\d+) us per call: (\d+\.\d)x faster\n", out)
    assert timing is not None and int(timing.group(1)) > 0 and int(timing.group(2)) > 0
    assert '>>> print(y)\nTensor("add:0", shape=(None, 2), dtype=float32)\n' in out
    assert "print(sess.run(y, feed_dict={x: [[1.0, 2.0, 3.0]]}))\n...\n[[6. 6.]]\n" in out
