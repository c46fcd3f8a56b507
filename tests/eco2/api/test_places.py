"""The places and info endpoints through the API app on the real PostgreSQL: answers, 422s with
their reasons, the iCalendar feed, and reminder settings keyed by the caller's token."""

from __future__ import annotations

import httpx
import pytest
from icalendar import Calendar as ICalendar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.info.importers import SAMPLES as INFO_SAMPLES
from domains.info.importers import import_info
from domains.location.importers import SAMPLES as FACILITY_SAMPLES
from domains.location.importers import import_facilities
from tests.eco2.api.conftest import SignIn

YEOKSAM = {"lat": 37.5000, "lon": 127.0360}


@pytest.fixture
async def data(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The sample files in the session's schema (idempotent: every test may import them)."""
    for kind, path in FACILITY_SAMPLES.items():
        await import_facilities(sessions, kind, path)
    for kind, path in INFO_SAMPLES.items():
        await import_info(sessions, kind, path)


async def test_nearby_nearest_first_with_filters(client: httpx.AsyncClient, data: None) -> None:
    response = await client.get(
        "/api/v1/locations/nearby", params={**YEOKSAM, "radius_m": 1500, "limit": 5}
    )
    assert response.status_code == 200, response.text
    hits = response.json()
    distances = [hit["distance_m"] for hit in hits]
    assert distances == sorted(distances) and len(hits) == 5
    assert all(hit["source"] == "db" for hit in hits)
    response = await client.get(
        "/api/v1/locations/nearby",
        params={**YEOKSAM, "kind": ["battery_box", "lamp_battery_box"], "item": "건전지"},
    )
    kinds = {hit["kind"] for hit in response.json()}
    assert response.status_code == 200 and kinds <= {"battery_box", "lamp_battery_box"} and kinds
    first = response.json()[0]
    detail = await client.get(f"/api/v1/locations/{first['id']}")
    assert detail.status_code == 200 and detail.json()["name"] == first["name"]


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"lat": 95, "lon": 127}, "lat=95.0, lon=127.0 is outside South Korea"),
        ({"lat": 127.036, "lon": 37.5}, "looks swapped"),
        ({"lat": 35.0, "lon": 140.0}, "outside South Korea"),
        ({**YEOKSAM, "radius_m": 0}, "radius_m: Input should be greater than or equal to 1"),
        ({**YEOKSAM, "radius_m": 50_000}, "radius_m=50000 must be between 1 and 20000"),
        ({**YEOKSAM, "kind": "park"}, "kind.0: Input should be"),
        ({"lat": "north", "lon": 127}, "lat: Input should be a valid number"),
    ],
)
async def test_bad_searches_get_422_with_the_reason(
    client: httpx.AsyncClient, params: dict[str, object], reason: str
) -> None:
    response = await client.get("/api/v1/locations/nearby", params=params)
    assert response.status_code == 422
    assert reason in response.json()["error"]["message"]


async def test_search_and_missing_facility(client: httpx.AsyncClient, data: None) -> None:
    response = await client.get("/api/v1/locations/search", params={"q": "리필"})
    assert response.status_code == 200
    assert {hit["kind"] for hit in response.json()} == {"zero_waste_shop"}
    response = await client.get("/api/v1/locations/search", params={"q": "센터", "lat": 37.5})
    assert response.status_code == 422 and "both lat and lon" in response.text
    missing = await client.get("/api/v1/locations/987654321")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def test_fees_prices_and_districts(client: httpx.AsyncClient, data: None) -> None:
    response = await client.get(
        "/api/v1/info/bulk-waste-fees", params={"sigungu": "강남구", "item": "장롱 큰 거"}
    )
    assert response.status_code == 200
    assert response.json()[0]["fee_won"] == 12000
    unknown = await client.get("/api/v1/info/bulk-waste-fees", params={"sigungu": "없는구"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unknown_district"
    assert "강남구" in unknown.json()["error"]["message"]
    prices = await client.get(
        "/api/v1/info/prices", params={"region": "수도권", "month": "2026-10"}
    )
    assert prices.status_code == 200 and len(prices.json()) == 7
    bad = await client.get("/api/v1/info/prices", params={"month": "2026-13"})
    assert bad.status_code == 422 and "YYYY-MM" in bad.text


async def test_calendar_ics_and_tonight(client: httpx.AsyncClient, data: None) -> None:
    params = {"sigungu": "수원시 영통구", "start": "2026-09-21", "days": 7}
    calendar = await client.get("/api/v1/info/calendar", params=params)
    assert calendar.status_code == 200
    assert calendar.json()["days"][3]["skipped"][0]["reason"].startswith("미수거일: 공휴일")
    feed = await client.get("/api/v1/info/calendar.ics", params=params)
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert len(list(ICalendar.from_ical(feed.content).walk("VEVENT"))) == 14
    tonight = await client.get(
        "/api/v1/info/tonight",
        params={"sigungu": "수원시 영통구", "at": "2026-09-23T19:00:00+09:00"},
    )
    assert tonight.status_code == 200
    assert [s["stream"] for s in tonight.json()["streams"]] == ["general", "food", "recyclables"]
    by_point = await client.get(
        "/api/v1/info/tonight",
        params={"lat": 37.2530, "lon": 127.0725, "at": "2026-09-23T19:00:00+09:00"},
    )
    assert by_point.status_code == 200 and by_point.json()["zone"]["sigungu"] == "수원시 영통구"
    naive = await client.get(
        "/api/v1/info/tonight", params={"sigungu": "수원시 영통구", "at": "2026-09-23T19:00"}
    )
    assert naive.status_code == 422 and "UTC offset" in naive.text
    nothing = await client.get("/api/v1/info/tonight")
    assert nothing.status_code == 422 and "give sigungu" in nothing.text
    too_long = await client.get("/api/v1/info/calendar", params={**params, "days": 400})
    assert too_long.status_code == 422


async def test_reminder_settings(
    client: httpx.AsyncClient, data: None, user: str, sign_in: SignIn
) -> None:
    headers: dict[str, str] = {}  # the client is signed in as user
    assert (await client.get("/api/v1/users/me/reminders", headers=headers)).status_code == 404
    body = {"sigungu": "마포구", "zone": "망원구역", "streams": ["food"], "remind_at": "19:30"}
    saved = await client.put("/api/v1/users/me/reminders", json=body, headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["remind_at"] == "19:30:00" and saved.json()["sido"] == "서울특별시"
    read = await client.get("/api/v1/users/me/reminders", headers=headers)
    assert read.json() == saved.json()
    bad = await client.put(
        "/api/v1/users/me/reminders", json={**body, "streams": ["plastic"]}, headers=headers
    )
    assert bad.status_code == 422 and "streams.0" in bad.text
    elsewhere = await client.put(
        "/api/v1/users/me/reminders", json={**body, "sigungu": "없는구"}, headers=headers
    )
    assert elsewhere.status_code == 422
    assert (await client.get("/api/v1/users/me/reminders", headers=headers)).json() == read.json()
    no_user = await client.get(
        "/api/v1/users/me/reminders", headers={"Authorization": "Bearer not-a-token"}
    )
    assert no_user.status_code == 401 and no_user.json()["error"]["code"] == "invalid_token"
    client.headers.pop("Authorization")
    anonymous = await client.get("/api/v1/users/me/reminders")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"] == "Bearer"
    client.headers.update(await sign_in(user))
    gone = await client.delete("/api/v1/users/me/reminders", headers=headers)
    assert gone.status_code == 204
    assert (await client.get("/api/v1/users/me/reminders", headers=headers)).status_code == 404
