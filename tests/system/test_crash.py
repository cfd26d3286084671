"""Crash safety: `assistant ingest` killed with SIGKILL at many points leaves the previous store and index
intact and loadable, and data/ either without the new report or with all of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.retrieval.index import current_build, load_index

ROOT = Path(__file__).resolve().parents[2]
NEW_REPORT = ROOT / "tests" / "data" / "koganei_bouhan_r6-r7.txt"


def _env(data_dir: Path, index_dir: Path) -> dict[str, str]:
    env = os.environ.copy()
    env.update(ASSISTANT_DATA_DIR=str(data_dir), ASSISTANT_INDEX_DIR=str(index_dir), ASSISTANT_EMBEDDER="fake")
    return env


def _ingest(env: dict[str, str], *args: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "assistant", "ingest", *args]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow
def test_sigkill_during_ingest_never_damages_the_served_index(data_copy: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    env = _env(data_copy, index_dir)
    assert _ingest(env).wait(120) == 0
    original = load_index(index_dir, "fake:64").manifest
    # data/ has folders too (embeddings/): every file under it, by its path inside data/.
    seed_files = {p.relative_to(data_copy).as_posix(): p.read_bytes() for p in data_copy.rglob("*") if p.is_file()}

    started = time.perf_counter()
    assert _ingest(env, "--force").wait(120) == 0
    full = time.perf_counter() - started
    builds_seen = {original.build_id, load_index(index_dir, "fake:64").manifest.build_id}

    # Kill points spread over a whole run, from interpreter start-up to the final rename.
    for i, fraction in enumerate((0.05, 0.2, 0.35, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)):
        args = ("--force",) if i % 2 else (str(NEW_REPORT),)
        proc = _ingest(env, *args)
        time.sleep(full * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        loaded = load_index(index_dir, "fake:64")  # must not raise
        assert len(loaded.corpus.bullets) == loaded.manifest.bullets
        builds_seen.add(loaded.manifest.build_id)
        # data/ holds the seeds untouched, and the new report either not at all or whole.
        for name, content in seed_files.items():
            assert (data_copy / name).read_bytes() == content
        added = data_copy / NEW_REPORT.name
        assert not added.exists() or added.read_bytes() == NEW_REPORT.read_bytes()

    # Whatever was interrupted, the next ingest completes and serves.
    assert _ingest(env).wait(120) == 0
    final = load_index(index_dir, "fake:64")
    assert final.manifest.bullets == len(final.corpus.bullets)
    assert current_build(index_dir) is not None
    assert len(list((index_dir / "builds").iterdir())) <= 3, "old and partial builds are pruned"
    assert len(builds_seen) >= 2
    assert not list(data_copy.glob(".*.tmp")), "a copy killed midway leaves no temporary file behind"
