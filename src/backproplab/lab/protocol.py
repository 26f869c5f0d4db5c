"""The messages a page may send, as pydantic models, and the one function that reads them.

Every message is a JSON object with a ``type`` and an optional ``id`` that the reply echoes.
Anything else — bad JSON, NaN or Infinity, an unknown type, a missing field, a string or a
boolean where a number belongs, a value out of range, a message larger than
``limits.MAX_MESSAGE_BYTES`` or nested deeper than ``limits.MAX_MESSAGE_DEPTH`` — becomes a
:class:`ProtocolError`, which the server turns into an error reply; it never reaches the
session. Replies and frames leave through :func:`encode`, which writes strict JSON only.
"""

import json
import math
from typing import Annotated, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from backproplab.lab import limits
from backproplab.lab.config import OptimizerName, describe_validation_error
from backproplab.lab.descent import FUNCTION_NAMES

Coordinate = Annotated[float, Field(ge=-limits.MAX_COORDINATE, le=limits.MAX_COORDINATE)]


class ProtocolError(ValueError):
    """A message the server will not act on; ``id`` is the message's id when it had one."""

    def __init__(self, message: str, id: int | None = None):
        super().__init__(message)
        self.id = id


MessageId = Annotated[int, Field(ge=-limits.MAX_MESSAGE_ID, le=limits.MAX_MESSAGE_ID)]


class _Message(BaseModel):
    """Strict: a number field takes a JSON number only (not "1", not true)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    id: MessageId | None = None


class Configure(_Message):
    """Change settings (``changes``, a partial config) or load a URL query (``query``)."""

    type: Literal["configure"]
    changes: dict | None = None
    query: str | None = Field(None, max_length=4096)


class Play(_Message):
    type: Literal["play"]


class Pause(_Message):
    type: Literal["pause"]


class Step(_Message):
    type: Literal["step"]
    unit: Literal["sample", "batch", "epoch"] = "batch"


class Reset(_Message):
    """Back to the initial weights of the same seed."""

    type: Literal["reset"]


class Reinitialise(_Message):
    """New weights from a new seed."""

    type: Literal["reinit"]


class Select(_Message):
    type: Literal["select"]
    index: int = Field(ge=0, lt=limits.MAX_POINTS)


class SetWeight(_Message):
    type: Literal["set_weight"]
    layer: int = Field(ge=0, le=limits.MAX_HIDDEN_LAYERS)
    row: int = Field(ge=0, lt=max(limits.MAX_NEURONS, 64))
    col: int | None = Field(None, ge=0, lt=max(limits.MAX_NEURONS, 64))
    """Input index of the weight; None sets the bias of neuron ``row``."""
    value: float = Field(ge=-1e3, le=1e3)


class Predict(_Message):
    type: Literal["predict"]
    x: list[Coordinate] = Field(min_length=1, max_length=2)


class _RowValues(_Message):
    x: list[Coordinate] = Field(min_length=1, max_length=2)
    y: float = Field(ge=-limits.MAX_COORDINATE, le=limits.MAX_COORDINATE)

    @field_validator("y", "x")
    @classmethod
    def _finite(cls, v):
        values = v if isinstance(v, list) else [v]
        if not all(math.isfinite(t) for t in values):
            raise ValueError("values must be finite numbers")
        return v


class AddRow(_RowValues):
    type: Literal["add_row"]
    test: bool = False


class SetRow(_RowValues):
    type: Literal["set_row"]
    index: int = Field(ge=0, lt=limits.MAX_POINTS)


class DeleteRow(_Message):
    type: Literal["delete_row"]
    index: int = Field(ge=0, lt=limits.MAX_POINTS)


class TablePage(_Message):
    """The dataset table turned to ``page``; frames then carry that page's reconstructions."""

    type: Literal["table_page"]
    page: int = Field(ge=0, lt=math.ceil(limits.MAX_POINTS / limits.TABLE_PAGE_ROWS))


class Trace(_Message):
    """The step-by-step numbers of one training step on sample ``index``."""

    type: Literal["trace"]
    index: int | None = Field(None, ge=0, lt=limits.MAX_POINTS)


class Export(_Message):
    type: Literal["export"]
    what: Literal["safetensors", "spec", "python", "csv", "history"]


class Descend(_Message):
    """Gradient descent on a textbook function, for the gradient descent mode."""

    type: Literal["descend"]
    function: Literal[FUNCTION_NAMES]
    start: list[Coordinate] = Field(min_length=1, max_length=2)
    lr: float = Field(ge=limits.MIN_LR, le=limits.MAX_LR)
    steps: int = Field(50, ge=1, le=limits.MAX_DESCENT_STEPS)
    optimizer: OptimizerName = "sgd"
    """A name from ``bp.train``'s optimizer registry: how the point moves."""


class OpenLesson(_Message):
    """Open stage ``stage`` of lesson ``lesson`` (a fresh run of that stage's config), or close
    the open lesson when ``lesson`` is None."""

    type: Literal["lesson"]
    lesson: str | None = Field(None, max_length=40)
    stage: int = Field(0, ge=0, lt=limits.MAX_LESSON_STAGES)


class RestoreBest(_Message):
    """Back to the weights of the best epoch early stopping has seen."""

    type: Literal["restore_best"]


class Ping(_Message):
    type: Literal["ping"]


_MESSAGES = (Configure, Play, Pause, Step, Reset, Reinitialise, Select, SetWeight, Predict,
             AddRow, SetRow, DeleteRow, TablePage, Trace, Export, Descend, RestoreBest,
             OpenLesson, Ping)
Message = Annotated[Union[_MESSAGES], Field(discriminator="type")]  # noqa: UP007
_ADAPTER = TypeAdapter(Message)
MESSAGE_TYPES = tuple(sorted(get_args(m.model_fields["type"].annotation)[0] for m in _MESSAGES))


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _nesting_depth(data) -> int:
    """How deeply lists and objects nest in ``data`` (iterative: no recursion limit)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth <= limits.MAX_MESSAGE_DEPTH:
                todo.extend((v, depth + 1) for v in
                            (value.values() if isinstance(value, dict) else value))
    return deepest


def _message_id(data: dict) -> int | None:
    value = data.get("id")
    if isinstance(value, int) and not isinstance(value, bool) \
            and abs(value) <= limits.MAX_MESSAGE_ID:
        return value
    return None


def parse_message(raw: str | bytes):
    """The message model ``raw`` holds, or :class:`ProtocolError` saying what is wrong."""
    if len(raw) > limits.MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message too large: {len(raw)} bytes, the limit is "
                            f"{limits.MAX_MESSAGE_BYTES}")
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise ProtocolError(f"malformed JSON: nested deeper than the limit of "
                            f"{limits.MAX_MESSAGE_DEPTH} levels") from None
    except ValueError as e:  # JSONDecodeError, UnicodeDecodeError, a number too long
        raise ProtocolError(f"malformed JSON: {e}") from None
    if _nesting_depth(data) > limits.MAX_MESSAGE_DEPTH:
        raise ProtocolError(f"malformed JSON: nested deeper than the limit of "
                            f"{limits.MAX_MESSAGE_DEPTH} levels")
    if not isinstance(data, dict):
        raise ProtocolError("a message is a JSON object with a 'type'")
    msg_id = _message_id(data)
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in MESSAGE_TYPES:
        raise ProtocolError(f"unknown message type {_shown(kind)}; valid types: "
                            f"{', '.join(MESSAGE_TYPES)}", msg_id)
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as e:
        raise ProtocolError(f"invalid {kind!r} message: {describe_validation_error(e)}",
                            msg_id) from None


def _shown(value) -> str:
    """``value`` for an error message, cut short: the message may be 64 KB of anything."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def reply(msg_id: int | None, **data) -> dict:
    return {"type": "reply", "id": msg_id, "ok": True, **data}


def error_reply(msg_id: int | None, message: str) -> dict:
    return {"type": "error", "id": msg_id, "ok": False, "error": message}


NON_FINITE_NOTE = ("some numbers were too large to be represented (infinite or not a number) "
                   "and are sent as null")


def encode(message: dict) -> str:
    """``message`` as strict JSON text. Infinite and NaN numbers (a network with huge weights
    overflows float32) become null, and the message gains a ``note`` saying so, rather than
    text a browser's JSON.parse refuses."""
    try:
        return json.dumps(message, separators=(",", ":"), allow_nan=False)
    except ValueError:
        cleaned = {**_finite(message), "note": NON_FINITE_NOTE}
        return json.dumps(cleaned, separators=(",", ":"), allow_nan=False)


def _finite(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
