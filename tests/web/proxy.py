"""A TCP proxy between the browser and the API that a test can cut: ``drop()`` closes every
connection open through it (the browser sees its SSE stream die mid-scan, as on a train
entering a tunnel), ``drop_after_first_event()`` does so right after the first event of the
next event stream has passed (the rest of what the server had sent is lost with the
connection), and ``requests`` records each request's first line and Last-Event-ID."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from dataclasses import dataclass, field

LAST_ID = re.compile(rb"(?im)^last-event-id:\s*(\d+)\s*$")
# The first SSE event carrying data (sse-starlette separates lines with CRLF), and the HTTP
# chunk-size line before it (the stream is sent chunked; a chunk may hold several events).
FIRST_EVENT = re.compile(rb"data:.*?(\r\n\r\n|\n\n)", re.S)
CHUNK_SIZE = re.compile(rb"(?m)^[0-9a-fA-F]+\r\n(?=id:|event:|data:)")


def first_event(data: bytes) -> bytes | None:
    """``data`` up to the end of its first event, re-framed as an HTTP chunk of its own (a
    browser hands an event on only once the chunk holding it is whole); None without one."""
    size = CHUNK_SIZE.search(data)
    event = FIRST_EVENT.search(data, size.end() if size else 0)
    if event is None:
        return None
    if size is None:
        return data[: event.end()]
    body = data[size.end() : event.end()]
    return data[: size.start()] + f"{len(body):x}\r\n".encode() + body + b"\r\n"


@dataclass
class Seen:
    line: str
    last_event_id: int | None
    after_drop: int  # how many drops had happened when the request came


@dataclass
class Proxy:
    upstream: tuple[str, int]
    requests: list[Seen] = field(default_factory=list)
    drops: int = 0
    _open: set[socket.socket] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _armed: bool = False
    _streams: set[socket.socket] = field(default_factory=set)  # clients that asked for /events

    def start(self) -> int:
        self._server = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()
        return int(self._server.getsockname()[1])

    def close(self) -> None:
        self._server.close()
        self.drop()

    def drop(self) -> None:
        with self._lock:
            self.drops += 1
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def drop_after_first_event(self) -> None:
        """Cut every connection once the next event stream has delivered its first event: the
        scan is then surely running (its first step seen) and surely not finished."""
        self._armed = True

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self._lock:
                self._open |= {client, server}
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, outbound: bool) -> None:
        try:
            while data := source.recv(65536):
                if outbound and data[:4] in (b"GET ", b"POST", b"PUT ", b"DELE", b"PATC"):
                    found = LAST_ID.search(data)
                    line = data.split(b"\r\n", 1)[0].decode(errors="replace")
                    last = int(found[1]) if found else None
                    self.requests.append(Seen(line, last, self.drops))
                    if "/events" in line:
                        self._streams.add(source)
                if not outbound and self._armed and sink in self._streams:
                    first = first_event(data)
                    if first is not None:
                        self._armed = False
                        sink.sendall(first)
                        # Let the browser read the event before the cut: a connection closed
                        # at once may take bytes the browser had not read yet with it. Nothing
                        # more of the stream passes meanwhile (this thread is its only pump).
                        time.sleep(0.5)
                        self.drop()
                        return
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
