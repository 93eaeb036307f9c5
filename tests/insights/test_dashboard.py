"""The manager's home (/manage/) and the Insights page (/manage/insights/): what needs you now, metrics led by the
program's stage, charts with their numbers and CSV, period and filters (bad ones say so), htmx partial refresh,
badges in the navigation, and a query count that does not grow with the data."""

import csv
import io
import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg.models import Registration
from insights.metrics import Period
from partners.models import Partner, Program
from prm.models import ExchangeRate
from tests.dealreg.factories_registrations import SubmittedRegistrationFactory
from tests.factories import PartnerFactory
from tests.partners.factories_recruitment import submit_application

D = Decimal
DASHBOARD = "/manage/"
INSIGHTS = "/manage/insights/"


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def won(partner, currency, amount, day, involvement="sourced"):
    r = Registration.objects.create(
        partner=partner, name=f"Customer {Registration.objects.count() + 1}", involvement=involvement,
        currency=currency, value=D(amount), won_amount=D(amount), status="won",
    )  # fmt: skip
    Registration.objects.filter(pk=r.pk).update(submitted_at=at(day), closed_at=at(day))
    return r


def submitted(partner, currency, amount, day, involvement="influenced"):
    r = Registration.objects.create(
        partner=partner, name=f"Customer {Registration.objects.count() + 1}", involvement=involvement,
        currency=currency, value=D(amount), status="approved",
    )  # fmt: skip
    Registration.objects.filter(pk=r.pk).update(submitted_at=at(day))
    return r


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def program(db):
    """USD reporting; EUR at 1.10 this month. Alpha (VAR, EMEA) won USD 1,000 and EUR 2,000 this month; Beta
    (reseller, NA) has EUR 500 of influenced pipeline; last quarter Alpha won USD 400."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    Program.objects.update_or_create(pk=1, defaults={"reporting_currency": "USD", "pmi_stage": 3})
    ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=this_month, rate=D("1.10"))
    alpha = PartnerFactory(name="Alpha", type=Partner.Type.VAR, regions=["emea"], route_to_market="resellers")
    beta = PartnerFactory(name="Beta", type=Partner.Type.RESELLER, regions=["na"], route_to_market="distribution")
    won(alpha, "USD", 1000, today)
    won(alpha, "EUR", 2000, today)
    submitted(beta, "EUR", 500, today)
    won(alpha, "USD", 400, Period.named("last_quarter").start + timedelta(days=3))
    return alpha, beta


def test_guarded_for_channel_managers_only(client, admin_client_a, outsider_client):
    for url in (DASHBOARD, INSIGHTS):
        assert client.get(url).status_code == 302  # to sign in
        assert admin_client_a.get(url).status_code == 404
        assert outsider_client.get(url).status_code == 404


def test_empty_program_gets_a_helpful_start(manager_client):
    response = manager_client.get(DASHBOARD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "What needs you now" in page
    assert "Start with your first partners" in page
    assert "/apply/" in page
    # Stage 1 by default: which partners to recruit first, counting what the program has (nothing yet).
    assert "Recruit next" in page
    assert "Design partner" in page
    assert "0 active · 0 onboarding" in page
    assert 'id="insights-report"' not in page
    bad = manager_client.get(DASHBOARD + "?period=decade&format=csv&chart=pipeline")
    assert bad.status_code == 200
    assert "Unknown period" in bad.content.decode()


def test_dashboard_with_data_leads_with_the_stage_metrics_and_converts(manager_client, program):
    response = manager_client.get(DASHBOARD)
    assert response.status_code == 200
    snap = response.context["snap"]
    # Stage 3 leads with revenue, retention and ROI.
    assert [m.key for m in snap.lead_metrics()][:2] == ["sourced_revenue", "influenced_revenue"]
    assert snap["sourced_revenue"].value == D("3200.00")  # USD 1,000 + EUR 2,000 × 1.10
    page = response.content.decode()
    assert "What matters at your stage" in page
    assert "$3,200" in page
    assert "as of" in page
    assert "Recruit next" not in page  # stage 3 has its formal program
    lead = page.index('id="lead-title"')
    other = page.index('id="other-title"')
    assert lead < page.index('data-metric="sourced_revenue"') < other
    assert page.index('data-metric="registrations"') > other


def test_every_chart_has_its_data_numbers_and_csv(manager_client, program):
    response = manager_client.get(DASHBOARD)
    page = response.content.decode()
    names = [c.name for c in response.context["charts"]]
    assert names == [
        "pipeline",
        "revenue",
        "mix",
        "funnel",
        "status",
        "top_partners",
        "rtm",
        "region",
        "renewals",
        "renewal_outcomes",
    ]
    for name in names:
        assert f'<script id="chart-{name}-data" type="application/json">' in page
        assert f"format=csv&amp;chart={name}" in page
    assert page.count("<summary>Numbers</summary>") == len(names)
    assert page.count('<canvas data-chart="chart-') >= 5
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "js/insights-charts.js" in page
    # The JSON a chart is drawn from: top partners, Alpha first with its converted won revenue.
    start = page.index('<script id="chart-top_partners-data" type="application/json">')
    data = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert data["labels"] == ["Alpha"]
    assert data["datasets"][0]["data"] == [3200.0]
    assert data["money"] is True
    assert data["currency"] == "USD"
    # Its numbers table says the same, with the currency, and at which rates.
    top = next(c for c in response.context["charts"] if c.name == "top_partners")
    assert top.rows == [["Alpha", "$3,200"]]
    assert top.rates_note.startswith("Converted to USD at ")


def test_chart_csv(manager_client, program):
    rows = csv_rows(manager_client.get(DASHBOARD + "?format=csv&chart=top_partners"))
    assert rows[0] == ["partner id", "partner", "won revenue", "currency"]
    assert rows[1][1:] == ["Alpha", "3200.00", "USD"]
    mix = csv_rows(manager_client.get(DASHBOARD + "?format=csv&chart=mix"))
    assert mix[0][0] == "group"
    assert mix[1][:2] == ["Partner-led (sourced)", "3200.00"]
    pipeline = csv_rows(manager_client.get(DASHBOARD + "?format=csv&chart=pipeline&period=12m"))
    assert len(pipeline) == 13  # a header and 12 months
    assert pipeline[-1][0] == f"{timezone.localdate():%Y-%m}"
    assert pipeline[-1][2] == "550.00"  # Beta's EUR 500 influenced at 1.10


def test_unknown_chart_csv_says_so_on_the_page(manager_client, program):
    response = manager_client.get(DASHBOARD + "?format=csv&chart=nope")
    assert response.status_code == 200
    assert "There is no chart &#x27;nope&#x27; to download" in response.content.decode()


def test_a_missing_rate_is_listed_apart_never_added(manager_client, program):
    alpha, _ = program
    won(alpha, "GBP", 700, timezone.localdate())
    response = manager_client.get(DASHBOARD)
    assert response.context["snap"]["sourced_revenue"].value == D("3200.00")
    top = next(c for c in response.context["charts"] if c.name == "top_partners")
    assert top.header[-1] == "Not converted"
    assert top.rows[0][-1] == "£700"
    assert "Not converted (no rate entered): £700." in response.content.decode()


def test_period_and_filters(manager_client, program):
    last = manager_client.get(DASHBOARD + "?period=last_quarter")
    assert last.context["snap"]["sourced_revenue"].value == D("400.00")
    assert last.context["period"].key == "last_quarter"
    custom = manager_client.get(
        DASHBOARD + f"?period=custom&start={timezone.localdate():%Y-%m-%d}&end={timezone.localdate():%Y-%m-%d}"
    )
    assert custom.context["snap"]["sourced_revenue"].value == D("3200.00")
    resellers = manager_client.get(DASHBOARD + "?type=reseller")
    assert resellers.context["snap"]["sourced_revenue"].value in (0, D("0"), D("0.00"))
    assert resellers.context["filters"].type == "reseller"
    page = resellers.content.decode()
    assert '<option value="reseller" selected>' in page
    assert "format=csv&amp;chart=pipeline" in page
    assert "type=reseller&amp;format=csv" in page  # downloads keep the filters


def test_partner_filter_from_a_deep_link(manager_client, program):
    alpha, _ = program
    response = manager_client.get(DASHBOARD + f"?partner={alpha.pk}")
    assert response.context["snap"]["sourced_revenue"].value == D("3200.00")
    assert f'<option value="{alpha.pk}" selected>Alpha</option>' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=decade", "Unknown period"),
        ("period=custom&start=yesterday&end=", "Give both dates of a custom period"),
        ("period=custom&start=2026-03-31&end=2026-01-01", "the dates were swapped"),
        ("type=spaceship", "Ignored the type filter"),
        ("tier=gold", "Ignored the tier filter"),
        ("owner=-1", "Ignored the owner filter"),
    ],
)
def test_bad_params_show_a_message_not_an_error(manager_client, program, query, message):
    for url in (DASHBOARD, INSIGHTS):
        response = manager_client.get(f"{url}?{query}")
        assert response.status_code == 200
        assert message in response.content.decode()


def test_htmx_refresh_returns_only_the_report(manager_client, program):
    headers = {"HX-Request": "true", "HX-Target": "insights-report"}
    response = manager_client.get(DASHBOARD + "?period=last_quarter", headers=headers)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="insights-report"')
    assert "<html" not in page
    assert "What needs you now" not in page
    assert 'id="insights-filters"' not in page
    assert "chart-pipeline-data" in page
    assert "$400" in page
    # A back-button restore asks for the whole page.
    restore = manager_client.get(DASHBOARD, headers={**headers, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_insights_page_lists_every_metric_with_its_definition(manager_client, program):
    from insights.metrics import METRICS

    response = manager_client.get(INSIGHTS)
    page = response.content.decode()
    assert response.status_code == 200
    for key, definition in METRICS.items():
        assert f'data-metric="{key}"' in page
        assert definition.label in page
    assert "Export all metrics (CSV)" in page
    partial = manager_client.get(INSIGHTS + "?type=var", headers={"HX-Request": "true", "HX-Target": "insights-report"})
    assert partial.content.decode().lstrip().startswith('<div id="insights-report"')


def test_insights_csv_has_every_metric_this_period_and_the_previous(manager_client, program):
    rows = csv_rows(manager_client.get(INSIGHTS + "?format=csv&period=this_quarter"))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["metric", "label", "unit", "value", "previous value", "change"]
    from insights.metrics import METRICS

    assert [r[0] for r in body] == list(METRICS)
    sourced = next(r for r in body if r[0] == "sourced_revenue")
    assert sourced[3] == "3200.00"
    assert sourced[4] == "400.00"
    assert sourced[6] == "USD"
    assert sourced[-1] == METRICS["sourced_revenue"].definition


def test_needs_me_now_on_the_dashboard_links_to_the_queues(manager_client, db):
    PartnerFactory()
    SubmittedRegistrationFactory(decision_due_at=timezone.now() - timedelta(hours=2))
    submit_application()
    page = manager_client.get(DASHBOARD).content.decode()
    deals = '<a href="/manage/deals/review/"><span class="queue-count">1</span> <span class="queue-label">deal awaiting'
    assert deals in page
    assert "1 overdue" in page
    assert '<a href="/manage/applications/"><span class="queue-count">1</span>' in page


def test_badges_appear_in_the_navigation_on_every_manager_page(manager_client, db):
    submit_application()
    SubmittedRegistrationFactory()
    SubmittedRegistrationFactory()
    page = manager_client.get("/manage/deals/").content.decode()
    assert '<span class="nav-badge" title="1 application to review">' in page
    assert '<span class="nav-badge" title="2 deals awaiting a decision">' in page
    assert 'title="0' not in page


def test_partner_users_get_no_badges(admin_client_a, db):
    SubmittedRegistrationFactory()
    assert "nav-badge" not in admin_client_a.get("/portal/").content.decode()


def _many(n: int) -> None:
    today = timezone.localdate()
    for i in range(n):
        partner = PartnerFactory(type=Partner.Type.VAR if i % 2 else Partner.Type.SI, regions=["emea"])
        won(partner, "EUR" if i % 2 else "USD", 100 + i, today)
        submitted(partner, "USD", 50 + i, today - timedelta(days=40))
        SubmittedRegistrationFactory(partner=partner)


@pytest.mark.parametrize("url", [DASHBOARD, DASHBOARD + "?period=12m&type=var", INSIGHTS])
def test_query_count_does_not_grow_with_the_data(manager_client, program, django_assert_max_num_queries, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _many(3)
    with CaptureQueriesContext(connection) as few:
        assert manager_client.get(url).status_code == 200
    _many(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert manager_client.get(url).status_code == 200
