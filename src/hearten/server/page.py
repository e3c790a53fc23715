"""The web chat page: three files shipped with the package, no build step, nothing
loaded from anywhere else (the Content-Security-Policy in guard.py says so too)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException, Response

router = APIRouter(include_in_schema=False)

_FILES = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}


def _read(name: str) -> bytes:
    return resources.files("hearten.server").joinpath("static", name).read_bytes()


@router.get("/")
async def index() -> Response:
    return Response(_read("index.html"), media_type="text/html; charset=utf-8")


@router.get("/static/{name}")
async def static(name: str) -> Response:
    if name not in _FILES:  # a fixed list: nothing else on disk can be reached
        raise HTTPException(404, "not found")
    return Response(_read(name), media_type=_FILES[name], headers={"Cache-Control": "no-cache"})
