"""The vision stage: say what the photographed item is.

``kr.eco2.scan.requested`` → ``kr.eco2.scan.vision.completed``, or ``kr.eco2.scan.needs_input``
when neither a recycling mark nor the user's hint says what the item is. Offline, vision reads
the recycling mark with Tesseract (``domains.vision``); no object recognition is pretended.
The image bytes wait in the image store; the event carries only their reference.
"""

from __future__ import annotations

from cloudevents.http import CloudEvent

from domains.image import ImageStore, RedisImageStore
from domains.vision.recognise import recognise
from eco2.settings import Settings, get_settings
from eventing.bus.redis import connect
from eventing.events import ScanNeedsInput, ScanState, VisionResult, payload_of, reply_to
from eventing.runtime import function
from eventing.runtime.loop import LoopThread

_loop: LoopThread | None = None
_images: ImageStore | None = None


def start(settings: Settings) -> None:
    """Connect to the image store (Redis) on a loop thread."""
    global _loop, _images
    if _images is not None:
        return
    loop = LoopThread("vision-images")
    _loop, _images = loop, RedisImageStore(connect(settings.redis_url, max_connections=8))


def use(images: ImageStore, loop: LoopThread) -> None:
    """Serve images from ``images`` instead (the embedded default's in-process store)."""
    global _loop, _images
    _loop, _images = loop, images


def stop() -> None:
    global _loop, _images
    if _loop is not None:
        _loop.close()
    _loop, _images = None, None


def ready() -> bool:
    return _images is not None


@function
def handle(event: CloudEvent) -> CloudEvent:
    state = payload_of(event, ScanState)
    if _images is None:
        start(get_settings())
    assert _loop is not None and _images is not None
    image = _loop.run(_images.get(state.request.image_ref), timeout=15)
    seen = recognise(image, state.request.hint)
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
