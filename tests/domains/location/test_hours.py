"""휴무일정보 as published, and opening windows that end at midnight or after it."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from domains.location.hours import SEOUL, closed_weekdays, is_open
from domains.location.schemas import Facility, FacilityKind, Hours


@pytest.mark.parametrize(
    ("text", "days", "holidays"),
    [
        ("매주 일요일", {6}, False),
        ("토·일요일 및 공휴일", {5, 6}, True),
        ("토,일요일", {5, 6}, False),
        ("매주 월요일, 명절 당일", {0}, True),
        ("연중무휴", set(), False),
        ("", set(), False),
    ],
)
def test_closed_days(text: str, days: set[int], holidays: bool) -> None:
    assert closed_weekdays(text) == (frozenset(days), holidays)


def _shop(hours: Hours, kind: FacilityKind = "zero_waste_shop") -> Facility:
    return Facility(
        id=1,
        kind=kind,
        name="x",
        sido="s",
        sigungu="g",
        lat=37.5,
        lon=127.0,
        hours=hours,
        source="test",
    )


def test_windows_to_midnight_and_past_it() -> None:
    late = _shop(Hours(weekday=(time(18), time(23, 59, 59))))  # published as 24:00
    assert is_open(late, datetime(2026, 9, 23, 23, 59, 59, tzinfo=SEOUL)) is True
    assert is_open(late, datetime(2026, 9, 23, 17, 59, tzinfo=SEOUL)) is False
    night = _shop(Hours(weekday=(time(20), time(4))))
    assert is_open(night, datetime(2026, 9, 23, 2, 0, tzinfo=SEOUL)) is True
    assert is_open(night, datetime(2026, 9, 23, 12, 0, tzinfo=SEOUL)) is False


def test_no_hours_is_open_for_a_bin_and_unknown_for_a_shop() -> None:
    moment = datetime(2026, 9, 23, 12, tzinfo=SEOUL)
    assert is_open(_shop(Hours(), kind="clothing_bin"), moment) is True
    assert is_open(_shop(Hours()), moment) is None
