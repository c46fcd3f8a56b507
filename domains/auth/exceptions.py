"""What authentication refuses."""

from __future__ import annotations


class AuthError(Exception):
    """Base of the auth errors."""


class InvalidToken(AuthError):
    """No token, or one that is malformed, expired, of the wrong type or badly signed (401)."""


class TokenRevoked(AuthError):
    """A well-formed token that was revoked: logout, a reused refresh family, a deleted account
    (401 to an API caller; 403 from the ext-authz check)."""


class InvalidCredentials(AuthError):
    """Unknown email or wrong password (401; the two are not told apart)."""


class RateLimited(AuthError):
    """The user's bucket is empty; ``retry_after_s`` until the next token (429)."""

    def __init__(self, kind: str, retry_after_s: int) -> None:
        super().__init__(f"too many {kind} requests; retry in {retry_after_s} s")
        self.kind = kind
        self.retry_after_s = retry_after_s


class UnknownProvider(AuthError):
    """No such OAuth provider, or one without a client id in the settings (404)."""


class InvalidState(AuthError):
    """An OAuth callback whose state is unknown, expired, already used or another provider's
    (400): a replayed or forged callback."""


class LoginDeclined(AuthError):
    """The provider sent the user back with an error instead of a code (cancelled, 400)."""


class ProviderError(AuthError):
    """The provider answered the code exchange or the user-info request with an error, or not
    at all (502); the message is a sentence naming the provider and what it said."""
