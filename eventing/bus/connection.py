"""The asyncio Redis connection every Eco² client uses: commands packed by hiredis, in C.

redis-py's asyncio client packs commands in Python up to 8.1 (redis/redis-py#4176), at ~7 µs a
command against ~2 µs here, and a scan sends dozens (a stage event seven: its ``started``
script, then MULTI, the progress script, XADD, SET, XACK, EXEC). redis-py 8.2 packs with
hiredis itself but encodes each argument in Python first: measured here, 7.7 µs a command
against 2.6 µs with this class. The bytes are the same (tests/eventing/bus/test_connection.py).
Whatever hiredis refuses (memoryview, bytearray, or a value neither accepts) goes to redis-py's
own packer, which packs it or raises its usual ``DataError``.

This leans on how redis-py's ``Connection`` works inside (``pack_command`` is what it sends,
``encoder`` says how text is encoded), which no release promises. So it is checked, never
trusted: at import, :data:`PACKED` is true only if hiredis is there and this class packs a set
of probe commands (text, bytes, numbers, a split command name, a large value, a pipeline) to
exactly redis-py's bytes; a connection whose ``encoder`` does not look as expected packs with
redis-py's packer. When the check fails, :func:`connection_kwargs` gives redis-py's own
connection and :data:`FALLBACK_REASON` says why: an upstream release can cost speed, never
correctness. Drop this module once redis-py's own packer is as fast.

Only ``redis://`` URLs get this class: ``rediss://`` and ``unix://`` keep redis-py's TLS and
Unix-socket connections (redis-py 8.2 lets a ``connection_class`` argument override the URL's,
so it is not passed for them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from redis.asyncio.connection import Connection

log = logging.getLogger("eventing.bus")

_hiredis_pack: Callable[..., Any] | None
try:
    from hiredis import pack_command as _hiredis_pack
except ImportError:  # hiredis is a dependency, but redis-py works without it
    _hiredis_pack = None

_UTF8 = frozenset({"utf-8", "utf8"})

# What the import-time check packs both ways: every kind of argument Eco² sends.
PROBES: tuple[tuple[Any, ...], ...] = (
    ("SET", "k", "값 é"),
    ("SET", b"k", b"\x00\xff\r\n"),
    ("EVALSHA", "a" * 40, 2, "k1", "k2", 3600, -7, 10**30, 0.1, 1 / 3, 1e300, float("inf"), ""),
    ("XADD", "s:0", "MAXLEN", "~", 100_000, "*", "data", "x" * 10_000),
    ("CONFIG GET", "maxmemory"),
    (b"CLIENT SETNAME", b"x"),
    ("SET", "k", memoryview(b"view")),
    ("SET", "k", bytearray(b"array")),
)


class PackedConnection(Connection):
    """A TCP connection whose commands hiredis packs (checked at import; see the module)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # hiredis writes text as UTF-8, strictly: only then are its bytes redis-py's. An encoder
        # of another shape (a redis-py release that changed it) keeps redis-py's packer.
        encoder = getattr(self, "encoder", None)
        encoding = getattr(encoder, "encoding", None)
        self._eco2_packs = (
            isinstance(encoding, str)
            and encoding.lower() in _UTF8
            and getattr(encoder, "encoding_errors", None) == "strict"
        )

    def pack_command(self, *args: Any) -> list[bytes]:
        pack = _hiredis_pack
        if pack is None or not self._eco2_packs:
            return super().pack_command(*args)
        # As redis-py does: a command name with a space ("CONFIG GET") is several arguments.
        head = args[0]
        if isinstance(head, str):
            if " " in head:
                args = (*head.split(), *args[1:])
        elif isinstance(head, bytes) and b" " in head:
            args = (*head.split(), *args[1:])
        try:
            return [pack(args)]
        except TypeError:
            return super().pack_command(*args)


def packed(conn: Connection, *commands: tuple[Any, ...]) -> bytes | str:
    """The bytes ``conn`` sends for ``commands`` (a pipeline if several), or the error's type."""
    try:
        if len(commands) == 1:
            return b"".join(conn.pack_command(*commands[0]))
        return b"".join(conn.pack_commands(commands))
    except Exception as exc:  # e.g. DataError: older redis-py packs no bytearray
        return type(exc).__name__


def check() -> str | None:
    """None when :class:`PackedConnection` packs exactly as redis-py does here; else why not."""
    if _hiredis_pack is None:
        return "hiredis is not installed"
    try:
        ours, theirs = PackedConnection(), Connection()
        if not ours._eco2_packs:
            return "redis-py's Connection.encoder is not the UTF-8 encoder expected"
        for args in PROBES:
            if packed(ours, args) != packed(theirs, args):
                return f"{args[0]!r} packs to other bytes than redis-py's"
        pipeline = [args for args in PROBES if isinstance(packed(theirs, args), bytes)]
        if packed(ours, *pipeline) != packed(theirs, *pipeline):
            return "a pipeline packs to other bytes than redis-py's"
    except Exception as exc:  # any surprise from a changed redis-py means: do not use it
        return f"{type(exc).__name__}: {exc}"
    return None


FALLBACK_REASON = check()
PACKED = FALLBACK_REASON is None
if not PACKED:
    log.warning("Redis commands are packed by redis-py (hiredis packing off: %s)", FALLBACK_REASON)


def connection_kwargs(redis_url: str) -> dict[str, Any]:
    """The ``connection_class`` option for a pool on ``redis_url``, if it should get one.

    ``{"connection_class": PackedConnection}`` for ``redis://`` when the import check passed;
    otherwise nothing, and redis-py picks its own class from the URL.
    """
    if PACKED and redis_url.lower().startswith("redis://"):
        return {"connection_class": PackedConnection}
    return {}
