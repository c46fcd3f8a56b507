"""Fuzzy matching of a spoken item ("3인용 소파", "장롱 큰 거") to a district's bulk-waste list.

A fee row scores by how much of its item name the question contains (character bigrams, so
"쇼파" still meets "소파" after the spelling table and "책상의자" meets "의자"), plus a bonus
when the numbers of the question ("3인용", "180cm") or its words ("싱글") appear in the row's
spec. Size words pick among the specs of the best item: "큰" the dearest, "작은" the cheapest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from domains.info.schemas import FeeMatch

# Common spellings and words people use for listed items.
SPELLINGS = {
    "쇼파": "소파",
    "장농": "장롱",
    "옷장": "장롱",
    "티비": "텔레비전",
    "tv": "텔레비전",
    "메트리스": "매트리스",
    "매트레스": "매트리스",
    "밥솥": "전기밥솥",
    "전자렌지": "전자레인지",
}
LARGE = ("큰", "대형", "커다란")
SMALL = ("작은", "소형", "조그만")
# Words of a question that never name an item; dropped as whole words only ("거울" keeps 거).
FILLER_WORDS = (
    "거 것 꺼 큰 작은 대형 소형 커다란 조그만 수수료 얼마 얼마야 얼마예요 얼마에요 가격 비용 "
    "버려 버리기 버리려면 버릴 내놓기 폐기 스티커"
)
FILLER = frozenset(FILLER_WORDS.split(" "))
SPEC_FILLER = frozenset({"이상", "미만", "이하", "초과", "일반", "기타"})
PARTICLE = re.compile(r"(은|는|이|가|을|를|도|요)$")


def _words(query: str) -> str:
    kept = []
    for word in query.split():
        if len(word) > 2:
            word = PARTICLE.sub("", word)
        if word not in FILLER:
            kept.append(word)
    return " ".join(kept)


def _normalise(text: str) -> str:
    text = text.lower()
    for wrong, right in SPELLINGS.items():
        text = text.replace(wrong, right)
    return re.sub(r"[\s\W_]+", "", text)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def item_score(query: str, item: str) -> float:
    """How well ``query`` names ``item`` (0-1): the share of the item's bigrams it contains,
    full marks when one contains the other."""
    q, name = _normalise(_words(query)), _normalise(item)
    if not q or not name:
        return 0.0
    if name in q or q in name:
        return 1.0
    grams = _bigrams(name)
    return len(grams & _bigrams(q)) / len(grams)


def size_hint(query: str) -> str | None:
    if any(word in query for word in LARGE):
        return "large"
    if any(word in query for word in SMALL):
        return "small"
    return None


def rank(query: str, fees: Sequence[FeeMatch], limit: int = 5) -> list[FeeMatch]:
    """The fees best matching ``query``, best first, each with its score; none under 0.5."""
    numbers = re.findall(r"\d+", query)
    scored: list[tuple[float, FeeMatch]] = []
    for fee in fees:
        score = max(item_score(query, fee.item), 0.9 * item_score(query, fee.category))
        if score < 0.5:
            continue
        spec_words = [w for w in fee.spec.split() if len(w) > 1 and w not in SPEC_FILLER]
        if any(_normalise(word) in _normalise(query) for word in spec_words):
            score += 0.25
        if numbers:
            spec_numbers = re.findall(r"\d+", f"{fee.spec} {fee.item}")
            if all(number in spec_numbers for number in numbers):
                score += 0.3
            elif spec_numbers:
                score -= 0.2
        scored.append((score, fee))
    if not scored:
        return []
    size = size_hint(query)
    if size is not None:
        best = max(score for score, _ in scored)
        top = [fee for score, fee in scored if score >= best - 1e-9]
        pick = (max if size == "large" else min)(top, key=lambda fee: fee.fee_won)
        scored = [(score + (0.2 if fee is pick else 0.0), fee) for score, fee in scored]
    scored.sort(key=lambda pair: (-pair[0], pair[1].fee_won, pair[1].spec))
    ceiling = max(score for score, _ in scored)
    return [
        fee.model_copy(update={"score": round(min(1.0, score / max(ceiling, 1.0)), 3)})
        for score, fee in scored[:limit]
    ]
