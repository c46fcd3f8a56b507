"""The web app (web/, built by ``make web`` into web/dist) served at ``/`` by the API.

The page uses hash routes (``/#/scan``), so ``/`` is all it needs; any other path that is not
an API route and not a built file gets ``index.html`` too (a bookmarked deep link still
opens the app), except under ``/api/``, where a miss stays the API's JSON 404. Without a build
``/`` says how to make one instead of a bare 404.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

DEFAULT_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
NOT_BUILT = (
    '<!doctype html><html lang="ko"><meta charset="utf-8"><title>이코에코</title>'
    "<p>웹 화면이 아직 빌드되지 않았어요. 저장소에서 <code>make web</code>(Node 20과 npm 필요)을 "
    "실행한 뒤 다시 열어 주세요. API는 <a href='/docs'>/docs</a>에 있어요.</p></html>"
)
# Paths the API owns even when no route matched: a miss there is the API's 404, not the page.
API_PREFIXES = ("api/", "docs", "redoc", "openapi.json", "metrics", "healthz", "readyz")


class SpaFiles(StaticFiles):
    """Static files with the single-page fallback to index.html."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or path.startswith(API_PREFIXES):
                raise
            return await super().get_response("index.html", scope)


def mount_web(app: FastAPI, dist: Path | None = None) -> None:
    """Serve ``dist`` (default web/dist) at ``/``; mount it after every API route."""
    directory = dist or DEFAULT_DIST
    if (directory / "index.html").is_file():
        app.mount("/", SpaFiles(directory=directory, html=True), name="web")
        return

    @app.get("/", include_in_schema=False)
    async def not_built() -> HTMLResponse:
        return HTMLResponse(NOT_BUILT)
