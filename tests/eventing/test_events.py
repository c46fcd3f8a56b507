from __future__ import annotations

from pathlib import Path

import pytest

from eco2.cli.events import render_table
from eventing.events import EVENT_TYPES, Echo, Progress, make_event, payload_of
from eventing.exceptions import InvalidPayloadError, UnknownEventTypeError

DOCS = Path(__file__).parents[2] / "docs" / "events.md"


def test_every_type_is_reverse_dns() -> None:
    assert all(t.startswith("kr.eco2.") for t in EVENT_TYPES)


def test_payload_round_trip() -> None:
    event = make_event("kr.eco2.demo.echo", Echo(text="hi"), subject="j1")
    assert payload_of(event) == Echo(text="hi")
    assert event["subject"] == "j1" and event["source"] == "/eco2"


def test_wrong_payload_for_type_is_refused() -> None:
    with pytest.raises(InvalidPayloadError, match="carries Echo"):
        make_event(
            "kr.eco2.demo.echo",
            Progress(job_id="j", seq=1, stage="vision", status="started", progress=0),
        )


def test_unknown_type_is_refused() -> None:
    with pytest.raises(UnknownEventTypeError):
        make_event("kr.eco2.nope", Echo(text="x"))


def test_invalid_data_names_the_event() -> None:
    event = make_event("kr.eco2.demo.echo", Echo(text="x"))
    event.data = {"nope": 1}
    with pytest.raises(InvalidPayloadError, match=event["id"]):
        payload_of(event)


def test_docs_table_is_up_to_date() -> None:
    assert render_table() in DOCS.read_text(encoding="utf-8"), "run: eco2 events > docs table"


def test_reply_id_is_stable_for_a_retried_handler() -> None:
    from eventing.events import EchoReply, reply_to

    incoming = make_event("kr.eco2.demo.echo", Echo(text="x"), subject="job-7")
    first = reply_to(incoming, "kr.eco2.demo.echo.replied", EchoReply(text="x", handled_by="a"))
    again = reply_to(incoming, "kr.eco2.demo.echo.replied", EchoReply(text="x", handled_by="a"))
    other = make_event("kr.eco2.demo.echo", Echo(text="x"), subject="job-7")
    third = reply_to(other, "kr.eco2.demo.echo.replied", EchoReply(text="x", handled_by="a"))
    assert first["id"] == again["id"] != third["id"]
    assert first["subject"] == "job-7"
