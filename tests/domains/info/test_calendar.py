"""The collection calendar across 추석 2026 (a public holiday in a zone whose 미수거일 is
공휴일) and 1 January (a 미수거일 by date), tonight's streams, and the iCalendar feed checked
with the icalendar package."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar as ICalendar

from domains.info.calendar import no_collection_reason
from domains.info.exceptions import InvalidRequest, UnknownDistrict
from domains.info.service import InfoService
from domains.location.hours import SEOUL

YEONGTONG = "수원시 영통구"


def _streams(day: object) -> list[str]:
    return [window.stream for window in day.streams]  # type: ignore[attr-defined]


async def test_a_week_across_chuseok(info: InfoService) -> None:
    calendar = await info.calendar(YEONGTONG, start=date(2026, 9, 21), days=7)
    days = {day.date: day for day in calendar.days}
    assert sorted(days) == [date(2026, 9, d) for d in range(21, 27)]  # no Sunday put-out
    assert _streams(days[date(2026, 9, 21)]) == ["general", "food"]
    assert _streams(days[date(2026, 9, 23)]) == ["general", "food", "recyclables"]
    window = days[date(2026, 9, 23)].streams[2]
    assert (window.start, window.end) == (time(18), time(6))
    for day in (24, 25, 26):
        entry = days[date(2026, 9, day)]
        assert entry.streams == [] and entry.holiday is not None and "추석" in entry.holiday
        assert {skip.reason for skip in entry.skipped} == {f"미수거일: 공휴일 ({entry.holiday})"}
    assert [s.stream for s in days[date(2026, 9, 26)].skipped] == [
        "general", "food", "recyclables"
    ]  # fmt: skip


async def test_new_year_is_a_no_collection_day_by_date(info: InfoService) -> None:
    calendar = await info.calendar("마포구", zone="망원구역", start=date(2026, 12, 30), days=4)
    days = {day.date: day for day in calendar.days}
    assert _streams(days[date(2026, 12, 30)]) == ["recyclables"]  # Wednesday
    new_year = days[date(2027, 1, 1)]  # Friday: recyclables day, but 미수거일 1월1일
    assert new_year.streams == []
    assert [(s.stream, s.reason) for s in new_year.skipped] == [
        ("recyclables", "미수거일: 1월 1일")
    ]
    # 마포 lists 설날/추석 but not 공휴일: an ordinary public holiday is collected.
    hangul_day = await info.calendar("마포구", zone="망원구역", start=date(2026, 10, 9), days=1)
    assert _streams(hangul_day.days[0]) == ["recyclables"]
    assert hangul_day.days[0].holiday == "한글날"


def test_no_collection_spellings() -> None:
    rule = "토요일+공휴일"
    assert no_collection_reason(rule, date(2026, 10, 10)) == "미수거일: 매주 토요일"
    assert no_collection_reason(rule, date(2026, 9, 26)) == "미수거일: 공휴일 (추석 다음날)"
    assert no_collection_reason("설날", date(2026, 2, 16)) == "미수거일: 설날 (설날 전날)"
    assert no_collection_reason("명절", date(2026, 9, 25)) == "미수거일: 명절 (추석)"
    assert no_collection_reason("2026-12-31", date(2026, 12, 31)) == "미수거일: 2026-12-31"
    assert no_collection_reason("추석", date(2026, 10, 3)) is None
    assert no_collection_reason(None, date(2026, 9, 25)) is None


async def test_tonight_and_the_next_day_after_a_holiday(info: InfoService) -> None:
    wednesday = datetime(2026, 9, 23, 19, 0, tzinfo=SEOUL)
    tonight = await info.tonight(YEONGTONG, at=wednesday)
    assert [w.stream for w in tonight.streams] == ["general", "food", "recyclables"]
    assert tonight.message.startswith("오늘(9월 23일 수) 저녁 배출: 일반쓰레기(종량제) 18:00~06:00")
    chuseok = datetime(2026, 9, 25, 10, 0, tzinfo=SEOUL)
    tonight = await info.tonight(YEONGTONG, at=chuseok)
    assert tonight.streams == [] and len(tonight.skipped) == 2
    assert tonight.next_day is not None and tonight.next_day.date == date(2026, 9, 28)
    assert "다음 배출: (9월 28일 월)" in tonight.message
    # "Tonight" is Seoul's evening whatever zone the caller's clock is in.
    late = datetime(2026, 9, 23, 14, 30, tzinfo=UTC)  # 23:30 in Seoul
    assert (await info.tonight(YEONGTONG, at=late)).date == date(2026, 9, 23)
    past_midnight = datetime(2026, 9, 23, 15, 30, tzinfo=UTC)  # 00:30 on the 24th in Seoul
    assert (await info.tonight(YEONGTONG, at=past_midnight)).date == date(2026, 9, 24)


async def test_ics_feed_validates_and_carries_the_holiday_changes(info: InfoService) -> None:
    body = await info.ics(YEONGTONG, start=date(2026, 9, 21), days=7)
    feed = ICalendar.from_ical(body)
    events = list(feed.walk("VEVENT"))
    timed = [e for e in events if isinstance(e.decoded("dtstart"), datetime)]
    all_day = [e for e in events if not isinstance(e.decoded("dtstart"), datetime)]
    assert (len(timed), len(all_day)) == (7, 7)
    assert len({str(e["uid"]) for e in events}) == 14
    first = min(timed, key=lambda e: e.decoded("dtstart"))
    start, end = first.decoded("dtstart"), first.decoded("dtend")
    assert start == datetime(2026, 9, 21, 18, 0, tzinfo=SEOUL)
    assert end - start == timedelta(hours=12)  # 18:00 to 06:00 the next morning
    assert str(first["dtstart"].params["TZID"]) == "Asia/Seoul"
    assert list(feed.walk("VTIMEZONE")), "the feed defines the zone it refers to"
    skipped = sorted(all_day, key=lambda e: (e.decoded("dtstart"), str(e["summary"])))
    assert skipped[0].decoded("dtstart") == date(2026, 9, 24)
    assert "추석 전날" in str(skipped[0]["description"])
    assert str(feed["x-wr-calname"]) == "수원시 영통구 영통구 전역 배출 일정"
    # Stable UIDs: the same feed generated again names the same events.
    again = ICalendar.from_ical(await info.ics(YEONGTONG, start=date(2026, 9, 21), days=7))
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == {str(e["uid"]) for e in events}


async def test_zones_by_name_area_and_the_errors(info: InfoService) -> None:
    zones = await info.zones("강남구", sido="서울")
    assert [zone.zone for zone in zones] == ["개포구역", "역삼1구역"]
    zone, _ = await info.zone("강남구", zone="역삼2동")
    assert zone.zone == "역삼1구역"
    with pytest.raises(InvalidRequest, match="has 2 zones"):
        await info.zone("강남구")
    with pytest.raises(UnknownDistrict, match="no zone '청담동'"):
        await info.zone("강남구", zone="청담동")
    with pytest.raises(UnknownDistrict, match=r"districts with data: .*서울특별시 강남구"):
        await info.calendar("해운대구")
    with pytest.raises(InvalidRequest, match="days=400"):
        await info.calendar(YEONGTONG, days=400)
