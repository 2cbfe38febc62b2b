"""`model.summary()`: Keras 3's table (box-drawing layout, wrapped cells) and parameter totals.

The layout follows what Keras prints without a colour terminal: column widths from `positions`
of a line length of min(88 or 108, terminal width - 4), each column padded by one space per side,
the excess shaved off evenly, and cells word-wrapped (an over-long word ends in `…`).

>>> import eagerflow as tf
>>> model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2, name="out")], name="tiny")
>>> model.summary(line_length=60)
Model: "tiny"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┓
┃ Layer (type)             ┃ Output Shape      ┃   Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━┩
│ out (Dense)              │ (None, 2)         │         8 │
└──────────────────────────┴───────────────────┴───────────┘
 Total params: 8 (32.00 B)
 Trainable params: 8 (32.00 B)
 Non-trainable params: 0 (0.00 B)
"""
from __future__ import annotations

import math
import re
import shutil
import sys

__all__ = ["print_summary", "count_params", "readable_memory_size", "format_layer_shape"]

_DTYPE_BITS = {"float16": 16, "bfloat16": 16, "float32": 32, "float64": 64, "int8": 8, "int16": 16, "int32": 32,
               "int64": 64, "uint8": 8, "uint16": 16, "uint32": 32, "uint64": 64, "bool": 1}
_WORDS = re.compile(r"\s*\S+\s*")


def count_params(weights) -> int:
    return int(sum(math.prod(w.shape.as_list()) for w in weights))


def weight_memory_size(weights) -> float:
    """Bytes taken by `weights` (each counted once)."""
    unique = {id(w): w for w in weights}.values()
    return sum(math.prod(w.shape.as_list()) * _DTYPE_BITS.get(w.dtype.name, 32) for w in unique) / 8


def readable_memory_size(size: float) -> str:
    """`968.00 B`, `53.16 KB`, `7.64 MB` (powers of 1024, as Keras)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _format_shape(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"  # Keras writes a 1-tuple as `(None)`


def format_layer_shape(layer) -> str:
    """The layer's output shape as summary prints it: from its last functional call, else its build."""
    from_nodes = [n for n in layer._inbound_nodes if n.outputs is not None]
    if from_nodes:
        outputs = from_nodes[-1].outputs
        flat = _flatten_outputs(outputs)
        if len(flat) == 1:
            return _format_shape(flat[0].shape)
        return str(_map_outputs(outputs, lambda t: _format_shape(t.shape))).replace("'", "")
    if layer._build_shapes_dict is None:
        return "?"
    try:
        shapes = layer.compute_output_shape(layer._build_shapes_dict["input_shape"])
    except (NotImplementedError, ValueError, TypeError):
        return "?"
    if _is_shape(shapes):
        return _format_shape(shapes)
    return str(_map_shapes(shapes)).replace("'", "")


def _is_shape(x) -> bool:
    return isinstance(x, (tuple, list)) and all(d is None or isinstance(d, int) for d in x)


def _map_shapes(shapes):
    if _is_shape(shapes):
        return _format_shape(shapes)
    if isinstance(shapes, dict):
        return {k: _map_shapes(v) for k, v in shapes.items()}
    return [_map_shapes(s) for s in shapes]


def _flatten_outputs(outputs) -> list:
    if isinstance(outputs, (list, tuple)):
        return [t for o in outputs for t in _flatten_outputs(o)]
    if isinstance(outputs, dict):
        return [t for k in sorted(outputs) for t in _flatten_outputs(outputs[k])]
    return [outputs]


def _map_outputs(outputs, fn):
    if isinstance(outputs, (list, tuple)):
        return [_map_outputs(o, fn) for o in outputs]
    if isinstance(outputs, dict):
        return {k: _map_outputs(v, fn) for k, v in outputs.items()}
    return fn(outputs)


# ---- table layout --------------------------------------------------------------------------------------

def _reduce_evenly(excess: int, widths: list) -> list:
    """Takes `excess` cells off the columns as evenly as possible, left to right."""
    out, remaining, parts = [], excess, len(widths)
    for w in widths:
        take = min(w, round(remaining / parts))
        out.append(w - take)
        remaining -= take
        parts -= 1
    return out


def _spread(extra: int, widths: list) -> list:
    """Adds `extra` cells in proportion to the widths (when the table must grow)."""
    total, out, remaining = sum(widths), [], extra
    for w in widths:
        add = math.ceil(w * remaining / total) if total > 0 else remaining
        out.append(w + add)
        remaining -= add
        total -= w
    return out


def _column_widths(line_length: int, positions) -> list:
    if positions[-1] <= 1:
        positions = [int(p * line_length) for p in positions]
    widths, current = [], 0
    for pos in positions:
        width = pos - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    padded = [w + 2 for w in widths]
    available = line_length - (len(widths) + 1)
    if sum(padded) > available:
        return _reduce_evenly(sum(padded) - available, padded)
    if sum(padded) < available:
        return _spread(available - sum(padded), padded)
    return padded


def _wrap(text: str, width: int) -> list:
    """Greedy word wrap; a word longer than the line is cut and ends in an ellipsis."""
    breaks, offset = [], 0
    for match in _WORDS.finditer(text):
        word = match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
            continue
        if match.start() and (length > width or offset):
            breaks.append(match.start())
        offset = len(word)
    lines, start = [], 0
    for b in breaks + [len(text)]:
        lines.append(text[start:b].rstrip())
        start = b
    return [line if len(line) <= width else line[:width - 1] + "…" for line in lines] or [""]


def _align(text: str, width: int, align: str) -> str:
    if align == "right":
        return text.rjust(width)
    if align == "center":
        left = (width - len(text)) // 2
        return " " * left + text + " " * (width - len(text) - left)
    return text.ljust(width)


def _render_table(header, alignment, rows, widths) -> list:
    def border(left, fill, mid, right):
        return left + mid.join(fill * w for w in widths) + right

    def render_row(cells, edge):
        wrapped = [_wrap(str(c), w - 2) for c, w in zip(cells, widths)]
        height = max(len(c) for c in wrapped)
        out = []
        for i in range(height):
            parts = []
            for lines, w, align in zip(wrapped, widths, alignment):
                text = lines[i] if i < len(lines) else ""
                parts.append(" " + _align(text, w - 2, align) + " ")
            out.append(edge + edge.join(parts) + edge)
        return out

    lines = [border("┏", "━", "┳", "┓")] + render_row(header, "┃") + [border("┡", "━", "╇", "┩")]
    for i, row in enumerate(rows):
        if i:
            lines.append(border("├", "─", "┼", "┤"))
        lines.extend(render_row(row, "│"))
    lines.append(border("└", "─", "┴", "┘"))
    return lines


# ---- the summary ------------------------------------------------------------------------------------------

def _connections(layer, relevant) -> str:
    parts = []
    for node in layer._inbound_nodes:
        if relevant is not None and node not in relevant:
            continue
        for kt in node.input_tensors:
            history = kt._keras_history
            parts.append(f"{history.operation.name}[{history.node_index}][{history.tensor_index}]")
    return ", ".join(parts) or "-"


def _layer_rows(layer, sequential_like, relevant, show_trainable, expand_nested, level=0):
    name = ("   " * level + "└ " if level else "") + f"{layer.name} ({type(layer).__name__})"
    params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
    row = [name, format_layer_shape(layer), params]
    if not sequential_like:
        row.append(_connections(layer, relevant))
    if show_trainable:
        row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
    rows = [row]
    if expand_nested and getattr(layer, "layers", None):
        for sub in layer.layers:
            rows.extend(_layer_rows(sub, sequential_like, None, show_trainable, expand_nested, level + 1))
    return rows


def _layer_range(layers, layer_range):
    if layer_range is None:
        return layers
    if len(layer_range) != 2 or not all(isinstance(n, str) for n in layer_range):
        raise ValueError(f"layer_range must be a list or tuple of 2 layer names. Received: {layer_range}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(f"Passed layer_names do not match the layer names in the model. Received: {layer_range}")
    if min(lower) > max(upper):
        return layers[min(upper):max(lower) + 1]
    return layers[min(lower):max(upper) + 1]


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None) -> None:
    """Prints (or passes to `print_fn`) the summary table of `model`."""
    sequential_like, layers, relevant = model._summary_layout()
    if sequential_like:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
        header, alignment = ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        alignment = ["left", "left", "right", "left"]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header, alignment = header + ["Trainable"], alignment + ["center"]
    line_length = line_length or min(default_length, shutil.get_terminal_size().columns - 4)
    widths = _column_widths(line_length, list(positions))
    rows = []
    for layer in _layer_range(layers, layer_range):
        rows.extend(_layer_rows(layer, sequential_like, relevant, show_trainable, expand_nested))
    trainable, frozen = model.trainable_weights, model.non_trainable_weights
    lines = [f'Model: "{model.name}"'] + _render_table(header, alignment, rows, widths)
    totals = [("Trainable params", count_params(trainable), weight_memory_size(trainable)),
              ("Non-trainable params", count_params(frozen), weight_memory_size(frozen))]
    optimizer = getattr(model, "optimizer", None)
    if getattr(model, "compiled", False) and optimizer is not None and getattr(optimizer, "built", False):
        opt_vars = list(optimizer.variables)
        totals.append(("Optimizer params", count_params(opt_vars), weight_memory_size(opt_vars)))
    total_count = sum(t[1] for t in totals)
    total_size = sum(t[2] for t in totals)
    lines.append(f" Total params: {total_count:,} ({readable_memory_size(total_size)})")
    lines.extend(f" {label}: {count:,} ({readable_memory_size(size)})" for label, count, size in totals)
    text = "\n".join(lines) + "\n"
    if print_fn is None:
        sys.stdout.write(text)
    else:
        print_fn(text)
