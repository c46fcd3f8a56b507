"""The location domain's payloads: facilities, search hits and districts."""

from __future__ import annotations

from datetime import date, time
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

FacilityKind = Literal[
    "recycling_centre",
    "battery_box",
    "lamp_box",
    "lamp_battery_box",
    "clothing_bin",
    "medicine_box",
    "zero_waste_shop",
]
KINDS: tuple[str, ...] = get_args(FacilityKind)

# What a kind takes when its source lists nothing: the item filter matches these too.
KIND_ITEMS: dict[str, tuple[str, ...]] = {
    "recycling_centre": ("중고가구", "중고가전"),
    "battery_box": ("폐건전지",),
    "lamp_box": ("폐형광등",),
    "lamp_battery_box": ("폐건전지", "폐형광등"),
    "clothing_bin": ("헌옷", "의류", "신발", "가방", "이불"),
    "medicine_box": ("폐의약품",),
    "zero_waste_shop": ("리필", "다회용기"),
}
KIND_LABELS: dict[str, str] = {
    "recycling_centre": "재활용센터",
    "battery_box": "폐건전지 수거함",
    "lamp_box": "폐형광등 수거함",
    "lamp_battery_box": "폐형광등·폐건전지 수거함",
    "clothing_bin": "의류수거함",
    "medicine_box": "폐의약품 수거함",
    "zero_waste_shop": "제로웨이스트 상점",
}
# Boxes and bins stand outdoors or in lobbies: with no published hours they are reachable
# at any time; a centre or shop without hours is "unknown", not "open".
ALWAYS_OPEN_KINDS = frozenset({"battery_box", "lamp_box", "lamp_battery_box", "clothing_bin"})


class Hours(BaseModel):
    """Opening hours as published: weekday, Saturday and Sunday/holiday windows, closed days."""

    model_config = ConfigDict(frozen=True)

    weekday: tuple[time, time] | None = None
    saturday: tuple[time, time] | None = None
    holiday: tuple[time, time] | None = None
    closed_days: str | None = Field(None, description="휴무일정보 as published.")


class Facility(BaseModel):
    """A place that takes something back, as imported."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: FacilityKind
    name: str
    sido: str
    sigungu: str
    road_address: str | None = None
    jibun_address: str | None = None
    detail: str | None = None
    lat: float
    lon: float
    accepts: list[str] = Field(default_factory=list)
    hours: Hours = Hours()
    operator: str | None = None
    phone: str | None = None
    source: str
    reference_date: date | None = None

    @property
    def address(self) -> str:
        return self.road_address or self.jibun_address or ""


class PlaceHit(BaseModel):
    """A search result: a facility of ours, or a place only Kakao knows (``id`` None)."""

    model_config = ConfigDict(frozen=True)

    id: int | None
    kind: str | None = Field(None, description="A FacilityKind, or None for a Kakao place.")
    name: str
    address: str
    lat: float
    lon: float
    distance_m: float | None = Field(None, description="Geodesic distance (WGS84), metres.")
    accepts: list[str] = Field(default_factory=list)
    open_now: bool | None = Field(None, description="None when the hours are not known.")
    phone: str | None = None
    url: str | None = None
    source: Literal["db", "kakao"] = "db"


class Region(BaseModel):
    """The administrative district at a point (Kakao's coord2regioncode, or our own data)."""

    model_config = ConfigDict(frozen=True)

    sido: str
    sigungu: str
    dong: str | None = None
    code: str | None = None
    source: Literal["kakao", "db"]
