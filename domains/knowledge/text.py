"""Korean text handling shared by the lexicon and retrieval: normalising, synonyms, tokens, jamo.

Everything that compares text runs it through :class:`Normaliser` first, on both sides (the
lexicon's aliases at load, the user's text at query), so "PET", "피이티" and "패트" all meet
"페트" and spacing never decides a match.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

# Kiwi itself lives with the analyser port; named here too, where its callers have found it.
from domains.knowledge.analyser import analyser
from domains.knowledge.analyser import configure_kiwi as configure_kiwi
from domains.knowledge.analyser import kiwi as kiwi

_ASCII_WORD = re.compile(r"^[a-z0-9 ]+$")
_HAS_LATIN = re.compile(r"[a-z]")
_NOT_WORD = re.compile(r"[^0-9a-z가-힣]+")

# Parts of speech kept as retrieval tokens: nouns, foreign words, numbers, verb and adjective
# stems ("떼", "버리", "깨지"), which carry the question as much as the nouns do.
_KEEP_TAGS = ("NNG", "NNP", "NR", "SL", "SN", "VV", "VA", "XR")


class Normaliser:
    """Lowercases, unifies width and replaces variant spellings with their canonical word."""

    def __init__(self, synonyms: dict[str, list[str]]) -> None:
        pairs: list[tuple[str, str]] = []
        for canonical, variants in synonyms.items():
            for variant in variants:
                pairs.append((self._basic(variant), self._basic(canonical)))
        pairs.sort(key=lambda p: len(p[0]), reverse=True)  # longest variant wins
        korean = [(v, c) for v, c in pairs if not _ASCII_WORD.match(v)]
        english = [(v, c) for v, c in pairs if _ASCII_WORD.match(v)]
        # One pass with one alternation: a replaced word is never replaced again
        # ("스마트폰" → "휴대폰" must not then have its "폰" rewritten).
        self._korean_map = dict(korean)
        self._korean = re.compile("|".join(re.escape(v) for v, _ in korean)) if korean else None
        # English words are replaced only as whole words: "can" must not hit "scanner". One
        # alternation, longest first, like the Korean one: a pattern per word ran every
        # pattern over every alias and text (800k substitutions to build the lexicon).
        self._english_map = dict(english)
        self._english = (
            re.compile(r"(?<![a-z])(" + "|".join(re.escape(v) for v, _ in english) + r")(?![a-z])")
            if english
            else None
        )

    @staticmethod
    def _basic(text: str) -> str:
        return unicodedata.normalize("NFKC", text).lower().strip()

    def __call__(self, text: str) -> str:
        out = self._basic(text)
        if self._english is not None and _HAS_LATIN.search(out):
            out = self._english.sub(lambda m: f" {self._english_map[m.group(1)]} ", out)
        if self._korean is not None:
            out = self._korean.sub(lambda m: self._korean_map[m.group(0)], out)
        return re.sub(r"\s+", " ", out).strip()


def compact(text: str) -> str:
    """Normalised text without spaces or punctuation: the form aliases are matched in."""
    return _NOT_WORD.sub("", text)


_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"


@lru_cache(maxsize=1)
def _jamo_table() -> dict[int, str]:
    """Each precomposed Hangul syllable's letters, for ``str.translate``: built once (~5 ms),
    the first time a text is split, instead of decomposing every character in Python again;
    the lexicon's spelling index splits ~14,000 aliases while chat starts."""
    table: dict[int, str] = {}
    for code in range(11172):
        jong = _JONG[code % 28] if code % 28 else ""
        table[0xAC00 + code] = _CHO[code // 588] + _JUNG[(code % 588) // 28] + jong
    return table


def jamo(text: str) -> str:
    """Hangul split into letters, so a one-letter typo costs a letter, not a syllable.
    Anything else is kept as it is."""
    return text.translate(_jamo_table())


# Letters people confuse when typing or spelling by ear: tense consonants and ㅐ/ㅔ, ㅒ/ㅖ.
_LOOSE = str.maketrans(
    {"ㄲ": "ㄱ", "ㄸ": "ㄷ", "ㅃ": "ㅂ", "ㅆ": "ㅅ", "ㅉ": "ㅈ", "ㅐ": "ㅔ", "ㅒ": "ㅖ"}
)


def loose_jamo(text: str) -> str:
    """Jamo with commonly confused letters merged: the fuzzy matcher's spelling."""
    return jamo(text).translate(_LOOSE)


def bigrams(text: str) -> set[str]:
    """Letter bigrams of a string (the fuzzy matcher's features)."""
    return {text[i : i + 2] for i in range(len(text) - 1)}


@lru_cache(maxsize=4096)
def analysis(text: str) -> tuple[Any, ...]:
    """The analyser's tokens of ``text``, kept per text: a chat turn classifies one
    sub-question's text more than once (the intent classifier's item feature, then the waste
    agent), and with the analysis service each one is a round trip."""
    return analyser().tokenize(text)


def tokens(text: str, analysed: list[Any] | None = None) -> list[str]:
    """Retrieval tokens of already-normalised text: nouns, foreign words and verb stems.
    ``analysed``: Kiwi's tokens of ``text`` when the caller has them already."""
    if analysed is None:
        analysed = list(analysis(text))
    return [t.form.lower() for t in analysed if t.tag.startswith(_KEEP_TAGS)]


# Verbs (and verbal nouns) that say a thing was taken off or out: its noun is a removed part.
_REMOVAL = {"떼", "빼", "벗기", "벗", "뜯", "제거", "분리", "털", "까", "자르", "떼어내", "뜯어내"}
# Nouns too general to name an item: the noun before them does ("플라스틱 조각", "샴푸통 몸통만").
_GENERIC = {
    "거",
    "것",
    "몸통",
    "본체",
    "부분",
    "조각",
    "개",
    "덩어리",
    "쪽",
    "통째",
    "뭉치",
    "여러",
    "모양",
    "종류",
    "자투리",
    "토막",
    "한",
    "두",
    "묶음",
    "봉지째",
    "째",
    "짜리",
}
_NOUN_TAGS = ("NNG", "NNP", "SL")
# "따로" too: "펌프는 따로 뺐어" removed the pump as much as "펌프 뺐어" did.
_THROUGH = {"다", "싹", "전부", "모두", "깨끗이", "끝까지", "따로"}
# Particles after which a noun is not the item: a source ("리모컨에서") or an instrument
# ("신문지로 쌈", "끈으로 묶음").
_NOT_THE_ITEM = {"에서", "로", "으로"}
# A kind written onto a stream's name ("종이류로", "플라스틱류야").
_KIND = {"류"}
# "Isn't it …?" as Kiwi may read it on its own (an interjection).
_NOT_IT = {"아냐", "아니야", "아니", "아님", "이야", "야"}
# Nouns that ask ("스티커 얼마야?"): no thing is said to be them.
_ASKING = {"얼마", "어디", "몇", "무엇", "뭐"}
# Particles of company: "유리병이랑 같이", "캔하고 같이".
_ALONG = {"이랑", "랑", "하고", "와", "과"}
# Verbs of wrapping or putting into: a noun with "에" before one is what the item was wrapped
# in or put into ("깨진 맥주병 조각 신문지에 쌌어", "봉투에 담았어"), not the item.
_WRAPPED_IN = {"싸", "감싸", "담", "넣"}
# Nouns of place inside or among: "모니터 상자 안에 있던 하얀 폼", "키친타월 가운데 심지" are
# about what was inside, so neither the place noun nor the noun it locates is the item.
_PLACE = {"안", "속", "가운데", "안쪽", "사이"}


def _after(tokens_: list[Any], i: int) -> list[Any]:
    """The tokens after the ``i``-th that can say what happened to it (no particles, no
    "all/completely" adverbs)."""
    return [
        t
        for t in tokens_[i + 1 : i + 6]
        if not t.tag.startswith(("JKO", "JX", "JKS")) and t.form not in _THROUGH
    ]


def _compound_removed(tokens_: list[Any], i: int) -> bool:
    """Whether the ``i``-th token begins a compound written as one word whose last noun is
    taken off or out: Kiwi splits "빵가루" into 빵 and 가루, and "털었어" is about both."""
    last = i
    while (
        last + 1 < len(tokens_)
        and tokens_[last + 1].tag.startswith(_NOUN_TAGS)
        and tokens_[last + 1].start == tokens_[last].start + tokens_[last].len
    ):
        last += 1
    rest = _after(tokens_, last)
    return last > i and bool(rest) and rest[0].form in _REMOVAL


def _word_of(text: str, at: int) -> int:
    """Which space-separated word of ``text`` the character at ``at`` belongs to."""
    return text.count(" ", 0, at)


def head_span(text: str, analysed: list[Any] | None = None) -> tuple[int, int] | None:
    """Where the head noun of normalised ``text`` is, as offsets into ``compact(text)``.

    Korean noun phrases end in their head, so the item a description is about is its last noun
    that is not: inside brackets (a remark), a part taken off ("라벨 뗐어", "펌프 빼고",
    "테이프 제거"), where something came from ("리모컨에서 뺀 건전지"), the object of a clause
    that modifies a later noun ("양파 담겨있던 그물망"), or a word too general to name anything
    ("조각", "거"). None when no noun qualifies. ``analysed``: Kiwi's tokens of ``text``, if
    the caller has them already (one analysis serves this and retrieval).
    """
    tokens_ = analysed if analysed is not None else list(analysis(text))
    depth_at = []
    depth = 0
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        depth_at.append(depth)
    asked: set[int] = set()  # words named as what the thing is compared with or said to be
    along: set[int] = set()  # of those, what the thing goes with ("X이랑 같이")
    strict: list[int] = []  # nouns no predicate follows: the noun phrase's own words
    loose: list[int] = []  # nouns a verb follows ("페트병 씻어서 말림"): used when no other
    placed: list[int] = []  # nouns a word of place follows ("상자 안에")
    for i, token in enumerate(tokens_):
        if not token.tag.startswith(_NOUN_TAGS) or token.form in _GENERIC | _REMOVAL | _PLACE:
            continue
        if token.start < len(depth_at) and depth_at[token.start] > 0:
            continue
        # Particles and "all/completely" adverbs sit between a noun and its verb: "알약 다
        # 먹음" (the pills are used up; the bottle is the item) reads like "알약 먹음".
        rest = _after(tokens_, i)
        nxt = rest[0] if rest else None
        if nxt is not None and (nxt.form in _REMOVAL or nxt.form in _NOT_THE_ITEM):
            continue  # a removed part, where it came from, what it was wrapped or tied with
        if _compound_removed(tokens_, i):
            continue  # "빵가루 털었어" (Kiwi: 빵 가루): the whole compound was shaken out
        if nxt is not None and nxt.tag == "XSN" and nxt.form in _KIND:
            nxt = rest[1] if len(rest) > 1 else None  # "종이류로": the kind's particle decides
        if nxt is not None and nxt.form in _NOT_THE_ITEM:
            continue  # where it goes: "종이류로 내놔도 돼?"
        if nxt is not None and nxt.form in _ALONG and any(t.form == "같이" for t in rest[1:3]):
            asked.add(_word_of(text, token.start))
            along.add(_word_of(text, token.start))
            continue  # what it goes with: "유리병이랑 같이 버려도 돼?"
        if (
            nxt is not None
            and i > 0
            and (nxt.tag in ("VCP", "VCN") or nxt.form in _NOT_IT)
            and token.form not in _ASKING
        ):
            # What the thing is said to be, or not to be ("이거 투명페트야?", "고철 아냐?",
            # "쇠니까"): the thing is the noun before; alone, it still names it.
            asked.add(_word_of(text, token.start))
            loose.append(i)
            continue
        if (
            nxt is not None
            and nxt.form in ("안", "못")
            and i + 1 < len(tokens_)
            and tokens_[i + 1].tag in ("JKS", "JX")
            and len(rest) > 1
            and rest[1].tag.startswith(("VV", "VA"))
        ):
            # The subject of a negated verb ("충전이 안 되는데"), as of a verb; "유모차 안 씀"
            # (no particle) is the thing not used.
            loose.append(i)
            continue
        if nxt is not None and nxt.form in _PLACE and nxt.tag.startswith("NN"):
            placed.append(i)  # where the item was: "상자 안에 있던 폼", "키친타월 가운데 심지"
            continue
        if nxt is not None and nxt.form == "에" and len(rest) > 1 and rest[1].form in _WRAPPED_IN:
            continue  # what the item was wrapped in or put into
        if i > 0 and tokens_[i - 1].tag in ("MM", "SN", "NR"):
            continue  # a counter ("한 박스", "두 봉지"): how much, not what
        if nxt is not None and nxt.tag.startswith(("VV", "VA", "XSV")):
            if not any(t.tag == "ETM" for t in rest[1:3]):
                loose.append(i)  # a modifying clause's noun is never the head
            continue
        strict.append(i)
    # A compound split by Kiwi goes with its last noun: "일반쓰레기 아녀" (일반 + 쓰레기) is
    # asked about as a whole, and what a thing goes with takes a bare noun right before it
    # ("일반 우유팩이랑 같이").
    for word in sorted(along):
        first = next(t for t in tokens_ if _word_of(text, t.start) == word)
        preceding = [t for t in tokens_ if t.start + t.len <= first.start]
        if preceding and preceding[-1].tag.startswith(_NOUN_TAGS):
            asked.add(_word_of(text, preceding[-1].start))
    strict = [i for i in strict if _word_of(text, tokens_[i].start) not in asked]
    placed = [i for i in placed if _word_of(text, tokens_[i].start) not in asked]
    # A noun before a word of place is where the item was only when a noun phrase of its own
    # follows: "우유팩 안에 물 넣고 헹군 거" is still about the carton.
    strict = sorted(strict + [p for p in placed if not any(s > p for s in strict)])
    chosen = strict or loose
    if not chosen:
        return None
    token = tokens_[chosen[-1]]
    before = len(compact(text[: token.start]))
    return before, before + len(compact(text[token.start : token.start + token.len]))
