"""GET /api/health: for monitors and the start-up wait."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from assistant.api.reasons import public_reason
from assistant.api.schemas import HealthResponse
from assistant.service import Assistant

router = APIRouter(tags=["operations"])


@router.get("/api/health", response_model=HealthResponse)
async def health(request: Request) -> JSONResponse:
    """Ready once the index is loaded (200); 503 while starting or if loading failed. ``build_id`` is the
    build being served (it changes when a new one is swapped in, api/reload.py). Errors are 「reason_code:
    message」 without server paths (api/reasons.py); the log and the CLI have the whole message.

    ``async`` and pool-free on purpose: a monitor must see the service up while answering work is saturated. It
    reads the app's state itself rather than through ``get_assistant``, which answers 503 with an error body.
    """
    a: Assistant | None = request.app.state.assistant
    if a is None:
        err = request.app.state.load_error
        body = HealthResponse(status="error" if err else "starting", ready=False, error=err)
        return JSONResponse(status_code=503, content=body.model_dump())
    m = a.index.manifest
    body = HealthResponse(
        status="ok",
        ready=True,
        embedder=m.embedder,
        build_id=m.build_id,
        documents=m.documents,
        measures=m.measures,
        bullets=m.bullets,
        fiscal_years=m.fiscal_years,
        data_error=public_reason(a.data_error, "data_error") if a.data_error else None,
        reload_error=request.app.state.reload_error,
    )
    return JSONResponse(content=body.model_dump())
