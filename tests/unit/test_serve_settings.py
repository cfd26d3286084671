"""`assistant serve` hands uvicorn the proxy and connection settings (issue 17, items 5 and 10)."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.api.connections import RESERVED_FDS, connection_limit
from assistant.cli import app
from assistant.config import get_settings


def _serve(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app_, **kw: seen.update(kw, app=app_))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "fake")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--no-build"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return seen


def test_no_proxy_header_is_trusted_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _serve(monkeypatch)
    assert seen["proxy_headers"] is False and seen["forwarded_allow_ips"] == ""
    assert not isinstance(seen["app"], str)  # the app object, as before


def test_a_named_proxy_is_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _serve(monkeypatch, ASSISTANT_FORWARDED_ALLOW_IPS="10.0.0.5,10.0.1.0/24")
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "10.0.0.5,10.0.1.0/24"


def test_connections_are_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _serve(monkeypatch, ASSISTANT_MAX_CONNECTIONS="300")
    assert seen["limit_concurrency"] == min(300, connection_limit(300))
    assert seen["http"].max_connections == seen["limit_concurrency"]


def test_the_limit_stays_below_the_open_file_limit() -> None:
    assert connection_limit(4096, nofile=1024) == 1024 - RESERVED_FDS
    assert connection_limit(100, nofile=1024) == 100
    assert connection_limit(10, nofile=10) == 1
