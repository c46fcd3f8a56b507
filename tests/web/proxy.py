"""A TCP proxy between the browser and the API that a test can cut: ``drop()`` closes every
connection open through it (the browser sees its SSE stream die mid-scan, as on a train
entering a tunnel) and ``requests`` records each request's first line and Last-Event-ID."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from dataclasses import dataclass, field

LAST_ID = re.compile(rb"(?im)^last-event-id:\s*(\d+)\s*$")


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
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
