"""Well-known beginner programs, written for PyTorch, run unchanged but for their imports on
both libraries: every number they produce agrees to 1e-12 in float64.

Each file in ``beginner_programs/`` is one PyTorch program that leaves what it computed in a
``results`` dict. The test runs the text as written, then with each ``torch`` import
rewritten to the backproplab module of the same role (``import torch`` becomes
``import backproplab as torch``, ``from torch.utils.data import …`` becomes
``from backproplab.utils.data import …``) and no other line touched.
"""

import pathlib
import re

import numpy
import pytest

torch = pytest.importorskip("torch")

PROGRAMS = pathlib.Path(__file__).parent / "beginner_programs"
TOLERANCE = {"rtol": 1e-12, "atol": 1e-12}
_IMPORT = re.compile(r"^(\s*)(import|from) torch(\.[\w.]+)?\b(.*)$")


def port(source: str) -> str:
    """The program with only its torch import lines rewritten to backproplab."""
    lines = []
    for line in source.splitlines():
        match = _IMPORT.match(line)
        if match is None:
            assert "import torch" not in line, f"an import the port does not handle: {line}"
            lines.append(line)
            continue
        indent, keyword, submodule, rest = match.groups()
        if keyword == "import" and not submodule and not rest.strip():
            lines.append(f"{indent}import backproplab as torch")
        else:
            lines.append(f"{indent}{keyword} backproplab{submodule or ''}{rest}")
    return "\n".join(lines) + "\n"


def _run(source: str, name: str) -> dict:
    namespace = {"__name__": f"beginner_program_{name}"}
    exec(compile(source, f"{name}.py", "exec"), namespace)
    return namespace["results"]


def _plain(value):
    """Results as nested lists/dicts of numpy arrays and Python scalars, library-free."""
    if hasattr(value, "detach"):
        return numpy.asarray(value.detach().cpu().numpy())
    if isinstance(value, numpy.ndarray):
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _compare(ours, theirs, where: str) -> None:
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs), where
        for k in theirs:
            _compare(ours[k], theirs[k], f"{where}[{k!r}]")
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            _compare(a, b, f"{where}[{i}]")
    elif isinstance(theirs, numpy.ndarray):
        ours = numpy.asarray(ours)
        assert ours.shape == theirs.shape, f"{where}: shape {ours.shape} vs {theirs.shape}"
        assert ours.dtype == theirs.dtype, f"{where}: dtype {ours.dtype} vs {theirs.dtype}"
        numpy.testing.assert_allclose(ours, theirs, err_msg=where, **TOLERANCE)
    elif isinstance(theirs, float):
        numpy.testing.assert_allclose(ours, theirs, err_msg=where, **TOLERANCE)
    else:
        assert ours == theirs, where


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    """Tiny tensors: PyTorch's thread pool only costs time (18 s instead of 1 s for the
    makemore program on a loaded 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.filterwarnings("ignore:'pin_memory' argument is set as true")  # torch, no GPU
@pytest.mark.parametrize("name", sorted(p.stem for p in PROGRAMS.glob("*.py")))
def test_program_gives_the_same_numbers_on_both_libraries(name):
    source = (PROGRAMS / f"{name}.py").read_text()
    default = torch.get_default_dtype()
    try:
        theirs = _plain(_run(source, name))
    finally:
        torch.set_default_dtype(default)
    ours = _plain(_run(port(source), name))
    _compare(ours, theirs, name)


def test_port_rewrites_import_lines_only():
    source = ("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
              "from torch.utils.data import DataLoader, TensorDataset\nfrom torch import nn\n"
              "x = torch.ones(2)  # torch stays torch\n")
    assert port(source) == ("import backproplab as torch\nimport backproplab.nn as nn\n"
                            "import backproplab.nn.functional as F\n"
                            "from backproplab.utils.data import DataLoader, TensorDataset\n"
                            "from backproplab import nn\n"
                            "x = torch.ones(2)  # torch stays torch\n")
