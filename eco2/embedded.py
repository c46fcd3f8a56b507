"""The embedded default: the whole scan pipeline in one process, with no server to start.

It runs the four real functions (``functions/<stage>/main.py``) behind the SAME trigger code a
deployment runs (``RedisTrigger`` and ``serve``), on the in-process ``MemoryBus`` instead of
Redis Streams. Only the adapters change: images wait in a ``MemoryImageStore``, characters are
granted by the ``MemoryCharacterService``, progress goes to subscribers' queues instead of the
Redis progress log, no job record is kept in PostgreSQL, and every scan is pinned to the
offline ``local`` model. Nothing here opens a network connection.

    async with EmbeddedPipeline() as pipeline:
        job_id = await pipeline.submit(image_bytes, hint="다 마신 삼다수 병")
        async for step in pipeline.follow(job_id):
            ...
        await pipeline.answer(job_id, "다 쓴 건전지")  # after a needs_input step
        chat_job = await pipeline.chat("이거 어디서 버려? 이코는 뭐 좋아해?")
        async for step in pipeline.follow(chat_job): ...  # phases, tokens, done

The chat function (``functions/chat/main.py``) runs here too, on the same bus, with LangGraph's
in-memory checkpointer instead of PostgreSQL; "이거" is the latest scan done in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from domains.character.memory import MemoryCharacterService
from domains.chat import events as chat_events
from domains.chat.events import ChatRequested, Location
from domains.chat.pipeline import SOURCE as CHAT_SOURCE
from domains.chat.pipeline import TOPIC as CHAT_TOPIC
from domains.chat.pipeline import ChatProgress
from domains.image import MemoryImageStore
from domains.knowledge import category_name
from domains.llm import LLMSettings
from domains.scan import events
from domains.scan.events import ScanRequested, ScanState
from domains.scan.pipeline import PIPELINE, ScanProgress, next_topic
from eco2.settings import Settings
from eventing.bus.memory import MemoryBus
from eventing.events import Progress, make_event
from eventing.progress import is_terminal
from eventing.runtime.dedupe import MemoryDedupe
from eventing.runtime.loader import load_function
from eventing.runtime.redis_trigger import RedisTrigger
from eventing.runtime.settings import RuntimeSettings
from eventing.runtime.worker import serve

ROOT = Path(__file__).resolve().parent.parent
# OCR of a large photo on a busy machine can take seconds: the handler timeout is generous,
# and claim_idle_ms (which must exceed it) only matters after a crash, which cannot happen here.
RUNTIME = RuntimeSettings(
    max_attempts=2,
    backoff_initial_s=0.1,
    block_ms=100,
    claim_idle_ms=120_000,
    handler_timeout_s=60,
    shutdown_grace_s=5,
)
LOCAL_MODEL = "local"
GROUP = "embedded"


class LocalProgress:
    """The progress publisher's two calls, delivering ``Progress`` to in-process subscribers.

    Seqs are per job and dense (1, 2, 3, …), as the Redis log's are; every step is kept so a
    subscriber that comes late (``follow`` after ``submit``) still sees the job from its start.
    """

    def __init__(self) -> None:
        self._log: dict[str, list[Progress]] = {}
        self._queues: dict[str, list[asyncio.Queue[Progress]]] = {}

    async def register_job(self, job_id: str) -> None:
        self._log.setdefault(job_id, [])

    async def emit(
        self,
        job_id: str,
        stage: str,
        status: str,
        progress: int,
        payload: dict[str, Any] | None = None,
        *,
        linger: bool = False,  # in process there is no round trip to share
    ) -> int:
        steps = self._log.setdefault(job_id, [])
        event = Progress(
            job_id=job_id,
            seq=len(steps) + 1,
            stage=stage,
            status=status,
            progress=progress,
            payload=payload,
        )
        steps.append(event)
        for queue in self._queues.get(job_id, []):
            queue.put_nowait(event)
        return event.seq

    async def restart_lost_log(self, job_id: str) -> bool:
        """Nothing is ever lost in process: the log is always there."""
        return False

    def last_seq(self, job_id: str) -> int:
        return len(self._log.get(job_id, []))

    def subscribe(self, job_id: str, after: int = 0) -> asyncio.Queue[Progress]:
        """A queue with the job's steps after seq ``after``, then every new one."""
        queue: asyncio.Queue[Progress] = asyncio.Queue()
        for event in self._log.get(job_id, [])[after:]:
            queue.put_nowait(event)
        self._queues.setdefault(job_id, []).append(queue)
        return queue

    def unsubscribe(self, job_id: str, queue: asyncio.Queue[Progress]) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self._queues[job_id].remove(queue)


class LatestLocalScan:
    """The latest scan finished in this process with an identified item ("이거")."""

    def __init__(self, progress: LocalProgress) -> None:
        self.progress = progress

    async def latest(self, user_id: str) -> dict[str, Any] | None:
        for steps in reversed(list(self.progress._log.values())):
            last = steps[-1] if steps else None
            rule = ((last.payload or {}).get("rule") or {}) if last is not None else {}
            if last is not None and last.stage == "done" and rule.get("item"):
                return {"item": rule["item"], "category": rule.get("category")}
        return None


class EmbeddedPipeline:
    """vision → rule → answer → reward on the in-process bus; use as an async context manager."""

    def __init__(self, *, shards: int = 4, user_id: str = "demo") -> None:
        self.user_id = user_id
        self.bus = MemoryBus(shards)
        self.images = MemoryImageStore()
        self.characters = MemoryCharacterService()
        self.progress = LocalProgress()
        self._requests: dict[str, ScanRequested] = {}
        self._run_start: dict[str, int] = {}  # seq after which the job's current run begins
        self._stop = asyncio.Event()
        self._runners: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> EmbeddedPipeline:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Load the four functions and start one trigger per stage on this event loop."""
        # Settings are built, never used to connect: the functions are handed their stores.
        settings = Settings(_env_file=None, runtime=RUNTIME, llm=LLMSettings(model=LOCAL_MODEL))
        observer = ScanProgress(self.progress)  # type: ignore[arg-type]  # same two calls
        stores: dict[str, dict[str, Any]] = {
            "vision": {"images": self.images},
            "reward": {"characters": self.characters},
        }
        await self._start_chat(settings)
        for stage in PIPELINE:
            fn = load_function(ROOT / stage.source, settings, **stores.get(stage.name, {}))
            trigger = RedisTrigger(
                self.bus,
                fn,
                RUNTIME,
                topic=stage.topic,
                group=GROUP,
                consumer=f"embedded-{stage.name}",
                dedupe=MemoryDedupe(),
                reply_topic=next_topic,
                observer=observer,
            )
            # The group must exist before the first publish, or the stage would miss it.
            await self.bus.ensure_group(stage.topic, GROUP)
            runner = serve(
                trigger,
                fn,
                grace_s=RUNTIME.shutdown_grace_s,
                stop_signal=self._stop,
                handle_signals=False,
            )
            self._runners.append(asyncio.create_task(runner, name=f"embedded-{stage.name}"))

    async def _start_chat(self, settings: Settings) -> None:
        fn = load_function(
            ROOT / CHAT_SOURCE,
            settings,
            characters=self.characters,
            images=self.images,
            checkpointer=InMemorySaver(),
            scans=LatestLocalScan(self.progress),
        )
        trigger = RedisTrigger(
            self.bus,
            fn,
            RUNTIME,
            topic=CHAT_TOPIC,
            group=GROUP,
            consumer="embedded-chat",
            dedupe=MemoryDedupe(),
            observer=ChatProgress(self.progress),  # type: ignore[arg-type]  # same two calls
        )
        await self.bus.ensure_group(CHAT_TOPIC, GROUP)
        runner = serve(
            trigger,
            fn,
            grace_s=RUNTIME.shutdown_grace_s,
            stop_signal=self._stop,
            handle_signals=False,
        )
        self._runners.append(asyncio.create_task(runner, name="embedded-chat"))

    async def chat(
        self,
        text: str,
        *,
        chat_id: str = "demo",
        resume_job: str | None = None,
        location: str | None = None,
    ) -> str:
        """Send a chat message (or, with ``resume_job``, answer that turn's question with
        ``text``); returns the turn's job id, to ``follow``."""
        job_id = resume_job or uuid.uuid4().hex
        request = ChatRequested(
            job_id=job_id,
            chat_id=chat_id,
            user_id=self.user_id,
            text="" if resume_job else text,
            resume=text if resume_job else None,
            location=Location(text=location) if location else None,
            model=LOCAL_MODEL,
        )
        if resume_job is None:
            await self.progress.register_job(job_id)
        self._run_start[job_id] = self.progress.last_seq(job_id)
        event = make_event(chat_events.REQUESTED, request, subject=job_id)
        await self.bus.publish(CHAT_TOPIC, event)
        return job_id

    async def close(self) -> None:
        """Stop the triggers (in-flight events finish) and run the functions' stop hooks."""
        self._stop.set()
        if self._runners:
            await asyncio.gather(*self._runners, return_exceptions=True)
        self._runners = []

    async def submit(
        self, image: bytes, hint: str | None = None, *, job_id: str | None = None
    ) -> str:
        """Store the image and publish the job's ``kr.eco2.scan.requested``; returns its id."""
        job_id = job_id or uuid.uuid4().hex
        request = ScanRequested(
            job_id=job_id,
            user_id=self.user_id,
            image_ref=await self.images.put(image),
            image_bytes=len(image),
            hint=hint,
            model=LOCAL_MODEL,
        )
        self._requests[job_id] = request
        await self.progress.register_job(job_id)
        self._run_start[job_id] = self.progress.last_seq(job_id)
        await self._publish(request)
        return job_id

    async def answer(self, job_id: str, text: str | None, choice: str | None = None) -> None:
        """Resume a job that asked a question: request it again with the answer as its hint
        and, when the person picked one of the offered categories, that ``choice``."""
        previous = self._requests[job_id]
        hint = text or previous.hint or (category_name(choice) if choice else None)
        request = previous.model_copy(update={"hint": hint, "choice": choice})
        self._requests[job_id] = request
        self._run_start[job_id] = self.progress.last_seq(job_id)
        await self._publish(request)

    async def _publish(self, request: ScanRequested) -> None:
        state = ScanState(request=request)
        event = make_event(events.REQUESTED, state, subject=request.job_id)
        await self.bus.publish(PIPELINE[0].topic, event)

    async def follow(
        self, job_id: str, *, after: int | None = None, timeout_s: float = 60.0
    ) -> AsyncIterator[Progress]:
        """The job's progress steps until its terminal one (done, failed or needs_input).

        By default it starts at the job's current run: from the submit, or from the last
        ``answer``. ``timeout_s`` bounds the wait for each next step (``TimeoutError``).
        """
        start = self._run_start.get(job_id, 0) if after is None else after
        queue = self.progress.subscribe(job_id, start)
        try:
            while True:
                event = await asyncio.wait_for(queue.get(), timeout_s)
                yield event
                if is_terminal(event):
                    return
        finally:
            self.progress.unsubscribe(job_id, queue)
