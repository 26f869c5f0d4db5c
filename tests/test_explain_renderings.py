"""Every rendering of a StepTrace carries the trace's numbers."""

import pytest

import backproplab as bp
from backproplab import nn
from tests.test_explain_trace_step import MAZUR


@pytest.fixture(scope="module")
def trace():
    return bp.explain.trace_step(nn.from_spec(MAZUR), [0.05, 0.10], [0.01, 0.99],
                                 nn.MSELoss(), lr=0.5)


@pytest.mark.parametrize("render", ["to_text", "to_markdown", "to_html"])
def test_rendering_contains_forward_loss_backward_and_update_numbers(trace, render):
    text = getattr(trace, render)() if render != "to_text" else trace.to_text(color=False)
    for number in ["0.593269992", "0.298371109", "0.35891648", "0.0821670406", "0.3775"]:
        assert number in text


def test_significant_digits_are_configurable(trace):
    text = trace.to_text(digits=4, color=False)
    assert "0.2984" in text and "0.298371109" not in text


def test_markdown_has_latex_and_html_is_an_escaped_fragment(trace):
    md = trace.to_markdown()
    assert "$$" in md and r"\frac{\partial L}" in md
    html = trace.to_html()
    assert html.startswith('<div class="bp-step-trace">') and "<html" not in html
    assert "<script" not in html


def test_text_rendering_lists_backward_from_the_output_layer(trace):
    text = trace.to_text(color=False)
    backward = text[text.index("Backward"):]
    assert backward.index("δ_o1") < backward.index("δ_h1")
