"""The partner journey in a real browser: apply → approve → invitation accepted → agreement signed → checklist
progresses → active."""

import re

import pytest
from django.core import mail

from partners.models import Partner
from tests.e2e.test_journeys import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _path_in_mail(to: str, path_part: str) -> str:
    """The link's path: emails carry SITE_URL, the live server listens elsewhere."""
    [message] = [m for m in mail.outbox if to in m.to and path_part in m.body]
    return re.search(rf"{path_part}\S+/", message.body).group(0)


def test_from_application_to_active_partner(live_server, new_page, shot, channel_manager):
    base = live_server.url

    # 1. A company applies on the public form.
    visitor = new_page()
    visitor.goto(f"{base}/apply/")
    shot(visitor, "apply-form")
    visitor.fill("input[name=name]", "Harbor Digital BV")
    visitor.fill("input[name=website]", "https://harbor-digital.nl")
    visitor.select_option("select[name=type]", "var")
    visitor.check("input[name=regions][value=emea]")
    visitor.fill("input[name=contact_name]", "Eva de Vries")
    visitor.fill("input[name=contact_email]", "eva@harbor-digital.nl")
    visitor.fill("textarea[name=description]", "Implementation and licences for Dutch logistics companies.")
    visitor.fill("textarea[name=why]", "Our customers keep asking for you.")
    visitor.get_by_role("button", name="Send my application").click()
    visitor.wait_for_url(f"{base}/apply/thanks/")
    partner = Partner.objects.get(name="Harbor Digital BV")
    assert partner.status == Partner.Status.APPLIED

    # 2. The channel manager approves it from the review queue.
    manager = new_page()
    sign_in(manager, base, channel_manager.email)
    manager.goto(f"{base}/manage/applications/")
    manager.get_by_role("link", name="Harbor Digital BV").first.click()
    shot(manager, "application-detail")
    manager.get_by_role("button", name="Approve Harbor Digital BV").click()
    partner.refresh_from_db()
    assert partner.status == Partner.Status.ONBOARDING

    # 3. The contact accepts the invitation and creates an account.
    eva = new_page()
    eva.goto(base + _path_in_mail("eva@harbor-digital.nl", "/invite/"))
    eva.fill("input[name=first_name]", "Eva")
    eva.fill("input[name=last_name]", "de Vries")
    eva.fill("input[name=password1]", "harbor-lights-2026")
    eva.fill("input[name=password2]", "harbor-lights-2026")
    eva.get_by_role("button", name="Create my account and join").click()

    # 4. The agreement comes first; she signs it.
    eva.wait_for_url(re.compile(r"/portal/agreement/"))
    shot(eva, "portal-agreement")
    eva.fill("input[name=signer_name]", "Eva de Vries")
    eva.fill("input[name=signer_title]", "Managing director")
    eva.check("input[name=accept]")
    eva.get_by_role("button", name="Accept the agreement").click()
    eva.goto(f"{base}/portal/")
    assert eva.get_by_text("1 of 4 done").is_visible()

    # 5. She completes the company profile and invites a colleague: the checklist moves on by itself.
    eva.goto(f"{base}/portal/company/")
    details = eva.locator("details:has(summary:has-text('Edit the company profile'))")
    if details.get_attribute("open") is None:
        eva.get_by_text("Edit the company profile").click()
    eva.check("input[name=functions][value=sell]")
    eva.check("input[name=segments][value=midmarket]")
    eva.get_by_role("button", name="Save the profile").click()
    eva.goto(f"{base}/portal/team/")
    invite = eva.locator("form#invite-form")
    invite.get_by_label("Email address").fill("joost@harbor-digital.nl")
    invite.get_by_role("button", name="Send invitation").click()
    eva.goto(f"{base}/portal/")
    assert eva.get_by_text("3 of 4 done").is_visible()
    shot(eva, "portal-home-onboarding")

    # 6. The manager ticks the kick-off call: the partner is active.
    manager.goto(f"{base}/manage/partners/{partner.pk}/")
    manager.get_by_role("button", name="Mark done").click()
    partner.refresh_from_db()
    assert partner.status == Partner.Status.ACTIVE
    assert partner.activated_at is not None
    shot(manager, "partner-detail-active")

    eva.goto(f"{base}/portal/")
    assert eva.get_by_text("Onboarding complete").first.is_visible() or eva.get_by_text("active").first.is_visible()
    shot(eva, "portal-home-active")
