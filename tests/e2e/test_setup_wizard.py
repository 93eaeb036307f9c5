"""The first-run setup wizard in a real browser on a 390 px phone: a program admin on a fresh install is offered it
on the program setup, walks the five steps (one of them skipped, one corrected after an error, one revisited), and
no page scrolls sideways."""

import pytest

from dealreg.policy import policy_get
from partners.models import Invitation, Partner, Program, Tier
from tests.e2e.test_journeys import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
WIDER_THAN_SCREEN = """() => Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('details:not([open])'))
    .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"""


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
    assert not page.evaluate(WIDER_THAN_SCREEN), page.url


def test_a_program_admin_walks_the_wizard_on_a_phone(live_server, new_page, shot, program_admin):
    base = live_server.url
    assert not Partner.objects.exists()
    page = new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, base, program_admin.email)
    page.wait_for_url(f"{base}/manage/")

    # The program setup offers the wizard.
    page.goto(f"{base}/manage/program/")
    assert page.get_by_role("heading", name="New here? Set up your program in five steps").is_visible()
    _fits(page)
    shot(page, "wizard-offer-phone")
    page.get_by_role("button", name="Start the setup").click()

    # 1. The program: a mistake first, then the fix.
    page.wait_for_url(f"{base}/manage/program/start/")
    assert page.get_by_text("Step 1 of 5").is_visible()
    page.get_by_label("Program name").fill("Acme Partner Network")
    page.get_by_label("Reporting currency").fill("E1")
    page.get_by_label("2 · 2–3 years: market expansion").check()
    page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_text("three-letter code").first.is_visible()
    assert page.get_by_label("Program name").input_value() == "Acme Partner Network"
    _fits(page)
    shot(page, "wizard-step1-error-phone")
    page.get_by_label("Reporting currency").fill("EUR")
    page.get_by_role("button", name="Save and continue").click()

    # 2. Tiers: the ladder.
    page.wait_for_url(f"{base}/manage/program/start/tiers/")
    assert page.get_by_text("Step 2 of 5").is_visible()
    _fits(page)
    shot(page, "wizard-step2-phone")
    page.get_by_label("A ladder: Registered, Silver, Gold", exact=False).check()
    page.get_by_role("button", name="Save and continue").click()

    # 3. The deal policy: go back first, what was saved is there; then skip this step.
    page.wait_for_url(f"{base}/manage/program/start/deal-policy/")
    assert page.get_by_text("Step 3 of 5").is_visible()
    _fits(page)
    page.get_by_role("link", name="Back").click()
    page.wait_for_url(f"{base}/manage/program/start/tiers/")
    assert page.get_by_label("Keep the tiers I have").is_checked()
    page.get_by_role("link", name="Skip this step").click()
    page.wait_for_url(f"{base}/manage/program/start/deal-policy/")
    page.get_by_label("Protection window (days)").fill("60")
    page.get_by_role("button", name="Save and continue").click()

    # 4. Onboarding: a checklist for resellers, no new agreement (skipped by leaving it empty).
    page.wait_for_url(f"{base}/manage/program/start/onboarding/")
    assert page.get_by_text("Step 4 of 5").is_visible()
    _fits(page)
    shot(page, "wizard-step4-phone")
    page.get_by_label("Reseller", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()

    # 5. The first partner.
    page.wait_for_url(f"{base}/manage/program/start/invite/")
    assert page.get_by_text("Step 5 of 5").is_visible()
    _fits(page)
    page.get_by_label("Partner company").fill("Northwind Solutions")
    page.get_by_label("Partner type").select_option("reseller")
    page.get_by_label("Their admin's email").fill("anna@northwind.example.com")
    page.get_by_role("button", name="Add the partner and finish").click()

    page.wait_for_url(f"{base}/manage/program/start/done/**")
    assert page.get_by_role("heading", name="Acme Partner Network is ready").is_visible()
    assert page.get_by_role("heading", name="What comes next").is_visible()
    _fits(page)
    shot(page, "wizard-done-phone")

    assert list(Tier.objects.order_by("rank").values_list("name", flat=True)) == ["Registered", "Silver", "Gold"]
    assert policy_get().exclusivity_days == 60
    assert Invitation.objects.filter(email="anna@northwind.example.com", partner__name="Northwind Solutions").exists()
    assert Program.objects.get(pk=1).setup_wizard == Program.Wizard.DONE

    # The program setup no longer offers it.
    page.goto(f"{base}/manage/program/")
    assert page.get_by_text("Set up your program in five steps").count() == 0
    _fits(page)
