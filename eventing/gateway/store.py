"""Reads of the job state and the replay log the router keeps (eventing/router/scripts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from redis import asyncio as aioredis

from eventing.gateway.frame import Frame, from_json
from eventing.progress import ProgressKeys


@dataclass(frozen=True)
class Snapshot:
    """What a connecting client needs: does the job exist, its events after a seq, is it over."""

    exists: bool
    events: list[Frame]
    latest: Frame | None  # the state hash's latest event (None before the first)

    @property
    def finished_at(self) -> int | None:
        """The seq of the terminal event when the job is over, else None."""
        if self.latest is not None and self.latest.terminal:
            return self.latest.seq
        return None


class ReplayStore:
    """One round trip per read: existence, latest state and the events after a seq."""

    def __init__(self, redis: aioredis.Redis, keys: ProgressKeys) -> None:
        self.redis = redis
        self.keys = keys

    async def snapshot(self, job_id: str, after: int) -> Snapshot:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.exists(self.keys.state(job_id), self.keys.replay(job_id))
            pipe.hget(self.keys.state(job_id), "event")
            pipe.zrange(self.keys.replay(job_id), f"({after}", "+inf", byscore=True)
            exists, latest, raw_events = await pipe.execute()
        return Snapshot(
            exists=bool(exists),
            events=[from_json(raw) for raw in raw_events],
            latest=from_json(latest) if latest else None,
        )

    async def events_after(self, job_id: str, after: int) -> list[Frame]:
        raw_events = await self.redis.zrange(
            self.keys.replay(job_id), f"({after}", "+inf", byscore=True
        )
        # The client decodes responses: the members are str.
        return [from_json(raw) for raw in cast("list[str]", raw_events)]
