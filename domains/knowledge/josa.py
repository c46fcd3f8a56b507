"""Korean particles chosen by the word they follow, so sentences never read "은(는)".

A particle pair has one form after a final consonant (받침) and one after a vowel: 은/는,
이/가, 을/를, 과/와, 이에요/예요. 으로/로 is the exception: ㄹ takes 로 as a vowel does
("비닐류로", "종이로", "물로" but "유리병으로"). A word that ends in a Latin letter or a digit is
read the way Koreans spell it out ("PP는" [피피], "PE는" [피이], "PS는" [피에스]).
"""

from __future__ import annotations

# Latin letters and digits by whether their Korean reading ends in a consonant, and whether
# that consonant is ㄹ (L [엘], R [알], 1 [일], 7 [칠], 8 [팔]).
_LATIN_CONSONANT = set("lmnr")  # 엘, 엠, 엔, 알
_LATIN_RIEUL = set("lr")
_DIGIT_CONSONANT = set("0136780")  # 영, 일, 삼, 육, 칠, 팔, 십…
_DIGIT_RIEUL = set("178")

_PAIRS: dict[str, tuple[str, str]] = {
    # particle as written in a template → (after a consonant, after a vowel)
    "은/는": ("은", "는"),
    "이/가": ("이", "가"),
    "을/를": ("을", "를"),
    "과/와": ("과", "와"),
    "이에요/예요": ("이에요", "예요"),
    "이나/나": ("이나", "나"),
}


def final_consonant(word: str) -> tuple[bool, bool]:
    """(ends in a consonant, that consonant is ㄹ) for the last readable character of ``word``."""
    for char in reversed(word.strip()):
        code = ord(char) - 0xAC00
        if 0 <= code < 11172:
            tail = code % 28
            return tail != 0, tail == 8  # 8 is ㄹ among the 28 final-consonant slots
        lower = char.lower()
        if lower.isdigit():
            return lower in _DIGIT_CONSONANT, lower in _DIGIT_RIEUL
        if "a" <= lower <= "z":
            return lower in _LATIN_CONSONANT, lower in _LATIN_RIEUL
        # Quotes, brackets, spaces: the particle follows the word inside them.
    return False, False


def particle(word: str, pair: str) -> str:
    """The form of ``pair`` ("은/는", "이/가", "을/를", "으로/로", …) that follows ``word``."""
    consonant, rieul = final_consonant(word)
    if pair == "으로/로":
        return "으로" if consonant and not rieul else "로"
    try:
        after_consonant, after_vowel = _PAIRS[pair]
    except KeyError:
        raise ValueError(f"unknown particle pair {pair!r}") from None
    return after_consonant if consonant else after_vowel


def attach(word: str, pair: str) -> str:
    """``word`` followed by the right form of ``pair``: ``attach("페트병", "은/는")`` → 페트병은."""
    return f"{word}{particle(word, pair)}"
