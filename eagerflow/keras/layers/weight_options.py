"""The `<weight>_initializer`, `_regularizer` and `_constraint` arguments of layers with weights.

`set_weight_options` turns the identifiers a constructor received (names, dicts, objects) into the
objects; `weight_options_config` writes them back in Keras's order: the initializers of every
weight, then the regularizers (then `activity_regularizer`), then the constraints.

>>> import eagerflow as tf
>>> list(weight_options_config(tf.keras.layers.Dense(2), ("kernel", "bias"), activity=False))[:2]
['kernel_initializer', 'bias_initializer']
"""
from __future__ import annotations

from .. import constraints as _constraints
from .. import initializers as _initializers
from .. import regularizers as _regularizers

__all__ = ["set_weight_options", "weight_options_config"]

_KINDS = (("initializer", _initializers), ("regularizer", _regularizers), ("constraint", _constraints))


def set_weight_options(layer, weights, args) -> None:
    """`layer.<weight>_<kind> = <kind>s.get(args["<weight>_<kind>"])` for each weight and kind;
    `args` is the constructor's `locals()` (its parameters carry these names)."""
    for kind, module in _KINDS:
        for weight in weights:
            key = f"{weight}_{kind}"
            setattr(layer, key, module.get(args[key]))


def weight_options_config(layer, weights, activity: bool = True) -> dict:
    """The serialized options of `weights` (e.g. ("kernel", "bias")), with `activity_regularizer`
    after the regularizers when `activity`."""
    config = {}
    for kind, module in _KINDS:
        for weight in weights:
            config[f"{weight}_{kind}"] = module.serialize(getattr(layer, f"{weight}_{kind}"))
        if kind == "regularizer" and activity:
            config["activity_regularizer"] = _regularizers.serialize(layer.activity_regularizer)
    return config
