"""The manager's dashboard in a real browser: what needs you now, the metrics and Chart.js charts; changing the period
and a filter refreshes the numbers and charts in place (htmx) and the URL follows. Screenshots at desktop and phone
width go to var/screenshots/insights_dashboard_*.png."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg.models import Registration
from insights.metrics import Period
from insights.models import CustomerContract
from partners.models import Partner, Program
from prm.models import ExchangeRate
from tests.dealreg.factories_registrations import SubmittedRegistrationFactory
from tests.e2e.test_journeys import sign_in
from tests.factories import PartnerFactory
from tests.partners.factories_recruitment import submit_application

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
D = Decimal


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 11))


def _deal(partner, involvement, currency, amount, day, status="won"):
    r = Registration.objects.create(
        partner=partner, name=f"Customer {Registration.objects.count() + 1}", involvement=involvement,
        currency=currency, value=D(amount), won_amount=D(amount) if status == "won" else None, status=status,
    )  # fmt: skip
    Registration.objects.filter(pk=r.pk).update(submitted_at=_at(day), closed_at=_at(day) if status == "won" else None)


def _world():
    today = timezone.localdate()
    Program.objects.update_or_create(pk=1, defaults={"reporting_currency": "USD", "pmi_stage": 2})
    month = today.replace(day=1)
    for _ in range(13):
        ExchangeRate.objects.get_or_create(currency="EUR", to_currency="USD", month=month, defaults={"rate": D("1.08")})
        month = (month - timedelta(days=1)).replace(day=1)
    northwind = PartnerFactory(name="Northwind", type=Partner.Type.VAR, regions=["emea"], route_to_market="resellers")
    contoso = PartnerFactory(name="Contoso", type=Partner.Type.SI, regions=["na"], route_to_market="si")
    fabrikam = PartnerFactory(
        name="Fabrikam", type=Partner.Type.RESELLER, regions=["na", "emea"], route_to_market="resellers"
    )
    PartnerFactory(name="Tailspin", type=Partner.Type.VAR, status=Partner.Status.ONBOARDING)
    last_quarter = Period.named("last_quarter")
    # This quarter: the VAR wins big, the SI a little; last quarter the SI led.
    _deal(northwind, "sourced", "USD", 48000, today)
    _deal(northwind, "influenced", "EUR", 20000, today)
    _deal(contoso, "sourced", "USD", 6000, today)
    _deal(fabrikam, "cosell", "EUR", 9000, today)
    _deal(contoso, "sourced", "USD", 31000, last_quarter.start + timedelta(days=10))
    _deal(northwind, "fulfilled", "USD", 12000, last_quarter.start + timedelta(days=20))
    for months_ago in range(2, 12, 2):
        day = (today.replace(day=1) - timedelta(days=30 * months_ago)).replace(day=10)
        _deal(contoso if months_ago % 4 else northwind, "influenced", "USD", 5000 + 1000 * months_ago, day)
    _deal(fabrikam, "sourced", "EUR", 15000, today, status="approved")
    now = timezone.now()
    SubmittedRegistrationFactory(partner=contoso, decision_due_at=now - timedelta(hours=26))
    SubmittedRegistrationFactory(partner=northwind, decision_due_at=now + timedelta(hours=9), has_conflict=True)
    submit_application()
    for i, months_ahead in enumerate((0, 1, 1, 3)):
        CustomerContract.objects.create(
            customer_name=f"Renewing {i}", partner=northwind if i % 2 else None, starts_on=today - timedelta(days=300),
            amount=D(12000 + 1000 * i), currency="EUR" if i % 2 else "USD",
            renewal_on=today.replace(day=1) + timedelta(days=31 * months_ahead + 5),
        )  # fmt: skip


def _metric_value(page, key: str) -> str:
    return page.locator(f'#insights-report [data-metric="{key}"] .metric-value').inner_text()


def _charts_drawn(page) -> int:
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('canvas[data-chart]')).filter(c => Chart.getChart(c)).length"
    )


def test_manager_reads_the_dashboard_and_changes_period_and_filter(live_server, new_page, shot, channel_manager):
    _world()
    base = live_server.url
    page = new_page()
    sign_in(page, base, channel_manager.email)
    page.wait_for_url(f"{base}/manage/")

    # What needs you now, with the SLA clock, and the same count as a badge in the navigation.
    deals = page.locator('[data-queue="deals"]')
    assert deals.locator(".queue-count").inner_text() == "2"
    assert "1 overdue" in deals.inner_text()
    assert page.locator(".main-nav .nav-badge").first.is_visible()
    assert (
        page.get_by_role("link", name=re.compile(r"^Deals")).locator(".nav-badge [aria-hidden=true]").inner_text()
        == "2"
    )
    assert page.get_by_role("heading", name="Recruit next").is_visible()  # stage 2

    # Charts drawn by the vendored Chart.js; every chart has its numbers.
    page.wait_for_function("() => window.Chart !== undefined")
    drawn = _charts_drawn(page)
    assert drawn >= 8
    sourced_this_quarter = _metric_value(page, "sourced_pipeline")
    top_before = page.locator("#chart-top_partners tbody th").first.text_content().strip()
    assert top_before == "Northwind"
    shot(page, "insights_dashboard_desktop")

    # Last quarter: the numbers, the tables and the charts change in place; the URL follows.
    page.select_option("select[name=period]", "last_quarter")
    page.wait_for_url(re.compile(r"period=last_quarter"))
    page.wait_for_function(
        "() => document.querySelector('#chart-top_partners tbody th')?.textContent.trim() === 'Contoso'"
    )
    assert _metric_value(page, "sourced_pipeline") != sourced_this_quarter
    assert _charts_drawn(page) >= 8
    assert page.locator(".needs-now").count() == 1  # the top stays; only the report was swapped

    # A filter: only resellers (Fabrikam), whose top-partner list is empty last quarter.
    page.select_option("select[name=type]", "reseller")
    page.wait_for_url(re.compile(r"type=reseller"))
    page.wait_for_function("() => document.querySelector('#chart-top_partners tbody td.muted') !== null")
    assert "Nothing yet." in page.locator("#chart-top_partners tbody").text_content()

    # The deep link gives the same page on a full load.
    page.reload()
    assert page.locator("select[name=type]").input_value() == "reseller"
    assert page.locator("select[name=period]").input_value() == "last_quarter"

    # A custom period: typing a date switches the picker to "Custom".
    page.goto(f"{base}/manage/")
    page.locator("input[name=start]").click()
    assert page.locator("select[name=period]").input_value() == "custom"

    # The numbers of a chart, opened.
    page.goto(f"{base}/manage/")
    page.locator("#chart-top_partners summary").click()
    assert page.locator("#chart-top_partners table").is_visible()

    # Phone width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/manage/")
    page.wait_for_function("() => window.Chart !== undefined")
    assert _charts_drawn(page) >= 8
    shot(page, "insights_dashboard_phone")
    wide = page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('details:not([open])'))
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"""
    )
    assert not wide, f"wider than the 390px screen: {wide}"

    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(f"{base}/manage/insights/")
    assert page.get_by_role("heading", name="Insights").is_visible()
    shot(page, "insights_metrics_desktop")
