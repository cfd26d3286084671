"""Text normalisation for identity and indexing: NFKC, the corrections table, canonical measure ids.

Citations always show the verbatim text; only what is compared or indexed goes through here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_SPACES = re.compile(r"\s+")
# Characters that NFKC leaves apart but that are one character to a reader: a PDF's CID font maps the 〜 of
# 「11月12日〜25日」 to WAVE DASH U+301C where the text reports have FULLWIDTH TILDE U+FF5E (NFKC: "~").
_LOOKALIKES = str.maketrans({"\u301c": "~"})


@dataclass(frozen=True)
class Corrections:
    """Reviewable substitutions (wrong → right) read from ``data/corrections.tsv``."""

    pairs: tuple[tuple[str, str], ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # normalised new measure name → earlier name

    def apply(self, text: str) -> str:
        for wrong, right in self.pairs:
            text = text.replace(wrong, right)
        return text


def tsv_lines(path: Path, *, inline_comments: bool = False) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every line of a reviewable data file (corrections, aliases, synonyms,
    calibration) that is neither blank nor a comment; ``inline_comments``: ``#`` ends any line's content."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if inline_comments:
            line = line.split("#", 1)[0]
        if line.strip() and not line.lstrip().startswith("#"):
            yield n, line.split("\t")


def _read_tsv(path: Path, columns: int) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    if not path.exists():
        return rows
    for n, cells in tsv_lines(path):
        if len(cells) < columns or not all(c.strip() for c in cells[:columns]):
            raise ValueError(f"{path}:{n}: expected {columns} tab-separated fields, got {chr(9).join(cells)!r}")
        rows.append(tuple(c.strip() for c in cells[:columns]))
    return rows


def load_corrections(data_dir: Path) -> Corrections:
    """Read ``corrections.tsv`` and ``measure_aliases.tsv`` from ``data_dir`` (missing files = none)."""
    pairs = tuple(
        (unicodedata.normalize("NFKC", w), unicodedata.normalize("NFKC", r))
        for w, r in _read_tsv(data_dir / "corrections.tsv", 2)
    )
    # Longest first, so a correction is never pre-empted by a shorter one inside it.
    pairs = tuple(sorted(pairs, key=lambda p: -len(p[0])))
    base = Corrections(pairs)
    aliases = {
        normalize_text(new, base, squash=True): normalize_text(earlier, base, squash=True)
        for new, earlier in _read_tsv(data_dir / "measure_aliases.tsv", 2)
    }
    return Corrections(pairs, aliases)


def normalize_text(text: str, corrections: Corrections | None = None, *, squash: bool = False) -> str:
    """NFKC, invisible characters removed, corrections, collapsed white space; ``squash`` removes white space
    entirely (for identity)."""
    text = strip_invisible(unicodedata.normalize("NFKC", text)).translate(_LOOKALIKES)
    if corrections is not None:
        text = corrections.apply(text)
    text = _SPACES.sub("" if squash else " ", text).strip()
    return text


def measure_key(name: str, corrections: Corrections) -> str:
    """The identity of a measure across reports: its first name, following renames in the alias table."""
    key = normalize_text(name, corrections, squash=True)
    seen = {key}
    while key in corrections.aliases:  # a measure renamed twice: follow the chain back to its first name
        key = corrections.aliases[key]
        if key in seen:
            break  # a cycle in the table: stop rather than loop
        seen.add(key)
    return key


def measure_id(name: str, corrections: Corrections) -> str:
    """A short stable id such as ``m-3fa2c1d0``: the same measure in any year gets the same id."""
    return "m-" + hashlib.sha1(measure_key(name, corrections).encode("utf-8")).hexdigest()[:8]


def display_name(name: str, corrections: Corrections) -> str:
    """A measure's name for headings: verbatim but with typos corrected (no NFKC, to keep its look)."""
    return corrections.apply(name.strip())


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of ``text`` as given (the text itself when shorter than two characters)."""
    return frozenset(text[i : i + 2] for i in range(len(text) - 1)) or frozenset({text})


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """How far two bigram sets say the same thing: shared over all (1.0 for two empty sets)."""
    return len(a & b) / len(a | b) if a or b else 1.0


_SPACE_RUN = re.compile(r"\s+")


def nfkc(text: str) -> str:
    """Unicode NFKC (full-width digits and Latin to half-width, compatibility forms folded)."""
    return unicodedata.normalize("NFKC", text)


def collapse_space(text: str) -> str:
    """Runs of white space as one space, ends stripped: a question is read once its spacing is plain (a regex
    over a run of 500 spaces is where a super-linear pattern would stall)."""
    return _SPACE_RUN.sub(" ", text).strip()


# Characters that show nothing but split a word for every comparison: 「防犯カ\u200bメラ」 would read as 「メラ」.
# Zero-width space/joiners and direction marks (U+200B–U+200F), word joiner (U+2060), BOM / zero-width no-break
# space (U+FEFF), soft hyphen (U+00AD), and the bidi embeddings and isolates (U+202A–U+202E, U+2066–U+2069).
INVISIBLE = frozenset(
    [chr(c) for c in range(0x200B, 0x2010)]
    + ["\u2060", "\ufeff", "\u00ad"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)
_DROP_INVISIBLE = str.maketrans(dict.fromkeys(INVISIBLE))
# What the OpenAPI schema says a question must contain (api/docs.py): one character that is neither white
# space, a control character nor invisible, i.e. what ``clean_question`` leaves non-empty.
VISIBLE_CHARACTER = r"[^\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069]"


def strip_invisible(text: str) -> str:
    """``text`` without the zero-width and format characters of :data:`INVISIBLE`."""
    return text.translate(_DROP_INVISIBLE)


def clean_question(text: str) -> str:
    """A question or history turn as every entry point (API, CLI) hands it to the answer layer: invisible
    characters removed, control characters and lone surrogates as spaces (they upset the C/Rust code below:
    NUL, \\ud800 from JSON escapes), white space runs collapsed."""
    visible = strip_invisible(text)
    printable = "".join(ch if ch.isprintable() else " " for ch in visible)  # surrogates are not printable
    return collapse_space(printable)
