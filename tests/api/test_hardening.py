"""Issue 17 (Hardening III), through FastAPI's test client: invalid Unicode in any field (422, before any encode),
unexpected errors logged once per kind a minute, a full feedback disk (503 with its code), invisible characters,
the strict contract (integers and booleans as the schema says), paths kept out of /api/health, the per-client
limit on wrong staff tokens."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.deps import get_assistant
from assistant.api.throttle import LogThrottle
from assistant.config import Settings
from assistant.feedback.postgres import PostgresStore
from assistant.feedback.store import StoreFull
from assistant.service import Assistant

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "staff-token-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"content-type": "application/json"}


def settings_for(tmp_path: Path, assistant: Assistant, **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        data_dir=ROOT / "data",
        index_dir=assistant.settings.index_dir,
        embedder="fake",
        staff_token=TOKEN,
        feedback_rate_burst=10_000,
        feedback_db=tmp_path / "feedback.sqlite",
        feedback_url=None,
    )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def client(tmp_path: Path, assistant: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(tmp_path, assistant), assistant), raise_server_exceptions=False) as c:
        yield c


# ---- item 4: invalid Unicode anywhere is a 422 naming the field, never a 500 --------------------------------

SURROGATES = [
    ("/api/ask", b'{"question": "\\ud800\\u9632\\u72af"}', "question"),
    ("/api/ask", b'{"question": "x", "history": [{"role": "user", "content": "\\ud800"}]}', "history.0.content"),
    ("/api/ask", b'{"question": "\\u9632\\u72af", "filters": {"departments": ["\\ud800"]}}', "filters.departments"),
    ("/api/ask", b'{"question": "\\u9632\\u72af", "filters": {"measure_ids": ["m-\\udfff"]}}', "filters.measure_ids"),
    ("/api/search", b'{"question": "\\u9632\\u72af\\ud83d"}', "question"),
    (
        "/api/feedback",
        b'{"question": "q", "coverage": "none", "rating": "helpful", "comment": "\\udc00"}',
        "comment",
    ),
    (
        "/api/feedback",
        b'{"question": "q", "coverage": "none", "rating": "helpful", "measure_ids": ["\\ud800"]}',
        "measure_ids",
    ),
]


@pytest.mark.parametrize(("path", "body", "field"), SURROGATES, ids=[s[2] for s in SURROGATES])
def test_a_lone_surrogate_in_any_text_field_is_a_422(client: TestClient, path: str, body: bytes, field: str) -> None:
    r = client.post(path, content=body, headers=JSON)
    assert r.status_code == 422, r.text[:300]
    error = r.json()["error"]
    assert error["code"] == "invalid_request" and error["field"].startswith(field)
    assert "surrogate" in error["detail"] or "unicode" in error["detail"]


def test_a_surrogate_pair_is_valid_unicode(client: TestClient) -> None:
    r = client.post("/api/ask", content=b'{"question": "\\ud83d\\ude93 \\u9632\\u72af"}', headers=JSON)
    assert r.status_code == 200, r.text[:300]


def test_an_unexpected_error_is_logged_once_a_minute_with_a_count(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> Assistant:
        raise RuntimeError("boom")

    client.app.dependency_overrides[get_assistant] = broken  # type: ignore[attr-defined]
    with caplog.at_level(logging.ERROR, logger="assistant.api"):
        statuses = {client.post("/api/ask", json={"question": "防犯"}).status_code for _ in range(30)}
    assert statuses == {500}
    lines = [r for r in caplog.records if "unhandled error" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is not None
    assert "RuntimeError POST /api/ask" in lines[0].getMessage()


def test_the_throttle_counts_what_it_leaves_out() -> None:
    now = [0.0]
    throttle = LogThrottle(interval=60, max_kinds=2, clock=lambda: now[0])
    assert throttle.admit("a") == 0
    assert [throttle.admit("a") for _ in range(5)] == [None] * 5
    now[0] = 61.0
    assert throttle.admit("a") == 5  # the next line says 5 were left out
    throttle.admit("b"), throttle.admit("c")
    assert len(throttle._kinds) == 2  # bounded: the oldest kind is forgotten


# ---- item 6: a full feedback disk is a 503 with its own code; chat keeps working ------------------------------


def test_a_full_sqlite_disk_is_a_503_and_one_log_line(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    store = client.app.state.feedback_store  # type: ignore[attr-defined]
    (pages,) = store._conn.execute("PRAGMA page_count").fetchone()
    store._conn.execute(f"PRAGMA max_page_count = {pages}")  # what SQLite answers on a full disk: SQLITE_FULL
    body = {"question": "防犯カメラ", "coverage": "direct", "rating": "helpful", "comment": "あ" * 400}
    with caplog.at_level(logging.ERROR, logger="assistant.feedback"):
        for _ in range(200):  # the free pages of the file fill first
            if client.post("/api/feedback", json=body).status_code != 201:
                break
        responses = [client.post("/api/feedback", json=body) for _ in range(20)]
    assert {r.status_code for r in responses} == {503}
    error = responses[0].json()["error"]
    assert error["code"] == "feedback_storage_full" and error["message"]
    assert "sqlite" not in responses[0].text and "Traceback" not in responses[0].text
    assert len([r for r in caplog.records if "full" in r.getMessage()]) == 1
    assert client.post("/api/ask", json={"question": "防犯カメラ"}).status_code == 200
    store._conn.execute("PRAGMA max_page_count = 1073741823")  # room again: the next press is stored
    assert client.post("/api/feedback", json=body).status_code == 201


def test_postgres_disk_full_is_store_full() -> None:
    @contextmanager
    def connection() -> Iterator[object]:
        yield object()

    fake = SimpleNamespace(_pool=SimpleNamespace(connection=connection), _label="postgresql://db")
    with pytest.raises(StoreFull), PostgresStore._connection(fake):  # type: ignore[arg-type]
        raise psycopg.errors.DiskFull("could not extend file: No space left on device")


def test_sqlite_enospc_is_store_full(tmp_path: Path) -> None:
    from assistant.feedback.sqlite import _full_as_store_full

    with pytest.raises(StoreFull), _full_as_store_full(tmp_path):
        raise sqlite3.OperationalError("database or disk is full")
    with pytest.raises(StoreFull), _full_as_store_full(tmp_path):
        raise OSError(28, "No space left on device")
    with pytest.raises(sqlite3.OperationalError), _full_as_store_full(tmp_path):
        raise sqlite3.OperationalError("database is locked")


# ---- item 7: invisible characters do not split words ----------------------------------------------------------


def test_a_zero_width_space_does_not_split_a_word(client: TestClient) -> None:
    plain = client.post("/api/ask", json={"question": "防犯カメラの台数は？"}).json()
    split = client.post("/api/ask", json={"question": "防犯カ\u200bメラ\u2060の台\ufeff数は\u00ad？\u202e"}).json()
    assert split["lead"] == plain["lead"] and "メラ" not in split["absent_terms"]
    assert [c["bullet_ids"] for c in split["citations"]] == [c["bullet_ids"] for c in plain["citations"]]


@pytest.mark.parametrize("path", ["/api/ask", "/api/search"])
def test_a_question_of_invisible_characters_only_is_empty(client: TestClient, path: str) -> None:
    r = client.post(path, json={"question": "\u200b\u200c\u200d\u2060\ufeff \u00ad\u202a\u2066\u200e"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "empty_question"


def test_a_feedback_question_of_invisible_characters_only_is_empty(client: TestClient) -> None:
    r = client.post("/api/feedback", json={"question": "\u200b\ufeff", "coverage": "none", "rating": "helpful"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "empty_question"


# ---- item 12: the schema and the behaviour agree --------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"question": "防犯", "top_k": True},
        {"question": "防犯", "top_k": "5"},
        {"question": "防犯", "top_k": 5.0},
        {"question": "防犯", "filters": {"years": ["2023"]}},
        {"question": "防犯", "filters": {"sections": [True]}},
    ],
    ids=["top_k true", "top_k string", "top_k float", "years string", "sections bool"],
)
def test_integers_are_not_coerced(client: TestClient, body: dict) -> None:
    r = client.post("/api/search", json=body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", r.text[:300]


def test_a_real_integer_is_accepted(client: TestClient) -> None:
    assert client.post("/api/search", json={"question": "防犯", "top_k": 5}).status_code == 200


@pytest.mark.parametrize(
    "query", ["until=0", "since=20260101", "until=1700000000", "handled=0", "handled=yes", "unanswered=1"]
)
def test_staff_filters_take_only_what_the_schema_says(client: TestClient, query: str) -> None:
    r = client.get(f"/api/staff/feedback?{query}", headers=AUTH)
    assert r.status_code == 422, r.text[:300]


@pytest.mark.parametrize("query", ["until=2026-01-31", "handled=false", "unanswered=true"])
def test_staff_filters_in_the_schema_form_are_accepted(client: TestClient, query: str) -> None:
    assert client.get(f"/api/staff/feedback?{query}", headers=AUTH).status_code == 200


def test_handled_must_be_a_boolean(client: TestClient) -> None:
    body = {"question": "防犯カメラ", "coverage": "direct", "rating": "helpful"}
    item = client.post("/api/feedback", json=body).json()["id"]
    r = client.post(f"/api/staff/feedback/{item}/handled", json={"handled": 0}, headers=AUTH)
    assert r.status_code == 422
    assert client.post(f"/api/staff/feedback/{item}/handled", json={"handled": True}, headers=AUTH).status_code == 200


def test_the_schema_says_a_question_needs_a_visible_character(client: TestClient) -> None:
    import re

    doc = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("AskRequest", "SearchRequest", "FeedbackIn"):
        pattern = doc[name]["properties"]["question"]["pattern"]
        assert re.search(pattern, "防犯") and not re.search(pattern, " \u3000\u200b\ufeff\t")
    item = doc["FeedbackIn"]["properties"]["measure_ids"]["items"]
    assert item["minLength"] == 1  # so measure_ids: [""] is refused as the schema says
    r = client.post(
        "/api/feedback", json={"question": "防犯", "coverage": "none", "rating": "helpful", "measure_ids": [""]}
    )
    assert r.status_code == 422


# ---- item 9: health and 503s say why without the server's paths ------------------------------------------------


def test_health_and_503_show_a_reason_code_not_a_path(tmp_path: Path) -> None:
    secret = tmp_path / "srv-secret-place"
    settings = Settings(data_dir=secret / "data", index_dir=secret / "index", embedder="fake", feedback=False)
    with TestClient(create_app(settings, build=False)) as c:
        for _ in range(200):
            health = c.get("/api/health")
            if health.json()["status"] == "error":
                break
            time.sleep(0.05)
        body = health.json()
        assert health.status_code == 503 and body["error"].startswith("index_invalid: ")
        asked = c.post("/api/ask", json={"question": "防犯"})
        assert asked.status_code == 503 and asked.json()["error"]["detail"].startswith("index_invalid: ")
        for text in (health.text, asked.text):
            assert "srv-secret-place" not in text and str(tmp_path) not in text


def test_health_data_error_has_no_path(tmp_path: Path, assistant: Assistant) -> None:
    damaged = replace(assistant, data_error=f"{tmp_path}/srv-secret/data/koganei_r7.txt:12: no section heading")
    with TestClient(create_app(settings_for(tmp_path, assistant), damaged)) as c:
        error = c.get("/api/health").json()["data_error"]
    assert error == "data_error: koganei_r7.txt:12: no section heading"


def test_without_paths_keeps_file_names() -> None:
    from assistant.api.reasons import without_paths

    text = "/srv/app/index/builds/2999-damaged/vectors.faiss: unreadable (/var/x/y.sqlite)"
    assert without_paths(text) == "vectors.faiss: unreadable (y.sqlite)"


# ---- item 11: wrong staff tokens are limited per client --------------------------------------------------------


def test_wrong_staff_tokens_get_429_after_the_limit(tmp_path: Path, assistant: Assistant) -> None:
    settings = settings_for(tmp_path, assistant, staff_auth_failures_per_minute=5)
    with TestClient(create_app(settings, assistant)) as c:
        wrong = {"Authorization": "Bearer wrong-token-0123456789abcdef"}
        statuses = [c.get("/api/staff/stats", headers=wrong).status_code for _ in range(8)]
        assert statuses == [401] * 5 + [429] * 3
        refused = c.get("/api/staff/stats", headers=AUTH)  # even the right token, until the minute has passed
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["error"]["code"] == "staff_rate_limited"
        assert TOKEN not in refused.text and "wrong-token" not in refused.text
        limiter = c.app.state.staff_failures  # type: ignore[attr-defined]
        limiter._buckets.clear()  # a minute later
        assert c.get("/api/staff/stats", headers=AUTH).status_code == 200


def test_the_right_token_is_never_counted(tmp_path: Path, assistant: Assistant) -> None:
    settings = settings_for(tmp_path, assistant, staff_auth_failures_per_minute=2)
    with TestClient(create_app(settings, assistant)) as c:
        assert {c.get("/api/staff/stats", headers=AUTH).status_code for _ in range(20)} == {200}


def test_failure_buckets_are_bounded() -> None:
    from assistant.feedback.ratelimit import RateLimiter

    limiter = RateLimiter(10, 10, max_clients=100)
    for i in range(10_000):
        limiter.acquire(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter) == 100


# ---- item 8: the lead's citation markers as structured spans ---------------------------------------------------


def test_lead_spans_rebuild_the_lead_and_mark_every_citation(client: TestClient) -> None:
    for question in ("三幸公園の防犯カメラは何台？", "パトロールの回数の推移は？", "高齢者の詐欺対策は？"):
        body = client.post("/api/ask", json={"question": question}).json()
        spans = body["lead_spans"]
        assert "".join(s["text"] for s in spans) == body["lead"]
        numbers = {c["number"] for c in body["citations"]}
        marked = [s for s in spans if s["citation"] is not None]
        assert all(s["text"] == f"[{s['citation']}]" and s["citation"] in numbers for s in marked)
        assert body["lead"].count("[") == len(marked), body["lead"]  # every marker of a real lead is a citation


def test_a_typed_marker_in_the_lead_is_text() -> None:
    from assistant.api.spans import lead_spans

    lead = "報告書には「[7]通報」に関する記載はありません。防犯カメラは13台です[1]。"
    spans = lead_spans(lead, [1, 7], ["[7]通報"])
    assert [s.citation for s in spans if s.citation is not None] == [1]
    assert "".join(s.text for s in spans) == lead
    assert [s.citation for s in lead_spans("これは[3]です[1]。", [1])] == [None, 1, None]  # 3 is no citation
