"""Stable shard assignment: the same job lands on the same shard in every process.

Python's ``hash()`` is salted per process (PYTHONHASHSEED), so it would route one job to
different shards in the router and the gateway; a keyed digest does not.
"""

from __future__ import annotations

import hashlib


def shard_of(key: str, shards: int) -> int:
    """The shard (0..shards-1) of ``key``, identical across processes and machines."""
    if shards < 1:
        raise ValueError(f"shards must be >= 1, got {shards}")
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards
