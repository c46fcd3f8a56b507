"""The auth settings (``ECO2_AUTH__*``): token signing and lifetimes, cookies, rate limits."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

# A development key only: it is public, so a deployment sets ECO2_AUTH__SECRET_KEY.
DEV_SECRET = "eco2-development-secret-change-me-0123456789abcdef"


class RateSettings(BaseModel):
    """A token bucket: ``burst`` requests at once, refilled at ``per_minute``."""

    burst: int = Field(ge=1, description="Requests allowed at once (the bucket's size).")
    per_minute: float = Field(gt=0, description="Tokens refilled per minute.")


class AuthSettings(BaseModel):
    """How callers are identified, how long tokens live and how fast each may spend LLM money."""

    secret_key: SecretStr = Field(
        SecretStr(DEV_SECRET), description="HS256 signing key of every token; set in production."
    )
    issuer: str = Field("eco2", description="The tokens' iss claim.")
    audience: str = Field("eco2-api", description="The tokens' aud claim.")
    access_ttl_s: int = Field(900, ge=10, description="Lifetime of an access token.")
    refresh_ttl_s: int = Field(
        30 * 24 * 3600, ge=60, description="Lifetime of a refresh token (and of its family)."
    )
    leeway_s: int = Field(10, ge=0, description="Clock skew tolerated on exp/nbf/iat.")
    redis_prefix: str = Field(
        "eco2:auth:", description="Key prefix of revocations, refresh families, rate buckets."
    )
    cookie_secure: bool = Field(
        False, description="Mark the eco2_access/eco2_refresh cookies Secure (HTTPS only)."
    )
    dev_login: bool = Field(
        False,
        description="Open POST /api/v1/auth/dev-login (a nickname, no password): demo and local "
        "web page only.",
    )
    trust_mesh_header: bool = Field(
        False,
        description="Take the caller from the x-user-id header the mesh's ext-authz injects; "
        "only behind a mesh that strips it from clients.",
    )
    scan_burst: int = Field(20, ge=1, description="Scans a user may start at once (429 past it).")
    scan_per_minute: float = Field(10.0, gt=0, description="Scans a user regains per minute.")
    chat_burst: int = Field(30, ge=1, description="Chat turns a user may send at once.")
    chat_per_minute: float = Field(20.0, gt=0, description="Chat turns a user regains per minute.")

    def public_key(self) -> bool:
        """Whether tokens are signed with the published development key (anyone can forge them)."""
        return self.secret_key.get_secret_value() == DEV_SECRET

    def rates(self) -> dict[str, RateSettings]:
        """The token buckets by kind of request."""
        return {
            "scan": RateSettings(burst=self.scan_burst, per_minute=self.scan_per_minute),
            "chat": RateSettings(burst=self.chat_burst, per_minute=self.chat_per_minute),
        }
