"""The image endpoints: upload (through the API or straight to the bucket), read, link, delete.

An image lives in the blob store under its owner (``domains.image.blobs``); uploads for chat are
also staged in the pipeline's Redis hand-off, where the chat function reads them by reference,
and ownership is recorded in ``image_owners`` as the chat routes check it. A read of an image
that is not in the caller's blob area falls back to the hand-off for what the pipeline made
(a card the chat drew), behind the same ownership check: another user's id answers 404.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from domains.image import (
    DirectUploadUnavailable,
    ImageNotFoundError,
    ImageStore,
    ImageStoreUnavailable,
    PresignedUrl,
    Purpose,
    StoredImage,
)
from domains.image.owners import ImageOwners
from domains.image.service import ImageService
from eco2.api.errors import error_response
from eco2.api.identity import CurrentUser
from eco2.api.schemas import ErrorOut

IMAGES = "/api/v1/images"
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (400, 401, 404, 413, 415, 422, 501, 503)
}
log = logging.getLogger("eco2.api.images")

router = APIRouter(prefix=IMAGES, tags=["images"], responses=ERRORS)


@dataclass
class ImagesApi:
    """What the image routes need (``request.app.state.images``)."""

    service: ImageService
    handoff: ImageStore  # the pipeline's Redis store, read by the vision and chat functions
    owners: ImageOwners

    async def stage(self, ref: str, owner: str) -> bool:
        """Put ``owner``'s image back in the hand-off when it expired there; False when the
        owner has no such image at all."""
        try:
            await self.handoff.size(ref)
            return True
        except ImageNotFoundError:
            pass
        try:
            data = await self.service.blobs.get(ref, owner=owner)
        except ImageNotFoundError:
            return False
        await self.handoff.put(data, ref=ref)
        return True


class ImageOut(BaseModel):
    """A stored image and where to fetch it."""

    ref: str
    content_type: str
    size: int
    purpose: Purpose
    url: str = Field(description="GET it here (the API answers, or redirects to the bucket).")

    @classmethod
    def of(cls, image: StoredImage) -> ImageOut:
        return cls(**image.model_dump(exclude={"owner"}), url=f"{IMAGES}/{image.ref}")


class UploadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_type: str = Field(description="The type the client will PUT (image/jpeg, ...).")


class FinishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: Purpose = "chat"


def _api(request: Request) -> ImagesApi:
    return request.app.state.images


@router.post("", status_code=201, response_model=ImageOut)
async def upload(
    request: Request,
    user_id: CurrentUser,
    image: Annotated[UploadFile, File(description="JPEG, PNG, WEBP, GIF or BMP, ≤ 10 MiB.")],
    purpose: Annotated[
        Purpose, Form(description="What it is for: chat, profile or scan.")
    ] = "chat",
) -> JSONResponse:
    """Store an image of mine; validated as a scan upload is (size, pixels, format)."""
    api = _api(request)
    data = await image.read(api.service.max_bytes + 1)
    stored = await api.service.upload(data, owner=user_id, purpose=purpose)
    await _record(api, stored, data)
    return JSONResponse(ImageOut.of(stored).model_dump(), status_code=201)


async def _record(api: ImagesApi, stored: StoredImage, data: bytes) -> None:
    await api.owners.grant(stored.owner, stored.ref)
    if stored.purpose == "chat":  # a chat turn may name it at once
        await api.handoff.put(data, ref=stored.ref)


@router.post("/uploads", status_code=201, response_model=PresignedUrl, responses={501: {}})
async def start_upload(body: UploadIn, request: Request, user_id: CurrentUser) -> Response:
    """A presigned PUT to the bucket (S3 backend): PUT the bytes there with ``headers``, then
    finish with ``POST /api/v1/images/uploads/{upload_id}``. 501 on the filesystem backend."""
    try:
        url = await _api(request).service.start_upload(
            owner=user_id, content_type=body.content_type
        )
    except DirectUploadUnavailable as exc:
        return error_response(501, "direct_upload_unavailable", f"{exc}; POST {IMAGES}")
    return JSONResponse(url.model_dump(mode="json"), status_code=201)


@router.post("/uploads/{upload_id}", status_code=201, response_model=ImageOut)
async def finish_upload(
    upload_id: str, request: Request, user_id: CurrentUser, body: FinishIn | None = None
) -> JSONResponse:
    """Validate what was PUT and keep it; a refused upload is removed (4xx as for a POST)."""
    api = _api(request)
    purpose = body.purpose if body else "chat"
    try:
        stored = await api.service.finish_upload(upload_id, owner=user_id, purpose=purpose)
    except ImageNotFoundError:
        return error_response(404, "not_found", f"no upload {upload_id} (never PUT, or taken)")
    if purpose == "chat":
        await api.handoff.put(
            await api.service.blobs.get(stored.ref, owner=user_id), ref=stored.ref
        )
    await api.owners.grant(user_id, stored.ref)
    return JSONResponse(ImageOut.of(stored).model_dump(), status_code=201)


@router.get("/{ref}", response_class=Response, responses={307: {"description": "To the bucket."}})
async def read(ref: str, request: Request, user_id: CurrentUser) -> Response:
    """One of my images: the bytes, or a redirect to a presigned GET (S3). Images the pipeline
    made for me (a chat card) come from its store. Another user's answers 404."""
    api = _api(request)
    try:
        link = await api.service.link(ref, owner=user_id)
        if link is not None:
            return RedirectResponse(link.url, status_code=307)
        image, data = await api.service.read(ref, owner=user_id)
        return Response(data, media_type=image.content_type)
    except ImageNotFoundError:
        pass
    if await api.owners.owns(user_id, ref):
        try:
            return Response(await api.handoff.get(ref), media_type="image/png")
        except ImageNotFoundError:
            pass
    return error_response(404, "not_found", f"no image {ref}")


@router.get("/{ref}/url", response_model=PresignedUrl)
async def link(ref: str, request: Request, user_id: CurrentUser) -> Response:
    """A URL to fetch my image with: presigned (S3, expires) or this API's own."""
    api = _api(request)
    try:
        url = await api.service.link(ref, owner=user_id)
        if url is None:
            await api.service.blobs.head(ref, owner=user_id)  # exists and is mine
            return JSONResponse({"method": "GET", "url": f"{IMAGES}/{ref}", "expires_at": None})
    except ImageNotFoundError:
        return error_response(404, "not_found", f"no image {ref}")
    return JSONResponse(url.model_dump(mode="json"))


@router.delete("/{ref}", status_code=204)
async def delete(ref: str, request: Request, user_id: CurrentUser) -> Response:
    """Delete my image; 404 when I have none by that reference."""
    api = _api(request)
    try:
        await api.service.delete(ref, owner=user_id)
    except ImageNotFoundError:
        return error_response(404, "not_found", f"no image {ref}")
    # Its staged copy and grant go too, so the read fallback cannot serve it any more.
    await api.owners.revoke(user_id, ref)
    await api.handoff.delete(ref)
    return Response(status_code=204)


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("image store: %s", exc)
    response = error_response(503, "image_store_unavailable", str(exc))
    response.headers["Retry-After"] = "5"
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(ImageStoreUnavailable, _unavailable)
