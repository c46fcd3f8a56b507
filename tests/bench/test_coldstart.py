"""The cold-start bench: one real start of a function (spawned, ready, memory read, events
answered) and the summary it reports against the targets."""

from __future__ import annotations

import os

from bench import coldstart
from domains.chat import events as chat_events
from domains.chat.events import ChatRequested
from eventing.bindings.http import from_http, to_binary
from eventing.events import payload_of


def test_one_start_measures_ready_memory_and_events() -> None:
    env = {**os.environ, "ECO2_LLM__MODEL": "sim", "ECO2_LLM__SIM_SCALE": "0"}
    result = coldstart.one_start("answer", 2, env)
    assert 0 < result["ready_s"] < coldstart.READY_TIMEOUT_S
    assert result["ready_cpu_s"] > 0
    # The gunicorn master and its worker: more than an empty interpreter, and counted once.
    assert 20 < result["pss_mb"] < 2_000 and result["max_rss_mb"] > 20
    assert result["first_event_ms"] > 0 and result["warm_event_ms"] > 0
    assert result["pss_after_events_mb"] > 0


def test_events_are_built_for_the_stages_it_can_feed() -> None:
    for function in ("rule", "answer", "reward", "chat"):
        event = coldstart._event(function, 0)
        assert event is not None
        message = to_binary(event)
        assert from_http(message.headers, message.body)["type"] == event["type"]
    assert coldstart._event("vision", 0) is None


def test_chat_turns_are_requests_each_in_a_chat_of_its_own() -> None:
    turns = [coldstart._event("chat", n) for n in range(5)]
    requests = [payload_of(turn, ChatRequested) for turn in turns]
    assert all(turn["type"] == chat_events.REQUESTED for turn in turns)
    # Each turn is a conversation's first: no history or checkpoint carried from the one before.
    assert len({r.chat_id for r in requests}) == 5
    # The texts rotate, so the warm turns are not one question answered from a cache.
    assert len({r.text for r in requests[:4]}) == 4 and requests[4].text == requests[0].text


def test_summary_takes_medians_and_judges_the_targets() -> None:
    rounds = [
        {"function": "rule", "ready_s": s, "pss_mb": m, "max_rss_mb": m}
        for s, m in ((2.0, 200.0), (4.0, 400.0), (2.5, 250.0))
    ]
    rounds.append({"function": "chat", "ready_s": 1.0, "pss_mb": 100.0, "max_rss_mb": 90.0})
    summary = coldstart.summarise(rounds)
    assert summary["rule"]["ready_s"] == 2.5 and summary["rule"]["ready_range_s"] == [2.0, 4.0]
    assert summary["rule"]["ready_met"] and summary["rule"]["memory_met"]
    assert summary["chat"]["rounds"] == 1 and summary["chat"]["ready_met"]
