"""The weather tool: ``OfflineWeather`` says it is unavailable; ``KmaWeather`` calls the Korea
Meteorological Administration's village forecast API (``getVilageFcst``) over httpx, through a
``Guard``."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Literal, Protocol

import httpx
from pydantic import BaseModel, Field

from domains.chat.events import Location
from domains.chat.tools import Guard, ToolUnavailable

KST = timezone(timedelta(hours=9))


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


def base_time(now: datetime, day_offset: int = 0) -> tuple[str, str]:
    """The latest village-forecast issue at ``now`` (issued 02, 05, …, 23 h, ready ~10 min
    later) that still forecasts the day ``day_offset`` days from today, as (base_date,
    base_time).

    An issue forecasts the hours after its own, through the second day after its date (the
    23 h one, through the third): so between 23:10 and midnight the latest issue no longer holds
    today, and a question about today is answered from the 20 h one."""
    now = now.astimezone(KST) - timedelta(minutes=10)
    hours = [h for h in (2, 5, 8, 11, 14, 17, 20, 23) if h <= now.hour]
    if not hours:
        now -= timedelta(days=1)
        hours = [23]
    elif hours[-1] == 23 and day_offset == 0:
        hours.pop()
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
        base_date, base = base_time(now, day_offset)
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
