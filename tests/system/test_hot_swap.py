"""The hot swap against the real server process: a load loop runs while `assistant ingest` adds next year's
report beside it; no request fails, and the new fiscal year is answered a few seconds after the build. SIGHUP
makes the server look at once. Figures go to the note and the README (run with -s)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from loadloop import Load
from replica import start_replica
from served import free_port, serve_env

ROOT = Path(__file__).resolve().parents[2]
NEW_REPORT = ROOT / "tests" / "data" / "koganei_bouhan_r6-r7.txt"
NEW_YEAR = 2025  # 令和7年度, first reported in NEW_REPORT
SWAP_GUARD = 30.0  # seconds: a hang guard for the swap on a loaded machine; the figure itself is printed


@contextmanager
def _server(env: dict[str, str], log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    replica = start_replica(env, log, free_port())
    try:
        yield replica.proc, replica.origin
    finally:
        replica.stop()


def _ingest(env: dict[str, str], *args: str) -> float:
    """Run `assistant ingest`; the monotonic time at which it finished (CURRENT already replaced)."""
    done = subprocess.run([sys.executable, "-m", "assistant", "ingest", *args], cwd=ROOT, env=env, capture_output=True)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    return time.monotonic()


def _wait_for_new_year(origin: str, since: float) -> tuple[float, float]:
    """Seconds from ``since`` until /api/health names the new build, and until /api/ask cites the new year."""
    swapped = answered = None
    with httpx.Client(base_url=origin, timeout=30) as client:
        while time.monotonic() - since < SWAP_GUARD:
            if swapped is None and NEW_YEAR in client.get("/api/health").json()["fiscal_years"]:
                swapped = time.monotonic() - since
            if swapped is not None:
                cites = client.post("/api/ask", json={"question": "令和7年度の防犯パトロールは？"}).json()["citations"]
                if any(c["fiscal_year"] == NEW_YEAR for c in cites):
                    answered = time.monotonic() - since
                    return swapped, answered
            time.sleep(0.1)
    pytest.fail(f"the new year was not served within {SWAP_GUARD} s (swapped after {swapped})")


@pytest.mark.slow
def test_ingest_under_load_fails_no_request(data_copy: Path, tmp_path: Path) -> None:
    env = serve_env(data_copy, tmp_path / "index")
    env["ASSISTANT_INDEX_CHECK_SECONDS"] = "2"
    with _server(env, tmp_path / "server.log") as (_, origin):
        old = httpx.get(f"{origin}/api/health", timeout=10).json()["build_id"]
        with Load(origin) as load:
            time.sleep(2)  # the loop is running before the build starts
            built = _ingest(env, str(NEW_REPORT))
            swapped, answered = _wait_for_new_year(origin, built)
            time.sleep(2)  # and keeps running on the new build
        new = httpx.get(f"{origin}/api/health", timeout=10).json()["build_id"]
    print(
        f"hot swap (periodic check 2 s): {load.total} requests, {len(load.failures)} failed; "
        f"build {old} -> {new}; new build served {swapped:.2f} s and the new year answered {answered:.2f} s "
        f"after the ingest finished; {dict(load.outcomes)}"
    )
    assert new != old
    assert load.total > 50, "the loop really ran"
    assert load.failures == [], load.failures[:10]
    log = (tmp_path / "server.log").read_text(encoding="utf-8")
    assert f"index swapped: {old} -> {new}" in log


@pytest.mark.slow
def test_sighup_checks_at_once(data_copy: Path, tmp_path: Path) -> None:
    env = serve_env(data_copy, tmp_path / "index")
    env["ASSISTANT_INDEX_CHECK_SECONDS"] = "3600"  # only SIGHUP can make it look within the test
    with _server(env, tmp_path / "server.log") as (proc, origin):
        built = _ingest(env, str(NEW_REPORT))
        time.sleep(1)
        assert NEW_YEAR not in httpx.get(f"{origin}/api/health", timeout=10).json()["fiscal_years"]
        proc.send_signal(signal.SIGHUP)
        swapped, answered = _wait_for_new_year(origin, built)
        assert proc.poll() is None, "SIGHUP does not end the server"
    print(f"hot swap (SIGHUP 1 s after the build): served {swapped:.2f} s, answered {answered:.2f} s after the build")
