"""The chat sub-agents' tools, behind small ports with offline defaults.

Each port has the implementation that works here with no key and no network, grounded on the
project's own data, and a second one where a real service exists. This module holds the
``Guard`` every external call goes through (a circuit breaker per dependency, the LLM port's
``CircuitBreaker``, and a timeout, so a dead service costs a turn nothing after it opens) and
the two tools with no domain of their own:

- ``WebSearch``: ``OfflineSearch`` searches the project's own documents (the knowledge base's
  rule passages) and says it is offline.
- ``ImageMaker``: ``CardPainter`` draws a real PNG card with Pillow and stores it in the image
  store (``domains.image``), returning its reference.

The weather is in ``domains.chat.weather`` (offline, or the KMA village forecast); places,
fees, prices and the collection calendar in ``domains.chat.places`` (ports and offline
defaults) and ``domains.chat.places_db`` (over ``domains.location`` and ``domains.info``).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

import httpx
from PIL import Image, ImageDraw, ImageFont
from pydantic import BaseModel, Field

from domains.image import ImageStore
from domains.llm.breaker import CircuitBreaker

R = TypeVar("R")


class ToolUnavailable(Exception):
    """A tool cannot answer right now (offline, circuit open, service error); says why."""


class Guard:
    """A breaker and a timeout for one external dependency."""

    def __init__(self, name: str, failures: int = 3, reset_s: float = 30.0, timeout_s: float = 5.0):
        self.name = name
        self.breaker = CircuitBreaker(f"chat-{name}", failures, reset_s)
        self.timeout_s = timeout_s

    async def call(self, make: Callable[[], Awaitable[R]]) -> R:
        try:
            self.breaker.before_call()
        except Exception as exc:  # CircuitOpen: fail fast, the reason is in its message
            raise ToolUnavailable(str(exc)) from exc
        try:
            async with asyncio.timeout(self.timeout_s):
                result = await make()
        except (TimeoutError, httpx.HTTPError, ToolUnavailable, ValueError, KeyError) as exc:
            self.breaker.failure()
            raise ToolUnavailable(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        except BaseException:
            self.breaker.release()
            raise
        self.breaker.success()
        return result


# ----- web search ------------------------------------------------------------------------------


class SearchHit(BaseModel):
    title: str
    text: str
    source: str
    score: float


class WebSearch(Protocol):
    online: bool

    async def search(self, query: str, k: int = 3) -> list[SearchHit]: ...


SEARCH_MIN_SHARE = 0.5


class OfflineSearch:
    """Searches the project's own documents (the knowledge base's rules); it is offline."""

    online = False

    async def search(self, query: str, k: int = 3) -> list[SearchHit]:
        from domains.chat.splitter import morphemes
        from domains.knowledge import search_rules

        # Retrieval scores are relative to the best passage, so relevance is judged apart: at
        # least half of the query's nouns must occur in the passage.
        nouns = {t.form for t in morphemes(query) if t.tag in ("NNG", "NNP", "SL")}
        found: list[SearchHit] = []
        for hit in search_rules(query, k):
            passage = f"{hit.title} {hit.text}"
            share = sum(noun in passage for noun in nouns) / len(nouns) if nouns else 0.0
            if share >= SEARCH_MIN_SHARE:
                found.append(
                    SearchHit(
                        title=hit.title, text=hit.text, source=f"knowledge:{hit.id}", score=share
                    )
                )
        return found


# ----- image generation ------------------------------------------------------------------------


class MadeImage(BaseModel):
    ref: str = Field(description="Key in the image store.")
    url: str
    width: int
    height: int
    description: str


class ImageMaker(Protocol):
    async def make(
        self, prompt: str, title: str, lines: list[str], owner: str | None = None
    ) -> MadeImage: ...


_FONT_DIRS = ("/usr/share/fonts/truetype/nanum", "/usr/share/fonts/opentype/nanum")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from pathlib import Path

    for folder in _FONT_DIRS:
        for name in ("NanumGothicBold.ttf", "NanumGothic.ttf", "NanumSquareB.ttf"):
            path = Path(folder) / name
            if path.exists():
                return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


class ImageGrants(Protocol):
    """Records who owns a stored image (``domains.image.owners.ImageOwners``)."""

    async def grant(self, user_id: str, ref: str) -> None: ...


class CardPainter:
    """Draws a card (title, lines of text, a leaf) as a PNG and stores it."""

    def __init__(
        self,
        images: ImageStore,
        url_prefix: str = "/api/v1/images/",
        owners: ImageGrants | None = None,
    ) -> None:
        self.images = images
        self.url_prefix = url_prefix
        self.owners = owners

    def paint(self, title: str, lines: list[str], width: int = 480, height: int = 640) -> bytes:
        card = Image.new("RGB", (width, height), (232, 245, 233))
        draw = ImageDraw.Draw(card)
        draw.rounded_rectangle(
            (16, 16, width - 16, height - 16), 24, outline=(46, 125, 50), width=6
        )
        draw.ellipse((width // 2 - 90, 90, width // 2 + 90, 270), fill=(129, 199, 132))
        draw.polygon(
            [(width // 2, 110), (width // 2 + 60, 180), (width // 2, 250), (width // 2 - 60, 180)],
            fill=(56, 142, 60),
        )
        draw.text((40, 300), title, font=_font(36), fill=(27, 94, 32))
        y = 360
        for line in lines[:6]:
            draw.text((40, y), line[:22], font=_font(22), fill=(33, 33, 33))
            y += 40
        out = io.BytesIO()
        card.save(out, format="PNG")
        return out.getvalue()

    async def make(
        self, prompt: str, title: str, lines: list[str], owner: str | None = None
    ) -> MadeImage:
        """Paint and store the card; ``owner`` is granted it (``/api/v1/images`` serves an image
        to its owners only)."""
        data = await asyncio.to_thread(self.paint, title, lines)
        ref = await self.images.put(data)
        if owner is not None and self.owners is not None:
            await self.owners.grant(owner, ref)
        return MadeImage(
            ref=ref,
            url=f"{self.url_prefix}{ref}",
            width=480,
            height=640,
            description=f"{title} 카드 ({prompt[:40]})",
        )
