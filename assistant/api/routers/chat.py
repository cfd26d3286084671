"""POST /api/ask (the chat's answer) and POST /api/search (ranked bullets), computed in the answering pool."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel

from assistant.answer import Turn, answer
from assistant.api.deps import AssistantDep, LimiterDep, SettingsDep, check_question, clean_text, to_filters
from assistant.api.schemas import AskRequest, AskResponse, SearchRequest, SearchResponse, ask_response, search_response
from assistant.domain import messages as msg
from assistant.domain.notices import Notice, collecting, ordered

router = APIRouter()


def as_json(model: BaseModel) -> Response:
    """A response model serialised where it was made (the answering pool), not on the event loop."""
    return Response(model.model_dump_json(), media_type="application/json")


@router.post("/api/ask", response_model=AskResponse, tags=["chat"])
async def ask(body: AskRequest, a: AssistantDep, settings: SettingsDep, limiter: LimiterDep) -> Response:
    """Answer a question from the reports, with citations. Send earlier turns in ``history``."""
    question = check_question(body.question, settings)
    history = [Turn(t.role, clean_text(t.content[: settings.max_question_chars])) for t in body.history][
        -2 * settings.max_history_turns :
    ]

    def work() -> Response:
        with collecting() as found:
            result = answer(a.context, question, history, to_filters(a, body.filters))
            out = ask_response(result, a.searcher.corpus.fiscal_years)
        out.notices = ordered([*result.result.notices, *found])
        if Notice.QUESTION_TRUNCATED in out.notices:
            out.notes.append(msg.NOTE_QUESTION_TRUNCATED)
        return as_json(out)

    return await limiter.run(work)


@router.post("/api/search", response_model=SearchResponse, tags=["search"])
async def search(body: SearchRequest, a: AssistantDep, settings: SettingsDep, limiter: LimiterDep) -> Response:
    """Ranked activity bullets; years and departments named in the question become filters."""
    question = check_question(body.question, settings)

    def work() -> Response:
        with collecting() as found:
            result = a.searcher.search(question, top_k=body.top_k, filters=to_filters(a, body.filters))
            out = search_response(result, a.searcher.corpus.fiscal_years)
        out.notices = ordered([*result.notices, *found])
        return as_json(out)

    return await limiter.run(work)
