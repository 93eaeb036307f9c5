"""Budgets per partner and period, tier pools, allocations one at a time and from a CSV file (checked and shown
first; written only when every row is right, all at once)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mdf import selectors, services
from mdf.forms.manage import AllocateForm, ImportForm, PoolForm, open_periods
from mdf.ledger import Balance, balance_of, balance_totals
from mdf.models import Budget, Period
from mdf.services.importing import MAX_ROWS
from partners.models import Partner
from prm.access import manager_required
from prm.csv_export import exports_csv

from .common import NAV, PER_PAGE, attach_errors, balance_words, m, totals_words

EXAMPLE_CSV = 'partner,amount,memo\nNorthwind Solutions,5000,Q3 events\n1042,"2,500.00",Webinar series\n'


def _chosen_period(value: str | None, periods: list[Period]) -> Period:
    """The period asked for (?period=<id>), else the current one."""
    by_id = {str(p.pk): p for p in periods}
    if value and value in by_id:
        return by_id[value]
    return services.current_period()


def budget_rows(request: HttpRequest, *, periods: list[Period] | None = None, period: Period | None = None):
    """The period shown (`?period=`, else the current one), the name searched (`?q=`), every partner row of that
    period, and the rows the search keeps."""
    if period is None:
        period = _chosen_period(request.GET.get("period"), periods or selectors.periods_list())
    search = request.GET.get("q", "").strip()[:200]
    rows = selectors.budgets_overview(period=period)
    shown = [row for row in rows if search.lower() in row.partner.name.lower()] if search else rows
    return period, search, rows, shown


def _render_budgets(
    request: HttpRequest, *, period: Period | None = None, pool_form: PoolForm | None = None, status: int = 200
) -> HttpResponse:
    periods = selectors.periods_list()
    period, search, rows, shown = budget_rows(request, periods=periods, period=period)
    currency = services.mdf_settings().currency
    total = balance_totals(row.balance for row in rows if row.budget is not None)
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    items = [
        {"partner": row.partner, "budget": row.budget, "words": balance_words(row.balance), "balance": row.balance}
        for row in page.object_list
    ]
    pools = [
        {"pool": pool, "amount": m(pool.amount, pool.currency), "left": m(left, pool.currency), "short": left <= 0}
        for pool, left in selectors.pools_overview(period=period)
    ]
    expired = period.funds_expired_at is not None
    context = {
        "period": period,
        "periods": periods,
        "page": page,
        "items": items,
        "search": search,
        "any_budget": bool(rows),
        "total": totals_words(total, currency),
        "pools": pools,
        "pool_form": pool_form or PoolForm(initial={"period": period.pk}),
        "expired": expired,
        "expires_on": services.funds_expire_on(period),
        "tab": "budgets",
        "nav": NAV,
    }
    return render(request, "mdf/manage/budgets.html", context, status=status)


@exports_csv("manage:mdf_export", kind="budgets")
@manager_required
def budgets(request: HttpRequest) -> HttpResponse:
    return _render_budgets(request)


@manager_required
@require_POST
def pool_set(request: HttpRequest) -> HttpResponse:
    form = PoolForm(request.POST)
    if not form.is_valid():
        return _render_budgets(request, period=_posted_period(request), pool_form=form, status=400)
    data = form.cleaned_data
    try:
        pool = services.pool_set(actor=request.user, period=data["period"], tier=data["tier"], amount=data["amount"])
    except ValidationError as exc:
        attach_errors(form, exc)
        return _render_budgets(request, period=data["period"], pool_form=form, status=400)
    messages.success(
        request,
        f"The {pool.tier} pool for {pool.period} is {m(pool.amount, pool.currency)}. Allocations may draw on it.",
    )
    return redirect(f"{reverse('manage:mdf_budgets')}?period={pool.period_id}")


def _posted_period(request: HttpRequest) -> Period | None:
    value = request.POST.get("period", "")
    return Period.objects.filter(pk=value).first() if value.isdigit() and len(value) < 12 else None


# --- One allocation ---------------------------------------------------------------------------------------------


def _initial(request: HttpRequest) -> dict:
    initial = {}
    for name in ("partner", "period"):
        value = request.GET.get(name, "")
        if value.isdigit() and len(value) < 12:
            initial[name] = int(value)
    initial.setdefault("period", services.current_period().pk)
    return initial


def _current_balance(form: AllocateForm) -> dict | None:
    """The balance of the partner and period the form is about, when both are known (to show what changes)."""
    partner_id = form["partner"].value()
    period_id = form["period"].value()
    if not all(str(value or "").isdigit() and len(str(value)) < 12 for value in (partner_id, period_id)):
        return None  # nothing typed yet, or not an id (a 20-digit number overflows the database's integer)
    budget = (
        Budget.objects.filter(partner_id=partner_id, period_id=period_id).select_related("partner", "period").first()
    )
    if budget is None:
        partner = Partner.objects.filter(pk=partner_id).first()
        period = Period.objects.filter(pk=period_id).first()
        if partner is None or period is None:
            return None
        return {
            "partner": partner,
            "period": period,
            "words": balance_words(Balance.empty(services.mdf_settings().currency)),
        }
    return {"partner": budget.partner, "period": budget.period, "words": balance_words(balance_of(budget))}


def _render_allocate(request: HttpRequest, form: AllocateForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "current": _current_balance(form), "tab": "budgets", "nav": NAV}
    return render(request, "mdf/manage/allocate.html", context, status=status)


@manager_required
def allocate(request: HttpRequest) -> HttpResponse:
    selectors.periods_list()  # the current and the next period exist to be chosen
    if request.method != "POST":
        return _render_allocate(request, AllocateForm(initial=_initial(request)))
    form = AllocateForm(request.POST)
    if not form.is_valid():
        return _render_allocate(request, form, status=400)
    data = form.cleaned_data
    try:
        entry = services.allocation_create(
            actor=request.user,
            partner=data["partner"],
            period=data["period"],
            amount=data["amount"],
            memo=data["memo"],
            pool=data["pool"],
        )
    except ValidationError as exc:
        attach_errors(form, exc)
        return _render_allocate(request, form, status=400)
    available = balance_of(entry.budget).available
    verb = "Allocated" if entry.amount > 0 else "Corrected the allocation by"
    messages.success(
        request,
        f"{verb} {m(entry.amount, entry.currency)} for {data['partner']} in {data['period']}; "
        f"{m(available, entry.currency)} is available now. The partner is told.",
    )
    return redirect(f"{reverse('manage:mdf_budgets')}?period={data['period'].pk}")


# --- CSV import -------------------------------------------------------------------------------------------------


def _render_import(request: HttpRequest, form: ImportForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "example_csv": EXAMPLE_CSV, "max_rows": MAX_ROWS, "tab": "budgets", "nav": NAV}
    return render(request, "mdf/manage/import.html", context, status=status)


@manager_required
def allocation_import(request: HttpRequest) -> HttpResponse:
    """Upload (or paste) → preview with every row's problem → confirm, which checks again and writes all or none."""
    selectors.periods_list()
    if request.method != "POST":
        initial = {"period": _initial(request)["period"]}
        return _render_import(request, ImportForm(initial=initial))
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_import(request, form, status=400)
    period = form.cleaned_data["period"]
    text = form.cleaned_data["csv_text"]
    commit = request.POST.get("confirm") == "1"
    try:
        result = services.allocations_import(actor=request.user, text=text, period=period, commit=commit)
    except ValidationError as exc:
        attach_errors(form, exc)
        return _render_import(request, form, status=400)
    if result.committed:
        count = len(result.rows)
        messages.success(
            request,
            f"Allocated {result.total_display} to {count} partner{'s' if count != 1 else ''} for {period}. "
            "Each partner is told.",
        )
        return redirect(f"{reverse('manage:mdf_budgets')}?period={period.pk}")
    rows = [
        {"row": row, "amount": m(row.amount, result.currency) if row.amount is not None else "—"} for row in result.rows
    ]
    context = {
        "result": result,
        "rows": rows,
        "error_rows": [item for item in rows if item["row"].error],
        "period": period,
        "periods": open_periods(),
        "text": text,
        "confirmed": commit,
        "tab": "budgets",
        "nav": NAV,
    }
    return render(request, "mdf/manage/import_preview.html", context, status=400 if result.errors else 200)
