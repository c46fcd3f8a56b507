"""The sub-agents: one async function per intent, each answering ONE sub-question.

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

from langgraph.types import interrupt

from domains.character.catalogue import Character
from domains.character.port import Characters
from domains.chat.events import Location
from domains.chat.tools import (
    BulkFees,
    ImageMaker,
    KnowledgeFees,
    KnowledgePlaces,
    OfflineSearch,
    OfflineWeather,
    PlaceKind,
    Places,
    Prices,
    ToolUnavailable,
    Weather,
    WebSearch,
)
from domains.knowledge import classify, load_knowledge
from functions.chat.configuration import RAG_THRESHOLD
from functions.chat.state import Part, Task


class Weak(Exception):
    """The agent's own data could not answer well enough; the fallback chain may."""


@dataclass
class Tools:
    """Everything the sub-agents call; each has an offline default except those needing a
    store the caller owns (characters, images)."""

    characters: Characters
    painter: ImageMaker
    weather: Weather = field(default_factory=OfflineWeather)
    search: WebSearch = field(default_factory=OfflineSearch)
    places: Places = field(default_factory=KnowledgePlaces)
    fees: BulkFees = field(default_factory=KnowledgeFees)
    prices: Prices = field(default_factory=Prices)


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


_THIS = re.compile(r"(이거|이건|이것|이게|요거|얘|이 물건|이 제품)")


def _item_text(task: Task) -> str:
    """The sub-question, with "이거" read as the latest scanned item when there is one."""
    text = task["question"]["text"]
    scan = task.get("scan") or {}
    item = scan.get("item")
    if item and _THIS.search(text):
        return f"{item} {_THIS.sub('', text)}".strip()
    return text


def _unknown_this(task: Task) -> bool:
    """ "이거" with no scan and no photo: nothing tells what the user means."""
    return bool(_THIS.search(task["question"]["text"])) and not (task.get("scan") or {}).get("item")


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


# ----- waste (retrieval over the knowledge base) ----------------------------------------------


async def waste(task: Task, tools: Tools) -> Part:
    if _unknown_this(task):
        return part(
            task,
            "waste",
            "물건을 스캔하거나 사진을 함께 보내 주시면, 또는 물건 이름을 알려 주시면 "
            "바로 알려 드릴게요.",
            answered=False,
            reason=NO_SCAN,
        )
    query = _item_text(task)
    found = classify(query)
    if found.category is None or found.confidence < RAG_THRESHOLD:
        raise Weak(
            f"지식 베이스에서 '{task['question']['text']}'에 맞는 규칙을 충분히 찾지 못했어요 "
            f"(확신도 {found.confidence:.2f} < {RAG_THRESHOLD})"
        )
    kb = load_knowledge()
    category = kb.categories[found.category]
    item = found.item or query
    steps = [step.text for step in category.preparation[:2]]
    disposal = category.disposal[:1]
    sentences = [f"{josa(item, '은/는')} {josa(category.name, '으로/로')} 버려요."]
    sentences += steps + disposal
    for piece in found.parts[:3]:
        if piece.category != found.category:
            stream = kb.categories[piece.category].name
            sentences.append(f"{josa(piece.name, '은/는')} {josa(stream, '으로/로')} 따로 버려요.")
    return part(
        task,
        "waste",
        " ".join(s.rstrip() for s in sentences),
        data={"category": found.category, "confidence": found.confidence, "item": item},
    )


# ----- character ---------------------------------------------------------------------------------

_MINE = re.compile(r"(내|나는|제|모은|모았|도감|컬렉션|수집)")


def _mentioned(text: str, catalogue: list[Character]) -> Character | None:
    flat = text.replace(" ", "")
    for character in catalogue:
        if character.name in flat:
            return character
    found = classify(text)
    if found.category is not None and found.confidence >= RAG_THRESHOLD:
        for character in catalogue:
            if character.category == found.category:
                return character
    return next((c for c in catalogue if c.is_mascot), None) if "이코" in flat else None


async def character(task: Task, tools: Tools) -> Part:
    text = _item_text(task)
    catalogue = await tools.characters.catalogue()
    if _MINE.search(text):
        owned = await tools.characters.collection(task["user_id"])
        names = [o.character.name for o in owned] if owned else []
        if not names:
            body = (
                "아직 모은 캐릭터가 없어요. "
                f"물건을 스캔하면 모두 {len(catalogue)}종 중 하나를 받아요."
            )
        else:
            body = f"지금까지 {len(catalogue)}종 중 {len(names)}종을 모았어요: {', '.join(names)}."
        return part(task, "character", body, data={"owned": names, "total": len(catalogue)})
    found = _mentioned(text, catalogue)
    if found is None:
        mascot = next((c for c in catalogue if c.is_mascot), None)
        shown = ", ".join(c.name for c in catalogue[:6])
        lead = f"{josa(mascot.name, '과/와')} " if mascot else ""
        body = (
            f"캐릭터는 {lead}분리배출 종류마다 하나씩, 모두 {len(catalogue)}종이에요 ({shown} …)."
        )
        return part(task, "character", body, data={"total": len(catalogue)})
    likes = f" 좋아하는 건 {', '.join(found.likes)}." if found.likes else ""
    body = f"{found.name}: {found.description} {found.personality}{likes}"
    return part(task, "character", body, data={"character": found.key})


# ----- places: location and collection points --------------------------------------------------

_NEAR = re.compile(r"(근처|가까운|가까이|주변|우리\s*동네|여기서|내\s*위치|집\s*앞)")

_CENTRE_KINDS: tuple[tuple[str, PlaceKind, str], ...] = (
    ("제로웨이스트|리필", "zero_waste_shop", "제로웨이스트·리필 가게"),
    ("주민센터|행정복지센터", "community_centre", "주민센터"),
    ("", "recycling_centre", "재활용센터"),
)
_BIN_KINDS: tuple[tuple[str, PlaceKind, str, str], ...] = (
    ("건전지|배터리", "battery_bin", "폐건전지 수거함", "battery"),
    ("형광등|전구|램프", "lamp_bin", "폐형광등 수거함", "lighting"),
    ("옷|의류|신발", "clothes_bin", "의류 수거함", "clothing"),
    ("약|의약품", "medicine_bin", "폐의약품 수거함", "hazardous"),
    ("가전|휴대폰|핸드폰", "small_appliance_bin", "소형 폐가전 수거함", "electronics"),
)


def _where(task: Task, node: str) -> Location | None:
    """The user's location, asking for it (interrupt) when the question is about "near me"."""
    given = task.get("location")
    if given:
        return Location.model_validate(given)
    if not _NEAR.search(task["question"]["text"]):
        return None
    answer = interrupt(
        {
            "node": node,
            "index": task["question"]["index"],
            "question": "어느 동네(구·동)나 주소 근처를 찾아볼까요?",
        }
    )
    return Location(text=str(answer)[:200])


def _place_lines(places: list[Any]) -> str:
    return "; ".join(
        f"{p.name}({p.address}{f', {p.distance_m:.0f}m' if p.distance_m is not None else ''})"
        for p in places[:3]
    )


async def location(task: Task, tools: Tools) -> Part:
    text = task["question"]["text"]
    kind, label = next((k, lbl) for pat, k, lbl in _CENTRE_KINDS if re.search(pat, text))
    where = _where(task, "location")
    if where is not None and tools.places.loaded:
        found = await tools.places.near(kind, where)
        if found:
            body = f"{where.text or '알려 주신 위치'} 근처 {label}: {_place_lines(found)}."
            return part(task, "location", body, data={"places": [p.model_dump() for p in found]})
    place = f"{where.text} 근처 " if where is not None and where.text else ""
    return part(
        task,
        "location",
        f"{place}{label} 목록이 아직 연결되지 않아 위치를 찾아 드릴 수 없어요. "
        "구청·시청 누리집의 자원순환 안내에서 가장 가까운 곳을 확인할 수 있어요.",
        answered=False,
        reason="시설 목록(places 데이터)이 아직 연결되지 않았어요",
        data={"kind": kind, "where": where.model_dump() if where else None},
    )


async def collection_point(task: Task, tools: Tools) -> Part:
    text = _item_text(task)
    kind, label, category = next(
        ((k, lbl, c) for pat, k, lbl, c in _BIN_KINDS if re.search(pat, text)),
        ("battery_bin", "수거함", "battery"),
    )
    where = _where(task, "collection_point")
    if where is not None and tools.places.loaded:
        found = await tools.places.near(kind, where)
        if found:
            body = f"{where.text or '알려 주신 위치'} 근처 {label}: {_place_lines(found)}."
            data = {"places": [p.model_dump() for p in found]}
            return part(task, "collection_point", body, data=data)
    disposal = " ".join(load_knowledge().categories[category].disposal[:2])  # type: ignore[index]
    return part(
        task,
        "collection_point",
        f"{label}의 정확한 위치 목록은 아직 연결되지 않았어요. 보통은 이렇게 내놓아요: {disposal}",
        data={"kind": kind},
    )


# ----- bulk waste, prices, weather -------------------------------------------------------------


async def bulk_waste(task: Task, tools: Tools) -> Part:
    text = _item_text(task)
    found = classify(text)
    location_given = task.get("location") or {}
    district = location_given.get("text") if isinstance(location_given, dict) else None
    item = found.item or text
    fee = await tools.fees.fee(item, district)
    if fee is not None:
        body = f"{fee.district}에서 {fee.item} 대형폐기물 수수료는 {fee.fee_won:,}원이에요."
        return part(task, "bulk_waste", body, data={"fee": fee.model_dump()})
    kb = load_knowledge()
    lines = list(kb.categories["bulk"].disposal[:2])
    from domains.knowledge import guidance

    fee_line = (
        next((line for line in guidance(found).splitlines() if line.startswith("수수료:")), None)
        if found.category
        else None
    )
    body = " ".join([*lines, fee_line or "수수료는 구마다 달라서 구청에서 확인해야 해요."])
    return part(task, "bulk_waste", body, data={"item": item, "district": district})


async def recyclable_price(task: Task, tools: Tools) -> Part:
    text = _item_text(task)
    quotes = tools.prices.quote(text)
    if not quotes:
        return part(
            task,
            "recyclable_price",
            "그 품목의 매입 시세는 가격 조사표에 없어요. "
            "고철·구리·폐지·캔·페트처럼 품목을 말해 주세요.",
            answered=False,
            reason="가격 조사표에 없는 품목이에요",
        )
    first = quotes[0]
    shown = ", ".join(f"{q.name} kg당 약 {q.won_per_kg:,}원" for q in quotes[:3])
    body = (
        f"재활용품 매입 가격({first.region}, {first.date} 조사)은 {shown}이에요. 업체마다 달라요."
    )
    return part(task, "recyclable_price", body, data={"quotes": [q.model_dump() for q in quotes]})


_DAYS = (("모레", 2), ("내일", 1), ("낼", 1), ("오늘", 0))


async def weather(task: Task, tools: Tools) -> Part:
    text = task["question"]["text"]
    offset = next((d for word, d in _DAYS if word in text), 0)
    where = Location.model_validate(task["location"]) if task.get("location") else None
    hours = await tools.weather.forecast(where, offset)
    if not hours:
        raise ToolUnavailable("예보 자료가 비어 있어요")
    temps = [h.temperature_c for h in hours if h.temperature_c is not None]
    rain = max((h.rain_chance or 0) for h in hours)
    wet = [h.precipitation for h in hours if h.precipitation != "none"]
    day = {0: "오늘", 1: "내일", 2: "모레"}[offset]
    span = f"기온 {min(temps):.0f}~{max(temps):.0f}도, " if temps else ""
    sky = "비나 눈 소식이 있어요" if wet else "비 소식은 없어요"
    body = f"{day}은 {span}강수확률 최고 {rain}%로 {sky}."
    return part(task, "weather", body, data={"hours": [h.model_dump() for h in hours]})


# ----- web search, image generation, general -------------------------------------------------


async def web_search(task: Task, tools: Tools) -> Part:
    text = task["question"]["text"]
    hits = await tools.search.search(text, 2)
    if not hits:
        raise Weak(f"'{text}'에 맞는 문서를 찾지 못했어요")
    top = hits[0]
    lead = (
        ""
        if tools.search.online
        else "지금은 오프라인이라 인터넷 검색은 못 하고, 이코에코 자료에서 찾았어요. "
    )
    body = f"{lead}{top.title}: {top.text}"
    return part(task, "web_search", body, data={"hits": [h.model_dump() for h in hits]})


async def image_generation(task: Task, tools: Tools) -> Part:
    text = _item_text(task)
    catalogue = await tools.characters.catalogue()
    found = _mentioned(text, catalogue) or next((c for c in catalogue if c.is_mascot), None)
    title = found.name if found else "이코에코"
    lines = list(found.dialog[:2]) if found else ["분리배출, 함께 해요!"]
    made = await tools.painter.make(text, title, lines, owner=task["user_id"])
    body = f"{title} 카드를 그렸어요: {made.url}"
    return part(task, "image_generation", body, data={"image": made.model_dump()})


_GENERAL = (
    ("안녕|ㅎㅇ|하이|반가", "안녕하세요! 분리배출이 궁금한 물건이 있으면 언제든 물어보세요."),
    ("고마|감사|땡큐", "천만에요! 또 궁금한 게 있으면 물어보세요."),
    ("농담|웃긴", "페트병이 헬스장에 간 이유는? 압축되고 싶어서요! 라벨은 꼭 떼고요."),
    (
        "누구|뭐 할 수|뭘 할 수|할 수 있|챗봇|이름",
        "저는 분리배출 도우미 이코에코예요. 버리는 방법, 캐릭터, 재활용센터와 수거함, "
        "대형폐기물 수수료, 재활용품 시세, 날씨, 검색, 카드 그리기를 도와드려요.",
    ),
    ("몇 살|나이", "저는 나이를 세지 않는 챗봇이에요. 대신 분리배출은 오래오래 도와드릴게요."),
)


LABELS = {
    "waste": "버리는 방법",
    "character": "캐릭터",
    "location": "재활용센터·가게 위치",
    "bulk_waste": "대형폐기물 신고·수수료",
    "recyclable_price": "재활용품 시세",
    "collection_point": "수거함 위치",
    "web_search": "검색",
    "image_generation": "그림 그리기",
    "general": "대화",
    "weather": "날씨",
}


async def general(task: Task, tools: Tools) -> Part:
    text = task["question"]["text"]
    close = task["question"].get("clarify") or []
    if len(close) == 2:
        first, second = (LABELS.get(c, c) for c in close)
        return part(
            task,
            "general",
            f"'{text}'는 {first}에 대한 질문인가요, {second}에 대한 질문인가요? "
            "조금만 더 알려 주세요.",
            answered=False,
            reason="두 가지로 읽혀서 어느 쪽인지 여쭤봐요",
            data={"clarify": close},
        )
    for pattern, reply in _GENERAL:
        if re.search(pattern, text):
            return part(task, "general", reply)
    return part(
        task,
        "general",
        "그 질문에는 제가 가진 자료로 답하기 어려워요. 분리배출, 캐릭터, 수거함, 시세, "
        "날씨처럼 이코에코가 아는 주제로 물어봐 주세요.",
        answered=False,
        reason="이코에코가 가진 자료 밖의 질문이에요",
    )


AGENTS = {
    "waste": waste,
    "character": character,
    "location": location,
    "collection_point": collection_point,
    "bulk_waste": bulk_waste,
    "recyclable_price": recyclable_price,
    "weather": weather,
    "web_search": web_search,
    "image_generation": image_generation,
    "general": general,
}
