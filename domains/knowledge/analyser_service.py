"""The analysis service: one long-lived process owns Kiwi and tokenizes for the functions.

Kiwi's language model is ~230 MB and a CPU second to build and warm; a chat pod that scales
to zero paid both at every cold start. This Starlette app (``eco2 analyser``) builds Kiwi once,
as a function process would (``domains.knowledge.analyser.kiwi``: no multi-word or default
dictionary, the typo dictionary per ``KnowledgeSettings``), and answers batches:

- ``POST /v1/tokenize`` ``{"texts": [...]}`` → ``{"tokens": [[[form, tag, start, len], ...],
  ...], "typo_dict": bool, "user_nouns": [...]}``, one token list per text, in order (the last
  two say how this Kiwi is built: a client whose own would differ does not use it);
- ``POST /v1/sentences`` ``{"texts": [...]}`` → ``{"sentences": [[text, ...], ...],
  "typo_dict": bool, "user_nouns": [...]}`` (Kiwi's ``split_into_sents``, its sentence texts
  unstripped);
- ``GET /healthz`` (the process answers), ``GET /readyz`` (200 once Kiwi is built and has
  analysed a text: its lazy initialisation happens at the first call, not at the build),
  ``GET /metrics`` (Prometheus).

The service keeps each text's tokens (``CachedKiwi``, least recently used out): texts recur
(the same item typed by many people, a chat message read by the splitter and the classifier).

Bad input is a 4xx (400 for a body that is not JSON, 422 for one that is not the model, 413
for too many texts or too long a text); a request that arrives while Kiwi is still being
built waits for it (up to ``READY_WAIT_S``, then 503). The client is
``domains.knowledge.analyser.RemoteAnalyser``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domains.knowledge.analyser import (
    MAX_TEXTS,
    KiwiAnalyser,
    Tokens,
    typo_dict,
    user_nouns,
)

log = logging.getLogger(__name__)

# A chat message is at most a few thousand characters; a rule passage a few hundred. Longer is
# not a text to analyse but a mistake (or an attempt to hold the one Kiwi for seconds).
MAX_TEXT_CHARS = 20_000
READY_WAIT_S = 30.0
# What Kiwi analyses before the service says it is ready: its first call initialises the
# model lazily (~0.5 CPU s), which no client's first request should pay.
WARM_UP = "페트병은 어떻게 버려? 근처 수거함도 알려줘"
# Texts whose tokens the service keeps (a token list is a few hundred bytes).
CACHE_TEXTS = 20_000

REQUESTS = Counter(
    "eco2_analyser_requests_total",
    "Analysis requests, by endpoint and status.",
    ["endpoint", "status"],
)
TEXTS = Counter("eco2_analyser_texts_total", "Texts analysed, by endpoint.", ["endpoint"])
CACHED = Counter("eco2_analyser_cached_texts_total", "Texts tokenized from the kept tokens.")
SECONDS = Histogram(
    "eco2_analyser_seconds",
    "Time to analyse one request's batch, by endpoint.",
    ["endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class Texts(BaseModel):
    """A batch of texts to analyse, answered in the same order."""

    model_config = ConfigDict(extra="forbid", strict=True)

    texts: list[str] = Field(min_length=1)


class TokenizeResponse(BaseModel):
    tokens: list[list[tuple[str, str, int, int]]]
    typo_dict: bool
    user_nouns: list[str]


class SentencesResponse(BaseModel):
    sentences: list[list[str]]
    typo_dict: bool
    user_nouns: list[str]


class CachedKiwi:
    """Kiwi in this process with its tokens kept per text (least recently used first out): Kiwi
    gives a text the same tokens every time, and a lookup costs less than its analysis."""

    def __init__(self, size: int = CACHE_TEXTS) -> None:
        self._kiwi = KiwiAnalyser()
        self._size = size
        self._kept: OrderedDict[str, Tokens] = OrderedDict()
        self._lock = threading.Lock()

    def tokenize(self, text: str) -> Tokens:
        return self.tokenize_many([text])[0]

    def tokenize_many(self, texts: Sequence[str]) -> list[Tokens]:
        with self._lock:
            known = {text: self._kept[text] for text in texts if text in self._kept}
            for text in known:
                self._kept.move_to_end(text)
        CACHED.inc(sum(text in known for text in texts))
        missing = list(dict.fromkeys(text for text in texts if text not in known))
        fresh = dict(zip(missing, self._kiwi.tokenize_many(missing), strict=True))
        if fresh:
            with self._lock:
                self._kept.update(fresh)
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
        return [known[text] if text in known else fresh[text] for text in texts]

    def split_into_sents(self, text: str) -> list[str]:
        return self._kiwi.split_into_sents(text)


class Service:
    """Kiwi, built in a thread at start, and whether it is ready yet."""

    def __init__(self) -> None:
        self.analyser = CachedKiwi()
        self.ready = threading.Event()
        self.failed: str | None = None
        self.ready_after_s: float | None = None

    def build(self) -> None:
        started = time.perf_counter()
        try:
            self.analyser.tokenize(WARM_UP)
        except Exception as exc:  # reported by /healthz and /readyz, not lost in a thread
            log.exception("building Kiwi failed")
            self.failed = f"{type(exc).__name__}: {exc}"
            return
        self.ready_after_s = time.perf_counter() - started
        self.ready.set()

    async def wait_ready(self) -> bool:
        if self.ready.is_set():
            return True
        return await asyncio.to_thread(self.ready.wait, READY_WAIT_S)


def _error(status: int, detail: Any) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


async def _texts(request: Request) -> Texts | JSONResponse:
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "the body is not JSON")
    try:
        batch = Texts.model_validate(body)
    except ValidationError as exc:
        return _error(422, exc.errors(include_url=False, include_context=False))
    if len(batch.texts) > MAX_TEXTS:
        return _error(413, f"at most {MAX_TEXTS} texts per request")
    if any(len(text) > MAX_TEXT_CHARS for text in batch.texts):
        return _error(413, f"a text is longer than {MAX_TEXT_CHARS} characters")
    return batch


def create_app() -> Starlette:
    """The service's app; Kiwi is built in a thread when its lifespan starts."""
    service = Service()

    async def answer(request: Request, endpoint: str) -> Response:
        parsed = await _texts(request)
        if isinstance(parsed, JSONResponse):
            REQUESTS.labels(endpoint, str(parsed.status_code)).inc()
            return parsed
        if not await service.wait_ready():
            REQUESTS.labels(endpoint, "503").inc()
            return _error(503, service.failed or "Kiwi is still being built")
        started = time.perf_counter()
        body: BaseModel
        if endpoint == "tokenize":
            found = await run_in_threadpool(service.analyser.tokenize_many, parsed.texts)
            body = TokenizeResponse(
                tokens=[[(t.form, t.tag, t.start, t.len) for t in each] for each in found],
                typo_dict=typo_dict(),
                user_nouns=user_nouns(),
            )
        else:
            split = service.analyser.split_into_sents
            sentences = await run_in_threadpool(lambda: [split(text) for text in parsed.texts])
            body = SentencesResponse(
                sentences=sentences, typo_dict=typo_dict(), user_nouns=user_nouns()
            )
        SECONDS.labels(endpoint).observe(time.perf_counter() - started)
        TEXTS.labels(endpoint).inc(len(parsed.texts))
        REQUESTS.labels(endpoint, "200").inc()
        return Response(body.model_dump_json(), media_type="application/json")

    async def tokenize(request: Request) -> Response:
        return await answer(request, "tokenize")

    async def sentences(request: Request) -> Response:
        return await answer(request, "sentences")

    async def healthz(request: Request) -> Response:
        # A model that failed to build never will in this process: let the kubelet restart it.
        if service.failed:
            return _error(500, service.failed)
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        if service.ready.is_set():
            return JSONResponse(
                {
                    "status": "ready",
                    "typo_dict": typo_dict(),
                    "user_nouns": user_nouns(),
                    "ready_after_s": service.ready_after_s,
                }
            )
        return _error(503, service.failed or "Kiwi is still being built")

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Built beside the loop: /healthz answers while Kiwi loads (a second or two).
        building = asyncio.get_running_loop().run_in_executor(None, service.build)
        yield
        if not building.done():
            building.cancel()

    app = Starlette(
        routes=[
            Route("/v1/tokenize", tokenize, methods=["POST"]),
            Route("/v1/sentences", sentences, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.service = service
    return app
