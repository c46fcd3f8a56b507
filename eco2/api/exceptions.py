"""The scan API's own errors: one base carrying the stable code and HTTP status clients see."""

from __future__ import annotations


class ApiError(Exception):
    """Base of every error raised by ``eco2.api``; ``code``/``status`` go to the JSON body."""

    code: str = "api_error"
    status: int = 500
    retry_after_s: int | None = None  # sent as Retry-After when set

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BodyTooLarge(ApiError):
    """The request body is larger than an upload may be (declared or counted while reading)."""

    code = "too_large"
    status = 413


class PublishFailed(ApiError):
    """The pipeline's transport refused the requested event; the job is failed, not left hanging."""

    code = "pipeline_unavailable"
    status = 503


class Overloaded(ApiError):
    """Too many scans wait for a worker already (``eco2.api.admission``); come back later."""

    code = "overloaded"
    status = 503
    retry_after_s = 5
