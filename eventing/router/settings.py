"""How the event router consumes the progress shards (``ECO2_ROUTER__*``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RouterSettings(BaseModel):
    """One router's consumer group, batching and reclaiming."""

    group: str = Field("router", min_length=1, description="Consumer group of the routers.")
    batch: int = Field(100, ge=1, description="Entries per XREADGROUP / XAUTOCLAIM call.")
    block_ms: int = Field(1_000, ge=1, description="XREADGROUP block per poll.")
    linger_ms: int = Field(
        10,
        ge=0,
        description="After a partial batch, wait this long before the next read so entries "
        "gather (fewer round trips; adds at most this to an event's SSE delay).",
    )
    claim_idle_ms: int = Field(30_000, ge=1, description="Claim pending entries this idle.")
    claim_interval_s: float = Field(5.0, ge=0, description="How often routers look for them.")
