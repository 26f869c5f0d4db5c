"""Message validation: every bad message becomes a ProtocolError with a readable reason."""

import json

import pytest

from backproplab.lab import limits
from backproplab.lab.protocol import MESSAGE_TYPES, ProtocolError, parse_message


def test_valid_message_parses_with_its_id():
    msg = parse_message(json.dumps({"type": "step", "unit": "epoch", "id": 7}))
    assert (msg.type, msg.unit, msg.id) == ("step", "epoch", 7)


@pytest.mark.parametrize("raw, words", [
    ("{", "malformed JSON"),
    ("[1, 2]", "JSON object"),
    ('"play"', "JSON object"),
    (b"\xff\xfe", "malformed JSON"),
    ('{"type": "explode"}', "unknown message type"),
    ('{"no": "type"}', "unknown message type"),
    ('{"type": "step", "unit": "century"}', "unit"),
    ('{"type": "play", "extra": 1}', "extra"),
    ('{"type": "select", "index": -1}', "index"),
    ('{"type": "table_page", "page": -1}', "page: Input should be greater"),
    ('{"type": "table_page", "page": 50}', "page: Input should be less"),
    ('{"type": "set_weight", "layer": 0, "row": 0, "value": 1e9}', "value"),
    ('{"type": "set_weight", "layer": 99, "row": 0, "value": 1}', "layer"),
    ('{"type": "predict", "x": [1, 2, 3]}', "x"),
    ('{"type": "add_row", "x": [0, 0], "y": "one"}', "y"),
    ('{"type": "configure", "query": "' + "a" * 5000 + '"}', "query"),
    ('{"type": "descend", "function": "square", "start": [1], "lr": 0.1, "optimizer": "lbfgs"}',
     "unknown optimizer 'lbfgs'"),
    ('{"type": "descend", "function": "square", "start": [1], "lr": 0.1, "optimizer": "'
     + "a" * 100 + '"}', "optimizer"),
    ('{"type": "descend", "function": "square", "start": [1], "lr": 0.1, "steps": 5000}',
     "steps"),
])
def test_bad_messages_are_refused_with_the_reason(raw, words):
    with pytest.raises(ProtocolError, match=words):
        parse_message(raw)


def test_descend_message_takes_an_optimizer_name_and_defaults_to_sgd():
    base = {"type": "descend", "function": "narrow_valley", "start": [-2.5, 1.0], "lr": 0.05}
    assert parse_message(json.dumps(base)).optimizer == "sgd"
    assert parse_message(json.dumps({**base, "optimizer": "adam"})).optimizer == "adam"


def test_oversized_message_is_refused_before_parsing():
    raw = json.dumps({"type": "ping", "pad": "x" * limits.MAX_MESSAGE_BYTES})
    with pytest.raises(ProtocolError, match="too large"):
        parse_message(raw)


def test_error_keeps_the_id_of_a_message_that_had_one():
    with pytest.raises(ProtocolError) as info:
        parse_message('{"type": "step", "unit": "century", "id": 42}')
    assert info.value.id == 42


def test_every_message_type_is_listed():
    assert {"play", "pause", "step", "reset", "reinit", "configure", "trace",
            "export"} <= set(MESSAGE_TYPES)
