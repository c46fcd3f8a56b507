"""Process logging: every entry point configures it once, at the level ``ECO2_LOG_LEVEL`` sets."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"


def configure(level: str) -> None:
    """Log to stderr at ``level`` (``Settings.log_level``)."""
    logging.basicConfig(level=level, stream=sys.stderr, format=FORMAT)
