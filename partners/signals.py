"""Signal receivers of the partners app. Imported by PartnersConfig.ready()."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="partners.record_activity_on_login")
def record_activity_on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Signing in counts as activity for the user's partner (and brings a dormant partner back)."""
    from partners.models import PartnerMembership
    from partners.services import partner_record_activity

    # Not prm.access.user_membership: that caches on the user object, which outlives this moment in tests.
    membership = PartnerMembership.objects.select_related("partner").filter(user=user, is_active=True).first()
    if membership is not None:
        partner_record_activity(partner=membership.partner)
