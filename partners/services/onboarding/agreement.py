"""The partner agreement: a partner admin accepts the current version; a channel manager publishes a new one."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from partners.models import AgreementAcceptance, AgreementVersion, Partner, PartnerMembership
from partners.services.onboarding.checklist import onboarding_refresh
from partners.services.onboarding.common import Status, program_settings
from prm.access import is_channel_manager, user_membership
from prm.audit import audit_record
from prm.models import User
from prm.notifications import notify


def _clean_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        validate_ipv46_address(ip)
    except ValidationError:
        return None
    return ip


def _already_accepted(partner: Partner, acceptance: AgreementAcceptance) -> ValidationError:
    when = date_format(timezone.localtime(acceptance.accepted_at), "F j, Y")
    return ValidationError(
        f"{partner.name} already accepted version {acceptance.version.version} on {when} "
        f"(signed by {acceptance.signer_name}).",
        code="already_accepted",
    )


def agreement_accept(
    *,
    actor: User,
    partner: Partner,
    signer_name: str,
    signer_title: str = "",
    ip: str | None = None,
    version: AgreementVersion | None = None,
) -> AgreementAcceptance:
    """A partner admin accepts the current agreement on the company's behalf. Records who signed, under which
    name and title, when, from which address, and which version. With `version` (the one the signer read), it
    refuses if a newer version was published meanwhile."""
    membership = user_membership(actor)
    if membership is None or membership.partner_id != partner.pk or not membership.is_admin:
        raise ValidationError(f"Only {partner.name}'s admins can accept the agreement on its behalf.")
    signer_name = " ".join((signer_name or "").split())
    signer_title = " ".join((signer_title or "").split())
    if not signer_name:
        raise ValidationError("Type your full name to sign.", code="signer_name")
    if len(signer_name) > 160 or len(signer_title) > 160:
        raise ValidationError("Names and job titles can be at most 160 characters.", code="too_long")
    with transaction.atomic():
        # Locking the current version makes a concurrent publish wait until this acceptance is recorded.
        current = AgreementVersion.objects.select_for_update().filter(is_current=True).first()
        if current is None:
            raise ValidationError("There is no agreement to accept yet. Your channel manager will publish one.")
        if version is not None and version.pk != current.pk:
            raise ValidationError(
                f"The agreement changed while you were reading it: version {current.version} is now current. "
                "Read it below, then sign again.",
                code="stale_version",
            )
        existing = AgreementAcceptance.objects.filter(partner=partner, version=current).first()
        if existing is not None:
            raise _already_accepted(partner, existing)
        try:
            with transaction.atomic():
                acceptance = AgreementAcceptance.objects.create(
                    partner=partner,
                    version=current,
                    user=actor,
                    signer_name=signer_name,
                    signer_title=signer_title,
                    ip_address=_clean_ip(ip),
                )
        except IntegrityError:  # a double click, committed first
            raise _already_accepted(
                partner, AgreementAcceptance.objects.select_related("version").get(partner=partner, version=current)
            ) from None
        audit_record(
            actor=actor,
            verb="agreement.accepted",
            target=acceptance,
            partner=partner,
            after={
                "version": current.version,
                "signer_name": signer_name,
                "signer_title": signer_title,
                "ip": acceptance.ip_address,
            },
        )
        notify(
            key=f"agreement-accepted:{acceptance.pk}",
            template="onboarding_agreement_accepted",
            recipient=actor,
            partner=partner,
            url=reverse("portal:agreement"),
            context={"partner": partner, "acceptance": acceptance, "version": current},
        )
        onboarding_refresh(partner=partner, actor=actor)
    return acceptance


def agreement_publish(*, actor: User, version: str, title: str, body: str) -> AgreementVersion:
    """Publish a new agreement text. It becomes the current version; every partner must accept it again (their
    admins are told; with "require the agreement first" on, the portal waits for it)."""
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers can publish the partner agreement.")
    version = (version or "").strip()
    title = " ".join((title or "").split()) or "Partner agreement"
    body = (body or "").strip()
    if not version:
        raise ValidationError("Give the new text a version number, e.g. 2.0.", code="version")
    if len(version) > 20 or len(title) > 160:
        raise ValidationError("The version can be at most 20 characters and the title 160.", code="too_long")
    if not body:
        raise ValidationError("The agreement text is empty.", code="body")
    with transaction.atomic():
        previous = list(AgreementVersion.objects.select_for_update().filter(is_current=True))
        if AgreementVersion.objects.filter(version__iexact=version).exists():
            raise ValidationError(f"Version {version} exists already. Give the new text a new number.", code="version")
        AgreementVersion.objects.filter(is_current=True).update(is_current=False)
        new = AgreementVersion.objects.create(version=version, title=title, body=body, is_current=True)
        audit_record(
            actor=actor,
            verb="agreement.published",
            target=new,
            before={"version": previous[0].version if previous else None},
            after={"version": version, "title": title},
        )
        gated = program_settings().require_agreement_first
        admins = User.objects.filter(
            is_active=True,
            membership__is_active=True,
            membership__role=PartnerMembership.Role.ADMIN,
            membership__partner__status__in=[Status.ONBOARDING, Status.ACTIVE, Status.DORMANT],
        ).select_related("membership__partner")
        for user in admins:
            notify(
                key=f"agreement-published:{new.pk}:{user.pk}",
                template="onboarding_agreement_new",
                recipient=user,
                partner=user.membership.partner,
                url=reverse("portal:agreement"),
                context={"partner": user.membership.partner, "version": new, "gated": gated},
            )
    return new
