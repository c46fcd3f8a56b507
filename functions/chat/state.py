"""The chat graph's state and the payload each sub-agent is sent.

Per-turn fields (``questions``, ``answers``, ``answer``) are reset by the turn's first node with
``Overwrite``; ``answers`` has an adding reducer so sub-agents running in parallel each add their
own part, keyed by the sub-question's index. ``history`` and ``summary`` carry over turns in the
checkpoint (PostgreSQL), keyed by the chat id.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


class Question(TypedDict, total=False):
    index: int
    text: str
    intent: str
    confidence: float
    clarify: list[str]  # two close intents: the general agent asks which one was meant


class Part(TypedDict):
    """One sub-question's answer (``domains.chat.events.AnswerPart`` as a dict)."""

    index: int
    question: str
    intent: str
    node: str
    text: str
    answered: bool
    reason: str | None
    data: dict[str, Any]


class Turn(TypedDict, total=False):
    """What a turn starts with (the function's input to the graph)."""

    job_id: str
    chat_id: str
    user_id: str
    message: str
    image_ref: str | None
    location: dict[str, Any] | None
    model: str | None


class ChatState(Turn, total=False):
    scan: dict[str, Any] | None  # the item "이거" refers to: this turn's photo or the last scan
    questions: list[Question]
    answers: Annotated[list[Part], operator.add]
    answer: str
    message_id: str
    history: Annotated[list[dict[str, Any]], operator.add]
    summary: str


class Task(TypedDict):
    """The ``Send`` payload of one sub-agent: its own sub-question and the turn's context."""

    question: Question
    user_id: str
    chat_id: str
    scan: dict[str, Any] | None
    location: dict[str, Any] | None
    model: str | None
    summary: str
