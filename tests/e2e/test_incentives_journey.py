"""The incentives journey in real chromium (issue 16, quality bar): the program admin publishes a plan version, the
partner wins a deal and sees the line with its calculation, finance runs a payout and marks it paid, the partner sees
it paid. Screenshots in var/screenshots/incentives-journey-*.png."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from dealreg.models import Registration
from incentives.models import EarningLine, PayoutRun
from incentives.services import approve_due, plan_get

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _page_for(browser, live_server, user, width=1280):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def test_publish_win_see_the_line_pay_it_see_it_paid(
    browser, live_server, shot, program_admin, partner_a, partner_a_admin
):
    plan = plan_get()
    plan.payable_after_days = 0  # payable at once, so the journey fits in one day
    plan.save()
    today = timezone.localdate()

    # 1. The program admin drafts a version, adds a 10% sourced payout and publishes it from today.
    manager = _page_for(browser, live_server, program_admin)
    manager.goto(f"{live_server.url}/manage/incentives/")
    manager.get_by_role("button", name="Draft a new version").click()
    manager.get_by_text("Add a deal payout").click()
    manager.locator("#id_involvement").select_option("sourced")
    manager.locator("#id_percent").fill("10")
    manager.get_by_role("button", name="Add the payout").click()
    manager.wait_for_selector("text=10% of the won amount")
    manager.locator("#id_effective_from").fill(today.isoformat())
    manager.get_by_role("button", name="Publish version 1").click()
    manager.wait_for_selector("text=Published")
    shot(manager, "incentives-journey-1-published")

    # 2. The partner's approved deal is won: the partner records it on the deal page.
    deal = Registration.objects.create(
        partner=partner_a,
        name="Initech rollout",
        status=Registration.Status.APPROVED,
        involvement="sourced",
        currency="USD",
        value=Decimal("48000"),
        created_by=partner_a_admin,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
        protected_until=today + timedelta(days=90),
    )
    partner = _page_for(browser, live_server, partner_a_admin)
    partner.goto(f"{live_server.url}/portal/deals/{deal.pk}/")
    partner.wait_for_selector("text=If you win it at this value, this deal earns you $4,800.00")
    partner.locator("#won-amount").fill("50000")
    partner.get_by_role("button", name="Mark as won").click()
    partner.wait_for_selector("text=What this deal earned you")

    # 3. The line is on the partner's earnings with its calculation.
    partner.goto(f"{live_server.url}/portal/earnings/")
    partner.wait_for_selector("text=$5,000.00")
    assert "10%" in partner.content()
    shot(partner, "incentives-journey-2-earned")
    line = EarningLine.objects.get(registration=deal)
    assert (line.amount, line.currency) == (Decimal("5000.00"), "USD")

    # 4. The nightly task approves it; finance (the program admin) runs the payout and marks it paid.
    approve_due(today=today)
    manager.goto(f"{live_server.url}/manage/incentives/payouts/")
    manager.locator("#id_period_start").fill(today.replace(day=1).isoformat())
    manager.locator("#id_period_end").fill(today.isoformat())
    manager.get_by_role("button", name="Draft the run").click()
    manager.wait_for_selector("text=Approve the run")
    assert "Northwind Solutions" in manager.content()
    manager.get_by_role("button", name="Approve the run").click()
    manager.wait_for_selector("#id_payment_reference")
    manager.locator("#id_payment_reference").fill("WIRE-2026-1204")
    manager.locator("#id_paid_on").fill(today.isoformat())
    manager.get_by_role("button", name="Mark paid").click()
    manager.wait_for_selector("text=reference WIRE-2026-1204")
    shot(manager, "incentives-journey-3-run-paid")
    assert PayoutRun.objects.get().status == PayoutRun.Status.PAID

    # 5. The partner sees the line paid.
    partner.goto(f"{live_server.url}/portal/earnings/")
    partner.wait_for_selector("text=Paid")
    line.refresh_from_db()
    assert line.state == EarningLine.State.PAID
    shot(partner, "incentives-journey-4-paid")
