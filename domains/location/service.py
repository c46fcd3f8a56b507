"""Nearest-first facility search on PostGIS, merged with Kakao Local when a key is set.

The radius search is one statement: ``ST_DWithin`` on the GiST-indexed ``geography`` column
picks the candidates, the index's KNN operator (``<->``) walks them nearest first up to the
limit, and ``ST_DWithin``/``ST_Distance`` on geography measure on the WGS84 spheroid, so the
distances are geodesic metres. PostGIS lives in the ``public`` schema of the database while the
tables live in the domain schema (the engine's ``search_path``), so every PostGIS name is
schema-qualified. Why PostGIS and not earthdistance: docs/places.md (measured in
bench/places.py).

Reads run on an autocommit connection (``domains.db.autocommit``): one round trip per query,
no BEGIN/ROLLBACK around it and no ORM session, which is most of a search's client-side cost
under load (bench/RESULTS.md).

"Open now" needs the hours and the holiday calendar, so it is decided in Python on a larger
candidate set, then trimmed to the limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Float, Integer, String, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.db import autocommit
from domains.location.exceptions import FacilityNotFound, InvalidQuery, PlacesUnavailable
from domains.location.hours import SEOUL, is_open
from domains.location.importers import LAT_RANGE, LON_RANGE
from domains.location.kakao import NoPlaces, PlaceSource
from domains.location.schemas import KIND_LABELS, KINDS, Facility, Hours, PlaceHit, Region
from domains.location.settings import LocationSettings

POINT = "public.ST_SetSRID(public.ST_MakePoint(:lon, :lat), 4326)::public.geography"
COLUMNS = (
    "f.id, f.kind, f.name, f.sido, f.sigungu, f.road_address, f.jibun_address, f.detail, "
    "f.lat, f.lon, f.accepts, f.weekday_open, f.weekday_close, f.saturday_open, "
    "f.saturday_close, f.holiday_open, f.holiday_close, f.closed_days, f.operator, f.phone, "
    "f.source, f.reference_date"
)
# An accepted item matches when either word contains the other ("건전지" ~ "폐건전지").
ITEM_FILTER = (
    "EXISTS (SELECT 1 FROM unnest(f.accepts) AS a(item) "
    "WHERE strpos(a.item, :item) > 0 OR strpos(:item, a.item) > 0)"
)
# How many candidates "open now" looks at per result asked, since closed ones are dropped.
OPEN_NOW_FACTOR = 5
REGION_FALLBACK_M = 5_000
PHARMACY = "PM9"  # Kakao Local's category group code of pharmacies
EARTH_RADIUS_M = 6_371_008.8


def _nearby_sql(kinds: bool, item: bool) -> Any:
    where = [f"public.ST_DWithin(f.geog, {POINT}, :radius)"]
    if kinds:
        where.append("f.kind = ANY(:kinds)")
    if item:
        where.append(ITEM_FILTER)
    statement = text(
        f"SELECT * FROM (SELECT {COLUMNS}, public.ST_Distance(f.geog, {POINT}) AS distance_m "
        f"FROM facilities AS f WHERE {' AND '.join(where)} "
        f"ORDER BY f.geog OPERATOR(public.<->) {POINT} LIMIT :limit) AS near "
        "ORDER BY distance_m, id"
    )
    params = [
        bindparam("lat", type_=Float),
        bindparam("lon", type_=Float),
        bindparam("radius", type_=Float),
        bindparam("limit", type_=Integer),
    ]
    if kinds:
        params.append(bindparam("kinds", type_=ARRAY(String)))
    if item:
        params.append(bindparam("item", type_=String))
    return statement.bindparams(*params)


_NEARBY = {(k, i): _nearby_sql(k, i) for k in (False, True) for i in (False, True)}


def facility_of(row: Mapping[Any, Any]) -> Facility:
    """A ``Facility`` from a row of the facilities table (mapping of its columns)."""

    def window(prefix: str) -> tuple[Any, Any] | None:
        start, end = row[f"{prefix}_open"], row[f"{prefix}_close"]
        return (start, end) if start is not None and end is not None else None

    return Facility(
        id=row["id"],
        kind=row["kind"],
        name=row["name"],
        sido=row["sido"],
        sigungu=row["sigungu"],
        road_address=row["road_address"],
        jibun_address=row["jibun_address"],
        detail=row["detail"],
        lat=row["lat"],
        lon=row["lon"],
        accepts=list(row["accepts"] or []),
        hours=Hours(
            weekday=window("weekday"),
            saturday=window("saturday"),
            holiday=window("holiday"),
            closed_days=row["closed_days"],
        ),
        operator=row["operator"],
        phone=row["phone"],
        source=row["source"],
        reference_date=row["reference_date"],
    )


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on the mean sphere; good enough to tell 50 m from 60 m."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def merge(ours: Sequence[PlaceHit], theirs: Sequence[PlaceHit], within_m: float) -> list[PlaceHit]:
    """Our hits plus the Kakao places that are not within ``within_m`` of one of ours (or of an
    earlier Kakao place), nearest first when distances are known."""
    kept = list(ours)
    for place in theirs:
        if any(haversine_m(place.lat, place.lon, hit.lat, hit.lon) <= within_m for hit in kept):
            continue
        kept.append(place)
    if all(hit.distance_m is not None for hit in kept):
        kept.sort(key=lambda hit: (hit.distance_m, hit.source != "db"))
    return kept


def check_point(lat: float, lon: float) -> None:
    """``InvalidQuery`` unless (lat, lon) is in South Korea; names swapped axes when that fits."""
    inside = LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]
    if inside:
        return
    if LAT_RANGE[0] <= lon <= LAT_RANGE[1] and LON_RANGE[0] <= lat <= LON_RANGE[1]:
        raise InvalidQuery(f"lat={lat}, lon={lon} looks swapped: lat is about 33-39, lon 124-132")
    raise InvalidQuery(
        f"lat={lat}, lon={lon} is outside South Korea "
        f"(lat {LAT_RANGE[0]}-{LAT_RANGE[1]}, lon {LON_RANGE[0]}-{LON_RANGE[1]})"
    )


class LocationService:
    """Facility lookups for the API and the chat's location and collection-point agents."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: LocationSettings | None = None,
        places: PlaceSource | None = None,
    ) -> None:
        self._sessions = sessions
        self.settings = settings or LocationSettings()
        self.places: PlaceSource = places or NoPlaces()

    def _radius(self, radius_m: int | None) -> int:
        return self.settings.default_radius_m if radius_m is None else radius_m

    def _check(self, lat: float, lon: float, radius_m: int, limit: int) -> None:
        check_point(lat, lon)
        if not 1 <= radius_m <= self.settings.max_radius_m:
            raise InvalidQuery(
                f"radius_m={radius_m} must be between 1 and {self.settings.max_radius_m}"
            )
        if not 1 <= limit <= self.settings.max_results:
            raise InvalidQuery(f"limit={limit} must be between 1 and {self.settings.max_results}")

    async def get(self, facility_id: int) -> Facility:
        async with autocommit(self._sessions) as connection:
            row = (
                await connection.execute(
                    text(f"SELECT {COLUMNS} FROM facilities AS f WHERE f.id = :id"),
                    {"id": facility_id},
                )
            ).first()
        if row is None:
            raise FacilityNotFound(f"no facility with id {facility_id}")
        return facility_of(row._mapping)

    async def nearest(
        self,
        lat: float,
        lon: float,
        *,
        radius_m: int | None = None,
        kinds: Sequence[str] = (),
        item: str | None = None,
        limit: int = 10,
        fetch: int | None = None,
    ) -> list[tuple[Facility, float]]:
        """Our facilities within ``radius_m`` of (lat, lon), nearest first, with their geodesic
        distance in metres. ``kinds`` and ``item`` (an accepted item, e.g. "폐건전지") filter."""
        radius = self._radius(radius_m)
        self._check(lat, lon, radius, limit)
        unknown = [kind for kind in kinds if kind not in KINDS]
        if unknown:
            raise InvalidQuery(f"unknown kind(s) {', '.join(unknown)}; one of {', '.join(KINDS)}")
        item = (item or "").strip() or None
        params: dict[str, Any] = {
            "lat": lat,
            "lon": lon,
            "radius": float(radius),
            "limit": fetch or limit,
        }
        if kinds:
            params["kinds"] = list(kinds)
        if item:
            params["item"] = item
        async with autocommit(self._sessions) as connection:
            rows = (await connection.execute(_NEARBY[(bool(kinds), bool(item))], params)).all()
        return [(facility_of(row._mapping), float(row.distance_m)) for row in rows]

    async def nearby(
        self,
        lat: float,
        lon: float,
        *,
        radius_m: int | None = None,
        kinds: Sequence[str] = (),
        item: str | None = None,
        open_now: bool = False,
        at: datetime | None = None,
        limit: int = 10,
    ) -> list[PlaceHit]:
        """Places near (lat, lon), nearest first: ours, plus Kakao's when online (a Kakao place
        within ``dedupe_m`` of one of ours is dropped). ``open_now`` keeps only what is open
        at ``at`` (default now, Korean time); Kakao places have no hours, so it drops them."""
        moment = at or datetime.now(SEOUL)
        fetch = min(limit * OPEN_NOW_FACTOR, 500) if open_now else limit
        found = await self.nearest(
            lat, lon, radius_m=radius_m, kinds=kinds, item=item, limit=limit, fetch=fetch
        )
        hits: list[PlaceHit] = []
        for facility, distance in found:
            state = is_open(facility, moment)
            if open_now and state is not True:
                continue
            hits.append(self.hit(facility, distance, state))
        hits = hits[:limit]
        if open_now or not self.places.online:
            return hits
        radius = self._radius(radius_m)
        try:
            if list(kinds) == ["medicine_box"] and not item:
                # Pharmacies take back old medicine: Kakao's pharmacy category finds them.
                theirs = await self.places.category(PHARMACY, lat, lon, radius, limit)
            else:
                query = item or KIND_LABELS[kinds[0] if kinds else "recycling_centre"]
                theirs = await self.places.keyword(query, lat, lon, radius, limit)
        except PlacesUnavailable:
            return hits
        return merge(hits, theirs, self.settings.dedupe_m)[:limit]

    async def search(
        self,
        query: str,
        *,
        lat: float | None = None,
        lon: float | None = None,
        radius_m: int | None = None,
        limit: int = 10,
    ) -> list[PlaceHit]:
        """Places whose name, address or accepted items contain ``query``; nearest first when
        a point is given (then within ``radius_m``), else by name. Kakao's keyword search is
        merged in when online."""
        words = query.strip()
        if not words:
            raise InvalidQuery("query is empty")
        if (lat is None) != (lon is None):
            raise InvalidQuery("give both lat and lon, or neither")
        radius = self._radius(radius_m)
        if lat is not None and lon is not None:
            self._check(lat, lon, radius, limit)
        elif not 1 <= limit <= self.settings.max_results:
            raise InvalidQuery(f"limit={limit} must be between 1 and {self.settings.max_results}")
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        match = (
            "(f.name ILIKE :pattern OR f.road_address ILIKE :pattern "
            "OR f.jibun_address ILIKE :pattern OR "
            "EXISTS (SELECT 1 FROM unnest(f.accepts) AS a(item) WHERE a.item ILIKE :pattern))"
        )
        params: dict[str, Any] = {"pattern": pattern, "limit": limit}
        if lat is not None and lon is not None:
            params.update(lat=lat, lon=lon, radius=float(radius))
            sql = (
                f"SELECT {COLUMNS}, public.ST_Distance(f.geog, {POINT}) AS distance_m "
                f"FROM facilities AS f WHERE {match} "
                f"AND public.ST_DWithin(f.geog, {POINT}, :radius) "
                "ORDER BY distance_m, f.id LIMIT :limit"
            )
        else:
            sql = (
                f"SELECT {COLUMNS}, NULL AS distance_m FROM facilities AS f WHERE {match} "
                "ORDER BY f.name, f.id LIMIT :limit"
            )
        async with autocommit(self._sessions) as connection:
            rows = (await connection.execute(text(sql), params)).all()
        now = datetime.now(SEOUL)
        hits = []
        for row in rows:
            facility = facility_of(row._mapping)
            distance = None if row.distance_m is None else float(row.distance_m)
            hits.append(self.hit(facility, distance, is_open(facility, now)))
        if not self.places.online:
            return hits
        try:
            theirs = await self.places.keyword(words, lat, lon, radius, limit)
        except PlacesUnavailable:
            return hits
        return merge(hits, theirs, self.settings.dedupe_m)[:limit]

    async def region(self, lat: float, lon: float) -> Region | None:
        """The district at (lat, lon): Kakao's coord2regioncode when online, else the district
        of our nearest facility within 5 km (None when there is none)."""
        check_point(lat, lon)
        if self.places.online:
            try:
                found = await self.places.region(lat, lon)
            except PlacesUnavailable:
                found = None
            if found is not None:
                return found
        sql = (
            f"SELECT f.sido, f.sigungu FROM facilities AS f "
            f"WHERE public.ST_DWithin(f.geog, {POINT}, :radius) "
            f"ORDER BY f.geog OPERATOR(public.<->) {POINT} LIMIT 1"
        )
        params = {"lat": lat, "lon": lon, "radius": float(REGION_FALLBACK_M)}
        async with autocommit(self._sessions) as connection:
            row = (await connection.execute(text(sql), params)).first()
        if row is None:
            return None
        return Region(sido=row.sido, sigungu=row.sigungu, source="db")

    @staticmethod
    def hit(facility: Facility, distance_m: float | None, open_now: bool | None) -> PlaceHit:
        return PlaceHit(
            id=facility.id,
            kind=facility.kind,
            name=facility.name,
            address=facility.address,
            lat=facility.lat,
            lon=facility.lon,
            distance_m=None if distance_m is None else round(distance_m, 2),
            accepts=facility.accepts,
            open_now=open_now,
            phone=facility.phone,
            source="db",
        )
