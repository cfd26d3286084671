"""`assistant ingest|search|ask|eval|serve|feedback` — a thin shell over the library functions."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from assistant.config import default, get_settings

if TYPE_CHECKING:
    from assistant.domain.model import Report
    from assistant.ingest.reports import Preview
    from assistant.service import Assistant

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="防犯施策アシスタント (Koganei crime-prevention reports)"
)


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


class _ProgressBar:
    """A tqdm bar created on the first report, when the number of passages is known."""

    def __init__(self) -> None:
        self.bar: Any = None  # tqdm, imported on first use

    def __call__(self, done: int, total: int) -> None:
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=total, desc="embedding passages", unit="passage", file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@app.command()
def ingest(
    report: Annotated[
        Path | None, typer.Argument(help="a new report to add to data/ (next year's): the city's PDF, .xlsx or .txt")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="validate and show what would change; write nothing")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="rebuild even if the index is up to date")] = False,
    replace: Annotated[
        str | None,
        typer.Option("--replace", metavar="NAME", help="the report of data/ that REPORT replaces (it is removed)"),
    ] = None,
) -> None:
    """Parse data/ (and REPORT: .txt, .pdf or .xlsx), rebuild the store and the index atomically, print a summary."""
    from assistant.domain.corpus import merge_reports
    from assistant.domain.normalize import load_corrections
    from assistant.ingest.addition import check_no_ties, check_report_name, plan_addition
    from assistant.ingest.parse import ParseError
    from assistant.ingest.reports import extraction_lines, load_reports, preview_addition, read_report, report_paths
    from assistant.ingest.storage import StorageError
    from assistant.retrieval.embed import EmbedderError, load_embedder
    from assistant.service import ingest_configured

    settings = get_settings()
    corrections = load_corrections(settings.data_dir)
    started = time.perf_counter()
    try:
        if report is not None:
            if not report.is_file():
                _fail(f"{report}: no such file")
            check_report_name(report, settings.data_dir)
            new = read_report(report, corrections)
            others = [p for p in report_paths(settings.data_dir) if p.name != report.name]
            existing = load_reports(others, corrections) if others else []
            addition = plan_addition(existing, new, replace)
            current = merge_reports([r for r in existing if r.file != replace], corrections)
            _print_preview(preview_addition(current, new, corrections))
            typer.echo("\n".join(addition.lines()) or "  replaces no report")
            _print_new_departments(new, settings.data_dir)
            if dry_run:
                typer.echo("\n".join(extraction_lines(new)))
        elif replace is not None:
            _fail("--replace names the report that a new REPORT replaces: give the REPORT too")
        else:
            check_no_ties(load_reports(report_paths(settings.data_dir), corrections))
        if dry_run:
            typer.echo("dry run: nothing written")
            return
        embedder = load_embedder(settings.embedder)
        bar = _ProgressBar()
        try:
            corpus, result = ingest_configured(
                settings, embedder, add=report, replace=replace, progress=bar, force=force, ship_embeddings=True
            )
        finally:
            bar.close()
    except ParseError as e:
        _fail(f"{e}\nnothing was changed: data/ and index/ are as they were")
    except (EmbedderError, StorageError) as e:
        _fail(str(e))
    years = ", ".join(f"{y}" for y in corpus.fiscal_years)
    state = "rebuilt" if result.rebuilt else "up to date, not rebuilt"
    typer.echo(
        f"documents: {len(corpus.documents)}  fiscal years: {years}  measures: {len(corpus.measures)}  "
        f"bullets: {len(corpus.bullets)}"
    )
    typer.echo(
        f"index: {state} ({result.manifest.build_id}); embedder {result.manifest.embedder}, "
        f"{result.embedded} embedded, {result.cached} from cache; {time.perf_counter() - started:.1f}s"
    )


def _print_preview(p: Preview) -> None:
    typer.echo(f"{p.file}: fiscal years {list(p.fiscal_years)}")
    typer.echo(f"  new years: {list(p.new_years) or 'none'}; replacing years: {list(p.replaced_years) or 'none'}")
    typer.echo(f"  measures matched: {len(p.matched_measures)}; new: {list(p.new_measures) or 'none'}")
    for new, old in p.renamed_measures:
        typer.echo(f"  renamed: {old} → {new}")
    if p.dropped_measures:
        typer.echo(f"  not in this report (kept from earlier years): {list(p.dropped_measures)}")


def _print_new_departments(report: Report, data_dir: Path) -> None:
    """Departments of the report that data/departments.tsv does not list: they work, named as the report names
    them, but the city may want to add a display name or contact line."""
    from assistant.domain.departments import FILE, load_departments

    names = [d.name for m in report.measures for d in m.departments] + [b.department for b in report.bullets]
    missing = load_departments(data_dir / FILE).missing(n for n in names if n)
    if missing:
        typer.echo(f"  departments not in data/{FILE} (answers name them as the report does): {missing}")


def _open(build: bool = False) -> Assistant:
    from assistant.retrieval.embed import EmbedderError
    from assistant.retrieval.index import IndexError_
    from assistant.service import open_assistant

    try:
        return open_assistant(get_settings(), build=build)
    except (IndexError_, EmbedderError) as e:
        _fail(str(e))


@app.command()
def search(
    question: str,
    json_out: Annotated[bool, typer.Option("--json", help="print the search result as JSON")] = False,
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=default("max_top_k"))] = 10,
    year: Annotated[list[str] | None, typer.Option("--year", help="fiscal year: 2023, 令和5年度, R5")] = None,
    department: Annotated[list[str] | None, typer.Option("--department", help="e.g. 地域安全課")] = None,
    ranking: Annotated[str, typer.Option(help="fused | bm25 | dense")] = "fused",
) -> None:
    """Search the activity bullets; years and departments in the question become filters."""
    from assistant.api.schemas import search_response
    from assistant.retrieval.query import find_years
    from assistant.retrieval.search import FilterError, Filters, Ranking

    years: list[int] = []
    for y in year or []:
        found = [v for m in find_years(y if not y.isdigit() else f"{y}年度") for v in m.years]
        if not found:
            _fail(f"--year {y!r}: not a fiscal year (use 2023, 令和5年度 or R5)")
        years.extend(found)
    from assistant.domain.normalize import clean_question

    question = clean_question(question)  # as the API reads it: invisible characters gone, spaces collapsed
    if not question:
        _fail("the question is empty")
    assistant = _open()
    try:
        result = assistant.searcher.search(
            question, top_k=top_k, filters=Filters(tuple(years), tuple(department or ())), ranking=Ranking(ranking)
        )
    except FilterError as e:
        _fail(f"{e}; allowed: {', '.join(e.allowed)}")
    payload = search_response(result).model_dump()
    if json_out:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for hit in payload["hits"]:
        typer.echo(f"{hit['rank']:>2}. [{hit['fiscal_year_label']}] {hit['measure']} / {hit['department']}")
        typer.echo(f"    {hit['text']}  ({hit['source']['label']})")
    if not payload["hits"]:
        typer.echo("no hits")


@app.command()
def ask(question: str) -> None:
    """Answer a question as the chat does, with citations."""
    from assistant.answer import answer
    from assistant.domain.normalize import clean_question

    question = clean_question(question)  # as the API reads it: invisible characters gone, spaces collapsed
    if not question:
        _fail("the question is empty")
    assistant = _open()
    result = answer(assistant.context, question)
    typer.echo(result.text)
    for c in result.citations:
        typer.echo(f"[{c.number}] {c.measure}（{c.department}、{c.years_label}）{c.source.label}")


@app.command(name="eval")
def evaluate(
    file: Path,
    top_k: Annotated[int, typer.Option("--top-k")] = 10,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Retrieval files (lines with `measures`): Hit@1, Hit@5, MRR@10 for BM25, dense and fused rankings, plus the
    misses. Answer files (lines with `kind`): the pass rate per kind of question, the failures with the checks
    they failed, the phrase-check failures and the lead words that nothing cited holds."""
    from assistant.answer import answer
    from assistant.answer.evaluate import (
        evaluate_answers,
        format_answer_report,
        is_answer_file,
        read_answer_judgements,
        wording,
    )
    from assistant.retrieval.evaluate import evaluate_file, format_report
    from assistant.retrieval.tokenize import SudachiTokenizer
    from assistant.service import make_tokenizer

    if not file.is_file():
        _fail(f"{file}: no such file")
    assistant = _open()
    try:
        if is_answer_file(file):
            ctx = assistant.context
            judged = read_answer_judgements(file)
            tok = ctx.searcher.tokenizer
            morphs = (tok if isinstance(tok, SudachiTokenizer) else make_tokenizer(assistant.settings)).morphemes
            words = wording(ctx.corpus, ctx.corrections, morphs)
            answers = evaluate_answers(lambda q, history: answer(ctx, q, history), judged, str(file), wording=words)
            text = format_answer_report(answers)
            payload: dict[str, object] = answers.as_dict()
        else:
            report = evaluate_file(assistant.searcher, file, top_k=top_k)
            text, payload = format_report(report), report.as_dict()
    except (OSError, ValueError) as e:
        _fail(f"{file}: {e}")
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2) if json_out else text)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    no_build: Annotated[
        bool,
        typer.Option("--no-build", help="never build: serve index/ as one `assistant ingest` left it (replicas)"),
    ] = False,
) -> None:
    """Serve the API and the web UI (brings the index up to date first, unless --no-build). A new build in
    index/ (from `assistant ingest`) is swapped in without a restart; SIGHUP checks for one at once."""
    import copy

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from assistant.api.app import create_app
    from assistant.api.connections import connection_limit
    from assistant.api.timeouts import timed_protocol
    from assistant.retrieval.embed import EmbedderError, require_backend

    settings = get_settings()
    try:
        require_backend(settings.embedder)  # now, in one line; the index loads later, in a background thread
    except EmbedderError as e:
        _fail(str(e))
    host, port = host or settings.host, port or settings.port
    # Our middleware logs one key=value line per request; uvicorn's access log would repeat it.
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["formatters"]["app"] = {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    log_config["handlers"]["app"] = {"class": "logging.StreamHandler", "formatter": "app", "stream": "ext://sys.stderr"}
    log_config["loggers"]["assistant"] = {"handlers": ["app"], "level": "INFO", "propagate": False}
    typer.echo(f"防犯施策アシスタント: http://{host}:{port}/")
    connections = connection_limit(settings.max_connections)
    uvicorn.run(
        create_app(settings, build=not no_build),
        host=host,
        port=port,
        server_header=False,
        date_header=False,
        access_log=False,
        log_level="info",
        log_config=log_config,
        timeout_graceful_shutdown=10,
        # Header and body deadlines for half-sent requests (uvicorn has none), and the idle keep-alive limit.
        http=timed_protocol(settings.header_timeout_seconds, settings.body_timeout_seconds, connections),
        timeout_keep_alive=settings.keep_alive_seconds,
        # Connections beyond this get 503 and are closed (api/connections.py), below the open-file limit.
        limit_concurrency=connections,
        # X-Forwarded-For only from the proxies named (uvicorn would trust 127.0.0.1 by default).
        proxy_headers=bool(settings.forwarded_allow_ips.strip()),
        forwarded_allow_ips=settings.forwarded_allow_ips.strip() or "",
    )


# `assistant feedback list|export|stats` (feedback_cli.py)
from assistant.feedback.cli import app as _feedback_app  # noqa: E402 - after the commands it sits beside

app.add_typer(_feedback_app, name="feedback")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
