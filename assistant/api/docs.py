"""The API documentation pages, served offline under the app's own Content-Security-Policy, and the schema fixes
that make the OpenAPI contract say what the service enforces.

FastAPI's /docs and /redoc load Swagger UI and ReDoc from a CDN (and ReDoc Google Fonts) and start them with an
inline ``<script>``: with no network and ``script-src 'self'`` both pages were blank. Here /docs is a small static
page whose Swagger UI files come from the ``fastapi-offline`` package (its dist files, pinned in pyproject.toml)
and which is started by a script file the app serves. /redoc is gone (404): the same package ships ReDoc 2.5.3,
but ReDoc styles itself with inline ``<style>`` (styled-components), which ``style-src 'self'`` blocks: tried in
Chromium, it shows only "Something went wrong". Loosening the CSP for one page was not worth it.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from assistant.config import Settings
from assistant.domain.normalize import VISIBLE_CHARACTER

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs/assets"

SWAGGER_INIT_JS = """\
// Starts Swagger UI on /docs; a file rather than an inline script, so the page works under script-src 'self'.
window.ui = SwaggerUIBundle({
  url: document.getElementById('swagger-ui').dataset.openapi,
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: 'BaseLayout',
});
"""

_SWAGGER_PAGE = """\
<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{root}{assets}/swagger-ui.css">
<link rel="icon" href="{root}{assets}/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi="{root}{openapi}"></div>
<script src="{root}{assets}/swagger-ui-bundle.js"></script>
<script src="{root}/docs/swagger-init.js"></script>
</body>
</html>
"""


def add_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) from local files; create the app with docs_url=redoc_url=None."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")

    def page(template: str, request: Request, what: str) -> HTMLResponse:
        root = html.escape(request.scope.get("root_path", ""), quote=True)
        title = html.escape(f"{app.title} – {what}")
        text = template.format(title=title, root=root, assets=ASSETS_URL, openapi=app.openapi_url)
        return HTMLResponse(text)

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return page(_SWAGGER_PAGE, request, "Swagger UI")

    @app.get("/docs/swagger-init.js", include_in_schema=False)
    async def swagger_init() -> Response:
        return Response(SWAGGER_INIT_JS, media_type="text/javascript; charset=utf-8")


def patch_openapi(app: FastAPI, settings: Settings) -> None:
    """Put into the schema what the handlers enforce beyond the pydantic models: the question's length (checked
    by the API with a Japanese message, so not a model constraint) and the Retry-After of a 503."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        components = schema.get("components", {}).get("schemas", {})
        for name in ("AskRequest", "SearchRequest", "FeedbackIn"):
            if name not in components:  # FeedbackIn: feedback off
                continue
            question = components[name]["properties"]["question"]
            # Whitespace or invisible characters alone are an empty question (422 empty_question).
            question.update(minLength=1, maxLength=settings.max_question_chars, pattern=VISIBLE_CHARACTER)
        retry_after = {
            "description": "seconds to wait before retrying, when the service is busy",
            "schema": {"type": "integer"},
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                busy = operation.get("responses", {}).get("503")
                if busy is not None:
                    busy.setdefault("headers", {})["Retry-After"] = retry_after
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
