"""``load_csv``: read a numeric table into a ``LabeledDataset``, refusing bad files clearly.

Users bring their own files to the CLI and the web lab, so every rejection names the file,
the line and the column at fault — undecodable bytes, overlong fields and numbers beyond
float32's range included. Feature columns must be numbers. The target column may hold
numbers or class names; names (and small sets of integers) become class indices, in sorted
order, and ``info.class_names`` records which label each index stands for.
"""

import csv
import io
import math
from pathlib import Path

import numpy

from backproplab.data.labeled import LabeledDataset, classification, regression
from backproplab.data.limits import MAX_CLASSES, MAX_SAMPLES

CSV_TASKS = ("binary", "multiclass", "regression")


class CSVFormatError(ValueError):
    """The file cannot be read as a dataset; the message says where and why."""


FLOAT32_MAX = float(numpy.finfo(numpy.float32).max)
"""The largest magnitude a value may have: datasets are float32, and past it a value is inf."""


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _checked_number(text: str, where: str, max_abs: float) -> float:
    """``text`` as a number within ±``max_abs``, or CSVFormatError saying where it is."""
    value = _number(text)
    if value is None:
        raise CSVFormatError(f"{where}: {_shown(text)} is not a finite number")
    if abs(value) > max_abs:
        raise CSVFormatError(f"{where}: {_shown(text)} is outside the range ±{max_abs:g}")
    return value


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def _decoded(path: Path) -> str:
    """The file's text as UTF-8 (a leading byte-order mark dropped); bytes that are not UTF-8
    are refused naming the line and column where they start."""
    content = path.read_bytes()
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = content.count(b"\n", 0, e.start) + 1
        column = e.start - (content.rfind(b"\n", 0, e.start) + 1) + 1
        raise CSVFormatError(f"{path} line {line}, column {column} (byte "
                             f"{content[e.start]:#04x}): the file is not UTF-8 text; save it "
                             f"as UTF-8 CSV") from None


def _read_rows(path: Path, delimiter: str) -> list[tuple[int, list[str]]]:
    """(line number, stripped fields) of every non-blank row."""
    rows = []
    reader = csv.reader(io.StringIO(_decoded(path), newline=""), delimiter=delimiter)
    while True:
        try:
            fields = next(reader, None)
        except csv.Error as e:  # a field over csv.field_size_limit(), a NUL byte, ...
            raise CSVFormatError(f"{path} line {reader.line_num}: {e}") from None
        if fields is None:
            return rows
        fields = [field.strip() for field in fields]
        if any(fields):
            rows.append((reader.line_num, fields))
        if len(rows) > MAX_SAMPLES + 1:
            raise CSVFormatError(f"{path}: more than {MAX_SAMPLES} rows")


def _looks_like_header(rows) -> bool:
    """A text field above a number in the same column means the first row names the columns."""
    first = rows[0][1]
    if len(rows) == 1:
        return all(_number(field) is None for field in first)
    second = rows[1][1]
    return any(_number(a) is None and _number(b) is not None
               for a, b in zip(first, second, strict=False))


def _column(spec, names: list[str], path: Path, line: int) -> int:
    if isinstance(spec, int) and not isinstance(spec, bool):
        if -len(names) <= spec < len(names):
            return spec % len(names)
        raise CSVFormatError(f"{path} line {line}: column index {spec} is out of range; the "
                             f"file has {len(names)} columns")
    if spec in names:
        return names.index(spec)
    raise CSVFormatError(f"{path} line {line}: no column named {spec!r}; columns are: "
                         f"{', '.join(names)}")


def _where(path: Path, line: int, col: int, names: list[str]) -> str:
    return f"{path} line {line}, column {col + 1} ({names[col]!r})"


def _features(rows, cols, names, path, max_abs: float) -> numpy.ndarray:
    x = numpy.empty((len(rows), len(cols)), dtype=numpy.float64)
    for i, (line, fields) in enumerate(rows):
        for j, col in enumerate(cols):
            x[i, j] = _checked_number(fields[col], _where(path, line, col, names), max_abs)
    return x


def _labels(values: list, task: str | None):
    """Class index per row and the sorted class labels, or None if this is regression."""
    classes = sorted(set(values))
    numeric = not isinstance(values[0], str)
    if task is None and numeric:
        integral = all(float(v).is_integer() for v in classes)
        task = "multiclass" if integral and len(classes) <= MAX_CLASSES else "regression"
    if task == "regression":
        return None
    index = {c: i for i, c in enumerate(classes)}
    names = [format(c, "g") if numeric else c for c in classes]
    return numpy.array([index[v] for v in values]), names


def load_csv(path, target=-1, features=None, header="auto", delimiter: str = ",",
             task: str | None = None, max_abs: float = FLOAT32_MAX) -> LabeledDataset:
    """A dataset from a CSV file.

    ``target`` and ``features`` name columns by header name or 0-based index (negative counts
    from the end); features default to every other column. ``header`` is True, False or
    "auto" (a first row with text above numbers is a header). ``task`` is "binary",
    "multiclass", "regression" or None to infer it from the target column. A number beyond
    ±``max_abs`` (default: float32's largest) is refused with its line and column.
    """
    path = Path(path)
    if task is not None and task not in CSV_TASKS:
        raise ValueError(f"task must be one of {', '.join(CSV_TASKS)} or None, got {task!r}")
    rows = _read_rows(path, delimiter)
    if not rows:
        raise CSVFormatError(f"{path}: the file is empty")
    has_header = _looks_like_header(rows) if header == "auto" else bool(header)
    width = len(rows[0][1])
    names = rows[0][1] if has_header else [f"col{i + 1}" for i in range(width)]
    data = rows[1:] if has_header else rows
    if not data:
        raise CSVFormatError(f"{path}: no data rows after the header on line {rows[0][0]}")
    for line, fields in data:
        if len(fields) != width:
            raise CSVFormatError(f"{path} line {line}: expected {width} fields like line "
                                 f"{rows[0][0]}, found {len(fields)}")
    t = _column(target, names, path, rows[0][0])
    if features is None:
        cols = [c for c in range(width) if c != t]
    else:
        cols = [_column(f, names, path, rows[0][0]) for f in features]
    if not cols:
        raise CSVFormatError(f"{path}: no feature columns besides the target {names[t]!r}")
    x = _features(data, cols, names, path, max_abs)
    feature_names = [names[c] for c in cols]
    values = []
    for line, fields in data:
        if not fields[t]:
            raise CSVFormatError(f"{_where(path, line, t, names)}: the target value is empty")
        values.append(fields[t])
    numbers = [_number(v) for v in values]
    if all(v is not None for v in numbers):
        values = [_checked_number(v, _where(path, line, t, names), max_abs)
                  for v, (line, _) in zip(values, data, strict=True)]
    elif task == "regression":
        line, fields = data[numbers.index(None)]
        raise CSVFormatError(f"{_where(path, line, t, names)}: {fields[t]!r} is not a finite "
                             f"number, but task is 'regression'")
    labelled = _labels(values, task)
    if labelled is None:
        return regression(path.stem, x, values, feature_names, names[t])
    labels, class_names = labelled
    if task == "binary" and len(class_names) > 2:
        raise CSVFormatError(f"{path}: task is 'binary' but column {names[t]!r} has "
                             f"{len(class_names)} classes: {', '.join(class_names)}")
    return classification(path.stem, x, labels, len(class_names), feature_names, names[t],
                          class_names, task)
