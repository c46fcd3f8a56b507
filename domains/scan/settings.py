"""How the scan stages are chained (``ECO2_PIPELINE__*``): the transport and its names."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class PipelineSettings(BaseModel):
    """The transport the API publishes scans to, and the names the stages consume."""

    transport: Literal["redis", "amqp"] = Field(
        "redis", description="redis (Streams) or amqp (RabbitMQ)."
    )
    exchange: str = Field("eco2.events", min_length=1, description="RabbitMQ topic exchange.")
    # Stage topics are fixed (eco2:fn:<stage>); a prefix isolates a whole pipeline on a shared
    # Redis, as the end-to-end tests do. Producers and workers must use the same one.
    topic_prefix: str = Field(
        "", description="Prefix of the stage streams and processed-id keys (isolation)."
    )
