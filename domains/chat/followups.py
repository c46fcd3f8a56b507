"""Which pieces of a message are one question: follow-ups read with the question before them,
and the splits ``analyse`` undoes.

The splitter cuts at every sentence and clause, so that no sub-question is dropped; these rules
put back together what was cut but asks one thing: an elliptical follow-up ("구리는?"), a piece
pointing back ("그거 취소는?"), a purpose given after the question ("직접 가져가 보게"), a bare
topic after a question, and a weak clause split whose sides ask the same. Each threshold was
chosen by cross-validation on the dev halves (docs/chat.md).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from domains.chat.intents import THRESHOLD, keyword_hits, squeeze
from domains.chat.splitter import Piece, asks, bare_topic, elliptical, morphemes

if TYPE_CHECKING:
    from domains.chat.classifier import AsyncScorer, SubQuestion

# Letters (no spaces) up to which a piece with no keyword of its own reads as a follow-up.
CONTINUATION_CHARS = 8
# A short piece that is not elliptical has a topic of its own when the classifier gives one
# intent at least this alone (chosen by cross-validation, docs/chat.md).
CONTEXT_SELF = 0.75
# A piece that opens by pointing back ("그거 취소는 어떻게 해?", "거기 말고 다른 곳은?",
# "그럼 …") continues the previous question whatever its length.
_DEICTIC = re.compile(
    r"^(그거|그건|그걸|그것|거기|그럼|그러면|그곳|그때|그 ?중|이번엔|이번에는|다시)"
)
# Letters up to which a question about "X too" ("맥주병도 돼?") continues the previous one.
ALSO_CHARS = 12


async def reading(
    text: str, prev_text: str | None, score: AsyncScorer
) -> tuple[str | None, dict[str, float]]:
    """The question ``text`` continues (or None) and the probabilities it is decided on.

    An elliptical follow-up ("구리는?", "이건?") is read with the question before it. A short
    piece that is not elliptical ("너 이름 뭐야?", "내일 비 안 오지?") is read with it only when
    it has no topic of its own: the classifier is unsure of it alone (below ``CONTEXT_SELF``).
    """
    if not prev_text or not continues(text):
        return None, await score(text)
    if not elliptical(text) and not _points_back(text):
        if not asks(text) and not _purpose(text):
            # A statement ("귀엽다", "짜증나 ㅠ") is a thing said, not a question continued;
            # one giving the question's purpose ("직접 가져가 보게", "박스 내놓으려고") is.
            return None, await score(text)
        own = await score(text)
        if max(own.values(), default=0.0) >= CONTEXT_SELF:
            return None, own
    return prev_text, await score(f"{prev_text} {text}")


def continues(text: str) -> bool:
    """A piece with no topic of its own that reads as a follow-up ("구리는?", "얼마야?",
    "이건?"): it is classified together with the question before it."""
    if any(keyword_hits(text).values()):
        return False
    if _points_back(text):
        return True
    return elliptical(text) or len(squeeze(text)) <= CONTINUATION_CHARS


_PURPOSE = frozenset(
    {"ᆯ게", "을게", "게", "려고", "으려고", "는데", "은데", "ᆫ데", "라", "라서", "니까"}
)


def _purpose(text: str) -> bool:
    """Whether a statement ends in a purpose or reason ending (-려고, -ㄹ게, -는데, -라)."""
    endings = [t.form for t in morphemes(text) if t.tag in ("EF", "EC")]
    return bool(endings) and endings[-1] in _PURPOSE


def _points_back(text: str) -> bool:
    """An opener pointing back ("그거 …", "거기 …", "이번엔 …") or a short question about
    "X too" ("맥주병도 돼?", "인터넷으로도 신청돼?"): the same question, continued."""
    if _DEICTIC.match(text.strip()):
        return True
    return (
        len(squeeze(text)) <= ALSO_CHARS
        and asks(text)
        and any(t.tag == "JX" and t.form == "도" for t in morphemes(text))
    )


def joins(last: SubQuestion, new: SubQuestion, piece: Piece) -> bool:
    """Whether a split is undone: a bare noun phrase after a question names its topic; a weak
    clause split, when one side could not be placed (it fell to general), or both sides ask the
    same thing and not each its own question."""
    if asks(last.text) and bare_topic(piece.text) and not any(keyword_hits(piece.text).values()):
        return True
    if not piece.weak:
        return _one_unplaced(last, new)
    if "general" in (last.decision.intent, new.decision.intent) and (
        last.confidence < THRESHOLD or new.confidence < THRESHOLD
    ):
        return True
    if last.intent != new.intent:
        return False
    return not (asks(last.text) and asks(new.text))


def _one_unplaced(last: SubQuestion, new: SubQuestion) -> bool:
    """One side of a sentence split fell to general only because the classifier was unsure of
    it ("이거 머임? 어디 버림?", "…바뀐 거 있어? 검색 좀") while the other was placed."""
    sides = ((last, new), (new, last))
    return any(
        a.intent == "general" and a.confidence < THRESHOLD and b.intent != "general"
        for a, b in sides
    )
