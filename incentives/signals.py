"""How incentives hears about events, without any other app importing it:

- a won registration: dealreg's won hook (`register_won_listener`), called once the win is committed;
- a renewal: a post_save receiver on insights' RenewalOutcome (insights has no renewal hook), which accrues on
  commit, so a rolled-back renewal accrues nothing.
Both are idempotent (the ledger's event keys), so a retried event never accrues twice.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from dealreg.hooks import register_won_listener
from insights.models import RenewalOutcome


def earnings_on_won(*, registration, actor=None) -> None:
    from incentives.services import accrue_for_won

    accrue_for_won(registration=registration, actor=actor)


register_won_listener("incentives-earnings", earnings_on_won)


@receiver(post_save, sender=RenewalOutcome, dispatch_uid="incentives-renewal-rebate")
def earnings_on_renewal(sender, instance: RenewalOutcome, created: bool, **kwargs) -> None:
    if not created or kwargs.get("raw"):
        return
    from incentives.services import accrue_for_renewal

    def accrue() -> None:
        try:
            accrue_for_renewal(renewal=instance, actor=instance.recorded_by)
        except Exception:  # a rebate failing must not turn a recorded renewal into an error page
            logging.getLogger(__name__).exception("Renewal rebate failed for renewal outcome %s", instance.pk)

    transaction.on_commit(accrue)
