"""atomic_file: the whole new file or the old one, never a half-written one or a stray temp."""

import pytest

from backproplab import atomic_file


def test_write_replaces_the_file_in_one_step(tmp_path):
    path = tmp_path / "out.bin"
    atomic_file.write_bytes(path, b"old")
    atomic_file.write_bytes(path, b"new")
    assert path.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_an_error_while_writing_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "out.txt"
    atomic_file.write_text(path, "old")
    with pytest.raises(RuntimeError, match="half way"), atomic_file.atomic_open(path, "w") as f:
        f.write("partial")
        raise RuntimeError("half way")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_failed_rename_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "out.txt"
    atomic_file.write_text(path, "old")

    def fail(*_):
        raise OSError("disk full")

    monkeypatch.setattr("backproplab.atomic_file.os.replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_file.write_text(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
