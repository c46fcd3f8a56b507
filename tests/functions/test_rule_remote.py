"""The rule stage with the analysis service configured (ECO2_KNOWLEDGE__ANALYSER_URL, a real
``eco2 analyser`` process), as its manifests and ``eco2 serve`` run it: every item of the item
sets gets the same reply as with Kiwi in the process, and the tokens came from the service.

Each side runs in a fresh interpreter: the knowledge base's caches (the gloss index, the
per-text analyses) are per process, and a process has one Kiwi or one client, never both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.analyser_server import Analyser, running_analyser

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests/domains/knowledge/data"
# Every item set the knowledge base is measured on, both halves: only the texts are read (the
# replies are compared between the two tokenizers, not against labels). independent5 is left
# out: its test half is held back from development entirely.
SETS = (
    "items.jsonl",
    "items_holdout.jsonl",
    "independent/items.dev.jsonl",
    "independent/items.test.jsonl",
    "independent2/items2.dev.jsonl",
    "independent2/items2.test.jsonl",
    "independent3/items3.dev.jsonl",
    "independent3/items3.test.jsonl",
    "independent4/items4.dev.jsonl",
    "independent4/items4.test.jsonl",
)

# Started as a worker starts it (settings from the environment, start() before any event),
# then one vision.completed event per text; prints each reply's type and data, then which
# analyser answered and whether it fell back.
RUN = """
import asyncio, json, sys
from domains.knowledge.analyser import analyser
from domains.scan.events import ScanRequested, ScanState, VisionResult
from eco2.settings_core import settings_for
from eventing.events import make_event
from eventing.runtime.loader import load_function

fn = load_function("functions/rule/main.py", settings_for({"knowledge"}))
fn.start()

async def main():
    for line in sys.stdin:
        state = ScanState(
            request=ScanRequested(job_id="job", image_ref="sha256:x"),
            vision=VisionResult(text=json.loads(line), source="ocr"),
        )
        reply = await fn.handle(make_event("kr.eco2.scan.vision.completed", state, subject="job"))
        print(json.dumps([reply["type"], reply.get_data()], ensure_ascii=False, sort_keys=True))

asyncio.run(main())
used = analyser()
print(json.dumps([type(used).__name__, getattr(used, "fell_back", None)]))
"""


def _texts() -> list[str]:
    texts: list[str] = []
    for name in SETS:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def _replies(texts: list[str], **env: str) -> tuple[list[str], list[object]]:
    done = subprocess.run(
        [sys.executable, "-c", RUN],
        cwd=ROOT,
        env={**os.environ, "ECO2_KNOWLEDGE__ANALYSER_URL": "", **env},
        input="".join(json.dumps(t, ensure_ascii=False) + "\n" for t in texts),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    *replies, used = done.stdout.splitlines()
    return replies, json.loads(used)


@pytest.fixture(scope="module")
def service() -> Iterator[Analyser]:
    with running_analyser(ECO2_KNOWLEDGE__KIWI_TYPO_DICT="true") as server:
        yield server


def test_every_item_gets_the_same_reply_through_the_service(service: Analyser) -> None:
    texts = _texts()
    assert len(texts) > 2000
    local, used_here = _replies(texts)
    assert used_here == ["KiwiAnalyser", None]
    before = service.requests("tokenize")
    remote, used_there = _replies(texts, ECO2_KNOWLEDGE__ANALYSER_URL=service.url)
    assert used_there == ["RemoteAnalyser", False]  # the service answered every call
    # At most one request per text (the classifier's and retrieval's analyses of a text are
    # cached), plus the start's few.
    sent = service.requests("tokenize") - before
    assert len(texts) / 2 < sent <= len(texts) + 10
    assert len(remote) == len(local) == len(texts)
    differ = [(t, a, b) for t, a, b in zip(texts, local, remote, strict=True) if a != b]
    assert not differ, differ[:3]


def test_the_start_sends_a_few_requests_built_classifier_or_not(service: Analyser) -> None:
    from domains.knowledge.analyser import MAX_TEXTS
    from domains.knowledge.loader import load_knowledge

    # With the built classifier (domains/knowledge/store.py) the glosses' tokens are in it: the
    # start sends its warm-up texts only.
    before = service.requests("tokenize")
    replies, used = _replies([], ECO2_KNOWLEDGE__ANALYSER_URL=service.url)
    assert replies == [] and used == ["RemoteAnalyser", False]
    assert service.requests("tokenize") - before <= 6
    # Without it (the file built for other Kiwi settings: here the typo dictionary off, on a
    # service that has it off too), the start builds the indexes through the service: the
    # ~3,700 glosses go in batches of MAX_TEXTS, not one request each.
    glosses = len(load_knowledge().glosses)
    assert glosses > 3 * MAX_TEXTS  # else this proves less than it says
    with running_analyser(ECO2_KNOWLEDGE__KIWI_TYPO_DICT="false") as plain:
        replies, used = _replies(
            [], ECO2_KNOWLEDGE__ANALYSER_URL=plain.url, ECO2_KNOWLEDGE__KIWI_TYPO_DICT="false"
        )
        assert used == ["RemoteAnalyser", False]
        batches = -(-glosses // MAX_TEXTS)
        assert batches <= plain.requests("tokenize") <= batches + 6


def test_a_rule_worker_whose_service_is_gone_still_answers() -> None:
    # Nothing listens at the URL: the start retries briefly, then builds Kiwi in the process.
    texts = ["깨진 유리컵", "라면 봉지"]
    local, _ = _replies(texts)
    remote, used = _replies(texts, ECO2_KNOWLEDGE__ANALYSER_URL="http://127.0.0.1:9")
    assert used == ["RemoteAnalyser", True]
    assert remote == local
