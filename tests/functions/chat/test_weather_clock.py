"""The KMA forecast at every hour of the night, against the loopback server that forecasts what
the real one does (the hours after each issue, through the second day after it; the 23 h issue
through the third): today, tomorrow and the day after are answered whatever the clock says.

Before, the client read today from the 23 h issue between 23:10 and midnight (which no longer
holds today) and the server forecast three days from the issue's date whatever its hour, so
"모레" after midnight came back empty: a chat test failed at 00:13 Korea time."""

from __future__ import annotations

from datetime import datetime

import pytest

from domains.chat.tools import Guard
from domains.chat.weather import KST, KmaWeather

from .kma_server import Kma

TIMES = [(2026, 12, 6, h, m) for h, m in ((1, 0), (2, 5), (2, 30), (13, 0), (23, 5), (23, 30))]
TIMES += [(2026, 12, 7, 0, 13), (2026, 12, 31, 23, 50)]


@pytest.mark.parametrize(
    "when", TIMES, ids=lambda t: f"{t[1]:02d}-{t[2]:02d} {t[3]:02d}:{t[4]:02d}"
)
async def test_today_tomorrow_and_the_day_after_are_forecast_at_any_hour(
    kma: Kma, when: tuple[int, ...]
) -> None:
    now = datetime(*when, tzinfo=KST)
    weather = KmaWeather(
        kma.base_url, "k", guard=Guard("kma-clock", timeout_s=5.0), clock=lambda: now
    )
    try:
        for day in (0, 1, 2):
            hours = await weather.forecast(None, day)
            assert hours, f"day +{day} at {now:%m-%d %H:%M}: nothing forecast"
            wanted = now.date().toordinal() + day
            assert {datetime.strptime(h.when[:8], "%Y%m%d").toordinal() for h in hours} == {wanted}
    finally:
        await weather.aclose()
    # Late at night today comes from the 20 h issue; tomorrow from the newest.
    if (now.hour, now.minute) >= (23, 10):
        assert [r["base_time"] for r in kma.requests] == ["2000", "2300", "2300"]
