"""The offline provider: deterministic, grounded on the knowledge base, never on the network.

It is the default when no key is set and the last step of every fallback chain, so it must give
answers a person would find correct. It does not invent: it composes the answer from grounding
passages, taken from ``request.context`` when the caller retrieved them already
(``{"guidance": str, "rules": [str | {"title", "text"}]}``) and otherwise from
``domains.knowledge`` (imported lazily: the LLM port must not depend on the knowledge base to
load). Structured output works for the schemas registered with ``register_local_schema``.
Images cannot be seen offline (vision offline is OCR, done by the vision stage).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from pydantic import BaseModel

from ..exceptions import UnsupportedRequest
from ..port import Completion, LLMRequest, Usage
from .base import Provider, Structured, T

log = logging.getLogger(__name__)

NO_IMAGES = (
    "오프라인 모드에서는 사진을 직접 볼 수 없어요. 사진 속 글자(OCR 결과)나 품목 이름을 "
    "알려 주시면 분리배출 규칙으로 안내해 드릴게요."
)
NOT_FOUND = (
    "오프라인 모드라 지식 베이스의 분리배출 규칙으로만 답할 수 있는데, 이 질문에 맞는 규칙을 "
    "찾지 못했어요. 품목 이름(예: 페트병, 우유팩, 건전지)을 넣어 다시 물어봐 주세요."
)

_TOKEN = re.compile(r"\w+|[^\w\s]")
_SCHEMAS: dict[type[BaseModel], Callable[[LLMRequest], BaseModel]] = {}


def count_tokens(text: str) -> int:
    """A deterministic token estimate (words and punctuation), for usage accounting."""
    return len(_TOKEN.findall(text))


def register_local_schema(schema: type[T], build: Callable[[LLMRequest], T]) -> None:
    """Teach the local provider to answer ``structured(request, schema)`` with ``build``."""
    _SCHEMAS[schema] = build


def _passages(context: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for rule in context.get("rules") or []:
        if isinstance(rule, str):
            lines.append(rule)
        elif isinstance(rule, dict) and rule.get("text"):
            title = rule.get("title")
            lines.append(f"{title}: {rule['text']}" if title else str(rule["text"]))
    return lines


def _from_knowledge(question: str) -> tuple[str | None, list[str]]:
    """Guidance and rule passages from the knowledge base, or nothing if it cannot answer."""
    try:
        from domains import knowledge

        item = knowledge.classify(question)
        text = knowledge.guidance(item) if item.category else None
        hits = knowledge.search_rules(question, 3)
    except Exception as exc:  # the knowledge base is optional for this package
        log.warning("local LLM: knowledge base unavailable: %s", exc)
        return None, []
    return text, [f"{hit.title}: {hit.text}" for hit in hits]


def compose(request: LLMRequest) -> str:
    """The offline answer: grounded guidance, the rules it rests on, and honesty about limits."""
    guidance = request.context.get("guidance")
    passages = _passages(request.context)
    if not guidance and not passages:
        guidance, passages = _from_knowledge(request.prompt)
    parts: list[str] = []
    if request.images:
        parts.append(NO_IMAGES)
    if guidance:
        parts.append(str(guidance).strip())
    if passages:
        parts.append("참고한 규칙:\n" + "\n".join(f"- {line}" for line in passages))
    if not guidance and not passages:
        parts.append(NOT_FOUND)
    text = "\n\n".join(parts)
    if request.max_output_tokens is not None:
        text = _truncate(text, request.max_output_tokens)
    return text


def _truncate(text: str, max_tokens: int) -> str:
    matches = list(_TOKEN.finditer(text))
    if len(matches) <= max_tokens:
        return text
    return text[: matches[max_tokens - 1].end()]


def _usage(request: LLMRequest, text: str) -> Usage:
    prompt = (request.system or "") + "\n" + request.prompt
    return Usage(input_tokens=count_tokens(prompt), output_tokens=count_tokens(text))


class LocalProvider(Provider):
    """Answers from the knowledge base; the model name is ``local``."""

    name = "local"

    async def generate(self, request: LLMRequest, model: str) -> Completion:
        text = compose(request)
        return Completion(text=text, model=model, provider=self.name, usage=_usage(request, text))

    async def stream(self, request: LLMRequest, model: str, usage: Usage) -> AsyncIterator[str]:
        text = compose(request)
        # Word by word, keeping the whitespace, so the deltas join back to the exact text.
        for piece in re.findall(r"\S+\s*|\s+", text):
            yield piece
            await asyncio.sleep(0)
        got = _usage(request, text)
        usage.input_tokens, usage.output_tokens = got.input_tokens, got.output_tokens

    async def structured(self, request: LLMRequest, model: str, schema: type[T]) -> Structured[T]:
        build = _SCHEMAS.get(schema)
        if build is None:
            raise UnsupportedRequest(
                f"the local provider cannot produce {schema.__name__}: no local builder is "
                "registered for it (register_local_schema) and no cloud model is configured"
            )
        value = schema.model_validate(build(request))
        return Structured(value=value, usage=_usage(request, value.model_dump_json()))
