"""The staff views: GET /api/measures, /api/measures/{id} (a measure's timeline) and /api/options."""

from __future__ import annotations

from fastapi import APIRouter, Request

from assistant.api.deps import AssistantDep, SettingsDep
from assistant.api.errors import ApiError
from assistant.api.limits import limits_out
from assistant.api.routers.feedback import feedback_options
from assistant.api.schemas import ErrorResponse, MeasureDetail, MeasuresResponse, OptionsResponse
from assistant.api.views import measure_detail, measures_overview, options
from assistant.domain import messages as msg

router = APIRouter(tags=["measures"])


@router.get("/api/measures", response_model=MeasuresResponse)
def measures(a: AssistantDep) -> MeasuresResponse:
    """Every measure, grouped by section."""
    return measures_overview(a.searcher.corpus)


@router.get(
    "/api/measures/{measure_id}",
    response_model=MeasureDetail,
    responses={404: {"model": ErrorResponse, "description": "no measure with this id"}},
)
def measure(measure_id: str, a: AssistantDep) -> MeasureDetail:
    """One measure with every fiscal year side by side; years with no report are gaps."""
    if not a.searcher.corpus.has_measure(measure_id):
        raise ApiError(404, "unknown_measure", msg.ERR_NOT_FOUND, f"no measure {measure_id!r}")
    return measure_detail(a.searcher.corpus, measure_id, a.insights)


@router.get("/api/options", response_model=OptionsResponse)
def list_options(request: Request, a: AssistantDep, settings: SettingsDep) -> OptionsResponse:
    """Fiscal years, departments and sections for the staff filters, example questions, the limits, and whether
    feedback is on."""
    out = options(a.searcher.corpus, settings.max_question_chars, settings.max_history_turns)
    out.limits = limits_out(settings)
    return out.model_copy(update={"feedback": feedback_options(settings, request.app.state.feedback_store)})
