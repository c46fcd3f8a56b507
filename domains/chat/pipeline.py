"""The chat turn as the progress log sees it: the runtime observer of the chat worker.

It tells a turn's phases (classify, each sub-agent started/completed, the answer's tokens) to
the Redis progress log (router → gateway → ``GET /api/v1/chat/{job_id}/events``) and records
the turn in PostgreSQL when it ends: the answer as a message, or the question it paused on.

A turn whose worker died mid-answer is redelivered and run again from its start (the graph
checkpoints when a turn ends or pauses). So that a reading client never sees the answer twice,
what the job streamed so far is kept in Redis (``…chat:streamed:{job_id}``) and every run
follows it with its own cursor: a token the client already has is not sent again, one that
goes past it sends only the new tail. A re-run that says something else (a cloud model's
rewrite is not deterministic) sends one token with ``replace: true`` carrying the whole text
so far, which the client shows instead of what it had; the same happens before ``done`` when
the streamed text is not the recorded answer.
"""

from __future__ import annotations

from typing import Any, Final

from cloudevents.http import CloudEvent
from redis.asyncio import Redis

from domains.chat import events
from domains.chat.events import ChatCompleted, ChatFailed, ChatNeedsInput, ChatRequested
from domains.chat.service import ChatService
from eventing.events import payload_of
from eventing.progress import Guard, ProgressPublisher

TOPIC: Final = "eco2:fn:chat"
GROUP: Final = "chat"
SOURCE: Final = "functions/chat/main.py"


def queue(exchange: str) -> str:
    """The chat function's RabbitMQ queue, named after the exchange as the scan stages' are."""
    return f"{exchange}.fn.chat"


_PROGRESS = {"vision": 5, "classify": 10, "agent": 30, "answer": 70}

# The guard of a token's step (``eventing.progress.Guard``): KEYS[3] the job's streamed text;
# its ARGV, at the end: the cursor (bytes of this run so far), the token, the ttl. The token's
# step carries new text as it is; a tail when the start of the token was streamed already; the
# whole text so far with ``replace`` when this run diverged from what was streamed. A token
# streamed already in full writes nothing (-2). The record grows in the same script as the log,
# so it never holds a token the log lacks (a worker killed between the two would leave one).
_FOLLOW = """
local ttl = tonumber(table.remove(ARGV))
local tok = table.remove(ARGV)
local cursor = tonumber(table.remove(ARGV))
local key = KEYS[3]
local len = redis.call('STRLEN', key)
local send, replace = tok, false
if len <= cursor then
  redis.call('APPEND', key, tok)
else
  local rest = redis.call('GETRANGE', key, cursor, cursor + #tok - 1)
  if string.sub(tok, 1, #rest) == rest then
    send = string.sub(tok, #rest + 1)
    if #send == 0 then
      return -2
    end
    redis.call('APPEND', key, send)
  else
    local prefix = ''
    if cursor > 0 then prefix = redis.call('GETRANGE', key, 0, cursor - 1) end
    send, replace = prefix .. tok, true
    redis.call('SET', key, send)
  end
end
redis.call('EXPIRE', key, ttl)
local payload = cjson.decode(ARGV[7])
payload['text'] = send
if replace then payload['replace'] = true end
ARGV[7] = cjson.encode(payload)
"""


class StreamedText:
    """What a job has streamed to its readers, followed by each run of the turn."""

    def __init__(self, prefix: str, ttl_s: int) -> None:
        self.prefix = prefix
        self.ttl_s = ttl_s
        self._cursors: dict[str, int] = {}  # event id → bytes this run has produced

    def key(self, job_id: str) -> str:
        return f"{self.prefix}chat:streamed:{job_id}"

    def run_starts(self, event_id: str) -> None:
        self._cursors[event_id] = 0

    def run_ends(self, event_id: str) -> None:
        self._cursors.pop(event_id, None)

    def follow(self, event_id: str, job_id: str, token: str) -> Guard:
        """The guard of this run's next ``token`` step: it sends what the readers lack."""
        cursor = self._cursors.get(event_id, 0)
        raw = token.encode()
        self._cursors[event_id] = cursor + len(raw)
        return Guard(_FOLLOW, (self.key(job_id),), (cursor, raw, self.ttl_s))

    async def settle(self, redis: Redis, job_id: str, answer: str) -> bool:
        """Make the streamed text the recorded answer; True when it was not (send a replace)."""
        key = self.key(job_id)
        found = await redis.get(key)
        streamed = found.decode() if isinstance(found, bytes) else found
        if streamed == answer:
            return False
        await redis.set(key, answer.encode(), ex=self.ttl_s)
        return streamed is not None


class ChatProgress:
    """Runtime observer of the chat function (``eco2 function run --observer chat``)."""

    def __init__(self, publisher: ProgressPublisher, chats: ChatService | None = None) -> None:
        self.publisher = publisher
        self.chats = chats
        # The embedded default's in-memory progress log has no Redis and no redelivery from
        # another process: its tokens pass as they come.
        redis = getattr(publisher, "redis", None)
        self.redis = redis if isinstance(redis, Redis) else None
        self.streamed = (
            StreamedText(publisher.keys.prefix, publisher.ttl_s) if self.redis is not None else None
        )

    async def started(self, event: CloudEvent, attempt: int, *, unless: str | None = None) -> bool:
        if event["type"] != events.REQUESTED:
            return unless is None or not await self.publisher.redis.exists(unless)
        if self.streamed is not None:
            self.streamed.run_starts(event["id"])
        step = (event["subject"], "turn", "started", 1)
        if unless is None:
            await self.publisher.emit(*step)
            return True
        return await self.publisher.emit(*step, unless=unless) != -1

    async def reported(self, event: CloudEvent, kind: str, data: dict[str, Any]) -> None:
        job_id = event["subject"]
        if kind == "token":
            if self.streamed is None:  # the embedded log: tokens pass as they come
                await self.publisher.emit(job_id, "answer", "token", 70, data, linger=True)
                return
            guard = self.streamed.follow(event["id"], job_id, str(data.get("text", "")))
            await self.publisher.emit(job_id, "answer", "token", 70, data, linger=True, guard=guard)
            return
        if kind != "phase":
            return
        phase = str(data.get("phase", "turn"))
        stage = str(data.get("node", phase)) if phase == "agent" else phase
        status = "started" if data.get("status") == "started" else "completed"
        await self.publisher.emit(job_id, stage, status, _PROGRESS.get(phase, 50), data)

    async def succeeded(self, event: CloudEvent, reply: CloudEvent | None) -> None:
        if event["type"] != events.REQUESTED or reply is None:
            return
        if self.streamed is not None:
            self.streamed.run_ends(event["id"])
        job_id = event["subject"]
        if reply["type"] == events.NEEDS_INPUT:
            asked = payload_of(reply, ChatNeedsInput)
            # Recorded before told: a client answering at once must find the chat waiting.
            if self.chats is not None:
                await self.chats.wait_for_input(asked.chat_id, job_id, asked.question)
            await self.publisher.emit(
                job_id, "needs_input", "needs_input", 50, asked.model_dump(mode="json")
            )
            return
        done = payload_of(reply, ChatCompleted)
        if (
            self.streamed is not None
            and self.redis is not None
            and await self.streamed.settle(self.redis, job_id, done.text)
        ):
            fixed = {"text": done.text, "id": done.message_id, "replace": True}
            await self.publisher.emit(job_id, "answer", "token", 70, fixed)
        if self.chats is not None:
            data = {"message_id": done.message_id, "parts": [p.model_dump() for p in done.parts]}
            await self.chats.record_answer(done.chat_id, job_id, done.text, data)
        await self.publisher.emit(job_id, "done", "completed", 100, done.model_dump(mode="json"))

    async def dead(self, event: CloudEvent, reason: str) -> None:
        if event["type"] != events.REQUESTED:
            return
        if self.streamed is not None:
            self.streamed.run_ends(event["id"])
        request = payload_of(event, ChatRequested)
        failed = ChatFailed(job_id=request.job_id, chat_id=request.chat_id, reason=reason)
        await self.publisher.emit(
            request.job_id, "failed", "failed", 0, failed.model_dump(mode="json")
        )
