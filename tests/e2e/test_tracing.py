"""Traces end to end: ``eco2 serve`` exports to a local OTLP/HTTP endpoint (a server here that
decodes OpenTelemetry's protobuf, the collector's wire format); each scan is one trace holding
the API's submit, every stage's span (parented through the events' ``traceparent``), the
router's span of each progress step the stages emitted (the step carries its stage's span) and
the gateway's span of sending the ``done`` to the client (a child of the router's)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from domains.vision.render import random_spec, render_mark
from tests.e2e.conftest import cleanup
from tests.e2e.support import (
    follow_to_end,
    free_port,
    isolated_env,
    serve_argv,
    sign_up_and_in,
    spawn,
    submit,
)

pytestmark = pytest.mark.timeout(180)
STAGES = ("vision", "rule", "answer", "reward")
Span = tuple[str, str, str, str, str]  # trace id, span id, parent id, name, service


class Collector:
    """Spans received: (trace id, span id, parent id, name, service)."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = ExportTraceServiceRequest.FromString(body)
                with collector.lock:
                    for resource in request.resource_spans:
                        service = next(
                            (
                                a.value.string_value
                                for a in resource.resource.attributes
                                if a.key == "service.name"
                            ),
                            "",
                        )
                        for scope in resource.scope_spans:
                            for span in scope.spans:
                                collector.spans.append(
                                    (
                                        span.trace_id.hex(),
                                        span.span_id.hex(),
                                        span.parent_span_id.hex(),
                                        span.name,
                                        service,
                                    )
                                )
                reply = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def traces(self) -> dict[str, list[Span]]:
        with self.lock:
            by_trace: dict[str, list[Span]] = defaultdict(list)
            for span in self.spans:
                by_trace[span[0]].append(span)
            return dict(by_trace)


@pytest.fixture
def collector() -> Iterator[tuple[Collector, str]]:
    found = Collector()
    server = ThreadingHTTPServer(("127.0.0.1", 0), found.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def complete(spans: list[Span]) -> bool:
    names = {s[3] for s in spans}
    every_stage = all(any(n.startswith(f"{stage} ") for n in names) for stage in STAGES)
    return every_stage and {"scan submit", "route progress", "sse send done"} <= names


def test_each_scan_is_one_trace_through_every_stage(
    collector: tuple[Collector, str], tmp_path: Path
) -> None:
    found, endpoint = collector
    unique = f"o{time.time_ns() % 10**12:x}"
    env = isolated_env(unique)
    env.update(ECO2_TRACING__OTLP_ENDPOINT=endpoint, OTEL_BSP_SCHEDULE_DELAY="200")
    port = free_port()
    serve = spawn("serve", serve_argv(port), env, tmp_path)
    try:
        serve.wait_for(r"listening on http://127\.0\.0\.1:\d+", 90)
        client = sign_up_and_in(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30))
        with client:
            jobs = []
            for seed in (0, 1):
                scan = submit(client, render_mark(random_spec("무색페트", None, seed)))
                assert follow_to_end(client, scan) == "done"
                jobs.append(scan.job_id)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            whole = [t for t, spans in found.traces().items() if complete(spans)]
            if len(whole) >= 2:
                break
            time.sleep(0.3)
    finally:
        serve.stop(20)
        cleanup(unique)
    traces = found.traces()
    whole = {t: spans for t, spans in traces.items() if complete(spans)}
    assert len(whole) == 2, {t: sorted(s[3] for s in spans) for t, spans in traces.items()}
    for spans in whole.values():
        by_id = {s[1]: s for s in spans}
        roots = [s for s in spans if not s[2]]
        assert [s[3] for s in roots] == ["scan submit"]  # one root: the submit
        assert all(s[2] in by_id for s in spans if s[2]), spans  # every parent in the trace
        services = {s[4] for s in spans}
        expected = {"eco2-api", "eco2-router", *(f"eco2-{stage}" for stage in STAGES)}
        assert expected <= services, services
        # Every stage's steps were routed inside its trace: a router span under each stage.
        routed_under = {by_id[s[2]][4] for s in spans if s[3] == "route progress"}
        assert {f"eco2-{stage}" for stage in STAGES} <= routed_under, routed_under
        # The client was sent the end once, by the API's gateway, under the router's span of
        # the reward stage's ``done`` step.
        [send] = [s for s in spans if s[3] == "sse send done"]
        router_span = by_id[send[2]]
        assert (send[4], router_span[3], router_span[4]) == (
            "eco2-api",
            "route progress",
            "eco2-router",
        )
        assert by_id[router_span[2]][4] == "eco2-reward", by_id[router_span[2]]
