"""Reading and writing the safetensors file format with NumPy alone.

Layout: an 8-byte little-endian header length N, N bytes of JSON mapping each tensor name to
``{"dtype", "shape", "data_offsets"}`` (plus an optional ``"__metadata__"`` of strings), then
the raw little-endian bytes. Nothing in it can execute code on load, unlike pickle. Written
here (rather than depending on the ``safetensors`` package) so the core needs only NumPy; the
tests check that files interoperate with the official package both ways.

Every structural property is validated on read, so a truncated or tampered file is refused
with a message instead of producing garbage weights.
"""

import hashlib
import json

import numpy

from backproplab import atomic_file

_DTYPES = {
    "F64": numpy.dtype("<f8"),
    "F32": numpy.dtype("<f4"),
    "F16": numpy.dtype("<f2"),
    "I64": numpy.dtype("<i8"),
    "I32": numpy.dtype("<i4"),
    "I16": numpy.dtype("<i2"),
    "I8": numpy.dtype("i1"),
    "U8": numpy.dtype("u1"),
    "BOOL": numpy.dtype("?"),
}
MAX_HEADER_BYTES = 100 * 1024 * 1024
CHECKSUM_KEY = "sha256"


class SafetensorsError(ValueError):
    """The file is not a valid safetensors file; the message says what is wrong."""


def dumps(tensors: dict, metadata: dict | None = None) -> bytes:
    """Serialise ``{name: ndarray}`` (and string metadata) to safetensors bytes."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        arr = numpy.asarray(tensors[name], order="C")  # keeps 0-d arrays 0-d
        code = _normalise(arr.dtype)
        if code is None:
            raise TypeError(f"safetensors: cannot store dtype {arr.dtype} (tensor {name!r})")
        data = arr.astype(_DTYPES[code], copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)  # align the byte buffer to 8 bytes
    return len(raw).to_bytes(8, "little") + raw + b"".join(chunks)


def content_sha256(tensors: dict, metadata: dict) -> str:
    """SHA-256 of every tensor (name, dtype, shape, bytes as stored) and every metadata entry
    but the checksum itself, in name order: independent of the byte layout a writer chose, so
    a file rewritten by another tool with the same content still checks."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        arr = numpy.asarray(tensors[name])
        code = _normalise(arr.dtype)
        if code is None:
            raise TypeError(f"safetensors: cannot store dtype {arr.dtype} (tensor {name!r})")
        head = json.dumps([name, code, list(arr.shape)]).encode("utf-8")
        digest.update(len(head).to_bytes(8, "little") + head)
        digest.update(numpy.ascontiguousarray(arr, dtype=_DTYPES[code]).tobytes())
    rest = sorted((str(k), str(v)) for k, v in metadata.items() if k != CHECKSUM_KEY)
    digest.update(json.dumps(rest).encode("utf-8"))
    return digest.hexdigest()


def _normalise(dtype: numpy.dtype) -> str | None:
    for code, d in _DTYPES.items():
        if d.kind == dtype.kind and d.itemsize == dtype.itemsize:
            return code
    return None


def loads(blob: bytes, source: str = "data") -> tuple[dict, dict]:
    """Parse safetensors bytes into ``({name: ndarray}, metadata)``, validating everything."""
    def bad(why: str) -> SafetensorsError:
        return SafetensorsError(f"{source} is not a valid safetensors file: {why}")

    if len(blob) < 8:
        raise bad(f"it is only {len(blob)} bytes long (truncated?)")
    n = int.from_bytes(blob[:8], "little")
    if n > MAX_HEADER_BYTES or 8 + n > len(blob):
        raise bad(f"its header claims {n} bytes but the file has {len(blob)} (truncated?)")
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:  # JSONDecodeError, or an int too long
        raise bad(f"its header is not valid JSON ({e})") from None
    except RecursionError:
        raise bad("its header is too deeply nested") from None
    if not isinstance(header, dict):
        raise bad("its header is not a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise bad("__metadata__ must map strings to strings")
    buffer = memoryview(blob)[8 + n:]
    tensors = {}
    spans = []
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise bad(f"entry {name!r} must have exactly dtype, shape and data_offsets")
        code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if not isinstance(code, str) or code not in _DTYPES:
            raise bad(f"entry {name!r} has unsupported dtype {code!r}")
        if not isinstance(shape, list) or not all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape
        ):
            raise bad(f"entry {name!r} has an invalid shape {shape!r}")
        if (not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
                or not 0 <= offsets[0] <= offsets[1] <= len(buffer)):
            raise bad(f"entry {name!r} has data offsets {offsets!r} outside the "
                      f"{len(buffer)}-byte buffer (truncated?)")
        count = 1
        for s in shape:
            count *= s
        if count * _DTYPES[code].itemsize != offsets[1] - offsets[0]:
            raise bad(f"entry {name!r}: shape {shape} of {code} needs "
                      f"{count * _DTYPES[code].itemsize} bytes, its offsets span "
                      f"{offsets[1] - offsets[0]}")
        spans.append((offsets[0], offsets[1], name))
        tensors[name] = numpy.frombuffer(buffer[offsets[0]:offsets[1]], dtype=_DTYPES[code]
                                         ).reshape(shape).copy()
    end = 0
    for start, stop, name in sorted(spans):
        if start != end:
            raise bad(f"entry {name!r} starts at byte {start}, expected {end} "
                      "(overlapping or missing data)")
        end = stop
    if end != len(buffer):
        raise bad(f"{len(buffer) - end} bytes after the last tensor are not described")
    return tensors, metadata


def save_file(tensors: dict, path, metadata: dict | None = None) -> None:
    """Write atomically (see :mod:`backproplab.atomic_file`)."""
    atomic_file.write_bytes(path, dumps(tensors, metadata))


def load_file(path) -> tuple[dict, dict]:
    with open(path, "rb") as f:
        blob = f.read()
    return loads(blob, source=str(path))
