"""`tf.keras.callbacks.TensorBoard`: training curves and weight histograms as TensorBoard event files.

Writes `<log_dir>/train` and `<log_dir>/validation` with the tags Keras 3 uses: `epoch_<name>` per
epoch (loss, metrics, `epoch_learning_rate`), `batch_<name>` per batch with `update_freq`, and
`evaluation_<name>_vs_iterations` at each validation, plus `<weight path>/histogram` with `histogram_freq`.

>>> import eagerflow as tf
>>> cb = tf.keras.callbacks.TensorBoard(log_dir="/tmp/logs", update_freq="batch")
>>> cb.update_freq
1
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

import eagerflow as tf  # public API only; attributes are read at call time
from .callbacks import Callback

__all__ = ["TensorBoard"]


def _as_float(value) -> float:
    return float(np.asarray(value.numpy() if hasattr(value, "numpy") else value))


class TensorBoard(Callback):
    """Logs fit's losses, metrics, learning rate and (optionally) weight histograms for TensorBoard.

    `update_freq`: "epoch" (default), "batch" or an int n (batch scalars every n training batches;
    while training, the train writer is also the default writer with that step, so `tf.summary`
    calls in the model are recorded with it). `histogram_freq`: every that many epochs, a
    histogram of each layer weight. `write_images`: each weight also as an image. `write_graph`
    is accepted but writes nothing (eagerflow has no TensorBoard graph export). Profiling and
    embeddings are not available: `profile_batch` and `embeddings_freq` must be 0 (or None).

    >>> import eagerflow as tf
    >>> tf.keras.callbacks.TensorBoard(histogram_freq=1).histogram_freq
    1
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        if profile_batch not in (0, None, "0", "0,0", (0, 0), [0, 0]):
            raise NotImplementedError(f"TensorBoard(profile_batch=...) is not available in eagerflow: there is "
                                      f"no profiler. Use profile_batch=0. Received: profile_batch={profile_batch!r}")
        if embeddings_freq not in (0, None) or embeddings_metadata is not None:
            raise NotImplementedError("TensorBoard(embeddings_freq=..., embeddings_metadata=...) is not available in "
                                      "eagerflow: there is no embedding projector. Use embeddings_freq=0 and "
                                      f"embeddings_metadata=None. Received: embeddings_freq={embeddings_freq!r}, "
                                      f"embeddings_metadata={embeddings_metadata!r}")
        if update_freq != "epoch" and update_freq != "batch" and (
                isinstance(update_freq, bool) or not isinstance(update_freq, (int, np.integer)) or update_freq < 1):
            raise ValueError(f"Argument `update_freq` must be 'epoch', 'batch' or a positive integer. "
                             f"Received: update_freq={update_freq!r}")
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, (int, np.integer)) or histogram_freq < 0:
            raise ValueError(f"Argument `histogram_freq` must be a non-negative integer. "
                             f"Received: histogram_freq={histogram_freq!r}")
        self.log_dir = str(os.fspath(log_dir))
        self.histogram_freq = int(histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq or 0
        self.embeddings_metadata = embeddings_metadata
        self._global_train_batch = 0
        self._global_test_batch = 0
        self._previous_epoch_iterations = 0.0
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._writers: dict = {}
        self._prev_summary_state: list = []

    # ---- writers ------------------------------------------------------------------------------------------------
    def set_model(self, model) -> None:
        super().set_model(model)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers = {}

    @property
    def _train_writer(self):
        if "train" not in self._writers:
            self._writers["train"] = tf.summary.create_file_writer(self._train_dir)
        return self._writers["train"]

    @property
    def _val_writer(self):
        if "val" not in self._writers:
            self._writers["val"] = tf.summary.create_file_writer(self._val_dir)
        return self._writers["val"]

    def _push_writer(self, writer, step) -> None:
        """Makes `writer` the default (with `step`) for summaries written inside the model's batches."""
        if self.update_freq == "epoch":
            return
        freq = self.update_freq
        contexts = (writer.as_default(step), tf.summary.record_if(lambda: step % freq == 0))
        self._prev_summary_state.append(contexts)
        for c in contexts:
            c.__enter__()

    def _pop_writer(self) -> None:
        if self.update_freq == "epoch" or not self._prev_summary_state:
            return
        as_default, record = self._prev_summary_state.pop()
        record.__exit__(*sys.exc_info())
        as_default.__exit__(*sys.exc_info())

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()

    # ---- hooks --------------------------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0.0
        self._push_writer(self._train_writer, self._global_train_batch)

    def on_train_end(self, logs=None):
        self._pop_writer()
        self._close_writers()

    def on_test_begin(self, logs=None):
        self._push_writer(self._val_writer, self._global_test_batch)

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations") and logs:
            with self._val_writer.as_default():
                for name, value in logs.items():
                    tf.summary.scalar(f"evaluation_{name}_vs_iterations", value, step=optimizer.iterations)
        self._pop_writer()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.update_freq != "epoch":
            self._pop_writer()
            self._push_writer(self._train_writer, self._global_train_batch)
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch":
            return  # nothing is recorded per batch (Keras writes into a recording condition that is off)
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._batch_start_time, 1e-12)
            tf.summary.scalar("batch_steps_per_second", 1.0 / elapsed, step=self._global_train_batch)
        if isinstance(logs, dict):
            for name, value in logs.items():
                tf.summary.scalar(f"batch_{name}", value, step=self._global_train_batch)

    def on_test_batch_begin(self, batch, logs=None):
        self._global_test_batch += 1
        if self.update_freq != "epoch":
            self._pop_writer()
            self._push_writer(self._val_writer, self._global_test_batch)

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._previous_epoch_iterations = _as_float(self.model.optimizer.iterations)
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)

    # ---- what is written ----------------------------------------------------------------------------------------
    def _collect_learning_rate(self, logs: dict) -> dict:
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if isinstance(optimizer, tf.keras.optimizers.Optimizer):
            logs["learning_rate"] = _as_float(optimizer.learning_rate)
        return logs

    def _steps_per_second(self) -> float:
        iterations = _as_float(self.model.optimizer.iterations)
        return (iterations - self._previous_epoch_iterations) / max(time.time() - self._epoch_start_time, 1e-12)

    def _log_epoch_metrics(self, epoch, logs) -> None:
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        train_logs = self._collect_learning_rate(train_logs)
        if self.write_steps_per_second:
            train_logs["steps_per_second"] = self._steps_per_second()
        for writer, items in ((self._train_writer, train_logs), (self._val_writer, val_logs)):
            if items:
                with writer.as_default():
                    for name, value in items.items():
                        tf.summary.scalar(f"epoch_{name}", value, step=epoch)

    def _log_weights(self, epoch) -> None:
        with self._train_writer.as_default():
            for layer in self.model.layers:
                for weight in layer.weights:
                    name = getattr(weight, "path", weight.name).replace(":", "_")
                    tf.summary.histogram(f"{name}/histogram", weight, step=epoch)
                    if self.write_images:
                        self._log_weight_as_image(weight, f"{name}/image", epoch)

    @staticmethod
    def _log_weight_as_image(weight, name, epoch) -> None:
        """A weight as a one-channel image, laid out as Keras 3 does (biases as a row, kernels wide)."""
        w = np.squeeze(np.asarray(weight.numpy()))
        if w.ndim == 1:
            w = w.reshape(1, w.shape[0], 1, 1)
        elif w.ndim == 2:
            if w.shape[0] > w.shape[1]:
                w = w.T
            w = w.reshape(1, w.shape[0], w.shape[1], 1)
        elif w.ndim == 3:
            if tf.keras.backend.image_data_format() == "channels_last":
                w = np.transpose(w, (2, 0, 1))
            w = w.reshape(w.shape[0], w.shape[1], w.shape[2], 1)
        if w.ndim == 4 and w.shape[-1] in (1, 3, 4):
            tf.summary.image(name, w, step=epoch)
