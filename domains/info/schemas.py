"""The info domain's payloads: fees, prices, the collection calendar and reminders."""

from __future__ import annotations

from datetime import date, time
from typing import Literal, cast, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

Stream = Literal["general", "food", "recyclables"]
STREAM_NAMES = cast(tuple[Stream, ...], get_args(Stream))
STREAM_LABELS: dict[str, str] = {
    "general": "일반쓰레기(종량제)",
    "food": "음식물쓰레기",
    "recyclables": "재활용품",
}


class FeeMatch(BaseModel):
    """A bulk-waste fee matching a question, best first by ``score`` (0-1)."""

    model_config = ConfigDict(frozen=True)

    sido: str
    sigungu: str
    item: str
    category: str
    spec: str
    free: bool
    fee_won: int
    reference_date: date | None
    score: float = Field(ge=0, le=1)


class Price(BaseModel):
    """What a recyclable material fetches in a region and month."""

    model_config = ConfigDict(frozen=True)

    region: str
    month: date
    material: str
    unit: str
    price_won: int


class StreamWindow(BaseModel):
    """A stream that goes out on a day, and when it may be put out (the end may be past
    midnight: then it is the next morning)."""

    model_config = ConfigDict(frozen=True)

    stream: Stream
    label: str
    start: time
    end: time


class Skipped(BaseModel):
    """A stream that would go out on a day but is not collected, and why (미수거일)."""

    model_config = ConfigDict(frozen=True)

    stream: Stream
    label: str
    reason: str


class CollectionDay(BaseModel):
    model_config = ConfigDict(frozen=True)

    date: date
    weekday: str
    holiday: str | None = None
    streams: list[StreamWindow] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)


class Zone(BaseModel):
    """A 관리구역 of a district and its published schedule."""

    model_config = ConfigDict(frozen=True)

    id: int
    sido: str
    sigungu: str
    zone: str
    areas: str | None = None
    place_type: str | None = None
    place: str | None = None
    days: dict[str, list[int]] = Field(description="Stream → weekdays (0 = Monday).")
    no_collection: str | None = None
    department: str | None = None
    phone: str | None = None
    reference_date: date | None = None


class Calendar(BaseModel):
    zone: Zone
    days: list[CollectionDay]


class Tonight(BaseModel):
    """What goes out this evening in a zone, or why nothing does, and the next 배출 day."""

    zone: Zone
    date: date
    streams: list[StreamWindow]
    skipped: list[Skipped]
    next_day: CollectionDay | None = None
    message: str


class ReminderIn(BaseModel):
    """A user's reminder settings: where, which streams, and at what local time."""

    sido: str | None = Field(None, max_length=32)
    sigungu: str = Field(min_length=1, max_length=32)
    zone: str | None = Field(None, max_length=100, description="관리구역명; the only one if None.")
    streams: list[Stream] = Field(min_length=1)
    remind_at: time = Field(description="Local time (Asia/Seoul) on the evening of 배출.")
    enabled: bool = True

    @field_validator("streams")
    @classmethod
    def _distinct(cls, streams: list[str]) -> list[str]:
        return sorted(set(streams), key=STREAM_NAMES.index)


class Reminder(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: str
    sido: str
    sigungu: str
    zone: str
    streams: list[Stream]
    remind_at: time
    enabled: bool
    last_sent_on: date | None = None
