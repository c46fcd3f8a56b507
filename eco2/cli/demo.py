"""``eco2 demo``: scan the project's own sample images on the embedded pipeline, no servers.

The samples are rendered here (``domains.vision.samples``): recycling marks read by OCR, a
mark-less photo explained by a hint, and a mark-less photo without a word, which makes the
pipeline ask what it is; the demo answers that question itself to show the resume. Every job
runs through the real vision, rule, answer and reward functions (``eco2.embedded``), with a
progress bar per job fed by the same progress steps SSE clients receive. ``--echo`` runs the
older runtime demo (retries, dead letters, dedupe) instead.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.table import Table

from domains.knowledge import load_knowledge
from domains.vision.samples import Sample, samples, write_samples
from eco2.embedded import EmbeddedPipeline
from eventing.events import Progress as Step

DEMO_ANSWER = "다 쓴 건전지"
STAGE_LABELS: dict[str, str] = {
    "queued": "대기 queued",
    "vision": "인식 vision",
    "rule": "분류 rule",
    "answer": "안내 answer",
    "reward": "보상 reward",
    "done": "완료 done",
    "failed": "실패 failed",
    "needs_input": "질문 needs input",
}


class SampleOutcome(BaseModel):
    """How one sample's scan ended, and whether that is what the sample expects."""

    name: str
    hint: str | None
    expect: str  # a category key, "hint" (any category) or "needs_input" (asked, then answered)
    question: str | None = None
    answered: str | None = None
    result: dict[str, Any] | None = None
    failure: str | None = None

    @property
    def category(self) -> str | None:
        return ((self.result or {}).get("rule") or {}).get("category")

    @property
    def ok(self) -> bool:
        if self.result is None:
            return False
        if self.expect == "needs_input":
            return self.question is not None and self.category is not None
        return (self.expect == "hint" and self.category is not None) or self.expect == self.category


async def run_scan_demo(
    console: Console,
    folder: Path,
    *,
    answer: str = DEMO_ANSWER,
    timeout_s: float = 60.0,
    chat: bool = False,
) -> list[SampleOutcome]:
    """Write the samples to ``folder``, scan them all at once and return how each ended."""
    write_samples(folder)
    cases = samples(folder)
    bars = Progress(
        TextColumn("{task.fields[sample]:<18}"),
        BarColumn(bar_width=30),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.description}"),
        console=console,
    )
    async with EmbeddedPipeline() as pipeline:
        with bars:
            jobs = [
                _scan(pipeline, case, bars, answer, timeout_s) for case in cases
            ]  # submitted together: the stages interleave jobs as the workers would
            outcomes = list(await asyncio.gather(*jobs))
        if chat:
            await run_chat_demo(console, pipeline, timeout_s=timeout_s)
        return outcomes


CHAT_DEMO: tuple[tuple[str, str | None], ...] = (
    ("이거 어디서 버려? 이코는 뭐 좋아해?", None),
    ("근처 재활용센터 어디야? 고철은 얼마에 팔아?", "마포구 망원동"),
)


async def run_chat_demo(
    console: Console, pipeline: EmbeddedPipeline, *, timeout_s: float = 60.0
) -> list[str]:
    """A short chat after the scans ("이거" is the last scanned item); the answers."""
    console.print("[bold]Eco² chat demo[/] — 이코에코에게 물어보기")
    answers: list[str] = []
    for message, reply in CHAT_DEMO:
        console.print(f"[bold cyan]나[/]: {message}")
        job_id = await pipeline.chat(message)
        last = await _chat_follow(console, pipeline, job_id, timeout_s)
        if last is not None and last.stage == "needs_input" and reply:
            question = (last.payload or {}).get("question")
            console.print(f"[yellow]이코에코[/]: {question}")
            console.print(f"[bold cyan]나[/]: {reply}")
            await pipeline.chat(reply, resume_job=job_id)
            last = await _chat_follow(console, pipeline, job_id, timeout_s)
        if last is None or last.stage != "done":
            raise RuntimeError(f"chat turn {job_id} ended without an answer: {last}")
        answers.append(str((last.payload or {}).get("text", "")))
    return answers


async def _chat_follow(
    console: Console, pipeline: EmbeddedPipeline, job_id: str, timeout_s: float
) -> Step | None:
    """Show a turn's phases as they happen and its answer as its tokens arrive."""
    last: Step | None = None
    tokens: list[str] = []
    async for step in pipeline.follow(job_id, timeout_s=timeout_s):
        last = step
        payload = step.payload or {}
        if step.status == "token":
            if payload.get("replace"):  # a re-run's own wording replaces what was shown
                tokens.clear()
            tokens.append(str(payload.get("text", "")))
        elif payload.get("phase") == "agent" and step.status == "started":
            console.print(
                f"  … {payload.get('node')} #{int(payload.get('index', 0)) + 1}", style="dim"
            )
        elif payload.get("phase") == "classify" and payload.get("intents"):
            console.print(f"  의도: {', '.join(payload['intents'])}", style="dim")
    if tokens:
        console.print("[green]이코에코[/]: " + "".join(tokens), soft_wrap=True)
    return last


async def _scan(
    pipeline: EmbeddedPipeline, case: Sample, bars: Progress, answer: str, timeout_s: float
) -> SampleOutcome:
    outcome = SampleOutcome(name=case.path.name, hint=case.hint, expect=case.expect)
    task = bars.add_task(STAGE_LABELS["queued"], total=100, sample=outcome.name)
    job_id = await pipeline.submit(case.path.read_bytes(), case.hint)
    last = await _follow(pipeline, job_id, bars, task, timeout_s)
    if last is not None and last.stage == "needs_input":
        outcome.question = (last.payload or {}).get("question")
        bars.console.print(f"[yellow]{outcome.name}[/]: 질문 — {outcome.question}", soft_wrap=True)
        bars.console.print(f"[yellow]{outcome.name}[/]: 데모 답변 — {answer}", soft_wrap=True)
        outcome.answered = answer
        await pipeline.answer(job_id, answer)
        last = await _follow(pipeline, job_id, bars, task, timeout_s)
    if last is None:
        outcome.failure = f"no progress within {timeout_s:.0f}s"
    elif last.stage == "done":
        outcome.result = last.payload
    else:
        outcome.failure = str((last.payload or {}).get("reason") or last.stage)
    return outcome


async def _follow(
    pipeline: EmbeddedPipeline, job_id: str, bars: Progress, task: TaskID, timeout_s: float
) -> Step | None:
    """Move the job's bar with each step; returns the terminal step (None on a timeout)."""
    last: Step | None = None
    try:
        async for step in pipeline.follow(job_id, timeout_s=timeout_s):
            last = step
            label = STAGE_LABELS.get(step.stage, step.stage)
            if step.status == "started":
                label += " …"
            bars.update(task, completed=step.progress, description=label)
    except TimeoutError:
        return None
    return last


def _report(console: Console, outcomes: list[SampleOutcome]) -> None:
    names: dict[str | None, str] = {key: c.name for key, c in load_knowledge().categories.items()}
    for outcome in outcomes:
        table = Table(title=outcome.name, show_header=False, title_justify="left", expand=False)
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column(overflow="fold", max_width=90)
        if outcome.question:
            table.add_row("질문 asked", outcome.question)
            table.add_row("답변 answer", outcome.answered or "")
        if outcome.result is None:
            table.add_row("실패 failed", outcome.failure or "")
            console.print(table)
            continue
        vision = outcome.result.get("vision") or {}
        rule = outcome.result.get("rule") or {}
        reward = outcome.result.get("reward") or {}
        read = ", ".join(vision.get("marks") or []) or "-"
        hint = (outcome.result.get("request") or {}).get("hint") or "-"
        table.add_row(
            "읽음 read", f"표시 marks: {read} · 메모 hint: {hint} ({vision.get('source')})"
        )
        category = rule.get("category")
        table.add_row(
            "분류 category", f"{names.get(category, '-')} ({category}) — {rule.get('item')}"
        )
        guidance = ((outcome.result.get("answer") or {}).get("text") or "").strip().splitlines()
        table.add_row(
            "안내 guidance", "\n".join(guidance[:3]) + (" …" if len(guidance) > 3 else "")
        )
        if reward.get("received"):
            owned = " (이미 가진 캐릭터 already owned)" if reward.get("already_owned") else ""
            table.add_row(
                "캐릭터 reward", f"{reward.get('character')}{owned}: {reward.get('dialog')}"
            )
        else:
            table.add_row("캐릭터 reward", "-")
        mark = "[green]as expected[/]" if outcome.ok else f"[red]expected {outcome.expect}[/]"
        table.add_row("확인 check", mark)
        console.print(table)


def summary_line(outcomes: list[SampleOutcome], elapsed_s: float) -> str:
    done = sum(o.result is not None for o in outcomes)
    asked = sum(o.question is not None for o in outcomes)
    rewarded = sum(bool(((o.result or {}).get("reward") or {}).get("received")) for o in outcomes)
    wrong = sum(not o.ok for o in outcomes)
    return (
        f"demo: {done}/{len(outcomes)} scans done, {asked} answered a question, "
        f"{rewarded} characters received, {wrong} unexpected, in {elapsed_s:.1f}s "
        "(embedded pipeline, no servers)"
    )


@click.command()
@click.option(
    "--samples",
    "samples_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the sample images here (default: a temporary directory).",
)
@click.option("--answer", default=DEMO_ANSWER, show_default=True, help="The demo's reply.")
def demo(samples_dir: Path | None, answer: str) -> None:
    """Scan rendered sample images on the embedded pipeline, with live progress (no servers)."""
    console = Console()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="eco2-demo-") as scratch:
        folder = samples_dir or Path(scratch)
        console.print(f"[bold]Eco² scan demo[/] — samples in {folder}")
        outcomes = asyncio.run(run_scan_demo(console, folder, answer=answer, chat=True))
        _report(console, outcomes)
    line = summary_line(outcomes, time.monotonic() - started)
    ok = all(o.ok for o in outcomes)
    console.print(f"[bold {'green' if ok else 'red'}]{line}[/]", soft_wrap=True)
    if not ok:
        raise SystemExit(1)
