"""The chaos suite's clients: each submits scans (or sends chat messages, each a turn) and follows
them over SSE to their end, resuming with Last-Event-ID through every fault, and records what
it saw: every seq, and for a chat turn the answer its tokens spell."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

import httpx

from eco2.cli.scan import sse_events
from eventing.progress import LOST_EPOCH

TERMINAL = ("done", "failed", "needs_input")


CHAT_TEXT = "다 마신 페트병은 어떻게 버려?"


@dataclass
class Followed:
    """One scan or chat turn as its client saw it."""

    job_id: str
    events_url: str
    kind: str = "scan"  # or "chat"
    seqs: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # monotonic time each seq arrived
    terminal: str | None = None
    reason: str | None = None
    reconnects: int = 0
    text: str = ""  # a turn's answer as its tokens spelled it (a ``replace`` token resets it)
    answer: str | None = None  # the answer its ``done`` carries


@dataclass
class Load:
    """``clients`` threads submitting and following scans, ``chat_clients`` threads sending
    messages to a chat each and following the turns, until ``stop`` is set."""

    base_url: str
    image: bytes
    clients: int = 6
    chat_clients: int = 0
    chat_model: str | None = None  # the model answering the turns (None: the default)
    headers: dict[str, str] = field(default_factory=dict)  # the signed-in user's token
    scan_deadline_s: float = 120.0
    stop: threading.Event = field(default_factory=threading.Event)
    scans: list[Followed] = field(default_factory=list)
    turns: list[Followed] = field(default_factory=list)
    refused: int = 0  # submissions answered 5xx or not at all (the client retries them)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for n in range(self.clients):
            thread = threading.Thread(target=self._client, name=f"chaos-client-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        for n in range(self.chat_clients):
            thread = threading.Thread(target=self._chatter, name=f"chaos-chat-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def finish(self, within_s: float) -> None:
        """Stop submitting; wait for every scan in flight to end (or its deadline)."""
        self.stop.set()
        deadline = time.monotonic() + within_s
        for thread in self._threads:
            thread.join(max(0.1, deadline - time.monotonic()))

    def _client(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=10.0, headers=self.headers) as http:
            while not self.stop.is_set():
                scan = self._submit(http)
                if scan is not None:
                    self._follow(http, scan)

    def _chatter(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=10.0, headers=self.headers) as http:
            chat_id: str | None = None
            while not self.stop.is_set():
                chat_id = chat_id or self._new_chat(http)
                turn = self._send(http, chat_id) if chat_id else None
                if turn is not None:
                    self._follow(http, turn)

    def _new_chat(self, http: httpx.Client) -> str | None:
        try:
            response = http.post("/api/v1/chats", json={})
        except httpx.HTTPError:
            response = None
        if response is None or response.status_code != 201:
            self._refused()
            return None
        return str(response.json()["chat_id"])

    def _send(self, http: httpx.Client, chat_id: str) -> Followed | None:
        body = {"text": CHAT_TEXT} | ({"model": self.chat_model} if self.chat_model else {})
        try:
            response = http.post(f"/api/v1/chats/{chat_id}/messages", json=body)
        except httpx.HTTPError:
            response = None
        if response is None or response.status_code != 202:
            self._refused()
            return None
        accepted = response.json()
        turn = Followed(accepted["job_id"], accepted["events_url"], kind="chat")
        with self._lock:
            self.turns.append(turn)
        return turn

    def _refused(self) -> None:
        with self._lock:
            self.refused += 1
        time.sleep(0.3)

    def _submit(self, http: httpx.Client) -> Followed | None:
        try:
            response = http.post(
                "/api/v1/scans",
                files={"image": ("item.png", self.image, "image/png")},
                data={"hint": "다 마신 투명 생수병"},
            )
        except httpx.HTTPError:
            response = None
        if response is None or response.status_code != 202:
            self._refused()
            return None
        body = response.json()
        scan = Followed(body["job_id"], body["events_url"])
        with self._lock:
            self.scans.append(scan)
        return scan

    def _follow(self, http: httpx.Client, scan: Followed) -> None:
        deadline = time.monotonic() + self.scan_deadline_s
        while scan.terminal is None and time.monotonic() < deadline:
            headers = {"Last-Event-ID": str(scan.seqs[-1])} if scan.seqs else {}
            try:
                with http.stream(
                    "GET", scan.events_url, headers=headers, timeout=httpx.Timeout(10, read=15)
                ) as response:
                    if response.status_code != 200:  # 404 while the bus lost the job, 5xx
                        raise httpx.HTTPStatusError(
                            "retry", request=response.request, response=response
                        )
                    for event_id, name, raw in sse_events(response):
                        data = json.loads(raw)
                        if event_id:
                            scan.seqs.append(int(event_id))
                            scan.times.append(time.monotonic())
                        payload = data.get("payload") or {}
                        if data.get("status") == "token" and scan.kind == "chat":
                            shown = str(payload.get("text", ""))
                            scan.text = shown if payload.get("replace") else scan.text + shown
                        if name in TERMINAL:
                            scan.terminal = name
                            scan.reason = payload.get("reason")
                            if scan.kind == "chat" and name == "done":
                                scan.answer = payload.get("text")
                            return
            except httpx.HTTPError:
                pass
            scan.reconnects += 1
            time.sleep(0.3)


def problems(scan: Followed) -> list[str]:
    """What is wrong with what one client saw; empty when the scan or turn ended properly."""
    found = []
    lost_log = any(s > LOST_EPOCH for s in scan.seqs)
    # Resumed streams and a redelivered turn must spell the answer once: a token sent twice or
    # lost shows here (past a lost log the skipped seqs held tokens too).
    spelled = scan.kind == "chat" and scan.terminal == "done" and not lost_log
    if spelled and scan.text != scan.answer:
        found.append(f"{scan.job_id}: its tokens spell {scan.text!r}, not {scan.answer!r}")
    if scan.terminal not in ("done", "failed"):
        found.append(f"{scan.job_id}: ended {scan.terminal!r} (hung or asked)")
    if scan.terminal == "failed" and not scan.reason:
        found.append(f"{scan.job_id}: failed without a reason")
    if len(set(scan.seqs)) != len(scan.seqs):
        found.append(f"{scan.job_id}: a seq came twice: {scan.seqs}")
    before = [s for s in scan.seqs if s <= LOST_EPOCH]
    if before != list(range(1, len(before) + 1)) and before != sorted(before):
        found.append(f"{scan.job_id}: out of order: {scan.seqs}")
    if before and before != list(range(before[0], before[0] + len(before))):
        found.append(f"{scan.job_id}: a gap: {scan.seqs}")
    if before and before[0] != 1:
        found.append(f"{scan.job_id}: missed its first events: {scan.seqs}")
    after = [s for s in scan.seqs if s > LOST_EPOCH]
    if after and after != list(range(LOST_EPOCH + 1, LOST_EPOCH + 1 + len(after))):
        # A scan whose log was lost goes on in the new epoch (a stage mid-job finishes it)
        # or is failed there by the sweeper: either way from the epoch's first seq, no gap.
        found.append(f"{scan.job_id}: the new epoch has a gap or repeat: {scan.seqs}")
    return found
