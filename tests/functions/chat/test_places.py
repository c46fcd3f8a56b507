"""The place-bound sub-agents on the places data, on the real PostgreSQL (PostGIS) seeded with
the project's sample districts through the real importers: the chat function built by its own
factory (it opens the database, so it wires ``domains.chat.places_db``) answers a near-me
battery question with the real nearest box and its geodesic distance, a sofa's fee with the
district's table, "오늘 뭐 버려?" with tonight's streams, and a price from the price table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.chat import events
from domains.chat.events import ChatCompleted, ChatRequested, Location
from domains.db import create_engine, session_factory
from domains.image import MemoryImageStore
from domains.info.importers import SAMPLES as INFO_SAMPLES
from domains.info.importers import import_info
from domains.info.service import InfoService
from domains.location.importers import SAMPLES as PLACE_SAMPLES
from domains.location.importers import import_facilities
from eco2.settings import Settings
from eventing.events import make_event, payload_of
from functions.chat.main import ChatTurn, new
from tests.domains.location.geodesic import vincenty_m

YEOKSAM_BOX = (37.4952, 127.0330)  # 역삼1동 주민센터: 폐건전지+폐형광등 (the sample file)
HERE = (37.4961, 127.0338)  # about 120 m north-east of it


@pytest.fixture
async def seeded(chat_settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The chat's schema, migrated, holding the sample districts' places, fees and schedules."""
    from domains.db import upgrade

    engine = create_engine(chat_settings.database_url, schema=chat_settings.database_schema)
    await upgrade(engine, chat_settings.database_schema)
    sessions = session_factory(engine)
    for kind, path in PLACE_SAMPLES.items():
        await import_facilities(sessions, kind, path)
    for kind, path in INFO_SAMPLES.items():
        await import_info(sessions, kind, path)
    yield sessions
    await engine.dispose()


@pytest.fixture
async def chat(
    chat_settings: Settings, seeded: async_sessionmaker[AsyncSession]
) -> AsyncIterator[ChatTurn]:
    """The function as a worker builds it: the factory opens the database itself."""
    fn = new(chat_settings, images=MemoryImageStore())
    await fn.start()
    yield fn
    await fn.stop()


async def ask(fn: ChatTurn, chat_id: str, text: str, location: Location | None) -> ChatCompleted:
    request = ChatRequested(
        job_id=f"j-{chat_id}", chat_id=chat_id, user_id=f"u-{chat_id}", text=text, location=location
    )
    reply = await fn.handle(make_event(events.REQUESTED, request, subject=request.job_id))
    assert reply["type"] == events.COMPLETED, reply.data
    return payload_of(reply, ChatCompleted)


async def test_near_me_battery_box_is_the_real_nearest_with_its_distance(
    chat: ChatTurn, unique: str
) -> None:
    done = await ask(
        chat, unique, "근처 폐건전지 수거함 어디야?", Location(lat=HERE[0], lon=HERE[1])
    )
    (paragraph,) = done.parts
    assert paragraph.intent == "collection_point" and paragraph.answered
    places: list[dict[str, Any]] = paragraph.data["places"]
    assert places[0]["name"] == "역삼1동 주민센터"
    expected = vincenty_m(*HERE, *YEOKSAM_BOX)
    assert places[0]["distance_m"] == pytest.approx(expected, abs=1.0)
    assert 100 < expected < 150
    assert f"역삼1동 주민센터(서울특별시 강남구 역삼로 7길 16, {places[0]['distance_m']:.0f}m" in (
        done.text
    )
    distances = [p["distance_m"] for p in places]
    assert distances == sorted(distances)
    # Only battery boxes: the 폐형광등-only box at 선릉역 is never offered for batteries.
    assert all("선릉역" not in p["name"] for p in places)


async def test_a_sofa_fee_comes_from_the_district_table(chat: ChatTurn, unique: str) -> None:
    by_name = await ask(chat, unique, "소파 버리는 비용", Location(text="강남구"))
    (paragraph,) = by_name.parts
    assert paragraph.intent == "bulk_waste"
    assert [f["fee_won"] for f in paragraph.data["fees"]] == [3000, 5000, 8000]
    assert "서울특별시 강남구에서 소파" in paragraph.text
    assert "1인용 3,000원" in paragraph.text and "3인용 이상 8,000원" in paragraph.text
    # Coordinates find the district too (the nearest facility's, offline).
    by_point = await ask(chat, f"{unique}b", "소파 버리는 비용", Location(lat=HERE[0], lon=HERE[1]))
    assert by_point.parts[0].data["fees"] == paragraph.data["fees"]
    # A district without data says so and still answers from the rules.
    elsewhere = await ask(chat, f"{unique}c", "소파 버리는 비용", Location(text="해운대구"))
    assert "fees" not in elsewhere.parts[0].data
    assert "자료가 없어요" in elsewhere.parts[0].text and "강남구" in elsewhere.parts[0].text


async def test_what_goes_out_tonight_is_the_zones_schedule(
    chat: ChatTurn, seeded: async_sessionmaker[AsyncSession], unique: str
) -> None:
    done = await ask(chat, unique, "오늘 뭐 버려?", Location(text="강남구 역삼동"))
    (paragraph,) = done.parts
    assert paragraph.data.get("calendar") is True, paragraph
    tonight = await InfoService(seeded).tonight("강남구", zone="역삼1구역")
    assert paragraph.text == f"강남구 역삼1구역(역삼1동+역삼2동): {tonight.message}."
    # No 동: every zone of the district, each with its own schedule.
    whole = await ask(chat, f"{unique}b", "오늘 뭐 버려?", Location(text="강남구"))
    assert "역삼1구역" in whole.text and "개포구역" in whole.text


async def test_recyclable_prices_come_from_the_price_table(chat: ChatTurn, unique: str) -> None:
    done = await ask(chat, unique, "알루미늄 캔 kg당 얼마야?", None)
    quotes = done.parts[0].data["quotes"]
    assert [q["name"] for q in quotes] == ["캔(알루미늄)"]
    assert quotes[0]["region"] == "수도권" and quotes[0]["date"] == "2026-11"
