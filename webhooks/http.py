"""The outbound request: where we may send it (no private or internal addresses), how it is signed, and what the
receiver answered. No database here.

The signature: `X-PRM-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>` with the timestamp in
`X-PRM-Timestamp` (Unix seconds), so a receiver checks both and refuses old timestamps (replays).
"""

import hashlib
import hmac
import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection

TIMEOUT_SECONDS = 10
EXCERPT_CHARS = 1000
USER_AGENT = "prm-webhooks/1"


class UnsafeURL(Exception):
    """A URL we refuse to send to, with a message a person can act on."""


def private_urls_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_URLS", False))


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def resolve_checked(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, refusing the lot if any is private, loopback, link-local or reserved
    (unless WEBHOOKS_ALLOW_PRIVATE_URLS is on)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeURL(f"The host “{host}” could not be found (DNS).") from None
    addresses = list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))
    if not private_urls_allowed():
        for text in addresses:
            address = ipaddress.ip_address(text)
            if _refused(address):
                raise UnsafeURL(
                    f"“{host}” points to {address}, a private, loopback or reserved address: webhooks only go to "
                    "public addresses on the internet."
                )
    return addresses


def check_url(url: str) -> None:
    """Refuse a URL that is not http(s), or whose host resolves to any private, loopback, link-local or reserved
    address (every address the name resolves to is checked), unless WEBHOOKS_ALLOW_PRIVATE_URLS is on."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("Use an http:// or https:// address with a host name.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL("The port in this address is not a number between 1 and 65535.") from None
    if private_urls_allowed():
        return
    resolve_checked(parts.hostname, port)


# The connection itself resolves the host once more, checks every address and connects to one it checked: a name
# that resolved to a public address for `check_url` and to an internal one a moment later (DNS rebinding) is
# refused, not followed. The TLS handshake still uses the host name (SNI and certificate checks).


class _PinnedConnectionMixin:
    def _new_conn(self) -> socket.socket:
        last: OSError | None = None
        for address in resolve_checked(self._dns_host, self.port):  # type: ignore[attr-defined]
            try:
                return create_connection(
                    (address, self.port),  # type: ignore[attr-defined]
                    self.timeout,  # type: ignore[attr-defined]
                    source_address=self.source_address,  # type: ignore[attr-defined]
                    socket_options=self.socket_options,  # type: ignore[attr-defined]
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"Connection to {address} timed out.") from exc
            except OSError as exc:
                last = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}")


class _PinnedHTTPConnection(_PinnedConnectionMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class _PinnedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PinnedHTTPPool, "https": _PinnedHTTPSPool}


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: we connect to the address we checked
    session.mount("http://", _PinnedAdapter())
    session.mount("https://", _PinnedAdapter())
    return session


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    response_code: int | None
    latency_ms: int | None
    excerpt: str
    error: str


def post(*, url: str, secret: str, body: bytes, event_type: str, event_id: str, now: float | None = None) -> Outcome:
    """POST the body, signed. A 2xx answer is a success; anything else (other codes, a redirect, a timeout, a
    refused address) is a failure with its reason. Redirects are not followed (they could lead inside)."""
    try:
        check_url(url)
    except UnsafeURL as exc:
        return Outcome(False, None, None, "", f"Refused: {exc}")
    timestamp = int(now if now is not None else time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-PRM-Event": event_type,
        "X-PRM-Delivery": event_id,
        "X-PRM-Timestamp": str(timestamp),
        "X-PRM-Signature": sign(secret=secret, timestamp=timestamp, body=body),
    }
    started = time.monotonic()
    try:
        with (
            _session() as session,
            session.post(
                url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False, stream=True
            ) as response,
        ):
            # Read at most a little more than the excerpt: a receiver cannot make us download a large body.
            raw = response.raw.read(EXCERPT_CHARS * 4, decode_content=True) or b""
            latency = int((time.monotonic() - started) * 1000)
            excerpt = raw.decode(response.encoding or "utf-8", errors="replace")[:EXCERPT_CHARS]
            code = response.status_code
    except UnsafeURL as exc:  # the name resolved elsewhere when we connected
        return Outcome(False, None, None, "", f"Refused: {exc}")
    except requests.Timeout:
        latency = int((time.monotonic() - started) * 1000)
        return Outcome(False, None, latency, "", f"No answer within {TIMEOUT_SECONDS} seconds.")
    except requests.RequestException as exc:
        latency = int((time.monotonic() - started) * 1000)
        return Outcome(False, None, latency, "", f"Could not connect: {type(exc).__name__}: {exc}"[:1000])
    if 200 <= code < 300:
        return Outcome(True, code, latency, excerpt, "")
    reason = f"Redirect to {response.headers.get('Location', '?')} (not followed)" if 300 <= code < 400 else ""
    return Outcome(False, code, latency, excerpt, reason or f"The receiver answered {code}.")
