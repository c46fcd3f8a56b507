"""The settings of the whole system, composed from the models each package owns.

``Settings()`` reads ``ECO2_*`` environment variables (then ``.env``); every default targets the
loopback servers, so with no environment it is a working local configuration. Nested groups use
``__``: ``ECO2_LLM__MODEL=gpt-4.1-mini``. ``eco2 settings`` prints every variable and its meaning.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field

from domains.auth.providers import OAuthSettings
from domains.auth.settings import AuthSettings
from domains.chat.settings import ChatSettings
from domains.image.settings import ImageSettings
from domains.knowledge.settings import KnowledgeSettings
from domains.llm.settings import LLMSettings
from domains.location.settings import LocationSettings
from domains.scan.settings import PipelineSettings
from domains.vision.settings import VisionSettings
from eco2.settings_core import CoreSettings
from eventing.gateway.settings import GatewaySettings
from eventing.router.settings import RouterSettings
from eventing.runtime.settings import RuntimeSettings
from eventing.settings import ProgressSettings
from eventing.tracing import TracingSettings


class Settings(CoreSettings):
    """Everything Eco² reads from its environment, grouped by the package that reads it (the
    flat servers and log level are ``CoreSettings``', which a function process composes with
    only its own groups: eco2/settings_core.py)."""

    # Read by the API (eco2/api).
    api_max_waiting_scans: int = Field(
        2_000,
        ge=0,
        description="Refuse new scans (503 overloaded, Retry-After) while this many wait for a "
        "vision worker; 0 admits every scan.",
    )
    api_admission_interval_s: float = Field(
        1.0, gt=0, description="How often the API reads that backlog."
    )
    api_sweep_interval_s: float = Field(
        30.0,
        ge=0,
        description="How often the API fails the scans and chat turns whose live state Redis lost "
        "(eco2/api/sweeper.py); 0 turns it off.",
    )
    api_sweep_grace_s: float = Field(
        60.0,
        gt=0,
        description="A scan this long without a state change (a chat turn this long after its "
        "message) may be swept.",
    )
    api_web_dist: Path | None = Field(
        None,
        description="The built web app the API serves at / (the image's /app/web/dist); unset: "
        "the checkout's web/dist (make web).",
    )
    api_telemetry: bool = Field(
        False,
        description="FastAPI's native OpenTelemetry (to the globally configured providers); off "
        "saves a per-request provider check.",
    )
    runtime: RuntimeSettings = RuntimeSettings()
    progress: ProgressSettings = ProgressSettings()
    router: RouterSettings = RouterSettings()
    gateway: GatewaySettings = GatewaySettings()
    pipeline: PipelineSettings = PipelineSettings()
    llm: LLMSettings = LLMSettings()
    vision: VisionSettings = VisionSettings()
    chat: ChatSettings = ChatSettings()
    location: LocationSettings = LocationSettings()
    tracing: TracingSettings = TracingSettings()
    auth: AuthSettings = AuthSettings()
    image: ImageSettings = ImageSettings()
    oauth: OAuthSettings = OAuthSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings(...)`` instead."""
    return Settings()
