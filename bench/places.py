"""Facility import and nearest-first search at national scale: import rows/s, query latency.

    .venv/bin/python bench/places.py [--facilities 100000] [--clients 8] [--duration 20]

1. Writes a synthetic lamp/battery-box file (the published layout, CP949) of ``--facilities``
   rows clustered around Korea's cities, and imports it through the real importer into a
   throw-away schema: rows/s for a first import and for a re-import (every row an update).
2. Runs the service's nearest-first query (``LocationService.nearest``: 2 km, 10 results) from
   ``--clients`` concurrent clients at random points near those cities for ``--duration``
   seconds: p50/p95/p99 and queries/s; then the same alone (one client).
3. The same search written with earthdistance (``earth_box`` on a GiST index of
   ``ll_to_earth``), for the choice between the two, and how far earthdistance's sphere is
   from the spheroid distances PostGIS reports.

Results go to bench/results/places.json; the figures are in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvloop
from sqlalchemy import text

from domains.db import create_engine, session_factory, upgrade
from domains.location.importers import import_facilities
from domains.location.service import LocationService

URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
RESULTS = Path(__file__).resolve().parent / "results" / "places.json"
# (lat, lon, share of the facilities, spread in degrees): Korea's largest cities, roughly.
CITIES = [
    (37.55, 126.99, 0.30, 0.08),  # Seoul
    (37.45, 126.70, 0.08, 0.06),  # Incheon
    (37.30, 127.00, 0.14, 0.12),  # Gyeonggi south
    (37.70, 127.05, 0.06, 0.10),  # Gyeonggi north
    (35.16, 129.06, 0.10, 0.07),  # Busan
    (35.87, 128.60, 0.07, 0.06),  # Daegu
    (36.35, 127.38, 0.05, 0.05),  # Daejeon
    (35.16, 126.85, 0.05, 0.05),  # Gwangju
    (35.54, 129.31, 0.03, 0.05),  # Ulsan
    (36.60, 127.50, 0.04, 0.20),  # Chungcheong
    (35.80, 127.10, 0.04, 0.20),  # Jeolla
    (36.00, 128.80, 0.04, 0.25),  # Gyeongsang
]
EARTH_SQL = text(
    "SELECT id, public.earth_distance(public.ll_to_earth(lat, lon), "
    "public.ll_to_earth(:lat, :lon)) AS d FROM facilities "
    "WHERE public.earth_box(public.ll_to_earth(:lat, :lon), :radius) "
    "OPERATOR(public.@>) public.ll_to_earth(lat, lon) "
    "AND public.earth_distance(public.ll_to_earth(lat, lon), "
    "public.ll_to_earth(:lat, :lon)) <= :radius ORDER BY d, id LIMIT :limit"
)


def _point(rng: random.Random) -> tuple[float, float]:
    lat, lon, _, spread = rng.choices(CITIES, weights=[c[2] for c in CITIES])[0]
    return (
        min(38.6, max(33.1, rng.gauss(lat, spread))),
        min(131.9, max(124.6, rng.gauss(lon, spread))),
    )


def write_file(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["설치장소명", "시도명", "시군구명", "소재지도로명주소", "위도", "경도", "수거품목"]
    )
    items = ["폐건전지", "폐형광등", "폐건전지+폐형광등"]
    for n in range(count):
        lat, lon = _point(rng)
        writer.writerow(
            [f"수거함 {n}", "서울특별시", "강남구", f"서울특별시 강남구 시험로 {n}",
             f"{lat:.6f}", f"{lon:.6f}", items[n % 3]]
        )  # fmt: skip
    path.write_bytes(out.getvalue().encode("cp949"))


def _summary(latencies: list[float], seconds: float) -> dict[str, float]:
    ms = sorted(x * 1000 for x in latencies)
    return {
        "queries": len(ms),
        "qps": round(len(ms) / seconds, 1),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2),
        "p99_ms": round(ms[int(0.99 * (len(ms) - 1))], 2),
        "max_ms": round(ms[-1], 2),
    }


async def load(
    query: Callable[[float, float], Awaitable[object]], clients: int, duration: float
) -> dict[str, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + duration

    async def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.perf_counter() < deadline:
            lat, lon = _point(rng)
            started = time.perf_counter()
            await query(lat, lon)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client(seed) for seed in range(clients)))
    return _summary(latencies, time.perf_counter() - started)


async def run(
    facilities: int, clients: int, duration: float, import_only: bool = False
) -> dict[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(URL, schema=schema, pool_size=clients, max_overflow=0)
    # earthdistance's SQL functions find cube's through the search_path: public must be on it.
    search_path = {"server_settings": {"search_path": f"{schema}, public"}}
    earth_engine = create_engine(URL, pool_size=clients, max_overflow=0, connect_args=search_path)
    result: dict[str, Any] = {"facilities": facilities, "clients": clients}
    try:
        await upgrade(engine, schema)
        sessions = session_factory(engine)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "boxes.csv"
            write_file(path, facilities)
            for label in ("import", "reimport"):
                started = time.perf_counter()
                report = await import_facilities(sessions, "lamp-battery-boxes", path)
                seconds = time.perf_counter() - started
                result[label] = {
                    "rows": report.rows,
                    "inserted": report.inserted,
                    "updated": report.updated,
                    "seconds": round(seconds, 2),
                    "rows_per_s": round(report.rows / seconds),
                }
                print(label, result[label], flush=True)
        if import_only:
            return result
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE facilities"))
        service = LocationService(sessions)

        async def postgis(lat: float, lon: float) -> object:
            return await service.nearest(lat, lon, radius_m=2_000, limit=10)

        for label, n in (("postgis_load", clients), ("postgis_alone", 1)):
            result[label] = await load(postgis, n, duration)
            print(label, result[label], flush=True)

        async with earth_engine.begin() as connection:
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext('eco2: create extension cube'))")
            )
            await connection.execute(text("CREATE EXTENSION IF NOT EXISTS cube WITH SCHEMA public"))
            await connection.execute(
                text("CREATE EXTENSION IF NOT EXISTS earthdistance WITH SCHEMA public")
            )
            await connection.execute(
                text("CREATE INDEX ix_facilities_earth ON facilities "
                     "USING gist (public.ll_to_earth(lat, lon))")
            )  # fmt: skip
            await connection.execute(text("ANALYZE facilities"))
        earth_sessions = session_factory(earth_engine)

        async def earth(lat: float, lon: float) -> object:
            async with earth_sessions() as session:
                params = {"lat": lat, "lon": lon, "radius": 2_000.0, "limit": 10}
                return (await session.execute(EARTH_SQL, params)).all()

        for label, n in (("earthdistance_load", clients), ("earthdistance_alone", 1)):
            result[label] = await load(earth, n, duration)
            print(label, result[label], flush=True)

        # How far the sphere is from the spheroid, at the distances a search returns.
        rng = random.Random(11)
        errors = []
        async with earth_sessions() as session:
            for _ in range(300):
                lat, lon = _point(rng)
                row = (
                    await session.execute(
                        text(
                            "SELECT public.ST_Distance(f.geog, public.ST_SetSRID("
                            "public.ST_MakePoint(:lon, :lat), 4326)::public.geography) AS g, "
                            "public.earth_distance(public.ll_to_earth(f.lat, f.lon), "
                            "public.ll_to_earth(:lat, :lon)) AS e "
                            "FROM facilities f ORDER BY f.geog OPERATOR(public.<->) "
                            "public.ST_SetSRID(public.ST_MakePoint(:lon, :lat), 4326)"
                            "::public.geography OFFSET 5 LIMIT 1"
                        ),
                        {"lat": lat, "lon": lon},
                    )
                ).one()
                if row.g > 0:
                    errors.append((abs(row.e - row.g), row.g))
        per_km = sorted(error / distance * 1000 for error, distance in errors)
        result["earthdistance_error"] = {
            "pairs": len(errors),
            "median_m_per_km": round(statistics.median(per_km), 2),
            "max_m_per_km": round(per_km[-1], 2),
            "max_m": round(max(error for error, _ in errors), 2),
        }
        print("earthdistance_error", result["earthdistance_error"], flush=True)
    finally:
        await earth_engine.dispose()
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--facilities", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--import-only", action="store_true", help="Skip the queries.")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = uvloop.run(run(args.facilities, args.clients, args.duration, args.import_only))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
