"""Commands packed by hiredis: the same bytes as redis-py's packer, on the real Redis too."""

from __future__ import annotations

import pytest
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.exceptions import DataError

from eventing.bus import connection
from eventing.bus import redis as bus_redis
from eventing.bus.connection import PackedConnection
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
    assert b"".join(PackedConnection().pack_command(*args)) == b"".join(
        Connection().pack_command(*args)
    )


def test_a_pipeline_packs_the_same() -> None:
    plain = b"".join(Connection().pack_commands(COMMANDS))
    assert b"".join(PackedConnection().pack_commands(COMMANDS)) == plain


def test_hiredis_packs_what_it_can(monkeypatch: pytest.MonkeyPatch) -> None:
    packed: list[tuple] = []
    real = connection.hiredis.pack_command

    def spy(args: tuple) -> bytes:
        packed.append(args)
        return real(args)

    monkeypatch.setattr(connection.hiredis, "pack_command", spy)
    for args in COMMANDS:
        PackedConnection().pack_command(*args)
    assert len(packed) == len(COMMANDS)  # tried for each; the last two fell back
    assert packed[3][:2] == ("CONFIG", "GET")


@pytest.mark.parametrize("value", [True, None, [1]], ids=["bool", "none", "list"])
def test_what_neither_packs_raises_redis_pys_data_error(value: object) -> None:
    with pytest.raises(DataError, match="Invalid input of type"):
        PackedConnection().pack_command("SET", "k", value)


def test_another_encoding_keeps_redis_pys_packer() -> None:
    latin = PackedConnection(encoding="latin-1")
    assert latin.pack_command("SET", "k", "é") == Connection(encoding="latin-1").pack_command(
        "SET", "k", "é"
    )


async def test_both_clients_use_it_and_talk_to_redis(unique: str) -> None:
    binary = bus_redis.connect(REDIS_URL)
    decoding = connect_decoding(REDIS_URL)
    try:
        for client in (binary, decoding):
            assert client.connection_pool.connection_class is PackedConnection
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
    client = connect_decoding(url)
    try:
        assert client.connection_pool.connection_class is kind
    finally:
        await client.aclose()
