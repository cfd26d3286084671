"""A bounded load loop for the hot-swap and replica tests: a few threads send a mix of GET and /api/ask requests
until told to stop, and count every answer that is not a 200 (or no answer at all)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

QUESTIONS = ("高齢者の詐欺対策は？", "防犯カメラの設置台数は？", "青パトの活動は？", "子どもの見守りについて")
PATHS = ("/api/health", "/api/measures", "/api/options")


@dataclass
class Load:
    origin: str
    threads: int = 4
    timeout: float = 30.0
    stop: threading.Event = field(default_factory=threading.Event)
    outcomes: Counter[str] = field(default_factory=Counter)  # "GET 200", "POST /api/ask 502", "GET error: …"
    failures: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)

    def _record(self, what: str, ok: bool) -> None:
        with self._lock:
            self.outcomes[what] += 1
            if not ok:
                self.failures.append(f"{time.monotonic():.2f} {what}")

    def _work(self, n: int) -> None:
        # a new connection per request would test the kernel, not the service; one client per thread
        with httpx.Client(base_url=self.origin, timeout=self.timeout) as client:
            i = n
            while not self.stop.is_set():
                i += 1
                try:
                    if i % 2:
                        r = client.post("/api/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]})
                        self._record(f"POST /api/ask {r.status_code}", r.status_code == 200)
                    else:
                        r = client.get(PATHS[i % len(PATHS)])
                        self._record(f"GET {r.status_code}", r.status_code == 200)
                except httpx.HTTPError as e:
                    self._record(f"{'POST /api/ask' if i % 2 else 'GET'} error: {type(e).__name__}", False)

    def __enter__(self) -> Load:
        self._workers = [threading.Thread(target=self._work, args=(n,), daemon=True) for n in range(self.threads)]
        for w in self._workers:
            w.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for w in self._workers:
            w.join(60)

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())
