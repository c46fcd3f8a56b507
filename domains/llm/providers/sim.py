"""The simulated provider: the local provider's grounded answers, after a cloud model's wait.

The load benchmark (``bench/``) must reproduce the seed's workload — a scan averages 11.3 s, 85 %
of it (9.6 s) waiting on the LLM — without a network. This provider answers exactly what the
offline provider answers (so results stay correct and deterministic) but first sleeps a latency
drawn around a per-call mean, so the rest of the system sees the waits and concurrency a cloud
model causes. Model names ``sim`` and ``sim-*`` route here (``routing.provider_for``).

The seed's profile, split over the calls a scan makes (``ECO2_LLM__SIM_*``):

- a call with images (the vision stage's ``structured``): ``sim_vision_s`` = 4.0 s;
- a text call (the answer stage's ``stream``, or ``generate``/``structured``): ``sim_text_s``
  = 5.6 s; a stream spreads it over ``sim_stream_chunks`` deltas, the first after half the wait
  (time to first token), the rest evenly, as a model streaming its answer does;
- the other 15 % of the seed's 11.3 s is the system's own processing, which the benchmark
  measures rather than simulates.

``sim_jitter`` spreads each wait uniformly by ± that fraction and ``sim_scale`` multiplies every
wait (0.1 for quick runs). Draws come from a ``random.Random(sim_seed)`` per provider, so one
process's sequence of waits is reproducible.

A vision call's ``structured`` answer cannot come from seeing the image: for schemas the local
provider has no builder for, every text field is filled with the user's note (the prompt after
its last ``:``), list fields stay empty — the simulated model "sees" what the user said it is.
"""

from __future__ import annotations

import asyncio
import random
import re
import types
import typing
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

from domains.llm.settings import LLMSettings

from ..exceptions import UnsupportedRequest
from ..port import Completion, LLMRequest, Usage
from .base import Provider, Structured, T
from .local import _SCHEMAS, LocalProvider, _usage, compose

NOTE_CHARS = 60  # the longest "seen" text a simulated vision answer puts in a field


class SimProfile(NamedTuple):
    """The latency profile; hashable, so the client rebuilds the provider when it changes."""

    vision_s: float
    text_s: float
    jitter: float
    scale: float
    chunks: int
    seed: int

    @classmethod
    def of(cls, llm: LLMSettings) -> SimProfile:
        return cls(
            llm.sim_vision_s,
            llm.sim_text_s,
            llm.sim_jitter,
            llm.sim_scale,
            llm.sim_stream_chunks,
            llm.sim_seed,
        )

    def per_scan_s(self) -> float:
        """Mean simulated LLM wait of one scan (one vision call and one answer stream)."""
        return (self.vision_s + self.text_s) * self.scale


def _chunks(text: str, count: int) -> list[str]:
    """``text`` cut at word boundaries into at most ``count`` pieces that join back to it."""
    words = re.findall(r"\S+\s*|\s+", text)
    if not words:
        return []
    count = max(1, min(count, len(words)))
    size, extra = divmod(len(words), count)
    pieces, start = [], 0
    for n in range(count):
        end = start + size + (1 if n < extra else 0)
        pieces.append("".join(words[start:end]))
        start = end
    return pieces


def _accepts_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return str in typing.get_args(annotation)
    return False


def _note(request: LLMRequest) -> str:
    """What the user said the item is: the prompt after its last ``:`` (or the whole prompt)."""
    text = request.prompt.rsplit(":", 1)[-1].strip(" -\n")
    return text[:NOTE_CHARS]


class SimProvider(Provider):
    """Answers as ``LocalProvider`` does, after a seeded, scaled wait per call."""

    name = "sim"

    def __init__(self, profile: SimProfile) -> None:
        self.profile = profile
        self._local = LocalProvider()
        self._random = random.Random(profile.seed)

    def wait_s(self, request: LLMRequest) -> float:
        """The next call's wait: the mean for its kind, jittered, scaled."""
        p = self.profile
        mean = p.vision_s if request.images else p.text_s
        spread = self._random.uniform(-p.jitter, p.jitter)
        return max(0.0, mean * (1 + spread) * p.scale)

    async def generate(self, request: LLMRequest, model: str) -> Completion:
        await asyncio.sleep(self.wait_s(request))
        done = await self._local.generate(request, model)
        return done.model_copy(update={"provider": self.name})

    async def stream(self, request: LLMRequest, model: str, usage: Usage) -> AsyncIterator[str]:
        total = self.wait_s(request)
        pieces = _chunks(compose(request), self.profile.chunks)
        # Half the wait before the first delta (the model reads the prompt), then the rest
        # spread evenly between the deltas, so the stream ends after ``total`` seconds.
        first = total / 2
        gap = (total - first) / max(1, len(pieces) - 1) if len(pieces) > 1 else 0.0
        await asyncio.sleep(first)
        for n, piece in enumerate(pieces):
            if n:
                await asyncio.sleep(gap)
            yield piece
        got = _usage(request, "".join(pieces))
        usage.input_tokens, usage.output_tokens = got.input_tokens, got.output_tokens

    async def structured(self, request: LLMRequest, model: str, schema: type[T]) -> Structured[T]:
        await asyncio.sleep(self.wait_s(request))
        if schema in _SCHEMAS:
            return await self._local.structured(request, model, schema)
        note = _note(request)
        values: dict[str, Any] = {}
        for field_name, field in schema.model_fields.items():
            if _accepts_str(field.annotation):
                values[field_name] = note or ("" if field.is_required() else None)
            elif field.is_required():
                raise UnsupportedRequest(
                    f"the simulated provider cannot fill {schema.__name__}.{field_name}"
                )
        value = schema.model_validate(values)
        return Structured(value=value, usage=_usage(request, value.model_dump_json()))
