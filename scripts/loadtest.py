"""Bounded load test against the real server on 127.0.0.1: prints throughput and latency percentiles.

    .venv/bin/python scripts/loadtest.py                     # starts `assistant serve` on a free port
    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:8000 --requests 2000 --concurrency 1 8 32

Requests are a fixed mix of /api/ask and /api/search built from the dev questions and variations (years,
departments, follow-ups, odd input). Each run stops by itself: a fixed request count and a time limit.
Only loopback addresses are accepted.
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


def requests_mix(n: int, only_ask: bool = False) -> list[tuple[str, dict]]:
    questions = [json.loads(line)["q"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    if only_ask:  # /api/ask over the dev questions alone, as the ask target is stated
        return [("/api/ask", {"question": questions[i % len(questions)]}) for i in range(n)]
    questions += EXTRA
    out: list[tuple[str, dict]] = []
    for i in range(n):
        q = questions[i % len(questions)]
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


def run(url: str, mix: list[tuple[str, dict]], concurrency: int, time_limit: float) -> dict[str, object]:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    stop_at = time.time() + time_limit
    local = threading.local()

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
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            statuses[status] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, mix))
    wall = time.perf_counter() - started
    ms = sorted(x * 1000 for x in latencies)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, int(p / 100 * len(ms)))] if ms else float("nan")

    errors = sum(v for k, v in statuses.items() if not k.startswith("2"))
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "seconds": round(wall, 2),
        "throughput_rps": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(pct(50), 1),
        "p95_ms": round(pct(95), 1),
        "p99_ms": round(pct(99), 1),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        "errors": errors,
        "statuses": dict(statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server on loopback; default: start one")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--time-limit", type=float, default=300, help="seconds per run")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--ask-only", action="store_true", help="only /api/ask with the dev questions")
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
        mix = requests_mix(args.requests, args.ask_only)
        results = [run(url, mix, c, args.time_limit) for c in args.concurrency]
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    kind = "/api/ask (dev questions)" if args.ask_only else "mixed /api/ask + /api/search"
    print(f"{args.requests} {kind} requests per run against {url} (2-core machine)")
    print("concurrency  requests  seconds  req/s   p50 ms  p95 ms  p99 ms  errors")
    for r in results:
        print(
            f"{r['concurrency']:>11}  {r['requests']:>8}  {r['seconds']:>7}  {r['throughput_rps']:>5}  "
            f"{r['p50_ms']:>7}  {r['p95_ms']:>6}  {r['p99_ms']:>6}  {r['errors']:>6}   {r['statuses']}"
        )


if __name__ == "__main__":
    main()
