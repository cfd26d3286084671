"""Bounded load test against the real server on 127.0.0.1: prints throughput and latency percentiles.

    .venv/bin/python scripts/loadtest.py                     # starts `assistant serve` on a free port
    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:8000 --requests 2000 --concurrency 1 8 64

Requests are a fixed mix of /api/ask and /api/search built from the dev questions and variations (years,
departments, follow-ups, odd input); ``--long-share`` of them (5 % by default) are 500-character questions, the
most expensive input the API accepts, and their latencies are reported apart from the normal ones. Meanwhile a
monitor polls /api/health every 0.1 s, as a load balancer would, and its latencies are reported too.
Each run stops by itself: a fixed request count and a time limit. Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "dev_queries.jsonl"
EXTRA = [
    "高齢者の詐欺対策は？",
    "今日の天気は？",
    "CoCoパトロールの回数の推移は？",
    "令和5年度の新しい取組みは？",
    "令和５年度の防犯カメラ",
    "R4の街路灯",
    "地域安全課の取組み",
    "<img src=x onerror=alert(1)>",
    "😀 防犯",
]


LONG_CHARS = 500  # the longest question the API accepts (Settings.max_question_chars)


def long_question(seed: str) -> str:
    """A 500-character question: a citizen pasting a whole letter, the costliest input the API accepts."""
    filler = f"{seed}について、市の取組みを防犯カメラや見守り、パトロールとの関係も含めて詳しく教えてください。"
    return (filler * (LONG_CHARS // len(filler) + 1))[:LONG_CHARS]


def is_long(item: tuple[str, dict]) -> bool:
    return len(item[1]["question"]) >= LONG_CHARS


def requests_mix(n: int, only_ask: bool = False, long_share: float = 0.0) -> list[tuple[str, dict]]:
    questions = [json.loads(line)["q"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    if only_ask:  # /api/ask over the dev questions alone, as the ask target is stated
        return [("/api/ask", {"question": questions[i % len(questions)]}) for i in range(n)]
    questions += EXTRA
    every = round(1 / long_share) if long_share > 0 else 0
    out: list[tuple[str, dict]] = []
    for i in range(n):
        q = questions[i % len(questions)]
        if every and i % every == every - 1:  # spread evenly, so every concurrency level meets them
            out.append(("/api/ask" if i % 2 else "/api/search", {"question": long_question(q)}))
            continue
        kind = i % 4
        if kind == 0:
            out.append(("/api/search", {"question": q, "top_k": 10}))
        elif kind == 1:
            out.append(("/api/ask", {"question": q}))
        elif kind == 2:
            out.append(("/api/ask", {"question": "令和5年度は？", "history": [{"role": "user", "content": q}]}))
        else:
            out.append(("/api/search", {"question": q, "filters": {"years": [2023]}}))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("the server exited during start-up")
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the server did not become ready in 300 s")


def percentile(values: list[float], p: float) -> float:
    ms = sorted(values)
    return round(ms[min(len(ms) - 1, int(p / 100 * len(ms)))], 1) if ms else float("nan")


def monitor_health(url: str, stop: threading.Event, out: list[float], failures: Counter[str]) -> None:
    """Poll /api/health every 0.1 s on its own connection, as a load balancer's health check would."""
    with httpx.Client(base_url=url, timeout=10) as client:
        while not stop.wait(0.1):
            started = time.perf_counter()
            try:
                status = client.get("/api/health").status_code
            except httpx.HTTPError as e:
                failures[type(e).__name__] += 1
                continue
            out.append(1000 * (time.perf_counter() - started))
            if status != 200:
                failures[str(status)] += 1


def run(url: str, mix: list[tuple[str, dict]], concurrency: int, time_limit: float) -> dict[str, object]:
    latencies: list[float] = []
    long_latencies: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    stop_at = time.time() + time_limit
    local = threading.local()
    health_ms: list[float] = []
    health_failures: Counter[str] = Counter()
    stop = threading.Event()
    monitor = threading.Thread(target=monitor_health, args=(url, stop, health_ms, health_failures), daemon=True)

    def one(item: tuple[str, dict]) -> None:
        if time.time() > stop_at:
            with lock:
                statuses["skipped (time limit)"] += 1
            return
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=url, timeout=30)
        path, body = item
        started = time.perf_counter()
        try:
            status = str(client.post(path, json=body).status_code)
        except httpx.HTTPError as e:
            status = type(e).__name__
        elapsed = 1000 * (time.perf_counter() - started)
        with lock:
            (long_latencies if is_long(item) else latencies).append(elapsed)
            statuses[status] += 1

    monitor.start()
    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, mix))
    finally:
        stop.set()
        monitor.join(15)
    wall = time.perf_counter() - started
    done = len(latencies) + len(long_latencies)
    errors = sum(v for k, v in statuses.items() if not k.startswith("2"))
    return {
        "concurrency": concurrency,
        "requests": done,
        "seconds": round(wall, 2),
        "throughput_rps": round(done / wall, 1) if wall else 0.0,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "long_requests": len(long_latencies),
        "long_p50_ms": percentile(long_latencies, 50),
        "long_p95_ms": percentile(long_latencies, 95),
        "health_polls": len(health_ms) + sum(health_failures.values()),
        "health_p50_ms": percentile(health_ms, 50),
        "health_p95_ms": percentile(health_ms, 95),
        "health_max_ms": round(max(health_ms), 1) if health_ms else None,
        "health_failures": dict(health_failures),
        "errors": errors,
        "statuses": dict(statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server on loopback; default: start one")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--time-limit", type=float, default=300, help="seconds per run")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--ask-only", action="store_true", help="only /api/ask with the dev questions")
    parser.add_argument("--long-share", type=float, default=0.05, help="share of 500-character questions")
    args = parser.parse_args()
    proc = None
    url = args.url
    if url is None:
        proc = start_server(free_port())
        url = f"http://127.0.0.1:{proc.args[-1]}"
    host = urlparse(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise SystemExit("only loopback targets are allowed")
    try:
        mix = requests_mix(args.requests, args.ask_only, args.long_share)
        results = [run(url, mix, c, args.time_limit) for c in args.concurrency]
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    kind = "/api/ask (dev questions)" if args.ask_only else "mixed /api/ask + /api/search"
    long = f", {args.long_share:.0%} of them 500-character questions" if not args.ask_only else ""
    print(f"{args.requests} {kind} requests per run{long}, against {url} (2-core machine)")
    print("latencies in ms; p50/p95/p99 of normal questions, long p95 of the 500-character ones, health p95/max")
    print("concurrency  requests  seconds  req/s    p50    p95    p99  long p95  health p95    max  errors")
    for r in results:
        print(
            f"{r['concurrency']:>11}  {r['requests']:>8}  {r['seconds']:>7}  {r['throughput_rps']:>5}  "
            f"{r['p50_ms']:>5}  {r['p95_ms']:>5}  {r['p99_ms']:>5}  {r['long_p95_ms']:>8}  "
            f"{r['health_p95_ms']:>10}  {r['health_max_ms']:>5}  {r['errors']:>6}   {r['statuses']}"
            + (f" health failures {r['health_failures']}" if r["health_failures"] else "")
        )


if __name__ == "__main__":
    main()
