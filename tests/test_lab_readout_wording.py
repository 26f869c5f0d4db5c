"""Readout wording a student reads aloud (teacher walkthrough, item 23): one minus sign, '−',
in a readout that mixed it with ASCII '-', and '1 of 4 units … is dead'."""

from backproplab.lab.config import from_query
from backproplab.lab.lessons.readouts import READOUTS
from backproplab.lab.session import Session


def test_a_readouts_negative_numbers_use_one_minus_sign():
    session = Session()
    session.step("batch")
    _, text = READOUTS["last_update"][1](session, None)
    assert "-" not in text and "−" in text, text


def test_one_dead_unit_is_dead_not_are_dead():
    session = Session(from_query("dataset=xor&hidden=4&activation=relu"))
    for row in range(4):  # a unit whose bias and weights make it 0 on every row
        session.set_weight(0, row, None, -50.0 if row == 0 else 0.5)
    with_one = READOUTS["dead_units"][1](session, None)
    assert with_one[0] == 1
    assert with_one[1].startswith("1 of 4 units in layer 1 is dead"), with_one[1]
