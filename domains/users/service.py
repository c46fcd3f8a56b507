"""Accounts: create (email or external identity), read, update the profile, delete with all data.

Deleting an account is one transaction over every table that holds the user's data; the image
bytes live outside PostgreSQL, so the refs no other user owns are returned for the caller to
delete from the image store once the transaction has committed.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.character.models import UserCharacterRow
from domains.chat.models import ChatRow
from domains.image.models import ImageOwnerRow
from domains.info.models import ReminderRow
from domains.scan.models import ScanJobRow
from domains.users.exceptions import EmailTaken, UserNotFound
from domains.users.models import UserIdentityRow, UserRow
from domains.users.schemas import UserView

# Every table keyed by a user id, emptied of the user's rows when the account goes (chat
# messages go with their chats, identities with the user).
USER_DATA: tuple[Any, ...] = (ScanJobRow, ChatRow, UserCharacterRow, ReminderRow)


# The chat's memory: LangGraph's checkpoint tables (functions/chat/main.py sets them up in the
# domain schema, keyed by chat id as thread_id). They are the saver's, not ours, so they may not
# exist yet (no chat worker has started): each is cleared only when it is there.
CHECKPOINT_TABLES = ("checkpoint_writes", "checkpoint_blobs", "checkpoints")


async def _forget_chat_memory(session: AsyncSession, chat_ids: list[str]) -> None:
    if not chat_ids:
        return
    for table in CHECKPOINT_TABLES:
        if await session.scalar(text("SELECT to_regclass(:t)"), {"t": table}) is None:
            continue
        # The name comes from the constant above, never from input.
        statement = text(f"DELETE FROM {table} WHERE thread_id = ANY(:ids)")  # nosec B608
        await session.execute(statement, {"ids": chat_ids})


def new_user_id() -> str:
    return uuid.uuid4().hex


class UserService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def create(self, email: str | None, password_hash: str | None, nickname: str) -> UserView:
        """A new account; ``EmailTaken`` when the (case-insensitive) email has one already."""
        row = UserRow(
            user_id=new_user_id(),
            email=email.lower() if email else None,
            password_hash=password_hash,
            nickname=nickname,
        )
        try:
            async with self.sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            raise EmailTaken(f"an account with {email} exists") from None
        return UserView.model_validate(row)

    async def credentials(self, email: str) -> tuple[str, str | None] | None:
        """``(user_id, password_hash)`` of the account with ``email``; None when there is none."""
        async with self.sessions() as session:
            found = (
                await session.execute(
                    select(UserRow.user_id, UserRow.password_hash).where(
                        UserRow.email == email.lower()
                    )
                )
            ).first()
        return None if found is None else (found[0], found[1])

    async def get(self, user_id: str) -> UserView:
        async with self.sessions() as session:
            row = await session.get(UserRow, user_id)
        if row is None:
            raise UserNotFound(f"no user {user_id}")
        return UserView.model_validate(row)

    async def update(self, user_id: str, changes: dict[str, Any]) -> UserView:
        """Set the given profile fields (``nickname``, ``district``)."""
        async with self.sessions.begin() as session:
            row = await session.get(UserRow, user_id, with_for_update=True)
            if row is None:
                raise UserNotFound(f"no user {user_id}")
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = func.now()
            await session.flush()
            await session.refresh(row)
        return UserView.model_validate(row)

    async def find_or_create_external(
        self, provider: str, subject: str, email: str | None, nickname: str
    ) -> UserView:
        """The account linked to ``provider``'s ``subject``, created (and linked) on first login.

        A provider's email is not proof the person owns the local account with that email, so
        an existing email is never linked automatically: the new account then gets no email.
        """
        async with self.sessions.begin() as session:
            user_id = await session.scalar(
                select(UserIdentityRow.user_id).where(
                    UserIdentityRow.provider == provider, UserIdentityRow.subject == subject
                )
            )
            if user_id is not None:
                row = await session.get(UserRow, user_id)
                if row is not None:
                    return UserView.model_validate(row)
            taken = email is not None and (
                await session.scalar(select(UserRow.user_id).where(UserRow.email == email.lower()))
                is not None
            )
            row = UserRow(
                user_id=new_user_id(),
                email=None if taken or email is None else email.lower(),
                password_hash=None,
                nickname=nickname[:64] or provider,
            )
            session.add(row)
            await session.flush()
            session.add(UserIdentityRow(provider=provider, subject=subject, user_id=row.user_id))
            await session.flush()
            await session.refresh(row)
            return UserView.model_validate(row)

    async def delete_account(self, user_id: str) -> list[str]:
        """Delete the account and all its data in one transaction; returns the image refs no
        other user owns, for the caller to delete from the image store."""
        async with self.sessions.begin() as session:
            granted = await session.scalars(
                delete(ImageOwnerRow)
                .where(ImageOwnerRow.user_id == user_id)
                .returning(ImageOwnerRow.ref)
            )
            refs = set(granted) | set(
                await session.scalars(
                    select(ScanJobRow.image_ref).where(ScanJobRow.user_id == user_id).distinct()
                )
            )
            shared: set[str] = set()
            if refs:  # the same bytes another user uploaded (or was given) stay
                shared = set(
                    await session.scalars(
                        select(ImageOwnerRow.ref).where(ImageOwnerRow.ref.in_(refs)).distinct()
                    )
                ) | set(
                    await session.scalars(
                        select(ScanJobRow.image_ref)
                        .where(ScanJobRow.image_ref.in_(refs), ScanJobRow.user_id != user_id)
                        .distinct()
                    )
                )
            chats = list(
                await session.scalars(select(ChatRow.chat_id).where(ChatRow.user_id == user_id))
            )
            await _forget_chat_memory(session, chats)
            for table in USER_DATA:
                await session.execute(delete(table).where(table.user_id == user_id))
            gone = await session.execute(
                delete(UserRow).where(UserRow.user_id == user_id).returning(UserRow.user_id)
            )
            if gone.first() is None:
                raise UserNotFound(f"no user {user_id}")
        return sorted(refs - shared)
