"""The data files load, are complete, and a broken file is refused at load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from domains.knowledge import CATEGORY_KEYS, KnowledgeError, load_knowledge, read_knowledge
from domains.knowledge.loader import DATA_DIR


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the packaged data directory that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def test_all_eighteen_categories_load_with_steps_and_rules() -> None:
    kb = load_knowledge()
    assert list(kb.categories) == list(CATEGORY_KEYS)
    assert len(CATEGORY_KEYS) == 18
    for key, category in kb.categories.items():
        assert category.preparation, key
        assert category.rules, key
        assert category.disposal, key
        assert all(rule.id.startswith(f"{key}.") for rule in category.rules)


def test_preparation_uses_the_four_core_verbs_somewhere() -> None:
    actions = {s.action for c in load_knowledge().categories.values() for s in c.preparation}
    assert {"비운다", "헹군다", "분리한다", "섞지 않는다"} <= actions


def test_category_without_preparation_steps_fails_to_load(data_copy: Path) -> None:
    _edit(data_copy / "categories" / "glass.yaml", lambda d: d.update(preparation=[]))
    with pytest.raises(KnowledgeError, match="preparation step"):
        read_knowledge(data_copy)


def test_category_with_preparation_key_removed_fails_to_load(data_copy: Path) -> None:
    _edit(data_copy / "categories" / "battery.yaml", lambda d: d.pop("preparation"))
    with pytest.raises(KnowledgeError, match="preparation"):
        read_knowledge(data_copy)


def test_missing_category_file_fails(data_copy: Path) -> None:
    (data_copy / "categories" / "construction.yaml").unlink()
    with pytest.raises(KnowledgeError, match="construction"):
        read_knowledge(data_copy)


def test_unknown_field_is_an_error_not_ignored(data_copy: Path) -> None:
    _edit(data_copy / "categories" / "metal.yaml", lambda d: d.update(prepration=[]))
    with pytest.raises(KnowledgeError, match="prepration"):
        read_knowledge(data_copy)


def test_lexicon_condition_with_unknown_tag_fails(data_copy: Path) -> None:
    path = data_copy / "lexicon" / "zz_bad.yaml"
    path.write_text(
        "groups:\n  - category: paper\n    conditions: [{tags: [sparkly], category: general}]\n"
        "    items: [반짝이 카드]\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="sparkly"):
        read_knowledge(data_copy)


def test_lexicon_item_with_unknown_category_fails(data_copy: Path) -> None:
    path = data_copy / "lexicon" / "zz_bad.yaml"
    path.write_text("groups:\n  - category: compost\n    items: [퇴비]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="퇴비"):
        read_knowledge(data_copy)


def test_lexicon_is_several_hundred_items() -> None:
    kb = load_knowledge()
    assert len(kb.lexicon) >= 300
    assert {e.category for e in kb.lexicon} == set(CATEGORY_KEYS)


def test_prices_cover_recyclable_streams() -> None:
    prices = load_knowledge().prices
    by_id = {p.id: p for p in prices.items}
    assert by_id["metal_aluminum_can"].prices["nationwide"] == 1200
    assert by_id["plastic_pet"].category == "clear_pet"
    assert prices.unit == "원/kg"


def test_english_words_join_the_synonyms_of_their_korean_word() -> None:
    synonyms = load_knowledge().synonyms
    assert "yoga mat" in synonyms["요가매트"]
    assert "pet" in synonyms["페트"]  # synonyms.yaml's own entries stay


def test_a_variant_of_two_canonical_words_across_the_files_fails(data_copy: Path) -> None:
    # "fridge" is 냉장고's in synonyms.yaml; giving it to 세탁기 too must not load.
    (data_copy / "synonyms_en.yaml").write_text("세탁기: [fridge]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="fridge"):
        read_knowledge(data_copy)


def test_without_an_english_file_the_base_loads(data_copy: Path) -> None:
    (data_copy / "synonyms_en.yaml").unlink()
    assert "요가매트" not in read_knowledge(data_copy).synonyms
