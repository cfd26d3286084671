"""What /api/health and a 503 say about a failure to anyone who asks: a reason code and a short message, without
the server's file paths (issue 17: they showed /srv/…/index/builds/…). The whole message, paths included, goes
to the log (where it is written when the failure happens) and to the CLI."""

from __future__ import annotations

import re

from assistant.ingest.parse import ParseError
from assistant.ingest.storage import StorageError
from assistant.retrieval.embed import EmbedderError
from assistant.retrieval.index import IndexError_

# An absolute path: "/" then name characters, repeated. The name class excludes "/", so each repetition starts at
# a slash and the pattern is linear. Only the last name (a file or build name) is kept.
_PATH = re.compile(r"(?:/[^\s/:'\"(),;]+)+/?")
REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (ParseError, "data_invalid"),
    (StorageError, "storage_error"),
    (IndexError_, "index_invalid"),
    (EmbedderError, "embedder_unavailable"),
    (OSError, "io_error"),
)
MAX_CHARS = 300


def without_paths(text: str) -> str:
    """``text`` with every absolute path reduced to its last name: 「/srv/a/index/builds/X/vectors.faiss」 →
    「vectors.faiss」."""
    return _PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1] or "/", text)


def reason_code(e: BaseException) -> str:
    return next((code for kind, code in REASONS if isinstance(e, kind)), "internal")


def public_reason(e: BaseException | str, code: str | None = None) -> str:
    """「code: message」 for a response: the code from the exception's kind (or ``code``), the message its first
    line without paths, cut to MAX_CHARS."""
    if code is None:
        code = reason_code(e) if isinstance(e, BaseException) else "error"
    if code == "internal":  # an unexpected error's text may say anything: the log has it
        return "internal: see the server log"
    first = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{code}: {without_paths(first)[:MAX_CHARS]}" if first else code
