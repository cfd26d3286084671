"""The cost of one request is bounded: the body by the bytes received, the question by tokens, the answering work
in flight by a pool with a queue, each request by a time budget; /api/health answers through all of it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import replace

import anyio
import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.routers import chat as chat_module
from assistant.api.routers import measures as measures_module
from assistant.api.workload import Overload, Overloaded, WorkLimiter
from assistant.domain.notices import Notice, collecting
from assistant.retrieval.bounded import BoundedEmbedder, BoundedTokenizer, cut_to_tokens
from assistant.retrieval.embed import load_embedder
from assistant.retrieval.search import Searcher
from assistant.service import Assistant

LONG = ("防犯カメラの設置と高齢者の詐欺対策について、市の取組みを詳しく教えてください。" * 20)[:500]
HANG_GUARD = 60  # seconds: only keeps a broken build from hanging the suite; no assertion is about speed


def run_async(main) -> None:
    """``asyncio.run(main())`` on a thread of its own: the browser tests leave Playwright's loop running on the
    main thread of the session."""
    failures: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as e:
            failures.append(e)

    t = threading.Thread(target=target)
    t.start()
    t.join(HANG_GUARD * 2)
    if failures:
        raise failures[0]


# ---- the body limit, in process (the real server: test_server.py) --------------------------------------


def _drive(app, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, dict, int]:
    """Run one request through the ASGI app: (status, error body, body bytes the app pulled from the client)."""
    import json

    pulled = 0
    sent: list[dict] = []

    async def main() -> None:
        queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

        async def receive() -> dict:
            nonlocal pulled
            if not queue:
                await asyncio.sleep(3600)  # a client that sends nothing more
            message = queue.pop(0)
            pulled += len(message["body"])
            return message

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/api/ask",
            "raw_path": b"/api/ask",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"test"), (b"content-type", b"application/json"), *headers],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        with anyio.fail_after(HANG_GUARD):
            await app(scope, receive, send)

    run_async(main)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body)["error"], pulled


@pytest.fixture(scope="module")
def app(assistant: Assistant):
    return create_app(assistant.settings, assistant)


def test_chunked_body_with_a_small_content_length_is_refused_unread(app) -> None:
    chunks = [b'{"question": "x", "history": [' + b"{}," * 20_000, b"{}]}"]
    status, error, pulled = _drive(app, [(b"transfer-encoding", b"chunked"), (b"content-length", b"10")], chunks)
    assert (status, error["code"]) == (400, "conflicting_framing") and error["message"]
    assert pulled == 0


def test_a_body_is_cut_off_at_the_limit_whatever_the_headers_say(app, assistant: Assistant) -> None:
    limit = assistant.settings.max_body_bytes
    chunk = b" " * 16_384
    chunks = [b'{"question": "x", "history": [', *[chunk] * 600, b"]}"]  # ~9.8 MB
    status, error, pulled = _drive(app, [(b"transfer-encoding", b"chunked")], chunks)
    assert (status, error["code"]) == (413, "too_large")
    assert pulled <= limit + len(chunk), "reading stopped once the limit was passed"


def test_a_declared_length_over_the_limit_is_refused_before_reading(app, assistant: Assistant) -> None:
    length = str(assistant.settings.max_body_bytes + 1).encode()
    status, error, pulled = _drive(app, [(b"content-length", length)], [b"{}"])
    assert (status, error["code"], pulled) == (413, "too_large", 0)


@pytest.mark.parametrize("lengths", [[b"10", b"12"], [b"-1"], [b"1e3"]])
def test_malformed_content_length_is_400(app, lengths: list[bytes]) -> None:
    status, error, _ = _drive(app, [(b"content-length", v) for v in lengths], [b"{}"])
    assert (status, error["code"]) == (400, "bad_content_length")


def test_a_chunked_body_under_the_limit_is_answered(assistant: Assistant) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        yield "防犯カメラ".encode()
        yield b'"}'

    with TestClient(create_app(assistant.settings, assistant)) as c:
        r = c.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["question"] == "防犯カメラ"


# ---- token bounds ----------------------------------------------------------------------------------------


def test_cut_to_tokens_keeps_the_longest_prefix_that_fits() -> None:
    fake = load_embedder("fake")
    cut = cut_to_tokens(LONG, 40, fake.count_query_tokens)
    assert LONG.startswith(cut) and fake.count_query_tokens(cut) <= 40 < fake.count_query_tokens(LONG[: len(cut) + 1])
    assert cut_to_tokens("防犯", 40, fake.count_query_tokens) == "防犯"


def test_bounded_tokenizer_and_embedder_cut_long_questions_and_say_so(searcher: Searcher) -> None:
    tokens = BoundedTokenizer(searcher.tokenizer, 16)
    embedder = BoundedEmbedder(searcher.embedder, 24)
    with collecting() as short:
        assert tokens("防犯カメラ") == searcher.tokenizer("防犯カメラ")
        embedder.embed_queries(["防犯カメラ"])
    assert short == set()
    with collecting() as long:
        assert len(tokens(LONG)) == 16 and len(searcher.tokenizer(LONG)) > 16
    assert long == {Notice.QUESTION_TRUNCATED}
    with collecting() as dense:
        cut = embedder.inner.embed_queries([cut_to_tokens(LONG, 24, embedder.inner.count_query_tokens)])
        assert (embedder.embed_queries([LONG]) == cut).all()
    assert dense == {Notice.QUESTION_TRUNCATED}


@pytest.fixture(scope="module")
def bounded(assistant: Assistant) -> Assistant:
    """The test assistant with the token bounds of the settings, as open_assistant makes it."""
    from assistant.service import make_searcher

    s = assistant.searcher
    searcher = make_searcher(s.index, s.embedder, s.tokenizer, assistant.settings, s.corrections)
    return replace(assistant, searcher=searcher)


@pytest.mark.parametrize("path", ["/api/ask", "/api/search"])
def test_a_long_question_is_answered_with_a_typed_notice(bounded: Assistant, path: str) -> None:
    with TestClient(create_app(bounded.settings, bounded)) as c:
        long = c.post(path, json={"question": LONG}).json()
        short = c.post(path, json={"question": "防犯カメラ"}).json()
        limits = c.get("/api/options").json()["limits"]
    assert long["notices"] == ["question_truncated"] and short["notices"] == []
    if path == "/api/ask":
        assert any("最初の部分だけ" in n for n in long["notes"]) and not any("最初の部分" in n for n in short["notes"])
    assert limits["max_query_tokens"] == bounded.settings.max_query_tokens
    assert limits["max_body_bytes"] == bounded.settings.max_body_bytes


def test_unknown_year_is_a_typed_notice(client_for) -> None:
    body = client_for().post("/api/search", json={"question": "令和2年度の防犯カメラ"}).json()
    assert body["notices"] == ["unknown_year"] and body["hits"] == []


# ---- answering pool, queue, time budget, health ---------------------------------------------------------


@pytest.fixture
def client_for(assistant: Assistant) -> Iterator:
    clients: list[TestClient] = []

    def make(**limits: object) -> TestClient:
        settings = assistant.settings.model_copy(update=limits)
        c = TestClient(create_app(settings, assistant), raise_server_exceptions=False)
        clients.append(c.__enter__())
        return clients[-1]

    yield make
    for c in clients:
        c.__exit__(None, None, None)


class Blocker:
    """Stands in for answer: holds its worker until released, counting how many calls started."""

    def __init__(self) -> None:
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()
        self.started = 0

    def __call__(self, *args: object, **kwargs: object):
        self.started += 1
        self.entered.release()
        self.release.wait(HANG_GUARD)
        raise RuntimeError("released")  # the held requests end as 500s; only the others are asserted


def _in_thread(fn) -> threading.Thread:
    t = threading.Thread(target=fn, daemon=True)
    t.start()
    return t


def test_beyond_workers_and_queue_a_request_gets_503_with_retry_after(client_for, monkeypatch) -> None:
    blocker = Blocker()
    monkeypatch.setattr(chat_module, "answer", blocker)
    c = client_for(answer_workers=1, answer_queue=1, retry_after_seconds=3)
    held = [_in_thread(lambda: c.post("/api/ask", json={"question": "防犯"})) for _ in range(2)]
    assert blocker.entered.acquire(timeout=HANG_GUARD)  # one computes, one waits in the queue
    while c.app.state.limiter.admitted < 2:
        threading.Event().wait(0.01)
    r = c.post("/api/ask", json={"question": "防犯"})
    assert r.status_code == 503 and r.headers["retry-after"] == "3"
    assert r.json()["error"]["code"] == "busy" and r.json()["error"]["message"]
    assert c.get("/api/health").status_code == 200, "health does not wait behind answering work"
    assert c.get("/api/options").status_code == 200
    blocker.release.set()
    for t in held:
        t.join(HANG_GUARD)
    assert blocker.started == 2


def test_work_not_started_within_the_budget_never_runs(client_for, monkeypatch) -> None:
    blocker = Blocker()
    monkeypatch.setattr(chat_module, "answer", blocker)
    c = client_for(answer_workers=1, answer_queue=4, request_budget_seconds=0.5)
    first = _in_thread(lambda: c.post("/api/ask", json={"question": "防犯"}))
    assert blocker.entered.acquire(timeout=HANG_GUARD)
    r = c.post("/api/ask", json={"question": "防犯"})  # queued behind the held one until its budget runs out
    assert r.status_code == 503 and r.json()["error"]["code"] == "over_budget" and r.headers["retry-after"]
    blocker.release.set()
    first.join(HANG_GUARD)
    assert blocker.started == 1, "the request that was refused never ran"
    while c.app.state.limiter.admitted:  # every slot comes back
        threading.Event().wait(0.01)


def test_health_answers_while_the_shared_thread_pool_is_exhausted(client_for, monkeypatch) -> None:
    c = client_for()
    entered, release = threading.Event(), threading.Event()

    def stuck(*args: object, **kwargs: object):
        entered.set()
        release.wait(HANG_GUARD)
        raise RuntimeError("released")

    async def one_thread() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 1

    c.portal.call(one_thread)
    monkeypatch.setattr(measures_module, "measures_overview", stuck)
    held = _in_thread(lambda: c.get("/api/measures"))
    assert entered.wait(HANG_GUARD)  # FastAPI's only worker thread is now taken
    health: list[int] = []
    probe = _in_thread(lambda: health.append(c.get("/api/health").status_code))
    probe.join(HANG_GUARD)
    answered = list(health)
    release.set()
    held.join(HANG_GUARD)
    assert answered == [200]


def test_work_limiter_counts_admissions_back_to_zero() -> None:
    async def main() -> None:
        limiter = WorkLimiter(workers=2, queue=0, budget_seconds=HANG_GUARD, retry_after=1)
        gate = threading.Event()
        tasks = [asyncio.ensure_future(limiter.run(lambda: gate.wait(HANG_GUARD))) for _ in range(2)]
        await asyncio.sleep(0)
        with pytest.raises(Overloaded) as info:
            await limiter.run(lambda: None)
        assert info.value.reason is Overload.QUEUE_FULL
        gate.set()
        assert await asyncio.gather(*tasks) == [True, True]
        while limiter.admitted:
            await asyncio.sleep(0.01)
        assert await limiter.run(lambda: 7) == 7
        limiter.close()

    run_async(main)
