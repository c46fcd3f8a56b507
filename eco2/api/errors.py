"""The one place that turns exceptions into HTTP status codes and ``{"error": ...}`` bodies.

=========================  ======  ==========================================================
exception                  status  code
=========================  ======  ==========================================================
InvalidImage (vision)      4xx     its own ``code``/``status`` (empty, too_large, not_image…)
BodyTooLarge               413     too_large
JobNotFound                404     not_found
IdempotencyKeyReused       409     idempotency_key_reused
InvalidTransition          409     invalid_transition
RequestValidationError     422     invalid_request
HTTPException (Starlette)  its own bad_request, not_found, method_not_allowed (no JSON, no route)
FacilityNotFound           404     not_found
ReminderNotFound           404     not_found
InvalidQuery (location)    422     invalid_request: coordinates, radius, kind
InvalidRequest (info)      422     invalid_request: dates, limits, a zone to choose
UnknownDistrict            422     unknown_district (the message lists the districts we have)
PublishFailed              503     pipeline_unavailable
Overloaded                 503     overloaded (+ ``Retry-After``): the scan backlog is full
pool timeout, lost backend 503     busy (+ ``Retry-After``): PostgreSQL or Redis saturated or
                                   unreachable; the request did nothing the client must undo
=========================  ======  ==========================================================
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from domains.info.exceptions import InvalidRequest, ReminderNotFound, UnknownDistrict
from domains.location.exceptions import FacilityNotFound, InvalidQuery
from domains.scan.exceptions import IdempotencyKeyReused, InvalidTransition, JobNotFound
from domains.vision.exceptions import VisionError
from eco2.api.exceptions import ApiError
from eventing.exceptions import BusError

SCAN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    JobNotFound: (404, "not_found"),
    IdempotencyKeyReused: (409, "idempotency_key_reused"),
    InvalidTransition: (409, "invalid_transition"),
}
PLACES_ERRORS: dict[type[Exception], tuple[int, str]] = {
    FacilityNotFound: (404, "not_found"),
    ReminderNotFound: (404, "not_found"),
    InvalidQuery: (422, "invalid_request"),
    InvalidRequest: (422, "invalid_request"),
    UnknownDistrict: (422, "unknown_district"),
}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def _coded(request: Request, exc: Exception) -> JSONResponse:
    # VisionError and ApiError both carry their own code/status beside the error class.
    assert isinstance(exc, VisionError | ApiError)
    response = error_response(exc.status, exc.code, exc.message)
    if retry_after := getattr(exc, "retry_after_s", None):
        response.headers["Retry-After"] = str(retry_after)
    return response


async def _scan(request: Request, exc: Exception) -> JSONResponse:
    status, code = SCAN_ERRORS[type(exc)]
    return error_response(status, code, str(exc))


async def _places(request: Request, exc: Exception) -> JSONResponse:
    status, code = PLACES_ERRORS[type(exc)]
    return error_response(status, code, str(exc))


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
    )
    return error_response(422, "invalid_request", problems or "invalid request")


log = logging.getLogger("eco2.api")

# Overload and outages: every pooled connection busy past its wait (seen under load), or the
# server gone. Retrying later is the client's right move.
BUSY: tuple[type[Exception], ...] = (
    PoolTimeout,
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    BusError,  # the event bus's Redis refused a write batch (eventing.bus.batch)
)


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    # Logged so an operator (and the load benchmark) can tell which pool or backend refused.
    log.warning(
        "503 busy on %s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc
    )
    response = error_response(503, "busy", f"the service is overloaded or a backend is down: {exc}")
    response.headers["Retry-After"] = "5"
    return response


# Starlette's own refusals (a body that is not JSON, an unknown path, a wrong method) in the
# same ``{"error": ...}`` shape as every other answer, so a client parses one shape.
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    response = error_response(exc.status_code, code, str(exc.detail))
    response.headers.update(exc.headers or {})
    return response


def install(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(VisionError, _coded)
    app.add_exception_handler(ApiError, _coded)
    for kind in SCAN_ERRORS:
        app.add_exception_handler(kind, _scan)
    for kind in PLACES_ERRORS:
        app.add_exception_handler(kind, _places)
    app.add_exception_handler(RequestValidationError, _validation)
    for kind in BUSY:
        app.add_exception_handler(kind, _busy)
