"""What a failed sign-in sets off: the throttle's counters, an audit event when an address becomes throttled for an
account, and a mail to the owner when the account collects many failures (prm/login_throttle.py)."""

from django.db import transaction
from django.utils import timezone

from prm import login_throttle
from prm.audit import audit_record
from prm.models import User
from prm.notifications import notify


def failed_sign_in(*, email: str, ip: str) -> None:
    failure = login_throttle.record_failure(email, ip)
    if not (failure.throttled_now or failure.alert_owner):
        return
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        return  # an address nobody has: nothing to protect, nobody to tell
    with transaction.atomic():
        if failure.throttled_now:
            audit_record(
                actor=None,
                verb="auth.sign_in_throttled",
                target=user,
                after={"address": ip, "failures_from_address": failure.failures_here},
                reason=f"{failure.failures_here} failed sign-ins from {ip}: further attempts from there must wait.",
            )
        if failure.alert_owner:
            hour = timezone.now().strftime("%Y%m%d%H")
            notify(
                key=f"security:sign-in-failures:{user.pk}:{hour}",
                template="security_sign_in_failures",
                recipient=user,
                url=login_throttle.unlock_url(user.email),
                action_label="Let me sign in now",
                context={"failures": failure.failures_all, "address": ip, "user": user},
            )
