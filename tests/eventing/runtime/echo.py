"""The echo function, the runtime tests' subject: ``kr.eco2.test.echo`` → ``….echo.replied``.

Its payload carries the test aids: ``sleep_s`` (work this long, to be killed or stopped
mid-event), ``poison`` (always fail) and ``fail_times`` (fail the first N attempts). The
attempts are counted per event id by the instance, which is enough since retries of a worker's
failures reach the same process when it is the only consumer.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import Counter

from cloudevents.http import CloudEvent
from pydantic import Field

from eventing.events import EventCatalog, Payload, make_event, payload_of

ECHO_TYPE = "kr.eco2.test.echo"
REPLIED_TYPE = "kr.eco2.test.echo.replied"


class Echo(Payload):
    """A message for the echo function: it echoes it, or fails as asked."""

    text: str
    fail_times: int = Field(0, ge=0, description="Fail this many attempts, then succeed.")
    poison: bool = Field(False, description="Always fail.")
    sleep_s: float = Field(0.0, ge=0.0, description="Work this long.")


class EchoReply(Payload):
    """The echo function's answer."""

    text: str
    handled_by: str


ECHO_EVENTS = EventCatalog({ECHO_TYPE: Echo, REPLIED_TYPE: EchoReply})


class EchoFailure(RuntimeError):
    """The failure the test aids ask for."""


class EchoFunction:
    """Echoes the text back, after the payload's test aids had their way."""

    def __init__(self) -> None:
        self._failures: Counter[str] = Counter()  # event id → failed attempts so far
        self._lock = threading.Lock()

    def handle(self, event: CloudEvent) -> CloudEvent | None:
        payload = payload_of(event, Echo)
        if payload.sleep_s:
            time.sleep(payload.sleep_s)
        if payload.poison:
            raise EchoFailure(f"poison message {payload.text!r} cannot be echoed")
        with self._lock:
            if self._failures[event["id"]] < payload.fail_times:
                self._failures[event["id"]] += 1
                failed = self._failures[event["id"]]
                raise EchoFailure(f"planned failure {failed} of {payload.fail_times}")
        reply = EchoReply(text=payload.text, handled_by=f"{socket.gethostname()}:{os.getpid()}")
        return make_event(REPLIED_TYPE, reply, subject=event.get("subject"), source="/eco2/echo")


def new(settings: object = None) -> EchoFunction:
    return EchoFunction()
