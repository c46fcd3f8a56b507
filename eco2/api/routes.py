"""The scan endpoints: submit an upload, read a job, answer its question.

Order inside ``submit`` matters: the upload is validated before anything is written (a bad image
leaves no job and no stored bytes), the job row is created before the event is published (a
stage never sees a job the database does not know), and a publish that fails fails the job, so
no client waits on a job nothing will ever run.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import AfterValidator
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.image import BlobStore, ImageStore
from domains.knowledge import category_name
from domains.llm.routing import known_model
from domains.scan.events import ScanRequested
from domains.scan.exceptions import JobNotFound
from domains.scan.pipeline import PIPELINE
from domains.scan.schemas import ACTIVE, JobView
from domains.scan.service import ScanJobService
from domains.vision.validation import validate_image
from eco2.api.admission import Admission
from eco2.api.exceptions import Overloaded, PublishFailed
from eco2.api.identity import CurrentUser, auth_api
from eco2.api.ids import JobId
from eco2.api.publish import ScanPublisher
from eco2.api.schemas import AnswerIn, ErrorOut, ScanAccepted, ScanStatusOut, urls
from eco2.api.text_guard import refuse_controls
from eco2.settings import Settings
from eventing.bus.batch import write_batch
from eventing.exceptions import BusError
from eventing.progress import ProgressPublisher, live_step, wait_routed

SCANS = "/api/v1/scans"
PIPELINE_STAGES = frozenset(stage.name for stage in PIPELINE)
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (400, 401, 404, 409, 413, 415, 422, 429, 503)
}
# Above this an upload is checked and hashed in a thread: a full-size phone photo takes tens of
# milliseconds to check, which on the event loop would stall every SSE stream of the process.
# Below it the thread hand-off would cost more than it frees.
INLINE_CHECK_BYTES = 256 * 1024


@dataclass
class ScanApi:
    """What the routes need, opened by the app's lifespan (``request.app.state.scan``)."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    jobs: ScanJobService
    images: ImageStore
    blobs: BlobStore
    progress: ProgressPublisher
    publisher: ScanPublisher
    admission: Admission

    async def enqueue(self, job: JobView, image: bytes) -> None:
        """Run a new job: store its image, register and queue it, hand it to the vision stage.

        The first three are one Redis MULTI/EXEC (one round trip, and never a queued job
        without its image). On the Redis bus the hand-over joins it: a job is then queued and
        handed over together or not at all. RabbitMQ's hand-over follows the EXEC, so the
        vision stage never gets a job whose image is not stored yet.
        """
        together = self.publisher.joins(self.progress.redis)
        try:
            async with write_batch(self.progress.redis):
                await self.images.put(image, ref=job.image_ref)
                await self.progress.register_job(job.job_id)
                await self.progress.emit(job.job_id, "queued", "started", 0)
                if together:
                    await self._hand_over(job, job.hint, len(image))  # sent by the EXEC
        except BusError as exc:
            # Redis is down or refused a write: fail the job rather than leave it queued forever.
            await self.jobs.fail(job.job_id, "queued", f"the scan could not be queued: {exc}")
            raise
        if not together:
            await self._hand_over(job, job.hint, len(image))

    async def start(self, job: JobView, hint: str | None, choice: str | None = None) -> int:
        """Queue ``job`` again (a resume) and hand it to the vision stage; returns the seq of
        its ``queued`` step."""
        seq = await self.progress.emit(job.job_id, "queued", "started", 0)
        await self._hand_over(job, hint, choice=choice)
        return seq

    async def _hand_over(
        self,
        job: JobView,
        hint: str | None,
        image_bytes: int | None = None,
        choice: str | None = None,
    ) -> None:
        # A resumed job's size is not at hand (the job row does not keep it): vision asks the
        # image store then.
        request = ScanRequested(
            job_id=job.job_id,
            user_id=job.user_id,
            image_ref=job.image_ref,
            image_bytes=image_bytes,
            hint=hint,
            model=job.model,
            choice=choice,
        )
        try:
            await self.publisher.submit(request)
        except Exception as exc:
            reason = f"the scan could not be queued: {exc}"
            await self.jobs.fail(job.job_id, "queued", reason)
            await self.progress.emit(
                job.job_id, "failed", "failed", 0, {"stage": "queued", "reason": reason}
            )
            raise PublishFailed(reason) from exc


log = logging.getLogger("eco2.api")
# The form fields of an upload (multipart, so eco2.api.text_guard does not read them).
PlainText = Annotated[str, AfterValidator(refuse_controls)]
ModelName = Annotated[str, AfterValidator(refuse_controls), AfterValidator(known_model)]

router = APIRouter(prefix=SCANS, tags=["scans"], responses=ERRORS)


def _api(request: Request) -> ScanApi:
    return request.app.state.scan


async def _owned_job(api: ScanApi, job_id: str, user_id: str) -> JobView:
    """The caller's job; another user's answers the same 404 as none (ids do not leak)."""
    job = await api.jobs.get_job(job_id)
    if job.user_id != user_id:
        raise JobNotFound(f"no scan job {job_id!r}")
    return job


def _checked_digest(data: bytes, max_bytes: int, max_pixels: int) -> tuple[str, str]:
    """Refuse a bad image (``InvalidImage``), else the upload's SHA-256 and MIME type."""
    info = validate_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    return hashlib.sha256(data).hexdigest(), info.mime


def _accepted(job: JobView, *, replay: bool = False) -> JSONResponse:
    body = ScanAccepted(job_id=job.job_id, status=job.status, **urls(job.job_id))
    headers = {"Location": body.result_url}
    if replay:
        headers["Idempotent-Replay"] = "true"
    return JSONResponse(body.model_dump(), status_code=202, headers=headers)


@router.post("", status_code=202, response_model=ScanAccepted)
async def submit(
    request: Request,
    user_id: CurrentUser,
    image: Annotated[UploadFile, File(description="JPEG, PNG, WEBP, GIF or BMP, ≤ 10 MiB.")],
    hint: Annotated[
        PlainText | None, Form(max_length=500, description="What it is, in words.")
    ] = None,
    model: Annotated[
        ModelName | None, Form(max_length=100, description="LLM model: gpt-*, gemini-*, local.")
    ] = None,
    idempotency_key: Annotated[
        str | None, Header(alias="X-Idempotency-Key", max_length=200)
    ] = None,
) -> Response:
    """Accept an upload and queue its scan; 202 with where to follow it (429 past the user's
    scan rate, ``ECO2_AUTH__SCAN_BURST/_PER_MINUTE``)."""
    api = _api(request)
    await auth_api(request).service.limiter.take("scan", user_id)
    if not api.admission.admits():
        raise Overloaded(
            f"{api.admission.waiting} scans are waiting for a worker already; try again later"
        )
    limits = api.settings.vision
    # One byte past the cap is enough to know it is too large; never read the rest.
    data = await image.read(limits.max_image_bytes + 1)
    args = (data, limits.max_image_bytes, limits.max_image_pixels)
    if len(data) > INLINE_CHECK_BYTES:
        digest, mime = await asyncio.to_thread(_checked_digest, *args)
    else:
        digest, mime = _checked_digest(*args)
    ref = ImageStore.ref_for(digest)
    # Where the image lives, before the job names it (a failed store leaves no job behind);
    # the pipeline still reads it from the Redis hand-off ``enqueue`` fills.
    await api.blobs.put(data, owner=user_id, content_type=mime, ref=ref, purpose="scan")
    job, created = await api.jobs.create_job(
        user_id,
        image_ref=ref,
        image_sha256=digest,
        hint=hint or None,
        model=model or None,
        idempotency_key=idempotency_key or None,
    )
    if not created:
        return _accepted(job, replay=True)
    await api.enqueue(job, data)
    return _accepted(job)


@router.get(
    "/{job_id}",
    response_model=ScanStatusOut,
    responses={202: {"model": ScanStatusOut, "description": "Still running; poll again."}},
)
async def status(job_id: JobId, request: Request, user_id: CurrentUser) -> Response:
    """The job: 202 + Retry-After while it runs, 200 once done, failed or waiting for input."""
    api = _api(request)
    job = await _owned_job(api, job_id, user_id)
    stage: str  # a live step's stage is any pipeline stage's name
    status, stage, progress = job.status, job.stage, job.progress
    # A running job's stages are in the progress log, not in its row (see ScanProgress).
    live = await live_step(api.progress, job_id) if status in ACTIVE else None
    if live is not None and live[0] in PIPELINE_STAGES:
        status, (stage, progress) = "running", live
    body = ScanStatusOut(
        job_id=job.job_id,
        status=status,
        stage=stage,
        progress=progress,
        result=job.result if job.status == "done" else None,
        question=job.question if job.status == "needs_input" else None,
        choices=job.choices if job.status == "needs_input" else None,
        failure_reason=job.failure_reason if job.status == "failed" else None,
    )
    content = body.model_dump(exclude_none=True)
    if status in ACTIVE:
        return JSONResponse(content, status_code=202, headers={"Retry-After": "1"})
    return JSONResponse(content)


@router.post("/{job_id}/answer", status_code=202, response_model=ScanAccepted)
async def answer(job_id: JobId, body: AnswerIn, request: Request, user_id: CurrentUser) -> Response:
    """Answer a ``needs_input`` job's question; the scan restarts at vision with it as hint.

    A picked ``choice`` decides the category; without text the hint stays what it was (or, for
    a photo sent without one, becomes the chosen stream's name), so vision has words to pass on.
    """
    api = _api(request)
    current = await _owned_job(api, job_id, user_id)
    hint = body.text
    if hint is None:
        hint = current.hint or category_name(body.choice)  # type: ignore[arg-type]  # validated
    answer = " ".join(filter(None, [body.text, body.choice and f"[{body.choice}]"]))
    job = await api.jobs.resume(job_id, answer, stage="vision", progress=0)
    # A scan may wait for its answer longer than the hand-off keeps its image.
    await request.app.state.images.stage(job.image_ref, user_id)
    # The new ``queued`` step also moves the gateway's state past the terminal needs_input, so
    # a client reconnecting with that event's id follows the resumed run.
    seq = await api.start(job, hint, body.choice)
    # Answer only once the router has routed that step: until then a client reconnecting after
    # the terminal needs_input event would get an empty, closed stream (regression test:
    # test_photo_without_mark_asks_then_the_answer_completes_it).
    if not await wait_routed(api.progress, job.job_id, seq, timeout_s=5.0):
        log.warning("job %s: resumed step %d not routed within 5 s", job.job_id, seq)
    return _accepted(job)
