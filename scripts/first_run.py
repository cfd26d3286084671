"""The first run as a new user meets it: a fresh clone, `make serve`, the time to the first answered /api/ask.

    python3 scripts/first_run.py [--repo PATH] [--shared PATH] [--keep] [--timeout S] [--json] [--without-shipped]

Clones ``--repo`` (default: this checkout, its committed HEAD) into a temporary folder, links ``--shared`` (default
``../shared``) beside it as the clone's ``../shared``, runs ``make serve PORT=<free port>`` there with the
machine's registries, and polls ``POST /api/ask`` until it answers 200. Prints the seconds from the start of
``make serve`` to that answer, the phases (install, ingest, index load), the size of the clone's ``.venv`` and
the load average before and after, since other processes on a shared machine slow every phase. Removes the
temporary folder unless ``--keep``. ``--without-shipped`` deletes the clone's ``data/embeddings/`` first: the
first start then embeds every passage, as it did before the vectors were shipped. Not a test: nothing is
asserted; the targets (60 s, 700 MB) are printed beside the figures.

Only standard-library Python: it runs before any venv exists.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "高齢者の詐欺対策は？"
TARGET_SECONDS = 60
TARGET_VENV_MB = 700


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ask(port: int) -> int | None:
    body = json.dumps({"question": QUESTION}, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/ask", data=body, headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:  # 503 while the index loads
        return int(e.code)
    except OSError:  # not listening yet
        return None


def tree_mb(path: Path) -> float:
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                total += os.lstat(p).st_blocks * 512  # on disk, as `du` counts
    return total / 1e6


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(repo: Path, shared: Path, timeout: float, keep: bool, without_shipped: bool = False) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="first-run-"))
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    (work / "shared").symlink_to(shared.resolve())
    if without_shipped:
        shutil.rmtree(clone / "data" / "embeddings")
    port = free_port()
    log_path = work / "make-serve.log"
    marks: dict[str, float] = {}
    result: dict[str, object] = {"clone": str(clone), "port": port, "load_before": load()}
    started = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log_file:
        proc = subprocess.Popen(
            ["make", "serve", f"PORT={port}"],
            cwd=clone,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: make, the server and pip end together
        )
        try:
            status = None
            while time.perf_counter() - started < timeout and proc.poll() is None:
                now = time.perf_counter() - started
                if "installed" not in marks and (clone / ".venv" / ".installed").exists():
                    marks["installed"] = now
                if "ingested" not in marks and (clone / "index" / "CURRENT").exists():
                    marks["ingested"] = now
                status = ask(port)
                if status == 200:
                    marks["answered"] = time.perf_counter() - started
                    break
                time.sleep(0.25)
            result["last_status"] = status
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    result.update({f"{k}_s": round(v, 1) for k, v in marks.items()})
    result["venv_mb"] = round(tree_mb(clone / ".venv"), 1)
    result["load_after"] = load()
    result["log_tail"] = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-8:]
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        result["kept"] = str(work)
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repo", type=Path, default=ROOT, help="the repository to clone (its HEAD)")
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="linked beside the clone")
    p.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    p.add_argument("--keep", action="store_true", help="keep the temporary clone (and its .venv)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--without-shipped", action="store_true", help="delete data/embeddings/ in the clone first")
    args = p.parse_args()
    r = run(args.repo, args.shared, args.timeout, args.keep, args.without_shipped)
    if args.json:
        print(json.dumps(r, ensure_ascii=False, indent=2))
        return
    answered = r.get("answered_s")
    print(f"load average before: {r['load_before']}  after: {r['load_after']}  (1, 5, 15 min; 2 cores)")
    for key, what in (("installed_s", "pip install done"), ("ingested_s", "index built (ingest)")):
        if key in r:
            print(f"{what:>28}: {r[key]:6.1f} s after `make serve`")
    if answered is None:
        print(f"no 200 from /api/ask within {args.timeout:.0f} s (last status {r['last_status']}); log tail:")
        print("\n".join(f"    {line}" for line in r["log_tail"]))  # type: ignore[union-attr]
    else:
        print(f"{'first 200 from /api/ask':>28}: {answered:6.1f} s   (target ≤ {TARGET_SECONDS} s)")
    print(f"{'.venv size':>28}: {r['venv_mb']:6.1f} MB  (target ≤ {TARGET_VENV_MB} MB)")
    if answered is None:
        sys.exit(1)


if __name__ == "__main__":
    main()
