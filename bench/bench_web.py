"""Load tests of the web server on loopback, with wrk.

Starts `renewcast serve` on a store built from the bundled data (trained), then:

1. mix: 50 clients for 30 s over season pages, the board API and season API answers;
2. ingests: 50 clients for 30 s on season pages while 5 ingests replace the store
   (each swap empties the page cache: targets 0 errors, p99 < 100 ms, none over 500 ms);
3. crawl: every TV season page once on a freshly started server (nothing cached), by
   4 keep-alive clients (target over 200 pages/s), and by one client alone (the
   uncached page time, target under 10 ms).

Run by hand: `python bench/bench_web.py [--connections 50] [--seconds 30] [--db PATH]`.
Needs wrk (Debian: apt-get install -y wrk).
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from renewcast import build
from renewcast.forecast.service import ensure_backtest
from renewcast.store import Store

LUA = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse(output: str) -> dict[str, float]:
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", output, re.M))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {"requests": total, "rps": rps, "p50": ms(latency["50"]), "p90": ms(latency["90"]),
            "p99": ms(latency["99"]), "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": sum(int(x) for x in sockets.groups()) if sockets else 0}


def max_latency(output: str) -> float:
    """wrk's thread-stats Max latency, in ms."""
    m = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output)
    return ms(m.group(1)) if m else float("nan")


def start(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RENEWCAST_DB": str(db)}
    server = subprocess.Popen([sys.executable, "-m", "renewcast", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up(base + "/", 300)
    return server, base


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(10)


def crawl(base: str, paths: list[str], clients: int) -> tuple[float, list[float], int]:
    """Fetch every path once with ``clients`` keep-alive connections: (seconds, per-page ms, errors)."""
    host, port = base.removeprefix("http://").split(":")
    todo = list(paths)
    lock = threading.Lock()
    times: list[float] = []
    errors = [0]

    def worker() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        while True:
            with lock:
                if not todo:
                    break
                path = todo.pop()
            t = time.perf_counter()
            conn.request("GET", urllib.parse.quote(path))
            response = conn.getresponse()
            response.read()
            with lock:
                times.append((time.perf_counter() - t) * 1000)
                errors[0] += response.status != 200
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, times, errors[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--db", type=Path, help="an existing store (default: build one from the bundled data)")
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="renewcast-bench-"))
    db = args.db or tmp / "renewcast.duckdb"
    if not db.exists():
        build.ensure(Store(db))
    ensure_backtest(Store(db))  # else serve computes it in the background, during the first figures
    with Store(db).reading() as con:
        slugs = [r[0] for r in con.execute(
            "SELECT slug FROM seasons WHERE kind = 'TV' ORDER BY first_week DESC LIMIT 40").fetchall()]
        every = [f"/title/{r[0]}" for r in con.execute("SELECT slug FROM seasons WHERE kind = 'TV'").fetchall()]
    paths = ["/title/the-imperfects-season-1", "/api/v1/board"]
    for slug in slugs:
        paths += [f"/title/{slug}", "/api/v1/board", f"/api/v1/seasons/{slug}"]
    mix = tmp / "mix.lua"
    mix.write_text(LUA % ", ".join(f'"{p}"' for p in paths))
    pages = tmp / "pages.lua"
    pages.write_text(LUA % ", ".join(f'"/title/{slug}"' for slug in slugs))
    wrk_args = [wrk, "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.seconds}s", "--latency"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s; one uvicorn worker")
    ok = True

    server, base = start(db)
    try:
        for p in paths:  # one warm-up pass: the first request of each page computes it
            urllib.request.urlopen(base + p, timeout=30).read()
        run = subprocess.run([*wrk_args, "-s", str(mix), base], capture_output=True, text=True, check=True)
        r = parse(run.stdout)
        errors = r["non2xx"] + r["socket_errors"]
        print(f"mix of {len(paths)} URLs (season pages, /api/v1/board, /api/v1/seasons/<slug>): "
              f"{r['rps']:,.0f} req/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, "
              f"max {max_latency(run.stdout):.0f} ms, errors {errors:.0f}")
        ok &= r["p99"] < 100 and errors == 0

        tsv = Path(build.__file__).parent / "data" / "netflix-top10" / "all-weeks-global.tsv"
        env = {**os.environ, "RENEWCAST_DB": str(db)}
        took: list[float] = []

        def five_ingests() -> None:
            for _ in range(5):
                time.sleep(args.seconds / 7)
                t = time.perf_counter()
                subprocess.run([sys.executable, "-m", "renewcast", "ingest", str(tsv), "--no-train"], env=env,
                               capture_output=True, check=True)
                took.append(time.perf_counter() - t)

        writer = threading.Thread(target=five_ingests)
        writer.start()
        run = subprocess.run([*wrk_args, "-s", str(pages), base], capture_output=True, text=True, check=True)
        writer.join()
        r = parse(run.stdout)
        errors = r["non2xx"] + r["socket_errors"]
        worst = max_latency(run.stdout)
        print(f"season pages while {len(took)} ingests replace the store ({statistics.median(took):.1f} s each): "
              f"{r['requests']:,.0f} requests, {r['rps']:,.0f} req/s, p50 {r['p50']:.1f} ms, "
              f"p99 {r['p99']:.1f} ms, max {worst:.0f} ms, errors {errors:.0f}")
        ok &= r["p99"] < 100 and worst < 500 and errors == 0
    finally:
        stop(server)

    for clients in (4, 1):  # a fresh server each time: nothing cached
        server, base = start(db)
        try:
            seconds, times, errors = crawl(base, every, clients)
        finally:
            stop(server)
        print(f"uncached crawl of all {len(every):,} TV season pages, {clients} client(s): "
              f"{len(every) / seconds:,.0f} pages/s, per page p50 {statistics.median(times):.1f} ms, "
              f"p99 {statistics.quantiles(times, n=100)[98]:.1f} ms, errors {errors}")
        if clients == 4:
            ok &= len(every) / seconds > 200 and errors == 0
    shutil.rmtree(tmp, ignore_errors=True)
    print("targets (0 errors, p99 < 100 ms and none over 500 ms during ingests, crawl > 200 pages/s):",
          "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
