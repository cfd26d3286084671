"""`assistant serve` as a process the test controls (SIGHUP, SIGKILL, restart on the same port), for the hot-swap
and replica tests. tests/served.py is the context manager for tests that only need an origin."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from served import START_TIMEOUT

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Replica:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)


def ready(origin: str) -> bool:
    try:
        return httpx.get(f"{origin}/api/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def start_replica(env: dict[str, str], log: Path, port: int, *args: str) -> Replica:
    """Start `assistant serve --port PORT ARGS` and wait until /api/health is 200."""
    cmd = [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    with log.open("a", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    replica = Replica(proc, port, log)
    deadline = time.monotonic() + START_TIMEOUT
    while not ready(replica.origin):
        if proc.poll() is not None or time.monotonic() > deadline:
            replica.stop()
            raise AssertionError(f"replica on {port} not up:\n{log.read_text(encoding='utf-8')[-3000:]}")
        time.sleep(0.1)
    return replica
