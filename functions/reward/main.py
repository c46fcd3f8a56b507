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

from domains.character.memory import MemoryCharacterService
from domains.character.service import NO_REWARD, CharacterService
from domains.db import engine_from_settings, prepare_database, session_factory
from eco2.settings import Settings, get_settings
from eventing.events import RewardResult, ScanState, payload_of, reply_to
from eventing.runtime import function

_engine = None
_characters: CharacterService | MemoryCharacterService | None = None


async def start(settings: Settings) -> None:
    """Open the database on this loop and make sure the catalogue is there."""
    global _engine, _characters
    if _characters is not None:
        return
    engine = engine_from_settings(settings)
    await prepare_database(engine, settings.database_schema)
    _engine, _characters = engine, CharacterService(session_factory(engine))


def use(characters: CharacterService | MemoryCharacterService) -> None:
    """Grant from ``characters`` instead (the embedded default's in-memory service)."""
    global _characters
    _characters = characters


async def stop() -> None:
    global _engine, _characters
    if _engine is not None:
        await _engine.dispose()
    _engine, _characters = None, None


def ready() -> bool:
    return _characters is not None


@function
async def handle(event: CloudEvent) -> CloudEvent:
    state = payload_of(event, ScanState)
    identified = state.rule is not None and state.rule.category is not None and state.rule.rules
    reward = NO_REWARD
    if identified:
        if _characters is None:
            await start(get_settings())
        assert _characters is not None
        request = state.request
        reward = await _characters.grant(request.user_id, state.rule.category, request.job_id)
    result = RewardResult(**reward.model_dump())
    return reply_to(
        event, "kr.eco2.scan.reward.completed", state.model_copy(update={"reward": result})
    )
