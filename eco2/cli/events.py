"""``eco2 events``: print the event-type table (the source of docs/events.md)."""

from __future__ import annotations

import click

from domains.chat.events import CHAT_EVENTS
from domains.info.events import INFO_EVENTS
from domains.scan.events import SCAN_EVENTS
from eventing.events import EventCatalog

# Every domain's catalogue of events; a new service adds its own here.
CATALOGUES: tuple[EventCatalog, ...] = (SCAN_EVENTS, CHAT_EVENTS, INFO_EVENTS)


def render_table() -> str:
    """Markdown table of every event type and its payload model."""
    lines = [
        "| CloudEvent type | payload model | what it means |",
        "|---|---|---|",
    ]
    for event_type, model in ((t, c[t]) for c in CATALOGUES for t in c):
        doc = (model.__doc__ or "").strip().splitlines()[0]
        lines.append(f"| `{event_type}` | `{model.__name__}` | {doc} |")
    return "\n".join(lines)


@click.command()
def events() -> None:
    """Print the table of CloudEvent types and their payloads (Markdown)."""
    click.echo(render_table())
