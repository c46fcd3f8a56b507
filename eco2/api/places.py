"""The places and everyday-info endpoints: facility search, bulk-waste fees, recyclable prices,
the collection calendar (JSON and iCalendar), tonight's streams, and reminder settings.

Bad coordinates, radii, districts and dates are answered 422 with the reason (the domain's
``InvalidQuery``/``UnknownDistrict``/``InvalidRequest``, mapped in ``eco2.api.errors``); no
request here writes anything except the reminder settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from domains.info.exceptions import InvalidRequest
from domains.info.schemas import Calendar, FeeMatch, Price, Reminder, ReminderIn, Tonight, Zone
from domains.info.service import InfoService
from domains.location.schemas import Facility, FacilityKind, PlaceHit, Region
from domains.location.service import LocationService
from eco2.api.identity import CurrentUser
from eco2.api.schemas import ErrorOut

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (404, 422, 503)
}
# No range here: the service's check names swapped axes and points outside South Korea, which
# a bare "less than or equal to 90" would hide.
Lat = Annotated[float, Query(description="Latitude, WGS84 (South Korea: 33-38.7).")]
Lon = Annotated[float, Query(description="Longitude, WGS84 (South Korea: 124.5-132).")]
Sigungu = Annotated[str, Query(min_length=1, max_length=32, description="시군구, e.g. 강남구.")]
Sido = Annotated[str | None, Query(max_length=32, description="시도, when 시군구 is ambiguous.")]
ZoneName = Annotated[str | None, Query(max_length=100, description="관리구역명 or a 동 it covers.")]


@dataclass
class PlacesApi:
    """What these routes need, opened by the app's lifespan (``request.app.state.places``)."""

    locations: LocationService
    info: InfoService


def _api(request: Request) -> PlacesApi:
    return request.app.state.places


locations = APIRouter(prefix="/api/v1/locations", tags=["locations"], responses=ERRORS)
info = APIRouter(prefix="/api/v1/info", tags=["info"], responses=ERRORS)
reminders = APIRouter(prefix="/api/v1/users/me/reminders", tags=["reminders"], responses=ERRORS)


@locations.get("/nearby", response_model=list[PlaceHit])
async def nearby(
    request: Request,
    lat: Lat,
    lon: Lon,
    radius_m: Annotated[int | None, Query(ge=1, description="Metres; default 2,000.")] = None,
    kind: Annotated[list[FacilityKind] | None, Query(description="Kinds to keep.")] = None,
    item: Annotated[str | None, Query(max_length=64, description="An accepted item.")] = None,
    open_now: bool = False,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[PlaceHit]:
    """Places near a point, nearest first, with geodesic distances in metres."""
    return await _api(request).locations.nearby(
        lat, lon, radius_m=radius_m, kinds=kind or [], item=item, open_now=open_now, limit=limit
    )


@locations.get("/search", response_model=list[PlaceHit])
async def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=100, description="Name, address, item.")],
    lat: Annotated[float | None, Query()] = None,
    lon: Annotated[float | None, Query()] = None,
    radius_m: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[PlaceHit]:
    """Places by name, address or accepted item; nearest first when a point is given."""
    return await _api(request).locations.search(q, lat=lat, lon=lon, radius_m=radius_m, limit=limit)


@locations.get("/region", response_model=Region | None)
async def region(request: Request, lat: Lat, lon: Lon) -> Region | None:
    """The district (시도, 시군구) at a point; null when we cannot tell offline."""
    return await _api(request).locations.region(lat, lon)


@locations.get("/{facility_id}", response_model=Facility)
async def facility(
    request: Request, facility_id: Annotated[int, Path(ge=1, le=2**63 - 1)]
) -> Facility:
    """One facility with its hours, accepted items and source."""
    return await _api(request).locations.get(facility_id)


@info.get("/bulk-waste-fees", response_model=list[FeeMatch])
async def bulk_waste_fees(
    request: Request,
    sigungu: Sigungu,
    sido: Sido = None,
    item: Annotated[str | None, Query(max_length=100, description="e.g. 3인용 소파.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 10,
) -> list[FeeMatch]:
    """A district's bulk-waste fees; with ``item`` the best matches first."""
    return await _api(request).info.bulk_waste_fees(sigungu, sido=sido, query=item, limit=limit)


@info.get("/prices", response_model=list[Price])
async def prices(
    request: Request,
    region: Annotated[str | None, Query(max_length=32)] = None,
    material: Annotated[str | None, Query(max_length=100)] = None,
    month: Annotated[str | None, Query(description="YYYY-MM; default the latest.")] = None,
) -> list[Price]:
    """Recyclable prices by region and month."""
    first = None
    if month is not None:
        match = re.fullmatch(r"(\d{4})-(\d{2})", month)
        if match is None or not 1 <= int(match[2]) <= 12:
            raise InvalidRequest(f"month={month!r} is not YYYY-MM")
        first = date(int(match[1]), int(match[2]), 1)
    return await _api(request).info.prices(region=region, material=material, month=first)


@info.get("/zones", response_model=list[Zone])
async def zones(request: Request, sigungu: Sigungu, sido: Sido = None) -> list[Zone]:
    """A district's collection zones and their published schedules."""
    return await _api(request).info.zones(sigungu, sido=sido)


@info.get("/calendar", response_model=Calendar)
async def calendar(
    request: Request,
    sigungu: Sigungu,
    sido: Sido = None,
    zone: ZoneName = None,
    start: date | None = None,
    days: Annotated[int, Query(ge=1, le=366)] = 31,
) -> Calendar:
    """The zone's 배출 days, public holidays and 미수거일 applied."""
    return await _api(request).info.calendar(sigungu, sido=sido, zone=zone, start=start, days=days)


@info.get("/calendar.ics", response_class=Response)
async def calendar_ics(
    request: Request,
    sigungu: Sigungu,
    sido: Sido = None,
    zone: ZoneName = None,
    start: date | None = None,
    days: Annotated[int, Query(ge=1, le=366)] = 92,
) -> Response:
    """The same calendar as an iCalendar feed (subscribe to this URL on a phone)."""
    body = await _api(request).info.ics(sigungu, sido=sido, zone=zone, start=start, days=days)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="eco2-collection.ics"'},
    )


@info.get("/tonight", response_model=Tonight)
async def tonight(
    request: Request,
    sigungu: Annotated[str | None, Query(max_length=32)] = None,
    sido: Sido = None,
    zone: ZoneName = None,
    lat: Annotated[float | None, Query()] = None,
    lon: Annotated[float | None, Query()] = None,
    at: Annotated[datetime | None, Query(description="ISO time; default now.")] = None,
) -> Tonight:
    """What goes out this evening; the district by name, or found from lat/lon."""
    api = _api(request)
    if not sigungu:
        if lat is None or lon is None:
            raise InvalidRequest("give sigungu, or lat and lon")
        found = await api.locations.region(lat, lon)
        if found is None:
            raise InvalidRequest(f"no district known near lat={lat}, lon={lon}; give sigungu")
        sido, sigungu = found.sido, found.sigungu
    if at is not None and at.tzinfo is None:
        raise InvalidRequest("at must carry a UTC offset, e.g. 2026-09-25T19:00:00+09:00")
    return await api.info.tonight(sigungu, sido=sido, zone=zone, at=at)


@reminders.get("", response_model=Reminder)
async def get_reminder(request: Request, user_id: CurrentUser) -> Reminder:
    """The caller's reminder settings; 404 when none are set."""
    return await _api(request).info.get_reminder(user_id)


@reminders.put("", response_model=Reminder)
async def put_reminder(request: Request, body: ReminderIn, user_id: CurrentUser) -> Reminder:
    """Set (or replace) the caller's reminder: district, zone, streams and evening time."""
    return await _api(request).info.set_reminder(user_id, body)


@reminders.delete("", status_code=204)
async def delete_reminder(request: Request, user_id: CurrentUser) -> Response:
    """Stop the caller's reminders."""
    await _api(request).info.delete_reminder(user_id)
    return Response(status_code=204)
