"""``eco2 chat "메시지" [--chat ID]``: talk to a running system and watch the turn live.

HTTP only, like ``eco2 scan``: it creates a chat (or continues ``--chat``), posts the message,
follows ``/api/v1/chat/{job_id}/events`` with ``Last-Event-ID`` on reconnect, shows each
sub-agent's phase on stderr as it starts and ends, prints the answer's tokens on stdout as they
come, and answers a question (needs_input) from ``--answer`` or the terminal. Exit codes: 0 an
answer, 1 failed or error, 2 a question left unanswered.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click
import httpx
from rich.console import Console

from eco2.cli.scan import sse_events
from eco2.cli.signin import auth_options, sign_in

EXIT_DONE, EXIT_FAILED, EXIT_NEEDS_INPUT = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"eco2 chat: {message}", err=True)
    sys.exit(EXIT_FAILED)


def follow(
    client: httpx.Client, url: str, console: Console, last_id: str | None
) -> tuple[str | None, dict[str, Any], str | None]:
    """Read the turn's stream to its terminal event (resuming twice at most if cut)."""
    for _ in range(3):
        headers = {"Last-Event-ID": last_id} if last_id else {}
        try:
            with client.stream("GET", url, headers=headers, timeout=None) as response:
                response.raise_for_status()
                for event_id, name, raw in sse_events(response):
                    last_id = event_id or last_id
                    data = json.loads(raw)
                    status, payload = data.get("status"), data.get("payload") or {}
                    if status == "token":
                        # A re-run that worded the answer differently (docs/chat.md): a
                        # terminal cannot take back what it printed, so the answer restarts.
                        lead = "\n" if payload.get("replace") else ""
                        sys.stdout.write(lead + payload.get("text", ""))
                        sys.stdout.flush()
                    elif name in ("done", "failed", "needs_input"):
                        return name, data, last_id
                    elif payload.get("phase") == "agent":
                        mark = "…" if status == "started" else "✓"
                        index = payload.get("index", 0) + 1
                        console.print(f"  [{index}] {payload.get('node')} {mark}", style="dim")
                    elif payload.get("phase") == "classify" and payload.get("intents"):
                        console.print(f"의도: {', '.join(payload['intents'])}", style="dim")
        except httpx.TransportError:
            continue
    return None, {}, last_id


@click.command()
@click.argument("message")
@click.option("--chat", "chat_id", default=None, help="Continue this chat (default: a new one).")
@click.option("--answer", default=None, help="Answer to give if the turn asks (e.g. 마포구).")
@click.option("--model", default=None, help="LLM model for this turn.")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="The API.")
@auth_options
def chat(
    message: str,
    chat_id: str | None,
    answer: str | None,
    model: str | None,
    url: str,
    token: str | None,
    email: str | None,
    password: str | None,
    nickname: str,
) -> None:
    """Send MESSAGE to Eco²'s chat and stream the answer with live phases."""
    console = Console(stderr=True)
    with httpx.Client(base_url=url.rstrip("/"), timeout=30.0) as client:
        try:
            sign_in(
                client,
                token=token,
                email=email,
                password=password,
                nickname=nickname,
                program="chat",
            )
            if chat_id is None:
                created = client.post("/api/v1/chats", json={})
                if created.status_code >= 400:
                    _fail(f"refused ({created.status_code}): {created.text}")
                chat_id = created.json()["chat_id"]
            body: dict[str, Any] = {"text": message}
            if model:
                body["model"] = model
            sent = client.post(f"/api/v1/chats/{chat_id}/messages", json=body)
        except httpx.TransportError:
            _fail(f"no API at {url}; start it with `eco2 serve`")
        if sent.status_code >= 400:
            _fail(f"refused ({sent.status_code}): {sent.text}")
        turn = sent.json()
        console.print(f"chat {chat_id} · job {turn['job_id']}", style="dim")
        last_id: str | None = None
        while True:
            name, data, last_id = follow(client, turn["events_url"], console, last_id)
            if name != "needs_input":
                break
            question = (data.get("payload") or {}).get("question", "어디인가요?")
            console.print(f"[yellow]질문[/yellow]: {question}")
            reply = answer
            if reply is None and sys.stdin.isatty():
                reply = click.prompt("답", err=True)
            if not reply:
                sys.exit(EXIT_NEEDS_INPUT)
            answer = None
            posted = client.post(f"/api/v1/chats/{chat_id}/input", json={"text": reply})
            if posted.status_code >= 400:
                _fail(f"answer refused ({posted.status_code}): {posted.text}")
        sys.stdout.write("\n")
        if name == "failed":
            _fail(f"failed: {(data.get('payload') or {}).get('reason', 'unknown')}")
        if name != "done":
            _fail("the stream ended without an answer")
