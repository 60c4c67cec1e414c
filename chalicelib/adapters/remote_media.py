"""Fetching the photo an Open311 client links to (``media_url``) without letting a
client aim the server at its own network (SSRF): HTTPS only; every address the
name resolves to must be public, on the first request and on every redirect; the
connection goes to the address that was checked (a second DNS answer cannot swap
in 169.254.169.254); the certificate is checked against the name; bounded in
size and time. What comes back is only bytes: the photo pipeline decides whether
they are a picture."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

log = logging.getLogger("kawal.remote_media")
MAX_BYTES = 4 * 1024 * 1024  # an inline photo's limit
SECONDS = 4.0  # the whole fetch, redirects included: the POST waits for it
MAX_REDIRECTS = 3
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")
USER_AGENT = "Kawal/1 (Open311 media_url fetch)"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """Not fetched: why, in words for the log."""


# IPv6 prefixes that carry an IPv4 address in their last 32 bits: NAT64's well-known
# prefix (RFC 6052; Python counts it global) and the old IPv4-compatible form (::a.b.c.d)
WRAPPING_IPV4 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("::/96"))


def public(address: Address) -> bool:
    """A globally routable unicast address: not private, loopback, link-local (the
    cloud metadata service), shared (CGNAT), reserved or multicast; an IPv6 form of
    an IPv4 address (mapped, 6to4, NAT64, IPv4-compatible) is judged by the IPv4
    address inside."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and any(address in prefix for prefix in WRAPPING_IPV4):
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return public(inner)
    return address.is_global and not address.is_multicast


def _resolve(host: str, port: int, seconds: float = SECONDS) -> list[str]:
    """The name's addresses; getaddrinfo has no timeout of its own, so it runs on a
    side thread that is left behind if the resolver dawdles."""
    import concurrent.futures

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    asked = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    pool.shutdown(wait=False)
    try:
        found = asked.result(timeout=seconds)
    except concurrent.futures.TimeoutError:
        raise OSError(f"no answer for {host} within {seconds:g} s") from None
    return list(dict.fromkeys(str(info[4][0]) for info in found))


class _Pinned(http.client.HTTPSConnection):
    """HTTPS to one checked address, with the name kept for SNI, Host and the
    certificate check."""

    def __init__(self, host: str, address: str, port: int, **kwargs: Any):
        super().__init__(host, port, **kwargs)
        self._address = address
        self.pinned: socket.socket | None = None

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.pinned = raw  # the watchdog can cut the handshake too
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]
        self.pinned = self.sock  # kept: a "Connection: close" answer takes self.sock away

    def cut(self) -> None:
        """Hang up from another thread: a read blocked on the socket returns at once."""
        if self.pinned is not None:
            with contextlib.suppress(OSError):  # not connected yet, or closed already
                self.pinned.shutdown(socket.SHUT_RDWR)


class Fetcher:
    def __init__(
        self,
        *,
        resolve: Callable[[str, int], list[str]] | None = None,  # None: DNS, in the deadline
        permitted: Callable[[Address], bool] = public,
        context: ssl.SSLContext | None = None,
        seconds: float = SECONDS,
        max_bytes: int = MAX_BYTES,
    ):
        self.resolve, self.permitted = resolve, permitted
        self.context = context or ssl.create_default_context()
        self.seconds, self.max_bytes = seconds, max_bytes

    def fetch(self, url: str) -> tuple[bytes, str]:
        """(the bytes, their content type), or Refused."""
        deadline = time.monotonic() + self.seconds
        for _ in range(MAX_REDIRECTS + 1):
            answer, body = self._get(url, deadline)
            if answer.status in (301, 302, 303, 307, 308):
                location = answer.getheader("Location")
                if not location:
                    raise Refused(f"redirect without a Location from {url}")
                url = urllib.parse.urljoin(url, location)
                continue
            if answer.status != 200:
                raise Refused(f"{url} answered {answer.status}")
            kind = (answer.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if kind not in IMAGE_TYPES:
                raise Refused(f"{url} is {kind or 'untyped'}, not a photo")
            return body, kind
        raise Refused(f"more than {MAX_REDIRECTS} redirects")

    def _address(self, host: str, port: int, deadline: float) -> str:
        try:
            if self.resolve is None:
                addresses = _resolve(host, port, self._left(deadline))
            else:
                addresses = self.resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise Refused(f"{host} does not resolve: {exc}") from None
        if not addresses:
            raise Refused(f"{host} does not resolve")
        for one in addresses:  # all of them: a mixed answer is a rebinding attempt
            if not self.permitted(ipaddress.ip_address(one.split("%")[0])):
                raise Refused(f"{host} is {one}, not a public address")
        return addresses[0]

    def _get(self, url: str, deadline: float) -> tuple[http.client.HTTPResponse, bytes]:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme.lower() != "https" or not parts.hostname:
            raise Refused(f"only https links are fetched, not {url[:80]}")
        if parts.username or parts.password:
            raise Refused("links with credentials are not fetched")
        try:
            port = parts.port or 443
        except ValueError:
            raise Refused(f"bad port in {url[:80]}") from None
        address = self._address(parts.hostname, port, deadline)
        path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        connection = _Pinned(
            parts.hostname, address, port, context=self.context, timeout=self._left(deadline)
        )
        # Socket timeouts are per read: a host sending a byte before each one times out
        # would hold the fetch for ever. The watchdog hangs up at the deadline, whatever
        # is being read (handshake, status line, headers, body).
        watchdog = threading.Timer(self._left(deadline), connection.cut)
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.request(
                "GET", path, headers={"User-Agent": USER_AGENT, "Accept": ", ".join(IMAGE_TYPES)}
            )
            answer = connection.getresponse()
            if answer.status != 200:
                return answer, b""
            size = answer.getheader("Content-Length")
            if size and size.isdigit() and int(size) > self.max_bytes:
                raise Refused(f"{url} is {size} bytes, over {self.max_bytes}")
            chunks, total = [], 0
            while True:
                connection.pinned.settimeout(self._left(deadline))  # type: ignore[union-attr]
                chunk = answer.read(64 * 1024)
                if not chunk:
                    break
                total += len(chunk)
                if total > self.max_bytes:
                    raise Refused(f"{url} is over {self.max_bytes} bytes")
                chunks.append(chunk)
            self._left(deadline)  # cut off at the deadline: what was read is not whole
            return answer, b"".join(chunks)
        except (OSError, http.client.HTTPException) as exc:
            self._left(deadline)
            raise Refused(f"{url} could not be fetched: {exc}") from None
        finally:
            watchdog.cancel()
            connection.close()

    @staticmethod
    def _left(deadline: float) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Refused("took too long")
        return left


def photo_or_none(fetcher: Fetcher, url: str) -> tuple[bytes, str] | None:
    """The photo behind a link, or None (logged) when it is not to be had."""
    try:
        return fetcher.fetch(url)
    except Refused as exc:
        log.warning("media_url not fetched: %s", exc)
        return None
