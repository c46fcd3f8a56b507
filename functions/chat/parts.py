"""What every sub-agent shares: its tools, the part it returns, and how it reads its question.

A sub-agent gets its own ``Task`` (its sub-question's text, never the whole message) and returns
its ``Part``. It raises ``Weak`` when it found nothing good enough (the fallback chain takes
over), ``ToolUnavailable`` when a dependency failed (its node's policy decides), and calls
``interrupt`` when it needs what only the user can give; it calls it before any side effect, so
the re-run on resume repeats nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from domains.character.port import Characters
from domains.chat.places import (
    BulkFees,
    Collection,
    KnowledgeFees,
    KnowledgePlaces,
    KnowledgePrices,
    NoCollection,
    Places,
    Prices,
)
from domains.chat.tools import ImageMaker, OfflineSearch, WebSearch
from domains.chat.weather import OfflineWeather, Weather
from functions.chat.state import Part, Task


class Weak(Exception):
    """The agent's own data could not answer well enough; the fallback chain may."""


@dataclass
class Tools:
    """Everything the sub-agents call; each has an offline default except those needing a
    store the caller owns (characters, images). With the database, the place-bound four come
    from ``domains.chat.places_db``."""

    characters: Characters
    painter: ImageMaker
    weather: Weather = field(default_factory=OfflineWeather)
    search: WebSearch = field(default_factory=OfflineSearch)
    places: Places = field(default_factory=KnowledgePlaces)
    fees: BulkFees = field(default_factory=KnowledgeFees)
    prices: Prices = field(default_factory=KnowledgePrices)
    collection: Collection = field(default_factory=NoCollection)


def part(task: Task, node: str, text: str, **extra: Any) -> Part:
    question = task["question"]
    return Part(
        index=question["index"],
        question=question["text"],
        intent=question["intent"],
        node=node,
        text=text,
        answered=extra.pop("answered", True),
        reason=extra.pop("reason", None),
        data=extra.pop("data", {}),
    )


THIS = re.compile(r"(이거|이건|이것|이게|요거|얘|이 물건|이 제품)")


def item_text(task: Task) -> str:
    """The sub-question, with "이거" read as the latest scanned item when there is one."""
    text = task["question"]["text"]
    scan = task.get("scan") or {}
    item = scan.get("item")
    if item and THIS.search(text):
        return f"{item} {THIS.sub('', text)}".strip()
    return text


def unknown_this(task: Task) -> bool:
    """ "이거" with no scan and no photo: nothing tells what the user means."""
    return bool(THIS.search(task["question"]["text"])) and not (task.get("scan") or {}).get("item")


NO_SCAN = "최근 스캔이나 사진이 없어서 '이거'가 어떤 물건인지 알 수 없어요"


def josa(word: str, pair: str) -> str:
    """``word`` with the particle of ``pair`` ("은/는", "이/가", "을/를", "으로/로") that fits."""
    with_final, without = pair.split("/")
    last = word[-1] if word else ""
    if not ("가" <= last <= "힣"):
        return f"{word}{without}"
    final = (ord(last) - 0xAC00) % 28
    if pair == "으로/로" and final in (0, 8):  # no final consonant, or ㄹ: "로"
        return f"{word}로"
    return f"{word}{with_final if final else without}"
