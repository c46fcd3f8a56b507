"""The ids in the API's paths, checked by pattern before any store is asked.

A job or chat id is what the services make (a uuid, hex) and fits its 64-character column:
anything else cannot name one of ours, so it is refused with 422 naming the field instead of
costing a database lookup (a 5,000-character id, or one of symbols). The SSE gateway checks its
job ids the same way (``eventing.gateway.app.JOB_ID``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"

JobId = Annotated[str, Path(pattern=ID_PATTERN, description="A job id (uuid or hex).")]
ChatId = Annotated[str, Path(pattern=ID_PATTERN, description="A chat id (hex).")]
