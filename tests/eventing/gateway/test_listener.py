"""What the gateway makes of a Pub/Sub message: the router's batch, an old router's single
event, or garbage."""

from __future__ import annotations

from eventing.events import Progress
from eventing.gateway.listener import parse_message


def event(seq: int) -> Progress:
    return Progress(job_id="j", seq=seq, stage="vision", status="started", progress=0)


def test_a_batch_message_is_its_events_in_order() -> None:
    data = "[" + ",".join(event(seq).model_dump_json() for seq in (1, 2, 3)) + "]"
    assert [e.seq for e in parse_message(data)] == [1, 2, 3]


def test_a_single_event_from_an_older_router_still_counts() -> None:
    # Mid rolling upgrade, a router of the previous release publishes one object per event.
    assert parse_message(event(7).model_dump_json()) == [event(7)]


def test_a_malformed_message_is_dropped_whole() -> None:
    assert parse_message('[{"job_id": "j"}]') == []
    assert parse_message("not json") == []
