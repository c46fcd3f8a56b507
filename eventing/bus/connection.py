"""The asyncio Redis connection every Eco² client uses: commands packed by hiredis, in C.

redis-py's synchronous client packs commands with ``hiredis.pack_command`` when hiredis is
installed; its asyncio client still packs them in Python (redis/redis-py#4176, open), at ~7 µs
a command against ~1.3 µs, and a scan sends dozens (a stage event seven: its ``started``
script, then MULTI, the progress script, XADD, SET, XACK, EXEC). The bytes are the same
(tests/eventing/bus/test_connection.py); whatever hiredis refuses (memoryview, bytearray, or a
value neither accepts) goes to redis-py's own packer, which packs it or raises its usual
``DataError``. Drop this class once redis-py packs with hiredis itself.
"""

from __future__ import annotations

from typing import Any

import hiredis
from redis.asyncio.connection import Connection

_UTF8 = frozenset({"utf-8", "utf8"})


class PackedConnection(Connection):
    """A TCP connection whose commands hiredis packs (TLS and Unix sockets keep redis-py's)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # hiredis writes text as UTF-8, strictly: only then are its bytes redis-py's.
        encoder = self.encoder
        self._hiredis = encoder.encoding.lower() in _UTF8 and encoder.encoding_errors == "strict"

    def pack_command(self, *args: Any) -> list[bytes]:
        if not self._hiredis:
            return super().pack_command(*args)
        # As redis-py does: a command name with a space ("CONFIG GET") is several arguments.
        head = args[0]
        if isinstance(head, str):
            if " " in head:
                args = (*head.split(), *args[1:])
        elif b" " in head:
            args = (*head.split(), *args[1:])
        try:
            return [hiredis.pack_command(args)]
        except TypeError:
            return super().pack_command(*args)
