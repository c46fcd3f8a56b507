"""``eco2 settings``: every ECO2_* variable with its default and meaning (docs/settings.md)."""

from __future__ import annotations

from collections.abc import Iterator

import click
from pydantic import BaseModel

from eco2.settings import Settings


def _owner(model: type[BaseModel], name: str) -> str:
    """The module of the class that declares field ``name``: the package that reads it."""
    for klass in model.__mro__:
        if name in getattr(klass, "__annotations__", {}):
            return klass.__module__
    return model.__module__


def _rows(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, str, str, str]]:
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _rows(annotation, f"{prefix}{name.upper()}__")
            continue
        default = field.get_default(call_default_factory=True)
        shown = "(unset)" if default is None else f"`{default}`"
        owner = f"`{_owner(model, name)}`"
        yield f"`{prefix}{name.upper()}`", shown, owner, field.description or ""


def render_table() -> str:
    """Markdown table of every setting, with the module whose settings model declares it."""
    lines = ["| variable | default | read by | meaning |", "|---|---|---|---|"]
    rows = _rows(Settings, "ECO2_")
    lines += [f"| {var} | {default} | {owner} | {doc} |" for var, default, owner, doc in rows]
    return "\n".join(lines)


@click.command()
def settings() -> None:
    """Print every ECO2_* setting with its default (Markdown)."""
    click.echo(render_table())
