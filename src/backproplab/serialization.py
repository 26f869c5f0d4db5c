"""``bp.save`` / ``bp.load``: models, state_dicts and checkpoints as safetensors files, no pickle.

What a file holds is written in its metadata, and ``bp.load`` gives back that kind of thing:

- ``bp.save(model, path)`` of a ``Sequential`` MLP or an ``Autoencoder`` stores the weights
  and the architecture (the model's JSON spec): ``bp.load`` rebuilds the model;
- ``bp.save(model, path)`` of any other Module, or ``bp.save(model.state_dict(), path)``,
  stores the weights by their state_dict names: ``bp.load`` returns that state_dict, so
  ``model.load_state_dict(bp.load(path))`` works as in PyTorch (safetensors files written by
  other tools load the same way);
- ``bp.save({"model": sd, "optimizer": opt.state_dict(), "epoch": 3}, path)``, or any nest of
  dicts, lists and tuples of tensors, arrays and JSON-able values: ``bp.load`` returns it
  (see :mod:`backproplab.saved_tree`); anything else is refused with the reason.

A file never lies: a SHA-256 of its tensors and metadata is stored in it and checked on load
(a file without one, e.g. from another tool, loads with a warning that it was not verified);
an architecture is checked against the tensors' names, shapes and dtypes and a size limit
before any layer is built; and every way a file can be wrong is one ValueError naming the
file and the reason. Writes are atomic (:mod:`backproplab.atomic_file`).
"""

import json
import math
import warnings

from backproplab import backend, safetensors_format, saved_tree
from backproplab.creation import from_numpy
from backproplab.safetensors_format import CHECKSUM_KEY
from backproplab.tensor import Tensor

FORMAT = "backproplab"
FORMAT_VERSION = "2"
MAX_LOAD_PARAMETERS = 100_000_000  # a model file's architecture may describe at most this many
_OPTIMIZER_PREFIX = "optimizer/"
_RESERVED = ("format", "format_version", "content", "architecture", "module_class", "keys",
             "checkpoint", "optimizer", "optimizer_class", CHECKSUM_KEY)


def save(obj, path, optimizer=None, metadata: dict | None = None) -> None:
    """Write ``obj`` (a Module, a state_dict or a checkpoint dict) to ``path``; ``optimizer``
    adds an optimizer's state to a model or state_dict file, ``metadata`` string entries."""
    from backproplab.nn.module import Module
    from backproplab.nn.spec import to_spec

    meta = {"format": FORMAT, "format_version": FORMAT_VERSION}
    if isinstance(obj, Module):
        tensors = {k: backend.to_host(v.array) for k, v in obj.state_dict().items()}
        try:
            meta["architecture"] = json.dumps(to_spec(obj, weights=False))
            meta["content"] = "model"
        except TypeError:  # not a spec-able model: its weights only
            meta["content"] = "state_dict"
            meta["module_class"] = type(obj).__name__
    elif _is_state_dict(obj):
        tensors = {k: backend.to_host(v.array if isinstance(v, Tensor) else v)
                   for k, v in obj.items()}
        meta["content"] = "state_dict"
    else:
        if optimizer is not None:
            raise TypeError("bp.save: optimizer= goes with a model or a state_dict; in a "
                            "checkpoint dict, store optimizer.state_dict() as an entry")
        structure, tensors = saved_tree.encode(obj)
        meta["content"] = "checkpoint"
        meta["checkpoint"] = json.dumps(structure)
    if meta["content"] == "state_dict":
        meta["keys"] = json.dumps(list(tensors))  # the file stores tensors sorted by name
    if optimizer is not None:
        structure, arrays = saved_tree.encode(optimizer.state_dict())
        meta["optimizer"] = json.dumps(structure)
        meta["optimizer_class"] = type(optimizer).__name__
        tensors.update({_OPTIMIZER_PREFIX + k: v for k, v in arrays.items()})
    for k, v in (metadata or {}).items():
        if k in _RESERVED:
            raise ValueError(f"save: metadata key {k!r} is reserved")
        meta[k] = str(v)
    meta[CHECKSUM_KEY] = safetensors_format.content_sha256(tensors, meta)
    safetensors_format.save_file(tensors, path, meta)


def _is_state_dict(obj) -> bool:
    return (isinstance(obj, dict) and "__metadata__" not in obj
            and all(isinstance(k, str) for k in obj)
            and all(isinstance(v, Tensor) or backend.is_array(v) for v in obj.values()))


def load(path, optimizer=None, map_location=None, weights_only=None, **_torch_options):
    """What was saved at ``path``: a model, a state_dict or a checkpoint (see the module doc).

    ``optimizer`` is filled with the file's optimizer state. ``map_location`` moves the
    result's tensors (``"cpu"`` changes nothing); ``weights_only`` and PyTorch's other options
    are accepted and mean nothing here, since loading never runs code either way.
    A missing file raises FileNotFoundError; every problem with a file's content raises one
    ValueError naming the file.
    """
    tensors, meta = _read(path, warn_unchecked=True)
    try:
        result = _decode(path, tensors, meta, optimizer)
    except FileContentError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError,
            MemoryError, OverflowError) as e:  # a check this module lacks: still one message
        raise FileContentError(f"{path} cannot be loaded: {type(e).__name__}: {e}") from None
    return _to_device(result, map_location)


class FileContentError(ValueError):
    """A saved file's content is wrong; the message names the file and says what."""


def load_metadata(path) -> dict:
    """The string metadata of a saved file (architecture, epoch, user keys…)."""
    return _read(path)[1]


def load_tensors(path) -> dict:
    """All tensors in a safetensors file, by name, as backproplab tensors."""
    return {k: from_numpy(v) for k, v in _read(path)[0].items()}


def _read(path, warn_unchecked: bool = False) -> tuple[dict, dict]:
    tensors, meta = safetensors_format.load_file(path)
    expected = meta.get(CHECKSUM_KEY)
    if expected is None:
        if warn_unchecked:
            warnings.warn(f"{path} has no SHA-256 checksum (written by another tool or an "
                          "older backproplab), so its content is not verified", stacklevel=3)
    elif expected != safetensors_format.content_sha256(tensors, meta):
        raise FileContentError(f"{path}: its SHA-256 checksum does not match its content: "
                               "the file was changed or damaged after it was saved")
    return tensors, meta


def _decode(path, tensors: dict, meta: dict, optimizer):
    if meta.get("format") != FORMAT:
        content = "state_dict"  # a safetensors file from another tool
    else:
        content = meta.get("content", "model" if "architecture" in meta else None)
    weights = {k: v for k, v in tensors.items() if not k.startswith(_OPTIMIZER_PREFIX)}
    if content == "model":
        result = _model(path, weights, meta)
    elif content == "state_dict":
        result = {k: from_numpy(weights[k]) for k in _key_order(path, weights, meta)}
    elif content == "checkpoint":
        if optimizer is not None:
            raise FileContentError(f"{path} is a checkpoint dict; its optimizer state, if "
                                   "any, is one of its entries: optimizer.load_state_dict("
                                   "bp.load(path)[key])")
        structure = _json(path, meta.get("checkpoint"), "checkpoint")
        try:
            return saved_tree.decode(structure, tensors)
        except (ValueError, RecursionError) as e:
            raise FileContentError(f"{path}: the checkpoint metadata is damaged: {e}") from None
    else:
        raise FileContentError(f"{path}: unknown content {content!r} (written by a newer "
                               "backproplab?)")
    if optimizer is not None:
        _restore_optimizer(path, optimizer, tensors, meta)
    return result


def _key_order(path, weights: dict, meta: dict) -> list:
    """The saved state_dict's own key order (files from other tools: sorted by name)."""
    if "keys" not in meta or meta.get("format") != FORMAT:
        return sorted(weights)
    keys = _json(path, meta["keys"], "keys")
    if not isinstance(keys, list) or sorted(map(str, keys)) != sorted(weights):
        raise FileContentError(f"{path}: the keys metadata does not list the file's tensors")
    return keys


def _json(path, text, what: str):
    if not isinstance(text, str):
        raise FileContentError(f"{path}: the {what} metadata is missing")
    try:
        return json.loads(text)
    except RecursionError:
        raise FileContentError(f"{path}: the {what} metadata is too deeply nested") from None
    except ValueError as e:
        raise FileContentError(f"{path}: the {what} metadata is not valid JSON ({e})") from None


def _model(path, weights: dict, meta: dict):
    """Check the architecture against the tensors, then (only then) build the model."""
    from backproplab.nn.spec import from_spec, spec_dtype, state_shapes

    spec = _json(path, meta.get("architecture"), "architecture")
    try:
        if isinstance(spec, dict) and ("weights" in spec or "biases" in spec):
            raise ValueError("it holds weights; a file's weights are its tensors")
        shapes = state_shapes(spec)
        dtype = spec_dtype(spec)
    except (TypeError, ValueError, RecursionError) as e:
        raise FileContentError(f"{path}: the architecture metadata does not describe a "
                               f"model: {e}") from None
    _check_weights(path, weights, shapes, dtype)
    count = sum(math.prod(s) for s in shapes.values())
    if count > MAX_LOAD_PARAMETERS:
        raise FileContentError(f"{path}: the architecture has {count} parameters, more than "
                               f"the limit of {MAX_LOAD_PARAMETERS} (MAX_LOAD_PARAMETERS)")
    model = from_spec(spec)
    model.load_state_dict({k: from_numpy(v) for k, v in weights.items()}, strict=True)
    return model


def _check_weights(path, weights: dict, shapes: dict, dtype) -> None:
    problems = [f"size mismatch for {k}: the architecture says {shape}, the file holds "
                f"{weights[k].shape}" for k, shape in shapes.items()
                if k in weights and weights[k].shape != shape]
    problems += [f"{k!r} is {weights[k].dtype}, the architecture says {dtype}"
                 for k in shapes if k in weights and weights[k].dtype != dtype]
    missing = [k for k in shapes if k not in weights]
    unexpected = [k for k in weights if k not in shapes]
    if unexpected:
        problems.append("Unexpected key(s) in state_dict: "
                        + ", ".join(f'"{k}"' for k in unexpected))
    if missing:
        problems.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing))
    if problems:
        raise FileContentError(f"{path}: the weights do not match the saved architecture: "
                               + "; ".join(problems))


def _restore_optimizer(path, optimizer, tensors: dict, meta: dict) -> None:
    if "optimizer" not in meta:
        raise FileContentError(f"{path} holds no optimizer state (save it with optimizer=...)")
    if meta.get("optimizer_class") != type(optimizer).__name__:
        raise FileContentError(f"{path} holds {meta.get('optimizer_class')} state, not "
                               f"{type(optimizer).__name__} state")
    structure = _json(path, meta["optimizer"], "optimizer")
    arrays = {k[len(_OPTIMIZER_PREFIX):]: v for k, v in tensors.items()
              if k.startswith(_OPTIMIZER_PREFIX)}
    try:
        optimizer.load_state_dict(saved_tree.decode(structure, arrays))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as e:
        raise FileContentError(f"{path}: the optimizer state in the file cannot be restored "
                               f"into this {type(optimizer).__name__}: {type(e).__name__}: "
                               f"{e}") from None


def _to_device(result, map_location):
    if map_location is None or str(map_location) == "cpu":
        return result
    if isinstance(result, dict):
        return {k: _to_device(v, map_location) for k, v in result.items()}
    if isinstance(result, list | tuple):
        return type(result)(_to_device(v, map_location) for v in result)
    if hasattr(result, "to") and not isinstance(result, str):
        return result.to(map_location)
    return result
