"""Whom to contact: ``data/departments.tsv``, one line per department the reports name, filled in by the city.

Columns (tab-separated; ``#`` starts a comment): the department as the reports name it, an optional display
name, an optional contact text (a phone number, a counter) and an optional URL. Every column but the first may
be empty, and a department the reports name but the file lacks still works: the answer names it as the reports
do. Nothing here is invented: no phone number appears unless the file holds it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.domain import messages as msg

log = logging.getLogger(__name__)
FILE = "departments.tsv"
_COLUMNS = 4


@dataclass(frozen=True)
class Contact:
    """Whom to ask for more: a department the reports name, with what data/departments.tsv adds (maybe nothing)."""

    department: str  # as the reports name it
    name: str  # as shown: the file's display name, else the department
    text: str = ""  # the file's contact text, never invented
    url: str = ""

    @property
    def sentence(self) -> str:
        line = msg.CONTACT.format(department=self.name)
        return line + msg.CONTACT_DETAIL.format(text=self.text) if self.text else line


@dataclass(frozen=True)
class Departments:
    """The file's lines by department name."""

    lines: dict[str, Contact] = field(default_factory=dict)

    def contact(self, department: str) -> Contact:
        return self.lines.get(department) or Contact(department, department)

    def missing(self, names: Iterable[str]) -> list[str]:
        """Departments of a report the file does not list (for the ingest dry run), in order, once each."""
        return [n for n in dict.fromkeys(names) if n not in self.lines]


def parse_departments(text: str, source: str = FILE) -> Departments:
    """The table; a line with a URL that is not http(s) is kept without it, and says so in the log."""
    lines: dict[str, Contact] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in raw.split("\t")][:_COLUMNS]
        cells += [""] * (_COLUMNS - len(cells))
        name, display, contact, url = cells
        if not name:
            log.warning("%s line %d: no department name; line ignored", source, number)
            continue
        if url and not url.startswith(("https://", "http://")):
            log.warning("%s line %d: the URL must start with https:// or http://; ignored", source, number)
            url = ""
        lines[name] = Contact(name, display or name, contact, url)
    return Departments(lines)


def load_departments(path: Path) -> Departments:
    """The file at ``path``; a missing file is an empty table (every department shown as the reports name it)."""
    try:
        return parse_departments(path.read_text(encoding="utf-8"), path.name)
    except FileNotFoundError:
        return Departments()
