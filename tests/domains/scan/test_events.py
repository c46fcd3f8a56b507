"""The scan payloads bound their text: an event cannot make a stage work for seconds."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domains.scan.events import TEXT_MAX, RuleResult, ScanRequested, ScanState, VisionResult


def test_a_huge_text_reaching_the_rule_stage_is_cut_to_the_bound() -> None:
    state = ScanState.model_validate(
        {
            "request": {"job_id": "j", "image_ref": "sha256:x"},
            "vision": {"text": "페트병 " * 200_000},  # 800 K characters, as a hostile event
        }
    )
    assert state.vision is not None and len(state.vision.text) == TEXT_MAX
    assert len(RuleResult(text="x" * (TEXT_MAX + 5), category=None, confidence=0).text) == TEXT_MAX
    assert VisionResult(text="투명 페트병").text == "투명 페트병"  # ordinary text untouched


@pytest.mark.parametrize(
    "field", [{"hint": "h" * 2_501}, {"model": "m" * 101}, {"job_id": "j" * 65}]
)
def test_an_oversized_request_field_is_refused(field: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        ScanRequested.model_validate({"job_id": "j", "image_ref": "sha256:x", **field})
