"""Alias matching: longest match, spacing and spelling variants, typos, modifiers, parts."""

from __future__ import annotations

import pytest

from domains.knowledge import KnowledgeError, load_knowledge
from domains.knowledge.lexicon import Lexicon
from domains.knowledge.models import LexiconEntry
from domains.knowledge.text import Normaliser


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    kb = load_knowledge()
    return Lexicon(kb.lexicon, Normaliser(kb.synonyms))


@pytest.fixture(scope="module")
def normalise() -> Normaliser:
    return Normaliser(load_knowledge().synonyms)


def _name(lexicon: Lexicon, normalise: Normaliser, text: str) -> str | None:
    match = lexicon.match(normalise(text))
    return match.entry.name if match else None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("피자박스", "피자 박스"),
        ("pizza box", "피자 박스"),
        ("스치로폴 상자", "스티로폼"),
        ("피이티 병", "페트병"),
        ("참치 깡통", "참치캔"),
        ("콜라 캔", "음료캔"),  # longer alias beats "콜라"
        ("콜라 페트병", "코카콜라"),
    ],
)
def test_spacing_spelling_and_longest_alias(
    lexicon: Lexicon, normalise: Normaliser, text: str, name: str
) -> None:
    assert _name(lexicon, normalise, text) == name


def test_one_letter_alias_only_as_a_word(lexicon: Lexicon, normalise: Normaliser) -> None:
    assert _name(lexicon, normalise, "캔 하나") == "음료캔"
    assert _name(lexicon, normalise, "스캔했어") is None


def test_typo_is_matched_fuzzily_with_lower_confidence(
    lexicon: Lexicon, normalise: Normaliser
) -> None:
    match = lexicon.match(normalise("삼다쑤"))
    assert match is not None and match.entry.name == "삼다수"
    assert match.fuzzy is not None


def test_modifier_noun_is_not_the_item(lexicon: Lexicon, normalise: Normaliser) -> None:
    # "음식물 묻은 비닐": 음식물 describes the vinyl.
    assert _name(lexicon, normalise, "음식물 묻은 비닐") == "비닐봉지"
    assert _name(lexicon, normalise, "간장 들어있던 페트병") == "페트병"


def test_part_focus_only_when_the_part_is_meant(lexicon: Lexicon, normalise: Normaliser) -> None:
    cap = lexicon.match(normalise("페트병 뚜껑"))
    assert cap is not None and cap.focus is not None and cap.focus.name == "뚜껑"
    attached = lexicon.match(normalise("페트병 라벨 붙어있음"))
    assert attached is not None and attached.focus is None


def test_duplicate_alias_across_items_is_refused(normalise: Normaliser) -> None:
    entries = [
        LexiconEntry(name="우유팩", aliases=["우유곽"], category="paper_pack"),
        LexiconEntry(name="종이곽", aliases=["우유 팩"], category="paper"),
    ]
    with pytest.raises(KnowledgeError, match="already names"):
        Lexicon(entries, normalise)


def test_the_substring_index_finds_what_searching_for_every_alias_finds(
    lexicon: Lexicon,
) -> None:
    # The index looks up the text's own substrings instead of searching the text for each
    # alias; on every alias, pairs of aliases and repeated ones it must find the same aliases
    # at the same (last) offsets as the search it replaced.
    aliases = sorted(lexicon._long)
    texts = [
        *aliases,
        *(a + b for a, b in zip(aliases, aliases[7:], strict=False)),
        *(a + "버려" + a for a in aliases[::13]),
        "다마신삼다수병",
        "택배상자에붙은테이프",
        "x",
    ]
    for flat in texts:
        searched = {a: flat.rfind(a) for a in aliases if a in flat}
        assert lexicon._aliases_in(flat) == searched, flat
