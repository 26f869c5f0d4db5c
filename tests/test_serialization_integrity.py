"""Model files that never lie (issue 11): every failure of ``bp.load`` is one ValueError naming
the file; a forged architecture is checked against the tensors before anything is built; a
checksum catches changed bytes; a save interrupted by kill -9 leaves nothing behind for long."""

import json
import os
import subprocess
import sys
import tracemalloc
import warnings

import numpy
import pytest

import backproplab as bp
from backproplab import nn, optim
from backproplab import safetensors_format as sf


def _saved(tmp_path, spec=None, optimizer=False):
    model = nn.from_spec(spec or {"layers": [2, 3, 1], "activation": "tanh"})
    path = tmp_path / "m.safetensors"
    opt = optim.Adam(model.parameters()) if optimizer else None
    if opt is not None:
        model(bp.ones(1, 2)).sum().backward()
        opt.step()
    bp.save(model, path, optimizer=opt)
    return path, *sf.load_file(path)


def _forged(path, tensors, meta):
    """Rewrite ``path`` as a tool would that sets the metadata and recomputes the checksum."""
    meta = {k: v for k, v in meta.items() if k != sf.CHECKSUM_KEY}
    meta[sf.CHECKSUM_KEY] = sf.content_sha256(tensors, meta)
    sf.save_file(tensors, path, meta)


def _refused(path, match, **kwargs):
    with pytest.raises(ValueError, match=match) as info:
        bp.load(path, **kwargs)
    assert type(info.value) is not RecursionError
    assert str(path) in str(info.value)
    return info.value


def test_a_huge_claimed_architecture_is_refused_before_the_model_is_built(tmp_path):
    path, tensors, meta = _saved(tmp_path)
    _forged(path, tensors, {**meta, "architecture": json.dumps({"layers": [2, 16000, 16000, 1]})})
    assert path.stat().st_size < 70_000
    tracemalloc.start()
    try:
        _refused(path, r"architecture.*0\.weight.*\(16000, 2\).*\(3, 2\)")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000  # the 16000×16000 layer alone would be 1 GB


def test_an_architecture_over_the_size_limit_is_refused_even_if_the_tensors_match(
        tmp_path, monkeypatch):
    monkeypatch.setattr(bp.serialization, "MAX_LOAD_PARAMETERS", 10)
    path, _, _ = _saved(tmp_path)
    _refused(path, "13 parameters, more than the limit of 10")


def test_a_flipped_bit_in_the_weights_fails_the_checksum(tmp_path):
    path, _, _ = _saved(tmp_path)
    blob = bytearray(path.read_bytes())
    blob[-3] ^= 0x10
    path.write_bytes(bytes(blob))
    _refused(path, "SHA-256 .*does not match")


def test_edited_metadata_fails_the_checksum(tmp_path):
    path, tensors, meta = _saved(tmp_path)
    sf.save_file(tensors, path, {**meta, "epoch": "3"})
    _refused(path, "SHA-256 .*does not match")


def test_a_file_without_checksum_loads_with_a_note(tmp_path):
    path, tensors, meta = _saved(tmp_path)
    model = bp.load(path)
    del meta[sf.CHECKSUM_KEY]
    sf.save_file(tensors, path, meta)
    with pytest.warns(UserWarning, match=r"m\.safetensors has no SHA-256.*not verified"):
        again = bp.load(path)
    numpy.testing.assert_array_equal(again[0].weight.array, model[0].weight.array)


def test_a_checked_file_loads_without_warnings(tmp_path):
    path, _, _ = _saved(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bp.load(path)


@pytest.mark.parametrize("key", ["architecture", "optimizer"])
def test_deeply_nested_json_in_the_metadata_is_a_value_error(tmp_path, key):
    path, tensors, meta = _saved(tmp_path, optimizer=True)
    _forged(path, tensors, {**meta, key: "[" * 100_000 + "]" * 100_000})
    opt = optim.Adam(nn.from_spec({"layers": [2, 3, 1]}).parameters())
    _refused(path, "too deeply nested|not valid JSON|does not describe", optimizer=opt)


def test_a_deeply_nested_header_is_a_value_error(tmp_path):
    path = tmp_path / "deep.safetensors"
    raw = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    path.write_bytes(len(raw).to_bytes(8, "little") + raw)
    _refused(path, "not a valid safetensors file")


@pytest.mark.parametrize("architecture", [
    '{"layers": [2, 3, 1], "activations": [[1], null]}',
    '{"layers": [2, 3, 1], "activation": {"negative_slope": 2}}',
    '{"layers": [2, 3, 1], "activation": 7}',
    '{"layers": [2, 1e400, 1]}',
    '{"layers": [2, 3, 1], "dtype": ["f"]}',
    '{"layers": [2, 3, 1], "bias": "yes"}',
    '{"type": ["mlp"]}',
    '{"layers": [2, 3, 1], "weights": [[[0, 0], [0, 0], [0, 0]], [[0, 0, 0]]]}',
])
def test_malformed_architectures_are_one_value_error_naming_the_file(tmp_path, architecture):
    path, tensors, meta = _saved(tmp_path)
    _forged(path, tensors, {**meta, "architecture": architecture})
    _refused(path, "architecture")


@pytest.mark.parametrize("optimizer", [
    '{"state": {0: [1]}',
    '{"$dict": [[{"$array": "nowhere"}, 1]]}',
    '{"state": 3}',
    '[1, 2]',
    '{"$dict": [["state", {"$dict": []}], ["param_groups", [{"$dict": [["lr", 0.1]]}]]]}',
])
def test_malformed_optimizer_state_is_one_value_error_naming_the_file(tmp_path, optimizer):
    path, tensors, meta = _saved(tmp_path, optimizer=True)
    _forged(path, tensors, {**meta, "optimizer": optimizer})
    model = nn.from_spec({"layers": [2, 3, 1]})
    _refused(path, "optimizer", optimizer=optim.Adam(model.parameters()))


def test_missing_file_is_still_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        bp.load(tmp_path / "absent.safetensors")


_KILLED_SAVE = """
import os, signal, sys
from backproplab import atomic_file
with atomic_file.atomic_open(sys.argv[1], "wb") as f:
    f.write(b"x" * 100000)
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_save_killed_half_way_leaves_a_temp_file_the_next_save_removes(tmp_path):
    path = tmp_path / "m.safetensors"
    bp.save(nn.from_spec({"layers": [2, 1]}), path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(path)], env=env, check=False)
    assert done.returncode == -9
    assert len(list(tmp_path.iterdir())) == 2  # the model and the killed save's temp file
    bp.save(nn.from_spec({"layers": [2, 1]}), path)
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


def test_a_live_save_of_this_process_keeps_its_temp_file(tmp_path):
    from backproplab import atomic_file

    path = tmp_path / "out.bin"
    with atomic_file.atomic_open(path, "wb") as f:
        f.write(b"first")
        atomic_file.write_bytes(path, b"second")  # e.g. another thread saving the same path
        names = [p.name for p in tmp_path.iterdir()]
        assert len(names) == 2 and "out.bin" in names
    assert path.read_bytes() == b"first"
