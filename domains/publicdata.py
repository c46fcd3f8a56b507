"""Reading Korea's public standard-data CSV files (공공데이터 표준데이터), shared by the importers.

The files are published both as UTF-8 (often with a BOM) and as CP949, with Korean headers
whose set and order vary a little between editions and local governments. Rows are therefore
read as dictionaries keyed by a normalised header (spaces and BOM removed), and each importer
names the columns it needs; unknown columns are ignored, a missing required column refuses the
whole file with the column's name.

Every row ends up in an ``ImportReport`` as taken (maybe with fixes) or refused with a reason,
so an operator can see what a file did without reading it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

ENCODINGS = ("utf-8-sig", "cp949")
_DATE = re.compile(r"^(\d{4})[-./년\s]*(\d{1,2})[-./월\s]*(\d{1,2})일?$")
_TIME = re.compile(r"^(\d{1,2})(?::|시\s*)?(\d{2})?분?$")


class FileRefused(ValueError):
    """The file cannot be imported at all (encoding, missing columns); nothing was written."""


class RowIssue(BaseModel):
    """A row that was fixed or refused: its line in the file and why."""

    line: int
    reason: str


class ImportReport(BaseModel):
    """What one import did: rows read, written (new or updated), fixed and refused."""

    kind: str
    file: str
    encoding: str
    rows: int = 0
    taken: int = 0
    inserted: int = 0
    updated: int = 0
    fixed: list[RowIssue] = Field(default_factory=list)
    refused: list[RowIssue] = Field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.kind}: {self.rows} rows read from {self.file} ({self.encoding}); "
            f"{self.taken} taken ({self.inserted} new, {self.updated} updated), "
            f"{len(self.fixed)} fixed, {len(self.refused)} refused"
        )


class RowError(ValueError):
    """One row cannot be taken; the message is the reason shown in the report."""


def decode(data: bytes) -> tuple[str, str]:
    """The text of a published file and the encoding it was in (UTF-8 first, then CP949)."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileRefused("the file is neither UTF-8 nor CP949 text")


def _header(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", name.replace("\ufeff", "")))


def read_rows(
    data: bytes, required: tuple[str, ...]
) -> tuple[str, Iterator[tuple[int, dict[str, str]]]]:
    """The encoding and ``(line, row)`` pairs of a CSV file; ``FileRefused`` if a required
    column is missing. Values are NFC-normalised and stripped; empty cells are ""."""
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_header(cell) for cell in next(reader)]
    except StopIteration:
        raise FileRefused("the file is empty") from None
    missing = [name for name in required if name not in header]
    if missing:
        raise FileRefused(f"missing column(s): {', '.join(missing)}")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            values = [unicodedata.normalize("NFC", cell).strip() for cell in cells]
            values += [""] * (len(header) - len(values))
            yield number, dict(zip(header, values, strict=False))

    return encoding, rows()


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileRefused(f"cannot read {path}: {exc.strerror or exc}") from exc


def parse_date(value: str) -> date | None:
    """A 데이터기준일자 such as 2026-03-01, 2026.3.1 or 20260301; None if empty."""
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{8}", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    match = _DATE.match(value)
    if match is None:
        raise RowError(f"not a date: {value!r}")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise RowError(f"not a date: {value!r}") from exc


def parse_time(value: str) -> time | None:
    """An opening or collection time such as 09:00, 9:00, 0900 or 24:00; None if empty.

    ``24:00`` (published for "until midnight") becomes 23:59:59 so it stays a valid time of day.
    """
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{4}", value):
        value = f"{value[:2]}:{value[2:]}"
    match = _TIME.match(value)
    if match is None:
        raise RowError(f"not a time of day: {value!r}")
    hour, minute = int(match[1]), int(match[2] or 0)
    if (hour, minute) == (24, 0):
        return time(23, 59, 59)
    if hour > 23 or minute > 59:
        raise RowError(f"not a time of day: {value!r}")
    return time(hour, minute)


def parse_float(value: str, what: str) -> float:
    try:
        return float(value.replace(",", ""))
    except ValueError:
        raise RowError(f"{what} is not a number: {value!r}") from None


def parse_int(value: str, what: str) -> int:
    cleaned = re.sub(r"[,\s원]", "", value)
    if not re.fullmatch(r"-?\d+", cleaned):
        raise RowError(f"{what} is not a whole number: {value!r}")
    return int(cleaned)


def split_list(value: str) -> list[str]:
    """A published list cell ("폐건전지+폐형광등", "가구, 가전", "의류/신발") as its items."""
    return [part.strip() for part in re.split(r"[+,/·|]", value) if part.strip()]


def keep_last(
    rows: list[tuple[int, dict[str, Any]]], key: tuple[str, ...], report: ImportReport
) -> list[dict[str, Any]]:
    """The rows with one per ``key``: a row listed twice in a file keeps its last version and
    the earlier one is reported as refused (one upsert statement cannot touch a row twice)."""
    taken: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = {}
    for line, values in rows:
        identity = tuple(values[name] for name in key)
        if identity in taken:
            earlier = taken[identity][0]
            report.refused.append(
                RowIssue(line=earlier, reason=f"the same entry again on line {line}; kept that")
            )
        taken[identity] = (line, values)
    return [values for _, values in sorted(taken.values(), key=lambda pair: pair[0])]


async def upsert(
    sessions: async_sessionmaker[AsyncSession],
    table: Table,
    key: tuple[str, ...],
    rows: list[dict[str, Any]],
    report: ImportReport,
) -> None:
    """Insert ``rows`` or update the rows with the same ``key`` (a unique constraint), in one
    transaction, counting new and updated rows into ``report``.

    The rows are streamed with COPY into a temporary table, then moved with one
    ``INSERT … SELECT … ON CONFLICT DO UPDATE``: a national file of 100,000 rows is one round
    trip of data instead of a hundred multi-row INSERTs (figures: bench/RESULTS.md).
    """
    if rows:
        columns = [column.name for column in table.columns if column.name in rows[0]]
        names = ", ".join(f'"{name}"' for name in columns)
        updates = [f'"{name}" = EXCLUDED."{name}"' for name in columns if name not in key]
        if "updated_at" in table.columns:
            updates.append('"updated_at" = now()')
        staging = f"import_{table.name}"
        move = text(
            f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staging}" '
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(updates)} "
            # xmax is 0 only on a row this statement inserted: new rows told from updated ones.
            "RETURNING (xmax = 0)"
        )
        engine: AsyncEngine = sessions.kw["bind"]
        # One transaction for the file: a failure half-way leaves the previous edition.
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    f'CREATE TEMP TABLE "{staging}" ON COMMIT DROP AS '
                    f'SELECT {names} FROM "{table.name}" WITH NO DATA'
                )
            )
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection  # asyncpg's, on this very transaction
            records = [tuple(row[name] for name in columns) for row in rows]
            await driver.copy_records_to_table(staging, records=records, columns=columns)
            flags = list((await connection.execute(move)).scalars())
        report.inserted = sum(1 for flag in flags if flag)
        report.updated = len(flags) - report.inserted
    report.taken = report.inserted + report.updated
