from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from eventing.sharding import shard_of

KEYS = [f"job-{i}" for i in range(200)] + ["이코", "", "a" * 300]


def _shards_in_subprocess(seed: str) -> list[int]:
    code = (
        "import json, sys; from eventing.sharding import shard_of; "
        "keys = json.loads(sys.stdin.read()); print(json.dumps([shard_of(k, 4) for k in keys]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(KEYS),
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


def test_two_processes_with_different_hash_seeds_agree() -> None:
    first, second = _shards_in_subprocess("1"), _shards_in_subprocess("2")
    assert first == second == [shard_of(k, 4) for k in KEYS]


def test_builtin_hash_would_not_agree() -> None:
    # Guards the reason the module exists: hash() differs between these two processes.
    code = "print(hash('job-1') % 4, hash('job-2') % 4, hash('job-3') % 4, hash('job-4') % 4)"
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=30,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outs) > 1


def test_shards_are_spread_evenly() -> None:
    counts = [0] * 4
    for i in range(4000):
        counts[shard_of(f"job-{i}", 4)] += 1
    assert min(counts) > 850


def test_invalid_shard_count() -> None:
    with pytest.raises(ValueError):
        shard_of("x", 0)
