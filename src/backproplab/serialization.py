"""``bp.save`` / ``bp.load``: models (and optionally optimizer state) as safetensors files.

The weights are the tensors; the architecture (the model's JSON spec) and the optimizer's
non-array state travel in the file's string metadata, so ``bp.load(path)`` rebuilds the model
with no user code and no pickle. Writes are atomic; a truncated, corrupt or mismatched file
is refused with a message saying what is wrong.
"""

import json

import numpy

from backproplab import safetensors_format
from backproplab.creation import from_numpy

FORMAT = "backproplab"
FORMAT_VERSION = "1"
_OPTIMIZER_PREFIX = "optimizer/"


def save(model, path, optimizer=None, metadata: dict | None = None) -> None:
    """Write ``model`` (weights + architecture) and, if given, ``optimizer`` state to ``path``."""
    from backproplab.nn.spec import to_spec

    tensors = {k: numpy.asarray(v.data) for k, v in model.state_dict().items()}
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION,
            "architecture": json.dumps(to_spec(model, weights=False))}
    if optimizer is not None:
        arrays = {}
        meta["optimizer"] = json.dumps(_flatten(optimizer.state_dict(), arrays))
        meta["optimizer_class"] = type(optimizer).__name__
        tensors.update({_OPTIMIZER_PREFIX + k: v for k, v in arrays.items()})
    for k, v in (metadata or {}).items():
        if k in meta:
            raise ValueError(f"save: metadata key {k!r} is reserved")
        meta[k] = str(v)
    safetensors_format.save_file(tensors, path, meta)


def load(path, optimizer=None):
    """Rebuild the model saved at ``path``; fill ``optimizer`` with its saved state if given."""
    from backproplab.nn.spec import from_spec

    tensors, meta = safetensors_format.load_file(path)
    if meta.get("format") != FORMAT or "architecture" not in meta:
        raise ValueError(
            f"{path} is a safetensors file but not a backproplab model (no architecture in its "
            "metadata); load raw tensors with bp.load_tensors"
        )
    try:
        spec = json.loads(meta["architecture"])
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: the architecture metadata is not valid JSON ({e})") from None
    try:
        model = from_spec(spec)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{path}: the architecture metadata does not describe a model: "
                         f"{e}") from None
    weights = {k: from_numpy(v) for k, v in tensors.items()
               if not k.startswith(_OPTIMIZER_PREFIX)}
    own = model.state_dict()
    for k, w in weights.items():
        if k in own and w.dtype != own[k].dtype:
            raise ValueError(f"{path}: the weights do not match the saved architecture: "
                             f"{k!r} is {w.dtype}, the architecture says {own[k].dtype}")
    try:
        model.load_state_dict(weights, strict=True)
    except (KeyError, RuntimeError, ValueError) as e:
        raise ValueError(f"{path}: the weights do not match the saved architecture: {e}") from None
    if optimizer is not None:
        if "optimizer" not in meta:
            raise ValueError(f"{path} holds no optimizer state (save it with optimizer=...)")
        if meta.get("optimizer_class") != type(optimizer).__name__:
            raise ValueError(f"{path} holds {meta.get('optimizer_class')} state, not "
                             f"{type(optimizer).__name__} state")
        arrays = {k[len(_OPTIMIZER_PREFIX):]: v for k, v in tensors.items()
                  if k.startswith(_OPTIMIZER_PREFIX)}
        optimizer.load_state_dict(_unflatten(json.loads(meta["optimizer"]), arrays))
    return model


def load_metadata(path) -> dict:
    """The string metadata of a saved file (architecture, epoch, user keys…)."""
    return safetensors_format.load_file(path)[1]


def load_tensors(path) -> dict:
    """All tensors in a safetensors file, by name, as backproplab tensors."""
    return {k: from_numpy(v) for k, v in safetensors_format.load_file(path)[0].items()}


def _flatten(obj, arrays: dict, path: str = ""):
    """JSON-ready copy of ``obj`` with every ndarray moved into ``arrays`` under its path."""
    if isinstance(obj, numpy.ndarray) or isinstance(getattr(obj, "data", None), numpy.ndarray):
        arr = obj if isinstance(obj, numpy.ndarray) else obj.data
        arrays[path] = arr
        return {"$array": path}
    if isinstance(obj, dict):
        return {"$dict": [[_flatten(k, arrays, f"{path}.k{i}"), _flatten(v, arrays, f"{path}.{i}")]
                          for i, (k, v) in enumerate(obj.items())]}
    if isinstance(obj, (list, tuple)):
        return [_flatten(v, arrays, f"{path}.{i}") for i, v in enumerate(obj)]
    if isinstance(obj, numpy.generic):
        return obj.item()
    return obj


def _unflatten(obj, arrays: dict):
    if isinstance(obj, dict) and "$array" in obj:
        return arrays[obj["$array"]]
    if isinstance(obj, dict) and "$dict" in obj:
        return {_unflatten(k, arrays): _unflatten(v, arrays) for k, v in obj["$dict"]}
    if isinstance(obj, list):
        return [_unflatten(v, arrays) for v in obj]
    return obj
