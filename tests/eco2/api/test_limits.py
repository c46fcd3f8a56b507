"""The upload cap holds before the form is parsed: declared and chunked bodies over it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.scan.service import ScanJobService
from eco2.api.limits import FORM_OVERHEAD

LIMIT = 10 * 1024 * 1024 + FORM_OVERHEAD
BOUNDARY = "eco2testboundary"


def multipart_head() -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="image"; '
        'filename="big.png"\r\nContent-Type: image/png\r\n\r\n'
    ).encode()


async def test_declared_length_over_the_cap_is_refused_unread(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], user: str
) -> None:
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(4):
            sent += 1
            yield b"x" * 1024

    headers = {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(LIMIT + 1),
    }
    response = await client.post("/api/v1/scans", content=body(), headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert sent == 0  # the app never asked for a byte of the body
    assert await ScanJobService(sessions).list_jobs(user) == []


async def test_chunked_body_is_cut_at_the_cap(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], user: str
) -> None:
    chunk = b"\x00" * (1024 * 1024)
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield multipart_head()
        for _ in range(64):  # 64 MiB if nobody stops it
            sent += len(chunk)
            yield chunk
        yield f"\r\n--{BOUNDARY}--\r\n".encode()

    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    response = await client.post("/api/v1/scans", content=body(), headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert sent <= LIMIT + 2 * len(chunk)  # stopped right after the cap, not at 64 MiB
    assert await ScanJobService(sessions).list_jobs(user) == []
