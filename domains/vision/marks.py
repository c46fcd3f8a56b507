"""The Korean recycling-mark vocabulary (분리배출 표시) and fuzzy matching of OCR text against it.

A mark is an arrow triangle with a material word inside (무색페트, 플라스틱, 비닐류, 캔류, 유리,
종이, 종이팩 …) and sometimes a resin or metal code under it (PP, PE, PS, OTHER, 철, 알미늄).
The word decides the disposal category; the code only refines the mark's name.

Decisions worth knowing:

- 무색페트, 투명페트 and the bare word 페트 are ``clear_pet``: since the 2019 revision of the
  marking rules, 페트 is printed only on colourless drink and water bottles, while coloured or
  non-drink PET carries 플라스틱 (+PET). The retired 유색페트 mark and a bare PET code go with the
  plastics (``plastic``).
- 플라스틱 + PS is ``plastic``. Foamed PS (스티로폼) carries the same mark, so the mark alone
  cannot tell a yogurt cup from a foam box; the hint and the rule stage settle it. A printed
  스티로폼/발포 word maps to ``styrofoam``.
- 일반팩 and 멸균팩 are both ``paper_pack`` (they are collected as paper packs).

Matching compares Hangul as jamo (ㅁㅜㅅㅐㄱ…) so that a misread syllable that shares most of its
letters (무 → 우) still scores close, and prefers the longer word on ties so 종이팩 beats 종이.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from pydantic import BaseModel, ConfigDict, Field

# Material word → category key (keys as in the project's reference: clear_pet, plastic, …).
MARK_WORDS: dict[str, str] = {
    "무색페트": "clear_pet",
    "투명페트": "clear_pet",
    "유색페트": "plastic",
    "페트": "clear_pet",
    "플라스틱": "plastic",
    "비닐류": "vinyl",
    "비닐": "vinyl",
    "캔류": "metal",
    "유리": "glass",
    "유리병": "glass",
    "종이": "paper",
    "종이팩": "paper_pack",
    "일반팩": "paper_pack",
    "멸균팩": "paper_pack",
    "스티로폼": "styrofoam",
    "발포": "styrofoam",
}

# Codes printed under the word. Alone (no word read) they still imply a category.
MARK_CODES: dict[str, str] = {
    "PET": "plastic",
    "HDPE": "plastic",
    "LDPE": "plastic",
    "PP": "plastic",
    "PE": "plastic",
    "PS": "plastic",
    "OTHER": "plastic",
    "철": "metal",
    "알미늄": "metal",
    "알루미늄": "metal",
}

# Every character a mark can contain: OCR may be told to read only these.
MARK_CHARSET: str = "".join(sorted(set("".join(MARK_WORDS) + "".join(MARK_CODES))))

# Below this jamo similarity a word is not considered read.
MIN_WORD_SCORE = 0.72
# A two-syllable word with one letter wrong is too often another word read by chance.
MIN_SHORT_WORD_SCORE = 0.8

_HANGUL_BASE, _HANGUL_LAST = 0xAC00, 0xD7A3
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"
# OCR's usual Latin confusions inside codes.
_LATIN_FIXES = str.maketrans({"0": "O", "1": "I", "|": "I", "5": "S", "8": "B"})


class MarkMatch(BaseModel):
    """The mark read from some text: its word, optional code, category and how sure we are."""

    model_config = ConfigDict(frozen=True)

    word: str | None
    code: str | None
    category: str | None
    score: float

    @property
    def mark(self) -> str | None:
        """The mark as printed, e.g. ``플라스틱 PP``; None when nothing was read."""
        parts = [p for p in (self.word, self.code) if p]
        return " ".join(parts) or None


class MarkReading(BaseModel):
    """What OCR found on one image (empty when it found no mark, or did not run)."""

    model_config = ConfigDict(frozen=True)

    words: list[str] = Field(default_factory=list, description="Mark word and code, as matched.")
    raw_text: str = Field("", description="Tesseract's text of the best reading.")
    category: str | None = Field(None, description="Category key the mark implies.")
    mark: str | None = Field(None, description="The mark as printed, e.g. '플라스틱 PP'.")
    confidence: float = Field(0.0, ge=0.0, le=1.0, description="Fuzzy-match score of the mark.")


def jamo(text: str) -> str:
    """Hangul syllables decomposed into their letters; other characters kept as they are."""
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if _HANGUL_BASE <= code <= _HANGUL_LAST:
            index = code - _HANGUL_BASE
            out.append(_CHO[index // 588])
            out.append(_JUNG[(index % 588) // 28])
            if index % 28:
                out.append(_JONG[index % 28])
        else:
            out.append(ch)
    return "".join(out)


def normalise(text: str) -> str:
    """Only Hangul syllables and upper-case Latin letters/digits, without spaces or punctuation."""
    return re.sub(r"[^가-힣A-Z0-9]", "", text.upper())


def _window_score(word: str, text: str) -> float:
    """Best similarity of ``word`` to any window of ``text`` of about its length, on jamo."""
    target = jamo(word)
    best = 0.0
    for size in {len(word) - 1, len(word), len(word) + 1}:
        # A two-letter word is never read from one letter: "발" is not 발포, "이" not 유리.
        if size < min(2, len(word)):
            continue
        for start in range(max(1, len(text) - size + 1)):
            window = jamo(text[start : start + size])
            best = max(best, SequenceMatcher(None, target, window, autojunk=False).ratio())
    return best


def _find_code(text: str) -> str | None:
    """A code read exactly (Latin codes after fixing 0→O-style confusions); longest first."""
    latin = text.translate(_LATIN_FIXES)
    for code in sorted(MARK_CODES, key=len, reverse=True):
        if code in latin:
            return code
    return None


# Words printed on some packaging but not marks of the marking rules: a piece of them is too
# likely a piece of something else.
_PRINTED_ONLY = frozenset({"스티로폼", "발포"})


def _fragments() -> dict[str, str]:
    """Two-syllable pieces of the vocabulary's words that only one category's words contain
    ("무색" → clear_pet, "닐류" → vinyl, "알미" → metal), each with the word it comes from.
    A piece shared by categories ("페트" in 무색페트 and 유색페트, "종이" in 종이팩) is left out:
    a partial read counts only when it cannot mean two things."""
    owners: dict[str, set[str]] = {}
    source: dict[str, str] = {}
    for word, category in [*MARK_WORDS.items(), *MARK_CODES.items()]:
        if not re.fullmatch(r"[가-힣]+", word) or word in _PRINTED_ONLY:
            continue
        for at in range(len(word) - 1):
            piece = word[at : at + 2]
            owners.setdefault(piece, set()).add(category)
            source.setdefault(piece, word)
    return {piece: source[piece] for piece, cats in owners.items() if len(cats) == 1}


_FRAGMENTS = _fragments()
PARTIAL_SCORE = 0.74  # a partial read: above MIN_WORD_SCORE, below any whole-word match


def match_mark(text: str) -> MarkMatch:
    """The mark word (and code) that ``text`` most likely shows.

    Every vocabulary word is scored against every window of the normalised text; the best score
    wins and the longer word wins a tie (종이 is contained in 종이팩). Without a word above
    :data:`MIN_WORD_SCORE`, an exactly read code still gives a category with a lower score.
    """
    clean = normalise(text)
    if not clean:
        return MarkMatch(word=None, code=None, category=None, score=0.0)
    scored = sorted(
        ((_window_score(word, clean), len(word), word) for word in MARK_WORDS),
        reverse=True,
    )
    score, _, word = scored[0]
    # 유페트 is 유색페트 with a letter lost, not 페트 with a stray one: a longer word of another
    # stream that holds the short one and still matches well wins, unless a longer word of the
    # short one's own stream matches as well (색페트 is 무색페트 as much as 유색페트).
    longer = [(s, w) for s, _, w in scored[1:] if len(word) == 2 and word in w and s >= 0.8]
    if longer:
        best_score, best = max(longer)
        if MARK_WORDS[best] != MARK_WORDS[word] and not any(
            s >= best_score for s, w in longer if MARK_WORDS[w] == MARK_WORDS[word]
        ):
            score, word = best_score, best
    if len(word) == 2 and score < MIN_SHORT_WORD_SCORE:
        score = min(score, MIN_WORD_SCORE - 0.01)  # "포트" is not 페트, "우리" not 유리
    rest = clean
    if score >= MIN_WORD_SCORE:
        # Look for the code outside the word, so the 페트 in 무색페트 is not also read as a code.
        rest = clean.replace(word, "")
    code = _find_code(rest)
    if score >= MIN_WORD_SCORE:
        return MarkMatch(word=word, code=code, category=MARK_WORDS[word], score=round(score, 3))
    # A one-letter code (철) read amid other letters is as likely a misread stroke.
    if code is not None and (len(code) > 1 or clean == code):
        return MarkMatch(word=None, code=code, category=MARK_CODES[code], score=0.6)
    pieces = {clean[at : at + 2] for at in range(len(clean) - 1)}
    found = {_FRAGMENTS[p] for p in pieces if p in _FRAGMENTS}
    categories = {MARK_WORDS.get(w) or MARK_CODES[w] for w in found}
    if len(categories) == 1:  # a partial read that can mean only one stream
        word = max(found, key=len)
        category = categories.pop()
        if word in MARK_CODES:
            return MarkMatch(word=None, code=word, category=category, score=PARTIAL_SCORE)
        return MarkMatch(word=word, code=None, category=category, score=PARTIAL_SCORE)
    return MarkMatch(word=None, code=None, category=None, score=round(score, 3))
