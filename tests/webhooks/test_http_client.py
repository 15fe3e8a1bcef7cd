"""The delivery HTTP client against real servers on 127.0.0.1 that answer the ways receivers do:
lengths, chunks, close-delimited bodies, interim answers, idle connections closed under it, TLS."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from slotwise.webhooks.http import DRAIN_LIMIT, ProtocolError, Sender

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, bytes], Awaitable[bool]]


class RawServer:
    """Reads each request (headers + Content-Length body) and lets ``handler`` answer it; the
    handler returns False to stop serving that connection."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                if not await self.handler(reader, writer, request):
                    return
        finally:
            writer.close()

    async def start(self, ssl_context: ssl.SSLContext | None = None) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=ssl_context)
        port = self.server.sockets[0].getsockname()[1]
        return f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}"


def answer(raw: bytes, *, keep: bool = True) -> Handler:
    async def handler(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _request: bytes) -> bool:
        writer.write(raw)
        await writer.drain()
        return keep

    return handler


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[tuple[RawServer, str]]]]:
    servers: list[RawServer] = []

    async def start(handler: Handler, ssl_context: ssl.SSLContext | None = None) -> tuple[RawServer, str]:
        server = RawServer(handler)
        servers.append(server)
        return server, await server.start(ssl_context)

    yield start
    for server in servers:
        assert server.server is not None
        server.server.close()


@pytest.fixture
async def sender() -> AsyncIterator[Sender]:
    client = Sender()
    yield client
    await client.aclose()


async def test_keep_alive_connections_are_reused(
    serve: Callable[..., Awaitable[tuple[RawServer, str]]], sender: Sender
) -> None:
    server, base = await serve(answer(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello"))

    answers = [
        await sender.post(base + "/hook?a=1&b=2", b'{"n":1}', {"Content-Type": "application/json"}) for _ in range(3)
    ]

    assert [(a.status, a.excerpt, a.headers["x-a"]) for a in answers] == [(200, b"hello", "1")] * 3
    assert server.connections == 1
    first = server.requests[0]
    assert first.startswith(b"POST /hook?a=1&b=2 HTTP/1.1\r\n")
    assert b"\r\nContent-Length: 7\r\n" in first and first.endswith(b'\r\n\r\n{"n":1}')
    assert f"Host: {base.removeprefix('http://')}".encode() in first


async def test_chunked_answers_with_trailers_keep_the_connection(
    serve: Callable[..., Awaitable[tuple[RawServer, str]]], sender: Sender
) -> None:
    chunked = (
        b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\nT: 1\r\n\r\n"
    )
    server, base = await serve(answer(chunked))

    first = await sender.post(base + "/", b"", {})
    second = await sender.post(base + "/", b"", {})

    assert (first.status, first.excerpt) == (202, b"Wikipedia") and second.excerpt == b"Wikipedia"
    assert server.connections == 1


async def test_http_1_0_close_delimited_and_connection_close_answers(
    serve: Callable[..., Awaitable[tuple[RawServer, str]]], sender: Sender
) -> None:
    old, old_base = await serve(answer(b"HTTP/1.0 200 OK\r\n\r\nbye", keep=False))
    closing, closing_base = await serve(
        answer(b"HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno", keep=False)
    )

    assert (await sender.post(old_base + "/", b"x", {})).excerpt == b"bye"
    assert (await sender.post(old_base + "/", b"x", {})).status == 200
    assert (await sender.post(closing_base + "/", b"x", {})).status == 500
    assert (await sender.post(closing_base + "/", b"x", {})).excerpt == b"no"
    assert old.connections == 2 and closing.connections == 2


async def test_interim_answers_are_skipped(
    serve: Callable[..., Awaitable[tuple[RawServer, str]]], sender: Sender
) -> None:
    _server, base = await serve(
        answer(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
        )
    )

    got = await sender.post(base + "/", b"x", {})

    assert (got.status, got.excerpt) == (204, b"")


async def test_an_idle_connection_the_server_closed_is_replaced_transparently(
    serve: Callable[..., Awaitable[tuple[RawServer, str]]], sender: Sender
) -> None:
    async def answer_then_hang_up(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _req: bytes) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")  # promises keep-alive ...
        await writer.drain()
        return False  # ... and closes anyway, as idle timeouts do

    server, base = await serve(answer_then_hang_up)
    await sender.post(base + "/", b"1", {})
    await asyncio.sleep(0.05)

    again = await sender.post(base + "/", b"2", {})

    assert again.status == 200 and server.connections == 2 and len(server.requests) == 2


async def test_a_huge_answer_is_cut_to_an_excerpt_without_reading_it_all(
    serve: Callable[..., Awaitable[tuple[RawServer, str]]], sender: Sender
) -> None:
    size = DRAIN_LIMIT * 4
    server, base = await serve(answer(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size + b"a" * size))

    got = await sender.post(base + "/", b"x", {})
    await sender.post(base + "/", b"x", {})

    assert got.status == 200 and got.excerpt == b"a" * 1024
    assert server.connections == 2  # not drained: that connection was dropped


@pytest.mark.parametrize(
    "raw", [b"SSH-2.0-OpenSSH_9.6\r\n", b"HTTP/1.1 2xx Fine\r\n\r\n", b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"]
)
async def test_something_that_is_not_http_is_a_protocol_error(
    serve: Callable[..., Awaitable[tuple[RawServer, str]]], sender: Sender, raw: bytes
) -> None:
    _server, base = await serve(answer(raw, keep=False))

    with pytest.raises(ProtocolError):
        await sender.post(base + "/", b"x", {})


async def test_credentials_in_the_url_become_basic_auth_and_paths_are_encoded(
    serve: Callable[..., Awaitable[tuple[RawServer, str]]], sender: Sender
) -> None:
    server, base = await serve(answer(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))

    await sender.post(base.replace("http://", "http://us%40er:p%3Ass@") + "/hooks/caf\u00e9 x", b"", {})

    request = server.requests[0]
    assert request.startswith(b"POST /hooks/caf%C3%A9%20x HTTP/1.1\r\n")
    assert b"Authorization: Basic dXNAZXI6cDpzcw==\r\n" in request  # "us@er:p:ss"
    with pytest.raises(ValueError, match="line break"):
        await sender.post(base + "/", b"", {"X-Evil": "a\r\nInjected: 1"})


async def test_https_with_a_trusted_certificate(
    serve: Callable[..., Awaitable[tuple[RawServer, str]]], tmp_path: Path
) -> None:
    server_tls, client_tls = _self_signed_tls(tmp_path)
    server, base = await serve(answer(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nsec"), server_tls)

    trusting = Sender(ssl_context=client_tls)
    try:
        got = await trusting.post(base + "/hook", b"x", {})
    finally:
        await trusting.aclose()
    distrusting = Sender(ssl_context=ssl.create_default_context())
    try:
        with pytest.raises(ssl.SSLError):
            await distrusting.post(base + "/hook", b"x", {})
    finally:
        await distrusting.aclose()

    assert (got.status, got.excerpt) == (200, b"sec") and server.requests


def _self_signed_tls(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client
