"""The HTTP API through FastAPI's test client: every endpoint, every error, the headers."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api import app as api_module
from assistant.api.app import create_app
from assistant.service import Assistant

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client(assistant: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(assistant.settings, assistant)) as c:
        yield c


def _error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()["error"]
    assert body["code"] == code
    assert body["message"] and all(ord(ch) < 0x10000 for ch in body["message"])
    assert "Traceback" not in r.text
    return body


# ---- happy paths -----------------------------------------------------------------------------------


def test_ask_answers_with_citations(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "高齢者の詐欺対策は？"})
    assert r.status_code == 200
    body = r.json()
    assert body["found"] and body["citations"] and body["groups"]
    c = body["citations"][0]
    for key in ("measure", "department", "fiscal_year", "fiscal_year_label", "status", "text", "section", "source"):
        assert c[key] not in (None, ""), key
    assert {"file", "line", "column"} <= set(c["source"])
    assert f"[{c['number']}]" in body["answer"]
    assert body["available_years"] == [2017, 2018, 2022, 2023, 2024]


def test_ask_follow_up_with_history(client: TestClient) -> None:
    history = [{"role": "user", "content": "CoCoパトロールの回数は？"}, {"role": "assistant", "content": "…"}]
    r = client.post("/api/ask", json={"question": "令和5年度は？", "history": history})
    body = r.json()
    assert r.status_code == 200 and body["filters"]["years"] == [2023]
    assert "CoCoパトロール" in body["resolved_question"]
    assert "203回" in body["answer"]


def test_ask_with_explicit_filters(client: TestClient) -> None:
    r = client.post(
        "/api/ask", json={"question": "パトロール", "filters": {"years": [2023], "departments": ["地域安全課"]}}
    )
    body = r.json()
    assert r.status_code == 200 and body["citations"]
    assert all(c["fiscal_year"] == 2023 for c in body["citations"])


def test_ask_trend_returns_a_series(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "CoCoパトロールの回数の推移は？"}).json()
    (series,) = body["series"]
    assert series["label"] == "パトロール回数" and series["unit"] == "回"
    assert [p["display"] for p in series["points"]] == ["589回", "472回", "403回", "203回"]
    assert [p["citation"] for p in series["points"]] == [1, 2, 3, 4]


def test_ask_back_choices_each_answer_with_their_measure(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "防犯カメラについて知りたい"}).json()
    assert len(body["choices"]) == 3 and body["suggestions"] == [] and body["contact"] is None
    numbers = {c["number"]: c for c in body["citations"]}
    for choice in body["choices"]:
        assert numbers[choice["citation"]]["measure_id"] == choice["measure_id"]
        history = [{"role": "user", "content": body["question"]}, {"role": "assistant", "content": body["lead"]}]
        payload = {
            "question": choice["question"],
            "history": history,
            "filters": {"measure_ids": [choice["measure_id"]]},
        }
        chosen = client.post("/api/ask", json=payload).json()
        assert chosen["choices"] == [] and chosen["groups"][0]["measure_id"] == choice["measure_id"]


def test_suggestions_and_contact_are_typed(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "令和5年度のCoCoパトロールの走行距離は？"}).json()
    kinds = [s["kind"] for s in body["suggestions"]]
    assert kinds == ["year", "trend", "responsible"] and all(s["question"] for s in body["suggestions"])
    dept = client.post("/api/ask", json={"question": "学務課の取組みは？"}).json()
    assert dept["contact"] == {
        "department": "学務課", "name": "学務課", "text": "", "url": "",
        "sentence": "詳しくは学務課にお問い合わせください。",
    }  # fmt: skip
    timeline = [s for s in dept["suggestions"] if s["kind"] == "timeline"]
    assert timeline and timeline[0]["question"] == "" and timeline[0]["measure_id"]


def test_search_shape(client: TestClient) -> None:
    r = client.post("/api/search", json={"question": "防犯カメラ", "top_k": 5, "filters": {"years": [2023]}})
    body = r.json()
    assert r.status_code == 200 and 1 <= len(body["hits"]) <= 5
    keys = {"rank", "score", "measure_id", "measure", "section", "departments", "department", "fiscal_year"}
    keys |= {"fiscal_year_label", "status", "text", "source"}
    assert keys <= set(body["hits"][0])
    assert body["filters"]["years"] == [2023] and all(h["fiscal_year"] == 2023 for h in body["hits"])


def test_measures_and_timeline_with_gaps(client: TestClient) -> None:
    body = client.get("/api/measures").json()
    assert [s["number"] for s in body["sections"]] == [1, 2, 3, 4]
    assert sum(len(s["measures"]) for s in body["sections"]) == 25
    first = body["sections"][0]["measures"][0]
    detail = client.get(f"/api/measures/{first['measure_id']}").json()
    assert detail["name"] == "CoCoパトロール隊による地域パトロール"
    years = {y["fiscal_year"]: y for y in detail["years"]}
    assert sorted(years) == list(range(2017, 2025))
    assert not years[2020]["reported"] and years[2020]["bullets"] == []
    assert years[2023]["reported"] and any(b["text"] == "パトロール回数 203回" for b in years[2023]["bullets"])
    assert {s["label"] for s in detail["series"]} == {"車両数", "パトロール回数", "距離"}


def test_measure_absent_from_a_report_is_listed_false(client: TestClient) -> None:
    body = client.get("/api/measures").json()
    akiya = next(m for s in body["sections"] for m in s["measures"] if m["name"] == "空き家の適正な管理の推進")
    years = {y["fiscal_year"]: y for y in client.get(f"/api/measures/{akiya['measure_id']}").json()["years"]}
    assert years[2017]["listed"] and years[2022]["reported"] and not years[2022]["listed"]


def test_options_and_health(client: TestClient) -> None:
    opts = client.get("/api/options").json()
    assert [y["fiscal_year"] for y in opts["years"]] == [2017, 2018, 2022, 2023, 2024]
    assert opts["years"][2]["label"] == "令和4年度（2022年度）"
    assert "地域安全課" in opts["departments"] and len(opts["examples"]) >= 3
    health = client.get("/api/health").json()
    assert health["ready"] and health["bullets"] == 383 and health["embedder"] == "fake:64"


def test_export_csv_has_bom_and_citation_fields(client: TestClient) -> None:
    r = client.get("/api/export", params={"format": "csv", "years": [2023], "departments": ["地域安全課"]})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows and all(row["fiscal_year"] == "2023" for row in rows)
    assert any(
        row["text"] == "パトロール回数 203回" and row["measure"] == "CoCoパトロール隊による地域パトロール"
        for row in rows
    )
    assert {"measure_id", "department", "status", "new", "source_file", "source_line"} <= set(rows[0])


def test_export_json_with_question(client: TestClient) -> None:
    r = client.get("/api/export", params={"format": "json", "q": "暴力団"})
    body = json.loads(r.content.decode("utf-8"))
    assert r.status_code == 200 and body["rows"]
    assert any("暴力団" in row["text"] for row in body["rows"])


def test_web_page_is_served_with_security_headers(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "server" not in {k.lower() for k in r.headers} or "uvicorn" not in r.headers.get("server", "")


def test_openapi_documents_the_models(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"AskRequest", "AskResponse", "SearchResponse", "MeasureDetail", "ErrorResponse"} <= set(
        schema["components"]["schemas"]
    )


# ---- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   ", "\u3000\n"])
def test_empty_question(client: TestClient, question: str) -> None:
    body = _error(client.post("/api/ask", json={"question": question}), 422, "empty_question")
    assert body["message"] == "質問を入力してください。"


def test_question_too_long(client: TestClient) -> None:
    _error(client.post("/api/ask", json={"question": "防犯" * 300}), 422, "question_too_long")
    _error(client.post("/api/search", json={"question": "あ" * 501}), 422, "question_too_long")


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"years": [2020]}, "filters.years"),
        ({"departments": ["総務課"]}, "filters.departments"),
        ({"sections": [9]}, "filters.sections"),
    ],
)
def test_unknown_filter_values(client: TestClient, filters: dict, field: str) -> None:
    body = _error(client.post("/api/ask", json={"question": "防犯", "filters": filters}), 422, "unknown_filter")
    assert body["field"] == field and body["allowed"]


def test_malformed_json(client: TestClient) -> None:
    r = client.post("/api/ask", content=b'{"question": "x"', headers={"content-type": "application/json"})
    _error(r, 400, "malformed_json")


@pytest.mark.parametrize(
    "payload",
    [{}, {"question": 123}, {"question": ["a"]}, {"question": "x", "unknown": 1}, {"question": "x", "history": "no"}],
)
def test_wrong_shapes(client: TestClient, payload: dict) -> None:
    _error(client.post("/api/ask", json=payload), 422, "invalid_request")


@pytest.mark.parametrize("top_k", [0, -1, 51, 10**9])
def test_top_k_bounds(client: TestClient, top_k: int) -> None:
    _error(client.post("/api/search", json={"question": "防犯", "top_k": top_k}), 422, "invalid_request")


def test_unknown_measure_and_path(client: TestClient) -> None:
    _error(client.get("/api/measures/m-00000000"), 404, "unknown_measure")
    _error(client.get("/api/nothing"), 404, "not_found")


@pytest.mark.parametrize("path", ["/static/..%2f..%2fetc/passwd", "/static/../../etc/passwd", "/..%2f..%2fetc/passwd"])
def test_path_traversal_serves_nothing(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404 and "root:" not in r.text


def test_body_over_the_limit(client: TestClient, assistant: Assistant) -> None:
    r = client.post(
        "/api/ask",
        content=b"x" * (assistant.settings.max_body_bytes + 1),
        headers={"content-type": "application/json"},
    )
    _error(r, 413, "too_large")


def test_html_in_the_question_is_echoed_as_json_text(client: TestClient) -> None:
    q = "<img src=x onerror=alert(1)>"
    r = client.post("/api/ask", json={"question": q})
    assert r.status_code == 200 and r.json()["question"] == q
    assert r.headers["content-type"].startswith("application/json")


def test_not_ready_until_loaded(monkeypatch: pytest.MonkeyPatch, assistant: Assistant) -> None:
    release = threading.Event()

    def slow_open(*args: object, **kwargs: object) -> Assistant:
        release.wait(10)
        return assistant

    monkeypatch.setattr(api_module, "open_assistant", slow_open)
    with TestClient(create_app(assistant.settings)) as c:
        r = c.get("/api/health")
        assert r.status_code == 503 and r.json()["status"] == "starting"
        _error(c.post("/api/ask", json={"question": "防犯"}), 503, "not_ready")
        release.set()
        for _ in range(100):
            if c.get("/api/health").status_code == 200:
                break
            threading.Event().wait(0.05)
        assert c.get("/api/health").json()["ready"]


def test_load_failure_is_reported_not_crashed(monkeypatch: pytest.MonkeyPatch, assistant: Assistant) -> None:
    def broken(*args: object, **kwargs: object) -> Assistant:
        raise RuntimeError("index build damaged; run `assistant ingest --force`")

    monkeypatch.setattr(api_module, "open_assistant", broken)
    with TestClient(create_app(assistant.settings)) as c:
        for _ in range(100):
            body = c.get("/api/health").json()
            if body["status"] == "error":
                break
            threading.Event().wait(0.05)
        # An unexpected error's text may say anything (paths): the log has it, health only its reason (issue 17).
        assert body["status"] == "error" and body["error"] == "internal: see the server log"


def test_many_concurrent_requests_all_succeed(client: TestClient) -> None:
    questions = [
        "高齢者の詐欺対策は？",
        "令和5年度のCoCoパトロールの回数",
        "防犯カメラ",
        "街路灯のLED化",
        "こきんちゃん",
    ]
    expected = {q: client.post("/api/search", json={"question": q, "top_k": 3}).json()["hits"] for q in questions}

    def call(i: int) -> bool:
        q = questions[i % len(questions)]
        if i % 2:
            r = client.post("/api/search", json={"question": q, "top_k": 3})
            return r.status_code == 200 and r.json()["hits"] == expected[q]
        r = client.post("/api/ask", json={"question": q})
        return r.status_code == 200 and r.json()["question"] == q

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(call, range(240)))
    assert all(results), f"{results.count(False)} of {len(results)} concurrent requests failed or differed"


def test_dependencies_can_be_overridden(assistant: Assistant) -> None:
    """The endpoints read the settings and the assistant through dependencies (assistant/api/deps.py)."""
    from assistant.api.deps import get_assistant, get_settings

    app = create_app(assistant.settings, None)  # nothing loaded: every endpoint would answer 503
    c = TestClient(app)  # no lifespan: nothing is loaded in the background either
    assert c.get("/api/measures").status_code == 503
    app.dependency_overrides[get_assistant] = lambda: assistant
    app.dependency_overrides[get_settings] = lambda: assistant.settings.model_copy(update={"max_question_chars": 5})
    assert c.get("/api/measures").status_code == 200
    short = c.post("/api/ask", json={"question": "防犯カメラ"})
    long = c.post("/api/ask", json={"question": "防犯カメラの設置"})
    assert short.status_code == 200
    assert long.status_code == 422 and long.json()["error"]["code"] == "question_too_long"


def test_a_bullet_reads_the_same_in_chat_search_and_export(client: TestClient) -> None:
    """One presented view of a bullet (assistant/domain/view.py): department, departments and source alike."""
    q = "高齢者の詐欺対策は？"
    c = client.post("/api/ask", json={"question": q}).json()["citations"][0]
    hits = client.post("/api/search", json={"question": q, "top_k": 20}).json()["hits"]
    rows = client.get("/api/export", params={"format": "json", "q": q}).json()["rows"]

    def same(x: dict) -> bool:
        return x["text"] == c["text_verbatim"] and x["fiscal_year"] == c["fiscal_year"]

    hit, row = next(h for h in hits if same(h)), next(r for r in rows if same(r))
    assert c["department"] == hit["department"] == row["department"]
    assert c["departments"] == hit["departments"] and row["departments"] == "・".join(hit["departments"])
    assert c["source"]["label"] == hit["source"]["label"] == row["source"]
    assert c["status"] == hit["status"] == row["status"] and c["fiscal_year_label"] == row["fiscal_year_label"]
