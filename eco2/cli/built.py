"""What ``eco2 build-knowledge`` and ``eco2 train-intents`` share: say whether a built file is
current, and build it only when it is not (or when forced)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click


def check_or_build(
    artifact: Path,
    current: str,
    built: str | None,
    build: Callable[[], object],
    *,
    check: bool,
    force: bool,
) -> None:
    """``--check``, or a current file without ``--force``: say its state (exit 1 unless
    current). Otherwise run ``build``, which writes the file."""
    if check or (built == current and not force):
        state = "current" if built == current else ("stale" if built else "missing")
        click.echo(f"{artifact}: {state} ({current[:12]})")
        if built != current:
            raise SystemExit(1)
        return
    build()
    click.echo(f"{artifact}: written ({current[:12]})")
