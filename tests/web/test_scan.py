"""The scan flow in the browser: sign in, a photo with a hint to its character, a connection
cut mid-scan and resumed, and a question answered."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from domains.vision.render import random_spec, render_mark, render_photo_without_mark
from tests.web.conftest import OUTPUT, System, assert_accessible, save, sign_in

pytestmark = pytest.mark.timeout(420)

MARK = render_mark(random_spec("무색페트", None, 0))  # OCR reads it as clear PET
UNSURE = "스티로폼 박스에 담긴 유리병"  # glass or styrofoam: the rule stage asks which
STEPS = [
    "queued:started",
    "vision:started",
    "vision:completed",
    "rule:started",
    "rule:completed",
    "answer:started",
    "answer:completed",
    "reward:started",
    "reward:completed",
    "done:completed",
]


def choose_photo(page: Any, data: bytes, hint: str | None) -> None:
    page.get_by_label("사진").set_input_files(
        {"name": "item.png", "mimeType": "image/png", "buffer": data}
    )
    if hint:
        page.get_by_label("무엇인가요? (선택)").fill(hint)
    page.get_by_role("button", name="분석하기").click()


def seen_seqs(page: Any) -> list[int]:
    raw = page.locator("[data-seqs]").get_attribute("data-seqs") or ""
    return [int(s) for s in raw.split(",") if s]


def steps(page: Any) -> list[str]:
    return page.locator("[data-step]").evaluate_all("els => els.map(e => e.dataset.step)")


def test_sign_up_sign_in_and_the_dev_login(page: Any) -> None:
    page.goto("/")
    page.get_by_role("heading", name="이코에코 로그인").wait_for()
    assert_accessible(page)
    save(page, "sign-in-form")
    email = f"web-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_role("button", name="회원가입").click()
    page.get_by_role("textbox", name="이메일", exact=True).fill(email)
    page.get_by_label("비밀번호", exact=True).fill("correct horse battery")
    page.locator("#nickname").fill("분리왕")
    page.get_by_role("button", name="가입하기").click()
    page.get_by_role("heading", name="분리배출 찾기").wait_for()
    assert "분리왕" in page.locator("header").inner_text()
    # Signed in by HttpOnly cookies: the page cannot read them, a reload keeps the session.
    names = {c["name"]: c for c in page.context.cookies()}
    assert names["eco2_access"]["httpOnly"] and "eco2_refresh" in names
    assert page.evaluate("document.cookie") == ""
    page.reload()
    page.get_by_role("heading", name="분리배출 찾기").wait_for()
    page.get_by_role("button", name="로그아웃").click()
    page.get_by_role("heading", name="이코에코 로그인").wait_for()
    # A wrong password is a sentence; the right one signs in.
    page.get_by_role("textbox", name="이메일", exact=True).fill(email)
    page.get_by_label("비밀번호", exact=True).fill("wrong password!")
    page.get_by_role("button", name="로그인", exact=True).click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "{" not in alert.inner_text(), alert.inner_text()
    page.get_by_label("비밀번호", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="로그인", exact=True).click()
    page.get_by_role("heading", name="분리배출 찾기").wait_for()
    page.get_by_role("button", name="로그아웃").click()
    nickname = sign_in(page)  # the dev login
    assert nickname in page.locator("header").inner_text()
    assert_accessible(page)


def test_a_photo_with_a_hint_goes_through_to_its_character(page: Any) -> None:
    sign_in(page)
    choose_photo(page, MARK, "다 마신 생수병")
    result = page.get_by_test_id("result")
    result.wait_for(timeout=120_000)
    assert result.get_by_role("heading", level=2).inner_text() == "투명 페트병"
    text = result.inner_text()
    assert re.search(r"라벨\s*→\s*비닐류", text), text  # what each part goes to
    assert "준비" in text and "자주 하는 실수" in text, text
    character = page.get_by_test_id("character")
    assert "투명이" in character.inner_text()
    assert steps(page) == STEPS
    assert seen_seqs(page) == list(range(1, len(seen_seqs(page)) + 1))
    assert_accessible(page)
    result.scroll_into_view_if_needed()
    page.screenshot(path=str(OUTPUT / "scan-result-phone.png"))  # what a phone shows


def test_a_connection_dropped_mid_scan_resumes_without_repeating_or_losing_a_step(
    page: Any, system: System
) -> None:
    sign_in(page)
    drops = system.proxy.drops
    # Cut while the scan runs: right after its first step reached the browser, before its last
    # (waiting in the test for the step to show raced a fast scan to its end).
    system.proxy.drop_after_first_event()
    choose_photo(page, MARK, "다 마신 생수병")
    page.get_by_test_id("result").wait_for(timeout=120_000)
    assert system.proxy.drops == drops + 1
    seqs = seen_seqs(page)
    assert seqs == list(range(1, len(seqs) + 1)), seqs  # no step twice, none missing
    assert steps(page) == STEPS
    # The browser did reconnect, and asked to resume after what it had.
    resumed = [
        r
        for r in system.proxy.requests
        if r.after_drop > drops and "/events" in r.line and r.last_event_id
    ]
    assert resumed, [r.line for r in system.proxy.requests if "/events" in r.line]
    save(page, "scan-resumed")


def test_a_question_is_answered_and_the_scan_finishes(page: Any) -> None:
    sign_in(page)
    choose_photo(page, render_photo_without_mark(seed=4), UNSURE)
    question = page.get_by_role("region", name="확인이 필요해요")
    question.wait_for(timeout=120_000)
    choices = question.get_by_role("group", name="고를 수 있는 답").get_by_role("button")
    assert choices.count() == 2
    save(page, "scan-question")
    assert_accessible(page)
    picked = choices.nth(1).inner_text()  # the second, so the pick visibly decides
    choices.nth(1).click()
    result = page.get_by_test_id("result")
    result.wait_for(timeout=120_000)
    assert result.get_by_role("heading", level=2).inner_text() == picked
    seqs = seen_seqs(page)
    assert seqs == list(range(1, len(seqs) + 1)), seqs
    assert steps(page).count("needs_input:needs_input") == 1


def refuse(status: int, code: str, wait: str) -> Any:
    """A route handler answering as the API does under load: the error shape, Retry-After."""

    def handler(route: Any) -> None:
        route.fulfill(
            status=status,
            headers={"Retry-After": wait, "Content-Type": "application/json"},
            body=f'{{"error": {{"code": "{code}", "message": "raw"}}}}',
        )

    return handler


def test_refused_uploads_are_sentences_with_the_wait(page: Any) -> None:
    sign_in(page)
    alert = page.get_by_role("alert")
    # The real API's refusals: not an image (415), too large (413).
    choose_photo(page, b"this is not a picture at all", None)
    alert.wait_for()
    assert alert.inner_text() == "이미지 파일이 아니에요. 사진(JPG, PNG 등)을 골라 주세요."
    choose_photo(page, MARK + bytes(10 * 1024 * 1024), None)
    page.get_by_text("사진이 너무 커요").wait_for()
    # 429 and 503 come under load; the page is given them (with their Retry-After) here.
    for status, code, wait, words in (
        (429, "rate_limited", "7", "요청이 너무 잦아요. 7초 뒤에 다시 시도해 주세요."),
        (503, "overloaded", "5", "지금 요청이 많아 바빠요. 5초 뒤에 다시 시도해 주세요."),
    ):
        page.route("**/api/v1/scans", refuse(status, code, wait))
        choose_photo(page, MARK, None)
        page.get_by_text(words).wait_for()
        assert "raw" not in alert.inner_text() and "{" not in alert.inner_text()
        page.unroute("**/api/v1/scans")
    assert_accessible(page)
