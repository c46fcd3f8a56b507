"""The chat's settings (``ECO2_CHAT__*``): its worker, its memory and its online tools."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class ChatSettings(BaseModel):
    """How chat turns are served, remembered and which online tools they may call."""

    concurrency: int = Field(
        256, ge=1, description="Turns a chat worker runs at once (they wait on the model)."
    )
    checkpoint_pool_size: int = Field(
        8, ge=1, description="PostgreSQL connections of a chat worker's checkpointer."
    )
    kma_base_url: str | None = Field(
        None, description="KMA village forecast API base URL; unset: weather is offline."
    )
    kma_service_key: SecretStr | None = Field(None, description="KMA (data.go.kr) service key.")
    turn_lease_s: float = Field(
        300.0, gt=0, description="A chat's one-turn-at-a-time lease (outlives a dead worker)."
    )
    turn_wait_s: float = Field(
        120.0, gt=0, description="Longest a message waits for the chat's previous turn."
    )
    tool_timeout_s: float = Field(5.0, gt=0, description="Longest wait on one tool call.")
