"""``eco2 classify``: the rule classifier from the command line.

``eco2 classify TEXT`` prints the category, confidence, parts and the guidance;
``eco2 classify --batch`` reads JSON Lines (``{"text": ...}``, an ``id`` is passed through) on
stdin and writes one JSON object per input line, in order, in one process: category,
confidence, the two likeliest categories (``choices``), item, evidence and parts. A bad line
gets an ``error`` object in its place instead of stopping the batch.
"""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:
    from domains.knowledge.settings import KnowledgeSettings


def _batch(source: TextIO, sink: TextIO) -> tuple[int, float]:
    """Classify every line of ``source``; returns (lines, seconds)."""
    from domains.knowledge import classify

    started = time.perf_counter()
    count = 0
    for raw in source:
        if not raw.strip():
            continue
        count += 1
        try:
            record = json.loads(raw)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise ValueError('expected an object with a string "text" field')
            result = classify(record["text"])
            out = {
                **({"id": record["id"]} if "id" in record else {}),
                "text": result.text,
                "category": result.category,
                "confidence": result.confidence,
                "choices": result.choices,
                "item": result.item,
                "evidence": result.evidence,
                "parts": [p.model_dump() for p in result.parts],
            }
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            out = {"line": count, "error": str(exc)}
        sink.write(json.dumps(out, ensure_ascii=False) + "\n")
    return count, time.perf_counter() - started


def configure_tokenizer() -> None:
    """The tokenizer as a pod builds it with the same variables (ECO2_KNOWLEDGE__*): Kiwi's typo
    dictionary as the rule stage's, and the analysis service when a URL is set (as chat's)."""
    from domains.knowledge.analyser import configure_analyser
    from domains.knowledge.text import configure_kiwi
    from eco2.settings_core import settings_for

    knowledge: KnowledgeSettings = settings_for({"knowledge"}).knowledge  # type: ignore[attr-defined]
    configure_kiwi(typo_dict=knowledge.kiwi_typo_dict)
    configure_analyser(knowledge.analyser_url)


@click.command()
@click.argument("text", required=False)
@click.option("--batch", is_flag=True, help="Read JSON Lines with a 'text' field on stdin.")
@click.option("--stats", is_flag=True, help="With --batch: report items per second on stderr.")
def classify(text: str | None, batch: bool, stats: bool) -> None:
    """Classify an item description into a disposal category and print the guidance."""
    configure_tokenizer()
    if batch:
        count, seconds = _batch(sys.stdin, sys.stdout)
        if stats:
            rate = count / seconds if seconds > 0 else float("inf")
            click.echo(f"{count} items in {seconds:.3f} s ({rate:.0f} items/s)", err=True)
        return
    if not text:
        raise click.UsageError("give a TEXT to classify, or --batch")

    from rich.console import Console
    from rich.table import Table

    from domains.knowledge import classify as run
    from domains.knowledge import guidance, load_knowledge

    result = run(text)
    console = Console()
    kb = load_knowledge()
    name = kb.categories[result.category].name if result.category else "분류 불가"
    console.print(f"[bold]{name}[/bold] ({result.category}) · 확신도 {result.confidence:.2f}")
    if result.item:
        console.print(f"품목: {result.item}  태그: {', '.join(result.tags) or '-'}")
    if result.parts:
        table = Table("부분", "분류", "방법")
        for part in result.parts:
            table.add_row(part.name, kb.categories[part.category].name, " ".join(part.steps))
        console.print(table)
    console.print(guidance(result), markup=False, highlight=False)
