// Follows a job's progress over the SSE gateway (docs/sse.md). Each event's id is its seq
// (1, 2, 3, … per job, no holes): an event already seen is dropped, and a hole (an event
// after a missing one) reopens the stream from the last seq seen, so a step is never shown
// twice nor skipped. A dropped connection is reopened by EventSource itself with the
// Last-Event-ID header; after a terminal event the stream is closed by us (the server
// closes it too, and EventSource would otherwise reconnect for ever). The stream is
// authorised by the eco2_access cookie (EventSource cannot send headers): a refusal (401,
// the access token expired) closes it for good, so the cookie is renewed and it is reopened.
import { refresh } from "./api";

export interface Progress {
  job_id: string;
  seq: number;
  stage: string;
  status: string;
  progress: number;
  payload: any;
}

const TERMINAL = new Set(["done", "failed", "needs_input"]);

export interface Follow {
  close(): void;
  readonly lastSeq: number;
}

export function follow(
  url: string,
  onEvent: (p: Progress) => void,
  opts: { after?: number; onState?: (s: "open" | "reconnecting" | "lost") => void } = {},
): Follow {
  let last = opts.after ?? 0;
  let source: EventSource | null = null;
  let closed = false;
  let refusals = 0;

  const open = () => {
    source?.close();
    const sep = url.includes("?") ? "&" : "?";
    source = new EventSource(last > 0 ? `${url}${sep}last_event_id=${last}` : url, {
      withCredentials: true,
    });
    source.onopen = () => {
      refusals = 0;
      opts.onState?.("open");
    };
    source.onerror = () => {
      if (closed) return;
      if (source?.readyState !== EventSource.CLOSED) return opts.onState?.("reconnecting");
      // Refused outright (not a dropped connection): renew the cookie, then try again.
      if (++refusals > 3) return opts.onState?.("lost");
      opts.onState?.("reconnecting");
      refresh().then(() => !closed && setTimeout(open, 1000 * refusals));
    };
    source.onmessage = handle;
    // The gateway names each event by its stage; listen to every name the pipeline uses.
    for (const name of NAMES) source.addEventListener(name, handle as EventListener);
  };

  const handle = (e: MessageEvent) => {
    const seq = Number(e.lastEventId);
    if (!Number.isFinite(seq) || seq <= last) return; // a repeat after a reconnect
    if (seq > last + 1) {
      open(); // a hole: read again from the last seq we have
      return;
    }
    last = seq;
    const data = JSON.parse(e.data) as Progress;
    onEvent(data);
    if (TERMINAL.has(data.stage) || data.status === "failed" || data.status === "needs_input") {
      closed = true;
      source?.close();
    }
  };

  open();
  return {
    close() {
      closed = true;
      source?.close();
    },
    get lastSeq() {
      return last;
    },
  };
}

// Scan stages, chat phases and agents, terminals: every `event:` name the gateway sends.
const NAMES = [
  "queued", "vision", "rule", "answer", "reward", "done", "failed", "needs_input",
  "turn", "classify", "aggregate", "summarise",
  "waste", "character", "location", "bulk_waste", "recyclable_price", "collection_point",
  "web_search", "image_generation", "general", "weather",
];
