"""The reward stage: give the user the character of the item's category, once.

``kr.eco2.scan.answer.completed`` → ``kr.eco2.scan.reward.completed``. A character is given
only when the item was identified and its rules were found; giving is idempotent per user and
character, and the result says whether the user already had it.
"""

from __future__ import annotations

from cloudevents.http import CloudEvent

from domains.character.memory import MemoryCharacterService
from domains.character.service import NO_REWARD, CharacterService
from domains.db import engine_from_settings, prepare_database, session_factory
from eco2.settings import Settings, get_settings
from eventing.events import RewardResult, ScanState, payload_of, reply_to
from eventing.runtime import function
from eventing.runtime.loop import LoopThread

_loop: LoopThread | None = None
_characters: CharacterService | MemoryCharacterService | None = None


def start(settings: Settings) -> None:
    """Open the database on a loop thread and make sure the catalogue is there."""
    global _loop, _characters
    if _characters is not None:
        return
    loop = LoopThread("reward-db")
    engine = loop.run(_make_engine(settings), timeout=30)
    loop.run(prepare_database(engine, settings.database_schema), timeout=60)
    _loop, _characters = loop, CharacterService(session_factory(engine))


def use(characters: CharacterService | MemoryCharacterService, loop: LoopThread) -> None:
    """Grant from ``characters`` instead (the embedded default's in-memory service)."""
    global _loop, _characters
    _loop, _characters = loop, characters


async def _make_engine(settings: Settings):
    return engine_from_settings(settings)


def stop() -> None:
    global _loop, _characters
    if _loop is not None:
        _loop.close()
    _loop, _characters = None, None


def ready() -> bool:
    return _characters is not None


@function
def handle(event: CloudEvent) -> CloudEvent:
    state = payload_of(event, ScanState)
    identified = state.rule is not None and state.rule.category is not None and state.rule.rules
    reward = NO_REWARD
    if identified:
        if _characters is None:
            start(get_settings())
        assert _loop is not None and _characters is not None
        request = state.request
        reward = _loop.run(
            _characters.grant(request.user_id, state.rule.category, request.job_id), timeout=15
        )
    result = RewardResult(**reward.model_dump())
    return reply_to(
        event, "kr.eco2.scan.reward.completed", state.model_copy(update={"reward": result})
    )
