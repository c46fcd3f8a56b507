"""The chat graph: split and classify, one sub-agent per sub-question in parallel, one answer.

    [vision] → classify ─Send per sub-question─▶ waste | character | …
                        (in parallel) ─▶ aggregate (defer) → [summarise]

- ``classify`` splits the message (Kiwi) and classifies every piece; each piece becomes its own
  ``Send`` (its text, index and intent), so none is dropped and two of one intent stay two.
- A sub-agent runs under its node's policy (``configuration.POLICIES``): a failure gives a
  degraded answer, an unanswered part with its reason, or the next node of the fallback chain;
  the graph always reaches the aggregator. ``GraphInterrupt`` (a question to the user) passes.
- ``aggregate`` is deferred: it runs once, after every branch, and writes one paragraph per
  sub-question in the order asked; its tokens are the only ones streamed (``model``).
- Per-turn fields are reset with ``Overwrite`` by the turn's first node (``vision`` with a
  photo, else ``classify``), which also reads the user's latest scan; ``history`` carries over
  in the checkpoint and is folded into ``summary`` by ``summarise`` past the token budget.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.config import get_stream_writer
from langgraph.errors import GraphInterrupt
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Overwrite, Send
from pydantic import BaseModel, Field

from domains.chat.classifier import Previous, analyse_async, default_model
from domains.chat.intents import INTENTS, Intent
from domains.image import ImageStore
from domains.llm import LLMClient, LLMRequest, provider_for, register_local_schema
from domains.llm.providers.local import count_tokens
from functions.chat import prompts
from functions.chat.agents import AGENTS
from functions.chat.configuration import (
    AGENT_NODES,
    AGGREGATE,
    CLASSIFY,
    FALLBACK_CHAIN,
    HISTORY_KEEP_MESSAGES,
    HISTORY_TOKEN_BUDGET,
    POLICIES,
    SUMMARISE,
    VISION,
    Policy,
)
from functions.chat.model import PortChatModel
from functions.chat.parts import Tools, Weak, part
from functions.chat.state import ChatState, Part, Question, Task


class LatestScans(Protocol):
    """The user's latest finished scan ("이거"): its item and category, or None."""

    async def latest(self, user_id: str) -> dict[str, Any] | None: ...


class NoScans:
    async def latest(self, user_id: str) -> dict[str, Any] | None:
        return None


class IntentScore(BaseModel):
    intent: Intent
    probability: float = Field(description="0..1")


class IntentScores(BaseModel):
    """A model's probability for each intent of one sub-question (structured output).

    A list of (intent, probability), not a mapping: OpenAI's strict structured outputs and
    Gemini's response schema both refuse an object with free keys (``additionalProperties``).
    """

    scores: list[IntentScore] = Field(description="One entry per intent.")

    def as_dict(self) -> dict[str, float]:
        return {s.intent: min(max(s.probability, 0.0), 1.0) for s in self.scores}


def _local_scores(request: LLMRequest) -> IntentScores:
    # Offline, the structured classification is the packaged classifier's.
    found = default_model().probabilities(request.context.get("text", ""))
    return IntentScores(
        scores=[IntentScore(intent=i, probability=p) for i, p in found.items() if i in INTENTS]
    )


register_local_schema(IntentScores, _local_scores)


@dataclass
class GraphDeps:
    """What the graph's nodes call."""

    llm: LLMClient
    tools: Tools
    images: ImageStore | None = None
    scans: LatestScans | None = None


FAIL_OPEN_TEXT = "지금은 이 질문에 필요한 정보를 가져올 수 없어요"


async def run_agent(name: str, task: Task, tools: Tools) -> Part:
    """Run ``name`` under its policy, walking the fallback chain; never raises but interrupts."""
    current, path, reasons = name, [name], []
    while True:
        try:
            result = await AGENTS[current](task, tools)
        except GraphInterrupt:
            raise
        except asyncio.CancelledError:
            raise
        except Weak as exc:
            reasons.append(str(exc))
        except Exception as exc:  # the policy decides; one node's failure never stops the graph
            reasons.append(f"{current}: {exc}")
        else:
            if len(path) > 1:
                result["data"] = {**result["data"], "fallback": path}
                if not result["answered"] and reasons:
                    result["reason"] = "; ".join([*reasons, result["reason"] or ""]).strip("; ")
            return result
        policy = POLICIES.get(current, Policy.FAIL_OPEN)
        if policy is Policy.FALLBACK and current in FALLBACK_CHAIN:
            current = FALLBACK_CHAIN[current]
            path.append(current)
            continue
        reason = "; ".join(reasons)
        if policy is Policy.FAIL_CLOSE:
            return part(
                task, current, "", answered=False, reason=reason, data={"policy": str(policy)}
            )
        return part(
            task,
            current,
            f"{FAIL_OPEN_TEXT}({reason}).",
            answered=False,
            reason=reason,
            data={"policy": str(policy)},
        )


def _paragraph(item: Part) -> str:
    if item["answered"]:
        return item["text"]
    lead = f"'{item['question']}'에는 제대로 답하지 못했어요"
    why = f"(이유: {item['reason']})" if item["reason"] else ""
    extra = f" {item['text']}" if item["text"] and FAIL_OPEN_TEXT not in item["text"] else ""
    return f"{lead}{why}.{extra}"


def draft_of(questions: list[Question], answers: list[Part]) -> str:
    """One paragraph per sub-question, in the order asked; a missing part is said so."""
    by_index = {a["index"]: a for a in answers}
    paragraphs = []
    for question in questions:
        got = by_index.get(question["index"])
        if got is None:
            paragraphs.append(f"'{question['text']}'에 대한 답을 만들지 못했어요.")
        else:
            paragraphs.append(_paragraph(got))
    return "\n\n".join(paragraphs)


def build_graph(
    deps: GraphDeps, checkpointer: BaseCheckpointSaver[Any] | None = None
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """A freshly compiled chat graph on ``deps``, checkpointed by ``checkpointer``."""
    scans = deps.scans or NoScans()

    async def new_turn(state: ChatState) -> dict[str, Any]:
        """The first node's writes: per-turn fields reset, and the user's latest scan. Done by
        the first node rather than a node of its own: a step of LangGraph costs a turn more
        CPU than the reset itself (bench/RESULTS.md, "Chat")."""
        latest = await scans.latest(state.get("user_id", "anonymous"))
        return {
            "answers": Overwrite([]),
            "questions": [],
            "answer": "",
            "message_id": "",
            "scan": latest,
        }

    async def vision(state: ChatState) -> dict[str, Any]:
        writer = get_stream_writer()
        writer({"phase": "vision", "status": "started"})
        fresh = await new_turn(state)
        ref = state.get("image_ref")
        scan = fresh["scan"]
        try:
            if deps.images is None or not ref:
                raise LookupError("no image store")
            data = await deps.images.get(ref)
            from domains.vision.recognise import recognise

            seen = await asyncio.to_thread(recognise, data, None)
            if seen.item:
                scan = {"item": seen.item, "source": "photo", "category_hint": seen.category_hint}
            status = "completed" if seen.item else "unrecognised"
        except Exception as exc:  # FAIL_OPEN: the turn goes on with the last scan, if any
            status = f"failed: {type(exc).__name__}"
        writer({"phase": "vision", "status": status})
        return {**fresh, "scan": scan}

    async def classify(state: ChatState) -> dict[str, Any]:
        writer = get_stream_writer()
        writer({"phase": "classify", "status": "started"})
        # With a photo, vision ran first and began the turn.
        fresh = {} if state.get("image_ref") else await new_turn(state)
        previous = None
        for entry in reversed(state.get("history") or []):
            if entry.get("role") == "user":
                previous = Previous(text=entry["text"], intents=entry.get("intents") or [])
                break
        model = state.get("model")
        cloud = model is not None and provider_for(model) not in ("local", "sim")

        async def score(text: str) -> dict[str, float]:
            if not cloud:
                return default_model().probabilities(text)
            request = LLMRequest(
                system=prompts.CLASSIFY_SYSTEM, prompt=text, model=model, context={"text": text}
            )
            got = await deps.llm.structured(request, IntentScores)
            return got.as_dict()

        message = state.get("message") or ("이거 어떻게 버려?" if state.get("image_ref") else "")
        analysis = await analyse_async(message, previous, score)
        questions = [
            Question(
                index=q.index,
                text=q.text,
                intent=q.intent,
                confidence=q.confidence,
                clarify=list(q.decision.clarify),
            )
            for q in analysis.questions
        ]
        writer({"phase": "classify", "status": "completed", "intents": analysis.intents})
        return {**fresh, "questions": questions}

    # The edge functions are ``async``: LangGraph runs a plain function in a thread pool, a
    # hand-off that cost a turn about 4 ms of contended CPU per edge (bench/RESULTS.md, "Chat").
    async def route(state: ChatState) -> list[Send]:
        return [
            Send(
                question["intent"],
                Task(
                    question=question,
                    user_id=state.get("user_id", "anonymous"),
                    chat_id=state.get("chat_id", ""),
                    scan=state.get("scan"),
                    location=state.get("location"),
                    model=state.get("model"),
                    summary=state.get("summary", ""),
                ),
            )
            for question in state.get("questions") or []
        ]

    def agent_node(name: str) -> Callable[[Task], Awaitable[dict[str, Any]]]:
        async def node(task: Task) -> dict[str, Any]:
            writer = get_stream_writer()
            index = task["question"]["index"]
            writer({"phase": "agent", "node": name, "index": index, "status": "started"})
            result = await run_agent(name, task, deps.tools)
            writer(
                {
                    "phase": "agent",
                    "node": name,
                    "index": index,
                    "status": "completed",
                    "answered": result["answered"],
                }
            )
            return {"answers": [result]}

        node.__name__ = name
        return node

    async def aggregate(state: ChatState, config: RunnableConfig) -> dict[str, Any]:
        writer = get_stream_writer()
        writer({"phase": "answer", "status": "started"})
        questions = state.get("questions") or []
        draft = draft_of(questions, state.get("answers") or [])
        model = PortChatModel(llm=deps.llm, model_name=state.get("model"))
        messages = [
            SystemMessage(prompts.AGGREGATE_SYSTEM),
            HumanMessage(
                prompts.aggregate_prompt(state.get("message", ""), draft, state.get("summary", ""))
            ),
        ]
        # The answer's id (LangChain's "lc_run-" + the call's run id) depends only on the chat,
        # the job and the turn's place in the history, so a turn re-run after a crash streams
        # under the id its first run used.
        turn_no = len(state.get("history") or [])
        key = f"{state.get('chat_id', '')}:{state.get('job_id', '')}:{turn_no}"
        call: RunnableConfig = {**config, "run_id": uuid.uuid5(uuid.NAMESPACE_URL, key)}
        reply = await model.ainvoke(messages, call, draft=draft)
        text = str(reply.content)
        user = {
            "role": "user",
            "text": state.get("message", ""),
            "intents": [q["intent"] for q in questions],
        }
        assistant = {"role": "assistant", "text": text, "id": reply.id}
        return {"answer": text, "message_id": reply.id or "", "history": [user, assistant]}

    async def summarise(state: ChatState) -> dict[str, Any]:
        history = state.get("history") or []
        old, kept = history[:-HISTORY_KEEP_MESSAGES], history[-HISTORY_KEEP_MESSAGES:]
        asked = [
            f"{e['text']}({', '.join(e.get('intents') or [])})" for e in old if e["role"] == "user"
        ]
        summary = state.get("summary", "")
        model = state.get("model")
        if model is not None and provider_for(model) not in ("local", "sim"):
            transcript = "\n".join(f"{e['role']}: {e['text']}" for e in old)
            done = await deps.llm.generate(
                LLMRequest(
                    system=prompts.SUMMARY_SYSTEM, prompt=f"{summary}\n{transcript}", model=model
                )
            )
            summary = done.text
        else:
            # Offline: what was asked, with its intents (the next turns' chain bonus reads
            # intents, and a person reading it sees the thread of the conversation).
            summary = " ".join(filter(None, [summary, "이전에 물은 것: " + "; ".join(asked)]))
        return {"summary": summary, "history": Overwrite(kept)}

    async def over_budget(state: ChatState) -> str:
        history = state.get("history") or []
        tokens = sum(count_tokens(e.get("text", "")) for e in history)
        fits = tokens <= HISTORY_TOKEN_BUDGET or len(history) <= HISTORY_KEEP_MESSAGES
        return END if fits else SUMMARISE

    builder = StateGraph(ChatState)
    builder.add_node(VISION, vision)
    builder.add_node(CLASSIFY, classify)
    for name in AGENT_NODES:
        builder.add_node(name, agent_node(name))  # type: ignore[arg-type]  # a Send payload (Task), not the state
    builder.add_node(AGGREGATE, aggregate, defer=True)
    builder.add_node(SUMMARISE, summarise)

    async def photo_first(state: ChatState) -> str:
        return VISION if state.get("image_ref") else CLASSIFY

    builder.add_conditional_edges(START, photo_first, [VISION, CLASSIFY])
    builder.add_edge(VISION, CLASSIFY)
    builder.add_conditional_edges(CLASSIFY, route, list(AGENT_NODES))
    for name in AGENT_NODES:
        builder.add_edge(name, AGGREGATE)
    builder.add_conditional_edges(AGGREGATE, over_budget, [SUMMARISE, END])
    builder.add_edge(SUMMARISE, END)
    return builder.compile(checkpointer=checkpointer)
