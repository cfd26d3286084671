"""The real server process: no version banner, request logs without the question, graceful shutdown."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "秘密の相談内容についての質問"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_served_process_headers_logs_and_graceful_shutdown(data_copy: Path, tmp_path: Path) -> None:
    port = _free_port()
    env = os.environ.copy()
    env.update(
        ASSISTANT_DATA_DIR=str(data_copy), ASSISTANT_INDEX_DIR=str(tmp_path / "index"), ASSISTANT_EMBEDDER="fake"
    )
    log = tmp_path / "server.log"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            statuses = []
            deadline = time.time() + 120
            while time.time() < deadline:
                try:
                    statuses.append(httpx.get(f"{base}/api/health", timeout=2).status_code)
                    if statuses[-1] == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
            assert statuses and statuses[-1] == 200, statuses
            assert set(statuses) <= {200, 503}

            r = httpx.post(f"{base}/api/ask", json={"question": SECRET}, timeout=30)
            assert r.status_code == 200
            assert "server" not in r.headers, "no server banner"
            bad = httpx.post(f"{base}/api/ask", content=b"{", headers={"content-type": "application/json"}, timeout=10)
            assert bad.status_code == 400 and "server" not in bad.headers
            assert "uvicorn" not in bad.text.lower() and "python" not in bad.text.lower()
            missing = httpx.get(f"{base}/nothing", timeout=10)
            assert missing.status_code == 404 and "server" not in missing.headers
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(30)
    text = log.read_text(encoding="utf-8")
    # uvicorn finishes its graceful shutdown, then re-raises SIGTERM so the exit status tells how it ended.
    assert code in (0, -signal.SIGTERM), text[-2000:]
    assert "Application shutdown complete" in text
    assert "request method=POST path=/api/ask status=200 duration_ms=" in text
    assert SECRET not in text, "the question itself is never logged"
    assert "Shutting down" in text or "Finished server process" in text
