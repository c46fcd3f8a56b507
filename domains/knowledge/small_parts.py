"""A piece of a bulky thing, named after it ("철제 선반 부품 작은 거", "책장 조각"): the piece
is what is thrown away, not the furniture. A piece goes in a bag, so it is no bulky waste:
metal when metal or rust is said, else general waste. A piece said to be still on the thing
("부품 달린 채") leaves the whole.
"""

from __future__ import annotations

import re

# Words for a piece of the thing. A named part with a state ("자전거 체인 끊어진 거",
# "의자 바퀴 빠진 거") is as often the whole thing that broke (the sets label it both ways), so
# only a word that says "a piece of it" counts.
PIECES = ("부품", "조각", "파편", "부속")
_PART = re.compile(r"^\s?(" + "|".join(PIECES) + r")(?!\s?(달린|붙은|포함|째|채))")
# Metal said of the thing or the part, or rust (only metal rusts).
_METAL = re.compile(
    r"철제|(?<![가-힣])철(?=로|\s)|쇠|스텐|스테인리스|알루미늄|금속|녹(이|슨|난|\s)"
)


def small_part(norm: str, alias_end: int) -> str | None:
    """The stream of a part named right after a bulky thing's name ending at ``alias_end``
    (an offset into ``norm``), or None."""
    part = _PART.match(norm[alias_end:])
    if part is None:
        return None
    if _METAL.search(norm):
        return "metal"
    return "general"
