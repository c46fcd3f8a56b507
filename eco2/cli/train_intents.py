"""``eco2 train-intents``: build the chat's intent model file, so chat processes load it.

Run by ``make setup`` and the Containerfile's build stage. It trains only when the file is
missing or its fingerprint is not the current one (``domains.chat.model_store``); ``--check``
only says whether the file is current and exits 1 when it is not.
"""

from __future__ import annotations

import click


@click.command("train-intents")
@click.option("--check", is_flag=True, help="Only say whether the built model is current.")
@click.option("--force", is_flag=True, help="Train and write even when the file is current.")
def train_intents(check: bool, force: bool) -> None:
    """Train the chat's intent classifier and write it beside its training data."""
    from domains.chat import model_store

    current = model_store.fingerprint()
    built = model_store.stamp_of()
    if check or (built == current and not force):
        state = "current" if built == current else ("stale" if built else "missing")
        click.echo(f"{model_store.ARTIFACT}: {state} ({current[:12]})")
        if built != current:
            raise SystemExit(1)
        return
    from domains.chat.classifier import packaged_records, train

    model = train(packaged_records())
    model_store.save(model, stamp=current)
    click.echo(f"{model_store.ARTIFACT}: written ({current[:12]})")
