"""The chat endpoints: chats (create, list, read, rename, delete), a turn, and its resume.

A message is validated, recorded and registered as a job in the progress log before its
``kr.eco2.chat.requested`` event is published; the client follows the turn on
``GET /api/v1/chat/{job_id}/events`` (the same gateway as scans). A publish that fails answers
503 and fails the job in the log, so no client waits on a turn nothing will run. Generated
images (the image agent's cards) are served from ``GET /api/v1/images/{ref}`` (eco2/api/images.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

import aio_pika
from cloudevents.http import CloudEvent
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from domains.chat import events
from domains.chat.events import ChatRequested
from domains.chat.exceptions import BadCursor, ChatNotFound, NotWaitingForInput
from domains.chat.pipeline import GROUP, TOPIC
from domains.chat.schemas import (
    ChatIn,
    ChatPage,
    ChatView,
    InputIn,
    MessageIn,
    MessagePage,
    TitleIn,
    TurnAccepted,
)
from domains.chat.service import ChatService
from domains.image import ImageStore
from domains.image.owners import ImageOwners
from eco2.api.errors import error_response
from eco2.api.exceptions import PublishFailed
from eco2.api.identity import CurrentUser, auth_api
from eco2.api.ids import ChatId
from eco2.settings import Settings
from eventing.bus.redis import RedisBus
from eventing.events import make_event
from eventing.progress import ProgressPublisher, wait_routed
from eventing.runtime.amqp_trigger import publish_amqp

log = logging.getLogger("eco2.api.chat")

CHATS = "/api/v1/chats"

router = APIRouter(tags=["chat"])


class ChatPublisher:
    """Puts a chat turn's event where the chat function consumes it (Redis Streams or AMQP)."""

    def __init__(self, bus: RedisBus | None = None, exchange: Any = None) -> None:
        self.bus = bus
        self.exchange = exchange

    async def publish(self, event: CloudEvent) -> None:
        if self.bus is not None:
            await self.bus.publish(TOPIC, event, key=event["subject"])
        else:
            await publish_amqp(self.exchange, event)


@contextlib.asynccontextmanager
async def open_chat_publisher(settings: Settings) -> AsyncIterator[ChatPublisher]:
    """The chat transport ``settings.pipeline`` names, connected, closed on exit."""
    options = settings.pipeline
    if options.transport == "amqp":
        async with asyncio.timeout(10):
            connection = await aio_pika.connect_robust(settings.amqp_url)
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.declare_exchange(
                options.exchange, aio_pika.ExchangeType.TOPIC, durable=True
            )
            yield ChatPublisher(exchange=exchange)
        finally:
            await connection.close()
        return
    bus = RedisBus(settings.redis_url, settings.shards, prefix=options.topic_prefix)
    try:
        await bus.ensure_group(TOPIC, GROUP)  # a turn sent before the worker starts waits
        yield ChatPublisher(bus=bus)
    finally:
        await bus.close()


@dataclass
class ChatApi:
    chats: ChatService
    progress: ProgressPublisher
    publisher: ChatPublisher
    images: ImageStore
    owners: ImageOwners

    async def run(self, request: ChatRequested, resumed: bool = False) -> int:
        """Register (new turn) or re-queue (resume) the job and publish its event."""
        job_id = request.job_id
        if not resumed:
            await self.progress.register_job(job_id)
        seq = await self.progress.emit(job_id, "queued", "started", 0)
        event = make_event(events.REQUESTED, request, subject=job_id)
        try:
            await self.publisher.publish(event)
        except Exception as exc:
            reason = f"the chat turn could not be queued: {exc}"
            await self.progress.emit(
                job_id, "failed", "failed", 0, {"stage": "queued", "reason": reason}
            )
            raise PublishFailed(reason) from exc
        return seq


def _api(request: Request) -> ChatApi:
    return request.app.state.chat


def _accepted(job_id: str, chat_id: str) -> JSONResponse:
    body = TurnAccepted(job_id=job_id, chat_id=chat_id, events_url=f"/api/v1/chat/{job_id}/events")
    return JSONResponse(body.model_dump(), status_code=202)


@router.post(CHATS, status_code=201, response_model=ChatView)
async def create_chat(body: ChatIn, request: Request, user_id: CurrentUser) -> ChatView:
    """A new, empty chat."""
    return await _api(request).chats.create(user_id, body.title)


@router.get(CHATS, response_model=ChatPage)
async def list_chats(
    request: Request,
    user_id: CurrentUser,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ChatPage:
    """The user's chats, most recently active first; ``next_cursor`` pages on."""
    return await _api(request).chats.list(user_id, cursor, limit)


@router.get(CHATS + "/{chat_id}", response_model=MessagePage)
async def read_chat(
    chat_id: ChatId,
    request: Request,
    user_id: CurrentUser,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagePage:
    """The chat and its messages, oldest first; ``next_cursor`` pages on."""
    return await _api(request).chats.messages(user_id, chat_id, cursor, limit)


@router.patch(CHATS + "/{chat_id}", response_model=ChatView)
async def rename_chat(
    chat_id: ChatId, body: TitleIn, request: Request, user_id: CurrentUser
) -> ChatView:
    return await _api(request).chats.rename(user_id, chat_id, body.title)


@router.delete(CHATS + "/{chat_id}", status_code=204)
async def delete_chat(chat_id: ChatId, request: Request, user_id: CurrentUser) -> Response:
    await _api(request).chats.delete(user_id, chat_id)
    return Response(status_code=204)


@router.post(CHATS + "/{chat_id}/messages", status_code=202, response_model=TurnAccepted)
async def send_message(
    chat_id: ChatId, body: MessageIn, request: Request, user_id: CurrentUser
) -> JSONResponse:
    """Start a turn: 202 with the job id and where to follow its answer (SSE); 429 past the
    user's chat rate (``ECO2_AUTH__CHAT_BURST/_PER_MINUTE``)."""
    api = _api(request)
    await api.chats.get(user_id, chat_id)  # 404 before a token of the user's rate is spent
    await auth_api(request).service.limiter.take("chat", user_id)
    if body.image is not None:
        # Another user's image reads as no image at all: ids do not leak.
        missing = error_response(422, "invalid_request", f"image: no stored image {body.image}")
        if not await api.owners.owns(user_id, body.image):
            return missing
        # Staged for the chat function again from the blob store if its hand-off copy expired.
        if not await request.app.state.images.stage(body.image, user_id):
            return missing
    job_id = uuid.uuid4().hex
    data = {"image": body.image, "location": body.location.model_dump() if body.location else None}
    await api.chats.add_user_message(user_id, chat_id, body.text, job_id, data)
    turn = ChatRequested(
        job_id=job_id,
        chat_id=chat_id,
        user_id=user_id,
        text=body.text,
        image_ref=body.image,
        location=body.location,
        model=body.model,
    )
    await api.run(turn)
    return _accepted(job_id, chat_id)


@router.post(CHATS + "/{chat_id}/input", status_code=202, response_model=TurnAccepted)
async def answer_question(
    chat_id: ChatId, body: InputIn, request: Request, user_id: CurrentUser
) -> JSONResponse:
    """Answer the question a paused turn asked; the turn resumes where it stopped."""
    api = _api(request)
    await api.chats.get(user_id, chat_id)
    await auth_api(request).service.limiter.take("chat", user_id)
    job_id = await api.chats.take_input(user_id, chat_id)
    turn = ChatRequested(job_id=job_id, chat_id=chat_id, user_id=user_id, resume=body.text)
    seq = await api.run(turn, resumed=True)
    # As for a scan's answer: return once a reconnect will follow the resumed run.
    if not await wait_routed(api.progress, job_id, seq, timeout_s=5.0):
        log.warning("chat job %s: resumed step %d not routed within 5 s", job_id, seq)
    return _accepted(job_id, chat_id)


CHAT_ERRORS: dict[type[Exception], tuple[int, str]] = {
    ChatNotFound: (404, "not_found"),
    NotWaitingForInput: (409, "not_waiting_for_input"),
    BadCursor: (400, "bad_cursor"),
}


async def chat_error(request: Request, exc: Exception) -> JSONResponse:
    status, code = CHAT_ERRORS[type(exc)]
    return error_response(status, code, str(exc))
