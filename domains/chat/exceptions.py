"""What the chat domain refuses."""

from __future__ import annotations


class ChatError(Exception):
    """Base of the chat domain's errors."""


class ChatNotFound(ChatError, LookupError):
    """No such chat for this user (or it was deleted)."""


class NotWaitingForInput(ChatError):
    """The chat has no turn paused on a question, so there is nothing to resume."""


class BadCursor(ChatError, ValueError):
    """A pagination cursor that this service did not hand out."""
