"""The packaged catalogue validates; broken catalogues are refused; sync is an idempotent upsert."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.character.catalogue import (
    CATALOGUE_PATH,
    CATEGORIES,
    Catalogue,
    load_catalogue,
    sync_catalogue,
)
from domains.character.exceptions import CatalogueError
from domains.character.models import CharacterRow


def test_packaged_catalogue_has_the_mascot_and_one_character_per_category() -> None:
    catalogue = load_catalogue()
    assert catalogue.mascot.name == "이코"
    assert catalogue.mascot.category is None
    assert len(catalogue.characters) == len(CATEGORIES) + 1
    for category in CATEGORIES:
        character = catalogue.by_category(category)
        assert character is not None, category
        assert 2 <= len(character.dialog) <= 3


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "characters.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _raw() -> dict:
    return yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda raw: raw["characters"].pop(), "no character for: construction"),
        (lambda raw: raw["characters"][2].update(category="paper"), "more than one character"),
        (lambda raw: raw["characters"][1].update(name="이코"), "duplicate name"),
        (lambda raw: raw["characters"][1].update(category="plutonium"), "unknown category"),
        (lambda raw: raw["characters"][1].update(dialog=["혼자"]), "dialog"),
        (lambda raw: raw["characters"][0].update(is_mascot=False), "unknown category None"),
        (lambda raw: raw["characters"][1].update(colour="green"), "colour"),
    ],
)
def test_a_broken_catalogue_is_refused_with_the_reason(
    tmp_path: Path, break_it: object, message: str
) -> None:
    raw = _raw()
    break_it(raw)  # type: ignore[operator]
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(_write(tmp_path, raw))


def test_unreadable_files_are_catalogue_errors(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"missing\.yaml"):
        load_catalogue(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("characters: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogueError):
        load_catalogue(bad)


async def test_sync_is_idempotent_and_applies_edits(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    catalogue = load_catalogue()
    async with sessions() as session:
        assert await sync_catalogue(session) == len(catalogue.characters)
        assert await sync_catalogue(session) == len(catalogue.characters)
        count = await session.scalar(select(func.count()).select_from(CharacterRow))
        assert count == len(catalogue.characters)

    raw = _raw()
    raw["characters"][1]["personality"] = "시험용으로 바뀐 성격"
    async with sessions() as session:
        await sync_catalogue(session, Catalogue.model_validate(raw))
        row = await session.get(CharacterRow, raw["characters"][1]["key"])
        assert row is not None and row.personality == "시험용으로 바뀐 성격"
        await sync_catalogue(session)  # restore the packaged text for the other tests
        await session.refresh(row)
        assert row.personality == catalogue.characters[1].personality
