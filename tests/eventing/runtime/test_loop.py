from __future__ import annotations

import asyncio
import threading

import pytest

from eventing.runtime.loop import LoopThread


def test_runs_coroutines_on_one_loop_from_any_thread() -> None:
    runner = LoopThread()
    loops: list[asyncio.AbstractEventLoop] = []

    async def which() -> int:
        loops.append(asyncio.get_running_loop())
        return threading.get_ident()

    threads = [threading.Thread(target=lambda: runner.run(which(), timeout=5)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loops) == 4 and len(set(map(id, loops))) == 1
    assert runner.run(which(), timeout=5) != threading.get_ident()
    runner.close()


def test_errors_reach_the_caller() -> None:
    runner = LoopThread()

    async def boom() -> None:
        raise KeyError("missing")

    with pytest.raises(KeyError, match="missing"):
        runner.run(boom(), timeout=5)
    runner.close()
