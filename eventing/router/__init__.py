"""The event router: shard streams in, job state + replay log + Pub/Sub out (docs/sse.md).

The router itself is imported when first read: every process reads its settings, only the
router process runs it (eventing.lazy).
"""

from typing import TYPE_CHECKING

from eventing.lazy import exports
from eventing.router.settings import RouterSettings

if TYPE_CHECKING:
    from eventing.router.router import Router, default_consumer

__all__ = ["Router", "RouterSettings", "default_consumer"]
__getattr__, __dir__ = exports(__name__, {"Router": "router", "default_consumer": "router"})
