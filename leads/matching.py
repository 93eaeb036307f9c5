"""Is a lead's company already ours, or held by a partner? The account matcher (dealreg.candidates.find_candidates,
the same search the registration pre-check and the conflict detection use) judges it against our accounts
(customers, named accounts, the direct pipeline) and every active registration, before anyone is offered it."""

from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class MatchFlag:
    kind: str  # Lead.MatchKind: customer | registration | direct
    reason: str  # for the channel manager: what was found and the matcher's reasons


def _why(result) -> str:
    reasons = "; ".join(result.reasons)
    return f"{result.verdict} ({result.score}/100{': ' + reasons if reasons else ''})"


def lead_match(*, name: str, website: str = "", country: str = "") -> MatchFlag | None:
    """The strongest thing the lead's company collides with, or None. Existing customers come first, then another
    partner's protected (approved and unexpired) or pending registration, then our direct sales team's accounts."""
    from dealreg.candidates import find_candidates
    from dealreg.models import DirectOpportunity, Registration

    candidates = find_candidates(name=name, website=website, country=(country or "").strip().upper(), limit=10)
    if not candidates:
        return None
    now = timezone.now()
    customers, registrations, direct = [], [], []
    account_ids = [c.obj.pk for c in candidates if c.kind == "account"]
    in_pipeline = set(
        DirectOpportunity.objects.filter(account_id__in=account_ids, stage=DirectOpportunity.Stage.OPEN).values_list(
            "account_id", flat=True
        )
    )
    partner_names = {}
    registration_partners = [c.obj.partner_id for c in candidates if c.kind == "registration"]
    if registration_partners:
        from partners.models import Partner

        partner_names = dict(Partner.objects.filter(pk__in=registration_partners).values_list("pk", "name"))
    for candidate in candidates:
        obj, result = candidate.obj, candidate.result
        if candidate.kind == "registration":
            if obj.status not in Registration.ACTIVE:
                continue
            if obj.status == Registration.Status.APPROVED:
                if obj.protected_until and obj.protected_until < now:
                    continue
                until = timezone.localtime(obj.protected_until).strftime("%b %-d, %Y") if obj.protected_until else ""
                state = f"approved, protected until {until}" if until else "approved"
            else:
                state = obj.get_status_display().lower()
            registrations.append(
                f"Registration #{obj.pk} “{obj.name}” by {partner_names.get(obj.partner_id, 'a partner')} "
                f"({state}): {_why(result)}"
            )
            continue
        if obj.is_customer:
            customers.append(f"Account “{obj.name}” is an existing customer: {_why(result)}")
        if obj.is_named_account or obj.pk in in_pipeline:
            what = "a named account" if obj.is_named_account else "in our direct pipeline"
            direct.append(f"Account “{obj.name}” is {what}: {_why(result)}")
    for kind, lines in (("customer", customers), ("registration", registrations), ("direct", direct)):
        if lines:
            others = [line for group in (customers, registrations, direct) for line in group if line not in lines]
            return MatchFlag(kind=kind, reason="\n".join([*lines, *others]))
    return None
