"""DNS rebinding in a real Chromium: evil.example is mapped to 127.0.0.1 (as an attacker's DNS
would re-point it), so a page "on evil.example" reaches the lab's port. The lab refuses the
page, its WebSocket and its uploads, while the same lab on 127.0.0.1 works, under its
Content-Security-Policy, with no console errors."""

import socket
import threading
import time

import pytest

from tests import chromium

pytest.importorskip("uvicorn")
sync_playwright = chromium.sync_playwright()
CHROMIUM = chromium.chromium()

from backproplab.lab import make_server  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab():
    port = free_port()
    server = make_server("127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the lab server did not start"
        time.sleep(0.02)
    yield port, server.config.app.state.lab
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            *chromium.ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"])
        yield b
        b.close()


def wait_for(page, predicate: str, seconds: float = 15) -> None:
    """Poll ``predicate`` (a JavaScript function) from Python: Playwright's own
    ``wait_for_function`` evaluates a string in the page, which the lab's CSP forbids."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        time.sleep(0.05)


SOCKET_OPENS = """url => new Promise(resolve => {
  const ws = new WebSocket(url);
  ws.onopen = () => { ws.close(); resolve('open'); };
  ws.onerror = () => resolve('refused');
})"""

UPLOAD = """url => fetch(url, {method: 'POST', mode: 'no-cors', body: '1,2,0\\n3,4,1\\n'})
  .then(() => 'sent', () => 'failed')"""


def test_dns_rebinding_page_is_refused_and_opens_no_session(lab, browser):
    port, pool = lab
    page = browser.new_page()
    response = page.goto(f"http://evil.example:{port}/")
    assert response.status == 403
    assert "does not answer to the host name 'evil.example'" in page.content()
    assert page.evaluate(SOCKET_OPENS, f"ws://evil.example:{port}/ws") == "refused"
    assert page.evaluate(SOCKET_OPENS, f"ws://127.0.0.1:{port}/ws") == "refused"
    page.evaluate(UPLOAD, f"http://evil.example:{port}/api/csv?session=x")
    assert len(pool) == 0
    page.close()


def test_the_lab_on_loopback_works_under_its_content_security_policy(lab, browser):
    port, pool = lab
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(f"http://127.0.0.1:{port}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("body[data-ready=true]")
    wait_for(page, "() => window.__lab.state.network !== null")
    assert len(pool) == 1
    page.click("[data-action=play]")
    wait_for(page, "() => window.__lab.state.status.step > 20")
    page.click("[data-action=pause]")
    wait_for(page, "() => !window.__lab.state.status.playing")
    page.click("[data-action=step]")
    session = page.evaluate("window.__lab.state.welcome.session")
    evil = browser.new_page()
    evil.goto(f"http://evil.example:{port}/")
    evil.evaluate(UPLOAD, f"http://127.0.0.1:{port}/api/csv?session={session}")
    assert pool.session(session).points.edited is False
    evil.close()
    page.close()
    assert errors == []
