"""Importers of the facility standard data: recycling centres, lamp/battery boxes, clothing bins,
and our own layout for kinds the government does not publish (medicine boxes, zero-waste shops).

Each importer reads a CSV file (UTF-8 or CP949), turns every row into a facility or a refusal
with its reason, and upserts the facilities on ``(kind, source_key)``: the key is the place's
name and address, so a re-import of a newer edition updates the rows it had written before and
never duplicates them. What a row needed fixing (swapped coordinates, a district read from the
address, unreadable hours dropped) is reported too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.location.models import FacilityRow
from domains.location.schemas import KIND_ITEMS, KIND_LABELS, KINDS
from domains.publicdata import (
    FileRefused,
    ImportReport,
    RowError,
    RowIssue,
    keep_last,
    parse_date,
    parse_float,
    parse_time,
    read_file,
    read_rows,
    split_list,
    upsert,
)

DATA = Path(__file__).resolve().parent / "data"
# The project's own sample files (fictional places in a few districts), one per layout.
SAMPLES: dict[str, Path] = {
    "recycling-centres": DATA / "recycling_centres.csv",
    "lamp-battery-boxes": DATA / "lamp_battery_boxes.cp949.csv",
    "clothing-bins": DATA / "clothing_bins.csv",
    "facilities": DATA / "facilities.csv",
}

# South Korea and its islands, generously: a point outside is a typo, not a facility.
LAT_RANGE = (33.0, 38.7)
LON_RANGE = (124.5, 132.0)

# Short and old names of the 17 시도 as they appear in addresses and files, to the full name.
SIDO = {
    "서울": "서울특별시",
    "부산": "부산광역시",
    "대구": "대구광역시",
    "인천": "인천광역시",
    "광주": "광주광역시",
    "대전": "대전광역시",
    "울산": "울산광역시",
    "세종": "세종특별자치시",
    "경기": "경기도",
    "강원": "강원특별자치도",
    "강원도": "강원특별자치도",
    "충북": "충청북도",
    "충남": "충청남도",
    "전북": "전북특별자치도",
    "전라북도": "전북특별자치도",
    "전남": "전라남도",
    "경북": "경상북도",
    "경남": "경상남도",
    "제주": "제주특별자치도",
    "제주도": "제주특별자치도",
}
FULL_SIDO = frozenset(SIDO.values())


def normalise_sido(value: str) -> str:
    """The full 시도 name for a short or old one ("서울" → "서울특별시"); others unchanged."""
    value = value.strip()
    return value if value in FULL_SIDO else SIDO.get(value, value)


def district_of(address: str) -> tuple[str, str] | None:
    """(시도, 시군구) read from the start of an address, or None.

    Cities with 구 inside a 시 ("경기도 수원시 영통구 …") keep both words as the 시군구, as the
    standard data spells it ("수원시 영통구").
    """
    words = address.split()
    if len(words) < 2:
        return None
    sido = normalise_sido(words[0])
    if sido not in FULL_SIDO:
        return None
    sigungu = words[1]
    if sigungu.endswith("시") and len(words) > 2 and words[2].endswith("구"):
        sigungu = f"{sigungu} {words[2]}"
    if not sigungu.endswith(("시", "군", "구")):
        return None
    return sido, sigungu


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class Layout:
    """One published layout: its columns and how a row becomes facility values."""

    kind: str
    source: str
    name_column: str
    required: tuple[str, ...]
    row_kind: Callable[[dict[str, str]], str]
    accepts_column: str | None = None


def _lamp_battery_kind(row: dict[str, str]) -> str:
    what = row.get("수거품목", "") or row.get("수거함구분", "")
    battery, lamp = "건전지" in what, "형광등" in what
    if battery and not lamp:
        return "battery_box"
    if lamp and not battery:
        return "lamp_box"
    return "lamp_battery_box"


_LABEL_KINDS = {label: kind for kind, label in KIND_LABELS.items()}


def _own_kind(row: dict[str, str]) -> str:
    value = row.get("시설구분", "").strip()
    kind = _LABEL_KINDS.get(value, value)
    if kind not in KINDS:
        raise RowError(f"시설구분 {value!r} is not one of {', '.join(KINDS)}")
    return kind


LAYOUTS: dict[str, Layout] = {
    "recycling-centres": Layout(
        kind="recycling_centre",
        source="전국재활용센터표준데이터",
        name_column="재활용센터명",
        required=("재활용센터명", "위도", "경도"),
        row_kind=lambda row: "recycling_centre",
        accepts_column="주요취급품목정보",
    ),
    "lamp-battery-boxes": Layout(
        kind="lamp_battery_box",
        source="전국폐형광등폐건전지수거함표준데이터",
        name_column="설치장소명",
        required=("설치장소명", "위도", "경도"),
        row_kind=_lamp_battery_kind,
        accepts_column="수거품목",
    ),
    "clothing-bins": Layout(
        kind="clothing_bin",
        source="전국의류수거함표준데이터",
        name_column="설치장소명",
        required=("설치장소명", "위도", "경도"),
        row_kind=lambda row: "clothing_bin",
    ),
    "facilities": Layout(
        kind="facility",
        source="eco2 시설 목록",
        name_column="시설명",
        required=("시설명", "시설구분", "위도", "경도"),
        row_kind=_own_kind,
        accepts_column="취급품목",
    ),
}


def _coordinates(row: dict[str, str], fixes: list[str]) -> tuple[float, float]:
    if not row.get("위도") or not row.get("경도"):
        raise RowError("no coordinates (위도/경도 empty)")
    lat, lon = parse_float(row["위도"], "위도"), parse_float(row["경도"], "경도")
    inside = LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]
    swapped = LAT_RANGE[0] <= lon <= LAT_RANGE[1] and LON_RANGE[0] <= lat <= LON_RANGE[1]
    if not inside and swapped:
        fixes.append("위도/경도 were swapped")
        lat, lon = lon, lat
    elif not inside:
        raise RowError(f"coordinates ({lat}, {lon}) are outside South Korea")
    return lat, lon


def _district(row: dict[str, str], fixes: list[str]) -> tuple[str, str]:
    sido, sigungu = normalise_sido(row.get("시도명", "")), row.get("시군구명", "").strip()
    if sido and sigungu:
        if sido != row.get("시도명", "").strip():
            fixes.append(f"시도명 {row['시도명']!r} written as {sido!r}")
        return sido, sigungu
    for column in ("소재지도로명주소", "소재지지번주소"):
        found = district_of(row.get(column, ""))
        if found is not None:
            fixes.append(f"시도/시군구 read from {column}")
            return found
    raise RowError("no district: 시도명/시군구명 empty and no address to read them from")


def _window(row: dict[str, str], prefix: str, fixes: list[str]) -> tuple[time | None, time | None]:
    try:
        start = parse_time(row.get(f"{prefix}운영시작시각", ""))
        end = parse_time(row.get(f"{prefix}운영종료시각", ""))
    except RowError as exc:
        fixes.append(f"{prefix} hours dropped: {exc}")
        return None, None
    if (start is None) != (end is None):
        fixes.append(f"{prefix} hours dropped: only one end given")
        return None, None
    return start, end


def facility_values(layout: Layout, row: dict[str, str], fixes: list[str]) -> dict[str, Any]:
    """The facilities-table values of one row; ``RowError`` with the reason if it is refused."""
    name = row.get(layout.name_column, "").strip()
    if not name:
        raise RowError(f"{layout.name_column} is empty")
    kind = layout.row_kind(row)
    lat, lon = _coordinates(row, fixes)
    sido, sigungu = _district(row, fixes)
    road, jibun = row.get("소재지도로명주소") or None, row.get("소재지지번주소") or None
    accepts = split_list(row.get(layout.accepts_column, "")) if layout.accepts_column else []
    if not accepts:
        accepts = list(KIND_ITEMS[kind])
    try:
        reference = parse_date(row.get("데이터기준일자", ""))
    except RowError as exc:
        fixes.append(f"데이터기준일자 dropped: {exc}")
        reference = None
    weekday = _window(row, "평일", fixes)
    saturday = _window(row, "토요일", fixes)
    holiday = _window(row, "공휴일", fixes)
    address = road or jibun
    source_key = _key(f"{name}|{address}") if address else _key(f"{name}|{lat:.5f},{lon:.5f}")
    return {
        "kind": kind,
        "source": layout.source,
        "source_key": source_key,
        "name": name,
        "sido": sido,
        "sigungu": sigungu,
        "road_address": road,
        "jibun_address": jibun,
        "detail": row.get("세부위치") or None,
        "lat": lat,
        "lon": lon,
        "accepts": accepts,
        "weekday_open": weekday[0],
        "weekday_close": weekday[1],
        "saturday_open": saturday[0],
        "saturday_close": saturday[1],
        "holiday_open": holiday[0],
        "holiday_close": holiday[1],
        "closed_days": row.get("휴무일정보") or None,
        "operator": row.get("운영기관명") or row.get("관리기관명") or None,
        "phone": row.get("운영기관전화번호")
        or row.get("관리기관전화번호")
        or row.get("전화번호")
        or None,
        "reference_date": reference,
    }


_table = cast(Table, FacilityRow.__table__)


def parse(
    layout: Layout, rows: Iterator[tuple[int, dict[str, str]]], report: ImportReport
) -> list[tuple[int, dict[str, Any]]]:
    """Every row's values with its line; refusals and fixes are recorded in ``report``."""
    taken: list[tuple[int, dict[str, Any]]] = []
    for line, row in rows:
        report.rows += 1
        fixes: list[str] = []
        try:
            values = facility_values(layout, row, fixes)
        except RowError as exc:
            report.refused.append(RowIssue(line=line, reason=str(exc)))
            continue
        if fixes:
            report.fixed.append(RowIssue(line=line, reason="; ".join(fixes)))
        taken.append((line, values))
    return taken


async def import_facilities(
    sessions: async_sessionmaker[AsyncSession], kind: str, path: Path
) -> ImportReport:
    """Import a facility file of layout ``kind`` (a key of ``LAYOUTS``); ``FileRefused`` if
    the file cannot be read or lacks a required column (then nothing is written)."""
    layout = LAYOUTS.get(kind)
    if layout is None:
        raise FileRefused(f"unknown facility layout {kind!r}; one of {', '.join(LAYOUTS)}")
    encoding, rows = read_rows(read_file(path), layout.required)
    report = ImportReport(kind=kind, file=path.name, encoding=encoding)
    values = keep_last(parse(layout, rows, report), ("kind", "source_key"), report)
    await upsert(sessions, _table, ("kind", "source_key"), values, report)
    return report
