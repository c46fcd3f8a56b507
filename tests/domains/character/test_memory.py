"""The embedded default's in-memory characters keep the PostgreSQL service's reward semantics."""

from __future__ import annotations

import pytest

from domains.character.catalogue import load_catalogue
from domains.character.exceptions import CharacterNotFound
from domains.character.memory import MemoryCharacterService


async def test_match_uses_the_packaged_catalogue_and_nothing_for_no_category() -> None:
    service = MemoryCharacterService()
    character = await service.match("clear_pet")
    assert character is not None and character.name == "투명이"
    assert await service.match(None) is None
    assert await service.match("") is None
    assert await service.match("spaceship") is None


async def test_no_category_means_no_reward_and_nothing_owned() -> None:
    service = MemoryCharacterService()
    reward = await service.grant("u1", None, "job-1")
    assert reward.model_dump() == {
        "received": False,
        "already_owned": False,
        "character": None,
        "dialog": None,
    }
    assert await service.collection("u1") == []


async def test_first_grant_is_new_a_retry_of_the_same_job_is_unchanged_another_job_is_owned() -> (
    None
):
    service = MemoryCharacterService()
    first = await service.grant("u1", "glass", "job-a")
    assert (first.received, first.already_owned, first.character) == (True, False, "반짝이")
    assert first.dialog in load_catalogue().by_category("glass").dialog  # type: ignore[union-attr]

    retry = await service.grant("u1", "glass", "job-a")
    assert retry == first

    second = await service.grant("u1", "glass", "job-b")
    assert (second.received, second.already_owned, second.character) == (True, True, "반짝이")
    owned = await service.collection("u1")
    assert [(o.character.key, o.source_job_id) for o in owned] == [
        (load_catalogue().by_category("glass").key, "job-a")  # type: ignore[union-attr]
    ]


async def test_collections_are_per_user() -> None:
    service = MemoryCharacterService()
    await service.grant("u1", "paper", "job-1")
    await service.grant("u2", "metal", "job-2")
    paper = load_catalogue().by_category("paper")
    assert paper is not None
    assert await service.owns("u1", paper.key)
    assert not await service.owns("u2", paper.key)
    assert [o.character.category for o in await service.collection("u2")] == ["metal"]


async def test_catalogue_lists_the_mascot_first_and_get_refuses_unknown_keys() -> None:
    service = MemoryCharacterService()
    characters = await service.catalogue()
    assert characters[0].is_mascot and len(characters) == len(load_catalogue().characters)
    assert (await service.get(characters[1].key)) == characters[1]
    with pytest.raises(CharacterNotFound):
        await service.get("no_such_character")
