"""Readout wording a student reads aloud (teacher walkthrough, item 23): one minus sign, '−',
in a readout that mixed it with ASCII '-', and '1 of 4 units … is dead'."""

import re

from backproplab import explain
from backproplab.lab.config import from_query
from backproplab.lab.lessons import engine
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


def test_the_gradient_check_names_its_parameter_as_the_step_panel_does():
    """Neurons count from 1 with the trace's names (h1…, o1): 'b of o1 (layer 2, neuron 1)',
    not 'b (layer 2, neuron 0)'."""
    session = Session(from_query("dataset=xor&hidden=4"))
    session.select(2)
    check = explain.gradient_check(session.network.model, session._x[[2]], session._t[[2]],
                                   session.network.loss_fn)
    first = max(check.rows, key=lambda r: abs(r.analytic or 0.0))
    param, _, index = first.name.partition("[")
    at = [int(v) for v in index.rstrip("]").split(", ")]
    layers = session.trace()["layers"]
    k, layer = next((k, la) for k, la in enumerate(layers, start=1)
                    if param in (la["weight_name"], la["bias_name"]))
    out = layer["output_labels"][at[0]]
    named = (f"b of {out}" if param == layer["bias_name"]
             else f"w from {layer['input_labels'][at[1]]} to {out}")
    _, text = READOUTS["gradient_check"][1](session, None)
    assert text.startswith(f"∂L/∂{named} (layer {k}, neuron {at[0] + 1}) by backprop"), text


def test_every_negative_number_in_a_stages_readouts_takes_the_minus_sign():
    """'∂L/∂b … −0.659', 'from −1.5 … x = −1.04': never ASCII '-' before a digit."""
    for lesson, stage in (("chain-rule", 0), ("local-minima", 0)):
        session = Session()
        engine.open_stage(session, lesson, stage)
        session.select(1)
        texts = [r["text"] for r in session.lesson.frame(session)["readouts"]]
        assert any("−" in t for t in texts), (lesson, texts)
        assert not any(re.search(r"-\d", t) for t in texts), (lesson, texts)


def test_the_step_panels_tanh_legend_gives_its_formula_as_sigmoids_does():
    """The forward phase's legend under each layer: 'σ(a) = 1 / (1 + e^(-a))', and tanh's
    formula too, not a bare 'tanh(a)'."""
    session = Session(from_query("dataset=xor&hidden=4&activation=tanh"))
    hidden, output = session.trace()["layers"]
    assert output["formula"].startswith("σ(a) = ")
    assert hidden["formula"] == "tanh(a) = (e^a - e^(-a)) / (e^a + e^(-a))"
