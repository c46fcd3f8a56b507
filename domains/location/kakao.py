"""The online place source: Kakao Local's keyword, category and coord2regioncode endpoints.

``PlaceSource`` is the port; ``KakaoLocal`` speaks Kakao's REST wire format over httpx
(``Authorization: KakaoAK <key>``) and ``NoPlaces`` is the offline source used when no key is
set. A Kakao failure never fails a search: the service catches ``PlacesUnavailable`` and
answers from the database alone.
"""

from __future__ import annotations

from typing import Literal, Protocol

import httpx
from pydantic import BaseModel, Field, ValidationError

from domains.location.exceptions import PlacesUnavailable
from domains.location.schemas import PlaceHit, Region
from domains.location.settings import LocationSettings

KEYWORD = "/v2/local/search/keyword.json"
CATEGORY = "/v2/local/search/category.json"
COORD2REGION = "/v2/local/geo/coord2regioncode.json"
MAX_SIZE = 15  # Kakao's own limits on one page
MAX_PAGE = 45
MAX_RADIUS_M = 20_000


class KakaoDocument(BaseModel):
    """One place of a keyword or category search, as Kakao sends it."""

    id: str = ""
    place_name: str
    category_name: str = ""
    category_group_code: str = ""
    phone: str = ""
    address_name: str = ""
    road_address_name: str = ""
    x: float
    y: float
    place_url: str = ""
    distance: str = ""


class KakaoMeta(BaseModel):
    total_count: int = 0
    pageable_count: int = 0
    is_end: bool = True


class KakaoSearchReply(BaseModel):
    meta: KakaoMeta = KakaoMeta()
    documents: list[KakaoDocument] = Field(default_factory=list)


class KakaoRegion(BaseModel):
    region_type: Literal["B", "H"]
    code: str = ""
    address_name: str = ""
    region_1depth_name: str
    region_2depth_name: str
    region_3depth_name: str = ""


class KakaoRegionReply(BaseModel):
    documents: list[KakaoRegion] = Field(default_factory=list)


class PlaceSource(Protocol):
    """Where places beyond our own data come from."""

    @property
    def online(self) -> bool: ...

    async def keyword(
        self, query: str, lat: float | None, lon: float | None, radius_m: int, size: int
    ) -> list[PlaceHit]: ...

    async def category(
        self, code: str, lat: float, lon: float, radius_m: int, size: int
    ) -> list[PlaceHit]: ...

    async def region(self, lat: float, lon: float) -> Region | None: ...

    async def aclose(self) -> None: ...


class NoPlaces:
    """The offline source: nothing beyond the database."""

    online = False

    async def keyword(
        self, query: str, lat: float | None, lon: float | None, radius_m: int, size: int
    ) -> list[PlaceHit]:
        return []

    async def category(
        self, code: str, lat: float, lon: float, radius_m: int, size: int
    ) -> list[PlaceHit]:
        return []

    async def region(self, lat: float, lon: float) -> Region | None:
        return None

    async def aclose(self) -> None:
        return None


def _hit(document: KakaoDocument) -> PlaceHit:
    distance = float(document.distance) if document.distance.strip() else None
    return PlaceHit(
        id=None,
        kind=None,
        name=document.place_name,
        address=document.road_address_name or document.address_name,
        lat=document.y,
        lon=document.x,
        distance_m=distance,
        phone=document.phone or None,
        url=document.place_url or None,
        source="kakao",
    )


class KakaoLocal:
    """Kakao Local over httpx; one client (and connection pool) per instance."""

    online = True

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = "https://dapi.kakao.com",
        timeout_s: float = 3.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._client = client or httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout_s,
            headers={"Authorization": f"KakaoAK {api_key}"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _get(self, path: str, params: dict[str, str | int | float]) -> dict[str, object]:
        try:
            response = await self._client.get(path, params=params)
        except httpx.HTTPError as exc:
            raise PlacesUnavailable(f"Kakao Local unreachable: {exc!r}") from exc
        if response.status_code != 200:
            try:
                detail = response.json().get("message", response.text)
            except ValueError:
                detail = response.text
            raise PlacesUnavailable(f"Kakao Local answered {response.status_code}: {detail}")
        try:
            body = response.json()
        except ValueError as exc:
            raise PlacesUnavailable("Kakao Local answered something that is not JSON") from exc
        if not isinstance(body, dict):
            raise PlacesUnavailable("Kakao Local answered JSON that is not an object")
        return body

    async def _search(self, path: str, params: dict[str, str | int | float]) -> list[PlaceHit]:
        body = await self._get(path, params)
        try:
            reply = KakaoSearchReply.model_validate(body)
        except ValidationError as exc:
            raise PlacesUnavailable(f"Kakao Local reply not understood: {exc}") from exc
        return [_hit(document) for document in reply.documents]

    @staticmethod
    def _near(params: dict[str, str | int | float], lat: float, lon: float, radius_m: int) -> None:
        params.update(
            x=f"{lon:.7f}", y=f"{lat:.7f}", radius=min(radius_m, MAX_RADIUS_M), sort="distance"
        )

    async def keyword(
        self, query: str, lat: float | None, lon: float | None, radius_m: int, size: int
    ) -> list[PlaceHit]:
        params: dict[str, str | int | float] = {
            "query": query,
            "page": 1,
            "size": max(1, min(size, MAX_SIZE)),
        }
        if lat is not None and lon is not None:
            self._near(params, lat, lon, radius_m)
        return await self._search(KEYWORD, params)

    async def category(
        self, code: str, lat: float, lon: float, radius_m: int, size: int
    ) -> list[PlaceHit]:
        params: dict[str, str | int | float] = {
            "category_group_code": code,
            "page": 1,
            "size": max(1, min(size, MAX_SIZE)),
        }
        self._near(params, lat, lon, radius_m)
        return await self._search(CATEGORY, params)

    async def region(self, lat: float, lon: float) -> Region | None:
        body = await self._get(COORD2REGION, {"x": f"{lon:.7f}", "y": f"{lat:.7f}"})
        try:
            reply = KakaoRegionReply.model_validate(body)
        except ValidationError as exc:
            raise PlacesUnavailable(f"Kakao Local reply not understood: {exc}") from exc
        # The legal district (B) is what the standard data's 시군구명 follows.
        for wanted in ("B", "H"):
            for document in reply.documents:
                if document.region_type == wanted:
                    return Region(
                        sido=document.region_1depth_name,
                        sigungu=document.region_2depth_name,
                        dong=document.region_3depth_name or None,
                        code=document.code or None,
                        source="kakao",
                    )
        return None


def place_source(settings: LocationSettings) -> PlaceSource:
    """Kakao Local when a key is set, else the offline source."""
    key = settings.kakao_rest_api_key
    if key is None or not key.get_secret_value():
        return NoPlaces()
    return KakaoLocal(
        key.get_secret_value(),
        base_url=settings.kakao_base_url,
        timeout_s=settings.kakao_timeout_s,
    )
