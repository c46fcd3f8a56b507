"""The other pages in the browser: a compound chat question, near me (geolocation mocked to
역삼동), the district calendar and reminders, the collection."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import OUTPUT, assert_accessible, save, sign_in
from tests.web.test_scan import MARK, choose_photo

pytestmark = pytest.mark.timeout(420)


def go(page: Any, tab: str, heading: str) -> None:
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name=tab).click()
    page.get_by_role("heading", name=heading, level=1).wait_for()


def test_a_compound_question_is_answered_paragraph_by_paragraph(page: Any) -> None:
    sign_in(page)
    go(page, "대화", "물어보기")
    assert_accessible(page)
    page.get_by_role("button", name="새 대화").click()
    page.get_by_label("메시지").fill("페트병 어떻게 버려? 이코는 뭐 좋아해?")
    page.get_by_role("button", name="보내기", exact=True).click()
    # The live phases of the sub-agents show while the turn runs.
    page.locator("[data-phase]").first.wait_for()
    answer = page.locator("li[data-role=assistant]").last
    answer.locator("[data-paragraph]").first.wait_for(timeout=120_000)
    paragraphs = answer.locator("[data-paragraph]").all_inner_texts()
    assert len(paragraphs) == 2, paragraphs  # one per sub-question, in the order asked
    assert "페트" in paragraphs[0], paragraphs
    assert "이코" in paragraphs[1], paragraphs
    assert_accessible(page)
    page.screenshot(path=str(OUTPUT / "chat-phone.png"))
    # The conversation is listed and reopens with both messages.
    page.get_by_role("button", name="대화 목록").click()
    page.get_by_role("button", name="페트병 어떻게 버려? 이코는 뭐 좋아해?").click()
    page.locator("li[data-role=assistant] [data-paragraph]").first.wait_for()
    assert page.locator("li[data-role=user]").count() == 1
    assert page.locator("li[data-role=assistant]").count() == 1


def test_near_me_lists_places_nearest_first(page: Any) -> None:
    sign_in(page)
    go(page, "근처", "가까운 수거함")
    page.get_by_role("button", name="내 위치에서 찾기").click()
    places = page.get_by_test_id("place")
    places.first.wait_for()
    texts = places.all_inner_texts()
    metres = [_metres(t) for t in texts]
    assert metres == sorted(metres) and len(metres) >= 2, texts
    assert any(k in texts[0] for k in ("수거함", "재활용센터", "가게")), texts[0]
    page.get_by_text(re.compile("평일|항상 열려")).first.wait_for()  # hours, fetched per place
    assert_accessible(page)
    # Filter by kind: only clothing bins.
    page.get_by_label("종류").select_option(label="의류수거함")
    page.get_by_role("button", name="내 위치에서 찾기").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=place]')]"
        ".every(e => e.innerText.includes('의류수거함'))"
    )


def _metres(text: str) -> float:
    found = re.search(r"(\d+(?:\.\d+)?)(km|m)\b", text)
    assert found, text
    return float(found[1]) * (1000 if found[2] == "km" else 1)


def test_the_district_calendar_and_a_reminder(page: Any) -> None:
    sign_in(page)
    go(page, "동네", "우리 동네 배출일")
    page.get_by_label("시·군·구").fill("강남구")
    page.get_by_role("button", name="배출일 보기").click()
    page.get_by_test_id("tonight").wait_for()
    # The page shows what the API says for the zone it picked (the first of 강남구's).
    zone = page.get_by_label("구역").input_value()
    assert zone, "a district with several zones offers them"
    api = page.request.get(f"/api/v1/info/calendar?sigungu=강남구&zone={zone}&days=31").json()
    calendar = page.get_by_test_id("calendar")
    assert calendar.locator("li").count() == len(api["days"]) > 0
    shown = calendar.inner_text()
    for day in api["days"]:
        if day["holiday"]:  # holidays named, and what is not collected on them
            assert day["holiday"] in shown, (day, shown)
        for skipped in day["skipped"]:
            assert f"{skipped['label']} 수거 안 함 ({skipped['reason']})" in shown, shown
    assert "재활용품" in shown
    link = page.get_by_role("link", name=re.compile(r"\.ics"))
    assert "calendar.ics" in (link.get_attribute("href") or "")
    page.get_by_label("알림 시각").fill("20:30")
    page.get_by_role("button", name="알림 저장").click()
    page.get_by_text("알림을 저장했어요. 배출하는 날 저녁 20:30에 알려 드려요.").wait_for()
    assert_accessible(page)
    # An unknown district is a sentence, not a JSON body.
    page.get_by_label("시·군·구").fill("없는구")
    page.get_by_role("button", name="배출일 보기").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "자료는 아직 없어요" in alert.inner_text() and "{" not in alert.inner_text()


def test_the_collection_shows_what_was_found_and_what_is_left(page: Any) -> None:
    sign_in(page)
    go(page, "도감", "내 캐릭터")
    page.get_by_test_id("missing").wait_for()
    missing_before = page.get_by_test_id("missing").locator("li").count()
    assert page.get_by_test_id("owned").count() == 0
    go(page, "찍기", "분리배출 찾기")
    choose_photo(page, MARK, "다 마신 생수병")
    page.get_by_test_id("character").wait_for(timeout=120_000)
    go(page, "도감", "내 캐릭터")
    owned = page.get_by_test_id("owned")
    owned.wait_for()
    assert "투명이" in owned.inner_text()
    assert page.get_by_test_id("missing").locator("li").count() == missing_before - 1
    assert_accessible(page)
    save(page, "collection")


def test_a_near_me_chat_question_asks_for_the_location_and_resumes(page: Any) -> None:
    sign_in(page)
    go(page, "대화", "물어보기")
    page.get_by_role("button", name="새 대화").click()
    page.get_by_label("메시지").fill("근처 폐건전지 수거함 어디야?")
    page.get_by_role("button", name="보내기", exact=True).click()
    asked = page.get_by_role("region").filter(has=page.get_by_role("button", name="내 위치 보내기"))
    asked.wait_for(timeout=120_000)
    assert_accessible(page)
    page.get_by_role("button", name="내 위치 보내기").click()  # geolocation: 역삼동
    user = page.locator("li[data-role=user]").last
    user.get_by_text("강남구").wait_for()  # the position went as its district
    answer = page.locator("li[data-role=assistant] [data-paragraph]").first
    answer.wait_for(timeout=120_000)
    assert answer.inner_text().strip()
    assert page.get_by_role("alert").count() == 0
    save(page, "chat-location")
