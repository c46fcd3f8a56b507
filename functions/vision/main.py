"""The vision stage: say what the photographed item is.

``kr.eco2.scan.requested`` → ``kr.eco2.scan.vision.completed``, or ``kr.eco2.scan.needs_input``
when neither a recycling mark nor the user's hint says what the item is. Offline, vision reads
the recycling mark with Tesseract (``domains.vision``); no object recognition is pretended.
The image bytes wait in the image store; the event carries only their reference and size. A
worker holds hundreds of scans at once, so it fetches an image only once its bytes fit the
process's image budget (``ECO2_VISION__INFLIGHT_IMAGE_MB``, ``domains.image.budget``).

``handle`` is ``async def``: fetching the image and asking a cloud model are waits, run on the
trigger's event loop; the OCR, which is CPU work, goes to a thread so the loop stays free.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from cloudevents.http import CloudEvent
from pydantic import BaseModel, Field
from redis import asyncio as aioredis

from domains.image import ImageBudget, ImageStore, RedisImageStore
from domains.llm import ImageInput, LLMError, LLMRequest, LLMSettings, ResilientLLM, provider_for
from domains.scan import events
from domains.scan.events import ScanNeedsInput, ScanState, VisionResult
from domains.vision.availability import ocr_available
from domains.vision.recognise import recognise
from domains.vision.settings import VisionSettings
from domains.vision.validation import image_mime
from eventing.bus.redis import connect
from eventing.events import payload_of, reply_to

log = logging.getLogger("functions.vision")

SYSTEM = (
    "사진 속 버릴 물건을 한국어로 짧게 말해 줘. item에는 품목 이름(예: 투명 생수 페트병), "
    "parts에는 분리할 부분(예: 병, 라벨, 뚜껑), "
    "marks에는 보이는 분리배출 표시 글자(예: 무색페트, PP)를 "
    "넣어. 물건이 보이지 않거나 확실하지 않으면 item을 비워 둬."
)
ASK = "어떤 물건인지 알려 주시겠어요?"


class Config(Protocol):
    """What the vision stage reads of a process's settings."""

    @property
    def redis_url(self) -> str: ...
    @property
    def llm(self) -> LLMSettings: ...
    @property
    def vision(self) -> VisionSettings: ...


class SeenByModel(BaseModel):
    """What a vision model is asked to fill in."""

    item: str | None = Field(None, description="Short Korean item name, or null if unsure.")
    parts: list[str] = Field(default_factory=list)
    marks: list[str] = Field(default_factory=list)


class Vision:
    """The stage with its image store, LLM client and image budget."""

    def __init__(self, settings: Config, images: ImageStore | None = None) -> None:
        self.settings = settings
        self.images = images
        self._redis: aioredis.Redis | None = None  # the image store's client, opened by start
        self.llm = ResilientLLM(lambda: settings.llm)
        self.budget = ImageBudget(settings.vision.inflight_image_mb * 1024 * 1024)

    async def start(self) -> None:
        """Say once whether OCR can read marks here, connect to the image store (Redis) on this
        loop unless one was given, and import the configured model's SDKs (not in the first
        event)."""
        self.llm.prepare()
        available, how = ocr_available(self.settings.vision)
        if available:
            log.info("vision reads recycling marks with %s", how)
        else:
            log.warning("OCR is off (%s): vision goes by the user's hint, or asks", how)
        if self.images is None:
            self._redis = connect(self.settings.redis_url, max_connections=8)
            self.images = RedisImageStore(self._redis)

    async def stop(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis, self.images = None, None
        await self.llm.aclose()

    def ready(self) -> bool:
        return self.images is not None

    async def handle(self, event: CloudEvent) -> CloudEvent:
        state = payload_of(event, ScanState)
        if self.images is None:
            raise RuntimeError("vision is not started: no image store")
        ref = state.request.image_ref
        size = state.request.image_bytes
        if size is None:  # a resumed scan, or an older producer: ask the store
            size = await self.images.size(ref)
        async with self.budget.hold(size):
            return await self._see(event, state, await self.images.get(ref))

    async def _see(self, event: CloudEvent, state: ScanState, image: bytes) -> CloudEvent:
        model = state.request.model or self.settings.llm.model
        if provider_for(model) != "local" and (
            by_model := await self._ask_model(image, state, model)
        ):
            done = state.model_copy(update={"vision": by_model})
            return reply_to(event, events.VISION_COMPLETED, done)
        seen = await asyncio.to_thread(
            recognise, image, state.request.hint, settings=self.settings.vision
        )
        if seen.needs_input:
            question = seen.question or ASK
            asked = ScanNeedsInput(job_id=state.request.job_id, question=question, state=state)
            return reply_to(event, events.NEEDS_INPUT, asked)
        vision = VisionResult(
            item=seen.item,
            text=seen.text,
            marks=seen.marks,
            source=seen.source,
            confidence=seen.confidence,
        )
        return reply_to(event, events.VISION_COMPLETED, state.model_copy(update={"vision": vision}))

    async def _ask_model(self, image: bytes, state: ScanState, model: str) -> VisionResult | None:
        """A cloud vision model's reading, or None when it cannot say (then OCR decides)."""
        request = LLMRequest(
            system=SYSTEM,
            prompt=f"사용자 메모: {state.request.hint or '-'}",
            images=[ImageInput(data=image, mime=image_mime(image))],
            model=model,
        )
        try:
            seen = await self.llm.structured(request, SeenByModel)
        except LLMError as exc:  # every provider failed (offline ends on local, which cannot see)
            log.warning("vision model gave nothing (%s); reading the mark instead", exc)
            return None
        if not seen.item:
            return None
        text = " ".join(filter(None, [seen.item, state.request.hint or "", *seen.marks]))
        return VisionResult(
            item=seen.item,
            text=text,
            marks=seen.marks,
            parts=seen.parts,
            source="llm",
            confidence=0.8,
        )


def new(settings: Config, *, images: ImageStore | None = None) -> Vision:
    """The vision stage; ``images`` replaces the Redis image store (the embedded default)."""
    return Vision(settings, images)
