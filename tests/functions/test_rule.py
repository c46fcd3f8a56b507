"""The rule function: what vision read (or the hint) → its category and rules, or a question."""

from __future__ import annotations

import time

from cloudevents.http import CloudEvent

from domains.knowledge import text
from domains.scan.events import TEXT_MAX, ScanNeedsInput, ScanRequested, ScanState, VisionResult
from eventing.events import make_event, payload_of
from eventing.runtime.loader import is_async
from functions.rule import main as rule

stage = rule.new()
# A text the classifier is not sure of; the e2e test (tests/e2e/test_serve.py) uses the same.
UNSURE = "스티로폼 박스에 담긴 유리병"  # glass or styrofoam: which one is thrown away?


def seen(vision_text: str | None, hint: str | None = None):
    vision = VisionResult(text=vision_text, source="ocr") if vision_text is not None else None
    state = ScanState(
        request=ScanRequested(job_id="job-r", image_ref="sha256:x", hint=hint), vision=vision
    )
    return make_event("kr.eco2.scan.vision.completed", state, subject="job-r")


async def test_what_vision_read_gets_its_category_and_rules() -> None:
    reply = await stage.handle(seen("깨진 유리컵"))
    assert reply["type"] == "kr.eco2.scan.rule.completed" and reply["subject"] == "job-r"
    state = payload_of(reply, ScanState)
    assert state.rule.category == "non_combustible" and state.rule.confidence >= 0.9
    assert state.rule.rules and state.vision.text == "깨진 유리컵"  # earlier results kept


async def test_without_a_vision_result_the_hint_is_classified() -> None:
    reply = await stage.handle(seen(None, hint="라면 봉지"))
    assert payload_of(reply, ScanState).rule.category == "vinyl"


async def test_text_it_cannot_place_asks_what_the_item_is() -> None:
    reply = await stage.handle(seen("asdf qwer zxcv"))
    assert reply["type"] == "kr.eco2.scan.needs_input"
    asked = payload_of(reply, ScanNeedsInput)
    assert asked.question == rule.QUESTION and asked.state.request.job_id == "job-r"


def test_start_builds_the_tokenizer_before_the_first_event() -> None:
    # The handler runs on the worker's loop (async def): the seconds Kiwi takes to load must be
    # spent in ``start`` (in a thread), never inside a handler call.
    assert is_async(stage.handle)
    text.kiwi.cache_clear()
    # And the per-text analyses: a test that ran the stage before (tests/bench/test_stage.py)
    # leaves the warm-up texts' tokens cached, and start() then needs no Kiwi at all.
    text.analysis.cache_clear()
    rule.new().start()
    assert text.kiwi.cache_info().currsize == 1


async def test_an_unsure_answer_asks_with_the_two_likeliest_categories() -> None:
    reply = await stage.handle(seen(UNSURE))
    assert reply["type"] == "kr.eco2.scan.needs_input"
    asked = payload_of(reply, ScanNeedsInput)
    assert len(asked.choices) == 2 and asked.choices[0].category != asked.choices[1].category
    assert all(c.name in asked.question for c in asked.choices)
    assert "(과)" not in asked.question and "(와)" not in asked.question  # particle chosen
    # 유리병 ends in ㅇ, 스티로폼(발포합성수지) in a vowel (the bracket is not read): whichever
    # the classifier offers first.
    particle = {"glass": "과", "styrofoam": "와"}[asked.choices[0].category]
    assert asked.question.startswith(f"{asked.choices[0].name}{particle} ")


async def test_the_persons_choice_decides_the_category() -> None:
    asked = payload_of(await stage.handle(seen(UNSURE)), ScanNeedsInput)
    picked = asked.choices[1].category
    state = asked.state.model_copy(
        update={"request": asked.state.request.model_copy(update={"choice": picked})}
    )
    reply = await stage.handle(make_event("kr.eco2.scan.vision.completed", state, subject="job-r"))
    assert reply["type"] == "kr.eco2.scan.rule.completed"
    result = payload_of(reply, ScanState).rule
    assert result.category == picked and result.confidence == 1.0 and result.evidence == "person"
    assert result.rules and all(r["category"] == picked for r in result.rules)


async def test_a_sure_answer_does_not_ask() -> None:
    reply = await stage.handle(seen("다 마신 투명 생수 페트병, 라벨 뗐어"))
    assert reply["type"] == "kr.eco2.scan.rule.completed"
    result = payload_of(reply, ScanState).rule
    assert result.category == "clear_pet" and result.confidence >= 0.9


async def test_a_900_kb_text_is_cut_to_its_bound_before_the_stage_reads_it() -> None:
    # A hostile or broken producer's event, its data not built by the model that bounds it.
    event = seen("깨진 유리컵")
    data = dict(event.data)
    data["vision"] = {**data["vision"], "text": "깨진 유리컵 " * 130_000}  # ~2.3 MB of UTF-8
    hostile = CloudEvent(event.get_attributes(), data)
    await stage.handle(event)  # the tokenizer loaded: only the text's cost is timed
    started = time.monotonic()
    reply = await stage.handle(hostile)
    took = time.monotonic() - started
    state = payload_of(reply, ScanState)
    assert len(state.vision.text) == TEXT_MAX and state.rule.category == "non_combustible"
    assert took < 5, took  # 16-23 s before the bound
