"""Hostile and odd input: each gets a 4xx with a clear message or a normal answer — never a 500 or a trace.

Run with `-s` to print the table of inputs and statuses (it goes into the hardening note).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.service import Assistant

MB = 1024 * 1024


def _json(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


# (name, method, path, body bytes or None, expected status)
CASES: list[tuple[str, str, str, bytes | None, int]] = [
    ("empty question", "POST", "/api/ask", _json({"question": ""}), 422),
    ("whitespace-only question", "POST", "/api/ask", _json({"question": " \u3000\n\t"}), 422),
    ("1 MB body", "POST", "/api/ask", b'{"question": "' + b"a" * MB + b'"}', 413),
    ("100,000-character question", "POST", "/api/ask", _json({"question": "防" * 100_000}), 413),
    ("10,000-character question (under the body limit)", "POST", "/api/ask", _json({"question": "防" * 10_000}), 422),
    (
        "NUL and control characters (escaped)",
        "POST",
        "/api/ask",
        _json({"question": "防犯\u0000カメラ\u0007\u001b"}),
        200,
    ),
    ("raw control character in JSON", "POST", "/api/ask", b'{"question": "\x00\x01"}', 400),
    ("invalid UTF-8 bytes", "POST", "/api/ask", b'{"question": "\xff\xfe\xfa"}', 400),
    ("lone surrogate escape", "POST", "/api/ask", b'{"question": "\\ud800\\u9632\\u72af"}', 422),
    ("surrogate pair plus a lone one", "POST", "/api/ask", b'{"question": "\\ud800\\udfff\\ud83d"}', 422),
    ("zero-width characters only", "POST", "/api/ask", _json({"question": "\u200b\ufeff\u2060"}), 422),
    (
        "lone surrogate in history",
        "POST",
        "/api/ask",
        b'{"question": "x", "history": [{"role": "user", "content": "\\ud800"}]}',
        422,
    ),
    ("emoji", "POST", "/api/ask", _json({"question": "🚓🚨 防犯パトロール👮"}), 200),
    ("half-width kana", "POST", "/api/ask", _json({"question": "ﾎﾞｳﾊﾝｶﾒﾗ"}), 200),
    ("full-width digits in a year", "POST", "/api/ask", _json({"question": "令和５年度のパトロール回数"}), 200),
    (
        "HTML/script in the question",
        "POST",
        "/api/ask",
        _json({"question": "<script>alert(1)</script><img src=x onerror=alert(1)>"}),
        200,
    ),
    ("question as a number", "POST", "/api/ask", _json({"question": 5}), 422),
    ("question as null", "POST", "/api/ask", _json({"question": None}), 422),
    ("body as a JSON array", "POST", "/api/ask", _json(["防犯"]), 422),
    ("body as a JSON string", "POST", "/api/ask", _json("防犯"), 422),
    ("unknown field", "POST", "/api/ask", _json({"question": "防犯", "admin": True}), 422),
    (
        "history with a bad role",
        "POST",
        "/api/ask",
        _json({"question": "防犯", "history": [{"role": "system", "content": "x"}]}),
        422,
    ),
    ("filters as a string", "POST", "/api/ask", _json({"question": "防犯", "filters": "2023"}), 422),
    ("unknown year filter", "POST", "/api/ask", _json({"question": "防犯", "filters": {"years": [1999]}}), 422),
    (
        "unknown department filter",
        "POST",
        "/api/ask",
        _json({"question": "防犯", "filters": {"departments": ["<b>課</b>"]}}),
        422,
    ),
    ("negative top_k", "POST", "/api/search", _json({"question": "防犯", "top_k": -5}), 422),
    ("huge top_k", "POST", "/api/search", _json({"question": "防犯", "top_k": 10**12}), 422),
    ("top_k as a float", "POST", "/api/search", _json({"question": "防犯", "top_k": 2.5}), 422),
    ("no content type", "POST", "/api/ask", b"question=x", 422),
    ("GET on a POST endpoint", "GET", "/api/ask", None, 405),
    ("path traversal, encoded", "GET", "/static/..%2f..%2fetc/passwd", None, 404),
    ("path traversal at the root", "GET", "/..%2f..%2fetc/passwd", None, 404),
    ("path traversal, double-encoded", "GET", "/static/%252e%252e/%252e%252e/etc/passwd", None, 404),
    ("unknown measure id with markup", "GET", "/api/measures/<script>", None, 404),
    ("export with an unknown format", "GET", "/api/export?format=xlsx", None, 422),
    ("export with a non-numeric year", "GET", "/api/export?years=R5", None, 422),
]


@pytest.fixture(scope="module")
def client(assistant: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(assistant.settings, assistant), raise_server_exceptions=False) as c:
        yield c


def test_chunked_body_cannot_get_around_the_size_limit(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        yield b"a" * (2 * 1024 * 1024)
        yield b'"}'

    r = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code in (411, 413) and r.json()["error"]["message"]


@pytest.mark.parametrize(("name", "method", "path", "body", "status"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input(client: TestClient, name: str, method: str, path: str, body: bytes | None, status: int) -> None:
    headers = {"content-type": "application/json"} if body is not None and name != "no content type" else {}
    r = client.request(method, path, content=body, headers=headers)
    print(f"{name}\t{method} {path[:40]}\t{r.status_code}")
    assert r.status_code == status, r.text[:300]
    assert r.status_code < 500
    assert "Traceback" not in r.text and 'File "' not in r.text
    assert "root:" not in r.text
    if r.status_code >= 400:
        error = r.json()["error"]
        assert error["message"] and error["code"]
    if r.headers.get("content-type", "").startswith("application/json") and r.status_code == 200:
        assert isinstance(r.json(), dict)
