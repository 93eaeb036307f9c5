"""Payout runs (/manage/incentives/payouts/): every channel manager reads; program admins and the Finance group
prepare, approve, export and mark runs paid (others get the 403 page saying who can)."""

from datetime import timedelta
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone

from incentives.models import EarningLine, PayoutRun
from incentives.services import payouts
from partners.models import Partner
from partners.services.program import program_get
from partners.views.setup import SAFE_METHODS
from prm import access
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.forms import attach_errors


def forbidden(request: HttpRequest) -> HttpResponse:
    """The 403 page for a plain channel manager who posts anyway: nothing changed, and whom to ask."""
    return access.forbidden(
        request,
        who_can=payouts.FINANCE_GROUP,
        people=payouts.payout_runners(),
        title="Only finance and program admins run payouts",
        why=(
            "You can read the payout runs, but drafting, approving, leaving lines out, cancelling and marking runs"
            f" paid are done by program admins and the “{payouts.FINANCE_GROUP}” group, because they pay partners"
            " money."
        ),
        ask_to="do it",
        back_url=reverse("manage:incentives_payouts"),
        back_label="Back to the payout runs",
        base_template="incentives/manage/_base.html",
        context={"nav": "incentives", "can_edit": True},
    )


def _finance(view):
    """Channel managers read; a POST needs `can_run_payouts` (else the 403 page saying whom to ask)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.can_run_payouts = payouts.can_run_payouts(request.user)  # type: ignore[attr-defined]
        if request.method not in SAFE_METHODS and not request.can_run_payouts:  # type: ignore[attr-defined]
            return forbidden(request)
        return view(request, *args, **kwargs)

    return manager_required(wrapper)


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"nav": "incentives", "can_edit": True, "can_run": request.can_run_payouts} | extra  # type: ignore[attr-defined]


class RunForm(forms.Form):
    period_start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PaidForm(forms.Form):
    payment_reference = forms.CharField(label="Payment reference", max_length=120)
    paid_on = forms.DateField(label="Paid on", widget=forms.DateInput(attrs={"type": "date"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=1000)


def _previous_month() -> tuple:
    first = timezone.localdate().replace(day=1)
    end = first - timedelta(days=1)
    return end.replace(day=1), end


@exports_csv("manage:incentives_payouts_export")
@_finance
def run_list(request: HttpRequest) -> HttpResponse:
    start, end = _previous_month()
    form = RunForm(initial={"period_start": start, "period_end": end})
    if request.method == "POST":
        form = RunForm(request.POST)
        if form.is_valid():
            try:
                run = payouts.run_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "Payout run drafted: check its lines, leave any out, then approve it.")
                return redirect("manage:incentives_payout_run", pk=run.pk)
    runs = payouts.runs_with_totals()
    waiting = EarningLine.objects.filter(state=EarningLine.State.APPROVED, payout_run__isnull=True)
    context = _context(request, runs=runs, form=form, waiting=waiting.count())
    return render(request, "incentives/manage/payouts.html", context, status=400 if form.errors else 200)


@_finance
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(PayoutRun.objects.select_related("created_by", "approved_by", "paid_by"), pk=pk)
    paid_form = PaidForm(initial={"paid_on": timezone.localdate()})
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "approve":
                claimed = payouts.run_approve(actor=request.user, run=run)
                messages.success(request, f"Run approved: {claimed} line(s) are in it. Export it for finance.")
            elif action == "paid":
                paid_form = PaidForm(request.POST)
                if not paid_form.is_valid():
                    raise ValidationError("Give the payment reference and the day it was paid.")
                payouts.run_mark_paid(actor=request.user, run=run, **paid_form.cleaned_data)
                messages.success(request, "Run marked paid; each partner was told what it was paid.")
            elif action == "cancel":
                form = ReasonForm(request.POST)
                payouts.run_cancel(actor=request.user, run=run, reason=form.data.get("reason", ""))
                messages.success(request, "Run cancelled: its lines are waiting for a later run.")
            elif action in ("exclude", "include"):
                line_pk = request.POST.get("line", "")
                if not line_pk.isdigit() or len(line_pk) > 18:
                    raise ValidationError("Choose a line.")
                line = EarningLine.objects.select_related("partner").filter(pk=int(line_pk)).first()
                if line is None:
                    raise ValidationError(f"Line #{line_pk} does not exist: reload the run.")
                if action == "exclude":
                    payouts.line_exclude(actor=request.user, run=run, line=line, reason=request.POST.get("reason"))
                    messages.success(request, f"Line #{line.pk} is left out of this run.")
                else:
                    payouts.line_include(actor=request.user, run=run, line=line)
                    messages.success(request, f"Line #{line.pk} is back in the run.")
            else:
                raise Http404("Not found")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        if not paid_form.errors:
            return redirect("manage:incentives_payout_run", pk=run.pk)
    lines = list(payouts.run_lines(run))
    rows, total = payouts.run_totals(run, lines)
    context = _context(
        request,
        run=run,
        lines=lines,
        rows=rows,
        total=total,
        exclusions=list(payouts.run_exclusions(run)),
        paid_form=paid_form,
    )
    return render(request, "incentives/manage/payouts_run.html", context, status=400 if paid_form.errors else 200)


RUNS_HEADER = [
    "run",
    "period start",
    "period end",
    "status",
    "partners",
    "total",
    "currency",
    "approved by",
    "approved",
    "paid on",
    "payment reference",
]


@_finance
def runs_csv(request: HttpRequest) -> HttpResponse:
    """The runs the list shows, one row per run and currency of its total (a run with no line has one row)."""

    def rows():
        for run in payouts.runs_with_totals():
            head = [run.pk, run.period_start.isoformat(), run.period_end.isoformat(), run.get_status_display()]
            tail = [
                run.approved_by.email if run.approved_by else "",
                csv_time(run.approved_at),
                run.paid_on.isoformat() if run.paid_on else "",
                run.payment_reference,
            ]
            for amount, currency in list(run.total) or [("", "")]:
                yield [*head, run.partners, amount, currency, *tail]

    return csv_response(name="payout-runs", header=RUNS_HEADER, rows=rows())


CSV_HEADER = [
    "run",
    "partner",
    "partner id",
    "line",
    "kind",
    "deal",
    "earned on",
    "amount",
    "currency",
    "calculation",
    "state",
]


@_finance
def run_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(PayoutRun, pk=pk)
    rows = (
        [
            run.pk,
            line.partner.name,
            line.partner_id,
            line.pk,
            line.get_rule_kind_display(),
            line.registration.name if line.registration_id else "",
            line.earned_on.isoformat(),
            line.amount,
            line.currency,
            line.calculation,
            line.get_state_display(),
        ]
        for line in payouts.run_lines(run).iterator()
    )
    return csv_response(name=f"payout-run-{run.pk}", header=CSV_HEADER, rows=rows)


@_finance
def remittance(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    run = get_object_or_404(PayoutRun, pk=pk)
    partner = get_object_or_404(Partner, pk=partner_pk)
    lines = list(payouts.run_lines(run).filter(partner=partner))
    if not lines:
        raise Http404("This partner has no line in this run.")
    _, total = payouts.run_totals(run, lines)
    context = _context(request, run=run, partner=partner, lines=lines, total=total, program=program_get())
    return render(request, "incentives/manage/remittance.html", context)


manage_urlpatterns = [
    path("incentives/payouts/", run_list, name="incentives_payouts"),
    path("incentives/payouts/export.csv", runs_csv, name="incentives_payouts_export"),
    path("incentives/payouts/<id:pk>/", run_detail, name="incentives_payout_run"),
    path("incentives/payouts/<id:pk>/export.csv", run_csv, name="incentives_payout_run_csv"),
    path(
        "incentives/payouts/<id:pk>/remittance/<id:partner_pk>/",
        remittance,
        name="incentives_payout_remittance",
    ),
]
portal_urlpatterns: list = []
