"""Chats in PostgreSQL: create, list (cursor), read messages (cursor), rename, delete, and the
record of each turn.

A chat belongs to one user: every call takes the user id, and another user's chat is
``ChatNotFound`` (its existence is not revealed). Deleting is soft (``deleted_at``), so a turn
still running on it finishes without error but the chat no longer lists. Cursors are opaque
strings of the last item's sort key.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from domains.chat.exceptions import BadCursor, ChatNotFound, NotWaitingForInput
from domains.chat.models import ChatMessageRow, ChatRow
from domains.chat.schemas import ChatPage, ChatView, MessagePage, MessageView

DEFAULT_TITLE = "새 대화"
TITLE_CHARS = 40


def _encode(*parts: str) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


def _decode(cursor: str, count: int) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(f"invalid cursor {cursor!r}") from exc
    if len(parts) != count:
        raise BadCursor(f"invalid cursor {cursor!r}")
    return parts


class ChatService:
    """Repository of chats and their messages; each call is one short transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def create(self, user_id: str, title: str | None = None) -> ChatView:
        row = ChatRow(chat_id=uuid.uuid4().hex, user_id=user_id, title=title or DEFAULT_TITLE)
        async with self._sessions() as session, session.begin():
            session.add(row)
        async with self._sessions() as session:
            return ChatView.model_validate(await session.get(ChatRow, row.chat_id))

    async def get(self, user_id: str, chat_id: str) -> ChatView:
        async with self._sessions() as session:
            row = await session.get(ChatRow, chat_id)
        if row is None or row.user_id != user_id or row.deleted_at is not None:
            raise ChatNotFound(f"no chat {chat_id!r}")
        return ChatView.model_validate(row)

    async def owner_of_job(self, job_id: str) -> str | None:
        """The user whose (not deleted) chat the turn ``job_id`` belongs to; None if none."""
        async with self._sessions() as session:
            return await session.scalar(
                select(ChatRow.user_id)
                .join(ChatMessageRow, ChatMessageRow.chat_id == ChatRow.chat_id)
                .where(ChatMessageRow.job_id == job_id, ChatRow.deleted_at.is_(None))
                .limit(1)
            )

    async def open_turns(
        self, since: datetime, before: datetime, limit: int = 200
    ) -> list[tuple[str, str]]:
        """(job id, chat id) of the turns sent between ``since`` and ``before`` that have no
        answer and are not paused for input, newest first: the sweeper's look for turns whose
        live state may be lost (a turn that failed has no answer either; its live state says
        so until it expires, which is why the look has a start)."""
        answer = aliased(ChatMessageRow)
        answered = (
            select(answer.seq)
            .where(answer.job_id == ChatMessageRow.job_id, answer.role == "assistant")
            .exists()
        )
        async with self._sessions() as session:
            rows = await session.execute(
                select(ChatMessageRow.job_id, ChatMessageRow.chat_id)
                .join(ChatRow, ChatRow.chat_id == ChatMessageRow.chat_id)
                .where(
                    ChatMessageRow.role == "user",
                    ChatMessageRow.job_id.is_not(None),
                    ChatMessageRow.created_at >= since,
                    ChatMessageRow.created_at < before,
                    ChatRow.deleted_at.is_(None),
                    ChatRow.waiting_job.is_distinct_from(ChatMessageRow.job_id),
                    ~answered,
                )
                .order_by(ChatMessageRow.created_at.desc())
                .limit(limit)
            )
            return [(str(job), str(chat)) for job, chat in rows]

    async def answered_turns(
        self, since: datetime, before: datetime, limit: int = 200
    ) -> list[tuple[str, str, str, dict[str, Any]]]:
        """(job id, chat id, answer text, answer data) of the turns answered between ``since``
        and ``before``, newest first: the sweeper's look for answers Redis lost before their
        client read them."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    ChatMessageRow.job_id,
                    ChatMessageRow.chat_id,
                    ChatMessageRow.text,
                    ChatMessageRow.data,
                )
                .where(
                    ChatMessageRow.role == "assistant",
                    ChatMessageRow.job_id.is_not(None),
                    ChatMessageRow.created_at >= since,
                    ChatMessageRow.created_at < before,
                )
                .order_by(ChatMessageRow.created_at.desc())
                .limit(limit)
            )
            return [(str(job), str(chat), text, data or {}) for job, chat, text, data in rows]

    async def list(self, user_id: str, cursor: str | None = None, limit: int = 20) -> ChatPage:
        """The user's chats, most recently active first."""
        query = select(ChatRow).where(ChatRow.user_id == user_id, ChatRow.deleted_at.is_(None))
        if cursor:
            when, chat_id = _decode(cursor, 2)
            try:
                at = datetime.fromisoformat(when)
            except ValueError as exc:
                raise BadCursor(f"invalid cursor {cursor!r}") from exc
            query = query.where(
                or_(
                    ChatRow.updated_at < at,
                    and_(ChatRow.updated_at == at, ChatRow.chat_id < chat_id),
                )
            )
        query = query.order_by(ChatRow.updated_at.desc(), ChatRow.chat_id.desc()).limit(limit + 1)
        async with self._sessions() as session:
            rows = list(await session.scalars(query))
        items = [ChatView.model_validate(r) for r in rows[:limit]]
        more = len(rows) > limit
        last = items[-1] if items else None
        next_cursor = _encode(last.updated_at.isoformat(), last.chat_id) if more and last else None
        return ChatPage(items=items, next_cursor=next_cursor)

    async def messages(
        self, user_id: str, chat_id: str, cursor: str | None = None, limit: int = 50
    ) -> MessagePage:
        """The chat's messages, oldest first, ``limit`` at a time."""
        chat = await self.get(user_id, chat_id)
        after = 0
        if cursor:
            (raw,) = _decode(cursor, 1)
            if not raw.isdigit():
                raise BadCursor(f"invalid cursor {cursor!r}")
            after = int(raw)
        query = (
            select(ChatMessageRow)
            .where(ChatMessageRow.chat_id == chat_id, ChatMessageRow.seq > after)
            .order_by(ChatMessageRow.seq)
            .limit(limit + 1)
        )
        async with self._sessions() as session:
            rows = list(await session.scalars(query))
        items = [MessageView.model_validate(r) for r in rows[:limit]]
        more = len(rows) > limit
        next_cursor = _encode(str(items[-1].seq)) if more and items else None
        return MessagePage(chat=chat, items=items, next_cursor=next_cursor)

    async def rename(self, user_id: str, chat_id: str, title: str) -> ChatView:
        await self.get(user_id, chat_id)
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ChatRow)
                .where(ChatRow.chat_id == chat_id)
                .values(title=title, updated_at=func.now())
            )
        return await self.get(user_id, chat_id)

    async def delete(self, user_id: str, chat_id: str) -> None:
        await self.get(user_id, chat_id)
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ChatRow).where(ChatRow.chat_id == chat_id).values(deleted_at=func.now())
            )

    async def add_user_message(
        self, user_id: str, chat_id: str, text: str, job_id: str, data: dict[str, Any]
    ) -> None:
        """Record the user's message of a new turn; the first one names an untitled chat."""
        chat = await self.get(user_id, chat_id)
        async with self._sessions() as session, session.begin():
            await session.execute(
                insert(ChatMessageRow)
                .values(chat_id=chat_id, role="user", text=text, job_id=job_id, data=data)
                .on_conflict_do_nothing()
            )
            values: dict[str, Any] = {"updated_at": func.now()}
            if chat.title == DEFAULT_TITLE and text.strip():
                values["title"] = text.strip()[:TITLE_CHARS]
            await session.execute(update(ChatRow).where(ChatRow.chat_id == chat_id).values(values))

    async def record_answer(
        self, chat_id: str, job_id: str, text: str, data: dict[str, Any]
    ) -> None:
        """Record a turn's answer (once per job, whatever the redeliveries) and clear a wait."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                insert(ChatMessageRow)
                .values(chat_id=chat_id, role="assistant", text=text, job_id=job_id, data=data)
                .on_conflict_do_nothing()
            )
            await session.execute(
                update(ChatRow)
                .where(ChatRow.chat_id == chat_id)
                .values(waiting_job=None, question=None, updated_at=func.now())
            )

    async def wait_for_input(self, chat_id: str, job_id: str, question: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ChatRow)
                .where(ChatRow.chat_id == chat_id)
                .values(waiting_job=job_id, question=question)
            )

    async def take_input(self, user_id: str, chat_id: str) -> str:
        """Claim the chat's paused turn for one resume; its job id. ``NotWaitingForInput``
        when none is paused (or another resume claimed it first)."""
        await self.get(user_id, chat_id)
        async with self._sessions() as session, session.begin():
            # Locked for the transaction: two resumes of one pause cannot both claim it.
            waiting = await session.scalar(
                select(ChatRow.waiting_job).where(ChatRow.chat_id == chat_id).with_for_update()
            )
            if waiting is None:
                raise NotWaitingForInput(f"chat {chat_id} is not waiting for input")
            await session.execute(
                update(ChatRow)
                .where(ChatRow.chat_id == chat_id)
                .values(waiting_job=None, question=None)
            )
        return str(waiting)
