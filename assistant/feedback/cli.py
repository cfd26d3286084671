"""`assistant feedback list|export|stats`: the staff review without a browser, on the same SQLite file.

The file is opened as it is (never created here) and read while the server may be writing: WAL lets both.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from assistant.config import feedback_target, get_settings
from assistant.feedback.export import item_dict, to_csv, to_json
from assistant.feedback.store import Coverage, FeedbackQuery, FeedbackStore, Rating, StoreError

app = typer.Typer(no_args_is_help=True, help="Feedback on answers (the SQLite file or ASSISTANT_FEEDBACK_URL)")

RatingOpt = Annotated[Rating | None, typer.Option(help="helpful (はい) | not_helpful (いいえ)")]
CoverageOpt = Annotated[Coverage | None, typer.Option(help="direct | related | none | out_of_scope")]
SinceOpt = Annotated[str | None, typer.Option(help="first day (JST), YYYY-MM-DD")]
UntilOpt = Annotated[str | None, typer.Option(help="last day (JST), YYYY-MM-DD")]
MeasureOpt = Annotated[str | None, typer.Option("--measure", help="a measure id")]
UnansweredOpt = Annotated[
    bool, typer.Option("--unanswered", help="only 回答できなかった質問: rated いいえ, or coverage none/out_of_scope")
]
HandledOpt = Annotated[bool | None, typer.Option("--handled/--open", help="only handled, or only open items")]


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None


def _query(
    rating: Rating | None,
    coverage: Coverage | None,
    since: str | None,
    until: str | None,
    measure: str | None,
    unanswered: bool,
    handled: bool | None,
) -> FeedbackQuery:
    return FeedbackQuery(rating, coverage, _day(since, "--since"), _day(until, "--until"), measure, unanswered, handled)


def _store() -> FeedbackStore:
    try:
        return FeedbackStore.open(feedback_target(get_settings()), create=False)
    except StoreError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None


@app.command(name="list")
def list_items(
    rating: RatingOpt = None,
    coverage: CoverageOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    measure: MeasureOpt = None,
    unanswered: UnansweredOpt = False,
    handled: HandledOpt = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Feedback, newest first."""
    store = _store()
    items = store.list(_query(rating, coverage, since, until, measure, unanswered, handled), limit=limit)
    store.close()
    if json_out:
        typer.echo(json.dumps([item_dict(i) for i in items], ensure_ascii=False, indent=2))
        return
    for i in items:
        state = "対応済み" if i.handled_at else "未対応"
        typer.echo(f"#{i.id} {i.created_at} {i.rating.value} {i.coverage.value} {state}  {i.question!r}")
        if i.comment:
            typer.echo(f"    comment: {i.comment!r}")  # repr: control characters and markup stay visible
        if i.handled_note:
            typer.echo(f"    note: {i.handled_note!r}")
    if not items:
        typer.echo("no feedback")


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", help="csv | json")] = "csv",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write; default stdout")] = None,
    rating: RatingOpt = None,
    coverage: CoverageOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    measure: MeasureOpt = None,
    unanswered: UnansweredOpt = False,
    handled: HandledOpt = None,
) -> None:
    """Every matching item as CSV (UTF-8 with BOM, formula-like cells neutralised) or JSON."""
    if format not in ("csv", "json"):
        raise typer.BadParameter("csv or json", param_hint="--format")
    store = _store()
    items = store.list(_query(rating, coverage, since, until, measure, unanswered, handled), limit=None)
    store.close()
    data = to_csv(items) if format == "csv" else to_json(items)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"{len(items)} items → {output}", err=True)


@app.command()
def stats(
    since: SinceOpt = None,
    until: UntilOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Counts by rating, coverage and measure."""
    store = _store()
    s = store.stats(_query(None, None, since, until, None, False, None))
    store.close()
    by_rating = {k.value: v for k, v in s.by_rating.items()}
    by_coverage = {k.value: v for k, v in s.by_coverage.items()}
    payload = {
        "total": s.total,
        "unanswered": s.unanswered,
        "handled": s.handled,
        "by_rating": by_rating,
        "by_coverage": by_coverage,
        "by_measure": dict(s.by_measure),
    }
    if json_out:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    typer.echo(f"total {s.total}  unanswered {s.unanswered}  handled {s.handled}")
    typer.echo("rating:   " + "  ".join(f"{k} {v}" for k, v in by_rating.items()))
    typer.echo("coverage: " + "  ".join(f"{k} {v}" for k, v in by_coverage.items()))
    for measure_id, n in s.by_measure:
        typer.echo(f"  {n:>5}  {measure_id}")
