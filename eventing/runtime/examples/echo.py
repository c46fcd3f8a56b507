"""The echo function: answers ``kr.eco2.demo.echo`` with ``kr.eco2.demo.echo.replied``.

It is the runtime's demo and test subject, so it honours the ``Echo`` payload's test aids:
``sleep_s`` (work this long, to be killed or stopped mid-event), ``poison`` (always fail) and
``fail_times`` (fail the first N attempts). ``fail_times`` needs memory across attempts; it is
kept per event id in this process, which is enough for a test aid since retries of a worker's
failures reach the same process when it is the only consumer.

Run it alone::

    functions-framework --target handle --source eventing/runtime/examples/echo.py \\
        --signature-type cloudevent
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import Counter

from cloudevents.http import CloudEvent

from eventing.events import Echo, EchoReply, make_event, payload_of
from eventing.runtime import function

_failures: Counter[str] = Counter()  # event id → failed attempts so far (test aid only)
_lock = threading.Lock()


class EchoFailure(RuntimeError):
    """The failure the test aids ask for."""


@function
def handle(event: CloudEvent) -> CloudEvent | None:
    """Echo the text back, after the payload's test aids had their way."""
    payload = payload_of(event, Echo)
    if payload.sleep_s:
        time.sleep(payload.sleep_s)
    if payload.poison:
        raise EchoFailure(f"poison message {payload.text!r} cannot be echoed")
    with _lock:
        if _failures[event["id"]] < payload.fail_times:
            _failures[event["id"]] += 1
            raise EchoFailure(f"planned failure {_failures[event['id']]} of {payload.fail_times}")
    reply = EchoReply(text=payload.text, handled_by=f"{socket.gethostname()}:{os.getpid()}")
    return make_event(
        "kr.eco2.demo.echo.replied", reply, subject=event.get("subject"), source="/eco2/echo"
    )
