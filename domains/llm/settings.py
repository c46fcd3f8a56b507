"""Which model answers, and the cloud providers' keys (``ECO2_LLM__*``; none by default)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


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
