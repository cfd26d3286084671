"""Property-based API fuzzing from the service's own OpenAPI schema: no input the schema allows (or nearly
allows) may produce a server error, and every response conforms to the contract: a documented status code,
content type and headers, a body that matches its schema, input the schema forbids rejected, and a 405 that names
the allowed methods. Not checked: that every input the schema allows is accepted (positive_data_acceptance):
filter values must exist in the data (years: [1999] is a 422), which a schema cannot say."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.service import Assistant

ROOT = Path(__file__).resolve().parents[2]
# The schema does not depend on the data, so the app is made at import; the loaded assistant is attached
# before each test (schemathesis's ASGI transport does not run the lifespan).
# Its own index and feedback directories: the app must never write into the project's index/ or var/.
_TMP = Path(tempfile.mkdtemp(prefix="schemathesis-"))
APP = create_app(
    Settings(data_dir=ROOT / "data", index_dir=_TMP / "index", embedder="fake", feedback_db=_TMP / "feedback.sqlite")
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(autouse=True)
def loaded(assistant: Assistant) -> Iterator[None]:
    APP.state.assistant, APP.state.load_error = assistant, None
    yield
    APP.state.assistant = None


def negative_data_rejection(ctx, response, case):
    """Input the schema forbids is rejected; 413 (a body over the byte limit) is a rejection too."""
    if response.status_code == 413:
        return None
    return checks.negative_data_rejection(ctx, response, case)


CONFORMANCE = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    negative_data_rejection,
    checks.allow_header_conformance,
]


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_responses_conform_to_the_schema(case) -> None:
    response = case.call_and_validate(checks=CONFORMANCE)
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert response.json()["error"]["message"]


# ---- what the fuzzing relies on: the schema says what is enforced -------------------------------------------


def test_the_schema_states_the_limits_that_are_enforced() -> None:
    from fastapi.testclient import TestClient

    with TestClient(APP) as c:
        doc = c.get("/openapi.json").json()
        schemas = doc["components"]["schemas"]
        for name in ("AskRequest", "SearchRequest"):
            question = schemas[name]["properties"]["question"]
            assert (question["minLength"], question["maxLength"]) == (1, 500)
        export = doc["paths"]["/api/export"]["get"]["parameters"]
        q = next(p for p in export if p["name"] == "q")["schema"]
        assert max(s.get("maxLength", 0) for s in q.get("anyOf", [q])) == 500
        assert c.get("/api/export", params={"q": "防" * 500}).status_code == 200
        assert c.get("/api/export", params={"q": "防" * 501}).status_code == 422
        assert "404" in doc["paths"]["/api/measures/{measure_id}"]["get"]["responses"]
        assert "Retry-After" in doc["paths"]["/api/ask"]["post"]["responses"]["503"]["headers"]


@pytest.mark.parametrize(("method", "path", "allow"), [("GET", "/api/ask", "POST"), ("DELETE", "/api/health", "GET")])
def test_405_names_the_allowed_methods(method: str, path: str, allow: str) -> None:
    from fastapi.testclient import TestClient

    with TestClient(APP) as c:
        r = c.request(method, path)
    assert r.status_code == 405 and r.headers["allow"] == allow and r.json()["error"]["code"] == "method_not_allowed"
