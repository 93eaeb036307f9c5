"""Manager pages (/manage/incentives/): the plan and its versions, drafting a version's rules with a preview in
plain words, and publishing. Channel managers read; changing needs the program-admin permission (the program
setup's door, `program_setup`: a plain manager's POST gets the 403 page saying whom to ask)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from incentives import services
from incentives.forms import BoostForm, PayoutForm, PlanForm, PublishForm, VersionForm
from incentives.models import Boost, DealPayoutRule, EarningLine, PlanVersion
from incentives.wording import plan_diff
from partners.views.setup import program_setup, setup_context
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.forms import attach_errors
from prm.money import Totals


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return setup_context(request, nav="incentives", **extra)


@program_setup
def plan(request: HttpRequest) -> HttpResponse:
    plan = services.plan_get()
    form = PlanForm(initial={"name": plan.name, "payable_after_days": plan.payable_after_days})
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                services.plan_update(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "Plan settings saved.")
                return redirect("manage:incentives")
    versions = plan.versions.select_related("published_by").order_by("-number")
    in_force = services.plan_version_in_force()
    earned = Totals(EarningLine.objects.values_list("amount", "currency"))
    context = _context(
        request,
        plan=plan,
        form=form,
        versions=versions,
        in_force=in_force,
        earned=earned,
        draft=next((v for v in versions if not v.is_published), None),
    )
    return render(request, "incentives/manage/plan.html", context, status=400 if form.errors else 200)


@program_setup
@require_POST
def version_new(request: HttpRequest) -> HttpResponse:
    try:
        version = services.version_create_draft(actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("manage:incentives")
    messages.success(request, f"Version {version.number} drafted as a copy of the plan in force. Edit its rules.")
    return redirect("manage:incentives_version", pk=version.pk)


def _version_page(request: HttpRequest, version: PlanVersion, *, status: int = 200, **forms: Any) -> HttpResponse:
    today_version = services.plan_version_in_force()
    sentences = services.version_sentences(version)
    previous = None
    if not version.is_published:
        previous = today_version
    else:
        previous = (
            PlanVersion.objects.filter(plan=version.plan, status="published", effective_from__lt=version.effective_from)
            .order_by("-effective_from")
            .first()
        )
    diff = plan_diff(services.version_sentences(previous) if previous else None, sentences)
    initial = {
        "first_win_bonus": version.first_win_bonus or "",
        "first_win_currency": version.first_win_currency,
        "renewal_rebate_percent": version.renewal_rebate_percent or "",
        "notes": version.notes,
    }
    context = _context(
        request,
        version=version,
        payouts=version.payout_rules.all(),
        boosts=version.boosts.select_related("tier"),
        sentences=sentences,
        previous=previous,
        diff=diff,
        version_form=forms.get("version_form") or VersionForm(initial=initial),
        payout_form=forms.get("payout_form") or PayoutForm(),
        boost_form=forms.get("boost_form") or BoostForm(),
        publish_form=forms.get("publish_form") or PublishForm(),
        editable=request.can_edit_program and not version.is_published,  # type: ignore[attr-defined]
    )
    if not context["editable"]:
        # A refusal for a form this page no longer shows (the version was published meanwhile): say it on top.
        context["stray_errors"] = [e for form in forms.values() for e in form.errors.get("__all__", [])]
    return render(request, "incentives/manage/version.html", context, status=status)


@program_setup
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _version_page(request, get_object_or_404(PlanVersion, pk=pk))


def _post(request: HttpRequest, pk: int, form_class, form_name: str, action, success: str) -> HttpResponse:
    version = get_object_or_404(PlanVersion, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(version, form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("manage:incentives_version", pk=version.pk)
    return _version_page(request, version, status=400, **{form_name: form})


@program_setup
@require_POST
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def action(version, data):
        services.version_update(actor=request.user, version=version, data=data)

    return _post(request, pk, VersionForm, "version_form", action, "Bonus, rebate and notes saved.")


@program_setup
@require_POST
def payout_add(request: HttpRequest, pk: int) -> HttpResponse:
    def action(version, data):
        services.payout_rule_save(actor=request.user, version=version, data=data)

    return _post(request, pk, PayoutForm, "payout_form", action, "Deal payout added.")


@program_setup
@require_POST
def boost_add(request: HttpRequest, pk: int) -> HttpResponse:
    def action(version, data):
        services.boost_save(actor=request.user, version=version, data=data)

    return _post(request, pk, BoostForm, "boost_form", action, "Boost added.")


@program_setup
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    result = {}

    def action(version, data):
        result["version"], result["told"] = services.version_publish(
            actor=request.user, version=version, effective_from=data["effective_from"]
        )

    response = _post(request, pk, PublishForm, "publish_form", action, "Version published.")
    if "version" in result:
        messages.info(
            request,
            f"Version {result['version'].number} takes effect on {result['version'].effective_from:%b %-d, %Y}; "
            f"{result['told']} partner(s) were told what changes.",
        )
    return response


@program_setup
@require_POST
def payout_delete(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    rule = get_object_or_404(DealPayoutRule, pk=rule_pk, version_id=pk)
    try:
        services.payout_rule_delete(actor=request.user, rule=rule)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Deal payout removed.")
    return redirect("manage:incentives_version", pk=pk)


@program_setup
@require_POST
def boost_delete(request: HttpRequest, pk: int, boost_pk: int) -> HttpResponse:
    boost = get_object_or_404(Boost, pk=boost_pk, version_id=pk)
    try:
        services.boost_delete(actor=request.user, boost=boost)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Boost removed.")
    return redirect("manage:incentives_version", pk=pk)


class LineActionForm(forms.Form):
    reason = forms.CharField(required=False, max_length=1000)


def _lines(request: HttpRequest):
    """The earning lines the list's filters (`?state=`, `?partner=`) keep, newest first, and the state filter."""
    lines = EarningLine.objects.select_related("partner", "registration", "plan_version").order_by("-earned_on", "-pk")
    state = request.GET.get("state", "")
    if state in EarningLine.State.values:
        lines = lines.filter(state=state)
    partner = request.GET.get("partner", "")
    if partner.isdigit() and len(partner) < 19:
        lines = lines.filter(partner_id=int(partner))
    return lines, state


@exports_csv("manage:incentives_earnings_export")
@program_setup
def earnings(request: HttpRequest) -> HttpResponse:
    """Every partner's lines (newest first, filtered by partner and state), with hold, release and reversal."""
    lines, state = _lines(request)
    page = Paginator(lines, 50).get_page(request.GET.get("page"))
    context = _context(
        request,
        page=page,
        lines=page.object_list,
        totals=Totals(lines.values_list("amount", "currency")),
        states=EarningLine.State.choices,
        state=state,
    )
    return render(request, "incentives/manage/earnings.html", context)


@program_setup
@require_POST
def line_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    line = get_object_or_404(EarningLine, pk=pk)
    form = LineActionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if action == "hold":
            services.line_hold(actor=request.user, line=line, reason=reason)
            messages.success(request, f"Line #{line.pk} is on hold; {line.partner} was told why.")
        elif action == "release":
            services.line_release(actor=request.user, line=line)
            messages.success(request, f"Line #{line.pk} is released.")
        elif action == "reverse" and line.registration_id:
            made = services.reverse_for(registration=line.registration, reason=reason, actor=request.user)
            messages.success(request, f"{len(made)} correction line(s) recorded; {line.partner} was told.")
        else:
            raise Http404("Not found")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{reverse('manage:incentives_earnings')}?partner={line.partner_id}")


EARNINGS_HEADER = [
    "line",
    "partner",
    "partner id",
    "kind",
    "deal",
    "plan version",
    "earned on",
    "payable on",
    "base amount",
    "base currency",
    "amount",
    "currency",
    "calculation",
    "state",
    "hold reason",
    "payout run",
    "approved",
    "paid",
]


@program_setup
def earnings_export(request: HttpRequest) -> HttpResponse:
    """Every line the list's filters keep (not just the page shown)."""
    lines, _ = _lines(request)
    rows = (
        [
            line.pk,
            line.partner.name,
            line.partner_id,
            line.get_rule_kind_display(),
            line.registration.name if line.registration_id else "",
            line.plan_version.number,
            line.earned_on.isoformat(),
            line.payable_on.isoformat(),
            line.base_amount,
            line.base_currency,
            line.amount,
            line.currency,
            line.calculation,
            line.get_state_display(),
            line.hold_reason,
            line.payout_run_id or "",
            csv_time(line.approved_at),
            csv_time(line.paid_at),
        ]
        for line in lines.iterator(chunk_size=1000)
    )
    return csv_response(name="partner-earnings", header=EARNINGS_HEADER, rows=rows)


manage_urlpatterns = [
    path("incentives/earnings/", earnings, name="incentives_earnings"),
    path("incentives/earnings/export.csv", earnings_export, name="incentives_earnings_export"),
    path("incentives/earnings/<id:pk>/hold/", line_action, {"action": "hold"}, name="incentives_line_hold"),
    path("incentives/earnings/<id:pk>/release/", line_action, {"action": "release"}, name="incentives_line_release"),
    path("incentives/earnings/<id:pk>/reverse/", line_action, {"action": "reverse"}, name="incentives_line_reverse"),
    path("incentives/", plan, name="incentives"),
    path("incentives/versions/new/", version_new, name="incentives_version_new"),
    path("incentives/versions/<id:pk>/", version_detail, name="incentives_version"),
    path("incentives/versions/<id:pk>/edit/", version_edit, name="incentives_version_edit"),
    path("incentives/versions/<id:pk>/payouts/", payout_add, name="incentives_payout_add"),
    path("incentives/versions/<id:pk>/payouts/<id:rule_pk>/delete/", payout_delete, name="incentives_payout_delete"),
    path("incentives/versions/<id:pk>/boosts/", boost_add, name="incentives_boost_add"),
    path("incentives/versions/<id:pk>/boosts/<id:boost_pk>/delete/", boost_delete, name="incentives_boost_delete"),
    path("incentives/versions/<id:pk>/publish/", publish, name="incentives_publish"),
]
