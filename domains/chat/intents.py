"""The chat's ten intents, one list shared by the schema, the prompts, the keyword map and the
router, and the confidence formula that corrects any classifier's guess.

Confidence of an intent for one sub-question (the seed's formula)::

    total = classifier + 0.2 (keyword map agrees) + 0.15 (chain: it plausibly follows the
            previous sub-question's or turn's intent, which was confident) - 0.1 (very short)

The best total wins; below ``THRESHOLD`` the sub-question is ``general``, or a clarifying
question when the two best are within ``CLOSE`` of each other. The classifier part is the
offline model's probability (``domains.chat.classifier``) or a cloud model's structured output.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, cast, get_args

from pydantic import BaseModel, Field

Intent = Literal[
    "waste",
    "character",
    "location",
    "bulk_waste",
    "recyclable_price",
    "collection_point",
    "web_search",
    "image_generation",
    "general",
    "weather",
]
INTENTS: tuple[str, ...] = get_args(Intent)

THRESHOLD = 0.6
KEYWORD_BONUS = 0.2
CHAIN_BONUS = 0.15
SHORT_PENALTY = 0.1
SHORT_CHARS = 4  # letters (no spaces or punctuation) at or below which a message is very short
CLOSE = 0.1  # two totals within this, both under the threshold: ask which one was meant

# Substrings that mark an intent, matched on the text without spaces (so "재활용 센터" and
# "재활용센터" both hit). Kept short: the classifier carries the rest; this map is a feature of
# it and the formula's +0.2.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "waste": (
        "버려",
        "버리",
        "버림",
        "분리수거",
        "분리배출",
        "재활용돼",
        "재활용되",
        "재활용가능",
        "재활용이돼",
        "라벨",
        "헹궈",
        "씻어",
        "떼야",
        "몇번",
        "무슨쓰레기",
        "어디에버",
        "어디다버",
        "종량제봉투에",
        "음식물",
        "일반쓰레기",
        "비닐이야",
        "플라스틱이야",
        "플라스틱임",
        "처리해",
        "넣어도",
        "분리해",
        "재활용",
    ),
    "character": (
        "캐릭터",
        "이코",
        "도감",
        "컬렉션",
        "모았",
        "수집",
        "몇종류",
        "성격",
        "좋아해",
        "싫어해",
        "레어캐",
        "캐릭",
        "싫어하는",
        "좋아하는",
    ),
    "location": (
        "재활용센터",
        "재활용센타",
        "자원순환센터",
        "제로웨이스트",
        "리필샵",
        "리필스테이션",
        "리필스테이숀",
        "주민센터",
        "주민샌터",
        "가게",
        "매장",
        "고물상",
        "근처",
        "가까운",
        "주변에",
        "위치",
    ),
    "bulk_waste": (
        "대형폐기물",
        "대형쓰레기",
        "스티커",
        "수수료",
        "폐기물신고",
        "수거신청",
        "배출신고",
        "소파",
        "냉장고",
        "침대",
        "매트리스",
        "장롱",
        "장농",
        "책상",
        "세탁기",
        "피아노",
        "안마의자",
        "버리는비용",
        "돈내",
        "신고해",
    ),
    "recyclable_price": (
        "시세",
        "얼마에팔",
        "팔면",
        "kg당",
        "키로당",
        "매입",
        "고철",
        "구리",
        "폐지",
        "얼마받",
        "가격",
        "비싸",
        "얼마줘",
        "몇푼",
        "받음",
        "팔아",
    ),
    "collection_point": (
        "수거함",
        "수거암",
        "수거통",
        "폐건전지함",
        "의류함",
        "헌옷함",
        "폐의약품",
        "약국",
        "보증금",
        "반납",
        "폐건전지",
        "폐형광등",
        "폐식용유",
        "교환해",
        "바꿔주",
        "수거하는곳",
    ),
    "web_search": (
        "검색",
        "찾아봐",
        "뉴스",
        "기사",
        "최신",
        "최근소식",
        "요즘",
        "소식",
        "정책",
        "구글",
        "올랐는지",
        "바뀌었는지",
    ),
    "image_generation": (
        "그려",
        "그림",
        "이미지",
        "포스터",
        "일러스트",
        "만들어줘",
        "카드만들",
        "배경화면",
    ),
    "general": (
        "안녕",
        "고마워",
        "감사",
        "ㅎㅇ",
        "ㅋㅋ",
        "누구야",
        "뭐할수",
        "할수있어",
        "챗봇",
        "농담",
        "알겠",
        "그렇구나",
        "오케이",
        "ㅇㅋ",
        "잘자",
        "땡큐",
        "고맙",
        "수고",
        "반가",
    ),
    "weather": (
        "날씨",
        "비와",
        "비오",
        "비온",
        "눈와",
        "눈오",
        "눈온",
        "기온",
        "우산",
        "바람",
        "덥",
        "추워",
        "춥",
        "미세먼지",
        "낼비",
        "소나기",
        "장마",
        "그쳐",
        "날씨어때",
        "우비",
        "더워",
        "쌀쌀",
    ),
}

# Intents that plausibly follow another: the second turn (or sub-question) of a conversation
# about an item often asks where to take it; each intent also continues itself ("구리는?" after
# a price question). Applied only when the previous intent was confident.
CHAIN: dict[str, frozenset[str]] = {
    "waste": frozenset({"waste", "location", "collection_point", "recyclable_price"}),
    "bulk_waste": frozenset({"bulk_waste", "location", "recyclable_price"}),
    "recyclable_price": frozenset({"recyclable_price", "location"}),
    "collection_point": frozenset({"collection_point", "waste"}),
    "location": frozenset({"location", "collection_point", "recyclable_price"}),
    "character": frozenset({"character", "image_generation"}),
    "image_generation": frozenset({"image_generation", "character"}),
    "weather": frozenset({"weather"}),
    "web_search": frozenset({"web_search"}),
    "general": frozenset(),
}

_LETTERS = re.compile(r"[^0-9a-zA-Z가-힣ㄱ-ㅎㅏ-ㅣ]+")


def squeeze(text: str) -> str:
    """Lowercase letters and digits only: what the keyword map is matched in."""
    return _LETTERS.sub("", text).lower()


def keyword_hits(text: str) -> dict[str, int]:
    """How many of each intent's keywords occur in ``text``."""
    flat = squeeze(text)
    return {intent: sum(word in flat for word in KEYWORDS[intent]) for intent in INTENTS}


def is_short(text: str) -> bool:
    return len(squeeze(text)) <= SHORT_CHARS


class Confidence(BaseModel):
    """The parts of one intent's confidence and their sum."""

    classifier: float = Field(ge=0.0, le=1.0)
    keyword: float = 0.0
    chain: float = 0.0
    short: float = 0.0

    @property
    def total(self) -> float:
        return round(self.classifier + self.keyword + self.chain + self.short, 4)


class Decision(BaseModel):
    """The intent chosen for one sub-question and why."""

    intent: Intent
    confidence: float
    parts: Confidence
    predicted: Intent = Field(description="The best intent before the threshold.")
    clarify: list[Intent] = Field(
        default_factory=list, description="Two close candidates: ask which was meant."
    )


def decide(
    text: str,
    probabilities: dict[str, float],
    previous: str | None = None,
    previous_confident: bool = False,
) -> Decision:
    """Apply the formula to a classifier's probabilities and choose the intent."""
    hits = keyword_hits(text)
    short = -SHORT_PENALTY if is_short(text) else 0.0
    follows = CHAIN.get(previous or "", frozenset()) if previous_confident else frozenset()
    scored: list[tuple[float, str, Confidence]] = []
    for intent in INTENTS:
        parts = Confidence(
            classifier=round(min(1.0, max(0.0, probabilities.get(intent, 0.0))), 4),
            keyword=KEYWORD_BONUS if hits[intent] else 0.0,
            chain=CHAIN_BONUS if intent in follows else 0.0,
            short=short,
        )
        scored.append((parts.total, intent, parts))
    scored.sort(key=lambda s: (-s[0], INTENTS.index(s[1])))
    (best, name, parts), (second, other, _) = scored[0], scored[1]
    intent = cast(Intent, name)
    if best >= THRESHOLD or intent == "general":
        return Decision(intent=intent, confidence=best, parts=parts, predicted=intent)
    clarify = [intent, cast(Intent, other)] if best - second < CLOSE and other != "general" else []
    return Decision(
        intent="general", confidence=best, parts=parts, predicted=intent, clarify=clarify
    )


# Misspelt keywords ("캐럭터", "대형패기물", "스티카", "제활용", "컬랙션"): a keyword of three
# syllables or more matches with one letter (jamo) replaced; any keyword matches with commonly
# confused letters merged (ㅐ/ㅔ, ㄲ/ㄱ …). One pattern per intent, searched in the text's
# letters: the regex engine does the sliding, a message costs well under a millisecond.
@lru_cache(maxsize=1)
def _fuzzy_patterns() -> dict[str, re.Pattern[str]]:
    from domains.knowledge.text import loose_jamo

    patterns: dict[str, re.Pattern[str]] = {}
    for intent, words in KEYWORDS.items():
        variants: set[str] = set()
        for word in words:
            letters = re.escape(loose_jamo(word))
            variants.add(letters)
            if len(word) >= 3:
                plain = loose_jamo(word)
                variants |= {
                    re.escape(plain[:i]) + "." + re.escape(plain[i + 1 :])
                    for i in range(len(plain))
                }
        patterns[intent] = re.compile("|".join(sorted(variants, key=len, reverse=True)))
    return patterns


@lru_cache(maxsize=4096)
def fuzzy_keyword_hits(text: str) -> dict[str, int]:
    """Which intents' keywords occur in ``text`` give or take one letter (1 or 0 each)."""
    from domains.knowledge.text import loose_jamo

    letters = loose_jamo(squeeze(text))
    return {
        intent: int(pattern.search(letters) is not None)
        for intent, pattern in _fuzzy_patterns().items()
    }
