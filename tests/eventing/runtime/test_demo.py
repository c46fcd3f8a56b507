"""``eco2 demo --echo``: the runtime's consume loop on the in-process bus, with no servers."""

from __future__ import annotations

from click.testing import CliRunner
from rich.console import Console

from eco2.cli import main
from eco2.cli.echo_demo import run_demo


async def test_demo_replies_retries_dead_letters_and_skips() -> None:
    console = Console(record=True, width=200)
    assert await run_demo(console) == (2, 1)
    text = console.export_text()
    assert "안녕, 이코!" in text and "실패 후 성공" in text
    assert "(failed 3 of 3 attempts)" in text


def test_demo_command_runs() -> None:
    result = CliRunner().invoke(main, ["demo", "--echo"])
    assert result.exit_code == 0, result.output
    assert "2 replied, 1 dead-lettered" in result.output
