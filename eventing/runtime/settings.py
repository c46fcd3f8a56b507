"""How a function worker consumes, retries and dead-letters events (``ECO2_RUNTIME__*``)."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator


class RuntimeSettings(BaseModel):
    """How a function worker consumes, retries and dead-letters events."""

    max_attempts: int = Field(5, ge=1, description="Deliveries before an event is dead-lettered.")
    backoff_initial_s: float = Field(0.2, gt=0, description="First retry delay.")
    backoff_max_s: float = Field(10.0, gt=0, description="Ceiling of the exponential backoff.")
    claim_idle_ms: int = Field(
        30_000, ge=100, description="Unacked Redis entries idle this long are reclaimed."
    )
    block_ms: int = Field(2_000, ge=1, description="XREADGROUP block per poll.")
    batch_size: int = Field(16, ge=1, description="Most entries read per XREADGROUP call.")
    concurrency: int = Field(
        256,
        ge=1,
        description=(
            "Events one worker handles at once: its handler threads and its in-flight entries. "
            "LLM-bound stages mostly wait, so this is sized for waiting, not for cores."
        ),
    )
    prefetch: int = Field(16, ge=1, description="RabbitMQ prefetch (unacked deliveries in flight).")
    shutdown_grace_s: float = Field(
        25.0, gt=0, description="Time a stopping worker gives its in-flight event to finish."
    )
    dedupe_ttl_s: int = Field(86_400, ge=1, description="How long a processed event id is kept.")
    handler_timeout_s: float = Field(
        20.0, gt=0, description="A handler call past this fails (must end before a reclaim)."
    )

    @model_validator(mode="after")
    def _timeout_before_reclaim(self) -> RuntimeSettings:
        # A handler still running when its entry is reclaimed would run twice on Redis.
        if self.handler_timeout_s * 1000 >= self.claim_idle_ms:
            raise ValueError(
                f"handler_timeout_s ({self.handler_timeout_s}) must be shorter than "
                f"claim_idle_ms ({self.claim_idle_ms} ms)"
            )
        return self
