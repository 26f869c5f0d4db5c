"""``load_csv``: read a numeric table into a ``LabeledDataset``, refusing bad files clearly.

Users bring their own files to the CLI and the web lab, so every rejection names the file,
the line and the column at fault. Feature columns must be numbers. The target column may hold
numbers or class names; names (and small sets of integers) become class indices, in sorted
order, and ``info.class_names`` records which label each index stands for.
"""

import csv
import math
from pathlib import Path

import numpy

from backproplab.data.labeled import LabeledDataset, classification, regression
from backproplab.data.limits import MAX_CLASSES, MAX_SAMPLES

CSV_TASKS = ("binary", "multiclass", "regression")


class CSVFormatError(ValueError):
    """The file cannot be read as a dataset; the message says where and why."""


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_rows(path: Path, delimiter: str) -> list[tuple[int, list[str]]]:
    """(line number, stripped fields) of every non-blank row."""
    rows = []
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, delimiter=delimiter)
        for fields in reader:
            fields = [field.strip() for field in fields]
            if any(fields):
                rows.append((reader.line_num, fields))
            if len(rows) > MAX_SAMPLES + 1:
                raise CSVFormatError(f"{path}: more than {MAX_SAMPLES} rows")
    return rows


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


def _features(rows, cols, names, path) -> numpy.ndarray:
    x = numpy.empty((len(rows), len(cols)), dtype=numpy.float64)
    for i, (line, fields) in enumerate(rows):
        for j, col in enumerate(cols):
            value = _number(fields[col])
            if value is None:
                raise CSVFormatError(f"{_where(path, line, col, names)}: {fields[col]!r} is "
                                     f"not a finite number")
            x[i, j] = value
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
             task: str | None = None) -> LabeledDataset:
    """A dataset from a CSV file.

    ``target`` and ``features`` name columns by header name or 0-based index (negative counts
    from the end); features default to every other column. ``header`` is True, False or
    "auto" (a first row with text above numbers is a header). ``task`` is "binary",
    "multiclass", "regression" or None to infer it from the target column.
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
    x = _features(data, cols, names, path)
    feature_names = [names[c] for c in cols]
    values = []
    for line, fields in data:
        if not fields[t]:
            raise CSVFormatError(f"{_where(path, line, t, names)}: the target value is empty")
        values.append(fields[t])
    numbers = [_number(v) for v in values]
    if all(v is not None for v in numbers):
        values = numbers
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
