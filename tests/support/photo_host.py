"""A photo host on loopback that speaks HTTPS with its own certificate, for the
media_url fetcher: what it serves, redirects and how slowly, set per path; and
what is POSTed to it (an outside body's webhook)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from chalicelib.adapters.remote_media import Fetcher, public

NAME = "foto.warga.example"


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "host.pem", folder / "host.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "image/jpeg"
    status: int = 200
    location: str | None = None
    chunked: bool = False  # no Content-Length: the size is learnt by reading
    delay: float = 0.0  # between chunks
    drip: float = 0.0  # seconds between single bytes (a host that holds the fetcher)
    drip_from: str = "start"  # "start": the status line on; "body": headers at once


@dataclass
class PhotoHost:
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    posts: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)  # webhooks
    names: dict[str, list[str]] = field(default_factory=dict)
    context: ssl.SSLContext | None = None

    def url(self, path: str, name: str = NAME) -> str:
        return f"https://{name}:{self.port}{path}"

    def fetcher(self, **kwargs) -> Fetcher:
        """A fetcher that resolves through ``names`` and trusts this host's
        certificate; loopback is let through for this host alone (the fetcher's
        own rule, ``public``, judges every other address)."""

        def resolve(host: str, _port: int) -> list[str]:
            if host not in self.names:
                raise OSError(f"unknown host {host}")
            return self.names[host]

        def permitted(address) -> bool:
            return public(address) or address == ipaddress.ip_address("127.0.0.1")

        return Fetcher(resolve=resolve, permitted=permitted, context=self.context, **kwargs)


@contextmanager
def photo_host(folder: Path) -> Iterator[PhotoHost]:
    cert, key = _certificate(folder)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    host = PhotoHost(port=0, names={NAME: ["127.0.0.1"]})

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            host.hits.append(self.path)
            route = host.routes.get(self.path, Route(status=404))
            if route.drip:
                return self._drip(route)
            self.send_response(route.status)
            if route.location:
                self.send_header("Location", route.location)
            self.send_header("Content-Type", route.content_type)
            if route.chunked:
                self.send_header("Connection", "close")
            else:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            for start in range(0, len(route.body), 65536):
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self.wfile.write(route.body[start : start + 65536])
                except OSError:
                    return
            self.close_connection = True

        def _drip(self, route: Route) -> None:
            head = (
                f"HTTP/1.1 {route.status} OK\r\nContent-Type: {route.content_type}\r\n"
                f"Content-Length: {len(route.body)}\r\nConnection: close\r\n\r\n"
            ).encode()
            whole = head + route.body
            at_once = len(head) if route.drip_from == "body" else 0
            try:
                self.wfile.write(whole[:at_once])
                for i in range(at_once, len(whole)):
                    self.wfile.write(whole[i : i + 1])
                    self.wfile.flush()
                    time.sleep(route.drip)
            except OSError:  # the fetcher hung up: as it should
                pass
            self.close_connection = True

        def do_POST(self):  # a webhook receiver: what came, answered as routed (else 200)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            host.posts.append((self.path, dict(self.headers), body))
            route = host.routes.get(self.path, Route(status=200))
            self.send_response(route.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    host.port = server.server_address[1]
    client_context = ssl.create_default_context(cafile=str(cert))
    host.context = client_context
    with serving(server):
        yield host


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[None]:
    """A loopback server answering on its own thread until the block ends."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
