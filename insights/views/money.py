"""Money, for the channel team: the reporting currency, the exchange-rate table (add, edit, delete, CSV import and
export), the rates the data still needs, the startup's direct revenue per month and its other costs per partner.
Every write goes through insights.services.money."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from insights.forms.money import DirectRevenueForm, ImportForm, ProgramCostForm, RateForm
from insights.models import DirectRevenue, ProgramCost
from insights.services import money as services
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.forms import attach_errors
from prm.models import ExchangeRate

NAV = "insights"
PER_PAGE = 50
RATES_EXAMPLE = "currency,month,rate\nEUR,2026-01,1.0825\nEUR,2026-02,1.0790\nGBP,2026-01,1.2650\n"
DIRECT_EXAMPLE = 'month,currency,amount,note\n2026-01,USD,125000.00,Q1 renewals\n2026-02,EUR,"40,000",\n'


def _context(**extra) -> dict:
    if "reporting_currency" not in extra:
        extra["reporting_currency"] = services.reporting_currency()
    return {"nav": NAV, **extra}


def _program_settings_url() -> str:
    return reverse("manage:program_settings")


# --- Overview: reporting currency, missing rates, the rate table ---------------------------------------------------


def _rates(request: HttpRequest, *, to: str):
    """The rate table's rows: rates into the reporting currency, of one currency with `?currency=`."""
    currency = request.GET.get("currency", "").strip().upper()[:3]
    rates = ExchangeRate.objects.filter(to_currency=to).select_related("updated_by").order_by("-month", "currency")
    return (rates.filter(currency=currency) if currency else rates), currency


@exports_csv("manage:money_rate_export")
@manager_required
def money(request: HttpRequest) -> HttpResponse:
    to = services.reporting_currency()
    rates, currency = _rates(request, to=to)
    page = Paginator(rates, PER_PAGE).get_page(request.GET.get("page"))
    currencies = list(
        ExchangeRate.objects.filter(to_currency=to).order_by("currency").values_list("currency", flat=True).distinct()
    )
    other = ExchangeRate.objects.exclude(to_currency=to).count()
    context = _context(
        reporting_currency=to,
        missing=services.missing_rates(to=to),
        page=page,
        rates=list(page.object_list),
        currencies=currencies,
        currency=currency,
        other_rates=other,
        form=RateForm(to=to),
        settings_url=_program_settings_url(),
        tab="rates",
    )
    return render(request, "insights/money/overview.html", context)


def _rate_form_page(request: HttpRequest, form: RateForm, rate: ExchangeRate | None, status: int = 200):
    return render(
        request,
        "insights/money/rate_form.html",
        _context(form=form, rate=rate, tab="rates"),
        status=status,
    )


@manager_required
def rate_add(request: HttpRequest) -> HttpResponse:
    to = services.reporting_currency()
    if request.method != "POST":
        # Prefilled from the "missing rates" list (?currency=EUR&month=2026-03).
        initial = {"currency": request.GET.get("currency", "")[:3], "month": request.GET.get("month", "")[:7]}
        return _rate_form_page(request, RateForm(initial=initial, to=to), None)
    form = RateForm(request.POST, to=to)
    if form.is_valid():
        try:
            rate, created = services.exchange_rate_save(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            verb = "Added" if created else "Replaced"
            messages.success(request, f"{verb}: {rate}.")
            return redirect(reverse("manage:money") + "#rates")
    return _rate_form_page(request, form, None, status=400)


@manager_required
def rate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rate = get_object_or_404(ExchangeRate, pk=pk)
    to = rate.to_currency
    if request.method != "POST":
        initial = {"currency": rate.currency, "month": f"{rate.month:%Y-%m}", "rate": f"{rate.rate.normalize():f}"}
        return _rate_form_page(request, RateForm(initial=initial, to=to), rate)
    form = RateForm(request.POST, to=to)
    if form.is_valid():
        try:
            rate, _ = services.exchange_rate_save(actor=request.user, data=form.cleaned_data, rate=rate)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"Saved: {rate}.")
            return redirect(reverse("manage:money") + "#rates")
    return _rate_form_page(request, form, rate, status=400)


@manager_required
@require_POST
def rate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rate = ExchangeRate.objects.filter(pk=pk).first()
    if rate is not None:
        services.exchange_rate_delete(actor=request.user, rate=rate)
        messages.success(request, f"Deleted: {rate}.")
    return redirect(reverse("manage:money") + "#rates")


@manager_required
def rate_export(request: HttpRequest) -> HttpResponse:
    """The rate table as the page filters it, in the import's format (plus the currency converted into)."""
    rates, _ = _rates(request, to=services.reporting_currency())
    rows = rates.order_by("to_currency", "currency", "month").values_list("currency", "to_currency", "month", "rate")
    return csv_response(
        name="exchange-rates",
        header=["currency", "to_currency", "month", "rate"],
        rows=((c, t, f"{m:%Y-%m}", f"{r.normalize():f}") for c, t, m, r in rows.iterator()),
    )


def _import_page(request: HttpRequest, *, kind: str) -> HttpResponse:
    """Upload or paste → every row checked and shown → "import all" writes them together (only when all are
    right)."""
    run = services.exchange_rates_import if kind == "rates" else services.direct_revenue_import
    target = "manage:money_rate_import" if kind == "rates" else "manage:money_direct_import"
    back = "manage:money" if kind == "rates" else "manage:money_direct"
    context = _context(
        kind=kind,
        action=reverse(target),
        back=reverse(back),
        example=RATES_EXAMPLE if kind == "rates" else DIRECT_EXAMPLE,
        max_rows=services.MAX_ROWS,
        tab="rates" if kind == "rates" else "direct",
    )
    if request.method != "POST":
        return render(request, "insights/money/import.html", {**context, "form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "insights/money/import.html", {**context, "form": form}, status=400)
    text = form.cleaned_data["text"]
    confirm = request.POST.get("confirm") == "1"
    result = run(actor=request.user, text=text, commit=confirm)
    if confirm and result.written:
        messages.success(request, f"Imported {result.written} row{'s' * (result.written != 1)}.")
        return redirect(back)
    status = 400 if result.errors else 200
    return render(
        request,
        "insights/money/import_preview.html",
        {**context, "result": result, "text": text, "confirmed": confirm},
        status=status,
    )


@manager_required
def rate_import(request: HttpRequest) -> HttpResponse:
    return _import_page(request, kind="rates")


# --- Direct revenue ---------------------------------------------------------------------------------------------


def _direct_rows():
    return DirectRevenue.objects.select_related("updated_by").order_by("-month", "currency")


@exports_csv("manage:money_direct_export")
@manager_required
def direct(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DirectRevenueForm(request.POST)
        if form.is_valid():
            try:
                row = services.direct_revenue_save(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Recorded: {row}.")
                return redirect("manage:money_direct")
        status = 400
    else:
        form = DirectRevenueForm(initial={"currency": services.reporting_currency()})
        status = 200
    page = Paginator(_direct_rows(), PER_PAGE).get_page(request.GET.get("page"))
    context = _context(form=form, page=page, rows=list(page.object_list), tab="direct")
    return render(request, "insights/money/direct.html", context, status=status)


@manager_required
def direct_export(request: HttpRequest) -> HttpResponse:
    rows = (
        [f"{row.month:%Y-%m}", row.amount, row.currency, row.note, row.updated_by.email if row.updated_by else ""]
        for row in _direct_rows().iterator()
    )
    return csv_response(name="direct-revenue", header=["month", "amount", "currency", "note", "updated by"], rows=rows)


@manager_required
def direct_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(DirectRevenue, pk=pk)
    if request.method != "POST":
        initial = {
            "month": f"{row.month:%Y-%m}",
            "currency": row.currency,
            "amount": f"{row.amount:.2f}",
            "note": row.note,
        }
        form = DirectRevenueForm(initial=initial)
        return render(request, "insights/money/direct_form.html", _context(form=form, row=row, tab="direct"))
    form = DirectRevenueForm(request.POST)
    if form.is_valid():
        try:
            row = services.direct_revenue_save(actor=request.user, data=form.cleaned_data, row=row)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"Saved: {row}.")
            return redirect("manage:money_direct")
    return render(request, "insights/money/direct_form.html", _context(form=form, row=row, tab="direct"), status=400)


@manager_required
@require_POST
def direct_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = DirectRevenue.objects.filter(pk=pk).first()
    if row is not None:
        services.direct_revenue_delete(actor=request.user, row=row)
        messages.success(request, f"Deleted: {row}.")
    return redirect("manage:money_direct")


@manager_required
def direct_import(request: HttpRequest) -> HttpResponse:
    return _import_page(request, kind="direct")


# --- Program costs per partner -------------------------------------------------------------------------------


def _cost_rows():
    return ProgramCost.objects.select_related("partner", "created_by").order_by("-incurred_on", "-pk")


@exports_csv("manage:money_costs_export")
@manager_required
def costs(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProgramCostForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "partner"}
            try:
                cost = services.program_cost_add(actor=request.user, partner=form.cleaned_data["partner"], data=data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Recorded: {cost}.")
                return redirect("manage:money_costs")
        status = 400
    else:
        initial = {"currency": services.reporting_currency()}
        partner = request.GET.get("partner", "")
        if partner.isdigit() and len(partner) < 12:
            initial["partner"] = int(partner)
        form = ProgramCostForm(initial=initial)
        status = 200
    page = Paginator(_cost_rows(), PER_PAGE).get_page(request.GET.get("page"))
    context = _context(form=form, page=page, rows=list(page.object_list), tab="costs")
    return render(request, "insights/money/costs.html", context, status=status)


COST_HEADER = ["date", "partner", "partner id", "kind", "amount", "currency", "note", "recorded by", "recorded"]


@manager_required
def costs_export(request: HttpRequest) -> HttpResponse:
    rows = (
        [
            cost.incurred_on.isoformat(),
            cost.partner.name,
            cost.partner_id,
            cost.get_kind_display(),
            cost.amount,
            cost.currency,
            cost.note,
            cost.created_by.email if cost.created_by else "",
            csv_time(cost.created_at),
        ]
        for cost in _cost_rows().iterator()
    )
    return csv_response(name="program-costs", header=COST_HEADER, rows=rows)


@manager_required
@require_POST
def cost_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cost = ProgramCost.objects.filter(pk=pk).select_related("partner").first()
    if cost is not None:
        services.program_cost_delete(actor=request.user, cost=cost)
        messages.success(request, f"Deleted: {cost}.")
    return redirect("manage:money_costs")


manage_urlpatterns: list = [
    path("insights/money/", money, name="money"),
    path("insights/money/rates/new/", rate_add, name="money_rate_add"),
    path("insights/money/rates/<id:pk>/edit/", rate_edit, name="money_rate_edit"),
    path("insights/money/rates/<id:pk>/delete/", rate_delete, name="money_rate_delete"),
    path("insights/money/rates/import/", rate_import, name="money_rate_import"),
    path("insights/money/rates/export.csv", rate_export, name="money_rate_export"),
    path("insights/money/direct/", direct, name="money_direct"),
    path("insights/money/direct/export.csv", direct_export, name="money_direct_export"),
    path("insights/money/direct/<id:pk>/edit/", direct_edit, name="money_direct_edit"),
    path("insights/money/direct/<id:pk>/delete/", direct_delete, name="money_direct_delete"),
    path("insights/money/direct/import/", direct_import, name="money_direct_import"),
    path("insights/money/costs/", costs, name="money_costs"),
    path("insights/money/costs/export.csv", costs_export, name="money_costs_export"),
    path("insights/money/costs/<id:pk>/delete/", cost_delete, name="money_cost_delete"),
]
portal_urlpatterns: list = []
