"""A learner's certification page (share it, hide or show its public page, renew it) and the partner admins' view
of their team's certifications. Awards are read through `selectors.access_own_award(user=request.user, ...)`
(someone else's is a 404) and the team through `selectors.team_certifications(partner=request.partner)`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from enablement import selectors, services
from enablement.forms.portal import AwardVisibilityForm
from enablement.models import CertificationAward
from partners.models import PartnerMembership
from prm.access import partner_required

from .words import award_card, duration, time_stat

ADMIN = [PartnerMembership.Role.ADMIN]
Status = CertificationAward.Status


def _award_context(request: HttpRequest, award: CertificationAward) -> dict:
    today = timezone.localdate()
    renewal = selectors.renewal_courses_for(partner=request.partner, certification_ids=[award.certification_id])
    card = award_card(award, today=today, renewal_course=renewal.get(award.certification_id))
    path = []
    if card.is_revoked or (card.renewal_open and card.renewal_course is None):
        path = [c for c in selectors.courses_for(partner=request.partner) if c in award.certification.courses.all()]
    verify_url = request.build_absolute_uri(reverse("verify", args=[award.code]))
    badge_url = request.build_absolute_uri(reverse("verify_badge", args=[award.code]))
    return {
        "award": award,
        "card": card,
        "path": path,
        "history": [a for a in selectors.award_history(award=award) if a.pk != award.pk],
        "verify_url": verify_url,
        "badge_url": badge_url,
        "embed_html": f'<a href="{verify_url}"><img src="{badge_url}" width="300" height="150" '
        f'alt="{award.certification.name} — {award.holder_name}"></a>',
        "tab": "mine",
    }


@partner_required
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the certification, its badge and how to share or renew it. POST: show or hide the public page."""
    award = selectors.access_own_award(user=request.user, pk=pk)
    if request.method == "POST":
        form = AwardVisibilityForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose whether to show or hide the public page.")
            return redirect("portal:training_award", pk=award.pk)
        try:
            award = services.award_set_public(user=request.user, award=award, public=form.cleaned_data["public"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("portal:training_award", pk=award.pk)
        if award.public:
            note = "Your public page is visible again: anyone with the link can check your certification."
        else:
            note = "Your public page is hidden: the link now says it cannot be found. Show it again at any time."
        if request.htmx:
            context = {**_award_context(request, award), "visibility_note": note}
            return render(request, "enablement/portal/award.html#visibility", context)
        messages.success(request, note)
        return redirect("portal:training_award", pk=award.pk)
    return render(request, "enablement/portal/award.html", _award_context(request, award))


@partner_required(roles=ADMIN)
def team(request: HttpRequest) -> HttpResponse:
    """Who in the company is certified, until when, and who is learning (partner admins only)."""
    today = timezone.localdate()
    members = selectors.team_certifications(partner=request.partner)
    valid = {Status.ACTIVE, Status.EXPIRING_SOON}
    for member in members:
        member.rows = [(award, award.status_on(today)) for award in member.awards]
        member.certified = any(status in valid for _, status in member.rows)
        member.time_words = duration(member.seconds_spent) if member.seconds_spent else "—"
    time_value, time_unit = time_stat(sum(m.seconds_spent for m in members))
    context = {
        "members": members,
        "certified_count": sum(1 for m in members if m.certified),
        "expiring_count": sum(1 for m in members for _, s in m.rows if s == Status.EXPIRING_SOON),
        "time_value": time_value,
        "time_unit": time_unit,
        "anyone_learning": any(m.awards or m.in_progress or m.completed for m in members),
        "tab": "team",
    }
    return render(request, "enablement/portal/team.html", context)
