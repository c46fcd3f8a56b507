from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.info.importers import SAMPLES, import_info
from domains.info.service import InfoService
from tests.domains.location.conftest import fresh

__all__ = ["fresh"]


@pytest.fixture
async def info(fresh: async_sessionmaker[AsyncSession]) -> InfoService:
    """The info service on a fresh schema holding the project's sample data."""
    for kind, path in SAMPLES.items():
        await import_info(fresh, kind, path)
    return InfoService(fresh)
