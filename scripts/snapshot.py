"""Every API response for a fixed set of requests, as JSON lines: run before and after a refactor and compare.

    .venv/bin/python scripts/snapshot.py > /tmp/before.jsonl
    # … change the code …
    .venv/bin/python scripts/snapshot.py > /tmp/after.jsonl && cmp /tmp/before.jsonl /tmp/after.jsonl

The requests: both answer files and the retrieval file of ../shared/eval through /api/ask and /api/search,
every measure's timeline, the options, and both exports. In process (TestClient), against the built index.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import get_settings
from assistant.service import open_assistant

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
EXTRA = Path(__file__).resolve().parent.parent / "tests" / "data"


def questions() -> list[dict[str, object]]:
    rows = []
    for path in (EVAL / "answers_dev.jsonl", EXTRA / "answers_extra.jsonl", EVAL / "dev_queries.jsonl"):
        if path.exists():
            rows.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return rows


def main() -> None:
    settings = get_settings()
    assistant = open_assistant(settings, build=False)
    out = sys.stdout
    with TestClient(create_app(settings, assistant)) as client:

        def dump(method: str, url: str, body: object = None) -> None:
            r = client.request(method, url, json=body)
            payload = r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text
            record = {"request": [method, url, body], "status": r.status_code, "body": payload}
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")

        for row in questions():
            history = row.get("history", [])
            dump("POST", "/api/ask", {"question": row["q"], "history": history})
            dump("POST", "/api/search", {"question": row["q"], "top_k": 10})
        dump("GET", "/api/options")
        measures = client.get("/api/measures").json()
        dump("GET", "/api/measures")
        for section in measures["sections"]:
            for m in section["measures"]:
                dump("GET", f"/api/measures/{m['measure_id']}")
        dump("GET", "/api/export?format=json&q=防犯カメラ")
        dump("GET", "/api/export?format=csv&years=2023")


if __name__ == "__main__":
    main()
