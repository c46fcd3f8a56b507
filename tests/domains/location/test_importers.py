"""The facility importers on the real PostgreSQL: every published layout, UTF-8 and CP949,
malformed rows, and re-imports that update instead of duplicating."""

from __future__ import annotations

import csv
import io
from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.location.importers import SAMPLES, import_facilities
from domains.location.models import FacilityRow
from domains.publicdata import FileRefused

Sessions = async_sessionmaker[AsyncSession]


async def _count(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(FacilityRow)) or 0)


async def _by_name(sessions: Sessions, name: str) -> FacilityRow:
    async with sessions() as session:
        row = await session.scalar(select(FacilityRow).where(FacilityRow.name == name))
    assert row is not None, name
    return row


def _csv(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


async def test_recycling_centres_utf8_with_hours_and_items(fresh: Sessions) -> None:
    report = await import_facilities(fresh, "recycling-centres", SAMPLES["recycling-centres"])
    assert report.encoding == "utf-8-sig"
    assert (report.rows, report.taken, report.inserted, report.updated) == (4, 4, 4, 0)
    assert report.refused == []
    row = await _by_name(fresh, "강남 되살림 재활용센터")
    assert (row.kind, row.sido, row.sigungu) == ("recycling_centre", "서울특별시", "강남구")
    assert row.accepts == ["중고가구", "중고가전", "생활용품"]
    assert (row.weekday_open, row.weekday_close) == (time(9), time(18))
    assert (row.saturday_open, row.saturday_close) == (time(10), time(15))
    assert row.holiday_open is None and row.closed_days == "매주 일요일 및 공휴일"
    assert row.reference_date == date(2026, 10, 1)
    # The sido/sigungu of a centre come from its address (the layout has no such columns).
    assert any("시도/시군구 read from" in issue.reason for issue in report.fixed)


async def test_lamp_battery_cp949_fixes_and_refusals(fresh: Sessions) -> None:
    report = await import_facilities(fresh, "lamp-battery-boxes", SAMPLES["lamp-battery-boxes"])
    assert report.encoding == "cp949"
    assert (report.rows, report.taken) == (8, 7)
    assert [(issue.line, issue.reason) for issue in report.refused] == [
        (9, "no coordinates (위도/경도 empty)")
    ]
    fixed = {issue.line: issue.reason for issue in report.fixed}
    assert "위도/경도 were swapped" in fixed[5]
    assert "'서울' written as '서울특별시'" in fixed[4]
    swapped = await _by_name(fresh, "선릉역 공영주차장")
    assert (swapped.lat, swapped.lon) == (37.5045, 127.049)
    assert swapped.kind == "lamp_box"
    assert (await _by_name(fresh, "역삼 래미안 아파트")).kind == "battery_box"
    both = await _by_name(fresh, "역삼1동 주민센터")
    assert both.kind == "lamp_battery_box" and both.accepts == ["폐건전지", "폐형광등"]
    assert (await _by_name(fresh, "대치2동 주민센터")).sido == "서울특별시"


async def test_clothing_bins_district_from_address_and_default_items(fresh: Sessions) -> None:
    report = await import_facilities(fresh, "clothing-bins", SAMPLES["clothing-bins"])
    assert report.encoding == "utf-8-sig"  # plain UTF-8 decodes the same way
    assert (report.rows, report.taken, len(report.refused)) == (5, 5, 0)
    row = await _by_name(fresh, "성산동 의류수거함")
    assert (row.sido, row.sigungu) == ("서울특별시", "마포구")
    assert "헌옷" in row.accepts
    suwon = await _by_name(fresh, "영통동 의류수거함")
    assert suwon.sigungu == "수원시 영통구"


async def test_own_layout_for_medicine_boxes_and_shops(fresh: Sessions) -> None:
    report = await import_facilities(fresh, "facilities", SAMPLES["facilities"])
    assert (report.rows, report.taken, len(report.refused)) == (4, 4, 0)
    assert (await _by_name(fresh, "알맹 리필숍 역삼점")).kind == "zero_waste_shop"
    assert (await _by_name(fresh, "성산 약국 폐의약품함")).kind == "medicine_box"


async def test_reimport_updates_and_never_duplicates(fresh: Sessions, tmp_path: Path) -> None:
    first = await import_facilities(fresh, "clothing-bins", SAMPLES["clothing-bins"])
    again = await import_facilities(fresh, "clothing-bins", SAMPLES["clothing-bins"])
    assert (first.inserted, again.inserted, again.updated) == (5, 0, 5)
    assert await _count(fresh) == 5
    # A newer edition: one bin moved a little and changed its phone, one is new.
    header = [
        "설치장소명",
        "시도명",
        "시군구명",
        "소재지도로명주소",
        "위도",
        "경도",
        "관리기관전화번호",
    ]
    newer = _csv(
        tmp_path / "newer.csv",
        header,
        [
            [
                "망원동 의류수거함",
                "서울특별시",
                "마포구",
                "서울특별시 마포구 망원로 50",
                "37.5567",
                "126.9031",
                "02-0000-0000",
            ],
            [
                "새 의류수거함",
                "서울특별시",
                "마포구",
                "서울특별시 마포구 망원로 90",
                "37.5570",
                "126.9040",
                "",
            ],
        ],
        "cp949",
    )
    report = await import_facilities(fresh, "clothing-bins", newer)
    assert (report.encoding, report.inserted, report.updated) == ("cp949", 1, 1)
    assert await _count(fresh) == 6
    moved = await _by_name(fresh, "망원동 의류수거함")
    assert (moved.lat, moved.phone) == (37.5567, "02-0000-0000")
    # The generated geography follows the new coordinates.
    async with fresh() as session:
        lat = await session.scalar(
            text("SELECT public.ST_Y(geog::public.geometry) FROM facilities WHERE id = :id"),
            {"id": moved.id},
        )
    assert lat == pytest.approx(37.5567)


async def test_malformed_rows_are_refused_with_reasons(fresh: Sessions, tmp_path: Path) -> None:
    header = ["설치장소명", "시도명", "시군구명", "소재지도로명주소", "위도", "경도"]
    rows = [
        ["", "서울특별시", "마포구", "서울특별시 마포구 망원로 1", "37.55", "126.90"],
        ["숫자 아님", "서울특별시", "마포구", "서울특별시 마포구 망원로 2", "abc", "126.90"],
        ["바다 위", "서울특별시", "마포구", "서울특별시 마포구 망원로 3", "10.0", "10.0"],
        ["구 없음", "", "", "어딘가 1", "37.55", "126.90"],
        ["정상", "서울특별시", "마포구", "서울특별시 마포구 망원로 4", "37.55", "126.90"],
        ["정상", "서울특별시", "마포구", "서울특별시 마포구 망원로 4", "37.551", "126.901"],
    ]
    report = await import_facilities(
        fresh, "clothing-bins", _csv(tmp_path / "bad.csv", header, rows, "utf-8")
    )
    reasons = {issue.line: issue.reason for issue in report.refused}
    assert reasons[2] == "설치장소명 is empty"
    assert reasons[3] == "위도 is not a number: 'abc'"
    assert "outside South Korea" in reasons[4]
    assert reasons[5].startswith("no district")
    assert reasons[6] == "the same entry again on line 7; kept that"
    assert (report.taken, await _count(fresh)) == (1, 1)
    assert (await _by_name(fresh, "정상")).lat == 37.551


async def test_refused_files_write_nothing(fresh: Sessions, tmp_path: Path) -> None:
    missing = _csv(tmp_path / "missing.csv", ["설치장소명", "위도"], [["a", "37.5"]], "utf-8")
    with pytest.raises(FileRefused, match=r"missing column.*경도"):
        await import_facilities(fresh, "clothing-bins", missing)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\xff\x00\x80\xff")
    with pytest.raises(FileRefused, match="neither UTF-8 nor CP949"):
        await import_facilities(fresh, "clothing-bins", binary)
    with pytest.raises(FileRefused, match="unknown facility layout"):
        await import_facilities(fresh, "parks", missing)
    assert await _count(fresh) == 0
