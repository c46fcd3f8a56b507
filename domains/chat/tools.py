"""The chat sub-agents' tools, behind small ports with offline defaults.

Each port has the implementation that works here with no key and no network, grounded on the
project's own data, and a second one where a real service exists:

- ``Weather``: ``OfflineWeather`` says it is unavailable; ``KmaWeather`` calls the Korea
  Meteorological Administration's village forecast API (``getVilageFcst``) over httpx.
- ``WebSearch``: ``OfflineSearch`` searches the project's own documents (the knowledge base's
  rule passages) and says it is offline.
- ``ImageMaker``: ``CardPainter`` draws a real PNG card with Pillow and stores it in the image
  store (``domains.image``), returning its reference.
- ``Places`` and ``BulkFees``: the places issue's data (facilities, bins, district fees) plugs
  in here; until then ``KnowledgePlaces`` / ``KnowledgeFees`` answer from the knowledge base's
  disposal rules (where such bins usually are, how fees are paid) and say that no place list
  is loaded. ``Prices`` reads the knowledge base's price survey (``prices.yaml``).

Every external call goes through a ``Guard``: a circuit breaker per dependency (the LLM port's
``CircuitBreaker``) and a timeout, so a dead service costs a turn nothing after it opens.
"""

from __future__ import annotations

import asyncio
import io
import math
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Literal, Protocol, TypeVar

import httpx
from PIL import Image, ImageDraw, ImageFont
from pydantic import BaseModel, Field

from domains.chat.events import Location
from domains.image import ImageStore
from domains.llm.breaker import CircuitBreaker

R = TypeVar("R")
KST = timezone(timedelta(hours=9))


class ToolUnavailable(Exception):
    """A tool cannot answer right now (offline, circuit open, service error); says why."""


class Guard:
    """A breaker and a timeout for one external dependency."""

    def __init__(self, name: str, failures: int = 3, reset_s: float = 30.0, timeout_s: float = 5.0):
        self.name = name
        self.breaker = CircuitBreaker(f"chat-{name}", failures, reset_s)
        self.timeout_s = timeout_s

    async def call(self, make: Callable[[], Awaitable[R]]) -> R:
        try:
            self.breaker.before_call()
        except Exception as exc:  # CircuitOpen: fail fast, the reason is in its message
            raise ToolUnavailable(str(exc)) from exc
        try:
            async with asyncio.timeout(self.timeout_s):
                result = await make()
        except (TimeoutError, httpx.HTTPError, ToolUnavailable, ValueError, KeyError) as exc:
            self.breaker.failure()
            raise ToolUnavailable(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        except BaseException:
            self.breaker.release()
            raise
        self.breaker.success()
        return result


# ----- weather ---------------------------------------------------------------------------------


class Forecast(BaseModel):
    """One forecast hour for a grid cell."""

    when: str = Field(description="YYYYMMDD HHMM, Korea time.")
    temperature_c: float | None = None
    rain_chance: int | None = Field(None, description="POP, %.")
    precipitation: Literal["none", "rain", "rain_snow", "snow", "shower"] = "none"
    sky: Literal["clear", "cloudy", "overcast", "unknown"] = "unknown"
    wind_ms: float | None = None


class Weather(Protocol):
    async def forecast(self, location: Location | None, day_offset: int) -> list[Forecast]: ...


class OfflineWeather:
    """No weather service configured: says so."""

    async def forecast(self, location: Location | None, day_offset: int) -> list[Forecast]:
        raise ToolUnavailable("날씨 서비스가 설정되지 않았어요(오프라인 모드)")


def kma_grid(lat: float, lon: float) -> tuple[int, int]:
    """Latitude/longitude → the KMA forecast grid (nx, ny), its Lambert conformal conic."""
    re_, grid = 6371.00877, 5.0
    slat1, slat2, olon, olat, xo, yo = 30.0, 60.0, 126.0, 38.0, 43, 136
    d = math.pi / 180.0
    re = re_ / grid
    sn = math.log(math.cos(slat1 * d) / math.cos(slat2 * d)) / math.log(
        math.tan(math.pi * 0.25 + slat2 * d * 0.5) / math.tan(math.pi * 0.25 + slat1 * d * 0.5)
    )
    sf = math.tan(math.pi * 0.25 + slat1 * d * 0.5) ** sn * math.cos(slat1 * d) / sn
    ro = re * sf / math.tan(math.pi * 0.25 + olat * d * 0.5) ** sn
    ra = re * sf / math.tan(math.pi * 0.25 + lat * d * 0.5) ** sn
    theta = lon * d - olon * d
    theta = (theta + math.pi) % (2 * math.pi) - math.pi
    theta *= sn
    return int(ra * math.sin(theta) + xo + 0.5), int(ro - ra * math.cos(theta) + yo + 0.5)


_PTY = {"0": "none", "1": "rain", "2": "rain_snow", "3": "snow", "4": "shower"}
_SKY = {"1": "clear", "3": "cloudy", "4": "overcast"}
# Seoul City Hall: the grid used when the user gave no coordinates.
DEFAULT_LAT_LON = (37.5665, 126.9780)


def base_time(now: datetime) -> tuple[str, str]:
    """The latest village-forecast issue at ``now`` (issued 02, 05, …, 23 h, ready ~10 min
    later), as (base_date, base_time)."""
    now = now.astimezone(KST) - timedelta(minutes=10)
    hours = [h for h in (2, 5, 8, 11, 14, 17, 20, 23) if h <= now.hour]
    if not hours:
        now -= timedelta(days=1)
        hours = [23]
    return now.strftime("%Y%m%d"), f"{hours[-1]:02d}00"


class KmaWeather:
    """The KMA village forecast (공공데이터포털 ``VilageFcstInfoService_2.0/getVilageFcst``)."""

    PATH = "/1360000/VilageFcstInfoService_2.0/getVilageFcst"

    def __init__(
        self,
        base_url: str,
        service_key: str,
        client: httpx.AsyncClient | None = None,
        guard: Guard | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(KST),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.service_key = service_key
        self.client = client or httpx.AsyncClient(timeout=5.0)
        self.guard = guard or Guard("kma")
        self.clock = clock

    async def aclose(self) -> None:
        await self.client.aclose()

    async def forecast(self, location: Location | None, day_offset: int) -> list[Forecast]:
        lat, lon = DEFAULT_LAT_LON
        if location is not None and location.lat is not None and location.lon is not None:
            lat, lon = location.lat, location.lon
        nx, ny = kma_grid(lat, lon)
        now = self.clock()
        base_date, base = base_time(now)
        params = {
            "serviceKey": self.service_key,
            "pageNo": "1",
            "numOfRows": "1000",
            "dataType": "JSON",
            "base_date": base_date,
            "base_time": base,
            "nx": str(nx),
            "ny": str(ny),
        }

        async def fetch() -> list[Forecast]:
            response = await self.client.get(self.base_url + self.PATH, params=params)
            response.raise_for_status()
            body = response.json()["response"]
            header = body["header"]
            if header["resultCode"] != "00":
                raise ToolUnavailable(f"KMA {header['resultCode']}: {header['resultMsg']}")
            items = body["body"]["items"]["item"]
            day = (now.astimezone(KST) + timedelta(days=day_offset)).strftime("%Y%m%d")
            return _forecasts([i for i in items if i["fcstDate"] == day])

        return await self.guard.call(fetch)


def _forecasts(items: list[dict[str, str]]) -> list[Forecast]:
    hours: dict[str, dict[str, str]] = {}
    for item in items:
        hours.setdefault(f"{item['fcstDate']} {item['fcstTime']}", {})[item["category"]] = str(
            item["fcstValue"]
        )
    out: list[Forecast] = []
    for when in sorted(hours):
        values = hours[when]
        out.append(
            Forecast(
                when=when,
                temperature_c=float(values["TMP"]) if "TMP" in values else None,
                rain_chance=int(values["POP"]) if "POP" in values else None,
                precipitation=_PTY.get(values.get("PTY", "0"), "none"),
                sky=_SKY.get(values.get("SKY", ""), "unknown"),
                wind_ms=float(values["WSD"]) if "WSD" in values else None,
            )
        )
    return out


# ----- web search ------------------------------------------------------------------------------


class SearchHit(BaseModel):
    title: str
    text: str
    source: str
    score: float


class WebSearch(Protocol):
    online: bool

    async def search(self, query: str, k: int = 3) -> list[SearchHit]: ...


SEARCH_MIN_SHARE = 0.5


class OfflineSearch:
    """Searches the project's own documents (the knowledge base's rules); it is offline."""

    online = False

    async def search(self, query: str, k: int = 3) -> list[SearchHit]:
        from domains.chat.splitter import morphemes
        from domains.knowledge import search_rules

        # Retrieval scores are relative to the best passage, so relevance is judged apart: at
        # least half of the query's nouns must occur in the passage.
        nouns = {t.form for t in morphemes(query) if t.tag in ("NNG", "NNP", "SL")}
        found: list[SearchHit] = []
        for hit in search_rules(query, k):
            passage = f"{hit.title} {hit.text}"
            share = sum(noun in passage for noun in nouns) / len(nouns) if nouns else 0.0
            if share >= SEARCH_MIN_SHARE:
                found.append(
                    SearchHit(
                        title=hit.title, text=hit.text, source=f"knowledge:{hit.id}", score=share
                    )
                )
        return found


# ----- image generation ------------------------------------------------------------------------


class MadeImage(BaseModel):
    ref: str = Field(description="Key in the image store.")
    url: str
    width: int
    height: int
    description: str


class ImageMaker(Protocol):
    async def make(
        self, prompt: str, title: str, lines: list[str], owner: str | None = None
    ) -> MadeImage: ...


_FONT_DIRS = ("/usr/share/fonts/truetype/nanum", "/usr/share/fonts/opentype/nanum")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from pathlib import Path

    for folder in _FONT_DIRS:
        for name in ("NanumGothicBold.ttf", "NanumGothic.ttf", "NanumSquareB.ttf"):
            path = Path(folder) / name
            if path.exists():
                return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


class ImageGrants(Protocol):
    """Records who owns a stored image (``domains.image.owners.ImageOwners``)."""

    async def grant(self, user_id: str, ref: str) -> None: ...


class CardPainter:
    """Draws a card (title, lines of text, a leaf) as a PNG and stores it."""

    def __init__(
        self,
        images: ImageStore,
        url_prefix: str = "/api/v1/images/",
        owners: ImageGrants | None = None,
    ) -> None:
        self.images = images
        self.url_prefix = url_prefix
        self.owners = owners

    def paint(self, title: str, lines: list[str], width: int = 480, height: int = 640) -> bytes:
        card = Image.new("RGB", (width, height), (232, 245, 233))
        draw = ImageDraw.Draw(card)
        draw.rounded_rectangle(
            (16, 16, width - 16, height - 16), 24, outline=(46, 125, 50), width=6
        )
        draw.ellipse((width // 2 - 90, 90, width // 2 + 90, 270), fill=(129, 199, 132))
        draw.polygon(
            [(width // 2, 110), (width // 2 + 60, 180), (width // 2, 250), (width // 2 - 60, 180)],
            fill=(56, 142, 60),
        )
        draw.text((40, 300), title, font=_font(36), fill=(27, 94, 32))
        y = 360
        for line in lines[:6]:
            draw.text((40, y), line[:22], font=_font(22), fill=(33, 33, 33))
            y += 40
        out = io.BytesIO()
        card.save(out, format="PNG")
        return out.getvalue()

    async def make(
        self, prompt: str, title: str, lines: list[str], owner: str | None = None
    ) -> MadeImage:
        """Paint and store the card; ``owner`` is granted it (``/api/v1/images`` serves an image
        to its owners only)."""
        data = await asyncio.to_thread(self.paint, title, lines)
        ref = await self.images.put(data)
        if owner is not None and self.owners is not None:
            await self.owners.grant(owner, ref)
        return MadeImage(
            ref=ref,
            url=f"{self.url_prefix}{ref}",
            width=480,
            height=640,
            description=f"{title} 카드 ({prompt[:40]})",
        )


# ----- places, fees, prices ------------------------------------------------------------------

PlaceKind = Literal[
    "recycling_centre",
    "zero_waste_shop",
    "community_centre",
    "battery_bin",
    "lamp_bin",
    "clothes_bin",
    "medicine_bin",
    "small_appliance_bin",
]


class Place(BaseModel):
    name: str
    kind: PlaceKind
    address: str
    distance_m: float | None = None


class Places(Protocol):
    loaded: bool

    async def near(self, kind: PlaceKind, location: Location) -> list[Place]: ...


class KnowledgePlaces:
    """No facility list loaded yet (the places issue brings one): finds nothing, honestly."""

    loaded = False

    async def near(self, kind: PlaceKind, location: Location) -> list[Place]:
        return []


class Fee(BaseModel):
    item: str
    district: str
    fee_won: int


class BulkFees(Protocol):
    loaded: bool

    async def fee(self, item: str, district: str | None) -> Fee | None: ...


class KnowledgeFees:
    """No district fee table loaded yet (the places issue brings one)."""

    loaded = False

    async def fee(self, item: str, district: str | None) -> Fee | None:
        return None


class PriceQuote(BaseModel):
    name: str
    won_per_kg: int
    region: str
    date: str
    source: str


class Prices:
    """The knowledge base's recyclable price survey."""

    def quote(self, text: str, region: str = "nationwide") -> list[PriceQuote]:
        from domains.knowledge import load_knowledge
        from domains.knowledge.text import compact

        table = load_knowledge().prices
        flat = compact(text.lower())
        found: list[PriceQuote] = []
        for item in table.items:
            names = [item.name, *item.synonyms]
            if any(compact(n.lower()) and compact(n.lower()) in flat for n in names):
                price = item.prices.get(region, item.prices["nationwide"])
                found.append(
                    PriceQuote(
                        name=item.name,
                        won_per_kg=price,
                        region=table.regions.get(region, region),
                        date=table.date,
                        source=table.source,
                    )
                )
        return found
