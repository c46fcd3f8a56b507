"""Image ownership, checked on every read of an image.

A scan's upload is owned through its job row (``scan_jobs.user_id``, ``image_ref``): recording it
again here would cost every scan a second write. Everything else a user gets stored (a card the
chat draws, an upload through the image port) is granted a row in ``image_owners``.
"""

from __future__ import annotations

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.image.models import ImageOwnerRow
from domains.scan.models import ScanJobRow


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
        granted = exists().where(ImageOwnerRow.user_id == user_id, ImageOwnerRow.ref == ref)
        scanned = exists().where(ScanJobRow.user_id == user_id, ScanJobRow.image_ref == ref)
        async with self.sessions() as session:
            return bool(await session.scalar(select(or_(granted, scanned))))

    async def revoke(self, user_id: str, ref: str) -> None:
        """``user_id`` no longer owns ``ref`` through a grant (a deleted upload)."""
        async with self.sessions.begin() as session:
            await session.execute(
                delete(ImageOwnerRow).where(
                    ImageOwnerRow.user_id == user_id, ImageOwnerRow.ref == ref
                )
            )
