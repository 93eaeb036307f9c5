"""Failed sign-ins slow an attacker down without locking the owner out (issue 19, item 2).

- Failures are counted per account *and* source address. The first few are free; after that each new attempt from
  that address for that account must wait, and the wait doubles with every failure (2 s, 4 s, 8 s … at most 15
  minutes). A correct password from an address that has not failed is never held up, so someone guessing from
  elsewhere cannot keep the owner out.
- A throttled attempt is refused before the password is checked, so it tells the attacker nothing.
- When an account collects `OWNER_ALERT_AT` failures within the hour (from any addresses), its owner is emailed once
  an hour with the count and a link that lifts every throttle on the account at once (`unlock_url`).
- Each time an address becomes throttled for an account, the audit trail records it (the account, the address, the
  failures), so a channel manager can see an attack.

State lives in the cache (Redis in production; the resilient cache degrades to no throttling with a logged warning
when Redis is down, rather than locking everybody out). A "generation" per account makes the unlock link cheap:
raising it forgets every address's counters for that account.
"""

import hashlib
import time
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.urls import reverse

FREE_FAILURES = 3  # failures from one address before it must wait
MAX_DELAY = 15 * 60  # seconds
WINDOW = 60 * 60  # counters are forgotten an hour after the last failure
OWNER_ALERT_AT = 10  # failures on an account within the window before its owner is told
UNLOCK_SALT = "prm.login-unlock"
UNLOCK_MAX_AGE = 24 * 60 * 60


@dataclass(frozen=True)
class Failure:
    failures_here: int  # from this address for this account, in the window
    failures_all: int  # for this account from anywhere, in the window
    throttled_now: bool  # this failure is the one that started the wait for this address
    alert_owner: bool  # this failure reaches the owner-alert threshold (once per window)


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _account(email: str) -> str:
    return _digest("account", (email or "").strip().lower())


def _generation(email: str) -> int:
    return int(cache.get(f"prm:login:gen:{_account(email)}") or 0)


def _keys(email: str, ip: str) -> tuple[str, str]:
    account, gen = _account(email), _generation(email)
    return f"prm:login:fail:{account}:{gen}:{_digest(ip)}", f"prm:login:all:{account}:{gen}"


def delay_for(failures: int) -> int:
    """Seconds an address must wait after `failures` failures for one account."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES + 1), MAX_DELAY)


def wait_seconds(email: str, ip: str, *, now: float | None = None) -> int:
    """How long this address must still wait before it may try this account again (0: it may try now)."""
    state = cache.get(_keys(email, ip)[0])
    if not state:
        return 0
    now = time.time() if now is None else now
    remaining = state["last"] + delay_for(state["n"]) - now
    return max(0, int(remaining + 0.999))


def record_failure(email: str, ip: str, *, now: float | None = None) -> Failure:
    now = time.time() if now is None else now
    here_key, all_key = _keys(email, ip)
    state = cache.get(here_key) or {"n": 0, "last": now}
    state = {"n": state["n"] + 1, "last": now}
    cache.set(here_key, state, WINDOW)
    overall = cache.get(all_key) or {"n": 0, "alerted": False}
    overall["n"] += 1
    alert = overall["n"] >= OWNER_ALERT_AT and not overall["alerted"]
    overall["alerted"] = overall["alerted"] or alert
    cache.set(all_key, overall, WINDOW)
    return Failure(
        failures_here=state["n"],
        failures_all=overall["n"],
        throttled_now=state["n"] == FREE_FAILURES,
        alert_owner=alert,
    )


def record_success(email: str, ip: str) -> None:
    """A correct password from this address: forget its failures (other addresses keep theirs)."""
    cache.delete(_keys(email, ip)[0])


def unlock(email: str) -> None:
    """Forget every address's failures for the account (the owner's emailed link)."""
    key = f"prm:login:gen:{_account(email)}"
    cache.set(key, _generation(email) + 1, None)


def unlock_token(email: str) -> str:
    return signing.dumps({"e": (email or "").strip().lower()}, salt=UNLOCK_SALT)


def email_from_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=UNLOCK_SALT, max_age=UNLOCK_MAX_AGE)["e"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def unlock_url(email: str) -> str:
    return reverse("login_unlock", args=[unlock_token(email)])


def wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minutes"
