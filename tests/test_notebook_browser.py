"""The first example notebook run in a real JupyterLab (loopback, free port, a token, no
browser of its own) driven by Playwright + Chromium, as a student would: Shift+Enter through
every cell. The trace is typeset by JupyterLab's MathJax, the graph is an SVG, and the
Laboratory embedded by ``bp.lab.show(model, data)`` renders all its panels on the notebook's
own weights with no console error. Screenshots land in test-artifacts/ (git-ignored).

Skipped when JupyterLab, nbformat or Playwright is missing; CI has them.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("jupyterlab")
nbformat = pytest.importorskip("nbformat")
httpx = pytest.importorskip("httpx")

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402 - after the skips

import backproplab as bp  # noqa: E402
from tests.test_lab_browser import (  # noqa: E402 - skips this module too without Chromium
    ARTIFACTS,
    PANELS,
    browser,  # noqa: F401 - the module's Chromium, a fixture
    free_port,
)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "01_learning_cycle_and_chain_rule.ipynb"
LAB_FRAME = "iframe[title='Backpropagation Laboratory']"
START_SECONDS = 90


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory):
    """JupyterLab serving a folder holding the example, and the notebook's URL."""
    root = tmp_path_factory.mktemp("jupyter")
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    settings = root / ".settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = free_port(), secrets.token_hex(16)
    src = str(Path(bp.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (src, os.environ.get("PYTHONPATH")) if p), "JUPYTER_PLATFORM_DIRS": "1"}
    log = (root / "jupyter.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         f"--LabApp.user_settings_dir={root / '.settings'}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    try:
        while True:
            try:
                if httpx.get(f"{base}/api/status?token={token}", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("JupyterLab did not start: "
                                   + (root / "jupyter.log").read_text()[-2000:])
            time.sleep(0.25)
        yield f"{base}/lab/tree/{NOTEBOOK.name}?token={token}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"notebook-{name}.png"))


def run_every_cell(page, count: int, code_cells: int) -> None:
    """Focus the first cell and press Shift+Enter once per cell, as a student does (the last
    press adds an empty cell, as it does for them); returns once the last code cell ran."""
    page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=START_SECONDS * 1000)
    page.locator(".jp-Cell").first.click()
    page.keyboard.press("Escape")  # command mode: Shift+Enter runs and moves on
    for _ in range(count):
        page.keyboard.press("Shift+Enter")
    last = page.locator(".jp-CodeCell .jp-InputPrompt").nth(code_cells - 1)
    page.wait_for_function("el => /\\[\\d+\\]/.test(el.textContent)", arg=last.element_handle(),
                           timeout=START_SECONDS * 1000)


def test_example_notebook_in_jupyterlab_embeds_a_working_lab(browser, jupyter_lab):  # noqa: F811
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors = []  # (where, message) of every console error, JupyterLab's and the lab's
    page.on("console", lambda m: errors.append(((m.location or {}).get("url", ""), m.text))
            if m.type == "error" else None)
    page.goto(jupyter_lab)
    try:
        run_every_cell(page, len(cells), sum(c.cell_type == "code" for c in cells))
    except PlaywrightTimeoutError:
        shot(page, "failed-run")
        raise

    assert page.locator(".jp-OutputArea-output .jp-RenderedText[data-mime-type="
                        "'application/vnd.jupyter.stderr']").count() == 0
    trace = page.locator(".bp-step-trace")
    trace.scroll_into_view_if_needed()
    # JupyterLab's MathJax typesets it after the output is shown, not necessarily all at once:
    # wait for more than ten typeset lines, not just the first
    lines = ".bp-step-trace .bp-line:not(.bp-keep):has(mjx-container)"
    page.wait_for_function(f"document.querySelectorAll({lines!r}).length > 10")
    typeset = page.locator(lines)
    assert not typeset.first.locator(".bp-text").is_visible()  # the LaTeX replaced the text
    assert typeset.first.locator(".bp-tex").is_visible()
    assert "✓ the trace adds up to param.grad" in trace.inner_text()
    shot(page, "trace-1920x1080")
    assert page.locator(".jp-RenderedSVG img, .jp-RenderedSVG svg").count() >= 1

    frame_element = page.locator(LAB_FRAME)
    lab_url = frame_element.get_attribute("src")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", lab_url)
    frame_element.scroll_into_view_if_needed()
    frame = frame_element.element_handle().content_frame()
    frame.wait_for_selector("body[data-ready=true]")
    frame.wait_for_function("window.__lab.state.network !== null")
    for name in PANELS:
        box = frame.locator(f'[data-panel="{name}"]').bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, (name, box)

    # The lab shows the notebook's trained weights: the cell after it printed them.
    code_cells = page.locator(".jp-CodeCell")
    printed = code_cells.nth(code_cells.count() - 2).locator(".jp-OutputArea-output").inner_text()
    kernel_weights = [float(v) for v in re.findall(r"-?\d+\.\d+", printed)]
    lab_weights = frame.evaluate("window.__lab.state.network.weights[0].w.flat()")
    assert len(kernel_weights) == len(lab_weights) == 4
    assert lab_weights == pytest.approx(kernel_weights, abs=1e-4)
    frame_element.scroll_into_view_if_needed()
    shot(page, "lab-1920x1080")

    page.set_viewport_size({"width": 1280, "height": 720})  # the cell is narrower than the lab
    frame_element.scroll_into_view_if_needed()
    page.wait_for_function("f => f.style.transform.startsWith('scale(')",
                           arg=frame_element.element_handle())
    cell = page.locator(".bp-lab-frame").bounding_box()
    for name in PANELS:  # scaled to fit: no panel is cut off at the right
        box = frame.locator(f'[data-panel="{name}"]').bounding_box()
        assert box["x"] + box["width"] <= cell["x"] + cell["width"] + 1, (name, box, cell)
    shot(page, "lab-1280x720")
    context.close()
    lab_errors = [text for where, text in errors if where.startswith(lab_url)]
    assert lab_errors == [], f"console errors in the lab: {lab_errors}"
