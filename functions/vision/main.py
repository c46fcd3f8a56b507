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

from cloudevents.http import CloudEvent
from pydantic import BaseModel, Field

from domains.image import ImageBudget, ImageStore, RedisImageStore
from domains.llm import ImageInput, LLMError, LLMRequest, ResilientLLM, provider_for
from domains.vision.recognise import recognise
from domains.vision.validation import image_mime
from eco2.settings import Settings, get_settings
from eventing.bus.redis import connect
from eventing.events import ScanNeedsInput, ScanState, VisionResult, payload_of, reply_to
from eventing.runtime import function

log = logging.getLogger("functions.vision")

_images: ImageStore | None = None
_redis = None  # the image store's client when ``start`` opened it
_llm: ResilientLLM | None = None
_budget: ImageBudget | None = None

SYSTEM = (
    "사진 속 버릴 물건을 한국어로 짧게 말해 줘. item에는 품목 이름(예: 투명 생수 페트병), "
    "parts에는 분리할 부분(예: 병, 라벨, 뚜껑), "
    "marks에는 보이는 분리배출 표시 글자(예: 무색페트, PP)를 "
    "넣어. 물건이 보이지 않거나 확실하지 않으면 item을 비워 둬."
)


class SeenByModel(BaseModel):
    """What a vision model is asked to fill in."""

    item: str | None = Field(None, description="Short Korean item name, or null if unsure.")
    parts: list[str] = Field(default_factory=list)
    marks: list[str] = Field(default_factory=list)


async def start(settings: Settings) -> None:
    """Connect to the image store (Redis) on this loop."""
    global _images, _redis
    if _images is None:
        _redis = connect(settings.redis_url, max_connections=8)
        _images = RedisImageStore(_redis)


def use(images: ImageStore) -> None:
    """Serve images from ``images`` instead (the embedded default's in-process store)."""
    global _images
    _images = images


async def stop() -> None:
    global _images, _redis, _llm, _budget
    if _redis is not None:
        await _redis.aclose()
    if _llm is not None:
        await _llm.aclose()
    _images, _redis, _llm, _budget = None, None, None, None


def _image_budget() -> ImageBudget:
    global _budget
    if _budget is None:
        _budget = ImageBudget(get_settings().vision.inflight_image_mb * 1024 * 1024)
    return _budget


async def _ask_model(image: bytes, state: ScanState, model: str) -> VisionResult | None:
    """A cloud vision model's reading, or None when it cannot say (then OCR decides)."""
    global _llm
    if _llm is None:
        _llm = ResilientLLM(lambda: get_settings().llm)
    mime = image_mime(image)
    request = LLMRequest(
        system=SYSTEM,
        prompt=f"사용자 메모: {state.request.hint or '-'}",
        images=[ImageInput(data=image, mime=mime)],
        model=model,
    )
    try:
        seen = await _llm.structured(request, SeenByModel)
    except LLMError as exc:  # every provider failed (offline ends on local, which cannot see)
        log.warning("vision model gave nothing (%s); reading the mark instead", exc)
        return None
    if not seen.item:
        return None
    text = " ".join(filter(None, [seen.item, state.request.hint or "", *seen.marks]))
    return VisionResult(
        item=seen.item, text=text, marks=seen.marks, parts=seen.parts, source="llm", confidence=0.8
    )


def ready() -> bool:
    return _images is not None


@function
async def handle(event: CloudEvent) -> CloudEvent:
    state = payload_of(event, ScanState)
    if _images is None:
        await start(get_settings())
    assert _images is not None
    ref = state.request.image_ref
    size = state.request.image_bytes
    if size is None:  # a resumed scan, or an older producer: ask the store
        size = await _images.size(ref)
    async with _image_budget().hold(size):
        return await _see(event, state, await _images.get(ref))


async def _see(event: CloudEvent, state: ScanState, image: bytes) -> CloudEvent:
    model = state.request.model or get_settings().llm.model
    if provider_for(model) != "local" and (by_model := await _ask_model(image, state, model)):
        return reply_to(
            event, "kr.eco2.scan.vision.completed", state.model_copy(update={"vision": by_model})
        )
    seen = await asyncio.to_thread(recognise, image, state.request.hint)
    if seen.needs_input:
        question = seen.question or "어떤 물건인지 알려 주시겠어요?"
        asked = ScanNeedsInput(job_id=state.request.job_id, question=question, state=state)
        return reply_to(event, "kr.eco2.scan.needs_input", asked)
    vision = VisionResult(
        item=seen.item,
        text=seen.text,
        marks=seen.marks,
        source=seen.source,
        confidence=seen.confidence,
    )
    return reply_to(
        event, "kr.eco2.scan.vision.completed", state.model_copy(update={"vision": vision})
    )
