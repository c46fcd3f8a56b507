"""The character catalogue: a YAML file validated with pydantic and upserted into PostgreSQL.

The file (``data/characters.yaml``) is the source of truth for names, personalities and dialog;
the ``characters`` table is its copy, refreshed by ``sync_catalogue``. Sync only inserts and
updates: a character removed from the file stays in the table because users may own it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from domains.character.exceptions import CatalogueError
from domains.character.models import CharacterRow
from domains.db import at_head, session_factory, upgrade
from domains.knowledge.models import CATEGORY_KEYS

CATALOGUE_PATH = Path(__file__).parent / "data" / "characters.yaml"

# The 18 disposal categories the rule stage classifies into; one character each.
CATEGORIES: tuple[str, ...] = CATEGORY_KEYS


class Character(BaseModel):
    """One character as the catalogue file and the services describe it."""

    model_config = ConfigDict(frozen=True, extra="forbid", from_attributes=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    name: str = Field(min_length=1, max_length=64)
    category: str | None = Field(None, description="Disposal category; None for the mascot.")
    is_mascot: bool = False
    rarity: Literal["common", "rare", "special"] = "common"
    personality: str = Field(min_length=1)
    description: str = Field(min_length=1)
    likes: tuple[str, ...] = Field(default=(), max_length=8)
    dialog: tuple[str, ...] = Field(min_length=2, max_length=3)

    @model_validator(mode="after")
    def _category_matches_role(self) -> Character:
        if self.is_mascot and self.category is not None:
            raise ValueError(f"{self.key}: the mascot belongs to no category")
        if not self.is_mascot and self.category not in CATEGORIES:
            raise ValueError(f"{self.key}: unknown category {self.category!r}")
        return self


class Catalogue(BaseModel):
    """The whole file: exactly one mascot and exactly one character per category."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1)
    characters: tuple[Character, ...]

    @model_validator(mode="after")
    def _complete_and_unique(self) -> Catalogue:
        for field in ("key", "name"):
            repeated = _repeated(getattr(c, field) for c in self.characters)
            if repeated:
                raise ValueError(f"duplicate {field}: {', '.join(repeated)}")
        categories = [c.category for c in self.characters if c.category is not None]
        repeated = _repeated(categories)
        if repeated:
            raise ValueError(f"more than one character for: {', '.join(repeated)}")
        missing = sorted(set(CATEGORIES) - set(categories))
        if missing:
            raise ValueError(f"no character for: {', '.join(missing)}")
        mascots = [c.key for c in self.characters if c.is_mascot]
        if len(mascots) != 1:
            raise ValueError(f"exactly one mascot expected, found {mascots}")
        return self

    @property
    def mascot(self) -> Character:
        return next(c for c in self.characters if c.is_mascot)

    def by_category(self, category: str) -> Character | None:
        return next((c for c in self.characters if c.category == category), None)


def _repeated(values: Iterable[Hashable]) -> list[str]:
    return sorted(str(v) for v, n in Counter(values).items() if n > 1)


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Read and validate a catalogue file; any problem is a ``CatalogueError`` naming the file."""
    try:
        # libyaml's safe loader where PyYAML has it (its wheels do): the same data, read
        # several times faster in the reward stage's start.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # nosec B506: a safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: {exc}") from exc
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as exc:
        raise CatalogueError(f"{path}: {exc}") from exc


async def sync_catalogue(session: AsyncSession, catalogue: Catalogue | None = None) -> int:
    """Upsert every character of ``catalogue`` (the packaged file by default); commits.

    Idempotent: running it again changes nothing but ``updated_at``. Returns the row count.
    """
    catalogue = catalogue or load_catalogue()
    rows = [
        c.model_dump(mode="json") for c in catalogue.characters
    ]  # tuples become JSON lists for the JSONB columns
    statement = insert(CharacterRow).values(rows)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[CharacterRow.key],
        set_={
            "name": excluded.name,
            "category": excluded.category,
            "personality": excluded.personality,
            "description": excluded.description,
            "likes": excluded.likes,
            "dialog": excluded.dialog,
            "rarity": excluded.rarity,
            "is_mascot": excluded.is_mascot,
            "updated_at": func.now(),
        },
    )
    await session.execute(statement)
    await session.commit()
    return len(rows)


async def prepare_database(engine: AsyncEngine, schema: str, seed: bool = True) -> int:
    """Migrate ``schema`` to head and (with ``seed``) sync the character catalogue.

    Safe to run from every replica at start: both steps are idempotent. A schema already at
    head (the migrations Job ran) costs one query instead of Alembic (its import, its scripts,
    a transaction). Returns the number of catalogue rows synced (0 without ``seed``).
    """
    if not await at_head(engine, schema):
        await upgrade(engine, schema)
    if not seed:
        return 0
    async with session_factory(engine)() as session:
        return await sync_catalogue(session)
