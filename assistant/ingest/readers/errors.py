"""The one error a reader raises: a file it cannot read as a report table, said in one line."""

from __future__ import annotations

from assistant.ingest.parse import ParseError


class ReaderError(ParseError):
    """A PDF or workbook refused before any table semantics (scan, encrypted, truncated, not a table)."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(file, 0, message)
        self.args = (f"{file}: {message}",)

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"
