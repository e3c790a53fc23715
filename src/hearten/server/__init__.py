"""hearten over HTTP: create_app() builds the FastAPI app (REST + SSE, the
OpenAI-compatible API and the web chat page); `hearten serve` runs it with uvicorn.

This room sits on top of the pipeline: it may import companion, store, safety and
config, and nothing below it imports it."""

from hearten.server.app import create_app
from hearten.server.config import ServiceConfig

__all__ = ["ServiceConfig", "create_app"]
