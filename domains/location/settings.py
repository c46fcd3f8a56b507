"""Place search (``ECO2_LOCATION__*``): search limits and Kakao Local (no key by default)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class LocationSettings(BaseModel):
    """Limits of the nearest-first search and the optional Kakao Local source."""

    default_radius_m: int = Field(2_000, ge=1, description="Search radius when none is asked.")
    max_radius_m: int = Field(20_000, ge=1, description="Largest radius a search may ask.")
    max_results: int = Field(50, ge=1, description="Most results one search returns.")
    dedupe_m: float = Field(
        50.0, ge=0, description="A Kakao place this close to one of ours is the same place."
    )
    kakao_rest_api_key: SecretStr | None = Field(
        None, description="Kakao REST API key; unset → the database alone (offline)."
    )
    kakao_base_url: str = Field(
        "https://dapi.kakao.com", description="Kakao Local's base URL (tests: a local server)."
    )
    kakao_timeout_s: float = Field(3.0, gt=0, description="Per-request timeout for Kakao Local.")
