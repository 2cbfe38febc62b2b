import numpy as np

import eagerflow as tf
from helpers import check_op


def test_add_checker():
    a = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    b = np.array([10.0, 20.0], dtype=np.float32)
    check_op(tf.add, a, b, ref=np.add)


def test_matmul_checker():
    rng = np.random.RandomState(0)
    check_op(tf.matmul, rng.randn(3, 4).astype(np.float32), rng.randn(4, 2).astype(np.float32), ref=np.matmul,
             rtol=1e-4)
