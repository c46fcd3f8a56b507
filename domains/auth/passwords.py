"""Password hashes: argon2id through pwdlib, verified off the event loop."""

from __future__ import annotations

import asyncio

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# Verifying a real hash against this keeps an unknown email as slow as a wrong password, so
# timing does not tell which emails have accounts.
_DUMMY_PASSWORD = "eco2-no-such-user"


class Passwords:
    """Hash and verify; argon2 costs tens of milliseconds of CPU, so it runs in a thread."""

    def __init__(self) -> None:
        self._hash = PasswordHash((Argon2Hasher(),))
        self._dummy = self._hash.hash(_DUMMY_PASSWORD)

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hash.hash, password)

    async def verify(self, password: str, hashed: str | None) -> bool:
        """True when ``password`` matches ``hashed``; a missing hash (OAuth-only user) never
        matches but costs the same."""
        if hashed is None:
            await asyncio.to_thread(self._hash.verify, password, self._dummy)
            return False
        return await asyncio.to_thread(self._hash.verify, password, hashed)
