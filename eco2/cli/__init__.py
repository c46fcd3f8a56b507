"""The ``eco2`` command. Subcommands live one per module and load lazily, so ``eco2 --help``
stays fast and a subcommand's heavy imports (OCR, LLM SDKs) cost only the command that uses them.
"""

from __future__ import annotations

import importlib

import click

# name → "module:attribute" of a click command; add a line per subcommand.
SUBCOMMANDS: dict[str, str] = {
    "analyser": "eco2.cli.analyser:analyser",
    "api": "eco2.cli.api:api",
    "build-knowledge": "eco2.cli.build_knowledge:build_knowledge",
    "chat": "eco2.cli.chat:chat",
    "classify": "eco2.cli.classify:classify",
    "data": "eco2.cli.data:data",
    "db": "eco2.cli.db:db",
    "demo": "eco2.cli.demo:demo",
    "deploy": "eco2.cli.deploy:deploy",
    "events": "eco2.cli.events:events",
    "function": "eco2.cli.function:function",
    "gateway": "eco2.cli.gateway:gateway",
    "intents": "eco2.cli.intents:intents",
    "reminders": "eco2.cli.reminders:reminders",
    "router": "eco2.cli.router:router",
    "scan": "eco2.cli.scan:scan",
    "serve": "eco2.cli.serve:serve",
    "settings": "eco2.cli.settings:settings",
    "train-intents": "eco2.cli.train_intents:train_intents",
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when it is run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="eco2")
def main() -> None:
    """Eco² — recycling assistant: scan pipeline, event bus, SSE gateway and chat."""
