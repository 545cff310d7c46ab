"""A real HTTP/1.1 server on 127.0.0.1 that misbehaves on cue, for testing HTTP clients.

Each request takes the next behaviour from a scripted queue (or the default when the queue is
empty): answer with a status and body, reset the connection (TCP RST), stall longer than the
client's read timeout, or close without answering. Every request is recorded as received — the
raw request target byte for byte, headers in order, body, arrival time and which connection
carried it — so tests can assert on what actually went over the wire.

    with FaultServer() as server:
        server.script(s3_error(503, "SlowDown", "Please reduce your request rate."), Reply(200))
        ... client talks to server.url ...
        assert len(server.requests) == 2 and server.connections == 1
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus


@dataclass(frozen=True)
class Reply:
    """Answer with ``status``, ``body`` and extra ``headers``; ``close`` ends the connection after it."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False


@dataclass(frozen=True)
class Reset:
    """Abort the connection with a TCP RST instead of answering."""


@dataclass(frozen=True)
class Stall:
    """Say nothing for ``seconds`` (longer than the client's read timeout), then close."""

    seconds: float = 5.0


@dataclass(frozen=True)
class CloseWithoutResponse:
    """Close the connection cleanly (FIN) without answering."""


@dataclass(frozen=True)
class SlowBody:
    """Send the status line and headers of ``status`` with a ``length``-byte body, then only
    ``sent`` bytes of it, then nothing for ``seconds`` (a server that hangs mid-body), then close."""

    status: int = 200
    length: int = 100
    sent: int = 10
    seconds: float = 5.0


Behaviour = Reply | Reset | Stall | CloseWithoutResponse | SlowBody


def s3_error(status: int, code: str, message: str) -> Reply:
    """An S3-style XML error answer."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>TEST</RequestId></Error>"
    ).encode()
    return Reply(status, body, {"Content-Type": "application/xml"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request exactly as the server received it."""

    method: str
    raw_path: str  # the request target as sent (latin-1 decoded bytes), query included
    headers: tuple[tuple[str, str], ...]
    body: bytes
    received_at: float  # time.monotonic() when the request was complete
    connection: int  # 1-based number of the connection that carried it

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    @property
    def path(self) -> str:
        """The request target without the query."""
        return self.raw_path.split("?", 1)[0]


class FaultServer:
    """A threaded HTTP/1.1 keep-alive server with a scripted queue of behaviours.

    ``default`` is used when the queue is empty; it may be a callable that decides from the
    recorded request (e.g. to verify a signature).
    """

    def __init__(
        self,
        default: Behaviour | Callable[[RecordedRequest], Behaviour] = Reply(200),
        *,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.default = default
        self._tls = tls  # a server-side context: speak HTTPS instead of HTTP
        self._queue: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._requests: list[RecordedRequest] = []
        self._connections = 0
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.host, self.port = self._listener.getsockname()[:2]
        self._acceptor = threading.Thread(target=self._accept_loop, name="fault-server-accept", daemon=True)

    # -- control ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://{self.host}:{self.port}"

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next requests, in order."""
        with self._lock:
            self._queue.extend(behaviours)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Requests received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def connections(self) -> int:
        """TCP connections accepted so far."""
        with self._lock:
            return self._connections

    def start(self) -> FaultServer:
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() (close alone does not)
        self._listener.close()
        with self._lock:
            open_sockets = list(self._open)
        for sock in open_sockets:
            # shutdown, not just close: it wakes the thread blocked reading from the socket
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._acceptor.join(timeout=5)
        for thread in list(self._threads):
            thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections += 1
                number = self._connections
                self._open.add(sock)
            thread = threading.Thread(target=self._serve, args=(sock, number), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket, number: int) -> None:
        if self._tls is not None:
            try:
                sock.settimeout(5)
                tls_sock = self._tls.wrap_socket(sock, server_side=True)
                tls_sock.settimeout(None)
            except (OSError, ssl.SSLError):
                _quiet_close(sock)  # e.g. the client refused our certificate
                with self._lock:
                    self._open.discard(sock)
                return
            with self._lock:
                self._open.discard(sock)
                self._open.add(tls_sock)
            sock = tls_sock
        reader = sock.makefile("rb")
        try:
            while not self._stop.is_set():
                request = _read_request(reader, number)
                if request is None:
                    return
                with self._lock:
                    self._requests.append(request)
                    behaviour = self._queue.popleft() if self._queue else None
                if behaviour is None:
                    behaviour = self.default(request) if callable(self.default) else self.default
                if not self._act(sock, request, behaviour):
                    return
        except OSError:
            return
        finally:
            reader.close()
            _quiet_close(sock)
            with self._lock:
                self._open.discard(sock)

    def _act(self, sock: socket.socket, request: RecordedRequest, behaviour: Behaviour) -> bool:
        """Carry out one behaviour; False when the connection is finished."""
        if isinstance(behaviour, Reset):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if isinstance(behaviour, Stall):
            self._stop.wait(behaviour.seconds)
            return False
        if isinstance(behaviour, CloseWithoutResponse):
            return False
        if isinstance(behaviour, SlowBody):
            head = f"HTTP/1.1 {behaviour.status} OK\r\nContent-Length: {behaviour.length}\r\n\r\n"
            sock.sendall(head.encode("latin-1") + b"x" * behaviour.sent)
            self._stop.wait(behaviour.seconds)
            return False
        try:
            reason = HTTPStatus(behaviour.status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {behaviour.status} {reason}", f"Content-Length: {len(behaviour.body)}"]
        lines += [f"{name}: {value}" for name, value in behaviour.headers.items()]
        if behaviour.close:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        sock.sendall(head if request.method == "HEAD" else head + behaviour.body)
        return not behaviour.close


def _read_request(reader, number: int) -> RecordedRequest | None:
    line = reader.readline(65537)
    if not line:
        return None
    parts = line.rstrip(b"\r\n").split(b" ")
    if len(parts) != 3:
        return None
    method, target, _version = (p.decode("latin-1") for p in parts)
    headers: list[tuple[str, str]] = []
    while True:
        raw = reader.readline(65537)
        if not raw:
            return None
        if raw in (b"\r\n", b"\n"):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    length = 0
    for name, value in headers:
        if name.lower() == "content-length":
            length = int(value)
    body = reader.read(length) if length else b""
    if len(body) < length:
        return None
    return RecordedRequest(method, target, tuple(headers), body, time.monotonic(), number)


def _quiet_close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()
