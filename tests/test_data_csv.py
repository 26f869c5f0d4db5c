import numpy
import pytest

from backproplab.data import (
    CSVFormatError,
    TensorDataset,
    load_csv,
    load_dataset,
    make_gaussians,
    make_sine,
    save_csv,
)

IRIS_LIKE = """sepal,petal,species
5.1,1.4,setosa
7.0,4.7,versicolor
6.3,6.0,virginica
4.9,1.4,setosa
"""


def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_string_labels_become_sorted_class_indices(tmp_path):
    ds = load_csv(_write(tmp_path, IRIS_LIKE), target="species")
    assert ds.x.dtype == numpy.float32
    expected = numpy.array([[5.1, 1.4], [7.0, 4.7], [6.3, 6.0], [4.9, 1.4]], numpy.float32)
    numpy.testing.assert_array_equal(ds.x, expected)
    assert ds.y.tolist() == [0, 1, 2, 0] and ds.y.dtype == numpy.int64
    assert ds.info.class_names == ("setosa", "versicolor", "virginica")
    assert ds.info.feature_names == ("sepal", "petal") and ds.info.target_name == "species"
    assert ds.info.task == "multiclass" and ds.info.name == "data"


def test_two_labels_make_a_binary_float_column(tmp_path):
    ds = load_csv(_write(tmp_path, "a,b,ok\n1,2,no\n3,4,yes\n5,6,no\n"))
    assert ds.info.task == "binary" and ds.info.class_names == ("no", "yes")
    numpy.testing.assert_array_equal(ds.y, numpy.array([[0], [1], [0]], dtype=numpy.float32))


def test_non_integer_numeric_target_is_regression(tmp_path):
    ds = load_csv(_write(tmp_path, "x,y\n0,0.5\n1,1.5\n2,2.25\n"), target="y")
    assert ds.info.task == "regression" and ds.y.shape == (3, 1)


def test_headerless_file_is_detected_and_columns_chosen_by_index(tmp_path):
    ds = load_csv(_write(tmp_path, "1,2,3\n4,5,6\n"), target=0, features=[2])
    assert ds.info.feature_names == ("col3",) and ds.info.target_name == "col1"
    numpy.testing.assert_array_equal(ds.x, [[3], [6]])
    assert ds.info.task == "binary" and ds.info.class_names == ("1", "4")


def test_delimiter_and_blank_lines(tmp_path):
    ds = load_csv(_write(tmp_path, "a;b\n\n1;0\n2;1\n\n"), delimiter=";")
    assert len(ds) == 2 and ds.info.task == "binary"


def test_task_can_force_multiclass_for_two_classes(tmp_path):
    ds = load_csv(_write(tmp_path, "a,b\n1,0\n2,1\n"), task="multiclass")
    assert ds.y.dtype == numpy.int64 and ds.info.n_outputs == 2


@pytest.mark.parametrize(("text", "target", "message"), [
    ("", -1, r"data\.csv: the file is empty"),
    ("a,b\n", -1, "no data rows after the header on line 1"),
    ("a,b,c\n1,2,0\n3,4\n", -1, r"line 3: expected 3 fields like line 1, found 2"),
    ("a,b,c\n1,2,0\n3,oops,1\n", -1, r"line 3, column 2 \('b'\): 'oops' is not a finite number"),
    ("a,b,c\n1,2,0\n\n3,,1\n", -1, r"line 4, column 2 \('b'\): '' is not a finite number"),
    ("a,b,c\n1,nan,0\n", -1, r"line 2, column 2 \('b'\): 'nan' is not a finite number"),
    ("a,b,c\n1,2,0\n", "label", r"line 1: no column named 'label'; columns are: a, b, c"),
    ("a,b,c\n1,2,0\n", 5, r"line 1: column index 5 is out of range; the file has 3 columns"),
    ("a,b,c\n1,2,0\n3,4,\n", "c", r"line 3, column 3 \('c'\): the target value is empty"),
])
def test_bad_files_are_rejected_naming_line_and_column(tmp_path, text, target, message):
    with pytest.raises(CSVFormatError, match=message):
        load_csv(_write(tmp_path, text), target=target)


@pytest.mark.parametrize(("text", "message"), [
    ("a,b,c\n1,2,0\n1e308,2,1\n", r"line 3, column 1 \('a'\): '1e308' is outside the range "
                                   r"±3\.40282e\+38"),
    ("a,b\n1,2.5\n2,-4e38\n", r"line 3, column 2 \('b'\): '-4e38' is outside"),
    ("a,b,c\n1,2,0\n3," + "9" * 140_000 + ",1\n", r"data\.csv line 3: field larger than"),
])
def test_values_beyond_float32_and_overlong_fields_are_rejected_naming_the_line(tmp_path, text,
                                                                                message):
    with pytest.raises(CSVFormatError, match=message):
        load_csv(_write(tmp_path, text))


def test_max_abs_bounds_every_value_naming_line_and_column(tmp_path):
    with pytest.raises(CSVFormatError, match=r"line 2, column 1 \('a'\): '2e6' is outside the "
                                             r"range ±1e\+06"):
        load_csv(_write(tmp_path, "a,b,c\n2e6,1,0\n"), max_abs=1e6)


def test_bytes_that_are_not_utf8_are_rejected_naming_file_line_and_column(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"a,b,c\n1,2,0\n3,caf\xe9,1\n")
    with pytest.raises(CSVFormatError, match=r"latin\.csv line 3, column 6 \(byte 0xe9\): the "
                                             r"file is not UTF-8"):
        load_csv(path)


def test_regression_task_rejects_text_target_naming_line_and_column(tmp_path):
    path = _write(tmp_path, "a,b\n1,2.5\n2,high\n")
    with pytest.raises(CSVFormatError, match=r"line 3, column 2 \('b'\): 'high'"):
        load_csv(path, task="regression")


def test_binary_task_rejects_three_classes(tmp_path):
    with pytest.raises(CSVFormatError, match="3 classes: a, b, c"):
        load_csv(_write(tmp_path, "x,y\n1,a\n2,b\n3,c\n"), task="binary")


@pytest.mark.parametrize("make", [
    lambda: load_dataset("moons", n=50, seed=0),
    lambda: make_gaussians(n=30, seed=0),
    lambda: make_sine(n=20, seed=0),
])
def test_save_then_load_round_trips_arrays_and_metadata(tmp_path, make):
    ds = make()
    path = tmp_path / "out.csv"
    save_csv(path, ds)
    back = load_csv(path)
    numpy.testing.assert_array_equal(back.x, ds.x)
    numpy.testing.assert_array_equal(back.y, ds.y)
    assert back.info.task == ds.info.task
    assert back.info.feature_names == ds.info.feature_names


def test_class_names_are_written_as_labels(tmp_path):
    src = load_csv(_write(tmp_path, IRIS_LIKE, "in.csv"), target="species")
    save_csv(tmp_path / "out.csv", src)
    assert (tmp_path / "out.csv").read_text().splitlines()[1] == "5.1,1.4,setosa"
    assert load_csv(tmp_path / "out.csv").y.tolist() == src.y.tolist()


def test_save_replaces_file_atomically_and_leaves_no_temp_file(tmp_path):
    path = _write(tmp_path, "old contents\n", "out.csv")
    save_csv(path, TensorDataset(numpy.ones((2, 2), dtype=numpy.float32), numpy.array([0, 1])))
    assert path.read_text().splitlines() == ["x1,x2,y", "1.0,1.0,0", "1.0,1.0,1"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_failed_save_keeps_old_file_and_removes_temp_file(tmp_path, monkeypatch):
    path = _write(tmp_path, "old contents\n", "out.csv")

    def fail(*_):
        raise OSError("disk full")

    monkeypatch.setattr("backproplab.atomic_file.os.replace", fail)
    with pytest.raises(OSError, match="disk full"):
        save_csv(path, make_sine(n=5, seed=0))
    assert path.read_text() == "old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
