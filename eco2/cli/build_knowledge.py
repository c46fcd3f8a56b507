"""``eco2 build-knowledge``: build the classifier file, so rule and chat processes load it.

Run by ``make setup`` and the Containerfile's build stage, before ``eco2 train-intents`` (whose
item feature classifies with it). It builds only when the file is missing or its fingerprint is
not the current one (``domains.knowledge.store``); ``--check`` only says whether the file is
current and exits 1 when it is not. Kiwi is built as the settings say (its typo dictionary),
as the processes that load the file build theirs.
"""

from __future__ import annotations

import click


@click.command("build-knowledge")
@click.option("--check", is_flag=True, help="Only say whether the built classifier is current.")
@click.option("--force", is_flag=True, help="Build and write even when the file is current.")
def build_knowledge(check: bool, force: bool) -> None:
    """Build the item classifier (lexicon, rule and gloss indexes) and write it in its package."""
    from domains.knowledge import store
    from domains.knowledge.analyser import configure_kiwi
    from domains.knowledge.settings import KnowledgeSettings
    from eco2.cli.built import check_or_build

    configure_kiwi(typo_dict=KnowledgeSettings().kiwi_typo_dict)
    check_or_build(
        store.ARTIFACT,
        store.fingerprint(),
        store.stamp_of(),
        lambda: store.save(store.build()),
        check=check,
        force=force,
    )
