"""Image ownership: recorded when a user uploads (or the chat draws for them), checked on read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.image.models import ImageOwnerRow


class ImageOwners:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def grant(self, user_id: str, ref: str) -> None:
        """``user_id`` owns ``ref`` (again: a no-op)."""
        async with self.sessions.begin() as session:
            await session.execute(
                insert(ImageOwnerRow).values(user_id=user_id, ref=ref).on_conflict_do_nothing()
            )

    async def owns(self, user_id: str, ref: str) -> bool:
        async with self.sessions() as session:
            found = await session.scalar(
                select(ImageOwnerRow.ref).where(
                    ImageOwnerRow.user_id == user_id, ImageOwnerRow.ref == ref
                )
            )
        return found is not None
