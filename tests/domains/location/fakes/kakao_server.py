"""A loopback server speaking Kakao Local's REST wire format, for the real httpx client.

Keyword and category search (``/v2/local/search/{keyword,category}.json``) answer from the
places a test puts in ``places``: filtered by the query (or category code), by ``radius``
around ``x``/``y`` when given, sorted by distance or accuracy, cut by ``page``/``size``, with
Kakao's ``meta`` and string ``distance``. ``coord2regioncode`` answers the nearest of
``regions``. Requests without ``Authorization: KakaoAK <key>`` get Kakao's 401 body; missing or
out-of-range parameters its 400 bodies. Every request is recorded for the tests to inspect.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


@dataclass
class FakePlace:
    name: str
    lat: float
    lon: float
    address: str = ""
    road_address: str = ""
    phone: str = ""
    category_code: str = ""
    id: str = ""


@dataclass
class FakeRegion:
    sido: str
    sigungu: str
    dong: str
    lat: float
    lon: float
    code: str = "1168010100"


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"errorType": kind, "message": message}, status_code=status)


@dataclass
class FakeKakao:
    api_key: str = "test-kakao-key"
    places: list[FakePlace] = field(default_factory=list)
    regions: list[FakeRegion] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    delay_s: float = 0.0
    port: int = 0
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        self.places.clear()
        self.regions.clear()
        self.requests.clear()
        self.delay_s = 0.0

    def _check(self, request: Request) -> JSONResponse | None:
        self.requests.append(
            {
                "path": request.url.path,
                "params": dict(request.query_params),
                "authorization": request.headers.get("authorization"),
            }
        )
        if request.headers.get("authorization") != f"KakaoAK {self.api_key}":
            return _error(401, "AccessDeniedError", "wrong appKey format")
        return None

    async def _search(self, request: Request, by: str) -> JSONResponse:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)  # a slow upstream: the client's timeout fires
        if (refused := self._check(request)) is not None:
            return refused
        params = request.query_params
        wanted = params.get(by)
        if not wanted:
            return _error(400, "MissingParameter", f"{by} parameter required")
        size, page = int(params.get("size", 15)), int(params.get("page", 1))
        if not 1 <= size <= 15 or not 1 <= page <= 45:
            return _error(400, "InvalidArgument", "page is more than max or size is invalid")
        radius = int(params["radius"]) if "radius" in params else None
        if radius is not None and not 0 <= radius <= 20_000:
            return _error(400, "InvalidArgument", "radius must be 0 to 20000")
        x, y = params.get("x"), params.get("y")
        found: list[tuple[float | None, FakePlace]] = []
        for place in self.places:
            matches = (
                wanted in place.name or wanted in place.address
                if by == "query"
                else place.category_code == wanted
            )
            if not matches:
                continue
            distance = None
            if x is not None and y is not None:
                distance = _distance_m(float(y), float(x), place.lat, place.lon)
                if radius is not None and distance > radius:
                    continue
            found.append((distance, place))
        if params.get("sort") == "distance":
            found.sort(key=lambda pair: pair[0] or 0.0)
        chunk = found[(page - 1) * size : page * size]
        documents = [
            {
                "id": place.id or str(abs(hash(place.name)) % 10**8),
                "place_name": place.name,
                "category_name": "",
                "category_group_code": place.category_code,
                "category_group_name": "",
                "phone": place.phone,
                "address_name": place.address,
                "road_address_name": place.road_address,
                "x": f"{place.lon}",
                "y": f"{place.lat}",
                "place_url": f"http://place.map.kakao.com/{abs(hash(place.name)) % 10**8}",
                "distance": "" if distance is None else f"{round(distance)}",
            }
            for distance, place in chunk
        ]
        meta = {
            "total_count": len(found),
            "pageable_count": len(found),
            "is_end": page * size >= len(found),
            "same_name": None,
        }
        return JSONResponse({"meta": meta, "documents": documents})

    async def keyword(self, request: Request) -> JSONResponse:
        return await self._search(request, "query")

    async def category(self, request: Request) -> JSONResponse:
        return await self._search(request, "category_group_code")

    async def coord2region(self, request: Request) -> JSONResponse:
        if (refused := self._check(request)) is not None:
            return refused
        params = request.query_params
        if "x" not in params or "y" not in params:
            return _error(400, "MissingParameter", "x, y parameter required")
        lon, lat = float(params["x"]), float(params["y"])
        if not self.regions:
            return JSONResponse({"meta": {"total_count": 0}, "documents": []})
        region = min(self.regions, key=lambda r: _distance_m(lat, lon, r.lat, r.lon))
        documents = [
            {
                "region_type": kind,
                "address_name": f"{region.sido} {region.sigungu} {region.dong}",
                "region_1depth_name": region.sido,
                "region_2depth_name": region.sigungu,
                "region_3depth_name": region.dong if kind == "B" else f"{region.dong}1동",
                "region_4depth_name": "",
                "code": region.code if kind == "B" else region.code[:-2] + "52",
                "x": lon,
                "y": lat,
            }
            for kind in ("H", "B")
        ]
        return JSONResponse({"meta": {"total_count": 2}, "documents": documents})

    def start(self) -> None:
        app = Starlette(
            routes=[
                Route("/v2/local/search/keyword.json", self.keyword),
                Route("/v2/local/search/category.json", self.category),
                Route("/v2/local/geo/coord2regioncode.json", self.coord2region),
            ]
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake Kakao server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
