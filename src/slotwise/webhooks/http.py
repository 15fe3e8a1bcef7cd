"""A small HTTP/1.1 client for webhook POSTs: keep-alive pools per origin, no redirects, no proxies.

Why not httpx: delivery is the hot path, and httpx spends about a millisecond of CPU per request
(its pool scans every connection on each request), which capped a worker at ~1,000 requests/s on
loopback. This client does the one thing deliveries need (POST a body, read the status and up to
``EXCERPT_BYTES`` of the answer) on asyncio streams, at several thousand requests/s.

What it handles: http and https (TLS with SNI; the caller passes the context), IPv6 and IDNA hosts,
``user:password@`` in the URL (basic auth), responses with ``Content-Length``, chunked or
close-delimited bodies, ``1xx`` interim responses, ``Connection: close``, HTTP/1.0 servers, and a
keep-alive connection the server closed while it sat idle (the request is sent again once on a new
connection, as browsers do). Timeouts are the caller's (``asyncio.timeout``); a connection in use
when one fires is closed, never reused.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

EXCERPT_BYTES = 1024
DRAIN_LIMIT = 64 * 1024  # read (and discard) at most this much of a body to keep the connection
HEADER_LIMIT = 64 * 1024
MAX_IDLE_SECONDS = 15.0  # servers close idle keep-alive connections after 5 s to a few minutes
MAX_IDLE_PER_ORIGIN = 64


class ProtocolError(Exception):
    """The peer's answer is not HTTP/1.x."""


class StaleConnection(Exception):
    """A reused keep-alive connection was closed by the server before it answered."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    excerpt: bytes  # at most EXCERPT_BYTES of the body


@dataclass(frozen=True)
class _Origin:
    scheme: str
    host: str
    port: int


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = 0.0

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


@dataclass(frozen=True)
class _Target:
    origin: _Origin
    head: bytes  # request line and the headers that depend on the URL


def _target(url: str) -> _Target:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url[:100]}")
    host = parts.hostname.encode("idna").decode() if not parts.hostname.isascii() else parts.hostname
    default = 443 if scheme == "https" else 80
    port = parts.port or default
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == default else f"{shown}:{port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    lines = [f"POST {path} HTTP/1.1", f"Host: {host_header}"]
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        lines.append("Authorization: Basic " + base64.b64encode(credentials).decode())
    return _Target(_Origin(scheme, host, port), ("\r\n".join(lines) + "\r\n").encode("ascii"))


class Sender:
    """POSTs bodies and reads answers, reusing connections per origin. One per event loop."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        make_ssl_context: Callable[[], ssl.SSLContext] = ssl.create_default_context,
    ) -> None:
        """``ssl_context``, or one made by ``make_ssl_context`` on the first https request (loading the
        trust store takes a tenth of a second: not at start-up, and not at all without https)."""
        self._ssl_context = ssl_context
        self._make_ssl_context = make_ssl_context
        self._idle: dict[_Origin, list[_Connection]] = {}
        self._targets: dict[str, _Target] = {}

    def _tls(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = self._make_ssl_context()
        return self._ssl_context

    async def post(self, url: str, content: bytes, headers: Mapping[str, str]) -> Answer:
        target = self._targets.get(url)
        if target is None:
            target = _target(url)
            if len(self._targets) < 10_000:
                self._targets[url] = target
        request = bytearray(target.head)
        for name, value in headers.items():
            if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
                raise ValueError(f"header {name!r} contains a line break")
            request += f"{name}: {value}\r\n".encode("latin-1")
        request += f"Content-Length: {len(content)}\r\n\r\n".encode()
        request += content
        connection = self._reuse(target.origin)
        if connection is not None:
            try:
                return await self._exchange(target.origin, connection, request, reused=True)
            except StaleConnection:
                pass  # closed by the server while idle: send it again on a new connection
        connection = await self._connect(target.origin)
        try:
            return await self._exchange(target.origin, connection, request, reused=False)
        except StaleConnection:
            raise ProtocolError("the server closed the connection without answering") from None

    def _reuse(self, origin: _Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if now - connection.idle_since < MAX_IDLE_SECONDS and not connection.reader.at_eof():
                return connection
            connection.close()
        return None

    async def _connect(self, origin: _Origin) -> _Connection:
        if origin.scheme == "https":
            reader, writer = await asyncio.open_connection(
                origin.host, origin.port, ssl=self._tls(), server_hostname=origin.host, limit=HEADER_LIMIT
            )
        else:
            reader, writer = await asyncio.open_connection(origin.host, origin.port, limit=HEADER_LIMIT)
        return _Connection(reader, writer)

    async def _exchange(
        self, origin: _Origin, connection: _Connection, request: bytes | bytearray, *, reused: bool
    ) -> Answer:
        keep = False
        try:
            connection.writer.write(request)
            await connection.writer.drain()
            answer, keep = await _read_answer(connection.reader, reused=reused)
            return answer
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            if reused and isinstance(exc, (ConnectionResetError, BrokenPipeError)):
                raise StaleConnection from None
            raise
        finally:
            if keep:
                connection.idle_since = time.monotonic()
                pool = self._idle.setdefault(origin, [])
                if len(pool) < MAX_IDLE_PER_ORIGIN:
                    pool.append(connection)
                else:
                    connection.close()
            else:
                connection.close()

    async def aclose(self) -> None:
        for pool in self._idle.values():
            for connection in pool:
                connection.close()
        self._idle.clear()


async def _read_answer(reader: asyncio.StreamReader, *, reused: bool) -> tuple[Answer, bool]:
    """The final response (1xx skipped) and whether the connection can carry another request."""
    first = True
    while True:
        try:
            line = await reader.readuntil(b"\r\n")
        except asyncio.IncompleteReadError as exc:
            if first and reused and not exc.partial:
                raise StaleConnection from None
            raise ProtocolError("the connection closed before a complete status line") from None
        except asyncio.LimitOverrunError:
            raise ProtocolError("the status line is too long") from None
        first = False
        version, status = _status_line(line)
        headers = await _headers(reader)
        if 100 <= status < 200 and status != 101:
            continue  # interim answer (100 Continue, 103 Early Hints): the real one follows
        break
    persistent = version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
    if status in (204, 304) or 100 <= status < 200:
        return Answer(status, headers, b""), persistent
    body, complete = await _body(reader, headers)
    return Answer(status, headers, body), persistent and complete


def _status_line(line: bytes) -> tuple[str, int]:
    parts = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit() or len(parts[1]) != 3:
        raise ProtocolError(f"not an HTTP/1.x status line: {line[:60]!r}")
    return parts[0], int(parts[1])


async def _headers(reader: asyncio.StreamReader) -> dict[str, str]:
    headers: dict[str, str] = {}
    total = 0
    while True:
        try:
            line = await reader.readuntil(b"\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            raise ProtocolError("the response headers are incomplete or too long") from None
        total += len(line)
        if total > HEADER_LIMIT:
            raise ProtocolError("the response headers are too long")
        if line == b"\r\n":
            return headers
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep:
            raise ProtocolError(f"malformed response header: {line[:60]!r}")
        headers[name.strip().lower()] = value.strip()


async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> tuple[bytes, bool]:
    """Up to EXCERPT_BYTES of the body, and whether it was read to its end (connection reusable)."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _chunked(reader)
    length = headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise ProtocolError(f"invalid Content-Length: {length[:20]!r}")
        size = int(length)
        if size > DRAIN_LIMIT:
            return await reader.read(EXCERPT_BYTES), False
        try:
            data = await reader.readexactly(size)
        except asyncio.IncompleteReadError:
            raise ProtocolError("the connection closed before the end of the body") from None
        return data[:EXCERPT_BYTES], True
    # no length: the body ends when the server closes the connection
    data = await reader.read(EXCERPT_BYTES)
    return data, False


async def _chunked(reader: asyncio.StreamReader) -> tuple[bytes, bool]:
    kept = bytearray()
    total = 0
    try:
        while True:
            size_line = await reader.readuntil(b"\r\n")
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ProtocolError(f"invalid chunk size: {size_line[:20]!r}") from None
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                    pass
                return bytes(kept), True
            total += size
            if total > DRAIN_LIMIT:
                return bytes(kept), False
            chunk = await reader.readexactly(size + 2)
            if len(kept) < EXCERPT_BYTES:
                kept += chunk[: min(size, EXCERPT_BYTES - len(kept))]
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        raise ProtocolError("the chunked body is incomplete") from None
