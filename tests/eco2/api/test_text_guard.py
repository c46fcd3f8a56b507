"""Hostile text at the API's edge, on the real app: control characters and unknown models are a
422 naming the field, before anything is stored; what a person types passes untouched."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.scan.service import ScanJobService
from tests.eco2.api.conftest import png

SCANS = "/api/v1/scans"


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("/api/v1/info/calendar?sigungu=%00강남구", "query.sigungu"),
        ("/api/v1/locations/search?q=%1b[2J", "query.q"),
        ("/api/v1/scans/abc%00def", "path"),
    ],
)
async def test_a_control_character_in_the_path_or_query_is_422(
    client: httpx.AsyncClient, path: str, where: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["message"].startswith(where)


async def test_a_nul_anywhere_in_a_json_body_is_422_and_writes_nothing(
    client: httpx.AsyncClient, user: str
) -> None:
    headers: dict[str, str] = {}  # the client is signed in as user
    refused = await client.post("/api/v1/chats", json={"title": "a\u0000b"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["message"].startswith("body.title")
    listed = await client.get("/api/v1/chats", headers=headers)
    assert listed.json()["items"] == []
    # A newline and a tab are text people write: accepted.
    made = await client.post("/api/v1/chats", json={"title": "분리수거\t질문\n"}, headers=headers)
    assert made.status_code == 201, made.text


async def test_a_body_that_is_not_json_is_a_4xx_in_the_error_shape(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/scans/0f0e8b8e-0000-4000-8000-000000000000/answer",
        content=b"\xff\xfe",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422), response.text
    assert response.json()["error"]["code"] in ("bad_request", "invalid_request")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"hint": "페트병\x00"}, "hint"),
        ({"model": "gpt-nope\x07"}, "model"),
        ({"model": "llama-3"}, "model"),
    ],
)
async def test_an_upload_with_a_bad_hint_or_an_unknown_model_is_422_and_creates_nothing(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    user: str,
    form: dict[str, str],
    field: str,
) -> None:
    response = await client.post(
        SCANS,
        files={"image": ("photo.png", png(), "image/png")},
        data=form,
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["message"]
    assert await ScanJobService(sessions).list_jobs(user) == []


async def test_a_chat_message_for_an_unknown_model_is_422(
    client: httpx.AsyncClient, user: str
) -> None:
    headers: dict[str, str] = {}  # the client is signed in as user
    chat = (await client.post("/api/v1/chats", json={}, headers=headers)).json()
    response = await client.post(
        f"/api/v1/chats/{chat['chat_id']}/messages",
        json={"text": "페트병 어디 버려?", "model": "llama-3"},
        headers=headers,
    )
    assert response.status_code == 422, response.text
    assert "unknown model" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/scans/" + "a" * 5_000,
        "/api/v1/scans/a%20b",
        "/api/v1/chats/" + "c" * 65,
        "/api/v1/chats/%E2%91%A0",
    ],
)
async def test_an_id_outside_its_pattern_is_422_before_any_store_is_asked(
    client: httpx.AsyncClient, path: str
) -> None:
    # A store asked would answer 404 (no such job or chat): the 422 names the path's field.
    response = await client.get(path)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith("path."), response.text
