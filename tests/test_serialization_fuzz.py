"""File fuzz for ``bp.load`` (issue 11): seeded truncations, bit flips and header edits of model,
state_dict and checkpoint files. A damaged file either loads as exactly what was saved or is
refused with one ValueError naming the file; a forged one (edited, checksum recomputed, as a
buggy tool might write it) may load, but never raises anything but that ValueError."""

import json
import warnings

import numpy
import pytest

import backproplab as bp
from backproplab import nn, optim
from backproplab import safetensors_format as sf

CASES = 1000
JUNK = [None, True, False, -1, 0, 3, 2.5, 1e308, -1e308, "", "x", "relu", "F32", "float64",
        [], {}, [1, 2], [[[[]]]], {"$tensor": "nope"}, {"$dict": 5}, {"$tuple": [1]},
        "__BIGINT__", "__DEEP__", [16000, 16000], {"layers": [2, 16000, 16000, 1]}]
RAW = {'"__BIGINT__"': "1" * 5000, '"__DEEP__"': "[" * 20000 + "]" * 20000}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(5, 2)
        self.norm = nn.BatchNorm1d(2)

    def forward(self, ix):
        return self.norm(self.emb(ix))


def _originals(folder):
    bp.manual_seed(0)
    mlp = nn.from_spec({"layers": [2, 3, 2], "activation": "tanh"})
    opt = optim.Adam(mlp.parameters(), lr=0.01)
    mlp(bp.ones(4, 2)).sum().backward()
    opt.step()
    net = Net()
    net(bp.tensor([0, 1, 4]))
    saved = {
        "mlp": (mlp, {"optimizer": opt}),
        "autoencoder": (nn.Autoencoder(4, [3], 2, "relu", "sigmoid"), {}),
        "state_dict": (net.state_dict(), {}),
        "custom_module": (net, {}),
        "checkpoint": ({"model": net.state_dict(), "optimizer": opt.state_dict(), "epoch": 3,
                        "betas": (0.9, 0.99), "note": None}, {}),
    }
    blobs = {}
    for name, (obj, kwargs) in saved.items():
        path = folder / f"{name}.safetensors"
        bp.save(obj, path, **kwargs)
        blobs[name] = path.read_bytes()
    return blobs


def _canonical(obj):
    """A comparable form of what load returned: types, structure, exact array bytes."""
    if isinstance(obj, nn.Module):
        return ("module", type(obj).__name__, repr(obj), _canonical(obj.state_dict()))
    if isinstance(obj, bp.Tensor):
        return ("tensor", str(obj.dtype), obj.shape, obj.array.tobytes())
    if isinstance(obj, numpy.ndarray):
        return ("array", str(obj.dtype), obj.shape, obj.tobytes())
    if isinstance(obj, dict):
        return ("dict", [(k, _canonical(v)) for k, v in obj.items()])
    if isinstance(obj, list | tuple):
        return (type(obj).__name__, [_canonical(v) for v in obj])
    return ("value", repr(obj))


def _load(path):
    """(result, whether load warned that the file has no checksum to verify)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = bp.load(path)
    unverified = any("not verified" in str(w.message) for w in caught)
    return result, unverified


def _paths(tree, prefix=()):
    yield prefix
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _paths(v, (*prefix, i))


def _replace(tree, path, value):
    if not path:
        return value
    parent = tree
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return tree


def _dump(tree) -> str:
    text = json.dumps(tree)
    for placeholder, raw in RAW.items():
        text = text.replace(placeholder, raw)
    return text


def _edit_header(blob: bytes, rng, forge: bool) -> bytes:
    """Replace one value of the header, or of a JSON document inside its metadata, by junk."""
    n = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    meta = header.get("__metadata__", {})
    json_keys = [k for k in ("architecture", "optimizer", "checkpoint") if k in meta]
    junk = JUNK[rng.integers(len(JUNK))]
    if json_keys and rng.random() < 0.5:
        key = json_keys[rng.integers(len(json_keys))]
        inner = json.loads(meta[key])
        paths = list(_paths(inner))
        meta[key] = _dump(_replace(inner, paths[rng.integers(len(paths))], junk))
    else:
        paths = list(_paths(header))
        header = _replace(header, paths[rng.integers(1, len(paths))], junk)
    if forge:
        _recompute_checksum(header, data)
    raw = _dump(header).encode()
    return len(raw).to_bytes(8, "little") + raw + data


def _recompute_checksum(header, data: bytes) -> None:
    """Make the edit self-consistent, as a tool rewriting the file would (when it can)."""
    meta = header.get("__metadata__") if isinstance(header, dict) else None
    if not isinstance(meta, dict):
        return
    table = json.dumps({k: v for k, v in header.items() if k != "__metadata__"}).encode()
    try:
        tensors, _ = sf.loads(len(table).to_bytes(8, "little") + table + data)
    except (ValueError, RecursionError):
        return  # the edit broke the tensor table: there is nothing consistent to forge
    meta[sf.CHECKSUM_KEY] = sf.content_sha256(tensors, meta)


def _mutate(blob: bytes, rng) -> tuple[str, bytes]:
    kind = ["truncate", "bit flips", "header bit flip", "header edit", "forged edit"][
        rng.integers(5)]
    if kind == "truncate":
        return kind, blob[:rng.integers(0, len(blob))]
    if kind in ("bit flips", "header bit flip"):
        out = bytearray(blob)
        span = 8 + int.from_bytes(blob[:8], "little") if kind == "header bit flip" else len(blob)
        for _ in range(rng.integers(1, 4)):
            out[rng.integers(span)] ^= 1 << rng.integers(8)
        return kind, bytes(out)
    return kind, _edit_header(blob, rng, forge=kind == "forged edit")


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    folder = tmp_path_factory.mktemp("originals")
    return {name: (blob, _canonical(_load(_write(folder, name, blob))[0]))
            for name, blob in _originals(folder).items()}


def _write(folder, name, blob):
    path = folder / f"{name}.safetensors"
    path.write_bytes(blob)
    return path


def test_every_damaged_or_forged_file_is_identical_or_one_value_error_naming_it(
        originals, tmp_path):
    rng = numpy.random.default_rng(20261201)
    outcomes = {}
    names = sorted(originals)
    for case in range(CASES):
        name = names[case % len(names)]
        blob, expected = originals[name]
        kind, damaged = _mutate(blob, rng)
        path = _write(tmp_path, f"case{case}", damaged)
        try:
            result, unverified = _load(path)
        except ValueError as e:
            assert str(path) in str(e), f"case {case} ({kind} of {name}): {e}"
            outcome = "refused"
        else:
            got = _canonical(result)
            if got == expected:
                outcome = "identical"
            elif unverified:  # the edit took the checksum away: loaded, with the warning
                outcome = "unverified, loaded with a warning"
            else:
                assert kind == "forged edit", f"case {case} ({kind} of {name}) loaded as " \
                                              "something else than was saved"
                outcome = "forged, loaded"
        outcomes[kind, outcome] = outcomes.get((kind, outcome), 0) + 1
    refused = sum(v for (_, o), v in outcomes.items() if o == "refused")
    assert refused > CASES // 2, outcomes  # the mutations do reach the checks
    assert any(o == "identical" for _, o in outcomes), outcomes
