"""One settings object for the whole system, read from ``ECO2_*`` environment variables.

Every default is the one that works on a developer machine with the loopback servers, so
``Settings()`` with no environment is a valid local configuration. Nested groups use ``__``:
``ECO2_LLM__MODEL=gpt-4.1-mini``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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


class LLMSettings(BaseModel):
    """Which model answers, and the keys of the cloud providers (none by default)."""

    model: str = Field(
        "local",
        description="gpt-*/o* → OpenAI, gemini-* → Gemini, local → offline, sim → benchmark.",
    )
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = Field(None, description="Override for tests or a proxy.")
    gemini_api_key: SecretStr | None = None
    gemini_base_url: str | None = Field(None, description="Override for tests or a proxy.")
    timeout_s: float = Field(30.0, gt=0)
    max_retries: int = Field(2, ge=0)
    breaker_failures: int = Field(5, ge=1, description="Consecutive failures that open a breaker.")
    breaker_reset_s: float = Field(30.0, gt=0, description="Open time before a half-open probe.")
    gemini_fallback_model: str = Field(
        "gemini-2.5-flash", description="Gemini model used when an OpenAI model falls back."
    )
    backoff_initial_s: float = Field(0.5, ge=0, description="First retry wait (doubles).")
    backoff_max_s: float = Field(
        20.0, ge=0, description="Longest wait, Retry-After included; longer → fall back now."
    )
    # The simulated provider (model ``sim`` / ``sim-*``, domains/llm/providers/sim.py) stands in
    # for a cloud model in the load benchmark: the seed's 9.6 s of LLM wait per scan, split
    # between the vision call (with images) and the answer stream (text), scalable for quick runs.
    sim_vision_s: float = Field(4.0, ge=0, description="Sim: mean wait of a call with images.")
    sim_text_s: float = Field(5.6, ge=0, description="Sim: mean wait of a text call or stream.")
    sim_jitter: float = Field(0.2, ge=0, le=1, description="Sim: waits spread ± this fraction.")
    sim_scale: float = Field(1.0, ge=0, description="Sim: multiplies every wait (0.1 = quick).")
    sim_stream_chunks: int = Field(8, ge=1, description="Sim: deltas a stream is cut into.")
    sim_seed: int = Field(0, description="Sim: seed of the wait draws (deterministic runs).")


class GatewaySettings(BaseModel):
    """SSE gateway behaviour."""

    channel_mode: str = Field(
        "shard", pattern="^(shard|job)$", description="shard or job (baseline)."
    )
    ping_s: float = Field(15.0, gt=0, description="Interval of keepalive comments.")
    sse_response: str = Field(
        "plain",
        pattern="^(plain|sse-starlette)$",
        description="plain (eventing.gateway.response) or sse-starlette (measured: docs/sse.md).",
    )
    client_queue: int = Field(
        256, ge=1, description="Per-client buffer; overflow closes the stream."
    )
    replay_ttl_s: int = Field(3_600, ge=1, description="How long a job's replay log is kept.")
    stream_maxlen: int = Field(
        10_000, ge=100, description="Approximate MAXLEN of each shard stream."
    )
    # The rest of the event bus layer (router + gateway, docs/sse.md) shares this group because
    # both sides must agree on key names, channel mode and TTLs.
    key_prefix: str = Field("", description="Prefix of every progress key/channel (isolation).")
    client_name: str = Field("eco2-gateway", description="CLIENT SETNAME of gateway connections.")
    redis_pool: int = Field(16, ge=2, description="Pooled Redis connections for replay reads.")
    send_timeout_s: float = Field(10.0, gt=0, description="Cut a client taking no bytes this long.")
    gap_check_s: float = Field(0.5, gt=0, description="Re-read the replay log this often in a gap.")
    gap_timeout_s: float = Field(60.0, gt=0, description="Skip a missing seq after this long.")
    router_group: str = Field("router", min_length=1, description="Consumer group of the routers.")
    router_batch: int = Field(100, ge=1, description="Entries per XREADGROUP / XAUTOCLAIM call.")
    router_block_ms: int = Field(1_000, ge=1, description="XREADGROUP block per poll.")
    router_linger_ms: int = Field(
        10,
        ge=0,
        description="After a partial batch, wait this long before the next read so entries "
        "gather (fewer round trips; adds at most this to an event's SSE delay).",
    )
    token_linger_ms: int = Field(
        20,
        ge=0,
        description="A streamed token's progress step may wait this long to share a Redis round "
        "trip with others (eventing/coalesce.py); 0 sends each alone.",
    )
    router_claim_idle_ms: int = Field(30_000, ge=1, description="Claim pendings this idle.")
    router_claim_interval_s: float = Field(5.0, gt=0, description="How often routers look for it.")
    router_test_stall_s: float = Field(
        0.0, ge=0, description="Test hook: route half a batch unacked, then sleep this long."
    )


class VisionSettings(BaseModel):
    """Offline vision: where Tesseract's Korean model is and what an upload may be."""

    tessdata_path: str = Field(
        "/usr/share/tesseract-ocr/5/tessdata/",
        description="Directory holding kor.traineddata (Debian package tesseract-ocr-kor).",
    )
    languages: str = Field("kor", description="Tesseract languages; kor reads PP/PE/PS too.")
    max_image_bytes: int = Field(10 * 1024 * 1024, ge=1, description="Largest accepted upload.")
    max_image_pixels: int = Field(
        50_000_000, ge=1, description="Larger images are refused as decompression bombs."
    )
    # 128 MiB of photos is ~3x that in a cloud request (base64, the JSON body): it stays
    # inside the vision pod's 1Gi limit (keda/*/vision.yaml) with the process itself.
    inflight_image_mb: int = Field(
        128,
        ge=1,
        description="Image MiB a vision worker holds at once (domains/image/budget.py); "
        "scans past it wait for their turn.",
    )
    fonts_dir: str = Field(
        "/usr/share/fonts/truetype/nanum", description="Korean fonts for rendered sample marks."
    )


class PipelineSettings(BaseModel):
    """How the scan stages are chained: the transport the API publishes to and its names."""

    transport: str = Field(
        "redis", pattern="^(redis|amqp)$", description="redis (Streams) or amqp (RabbitMQ)."
    )
    exchange: str = Field("eco2.events", min_length=1, description="RabbitMQ topic exchange.")
    # Stage topics are fixed (eco2:fn:<stage>); a prefix isolates a whole pipeline on a shared
    # Redis, as the end-to-end tests do. Producers and workers must use the same one.
    topic_prefix: str = Field(
        "", description="Prefix of the stage streams and processed-id keys (isolation)."
    )
    test_stage_delay_s: float = Field(
        0.0, ge=0, description="Test hook: a stage worker waits this long after 'started'."
    )


class Settings(BaseSettings):
    """Everything Eco² reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="ECO2_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    redis_url: str = Field(
        "redis://127.0.0.1:6379/0", description="Redis (streams, pub/sub, state)."
    )
    amqp_url: str = Field("amqp://guest:guest@127.0.0.1:5672/", description="RabbitMQ.")
    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
        description="PostgreSQL (SQLAlchemy URL).",
    )
    database_schema: str = Field(
        "eco2",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="PostgreSQL schema of the domain tables (search_path); tests use their own.",
    )
    # Every process has its own pool: (API replicas + stage workers) × (pool + overflow) must
    # stay under PostgreSQL's max_connections (100 by default), or inserts fail under load.
    # No overflow by default: an overflow connection is closed when it is returned, so a
    # process under steady load opened (and TLS-negotiated) a new connection per transaction,
    # 3 % of the reward stage's CPU (py-spy, bench/RESULTS.md); waiting for a pooled one is
    # cheaper.
    database_pool_size: int = Field(
        8, ge=1, description="PostgreSQL connections a process keeps open (opened on demand)."
    )
    database_max_overflow: int = Field(
        0,
        ge=0,
        description="Extra PostgreSQL connections a process may open under load, each closed "
        "again after its transaction.",
    )
    shards: int = Field(4, ge=1, le=1024, description="Shard count for streams and SSE channels.")
    api_max_waiting_scans: int = Field(
        2_000,
        ge=0,
        description="Refuse new scans (503 overloaded, Retry-After) while this many wait for a "
        "vision worker (eco2/api/admission.py); 0 admits every scan.",
    )
    api_admission_interval_s: float = Field(
        1.0, gt=0, description="How often the API reads that backlog."
    )
    api_telemetry: bool = Field(
        False,
        description="FastAPI's native OpenTelemetry (to the globally configured providers). Off, "
        "the API skips its per-request provider check, 2.4 % of its CPU under load.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO",
        description="Level of every process's log. DEBUG adds a line per event a worker handles "
        "(handling, done, skip): 5 % of a stage's CPU, so off by default.",
    )
    bus: str = Field("redis", pattern="^(redis|memory)$", description="Event bus adapter.")
    runtime: RuntimeSettings = RuntimeSettings()
    llm: LLMSettings = LLMSettings()
    gateway: GatewaySettings = GatewaySettings()
    vision: VisionSettings = VisionSettings()
    pipeline: PipelineSettings = PipelineSettings()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings(...)`` instead."""
    return Settings()
