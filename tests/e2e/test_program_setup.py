"""Program setup in a real browser: a program admin adds a tier with a requirement, a partner sees it on its program
page, and a plain channel manager sees the setup read-only and gets the 403 page when it posts anyway.
Screenshots go to var/screenshots/program_setup_*.png."""

import re

import pytest

from partners.models import Tier
from partners.services.setup import program_admins_group
from prm.models import AuditEvent
from tests.e2e.test_journeys import sign_in
from tests.factories import ChannelManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _program_admin():
    user = ChannelManagerFactory(email="priya@startup.example.com", first_name="Priya", last_name="Shah")
    user.groups.add(program_admins_group())
    return user


def _fits(page, width: int = 390) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_program_admin_sets_up_a_tier_partner_sees_it_plain_manager_cannot_change_it(
    live_server, new_page, shot, channel_manager, partner_a_admin
):
    admin = _program_admin()
    base = live_server.url

    # The program admin adds Gold with a requirement.
    page = new_page()
    sign_in(page, base, admin.email)
    page.wait_for_url(f"{base}/manage/")
    page.goto(f"{base}/manage/partners/")
    page.get_by_role("link", name="Program", exact=True).click()
    page.wait_for_url(f"{base}/manage/program/")
    assert page.get_by_role("heading", name="Program setup").is_visible()
    page.get_by_role("button", name="Manage tiers").click()
    page.get_by_role("button", name="Add a tier").click()
    page.get_by_label("Name").fill("Gold")
    page.get_by_label("Discount (%)").fill("150")
    page.get_by_role("button", name="Add the tier").click()
    assert page.get_by_text("A discount cannot be above 100%.").is_visible()  # and the name is still there
    assert page.get_by_label("Name").input_value() == "Gold"
    page.get_by_label("Discount (%)").fill("20")
    page.get_by_label("Other benefits").fill("Early product access")
    page.get_by_role("button", name="Add the tier").click()
    page.wait_for_url(re.compile(r"/manage/program/tiers/\d+/$"))
    assert page.get_by_text("Gold added at the top of the ladder").is_visible()
    page.get_by_text("Add a requirement").click()
    page.get_by_label("What it measures").select_option("certified_people")
    page.get_by_label("At least").fill("2")
    page.get_by_role("button", name="Add the requirement").click()
    assert page.get_by_text("Gold now asks for: 2 certified people.").is_visible()
    shot(page, "program_setup_tier")
    gold = Tier.objects.get(name="Gold")
    assert gold.requirements.get().threshold == 2
    assert AuditEvent.objects.filter(verb__in=["program.tier_created", "program.requirement_added"]).count() == 2

    page.get_by_role("link", name="Preview what partners see").click()
    assert page.get_by_role("columnheader", name="Gold").is_visible()
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{base}/manage/program/tiers/")
    assert _fits(page), "the tiers page scrolls sideways at 390 px"
    shot(page, "program_setup_tiers_390")

    # The partner sees Gold and what it takes on its program page.
    partner_page = new_page()
    sign_in(partner_page, base, partner_a_admin.email)
    partner_page.wait_for_url(re.compile(r"/portal/"))
    partner_page.goto(f"{base}/portal/program/")
    assert partner_page.get_by_role("columnheader", name="Gold").is_visible()
    assert partner_page.get_by_text("2 certified people").first.is_visible()
    assert partner_page.get_by_text("Early product access").first.is_visible()

    # A plain channel manager sees the tier read-only, and a post anyway gets the 403 page.
    manager_page = new_page()
    sign_in(manager_page, base, channel_manager.email)
    manager_page.wait_for_url(f"{base}/manage/")
    manager_page.goto(f"{base}/manage/program/tiers/{gold.pk}/")
    assert manager_page.get_by_text("Only program admins can change the program").first.is_visible()
    assert manager_page.get_by_label("Name").is_disabled()
    assert manager_page.get_by_role("button", name="Save Gold").count() == 0
    with manager_page.expect_navigation() as navigation:
        manager_page.evaluate("document.querySelector('form.setup-form').submit()")
    assert navigation.value.status == 403
    assert manager_page.get_by_role("heading", name="Only program admins can change the program").is_visible()
    assert manager_page.get_by_text("Priya Shah").is_visible()
    shot(manager_page, "program_setup_403")
    gold.refresh_from_db()
    assert gold.name == "Gold"
    assert gold.discount_percent == 20
