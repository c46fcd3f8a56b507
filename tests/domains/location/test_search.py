"""Nearest-first search on PostGIS: known geodesic distances, radius, kind and item filters,
"open now" across a weekday, a Sunday and a public holiday, and refused queries."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.location.exceptions import FacilityNotFound, InvalidQuery
from domains.location.hours import SEOUL
from domains.location.importers import import_facilities
from domains.location.service import LocationService
from tests.domains.location.geodesic import vincenty_m

Sessions = async_sessionmaker[AsyncSession]
ORIGIN = (37.5, 127.0)
HEADER = [
    "시설명", "시설구분", "시도명", "시군구명", "소재지도로명주소", "위도", "경도", "취급품목",
    "평일운영시작시각", "평일운영종료시각",
    "공휴일운영시작시각", "공휴일운영종료시각", "휴무일정보",
]  # fmt: skip
# name, kind, lat, lon, items, weekday window, holiday window, closed days
PLACES = [
    ("북쪽 100m 수거함", "battery_box", 37.5009, 127.0, "폐건전지", "", "", ""),
    ("동쪽 센터", "recycling_centre", 37.5, 127.005, "중고가구+중고가전",
     "09:00-18:00", "", "일요일"),
    ("남서 상점", "zero_waste_shop", 37.497, 126.996, "리필+병뚜껑",
     "11:00-20:00", "12:00-17:00", ""),
    ("먼 의류함", "clothing_bin", 37.52, 127.02, "", "", "", ""),
    ("아주 먼 센터", "recycling_centre", 37.6, 127.1, "중고가구", "09:00-18:00", "", ""),
]  # fmt: skip


def _window(text: str) -> list[str]:
    return text.split("-") if text else ["", ""]


@pytest.fixture
async def service(fresh: Sessions, tmp_path: Path) -> LocationService:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for number, (name, kind, lat, lon, items, weekday, holiday, closed) in enumerate(PLACES):
        address = f"서울특별시 강남구 시험로 {number + 1}"
        writer.writerow(
            [name, kind, "서울특별시", "강남구", address, lat, lon, items,
             *_window(weekday), *_window(holiday), closed]
        )  # fmt: skip
    path = tmp_path / "places.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    report = await import_facilities(fresh, "facilities", path)
    assert report.taken == len(PLACES), report
    return LocationService(fresh)


async def test_nearest_first_with_geodesic_distances(service: LocationService) -> None:
    found = await service.nearest(*ORIGIN, radius_m=5_000, limit=10)
    names = [facility.name for facility, _ in found]
    assert names == ["북쪽 100m 수거함", "동쪽 센터", "남서 상점", "먼 의류함"]
    for facility, distance in found:
        expected = vincenty_m(*ORIGIN, facility.lat, facility.lon)
        assert distance == pytest.approx(expected, abs=1.0), facility.name
    # Checked against the figures themselves, not only against each other.
    assert found[0][1] == pytest.approx(99.89, abs=1.0)  # 0.0009° of latitude at 37.5° N
    assert found[1][1] == pytest.approx(442.13, abs=1.0)  # 0.005° of longitude at 37.5° N


async def test_radius_limit_kind_and_item_filters(service: LocationService) -> None:
    near = await service.nearest(*ORIGIN, radius_m=450, limit=10)
    assert [f.name for f, _ in near] == ["북쪽 100m 수거함", "동쪽 센터"]
    assert len(await service.nearest(*ORIGIN, radius_m=5_000, limit=2)) == 2
    centres = await service.nearest(*ORIGIN, radius_m=20_000, kinds=["recycling_centre"])
    assert [f.name for f, _ in centres] == ["동쪽 센터", "아주 먼 센터"]
    batteries = await service.nearest(*ORIGIN, radius_m=5_000, item="건전지")
    assert [f.name for f, _ in batteries] == ["북쪽 100m 수거함"]
    clothes = await service.nearest(*ORIGIN, radius_m=5_000, item="헌옷")  # the kind's default
    assert [f.name for f, _ in clothes] == ["먼 의류함"]


async def test_open_now_on_a_weekday_a_sunday_and_a_holiday(service: LocationService) -> None:
    async def open_names(at: datetime) -> list[str]:
        hits = await service.nearby(*ORIGIN, radius_m=5_000, open_now=True, at=at)
        return [hit.name for hit in hits]

    wednesday_noon = datetime(2026, 9, 23, 12, 0, tzinfo=SEOUL)
    assert await open_names(wednesday_noon) == [
        "북쪽 100m 수거함", "동쪽 센터", "남서 상점", "먼 의류함"
    ]  # fmt: skip
    wednesday_late = datetime(2026, 9, 23, 19, 0, tzinfo=SEOUL)
    assert await open_names(wednesday_late) == ["북쪽 100m 수거함", "남서 상점", "먼 의류함"]
    # Sunday: the centre is closed (휴무일 일요일); the shop opens on its holiday window.
    sunday = datetime(2026, 9, 27, 13, 0, tzinfo=SEOUL)
    assert await open_names(sunday) == ["북쪽 100m 수거함", "남서 상점", "먼 의류함"]
    # 추석 (Friday 2026-09-25): the centre publishes no holiday window, so it is closed.
    chuseok = datetime(2026, 9, 25, 13, 0, tzinfo=SEOUL)
    assert await open_names(chuseok) == ["북쪽 100m 수거함", "남서 상점", "먼 의류함"]
    hits = await service.nearby(*ORIGIN, radius_m=5_000, at=wednesday_late)
    states = {hit.name: hit.open_now for hit in hits}
    assert states["동쪽 센터"] is False and states["북쪽 100m 수거함"] is True


async def test_get_and_search_by_text(service: LocationService) -> None:
    (first, _), *_ = await service.nearest(*ORIGIN, radius_m=500, limit=1)
    assert (await service.get(first.id)).name == "북쪽 100m 수거함"
    with pytest.raises(FacilityNotFound):
        await service.get(999_999_999)
    by_item = await service.search("병뚜껑")
    assert [hit.name for hit in by_item] == ["남서 상점"]
    near = await service.search("센터", lat=ORIGIN[0], lon=ORIGIN[1], radius_m=20_000)
    assert [hit.name for hit in near] == ["동쪽 센터", "아주 먼 센터"]
    assert near[0].distance_m == pytest.approx(vincenty_m(*ORIGIN, 37.5, 127.005), abs=1.0)
    assert await service.search("100%_") == []  # LIKE wildcards are taken literally


async def test_region_offline_comes_from_the_nearest_facility(service: LocationService) -> None:
    region = await service.region(*ORIGIN)
    assert region is not None and (region.sigungu, region.source) == ("강남구", "db")
    assert await service.region(35.1, 129.0) is None  # nothing of ours within 5 km


@pytest.mark.parametrize(
    ("lat", "lon", "radius", "message"),
    [
        (127.0, 37.5, 1000, "looks swapped"),
        (10.0, 10.0, 1000, "outside South Korea"),
        (37.5, 127.0, 0, "radius_m=0"),
        (37.5, 127.0, 20_001, "radius_m=20001"),
    ],
)
async def test_bad_queries_are_refused_with_the_reason(
    service: LocationService, lat: float, lon: float, radius: int, message: str
) -> None:
    with pytest.raises(InvalidQuery, match=message):
        await service.nearest(lat, lon, radius_m=radius)


async def test_unknown_kind_is_refused(service: LocationService) -> None:
    with pytest.raises(InvalidQuery, match="unknown kind"):
        await service.nearest(*ORIGIN, kinds=["park"])
