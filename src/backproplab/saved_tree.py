"""Nested Python values ↔ (JSON structure, named arrays): how ``bp.save`` stores a checkpoint
dict such as ``{"model": sd, "optimizer": opt.state_dict(), "epoch": 3}`` without pickle.

Arrays and tensors become entries of the safetensors file, named by their path
(``model/0.weight``, ``optimizer/state/0/exp_avg``) so other tools can read them; everything
else must be JSON-able (str, int, float, bool, None) or a dict, list or tuple of such values.
Dicts are stored as key/value pairs so int keys (an optimizer's state) and tuples (Adam's
betas) come back as they went in. Loading builds nothing but these values: no code runs.
"""

import numpy

from backproplab import backend
from backproplab.creation import from_numpy
from backproplab.tensor import Tensor

_SCALARS = (str, int, float, bool, type(None))


def encode(obj) -> tuple[object, dict]:
    """(JSON-ready structure, {name: ndarray}) for ``obj``; TypeError naming what cannot go."""
    arrays: dict = {}
    try:
        return _encode(obj, arrays, []), arrays
    except RecursionError:
        raise TypeError("bp.save: the object is nested too deeply (or contains itself)") \
            from None


def _name(path: list, arrays: dict) -> str:
    base = "/".join(path) or "tensor"
    name, n = base, 1
    while name in arrays:
        name, n = f"{base}#{n}", n + 1
    return name


def _where(path: list) -> str:
    return "the saved object itself" if not path else "[" + "][".join(map(repr, path)) + "]"


def _encode(obj, arrays: dict, path: list):
    from backproplab.nn.module import Module  # nn sits above this module

    if isinstance(obj, Tensor):
        name = _name(path, arrays)
        arrays[name] = backend.to_host(obj.array)
        return {"$tensor": name}
    if backend.is_array(obj):  # an optimizer's state: NumPy's arrays or the device's
        name = _name(path, arrays)
        arrays[name] = backend.to_host(obj)
        return {"$array": name}
    if isinstance(obj, numpy.generic):
        return obj.item()
    if isinstance(obj, _SCALARS):
        return obj
    if isinstance(obj, dict):
        pairs = []
        for k, v in obj.items():
            if not isinstance(k, _SCALARS):
                raise TypeError(f"bp.save: dict keys must be str, int, float, bool or None; "
                                f"{_where(path)} has a key of type {type(k).__name__}")
            pairs.append([k, _encode(v, arrays, [*path, str(k)])])
        return {"$dict": pairs}
    if isinstance(obj, tuple):
        return {"$tuple": [_encode(v, arrays, [*path, str(i)]) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, arrays, [*path, str(i)]) for i, v in enumerate(obj)]
    if isinstance(obj, Module):
        raise TypeError(f"bp.save: {_where(path)} is a {type(obj).__name__} module; a module "
                        "inside a dict cannot be saved without pickle: save "
                        "module.state_dict() there instead")
    raise TypeError(f"bp.save: {_where(path)} is a {type(obj).__name__}, which cannot be saved "
                    "without pickle; only tensors, arrays, str, int, float, bool, None and "
                    "dicts, lists and tuples of them can")


def decode(structure, arrays: dict):
    """The value ``encode`` was given; ValueError if the structure or an array is missing."""
    if isinstance(structure, list):
        return [decode(v, arrays) for v in structure]
    if isinstance(structure, dict):
        if len(structure) != 1:
            raise ValueError(f"unknown entry {_short(structure)}")
        (tag, value), = structure.items()
        if tag in ("$tensor", "$array"):
            if not isinstance(value, str) or value not in arrays:
                raise ValueError(f"it refers to a tensor {_short(value)} the file does not hold")
            return from_numpy(arrays[value]) if tag == "$tensor" else arrays[value]
        if tag == "$tuple" and isinstance(value, list):
            return tuple(decode(v, arrays) for v in value)
        if tag == "$dict" and isinstance(value, list):
            out = {}
            for pair in value:
                if not isinstance(pair, list) or len(pair) != 2:
                    raise ValueError(f"a dict entry is {_short(pair)}, not a [key, value] pair")
                key = decode(pair[0], arrays)
                if not isinstance(key, _SCALARS):
                    raise ValueError(f"a dict key is {_short(pair[0])}")
                out[key] = decode(pair[1], arrays)
            return out
        raise ValueError(f"unknown entry {_short(structure)}")
    if isinstance(structure, _SCALARS):
        return structure
    raise ValueError(f"unknown entry {_short(structure)}")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
