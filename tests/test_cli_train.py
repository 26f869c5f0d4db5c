"""`backproplab train` end to end in a temporary folder, and bad input refused with exit code
2 and a clear message before any training."""

import json
import re

import numpy
import pytest

import backproplab as bp
from backproplab import data
from backproplab.cli import main
from backproplab.train.pca_reference import pca_reconstruction_mse


def _train(tmp_path, *args):
    out = tmp_path / "run"
    code = main(["train", "--out", str(out), "--quiet", *args])
    return code, out


def _assert_png(path):
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path.name


def test_classification_run_writes_model_history_and_plots(tmp_path, capsys):
    code, out = _train(tmp_path, "--dataset", "moons", "--epochs", "5", "--layers", "8")
    assert code == 0
    names = {"model.safetensors", "history.csv", "history.json", "loss.png",
             "gradient_norms.png", "decision_boundary.png"}
    assert {p.name for p in out.iterdir()} == names
    for name in names - {"model.safetensors", "history.csv", "history.json"}:
        _assert_png(out / name)
    history = json.loads((out / "history.json").read_text())
    assert history["epoch"] == [1, 2, 3, 4, 5]
    assert set(history["gradient_norms"]) == {"0", "2"}
    assert len((out / "history.csv").read_text().splitlines()) == 6
    model = bp.load(out / "model.safetensors")
    moons = data.load_dataset("moons", seed=0)
    with bp.no_grad():
        assert model(bp.from_numpy(moons.x)).shape == (len(moons), 1)
    assert bp.load_metadata(out / "model.safetensors")["dataset"] == "moons"
    printed = capsys.readouterr().out
    assert "Done: epochs 5" in printed and "decision_boundary.png" in printed


def test_regression_run_writes_a_fit_plot(tmp_path):
    code, out = _train(tmp_path, "--dataset", "sine", "--epochs", "3")
    assert code == 0
    assert {p.name for p in out.iterdir()} == {"model.safetensors", "history.csv",
                                               "history.json", "loss.png",
                                               "gradient_norms.png", "fit.png"}
    _assert_png(out / "fit.png")
    assert "r2" in json.loads((out / "history.json").read_text())


def test_autoencoder_run_writes_reconstructions_and_latent_space(tmp_path, capsys):
    code, out = _train(tmp_path, "--dataset", "encoder", "--autoencoder", "--bottleneck", "2",
                       "--layers", "", "--epochs", "5", "--validation-split", "0")
    assert code == 0
    files = {p.name for p in out.iterdir()}
    assert {"reconstructions.png", "latent.png", "model.safetensors"} <= files
    _assert_png(out / "reconstructions.png")
    _assert_png(out / "latent.png")
    assert isinstance(bp.load(out / "model.safetensors"), bp.nn.Autoencoder)
    assert "PCA with 2 components" in capsys.readouterr().out


@pytest.mark.slow
def test_digits_autoencoder_reports_its_error_next_to_pca(tmp_path, capsys):
    pytest.importorskip("sklearn")
    code, out = _train(tmp_path, "--dataset", "digits", "--autoencoder", "--bottleneck", "2",
                       "--layers", "16", "--epochs", "2", "--batch-size", "128")
    assert code == 0
    match = re.search(r"Reconstruction MSE ([\d.e-]+); PCA with 2 components: ([\d.e-]+)",
                      capsys.readouterr().out)
    assert match
    digits = data.load_digits()
    assert float(match.group(2)) == pytest.approx(pca_reconstruction_mse(digits.x, 2), rel=1e-5)
    model = bp.load(out / "model.safetensors")
    with bp.no_grad():
        recon = model(bp.from_numpy(digits.x)).array
    assert float(match.group(1)) == pytest.approx(float(((recon - digits.x) ** 2).mean()),
                                                  rel=1e-5)


def test_diverging_run_reports_the_diagnosis(tmp_path, capsys):
    code, out = _train(tmp_path, "--dataset", "moons", "--lr", "100", "--epochs", "20")
    assert code == 0
    assert "learning rate 100 is probably too high" in capsys.readouterr().out
    assert (out / "model.safetensors").exists()
    assert json.loads((out / "history.json").read_text())["events"][0]["kind"] == "divergence"


@pytest.mark.parametrize(("args", "message"), [
    (["--dataset", "mnist"], r"unknown dataset 'mnist'; valid names: xor, and, .*moons"),
    (["--activation", "swishy"], r"unknown activation 'swishy'; valid names: .*relu.*tanh"),
    (["--loss", "hinge"], r"unknown loss 'hinge'; valid names: bce, bce_with_logits"),
    (["--optimizer", "lbfgs"], r"unknown optimizer 'lbfgs'; valid names: adagrad, adam"),
    (["--layers", "8,0"], r"layer sizes must be positive integers, got 0"),
    (["--layers", "8,-3"], r"layer sizes must be positive integers, got -3"),
    (["--layers", "8,x"], r"'x' is not an integer"),
    (["--lr", "nan"], r"--lr must be a finite positive number, got nan"),
    (["--lr", "inf"], r"--lr must be a finite positive number, got inf"),
    (["--lr", "-0.1"], r"--lr must be a finite positive number, got -0.1"),
    (["--lr", "0"], r"--lr must be a finite positive number"),
    (["--epochs", "0"], r"--epochs must be a positive integer"),
    (["--batch-size", "-1"], r"--batch-size must be a positive integer"),
    (["--validation-split", "1"], r"--validation-split must be in \[0, 1\)"),
    (["--loss", "cross_entropy"], r"loss 'cross_entropy' does not fit the binary dataset "
                                  r"'moons'; use one of: bce, bce_with_logits, mse"),
    (["--dataset", "sine", "--loss", "bce"], r"does not fit the regression dataset 'sine'"),
    (["--dataset", "missing.csv"], r"no such file 'missing.csv'"),
    (["--dataset", "xor", "--n", "0"], r"n must be between 1 and \d+, got 0"),
])
def test_bad_input_exits_2_with_a_message_before_training(tmp_path, capsys, args, message):
    code, out = _train(tmp_path, *args)
    err = capsys.readouterr()
    assert code == 2
    assert re.search(r"backproplab train: error: .*" + message, err.err), err.err
    assert "Training" not in err.out
    assert not out.exists()


def test_option_the_dataset_does_not_take_exits_2(tmp_path, capsys):
    pytest.importorskip("sklearn")
    code, out = _train(tmp_path, "--dataset", "digits", "--noise", "0.1")
    assert code == 2
    assert "dataset 'digits' does not take noise; it takes: n, seed" in capsys.readouterr().err
    assert not out.exists()


def test_csv_dataset_trains_from_a_file(tmp_path):
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    rows = ["a,b,label"] + [f"{u},{v},{int(u + v > 0)}" for u, v in x]
    csv_path = tmp_path / "points.csv"
    csv_path.write_text("\n".join(rows) + "\n")
    code, out = _train(tmp_path, "--dataset", str(csv_path), "--target", "label",
                       "--epochs", "2")
    assert code == 0
    assert (out / "decision_boundary.png").exists()
