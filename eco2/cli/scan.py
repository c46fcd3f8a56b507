"""``eco2 scan IMAGE``: submit a photo to a running system and watch the stages live.

It speaks only HTTP to the API (``eco2 serve``): the upload, the SSE progress stream (httpx,
streaming) with ``Last-Event-ID`` on reconnect, and the answer endpoint when a stage asks what
the item is. Exit codes: 0 done, 1 failed or error, 2 a question left unanswered.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from eco2.cli.signin import auth_options, sign_in

STAGE_NAMES = ("vision", "rule", "answer", "reward")
EXIT_DONE, EXIT_FAILED, EXIT_NEEDS_INPUT = 0, 1, 2


@dataclass
class Outcome:
    """How one SSE connection ended: the terminal event, and the last id seen (to resume)."""

    stage: str | None
    data: dict[str, Any]
    last_id: str | None


def sse_events(response: httpx.Response) -> Iterator[tuple[str | None, str, str]]:
    """(id, event, data) per dispatched SSE event; comments (keepalives) are skipped."""
    event_id: str | None = None
    name, data = "message", list[str]()
    for line in response.iter_lines():
        if line == "":
            if data:
                yield event_id, name, "\n".join(data)
            event_id, name, data = None, "message", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "id":
            event_id = value
        elif field == "event":
            name = value
        elif field == "data":
            data.append(value)


class StageBars:
    """One rich progress bar per stage, 0–100 within the stage."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<8}"),
            BarColumn(),
            TextColumn("{task.fields[state]}"),
            console=console,
        )
        self.tasks: dict[str, TaskID] = {
            name: self.progress.add_task(name, total=100, state="waiting") for name in STAGE_NAMES
        }

    def update(self, stage: str, status: str) -> None:
        task = self.tasks.get(stage)
        if task is None:
            return
        if status == "started":
            self.progress.update(task, completed=50, state="running")
        elif status == "token":
            self.progress.update(task, state="writing")
        elif status == "completed":
            self.progress.update(task, completed=100, state="done")


def follow(client: httpx.Client, events_url: str, bars: StageBars, last_id: str | None) -> Outcome:
    """Read the job's SSE stream to its terminal event, resuming (twice at most) if cut."""
    for _ in range(3):
        headers = {"Last-Event-ID": last_id} if last_id else {}
        try:
            with client.stream("GET", events_url, headers=headers, timeout=None) as response:
                response.raise_for_status()
                for event_id, name, raw in sse_events(response):
                    last_id = event_id or last_id
                    data = json.loads(raw)
                    bars.update(data.get("stage", name), data.get("status", ""))
                    if name in ("done", "failed", "needs_input"):
                        return Outcome(name, data, last_id)
        except httpx.TransportError:
            continue  # the stream was cut: resume after the last event seen
    return Outcome(None, {}, last_id)


def show_result(console: Console, result: dict[str, Any]) -> None:
    """The parts of the result a person reads: category, guidance, character."""
    rule = result.get("rule") or {}
    answer = result.get("answer") or {}
    reward = result.get("reward") or {}
    item = f" ({rule['item']})" if rule.get("item") else ""
    console.print(f"[bold]분류[/bold]: {rule.get('category') or '?'}{item}")
    if answer.get("text"):
        console.print(answer["text"])
    if reward.get("character"):
        owned = " (이미 가진 캐릭터)" if reward.get("already_owned") else ""
        console.print(f"[bold]캐릭터[/bold]: {reward['character']}{owned}")
        if reward.get("dialog"):
            console.print(f"  “{reward['dialog']}”")


def _fail(message: str) -> None:
    click.echo(f"eco2 scan: {message}", err=True)
    sys.exit(EXIT_FAILED)


def _answer(reply: str, choices: list[dict[str, str]]) -> dict[str, str]:
    """The answer's body: a picked choice (its number, key or name) or the words typed."""
    for number, choice in enumerate(choices, 1):
        if reply.strip() in (str(number), choice["category"], choice["name"]):
            return {"choice": choice["category"]}
    return {"text": reply}


@click.command()
@click.argument("image", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--hint", default=None, help="What the item is, in words (helps vision).")
@click.option(
    "--answer", default=None, help="Answer if a stage asks: words, or a choice's number or key."
)
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="The API.")
@click.option("--json", "as_json", is_flag=True, help="Print the raw result JSON at the end.")
@auth_options
def scan(
    image: Path,
    hint: str | None,
    answer: str | None,
    url: str,
    as_json: bool,
    token: str | None,
    email: str | None,
    password: str | None,
    nickname: str,
) -> None:
    """Scan IMAGE: live stage progress, then the category, guidance and character."""
    console = Console(stderr=True)
    base = url.rstrip("/")
    with httpx.Client(base_url=base, timeout=30.0) as client:
        try:
            sign_in(
                client,
                token=token,
                email=email,
                password=password,
                nickname=nickname,
                program="scan",
            )
            files = {"image": (image.name, image.read_bytes(), "application/octet-stream")}
            created = client.post("/api/v1/scans", files=files, data={"hint": hint or ""})
        except httpx.TransportError:
            _fail(f"no API at {base}; start it with `eco2 serve`")
        if created.status_code >= 400:
            error = created.json().get("error", {}) if created.content else {}
            _fail(f"refused ({created.status_code}): {error.get('message', created.text)}")
        job = created.json()
        console.print(f"job {job['job_id']}")
        bars = StageBars(console)
        last_id: str | None = None
        with bars.progress:
            while True:
                outcome = follow(client, job["events_url"], bars, last_id)
                last_id = outcome.last_id
                if outcome.stage != "needs_input":
                    break
                asked = outcome.data.get("payload") or {}
                question = asked.get("question", "무엇인가요?")
                choices = asked.get("choices") or []
                bars.progress.stop()
                console.print(f"[yellow]질문[/yellow]: {question}")
                for number, choice in enumerate(choices, 1):
                    console.print(f"  {number}. {choice['name']} ({choice['category']})")
                reply = answer
                if reply is None and sys.stdin.isatty():
                    reply = click.prompt("답", err=True)
                if not reply:
                    sys.exit(EXIT_NEEDS_INPUT)
                answer = None  # a given answer is used once; a second question needs a person
                posted = client.post(f"{job['result_url']}/answer", json=_answer(reply, choices))
                if posted.status_code >= 400:
                    _fail(f"answer refused ({posted.status_code}): {posted.text}")
                bars.progress.start()
        if outcome.stage == "failed":
            reason = (outcome.data.get("payload") or {}).get("reason", "unknown")
            _fail(f"failed: {reason}")
        if outcome.stage != "done":
            _fail("the progress stream ended without a result")
        result = client.get(job["result_url"])
        body = result.json() if result.status_code == 200 else {}
        final = body.get("result") or outcome.data.get("payload") or {}
        show_result(Console(), final)
        if as_json:
            click.echo(json.dumps(final, ensure_ascii=False, indent=2))
