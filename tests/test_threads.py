"""Intra-op threads: chunks by batch, BLAS single-threaded only inside graph runs, restored after."""
import os
import threading

import numpy as np
import pytest

import eagerflow as tf
from eagerflow import _threads


def test_chunks_depend_on_the_batch_only():
    assert _threads.batch_chunks(1, 1 << 30) == [(0, 1)]
    assert _threads.batch_chunks(64, 1) == [(0, 64)]  # too little work to split
    assert _threads.batch_chunks(7, _threads.MIN_CHUNK_WORK) == [(0, 4), (4, 7)]


def test_run_chunks_is_sequential_outside_a_scope():
    seen = []
    assert _threads.workers() == 1
    out = _threads.run_chunks(lambda lo, hi: seen.append(threading.get_ident()) or (lo, hi), [(0, 2), (2, 4)])
    assert out == [(0, 2), (2, 4)] and set(seen) == {threading.get_ident()}


@pytest.mark.skipif(_threads._blas is None, reason="needs OpenBLAS (NumPy's wheels bundle it)")
def test_scope_sets_blas_to_one_thread_and_restores_it():
    get, put = _threads._blas
    before = get()
    a = np.random.RandomState(0).rand(300, 300)
    product = a @ a  # multi-threaded; entering the scope ends OpenBLAS's workers, which restart on demand
    with _threads.single_threaded_blas():
        assert get() == 1
        with _threads.single_threaded_blas():  # nested graph runs
            assert get() == 1
        assert get() == 1
    assert get() == before
    np.testing.assert_array_equal(a @ a, product)
    with pytest.raises(RuntimeError):
        with _threads.single_threaded_blas():
            raise RuntimeError("boom")
    assert get() == before and _threads._depth == 0


@pytest.mark.skipif(_threads._blas is None, reason="needs OpenBLAS (NumPy's wheels bundle it)")
def test_chunks_run_on_two_threads_inside_a_scope_unless_turned_off():
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU")
    seen = []
    barrier = threading.Barrier(2, timeout=10)  # both chunks must be running at once

    def chunk(lo, hi):
        seen.append(threading.get_ident())
        barrier.wait()
        return lo

    with _threads.single_threaded_blas():
        assert _threads.run_chunks(chunk, [(0, 1), (1, 2)]) == [0, 1]
    assert len(set(seen)) == 2
    tf.config.threading.set_intra_op_parallelism_threads(1)
    try:
        with _threads.single_threaded_blas():
            assert _threads.workers() == 1
    finally:
        tf.config.threading.set_intra_op_parallelism_threads(0)


def test_errors_in_a_chunk_propagate():
    def chunk(lo, hi):
        if lo:
            raise ValueError("chunk 2 failed")
        return lo

    with _threads.single_threaded_blas():
        with pytest.raises(ValueError, match="chunk 2 failed"):
            _threads.run_chunks(chunk, [(0, 1), (1, 2)])


def test_a_forked_child_gets_its_own_pool(monkeypatch):
    pool = _threads._get_pool()
    assert _threads._get_pool() is pool
    monkeypatch.setattr(_threads, "_pool_pid", -1)
    assert _threads._get_pool() is not pool


def test_graphs_with_fused_convolutions_run_in_a_scope(monkeypatch):
    depths = []
    real = _threads.run_chunks

    def spy(fn, chunks):
        depths.append(_threads._depth)
        return real(fn, chunks)

    monkeypatch.setattr(_threads, "run_chunks", spy)
    x = tf.constant(np.random.RandomState(0).rand(2, 6, 6, 1).astype(np.float32))
    w = tf.constant(np.ones((3, 3, 1, 2), np.float32))

    @tf.function
    def f(x):
        return tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(x, w, 1, "VALID")), 2, 2, "VALID")

    expected = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(x, w, 1, "VALID")), 2, 2, "VALID")
    np.testing.assert_array_equal(f(x).numpy(), expected.numpy())
    blas = _threads._blas is not None
    assert depths == [1 if blas else 0]
    assert _threads._depth == 0
