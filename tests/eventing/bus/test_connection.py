"""Commands packed by hiredis: the same bytes as redis-py's packer, on the real Redis too.

Both paths are covered: hiredis packing (what the import check gives on the locked redis-py) and
redis-py's own connection (what it falls back to when the check fails, forced here).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.exceptions import DataError

from eventing.bus import connection
from eventing.bus import redis as bus_redis
from eventing.bus.connection import PackedConnection, packed
from eventing.progress import connect as connect_decoding

REDIS_URL = "redis://127.0.0.1:6379/0"

COMMANDS = [
    ("SET", "k", "값 é"),
    ("SET", b"k", b"\x00\xff\r\n"),
    ("EVALSHA", "a" * 40, 2, "k1", "k2", 3600, -7, 10**30, 0.1, 1 / 3, 1e300, float("inf"), ""),
    ("CONFIG GET", "maxmemory"),
    (b"CLIENT SETNAME", b"x"),
    ("SET", "k", memoryview(b"view")),  # refused by hiredis: redis-py's packer takes it
    ("SET", "k", bytearray(b"array")),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: str(args[0]))
def test_packed_bytes_are_redis_pys(args: tuple) -> None:
    # The same bytes, or the same error (redis-py before 8.0 packs no bytearray: DataError).
    assert packed(PackedConnection(), args) == packed(Connection(), args)


def test_a_pipeline_packs_the_same() -> None:
    commands = [args for args in COMMANDS if isinstance(packed(Connection(), args), bytes)]
    assert len(commands) >= len(COMMANDS) - 1
    assert packed(PackedConnection(), *commands) == packed(Connection(), *commands)


def test_the_import_check_passed_on_this_redis_py() -> None:
    assert connection.FALLBACK_REASON is None
    assert connection.PACKED
    assert connection.connection_kwargs(REDIS_URL) == {"connection_class": PackedConnection}


def test_hiredis_packs_what_it_can(monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[tuple] = []
    fell_back: list[tuple] = []
    real = connection._hiredis_pack
    redis_pys = Connection.pack_command

    def spy(args: tuple) -> bytes:
        tried.append(args)
        return real(args)

    def spy_redis_py(self: Connection, *args: object) -> list[bytes]:
        fell_back.append(args)
        return redis_pys(self, *args)

    monkeypatch.setattr(connection, "_hiredis_pack", spy)
    monkeypatch.setattr(Connection, "pack_command", spy_redis_py)
    for args in COMMANDS:
        packed(PackedConnection(), args)  # bytes, or redis-py's own error
    assert len(tried) == len(COMMANDS)  # tried for each
    assert tried[3][:2] == ("CONFIG", "GET")
    # Only what hiredis refuses went to redis-py (which of these depends on hiredis's version).
    assert all(isinstance(args[2], memoryview | bytearray) for args in fell_back)


@pytest.mark.parametrize("value", [True, None, [1]], ids=["bool", "none", "list"])
def test_what_neither_packs_raises_redis_pys_data_error(value: object) -> None:
    with pytest.raises(DataError, match="Invalid input of type"):
        PackedConnection().pack_command("SET", "k", value)


def test_another_encoding_keeps_redis_pys_packer() -> None:
    latin = PackedConnection(encoding="latin-1")
    assert latin.pack_command("SET", "k", "é") == Connection(encoding="latin-1").pack_command(
        "SET", "k", "é"
    )


@pytest.fixture(params=["hiredis", "redis-py"])
def packer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> type:
    """The connection class the clients get: ours, or redis-py's when the check is forced off."""
    if request.param == "redis-py":
        monkeypatch.setattr(connection, "PACKED", False)
        return Connection
    return PackedConnection


async def test_both_clients_use_it_and_talk_to_redis(unique: str, packer: type) -> None:
    binary = bus_redis.connect(REDIS_URL)
    decoding = connect_decoding(REDIS_URL)
    try:
        for client in (binary, decoding):
            assert client.connection_pool.connection_class is packer
        await binary.set(f"{unique}:b", b"\x00\xff\r\n")
        assert await binary.get(f"{unique}:b") == b"\x00\xff\r\n"
        async with decoding.pipeline(transaction=True) as pipe:
            pipe.set(f"{unique}:s", "분리배출 é")
            pipe.eval("return ARGV[1] .. ARGV[2]", 0, 1.5, "캔")
            pipe.get(f"{unique}:s")
            assert await pipe.execute() == [True, "1.5캔", "분리배출 é"]
        assert "maxmemory" in await decoding.config_get("maxmemory")  # "CONFIG GET" split
    finally:
        await decoding.delete(f"{unique}:b", f"{unique}:s")
        await binary.aclose()
        await decoding.aclose()


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("rediss://127.0.0.1:6380/0", SSLConnection),
        ("unix:///tmp/r.sock", UnixDomainSocketConnection),
    ],
)
async def test_tls_and_unix_urls_keep_their_own_connection(url: str, kind: type) -> None:
    for client in (connect_decoding(url), bus_redis.connect(url)):
        try:
            assert client.connection_pool.connection_class is kind
        finally:
            await client.aclose()


def test_a_packer_that_disagrees_with_redis_py_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    real = connection._hiredis_pack

    def off_by_one(args: tuple) -> bytes:  # a changed hiredis or redis-py: other bytes
        return real(args) + b"\r\n" if args[0] == "XADD" else real(args)

    monkeypatch.setattr(connection, "_hiredis_pack", off_by_one)
    assert connection.check() == "'XADD' packs to other bytes than redis-py's"


def test_an_encoder_of_another_shape_keeps_redis_pys_packer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conn = PackedConnection()
    monkeypatch.setattr(conn, "encoder", object())  # no encoding, no encoding_errors
    conn.__init__()  # type: ignore[misc]  # what a later redis-py might hand us
    assert conn.pack_command("SET", "k", "v") == Connection().pack_command("SET", "k", "v")


def test_without_hiredis_clients_get_redis_pys_connection_and_work(unique: str) -> None:
    """hiredis absent (sys.modules entry None): the import check says so, Redis still answers."""
    code = f"""
import asyncio, sys
sys.modules["hiredis"] = None
from redis.asyncio.connection import Connection
from eventing.bus import connection
from eventing.bus.redis import connect
assert not connection.PACKED and connection.FALLBACK_REASON == "hiredis is not installed"

async def main():
    client = connect({REDIS_URL!r})
    assert client.connection_pool.connection_class is Connection
    try:
        await client.set("{unique}:nohiredis", "분리배출")
        assert await client.get("{unique}:nohiredis") == "분리배출".encode()
    finally:
        await client.delete("{unique}:nohiredis")
        await client.aclose()

asyncio.run(main())
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
