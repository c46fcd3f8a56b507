"""Kakao Local through the real httpx client against a loopback server speaking its wire
format: parameters and header sent, documents read, errors, timeouts, the merge with our own
facilities (within 50 m is the same place) and the offline fallback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.location.exceptions import PlacesUnavailable
from domains.location.importers import import_facilities
from domains.location.kakao import KakaoLocal, NoPlaces, place_source
from domains.location.service import LocationService
from domains.location.settings import LocationSettings
from tests.domains.location.fakes.kakao_server import FakeKakao, FakePlace, FakeRegion

Sessions = async_sessionmaker[AsyncSession]
ORIGIN = (37.5, 127.0)


@pytest.fixture(scope="module")
def kakao_server() -> Iterator[FakeKakao]:
    server = FakeKakao()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kakao(kakao_server: FakeKakao) -> Iterator[FakeKakao]:
    kakao_server.reset()
    yield kakao_server
    kakao_server.reset()


def _client(server: FakeKakao, key: str | None = None, timeout_s: float = 3.0) -> KakaoLocal:
    return KakaoLocal(key or server.api_key, base_url=server.base_url, timeout_s=timeout_s)


async def test_keyword_search_sends_kakao_parameters_and_reads_documents(
    kakao: FakeKakao,
) -> None:
    kakao.places += [
        FakePlace("역삼 재활용센터", 37.5010, 127.0, road_address="서울 강남구 역삼로 1",
                  phone="02-000-0001"),
        FakePlace("멀리 재활용센터", 37.5500, 127.0),
        FakePlace("카페", 37.5001, 127.0),
    ]  # fmt: skip
    client = _client(kakao)
    try:
        hits = await client.keyword("재활용센터", *ORIGIN, radius_m=2_000, size=5)
    finally:
        await client.aclose()
    assert [hit.name for hit in hits] == ["역삼 재활용센터"]
    hit = hits[0]
    assert (hit.source, hit.id, hit.lat, hit.lon) == ("kakao", None, 37.501, 127.0)
    assert hit.distance_m == 111.0 and hit.phone == "02-000-0001"
    assert hit.address == "서울 강남구 역삼로 1" and hit.url is not None
    request = kakao.requests[-1]
    assert request["path"] == "/v2/local/search/keyword.json"
    assert request["authorization"] == f"KakaoAK {kakao.api_key}"
    assert request["params"] == {
        "query": "재활용센터",
        "page": "1",
        "size": "5",
        "x": "127.0000000",
        "y": "37.5000000",
        "radius": "2000",
        "sort": "distance",
    }


async def test_category_search_and_size_capped_at_kakaos_limit(kakao: FakeKakao) -> None:
    kakao.places += [FakePlace(f"약국 {n}", 37.5 + n * 1e-4, 127.0, category_code="PM9")
                     for n in range(20)]  # fmt: skip
    client = _client(kakao)
    try:
        hits = await client.category("PM9", *ORIGIN, radius_m=50_000, size=40)
    finally:
        await client.aclose()
    assert len(hits) == 15  # Kakao's page size limit, asked for instead of a refused 40
    assert kakao.requests[-1]["params"]["radius"] == "20000"  # Kakao's radius limit
    assert [hit.name for hit in hits[:2]] == ["약국 0", "약국 1"]


async def test_coord2regioncode_prefers_the_legal_district(kakao: FakeKakao) -> None:
    kakao.regions.append(FakeRegion("서울특별시", "강남구", "역삼동", 37.5, 127.03))
    client = _client(kakao)
    try:
        region = await client.region(*ORIGIN)
    finally:
        await client.aclose()
    assert region is not None
    assert (region.sido, region.sigungu, region.dong) == ("서울특별시", "강남구", "역삼동")
    assert (region.code, region.source) == ("1168010100", "kakao")
    assert kakao.requests[-1]["params"] == {"x": "127.0000000", "y": "37.5000000"}


async def test_wrong_key_and_bad_reply_raise_places_unavailable(kakao: FakeKakao) -> None:
    client = _client(kakao, key="wrong")
    try:
        with pytest.raises(PlacesUnavailable, match="401: wrong appKey format"):
            await client.keyword("재활용", None, None, 1000, 5)
    finally:
        await client.aclose()
    client = _client(kakao)
    try:
        with pytest.raises(PlacesUnavailable, match="400: query parameter required"):
            await client.keyword("", None, None, 1000, 5)
    finally:
        await client.aclose()


async def test_slow_or_closed_kakao_times_out_instead_of_hanging(kakao: FakeKakao) -> None:
    kakao.delay_s = 2.0
    client = _client(kakao, timeout_s=0.3)
    started = time.monotonic()
    try:
        with pytest.raises(PlacesUnavailable, match="unreachable"):
            await client.keyword("재활용", *ORIGIN, 1000, 5)
    finally:
        await client.aclose()
    assert time.monotonic() - started < 1.5
    closed = KakaoLocal("key", base_url="http://127.0.0.1:9", timeout_s=0.5)
    try:
        with pytest.raises(PlacesUnavailable):
            await closed.region(*ORIGIN)
    finally:
        await closed.aclose()


def test_no_key_means_offline() -> None:
    assert isinstance(place_source(LocationSettings()), NoPlaces)
    online = place_source(LocationSettings(kakao_rest_api_key=SecretStr("k")))
    assert isinstance(online, KakaoLocal)


@pytest.fixture
async def ours(fresh: Sessions, tmp_path: Path) -> Sessions:
    path = tmp_path / "ours.csv"
    path.write_text(
        "시설명,시설구분,시도명,시군구명,소재지도로명주소,위도,경도\n"
        "우리 재활용센터,recycling_centre,서울특별시,강남구,"
        "서울특별시 강남구 시험로 1,37.5010,127.0\n",
        encoding="utf-8",
    )
    await import_facilities(fresh, "facilities", path)
    return fresh


async def test_nearby_merges_kakao_and_drops_places_within_50_m(
    kakao: FakeKakao, ours: Sessions
) -> None:
    kakao.places += [
        FakePlace("같은 곳 다른 이름 재활용센터", 37.5013, 127.0002),  # ~40 m from ours
        FakePlace("길 건너 재활용센터", 37.5016, 127.0),  # ~67 m from ours
        FakePlace("가까운 재활용센터", 37.5004, 127.0),
    ]
    client = _client(kakao)
    service = LocationService(ours, LocationSettings(), client)
    try:
        hits = await service.nearby(*ORIGIN, radius_m=1_000, kinds=["recycling_centre"])
    finally:
        await client.aclose()
    assert [(hit.name, hit.source) for hit in hits] == [
        ("가까운 재활용센터", "kakao"),
        ("우리 재활용센터", "db"),
        ("길 건너 재활용센터", "kakao"),
    ]
    assert kakao.requests[-1]["params"]["query"] == "재활용센터"


async def test_nearby_answers_from_the_database_when_kakao_fails(
    kakao: FakeKakao, ours: Sessions
) -> None:
    client = _client(kakao, key="wrong")
    service = LocationService(ours, LocationSettings(), client)
    try:
        hits = await service.nearby(*ORIGIN, radius_m=1_000)
    finally:
        await client.aclose()
    assert [(hit.name, hit.source) for hit in hits] == [("우리 재활용센터", "db")]
    assert kakao.requests, "Kakao was asked and refused"
    offline = await LocationService(ours).nearby(*ORIGIN, radius_m=1_000)
    assert [hit.name for hit in offline] == ["우리 재활용센터"]


async def test_region_falls_back_to_our_data_when_kakao_fails(
    kakao: FakeKakao, ours: Sessions
) -> None:
    client = _client(kakao, key="wrong")
    try:
        region = await LocationService(ours, LocationSettings(), client).region(*ORIGIN)
    finally:
        await client.aclose()
    assert region is not None and (region.sigungu, region.source) == ("강남구", "db")


async def test_medicine_boxes_online_add_kakaos_pharmacies(
    kakao: FakeKakao, ours: Sessions
) -> None:
    kakao.places += [
        FakePlace("온누리약국", 37.5003, 127.0, category_code="PM9"),
        FakePlace("약국 아닌 곳", 37.5002, 127.0, category_code="CE7"),
    ]
    client = _client(kakao)
    try:
        hits = await LocationService(ours, LocationSettings(), client).nearby(
            *ORIGIN, radius_m=1_000, kinds=["medicine_box"]
        )
    finally:
        await client.aclose()
    assert [(hit.name, hit.source) for hit in hits] == [("온누리약국", "kakao")]
    request = kakao.requests[-1]
    assert request["path"] == "/v2/local/search/category.json"
    assert request["params"]["category_group_code"] == "PM9"
