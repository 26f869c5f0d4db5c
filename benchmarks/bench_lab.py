"""The lab's speed in a real browser: training steps per second and page updates per second
while XOR plays (the default 2-4-1 network, full speed) in a 1280×720 window.

Targets (issue "The Backpropagation Laboratory"): >= 1,000 training steps/s and >= 20 page
updates/s on a 2-core machine. Steps are counted by the server (the status each frame
carries); page updates are the animation frames in which the page redrew views
(``window.__lab.counters.renders``), and frames received are reported beside them.

Run: python benchmarks/bench_lab.py [--seconds 5] [--chromium /usr/bin/chromium]
"""

import argparse
import socket
import threading
import time

from playwright.sync_api import sync_playwright

from backproplab.lab import make_server

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    port = free_port()
    server = make_server("127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}/"


def measure(page, seconds: float) -> dict:
    read = "() => ({step: window.__lab.state.status.step, renders: window.__lab.counters.renders," \
           " frames: window.__lab.counters.frames, t: performance.now()})"
    page.click('[data-action="play"]')
    page.wait_for_function("window.__lab.state.status.step > 200")
    start = page.evaluate(read)
    page.wait_for_timeout(seconds * 1000)
    end = page.evaluate(read)
    page.click('[data-action="pause"]')
    elapsed = (end["t"] - start["t"]) / 1000
    return {"steps_per_second": (end["step"] - start["step"]) / elapsed,
            "updates_per_second": (end["renders"] - start["renders"]) / elapsed,
            "frames_per_second": (end["frames"] - start["frames"]) / elapsed,
            "seconds": elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    server, thread, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})  # the smallest window
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]")
            result = measure(page, args.seconds)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=5)
    print(f"XOR 2-4-1, playing for {result['seconds']:.1f} s in Chromium:")
    print(f"  training steps/s   {result['steps_per_second']:8.0f}   (target >= 1000)")
    print(f"  page updates/s     {result['updates_per_second']:8.1f}   (target >= 20)")
    print(f"  frames received/s  {result['frames_per_second']:8.1f}   (server cap 30)")
    ok = result["steps_per_second"] >= 1000 and result["updates_per_second"] >= 20
    print("  targets met" if ok else "  TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
