"""``eco2 intents``: the chat's intent analysis from the command line.

``eco2 intents TEXT [--previous TEXT --previous-intent INTENT]`` prints the sub-questions, their
intents and each intent's confidence parts. ``eco2 intents --batch`` reads JSON Lines with a
``text`` field (and optional ``previous``: {text, intents}, or the previous message's text) on
stdin and writes one JSON object per line, in order, with ``intents`` (the final list) and
``questions`` (each sub-question with its confidence parts). A bad line gets an ``error`` object
in its place. ``--score`` compares with the input's own ``intents`` and prints the figures on
stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click


@click.command()
@click.argument("text", required=False)
@click.option("--batch", is_flag=True, help="JSON Lines with 'text' (and 'previous') on stdin.")
@click.option("--score", is_flag=True, help="With --batch: score against the input's intents.")
@click.option("--previous", default=None, help="The previous user turn's text.")
@click.option("--previous-intent", default=None, help="The previous turn's intent.")
def intents(
    text: str | None,
    batch: bool,
    score: bool,
    previous: str | None,
    previous_intent: str | None,
) -> None:
    """Split a chat message into sub-questions and classify each one's intent."""
    from domains.chat.classifier import Previous, analyse, as_json
    from eco2.cli.classify import configure_tokenizer

    configure_tokenizer()
    if batch:
        _batch(score)
        return
    if not text:
        raise click.UsageError("give a TEXT, or --batch")
    before = None
    if previous is not None or previous_intent is not None:
        before = Previous.model_validate(
            {"text": previous or "", "intents": [previous_intent] if previous_intent else []}
        )
    click.echo(json.dumps(as_json(analyse(text, before)), ensure_ascii=False, indent=2))


def _batch(score: bool) -> None:
    from domains.chat.classifier import analyse, as_json, previous_of
    from domains.chat.evaluation import confusion_markdown
    from domains.chat.evaluation import score as scored

    gold: list[list[str]] = []
    predicted: list[list[str]] = []
    kinds: list[str] = []
    for count, raw in enumerate((line for line in sys.stdin if line.strip()), start=1):
        try:
            record: Any = json.loads(raw)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise ValueError('expected an object with a string "text" field')
            before = previous_of(record.get("previous"))
            out = as_json(analyse(record["text"], before), record.get("id"))
        except ValueError as exc:  # JSON and pydantic errors are ValueErrors
            out = {"line": count, "error": str(exc)}
            record = {}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        if score and "intents" in record and "intents" in out:
            gold.append(list(record["intents"]))
            predicted.append(out["intents"])
            kinds.append(str(record.get("kind", "-")))
    sys.stdout.flush()
    if score:
        result = scored(gold, predicted, kinds)
        summary = result.model_dump(exclude={"confusion"})
        click.echo(json.dumps(summary, ensure_ascii=False, indent=1), err=True)
        click.echo(confusion_markdown(result.confusion), err=True)
