"""Every notebook in examples/ runs on a real Jupyter kernel (nbclient) without an error or a
warning, and its key cells show what they promise: the trace cell the step's own numbers as
HTML, the graph cell an SVG, the lab cell an IFrame on a server that answers and trains the
notebook's very model.

Skipped when the ``notebook`` extra (nbclient, nbformat, ipykernel) is not installed; CI has it.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
httpx = pytest.importorskip("httpx")
ws_client = pytest.importorskip("websockets.sync.client")

import backproplab as bp  # noqa: E402
from backproplab.explain.json_numbers import fmt  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
CELL_TIMEOUT = 120
LESSON_CONCEPTS = ("learning_cycle", "learning_rates", "vanishing", "overfitting", "autoencoder")


def _kernel_pythonpath() -> str:
    """PYTHONPATH for the kernel, so it imports the backproplab these tests import."""
    src = str(Path(bp.__file__).resolve().parent.parent)
    return os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)


def _client(nb, folder: Path):
    return nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                   resources={"metadata": {"path": str(folder)}})


def _tagged(nb, tag: str) -> tuple[int, dict]:
    (found,) = [(i, c) for i, c in enumerate(nb.cells) if tag in c.metadata.get("tags", [])]
    return found


def _assert_clean(nb) -> None:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", (cell.source, out)
            assert out.get("name") != "stderr", (cell.source, out.get("text"))


def _html(cell) -> str:
    return "".join(o["data"]["text/html"] for o in cell.outputs
                   if "data" in o and "text/html" in o["data"])


def test_there_is_one_notebook_per_lesson_concept():
    names = [p.stem for p in NOTEBOOKS]
    for concept in LESSON_CONCEPTS:
        assert sum(concept in n for n in names) == 1, (concept, names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if "learning_cycle" not in p.stem],
                         ids=lambda p: p.stem)
def test_notebook_runs_on_a_kernel_without_errors(path, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", _kernel_pythonpath())
    nb = nbformat.read(path, as_version=4)
    _client(nb, tmp_path).execute()
    _assert_clean(nb)
    shown = [o for c in nb.cells for o in c.get("outputs", []) if "data" in o]
    assert any("image/png" in o["data"] or "text/html" in o["data"] for o in shown)


@pytest.fixture(scope="module")
def learning_cycle(tmp_path_factory):
    """The first notebook executed cell by cell on a kernel that stays up for the tests, with
    a way to run more code in it (``run``)."""
    path = next(p for p in NOTEBOOKS if "learning_cycle" in p.stem)
    nb = nbformat.read(path, as_version=4)
    client = _client(nb, tmp_path_factory.mktemp("learning_cycle"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", _kernel_pythonpath())
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)

            def run(source: str) -> str:
                cell = nbformat.v4.new_code_cell(source)
                nb.cells.append(cell)
                client.execute_cell(cell, len(nb.cells) - 1)
                return "".join(o.get("text", "") for o in cell.outputs)

            yield nb, run


def test_learning_cycle_notebook_runs_without_errors(learning_cycle):
    _assert_clean(learning_cycle[0])


def test_trace_cell_shows_the_numbers_the_library_computes(learning_cycle):
    nb, _ = learning_cycle
    index, cell = _tagged(nb, "trace")
    namespace: dict = {}
    for earlier in nb.cells[: index + 1]:  # the same code, run here rather than in the kernel
        if earlier.cell_type == "code":
            exec(earlier.source, namespace)
    d = namespace["step"].to_dict()
    html = _html(cell)
    assert 'class="bp-display bp-step-trace"' in html
    numbers = [d["loss"]["value"]]
    for layer in d["layers"]:
        for n in layer["neurons"]:
            numbers += [n["net"][0], n["out"][0], n["delta"][0]]
            numbers += [g["grad"] for g in [*n["weight_grads"], n["bias_grad"]]]
    numbers += [p["new"] for p in d["update"]["params"]]
    assert len(numbers) == 1 + 3 * 3 + 9 + 9  # 2-2-1: three neurons, nine parameters
    for value in numbers:
        assert fmt(value, 6) in html, value


def test_graph_cell_is_an_svg(learning_cycle):
    nb, _ = learning_cycle
    _, cell = _tagged(nb, "graph")
    (out,) = [o for o in cell.outputs if "data" in o]
    if shutil.which("dot") is None:
        pytest.fail("Graphviz's dot is needed for the graph's SVG (apt install graphviz)")
    svg = out["data"]["image/svg+xml"]
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "0.weight" in svg
    assert "text/html" not in out["data"]


def _lab_url(nb) -> str:
    _, cell = _tagged(nb, "lab")
    html = _html(cell)
    (url,) = set(re.findall(r'<iframe src="(http://127\.0\.0\.1:\d+/)"', html))
    return url


def test_lab_cell_is_an_iframe_on_a_lab_that_answers(learning_cycle):
    url = _lab_url(learning_cycle[0])
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200 and "<html" in page.text.lower()
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors" in policy and "http://127.0.0.1:*" in policy


def _ask(ws, message: dict) -> dict:
    ws.send(json.dumps(message))
    while True:
        reply = json.loads(ws.recv(timeout=30))
        if reply.get("id") == message["id"]:
            return reply


def test_lab_websocket_trains_the_notebooks_own_model(learning_cycle):
    nb, run = learning_cycle
    url = _lab_url(nb)
    before = json.loads(run("import json; print(json.dumps(model[0].weight.data.tolist()))"))
    with ws_client.connect(url.replace("http://", "ws://") + "ws",
                           origin=url.rstrip("/")) as ws:
        welcome = json.loads(ws.recv(timeout=30))
        assert welcome["type"] == "welcome"
        first = _ask(ws, {"type": "step", "id": 1, "unit": "epoch"})
        second = _ask(ws, {"type": "step", "id": 2, "unit": "epoch"})
        assert first["ok"] and second["ok"]
        assert second["status"]["epoch"] == first["status"]["epoch"] + 1
        trained = json.loads(run("print(json.dumps(model[0].weight.data.tolist()))"))
        assert trained != before  # the lab's steps moved the notebook's weights
        edit = _ask(ws, {"type": "set_weight", "id": 3, "layer": 0, "row": 1, "col": 0,
                         "value": 0.125})
        assert edit["ok"], edit
        assert run("print(model[0].weight.data[1, 0].item())").strip() == "0.125"
