"""Whether a facility is open at a moment, from its published hours and 휴무일정보.

Korean local time decides (Asia/Seoul). Sundays and public holidays (the ``holidays`` package's
Korean calendar, substitute holidays included) use the holiday window; Saturdays use the
Saturday window, or the weekday one when none is published. A holiday with no holiday window
counts as closed: centres publish a holiday window when they open on holidays.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from domains.location.schemas import ALWAYS_OPEN_KINDS, Facility

if TYPE_CHECKING:
    import holidays

SEOUL = ZoneInfo("Asia/Seoul")
WEEKDAYS = "월화수목금토일"
_DAY_RUN = re.compile(r"([월화수목금토일](?:\s*[·,、/및]\s*[월화수목금토일])*)\s*요일")


@lru_cache(maxsize=32)
def _korean_holidays(year: int) -> holidays.HolidayBase:
    # Imported at the first question about a day, not with the module: the package's calendars
    # cost a function that serves places (the chat function) a share of its cold start, and
    # most of its turns never ask whether a day is a holiday (bench/RESULTS.md, "Cold start").
    import holidays

    return holidays.country_holidays("KR", years=year, language="ko")


def holiday_name(day: date) -> str | None:
    """The Korean name of the public holiday on ``day`` ("추석", "설날 전날", "삼일절 대체
    휴일"), or None on an ordinary day."""
    return _korean_holidays(day.year).get(day)


def is_public_holiday(day: date) -> bool:
    """A Korean public holiday (substitute holidays included)."""
    return day in _korean_holidays(day.year)


def closed_weekdays(text: str | None) -> tuple[frozenset[int], bool]:
    """The weekdays (0 = Monday) and whether public holidays are closed, from 휴무일정보 such as
    "매주 일요일", "토·일요일 및 공휴일", "연중무휴"."""
    if not text or "연중무휴" in text or "무휴" in text:
        return frozenset(), False
    days: set[int] = set()
    for run in _DAY_RUN.findall(text):
        days.update(WEEKDAYS.index(char) for char in run if char in WEEKDAYS)
    return frozenset(days), "공휴일" in text or "명절" in text


def _within(window: tuple[time, time], moment: time) -> bool:
    start, end = window
    if start <= end:
        return start <= moment < end or (end == time(23, 59, 59) and moment >= start)
    return moment >= start or moment < end  # past midnight


def is_open(facility: Facility, at: datetime) -> bool | None:
    """True or False at ``at``; None when nothing is published to decide it."""
    local = at.astimezone(SEOUL)
    day, moment = local.date(), local.time()
    hours = facility.hours
    closed, closed_on_holidays = closed_weekdays(hours.closed_days)
    holiday = day.weekday() == 6 or is_public_holiday(day)
    if day.weekday() in closed or (closed_on_holidays and is_public_holiday(day)):
        return False
    if hours.weekday is None and hours.saturday is None and hours.holiday is None:
        return True if facility.kind in ALWAYS_OPEN_KINDS else None
    if holiday:
        window = hours.holiday
    elif day.weekday() == 5:
        window = hours.saturday or hours.weekday
    else:
        window = hours.weekday
    return window is not None and _within(window, moment)
