"""Channel managers' accounts pages: the accounts the startup knows (named accounts, customers, its direct
pipeline), one account with its opportunities and the partner registrations matched to it, and the CSV import
(upload → preview → confirm)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from dealreg import services
from dealreg.forms_accounts import AccountForm, AccountImportForm, OpportunityForm
from dealreg.models import Account, DirectOpportunity
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.forms import attach_errors
from prm.names import normalize_company_name

PER_PAGE = 50
EXAMPLE_CSV = (
    "name,website,country,industry,size,named_account,customer,owner,external id\n"
    "Northwind Traders,northwind.com,US,Retail,midmarket,yes,no,Maya Chen,0015g00000XyZ1a\n"
    "Müller Maschinenbau GmbH,https://www.mueller-maschinen.de,Germany,Manufacturing,enterprise,no,yes,,\n"
    "Acme Ltd,acme.co.uk,GB,,smb,,,,\n"
)


# --- The list --------------------------------------------------------------------------------------------------


def _accounts(request: HttpRequest):
    """The accounts the list's filters in the address match (name, domain or exact external id search, named,
    customers, with open opportunities), by name, and the filters as the form shows them."""
    search = request.GET.get("q", "").strip()[:200]
    named = request.GET.get("named") == "1"
    customers = request.GET.get("customers") == "1"
    with_open = request.GET.get("open") == "1"
    accounts = Account.objects.annotate(
        open_count=Count("opportunities", filter=Q(opportunities__stage=DirectOpportunity.Stage.OPEN))
    )
    if search:
        lookup = Q(name__icontains=search) | Q(domain__icontains=search.lower()) | Q(external_id=search)
        key = normalize_company_name(search)
        if key:
            lookup |= Q(name_key__contains=key)
        accounts = accounts.filter(lookup)
    if named:
        accounts = accounts.filter(is_named_account=True)
    if customers:
        accounts = accounts.filter(is_customer=True)
    if with_open:
        accounts = accounts.filter(open_count__gt=0)
    return accounts.order_by("name", "pk"), {"q": search, "named": named, "customers": customers, "open": with_open}


@exports_csv("manage:account_export")
@manager_required
def account_list(request: HttpRequest) -> HttpResponse:
    accounts, filters = _accounts(request)
    page = Paginator(accounts, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "accounts": page.object_list,
        # The CRM's ids get a column only when some account on the page has one.
        "show_external_id": any(account.external_id for account in page.object_list),
        "filters": filters,
        "is_filtered": any(filters.values()),
        "any_account": bool(page.object_list) or Account.objects.exists(),
        "nav": "deals",
    }
    return render(request, "dealreg/accounts/list.html", context)


ACCOUNT_HEADER = (
    "id",
    "name",
    "domain",
    "country",
    "industry",
    "size",
    "named account",
    "customer",
    "open opportunities",
    "owner",
    "external id",
    "created",
)


@manager_required
def account_export(request: HttpRequest) -> HttpResponse:
    """Every account the list's filters match (not just the page shown), streamed."""
    accounts, _ = _accounts(request)
    rows = (
        [
            account.pk,
            account.name,
            account.domain,
            account.country.code if account.country else "",
            account.industry,
            account.get_size_display() if account.size else "",
            "yes" if account.is_named_account else "no",
            "yes" if account.is_customer else "no",
            account.open_count,
            account.account_owner,
            account.external_id,
            csv_time(account.created_at),
        ]
        for account in accounts.iterator(chunk_size=1000)
    )
    return csv_response(name="accounts", header=ACCOUNT_HEADER, rows=rows)


# --- One account -----------------------------------------------------------------------------------------------


@manager_required
def account_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "dealreg/accounts/form.html", {"form": AccountForm(), "nav": "deals"})
    form = AccountForm(request.POST)
    if form.is_valid():
        try:
            account = services.account_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"Added {account.name}.")
            return redirect("manage:account_detail", pk=account.pk)
    return render(request, "dealreg/accounts/form.html", {"form": form, "nav": "deals"}, status=400)


def _render_detail(request: HttpRequest, account: Account, form: AccountForm, status: int = 200) -> HttpResponse:
    opportunities = list(account.opportunities.order_by("-created_at"))
    registrations = list(account.registrations.select_related("partner").order_by("-created_at")[:100])
    context = {
        "account": account,
        "form": form,
        "opportunities": opportunities,
        "open_count": sum(1 for o in opportunities if o.stage == DirectOpportunity.Stage.OPEN),
        "registrations": registrations,
        "nav": "deals",
    }
    return render(request, "dealreg/accounts/detail.html", context, status=status)


@manager_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("created_by"), pk=pk)
    if request.method != "POST":
        return _render_detail(request, account, AccountForm.for_account(account))
    if request.POST.get("action") == "opportunity_stage":
        return _opportunity_stage(request, account)
    form = AccountForm(request.POST)
    if form.is_valid():
        try:
            services.account_update(actor=request.user, account=account, data=form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("manage:account_detail", pk=account.pk)
    return _render_detail(request, account, form, status=400)


def _opportunity_stage(request: HttpRequest, account: Account) -> HttpResponse:
    """Mark one of the account's opportunities won or lost (or open again), from its row on the account page."""
    opportunity = get_object_or_404(account.opportunities, pk=request.POST.get("opportunity") or 0)
    try:
        opportunity = services.opportunity_update(
            actor=request.user, opportunity=opportunity, data={"stage": request.POST.get("stage", "")}
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{opportunity.title}” is now {opportunity.get_stage_display().lower()}.")
    return redirect("manage:account_detail", pk=account.pk)


@manager_required
def opportunity_create(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    form = OpportunityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_create(actor=request.user, account=account, data=form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"Added the opportunity to {account.name}.")
            return redirect("manage:account_detail", pk=account.pk)
    status = 400 if request.method == "POST" else 200
    context = {"account": account, "form": form, "nav": "deals"}
    return render(request, "dealreg/accounts/opportunity_form.html", context, status=status)


# --- CSV import ------------------------------------------------------------------------------------------------


def _render_upload(request: HttpRequest, form: AccountImportForm, status: int = 200, problem: str = "") -> HttpResponse:
    context = {
        "form": form,
        "problem": problem,
        "example_csv": EXAMPLE_CSV,
        "max_rows": services.IMPORT_MAX_ROWS,
        "nav": "deals",
    }
    return render(request, "dealreg/accounts/import.html", context, status=status)


@manager_required
def account_import(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_upload(request, AccountImportForm())
    if "token" in request.POST:
        return _import_confirm(request, request.POST["token"])
    form = AccountImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_upload(request, form, status=400)
    try:
        preview = services.account_import_parse(file=form.cleaned_data["file"])
    except ValidationError as exc:
        form.add_error("file", exc.messages)
        return _render_upload(request, form, status=400)
    token = "" if preview.has_errors else services.account_import_store(actor=request.user, preview=preview)
    context = {"preview": preview, "token": token, "nav": "deals"}
    return render(request, "dealreg/accounts/import_preview.html", context)


def _import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        preview = services.account_import_load(actor=request.user, token=token)
        result = services.account_import_commit(actor=request.user, preview=preview)
    except ValidationError as exc:
        return _render_upload(request, AccountImportForm(), status=400, problem=" ".join(exc.messages))
    services.account_import_forget(token=token)
    messages.success(
        request,
        f"Imported {result.total} account{'s' if result.total != 1 else ''} "
        f"({result.created} new, {result.updated} updated).",
    )
    return redirect("manage:account_list")
