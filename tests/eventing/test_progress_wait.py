from __future__ import annotations

import asyncio

from redis import asyncio as aioredis

from eventing.progress import ProgressKeys, ProgressPublisher, wait_routed


async def test_wait_routed_returns_once_the_state_reaches_the_seq(unique: str) -> None:
    client = aioredis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    publisher = ProgressPublisher(client, ProgressKeys(prefix=f"{unique}:"))
    state = publisher.keys.state("job")
    try:
        await client.hset(state, mapping={"seq": 3})
        assert await wait_routed(publisher, "job", 4, timeout_s=0.1) is False

        async def route_later() -> None:
            await asyncio.sleep(0.1)
            await client.hset(state, mapping={"seq": 4})

        routing = asyncio.create_task(route_later())
        assert await wait_routed(publisher, "job", 4, timeout_s=3) is True
        await routing
    finally:
        await client.delete(state)
        await client.aclose()
