"""Feedback in headless Chromium against the real server: いいえ with a comment full of markup, then the staff
page shows it as text once the token is given; without the token (or with the feature off) nothing is reachable.

The servers use the fake embedder on a temporary index (the answers only need to exist, not to be good) and a
temporary feedback file. Chromium is the session's (conftest.py).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from test_browser import ANSWER_TIMEOUT

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
TOKEN = "browser-staff-token-0123456789abcdef"
COMMENT = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> 情報が古いです'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp: Path, **env_extra: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = os.environ.copy()
    env.update(
        ASSISTANT_INDEX_DIR=str(tmp / "index"),
        ASSISTANT_EMBEDDER="fake",
        ASSISTANT_FEEDBACK_DB=str(tmp / "feedback.sqlite"),
        **env_extra,
    )
    if "ASSISTANT_STAFF_TOKEN" not in env_extra:
        env.pop("ASSISTANT_STAFF_TOKEN", None)
    log = (tmp / f"server-{port}.log").open("w", encoding="utf-8")
    cmd = [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    pytest.fail(f"server not ready: {(tmp / f'server-{port}.log').read_text(encoding='utf-8')[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def index_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("feedback-browser")


@pytest.fixture(scope="module")
def server(index_home: Path) -> Iterator[str]:
    proc, base = _serve(index_home, ASSISTANT_STAFF_TOKEN=TOKEN)
    yield base
    _stop(proc)


def _ask(page: Page, question: str):
    answers = page.locator("#log article.msg.bot")
    before = answers.count()
    box = page.get_by_label("質問", exact=True)
    box.fill(question)
    box.press("Enter")
    expect(answers).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)
    return answers.nth(before)


def test_comment_with_markup_reaches_staff_as_text(browser: Browser, server: str) -> None:
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    posts: list[dict] = []
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: posts.append(json.loads(r.post_data or "{}")) if "/api/feedback" in r.url else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(server + "/")
    answer = _ask(page, "高齢者の詐欺対策は？")
    expect(answer).to_have_attribute("data-feedback", "on")
    box = answer.locator(".feedback")
    expect(box.locator(".fb-q")).to_have_text("この回答は役に立ちましたか？")
    expect(box.locator(".fb-notice")).to_contain_text("IPアドレス")
    away = _ask(page, "今日の天気は？")
    assert posts == [], "nothing is sent before a button is pressed"

    box.get_by_role("button", name="いいえ").click()
    comment = box.get_by_label("よろしければ")
    expect(comment).to_be_focused()
    comment.fill(COMMENT)
    with page.expect_response(lambda r: r.url.endswith("/api/feedback")) as info:
        box.get_by_role("button", name="送信").click()
    assert info.value.status == 201
    expect(box.locator(".fb-status")).to_have_text("ご意見ありがとうございました。回答の改善に役立てます。")
    expect(box.get_by_role("button", name="いいえ")).to_be_disabled()
    SHOTS.mkdir(parents=True, exist_ok=True)
    box.screenshot(path=str(SHOTS / "feedback.png"))
    sent = posts[-1]
    assert sent["rating"] == "not_helpful" and sent["comment"] == COMMENT and sent["coverage"] == "direct"
    assert sent["question"] == "高齢者の詐欺対策は？" and sent["measure_ids"] and sent["bullet_ids"]
    assert set(sent) == {"question", "resolved_question", "coverage", "rating", "comment", "bullet_ids", "measure_ids"}

    with page.expect_response(lambda r: r.url.endswith("/api/feedback")):
        away.locator(".feedback").get_by_role("button", name="はい").click()
    assert posts[-1]["coverage"] == "out_of_scope" and posts[-1]["rating"] == "helpful"

    _review_on_the_staff_page(context, server, dialogs, errors)
    assert page.evaluate("window.__pwned") is None
    context.close()


def _review_on_the_staff_page(context, server: str, dialogs: list[str], errors: list[str]) -> None:
    """Nothing without the token; with it the いいえ comment is in 「回答できなかった質問」, shown as text."""
    staff = context.new_page()
    staff.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    staff.on("pageerror", lambda e: errors.append(str(e)))
    staff.goto(server + "/staff/")
    expect(staff.locator("#login")).to_be_visible()
    expect(staff.locator("#main")).to_be_hidden()
    assert staff.request.get(server + "/api/staff/feedback").status == 401
    staff.get_by_label("トークン").fill("browser-staff-token-wrong-456789abcdef")
    staff.get_by_role("button", name="表示する").click()
    expect(staff.locator("#alert")).to_contain_text("トークンが正しくありません")
    expect(staff.locator("#main")).to_be_hidden()
    assert staff.evaluate("sessionStorage.length") == 0

    staff.get_by_label("トークン").fill(TOKEN)
    staff.get_by_role("button", name="表示する").click()
    unanswered = staff.locator("#unanswered .item")
    expect(unanswered).to_have_count(2)  # rated いいえ; and the out-of-scope question
    shown = staff.locator("#unanswered .item .comment")
    expect(shown).to_have_count(1)
    expect(shown).to_have_text(COMMENT)  # the markup is the text itself
    assert "&lt;script&gt;" in shown.evaluate("n => n.innerHTML")
    staff.wait_for_timeout(300)  # an injected <img src=x> would have failed and fired onerror by now
    assert staff.locator("main script, main img").count() == 0
    assert staff.evaluate("window.__pwned") is None
    assert dialogs == [] and errors == []
    assert staff.evaluate("sessionStorage.getItem('bouhan-staff-token')") == TOKEN
    assert staff.evaluate("localStorage.length") == 0 and staff.evaluate("document.cookie") == ""
    expect(staff.locator("#by-coverage")).to_contain_text("回答あり")
    expect(staff.locator("#totals")).to_contain_text("2件")
    staff.screenshot(path=str(SHOTS / "staff.png"), full_page=True)

    item = staff.locator("#unanswered .item", has=staff.locator(".comment"))
    item.get_by_label("対応のメモ").fill("synonyms.tsv に追加")
    item.get_by_role("button", name="対応済みにする").click()
    expect(staff.locator("#unanswered .item", has=staff.locator(".comment")).locator(".tag.done")).to_have_text(
        "対応済み"
    )
    with staff.expect_download() as download:
        staff.get_by_role("button", name="CSVでダウンロード").click()
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and COMMENT.encode("utf-8") in raw.replace(b'""', b'"')

    staff.reload()  # the token lives in this tab's sessionStorage
    expect(staff.locator("#unanswered .item")).to_have_count(2)
    staff.get_by_role("button", name="トークンを消す").click()
    expect(staff.locator("#login")).to_be_visible()
    assert staff.evaluate("sessionStorage.length") == 0


def test_off_means_no_buttons_and_no_staff_pages(browser: Browser, server: str, index_home: Path) -> None:
    # a second server on the same index (already built) with feedback off and no staff token
    proc, base = _serve(index_home, ASSISTANT_FEEDBACK="off")
    try:
        context = browser.new_context(locale="ja-JP")
        page = context.new_page()
        page.goto(base + "/")
        answer = _ask(page, "高齢者の詐欺対策は？")
        expect(answer.locator(".lead")).not_to_be_empty()
        expect(answer).to_have_attribute("data-feedback", "off")  # feedback.js read /api/options and added nothing
        assert answer.locator(".feedback").count() == 0
        assert page.request.post(base + "/api/feedback", data={"question": "x"}).status == 404
        assert page.goto(base + "/staff/").status == 404
        for path in ("/api/staff/feedback", "/api/staff/stats", "/api/staff/export", "/static/staff/staff.js"):
            assert page.request.get(base + path, headers={"Authorization": f"Bearer {TOKEN}"}).status == 404
        context.close()
    finally:
        _stop(proc)
