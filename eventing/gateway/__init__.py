"""The SSE gateway: one Pub/Sub feed for all shards, fanned out in process (docs/sse.md).

The app (FastAPI) is imported when first read: every process reads this package's settings
(``eventing.gateway.settings``), and only the API serves the gateway (eventing.lazy).
"""

from typing import TYPE_CHECKING

from eventing.lazy import exports

if TYPE_CHECKING:
    from eventing.gateway.app import Gateway, create_app

__all__ = ["Gateway", "create_app"]
__getattr__, __dir__ = exports(__name__, {"Gateway": "app", "create_app": "app"})
