"""The lab's descent mode: each function it offers, the minima it marks and the starts it
suggests, and the descend message's function choice."""

import numpy
import pytest

from backproplab.lab import protocol, workers
from backproplab.lab.descent import FUNCTIONS, descent_path
from backproplab.tensor import Tensor


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_marked_minimum_is_a_minimum_of_the_function(name):
    entry = FUNCTIONS[name]
    for minimum in entry["minima"]:
        x = Tensor(numpy.array(minimum["at"] if entry["dims"] == 2 else minimum["at"][0]),
                   requires_grad=True)
        y = entry["f"](x)
        y.backward()
        assert numpy.abs(x.grad.array).max() < 1e-4  # a stationary point (to the 6 decimals)
        for step in numpy.eye(entry["dims"]) * 0.05:  # and lower than its neighbours
            for sign in (1, -1):
                moved = numpy.array(minimum["at"]) + sign * step
                assert float(entry["f"](Tensor(moved if entry["dims"] == 2 else moved[0])).array) \
                    > float(y.array)


def test_double_well_marks_its_deeper_minimum_global():
    minima = {m["kind"]: m["at"][0] for m in FUNCTIONS["double_well"]["minima"]}
    f = FUNCTIONS["double_well"]["f"]
    assert float(f(Tensor(minima["global"])).array) < float(f(Tensor(minima["local"])).array)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_suggested_start_and_rate_stay_bounded_inside_the_drawn_extent(name):
    entry = FUNCTIONS[name]
    path = descent_path(name, entry["start"], entry["lr"], 40)["path"]
    assert path["regime"] != "diverging"
    lo, hi = entry["extent"][0], entry["extent"][1]
    assert all(lo <= (p if entry["dims"] == 1 else p[0]) <= hi for p in path["points"])


def test_welcome_offers_every_function_without_the_python_callable():
    class _Session:
        id = "s"

    offered = workers.welcome(_Session())["choices"]["descent_functions"]
    assert list(offered) == list(FUNCTIONS)
    assert offered["himmelblau"]["dims"] == 2 and len(offered["himmelblau"]["minima"]) == 4
    assert all("f" not in entry for entry in offered.values())


def test_descend_message_refuses_an_unknown_function_and_names_the_valid_ones():
    with pytest.raises(protocol.ProtocolError, match=r"double_well.*himmelblau"):
        protocol.parse_message('{"type": "descend", "function": "ackley", "start": [1], "lr": 0.1}')
    msg = protocol.parse_message('{"type": "descend", "function": "double_well", "start": [1.6], '
                                 '"lr": 0.05}')
    assert msg.function == "double_well"
