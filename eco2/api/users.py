"""The users endpoints: my profile (read, change), my character collection, delete my account.

Everything here is the caller's own (``/users/me``): there is no route that names another
user. Deleting the account removes its scans, chats, images, collection and reminders in one
transaction, then the image bytes no other user shares, then voids every token it holds.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response

from domains.character.catalogue import Character
from domains.character.exceptions import CharacterNotFound
from domains.character.service import CharacterService, OwnedCharacter
from domains.users.schemas import ProfilePatch, UserView
from eco2.api.identity import ACCESS_COOKIE, REFRESH_COOKIE, CurrentUser, auth_api
from eco2.api.schemas import ErrorOut

ME = "/api/v1/users/me"
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (401, 404, 422)
}
log = logging.getLogger("eco2.api.users")

router = APIRouter(tags=["users"], responses=ERRORS)


def _characters(request: Request) -> CharacterService:
    return request.app.state.characters


@router.get(ME, response_model=UserView)
async def me(request: Request, user_id: CurrentUser) -> UserView:
    """My profile."""
    return await auth_api(request).service.users.get(user_id)


@router.patch(ME, response_model=UserView)
async def update_me(body: ProfilePatch, request: Request, user_id: CurrentUser) -> UserView:
    """Change my nickname or district (only the fields sent; ``district: null`` clears it)."""
    changes = body.model_dump(exclude_unset=True)
    if changes.get("nickname", "") is None:
        changes.pop("nickname")  # a nickname is required: null leaves it as it is
    return await auth_api(request).service.users.update(user_id, changes)


@router.delete(ME, status_code=204)
async def delete_me(request: Request, user_id: CurrentUser) -> Response:
    """Delete my account and all my data (scans, chats, images, collection, reminders)."""
    api = auth_api(request)
    refs = await api.service.delete_account(user_id)
    for ref in refs:  # after the commit: a failed delete leaves bytes no one can read, not rows
        try:
            await api.images.delete(ref)
        except Exception:
            log.exception("image %s of deleted user %s not removed from the store", ref, user_id)
    try:  # where the images live: every one under the user's key prefix
        await request.app.state.images.service.delete_owner(user_id)
    except Exception:
        log.exception("images of deleted user %s not removed from the blob store", user_id)
    response = Response(status_code=204)
    response.delete_cookie(ACCESS_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path="/api/v1/auth")
    return response


@router.get("/api/v1/characters", response_model=list[Character], tags=["characters"])
async def catalogue(request: Request, user_id: CurrentUser) -> list[Character]:
    """Every collectible character."""
    return await _characters(request).catalogue()


@router.get(ME + "/characters", response_model=list[OwnedCharacter], tags=["characters"])
async def collection(request: Request, user_id: CurrentUser) -> list[OwnedCharacter]:
    """My collection, oldest first."""
    return await _characters(request).collection(user_id)


@router.get(ME + "/characters/{key}", response_model=OwnedCharacter, tags=["characters"])
async def owned(key: str, request: Request, user_id: CurrentUser) -> OwnedCharacter:
    """One character of my collection; 404 when I do not have it."""
    for item in await _characters(request).collection(user_id):
        if item.character.key == key:
            return item
    raise CharacterNotFound(f"no character {key} in your collection")
