"""Recruitment pages: the public "Become a partner" form, the channel managers' review queue, and a distributor's
pages about its resellers (two-tier distribution)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from partners import fit, services
from partners import selectors_recruitment as selectors
from partners.forms.recruitment import HONEYPOT_FIELD, ApplicationForm, DeclineForm, ResellerInviteForm
from partners.models import Application, Partner
from prm.access import manager_required, partner_required, public
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.queue_nav import Walk, queue_filters, walk
from prm.ratelimit import AddressLimit, client_ip

# --- The public form -------------------------------------------------------------------------------------------

APPLY_TEMPLATE = "partners/apply/form.html"


def _applications_per_hour() -> int:
    return getattr(settings, "PRM_APPLICATIONS_PER_IP_PER_HOUR", 5)


# At most PRM_APPLICATIONS_PER_IP_PER_HOUR applications per visitor address and hour (prm.ratelimit).
APPLY_LIMIT = AddressLimit("apply-rate", per_hour=_applications_per_hour)


def _render_apply(request: HttpRequest, form: ApplicationForm, status: int = 200, **extra) -> HttpResponse:
    context = {"form": form, "honeypot": HONEYPOT_FIELD, **extra}
    return render(request, APPLY_TEMPLATE, context, status=status)


@public
def apply(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_apply(request, ApplicationForm())
    if request.POST.get(HONEYPOT_FIELD):
        # A bot filled the invisible field: it gets the usual thanks, and nothing is stored or sent.
        return redirect("apply_thanks")
    form = ApplicationForm(request.POST)
    ip = client_ip(request)
    if APPLY_LIMIT.exceeded(ip):
        return _render_apply(request, form, status=429, rate_limited=True)
    if not form.is_valid():
        return _render_apply(request, form, status=400)
    if APPLY_LIMIT.count(ip) > APPLY_LIMIT.limit():  # a burst raced past the check above
        return _render_apply(request, form, status=429, rate_limited=True)
    data = form.cleaned_data
    try:
        services.application_submit(
            name=data["name"],
            type=data["type"],
            website=data["website"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_title=data["contact_title"],
            contact_phone=data["contact_phone"],
            regions=data["regions"],
            countries=data["countries"],
            description=data["description"],
            why=data["why"],
            submitted_ip=ip,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_apply(request, form, status=400)
    return redirect("apply_thanks")


@public
def apply_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/apply/thanks.html")


# --- The review queue (channel managers) -----------------------------------------------------------------------


def _days_ago(when) -> str:
    if when is None:
        return ""
    days = (timezone.now() - when).days
    return "today" if days < 1 else "yesterday" if days == 1 else f"{days} days ago"


def _showing(request: HttpRequest) -> tuple[str, str]:
    """Which applications the queue shows: ("waiting", applied) or ("declined", declined)."""
    showing = "declined" if request.GET.get("status") == "declined" else "waiting"
    return showing, Partner.Status.DECLINED if showing == "declined" else Partner.Status.APPLIED


@manager_required
@exports_csv("manage:application_export")
def application_list(request: HttpRequest) -> HttpResponse:
    showing, status = _showing(request)
    page = Paginator(selectors.application_queue(status=status), 50).get_page(request.GET.get("page"))
    applications = list(page.object_list)
    profile = fit.ideal_profile() if showing == "waiting" and applications else None
    for application in applications:
        application.applied_ago = _days_ago(application.partner.applied_at or application.submitted_at)
        application.region_labels = application.partner.labels("regions")
        application.fit = fit.fit_for(application.partner, profile) if profile else None
    start_url = ""
    if showing == "waiting" and applications:
        start_url = f"{reverse('manage:application_detail', args=[applications[0].partner_id])}?queue=applications"
    context = {
        "applications": applications,
        "page": page,
        "showing": showing,
        "start_url": start_url,
        "nav": "partners",
    }
    return render(request, "partners/manage/applications.html", context)


@manager_required
def application_export(request: HttpRequest) -> HttpResponse:
    """The applications the queue shows (waiting, or declined with ?status=declined), with their fit when waiting."""
    showing, status = _showing(request)
    applications = list(selectors.application_queue(status=status))
    profile = fit.ideal_profile() if showing == "waiting" and applications else None
    header = [
        "Company", "Website", "Type", "Regions", "Contact", "Contact email", "Applied", "Invited by",
        "Possible duplicates", "Fit", "Fit reasons", "Decided", "Decided by", "Reason",
    ]  # fmt: skip

    def rows():
        for application in applications:
            partner = application.partner
            scored = fit.fit_for(partner, profile) if profile else None
            yield [
                partner.name,
                partner.website,
                partner.get_type_display(),
                ", ".join(partner.labels("regions")),
                application.contact_name,
                application.contact_email,
                csv_time(partner.applied_at or application.submitted_at),
                application.invited_by_partner.name if application.invited_by_partner else "",
                len(application.duplicates or []),
                scored.score if scored else "",
                "; ".join(r.text for r in scored.reasons) if scored else "",
                csv_time(application.decided_at),
                application.decided_by.display_name if application.decided_by else "",
                application.decision_reason,
            ]

    return csv_response(name=f"applications-{showing}", header=header, rows=rows())


# --- Decide and next: the waiting applications one by one -------------------------------------------------------


def _queue_keys() -> list[int]:
    return list(selectors.application_queue(status=Partner.Status.APPLIED).values_list("partner_id", flat=True))


def _walk(request: HttpRequest, pk: int) -> Walk | None:
    """The waiting applications around this one when its page was opened from the list of them (else None)."""
    path = reverse("manage:application_list")
    filters = queue_filters(request, name="applications", path=path, keep=["status"])
    if filters is None or filters.get("status") == "declined":
        return None
    return walk(
        name="applications",
        label="application queue",
        list_url=path,
        filters={},
        keys=_queue_keys(),
        current=pk,
        url_for=lambda key: reverse("manage:application_detail", args=[key]),
    )


def _decided(request: HttpRequest, path: Walk | None, done: str, level: int = messages.SUCCESS) -> HttpResponse:
    """After a decision: the next waiting application when the page was opened from the list, else the list."""
    if path is None:
        messages.add_message(request, level, done)
        return redirect("manage:application_list")
    url, left = path.after_decision(_queue_keys())
    messages.add_message(request, level, f"{done} {left}")
    return redirect(url)


def _detail_url(pk: int, path: Walk | None) -> str:
    url = reverse("manage:application_detail", args=[pk])
    return f"{url}?{path.query}" if path else url


def _get_application(pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related(
            "partner", "partner__owner", "partner__parent", "invited_by_partner", "submitted_by", "decided_by"
        ),
        partner_id=pk,
    )


def _render_detail(
    request: HttpRequest,
    application: Application,
    decline_form: DeclineForm,
    status: int = 200,
    path: Walk | None = None,
) -> HttpResponse:
    context = {
        "application": application,
        "partner": application.partner,
        "duplicates": selectors.duplicate_rows(application=application),
        "decline_form": decline_form,
        "applied_ago": _days_ago(application.partner.applied_at or application.submitted_at),
        "region_labels": application.partner.labels("regions"),
        "walk": path,
        "nav": "partners",
    }
    return render(request, "partners/manage/applications_detail.html", context, status=status)


@manager_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(pk)
    return _render_detail(request, application, DeclineForm(), path=_walk(request, pk))


@manager_required
@require_POST
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(pk)
    path = _walk(request, pk)
    try:
        result = services.application_approve(actor=request.user, partner=application.partner)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(_detail_url(pk, path))
    name = result.partner.name
    if result.invitation is not None:
        return _decided(
            request,
            path,
            f"{name} is approved and starts onboarding. We invited {result.invitation.email} as their admin "
            "and sent them the welcome email.",
        )
    else:
        messages.warning(
            request,
            f"{name} is approved and starts onboarding, but its contact was not invited: "
            f"{result.invitation_problem} Invite their first admin from this page.",
        )
        return redirect("manage:partner_detail", pk=pk)


@manager_required
@require_POST
def application_decline(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application(pk)
    path = _walk(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, application, form, status=400, path=path)
    try:
        services.application_decline(
            actor=request.user, partner=application.partner, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(_detail_url(pk, path))
    return _decided(
        request, path, f"{application.partner.name} was declined. We emailed the reason to {application.contact_email}."
    )


# --- Two-tier distribution: a distributor's resellers (portal) -------------------------------------------------


@partner_required
def reseller_list(request: HttpRequest) -> HttpResponse:
    resellers = selectors.reseller_list_for(viewer=request.membership)
    context = {"partner": request.partner, "resellers": resellers, "nav": "resellers"}
    return render(request, "partners/portal/resellers.html", context)


@partner_required
def reseller_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_distributor_admin(request.membership)
    reseller = selectors.access_partner_for(viewer=request.membership, pk=pk)
    if reseller.pk == request.partner.pk:
        return redirect("portal:company")
    context = {
        "partner": request.partner,
        "reseller": reseller,
        "member_count": reseller.memberships.filter(is_active=True).count(),
        "regions": reseller.labels("regions"),
        "segments": reseller.labels("segments"),
        "nav": "resellers",
    }
    return render(request, "partners/portal/resellers_detail.html", context)


@partner_required
def reseller_invite(request: HttpRequest) -> HttpResponse:
    selectors.require_distributor_admin(request.membership)
    form = ResellerInviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                application = services.reseller_invite(
                    actor=request.user,
                    distributor=request.partner,
                    name=data["name"],
                    website=data["website"],
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    type=data["type"],
                    why=data["why"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    f"{application.partner.name} is proposed. Our channel team reviews it; once approved, "
                    f"{application.contact_email} gets an invitation to join.",
                )
                return redirect("portal:reseller_list")
    context = {"partner": request.partner, "form": form, "nav": "resellers"}
    return render(request, "partners/portal/resellers_invite.html", context, status=status)
