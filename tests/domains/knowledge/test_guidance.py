"""Guidance text: grounded in the data, per part, with fees and prices where they apply."""

from __future__ import annotations

from domains.knowledge import classify, guidance, load_knowledge


def test_guidance_for_pet_lists_parts_steps_and_place() -> None:
    text = guidance(classify("라벨 붙은 삼다수 페트병"))
    assert "투명 페트병" in text
    assert "라벨 → 비닐류" in text
    assert "뚜껑 → 플라스틱류" in text
    assert "[헹군다]" in text and "[분리한다]" in text
    assert "전용 수거함" in text
    assert "원/kg" in text  # PET price


def test_guidance_for_sofa_has_the_fee() -> None:
    text = guidance(classify("3인용 소파"))
    assert "대형폐기물" in text
    assert "수수료" in text and "3인용" in text


def test_guidance_explains_the_condition_that_moved_the_item() -> None:
    text = guidance(classify("기름 묻은 피자 박스"))
    assert text.startswith("'피자 박스'는 일반쓰레기")
    assert "기름" in text


def test_guidance_sentences_come_from_the_data() -> None:
    kb = load_knowledge()
    text = guidance(classify("깨진 맥주병"))
    for line in kb.categories["non_combustible"].disposal:
        assert line in text


def test_guidance_for_unknown_asks_back() -> None:
    text = guidance(classify("ㅋㅋㅋ"))
    assert "확실하지 않아" in text


def test_container_advice_is_not_given_for_a_used_battery() -> None:
    # Regression: "다 쓴 건전지" carried the "emptied → rinse and dry" advice meant for containers.
    from domains.knowledge import classify, guidance

    result = classify("다 쓴 건전지")
    assert result.category == "battery"
    assert "헹구" not in guidance(result)
    bottle = classify("다 마신 생수 페트병")
    assert "헹구고 말리는" in guidance(bottle)
