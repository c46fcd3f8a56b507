"""``eco2 analyser``: serve the analysis service (Kiwi for rule and chat) until SIGINT/SIGTERM.

One long-lived process owns Kiwi's ~230 MB model, so the functions that scale to zero start
without it (``ECO2_KNOWLEDGE__ANALYSER_URL``; docs/chat.md, "The analysis service").
"""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="0.0.0.0 in a pod.")
@click.option(
    "--port",
    default=None,
    type=int,
    help="Where to listen [default: ECO2_KNOWLEDGE__ANALYSER_PORT, 8010].",
)
def analyser(host: str, port: int | None) -> None:
    """Serve POST /v1/tokenize, /v1/sentences, /healthz, /readyz and /metrics."""
    import uvicorn

    from domains.knowledge.analyser import configure_kiwi
    from eco2 import logs
    from eco2.settings_core import settings_for

    settings = settings_for({"knowledge"})
    knowledge = settings.knowledge  # type: ignore[attr-defined]
    logs.configure(settings.log_level)
    configure_kiwi(typo_dict=knowledge.kiwi_typo_dict)
    from domains.knowledge.analyser_service import create_app

    # Not "listening on": that line is eco2 serve's own announcement, which scripts wait for.
    click.echo(
        f"analyser at http://{host}:{port or knowledge.analyser_port} (Kiwi loading)", err=True
    )
    uvicorn.run(
        create_app(),
        host=host,
        port=port or knowledge.analyser_port,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
