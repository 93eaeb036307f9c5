"""Onboarding setup in a real browser: a program admin adds a checklist step and publishes an agreement version; a
plain channel manager cannot change them (a clear 403 page); the partner admin sees the new step and is asked to
accept the new version. Pages checked at 390 px too."""

import pytest

from partners import services
from partners.models import AgreementVersion, ChecklistStep
from tests.e2e.test_journeys import sign_in
from tests.factories import ChannelManagerFactory
from tests.partners.factories_onboarding import accept_current_agreement, start_onboarding
from tests.partners.test_setup_onboarding import grant_program_admin

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
WIDER_THAN_SCREEN = """() => Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('details:not([open])'))
    .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"""


def _fits_a_phone(page, url: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(url)
    assert not page.evaluate(WIDER_THAN_SCREEN), f"{url} is wider than 390 px"
    page.set_viewport_size({"width": 1280, "height": 860})


def test_program_admin_changes_onboarding_and_partners_see_it(
    live_server, new_page, shot, channel_manager, partner_a, partner_a_admin
):
    base = live_server.url
    start_onboarding(partner_a, owner=channel_manager)
    accept_current_agreement(partner_a)  # mid-way: version 1.0 accepted
    services.onboarding_refresh(partner=partner_a)
    program_admin = grant_program_admin(ChannelManagerFactory(email="priya@startup.example.com", first_name="Priya"))

    # 1. The program admin adds a step to the default checklist and moves it up one place.
    admin = new_page()
    sign_in(admin, base, program_admin.email)
    admin.wait_for_url(f"{base}/manage/")
    admin.goto(f"{base}/manage/program/checklists/")
    admin.get_by_role("button", name="Edit the steps of Standard onboarding").click()
    assert admin.get_by_text("What happens to partners already onboarding").is_visible()
    form = admin.locator("#add-step form")
    form.get_by_label("What the step is").select_option("manual")
    form.get_by_label("Title").fill("Join the welcome webinar")
    form.get_by_label("What to do and why").fill("Forty minutes on how we work with partners.")
    form.get_by_role("button", name="Add the step").click()
    assert admin.get_by_text("“Join the welcome webinar” added as step 5. 1 partner mid-way").is_visible()
    admin.get_by_role("button", name="Move “Join the welcome webinar” up").click()
    assert admin.get_by_text("“Join the welcome webinar” is now step 4.").is_visible()
    shot(admin, "setup-checklist-detail")
    _fits_a_phone(admin, admin.url)

    # 2. The partner admin sees the new step in the onboarding checklist.
    anna = new_page()
    sign_in(anna, base, partner_a_admin.email)
    anna.goto(f"{base}/portal/")
    assert anna.locator(".onboarding-steps").get_by_text("Join the welcome webinar", exact=True).is_visible()
    anna.goto(f"{base}/inbox/")
    assert anna.get_by_text("A new onboarding step for Northwind Solutions").first.is_visible()

    # 3. The program admin writes version 2.0, reads what publishing does, and publishes it.
    admin.goto(f"{base}/manage/program/agreements/")
    admin.get_by_role("button", name="Write a new version").first.click()
    assert admin.get_by_label("Version").input_value() == "2.0"
    admin.get_by_label("The agreement text").fill("1. The program.\n\n2. Fair play in deal registration.")
    admin.get_by_role("button", name="Preview before publishing").click()
    assert admin.get_by_text("Publishing makes every partner accept the agreement again.").is_visible()
    assert AgreementVersion.objects.filter(version="2.0").count() == 0
    shot(admin, "setup-agreement-preview")
    _fits_a_phone(admin, f"{base}/manage/program/agreements/new/")
    admin.goto(f"{base}/manage/program/agreements/new/")
    admin.get_by_label("The agreement text").fill("1. The program.\n\n2. Fair play in deal registration.")
    admin.get_by_role("button", name="Preview before publishing").click()
    admin.get_by_role("button", name="Publish version 2.0").click()
    assert admin.get_by_text("Version 2.0 is published and current.").is_visible()
    assert AgreementVersion.objects.get(is_current=True).version == "2.0"
    shot(admin, "setup-agreement-detail")

    # 4. The partner admin is asked to accept the new version.
    anna.goto(f"{base}/portal/agreement/")
    shot(anna, "setup-portal-agreement-v2")
    assert anna.get_by_text("Version 2.0").first.is_visible()
    assert anna.get_by_text("Fair play in deal registration.").is_visible()
    assert anna.get_by_role("button", name="Accept the agreement").is_visible()

    # 5. A plain channel manager reads the same pages but cannot change them.
    maya = new_page()
    sign_in(maya, base, channel_manager.email)
    maya.wait_for_url(f"{base}/manage/")
    maya.goto(f"{base}/manage/program/checklists/")
    assert maya.get_by_text("Read-only.").is_visible()
    assert maya.get_by_role("button", name="Create the checklist").count() == 0
    checklist = ChecklistStep.objects.get(title="Join the welcome webinar").checklist
    token = next(c["value"] for c in maya.context.cookies() if c["name"] == "csrftoken")
    response = maya.request.post(
        f"{base}/manage/program/checklists/{checklist.pk}/steps/",
        form={"kind": "manual", "title": "Sneaked in", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/manage/program/checklists/"},
    )
    assert response.status == 403
    assert "Only program admins can change the program" in response.text()
    assert not ChecklistStep.objects.filter(title="Sneaked in").exists()
    maya.set_content(response.text())
    shot(maya, "setup-onboarding-forbidden")
