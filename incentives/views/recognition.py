"""Manager page for recognition (/manage/incentives/recognition/): every award (filter by kind and partner, the
withdrawn ones apart), the award form, and withdrawing an award with a reason. Any channel manager may award; the
partner's people are told, and the award shows on the partner's page and its portal (incentives.hooks_partners)."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from incentives.models import Recognition
from incentives.services import recognition as service
from partners.models import Partner
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.forms import attach_errors

Kind = Recognition.Kind
WITHDRAWN_SHOWN = 50


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Partner) -> str:
        return obj.name if obj.status == Partner.Status.ACTIVE else f"{obj.name} ({obj.get_status_display().lower()})"


class AwardForm(forms.Form):
    partner = PartnerChoiceField(
        label="Partner",
        queryset=Partner.objects.filter(status__in=service.AWARDABLE).only("pk", "name", "status").order_by("name"),
        empty_label="Choose a partner",
        error_messages={
            "required": "Choose the partner to recognise.",
            "invalid_choice": "Choose one of the partners listed (partners in the program).",
        },
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=Kind.choices,
        initial=Kind.PARTNER_OF_QUARTER,
        error_messages={"invalid_choice": "Choose partner of the quarter, partner of the year or a badge."},
    )
    # Required-ness and length are the service's: it suggests a partner of the quarter or year title when blank.
    title = forms.CharField(
        label="Title",
        required=False,
        help_text="What the partner sees. Left blank, a partner of the quarter or year is titled from the date "
        "(“Partner of the quarter, Q3 2026”); a badge needs its own (“Fastest mover”).",
        widget=forms.TextInput(attrs={"maxlength": service.TITLE_MAX}),
    )
    citation = forms.CharField(
        label="Citation",
        required=False,
        help_text="Why, in a sentence or two: the partner sees it under the title.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    awarded_on = forms.DateField(
        label="Awarded on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Give the date of the award.", "invalid": "Give the date as YYYY-MM-DD."},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(required=False)


def _filters(data) -> tuple[str, int | None]:
    """The kind and partner filters from a query string or a form (anything else is ignored)."""
    kind = data.get("kind", "")
    partner = data.get("partner", "")
    return (
        kind if kind in Kind.values else "",
        int(partner) if partner.isdigit() and len(partner) < 19 else None,
    )


def _page_url(kind: str, partner_id: int | None) -> str:
    query = urlencode({k: v for k, v in (("kind", kind), ("partner", partner_id)) if v})
    return reverse("manage:incentives_recognition") + (f"?{query}" if query else "")


@exports_csv("manage:incentives_recognition_export")
@manager_required
def recognition_list(request: HttpRequest) -> HttpResponse:
    """Every current award (newest first) with the withdrawn ones apart; POST awards one (the partner is told)."""
    kind, partner_id = _filters(request.GET)
    partner = Partner.objects.filter(pk=partner_id).only("pk", "name").first() if partner_id else None
    if request.method == "POST":
        form = AwardForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                award = service.recognition_award(
                    actor=request.user,
                    partner=data["partner"],
                    kind=data["kind"],
                    title=data["title"],
                    citation=data["citation"],
                    awarded_on=data["awarded_on"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"“{award.title}” is awarded to {award.partner.name}: its people were told, and it shows on "
                    "its portal and its partner page.",
                )
                return redirect(_page_url(kind, partner_id))
    else:
        form = AwardForm(
            initial={"partner": partner, "awarded_on": timezone.localdate(), "kind": Kind.PARTNER_OF_QUARTER}
        )
    page = Paginator(service.recognition_list(kind=kind, partner_id=partner_id), 50).get_page(request.GET.get("page"))
    withdrawn = service.recognition_list(kind=kind, partner_id=partner_id, withdrawn=True)
    context = {
        "nav": "incentives",
        "can_edit": True,  # any channel manager awards: the plan's read-only note is not for this page
        "form": form,
        "page": page,
        "awards": page.object_list,
        "withdrawn": list(withdrawn[:WITHDRAWN_SHOWN]),
        "withdrawn_count": withdrawn.count(),
        "withdrawn_shown": WITHDRAWN_SHOWN,
        "counts": service.recognition_counts(partner_id=partner_id),
        "kinds": Kind.choices,
        "kind": kind,
        "partner": partner,
        "partner_id": partner_id or "",
        "reason_max": service.REASON_MAX,
    }
    status = 400 if form.errors else 200
    return render(request, "incentives/manage/recognition.html", context, status=status)


@manager_required
@require_POST
def recognition_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw an award with a reason (kept with it); back to the list as it was filtered."""
    award = get_object_or_404(Recognition.objects.select_related("partner"), pk=pk)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        service.recognition_withdraw(actor=request.user, recognition=award, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"“{award.title}” is withdrawn from {award.partner.name}: it no longer shows, and the record and "
            "your reason are kept below.",
        )
    return redirect(_page_url(*_filters(request.POST)))


RECOGNITION_HEADER = [
    "partner",
    "partner id",
    "kind",
    "title",
    "citation",
    "awarded on",
    "awarded by",
    "withdrawn",
    "withdrawn reason",
]


@manager_required
def recognition_export(request: HttpRequest) -> HttpResponse:
    """The current awards the page's filters keep, then the withdrawn ones (every one, the page shows the latest)."""
    kind, partner_id = _filters(request.GET)
    found = [
        *service.recognition_list(kind=kind, partner_id=partner_id).iterator(),
        *service.recognition_list(kind=kind, partner_id=partner_id, withdrawn=True).iterator(),
    ]
    rows = (
        [
            award.partner.name,
            award.partner_id,
            award.get_kind_display(),
            award.title,
            award.citation,
            award.awarded_on.isoformat(),
            award.awarded_by.email if award.awarded_by else "",
            csv_time(award.withdrawn_at),
            award.withdrawn_reason,
        ]
        for award in found
    )
    return csv_response(name="recognition", header=RECOGNITION_HEADER, rows=rows)


manage_urlpatterns = [
    path("incentives/recognition/", recognition_list, name="incentives_recognition"),
    path("incentives/recognition/export.csv", recognition_export, name="incentives_recognition_export"),
    path("incentives/recognition/<id:pk>/withdraw/", recognition_withdraw, name="incentives_recognition_withdraw"),
]
portal_urlpatterns: list = []
