"""API tokens: made (shown once), revoked, and checked on every API request; the per-token rate limit.

A token acts with exactly its owner's permissions: a partner member's token is tied to that partner (and stops
working when its owner leaves it), a channel manager's token is a staff token (and stops working when its owner is
no longer a channel manager). Creation and revocation are audited and notified (`_notify_token`): a partner
token's company admins (and its owner) are told whoever made or revoked it, from the portal, the manager app or the
command line; a staff token's owner is told when someone else made or revoked it.
"""

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from partners.services.onboarding.common import partner_admins
from prm.access import is_channel_manager, user_membership
from prm.audit import audit_record
from prm.models import User
from prm.notifications import notify

TOKEN_PREFIX = "prm"  # noqa: S105 (the marker every token starts with, not a secret)
NAME_MAX = 100
LAST_USED_EVERY = timedelta(minutes=1)  # last_used_at is written at most once a minute per token
DEFAULT_RATE = "120/m"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class TokenRefused(Exception):
    """The bearer token cannot be used: unknown, revoked, expired, or its owner no longer has the access it had."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int, period: int) -> None:
        self.retry_after = retry_after
        self.limit = limit
        self.period = period
        super().__init__(f"Rate limit of {limit} requests per {period} seconds reached.")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _plaintext(prefix: str, secret: str) -> str:
    return f"{TOKEN_PREFIX}_{prefix}_{secret}"


def token_create(
    *, actor: User | None, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a token for `user` and return it with its plaintext, which is shown once and never stored (only the
    SHA-256 of its secret is). A partner member's token is tied to the member's partner; a channel manager's is a
    staff token. `actor` is who made it (None: the command line)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the token a name that says what uses it, like “CRM sync”."})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": f"Keep the name under {NAME_MAX} characters (it has {len(name)})."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry date must be in the future."})
    if not user.is_active:
        raise ValidationError("This user is deactivated: a token would not work.")
    membership = user_membership(user)
    if membership is None and not is_channel_manager(user):
        raise ValidationError(
            f"{user.email} is neither a channel manager nor a member of a partner, so a token could do nothing."
        )
    if actor is not None and actor.pk != user.pk and not is_channel_manager(actor):
        raise ValidationError("You can only make tokens for yourself.")
    partner = membership.partner if membership is not None else None
    for _attempt in range(5):
        prefix = secrets.token_hex(4)  # 8 characters
        secret = secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    partner=partner,
                    name=name,
                    prefix=prefix,
                    key_hash=_hash(secret),
                    created_by=actor,
                    expires_at=expires_at,
                )
                audit_record(
                    actor=actor,
                    verb="api_token.created",
                    target=token,
                    partner=partner,
                    after={
                        "name": token.name,
                        "prefix": token.prefix,
                        "owner": user.email,
                        "expires_at": expires_at.isoformat() if expires_at else None,
                    },
                )
                _notify_token(token, event="created", actor=actor)
        except IntegrityError:  # the same prefix twice (one chance in four billion): draw again
            continue
        return token, _plaintext(prefix, secret)
    raise ValidationError("Could not make a token just now. Try again.")


def can_revoke(actor: User, token: ApiToken) -> bool:
    """The owner; the admins of the token's partner; channel managers, any token."""
    if token.user_id == actor.pk or is_channel_manager(actor):
        return True
    membership = user_membership(actor)
    return bool(token.partner_id and membership and membership.partner_id == token.partner_id and membership.is_admin)


def token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token at once (compare-and-set: revoking twice changes nothing the second time)."""
    if actor is not None and not can_revoke(actor, token):
        raise ValidationError("Only the token's owner, its company's admins or a channel manager can revoke it.")
    with transaction.atomic():
        now = timezone.now()
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor)
        token.refresh_from_db()
        if changed != 1:
            raise ValidationError("This token was already revoked. Nothing was changed.")
        audit_record(
            actor=actor,
            verb="api_token.revoked",
            target=token,
            partner=token.partner,
            before={"revoked_at": None},
            after={"revoked_at": now.isoformat(), "name": token.name, "prefix": token.prefix},
        )
        _notify_token(token, event="revoked", actor=actor)
    return token


def token_recipients(token: ApiToken, actor: User | None) -> list[User]:
    """Who hears that `token` was made or revoked: for a partner token, the company's admins and the token's
    owner (an admin revoking a colleague's token tells the colleague); for a staff token, its owner, unless the
    owner did it (a channel manager needs no mail about their own click)."""
    if token.partner_id:
        people = {user.pk: user for user in partner_admins(token.partner)}
        if token.user.is_active:
            people.setdefault(token.user_id, token.user)
        return sorted(people.values(), key=lambda user: user.email)
    if actor is not None and actor.pk == token.user_id:
        return []
    return [token.user] if token.user.is_active else []


def _notify_token(token: ApiToken, *, event: str, actor: User | None) -> None:
    """Tell the people `token_recipients` names (once per token, event and person), with a link to the token page
    they can revoke it from. Inside the caller's transaction: a rolled-back change sends nothing."""
    url = reverse("portal:api_tokens") if token.partner_id else reverse("manage:api_tokens")
    for recipient in token_recipients(token, actor):
        notify(
            key=f"api_token.{event}:{token.pk}:{recipient.pk}",
            template=f"api_token_{event}",
            recipient=recipient,
            partner=token.partner,
            url=url,
            action_label="See the API tokens",
            context={"token": token, "actor": actor, "owner": token.user, "partner": token.partner},
        )


def _parse(raw: str) -> tuple[str, str] | None:
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != 8 or not parts[2] or len(raw) > 200:
        return None
    return parts[1], parts[2]


def authenticate(raw: str, *, now: datetime | None = None) -> ApiToken:
    """The token `raw` names, with its user (and the user's membership checked), or TokenRefused saying why.
    Records the use (at most once a minute)."""
    parsed = _parse(raw)
    if parsed is None:
        raise TokenRefused("This is not an API token. Send “Authorization: Bearer prm_…”.")
    prefix, secret = parsed
    token = ApiToken.objects.select_related("user", "partner").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(secret)):
        raise TokenRefused("Unknown API token.")
    now = now or timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused("This API token was revoked.")
    if token.is_expired(now):
        raise TokenRefused("This API token has expired.")
    user = token.user
    if not user.is_active:
        raise TokenRefused("This API token's owner is deactivated.")
    membership = user_membership(user)
    if token.partner_id is not None:
        if membership is None or membership.partner_id != token.partner_id:
            raise TokenRefused("This API token's owner is no longer a member of its company.")
    elif not is_channel_manager(user):
        raise TokenRefused("This API token's owner is no longer a channel manager.")
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


def rate_setting() -> Rate:
    """settings.API_RATE_LIMIT, like "120/m" (requests per s, m, h or d); a malformed value is a startup-time
    mistake, so it fails loudly."""
    value = getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE)
    count, _, unit = str(value).partition("/")
    if not count.isdigit() or unit not in _PERIODS:
        raise ValueError(f"API_RATE_LIMIT must look like '120/m', not {value!r}.")
    return Rate(int(count), _PERIODS[unit])


def rate_limit_hit(token: ApiToken, *, rate: Rate | None = None, clock=time.time) -> None:
    """Count one request of `token` in the current fixed window (the cache holds the count); RateLimited once the
    window's limit is used, with the seconds until the next window."""
    rate = rate or rate_setting()
    now = clock()
    window = int(now // rate.period)
    key = f"api:rate:{token.pk}:{window}"
    cache.add(key, 0, timeout=rate.period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=rate.period + 1)
        count = 1
    if count > rate.limit:
        raise RateLimited(retry_after=max(1, math.ceil((window + 1) * rate.period - now)), **rate.__dict__)
