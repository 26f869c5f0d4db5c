"""backproplab explain end to end, in process."""

import json

import pytest

import backproplab as bp
from backproplab.cli import main
from tests.test_explain_trace_step import MAZUR


def test_no_arguments_explains_one_xor_step(capsys):
    assert main(["explain"]) == 0
    out = capsys.readouterr().out
    assert "Forward pass" in out and "Backward pass" in out and "net_h1" in out


@pytest.mark.parametrize(("fmt", "marker"), [("text", "δ_o1"), ("markdown", "$$"),
                                             ("html", "<section>"), ("json", '"schema_version"')])
def test_each_format_on_a_json_spec(tmp_path, capsys, fmt, marker):
    spec = tmp_path / "net.json"
    spec.write_text(json.dumps(MAZUR))
    assert main(["explain", str(spec), "--input", "0.05,0.10", "--target", "0.01,0.99",
                 "--lr", "0.5", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert (marker in out and "0.35891648" in out) or fmt == "json"
    if fmt == "json":
        d = json.loads(out)
        assert d["loss"]["value"] == pytest.approx(0.298371109, abs=1e-9)


def test_saved_model_weight_path_and_gradcheck(tmp_path, capsys):
    path = tmp_path / "net.safetensors"
    bp.save(bp.nn.from_spec(MAZUR), path)
    args = ["explain", str(path), "--input", "[0.05, 0.10]", "--target", "[0.01, 0.99]"]
    assert main([*args, "--weight", "2.weight[0,0]"]) == 0
    assert "0.0821670406" in capsys.readouterr().out
    assert main([*args, "--gradcheck"]) == 0
    assert "gradients agree" in capsys.readouterr().out


def test_cross_entropy_health_demo_and_graph(tmp_path, capsys):
    spec = tmp_path / "net.json"
    spec.write_text(json.dumps({"layers": [2, 3, 2], "activation": "relu", "dtype": "float64"}))
    assert main(["explain", str(spec), "--loss", "cross_entropy", "--target", "1",
                 "--optimizer", "adam", "--graph", str(tmp_path / "g.json")]) == 0
    assert "m_hat" in capsys.readouterr().out
    assert json.loads((tmp_path / "g.json").read_text())["nodes"]
    assert main(["explain", "--health"]) == 0
    assert "first/last" in capsys.readouterr().out
    assert main(["explain", "--demo", "vanishing", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["sigmoid"]["vanishing"] is True


def test_bad_input_is_a_clear_error(capsys):
    assert main(["explain", "--weight", "9.weight[0,0]"]) == 2
    assert "no parameter" in capsys.readouterr().err
