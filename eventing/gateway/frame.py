"""A progress event as the gateway carries it: the fields it routes on, and its JSON untouched.

The gateway never needs an event's contents, only where it goes (``job_id``), its place
(``seq``), its SSE ``event:`` name (``stage``) and whether it ends the stream. So the router
sends those beside the event's JSON (``to_message``), the gateway splits them off
(``from_message``) and writes the JSON to the client as it came: validating every event with
pydantic and serialising it again was a large share of the API + gateway process's CPU.

The Pub/Sub message of a batch (eventing/router/scripts.py builds the same in Lua):

    v2\\n<seq>\\t<stage>\\t<status>\\t<job_id>\\t<event JSON>\\n<seq>\\t…

A batch holding a traced step (eventing.tracing) comes as ``v3``: each line has the router's
span for that step (a W3C ``traceparent``, empty for a step that carries none) before the JSON,
so the gateway's span of the send joins the job's trace.

Tabs and newlines cannot occur inside the fields: the JSON is compact (pydantic escapes control
characters in strings), stage and status are fixed words, and the router refuses a job id that
holds either. Messages of earlier routers (a JSON array of events, or one event object) are
still read, so gateways can be upgraded before routers.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter

from eventing.events import Progress
from eventing.progress import is_terminal

HEADER = "v2\n"
TRACED = "v3\n"
_EARLIER = TypeAdapter(list[Progress])


class MalformedMessage(ValueError):
    """A Pub/Sub message that is not a batch of progress events."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One event: its routing fields and its ``Progress`` JSON, as the router wrote it."""

    job_id: str
    seq: int
    stage: str
    status: str
    data: str
    traceparent: str = ""  # the router's span of this step, when it was traced

    @property
    def terminal(self) -> bool:
        """The job's last event: the stream closes after it."""
        return is_terminal(self)

    def encode(self) -> bytes:
        """The SSE frame: ``id`` = seq (the resume point), ``event`` = stage, ``data`` = JSON."""
        if "\n" in self.data or "\r" in self.data:  # never from the router; kept valid anyway
            lines = self.data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            data = "".join(f"data: {line}\n" for line in lines)
        else:
            data = f"data: {self.data}\n"
        return f"id: {self.seq}\nevent: {self.stage}\n{data}\n".encode()


def of(event: Progress) -> Frame:
    """The frame of a validated event."""
    return Frame(event.job_id, event.seq, event.stage, event.status, event.model_dump_json())


def from_json(raw: str) -> Frame:
    """The frame of one event's JSON (a replay-log entry); raises ``MalformedMessage``."""
    try:
        event = Progress.model_validate_json(raw)
    except ValueError as exc:
        raise MalformedMessage(str(exc)) from exc
    return Frame(event.job_id, event.seq, event.stage, event.status, raw)


def line(seq: int, stage: str, status: str, job_id: str, data: str) -> str:
    """One event's line of a message (the router's Lua script writes the same)."""
    return f"{seq}\t{stage}\t{status}\t{job_id}\t{data}"


def to_message(frames: list[Frame]) -> str:
    """A batch's Pub/Sub message (``v3`` when a frame is traced)."""
    if any(f.traceparent for f in frames):
        with_span = (
            line(f.seq, f.stage, f.status, f.job_id, f"{f.traceparent}\t{f.data}") for f in frames
        )
        return TRACED + "\n".join(with_span)
    lines = (line(f.seq, f.stage, f.status, f.job_id, f.data) for f in frames)
    return HEADER + "\n".join(lines)


def from_message(message: str) -> list[Frame]:
    """The frames of a Pub/Sub message, in order; raises ``MalformedMessage``."""
    if message.startswith(HEADER):
        frames = []
        try:
            for text in message[len(HEADER) :].split("\n"):
                seq, stage, status, job_id, data = text.split("\t", 4)
                frames.append(Frame(job_id, int(seq), stage, status, data))
        except ValueError as exc:
            raise MalformedMessage(f"bad line in a v2 message: {exc}") from exc
        return frames
    if message.startswith(TRACED):
        return _traced(message)
    try:  # a router of an earlier release: a JSON array of events, or one event
        if message.startswith("["):
            return [of(event) for event in _EARLIER.validate_json(message)]
        return [of(Progress.model_validate_json(message))]
    except ValueError as exc:
        raise MalformedMessage(str(exc)) from exc


def _traced(message: str) -> list[Frame]:
    frames = []
    try:
        for text in message[len(TRACED) :].split("\n"):
            seq, stage, status, job_id, traceparent, data = text.split("\t", 5)
            frames.append(Frame(job_id, int(seq), stage, status, data, traceparent))
    except ValueError as exc:
        raise MalformedMessage(f"bad line in a v3 message: {exc}") from exc
    return frames
