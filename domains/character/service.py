"""Characters for the reward stage and the chat agent: match, grant, and list a collection.

Reward semantics (the scan result's ``reward`` field):

- ``received`` — a character was matched to this scan's category and is in the user's collection
  now (given by this scan, or confirmed because it was already there).
- ``already_owned`` — the user had it before this scan (another job gave it).
- no category (the item was not identified, or its rules were not found) → no reward:
  ``received=False``, ``already_owned=False``, no character.

Granting is idempotent per (user, character): ``INSERT … ON CONFLICT DO NOTHING`` on the
collection's primary key. A redelivered reward event for the same job gets the same answer as
the first delivery (the row remembers its ``source_job_id``), so retries never flip
``already_owned`` to True.
"""

from __future__ import annotations

import time
import zlib
from datetime import datetime
from typing import cast

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.character.catalogue import Character
from domains.character.exceptions import CharacterNotFound
from domains.character.models import CharacterRow, UserCharacterRow
from domains.db import autocommit


class Reward(BaseModel):
    """What the reward stage reports; field names match ``domains.scan.events.RewardResult``."""

    model_config = ConfigDict(frozen=True)

    received: bool
    already_owned: bool = False
    character: str | None = None
    dialog: str | None = None


NO_REWARD = Reward(received=False)

# Built once, a Core statement: each grant only binds its values (bench/db_writes.py).
_owned = cast(Table, UserCharacterRow.__table__)  # a mapped class's table (typed FromClause)
_GRANT = (
    insert(_owned)
    .on_conflict_do_nothing(index_elements=["user_id", "character_key"])
    .returning(_owned.c.source_job_id)
)
# Who owns it already: the answer to every repeat grant (most of them once a user has scanned
# each kind of item), so built once too.
_FIRST_JOB = select(_owned.c.source_job_id).where(
    _owned.c.user_id == bindparam("user_id"),
    _owned.c.character_key == bindparam("character_key"),
)


class OwnedCharacter(BaseModel):
    """A character in a user's collection, with when and by which scan it was acquired."""

    model_config = ConfigDict(frozen=True)

    character: Character
    acquired_at: datetime
    source_job_id: str | None


def pick_dialog(character: Character, job_id: str) -> str:
    """A dialog line chosen by the job id: varied across scans, stable across retries."""
    index = zlib.crc32(f"{job_id}:{character.key}".encode()) % len(character.dialog)
    return character.dialog[index]


class CharacterService:
    """Reads the catalogue table and writes collections; one short transaction per call.

    ``match`` (every reward) reads the category → character map from a copy of the catalogue
    kept for ``catalogue_ttl_s``: the table changes only when a deploy syncs its data file, and
    a query per scan would be a large share of the reward stage's database time.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, catalogue_ttl_s: float = 60.0
    ) -> None:
        self._sessions = sessions
        self.catalogue_ttl_s = catalogue_ttl_s
        self._by_category: dict[str, Character] = {}
        self._loaded_at: float | None = None

    async def catalogue(self) -> list[Character]:
        """Every character, the mascot first, then by category order of the table's keys."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(CharacterRow).order_by(CharacterRow.is_mascot.desc(), CharacterRow.key)
            )
            return [Character.model_validate(row) for row in rows]

    async def get(self, key: str) -> Character:
        """The character with ``key``; ``CharacterNotFound`` otherwise."""
        async with self._sessions() as session:
            row = await session.get(CharacterRow, key)
        if row is None:
            raise CharacterNotFound(f"no character with key {key!r}")
        return Character.model_validate(row)

    async def find(self, name: str) -> Character | None:
        """A character by its Korean name or its key (the chat agent's lookups)."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(CharacterRow).where(
                    (CharacterRow.name == name.strip()) | (CharacterRow.key == name.strip())
                )
            )
        return Character.model_validate(row) if row is not None else None

    async def mascot(self) -> Character:
        """이코, the mascot."""
        async with self._sessions() as session:
            row = await session.scalar(select(CharacterRow).where(CharacterRow.is_mascot))
        if row is None:
            raise CharacterNotFound("no mascot in the catalogue; run sync_catalogue")
        return Character.model_validate(row)

    async def match(self, category: str | None) -> Character | None:
        """The character of a disposal category; None for no category or an unknown one."""
        if not category:
            return None
        now = time.monotonic()
        if self._loaded_at is None or now - self._loaded_at >= self.catalogue_ttl_s:
            characters = await self.catalogue()
            self._by_category = {c.category: c for c in characters if c.category}
            self._loaded_at = now
        return self._by_category.get(category)

    async def grant(self, user_id: str, category: str | None, job_id: str) -> Reward:
        """Give the category's character to ``user_id`` for scan ``job_id``; idempotent."""
        character = await self.match(category)
        if character is None:
            return NO_REWARD
        async with autocommit(self._sessions) as connection:  # one atomic statement
            values = {"user_id": user_id, "character_key": character.key, "source_job_id": job_id}
            inserted = (await connection.execute(_GRANT, values)).scalar()
            if inserted is None:
                # The row exists (maybe committed by a concurrent grant a moment ago: READ
                # COMMITTED lets this new statement see it). Who put it there decides the answer.
                owner = {"user_id": user_id, "character_key": character.key}
                first_job = await connection.scalar(_FIRST_JOB, owner)
                already_owned = first_job != job_id
            else:
                already_owned = False
        return Reward(
            received=True,
            already_owned=already_owned,
            character=character.name,
            dialog=pick_dialog(character, job_id),
        )

    async def collection(self, user_id: str) -> list[OwnedCharacter]:
        """The user's characters, oldest acquisition first."""
        async with self._sessions() as session:
            result = await session.execute(
                select(CharacterRow, UserCharacterRow)
                .join(UserCharacterRow, UserCharacterRow.character_key == CharacterRow.key)
                .where(UserCharacterRow.user_id == user_id)
                .order_by(UserCharacterRow.acquired_at, CharacterRow.key)
            )
            return [
                OwnedCharacter(
                    character=Character.model_validate(character),
                    acquired_at=owned.acquired_at,
                    source_job_id=owned.source_job_id,
                )
                for character, owned in result.all()
            ]

    async def owns(self, user_id: str, key: str) -> bool:
        """Whether ``user_id`` has the character ``key``."""
        async with self._sessions() as session:
            row = await session.get(UserCharacterRow, (user_id, key))
        return row is not None
