"""The web UI in headless Chromium against the real server (real index, real embedder).

The server runs as a subprocess on a free port; a fresh checkout builds its index first, so start-up may take
minutes. Chromium is Debian's /usr/bin/chromium (``playwright install`` cannot download browsers here); when it
is missing these tests fail rather than skip. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
START_TIMEOUT = 180.0
ANSWER_TIMEOUT = 60_000  # ms
ELDERLY_MEASURE = "高齢者や障がい者の犯罪被害防止啓発活動の推進"
COCO_MEASURE = "CoCoパトロール隊による地域パトロール"
XSS = "<img src=x onerror=alert(1)>"


# ---- fixtures -------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, {}


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app under uvicorn; yields its origin once /api/health says ready."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    cmd = [sys.executable, "-m", "uvicorn", "assistant.api.app:create_app", "--factory"]
    cmd += ["--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT)
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited with {proc.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}")
            try:
                status, body = _get_json(f"{origin}/api/health")
            except OSError:
                status, body = 0, {}
            if status == 200 and body.get("ready"):
                break
            if body.get("status") == "error":
                pytest.fail(f"the index failed to load: {body.get('error')}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"server not ready after {START_TIMEOUT:.0f}s:\n{log_path.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.5)
        yield origin
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Session:
    """A page plus everything it did that a test may want to check."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    asks: list[dict] = field(default_factory=list)  # bodies POSTed to /api/ask
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def open(self, path: str = "/") -> None:
        self.page.goto(self.origin + path)
        # /api/options fills the example questions once the page has started
        self.page.locator("#examples button").first.wait_for(state="attached", timeout=ANSWER_TIMEOUT)

    def ask(self, question: str):
        """Type the question, press Enter, and return the new answer's locator."""
        answers = self.page.locator("#log article.msg.bot")
        before = answers.count()
        box = self.page.get_by_label("質問", exact=True)
        box.fill(question)
        box.press("Enter")
        expect(answers).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)
        return answers.nth(before)


def _new_session(browser, origin: str, **context_args) -> tuple[object, Session]:
    context = browser.new_context(locale="ja-JP", **context_args)
    page = context.new_page()
    s = Session(page, origin)
    page.on("request", lambda r: s.requests.append(r.url))
    page.on(
        "request",
        lambda r: s.asks.append(json.loads(r.post_data or "{}")) if r.url.endswith("/api/ask") else None,
    )
    page.on("console", lambda m: s.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: s.console_errors.append(f"pageerror: {e}"))

    def on_dialog(d) -> None:
        s.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", on_dialog)
    return context, s


@pytest.fixture
def ui(browser, server: str) -> Iterator[Session]:
    context, s = _new_session(browser, server, viewport={"width": 1280, "height": 900})
    yield s
    context.close()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    # at the bottom the sticky question form sits where it belongs, not over the middle of a full-page shot
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.screenshot(path=str(SHOTS / name), full_page=True)


# ---- tests ----------------------------------------------------------------------------------------


def test_answer_with_citation_card(ui: Session) -> None:
    page = ui.page
    ui.open()
    expect(page).to_have_title("防犯施策アシスタント")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#about")).to_contain_text("平成29")
    answer = ui.ask("高齢者の詐欺対策は？")
    expect(page.locator("#log .msg.user").last).to_contain_text("高齢者の詐欺対策は？")
    expect(answer.locator(".lead")).not_to_be_empty()
    markers = answer.locator("button.cite")
    assert markers.count() >= 1
    card = page.locator(f"#{markers.first.get_attribute('aria-controls')}")
    expect(card.locator(".card-dept")).to_be_hidden()  # collapsed until its marker is clicked
    markers.first.click()
    expect(card).to_have_attribute("open", "")
    expect(card.locator("summary")).to_be_focused()
    expect(card.locator(".card-measure")).to_have_text(ELDERLY_MEASURE)
    expect(card.locator("dt", has_text="担当課")).to_be_visible()
    expect(card.locator(".card-dept")).to_have_text(re.compile(r"\S"))
    expect(card.locator(".card-year")).to_contain_text("年度")
    expect(card.locator(".quote")).not_to_be_empty()
    expect(card.get_by_role("link", name="この施策の経年変化を見る")).to_be_visible()
    assert ui.console_errors == []
    _shot(page, "answer.png")


def test_fact_answer_states_the_figure_first(ui: Session) -> None:
    page = ui.page
    ui.open()
    answer = ui.ask("青パトは何台ありますか")
    lead = answer.locator(".lead")
    expect(lead).to_contain_text("令和5年度は13台でした")
    expect(answer).to_have_attribute("data-coverage", "direct")
    # The lead's [1] is a button to its source card, which quotes the figure.
    marker = lead.locator("button.cite").first
    marker.click()
    card = page.locator(f"#{marker.get_attribute('aria-controls')}")
    expect(card).to_have_attribute("open", "")
    expect(card.locator(".quote")).to_contain_text("13台")
    assert ui.console_errors == []
    _shot(page, "fact.png")


def test_absent_answer_says_so_and_labels_related_items(ui: Session) -> None:
    page = ui.page
    ui.open()
    absent = ui.ask("万引き防止の取組みはありますか")
    expect(absent.locator(".lead")).to_have_text("報告書には「万引き」に関する記載はありません。")
    expect(absent.locator(".sources")).to_have_count(0)
    statistics = ui.ask("市内の振り込め詐欺の被害件数は？")
    expect(statistics.locator(".lead")).to_contain_text("統計は載っていません")
    related = statistics.locator(".related")
    expect(related.locator(".related-title")).to_have_text(
        "関連する取組み（ご質問の内容そのものは報告書に記載がありません）"
    )
    expect(related.locator("li").first).to_be_visible()
    expect(statistics.locator(":scope > .group")).to_have_count(0)  # nothing shown as the answer itself
    assert ui.console_errors == []
    _shot(page, "absent.png")


def test_compare_answer_draws_its_chart_and_a_corrected_card_shows_the_original(ui: Session) -> None:
    ui.open()
    compare = ui.ask("パトロール回数は令和4年度と令和5年度でどう変わりましたか")
    expect(compare.locator(".lead")).to_contain_text("403回")
    expect(compare.locator(".lead")).to_contain_text("203回")
    expect(compare.locator("svg").first).to_be_visible()
    typo = ui.ask("学校にさすまたは置いてありますか")
    card = typo.locator("details.card", has_text="さすまた等").first
    card.locator("summary").click()
    expect(card.locator(".card-verbatim")).to_contain_text("さまざまな等")
    assert ui.console_errors == []


def test_markup_in_a_question_is_text(ui: Session) -> None:
    page = ui.page
    ui.open()
    answer = ui.ask(XSS)
    bubble = page.locator("#log .msg.user").last
    expect(bubble).to_contain_text(XSS)
    assert XSS in bubble.text_content()
    expect(answer).to_be_visible()
    page.wait_for_timeout(300)  # an injected <img src=x> would have failed to load (and fired onerror) by now
    assert page.locator("img").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert ui.dialogs == [], f"a dialog fired: {ui.dialogs}"
    assert ui.console_errors == []
    # a "not in the reports" answer shows its notes and suggestions, and a suggestion asks at once
    expect(answer.locator(".lead")).to_have_text(re.compile("見つかりませんでした|記載はありません"))
    expect(answer.locator(".notes p").first).to_be_visible()
    suggestion = answer.locator(".suggestions button").first
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page.locator("#log article.msg.bot")).to_have_count(2, timeout=ANSWER_TIMEOUT)
    expect(page.locator("#log .msg.user").last).to_have_text(re.compile(re.escape(suggestion.text_content())))


def test_follow_up_uses_history(ui: Session) -> None:
    ui.open()
    first = ui.ask("CoCoパトロールの回数は？")
    expect(first.locator(".lead")).not_to_be_empty()
    second = ui.ask("令和5年度は？")
    expect(second).to_contain_text("203回")
    # the client keeps the conversation: the second ask carried the first turn
    history = ui.asks[-1]["history"]
    assert [t["role"] for t in history] == ["user", "assistant"]
    assert history[0]["content"] == "CoCoパトロールの回数は？"
    assert "CoCoパトロール" in history[1]["content"]


def test_example_question_asks_immediately(ui: Session) -> None:
    page = ui.page
    ui.open()
    example = page.locator("#examples button").first
    text = example.text_content()
    example.click()
    answer = page.locator("#log article.msg.bot").first
    expect(answer).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(page.locator("#log .msg.user").first).to_contain_text(text)
    expect(answer.locator(".lead")).not_to_be_empty()
    assert ui.asks and ui.asks[-1]["question"] == text


def test_measure_page_from_a_citation(ui: Session) -> None:
    page = ui.page
    ui.open()
    answer = ui.ask("CoCoパトロールの回数の推移は？")
    card = answer.locator("details.card", has=page.locator(".card-measure", has_text=COCO_MEASURE)).first
    number = card.locator(".num").text_content().strip("[]")
    answer.locator("button.cite", has_text=f"[{number}]").first.click()
    with page.expect_response(re.compile(r"/api/measures/[^/?]+$")) as info:
        card.get_by_role("link", name="この施策の経年変化を見る").click()
    detail = info.value.json()
    view = page.locator("#view-measure")
    expect(view).to_be_visible()
    expect(page.locator("#measure-heading")).to_have_text(COCO_MEASURE)
    expect(page.locator("#measure-heading")).to_be_focused()
    years = view.locator(".years > section")
    for label in ("平成29年度", "平成30年度", "令和4年度", "令和5年度", "令和6年度"):
        expect(years.filter(has_text=label).first).to_be_visible()
    gap = years.filter(has=page.locator("h4", has_text="令和元年度"))
    expect(gap).to_have_class(re.compile(r"\bgap\b"))
    expect(gap).to_contain_text("報告なし")
    expect(years.filter(has=page.locator("h4", has_text="令和5年度"))).to_contain_text("パトロール回数 203回")
    charted = [s for s in detail.get("series", []) if len(s["points"]) >= 2]
    expect(view.locator("svg.chart")).to_have_count(len(charted))
    if charted:
        expect(view.locator("svg.chart").first).to_be_visible()
    _shot(page, "measure.png")
    page.get_by_role("button", name="← チャットに戻る").click()
    expect(page.locator("#view-chat")).to_be_visible()
    expect(page.locator("#log article.msg.bot")).to_have_count(1)  # the conversation is still there


def test_chart_from_a_stubbed_series(ui: Session) -> None:
    """Draws the chart from a fixed series (whatever the server has), including across a gap year."""
    page = ui.page
    series = [
        {
            "measure_id": "m-x",
            "measure": COCO_MEASURE,
            "label": "パトロール回数",
            "unit": "回",
            "points": [
                {"fiscal_year": fy, "fiscal_year_label": f"{fy}", "value": v, "display": f"{v}回", "bullet_id": i}
                for i, (fy, v) in enumerate([(2017, 589), (2018, 472), (2022, 403), (2023, 203)])
            ],
        },
        {
            "measure_id": "m-x",
            "measure": COCO_MEASURE,
            "label": "単発",
            "unit": "件",
            "points": [
                {"fiscal_year": 2023, "fiscal_year_label": "2023", "value": 1, "display": "1件", "bullet_id": 9}
            ],
        },
    ]

    def stub(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        body["series"] = series
        route.fulfill(response=response, json=body)

    def options_without_years(route: Route) -> None:
        # As if /api/options had not answered yet when the page opened at the measure: the chart's year labels
        # must come with the measure itself.
        response = route.fetch()
        body = response.json()
        body["years"], body["year_labels"] = [], []
        route.fulfill(response=response, json=body)

    _, overview = _get_json(f"{ui.origin}/api/measures")
    measure_id = next(m["measure_id"] for s in overview["sections"] for m in s["measures"] if m["name"] == COCO_MEASURE)
    page.route(re.compile(r"/api/options$"), options_without_years)
    page.route(re.compile(r"/api/measures/[^/?]+$"), stub)
    ui.open(f"/#/measures/{measure_id}")
    charts = page.locator("#view-measure svg.chart")
    expect(charts).to_have_count(1)  # the one-point series is not drawn
    chart = charts.first
    expect(chart).to_be_visible()
    assert chart.get_attribute("role") == "img"
    expect(chart.locator("title")).to_have_text("パトロール回数の推移（単位：回）")
    desc = chart.locator("desc").text_content()
    assert "平成29年度 589回" in desc and "令和5年度 203回" in desc
    assert chart.locator(".val").all_text_contents() == ["589回", "472回", "403回", "203回"]
    assert chart.locator("circle.pt").count() == 4
    assert chart.locator(".seg-gap").count() == 1  # 平成30年度 → 令和4年度 spans the years with no report
    assert "令和元" in chart.locator(".tick-gap").all_text_contents()
    assert ui.console_errors == []


def test_staff_year_filter(ui: Session) -> None:
    page = ui.page
    ui.open()
    page.get_by_text("職員向け：絞り込み").click()
    page.locator("#f-years").get_by_label("令和5年度", exact=True).check()
    expect(page.locator("#active-filters")).to_contain_text("令和5年度")
    csv = page.get_by_role("link", name="CSVでダウンロード")
    expect(csv).to_have_attribute("href", re.compile(r"^/api/export\?format=csv&years=2023$"))
    answer = ui.ask("パトロールの取組みは？")
    assert ui.asks[-1]["filters"] == {"years": [2023]}
    years = answer.locator(".card-year")
    assert years.count() >= 1, "no source cards for a 令和5年度 question about patrols"
    for text in years.all_text_contents():
        assert "令和5年度" in text
    # the download links carry the filters and the question just asked
    href = csv.get_attribute("href")
    assert "years=2023" in href and "q=" in href
    download = page.request.get(ui.origin + href)
    assert download.ok, f"{href}: HTTP {download.status}"
    assert download.headers["content-type"].startswith("text/csv")
    assert "令和5年度" in download.text() or "2023" in download.text()
    assert (
        page.get_by_role("link", name="JSONでダウンロード").get_attribute("href").startswith("/api/export?format=json")
    )


def test_no_external_requests_and_no_console_errors(ui: Session) -> None:
    page = ui.page
    response = page.goto(ui.origin + "/")
    assert "script-src 'self'" in response.headers.get("content-security-policy", "")
    page.locator("#examples button").first.wait_for()
    ui.ask("防犯カメラの設置について知りたい")
    page.get_by_role("link", name="施策一覧").click()
    expect(page.locator("#measures-list a").first).to_be_visible()
    page.locator("#measures-list a", has_text=COCO_MEASURE).click()
    expect(page.locator("#measure-heading")).to_have_text(COCO_MEASURE)
    expect(page.get_by_role("button", name="← 施策一覧に戻る")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert ui.requests, "no requests were recorded"
    outside = [u for u in ui.requests if not u.startswith(ui.origin + "/")]
    assert outside == [], f"requests outside {ui.origin}: {outside}"
    assert ui.console_errors == [], ui.console_errors


def test_keyboard_reaches_the_labelled_input(ui: Session) -> None:
    page = ui.page
    ui.open()
    box = page.get_by_label("質問", exact=True)
    expect(box).to_have_count(1)
    assert box.evaluate("e => e.tagName") == "TEXTAREA"
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="質問の入力へ移動")).to_be_focused()
    for _ in range(40):  # plain Tab order, without the skip link, also gets there
        page.keyboard.press("Tab")
        if box.evaluate("e => e === document.activeElement"):
            break
    expect(box).to_be_focused()
    # Shift+Enter is a newline, Enter sends
    box.type("防犯")
    box.press("Shift+Enter")
    box.type("カメラ")
    assert box.input_value() == "防犯\nカメラ"
    assert ui.asks == []
    # the skip link jumps straight to the input
    page.goto(ui.origin + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(box).to_be_focused()


def test_api_errors_are_shown(ui: Session) -> None:
    page = ui.page
    ui.open()
    message = "質問が長すぎます。"
    page.route(
        "**/api/ask",
        lambda r: r.fulfill(status=422, json={"error": {"code": "question_too_long", "message": message}}),
    )
    page.get_by_label("質問", exact=True).fill("テスト")
    page.get_by_label("質問", exact=True).press("Enter")
    expect(page.get_by_role("alert").filter(has_text=message)).to_be_visible()
    expect(page.get_by_label("質問", exact=True)).to_have_value("テスト")  # kept for another try
    page.unroute("**/api/ask")
    page.route("**/api/ask", lambda r: r.abort())
    page.get_by_role("button", name="送信").click()
    expect(page.get_by_role("alert").filter(has_text="通信に失敗しました")).to_be_visible()
    page.unroute("**/api/ask")
    ui.console_errors.clear()  # the aborted request and the 422 are logged by Chromium


def test_phone_layout(browser, server: str) -> None:
    context, s = _new_session(
        browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    try:
        page = s.page
        s.open()
        answer = s.ask("高齢者の詐欺対策は？")
        answer.locator("button.cite").first.click()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        _shot(page, "phone.png")
        _, overview = _get_json(f"{server}/api/measures")
        coco = next(
            m["measure_id"] for sec in overview["sections"] for m in sec["measures"] if m["name"] == COCO_MEASURE
        )
        page.goto(f"{server}/#/measures/{coco}")
        expect(page.locator("#view-measure .years > section").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        _shot(page, "phone-measure.png")
        assert s.console_errors == []
    finally:
        context.close()


def test_api_docs_work_offline_under_the_csp(ui: Session) -> None:
    page = ui.page
    response = page.goto(ui.origin + "/docs")
    assert "script-src 'self'" in response.headers.get("content-security-policy", "")
    ops = page.locator(".opblock-summary-path")
    expect(ops.first).to_be_visible(timeout=ANSWER_TIMEOUT)
    paths = set(ops.evaluate_all("els => els.map((e) => e.dataset.path)"))
    assert {"/api/ask", "/api/search", "/api/measures/{measure_id}", "/api/export", "/api/health"} <= paths, paths
    page.wait_for_load_state("networkidle")
    outside = [u for u in ui.requests if not u.startswith(ui.origin + "/")]
    assert outside == [], f"requests outside {ui.origin}: {outside}"
    assert ui.console_errors == [], ui.console_errors
    _shot(page, "api-docs.png")
    assert page.goto(ui.origin + "/redoc").status == 404  # ReDoc needs inline styles; see assistant/docs.py


def _axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is now (axe-core bundled by axe-playwright-python, run in page)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {[n['html'][:120] for n in v['nodes']]}" for v in results.response["violations"]]


def test_ask_back_then_a_choice_then_a_suggestion(ui: Session) -> None:
    page = ui.page
    ui.open()
    answer = ui.ask("防犯カメラについて知りたい")
    expect(answer.locator(".lead")).to_contain_text("どの防犯カメラについてお知りになりたいですか。")
    choices = answer.get_by_role("group", name=re.compile("選択肢")).get_by_role("button")
    expect(choices).to_have_count(3)
    expect(answer.locator(".sources details")).to_have_count(3)  # each choice with its own preview citation
    assert _axe_violations(page) == []
    route = answer.get_by_role("button", name=re.compile("通学路防犯カメラ"))
    answers = page.locator("#log article.msg.bot")
    route.click()
    expect(answers).to_have_count(2, timeout=ANSWER_TIMEOUT)
    chosen = answers.nth(1)
    expect(chosen.locator(".lead")).to_contain_text("通学路防犯カメラの設置")
    sent = ui.asks[-1]
    assert sent["filters"]["measure_ids"] and [t["role"] for t in sent["history"]] == ["user", "assistant"]
    # The next questions are a labelled navigation of buttons, reachable by keyboard.
    nav = chosen.get_by_role("navigation", name=re.compile("次の質問の例"))
    responsible = nav.get_by_role("button", name=re.compile("担当はどこ"))
    responsible.focus()
    page.keyboard.press("Enter")
    expect(answers).to_have_count(3, timeout=ANSWER_TIMEOUT)
    expect(answers.nth(2).locator(".lead")).to_contain_text("担当は")
    expect(answers.nth(2).locator(".contact")).to_have_text(re.compile(r"^詳しくは.+にお問い合わせください。$"))
    _shot(page, "clarify.png")
    assert _axe_violations(page) == []
    assert ui.console_errors == []


def test_a_department_answer_ends_with_whom_to_contact_and_is_accessible_on_a_phone(browser, server: str) -> None:
    context, s = _new_session(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        s.open()
        answer = s.ask("学務課の取組みは？")
        expect(answer.locator(".contact")).to_have_text("詳しくは学務課にお問い合わせください。")
        assert _axe_violations(s.page) == []
        assert s.page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_only_server_marked_spans_become_citation_buttons(ui: Session) -> None:
    """A 「[7]」 in the lead's text stays text: the page reads lead_spans, never the lead's wording (issue 17)."""
    page = ui.page

    def typed_marker(route) -> None:  # type: ignore[no-untyped-def]
        body = route.fetch().json()
        body["lead_spans"] = [{"text": "「[7]」は入力された文字です。", "citation": None}, *body["lead_spans"]]
        body["lead"] = "「[7]」は入力された文字です。" + body["lead"]
        route.fulfill(json=body)

    page.route("**/api/ask", typed_marker)
    ui.open()
    answer = ui.ask("青パトは何台ありますか")
    lead = answer.locator(".lead")
    expect(lead).to_contain_text("「[7]」は入力された文字です。")
    buttons = lead.locator("button.cite")
    assert buttons.count() >= 1 and "[7]" not in buttons.all_inner_texts()
    assert ui.console_errors == []
