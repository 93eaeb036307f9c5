"""Every list in the manager app exports to CSV (issue 17, item 3), and the export is the list.

The rule: every manager page without a path parameter is either a list marked `@exports_csv(...)` (prm/csv_export.py)
or named below with the reason it is not a list, or the reason a list deliberately has no export. A new page that is
neither fails `test_every_manager_page_is_classified`.

Then, on the demo world with partners (and a few other texts) renamed to start with `=`, `+`, `-` and `@`: each
marked list's export answers a CSV with a header row and exactly the rows the page counts (unfiltered and with a
filter in the address, the same filter the page's "Export CSV" link carries), and no cell a spreadsheet would run
as a formula.
"""

import csv
import io
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.paginator import Page
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.html import escape
from django.utils.module_loading import import_string

from prm.csv_export import EXPORT_ATTR, FORMULA_PREFIXES, PLAIN_NUMBER

# --- Which pages are lists --------------------------------------------------------------------------------------

# Manager pages that show no list of records (forms, settings, indexes, wizard steps, charts).
NOT_A_LIST = {
    "manage:dashboard": "the start page: charts, each with its own `?format=csv&chart=` download",
    "manage:insights": "an index of the insights pages",
    "manage:money_rate_add": "a form",
    "manage:money_rate_import": "an import form",
    "manage:money_direct_import": "an import form",
    "manage:customer_new": "a form",
    "manage:partner_create": "a form",
    "manage:program_setup": "an index of the program setup pages",
    "manage:program_settings": "a settings form",
    "manage:setup_tier_create": "a form",
    "manage:setup_tier_preview": "a preview of the tier ladder before it is saved",
    "manage:setup_checklist_create": "a form",
    "manage:setup_agreement_create": "a form",
    "manage:setup_notifications": "a settings form",
    "manage:setup_wizard": "a setup wizard step",
    "manage:setup_wizard_tiers": "a setup wizard step",
    "manage:setup_wizard_onboarding": "a setup wizard step",
    "manage:setup_wizard_invite": "a setup wizard step",
    "manage:setup_wizard_done": "a setup wizard step",
    "manage:setup_wizard_skip": "a POST action",
    "manage:setup_wizard_deal_policy": "a setup wizard step",
    "manage:setup_deal_policy": "a settings form",
    "manage:account_create": "a form",
    "manage:account_import": "an import form",
    "manage:setup_product_create": "a form",
    "manage:enablement": "the enablement overview: counts, and links to every export",
    "manage:enablement_asset_new": "a form",
    "manage:enablement_course_new": "a form",
    "manage:enablement_certification_new": "a form",
    "manage:mdf_allocate": "a form",
    "manage:mdf_pool_set": "a POST action",
    "manage:mdf_import": "an import form",
    "manage:mdf_settings": "a settings form",
    "manage:setup_mdf_period_create": "a form",
    "manage:incentives_version_new": "a form",
    "manage:webhook_create": "a form",
    "manage:search": "search results across every kind of record, each linking to its own list",
    "manage:incentives": "the incentive plan's settings and its versions (configuration): its money is in the "
    "earnings and payout-run exports",
    "manage:lead_create": "a form",
    "manage:lead_settings": "a settings form",
    "manage:prospect_create": "a form",
}

# Lists that deliberately have no export here, and why.
NO_EXPORT = {
    "manage:api_tokens": "credentials: who holds a staff token and when it was last used stays in the app (the "
    "audit trail records each token made and revoked); a spreadsheet of them is a list to phish from",
    "manage:setup_tier_list": "the tier ladder: configuration shown as nested cards (each tier's requirements and "
    "benefits), not a list of records; the partner directory's export says who is on which tier",
    "manage:setup_checklist_list": "onboarding checklists: configuration (each partner type's steps), not a list of "
    "records",
}


def manager_pages(*, with_parameters: bool = False) -> dict[str, object]:
    """Every manager URL name without a path parameter (or, `with_parameters`, with one) → its view."""
    pages: dict[str, object] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                route = prefix + str(pattern.pattern)
                if route.startswith("manage/") and ("<" in route) == with_parameters and not route.endswith(".csv"):
                    pages[f"{namespace}{pattern.name}"] = pattern.callback

    walk(get_resolver().url_patterns, "", "")
    return pages


def exporting_lists(*, with_parameters: bool = False) -> dict[str, tuple[str, dict]]:
    pages = manager_pages(with_parameters=with_parameters)
    return {name: getattr(view, EXPORT_ATTR) for name, view in pages.items() if hasattr(view, EXPORT_ATTR)}


def test_every_manager_page_is_classified():
    pages = manager_pages()
    exporting = exporting_lists()
    unknown = sorted(set(pages) - set(exporting) - set(NOT_A_LIST) - set(NO_EXPORT))
    assert not unknown, f"Mark these lists @exports_csv(...), or say why they are not lists / have no export: {unknown}"
    assert not set(exporting) & (set(NOT_A_LIST) | set(NO_EXPORT)), "a page marked as exporting is also excused"
    stale = sorted((set(NOT_A_LIST) | set(NO_EXPORT)) - set(pages))
    assert not stale, f"No such manager page any more: {stale}"
    assert set(LISTS) <= set(exporting), "a case below is for a page that is not marked @exports_csv"
    # A list inside a record's page (an endpoint's delivery log) is checked on a record its case makes.
    assert set(exporting_lists(with_parameters=True)) == set(RECORD_LISTS)
    for _name, (export_name, kwargs) in exporting.items():
        reverse(export_name, kwargs=kwargs)  # the export the mark names exists


# --- Each list against its export -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    # A query string that narrows the list (and must narrow it on the demo world), or "" for a list with no filter.
    filter: str = ""
    # How the page counts its rows: its paginator `page` (the default), the body rows of the tables with this CSS
    # class, or the sum of the context variables `count` names (a paginator `page` counts its rows).
    table: str = ""
    count: tuple[str, ...] = ()
    # The CSV column that names a page row, when the export writes one row per currency of a row.
    key_column: int | None = None
    # A function (dotted path) to call first, when the demo world does not fill the list by itself.
    prepare: str = ""
    # False for a list without free text (only codes, dates and numbers): nothing there can be a formula.
    has_text: bool = True


LISTS: dict[str, Case] = {
    "manage:money": Case(filter="currency=GBP", has_text=False),
    "manage:money_direct": Case(),
    "manage:money_costs": Case(),
    "manage:reviews": Case(table="reviews"),
    "manage:review_actions": Case(filter="overdue=1", table="action-items"),
    "manage:deal_review_queue": Case(filter="conflict=1"),
    "manage:account_list": Case(filter="customers=1"),
    "manage:tier_proposal_list": Case(),
    "manage:partner_list": Case(filter="status=active"),
    "manage:deals": Case(filter="status=approved"),
    "manage:customers": Case(filter="status=active"),
    "manage:enablement_assets": Case(filter="published=no"),
    "manage:enablement_courses": Case(table="en-table"),
    "manage:enablement_certifications": Case(table="en-table"),
    "manage:enablement_grid": Case(filter="type=reseller"),
    "manage:enablement_expiring": Case(table="en-table"),
    "manage:mdf": Case(table="mdf-queue"),
    "manage:mdf_requests": Case(filter="status=approved"),
    "manage:mdf_claims": Case(filter="status=approved"),
    "manage:mdf_ledger": Case(filter="kind=allocation"),
    "manage:mdf_payouts": Case(),
    "manage:mdf_budgets": Case(filter="q=nobody-is-called-this"),
    "manage:mdf_roi": Case(),
    "manage:incentives_payouts": Case(table="payouts-runs", key_column=0),
    "manage:incentives_questions": Case(filter="status=open"),
    "manage:incentives_earnings": Case(filter="state=held"),
    "manage:incentives_recognition": Case(filter="kind=badge", count=("page", "withdrawn_count")),
    "manage:webhook_list": Case(table="webhook-endpoints", prepare=f"{__name__}._webhook_endpoints"),
    "manage:imports": Case(table="import-jobs", prepare=f"{__name__}._import_jobs"),
    "manage:setup_agreement_list": Case(table="agreement-versions"),
    "manage:setup_mdf_period_list": Case(count=("rows",)),
    "manage:setup_product_list": Case(count=("rows", "retired")),
    "manage:health_at_risk": Case(count=("total",), prepare="insights.health_store.compute_all"),
    "manage:application_list": Case(table="applications"),
    "manage:leads": Case(filter="status=won"),
    "manage:prospect_list": Case(filter="status=new"),
}


def _webhook_endpoints() -> None:
    """The demo world has no webhook endpoint: two, one with a description a spreadsheet would run."""
    from webhooks.models import WebhookEndpoint

    WebhookEndpoint.objects.create(url="https://crm.example.com/hooks/prm", description='=HYPERLINK("x")')
    WebhookEndpoint.objects.create(url="https://erp.example.com/in", events=["registration.approved"])


def _import_jobs() -> None:
    """The demo world has no import: two, one of a file whose name a spreadsheet would run."""
    from imports.models import ImportJob

    user = get_user_model().objects.get(email="manager@example.com")
    ImportJob.objects.create(kind="partners", file="imports/a.csv", filename="@SUM(A1).csv", created_by=user)
    ImportJob.objects.create(kind="accounts", file="imports/b.csv", filename="accounts.csv", created_by=user)


def _endpoint_with_deliveries() -> dict:
    """An endpoint with a delivered event and two failed ones, failing with text a spreadsheet would run."""
    from webhooks.models import WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(url="https://crm.example.com/hooks/log")
    for status, error in [("succeeded", ""), ("failed", "@SUM(1+1) timed out"), ("gave_up", "-1+2 refused")]:
        WebhookDelivery.objects.create(
            endpoint=endpoint, event_type="registration.approved", payload={}, status=status, error=error
        )
    return {"pk": endpoint.pk}


# Lists inside a record's page: the function (dotted path) that makes a record and returns the page's kwargs.
RECORD_LISTS: dict[str, tuple[str, Case]] = {
    "manage:webhook_detail": (f"{__name__}._endpoint_with_deliveries", Case(filter="show=failed")),
}


class _TableRows(HTMLParser):
    """Counts the body rows of the table that has a given class."""

    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class, self.depth, self.in_body, self.rows = css_class, 0, False, 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            if self.depth or self.css_class in (dict(attrs).get("class") or "").split():
                self.depth += 1
        elif self.depth == 1 and tag == "tbody":
            self.in_body = True
        elif self.depth == 1 and self.in_body and tag == "tr":
            self.rows += 1

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "tbody" and self.depth == 1:
            self.in_body = False


def _page_rows(response, case: Case) -> int:
    if case.table:
        parser = _TableRows(case.table)
        parser.feed(response.content.decode())
        return parser.rows
    if case.count:
        values = [response.context[name] for name in case.count]
        return sum(
            value.paginator.count if isinstance(value, Page) else len(value) if isinstance(value, list) else value
            for value in values
        )
    page = response.context.get("page")
    assert isinstance(page, Page), "a list without a paginator `page` needs Case(table=...) or Case(count=...)"
    return page.paginator.count


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _is_formula(cell: str) -> bool:
    return cell.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(cell)


PREFIXES = ("=", "+", "-", "@")


def _poison() -> None:
    """Give the demo world text a spreadsheet would run: partner names and the other free texts lists show."""
    from dealreg.models import Account, Product
    from enablement.models import Asset, Certification, Course
    from incentives.models import PayoutRun, Recognition
    from insights.models import ActionItem, DirectRevenue, ProgramCost, Review
    from leads.models import Lead
    from mdf.models import Period
    from partners.models import AgreementVersion, Partner, Prospect

    for i, pk in enumerate(Partner.objects.order_by("pk").values_list("pk", flat=True)):
        prefix = PREFIXES[i % len(PREFIXES)]
        Partner.objects.filter(pk=pk).update(name=f"{prefix}SUM(1+1) partner {pk}")
    for model, field in [
        (DirectRevenue, "note"),
        (ProgramCost, "note"),
        (ActionItem, "title"),
        (Review, "title"),
        (Account, "name"),
        (Asset, "title"),
        (Course, "title"),
        (Certification, "name"),
        (Recognition, "title"),
        (PayoutRun, "payment_reference"),
        (Product, "name"),
        (Period, "name"),
        (AgreementVersion, "title"),
        (Lead, "name"),
        (Prospect, "name"),
    ]:
        for i, pk in enumerate(model.objects.order_by("pk").values_list("pk", flat=True)):
            model.objects.filter(pk=pk).update(**{field: f"{PREFIXES[i % len(PREFIXES)]}cmd|' /C calc'!A{pk}"})


@pytest.fixture
def demo_manager(db) -> Client:
    call_command("seed_demo", verbosity=0)
    _poison()
    client = Client()
    client.force_login(get_user_model().objects.get(email="manager@example.com"))
    return client


def test_every_list_exports_the_rows_it_shows(demo_manager):
    failures: list[str] = []
    for name, (export_name, kwargs) in sorted(exporting_lists().items()):
        case = LISTS.get(name, Case())
        if case.prepare:
            import_string(case.prepare)()
        failures += _check(demo_manager, name, {}, reverse(export_name, kwargs=kwargs), case)
    assert not failures, "\n".join(failures)


def test_lists_inside_a_record_page_export_their_rows(demo_manager):
    failures: list[str] = []
    for name, (export_name, kwargs) in sorted(exporting_lists(with_parameters=True).items()):
        make, case = RECORD_LISTS[name]
        page_kwargs = import_string(make)()
        failures += _check(demo_manager, name, page_kwargs, reverse(export_name, kwargs=kwargs or page_kwargs), case)
    assert not failures, "\n".join(failures)


def _check(client: Client, name: str, page_kwargs: dict, export_url: str, case: Case) -> list[str]:
    """What is wrong with the export at `export_url` against the page `name`, unfiltered and with the filter."""
    failures: list[str] = []
    counts = {}
    for query in ["", case.filter] if case.filter else [""]:
        suffix = f"?{query}" if query else ""
        page = client.get(reverse(name, kwargs=page_kwargs) + suffix)
        assert page.status_code == 200, name
        shown = _page_rows(page, case)
        if shown and f'href="{escape(export_url + suffix)}' not in page.content.decode():
            failures.append(f"{name}{suffix}: no Export CSV link to {export_url + suffix}")
        rows = _csv_rows(client.get(export_url + suffix))
        header, data = rows[0], rows[1:]
        if not header or not all(header):
            failures.append(f"{name}: the export's header row is {header!r}")
        found = len({row[case.key_column] for row in data}) if case.key_column is not None else len(data)
        if found != shown:
            failures.append(f"{name}{suffix}: the page shows {shown} rows, the export has {found}")
        if any(len(row) != len(header) for row in data):
            failures.append(f"{name}{suffix}: a row has not as many cells as the header")
        formulas = [cell for row in rows for cell in row if _is_formula(cell)]
        if formulas:
            failures.append(f"{name}{suffix}: cells a spreadsheet runs: {formulas[:3]}")
        counts[query] = len(data)
        if not query and case.has_text:
            neutralised = [c for row in data for c in row if c[:1] == "'" and c[1:2] in PREFIXES]
            if data and not neutralised:
                failures.append(f"{name}: no neutralised cell, though the demo world's texts start with {PREFIXES}")
    if not counts[""]:
        failures.append(f"{name}: the demo world gives the list no row to check")
    if case.filter and not counts[""] > counts[case.filter]:
        failures.append(f"{name}: ?{case.filter} does not narrow the export ({counts})")
    return failures
