"""The web app's mount: files, the single-page fallback, the API's own 404s, no build."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from eco2.api.web import mount_web


def _app(dist: Path) -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/thing")
    async def thing() -> dict[str, str]:
        return {"ok": "yes"}

    mount_web(app, dist)
    return app


async def _get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path)


async def test_the_build_is_served_with_a_fallback_and_the_api_keeps_its_paths(
    tmp_path: Path,
) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<html>app</html>")
    (tmp_path / "assets" / "app.js").write_text("console.log(1)")
    app = _app(tmp_path)
    assert (await _get(app, "/")).text == "<html>app</html>"
    assert (await _get(app, "/assets/app.js")).text == "console.log(1)"
    deep = await _get(app, "/collection/anything")  # a deep link opens the app
    assert deep.status_code == 200 and deep.text == "<html>app</html>"
    assert (await _get(app, "/api/v1/thing")).json() == {"ok": "yes"}
    for path in ("/api/v1/nothing", "/metricsx", "/docs/missing"):
        missed = await _get(app, path)
        assert missed.status_code == 404 and "app" not in missed.text, path


async def test_without_a_build_the_root_says_how_to_make_one(tmp_path: Path) -> None:
    app = _app(tmp_path / "missing")
    page = await _get(app, "/")
    assert page.status_code == 200 and "make web" in page.text
    assert (await _get(app, "/api/v1/nothing")).status_code == 404


def test_the_api_serves_the_build_its_settings_name(tmp_path: Path) -> None:
    """The image has no checkout beside the installed package: ECO2_API_WEB_DIST names its
    build (/app/web/dist), and create_app mounts that one."""
    from eco2.api import create_app
    from eco2.settings import Settings

    (tmp_path / "index.html").write_text("<html>image</html>")
    app = create_app(Settings(api_web_dist=tmp_path))
    mounts = [route for route in app.routes if getattr(route, "name", "") == "web"]
    assert [Path(mount.app.directory) for mount in mounts] == [tmp_path]  # type: ignore[attr-defined]
