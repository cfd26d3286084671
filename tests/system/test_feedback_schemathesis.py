"""Property-based fuzzing of /api/feedback and /api/staff/* from the OpenAPI schema, with the staff token and
a rate limit high enough that the generated bodies reach the store: no input may produce a server error."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.feedback.store import Coverage, NewFeedback, Rating
from assistant.service import Assistant

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "schemathesis-staff-token-0123456789"
_TMP = Path(tempfile.mkdtemp(prefix="feedback-fuzz-"))
APP = create_app(
    Settings(
        data_dir=ROOT / "data",
        index_dir=_TMP / "index",
        embedder="fake",
        feedback_db=_TMP / "feedback.sqlite",
        staff_token=TOKEN,
        feedback_rate_burst=100_000,
        feedback_max_per_day=100_000,
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(path_regex="^/api/(feedback|staff/)")


@pytest.fixture(autouse=True)
def loaded(assistant: Assistant) -> Iterator[None]:
    APP.state.assistant, APP.state.load_error = assistant, None
    yield
    APP.state.assistant = None


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_with_the_token(case) -> None:
    store = APP.state.feedback_store
    if store is not None and store.count() == 0:  # some rows, so that ids and filters meet data
        for rating in Rating:
            store.add(NewFeedback("防犯カメラ", "防犯カメラ", Coverage.NONE, rating, "=1+1"), max_per_day=10)
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert response.json()["error"]["message"]


def test_the_fuzzed_operations() -> None:
    ops = {f"{r.ok().method.upper()} {r.ok().path}" for r in schema.get_all_operations()}
    assert ops == {
        "POST /api/feedback",
        "GET /api/staff/feedback",
        "GET /api/staff/stats",
        "POST /api/staff/feedback/{item_id}/handled",
        "GET /api/staff/export",
    }
