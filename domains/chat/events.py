"""The chat domain's events: a turn requested, its completion, its question to the user.

A chat turn is one CloudEvent function (``functions/chat/main.py``): ``kr.eco2.chat.requested``
→ ``kr.eco2.chat.completed``, or ``kr.eco2.chat.needs_input`` when a sub-agent paused the graph
for what only the user can give (a location). Answering it sends ``requested`` again with
``resume`` set, on the same chat (the checkpoint's thread).
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import Field

from domains.chat.intents import Intent
from eventing.events import EventCatalog, Payload

REQUESTED: Final = "kr.eco2.chat.requested"
COMPLETED: Final = "kr.eco2.chat.completed"
NEEDS_INPUT: Final = "kr.eco2.chat.needs_input"
FAILED: Final = "kr.eco2.chat.failed"

# The phases a turn's progress goes through (SSE ``stage``); sub-agents report as ``agent``.
PHASES: dict[str, int] = {"queued": 0, "vision": 5, "classify": 10, "agent": 30, "answer": 70}


class Location(Payload):
    """Where the user is: coordinates, an address or a district name, as they gave it."""

    text: str | None = Field(None, max_length=200, description="A district or address.")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class ChatRequested(Payload):
    """A user's message to a chat, or the answer that resumes a paused turn."""

    job_id: str = Field(min_length=1, max_length=64)
    chat_id: str = Field(min_length=1, max_length=64)
    user_id: str = Field("anonymous", min_length=1, max_length=200)
    text: str = Field("", max_length=2000)
    image_ref: str | None = Field(None, description="A photo sent with the message (image store).")
    location: Location | None = None
    model: str | None = Field(None, max_length=100)
    resume: str | None = Field(None, max_length=500, description="The answer to needs_input.")


class AnswerPart(Payload):
    """One sub-question's answer paragraph."""

    index: int = Field(ge=0)
    question: str
    intent: Intent
    node: str
    text: str
    answered: bool = True
    reason: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class ChatCompleted(Payload):
    """The turn's answer: one paragraph per sub-question, in the order asked."""

    job_id: str
    chat_id: str
    user_id: str
    message_id: str
    text: str
    parts: list[AnswerPart]
    intents: list[Intent]


class ChatNeedsInput(Payload):
    """A sub-agent needs the user's answer; the turn resumes on ``POST …/input``."""

    job_id: str
    chat_id: str
    user_id: str
    question: str
    node: str


class ChatFailed(Payload):
    """A turn ended without an answer; ``reason`` is shown to the client."""

    job_id: str
    chat_id: str
    reason: str


CHAT_EVENTS = EventCatalog(
    {
        REQUESTED: ChatRequested,
        COMPLETED: ChatCompleted,
        NEEDS_INPUT: ChatNeedsInput,
        FAILED: ChatFailed,
    }
)
