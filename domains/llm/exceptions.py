"""The LLM package's errors: one base, one kind per way a provider call can fail.

The router decides what to do from the kind alone: retry (``RateLimited``, ``ProviderUnavailable``,
``LLMTimeout``), fall back to the next provider (every kind), or tell the caller plainly
(``UnsupportedRequest``, ``UnknownModel``, ``FallbackExhausted``).
"""

from __future__ import annotations


class LLMError(Exception):
    """Base of every error raised by ``domains.llm``.

    ``retryable`` says whether the same call may succeed if repeated; ``retry_after`` is the
    wait the provider asked for (``Retry-After``), in seconds, when it said one.
    """

    retryable: bool = False
    retry_after: float | None = None


class ProviderUnavailable(LLMError):
    """The provider cannot be reached, has no key configured, or answered with a 5xx."""

    retryable = True

    def __init__(
        self, message: str, *, retryable: bool = True, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class RateLimited(LLMError):
    """The provider answered 429; ``retry_after`` is its ``Retry-After`` in seconds, if any."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LLMTimeout(LLMError):
    """The provider did not answer (or stopped streaming) within the configured time."""

    retryable = True


class MalformedResponse(LLMError):
    """The provider answered, but not in a shape we can read (bad JSON, no text, bad schema)."""


class CircuitOpen(LLMError):
    """The provider's circuit breaker is open; the call was not attempted."""


class UnsupportedRequest(LLMError):
    """This provider cannot serve this kind of request (e.g. a schema the local provider lacks)."""


class UnknownModel(LLMError):
    """The model name does not belong to any provider we know."""

    # Read by the function runtime: the same name fails on every attempt, so it is not retried.
    permanent = True


class FallbackExhausted(LLMError):
    """Every provider in the fallback chain failed; ``attempts`` lists each one and its error."""

    def __init__(self, attempts: list[tuple[str, LLMError]]) -> None:
        detail = "; ".join(f"{name}: {type(err).__name__}: {err}" for name, err in attempts)
        super().__init__(f"all LLM providers failed ({detail})")
        self.attempts = attempts
