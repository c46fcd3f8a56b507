"""The reward stage: give the user the character of the item's category, once.

``kr.eco2.scan.answer.completed`` → ``kr.eco2.scan.reward.completed``. A character is given
only when the item was identified and its rules were found; giving is idempotent per user and
character, and the result says whether the user already had it.

The handler and hooks are ``async def``: the stage only waits on PostgreSQL, so it runs on the
trigger's event loop, and its engine (bound to the loop that opened it) is opened there by
``start``.
"""

from __future__ import annotations

from cloudevents.http import CloudEvent
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.character.catalogue import prepare_database
from domains.character.port import Characters
from domains.character.service import NO_REWARD, CharacterService
from domains.db import DatabaseSettings, engine_from_settings, session_factory
from domains.scan import events
from domains.scan.events import RewardResult, ScanState
from eventing.events import payload_of, reply_to


class RewardStage:
    """The stage with its character store: PostgreSQL, opened by ``start``, unless one is given."""

    def __init__(self, settings: DatabaseSettings, characters: Characters | None = None) -> None:
        self.settings = settings
        self.characters = characters
        self._engine: AsyncEngine | None = None

    async def start(self) -> None:
        """Open the database on this loop and make sure the catalogue is there."""
        if self.characters is not None:
            return
        engine = engine_from_settings(self.settings)
        await prepare_database(engine, self.settings.database_schema)
        self._engine, self.characters = engine, CharacterService(session_factory(engine))

    async def stop(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine, self.characters = None, None

    def ready(self) -> bool:
        return self.characters is not None

    async def handle(self, event: CloudEvent) -> CloudEvent:
        state = payload_of(event, ScanState)
        rule = state.rule
        reward = NO_REWARD
        if rule is not None and rule.category is not None and rule.rules:
            if self.characters is None:
                raise RuntimeError("reward is not started: no character store")
            request = state.request
            reward = await self.characters.grant(request.user_id, rule.category, request.job_id)
        result = RewardResult(**reward.model_dump())
        done = state.model_copy(update={"reward": result})
        return reply_to(event, events.REWARD_COMPLETED, done)


def new(settings: DatabaseSettings, *, characters: Characters | None = None) -> RewardStage:
    """The reward stage; ``characters`` replaces PostgreSQL (the embedded default's memory)."""
    return RewardStage(settings, characters)
