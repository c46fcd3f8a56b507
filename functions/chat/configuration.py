"""The chat graph's fixed configuration: its nodes, their failure policies and fallbacks.

Policies (what a sub-agent's failure does; a failing node never stops the graph):

- ``FAIL_OPEN``: the sub-question gets the node's degraded answer (what it could say without
  its dependency, e.g. "the weather service is unavailable") and the turn goes on;
- ``FAIL_CLOSE``: the sub-question is reported unanswered with the reason; nothing the node
  half-computed is shown (used where a wrong answer is worse than none: the user's own data);
- ``FALLBACK``: the next node of the chain answers instead, rag (waste) → web_search →
  general; a weak retrieval (below ``RAG_THRESHOLD``) falls back too.
"""

from __future__ import annotations

import enum

from domains.chat.intents import INTENTS


class Policy(enum.StrEnum):
    FAIL_OPEN = "fail_open"
    FAIL_CLOSE = "fail_close"
    FALLBACK = "fallback"


# One sub-agent node per intent, plus vision for a photo sent in chat (it runs first).
AGENT_NODES: tuple[str, ...] = INTENTS
VISION = "vision"
CLASSIFY = "classify"
AGGREGATE = "aggregate"
SUMMARISE = "summarise"

POLICIES: dict[str, Policy] = {
    "waste": Policy.FALLBACK,
    "web_search": Policy.FALLBACK,
    "character": Policy.FAIL_CLOSE,
    "location": Policy.FAIL_OPEN,
    "collection_point": Policy.FAIL_OPEN,
    "bulk_waste": Policy.FAIL_OPEN,
    "recyclable_price": Policy.FAIL_OPEN,
    "weather": Policy.FAIL_OPEN,
    "image_generation": Policy.FAIL_CLOSE,
    "general": Policy.FAIL_OPEN,
    VISION: Policy.FAIL_OPEN,
}
FALLBACK_CHAIN: dict[str, str] = {"waste": "web_search", "web_search": "general"}

# The rule classifier's confidence (domains.knowledge, 0..1) under which a disposal question is
# not answered from the rules but handed down the fallback chain. The classifier itself names
# no category below 0.35; between 0.35 and 0.5 it has guessed from words it only half knows
# (measured on the knowledge base's item set: docs/knowledge.md), which is not enough to tell
# someone how to dispose of something.
RAG_THRESHOLD = 0.5

# History kept verbatim before the summariser folds the older turns into a summary, counted in
# the LLM port's token estimate (words and punctuation).
HISTORY_TOKEN_BUDGET = 400
HISTORY_KEEP_MESSAGES = 4
