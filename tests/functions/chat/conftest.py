"""Fixtures of the chat tests: the KMA server, a PostgreSQL checkpointer, a graph."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

from domains.character.memory import MemoryCharacterService
from domains.chat.tools import CardPainter, Guard
from domains.chat.weather import KmaWeather
from domains.image import MemoryImageStore
from domains.llm import ResilientLLM
from eco2.settings import Settings
from functions.chat.graph import GraphDeps
from functions.chat.main import open_checkpointer
from functions.chat.parts import Tools
from tests.domains.conftest import drop_schema

from .kma_server import Kma


@pytest.fixture(scope="session")
def kma_server() -> Iterator[Kma]:
    server = Kma()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def kma(kma_server: Kma) -> Iterator[Kma]:
    kma_server.reset()
    yield kma_server
    kma_server.reset()


@pytest.fixture
async def checkpoint_schema(unique: str) -> AsyncIterator[str]:
    schema = f"chat_{unique}"
    yield schema
    await drop_schema(schema)


@pytest.fixture
def chat_settings(checkpoint_schema: str) -> Settings:
    return Settings(_env_file=None, database_schema=checkpoint_schema)  # type: ignore[call-arg]


@pytest.fixture
async def saver(chat_settings: Settings) -> AsyncIterator[AsyncPostgresSaver]:
    """LangGraph's PostgreSQL checkpointer in this test's own schema."""
    from sqlalchemy import text

    from domains.db import create_engine

    engine = create_engine(chat_settings.database_url)
    async with engine.begin() as connection:
        await connection.execute(
            text(f'CREATE SCHEMA IF NOT EXISTS "{chat_settings.database_schema}"')
        )
    await engine.dispose()
    found, pool = await open_checkpointer(chat_settings)
    assert isinstance(found, AsyncPostgresSaver)
    yield found
    await pool.close()


@pytest.fixture
def images() -> MemoryImageStore:
    return MemoryImageStore()


@pytest.fixture
def weather(kma: Kma) -> KmaWeather:
    return KmaWeather(kma.base_url, "test-key", guard=Guard("kma-test", failures=2, timeout_s=3.0))


@pytest.fixture
async def deps(images: MemoryImageStore, weather: KmaWeather) -> AsyncIterator[GraphDeps]:
    llm = ResilientLLM()
    tools = Tools(characters=MemoryCharacterService(), painter=CardPainter(images), weather=weather)
    yield GraphDeps(llm=llm, tools=tools, images=images)
    await llm.aclose()
    await weather.aclose()


def turn(message: str, chat_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "message": message,
        "chat_id": chat_id,
        "user_id": f"u-{chat_id}",
        "job_id": "j",
        **extra,
    }
