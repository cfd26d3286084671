"""The real server (`assistant serve`) on the two issue-17 items only a real process shows: X-Forwarded-For is
trusted only from a proxy ASSISTANT_FORWARDED_ALLOW_IPS names, and connections are limited below the open-file
limit (ASSISTANT_MAX_CONNECTIONS, prlimit) with the refusals logged at most once a minute, not once each."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest
from served import serve_env, served

pytestmark = pytest.mark.slow

FEEDBACK = {"question": "防犯カメラ", "coverage": "direct", "rating": "helpful"}


def _env(tmp: Path, build, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from conftest import DATA_DIR

    if not (tmp / "index").exists():
        build(DATA_DIR, tmp / "index")
    env = serve_env(DATA_DIR, tmp / "index")
    env.update(ASSISTANT_FEEDBACK_DB=str(tmp / "feedback.sqlite"), ASSISTANT_FEEDBACK_RATE_BURST="3", **extra)
    return env


def _distinct_forwarded_for(origin: str) -> list[int]:
    return [
        httpx.post(f"{origin}/api/feedback", json=FEEDBACK, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
        for i in range(1, 21)
    ]


def test_x_forwarded_for_is_not_trusted_from_loopback_by_default(tmp_path: Path, build) -> None:  # type: ignore[no-untyped-def]
    with served(_env(tmp_path, build), tmp_path / "server.log") as origin:
        statuses = _distinct_forwarded_for(origin)
    assert statuses[:3] == [201] * 3 and set(statuses[3:]) == {429}, statuses  # one client: the peer


def test_x_forwarded_for_is_trusted_from_a_named_proxy(tmp_path: Path, build) -> None:  # type: ignore[no-untyped-def]
    env = _env(tmp_path, build, ASSISTANT_FORWARDED_ALLOW_IPS="127.0.0.1")
    with served(env, tmp_path / "server.log") as origin:
        statuses = _distinct_forwarded_for(origin)
    assert set(statuses) == {201}, statuses  # 20 clients behind the proxy, each with its own bucket


def test_connections_are_limited_below_the_file_limit(tmp_path: Path, build) -> None:  # type: ignore[no-untyped-def]
    # 400 descriptors for the process, ASSISTANT_MAX_CONNECTIONS asks for more: the server uses 400 - 128.
    env = _env(tmp_path, build, ASSISTANT_MAX_CONNECTIONS="5000", ASSISTANT_HEADER_TIMEOUT_SECONDS="5")
    log = tmp_path / "server.log"
    with served(env, log, ("prlimit", "--nofile=400:400")) as origin:
        host, port = origin.removeprefix("http://").split(":")
        held: list[socket.socket] = []
        try:
            for _ in range(600):  # more than the descriptors: half-sent requests, as a slowloris sends
                s = socket.create_connection((host, int(port)), timeout=10)
                s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
                held.append(s)
            time.sleep(1.0)
            busy = httpx.get(f"{origin}/api/health", timeout=10)
            assert busy.status_code == 503, busy.text[:200]  # refused at once, not hung, not a crash
        finally:
            for s in held:
                s.close()
        time.sleep(1.0)
        assert httpx.get(f"{origin}/api/health", timeout=10).status_code == 200
    text = log.read_text(encoding="utf-8")
    assert "using 272" in text  # the limit the file limit allows
    assert text.count("Traceback") <= 2 and text.count("accept") <= 4, text[-2000:]
