"""The chat observer a chat worker runs with (``eco2 function run --observer chat``).

Like the scan observer: progress to the Redis progress log always, the turn's record to
PostgreSQL when it answers (probed once at start).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from domains.chat.pipeline import ChatProgress
from domains.chat.service import ChatService
from domains.db import session_factory
from eco2.scan_observer import _jobs
from eco2.settings import Settings
from eventing.progress import ProgressKeys, ProgressPublisher, connect


@contextlib.asynccontextmanager
async def chat_observer(settings: Settings) -> AsyncIterator[ChatProgress]:
    """Build the observer on the running loop; close its connections on exit."""
    redis = connect(settings.redis_url, max_connections=8)
    publisher = ProgressPublisher(
        redis,
        ProgressKeys(settings.shards, settings.progress.key_prefix),
        maxlen=settings.progress.stream_maxlen,
        ttl_s=settings.progress.replay_ttl_s,
        linger_s=settings.progress.token_linger_ms / 1000,
        registered=True,  # the API registers every job before its first step
    )
    jobs, engine = await _jobs(settings)  # the same PostgreSQL probe as the scan observer's
    chats = ChatService(session_factory(engine)) if jobs is not None else None
    try:
        yield ChatProgress(publisher, chats)
    finally:
        await publisher.aclose()
        await redis.aclose()
        if engine is not None:
            await engine.dispose()
