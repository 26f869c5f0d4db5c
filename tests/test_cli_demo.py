"""`backproplab demo`: the hand-checkable gradient, then XOR learned by the bare engine."""

import re
import subprocess
import sys

from backproplab.cli import main


def test_demo_prints_the_gradient_and_learns_xor(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "∂loss/∂w = -2·x·(y - w·x) = -20\n" in out
    predictions = [float(v) for v in re.search(r"XOR predictions: \[(.*)\]", out).group(1)
                   .split(",")]
    assert [round(p) for p in predictions] == [0, 1, 1, 0]


def test_demo_with_fewer_than_five_epochs_runs():
    assert main(["demo", "--epochs", "3"]) == 0


def test_demo_refuses_a_non_positive_epoch_count(capsys):
    assert main(["demo", "--epochs", "0"]) == 2
    assert "--epochs must be a positive integer, got 0" in capsys.readouterr().err


def test_demo_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "backproplab", "demo", "--epochs", "10"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "= -20" in result.stdout
