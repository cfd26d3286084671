"""Two replicas behind real nginx (Debian's) with the PostgreSQL feedback store, as docs/deployment.md sets them
up: deploy/nginx/assistant.conf with its ports substituted, `assistant serve --no-build` twice on one index.

Under a load loop through nginx one replica is killed with SIGKILL. GET and /api/ask must not fail
(proxy_next_upstream sends them to the other replica), every feedback row acknowledged with a 201 must be in
the database, and the daily cap must hold across both replicas. Figures are printed for the note (-s).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from feedback_backends import Backend
from loadloop import Load
from pgserver import PostgresServer, unprivileged_prefix
from replica import Replica, ready, start_replica
from served import free_port, serve_env

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "assistant.conf"
CAP = 300  # feedback rows a day, across both replicas
TOKEN = "replica-staff-token-0123456789abcdef"


def render_site(ports: list[int], listen: int) -> str:
    """The shipped site file with the test's replica ports and listen port. The feedback rate limit per client
    address is raised: every request of the test comes from 127.0.0.1 (the rest is as shipped)."""
    text = SITE.read_text(encoding="utf-8")
    servers = [m.group(0) for m in re.finditer(r"server 127\.0\.0\.1:\d+ [^;]*;", text)]
    assert len(servers) == len(ports), servers
    for line, port in zip(servers, ports, strict=True):
        text = text.replace(line, re.sub(r":\d+", f":{port}", line, count=1))
    text = text.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    return text.replace("rate=6r/m", "rate=100000r/s").replace("burst=10 nodelay", "burst=100000 nodelay")


@dataclass
class Nginx:
    proc: subprocess.Popen[bytes]
    base: Path
    origin: str

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(30)
        shutil.rmtree(self.base, ignore_errors=True)


def start_nginx(ports: list[int]) -> Nginx:
    """nginx in the foreground with every path in a private folder; as www-data (or nobody) when run as root."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is missing: apt-get install nginx-light (make setup-test does it)"
    prefix, user = unprivileged_prefix(("www-data", "nobody"))
    base = Path(tempfile.mkdtemp(prefix="assistant-nginx-"))
    listen = free_port()
    (base / "assistant.conf").write_text(render_site(ports, listen), encoding="utf-8")
    temps = " ".join(
        f"{kind}_temp_path {base}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (base / "nginx.conf").write_text(
        f"worker_processes 1;\npid {base}/nginx.pid;\nerror_log {base}/error.log warn;\n"
        "events { worker_connections 512; }\n"
        f"http {{\n  access_log {base}/access.log;\n  {temps}\n  include {base}/assistant.conf;\n}}\n",
        encoding="utf-8",
    )
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
    cmd = [*prefix, nginx, "-p", str(base), "-e", str(base / "error.log"), "-c", str(base / "nginx.conf"),
           "-g", "daemon off;"]  # fmt: skip
    check = subprocess.run([*cmd[:-2], "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Nginx(proc, base, f"http://127.0.0.1:{listen}")
    deadline = time.monotonic() + 30
    while not ready(server.origin):
        assert proc.poll() is None and time.monotonic() < deadline, (base / "error.log").read_text(encoding="utf-8")
        time.sleep(0.1)
    return server


@pytest.fixture
def deployment(
    data_copy: Path, tmp_path: Path, postgres: PostgresServer
) -> Iterator[tuple[Nginx, list[Replica], Backend, dict[str, str]]]:
    schema = f"replicas_{os.getpid()}"
    postgres.create_schema(schema)
    backend = Backend("postgres", server=postgres, schema=schema)
    env = serve_env(data_copy, tmp_path / "index")
    env.update(backend.env())
    env.update(ASSISTANT_FEEDBACK_MAX_PER_DAY=str(CAP), ASSISTANT_FEEDBACK_RATE_BURST="100000",
               ASSISTANT_STAFF_TOKEN=TOKEN)  # fmt: skip
    built = subprocess.run([sys.executable, "-m", "assistant", "ingest"], cwd=ROOT, env=env, capture_output=True)
    assert built.returncode == 0, built.stderr.decode("utf-8", "replace")[-2000:]
    replicas = [start_replica(env, tmp_path / f"replica-{i}.log", free_port(), "--no-build") for i in range(2)]
    nginx = start_nginx([r.port for r in replicas])
    try:
        yield nginx, replicas, backend, env
    finally:
        nginx.stop()
        for r in replicas:
            r.stop()


def _press(client: httpx.Client, n: int) -> httpx.Response:
    body = {"question": f"防犯カメラ {n}", "coverage": "none", "rating": "not_helpful", "comment": f"press {n}"}
    return client.post("/api/feedback", json=body)


@pytest.mark.slow
def test_sigkill_one_replica_under_load(
    deployment: tuple[Nginx, list[Replica], Backend, dict[str, str]], tmp_path: Path
) -> None:
    nginx, replicas, backend, env = deployment
    acked: dict[int, str] = {}
    refused: list[int] = []
    stop = threading.Event()

    def feedback_writer() -> None:
        with httpx.Client(base_url=nginx.origin, timeout=30) as client:
            for n in range(150):  # well under CAP: the cap is checked below, with both replicas up
                if stop.is_set():
                    return
                try:
                    r = _press(client, n)
                except httpx.HTTPError:
                    refused.append(n)
                    continue
                if r.status_code == 201:
                    acked[r.json()["id"]] = f"防犯カメラ {n}"
                else:
                    refused.append(r.status_code)
                time.sleep(0.02)

    writer = threading.Thread(target=feedback_writer)
    with Load(nginx.origin, threads=4) as load:
        writer.start()
        time.sleep(3)
        before_kill = load.total
        replicas[0].proc.kill()  # SIGKILL: no graceful shutdown, connections dropped mid-request
        replicas[0].proc.wait(30)
        killed_at = time.monotonic()
        time.sleep(6)
        stop.set()
    writer.join(60)
    print(
        f"two replicas behind nginx, one SIGKILLed after {before_kill} requests: {load.total} requests, "
        f"{len(load.failures)} failed ({load.failures[:5]}); {dict(load.outcomes)}; "
        f"feedback: {len(acked)} acknowledged, {len(refused)} not ({refused[:5]})"
    )
    assert load.failures == [], f"failed while nginx noticed: {load.failures[:10]}"
    assert time.monotonic() - killed_at >= 6
    rows = backend.rows()
    lost = {i: q for i, q in acked.items() if rows.get(i, ("",))[0] != q}
    assert not lost, f"{len(lost)} acknowledged feedback rows lost"

    # The killed replica comes back (systemd's Restart=always); then the daily cap holds across both.
    replicas[0] = start_replica(env, replicas[0].log, replicas[0].port, "--no-build")
    stored = len(backend.rows())

    def fill(origin: str) -> tuple[int, int]:
        created = limited = 0
        with httpx.Client(base_url=origin, timeout=30) as client:
            for n in range(CAP):
                r = _press(client, 10_000 + n)
                if r.status_code == 201:
                    created += 1
                elif r.status_code == 429 and r.json()["error"]["code"] == "daily_limit":
                    limited += 1
                    if limited >= 5:
                        break
                else:
                    raise AssertionError(r.text)
        return created, limited

    with ThreadPoolExecutor(4) as pool:  # two writers on each replica, straight to it
        results = list(pool.map(fill, [r.origin for r in replicas] * 2))
    created = sum(c for c, _ in results)
    print(f"daily cap {CAP} across two replicas: {stored} rows before, {created} more accepted, then 429 on both")
    assert stored + created == CAP and len(backend.rows()) == CAP
    assert all(limited >= 5 for _, limited in results), "every writer on both replicas hit the cap"
    staff = httpx.get(f"{nginx.origin}/api/staff/stats", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert staff.status_code == 200 and staff.json()["total"] == CAP
