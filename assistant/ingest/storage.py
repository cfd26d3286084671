"""Operational failures while writing the index (disk full, no permission, a file where a folder should be) as
one line in Japanese and English that names the path and what to do, instead of a traceback.

Building writes a new build beside the current one and switches ``CURRENT`` only when it is complete, so when
this happens the previous index is untouched and keeps serving; the message says so.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path


class StorageError(RuntimeError):
    """Writing under the index (or data/) failed for a reason outside the program; ``str()`` is the message."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


# (Japanese reason, English reason, Japanese fix, English fix)
_DISK_FULL = ("ディスクの空きがありません", "the disk is full", "空きを作ってから", "free some space, then")
_NOT_A_FOLDER = (
    "フォルダーであるべき場所にファイルがあります",
    "a file stands where a folder is needed",
    "そのファイルを移すか ASSISTANT_INDEX_DIR を別のフォルダーにしてから",
    "move that file or set ASSISTANT_INDEX_DIR to another folder, then",
)
_NOT_WRITABLE = (
    "書き込みが許可されていません",
    "it is not writable",
    "書き込めるようにするか ASSISTANT_INDEX_DIR を書き込めるフォルダーにしてから",
    "make it writable or set ASSISTANT_INDEX_DIR to a writable folder, then",
)


def storage_error(e: OSError | sqlite3.Error, where: Path) -> StorageError:
    """The one-line message for ``e``, naming the file it failed on (else ``where``)."""
    path = Path(getattr(e, "filename", None) or where)
    code = getattr(e, "errno", None)
    if code == errno.ENOSPC or code == errno.EDQUOT or (isinstance(e, sqlite3.Error) and "full" in str(e)):
        reason = _DISK_FULL
    elif code in (errno.ENOTDIR, errno.EEXIST):
        reason = _NOT_A_FOLDER
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = _NOT_WRITABLE
    else:
        detail = getattr(e, "strerror", None) or str(e)
        reason = (detail, detail, "原因を取り除いてから", "fix that, then")
    ja, en, fix_ja, fix_en = reason
    message = (
        f"{path} に書き込めません（{ja}）。{fix_ja} `assistant ingest` をもう一度実行してください。"
        f"以前の索引はそのまま使えます。 / cannot write {path}: {en}; {fix_en} run `assistant ingest` again. "
        "The previous index is unchanged and still serves."
    )
    return StorageError(message, path)
