"""Korean text handling shared by the lexicon and retrieval: normalising, synonyms, tokens, jamo.

Everything that compares text runs it through :class:`Normaliser` first, on both sides (the
lexicon's aliases at load, the user's text at query), so "PET", "피이티" and "패트" all meet
"페트" and spacing never decides a match.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

from kiwipiepy import Kiwi

_ASCII_WORD = re.compile(r"^[a-z0-9 ]+$")
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
        # English words are replaced only as whole words: "can" must not hit "scanner".
        self._english = [(re.compile(rf"(?<![a-z]){re.escape(v)}(?![a-z])"), c) for v, c in english]

    @staticmethod
    def _basic(text: str) -> str:
        return unicodedata.normalize("NFKC", text).lower().strip()

    def __call__(self, text: str) -> str:
        out = self._basic(text)
        for pattern, canonical in self._english:
            out = pattern.sub(f" {canonical} ", out)
        if self._korean is not None:
            out = self._korean.sub(lambda m: self._korean_map[m.group(0)], out)
        return re.sub(r"\s+", " ", out).strip()


def compact(text: str) -> str:
    """Normalised text without spaces or punctuation: the form aliases are matched in."""
    return _NOT_WORD.sub("", text)


_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"


def jamo(text: str) -> str:
    """Hangul split into letters, so a one-letter typo costs a letter, not a syllable."""
    out: list[str] = []
    for char in text:
        code = ord(char) - 0xAC00
        if 0 <= code < 11172:
            out.append(_CHO[code // 588])
            out.append(_JUNG[(code % 588) // 28])
            if code % 28:
                out.append(_JONG[code % 28])
        else:
            out.append(char)
    return "".join(out)


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


_kiwi_lock = threading.Lock()


@lru_cache(maxsize=1)
def kiwi() -> Kiwi:
    """One Kiwi per process: building it takes a second or more."""
    with _kiwi_lock:
        return Kiwi()


def tokens(text: str) -> list[str]:
    """Retrieval tokens of already-normalised text: nouns, foreign words and verb stems."""
    return [t.form.lower() for t in kiwi().tokenize(text) if t.tag.startswith(_KEEP_TAGS)]
