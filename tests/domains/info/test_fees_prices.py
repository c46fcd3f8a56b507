"""Bulk-waste fees matched from how people say it, and recyclable prices by region and month."""

from __future__ import annotations

from datetime import date

import pytest

from domains.info.exceptions import InvalidRequest, UnknownDistrict
from domains.info.service import InfoService


@pytest.mark.parametrize(
    ("query", "item", "spec", "fee"),
    [
        ("3인용 소파", "소파", "3인용 이상", 8000),
        ("2인용 쇼파 버리기", "소파", "2인용", 5000),
        ("장롱 큰 거", "장롱", "폭 90cm 이상", 12000),
        ("작은 장농", "장롱", "폭 90cm 미만", 6000),
        ("싱글 침대", "침대", "싱글", 8000),
        ("냉장고", "냉장고", "300L 이상", 0),
        ("거울", "거울", "1m 이상", 3000),
    ],
)
async def test_fee_for_how_people_say_it(
    info: InfoService, query: str, item: str, spec: str, fee: int
) -> None:
    best = (await info.bulk_waste_fees("강남구", query=query))[0]
    assert (best.item, best.spec, best.fee_won, best.score) == (item, spec, fee, 1.0)


async def test_fees_differ_by_district_and_unknown_items_match_nothing(
    info: InfoService,
) -> None:
    mapo = (await info.bulk_waste_fees("마포구", sido="서울", query="3인용 소파"))[0]
    assert (mapo.sigungu, mapo.fee_won) == ("마포구", 7000)
    assert await info.bulk_waste_fees("강남구", query="피아노") == []  # its row was refused
    listing = await info.bulk_waste_fees("수원시 영통구", limit=100)
    assert len(listing) == 12 and listing == sorted(listing, key=lambda f: f.item)


async def test_fee_errors_name_the_problem(info: InfoService) -> None:
    with pytest.raises(UnknownDistrict, match="no data for district '서울특별시 해운대구'"):
        await info.bulk_waste_fees("해운대구", sido="서울")
    with pytest.raises(InvalidRequest, match="limit=0"):
        await info.bulk_waste_fees("강남구", limit=0)


async def test_prices_latest_month_by_default(info: InfoService) -> None:
    prices = await info.prices(region="수도권", material="폐지")
    assert [(p.material, p.month, p.price_won) for p in prices] == [
        ("폐지(골판지)", date(2026, 11, 1), 85),
        ("폐지(신문지)", date(2026, 11, 1), 100),
    ]
    october = await info.prices(region="영남권", material="캔(알루미늄)", month=date(2026, 10, 9))
    assert [(p.month, p.price_won) for p in october] == [(date(2026, 10, 1), 1045)]
    assert len(await info.prices()) == 14  # 7 materials x 2 regions, November only
    assert await info.prices(region="제주권") == []
