"""Rewards on the real PostgreSQL: matching, idempotent grants, already-owned, collections."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domains.character.catalogue import load_catalogue
from domains.character.exceptions import CharacterNotFound
from domains.character.models import UserCharacterRow
from domains.character.service import CharacterService, pick_dialog
from domains.db import session_factory


@pytest.fixture
def service(sessions: async_sessionmaker[AsyncSession]) -> CharacterService:
    return CharacterService(sessions)


async def _rows(sessions: async_sessionmaker[AsyncSession], user: str) -> int:
    async with sessions() as session:
        return await session.scalar(
            select(func.count())
            .select_from(UserCharacterRow)
            .where(UserCharacterRow.user_id == user)
        )


async def test_match_finds_the_category_character_and_nothing_for_no_category(
    service: CharacterService,
) -> None:
    character = await service.match("clear_pet")
    assert character is not None and character.name == "투명이"
    assert await service.match(None) is None
    assert await service.match("") is None
    assert await service.match("spaceship") is None


async def test_match_reads_the_catalogue_once_per_ttl_and_again_after_it(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = CharacterService(sessions, catalogue_ttl_s=60.0)
    reads = 0
    catalogue = service.catalogue

    async def counted() -> list:
        nonlocal reads
        reads += 1
        return await catalogue()

    monkeypatch.setattr(service, "catalogue", counted)
    for category in ("glass", "clear_pet", "glass", "spaceship"):
        await service.match(category)
    assert reads == 1
    service.catalogue_ttl_s = 0.0  # expired: the next match reads the table again
    assert (await service.match("glass")).name == "반짝이"  # type: ignore[union-attr]
    assert reads == 2


async def test_no_category_means_no_reward_and_no_row(
    service: CharacterService, sessions: async_sessionmaker[AsyncSession], user: str
) -> None:
    reward = await service.grant(user, None, "job-1")
    assert reward.model_dump() == {
        "received": False,
        "already_owned": False,
        "character": None,
        "dialog": None,
    }
    assert await _rows(sessions, user) == 0


async def test_first_grant_is_new_a_retry_of_the_same_job_is_unchanged_another_job_is_owned(
    service: CharacterService, sessions: async_sessionmaker[AsyncSession], user: str
) -> None:
    first = await service.grant(user, "glass", "job-a")
    assert (first.received, first.already_owned, first.character) == (True, False, "반짝이")
    assert first.dialog in load_catalogue().by_category("glass").dialog  # type: ignore[union-attr]

    retry = await service.grant(user, "glass", "job-a")
    assert retry == first

    second = await service.grant(user, "glass", "job-b")
    assert (second.received, second.already_owned, second.character) == (True, True, "반짝이")
    assert await _rows(sessions, user) == 1


async def test_concurrent_grants_on_two_connections_make_one_row(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], user: str
) -> None:
    # Two services on separate connections, like two reward pods handling a redelivered event.
    one = CharacterService(session_factory(engine))
    two = CharacterService(session_factory(engine))
    rewards = await asyncio.wait_for(
        asyncio.gather(
            one.grant(user, "battery", "job-x"),
            two.grant(user, "battery", "job-x"),
            one.grant(user, "battery", "job-y"),
            two.grant(user, "battery", "job-y"),
        ),
        timeout=20,
    )
    assert await _rows(sessions, user) == 1
    assert all(r.received and r.character == "찌릿이" for r in rewards)
    # Exactly one of the two jobs won; its grants say new, the other job's say already owned.
    owned = {(job, r.already_owned) for job, r in zip("xxyy", rewards, strict=True)}
    assert owned in ({("x", False), ("y", True)}, {("x", True), ("y", False)})


async def test_collection_lists_what_the_user_owns_with_its_source(
    service: CharacterService, user: str, unique: str
) -> None:
    assert await service.collection(user) == []
    await service.grant(user, "paper", "job-1")
    await service.grant(user, "food", "job-2")
    await service.grant(f"other-{unique}", "metal", "job-3")
    owned = await service.collection(user)
    assert {(o.character.key, o.source_job_id) for o in owned} == {
        ("paper_scholar", "job-1"),
        ("food", "job-2"),
    }
    assert await service.owns(user, "food")
    assert not await service.owns(user, "metal")


async def test_lookups_for_the_chat_agent(service: CharacterService) -> None:
    mascot = await service.mascot()
    assert mascot.name == "이코" and mascot.is_mascot and mascot.likes
    assert (await service.find("이코")) == mascot
    assert (await service.find("eco")) == mascot
    assert await service.find("없는친구") is None
    assert (await service.get("glass")).category == "glass"
    with pytest.raises(CharacterNotFound):
        await service.get("nobody")
    everyone = await service.catalogue()
    assert everyone[0] == mascot and len(everyone) == 19


def test_dialog_choice_is_stable_per_job_and_varies_across_jobs() -> None:
    character = load_catalogue().by_category("vinyl")
    assert character is not None
    assert pick_dialog(character, "job-1") == pick_dialog(character, "job-1")
    lines = {pick_dialog(character, f"job-{n}") for n in range(40)}
    assert lines == set(character.dialog)
