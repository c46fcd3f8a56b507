"""The chat turn: ``kr.eco2.chat.requested`` → ``kr.eco2.chat.completed`` (or ``needs_input``).

One CloudEvent function in the factory shape, served by the same runtime as the scan stages
(``eco2 function run functions/chat/main.py`` on Redis Streams or RabbitMQ, ``eco2 function
serve-http`` over HTTP). ``new(settings, *, ...)`` builds an instance holding its dependencies;
``start`` opens them on the worker's loop: the checkpointer (LangGraph's ``AsyncPostgresSaver``,
keyed by chat id, so a conversation survives a worker restart), the character store and the
scan jobs (PostgreSQL), the image store (Redis). Each may be handed in instead (the embedded
default and the tests). When it opens the database itself, the place-bound sub-agents answer
from the places data (``domains.chat.places_db`` over ``LocationService``, with Kakao Local when
its key is set, and ``InfoService``); ``local`` hands those in instead.

While the graph runs, ``handle`` reports its phases (custom stream) and the aggregator's tokens
(``messages`` stream, filtered by node, with the message id) through ``eventing.runtime.report``;
the chat observer (``domains.chat.pipeline``) turns them into SSE progress.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from cloudevents.http import CloudEvent
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.character.catalogue import prepare_database
from domains.character.port import Characters
from domains.character.service import CharacterService
from domains.chat import events
from domains.chat.classifier import warm_up
from domains.chat.events import AnswerPart, ChatCompleted, ChatNeedsInput, ChatRequested
from domains.chat.places_db import LocalData
from domains.chat.settings import ChatSettings
from domains.chat.tools import CardPainter, Guard, ImageGrants
from domains.chat.turns import LocalTurnLocks, Locks, TurnLocks
from domains.chat.weather import KmaWeather, OfflineWeather, Weather
from domains.db import engine_from_settings, session_factory
from domains.image import ImageStore, RedisImageStore
from domains.image.owners import ImageOwners
from domains.info.service import InfoService
from domains.knowledge.analyser import configure_analyser, configure_kiwi
from domains.knowledge.settings import KnowledgeSettings
from domains.llm import LLMSettings, ResilientLLM
from domains.location.kakao import place_source
from domains.location.service import LocationService
from domains.location.settings import LocationSettings
from domains.scan.service import ScanJobService
from eventing.events import payload_of, reply_to
from eventing.runtime import report
from functions.chat.configuration import AGGREGATE
from functions.chat.graph import GraphDeps, LatestScans, build_graph
from functions.chat.parts import Tools

# The key of LangGraph's stream chunk that reports a pause (``interrupt()``).
INTERRUPTED = "__interrupt__"


class Config(Protocol):
    """What the chat function reads of a process's settings."""

    @property
    def llm(self) -> LLMSettings: ...

    @property
    def chat(self) -> ChatSettings: ...

    @property
    def knowledge(self) -> KnowledgeSettings: ...

    @property
    def location(self) -> LocationSettings: ...

    @property
    def redis_url(self) -> str: ...

    @property
    def database_url(self) -> str: ...

    @property
    def database_schema(self) -> str: ...

    @property
    def database_pool_size(self) -> int: ...

    @property
    def database_max_overflow(self) -> int: ...


class JobScans:
    """The user's latest finished scan, from the scan jobs table."""

    def __init__(self, jobs: ScanJobService) -> None:
        self.jobs = jobs

    async def latest(self, user_id: str) -> dict[str, Any] | None:
        for job in await self.jobs.list_jobs(user_id, limit=5):
            result = job.result or {}
            rule = result.get("rule") or {}
            vision = result.get("vision") or {}
            item = rule.get("item") or vision.get("item")
            if job.status == "done" and item:
                return {"item": item, "category": rule.get("category"), "job_id": job.job_id}
        return None


def checkpoint_conninfo(database_url: str) -> str:
    """The psycopg form of the SQLAlchemy URL (``postgresql+asyncpg://`` → ``postgresql://``)."""
    scheme, rest = database_url.split("://", 1)
    return f"{scheme.split('+', 1)[0]}://{rest}"


async def open_checkpointer(settings: Config) -> tuple[BaseCheckpointSaver[Any], Any]:
    """An ``AsyncPostgresSaver`` in the domain schema, its tables set up; and its pool."""
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        checkpoint_conninfo(settings.database_url),
        max_size=settings.chat.checkpoint_pool_size,
        open=False,
        kwargs={
            "autocommit": True,
            "prepare_threshold": 0,
            "row_factory": dict_row,
            "options": f"-c search_path={settings.database_schema}",
        },
    )
    await pool.open()
    saver = AsyncPostgresSaver(pool)
    await saver.setup()
    return saver, pool


class ChatTurn:
    """The function: its graph and what the graph's nodes call."""

    def __init__(
        self,
        settings: Config,
        *,
        characters: Characters | None = None,
        images: ImageStore | None = None,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        scans: LatestScans | None = None,
        weather: Weather | None = None,
        owners: ImageGrants | None = None,
        local: LocalData | None = None,
        locks: Locks | None = None,
    ) -> None:
        self.settings = settings
        self.owners = owners
        self.local = local
        self.locks = locks
        self.characters = characters
        self.images = images
        self.checkpointer = checkpointer
        self.scans = scans
        self.weather = weather
        self.llm = ResilientLLM(lambda: settings.llm)
        self.graph: Any = None
        self._engine: AsyncEngine | None = None
        self._pool: Any = None
        self._redis: Any = None
        self._places: Any = None

    async def start(self) -> None:
        """Open what was not handed in, on this loop, and compile the graph."""
        settings = self.settings
        # The tokenizer as the settings say: the analysis service when a URL is set (the pod
        # then never builds Kiwi), else Kiwi in this process.
        configure_kiwi(typo_dict=settings.knowledge.kiwi_typo_dict)
        configure_analyser(settings.knowledge.analyser_url)
        # Load the intent classifier, build Kiwi (or reach the service) and import the model's
        # SDKs now, not inside the first turn.
        await asyncio.to_thread(warm_up)
        self.llm.prepare()
        # Only what was not handed in opens a database: the embedded mode hands in characters
        # and scans and runs with no server at all (its cards then have no owner to record).
        if self.characters is None or self.scans is None:
            engine = engine_from_settings(settings)  # type: ignore[arg-type]  # DatabaseSettings' fields
            self._engine = engine
            await prepare_database(engine, settings.database_schema)
            sessions = session_factory(engine)
            self.characters = self.characters or CharacterService(sessions)
            self.scans = self.scans or JobScans(ScanJobService(sessions))
            self.owners = self.owners or ImageOwners(sessions)
            if self.local is None:
                self._places = place_source(settings.location)
                locations = LocationService(sessions, settings.location, self._places)
                self.local = LocalData.over(locations, InfoService(sessions))
        if self.checkpointer is None:
            self.checkpointer, self._pool = await open_checkpointer(settings)
        if self.images is None:
            from eventing.bus.redis import connect

            self._redis = connect(settings.redis_url, max_connections=8)
            self.images = RedisImageStore(self._redis)
            chat = settings.chat
            self.locks = self.locks or TurnLocks(
                self._redis, lease_s=chat.turn_lease_s, wait_s=chat.turn_wait_s
            )
        # Stores handed in (the embedded default, in one process): an in-process lock.
        self.locks = self.locks or LocalTurnLocks()
        weather = self.weather
        if weather is None:
            chat = settings.chat
            if chat.kma_base_url and chat.kma_service_key:
                guard = Guard("kma", timeout_s=chat.tool_timeout_s)
                key = chat.kma_service_key.get_secret_value()
                weather = KmaWeather(chat.kma_base_url, key, guard=guard)
            else:
                weather = OfflineWeather()
            self.weather = weather
        tools = Tools(
            characters=self.characters,
            painter=CardPainter(self.images, owners=self.owners),
            weather=weather,
        )
        if self.local is not None:
            tools.places, tools.fees = self.local.places, self.local.fees
            tools.prices, tools.collection = self.local.prices, self.local.collection
        deps = GraphDeps(llm=self.llm, tools=tools, images=self.images, scans=self.scans)
        self.graph = build_graph(deps, self.checkpointer)

    async def stop(self) -> None:
        await self.llm.aclose()
        if isinstance(self.weather, KmaWeather):
            await self.weather.aclose()
        if self._pool is not None:
            await self._pool.close()
            self._pool, self.checkpointer = None, None
        if self._places is not None:
            await self._places.aclose()
            self._places, self.local = None, None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
        if self._redis is not None:
            await self._redis.aclose()
            self._redis, self.images, self.locks = None, None, None
        self.graph = None

    def ready(self) -> bool:
        return self.graph is not None

    async def handle(self, event: CloudEvent) -> CloudEvent:
        if self.graph is None or self.locks is None:
            raise RuntimeError("chat is not started")
        request = payload_of(event, ChatRequested)
        # One turn at a time per chat (domains.chat.turns): a second message waits its turn.
        async with self.locks.hold(request.chat_id, event["id"]):
            return await self._turn(event, request)

    async def _turn(self, event: CloudEvent, request: ChatRequested) -> CloudEvent:
        config: dict[str, Any] = {"configurable": {"thread_id": request.chat_id}}
        turn: Any
        if request.resume is not None:
            pending = await self.graph.aget_state(config)
            if not pending.interrupts:
                raise ValueError(f"chat {request.chat_id} has no paused turn to resume")
            # Every pending question of the turn gets the same answer (one location).
            turn = Command(resume={i.id: request.resume for i in pending.interrupts})
        else:
            turn = {
                "job_id": request.job_id,
                "chat_id": request.chat_id,
                "user_id": request.user_id,
                "message": request.text,
                "image_ref": request.image_ref,
                "location": request.location.model_dump() if request.location else None,
                "model": request.model,
            }
        # Saved once when the turn ends or pauses: a turn re-run after a crash starts over
        # anyway (its event is redelivered with the same input), so per-step checkpoints
        # would only cost CPU (bench/RESULTS.md, "Chat").
        values: dict[str, Any] = {}
        paused = False
        async for mode, chunk in self.graph.astream(
            turn, config, stream_mode=["custom", "messages", "values"], durability="exit"
        ):
            if mode == "custom":
                report.report("phase", dict(chunk))
            elif mode == "values":
                # The state after each step: the last one is the turn's result, so a finished
                # turn needs no read of the checkpoint it just wrote (a query and a decode).
                values = chunk
                paused = paused or INTERRUPTED in chunk
            else:
                message, meta = chunk
                # Only the aggregator's tokens: the classifier and sub-agents never stream.
                if meta.get("langgraph_node") == AGGREGATE and message.content:
                    report.report("token", {"text": str(message.content), "id": message.id})
        if paused:
            return await self._needs_input(event, request, config)
        return self._completed(event, request, values)

    async def _needs_input(
        self, event: CloudEvent, request: ChatRequested, config: dict[str, Any]
    ) -> CloudEvent:
        # A pause is rare: its questions are read from the checkpoint, in the saver's order.
        state = await self.graph.aget_state(config)
        if state.interrupts:
            first = state.interrupts[0].value
            asked = ChatNeedsInput(
                job_id=request.job_id,
                chat_id=request.chat_id,
                user_id=request.user_id,
                question=str(first.get("question", "")),
                node=str(first.get("node", "")),
            )
            return reply_to(event, events.NEEDS_INPUT, asked)
        return self._completed(event, request, state.values)

    def _completed(
        self, event: CloudEvent, request: ChatRequested, values: dict[str, Any]
    ) -> CloudEvent:
        questions = values.get("questions") or []
        done = ChatCompleted(
            job_id=request.job_id,
            chat_id=request.chat_id,
            user_id=request.user_id,
            message_id=values.get("message_id") or "",
            text=values.get("answer") or "",
            parts=[
                AnswerPart.model_validate(p)
                for p in sorted(values.get("answers") or [], key=lambda p: p["index"])
            ],
            intents=[q["intent"] for q in questions],
        )
        return reply_to(event, events.COMPLETED, done)


def new(
    settings: Config,
    *,
    characters: Characters | None = None,
    images: ImageStore | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    scans: LatestScans | None = None,
    weather: Weather | None = None,
    owners: ImageGrants | None = None,
    local: LocalData | None = None,
    locks: Locks | None = None,
) -> ChatTurn:
    """The chat function; each keyword replaces what ``start`` would otherwise open."""
    return ChatTurn(
        settings,
        characters=characters,
        images=images,
        checkpointer=checkpointer,
        scans=scans,
        weather=weather,
        owners=owners,
        local=local,
        locks=locks,
    )
