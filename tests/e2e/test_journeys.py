"""The main journeys in a real browser: sign in as each audience, and a partner admin bringing in a colleague."""

import re

import pytest
from django.core import mail

from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")


def test_channel_manager_signs_in_and_lands_on_manage(live_server, new_page, shot, channel_manager, partner_a):
    page = new_page()
    sign_in(page, live_server.url, channel_manager.email)
    page.wait_for_url(f"{live_server.url}/manage/")
    assert page.get_by_role("heading", name="Your partner program").is_visible()
    shot(page, "manage-dashboard")
    page.get_by_role("link", name="Partners", exact=True).click()
    page.wait_for_url(re.compile(r"/manage/partners/$"))
    assert page.get_by_role("link", name="Northwind Solutions").is_visible()
    shot(page, "manage-partners")
    page.get_by_role("link", name="Enablement", exact=True).click()
    page.wait_for_url(re.compile(r"/manage/enablement/$"))
    assert page.locator("h1").first.is_visible()
    assert not page.get_by_text("Not built yet").is_visible()


def test_partner_user_signs_in_and_lands_on_portal(live_server, new_page, shot, partner_a_seller):
    page = new_page()
    sign_in(page, live_server.url, partner_a_seller.email)
    page.wait_for_url(f"{live_server.url}/portal/")
    assert page.get_by_text("Northwind Solutions").first.is_visible()
    shot(page, "portal-home")
    # The manager app does not exist for partner users.
    response = page.goto(f"{live_server.url}/manage/")
    assert response.status == 404


def test_wrong_password_gets_a_clear_message(live_server, new_page, partner_a_seller):
    page = new_page()
    sign_in(page, live_server.url, partner_a_seller.email, password="not-the-password")
    assert page.get_by_text(re.compile("not correct", re.I)).is_visible()
    assert page.url.endswith("/accounts/login/")


def test_partner_admin_invites_a_colleague_who_joins_and_signs_in(live_server, new_page, shot, partner_a_admin):
    admin = new_page()
    sign_in(admin, live_server.url, partner_a_admin.email)
    admin.wait_for_url(f"{live_server.url}/portal/")
    admin.get_by_role("link", name="Team", exact=True).click()
    invite = admin.locator("form#invite-form")
    invite.get_by_label("Email address").fill("newhire@northwind.example.com")
    invite.get_by_label("Role").select_option("technical")
    invite.get_by_role("button", name="Send invitation").click()
    assert admin.get_by_text("Invitation sent to newhire@northwind.example.com").is_visible()
    shot(admin, "portal-team-invited")

    [email] = [m for m in mail.outbox if "newhire@northwind.example.com" in m.to]
    link = re.search(r"https?://\S+/invite/\S+/", email.body).group(0)
    path = link.split("/invite/", 1)[1]

    colleague = new_page()
    colleague.goto(f"{live_server.url}/invite/{path}")
    assert colleague.get_by_role("heading", name="Join Northwind Solutions on prm").is_visible()
    shot(colleague, "invitation-signup")
    colleague.fill("input[name=first_name]", "Nia")
    colleague.fill("input[name=last_name]", "Brooks")
    colleague.fill("input[name=password1]", "a-strong-passphrase-42")
    colleague.fill("input[name=password2]", "a-strong-passphrase-42")
    colleague.get_by_role("button", name="Create my account and join").click()
    colleague.wait_for_url(f"{live_server.url}/portal/")
    assert colleague.get_by_text("Welcome to Northwind Solutions").first.is_visible()

    # Sign out, then sign in again with the new account.
    colleague.get_by_text("Nia Brooks").click()
    colleague.get_by_role("button", name="Sign out").click()
    sign_in(colleague, live_server.url, "newhire@northwind.example.com", "a-strong-passphrase-42")
    colleague.wait_for_url(f"{live_server.url}/portal/")
    assert colleague.get_by_role("heading", name="Welcome, Nia").is_visible()

    # The admin sees the new colleague on the team page, and was told in the inbox.
    admin.goto(f"{live_server.url}/portal/team/")
    assert admin.get_by_role("cell", name="newhire@northwind.example.com").is_visible()
    assert admin.get_by_test_id("unread-count").inner_text() == "1"
    shot(admin, "portal-team-joined")
