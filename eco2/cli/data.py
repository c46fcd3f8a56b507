"""``eco2 data``: import the public standard-data files (facilities, fees, schedules, prices).

``eco2 data import KIND FILE`` imports one published file (CSV, UTF-8 or CP949) through the
domain's importer and prints what it did: rows taken (new, updated), fixed and refused, each
fix and refusal with its line and reason. ``eco2 data samples`` imports the project's own sample
files (a few districts) the same way. Both migrate the schema first, so they work on a fresh
database.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import click

from domains.character.catalogue import prepare_database
from domains.db import engine_from_settings, session_factory
from domains.info.importers import LAYOUTS as INFO_LAYOUTS
from domains.info.importers import SAMPLES as INFO_SAMPLES
from domains.info.importers import import_info
from domains.location.importers import LAYOUTS as FACILITY_LAYOUTS
from domains.location.importers import SAMPLES as FACILITY_SAMPLES
from domains.location.importers import import_facilities
from domains.publicdata import FileRefused, ImportReport
from eco2.settings import Settings

KINDS = (*FACILITY_LAYOUTS, *INFO_LAYOUTS)
SAMPLES: dict[str, Path] = {**FACILITY_SAMPLES, **INFO_SAMPLES}


async def import_file(settings: Settings, kind: str, path: Path) -> ImportReport:
    """Migrate the schema, then import ``path`` as ``kind``."""
    return (await import_files(settings, [(kind, path)]))[0]


async def import_files(settings: Settings, files: list[tuple[str, Path]]) -> list[ImportReport]:
    engine = engine_from_settings(settings)
    try:
        await prepare_database(engine, settings.database_schema, seed=False)
        sessions = session_factory(engine)
        reports = []
        for kind, path in files:
            if kind in FACILITY_LAYOUTS:
                reports.append(await import_facilities(sessions, kind, path))
            else:
                reports.append(await import_info(sessions, kind, path))
        return reports
    finally:
        await engine.dispose()


def _settings(schema: str | None) -> Settings:
    settings = Settings()
    if schema is not None:
        settings = settings.model_copy(update={"database_schema": schema})
    return settings


def _show(report: ImportReport, verbose: bool) -> None:
    click.echo(report.summary())
    if verbose:
        for issue in report.fixed:
            click.echo(f"  fixed    line {issue.line}: {issue.reason}")
    for issue in report.refused:
        click.echo(f"  refused  line {issue.line}: {issue.reason}")


schema_option = click.option(
    "--schema", default=None, help="Schema to use instead of ECO2_DATABASE_SCHEMA."
)


@click.group()
def data() -> None:
    """Import facilities, bulk-waste fees, collection schedules and recyclable prices."""


@data.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@schema_option
@click.option("-v", "--verbose", is_flag=True, help="List the fixes too, not only refusals.")
def import_(kind: str, file: Path, schema: str | None, verbose: bool) -> None:
    """Import FILE (CSV, UTF-8 or CP949) of layout KIND; re-importing updates, never duplicates."""
    try:
        report = asyncio.run(import_file(_settings(schema), kind, file))
    except FileRefused as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    _show(report, verbose)


@data.command()
@schema_option
@click.option("-v", "--verbose", is_flag=True, help="List the fixes too, not only refusals.")
def samples(schema: str | None, verbose: bool) -> None:
    """Import the project's sample files (a few districts, every layout)."""
    reports = asyncio.run(import_files(_settings(schema), list(SAMPLES.items())))
    for report in reports:
        _show(report, verbose)


async def _demo(settings: Settings) -> None:
    from domains.info.service import InfoService
    from domains.location.hours import SEOUL
    from domains.location.service import LocationService

    for report in await import_files(settings, list(SAMPLES.items())):
        click.echo(report.summary())
    engine = engine_from_settings(settings)
    try:
        sessions = session_factory(engine)
        places, info = LocationService(sessions, settings.location), InfoService(sessions)
        click.echo("\n역삼역 (37.5006, 127.0364) 1 km 안, 가까운 순:")
        for hit in await places.nearby(37.5006, 127.0364, radius_m=1_000, limit=5):
            state = {True: "지금 열림", False: "닫힘", None: "시간 정보 없음"}[hit.open_now]
            click.echo(f"  {hit.distance_m:7.1f} m  {hit.name} ({hit.kind}, {state})")
        click.echo("\n망원동에서 폐건전지 버릴 곳:")
        for hit in await places.nearby(37.5560, 126.9050, radius_m=1_500, item="폐건전지"):
            click.echo(f"  {hit.distance_m:7.1f} m  {hit.name}")
        for district, question in (("강남구", "3인용 소파"), ("마포구", "장롱 큰 거")):
            best = (await info.bulk_waste_fees(district, query=question))[0]
            click.echo(
                f"\n{district} '{question}': {best.item} {best.spec} {best.fee_won:,}원 "
                f"({best.reference_date} 기준)"
            )
        click.echo("\n수원시 영통구 " + (await info.tonight("수원시 영통구")).message)
        today = datetime.now(SEOUL).date()
        calendar = await info.calendar("수원시 영통구", start=today, days=7)
        for day in calendar.days:
            out = ", ".join(w.label for w in day.streams) or "-"
            skipped = ", ".join(f"{s.label} 없음({s.reason})" for s in day.skipped)
            click.echo(f"  {day.date} {day.weekday}: {out}{'; ' + skipped if skipped else ''}")
        click.echo("\n폐지 시세 (최근 월):")
        for price in await info.prices(material="폐지"):
            click.echo(f"  {price.region} {price.material} {price.price_won}원/{price.unit}")
    finally:
        await engine.dispose()


@data.command()
@schema_option
def demo(schema: str | None) -> None:
    """Import the samples, then ask what the API and the chat ask: places, fees, tonight."""
    asyncio.run(_demo(_settings(schema)))
