"""Load test of the web server: 50 concurrent clients for 30 s on loopback with wrk.

Starts `renewcast serve` on a store built from the bundled data (trained, when the
forecast is installed), then drives a mix of season pages, the board API and season
API answers. Prints throughput, p50/p99 latency and errors; the target is p99 under
100 ms and no errors.

Run by hand: `python bench/bench_web.py [--connections 50] [--seconds 30] [--db PATH]`.
Needs wrk (Debian: apt-get install -y wrk).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from renewcast import build
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
        subprocess.run([sys.executable, "-m", "renewcast", "--db", str(db), "train"],
                       capture_output=True, check=False)  # board with forecasts, when installed
    with Store(db).reading() as con:
        slugs = [r[0] for r in con.execute(
            "SELECT slug FROM seasons WHERE kind = 'TV' ORDER BY first_week DESC LIMIT 40").fetchall()]
    paths = ["/title/the-imperfects-season-1", "/api/v1/board"]
    for slug in slugs:
        paths += [f"/title/{slug}", "/api/v1/board", f"/api/v1/seasons/{slug}"]
    script = tmp / "mix.lua"
    script.write_text(LUA % ", ".join(f'"{p}"' for p in paths))

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RENEWCAST_DB": str(db)}
    server = subprocess.Popen([sys.executable, "-m", "renewcast", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_up(base + "/")
        for p in paths:  # one warm-up pass: the first request of each page computes it
            urllib.request.urlopen(base + p, timeout=30).read()
        run = subprocess.run([wrk, "-t", str(args.threads), "-c", str(args.connections),
                              "-d", f"{args.seconds}s", "--latency", "-s", str(script), base],
                             capture_output=True, text=True, check=True)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    result = parse(run.stdout)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s over {len(paths)} URLs "
          "(season pages, /api/v1/board, /api/v1/seasons/<slug>), one uvicorn worker")
    print(f"requests {result['requests']:,.0f}  throughput {result['rps']:,.0f} req/s  "
          f"p50 {result['p50']:.1f} ms  p90 {result['p90']:.1f} ms  p99 {result['p99']:.1f} ms  "
          f"errors {result['non2xx'] + result['socket_errors']:.0f} "
          f"(non-2xx {result['non2xx']:.0f}, socket {result['socket_errors']:.0f})")
    ok = result["p99"] < 100 and result["non2xx"] + result["socket_errors"] == 0
    print("target (p99 < 100 ms, zero errors):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
