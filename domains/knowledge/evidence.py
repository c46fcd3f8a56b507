"""The kinds of evidence the classifier answers on, read from what it found: a lexicon match
(clear, a kind word, a rival named, an action, a material), a gloss's fit and lead, retrieval's
share. ``confidence.CONFIDENCE`` gives each kind its confidence, measured on the sets.
"""

from __future__ import annotations

import re
from typing import Any

from domains.knowledge import phrasing
from domains.knowledge.lexicon import Match
from domains.knowledge.models import LexiconEntry
from domains.knowledge.retrieval import CategoryGuess, GlossGuess
from domains.knowledge.text import compact

# Materials that decide a container's stream when named right before it (compact,
# normalised), longest first; glass is left out: a glass jar is glass, a glass cup is not.
MATERIALS = (
    ("스테인리스", "metal"),
    ("알루미늄", "metal"),
    ("내열유리", "non_combustible"),
    ("강화유리", "non_combustible"),
    ("파이렉스", "non_combustible"),
    ("도자기", "non_combustible"),
    ("세라믹", "non_combustible"),
    ("스틸", "metal"),
    ("양은", "metal"),
    ("금속", "metal"),
    ("무쇠", "metal"),
    ("멜라민", "general"),
    ("원목", "general"),
    ("나무", "general"),
    ("쇠", "metal"),
)
CONTAINER_STREAMS = {"plastic", "metal", "general", "non_combustible"}


def material_before(norm: str, alias: str) -> str | None:
    """The stream of a material named right before ``alias`` in ``norm``, if any."""
    flat = compact(norm)
    at = flat.rfind(alias)
    before = flat[:at] if at > 0 else ""
    # "나무로 된 젓가락", "스텐 재질 컵": the material said with a few words before the item.
    before = MADE_OF.sub("", before)
    return next((cat for word, cat in MATERIALS if before.endswith(word)), None)


# Material words said before a thing that is made in several materials, and the stream each
# gives it (compact, normalised): "갈색 유리 영양제 병" is glass, "PE 필름 포장재" vinyl,
# "종이 칸막이" paper. The word nearest the head counts ("pe 필름": film).
HEAD_MATERIALS = {
    "유리": "glass",
    "내열유리": "non_combustible",
    "강화유리": "non_combustible",
    "파이렉스": "non_combustible",
    "도자기": "non_combustible",
    "세라믹": "non_combustible",
    "스티로폼": "styrofoam",
    "종이": "paper",
    "비닐": "vinyl",
    "필름": "vinyl",
    "플라스틱": "plastic",
    "pe": "plastic",
    "pp": "plastic",
    "ps": "plastic",
    "스테인리스": "metal",
    "알루미늄": "metal",
    "스틸": "metal",
    "양철": "metal",
    "철": "metal",
    "철제": "metal",
    "금속": "metal",
    "무쇠": "metal",
    "양은": "metal",
    "쇠": "metal",
    "원목": "general",
    "나무": "general",
    # Melamine (a thermoset resin: dishes, trays) does not melt down with plastics.
    "멜라민": "general",
    # PET that is no drink bottle (a cup, a tray) is plastic; a PET bottle is left to the item.
    "페트": "plastic",
    # Earthenware and stoneware pots ("흙 냄비", "옹기 항아리"): non-combustible like ceramics.
    "흙": "non_combustible",
    "옹기": "non_combustible",
    "사기": "non_combustible",
}
# Head nouns of things made in several materials (how the head ends): the material decides.
OPEN_HEADS = (
    "병",
    "용기",
    "통",
    "컵",
    "텀블러",
    "칸막이",
    "포장재",
    "포장지",
    "케이스",
    "그릇",
    "접시",
    "트레이",
    "받침",
    "도시락",
    "쟁반",
    "바구니",
    "상자",
    "박스",
    "봉투",
    "빨대",
    "대야",
    "바가지",
    "필름",
    "냄비",
    "솥",
    "주전자",
    "항아리",
    "식판",
    # A net ("쇠 그물망" on the grill, "플라스틱 망"): a bare net is the vinyl bag of onions.
    "망",
)
# Glass that held something (a bottle, a jar) goes to glass collection; a glass cup, tumbler or
# dish does not (rules: 유리 식기는 불연성).
GLASS_HELD = ("병", "용기", "단지")
# Glass that is heat-resistant, said a word before "유리" ("파이렉스 유리 용기"): the kind of
# glass decides (non-combustible), not the word "유리".
_HEAT_GLASS = ("내열", "강화", "파이렉스")
# "철로 된 통", "스텐으로 만든 컵": the walk passes the "made of" words to the material.
_MADE_OF_WORDS = {"로", "으로", "되", "만들", "재질", "소재"}
# Adjectives that say the material is not there ("비닐창 없는 봉투"): the walk stops at them.
_LACKING = {"없", "않", "아니"}
# A bracket that holds a material word alone, or first before a comma ("(종이, ...)").
_BRACKETED_MATERIAL = re.compile(r"\(\s*([^,()]+?)\s*(?:재질)?\s*[,)]")
_NOUNISH = ("NNG", "NNP", "SL", "SN", "XSN", "NR")


def head_material(
    norm: str, analysed: list[Any], head: tuple[int, int] | None
) -> tuple[str, tuple[int, int]] | None:
    """The stream a material word gives the head noun, with where the word is (compact
    offsets), when the head is a thing made in several materials and the word is one of the
    three nouns right before it (adjectives may sit between, no verb)."""
    if head is None:
        return None
    flat = compact(norm)
    word = flat[head[0] : head[1]]
    if not word.endswith(OPEN_HEADS):
        return None
    spans = []
    for token in analysed:
        start = len(compact(norm[: token.start]))
        spans.append((start, start + len(compact(norm[token.start : token.start + token.len]))))
    at = next((i for i, span in enumerate(spans) if span[1] == head[1]), None)
    if at is None:
        return None
    remark = _BRACKETED_MATERIAL.search(norm)
    if remark is not None and compact(remark.group(1)) in HEAD_MATERIALS:
        # "글라스락 반찬통 (내열유리)": a material said in brackets is what the thing is made of.
        stream = HEAD_MATERIALS[compact(remark.group(1))]
        if stream == "glass" and not word.endswith(GLASS_HELD):
            stream = "non_combustible"
        start = len(compact(norm[: remark.start(1)]))
        return stream, (start, start + len(compact(remark.group(1))))
    nouns = 0
    for i in range(at - 1, -1, -1):
        token = analysed[i]
        if (token.tag.startswith(("VA", "XSA", "XR")) and token.form not in _LACKING) or (
            token.tag == "ETM"
            and i > 0
            and analysed[i - 1].tag.startswith(("VA", "XSA"))
            and analysed[i - 1].form not in _LACKING
        ):
            continue  # an adjective between ("스테인리스 큰 대야", "투명한 유리 병")
        if token.form in _MADE_OF_WORDS or (
            token.tag == "ETM" and i > 0 and analysed[i - 1].form in _MADE_OF_WORDS
        ):
            continue  # "철로 된 네모난 통": the material is said before "made of"
        if not token.tag.startswith(_NOUNISH) or nouns == 3:
            return None
        nouns += 1
        said = HEAD_MATERIALS.get(compact(token.form.lower()))
        if said is None:
            continue
        if said == "plastic" and token.form.lower() == "페트" and word.endswith("병"):
            return None  # a PET bottle: the item and its tags decide (clear or not)
        if said == "glass" and (
            not word.endswith(GLASS_HELD)
            or any(compact(t.form).endswith(_HEAT_GLASS) for t in analysed[max(0, i - 2) : i])
        ):
            said = "non_combustible"
        return said, spans[i]
    return None


# Situation tags of soil that may or may not wash off, and the tag of soil that does not.
SOIL_TAGS = ("greasy", "food_soiled")
HEAVY_SOIL = "heavy_soil"


# The person washed it ("헹궈서", "씻었어", "닦아냄"): the soil is gone, the rules say recycle.
WASHED = re.compile(r"(?<![안못] )(?<![안못])(헹[궈구궜굼군]|씻[어었음은]|닦[아았음은])")


def soiled_unsure(tags: list[str], norm: str) -> bool:
    """Whether the text says the thing is soiled but not whether the soil washes off."""
    if HEAVY_SOIL in tags or WASHED.search(norm):
        return False
    return any(t in tags for t in SOIL_TAGS)


MADE_OF = re.compile(r"(으로된|로된|으로만든|로만든|재질의|재질|소재의|소재|제)$")


# Names of a kind of thing, not a thing ("용기", "포대", "종이", "그릇", "병", "박스", "봉지":
# a bottle may be glass or PET, a box paper or styrofoam): the stream is the usual
# one for that kind, so they never count as clear evidence, and a description that fits
# decides over them ("코 풀고 버린 종이" is a tissue, "컵라면 먹은 하얀 그릇" styrofoam).
GENERIC = phrasing.KIND_NAMES


# A thing set aside or come off ("생수 말고 식혜", "분리된 배터리"): the text may be about it.
SET_ASIDE = re.compile(r"말고|아니고|대신|분리된|발라|떨어진|빠진")
# What people take off an item as the rules ask; a removal of one of these is the usual
# preparation ("페트병, 라벨 뗐어"), not a sign that the removed thing is meant.
USUAL_PARTS = ("라벨", "뚜껑", "테이프", "송장", "스티커", "비닐", "펌프", "빨대", "캡", "마개")


def names_a_part(entry: LexiconEntry, norm: str) -> bool:
    """Whether ``norm`` names one of ``entry``'s parts or a usual removable part."""
    names = [n for part in entry.parts for n in (part.name, *part.aliases)] + list(USUAL_PARTS)
    return any(word in norm for name in names for word in name.split("·") if len(word) > 1)


def lexicon_evidence(match: Match, category: str, guesses: list[CategoryGuess], norm: str) -> str:
    if match.fuzzy is not None:
        return "fuzzy_close" if match.fuzzy >= 0.9 else "fuzzy_far"
    if match.aside:
        return "lexicon_aside"
    if match.rivals:
        return "lexicon_rivals"
    if match.covers_head is False:
        return "lexicon_not_head"
    if match.alias in GENERIC:
        return "lexicon_generic"
    proposed = {g.category for g in guesses[:2]}
    if guesses and category not in proposed and match.entry.category not in proposed:
        return "lexicon_retrieval_differs"
    if SET_ASIDE.search(norm) or (
        phrasing.REMOVAL_LATER.search(norm) and not names_a_part(match.entry, norm)
    ):
        return "lexicon_action"
    if REMOVED_THING.search(compact(norm)) and names_a_part(match.entry, norm):
        # "생수 라벨 떼낸 거 그건 따로 어디 넣어": the removed part, pointed at again, is
        # what is asked about; "샴푸통 펌프 뺀 거" alone is the bottle, and stays clear.
        return "lexicon_action"
    return "lexicon_clear"


# A part's removal said as a thing ("떼낸 거"), then pointed at again ("그건").
REMOVED_THING = re.compile(
    r"(떼낸|떼어낸|뗀|뺀|빼낸|벗긴|벗겨낸|제거한|뜯어낸)(거|것)(그건|그거|이건|이거|걔|얘)"
)


# Gloss fit (harmonic mean of the gloss's share the text holds and the text's share the gloss
# explains) and lead over the next category's best gloss, for each kind of gloss evidence.
GLOSS_STRONG = (0.75, 0.3)
GLOSS_FAIR = (0.6, 0.15)
GLOSS_WEAK = 0.45
GLOSS_FAINT = 0.3  # too weak to answer; enough to offer as a choice when nothing else is


def gloss_evidence(described: list[GlossGuess]) -> str | None:
    """The kind of gloss evidence, or None when no gloss fits well enough to answer."""
    if not described:
        return None
    best = described[0]
    lead = best.score - (described[1].score if len(described) > 1 else 0.0)
    if best.score >= GLOSS_STRONG[0] and lead >= GLOSS_STRONG[1]:
        return "gloss_strong"
    if best.score >= GLOSS_FAIR[0] and lead >= GLOSS_FAIR[1]:
        return "gloss_fair"
    if best.score >= GLOSS_WEAK:
        return "gloss_weak"
    return None


def gloss_over_name(described: list[GlossGuess], head: str) -> GlossGuess | None:
    """The best gloss when it fits strongly and holds the text's head noun ``head``."""
    if gloss_evidence(described) != "gloss_strong" or not head:
        return None
    best = described[0]
    held = head in best.words or any(f"~{head[-n:]}" in best.words for n in (1, 2))
    return best if held else None


def retrieval_evidence(best: CategoryGuess | None) -> str:
    if best is None:
        return "none"
    if best.known >= 0.75 and best.share >= 0.5:
        return "retrieval_strong"
    if best.known >= 0.5:
        return "retrieval_weak"
    return "none"
