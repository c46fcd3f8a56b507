"""The sub-agents bound to a place: where to take it (location, collection_point), what it
costs (bulk_waste), what it sells for (recyclable_price) and which night it goes out (the
waste agent's calendar questions). With the database they answer from the places data
(``domains.chat.places_db``); without it, from the knowledge base, saying what is missing.
"""

from __future__ import annotations

import re
from typing import Any

from langgraph.types import interrupt

from domains.chat.events import Location
from domains.chat.places import NoData, Place, PlaceKind
from domains.knowledge import classify, guidance, load_knowledge
from functions.chat.parts import Tools, item_text, josa, part
from functions.chat.state import Part, Task

_NEAR = re.compile(r"(근처|가까운|가까이|주변|우리\s*동네|여기서|내\s*위치|집\s*앞)")
ASK_WHERE = "어느 동네(구·동)나 주소 근처를 찾아볼까요?"

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


def _given(task: Task) -> Location | None:
    given = task.get("location")
    return Location.model_validate(given) if given else None


def _ask(task: Task, node: str) -> Location:
    """Pause the graph for the user's place; the resume's answer is the place."""
    answer = interrupt({"node": node, "index": task["question"]["index"], "question": ASK_WHERE})
    return Location(text=str(answer)[:200])


def _where(task: Task, node: str) -> Location | None:
    """The user's location, asking for it (interrupt) when the question is about "near me"."""
    given = _given(task)
    if given is not None:
        return given
    if not _NEAR.search(task["question"]["text"]):
        return None
    return _ask(task, node)


def _place_lines(places: list[Place]) -> str:
    def one(p: Place) -> str:
        extra = [p.address]
        if p.distance_m is not None:
            extra.append(f"{p.distance_m:.0f}m")
        if p.open_now is not None:
            extra.append("지금 운영 중" if p.open_now else "지금은 운영 시간이 아님")
        return f"{p.name}({', '.join(extra)})"

    return "; ".join(one(p) for p in places[:3])


def _near_text(where: Location) -> str:
    return where.text or "알려 주신 위치"


async def location(task: Task, tools: Tools) -> Part:
    text = task["question"]["text"]
    kind, label = next((k, lbl) for pat, k, lbl in _CENTRE_KINDS if re.search(pat, text))
    where = _where(task, "location")
    if where is not None and tools.places.loaded:
        found = await tools.places.near(kind, where)
        data: dict[str, Any] = {"places": [p.model_dump() for p in found], "kind": kind}
        if found:
            body = f"{_near_text(where)} 근처 {label}: {_place_lines(found)}."
            return part(task, "location", body, data=data)
        return part(
            task,
            "location",
            f"{_near_text(where)} 근처에서 {josa(label, '을/를')} 찾지 못했어요. "
            "구청·시청 누리집의 자원순환 안내도 확인해 보세요.",
            answered=False,
            reason=f"등록된 {label} 중 그 근처에 있는 곳이 없어요",
            data=data,
        )
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
    text = item_text(task)
    kind, label, category = next(
        ((k, lbl, c) for pat, k, lbl, c in _BIN_KINDS if re.search(pat, text)),
        ("battery_bin", "수거함", "battery"),
    )
    where = _where(task, "collection_point")
    disposal = " ".join(load_knowledge().categories[category].disposal[:2])  # type: ignore[index]
    if where is not None and tools.places.loaded:
        found = await tools.places.near(kind, where)
        if found:
            body = f"{_near_text(where)} 근처 {label}: {_place_lines(found)}."
            data = {"places": [p.model_dump() for p in found], "kind": kind}
            return part(task, "collection_point", body, data=data)
        return part(
            task,
            "collection_point",
            f"{_near_text(where)} 근처에서 등록된 {josa(label, '을/를')} 찾지 못했어요. "
            f"보통은 이렇게 내놓아요: {disposal}",
            data={"kind": kind, "places": []},
        )
    return part(
        task,
        "collection_point",
        f"{label}의 정확한 위치 목록은 아직 연결되지 않았어요. 보통은 이렇게 내놓아요: {disposal}",
        data={"kind": kind},
    )


def _fee_lines(fees: list[Any]) -> str:
    def one(fee: Any) -> str:
        spec = f" {fee.spec}" if fee.spec else ""
        return f"{spec.strip() or fee.item} {'무료' if fee.free else f'{fee.fee_won:,}원'}"

    return ", ".join(one(f) for f in fees[:4])


async def bulk_waste(task: Task, tools: Tools) -> Part:
    text = item_text(task)
    found = classify(text)
    where = _given(task)
    item = found.item or text
    missing = None
    if where is not None and tools.fees.loaded:
        try:
            fees = await tools.fees.fees(text, where)
        except NoData as exc:
            fees, missing = [], str(exc)
        if fees:
            first = fees[0]
            body = (
                f"{first.district}에서 {first.item} 대형폐기물 수수료는 {_fee_lines(fees)}이에요. "
                "구청 누리집이나 앱에서 신고하고 스티커(필증)를 붙여 내놓아요."
            )
            return part(task, "bulk_waste", body, data={"fees": [f.model_dump() for f in fees]})
        missing = missing or "그 구의 수수료 표에 맞는 품목이 없어요"
    lines = list(load_knowledge().categories["bulk"].disposal[:2])
    fee_line = (
        next((line for line in guidance(found).splitlines() if line.startswith("수수료:")), None)
        if found.category
        else None
    )
    ask = (
        " 사는 구를 알려 주시면 그 구의 수수료를 찾아 드려요."
        if where is None and tools.fees.loaded
        else ""
    )
    body = " ".join([*lines, fee_line or "수수료는 구마다 달라서 구청에서 확인해야 해요."]) + ask
    if missing:
        body += f" ({missing})"
    return part(task, "bulk_waste", body, data={"item": item, "where": _dump(where)})


def _dump(where: Location | None) -> dict[str, Any] | None:
    return where.model_dump() if where is not None else None


async def recyclable_price(task: Task, tools: Tools) -> Part:
    text = item_text(task)
    quotes = await tools.prices.quote(text)
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


# "오늘 뭐 버려?", "오늘 무슨 쓰레기 버리는 날이야?", "재활용 언제 내놔?": the calendar, not a rule.
CALENDAR = re.compile(
    r"((오늘|오늘\s*밤|이따|내일|이번\s*주)\s*(에\s*)?(뭐|뭘|무슨|어떤)"
    r"|(무슨|어떤|몇)\s*(요일|쓰레기)?\s*(버리는|내놓는|배출하는|내놔야|버려야)\s*(날|요일)"
    r"|(언제|무슨\s*요일)\s*(에\s*)?(버려|내놔|내놓|배출))"
)


async def collection_day(task: Task, tools: Tools) -> Part:
    """Which streams go out tonight where the user is (asked for when not given)."""
    if not tools.collection.loaded:
        return part(
            task,
            "waste",
            "배출 요일과 시간은 구·동마다 달라요. 구청 누리집의 생활쓰레기 배출 안내에서 "
            "확인할 수 있어요.",
            answered=False,
            reason="배출 요일 자료(places 데이터)가 연결되지 않았어요",
        )
    where = _given(task) or _ask(task, "waste")
    try:
        body = await tools.collection.tonight(where)
    except NoData as exc:
        return part(
            task,
            "waste",
            f"{_near_text(where)}의 배출 요일 자료가 없어요. 구청 누리집에서 확인해 주세요.",
            answered=False,
            reason=str(exc),
            data={"where": _dump(where)},
        )
    return part(task, "waste", body, data={"where": _dump(where), "calendar": True})
