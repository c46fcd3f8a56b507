"""Importers of the info standard data: bulk-waste fees, collection schedules, recyclable prices.

- ``bulk-waste-fees``: 전국대형폐기물수거수수료정보표준데이터 (시도명, 시군구명, 대형폐기물명,
  대형폐기물구분명, 대형폐기물규격, 유무료여부, 수수료, 데이터기준일자).
- ``collection-schedules``: 전국생활쓰레기배출정보표준데이터 (시도명, 시군구명, 관리구역명,
  관리구역대상지역명, 배출장소유형, 배출장소, 생활쓰레기/음식물쓰레기/재활용품 배출요일 and
  배출시작/종료시각, 미수거일, 관리부서명, 관리부서전화번호, 데이터기준일자).
- ``recyclable-prices``: our own layout after the monthly recyclable-price survey (지역,
  기준연월, 품목, 단위, 가격).

Re-importing a file updates the rows with the same natural key (district + item + kind + spec,
district + zone, region + month + material + unit) and never duplicates them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.info.models import BulkWasteFeeRow, CollectionZoneRow, RecyclablePriceRow
from domains.location.importers import normalise_sido
from domains.publicdata import (
    FileRefused,
    ImportReport,
    RowError,
    RowIssue,
    keep_last,
    parse_date,
    parse_int,
    parse_time,
    read_file,
    read_rows,
    upsert,
)

DATA = Path(__file__).resolve().parent / "data"
# The project's own sample files (fictional figures for a few districts), one per layout.
SAMPLES: dict[str, Path] = {
    "bulk-waste-fees": DATA / "bulk_waste_fees.cp949.csv",
    "collection-schedules": DATA / "collection_schedules.csv",
    "recyclable-prices": DATA / "recyclable_prices.csv",
}
WEEKDAYS = "월화수목금토일"
STREAMS = {"general": "생활쓰레기", "food": "음식물쓰레기", "recyclables": "재활용품"}


def parse_days(value: str) -> list[int]:
    """배출요일 such as "월+수+금", "월,수,금", "월~금", "일-금", "매일", "화요일+목요일" or "없음"
    as weekday numbers (0 = Monday), sorted."""
    text = value.replace("요일", "").replace(" ", "")
    if not text or text in {"없음", "-", "미배출", "해당없음"}:
        return []
    if text in {"매일", "월~일", "월-일"}:
        return list(range(7))
    days: set[int] = set()
    for part in re.split(r"[+,·/|]", text):
        if not part:
            continue
        run = re.fullmatch(r"([월화수목금토일])[~\-]([월화수목금토일])", part)
        if run:
            start, end = WEEKDAYS.index(run[1]), WEEKDAYS.index(run[2])
            span = range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
            days.update(span)
        elif all(char in WEEKDAYS for char in part):
            days.update(WEEKDAYS.index(char) for char in part)
        else:
            raise RowError(f"not a list of weekdays: {value!r}")
    return sorted(days)


def _district(row: dict[str, str], fixes: list[str]) -> tuple[str, str]:
    raw = row.get("시도명", "")
    sido, sigungu = normalise_sido(raw), row.get("시군구명", "").strip()
    if not sido or not sigungu:
        raise RowError("시도명 or 시군구명 is empty")
    if sido != raw.strip():
        fixes.append(f"시도명 {raw!r} written as {sido!r}")
    return sido, sigungu


def _reference(row: dict[str, str], fixes: list[str]) -> date | None:
    try:
        return parse_date(row.get("데이터기준일자", ""))
    except RowError as exc:
        fixes.append(f"데이터기준일자 dropped: {exc}")
        return None


def fee_values(row: dict[str, str], fixes: list[str]) -> dict[str, Any]:
    sido, sigungu = _district(row, fixes)
    item = row.get("대형폐기물명", "").strip()
    if not item:
        raise RowError("대형폐기물명 is empty")
    paid = row.get("유무료여부", "").strip()
    fee_text = row.get("수수료", "").strip()
    if paid == "무료" and not fee_text:
        fee = 0
    elif not fee_text:
        raise RowError("수수료 is empty")
    else:
        fee = parse_int(fee_text, "수수료")
    if fee < 0:
        raise RowError(f"수수료 is negative: {fee}")
    free = paid == "무료" or (not paid and fee == 0)
    if free and fee:
        fixes.append(f"유무료여부 무료 with 수수료 {fee}: fee set to 0")
        fee = 0
    if paid == "유료" and fee == 0:
        raise RowError("유무료여부 유료 but 수수료 is 0")
    return {
        "sido": sido,
        "sigungu": sigungu,
        "item": item,
        "category": row.get("대형폐기물구분명", "").strip(),
        "spec": row.get("대형폐기물규격", "").strip(),
        "free": free,
        "fee_won": fee,
        "reference_date": _reference(row, fixes),
    }


def zone_values(row: dict[str, str], fixes: list[str]) -> dict[str, Any]:
    sido, sigungu = _district(row, fixes)
    zone = row.get("관리구역명", "").strip() or "전체"
    if not row.get("관리구역명", "").strip():
        fixes.append("관리구역명 empty: the zone is the whole district (전체)")
    values: dict[str, Any] = {
        "sido": sido,
        "sigungu": sigungu,
        "zone": zone,
        "areas": row.get("관리구역대상지역명") or None,
        "place_type": row.get("배출장소유형") or None,
        "place": row.get("배출장소") or None,
        "no_collection": row.get("미수거일") or None,
        "department": row.get("관리부서명") or None,
        "phone": row.get("관리부서전화번호") or None,
        "reference_date": _reference(row, fixes),
    }
    any_days = False
    for stream, label in STREAMS.items():
        days = parse_days(row.get(f"{label}배출요일", ""))
        any_days = any_days or bool(days)
        start = parse_time(row.get(f"{label}배출시작시각", "") or row.get("배출시작시각", ""))
        end = parse_time(row.get(f"{label}배출종료시각", "") or row.get("배출종료시각", ""))
        if days and (start is None or end is None):
            raise RowError(f"{label}: 배출요일 given but no 배출시작/종료시각")
        values[f"{stream}_days"] = days
        values[f"{stream}_start"], values[f"{stream}_end"] = start, end
    if not any_days:
        raise RowError("no 배출요일 for any stream")
    return values


def price_values(row: dict[str, str], fixes: list[str]) -> dict[str, Any]:
    region = row.get("지역", "").strip()
    material = row.get("품목", "").strip()
    if not region or not material:
        raise RowError("지역 or 품목 is empty")
    month_text = row.get("기준연월", "").strip()
    match = re.fullmatch(r"(\d{4})[-./년\s]*(\d{1,2})월?", month_text)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise RowError(f"기준연월 is not a year and month: {month_text!r}")
    price = parse_int(row.get("가격", ""), "가격")
    if price < 0:
        raise RowError(f"가격 is negative: {price}")
    return {
        "region": region,
        "month": date(int(match[1]), int(match[2]), 1),
        "material": material,
        "unit": row.get("단위", "").strip() or "kg",
        "price_won": price,
    }


Parser = Callable[[dict[str, str], list[str]], dict[str, Any]]
LAYOUTS: dict[str, tuple[Table, tuple[str, ...], tuple[str, ...], Parser]] = {
    # kind: (table, natural key, required columns, row parser)
    "bulk-waste-fees": (
        cast(Table, BulkWasteFeeRow.__table__),
        ("sido", "sigungu", "item", "category", "spec"),
        ("시도명", "시군구명", "대형폐기물명", "수수료"),
        fee_values,
    ),
    "collection-schedules": (
        cast(Table, CollectionZoneRow.__table__),
        ("sido", "sigungu", "zone"),
        ("시도명", "시군구명", "관리구역명"),
        zone_values,
    ),
    "recyclable-prices": (
        cast(Table, RecyclablePriceRow.__table__),
        ("region", "month", "material", "unit"),
        ("지역", "기준연월", "품목", "가격"),
        price_values,
    ),
}


async def import_info(
    sessions: async_sessionmaker[AsyncSession], kind: str, path: Path
) -> ImportReport:
    """Import a file of layout ``kind`` (a key of ``LAYOUTS``); ``FileRefused`` if the file
    cannot be read or lacks a required column (then nothing is written)."""
    if kind not in LAYOUTS:
        raise FileRefused(f"unknown info layout {kind!r}; one of {', '.join(LAYOUTS)}")
    table, key, required, parse_row = LAYOUTS[kind]
    encoding, rows = read_rows(read_file(path), required)
    report = ImportReport(kind=kind, file=path.name, encoding=encoding)
    taken: list[tuple[int, dict[str, Any]]] = []
    for line, row in rows:
        report.rows += 1
        fixes: list[str] = []
        try:
            values = parse_row(row, fixes)
        except RowError as exc:
            report.refused.append(RowIssue(line=line, reason=str(exc)))
            continue
        if fixes:
            report.fixed.append(RowIssue(line=line, reason="; ".join(fixes)))
        taken.append((line, values))
    await upsert(sessions, table, key, keep_last(taken, key, report), report)
    return report
