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
    from domains.chat.classifier import packaged_records, train
    from eco2.cli.built import check_or_build

    current = model_store.fingerprint()
    check_or_build(
        model_store.ARTIFACT,
        current,
        model_store.stamp_of(),
        lambda: model_store.save(train(packaged_records()), stamp=current),
        check=check,
        force=force,
    )
