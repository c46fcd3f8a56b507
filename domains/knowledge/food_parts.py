"""The parts of food and drink said apart from their names: the hard parts of food that do not
go with food waste, and the container a drink came in.

The rules (food.json, "배출불가") send a stone fruit's pit, bones, the shells of eggs,
shellfish and nuts, and the husks of onions, garlic or corn to general waste: animals cannot
eat them. The lexicon knows the usual compounds ("복숭아씨", "닭뼈"); people also say the part
a few words after the food ("복숭아 먹고 남은 씨", "양파 까고 나온 껍질", "대추 씨
음식물쓰레기인가요"), or by its shape only ("복숭아 먹고 남은 가운데 딱딱한 거"). Then the
part is the thing, not the food. A part taken out of the food ("씨는 따로 뺌", "껍데기는 빼고
내용물만") leaves the food itself as the thing, and a soft skin ("닭 껍질", "귤 껍질") is food.
"""

from __future__ import annotations

import re

# Parts that are never food waste, whatever food they come from. One-syllable "씨" only as a
# word of its own: inside a word it is something else ("아저씨", "글씨", "솜씨").
_HARD = re.compile(
    r"(?:(?<![가-힣a-z])(?:씨앗|씨)|뼈다귀|뼈|(?<![가-힣])가시|(?<![가-힣])뿌리)"
    r"(?=$|[^가-힣]|이|가|은|는|을|를|도|만|랑|이랑|하고|들|야|인|임|예|요|음|\s)"
)
# "껍질" is hard only for these foods (the rules' 양파·마늘·생강·옥수수, nuts, eggs,
# shellfish); a fruit's or chicken's skin is food. Regular expressions, each from a word's
# start ("밤" and "은행" are left out: at night, a bank).
HUSKED_FOODS = (
    "양파",
    "마늘",
    "생강",
    "옥수수",
    "땅콩",
    "호두",
    "코코넛",
    "도토리",
    "잣",
    "피스타치오",
    "아몬드",
    "계란",
    "달걀",
    "메추리알",
    "조개",
    "전복",
    "굴(?![러리])",
    "소라",
    "꼬막",
    "홍합",
    "바지락",
    "가리비",
    "대게",
    "꽃게",
    "킹크랩",
)
_FOOD_BEFORE = re.compile("(?<![가-힣])(" + "|".join(HUSKED_FOODS) + ")")
# Seeds small and soft enough to go with the fruit or vegetable ("수박 씨", "사과 씨",
# "파프리카 씨"): food.
SOFT_SEEDED = (
    "사과",
    "배",
    "수박",
    "참외",
    "포도",
    "귤",
    "오렌지",
    "딸기",
    "키위",
    "토마토",
    "멜론",
    "메론",
    "석류",
    "바나나",
    "용과",
    # Vegetables' seeds are scooped out with the flesh.
    "파프리카",
    "피망",
    "고추",
    "호박",
    "단호박",
    "오이",
)
_SOFT_SEED = re.compile("(?<![가-힣])(" + "|".join(SOFT_SEEDED) + ")")
_SKIN = re.compile(r"껍질|껍데기|껍대기")
# A pit said by its shape: "가운데 딱딱한 거", "속에 단단한 부분".
_SHAPE = re.compile(
    r"(가운데|속|안|안쪽|중간|심)\S*\s(있는\s|박힌\s)?(딱딱한|단단한)\s?(거|것|부분|덩어리)"
)
# After the part: it was taken out or is still in ("씨 발라낸 복숭아", "씨 있는", "씨 없는"),
# so the food is the thing; with a topic particle any setting aside counts ("씨는 따로 뺌",
# "뿌리는 잘라서 따로"), where "대파 뿌리 잘라낸 거" is the root itself.
_NOT_THE_THING = re.compile(
    r"^\s?(을|를|도|만|이|가)?\s?(따로|다|잘)?\s?"
    r"(빼|뺀|뺌|뺐|빼고|발라|바른|제거|골라|말고|제외|있는|있음|없|든|째|채|포함|붙은|분리)"
    r"|^\s?(은|는|도)\s?(따로|다|잘라|빼|뺀|뺌|뺐|발라|제거|골라|버리|버림|버렸|떼|뗐|뗀|분리)"
)
# A remark in brackets ("(뿌리는 잘라서 따로)") says what was done, not what the thing is.
_BRACKETS = re.compile(r"\([^)]*\)?")


def hard_part(norm: str, *, food_named: bool) -> str | None:
    """The hard part of food ``norm`` names as the thing (normalised text), if any;
    ``food_named``: whether the text names a food (a shell of no food named is a shell)."""
    norm = _BRACKETS.sub(" ", norm)
    for found in _HARD.finditer(norm):
        seed = found.group(0).startswith("씨")
        if _NOT_THE_THING.match(norm[found.end() :]) or (
            seed and _SOFT_SEED.search(norm[: found.start()])
        ):
            continue
        return found.group(0)
    for found in _SKIN.finditer(norm):
        if _NOT_THE_THING.match(norm[found.end() :]):
            continue
        # The shell of a food with a hard one, or a "껍데기" of nothing named (a shell).
        if _FOOD_BEFORE.search(norm[: found.start()]) or (
            found.group(0) != "껍질" and not food_named
        ):
            return found.group(0)
    shape = _SHAPE.search(norm)
    return shape.group(0) if shape is not None else None


# A drink's container said as a word of its own: a glass bottle, a can ("유리병 코카콜라",
# "캔 사이다", "펩시 캔"). Normalised text ("glass bottle" reads "유리병").
# A container set aside ("캔 말고 페트") is not what it came in.
_ASIDE = r"(?!\s?(이나|이랑|랑|이나|은|는)?\s?(말고|아니|대신|보다))"
_GLASS_BOTTLE = re.compile(r"(?<![가-힣])유리\s?병" + _ASIDE)
_CAN = re.compile(r"(?<![가-힣a-z])캔(?=$|[^가-힣]|이|은|을|도|으로|에)" + _ASIDE)


def drink_container(norm: str) -> str | None:
    """The stream of the glass bottle or can a drink is said to come in, if one is named."""
    if _GLASS_BOTTLE.search(norm):
        return "glass"
    if _CAN.search(norm):
        return "metal"
    return None


# Food left over from a meal or cooking: a word of eating or cooking, then "남은/남긴/남음"
# within a few words ("명절에 부친 전 한 바구니 남음", "면 삶아놓고 남은 거", "콩나물무침
# 남은 거"). Normalised text.
LEFTOVER = re.compile(
    r"(먹|삶|부친|부쳐|끓|볶|튀긴|튀겨|구운|구워|차려|차린|데친|무친|무침|해\s?먹|명절|제사|잔치|반찬)"
    r"[가-힣]*(\s[가-힣a-z0-9]+){0,3}?\s?(남은|남긴|남음|남았|남아)"
)
# A container named as a measure ("한 접시", "두 그릇", "반 봉지"), set aside ("용기 말고
# 밥만") or as the place the food sits ("반찬통 바닥에"): not the thing thrown away.
_COUNT_BEFORE = re.compile(r"(?:^|\s)(한|두|세|네|몇|여러|반|[0-9]+)\s?$")
_AFTER_CONTAINER = re.compile(r"^\s?(은|는)?\s?(말고|빼고|제외)|^\s?(바닥|안|속|안쪽)(에|쪽)?\s?$")


# A container set aside anywhere ("햇반 먹다 남긴 밥 (용기 말고 밥만)").
_CONTAINER_ASIDE = re.compile(
    r"(용기|그릇|통|접시|봉지|팩|컵|포장|상자|박스)\s?(은|는)?\s?(말고|빼고)"
)


def container_not_the_thing(norm: str, alias: str) -> bool:
    """Whether ``alias`` (compact) is a container said as a measure, set aside or as the place
    the food sits, at its last occurrence in ``norm``."""
    if _CONTAINER_ASIDE.search(norm):
        return True
    spaced = norm.replace(" ", "")
    at = spaced.rfind(alias)
    if at < 0:
        return False
    # Back to the text with spaces: where its non-space characters are.
    kept = [i for i, char in enumerate(norm) if char != " "]
    start, end = kept[at], kept[at + len(alias) - 1] + 1
    before, after = norm[:start], re.sub(r"[)\]]", "", norm[end:])
    return bool(_COUNT_BEFORE.search(before) or _AFTER_CONTAINER.match(after))


# Soft parts of meat and fish cut off or peeled ("닭 껍질 떼어낸 거", "삼겹살 비계 잘라낸 거"):
# animals can eat them, so they are food waste.
_SOFT_PART = re.compile(
    r"(?<![가-힣])(닭|치킨|돼지|오리|생선|연어|고등어|삼겹살|소고기|돼지고기|닭고기)\s?"
    r"(껍질|껍데기|비계|기름 ?덩어리|지방)"
)


def soft_part(norm: str) -> str | None:
    """The soft part of meat or fish (food waste) ``norm`` names, if any."""
    found = _SOFT_PART.search(norm)
    return found.group(0) if found is not None else None
