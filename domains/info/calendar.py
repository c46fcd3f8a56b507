"""The collection calendar of a zone: which streams go out on which evening, holidays applied,
and the same as an iCalendar feed.

Reading of the published schedule (전국생활쓰레기배출정보표준데이터): a stream's 배출요일 are the
days it is put out, from 배출시작시각 to 배출종료시각 (an end before the start is the next
morning, when it is collected). 미수거일 lists the days on which that put-out is not collected:
weekdays ("토요일"), "공휴일" (every Korean public holiday, substitute holidays included, from
the ``holidays`` package), "설날"/"추석"/"명절" (those holidays and the days around them), and
dates ("1월1일", "2026-09-25"). A day of a 미수거일 shows the stream as skipped, with the
reason, so the calendar and the feed explain the change instead of silently omitting it.

A zone row is read here too (``zone_of``: its public view and put-out windows), and a day is
said in one Korean sentence (``describe``) for "tonight", the reminders and the chat.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from domains.info.models import CollectionZoneRow
from domains.info.schemas import (
    STREAM_LABELS,
    STREAM_NAMES,
    CollectionDay,
    Skipped,
    StreamWindow,
    Zone,
)
from domains.location.hours import SEOUL, holiday_name

WEEKDAY_NAMES = "월화수목금토일"
_MONTH_DAY = re.compile(r"(\d{1,2})\s*월\s*(\d{1,2})\s*일")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WEEKDAY = re.compile(r"([월화수목금토일])요일")

Times = dict[str, tuple[time, time] | None]


def zone_of(row: CollectionZoneRow) -> tuple[Zone, Times]:
    """The zone's public view and its put-out window per stream."""
    times: Times = {}
    for stream in STREAM_NAMES:
        start, end = getattr(row, f"{stream}_start"), getattr(row, f"{stream}_end")
        times[stream] = (start, end) if start is not None and end is not None else None
    zone = Zone(
        id=row.id,
        sido=row.sido,
        sigungu=row.sigungu,
        zone=row.zone,
        areas=row.areas,
        place_type=row.place_type,
        place=row.place,
        days={stream: list(getattr(row, f"{stream}_days") or []) for stream in STREAM_NAMES},
        no_collection=row.no_collection,
        department=row.department,
        phone=row.phone,
        reference_date=row.reference_date,
    )
    return zone, times


def _fmt(moment: time) -> str:
    return "24:00" if moment >= time(23, 59) else moment.strftime("%H:%M")


def describe(day: CollectionDay, *, today: bool = True) -> str:
    """One Korean sentence for a day: what goes out and when, or why nothing does."""
    when = f"{'오늘' if today else ''}({day.date.month}월 {day.date.day}일 {day.weekday})"
    if day.streams:
        parts = ", ".join(f"{w.label} {_fmt(w.start)}~{_fmt(w.end)}" for w in day.streams)
        text = f"{when} 저녁 배출: {parts}"
        if day.skipped:
            text += "; " + ", ".join(f"{s.label} 없음({s.reason})" for s in day.skipped)
        return text
    if day.skipped:
        return f"{when} 수거 없음: " + ", ".join(f"{s.label}({s.reason})" for s in day.skipped)
    return f"{when} 배출하는 품목이 없어요"


def no_collection_reason(text: str | None, day: date) -> str | None:
    """Why nothing is collected on ``day`` under the 미수거일 ``text``; None if it is."""
    if not text:
        return None
    name = holiday_name(day)
    if name is not None and "공휴일" in text:
        return f"미수거일: 공휴일 ({name})"
    if name is not None:
        for word, holiday in (("설", "설날"), ("추석", "추석")):
            if word in text and holiday in name:
                return f"미수거일: {holiday} ({name})"
        if "명절" in text and ("설날" in name or "추석" in name):
            return f"미수거일: 명절 ({name})"
    for match in _WEEKDAY.finditer(text):
        if WEEKDAY_NAMES.index(match[1]) == day.weekday():
            return f"미수거일: 매주 {match[1]}요일"
    for match in _MONTH_DAY.finditer(text):
        if (int(match[1]), int(match[2])) == (day.month, day.day):
            return f"미수거일: {day.month}월 {day.day}일"
    for match in _ISO_DATE.finditer(text):
        if date(int(match[1]), int(match[2]), int(match[3])) == day:
            return f"미수거일: {day.isoformat()}"
    return None


def collection_day(
    zone: Zone, times: dict[str, tuple[time, time] | None], day: date
) -> CollectionDay:
    """The streams of ``zone`` that go out on ``day``, and those skipped by a 미수거일."""
    reason = no_collection_reason(zone.no_collection, day)
    streams: list[StreamWindow] = []
    skipped: list[Skipped] = []
    for stream in STREAM_NAMES:
        window = times.get(stream)
        if window is None or day.weekday() not in zone.days.get(stream, []):
            continue
        label = STREAM_LABELS[stream]
        if reason is not None:
            skipped.append(Skipped(stream=stream, label=label, reason=reason))
        else:
            streams.append(StreamWindow(stream=stream, label=label, start=window[0], end=window[1]))
    return CollectionDay(
        date=day,
        weekday=WEEKDAY_NAMES[day.weekday()],
        holiday=holiday_name(day),
        streams=streams,
        skipped=skipped,
    )


def calendar_days(
    zone: Zone, times: dict[str, tuple[time, time] | None], start: date, days: int
) -> list[CollectionDay]:
    """Every day from ``start`` for ``days`` days on which something goes out or is skipped."""
    found = []
    for offset in range(days):
        day = collection_day(zone, times, start + timedelta(days=offset))
        if day.streams or day.skipped:
            found.append(day)
    return found


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=SEOUL)


def to_ical(zone: Zone, days: list[CollectionDay], *, now: datetime | None = None) -> bytes:
    """An iCalendar (RFC 5545) feed of ``days``: one timed event per stream put out, and an
    all-day event naming each stream skipped by a 미수거일. UIDs are stable per zone, date and
    stream, so a subscribed phone updates events instead of duplicating them."""
    # Imported here: only the feed's route writes iCalendar, and every process that reads the
    # calendar (the chat function's "tonight" tool, the reminders) would otherwise import it.
    from icalendar import Calendar as ICalendar
    from icalendar import Event

    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    feed = ICalendar()
    feed.add("prodid", "-//Eco2//collection calendar//KO")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", f"{zone.sigungu} {zone.zone} 배출 일정")
    feed.add("x-wr-timezone", "Asia/Seoul")
    for day in days:
        for window in day.streams:
            event = Event()
            event.add("uid", f"{zone.id}-{day.date.isoformat()}-{window.stream}@eco2")
            event.add("dtstamp", stamp)
            event.add("summary", f"{window.label} 배출")
            begin = _at(day.date, window.start)
            finish = _at(day.date, window.end)
            if finish <= begin:  # put out in the evening, collected the next morning
                finish += timedelta(days=1)
            event.add("dtstart", begin)
            event.add("dtend", finish)
            if zone.place:
                event.add("location", zone.place)
            event.add("description", f"{zone.sido} {zone.sigungu} {zone.zone}")
            feed.add_component(event)
        for skip in day.skipped:
            event = Event()
            event.add("uid", f"{zone.id}-{day.date.isoformat()}-{skip.stream}-skip@eco2")
            event.add("dtstamp", stamp)
            event.add("summary", f"{skip.label} 수거 없음")
            event.add("dtstart", day.date)
            event.add("dtend", day.date + timedelta(days=1))
            event.add("description", skip.reason)
            feed.add_component(event)
    feed.add_missing_timezones()
    return feed.to_ical()
