"""Prometheus metrics of the event bus layer (router and SSE gateway).

Defined once at import in the default registry: the gateway serves them at ``/metrics``, a router
process with ``--metrics-port``. Names are listed in docs/sse.md.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# Gateway.
SSE_CLIENTS = Gauge("eco2_sse_clients", "SSE clients connected to this gateway.")
SSE_EVENTS_SENT = Counter("eco2_sse_events_sent_total", "Events written to SSE clients.")
SSE_REPLAYS = Counter("eco2_sse_replays_total", "Streams that began with events from the log.")
SSE_REPLAYED_EVENTS = Counter("eco2_sse_replayed_events_total", "Events served from the log.")
SSE_OVERFLOWS = Counter("eco2_sse_overflows_total", "Streams closed because a client fell behind.")
SSE_GAP_SKIPS = Counter("eco2_sse_gap_skips_total", "Missing seqs given up after gap_timeout_s.")
PUBSUB_MESSAGES = Counter("eco2_pubsub_messages_total", "Pub/Sub messages the gateway received.")
PUBSUB_RECONNECTS = Counter("eco2_pubsub_reconnects_total", "Shard subscription reconnections.")

# Router.
ROUTER_EVENTS = Counter(
    "eco2_router_events_total",
    "Stream entries handled by the router (routed / duplicate / malformed).",
    ["outcome"],
)
ROUTER_CLAIMED = Counter("eco2_router_claimed_total", "Entries claimed from a stalled router.")
ROUTER_PENDING = Gauge("eco2_router_pending", "Entries read but not acked, per shard.", ["shard"])
ROUTER_DELAY = Histogram(
    "eco2_router_delay_seconds",
    "From emit to Pub/Sub publish.",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
STAGE_LATENCY = Histogram(
    "eco2_stage_latency_seconds",
    "Time since the job's previous event (or its registration), by the stage reached.",
    ["stage"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120),
)
