"""How the SSE gateway serves its clients (``ECO2_GATEWAY__*``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class GatewaySettings(BaseModel):
    """SSE gateway behaviour: keepalives, per-client buffers, slow clients, gaps."""

    ping_s: float = Field(15.0, gt=0, description="Interval of keepalive comments.")
    client_queue: int = Field(
        256, ge=1, description="Per-client buffer; overflow closes the stream."
    )
    client_name: str = Field("eco2-gateway", description="CLIENT SETNAME of gateway connections.")
    redis_pool: int = Field(16, ge=2, description="Pooled Redis connections for replay reads.")
    send_timeout_s: float = Field(10.0, gt=0, description="Cut a client taking no bytes this long.")
    gap_check_s: float = Field(0.5, gt=0, description="Re-read the replay log this often in a gap.")
    gap_timeout_s: float = Field(60.0, gt=0, description="Skip a missing seq after this long.")
