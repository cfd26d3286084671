"""The index hot swap in process (api/reload.py): a new build is swapped in between requests, the old one keeps
answering what is in flight, a build that fails verification is never served, /api/health names the build."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.reload import IndexWatcher
from assistant.config import Settings
from assistant.retrieval.embed import load_embedder
from assistant.retrieval.index import current_build
from assistant.service import Assistant, ingest_configured, open_assistant

ROOT = Path(__file__).resolve().parents[2]
NEW_REPORT = ROOT / "tests" / "data" / "koganei_bouhan_r6-r7.txt"


@pytest.fixture
def served(index_copy: Path, data_copy: Path) -> Iterator[TestClient]:
    """The app over a private index copy, with the periodic check off (the tests call check() themselves)."""
    settings = Settings(data_dir=data_copy, index_dir=index_copy, embedder="fake", index_check_seconds=0)
    with TestClient(create_app(settings, open_assistant(settings, build=False))) as client:
        yield client


def _watcher(client: TestClient) -> IndexWatcher:
    return client.app.state.index_watcher  # type: ignore[attr-defined, no-any-return]


def _point_at(index_dir: Path, build_id: str) -> None:
    tmp = index_dir / "CURRENT.tmp"
    tmp.write_text(build_id + "\n", encoding="utf-8")
    os.replace(tmp, index_dir / "CURRENT")


def _ingest_next_year(client: TestClient) -> str:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    served: Assistant = client.app.state.assistant  # type: ignore[attr-defined]
    _, result = ingest_configured(settings, served.searcher.embedder, add=NEW_REPORT)  # type: ignore[arg-type]
    return result.manifest.build_id


def test_new_build_is_swapped_in_and_the_old_one_finishes(served: TestClient) -> None:
    before = served.get("/api/health").json()
    assert 2025 not in before["fiscal_years"]
    old: Assistant = served.app.state.assistant  # type: ignore[attr-defined]
    assert _watcher(served).check() is None, "nothing new: no swap"

    new_id = _ingest_next_year(served)
    swap = _watcher(served).check()
    assert swap is not None and (swap.old, swap.new) == (before["build_id"], new_id)
    health = served.get("/api/health").json()
    assert health["build_id"] == new_id and 2025 in health["fiscal_years"] and health["reload_error"] is None
    answer = served.post("/api/ask", json={"question": "令和7年度の防犯パトロールは？"}).json()
    assert any(c["fiscal_year"] == 2025 for c in answer["citations"]), answer["citations"]
    # a request that took the old assistant before the swap still answers from it
    assert old.index.manifest.build_id == before["build_id"]
    assert old.searcher.search("防犯パトロール", top_k=3).hits
    assert _watcher(served).check() is None, "swapped once"


def test_a_build_that_fails_verification_is_never_served(
    served: TestClient, index_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = served.get("/api/health").json()["build_id"]
    current = current_build(index_copy)
    assert current is not None
    bad = index_copy / "builds" / "29990101T000000000000Z-damaged"
    shutil.copytree(current, bad)
    (bad / "vectors.faiss").write_bytes(b"not a faiss index")
    _point_at(index_copy, bad.name)

    assert _watcher(served).check() is None
    health = served.get("/api/health").json()
    assert health["build_id"] == good and health["status"] == "ok"
    assert bad.name in health["reload_error"] and "damaged" in health["reload_error"]
    assert served.post("/api/ask", json={"question": "高齢者の詐欺対策は？"}).status_code == 200
    assert _watcher(served).check() is None
    refusals = [r for r in caplog.records if "was not loaded" in r.getMessage()]
    assert len(refusals) == 1, "the refused build is not loaded again until CURRENT moves"

    new_id = _ingest_next_year(served)  # the next good build replaces it
    assert _watcher(served).check() is not None
    health = served.get("/api/health").json()
    assert health["build_id"] == new_id and health["reload_error"] is None


def test_a_server_without_an_index_loads_the_first_build(data_copy: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=data_copy, index_dir=tmp_path / "index", embedder="fake", index_check_seconds=0)
    with TestClient(create_app(settings, build=False)) as client:
        for _ in range(200):  # the background load fails at once: there is no index
            if client.get("/api/health").json()["status"] == "error":
                break
            time.sleep(0.05)
        assert client.get("/api/health").status_code == 503
        assert not (tmp_path / "index" / "CURRENT").exists(), "--no-build never builds"
        ingest_configured(settings, load_embedder("fake"))
        assert _watcher(client).check() is not None
        assert client.get("/api/health").json()["status"] == "ok"
