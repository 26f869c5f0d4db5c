"""Our safetensors reader/writer: round trips, interop with the official package, and every
kind of corrupt file refused with a message saying what is wrong."""

import json
import os

import numpy
import pytest

from backproplab import safetensors_format as sf
from backproplab.safetensors_format import SafetensorsError


def _tensors():
    rng = numpy.random.default_rng(0)
    return {
        "w": rng.normal(size=(3, 4)).astype(numpy.float32),
        "d": rng.normal(size=(5,)),
        "h": rng.normal(size=(2, 2)).astype(numpy.float16),
        "i": numpy.arange(6, dtype=numpy.int64).reshape(2, 3),
        "j": numpy.array([-1, 7], dtype=numpy.int32),
        "k": numpy.array([-3], dtype=numpy.int16),
        "b": numpy.array([1, 2, 255], dtype=numpy.uint8),
        "c": numpy.array([-5, 5], dtype=numpy.int8),
        "m": numpy.array([True, False]),
        "empty": numpy.zeros((0, 3), dtype=numpy.float32),
    }


def _header(blob: bytes) -> dict:
    n = int.from_bytes(blob[:8], "little")
    return json.loads(blob[8:8 + n])


def _with_header(header: dict, data: bytes) -> bytes:
    raw = json.dumps(header).encode()
    return len(raw).to_bytes(8, "little") + raw + data


def test_every_supported_dtype_round_trips_bit_exactly():
    tensors = _tensors()
    loaded, meta = sf.loads(sf.dumps(tensors, {"note": "hi"}))
    assert meta == {"note": "hi"}
    assert set(loaded) == set(tensors)
    for name, arr in tensors.items():
        assert loaded[name].dtype == arr.dtype, name
        assert loaded[name].shape == arr.shape, name
        numpy.testing.assert_array_equal(loaded[name], arr)


def test_zero_dimensional_array_keeps_its_empty_shape():
    loaded, _ = sf.loads(sf.dumps({"s": numpy.array(2.5, dtype=numpy.float32)}))
    assert loaded["s"].shape == ()
    assert loaded["s"] == numpy.float32(2.5)


def test_non_contiguous_and_big_endian_arrays_are_written_as_their_values():
    base = numpy.arange(12, dtype=">f8").reshape(3, 4)
    loaded, _ = sf.loads(sf.dumps({"t": base.T}))
    numpy.testing.assert_array_equal(loaded["t"], base.T)
    assert loaded["t"].dtype == numpy.dtype("<f8")


def test_header_is_padded_so_the_data_starts_8_byte_aligned():
    blob = sf.dumps(_tensors())
    assert int.from_bytes(blob[:8], "little") % 8 == 0


def test_unstorable_dtype_is_refused_with_its_name():
    with pytest.raises(TypeError, match=r"complex128.*'z'"):
        sf.dumps({"z": numpy.zeros(2, dtype=numpy.complex128)})


def test_file_shorter_than_the_length_prefix_is_refused():
    with pytest.raises(SafetensorsError, match="only 5 bytes"):
        sf.loads(b"\x01\x02\x03\x04\x05")


def test_truncated_file_is_refused():
    blob = sf.dumps(_tensors())
    with pytest.raises(SafetensorsError, match="truncated"):
        sf.loads(blob[:-3])


def test_truncated_inside_the_header_is_refused():
    blob = sf.dumps(_tensors())
    with pytest.raises(SafetensorsError, match="header claims"):
        sf.loads(blob[:20])


def test_random_bytes_are_refused():
    blob = numpy.random.default_rng(1).integers(0, 256, size=4096, dtype=numpy.uint8).tobytes()
    with pytest.raises(SafetensorsError):
        sf.loads(blob)


def test_header_length_larger_than_the_file_is_refused():
    blob = bytearray(sf.dumps(_tensors()))
    blob[:8] = (len(blob) + 100).to_bytes(8, "little")
    with pytest.raises(SafetensorsError, match=r"header claims \d+ bytes but the file has"):
        sf.loads(bytes(blob))


def test_header_length_shorter_than_the_header_is_refused_as_bad_json():
    blob = bytearray(sf.dumps(_tensors()))
    blob[:8] = (10).to_bytes(8, "little")
    with pytest.raises(SafetensorsError, match="not valid JSON"):
        sf.loads(bytes(blob))


def test_invalid_json_header_is_refused():
    raw = b"{not json"
    with pytest.raises(SafetensorsError, match="not valid JSON"):
        sf.loads(len(raw).to_bytes(8, "little") + raw)


def test_header_that_is_not_an_object_is_refused():
    with pytest.raises(SafetensorsError, match="not a JSON object"):
        sf.loads(_with_header([1, 2], b""))


def test_overlapping_offsets_are_refused():
    header = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
              "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}
    with pytest.raises(SafetensorsError, match="overlapping or missing"):
        sf.loads(_with_header(header, bytes(12)))


def test_gap_between_tensors_is_refused():
    header = {"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
              "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}
    with pytest.raises(SafetensorsError, match="starts at byte 8, expected 4"):
        sf.loads(_with_header(header, bytes(12)))


def test_undescribed_trailing_bytes_are_refused():
    header = {"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}
    with pytest.raises(SafetensorsError, match="4 bytes after the last tensor"):
        sf.loads(_with_header(header, bytes(8)))


def test_offsets_outside_the_buffer_are_refused():
    header = {"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}
    with pytest.raises(SafetensorsError, match="outside the 8-byte buffer"):
        sf.loads(_with_header(header, bytes(8)))


def test_missing_entry_field_is_refused():
    header = {"a": {"dtype": "F32", "shape": [1]}}
    with pytest.raises(SafetensorsError, match="exactly dtype, shape and data_offsets"):
        sf.loads(_with_header(header, bytes(4)))


def test_unknown_dtype_is_refused():
    header = {"a": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 4]}}
    with pytest.raises(SafetensorsError, match="unsupported dtype 'Q7'"):
        sf.loads(_with_header(header, bytes(4)))


def test_dtype_that_does_not_fit_the_byte_span_is_refused():
    blob = sf.dumps({"w": numpy.zeros((2, 2), dtype=numpy.float32)})
    header = _header(blob)
    header["w"]["dtype"] = "F64"
    with pytest.raises(SafetensorsError, match="needs 32 bytes, its offsets span 16"):
        sf.loads(_with_header(header, bytes(16)))


@pytest.mark.parametrize("shape", [[-1], [1.5], "4", [True]])
def test_invalid_shape_is_refused(shape):
    header = {"a": {"dtype": "U8", "shape": shape, "data_offsets": [0, 4]}}
    with pytest.raises(SafetensorsError, match="invalid shape"):
        sf.loads(_with_header(header, bytes(4)))


def test_metadata_with_non_string_values_is_refused():
    header = {"__metadata__": {"epoch": 3}}
    with pytest.raises(SafetensorsError, match="__metadata__ must map strings to strings"):
        sf.loads(_with_header(header, b""))


def test_error_message_names_the_file(tmp_path):
    path = tmp_path / "broken.safetensors"
    path.write_bytes(b"\x00" * 3)
    with pytest.raises(SafetensorsError, match=r"broken\.safetensors is not a valid safetensors"):
        sf.load_file(path)


def test_save_file_then_load_file_round_trips(tmp_path):
    path = tmp_path / "t.safetensors"
    sf.save_file(_tensors(), path, {"k": "v"})
    loaded, meta = sf.load_file(path)
    assert meta == {"k": "v"}
    numpy.testing.assert_array_equal(loaded["w"], _tensors()["w"])


def test_failed_replace_leaves_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "t.safetensors"
    sf.save_file({"a": numpy.ones(2, dtype=numpy.float32)}, path)
    before = path.read_bytes()

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        sf.save_file({"a": numpy.zeros(50, dtype=numpy.float32)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["t.safetensors"]


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "t.safetensors"
    sf.save_file({"a": numpy.ones(2, dtype=numpy.float32)}, path)
    before = path.read_bytes()

    def boom(fd):
        raise OSError("I/O error")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="I/O error"):
        sf.save_file({"a": numpy.zeros(50, dtype=numpy.float32)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["t.safetensors"]


def test_our_files_load_with_the_official_package(tmp_path):
    official = pytest.importorskip("safetensors.numpy")
    from safetensors import safe_open

    path = tmp_path / "ours.safetensors"
    tensors = _tensors()
    sf.save_file(tensors, path, {"format": "test"})
    theirs = official.load_file(str(path))
    assert set(theirs) == set(tensors)
    for name, arr in tensors.items():
        assert theirs[name].dtype == arr.dtype
        numpy.testing.assert_array_equal(theirs[name], arr)
    with safe_open(str(path), framework="numpy") as f:
        assert f.metadata() == {"format": "test"}


def test_official_files_load_with_ours(tmp_path):
    official = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "theirs.safetensors"
    tensors = _tensors()
    tensors["s"] = numpy.array(1.5, dtype=numpy.float64)
    official.save_file(tensors, str(path), metadata={"who": "official"})
    loaded, meta = sf.load_file(path)
    assert meta == {"who": "official"}
    assert set(loaded) == set(tensors)
    for name, arr in tensors.items():
        assert loaded[name].dtype == arr.dtype
        assert loaded[name].shape == arr.shape
        numpy.testing.assert_array_equal(loaded[name], arr)
