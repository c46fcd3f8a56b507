"""``eco2 settings``: every ECO2_* variable with its default and meaning (docs/settings.md)."""

from __future__ import annotations

from collections.abc import Iterator

import click
from pydantic import BaseModel

from eco2.settings import Settings


def _rows(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, str, str]]:
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _rows(annotation, f"{prefix}{name.upper()}__")
            continue
        default = field.get_default(call_default_factory=True)
        shown = "(unset)" if default is None else f"`{default}`"
        yield f"`{prefix}{name.upper()}`", shown, field.description or ""


def render_table() -> str:
    """Markdown table of every setting."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [f"| {var} | {default} | {doc} |" for var, default, doc in _rows(Settings, "ECO2_")]
    return "\n".join(lines)


@click.command()
def settings() -> None:
    """Print every ECO2_* setting with its default (Markdown)."""
    click.echo(render_table())
