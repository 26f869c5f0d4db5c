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


def test_descend_prints_each_learning_rates_regime_and_draws_them(tmp_path, capsys):
    plot = tmp_path / "lr.png"
    assert main(["explain", "--descend", "square", "--plot", str(plot)]) == 0
    out, err = capsys.readouterr()
    assert "f(x) = x², 50 steps from 3" in out
    for regime in ("slow", "converging", "diverging"):
        assert regime in out
    assert plot.stat().st_size > 1000 and str(plot) in err


def test_descend_compares_optimizers_on_the_narrow_valley(tmp_path, capsys):
    plot = tmp_path / "opt.png"
    assert main(["explain", "--descend", "narrow_valley", "--optimizer", "sgd", "--optimizer",
                 "momentum", "--optimizer", "adam", "--lr", "0.02", "--lr", "0.01", "--lr",
                 "0.1", "--steps", "30", "--plot", str(plot)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "f(x, y) = x² + 25y², 30 steps from (-2.5, 1)"
    expected = {"sgd": 0.02, "momentum": 0.01, "adam": 0.1}
    for line, (name, lr) in zip(lines[1:], expected.items(), strict=True):
        path = bp.explain.descend(bp.explain.narrow_valley, [-2.5, 1.0], lr, 30, name)
        assert line.split()[0] == name and f"lr = {lr:g}" in line and path.regime in line
        assert f"→ {path.values[-1]:.4g}," in line
    assert plot.stat().st_size > 1000


def test_descend_json_holds_the_paths_and_one_lr_is_shared(capsys):
    assert main(["explain", "--descend", "rosenbrock", "--optimizer", "sgd", "--optimizer",
                 "nesterov", "--lr", "0.001", "--steps", "5", "--start=-1,1",
                 "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert [p["optimizer"] for p in d["paths"]] == ["sgd", "nesterov"]
    assert [p["lr"] for p in d["paths"]] == [0.001, 0.001]
    assert d["paths"][0]["grads"][0] == pytest.approx([-4.0, 0.0])  # ∇ at (-1, 1)
    assert len(d["paths"][1]["points"]) == 6


@pytest.mark.parametrize(("args", "message"), [
    (["--plot", "x.png"], "add --descend"),
    (["--descend", "square", "--start", "1,2"], "starts from 1 number"),
    (["--descend", "square", "--plot", "x.svg"], "FILE.png"),
    (["--descend", "square", "--optimizer", "sgd", "--optimizer", "adam", "--lr", "0.1",
      "--lr", "0.2", "--lr", "0.3"], "one each"),
    (["--descend", "square", "--lr", "-1"], "learning rate"),
    (["--lr", "0.1", "--lr", "0.2"], "give one --lr"),
])
def test_descend_refuses_mismatched_options_clearly(capsys, args, message):
    assert main(["explain", *args]) == 2
    assert message in capsys.readouterr().err
