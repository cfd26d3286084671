"""Start `assistant serve` as a real process on a free loopback port (fake embedder), for tests that need the real
HTTP server: raw sockets, another user's rights, a read-only index."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 120.0  # seconds; a hang guard for a fresh index build, not a speed assertion


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_env(data_dir: Path, index_dir: Path) -> dict[str, str]:
    env = os.environ.copy()
    env.update(ASSISTANT_DATA_DIR=str(data_dir), ASSISTANT_INDEX_DIR=str(index_dir), ASSISTANT_EMBEDDER="fake")
    return env


@contextmanager
def served(env: dict[str, str], log: Path, prefix: tuple[str, ...] = ()) -> Iterator[str]:
    """Yield the server's origin once /api/health has answered (any status); the caller checks which."""
    port = free_port()
    cmd = [*prefix, sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"server exited {proc.returncode}:\n{log.read_text(encoding='utf-8')[-3000:]}")
            try:
                if httpx.get(f"{origin}/api/health", timeout=5).json()["status"] != "starting":
                    break
            except (httpx.HTTPError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"server not up:\n{log.read_text(encoding='utf-8')[-3000:]}")
            time.sleep(0.1)
        yield origin
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(30)
