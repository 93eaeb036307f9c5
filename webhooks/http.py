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
from urllib.parse import urlsplit

import requests
from django.conf import settings

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


def check_url(url: str) -> None:
    """Refuse a URL that is not http(s), or whose host resolves to any private, loopback, link-local or reserved
    address (every address the name resolves to is checked), unless WEBHOOKS_ALLOW_PRIVATE_URLS is on."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("Use an http:// or https:// address with a host name.")
    if private_urls_allowed():
        return
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL("The port in this address is not a number between 1 and 65535.") from None
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeURL(f"The host “{host}” could not be found (DNS).") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if _refused(address):
            raise UnsafeURL(
                f"“{host}” points to {address}, a private, loopback or reserved address: webhooks only go to "
                "public addresses on the internet."
            )


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
        with requests.post(
            url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False, stream=True
        ) as response:
            # Read at most a little more than the excerpt: a receiver cannot make us download a large body.
            raw = response.raw.read(EXCERPT_CHARS * 4, decode_content=True) or b""
            latency = int((time.monotonic() - started) * 1000)
            excerpt = raw.decode(response.encoding or "utf-8", errors="replace")[:EXCERPT_CHARS]
            code = response.status_code
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
