"""Property-based API fuzzing from the service's own OpenAPI schema: no input the schema allows (or nearly
allows) may produce a server error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from test_api import assistant  # noqa: F401 - the module-scoped assistant fixture

from assistant.api import create_app
from assistant.config import Settings
from assistant.service import Assistant

ROOT = Path(__file__).resolve().parents[1]
# The schema does not depend on the data, so the app is made at import; the loaded assistant is attached
# before each test (schemathesis's ASGI transport does not run the lifespan).
APP = create_app(Settings(data_dir=ROOT / "data", embedder="fake"))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(autouse=True)
def loaded(assistant: Assistant) -> Iterator[None]:  # noqa: F811
    APP.state.assistant, APP.state.load_error = assistant, None
    yield
    APP.state.assistant = None


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert response.json()["error"]["message"]
