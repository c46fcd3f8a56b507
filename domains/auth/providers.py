"""What differs between Kakao, Google and Naver: endpoints, scopes, PKCE, user-info shapes;
and the OAuth settings (here, not beside the client: every process reads the settings, only
the API imports the HTTP client).

Each provider's settings model carries its real endpoints as defaults (tests point them at
local servers speaking the same wire format), and ``identity_of`` reads the provider's own
user-info document into an ``ExternalIdentity``. Error documents differ too: Kakao answers
``{"msg", "code"}``, Naver ``{"resultcode", "message"}`` with HTTP 200 on some failures,
Google a bare 401; ``user_info_error`` turns each into one sentence.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from domains.auth.exceptions import UnknownProvider


class ExternalIdentity(BaseModel):
    """Who the provider says the user is; ``subject`` is stable per provider and app."""

    model_config = ConfigDict(frozen=True)

    provider: str
    subject: str
    email: str | None = None
    nickname: str


class ProviderSettings(BaseModel):
    """One OAuth provider; it is offered only when ``client_id`` is set."""

    client_id: str | None = Field(None, description="OAuth client id; unset: not offered.")
    client_secret: SecretStr | None = Field(None, description="OAuth client secret.")
    authorize_url: str
    token_url: str
    userinfo_url: str
    scope: str


class KakaoSettings(ProviderSettings):
    authorize_url: str = Field(
        "https://kauth.kakao.com/oauth/authorize", description="Kakao's authorize endpoint."
    )
    token_url: str = Field(
        "https://kauth.kakao.com/oauth/token", description="Kakao's token endpoint."
    )
    userinfo_url: str = Field(
        "https://kapi.kakao.com/v2/user/me", description="Kakao's user-info endpoint."
    )
    scope: str = Field("profile_nickname account_email", description="Consent items asked.")


class GoogleSettings(ProviderSettings):
    authorize_url: str = Field(
        "https://accounts.google.com/o/oauth2/v2/auth", description="Google's authorize endpoint."
    )
    token_url: str = Field(
        "https://oauth2.googleapis.com/token", description="Google's token endpoint."
    )
    userinfo_url: str = Field(
        "https://openidconnect.googleapis.com/v1/userinfo",
        description="Google's OpenID user-info endpoint.",
    )
    scope: str = Field("openid email profile", description="Scopes asked.")


class NaverSettings(ProviderSettings):
    authorize_url: str = Field(
        "https://nid.naver.com/oauth2.0/authorize", description="Naver's authorize endpoint."
    )
    token_url: str = Field(
        "https://nid.naver.com/oauth2.0/token", description="Naver's token endpoint."
    )
    userinfo_url: str = Field(
        "https://openapi.naver.com/v1/nid/me", description="Naver's user-info endpoint."
    )
    scope: str = Field("", description="Naver sets consent items in its console, not here.")


# Google is the one that takes PKCE (S256); Kakao and Naver authenticate with the secret.
PKCE = frozenset({"google"})


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def identity_of(provider: str, document: dict[str, Any]) -> ExternalIdentity:
    """Read a provider's user-info document; ``ValueError`` when it names no subject."""
    if provider == "kakao":
        account = document.get("kakao_account") or {}
        profile = account.get("profile") or {}
        subject = document.get("id")
        nickname = _text((document.get("properties") or {}).get("nickname"))
        nickname = nickname or _text(profile.get("nickname"))
        # An email Kakao has not verified could be anyone's.
        email = _text(account.get("email")) if account.get("is_email_verified") else None
    elif provider == "google":
        subject = document.get("sub")
        email = _text(document.get("email")) if document.get("email_verified") else None
        nickname = _text(document.get("name")) or _text(document.get("given_name"))
    elif provider == "naver":
        if document.get("resultcode") != "00":
            raise ValueError(f"resultcode {document.get('resultcode')}: {document.get('message')}")
        response = document.get("response") or {}
        subject = response.get("id")
        email = _text(response.get("email"))
        nickname = _text(response.get("nickname")) or _text(response.get("name"))
    else:
        raise ValueError(f"unknown provider {provider}")
    if subject is None or str(subject) == "":
        raise ValueError("the user info names no user")
    if nickname is None:
        nickname = email.split("@")[0] if email else f"{provider}-{str(subject)[-6:]}"
    return ExternalIdentity(provider=provider, subject=str(subject), email=email, nickname=nickname)


def user_info_error(provider: str, status: int, body: str, document: Any) -> str:
    """One sentence for a failed user-info request, in the provider's own words."""
    said = ""
    if isinstance(document, dict):
        if provider == "kakao":
            said = f"{document.get('msg')} (code {document.get('code')})"
        elif provider == "naver":
            said = f"{document.get('message')} (resultcode {document.get('resultcode')})"
        else:
            error = document.get("error")
            said = str(error.get("message") if isinstance(error, dict) else error)
    return f"{provider} refused the user-info request (HTTP {status}): {said or body[:200]}"


class OAuthSettings(BaseModel):
    """The OAuth providers (``ECO2_OAUTH__KAKAO__CLIENT_ID``, ...) and the login round trip."""

    kakao: KakaoSettings = Field(KakaoSettings(), description="Kakao Login.")
    google: GoogleSettings = Field(GoogleSettings(), description="Google (OpenID, PKCE).")
    naver: NaverSettings = Field(NaverSettings(), description="Naver Login.")
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="Where browsers reach the API: callbacks are <public_url>"
        "/api/v1/auth/oauth/<provider>/callback (registered at each provider).",
    )
    web_url: str = Field("/", description="Where a successful login sends the browser.")
    state_ttl_s: int = Field(600, ge=30, description="How long a login may take at the provider.")
    timeout_s: float = Field(10.0, gt=0, description="Each request to a provider.")
    redis_prefix: str = Field("eco2:oauth:", description="Key prefix of pending login states.")

    def provider(self, name: str) -> ProviderSettings:
        """A configured provider's settings; ``UnknownProvider`` otherwise."""
        found = getattr(self, name, None) if name in ("kakao", "google", "naver") else None
        if not isinstance(found, ProviderSettings) or not found.client_id:
            raise UnknownProvider(f"no OAuth provider {name!r} is configured")
        return found

    def configured(self) -> list[str]:
        return [name for name in ("kakao", "google", "naver") if getattr(self, name).client_id]
