"""Feedback and the staff review through FastAPI's test client: what is stored (and what is not), the limits,
the staff token, the 「回答できなかった質問」 list, the exports; and the store and rate limiter on their own.
Every test that touches a store runs on both, SQLite and PostgreSQL (``feedback_backend``, tests/conftest.py)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from feedback_backends import Backend
from pgserver import PostgresServer

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.feedback.export import safe_cell, to_csv
from assistant.feedback.ratelimit import RateLimiter
from assistant.feedback.store import (
    JST,
    SCHEMA_VERSION,
    Coverage,
    DailyCapReached,
    FeedbackQuery,
    FeedbackStore,
    NewFeedback,
    Rating,
    StoreError,
    StoreUnavailable,
)
from assistant.service import Assistant

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "staff-token-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"

MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(assistant: Assistant, feedback_backend: Backend) -> Iterator[MakeClient]:
    """``make_client(**settings)``: the app over the shared index with its own feedback store (a file in
    tmp_path, or a new PostgreSQL database)."""
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        values: dict[str, object] = dict(
            data_dir=ROOT / "data",
            index_dir=assistant.settings.index_dir,
            embedder="fake",
            staff_token=TOKEN,
            feedback_rate_burst=10_000,
            staff_auth_failures_per_minute=10_000,  # these tests send many wrong tokens; the limit: test_hardening
            **feedback_backend.settings(),
        )
        values.update(overrides)
        client = TestClient(create_app(Settings(**values), assistant))  # type: ignore[arg-type]
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


def _answer(client: TestClient, question: str) -> dict:
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 200, r.text
    return r.json()


def _feedback_from(answer: dict, rating: str = "not_helpful", comment: str = "") -> dict:
    """The body web/feedback.js sends for an answer."""
    cites = answer["citations"]
    return {
        "question": answer["question"],
        "resolved_question": answer["resolved_question"],
        "coverage": answer.get("coverage") or ("direct" if answer["found"] else "out_of_scope"),
        "rating": rating,
        "comment": comment,
        "bullet_ids": sorted({i for c in cites for i in c["bullet_ids"]}),
        "measure_ids": sorted({c["measure_id"] for c in cites}),
    }


def _post(client: TestClient, **fields: object) -> object:
    body = {"question": "高齢者の詐欺対策は？", "coverage": "direct", "rating": "helpful", **fields}
    return client.post("/api/feedback", json=body)


# ---- storing ------------------------------------------------------------------------------------------


def test_feedback_is_stored_with_only_what_was_sent(client: TestClient, feedback_backend: Backend) -> None:
    answer = _answer(client, "高齢者の詐欺対策は？")
    assert answer["found"] and all(c["bullet_ids"] for c in answer["citations"])
    body = _feedback_from(answer, comment=SCRIPT)
    r = client.post("/api/feedback", json=body, headers={"User-Agent": "agent-XYZ", "Cookie": "session=COOKIE-XYZ"})
    assert r.status_code == 201, r.text
    assert r.json()["message"] == "ご意見ありがとうございました。回答の改善に役立てます。"

    columns, dump = feedback_backend.columns(), feedback_backend.dump()
    if feedback_backend.path is not None:
        assert feedback_backend.query("PRAGMA journal_mode")[0][0] == "wal"
        assert feedback_backend.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        assert feedback_backend.path.read_bytes().find(b"agent-XYZ") == -1
    else:
        assert feedback_backend.query("SELECT version FROM feedback_schema") == [(SCHEMA_VERSION,)]
    assert columns == [
        "id", "created_at", "day", "question", "resolved_question", "coverage", "rating", "comment",
        "bullet_ids", "index_build", "handled_at", "handled_note",
    ]  # fmt: skip
    # the test client's address, the user agent and the cookie are nowhere in the file
    assert body["question"] in dump, "the dump holds the stored row"
    for absent in ("testclient", "127.0.0.1", "agent-XYZ", "COOKIE-XYZ"):
        assert absent not in dump

    item = client.get("/api/staff/feedback", headers=AUTH).json()["items"][0]
    assert item["comment"] == SCRIPT, "stored verbatim: escaping is the page's job"
    assert item["question"] == "高齢者の詐欺対策は？" and item["coverage"] == "direct"
    assert item["measure_ids"] == body["measure_ids"] and item["bullet_ids"] == body["bullet_ids"]
    assert item["index_build"] and item["unanswered"] and not item["handled"]


def test_nothing_is_stored_by_asking(client: TestClient, tmp_path: Path) -> None:
    _answer(client, "高齢者の詐欺対策は？")
    client.get("/api/options")
    assert client.get("/api/staff/stats", headers=AUTH).json()["total"] == 0


def test_options_announce_feedback_and_off_turns_it_off(make_client: MakeClient, tmp_path: Path) -> None:
    on = make_client().get("/api/options").json()["feedback"]
    assert on["enabled"] and on["max_comment_chars"] == 500 and "IPアドレス" in on["notice"]

    off = make_client(feedback=False, staff_token=None, feedback_db=tmp_path / "off" / "f.sqlite")
    assert off.get("/api/options").json()["feedback"] == {"enabled": False, "max_comment_chars": 0, "notice": ""}
    r = _post(off)
    assert r.status_code == 404 and r.json()["error"]["message"]
    assert not (tmp_path / "off").exists(), "off opens no file"


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"question": ""}, 422, "empty_question"),
        ({"question": " \u3000"}, 422, "empty_question"),
        ({"question": "防" * 501}, 422, "question_too_long"),
        ({"resolved_question": "防" * 1002}, 422, "question_too_long"),
        ({"comment": "あ" * 501}, 422, "comment_too_long"),
        ({"rating": "maybe"}, 422, "invalid_request"),
        ({"coverage": "partial"}, 422, "invalid_request"),
        ({"measure_ids": ["no-such-measure"]}, 422, "unknown_id"),
        ({"bullet_ids": [10**6]}, 422, "unknown_id"),
        ({"bullet_ids": [-1]}, 422, "invalid_request"),
        ({"bullet_ids": list(range(51))}, 422, "invalid_request"),
        ({"ip": "1.2.3.4"}, 422, "invalid_request"),
    ],
)
def test_field_limits(client: TestClient, fields: dict, status: int, code: str) -> None:
    r = _post(client, **fields)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]


def test_body_limits_as_on_ask(client: TestClient) -> None:
    big = json.dumps({"question": "q", "coverage": "none", "rating": "helpful", "comment": "x" * 70_000})
    r = client.post("/api/feedback", content=big.encode("utf-8"), headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = client.post("/api/feedback", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 400
    escaped = {
        "question": "防犯\u0007カメラ",
        "coverage": "none",
        "rating": "helpful",
        "comment": "制御\u0000文字",
    }
    r = client.post(
        "/api/feedback", content=json.dumps(escaped).encode("ascii"), headers={"content-type": "application/json"}
    )
    assert r.status_code == 201
    surrogate = json.dumps({**escaped, "comment": "\ud800"}).encode("ascii")  # refused, never stored (issue 17)
    assert (
        client.post("/api/feedback", content=surrogate, headers={"content-type": "application/json"}).status_code == 422
    )
    item = client.get("/api/staff/feedback", headers=AUTH).json()["items"][0]
    assert item["comment"] == "制御 文字" and item["question"] == "防犯 カメラ"


def test_rate_limit_per_client(make_client: MakeClient) -> None:
    client = make_client(feedback_rate_burst=3, feedback_rate_per_minute=0.001)
    statuses = [_post(client).status_code for _ in range(3)]
    limited = _post(client)
    assert statuses == [201, 201, 201]
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert limited.json()["error"]["message"].startswith("短い時間に多くの送信")
    assert int(limited.headers["retry-after"]) > 0
    assert client.get("/api/staff/stats", headers=AUTH).json()["total"] == 3


def test_daily_cap_says_so(make_client: MakeClient) -> None:
    client = make_client(feedback_max_per_day=2)
    assert [_post(client).status_code for _ in range(2)] == [201, 201]
    r = _post(client)
    assert r.status_code == 429
    err = r.json()["error"]
    assert err["code"] == "daily_limit" and "上限" in err["message"] and "nothing was stored" in err["detail"]
    assert 0 < int(r.headers["retry-after"]) <= 86_400
    assert client.get("/api/staff/stats", headers=AUTH).json()["total"] == 2


def test_rate_limiter_memory_is_bounded() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, max_clients=100, clock=lambda: now[0])
    for i in range(10_000):
        limiter.acquire(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter) == 100
    assert limiter.acquire("a") == 0 and limiter.acquire("a") == 0
    assert limiter.acquire("a") == pytest.approx(1.0)  # one token per second at 60/min
    now[0] += 1.0
    assert limiter.acquire("a") == 0


# ---- staff: off, token, views -------------------------------------------------------------------------


STAFF_GETS = ["/staff/", "/staff/staff.js", "/staff/staff.css", "/api/staff/feedback", "/api/staff/stats",
              "/api/staff/export?format=csv", "/api/staff/export?format=json"]  # fmt: skip


@pytest.mark.parametrize("token", [None, "", "short-token"])
def test_staff_pages_do_not_exist_without_a_token(make_client: MakeClient, token: str | None) -> None:
    client = make_client(staff_token=token)
    for path in [*STAFF_GETS, "/static/staff/staff.js", "/static/staff/index.html"]:
        for headers in ({}, AUTH, {"Authorization": f"Bearer {token}"}):
            r = client.get(path, headers=headers)
            assert r.status_code == 404, (path, r.status_code)
    assert client.post("/api/staff/feedback/1/handled", json={}, headers=AUTH).status_code == 404
    assert "/api/staff" not in client.get("/").text


BAD_AUTH = [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer "},
    {"Authorization": TOKEN},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Bearer {TOKEN.upper()}"},
    {"Authorization": f"Bearer {TOKEN[:16]}"},
    {"Authorization": ("Bearer " + "é" * 16).encode("utf-8")},  # raw non-ASCII bytes
    {"Cookie": f"token={TOKEN}"},
]


def test_staff_api_needs_the_bearer_token(client: TestClient) -> None:
    assert client.get("/staff/").status_code == 200, "the page shell holds no data and asks for the token"
    for path in STAFF_GETS[3:]:
        for headers in BAD_AUTH:
            r = client.get(path, headers=headers)
            assert r.status_code == 401, (path, headers, r.status_code)  # type: ignore[arg-type]
            assert r.headers["www-authenticate"] == "Bearer"
            assert TOKEN not in r.text and TOKEN[:16] not in r.text
        assert client.get(f"{path}?token={TOKEN}").status_code == 401
        ok = client.get(path, headers=AUTH)
        assert ok.status_code == 200 and ok.headers["cache-control"] == "no-store"
    assert client.get("/api/staff/stats", headers={"Authorization": f"bearer  {TOKEN} "}).status_code == 200
    r = client.post("/api/staff/feedback/1/handled", json={"note": "x"})
    assert r.status_code == 401
    assert client.get("/static/staff/staff.js").status_code == 404, "staff files only through /staff/"


def test_staff_list_filters_counts_and_handled(client: TestClient) -> None:
    found = _answer(client, "高齢者の詐欺対策は？")
    away = _answer(client, "今日の天気は？")
    assert found["found"] and not away["found"]
    ids = [
        client.post("/api/feedback", json=_feedback_from(found, "helpful")).json()["id"],
        client.post("/api/feedback", json=_feedback_from(found, "not_helpful", "古い情報です")).json()["id"],
        client.post("/api/feedback", json=_feedback_from(away, "helpful")).json()["id"],
    ]
    page = client.get("/api/staff/feedback", headers=AUTH).json()
    assert page["total"] == 3 and [i["id"] for i in page["items"]] == ids[::-1], "newest first"

    unanswered = client.get("/api/staff/feedback?unanswered=true", headers=AUTH).json()
    assert [i["id"] for i in unanswered["items"]] == [ids[2], ids[1]]  # out of scope; rated いいえ
    assert client.get("/api/staff/feedback?rating=helpful", headers=AUTH).json()["total"] == 2
    assert client.get("/api/staff/feedback?coverage=out_of_scope", headers=AUTH).json()["total"] == 1
    measure = _feedback_from(found)["measure_ids"][0]
    assert client.get(f"/api/staff/feedback?measure_id={measure}", headers=AUTH).json()["total"] == 2
    today = datetime.now(JST).date()
    assert client.get(f"/api/staff/feedback?since={today}&until={today}", headers=AUTH).json()["total"] == 3
    assert client.get("/api/staff/feedback?until=2000-01-01", headers=AUTH).json()["total"] == 0
    assert client.get("/api/staff/feedback?since=yesterday", headers=AUTH).status_code == 422

    stats = client.get("/api/staff/stats", headers=AUTH).json()
    assert stats["total"] == 3 and stats["unanswered"] == 2 and stats["handled"] == 0
    assert stats["by_coverage"] == {"direct": 2, "related": 0, "none": 0, "out_of_scope": 1}
    assert stats["by_rating"] == {"helpful": 2, "not_helpful": 1}
    top = next(m for m in stats["by_measure"] if m["measure_id"] == measure)
    assert top["count"] == 2 and top["measure"]

    r = client.post(f"/api/staff/feedback/{ids[1]}/handled", json={"note": "類義語を追加"}, headers=AUTH)
    assert r.status_code == 200 and r.json()["handled"] and r.json()["handled_note"] == "類義語を追加"
    assert client.get("/api/staff/feedback?handled=false&unanswered=true", headers=AUTH).json()["total"] == 1
    assert client.get("/api/staff/stats", headers=AUTH).json()["handled"] == 1
    again = client.post(f"/api/staff/feedback/{ids[1]}/handled", json={"handled": False}, headers=AUTH).json()
    assert not again["handled"] and again["handled_at"] is None
    assert client.post("/api/staff/feedback/999/handled", json={}, headers=AUTH).status_code == 404
    assert client.post(f"/api/staff/feedback/{2**63}/handled", json={}, headers=AUTH).status_code == 422


FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "=1=1"]
# The API strips leading white space from what users send; tab and CR openings reach the CSV only from the
# store itself (staff notes, older rows), so they are written there directly.
RAW_FORMULAS = ["\tTAB", "\rCR", "\r\n=1"]


def test_csv_export_neutralises_formulas_and_json_keeps_text(client: TestClient) -> None:
    for text in FORMULAS:
        assert _post(client, comment=text, question=f"{text} 質問").status_code == 201
    store: FeedbackStore = client.app.state.feedback_store  # type: ignore[attr-defined]
    for text in RAW_FORMULAS:
        store.add(NewFeedback(text, text, Coverage.NONE, Rating.HELPFUL, text), max_per_day=100)
    assert _post(client, comment=SCRIPT).status_code == 201
    sent = [*FORMULAS, *RAW_FORMULAS]
    r = client.get("/api/staff/export?format=csv", headers=AUTH)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="feedback-' in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    comments = [row["comment"] for row in rows]
    assert comments[0] == SCRIPT
    assert comments[1:] == ["'" + t for t in reversed(sent)]
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert rows[-1]["question"] == '\'=HYPERLINK("http://x") 質問'

    j = client.get("/api/staff/export?format=json", headers=AUTH)
    assert j.headers["content-type"].startswith("application/json")
    items = json.loads(j.content.decode("utf-8"))["items"]
    assert [i["comment"] for i in items] == [SCRIPT, *reversed(sent)], "JSON keeps the text as sent"
    assert "\\u" not in j.text, "ensure_ascii=False"


def test_safe_cell() -> None:
    assert [safe_cell(v) for v in ("=1", "+", "-", "@", "\t", "\r", "a=1", "", None, 5, -5)] == [
        "'=1", "'+", "'-", "'@", "'\t", "'\r", "a=1", "", "", "5", "'-5",
    ]  # fmt: skip


# ---- the store on its own -----------------------------------------------------------------------------

ONE = NewFeedback("質問", "質問", Coverage.NONE, Rating.NOT_HELPFUL, "コメント", (1, 2), ("m1",))


def test_store_refuses_newer_or_foreign_files(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite"
    FeedbackStore.open(newer).close()
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        FeedbackStore.open(newer)
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a feedback store"):
        FeedbackStore.open(foreign)
    with pytest.raises(StoreError, match="no feedback"):
        FeedbackStore.open(tmp_path / "missing.sqlite", create=False)


def test_postgres_schema_is_versioned_and_migrated_once(postgres: PostgresServer) -> None:
    url = postgres.create_schema("migrate_once")
    with pytest.raises(StoreError, match="no feedback"):
        FeedbackStore.open(url, create=False)
    # two replicas starting at once: the advisory lock lets one create the schema, the other finds it
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: FeedbackStore.open(url), range(4)))
    assert postgres.psql("SELECT version FROM feedback_schema", "migrate_once") == [(SCHEMA_VERSION,)]
    stores[0].add(ONE, max_per_day=10)
    for store in stores:
        assert store.count() == 1
        store.close()
    postgres.psql(f"UPDATE feedback_schema SET version = {SCHEMA_VERSION + 1}", "migrate_once")
    with pytest.raises(StoreError, match="newer"):
        FeedbackStore.open(url)
    foreign = postgres.create_schema("foreign_tables")
    postgres.psql("CREATE TABLE t (x integer)", "foreign_tables")
    with pytest.raises(StoreError, match="not a feedback store"):
        FeedbackStore.open(foreign)
    assert postgres.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'foreign_tables'") == [("t",)]


def test_postgres_gone_is_a_503_and_the_chat_keeps_answering(postgres: PostgresServer, assistant: Assistant) -> None:
    with pytest.raises(StoreUnavailable):
        FeedbackStore.open(postgres.url(database="no_such_database"), timeout=1)
    url = postgres.create_database("dropped_later")
    settings = Settings(data_dir=ROOT / "data", index_dir=assistant.settings.index_dir, embedder="fake",
                        feedback_url=url, staff_token=TOKEN, feedback_pool_timeout_seconds=1)  # fmt: skip
    with TestClient(create_app(settings, assistant)) as client:
        assert _post(client).status_code == 201
        postgres.psql("DROP DATABASE dropped_later WITH (FORCE)")  # the server loses the database
        r = _post(client)
        assert r.status_code == 503 and r.json()["error"]["code"] == "feedback_unavailable", r.text
        assert "dropped_later" not in r.text and "host=" not in r.text, "no connection detail in the response"
        assert client.get("/api/staff/stats", headers=AUTH).status_code == 503
        assert client.post("/api/ask", json={"question": "高齢者の詐欺対策は？"}).status_code == 200


def test_a_restarted_postgres_costs_no_failed_press(postgres: PostgresServer) -> None:
    store = FeedbackStore.open(postgres.create_schema("restarted"), pool_size=2)
    try:
        assert store.add(ONE, max_per_day=10) == 1
        postgres.restart()  # every pooled connection is now dead
        assert store.add(ONE, max_per_day=10) == 2, "the pool checks a connection before handing it out"
        assert store.count() == 2
    finally:
        store.close()


def test_store_daily_cap_counts_the_jst_day(feedback_backend: Backend) -> None:
    store = FeedbackStore.open(feedback_backend.target)
    late = datetime(2025, 4, 1, 23, 59, tzinfo=JST)
    next_day_utc = datetime.fromisoformat("2025-04-01T15:00:00+00:00")  # 2025-04-02 00:00 JST
    assert store.add(ONE, max_per_day=1, when=late) == 1
    with pytest.raises(DailyCapReached):
        store.add(ONE, max_per_day=1, when=late)
    assert store.add(ONE, max_per_day=1, when=next_day_utc) == 2
    assert store.get(2).created_at == "2025-04-02T00:00:00+09:00"
    assert store.count(FeedbackQuery(since=late.date(), until=late.date())) == 1
    store.close()


def test_store_threads_lose_nothing(feedback_backend: Backend) -> None:
    store = FeedbackStore.open(feedback_backend.target)
    with ThreadPoolExecutor(32) as pool:
        ids = list(pool.map(lambda i: store.add(ONE, max_per_day=10**6), range(640)))
    assert sorted(ids) == list(range(1, 641))
    assert store.count() == 640 and store.stats().by_measure == [("m1", 640)]
    assert len(feedback_backend.rows()) == 640
    store.close()


def test_daily_cap_holds_across_stores_of_one_database(feedback_backend: Backend) -> None:
    """Two replicas are two stores on one database: 8 threads each race for a cap of 50, and exactly 50 win."""
    stores = [FeedbackStore.open(feedback_backend.target) for _ in range(2)]

    def press(i: int) -> bool:
        try:
            stores[i % 2].add(ONE, max_per_day=50)
        except DailyCapReached:
            return False
        return True

    with ThreadPoolExecutor(16) as pool:
        won = sum(pool.map(press, range(200)))
    assert won == 50 and len(feedback_backend.rows()) == 50
    for store in stores:
        store.close()


def test_csv_of_no_items_is_a_header() -> None:
    assert to_csv([]).decode("utf-8-sig").startswith("id,created_at,rating,coverage,question")
