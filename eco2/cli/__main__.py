"""``python -m eco2.cli`` runs the ``eco2`` command."""

from eco2.cli import main

main()
