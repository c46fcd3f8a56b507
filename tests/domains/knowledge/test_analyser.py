"""The analyser port: the analysis service (``eco2 analyser``, a real process) gives exactly the
tokens and sentences in-process Kiwi gives, refuses bad requests with a 4xx, and a client whose
service is down falls back to its own Kiwi, with a warning, within a second."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from domains.knowledge.analyser import (
    MAX_TEXTS,
    KiwiAnalyser,
    RemoteAnalyser,
    Token,
    configure_analyser,
)
from domains.knowledge.analyser_service import MAX_TEXT_CHARS
from tests.analyser_server import Analyser, running_analyser
from tests.s3server import free_port

ROOT = Path(__file__).parents[2]
KNOWLEDGE = ROOT / "domains/knowledge/data"
CHAT = ROOT / "functions/chat/data"
# The project's sets and dev halves (never a test half).
ITEM_FILES = (
    "items.jsonl",
    "items_holdout.jsonl",
    "questions.jsonl",
    "independent2/items2.dev.jsonl",
)
CHAT_FILES = ("intents.dev.jsonl", "v2/intents2.dev.jsonl")


def _texts(folder: Path, names: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for name in names:
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append(row.get("text") or row.get("question") or "")
    return [t for t in out if t]


ITEMS = _texts(KNOWLEDGE, ITEM_FILES)
MESSAGES = _texts(CHAT, CHAT_FILES)


@pytest.fixture(scope="module")
def service() -> Iterator[Analyser]:
    with running_analyser() as server:
        yield server


@pytest.fixture
def remote(service: Analyser) -> Iterator[RemoteAnalyser]:
    client = RemoteAnalyser(service.url)
    yield client
    client.close()


def test_the_sets_are_a_few_hundred_texts() -> None:
    assert len(ITEMS) >= 600 and len(MESSAGES) >= 400


def test_remote_tokens_are_in_process_kiwis(remote: RemoteAnalyser, service: Analyser) -> None:
    local = KiwiAnalyser()
    texts = ITEMS + MESSAGES
    before = service.requests("tokenize")
    assert remote.tokenize_many(texts) == local.tokenize_many(texts)
    assert service.requests("tokenize") == before + 2  # batches of at most MAX_TEXTS texts
    assert len(texts) > MAX_TEXTS
    for text in MESSAGES[:50]:  # one text per request too
        assert remote.tokenize(text) == local.tokenize(text)
    assert not remote.fell_back
    assert all(isinstance(t, Token) for t in remote.tokenize(MESSAGES[0]))
    assert remote.tokenize_many([]) == [] and not remote.fell_back  # no request at all


def test_remote_sentences_are_in_process_kiwis(remote: RemoteAnalyser) -> None:
    local = KiwiAnalyser()
    for text in MESSAGES:
        assert remote.split_into_sents(text) == local.split_into_sents(text), text
    assert remote.split_into_sents("이거 어디서 버려? 이코는 뭐 좋아해?") == [
        "이거 어디서 버려?",
        "이코는 뭐 좋아해?",
    ]
    assert not remote.fell_back


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b'{"texts": "one text"}', 422),
        (b'{"texts": [1, 2]}', 422),
        (b'{"texts": []}', 422),
        (b'{"text": ["a"]}', 422),
        (b'{"texts": ["a"], "extra": 1}', 422),
        (json.dumps({"texts": ["a"] * (MAX_TEXTS + 1)}).encode(), 413),
        (json.dumps({"texts": ["가" * (MAX_TEXT_CHARS + 1)]}).encode(), 413),
    ],
)
@pytest.mark.parametrize("endpoint", ["/v1/tokenize", "/v1/sentences"])
def test_bad_requests_get_a_4xx(service: Analyser, endpoint: str, body: bytes, status: int) -> None:
    response = httpx.post(service.url + endpoint, content=body, timeout=5)
    assert response.status_code == status, response.text


def test_probes_and_metrics(service: Analyser) -> None:
    assert httpx.get(f"{service.url}/healthz", timeout=5).json() == {"status": "ok"}
    ready = httpx.get(f"{service.url}/readyz", timeout=5).json()
    assert ready["status"] == "ready" and ready["typo_dict"] is True
    assert httpx.get(f"{service.url}/v1/tokenize", timeout=5).status_code == 405
    assert "eco2_analyser_seconds_bucket" in httpx.get(f"{service.url}/metrics", timeout=5).text


def test_nothing_listening_falls_back_to_kiwi_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = RemoteAnalyser(f"http://127.0.0.1:{free_port()}")
    local = KiwiAnalyser()
    local.tokenize("워밍업")  # the in-process Kiwi is not what this times
    started = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="domains.knowledge.analyser"):
        found = client.tokenize_many(MESSAGES[:20])
    assert time.perf_counter() - started < 3.0  # retried briefly, never hung
    assert found == local.tokenize_many(MESSAGES[:20])
    assert client.fell_back
    assert "building Kiwi in this process" in caplog.text
    assert client.split_into_sents("이거 어디서 버려? 이코는?") == ["이거 어디서 버려?", "이코는?"]
    client.close()


def test_a_service_that_goes_away_mid_use_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    local = KiwiAnalyser()
    with running_analyser() as server:
        client = RemoteAnalyser(server.url)
        assert client.tokenize(MESSAGES[0]) == local.tokenize(MESSAGES[0])
        server.stop()
        with caplog.at_level(logging.WARNING, logger="domains.knowledge.analyser"):
            assert client.tokenize(MESSAGES[1]) == local.tokenize(MESSAGES[1])
        assert client.fell_back and "analysis service unusable" in caplog.text
        client.close()


def test_a_service_with_another_typo_dictionary_is_not_used(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Its tokens would differ from this process's Kiwi (-나여 read as 나 + 여): refused.
    with running_analyser(ECO2_KNOWLEDGE__KIWI_TYPO_DICT="false") as server:
        client = RemoteAnalyser(server.url, expect_typo_dict=True)
        with caplog.at_level(logging.WARNING, logger="domains.knowledge.analyser"):
            found = client.tokenize("건전지 어떻게 버리나여")
        assert found[-1].form == "나여"
        assert client.fell_back and "typo dictionary off" in caplog.text
        client.close()


def test_configure_analyser_chooses_the_processs_analyser(service: Analyser) -> None:
    from domains.knowledge import analyser as port

    try:
        assert isinstance(configure_analyser(service.url), RemoteAnalyser)
        assert isinstance(port.analyser(), RemoteAnalyser)
    finally:
        assert isinstance(configure_analyser(""), KiwiAnalyser)
    assert isinstance(port.analyser(), KiwiAnalyser)


def test_the_services_user_nouns_reach_the_client(remote: RemoteAnalyser) -> None:
    # Kiwi's own dictionary reads 심지 as a verb; the project adds it as a noun, there too.
    found = remote.tokenize("키친타월 가운데 심지")
    assert ("심지", "NNG") in [(t.form, t.tag) for t in found]
    assert not remote.fell_back


def test_a_service_with_other_user_nouns_is_not_used(
    service: Analyser, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This process's code adds a noun the running service's does not (a rolling update half
    # done): its tokens could differ, so the client builds its own Kiwi instead.
    from domains.knowledge import analyser as port

    KiwiAnalyser().tokenize("워밍업")  # this process's Kiwi built as the code says, before
    monkeypatch.setattr(port, "_USER_NOUNS", (*port._USER_NOUNS, "새낱말"))
    client = RemoteAnalyser(service.url)
    with caplog.at_level(logging.WARNING, logger="domains.knowledge.analyser"):
        client.tokenize("페트병")
    assert client.fell_back and "adds the nouns" in caplog.text
    client.close()


def test_a_text_asked_again_is_answered_from_the_kept_tokens(
    remote: RemoteAnalyser, service: Analyser
) -> None:
    text = "지난주에 산 투명 생수병 라벨 뗀 거 (다시 묻는 문장)"
    first = remote.tokenize_many([text])
    before = service.cached()
    assert remote.tokenize_many([text]) == first == KiwiAnalyser().tokenize_many([text])
    assert service.cached() == before + 1
