"""The sub-agents: one async function per intent, each answering ONE sub-question.

The place-bound ones (location, collection_point, bulk_waste, recyclable_price, and the
calendar questions the waste agent gets) are in ``functions.chat.place_agents``; what they all
share (``Tools``, ``part``, ``Weak``, reading "이거") in ``functions.chat.parts``.
"""

from __future__ import annotations

import re

from domains.character.catalogue import Character
from domains.chat.events import Location
from domains.chat.tools import ToolUnavailable
from domains.knowledge import classify, load_knowledge
from functions.chat.configuration import RAG_THRESHOLD
from functions.chat.parts import NO_SCAN, Tools, Weak, item_text, josa, part, unknown_this
from functions.chat.place_agents import (
    CALENDAR,
    bulk_waste,
    collection_day,
    collection_point,
    location,
    recyclable_price,
)
from functions.chat.state import Part, Task

__all__ = ["AGENTS", "LABELS", "Tools", "Weak"]


# ----- waste (retrieval over the knowledge base) ----------------------------------------------


async def waste(task: Task, tools: Tools) -> Part:
    if CALENDAR.search(task["question"]["text"]):
        return await collection_day(task, tools)
    if unknown_this(task):
        return part(
            task,
            "waste",
            "물건을 스캔하거나 사진을 함께 보내 주시면, 또는 물건 이름을 알려 주시면 "
            "바로 알려 드릴게요.",
            answered=False,
            reason=NO_SCAN,
        )
    query = item_text(task)
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
    text = item_text(task)
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


# ----- weather ---------------------------------------------------------------------------------


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
    text = item_text(task)
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
