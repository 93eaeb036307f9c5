"""A deal conflict in a real browser: a partner types a customer another partner holds, sees the warning,
submits and sees "conflict: under review"; the channel manager resolves it; both partners see the outcome."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dealreg import services as deals
from dealreg.models import Registration
from tests.e2e.test_journeys import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_conflicting_registration_is_explained_resolved_and_told(
    live_server, new_page, shot, channel_manager, partner_a_seller, partner_b_user, partner_b
):
    base = live_server.url
    # Partner B registered Globex first and it was approved.
    held = deals.registration_save_draft(
        actor=partner_b_user,
        partner=partner_b,
        data={
            "name": "Globex Corporation",
            "website": "https://globex.com",
            "country": "US",
            "contact_name": "Pat",
            "contact_email": "pat@globex.com",
            "value": "90000",
            "currency": "USD",
            "expected_close": (timezone.now() + timedelta(days=40)).date(),
            "involvement": "sourced",
        },
    )
    deals.registration_submit(actor=partner_b_user, registration=held)
    deals.registration_approve(actor=channel_manager, registration=held)

    # Partner A's seller registers the same customer and is warned while typing.
    seller = new_page()
    sign_in(seller, base, partner_a_seller.email)
    seller.goto(f"{base}/portal/deals/new/")
    seller.fill("input[name=name]", "Globex Corp")
    seller.fill("input[name=website]", "www.globex.com")
    warning = seller.get_by_text("Another registration already covers a company like this")
    warning.wait_for()
    assert "Contoso" not in seller.content()  # never the other partner's identity
    shot(seller, "deal-form-warning")
    seller.fill("input[name=contact_name]", "Lou Buyer")
    seller.fill("input[name=contact_email]", "lou@globex.com")
    seller.fill("input[name=value]", "40000")
    seller.fill("input[name=expected_close]", (timezone.now() + timedelta(days=30)).date().isoformat())
    seller.get_by_role("button", name="Submit for approval").click()
    seller.wait_for_url(re.compile(r"/portal/deals/\d+/$"))
    assert seller.get_by_text(re.compile("conflict: under review", re.I)).first.is_visible()
    shot(seller, "deal-detail-conflict")
    mine = Registration.objects.exclude(pk=held.pk).get(name="Globex Corp")
    assert mine.has_conflict
    assert not mine.has_priority

    # The channel manager sees both side by side and gives priority to the first registration.
    manager = new_page()
    sign_in(manager, base, channel_manager.email)
    manager.goto(f"{base}/manage/deals/{mine.pk}/")
    assert manager.get_by_text("Contoso Partners").first.is_visible()
    shot(manager, "deal-manage-side-by-side")
    form = manager.locator("form.resolve", has=manager.locator(f"input[name=holder][value='{held.pk}']"))
    form.locator("input[name=reason]").fill("Another partner registered this customer first and holds it.")
    form.get_by_role("button").click()
    mine.refresh_from_db()
    held.refresh_from_db()
    assert (mine.status, held.status) == ("rejected", "approved")

    # Both partners see the outcome.
    seller.goto(f"{base}/portal/deals/{mine.pk}/")
    assert seller.get_by_text("Rejected").first.is_visible()
    assert seller.get_by_text("holds it").first.is_visible()
    assert "Contoso" not in seller.content()
    holder = new_page()
    sign_in(holder, base, partner_b_user.email)
    holder.goto(f"{base}/portal/deals/{held.pk}/")
    assert holder.get_by_text(re.compile("protected", re.I)).first.is_visible()
    assert "Northwind" not in holder.content()
