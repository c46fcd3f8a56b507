"""What the chat API and service exchange (pydantic)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from domains.chat.events import Location
from domains.llm.routing import known_model


class ChatView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    chat_id: str
    user_id: str
    title: str
    waiting_job: str | None = None
    question: str | None = None
    created_at: datetime
    updated_at: datetime


class MessageView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    chat_id: str
    role: Literal["user", "assistant"]
    text: str
    job_id: str | None = None
    data: dict[str, Any] | None = None
    created_at: datetime


class ChatPage(BaseModel):
    items: list[ChatView]
    next_cursor: str | None = None


class MessagePage(BaseModel):
    chat: ChatView
    items: list[MessageView]
    next_cursor: str | None = None


class ChatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)


class TitleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)


class MessageIn(BaseModel):
    """A user's message: text, and optionally a photo (a stored image ref), where they are and
    which model answers."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field("", max_length=2000)
    image: str | None = Field(
        None, max_length=200, pattern=r"^sha256:[0-9a-f]{64}$", description="Image store ref."
    )
    location: Location | None = None
    model: Annotated[str, AfterValidator(known_model)] | None = Field(None, max_length=100)

    @model_validator(mode="after")
    def _something_to_answer(self) -> MessageIn:
        if not self.text.strip() and self.image is None:
            raise ValueError("a message needs text or an image")
        return self


class InputIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=500)


class TurnAccepted(BaseModel):
    job_id: str
    chat_id: str
    events_url: str
    status: Literal["queued"] = "queued"
