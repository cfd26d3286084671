"""The body limit against the real server (uvicorn + h11), with raw sockets: what a client can really send."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest
from served import serve_env, served

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory, build) -> Iterator[str]:
    from conftest import DATA_DIR

    tmp = tmp_path_factory.mktemp("served")
    build(DATA_DIR, tmp / "index")
    with served(serve_env(DATA_DIR, tmp / "index"), tmp / "server.log") as o:
        yield o


def _exchange(origin: str, head: str, body_parts: list[bytes]) -> tuple[int, dict, int]:
    """Send a request head and as many body parts as the server takes; (status, error, bytes it took)."""
    host, port = origin.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
        try:
            for part in body_parts:
                s.sendall(part)
                sent += len(part)
        except OSError:  # the server answered and closed without reading the rest: that is the point
            pass
        data = b""
        while chunk := s.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data and data.rstrip().endswith(b"}"):
                break
    status = int(data.split(b" ", 2)[1])
    body = data.split(b"\r\n\r\n", 1)[1]
    return status, json.loads(body)["error"], sent


def _chunked(payload: bytes, size: int = 16_384) -> list[bytes]:
    parts = [
        f"{len(payload[i : i + size]):x}\r\n".encode() + payload[i : i + size] + b"\r\n"
        for i in range(0, len(payload), size)
    ]
    return [*parts, b"0\r\n\r\n"]


BIG = b'{"question": "x", "history": [' + b"{}," * 3_000_000 + b"{}]}"  # 9 MB, the reproduction


def test_chunked_with_a_small_content_length_is_refused(origin: str) -> None:
    head = "POST /api/ask HTTP/1.1\nHost: x\nContent-Type: application/json\nTransfer-Encoding: chunked\n"
    head += "Content-Length: 10\n"
    status, error, _ = _exchange(origin, head, _chunked(BIG))
    assert (status, error["code"]) == (400, "conflicting_framing")


def test_chunked_body_over_the_limit_is_cut_off(origin: str) -> None:
    head = "POST /api/ask HTTP/1.1\nHost: x\nContent-Type: application/json\nTransfer-Encoding: chunked\n"
    status, error, _ = _exchange(origin, head, _chunked(BIG))
    assert (status, error["code"]) == (413, "too_large")


def test_a_small_chunked_question_is_answered(origin: str) -> None:
    head = "POST /api/search HTTP/1.1\nHost: x\nContent-Type: application/json\nTransfer-Encoding: chunked\n"
    head += "Connection: close\n"
    payload = json.dumps({"question": "防犯カメラ"}, ensure_ascii=False).encode()
    host, port = origin.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + b"".join(_chunked(payload, 7)))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data[:300]
    assert json.loads(data.split(b"\r\n\r\n", 1)[1])["hits"]


def test_the_served_process_still_answers_after_the_refusals(origin: str) -> None:
    r = httpx.post(f"{origin}/api/ask", json={"question": "高齢者の詐欺対策は？"}, timeout=30)
    assert r.status_code == 200 and r.json()["citations"]
