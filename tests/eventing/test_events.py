from __future__ import annotations

from pathlib import Path

import pytest

from domains.scan.events import SCAN_EVENTS
from eco2.cli.events import render_table
from eventing.events import EventCatalog, Payload, Progress, make_event, payload_of, reply_to
from eventing.exceptions import InvalidPayloadError, UnknownEventTypeError
from tests.eventing.runtime.echo import ECHO_EVENTS, Echo, EchoReply

DOCS = Path(__file__).parents[2] / "docs" / "events.md"


def test_every_scan_type_is_reverse_dns() -> None:
    assert SCAN_EVENTS and all(t.startswith("kr.eco2.scan.") for t in SCAN_EVENTS)


def test_a_catalogue_refuses_a_type_outside_the_namespace() -> None:
    with pytest.raises(ValueError, match=r"not under kr\.eco2"):
        EventCatalog({"com.example.x": Payload})


def test_payload_round_trip() -> None:
    event = ECHO_EVENTS.make("kr.eco2.test.echo", Echo(text="hi"), subject="j1")
    assert ECHO_EVENTS.payload(event) == Echo(text="hi")
    assert payload_of(event, Echo) == Echo(text="hi")
    assert event["subject"] == "j1" and event["source"] == "/eco2"


def test_wrong_payload_for_type_is_refused() -> None:
    with pytest.raises(InvalidPayloadError, match="carries Echo"):
        ECHO_EVENTS.make(
            "kr.eco2.test.echo",
            Progress(job_id="j", seq=1, stage="vision", status="started", progress=0),
        )


def test_unknown_type_is_refused() -> None:
    with pytest.raises(UnknownEventTypeError):
        ECHO_EVENTS.make("kr.eco2.nope", Echo(text="x"))
    with pytest.raises(UnknownEventTypeError):
        ECHO_EVENTS.payload(make_event("kr.eco2.nope", Echo(text="x")))


def test_invalid_data_names_the_event() -> None:
    event = make_event("kr.eco2.test.echo", Echo(text="x"))
    event.data = {"nope": 1}
    with pytest.raises(InvalidPayloadError, match=event["id"]):
        payload_of(event, Echo)


def test_docs_table_is_up_to_date() -> None:
    assert render_table() in DOCS.read_text(encoding="utf-8"), "run: eco2 events > docs table"


def test_reply_id_is_stable_for_a_retried_handler() -> None:
    incoming = make_event("kr.eco2.test.echo", Echo(text="x"), subject="job-7")
    first = reply_to(incoming, "kr.eco2.test.echo.replied", EchoReply(text="x", handled_by="a"))
    again = reply_to(incoming, "kr.eco2.test.echo.replied", EchoReply(text="x", handled_by="a"))
    other = make_event("kr.eco2.test.echo", Echo(text="x"), subject="job-7")
    third = reply_to(other, "kr.eco2.test.echo.replied", EchoReply(text="x", handled_by="a"))
    assert first["id"] == again["id"] != third["id"]
    assert first["subject"] == "job-7"
