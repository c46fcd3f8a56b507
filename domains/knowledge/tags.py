"""Reading situation tags (label attached, broken, greasy …) out of a normalised text.

A cue counts unless it is negated nearby: "라벨 뗀", "라벨 없는", "안 깨진", "깨지지 않은",
"기름 안 묻은". Negation is looked for in the rest of the cue's word and the next word, and
as a stand-alone "안"/"전혀" right before it — close enough to catch the usual phrasings,
narrow enough that "기름 묻은 거 안 지워져" still reads as greasy. "코팅 안된" (not coated)
negates like "코팅 안 된", and so do "기름안묻은" written together, "기름 하나도 안 묻은" (the
"not at all" comes first) and the shorthand "코팅x", "기름 ㄴㄴ".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domains.knowledge.models import SituationTag

_NEGATION_AFTER = re.compile(
    r"(없|안\b|안 |안[된됨한함했되묻뭍]|않|뗀|떼어|떼고|떼낸|뗐|제거|벗긴|벗겨낸"
    r"|뺀|빼고|빼낸|뺐|없이|말고|하나도|^\s?(x|ㄴㄴ)(?![a-z]))"
)
# The cue is the first word of a noun phrase taken out as a whole: "은박 포장은 뺐음", "비닐
# 코팅을 벗겼어" (the phrase's particle, then the verb of removal).
_PHRASE_REMOVED = re.compile(r"^\S*\s\S+(은|는|을|를|도)\s(뺐|뗐|뗀|뺀|빼|떼|제거|벗)")
_DOUBLE_NEGATION = re.compile(
    r"((안|못)\s?(뗀|떼|제거|벗|뺀|빼)|(제거|떼|뗀)\S*\s?(안|못)\s?(한|했|함))"
)
# "안" written onto the cue ("형광등안깨진거") negates it as well as a spaced one.
_NEGATION_BEFORE = re.compile(r"(?:^|\s)(안|전혀|안된|하나도)\s*$|안$")


@dataclass(frozen=True)
class TagMatcher:
    """Compiled cues of every tag, evaluated in data order."""

    tags: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    # Every cue in one pattern: most texts name no situation, and one search tells so where the
    # ~110 cues one by one cost a fifth of the rule stage's CPU per event (bench/stage.py).
    any_cue: re.Pattern[str] | None = None

    @classmethod
    def build(cls, tags: dict[str, SituationTag]) -> TagMatcher:
        compiled = tuple(
            (key, tuple(re.compile(cue) for cue in tag.cues)) for key, tag in tags.items()
        )
        cues = [f"(?:{pattern.pattern})" for _, patterns in compiled for pattern in patterns]
        return cls(tags=compiled, any_cue=re.compile("|".join(cues)) if cues else None)

    def detect(self, text: str) -> list[str]:
        """Tag keys whose cue occurs un-negated in ``text`` (normalised, spaces kept)."""
        if self.any_cue is not None and self.any_cue.search(text) is None:
            return []
        found: list[str] = []
        for key, patterns in self.tags:
            if any(self._affirmed(text, p) for p in patterns):
                found.append(key)
        return found

    @staticmethod
    def _affirmed(text: str, pattern: re.Pattern[str]) -> bool:
        for match in pattern.finditer(text):
            after = text[match.end() :]
            # Rest of this word plus the next one ("라벨을 떼어낸" → "을 떼어낸").
            window = " ".join(after.split(" ", 2)[:2])
            wider = " ".join(after.split(" ", 3)[:3])
            if _DOUBLE_NEGATION.search(wider):
                return True  # "라벨 안 뗀", "제거 안 한": the thing is still there
            before = text[: match.start()]
            if _NEGATION_AFTER.search(window) or _NEGATION_BEFORE.search(before):
                continue
            if _PHRASE_REMOVED.search(after):
                continue
            return True
        return False
