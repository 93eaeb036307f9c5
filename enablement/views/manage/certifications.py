"""Certifications for the channel team: the list with holders, creating and changing one, the grid of partners ×
certifications, the awards expiring soon (and recently expired), an award's page with the revocation, and one
partner's competency."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from enablement import competency, selectors, services
from enablement.forms.manage import CertificationForm, ExpiringFilterForm, GridFilterForm, RevokeForm
from enablement.models import Certification, CertificationAward, Course
from partners.models import Partner
from prm.access import manager_required
from prm.csv_export import exports_csv

from .common import NAV, PER_PAGE, ValidationError, attach_errors

RECENTLY_EXPIRED_DAYS = 90


@exports_csv("manage:enablement_export", kind="certifications")
@manager_required
def certifications(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.certifications_manage(today=timezone.localdate()))
    context = {
        "certifications": rows,
        "has_courses": bool(rows) or Course.objects.exists(),
        "nav": NAV,
    }
    return render(request, "enablement/manage/certifications.html", context)


def _form_page(request, form: CertificationForm, certification: Certification | None, status: int = 200):
    context = {"form": form, "certification": certification, "nav": NAV}
    return render(request, "enablement/manage/certification_form.html", context, status=status)


@manager_required
def certification_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, CertificationForm(), None)
    form = CertificationForm(request.POST)
    if form.is_valid():
        try:
            certification = services.certification_create(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"“{certification.name}” is created. People who complete its path earn it.")
            return redirect("manage:enablement_certifications")
    return _form_page(request, form, None, status=400)


@manager_required
def certification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    certification = get_object_or_404(Certification, pk=pk)
    if request.method != "POST":
        return _form_page(request, CertificationForm(certification=certification), certification)
    form = CertificationForm(request.POST, certification=certification)
    if form.is_valid():
        try:
            services.certification_update(actor=request.user, certification=certification, **form.service_fields())
        except ValidationError as exc:
            attach_errors(form, exc)
            certification.refresh_from_db()
        else:
            messages.success(request, f"“{certification.name}” is saved. Existing awards keep their dates.")
            return redirect("manage:enablement_certifications")
    return _form_page(request, form, certification, status=400)


# --- The grid ------------------------------------------------------------------------------------------------------


@exports_csv("manage:enablement_export", kind="grid")
@manager_required
def grid(request: HttpRequest) -> HttpResponse:
    form = GridFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.grid_partners(filters), PER_PAGE).get_page(request.GET.get("page"))
    certs = selectors.grid_certifications()
    table = competency.competency_grid(partners=page.object_list, certifications=certs, today=timezone.localdate())
    context = {
        "form": form,
        "filters": filters,
        "is_filtered": bool(filters),
        "page": page,
        "grid": table,
        "tiers": form.fields["tier"].queryset,
        "types": Partner.Type.choices,
        "nav": NAV,
    }
    return render(request, "enablement/manage/grid.html", context)


# --- Expiring awards -----------------------------------------------------------------------------------------------


def expiring_rows(request: HttpRequest, today) -> tuple[int, list[CertificationAward], list[CertificationAward]]:
    """The window in days (`?days=`), the awards expiring within it and those expired lately, each with `days`."""
    days = ExpiringFilterForm(request.GET).days_value()
    soon = list(selectors.expiring_awards(within_days=days, today=today))
    for award in soon:
        award.days = award.days_left(today)
    expired = list(selectors.recently_expired_awards(within_days=RECENTLY_EXPIRED_DAYS, today=today)[:200])
    for award in expired:
        award.days = -award.days_left(today)
    return days, soon, expired


@exports_csv("manage:enablement_export", kind="expiring")
@manager_required
def expiring(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    days, soon, expired = expiring_rows(request, today)
    context = {
        "days": days,
        "choices": (30, 60, 90, 180),
        "soon": soon,
        "expired": expired,
        "expired_days": RECENTLY_EXPIRED_DAYS,
        "until": today + timedelta(days=days),
        "nav": NAV,
    }
    return render(request, "enablement/manage/expiring.html", context)


# --- One award -----------------------------------------------------------------------------------------------------


def _award_page(request: HttpRequest, award: CertificationAward, form: RevokeForm | None = None, status: int = 200):
    today = timezone.localdate()
    context = {
        "award": award,
        "status": award.status_on(today),
        "days": award.days_left(today),
        "history": selectors.award_history(award=award),
        "verify_path": services.verify_path(award.code),
        "revocable": award.revoked_at is None and award.renewed_by_id is None,
        "form": form or RevokeForm(),
        "nav": NAV,
    }
    return render(request, "enablement/manage/award.html", context, status=status)


def _award(pk: int) -> CertificationAward:
    return get_object_or_404(
        CertificationAward.objects.select_related("certification", "user", "partner", "revoked_by", "renewed_by"),
        pk=pk,
    )


@manager_required
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _award_page(request, _award(pk))


@manager_required
@require_POST
def award_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award(pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.award_revoke(actor=request.user, award=award, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                f"{award.certification.name} of {award.user.display_name} is revoked. Its public page says so; "
                "the holder and their partner's admins are told why.",
            )
            return redirect("manage:enablement_award", pk=pk)
    return _award_page(request, _award(pk), form, status=400)


# --- One partner ---------------------------------------------------------------------------------------------------


@manager_required
def partner(request: HttpRequest, pk: int) -> HttpResponse:
    """One partner's competency: certified people by certification and role, training hours, completion rate, and
    its people with their certifications and courses."""
    company = get_object_or_404(Partner.objects.select_related("tier"), pk=pk)
    today = timezone.localdate()
    team = selectors.team_certifications(partner=company)
    for member in team:
        for award in member.awards:
            award.state = award.status_on(today)
    enrollments = list(selectors.enrollments_manage(partner=company)[:200])
    context = {
        "partner": company,
        "competency": competency.partner_competency(partner=company, today=today),
        "team": team,
        "enrollments": enrollments,
        "nav": NAV,
    }
    return render(request, "enablement/manage/partner.html", context)
