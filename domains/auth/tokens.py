"""JWT access and refresh tokens (HS256): sub, jti, type, fam, exp, iat, nbf, iss, aud.

Both kinds carry ``fam``, the refresh family the login started: rotating a refresh token keeps
the family, and revoking a family (a reused refresh token, logout) revokes its access tokens
with it.
"""

from __future__ import annotations

import time
import uuid
from typing import Literal

import jwt
from pydantic import BaseModel

from domains.auth.exceptions import InvalidToken
from domains.auth.settings import AuthSettings

TokenType = Literal["access", "refresh"]
ALGORITHM = "HS256"
REQUIRED = ["sub", "jti", "type", "fam", "exp", "iat", "nbf", "iss", "aud"]


class Claims(BaseModel):
    """A verified token's claims."""

    sub: str
    jti: str
    type: TokenType
    fam: str
    exp: int
    iat: int


class TokenPair(BaseModel):
    """What a login, a refresh or an OAuth callback answers."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    refresh_expires_in: int


class TokenCodec:
    """Signs and verifies tokens with the settings' key, issuer and audience."""

    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._key = settings.secret_key.get_secret_value()

    def encode(self, user_id: str, kind: TokenType, family: str) -> tuple[str, Claims]:
        now = int(time.time())
        ttl = self.settings.access_ttl_s if kind == "access" else self.settings.refresh_ttl_s
        claims = Claims(
            sub=user_id, jti=uuid.uuid4().hex, type=kind, fam=family, exp=now + ttl, iat=now
        )
        payload = {
            **claims.model_dump(),
            "nbf": now,
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
        }
        return jwt.encode(payload, self._key, algorithm=ALGORITHM), claims

    def decode(self, token: str, kind: TokenType) -> Claims:
        """The claims of a valid token of ``kind``; ``InvalidToken`` otherwise."""
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_s,
                options={"require": REQUIRED},
            )
            claims = Claims.model_validate(payload)
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidToken(f"invalid token: {exc}") from None
        if claims.type != kind:
            raise InvalidToken(f"a {claims.type} token where an {kind} token was expected")
        return claims
