"""create_app(): the FastAPI app behind `hearten serve`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from hearten.config import Settings, load_settings
from hearten.server import api, openai, page
from hearten.server.config import ServiceConfig
from hearten.server.guard import Guard
from hearten.server.service import Service

log = logging.getLogger("hearten.server")

DESCRIPTION = """hearten, a private emotional-support companion, over HTTP.

Every request but `/api/resources` and `/healthz` carries `Authorization: Bearer TOKEN`
(a token from `hearten users add NAME`) and is for that person only: anyone else's
conversation or goal answers 404. Sends take an `Idempotency-Key`. Limits: bodies
over the size limit are 413, a person going too fast gets 429 and `Retry-After`, a
server at its concurrency limit answers 503 and `Retry-After`."""


def create_app(config: ServiceConfig | None = None, settings: Settings | None = None) -> FastAPI:
    """The app; the companion and its store open when the app starts (lifespan), so
    building the app, or its OpenAPI schema, touches no database."""
    config = config or ServiceConfig()
    chosen = settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = await anyio.to_thread.run_sync(Service.open, chosen or load_settings(), config)
        app.state.service = service
        try:
            yield
        finally:
            service.close()

    app = FastAPI(
        title="hearten",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # The schema is at /openapi.json; the interactive docs would load scripts from a
        # CDN, which the Content-Security-Policy (rightly) forbids.
        docs_url=None,
        redoc_url=None,
    )
    app.include_router(api.router)
    app.include_router(openai.router)
    app.include_router(page.router)

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Where and what kind, never the input itself: it may be what someone wrote.
        detail = [
            {"loc": list(e.get("loc", ())), "msg": _msg(e), "type": e.get("type", "invalid")}
            for e in exc.errors()
        ]
        return _error(request, 422, "the request is not valid", detail)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail
        if exc.status_code == 400:
            detail = "the body could not be read as JSON in UTF-8"
        headers = dict(exc.headers) if exc.headers else None
        return _error(request, exc.status_code, str(detail), None, headers)

    app.add_middleware(
        Guard, max_concurrency=config.max_concurrency, max_body_bytes=config.max_body_bytes
    )
    return app


def _msg(error: Any) -> str:
    kind = str(error.get("type", ""))
    if kind.startswith("json"):
        return "the body is not valid JSON"
    return str(error.get("msg", "invalid"))


def _error(
    request: Request,
    code: int,
    message: str,
    detail: list[dict[str, Any]] | None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    if request.url.path.startswith("/v1/"):
        # The shape OpenAI clients know how to show.
        body: dict[str, Any] = {
            "error": {"message": message, "type": "invalid_request_error", "code": code}
        }
        if detail:
            body["error"]["param"] = ".".join(str(p) for p in detail[0]["loc"])
    else:
        body = {"detail": detail if detail is not None else message}
    return JSONResponse(body, status_code=code, headers=headers)
