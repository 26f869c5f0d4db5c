"""The lab under a classroom's load: 32 sessions playing at once on one machine.

Starts ``backproplab lab`` on a free loopback port (its own process, so its CPU time can be
read from /proc), then measures, in order:

1. one session alone playing XOR at full speed: its training steps per second;
2. 32 sessions playing at once: ping round trips (p50, p99, max), page updates (frames) per
   second of every session, and the training steps per second of all 32 together;
3. the 33rd connection: how long until it is refused;
4. the 32 sessions connected but idle: the server's CPU use (web process and workers).

Targets (issue 11): ping p99 <= 250 ms, every session >= 10 frames/s, aggregate steps/s >= 80%
of one session alone on the same cores, idle <= 1% of a core, 33rd refused in <= 1 s.
Loopback only, bounded in connections and time; it stops by itself.

Run: python benchmarks/bench_lab_load.py [--seconds 60] [--idle-seconds 10] [--workers N]
"""

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time

import websockets

SESSIONS = 32
PING_EVERY = 0.2
STEP = re.compile(r'"step":(\d+)')
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and all its descendants, from /proc."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except FileNotFoundError:
            continue
    return total


class Page:
    """One session seen as a page sees it: frames counted, steps read from their status."""

    def __init__(self, ws):
        self.ws = ws
        self.frames = 0
        self.step = 0
        self.pending: dict[int, float] = {}
        self.rtts: list[float] = []
        self.next_id = 0
        self.counting = False

    async def request(self, type_: str) -> None:
        self.next_id += 1
        self.pending[self.next_id] = time.perf_counter()
        await self.ws.send(json.dumps({"type": type_, "id": self.next_id}))

    async def read(self) -> None:
        async for text in self.ws:
            if text.startswith('{"type":"frame"'):
                self.frames += self.counting
                self.step = int(STEP.search(text, 0, 400).group(1))
                continue
            msg = json.loads(text)
            sent = self.pending.pop(msg.get("id"), None)
            if sent is not None and self.counting:
                self.rtts.append(time.perf_counter() - sent)

    async def ping_loop(self) -> None:
        while True:
            await self.request("ping")
            await asyncio.sleep(PING_EVERY)


async def open_page(url: str) -> Page:
    ws = await websockets.connect(url, max_size=None, ping_interval=None)
    welcome = json.loads(await ws.recv())
    assert welcome["type"] == "welcome", welcome
    page = Page(ws)
    page.reader = asyncio.create_task(page.read())
    return page


async def play(pages: list[Page], seconds: float) -> dict:
    """Play every page for ``seconds`` (after a 2 s warm-up) and measure."""
    for page in pages:
        await page.request("play")
    await asyncio.sleep(2.0)
    pingers = [asyncio.create_task(p.ping_loop()) for p in pages]
    start_steps = [p.step for p in pages]
    for page in pages:
        page.counting, page.frames, page.rtts = True, 0, []
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    elapsed = time.perf_counter() - started
    for page in pages:
        page.counting = False
    for task in pingers:
        task.cancel()
    steps = sum(p.step - s for p, s in zip(pages, start_steps, strict=True))
    for page in pages:
        await page.request("pause")
    rtts = sorted(r for p in pages for r in p.rtts)
    fps = [p.frames / elapsed for p in pages]
    return {"steps_per_second": steps / elapsed, "fps_min": min(fps),
            "fps_median": statistics.median(fps), "rtt": rtts}


async def refusal_time(url: str) -> tuple[float, str]:
    started = time.perf_counter()
    async with websockets.connect(url, ping_interval=None) as ws:
        message = json.loads(await ws.recv())
        try:
            await ws.recv()
        except websockets.ConnectionClosed as e:
            code = e.rcvd.code if e.rcvd else None
        return time.perf_counter() - started, f"{message.get('error', '')[:60]} (close {code})"


async def measure(url: str, server_pid: int, seconds: float, idle_seconds: float) -> dict:
    solo = await open_page(url)
    alone = await play([solo], min(seconds, 10.0))
    pages = [solo] + [await open_page(url) for _ in range(SESSIONS - 1)]
    loaded = await play(pages, seconds)
    await asyncio.sleep(1.0)
    refused_in, refusal = await refusal_time(url)
    await asyncio.sleep(1.0)
    cpu0, t0 = cpu_seconds(server_pid), time.perf_counter()
    await asyncio.sleep(idle_seconds)
    idle = (cpu_seconds(server_pid) - cpu0) / (time.perf_counter() - t0)
    for page in pages:
        await page.ws.close()
    return {"alone": alone, "loaded": loaded, "refused_in": refused_in, "refusal": refusal,
            "idle_core_fraction": idle}


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def report(result: dict, workers: int, seconds: float) -> None:
    alone, loaded = result["alone"], result["loaded"]
    rtt = loaded["rtt"]
    ratio = loaded["steps_per_second"] / alone["steps_per_second"]
    rows = [
        ("ping round trip p50", f"{percentile(rtt, 0.5) * 1000:.0f} ms", ""),
        ("ping round trip p99", f"{percentile(rtt, 0.99) * 1000:.0f} ms", "<= 250 ms"),
        ("ping round trip max", f"{max(rtt) * 1000:.0f} ms" if rtt else "-", ""),
        ("frames/s, slowest session", f"{loaded['fps_min']:.1f}", ">= 10"),
        ("frames/s, median session", f"{loaded['fps_median']:.1f}", ""),
        ("steps/s, one session alone", f"{alone['steps_per_second']:.0f}", ""),
        ("steps/s, 32 sessions together", f"{loaded['steps_per_second']:.0f}", ""),
        ("  ratio to one alone", f"{ratio:.2f}", ">= 0.80"),
        ("33rd connection refused in", f"{result['refused_in'] * 1000:.0f} ms", "<= 1000 ms"),
        ("32 idle sessions, server CPU", f"{result['idle_core_fraction'] * 100:.2f}% of a core",
         "<= 1%"),
    ]
    print(f"\n32 sessions playing XOR at full speed for {seconds:g} s, {workers} worker(s), "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"{'measure':32} {'value':>20}  target")
    for name, value, target in rows:
        print(f"{name:32} {value:>20}  {target}")
    print(f"33rd connection's answer: {result['refusal']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="play time (default 60)")
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "backproplab", "lab", "--port", str(port),
                               "--no-browser", "--workers", str(args.workers)],
                              stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("the lab server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.1)
        url = f"ws://127.0.0.1:{port}/ws"
        budget = args.seconds + min(args.seconds, 10) + args.idle_seconds + 120
        result = asyncio.run(asyncio.wait_for(
            measure(url, server.pid, args.seconds, args.idle_seconds), budget))
        report(result, args.workers, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
