"""The users domain's errors."""

from __future__ import annotations


class UsersError(Exception):
    """Base of the users errors."""


class EmailTaken(UsersError):
    """An account with this email exists (409)."""


class UserNotFound(UsersError):
    """No account has this id (404; a token of a deleted account ends here)."""
