"""The info importers on the real PostgreSQL: bulk-waste fees (CP949), collection schedules and
recyclable prices (UTF-8), malformed rows refused with reasons, re-imports idempotent."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.info.importers import SAMPLES, import_info, parse_days
from domains.info.models import BulkWasteFeeRow, CollectionZoneRow, RecyclablePriceRow
from domains.publicdata import FileRefused, RowError

Sessions = async_sessionmaker[AsyncSession]


async def _count(sessions: Sessions, model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_bulk_waste_fees_cp949_with_a_malformed_fee(fresh: Sessions) -> None:
    report = await import_info(fresh, "bulk-waste-fees", SAMPLES["bulk-waste-fees"])
    assert report.encoding == "cp949"
    assert (report.rows, report.taken) == (37, 36)
    assert [(issue.line, issue.reason) for issue in report.refused] == [
        (38, "수수료 is not a whole number: '만원'")
    ]
    async with fresh() as session:
        sofa = await session.scalar(
            select(BulkWasteFeeRow).where(
                BulkWasteFeeRow.sigungu == "강남구",
                BulkWasteFeeRow.item == "소파",
                BulkWasteFeeRow.spec == "3인용 이상",
            )
        )
        fridge = await session.scalar(
            select(BulkWasteFeeRow).where(
                BulkWasteFeeRow.sigungu == "마포구", BulkWasteFeeRow.item == "냉장고"
            )
        )
    assert sofa is not None and (sofa.fee_won, sofa.free) == (8000, False)
    assert sofa.reference_date == date(2026, 7, 1)
    assert fridge is not None and (fridge.fee_won, fridge.free) == (0, True)
    again = await import_info(fresh, "bulk-waste-fees", SAMPLES["bulk-waste-fees"])
    assert (again.inserted, again.updated) == (0, 36)
    assert await _count(fresh, BulkWasteFeeRow) == 36


async def test_collection_schedules_days_times_and_a_refused_zone(fresh: Sessions) -> None:
    report = await import_info(fresh, "collection-schedules", SAMPLES["collection-schedules"])
    assert (report.rows, report.taken) == (5, 4)
    assert [(issue.line, issue.reason) for issue in report.refused] == [
        (6, "생활쓰레기: 배출요일 given but no 배출시작/종료시각")
    ]
    async with fresh() as session:
        gaepo = await session.scalar(
            select(CollectionZoneRow).where(CollectionZoneRow.zone == "개포구역")
        )
        mangwon = await session.scalar(
            select(CollectionZoneRow).where(CollectionZoneRow.zone == "망원구역")
        )
    assert gaepo is not None and mangwon is not None
    assert gaepo.general_days == [0, 1, 2, 3, 4, 6]  # 일~금
    assert gaepo.recyclables_days == [1, 3]
    assert (mangwon.recyclables_start, mangwon.recyclables_end) == (time(20), time(4))
    assert mangwon.no_collection == "1월1일+설날+추석"
    again = await import_info(fresh, "collection-schedules", SAMPLES["collection-schedules"])
    assert (again.inserted, again.updated) == (0, 4)


async def test_recyclable_prices_and_bad_rows(fresh: Sessions, tmp_path: Path) -> None:
    report = await import_info(fresh, "recyclable-prices", SAMPLES["recyclable-prices"])
    assert (report.rows, report.taken, report.refused) == (28, 28, [])
    bad = tmp_path / "prices.csv"
    bad.write_text(
        "지역,기준연월,품목,단위,가격\n"
        "수도권,2026-13,캔(철),kg,100\n"
        "수도권,2026-12,캔(철),kg,-5\n"
        ",2026-12,캔(철),kg,5\n"
        '수도권,2026년 12월,캔(철),kg,"1,200원"\n',
        encoding="cp949",
    )
    report = await import_info(fresh, "recyclable-prices", bad)
    assert [issue.reason for issue in report.refused] == [
        "기준연월 is not a year and month: '2026-13'",
        "가격 is negative: -5",
        "지역 or 품목 is empty",
    ]
    assert report.taken == 1
    async with fresh() as session:
        price = await session.scalar(
            select(RecyclablePriceRow.price_won).where(
                RecyclablePriceRow.month == date(2026, 12, 1)
            )
        )
    assert price == 1200


async def test_a_file_without_its_columns_is_refused(fresh: Sessions, tmp_path: Path) -> None:
    path = tmp_path / "fees.csv"
    path.write_text("시도명,시군구명,품목\n서울특별시,강남구,소파\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="대형폐기물명, 수수료"):
        await import_info(fresh, "bulk-waste-fees", path)
    assert await _count(fresh, BulkWasteFeeRow) == 0


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("월+수+금", [0, 2, 4]),
        ("월,수,금", [0, 2, 4]),
        ("화요일+목요일", [1, 3]),
        ("월~금", [0, 1, 2, 3, 4]),
        ("일-금", [0, 1, 2, 3, 4, 6]),
        ("금~월", [0, 4, 5, 6]),
        ("매일", [0, 1, 2, 3, 4, 5, 6]),
        ("월수금", [0, 2, 4]),
        ("없음", []),
        ("", []),
    ],
)
def test_published_weekday_spellings(text: str, days: list[int]) -> None:
    assert parse_days(text) == days


def test_unreadable_weekdays_are_an_error() -> None:
    with pytest.raises(RowError, match="not a list of weekdays"):
        parse_days("격주 월요일")
