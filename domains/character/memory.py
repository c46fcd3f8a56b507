"""Characters in process memory: the embedded default's reward store, no PostgreSQL needed.

It reads the same YAML catalogue as the PostgreSQL service and keeps the same reward
semantics (see ``domains.character.service``): granting is idempotent per (user, character),
a redelivered reward for the same job gets the first answer again, and a second job for an
already collected character reports ``already_owned``. Collections live as long as the
process: this is for ``eco2 demo`` and the embedded pipeline, never for a deployment.
"""

from __future__ import annotations

from datetime import UTC, datetime

from domains.character.catalogue import Catalogue, Character, load_catalogue
from domains.character.exceptions import CharacterNotFound
from domains.character.service import NO_REWARD, OwnedCharacter, Reward, pick_dialog


class MemoryCharacterService:
    """``CharacterService``'s catalogue, match and grant, on dicts instead of tables."""

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        self._catalogue = catalogue or load_catalogue()
        self._by_category = {
            c.category: c for c in self._catalogue.characters if c.category is not None
        }
        # (user_id, character key) → the collection entry; its source job decides already_owned.
        self._owned: dict[tuple[str, str], OwnedCharacter] = {}

    async def catalogue(self) -> list[Character]:
        """Every character, the mascot first, then by key (the PostgreSQL service's order)."""
        return sorted(self._catalogue.characters, key=lambda c: (not c.is_mascot, c.key))

    async def get(self, key: str) -> Character:
        """The character with ``key``; ``CharacterNotFound`` otherwise."""
        for character in self._catalogue.characters:
            if character.key == key:
                return character
        raise CharacterNotFound(f"no character with key {key!r}")

    async def match(self, category: str | None) -> Character | None:
        """The character of a disposal category; None for no category or an unknown one."""
        if not category:
            return None
        return self._by_category.get(category)

    async def grant(self, user_id: str, category: str | None, job_id: str) -> Reward:
        """Give the category's character to ``user_id`` for scan ``job_id``; idempotent.

        No ``await`` between the lookup and the insert, so two grants on one event loop can
        never both think they gave the character first.
        """
        character = await self.match(category)
        if character is None:
            return NO_REWARD
        key = (user_id, character.key)
        owned = self._owned.get(key)
        if owned is None:
            self._owned[key] = OwnedCharacter(
                character=character, acquired_at=datetime.now(UTC), source_job_id=job_id
            )
            already_owned = False
        else:
            already_owned = owned.source_job_id != job_id
        return Reward(
            received=True,
            already_owned=already_owned,
            character=character.name,
            dialog=pick_dialog(character, job_id),
        )

    async def collection(self, user_id: str) -> list[OwnedCharacter]:
        """The user's characters, oldest acquisition first."""
        mine = [owned for (user, _), owned in self._owned.items() if user == user_id]
        return sorted(mine, key=lambda o: (o.acquired_at, o.character.key))

    async def owns(self, user_id: str, key: str) -> bool:
        """Whether ``user_id`` has the character ``key``."""
        return (user_id, key) in self._owned
