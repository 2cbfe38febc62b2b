"""`tf.keras.utils.Progbar`: Keras 3's progress bar.

On a terminal (or in a notebook) the bar is redrawn in place with `\\r` and Keras's colours::

    4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.1200 - loss: 2.3310

When stdout is not a terminal (a file, a pipe, a captured test), only the final line of each bar
is written, without colour codes, so logs stay readable. `verbose=2` prints one line at the end
(`4/4 - 0s - 2ms/step - loss: 2.3310`), `verbose=0` nothing.

>>> from eagerflow.keras.progbar import Progbar
>>> bar = Progbar(2, verbose=2)
>>> bar.update(1, [("loss", 1.0)])
>>> bar.update(2, [("loss", 0.5)])  # doctest: +ELLIPSIS
2/2 - 0s - ...us/step - loss: 0.5000
"""
from __future__ import annotations

import math
import os
import sys
import time

import numpy as np

__all__ = ["Progbar"]

_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"
_BAR_CHAR = "\u2501"


def _interactive() -> bool:
    out = sys.stdout
    return bool(getattr(out, "isatty", None) and out.isatty()) or "ipykernel" in sys.modules \
        or "PYCHARM_HOSTED" in os.environ


def _write(text: str) -> None:
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:  # a stdout that cannot print the bar character
        sys.stdout.write(text.replace(_BAR_CHAR, "="))
    sys.stdout.flush()


def _format_value(value) -> str:
    return f" {value:.4f}" if abs(value) > 1e-3 else f" {value:.4e}"


def format_time(seconds_per_unit: float, unit_name: str) -> str:
    """` 2ms/step`, ` 14us/step` or ` 1s/step`, as Keras prints durations."""
    if seconds_per_unit >= 1 or seconds_per_unit == 0:
        return f" {seconds_per_unit:.0f}s/{unit_name}"
    if seconds_per_unit >= 1e-3:
        return f" {seconds_per_unit * 1e3:.0f}ms/{unit_name}"
    return f" {seconds_per_unit * 1e6:.0f}us/{unit_name}"


class Progbar:
    """Displays a progress bar for `target` steps (None: unknown).

    Values of metrics named in `stateful_metrics` are shown as given; others are averaged over the
    steps seen (pass `stateless_metrics` instead to average only those).
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None, stateless_metrics=None,
                 unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be provided.")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics is not None else (
            None if stateless_metrics is not None else set())
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None else None
        self._dynamic_display = _interactive()
        self._seen_so_far = 0
        self._values: dict = {}
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def _is_averaged(self, name) -> bool:
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def _record(self, current, values, finalize) -> None:
        for name, value in values or ():
            value = float(np.mean(value))
            if self._is_averaged(name) and not finalize:
                weight = max(current - self._seen_so_far, 1)
                total, count = self._values.get(name, (0.0, 0))
                self._values[name] = (total + value * weight, count + weight)
            else:
                self._values[name] = (value, 1)
        self._seen_so_far = current

    def update(self, current, values=None, finalize=None):
        """Moves the bar to step `current`; `values` is a list of (name, value) for this step."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._record(current, values, finalize)
        now = time.time()
        per_unit = self._step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if self._dynamic_display:
                self._draw(current, now, per_unit, finalize)
            elif finalize:
                _write(self._line(current, now, per_unit, finalize, colour=False)[0] + "\n")
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            text = f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s -" + \
                format_time(per_unit, self.unit_name)
            _write(text + self._metrics_text() + "\n")
        self._last_update = now

    def _metrics_text(self) -> str:
        parts = []
        for name, (total, count) in self._values.items():
            parts.append(f" - {name}:" + _format_value(total / max(1, count)))
        return "".join(parts)

    def _line(self, current, now, per_unit, finalize, colour: bool):
        """(text, visible width) of the bar line."""
        bold, reset = (_BOLD, _RESET) if colour else ("", "")
        if self.target:
            digits = int(math.log10(self.target)) + 1
            filled = int(self.width * current / self.target)
            count = f"{current:{digits}d}/{self.target}"
            if colour:
                bar = f"{bold}{count}{reset} " + (f"{_GREEN}{_BAR_CHAR * filled}{reset}" if filled > 0 else "") + \
                    f"{_GREY}{_BAR_CHAR * (self.width - filled)}{reset}"
            else:
                bar = f"{count} " + _BAR_CHAR * self.width
            visible = len(count) + 1 + self.width
        else:
            bar = f"{current:7d}/Unknown"
            visible = len(bar)
        if self.target and not finalize:
            eta = per_unit * (self.target - current)
            if eta > 3600:
                shown = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
            elif eta > 60:
                shown = "%d:%02d" % (eta // 60, eta % 60)
            else:
                shown = "%ds" % eta
        else:
            shown = f"{now - self._start:.0f}s"
        info = f" {bold}{shown}{reset}" + format_time(per_unit, self.unit_name) + self._metrics_text()
        visible += len(info) - (len(bold) + len(reset))
        return bar + info, visible

    def _draw(self, current, now, per_unit, finalize) -> None:
        text, width = self._line(current, now, per_unit, finalize, colour=True)
        message = "\b" * self._prev_total_width + "\r" + text
        if self._prev_total_width > width:
            message += " " * (self._prev_total_width - width)
        if finalize:
            message += "\n"
        _write(message)
        self._prev_total_width = width

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def _step_duration(self, current, now) -> float:
        """Seconds per step, ignoring the (slow, tracing) first step once later ones exist."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit
