"""The chat turn as the progress log sees it: the runtime observer of the chat worker.

It tells a turn's phases (classify, each sub-agent started/completed, the answer's tokens) to
the Redis progress log (router → gateway → ``GET /api/v1/chat/{job_id}/events``) and records
the turn in PostgreSQL when it ends: the answer as a message, or the question it paused on.
"""

from __future__ import annotations

from typing import Any, Final

from cloudevents.http import CloudEvent

from domains.chat import events
from domains.chat.events import ChatCompleted, ChatFailed, ChatNeedsInput, ChatRequested
from domains.chat.service import ChatService
from eventing.events import payload_of
from eventing.progress import ProgressPublisher

TOPIC: Final = "eco2:fn:chat"
GROUP: Final = "chat"
SOURCE: Final = "functions/chat/main.py"


def queue(exchange: str) -> str:
    """The chat function's RabbitMQ queue, named after the exchange as the scan stages' are."""
    return f"{exchange}.fn.chat"


_PROGRESS = {"vision": 5, "classify": 10, "agent": 30, "answer": 70}


class ChatProgress:
    """Runtime observer of the chat function (``eco2 function run --observer chat``)."""

    def __init__(self, publisher: ProgressPublisher, chats: ChatService | None = None) -> None:
        self.publisher = publisher
        self.chats = chats

    async def started(self, event: CloudEvent, attempt: int, *, unless: str | None = None) -> bool:
        if event["type"] != events.REQUESTED:
            return unless is None or not await self.publisher.redis.exists(unless)
        step = (event["subject"], "turn", "started", 1)
        if unless is None:
            await self.publisher.emit(*step)
            return True
        return await self.publisher.emit(*step, unless=unless) != -1

    async def reported(self, event: CloudEvent, kind: str, data: dict[str, Any]) -> None:
        job_id = event["subject"]
        if kind == "token":
            await self.publisher.emit(job_id, "answer", "token", 70, data, linger=True)
            return
        if kind != "phase":
            return
        phase = str(data.get("phase", "turn"))
        stage = str(data.get("node", phase)) if phase == "agent" else phase
        status = "started" if data.get("status") == "started" else "completed"
        await self.publisher.emit(job_id, stage, status, _PROGRESS.get(phase, 50), data)

    async def succeeded(self, event: CloudEvent, reply: CloudEvent | None) -> None:
        if event["type"] != events.REQUESTED or reply is None:
            return
        job_id = event["subject"]
        if reply["type"] == events.NEEDS_INPUT:
            asked = payload_of(reply, ChatNeedsInput)
            # Recorded before told: a client answering at once must find the chat waiting.
            if self.chats is not None:
                await self.chats.wait_for_input(asked.chat_id, job_id, asked.question)
            await self.publisher.emit(
                job_id, "needs_input", "needs_input", 50, asked.model_dump(mode="json")
            )
            return
        done = payload_of(reply, ChatCompleted)
        if self.chats is not None:
            data = {"message_id": done.message_id, "parts": [p.model_dump() for p in done.parts]}
            await self.chats.record_answer(done.chat_id, job_id, done.text, data)
        await self.publisher.emit(job_id, "done", "completed", 100, done.model_dump(mode="json"))

    async def dead(self, event: CloudEvent, reason: str) -> None:
        if event["type"] != events.REQUESTED:
            return
        request = payload_of(event, ChatRequested)
        failed = ChatFailed(job_id=request.job_id, chat_id=request.chat_id, reason=reason)
        await self.publisher.emit(
            request.job_id, "failed", "failed", 0, failed.model_dump(mode="json")
        )
