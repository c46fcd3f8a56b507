"""The characters port: what the reward stage and the API ask of a character store.

Two implementations: ``CharacterService`` on PostgreSQL (deployments, ``eco2 serve``) and
``MemoryCharacterService`` in process memory (the embedded default of ``eco2 demo``).
"""

from __future__ import annotations

from typing import Protocol

from domains.character.catalogue import Character
from domains.character.service import OwnedCharacter, Reward


class Characters(Protocol):
    """Catalogue, match, grant and a user's collection, with the reward semantics of
    ``domains.character.service``."""

    async def catalogue(self) -> list[Character]: ...

    async def get(self, key: str) -> Character: ...

    async def match(self, category: str | None) -> Character | None: ...

    async def grant(self, user_id: str, category: str | None, job_id: str) -> Reward: ...

    async def collection(self, user_id: str) -> list[OwnedCharacter]: ...

    async def owns(self, user_id: str, key: str) -> bool: ...
