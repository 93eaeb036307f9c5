"""Customers and renewals for the channel team: contracts (renewals due first), a direct contract, a contract's page
(edit the term or renewal date, record the renewal's outcome), CSV import of contracts and outcomes, CSV export."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from insights.forms.customers import ContractEditForm, ContractForm, CsvImportForm, RenewalForm
from insights.models import CustomerContract
from insights.services import customers as services
from partners.models import Partner
from prm.access import manager_required
from prm.csv_export import csv_response, exports_csv
from prm.forms import attach_errors
from prm.money import format_money

NAV = "insights"
PAGE_SIZE = 50

CONTRACTS_EXAMPLE = """customer,start,amount,currency,term_months,renewal_on,partner,involvement,registration,owner
Acme Corp,2025-04-01,24000,USD,12,,,,,
Globex GmbH,2025-06-15,"18,000.00",EUR,24,,Northwind Solutions,sourced,,maya@startup.example.com
Initech,2025-09-01,9600,USD,,,,,1234,
"""
OUTCOMES_EXAMPLE = """contract,renewal_on,outcome,new_amount,note
12,2026-04-01,renewed,,
15,2026-06-15,expanded,"22,000.00",Added two teams
19,2026-09-01,churned,,Went with a competitor
"""
IMPORTS = {
    "contracts": {
        "title": "Import contracts",
        "run": services.contracts_import,
        "example": CONTRACTS_EXAMPLE,
        "verb": "Create",
        "noun": "contract",
    },
    "outcomes": {
        "title": "Import renewal outcomes",
        "run": services.outcomes_import,
        "example": OUTCOMES_EXAMPLE,
        "verb": "Record",
        "noun": "outcome",
    },
}


@exports_csv("manage:customers_export")
@manager_required
def contract_list(request: HttpRequest) -> HttpResponse:
    """Every contract, renewals due in the next 90 days (and passed ones) first."""
    filters = services.ContractFilters.from_params(request.GET)
    qs = services.contract_list(filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    due_qs = services.renewals_due(today=today)
    context = {
        "page": page,
        "rows": list(page),
        "filters": filters,
        "windows": services.WINDOWS,
        "statuses": CustomerContract.Status.choices,
        "partners": Partner.objects.filter(contracts__isnull=False).distinct().order_by("name").only("pk", "name"),
        "due_count": due_qs.count(),
        "due_totals": services.contract_totals(due_qs),
        "any_contract": filters.is_filtered or page.paginator.count > 0 or CustomerContract.objects.exists(),
        "today": today,
        "nav": NAV,
    }
    return render(request, "insights/customers/list.html", context)


@manager_required
def contract_export(request: HttpRequest) -> HttpResponse:
    filters = services.ContractFilters.from_params(request.GET)
    qs = services.contract_list(filters=filters)
    return csv_response(
        name="customer-contracts", header=services.EXPORT_HEADER, rows=services.contract_export_rows(qs)
    )


@manager_required
def contract_new(request: HttpRequest) -> HttpResponse:
    """Add a direct customer's contract (partner customers come from won registrations or the import)."""
    from insights.metrics import reporting_currency

    form = ContractForm(request.POST or None, initial={"currency": reporting_currency()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contract = services.contract_create(
                actor=request.user,
                customer_name=data["customer_name"],
                starts_on=data["starts_on"],
                amount=data["amount"],
                currency=data["currency"],
                term_months=data["term_months"],
                renewal_on=data["renewal_on"],
                owner=data["owner"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                f"Added {contract.customer_name}: renews on {contract.renewal_on:%b %-d, %Y}.",
            )
            return redirect("manage:customer_detail", pk=contract.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "insights/customers/form.html", {"form": form, "nav": NAV}, status=status)


def _detail(request: HttpRequest, contract: CustomerContract, *, edit=None, renewal=None, status=200) -> HttpResponse:
    edit = edit or ContractEditForm(
        initial={"term_months": contract.term_months, "renewal_on": contract.renewal_on, "owner": contract.owner_id}
    )
    renewal = renewal or RenewalForm(initial={"outcome": "renewed"})
    context = {
        "contract": contract,
        "outcomes": list(services.contract_outcomes(contract=contract)),
        "edit_form": edit,
        "renewal_form": renewal,
        "days_left": (contract.renewal_on - timezone.localdate()).days,
        "days_late": (timezone.localdate() - contract.renewal_on).days,
        "nav": NAV,
    }
    return render(request, "insights/customers/detail.html", context, status=status)


def _get(pk: int) -> CustomerContract:
    return get_object_or_404(CustomerContract.objects.select_related("partner", "owner", "registration"), pk=pk)


@manager_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(pk))


@manager_required
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get(pk)
    if request.method != "POST":
        return redirect("manage:customer_detail", pk=pk)
    form = ContractEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.contract_update(
                actor=request.user,
                contract=contract,
                term_months=data["term_months"],
                renewal_on=data["renewal_on"],
                owner=data["owner"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Saved the contract.")
            return redirect("manage:customer_detail", pk=pk)
    return _detail(request, contract, edit=form, status=400)


@manager_required
def contract_renewal(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get(pk)
    if request.method != "POST":
        return redirect("manage:customer_detail", pk=pk)
    form = RenewalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = services.renewal_record(
                actor=request.user,
                contract=contract,
                outcome=data["outcome"],
                new_amount=data["new_amount"],
                note=data["note"],
                due_on=contract.renewal_on,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            contract.refresh_from_db()
            if record.outcome == record.Outcome.CHURNED:
                messages.success(request, f"Recorded: {contract.customer_name} churned.")
            else:
                messages.success(
                    request,
                    f"Recorded: {record.get_outcome_display().lower()} at "
                    f"{format_money(record.new_amount, record.currency)}; "
                    f"the next renewal is on {contract.renewal_on:%b %-d, %Y}.",
                )
            return redirect("manage:customer_detail", pk=pk)
    return _detail(request, contract, renewal=form, status=400)


@manager_required
def contract_import(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload (or paste) → every row checked, with its problems → confirm, which checks again and writes all the
    rows or none."""
    spec = IMPORTS.get(kind)
    if spec is None:
        return redirect("manage:customers")
    columns = services.CONTRACT_COLUMNS if kind == "contracts" else services.OUTCOME_COLUMNS
    context = {
        "kind": kind,
        "spec": spec,
        "columns": columns,
        "max_rows": services.IMPORT_MAX_ROWS,
        "nav": NAV,
    }
    if request.method != "POST":
        return render(request, "insights/customers/import.html", {**context, "form": CsvImportForm()})
    form = CsvImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "insights/customers/import.html", {**context, "form": form}, status=400)
    text = form.cleaned_data["csv_text"]
    commit = request.POST.get("confirm") == "1"
    result = spec["run"](actor=request.user, text=text, commit=commit)
    if result.committed:
        count = len(result.rows)
        noun = f"{spec['noun']}{'s' if count != 1 else ''}"
        messages.success(request, f"Imported {count} {noun}.")
        return redirect("manage:customers")
    context |= {"result": result, "text": text, "confirmed": commit}
    return render(request, "insights/customers/import_preview.html", context, status=400 if result.has_errors else 200)


manage_urlpatterns = [
    path("insights/customers/", contract_list, name="customers"),
    path("insights/customers/export.csv", contract_export, name="customers_export"),
    path("insights/customers/new/", contract_new, name="customer_new"),
    path("insights/customers/import/<slug:kind>/", contract_import, name="customers_import"),
    path("insights/customers/<id:pk>/", contract_detail, name="customer_detail"),
    path("insights/customers/<id:pk>/edit/", contract_edit, name="customer_edit"),
    path("insights/customers/<id:pk>/renewal/", contract_renewal, name="customer_renewal"),
]
portal_urlpatterns: list = []
