"""GET /api/export: bullets with their citation fields as CSV (for Excel) or JSON."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import ValidationError

from assistant.api.deps import AssistantDep, LimiterDep, check_question, to_filters
from assistant.api.errors import ApiError
from assistant.api.schemas import FiltersIn, filters_out
from assistant.api.views import export_rows, to_csv
from assistant.config import Settings
from assistant.domain import messages as msg
from assistant.service import Assistant


def export_router(settings: Settings) -> APIRouter:
    """Built with the settings: the schema states the same limit on ``q`` as the handler enforces."""
    router = APIRouter(tags=["measures"])

    @router.get("/api/export", responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
    async def export(
        a: AssistantDep,
        limiter: LimiterDep,
        format: Literal["csv", "json"] = "csv",
        # A default, not Annotated: the limit comes from this app's settings, and annotations are strings here.
        q: str | None = Query(default=None, max_length=settings.max_question_chars),
        years: Annotated[list[int], Query()] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
        departments: Annotated[list[str], Query()] = [],  # noqa: B006
        sections: Annotated[list[int], Query()] = [],  # noqa: B006
        measure_ids: Annotated[list[str], Query()] = [],  # noqa: B006
    ) -> Response:
        """Download bullets with their citation fields as CSV (UTF-8 with BOM, for Excel) or JSON.

        With ``q``: the search hits for it (every year of each hit); without: every bullet the filters allow.
        """
        try:
            given = FiltersIn(years=years, departments=departments, sections=sections, measure_ids=measure_ids)
        except ValidationError as e:
            raise ApiError(422, "invalid_request", msg.ERR_BAD_REQUEST, str(e.errors()[0]["msg"])) from None
        question = check_question(q, settings) if q is not None and q.strip() else None
        return await limiter.run(lambda: export_body(a, given, question, format, settings))

    return router


def export_body(a: Assistant, given: FiltersIn, question: str | None, format: str, settings: Settings) -> Response:
    filters = to_filters(a, given)
    if question is not None:
        result = a.searcher.search(question, top_k=settings.max_top_k, filters=filters)
        ids = [i for h in result.hits for i in reversed(h.bullet_ids)]
    else:
        keep = a.searcher.mask(filters)
        ids = [i for i in range(len(a.searcher.corpus.bullets)) if keep is None or keep[i]]
    rows = export_rows(a.searcher.corpus, a.insights, ids)
    if format == "json":
        body = json.dumps({"filters": filters_out(filters).model_dump(), "rows": rows}, ensure_ascii=False, indent=1)
        return Response(
            body.encode("utf-8"),
            media_type="application/json; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="bouhan-export.json"'},
        )
    return Response(
        to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="bouhan-export.csv"'},
    )
