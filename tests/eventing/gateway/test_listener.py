"""What the gateway makes of a Pub/Sub message: the router's batch of lines, an earlier router's
JSON array or single event, or garbage."""

from __future__ import annotations

import pytest

from eventing.events import Progress
from eventing.gateway.frame import Frame, MalformedMessage, from_message, of, to_message
from eventing.gateway.listener import parse_message


def event(seq: int, **fields) -> Progress:
    return Progress(job_id="j", seq=seq, stage="vision", status="started", progress=0, **fields)


def test_a_batch_message_is_its_frames_in_order_with_the_json_untouched() -> None:
    tricky = event(2, payload={"text": '탭\t줄\n바꿈 \\ " 끝'})
    frames = [of(event(1)), of(tricky), of(event(3))]
    message = to_message(frames)
    assert message.count("\n") == 3  # header + one line each: the JSON's breaks are escaped
    assert parse_message(message) == frames
    assert Progress.model_validate_json(parse_message(message)[1].data) == tricky


def test_messages_of_earlier_routers_still_count() -> None:
    # Mid rolling upgrade, a router of an earlier release publishes a JSON array per batch
    # (session 7) or one object per event (before it).
    array = "[" + ",".join(event(seq).model_dump_json() for seq in (1, 2)) + "]"
    assert [f.seq for f in parse_message(array)] == [1, 2]
    assert parse_message(event(7).model_dump_json()) == [of(event(7))]


@pytest.mark.parametrize(
    "message",
    ['[{"job_id": "j"}]', "not json", "v2\n1\tvision\tstarted", "v2\nx\tvision\tstarted\tj\t{}"],
    ids=["bad-array", "not-json", "short-line", "bad-seq"],
)
def test_a_malformed_message_is_dropped_whole(message: str) -> None:
    with pytest.raises(MalformedMessage):
        from_message(message)
    assert parse_message(message) == []


def test_the_sse_frame_carries_seq_stage_and_the_json() -> None:
    frame = of(event(4, payload={"a": 1}))
    assert (
        frame.encode()
        == (
            f"id: 4\nevent: vision\ndata: {event(4, payload={'a': 1}).model_dump_json()}\n\n"
        ).encode()
    )
    # Data with line breaks (never from the router) still makes a valid frame: one data line each.
    odd = Frame("j", 5, "vision", "started", "a\nb\r\nc")
    assert odd.encode() == b"id: 5\nevent: vision\ndata: a\ndata: b\ndata: c\n\n"


def test_a_job_id_that_would_break_the_lines_is_refused_at_the_source() -> None:
    with pytest.raises(ValueError):
        Progress(job_id="a\tb", seq=1, stage="vision", status="started", progress=0)
