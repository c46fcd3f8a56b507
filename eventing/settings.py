"""How every Eco² process reads its settings, and the servers the event bus reaches.

Each package owns the settings model of what it runs (``RuntimeSettings`` beside the runtime,
``LLMSettings`` beside the LLM port, …); a process's root settings class composes the models it
needs on top of ``EnvSettings``, so a function deployed alone reads exactly its own part of the
same ``ECO2_*`` environment. Nested groups use ``__``: ``ECO2_RUNTIME__MAX_ATTEMPTS=3``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EnvSettings(BaseSettings):
    """Base of a process's root settings: ``ECO2_*`` variables, then ``.env``, then defaults.

    Every default targets the loopback servers, so a root settings object built with no
    environment is a working local configuration.
    """

    model_config = SettingsConfigDict(
        env_prefix="ECO2_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )


class BusSettings(BaseModel):
    """The servers behind the event bus; flat fields, mixed into a root settings class."""

    redis_url: str = Field(
        "redis://127.0.0.1:6379/0", description="Redis: streams, Pub/Sub, job state, images."
    )
    amqp_url: str = Field("amqp://guest:guest@127.0.0.1:5672/", description="RabbitMQ.")
    shards: int = Field(
        4, ge=1, le=1024, description="Shards of the progress log and of the SSE channels."
    )


class ProgressSettings(BaseModel):
    """The progress log that the router and the gateways share (``ECO2_PROGRESS__*``); every
    process that writes or reads it must agree on these."""

    key_prefix: str = Field("", description="Prefix of every progress key and channel.")
    stream_maxlen: int = Field(
        10_000, ge=100, description="Approximate MAXLEN of each shard stream."
    )
    replay_ttl_s: int = Field(3_600, ge=1, description="How long a job's replay log is kept.")
    token_linger_ms: int = Field(
        20,
        ge=0,
        description="A streamed token's step may wait this long to share a Redis round trip "
        "with others (eventing/coalesce.py); 0 sends each alone.",
    )
